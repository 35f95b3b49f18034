/*
 * storage_s3.c -- the S3 backend: an S3-compatible service (AWS S3, MinIO,
 * OSS/COS in S3 mode), path-style or virtual-host addressing.
 *
 * Requests are signed by libcurl (CURLOPT_AWS_SIGV4).  libcurl 7.88 does
 * not send x-amz-content-sha256, which S3 requires with SigV4, but it signs
 * the header and uses its value as the payload hash when we send it; so
 * each request carries the real SHA-256 of its body (never UNSIGNED-PAYLOAD).
 * Presigned URLs (query signing) are not something libcurl does: sigv4.c
 * computes them.
 *
 * A storage_t keeps one curl handle (connection reuse): use it from one
 * thread at a time.  A handle inherited across fork() is left alone.
 */
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "hash.h"
#include "log.h"
#include "sigv4.h"
#include "storage_backend.h"
#include "str.h"
#include "zm.h"

/* What we keep of an error response: S3's XML error is well under this. */
#define STORAGE_ERRBODY_MAX 4096
/* First buffer of a download whose length the server did not announce. */
#define STORAGE_GET_CHUNK ((size_t)64 * 1024)

/* The endpoint URL split into scheme and host[:port]; nothing but an optional '/' may follow. */
static int storage_s3_endpoint(storage_t *s, const char *ep)
{
    const char *hp, *end;
    size_t n;

    if (strncmp(ep, "http://", 7) == 0) {
        s->scheme = zm_xstrdup("http");
        hp = ep + 7;
    } else if (strncmp(ep, "https://", 8) == 0) {
        s->scheme = zm_xstrdup("https");
        hp = ep + 8;
    } else {
        zm_log_error("storage: storage.s3_endpoint must start with http:// or https://");
        return ZM_ERR;
    }
    if (s->scheme == NULL) {
        return ZM_ENOMEM;
    }
    end = strchr(hp, '/');
    n = end ? (size_t)(end - hp) : strlen(hp);
    if (n == 0 || (end != NULL && end[1] != '\0') || strcspn(hp, "@?# \t\r\n") < n) {
        zm_log_error("storage: storage.s3_endpoint must be scheme://host[:port] with no path");
        return ZM_ERR;
    }
    /* a browser following a presigned URL sends Host without a default port: sign what it sends */
    if (strcmp(s->scheme, "http") == 0 && n > 3 && memcmp(hp + n - 3, ":80", 3) == 0) {
        n -= 3;
    } else if (strcmp(s->scheme, "https") == 0 && n > 4 && memcmp(hp + n - 4, ":443", 4) == 0) {
        n -= 4;
    }
    s->host = strndup(hp, n);
    return s->host ? ZM_OK : ZM_ENOMEM;
}

int storage_s3_open(storage_t *s)
{
    const char *ep = zm_conf_str("storage.s3_endpoint"), *dl = zm_conf_str("storage.s3_download");
    int rc;

    if (ep[0] == '\0') {
        zm_log_error("storage: storage.backend is s3 but storage.s3_endpoint is empty");
        return ZM_ERR;
    }
    if ((rc = storage_s3_endpoint(s, ep)) != ZM_OK) {
        return rc;
    }
    s->region = zm_xstrdup(zm_conf_str("storage.s3_region"));
    s->bucket = zm_xstrdup(zm_conf_str("storage.s3_bucket"));
    s->access_key = zm_xstrdup(zm_conf_str("storage.s3_access_key"));
    s->secret_key = zm_xstrdup(zm_conf_str("storage.s3_secret_key"));
    /* the region is a field of CURLOPT_AWS_SIGV4's colon-separated string */
    if (sigv4_field_check(s->region, 0) != ZM_OK || strchr(s->region, ':') != NULL) {
        zm_log_error("storage: storage.s3_region is empty or malformed");
        return ZM_ERR;
    }
    if (s->bucket[0] == '\0' || strspn(s->bucket, "abcdefghijklmnopqrstuvwxyz0123456789.-_") != strlen(s->bucket)) {
        zm_log_error("storage: storage.s3_bucket must be a bucket name (a-z 0-9 . - _)");
        return ZM_ERR;
    }
    if (sigv4_field_check(s->access_key, 0) != ZM_OK || s->secret_key[0] == '\0') {
        zm_log_error("storage: storage.s3_access_key and storage.s3_secret_key are required");
        return ZM_ERR;
    }
    s->path_style = zm_conf_bool("storage.s3_path_style");
    if (strcmp(dl, "redirect") == 0) {
        s->redirect = 1;
    } else if (strcmp(dl, "stream") != 0) {
        zm_log_error("storage: storage.s3_download must be stream or redirect, not '%s'", dl);
        return ZM_ERR;
    }
    s->timeout_ms = (long)zm_conf_int("storage.s3_timeout_ms");
    if (s->timeout_ms <= 0) {
        zm_log_error("storage: storage.s3_timeout_ms must be positive");
        return ZM_ERR;
    }
    if (!s->path_style) {
        /* virtual-host addressing puts the bucket in the host name */
        char *vh = zm_xmalloc(strlen(s->bucket) + 1 + strlen(s->host) + 1);

        sprintf(vh, "%s.%s", s->bucket, s->host);
        free(s->host);
        s->host = vh;
    }
    s->sigv4 = zm_xmalloc(strlen(s->region) + sizeof("aws:amz::s3"));
    sprintf(s->sigv4, "aws:amz:%s:s3", s->region);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        zm_log_error("storage: curl_global_init failed");
        return ZM_ERR;
    }
    s->curl_global = 1;
    return ZM_OK;
}

void storage_s3_close(storage_t *s)
{
    if (s->curl != NULL && s->curl_pid == getpid()) {
        curl_easy_cleanup(s->curl);
    }
    if (s->curl_global) {
        curl_global_cleanup();
    }
    if (s->secret_key != NULL) {
        OPENSSL_cleanse(s->secret_key, strlen(s->secret_key));
    }
    free(s->scheme);
    free(s->host);
    free(s->region);
    free(s->bucket);
    free(s->access_key);
    free(s->secret_key);
    free(s->sigv4);
}

/* The request path of key: /bucket/key (path style) or /key, each segment encoded, '/' kept. */
static char *storage_s3_path(const storage_t *s, zm_arena_t *a, const char *key)
{
    char *enc = sigv4_uri_encode(a, key, 1);

    if (enc == NULL) {
        return NULL;
    }
    return s->path_style ? zm_psprintf(a, "/%s/%s", s->bucket, enc) : zm_psprintf(a, "/%s", enc);
}

/* What one S3 request brought back. */
typedef struct {
    CURL *curl;
    zm_arena_t *a;
    int keep_body; /* a GET: keep a 2xx body */
    long status;   /* known once the body starts */
    char *data;    /* the 2xx body (GET) */
    size_t len, cap;
    int too_big, oom;
    char err[STORAGE_ERRBODY_MAX]; /* the start of a non-2xx body: S3's XML error */
    size_t errlen;
} storage_resp_t;

static size_t storage_s3_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    storage_resp_t *r = ud;
    size_t n = size * nmemb;

    if (r->status == 0) {
        curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->status);
    }
    if (r->status < 200 || r->status > 299) {
        size_t room = sizeof(r->err) - 1 - r->errlen, k = n < room ? n : room;

        memcpy(r->err + r->errlen, ptr, k);
        r->errlen += k;
        r->err[r->errlen] = '\0';
        return n;
    }
    if (!r->keep_body) {
        return n;
    }
    if (n > STORAGE_OBJ_MAX - r->len) {
        r->too_big = 1;
        return 0; /* aborts the transfer */
    }
    if (r->len + n > r->cap) {
        curl_off_t cl = -1;
        size_t cap;
        char *p;

        /* one allocation of the announced size; doubling only for a body of unknown length */
        curl_easy_getinfo(r->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
        if (r->cap == 0 && cl >= 0 && (uint64_t)cl <= STORAGE_OBJ_MAX && (size_t)cl >= n) {
            cap = (size_t)cl;
        } else {
            cap = r->cap ? r->cap * 2 : STORAGE_GET_CHUNK;
            while (cap < r->len + n) {
                cap *= 2;
            }
            if (cap > STORAGE_OBJ_MAX) {
                cap = STORAGE_OBJ_MAX;
            }
        }
        p = zm_palloc(r->a, cap + 1);
        if (p == NULL) {
            r->oom = 1;
            return 0;
        }
        if (r->len > 0) {
            memcpy(p, r->data, r->len);
        }
        r->data = p;
        r->cap = cap;
    }
    memcpy(r->data + r->len, ptr, n);
    r->len += n;
    return n;
}

void storage_xml_field(const char *xml, const char *tag, char *out, size_t outlen)
{
    char otag[32], ctag[32];
    const char *b, *e;
    size_t o = 0;

    out[0] = '\0';
    snprintf(otag, sizeof(otag), "<%s>", tag);
    snprintf(ctag, sizeof(ctag), "</%s>", tag);
    b = strstr(xml, otag);
    if (b == NULL) {
        return;
    }
    b += strlen(otag);
    e = strstr(b, ctag);
    if (e == NULL) {
        return;
    }
    for (; b < e && o + 1 < outlen; b++) {
        out[o++] = (*b >= 0x20 && *b < 0x7f) ? *b : '?';
    }
    out[o] = '\0';
}

/* Network failures worth a retry later; the rest (TLS trust, bad URL) need a person. */
static int storage_curl_transient(CURLcode res)
{
    switch (res) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

/* A handle of this process: one inherited across fork() shares its connections with the
 * parent and must be neither used nor cleaned up here (either would disturb the parent's). */
static CURL *storage_curl(storage_t *s)
{
    if (s->curl != NULL && s->curl_pid == getpid()) {
        curl_easy_reset(s->curl);
        return s->curl;
    }
    s->curl = curl_easy_init();
    s->curl_pid = getpid();
    return s->curl;
}

/*
 * One signed request for key.  ZM_OK with *status set for any HTTP answer
 * (the caller judges the status); ZM_EAGAIN / ZM_ERR / ZM_ETOOBIG / ZM_ENOMEM
 * when there was none.  r->err holds the start of a non-2xx body.
 */
static int storage_s3_do(storage_t *s, zm_arena_t *a, const char *method, const char *key, const char *body, size_t len,
                         const char *ctype, storage_resp_t *r)
{
    char hash[65], errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = NULL, *t;
    char *path, *url, *h_sha, *h_ct = NULL;
    CURLcode res = CURLE_OK;
    CURL *curl;

    path = storage_s3_path(s, a, key);
    url = path ? zm_psprintf(a, "%s://%s%s", s->scheme, s->host, path) : NULL;
    if (url == NULL) {
        return ZM_ENOMEM;
    }
    zm_sha256_hex(body ? body : "", body ? len : 0, hash);
    /* libcurl 7.88 signs this header and takes the payload hash from it, but never sends it itself */
    h_sha = zm_psprintf(a, "x-amz-content-sha256: %s", hash);
    if (ctype != NULL) {
        h_ct = zm_psprintf(a, "Content-Type: %s", ctype);
    }
    if (h_sha == NULL || (ctype != NULL && h_ct == NULL)) {
        return ZM_ENOMEM;
    }
    curl = storage_curl(s);
    if (curl == NULL) {
        return ZM_ENOMEM;
    }
    /* no "Expect:" to switch 100-continue off: libcurl 7.88 would sign the empty header it does
     * not send, and every large PUT would fail to verify */
    hdrs = curl_slist_append(NULL, h_sha);
    if (hdrs != NULL && h_ct != NULL) {
        t = curl_slist_append(hdrs, h_ct);
        if (t == NULL) {
            curl_slist_free_all(hdrs);
            hdrs = NULL;
        } else {
            hdrs = t;
        }
    }
    if (hdrs == NULL) {
        return ZM_ENOMEM;
    }
    memset(r, 0, offsetof(storage_resp_t, err));
    r->err[0] = '\0';
    r->errlen = 0;
    r->curl = curl;
    r->a = a;
    r->keep_body = strcmp(method, "GET") == 0;

    /* |= collects a failed setopt (an unknown option, OOM) into one test */
    res |= curl_easy_setopt(curl, CURLOPT_URL, url);
    res |= curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    res |= curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, s->sigv4);
    /* separate options rather than CURLOPT_USERPWD: a ':' in a key must not split it */
    res |= curl_easy_setopt(curl, CURLOPT_USERNAME, s->access_key);
    res |= curl_easy_setopt(curl, CURLOPT_PASSWORD, s->secret_key);
    res |= curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    res |= curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, s->timeout_ms);
    res |= curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, s->timeout_ms);
    /* no SIGALRM for DNS timeouts: the task runner has threads */
    res |= curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    res |= curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, storage_s3_write);
    res |= curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    res |= curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    if (strcmp(method, "PUT") == 0) {
        /* the body from memory: libcurl reads it in place (the data outlives the call) */
        res |= curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
        res |= curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        res |= curl_easy_setopt(curl, CURLOPT_POSTFIELDS, len > 0 ? body : "");
    } else if (strcmp(method, "GET") == 0) {
        res |= curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        res |= curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)STORAGE_OBJ_MAX);
    } else {
        res |= curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }
    if (res != CURLE_OK) {
        curl_slist_free_all(hdrs);
        zm_log_error("storage: s3 %s: curl_easy_setopt failed", method);
        return ZM_ERR;
    }
    res = curl_easy_perform(curl);
    curl_slist_free_all(hdrs);
    /* the handle is kept; it must not point at this request's stack or arena */
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, NULL);
    if (res != CURLE_OK) {
        if (r->too_big || res == CURLE_FILESIZE_EXCEEDED) {
            zm_log_error("storage: s3 %s %s: object over %zu bytes", method, key, STORAGE_OBJ_MAX);
            return ZM_ETOOBIG;
        }
        if (r->oom) {
            return ZM_ENOMEM;
        }
        zm_log_warn("storage: s3 %s %s: %s", method, key, errbuf[0] ? errbuf : curl_easy_strerror(res));
        return storage_curl_transient(res) ? ZM_EAGAIN : ZM_ERR;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    return ZM_OK;
}

/*
 * What an S3 answer means.  404 is the caller's (ZM_ENOTFOUND) unless the
 * bucket is missing: that is a configuration error, not a missing object.
 * 507 (out of space) is STORAGE_EFULL; throttling and other server errors
 * come back as ZM_EAGAIN; the rest as ZM_ERR, with S3's error code logged.
 */
static int storage_s3_judge(const char *method, const char *key, const storage_resp_t *r)
{
    char code[64], msg[256];

    if (r->status >= 200 && r->status <= 299) {
        return ZM_OK;
    }
    storage_xml_field(r->err, "Code", code, sizeof(code));
    storage_xml_field(r->err, "Message", msg, sizeof(msg));
    if (r->status == 404 && strcmp(code, "NoSuchBucket") != 0) {
        return ZM_ENOTFOUND;
    }
    /* 507 Insufficient Storage (MinIO's XMinioStorageFull): full, as a local disk can be */
    if (r->status == 507) {
        zm_log_warn("storage: s3 %s %s: HTTP 507 %s: %s", method, key, code[0] ? code : "-", msg);
        return STORAGE_EFULL;
    }
    if (r->status >= 500 || r->status == 429 || strcmp(code, "SlowDown") == 0 || strcmp(code, "RequestTimeout") == 0 ||
        strcmp(code, "InternalError") == 0 || strcmp(code, "ServiceUnavailable") == 0) {
        zm_log_warn("storage: s3 %s %s: HTTP %ld %s: %s", method, key, r->status, code[0] ? code : "-", msg);
        return ZM_EAGAIN;
    }
    zm_log_error("storage: s3 %s %s: HTTP %ld %s: %s", method, key, r->status, code[0] ? code : "-", msg);
    return ZM_ERR;
}

int storage_s3_put(storage_t *s, zm_arena_t *a, const char *key, const char *data, size_t len, const char *ctype)
{
    storage_resp_t r;
    int rc = storage_s3_do(s, a, "PUT", key, data, len, ctype, &r);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = storage_s3_judge("PUT", key, &r);
    if (rc == ZM_ENOTFOUND) {
        /* a 404 on PUT can only be the bucket's (or a proxy's): not "not found" for the caller */
        zm_log_error("storage: s3 PUT %s: HTTP 404", key);
        return ZM_ERR;
    }
    return rc;
}

int storage_s3_get(storage_t *s, zm_arena_t *a, const char *key, char **data, size_t *len)
{
    storage_resp_t r;
    int rc = storage_s3_do(s, a, "GET", key, NULL, 0, NULL, &r);

    if (rc != ZM_OK) {
        return rc;
    }
    if ((rc = storage_s3_judge("GET", key, &r)) != ZM_OK) {
        return rc;
    }
    if (r.data == NULL) { /* an empty object */
        r.data = zm_palloc(a, 1);
        if (r.data == NULL) {
            return ZM_ENOMEM;
        }
    }
    r.data[r.len] = '\0';
    *data = r.data;
    *len = r.len;
    return ZM_OK;
}

int storage_s3_delete(storage_t *s, zm_arena_t *a, const char *key)
{
    storage_resp_t r;
    int rc = storage_s3_do(s, a, "DELETE", key, NULL, 0, NULL, &r);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = storage_s3_judge("DELETE", key, &r);
    return rc == ZM_ENOTFOUND ? ZM_OK : rc;
}

int storage_s3_presign(storage_t *s, zm_arena_t *a, const char *key, int64_t now, int ttl_s, const char *download_name,
                       const char *content_type, char **url)
{
    sigv4_request_t p = {0};
    char amz_date[32], *query = NULL, *q, *path;
    time_t t = (time_t)now;
    struct tm tm;
    int rc;

    if (ttl_s < 1 || ttl_s > SIGV4_EXPIRES_MAX) {
        return ZM_EINVAL;
    }
    if (gmtime_r(&t, &tm) == NULL || strftime(amz_date, sizeof(amz_date), "%Y%m%dT%H%M%SZ", &tm) != 16) {
        return ZM_EINVAL;
    }
    /* values go in encoded: the signer decodes each before encoding it canonically */
    q = zm_pstrdup(a, "");
    if (q != NULL && download_name != NULL) {
        char *d;

        if (!zm_utf8_valid(download_name, strlen(download_name))) {
            return ZM_EINVAL;
        }
        d = zm_content_disposition(a, download_name);
        d = d ? sigv4_uri_encode(a, d, 0) : NULL;
        q = d ? zm_psprintf(a, "response-content-disposition=%s", d) : NULL;
    }
    if (q != NULL && content_type != NULL) {
        char *ct;

        if (storage_ctype_check(content_type) != ZM_OK) {
            return ZM_EINVAL;
        }
        ct = sigv4_uri_encode(a, content_type, 0);
        q = ct ? zm_psprintf(a, "%s%sresponse-content-type=%s", q, q[0] ? "&" : "", ct) : NULL;
    }
    path = storage_s3_path(s, a, key);
    if (q == NULL || path == NULL) {
        return ZM_ENOMEM;
    }
    p.access_key = s->access_key;
    p.secret_key = s->secret_key;
    p.region = s->region;
    p.service = "s3";
    p.method = "GET";
    p.host = s->host;
    p.path = path;
    p.query = q[0] ? q : NULL;
    p.amz_date = amz_date;
    p.expires_s = ttl_s;
    p.normalize_path = 0;
    rc = sigv4_presign(a, &p, &query, NULL, NULL);
    if (rc != ZM_OK) {
        return rc;
    }
    *url = zm_psprintf(a, "%s://%s%s?%s", s->scheme, s->host, path, query);
    return *url ? ZM_OK : ZM_ENOMEM;
}
