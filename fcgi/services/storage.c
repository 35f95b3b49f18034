/*
 * storage.c -- where uploaded files live: a local directory or an
 * S3-compatible service.  See storage.h.
 *
 * S3 requests are signed by libcurl (CURLOPT_AWS_SIGV4).  libcurl 7.88 does
 * not send x-amz-content-sha256, which S3 requires with SigV4, but it signs
 * the header and uses its value as the payload hash when we send it; so
 * each request carries the real SHA-256 of its body (never UNSIGNED-PAYLOAD).
 * Presigned URLs (query signing) are not something libcurl does: they are
 * computed here, with OpenSSL's SHA-256 and HMAC.
 *
 * A storage_t keeps one curl handle (connection reuse): use it from one
 * thread at a time.  A handle inherited across fork() is left alone.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* the char * strerror_r, which is thread-safe */
#endif

#include "storage.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "hash.h"
#include "log.h"
#include "str.h"

/* Largest object stored or fetched: a download is held in the request's arena. */
#define STORAGE_OBJ_MAX ((size_t)64 * 1024 * 1024)
/* S3's own limit on a key, in bytes. */
#define STORAGE_KEY_MAX 1024
/* SigV4 query signatures are valid at most 7 days. */
#define STORAGE_EXPIRES_MAX 604800
/* What we keep of an error response: S3's XML error is well under this. */
#define STORAGE_ERRBODY_MAX 4096
/* First buffer of a download whose length the server did not announce. */
#define STORAGE_GET_CHUNK ((size_t)64 * 1024)
#define STORAGE_CTYPE_MAX 255
#define STORAGE_SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define STORAGE_TMP_NAME "/.zm-tmp-XXXXXX"

enum { STORAGE_LOCAL = 0, STORAGE_S3 };

struct storage_s {
    int kind;
    /* local */
    char *dir;
    /* s3 */
    char *scheme; /* "http" or "https" */
    char *host;   /* the endpoint's host[:port], a default port dropped (as a browser sends Host) */
    char *region, *bucket, *access_key, *secret_key;
    char *sigv4; /* "aws:amz:<region>:s3" for CURLOPT_AWS_SIGV4 */
    int path_style;
    int redirect;
    long timeout_ms;
    int curl_global; /* curl_global_init() done, to be balanced on close */
    CURL *curl;      /* kept between requests so connections are reused */
    pid_t curl_pid;  /* the process that made curl */
};

/* ---- small helpers ---- */

static const char *storage_errstr(int err, char *buf, size_t len)
{
    return strerror_r(err, buf, len);
}

static int storage_hmac(const unsigned char *key, size_t klen, const char *msg, unsigned char *out)
{
    unsigned outlen = 0;

    if (HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &outlen) == NULL ||
        outlen != 32) {
        return ZM_ERR;
    }
    return ZM_OK;
}

/* Well-formed UTF-8 without NUL (no overlongs, surrogates or code points past U+10FFFF).  Kept
 * here rather than borrowed from http.c so the tools and the worker need no HTTP layer. */
static int storage_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i];
        size_t need, k;
        uint32_t cp;

        if (c < 0x80) {
            if (c == 0) {
                return 0;
            }
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= need) {
            return 0;
        }
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return 0;
        }
        i += need + 1;
    }
    return 1;
}

/*
 * A key both backends accept: relative, '/'-separated, no empty, "." or ".."
 * segment (they would escape the directory or be normalized away by an HTTP
 * client, and S3 keeps them literally: the two backends must agree), no
 * backslash (a separator on other systems), no control byte, valid UTF-8.
 * A NUL cannot occur: it ends the C string.
 */
static int storage_key_check(const char *key)
{
    const unsigned char *k = (const unsigned char *)key;
    size_t n, seg = 0;

    if (key == NULL) {
        return ZM_EINVAL;
    }
    n = strnlen(key, STORAGE_KEY_MAX + 1);
    if (n == 0 || n > STORAGE_KEY_MAX || key[0] == '/') {
        return ZM_EINVAL;
    }
    for (size_t i = 0; i <= n; i++) {
        if (i == n || k[i] == '/') {
            size_t len = i - seg;

            if (len == 0 || (len == 1 && k[seg] == '.') || (len == 2 && k[seg] == '.' && k[seg + 1] == '.')) {
                return ZM_EINVAL;
            }
            seg = i + 1;
            continue;
        }
        if (k[i] < 0x20 || k[i] == 0x7f || k[i] == '\\') {
            return ZM_EINVAL;
        }
    }
    return storage_utf8_valid(k, n) ? ZM_OK : ZM_EINVAL;
}

/* A header value we pass on: printable ASCII, so it cannot end the header or start another. */
static int storage_ctype_check(const char *ct)
{
    size_t n = strnlen(ct, STORAGE_CTYPE_MAX + 1);

    if (n == 0 || n > STORAGE_CTYPE_MAX) {
        return ZM_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)ct[i] < 0x20 || (unsigned char)ct[i] >= 0x7f) {
            return ZM_EINVAL;
        }
    }
    return ZM_OK;
}

static int storage_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '~';
}

char *storage_uri_encode(zm_arena_t *a, const char *s, int keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t n;
    char *out, *o;

    if (s == NULL) {
        return NULL;
    }
    n = strlen(s);
    if (n > (SIZE_MAX - 1) / 3) {
        return NULL;
    }
    out = zm_palloc(a, n * 3 + 1);
    if (out == NULL) {
        return NULL;
    }
    o = out;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (storage_unreserved(c) || (keep_slash && c == '/')) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = digits[c >> 4];
            *o++ = digits[c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* ---- SigV4 query signing ---- */

typedef struct {
    const char *k, *v; /* canonically encoded */
} storage_qp_t;

static int storage_qp_cmp(const void *x, const void *y)
{
    const storage_qp_t *p = x, *q = y;
    int c = strcmp(p->k, q->k);

    return c != 0 ? c : strcmp(p->v, q->v);
}

/* Add name=value (either raw or percent-encoded) to qp, canonically encoded. */
static int storage_qp_add(zm_arena_t *a, storage_qp_t *qp, size_t *n, const char *name, size_t nlen, const char *value,
                          size_t vlen)
{
    /* '+' stays '+': SigV4 reads a query as RFC 3986, not as a form */
    char *k = zm_pct_decode(a, name, nlen, 0, NULL), *v = zm_pct_decode(a, value, vlen, 0, NULL);

    if (k == NULL || v == NULL) {
        return ZM_EINVAL;
    }
    qp[*n].k = storage_uri_encode(a, k, 0);
    qp[*n].v = storage_uri_encode(a, v, 0);
    if (qp[*n].k == NULL || qp[*n].v == NULL) {
        return ZM_ENOMEM;
    }
    (*n)++;
    return ZM_OK;
}

static int storage_qp_adds(zm_arena_t *a, storage_qp_t *qp, size_t *n, const char *name, const char *value)
{
    return storage_qp_add(a, qp, n, name, strlen(name), value, strlen(value));
}

/*
 * The path with "." and ".." segments resolved and empty segments dropped, the
 * way SigV4 normalizes for services other than S3 (and the AWS test suite
 * expects): "//a/./b/../" -> "/a/".  A trailing slash survives.
 */
static char *storage_path_normalize(zm_arena_t *a, const char *path)
{
    size_t n = strlen(path), o = 0, nseg = 0;
    size_t *segs = zm_palloc(a, sizeof(size_t) * (n / 2 + 2)); /* where each kept segment starts in out */
    char *out = zm_palloc(a, n + 2);
    const char *p = path, *end = path + n;
    int trailing = 0;

    if (out == NULL || segs == NULL) {
        return NULL;
    }
    while (p <= end) {
        const char *e = memchr(p, '/', (size_t)(end - p));
        size_t len;

        if (e == NULL) {
            e = end;
        }
        len = (size_t)(e - p);
        trailing = len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.');
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (nseg > 0) {
                o = segs[--nseg];
            }
        } else if (len > 0 && !(len == 1 && p[0] == '.')) {
            segs[nseg++] = o;
            out[o++] = '/';
            memcpy(out + o, p, len);
            o += len;
        }
        p = e + 1;
    }
    if (o == 0 || trailing) {
        out[o++] = '/';
    }
    out[o] = '\0';
    return out;
}

/* "20150830T123600Z" */
static int storage_amz_date_check(const char *d)
{
    if (d == NULL || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z') {
        return ZM_EINVAL;
    }
    for (int i = 0; i < 15; i++) {
        if (i != 8 && (d[i] < '0' || d[i] > '9')) {
            return ZM_EINVAL;
        }
    }
    return ZM_OK;
}

/* A field that goes into the signed text verbatim: printable ASCII without spaces, so nothing
 * can change its lines and nothing needs an encoding the sender might apply differently. */
static int storage_field_check(const char *s, int allow_empty)
{
    if (s == NULL || (!allow_empty && s[0] == '\0')) {
        return ZM_EINVAL;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f) {
            return ZM_EINVAL;
        }
    }
    return ZM_OK;
}

int storage_sigv4_presign(zm_arena_t *a, const storage_sigv4_t *p, char **query, char **canonical_request,
                          char **string_to_sign)
{
    char date[9], expires[24], hash[65], sig[65];
    unsigned char k1[32], k2[32];
    const char *uri, *payload;
    char *scope, *cq, *creq, *sts, *secret, *out;
    storage_qp_t *qp;
    size_t nqp = 0, cap = 7, cqlen = 0;
    int rc = ZM_OK;

    *query = NULL;
    if (storage_field_check(p->access_key, 0) != ZM_OK || p->secret_key == NULL || p->secret_key[0] == '\0' ||
        storage_field_check(p->region, 0) != ZM_OK || storage_field_check(p->service, 0) != ZM_OK ||
        storage_field_check(p->method, 0) != ZM_OK || storage_field_check(p->host, 0) != ZM_OK || p->path == NULL ||
        storage_amz_date_check(p->amz_date) != ZM_OK || p->expires_s < 1 || p->expires_s > STORAGE_EXPIRES_MAX ||
        (p->session_token != NULL && storage_field_check(p->session_token, 1) != ZM_OK)) {
        return ZM_EINVAL;
    }
    /* the path goes into the canonical request as it is sent: bytes outside printable ASCII
     * mean it was not percent-encoded, and a server would not see what we signed */
    if (storage_field_check(p->path, 1) != ZM_OK || (p->path[0] != '\0' && p->path[0] != '/')) {
        return ZM_EINVAL;
    }
    memcpy(date, p->amz_date, 8);
    date[8] = '\0';
    snprintf(expires, sizeof(expires), "%lld", (long long)p->expires_s);

    /* the caller's parameters, then ours; all sorted together */
    if (p->query != NULL) {
        for (const char *q = p->query; *q; q++) {
            cap += *q == '&';
        }
        cap++;
    }
    qp = zm_palloc(a, sizeof(*qp) * cap);
    scope = zm_psprintf(a, "%s/%s/%s/aws4_request", date, p->region, p->service);
    if (qp == NULL || scope == NULL) {
        return ZM_ENOMEM;
    }
    if (p->query != NULL) {
        const char *q = p->query;

        while (*q != '\0' && rc == ZM_OK) {
            const char *amp = strchr(q, '&'), *eq;
            size_t len = amp ? (size_t)(amp - q) : strlen(q);

            eq = memchr(q, '=', len);
            if (len > 0) {
                rc = eq ? storage_qp_add(a, qp, &nqp, q, (size_t)(eq - q), eq + 1, len - (size_t)(eq - q) - 1)
                        : storage_qp_add(a, qp, &nqp, q, len, "", 0);
            }
            q += len + (amp != NULL);
        }
    }
    if (rc == ZM_OK) {
        rc = storage_qp_adds(a, qp, &nqp, "X-Amz-Algorithm", "AWS4-HMAC-SHA256");
    }
    if (rc == ZM_OK) {
        char *cred = zm_psprintf(a, "%s/%s", p->access_key, scope);

        rc = cred ? storage_qp_adds(a, qp, &nqp, "X-Amz-Credential", cred) : ZM_ENOMEM;
    }
    if (rc == ZM_OK) {
        rc = storage_qp_adds(a, qp, &nqp, "X-Amz-Date", p->amz_date);
    }
    if (rc == ZM_OK) {
        rc = storage_qp_adds(a, qp, &nqp, "X-Amz-Expires", expires);
    }
    if (rc == ZM_OK && p->session_token != NULL) {
        /* signed, as the AWS test suite and S3 want it (some services want it added after signing) */
        rc = storage_qp_adds(a, qp, &nqp, "X-Amz-Security-Token", p->session_token);
    }
    if (rc == ZM_OK) {
        rc = storage_qp_adds(a, qp, &nqp, "X-Amz-SignedHeaders", "host");
    }
    if (rc != ZM_OK) {
        return rc;
    }
    qsort(qp, nqp, sizeof(*qp), storage_qp_cmp);
    for (size_t i = 0; i < nqp; i++) {
        cqlen += strlen(qp[i].k) + strlen(qp[i].v) + 2;
    }
    cq = zm_palloc(a, cqlen + 1);
    if (cq == NULL) {
        return ZM_ENOMEM;
    }
    cqlen = 0;
    for (size_t i = 0; i < nqp; i++) {
        cqlen += (size_t)sprintf(cq + cqlen, "%s%s=%s", i ? "&" : "", qp[i].k, qp[i].v);
    }
    cq[cqlen] = '\0';

    uri = p->path[0] == '\0' ? "/" : p->path;
    if (p->normalize_path) {
        uri = storage_path_normalize(a, uri);
        if (uri == NULL) {
            return ZM_ENOMEM;
        }
    }
    /* S3 does not know the body of a presigned request when it is signed (AWS's S3 query auth
     * documentation); every other service signs the hash of the (empty) body */
    payload = strcmp(p->service, "s3") == 0 ? "UNSIGNED-PAYLOAD" : STORAGE_SHA256_EMPTY;
    creq = zm_psprintf(a, "%s\n%s\n%s\nhost:%s\n\nhost\n%s", p->method, uri, cq, p->host, payload);
    if (creq == NULL) {
        return ZM_ENOMEM;
    }
    zm_sha256_hex(creq, strlen(creq), hash);
    sts = zm_psprintf(a, "AWS4-HMAC-SHA256\n%s\n%s\n%s", p->amz_date, scope, hash);
    secret = zm_psprintf(a, "AWS4%s", p->secret_key);
    if (sts == NULL || secret == NULL) {
        return ZM_ENOMEM;
    }
    /* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
    rc = storage_hmac((unsigned char *)secret, strlen(secret), date, k1);
    if (rc == ZM_OK) {
        rc = storage_hmac(k1, sizeof(k1), p->region, k2);
    }
    if (rc == ZM_OK) {
        rc = storage_hmac(k2, sizeof(k2), p->service, k1);
    }
    if (rc == ZM_OK) {
        rc = storage_hmac(k1, sizeof(k1), "aws4_request", k2);
    }
    if (rc == ZM_OK) {
        rc = storage_hmac(k2, sizeof(k2), sts, k1);
    }
    /* the secret and the keys derived from it must not linger in the arena or on the stack */
    OPENSSL_cleanse(secret, strlen(secret));
    OPENSSL_cleanse(k2, sizeof(k2));
    if (rc != ZM_OK) {
        OPENSSL_cleanse(k1, sizeof(k1));
        return rc;
    }
    sodium_bin2hex(sig, sizeof(sig), k1, sizeof(k1));
    OPENSSL_cleanse(k1, sizeof(k1));
    out = zm_psprintf(a, "%s&X-Amz-Signature=%s", cq, sig);
    if (out == NULL) {
        return ZM_ENOMEM;
    }
    *query = out;
    if (canonical_request != NULL) {
        *canonical_request = creq;
    }
    if (string_to_sign != NULL) {
        *string_to_sign = sts;
    }
    return ZM_OK;
}

/* ---- local backend ---- */

/* fsync the directory holding path (everything before its last '/'), so a rename or a new
 * entry in it survives a crash. */
static void storage_fsync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    int fd;

    if (slash == NULL) {
        snprintf(dir, sizeof(dir), ".");
    } else if (slash == path) {
        snprintf(dir, sizeof(dir), "/");
    } else if ((size_t)(slash - path) < sizeof(dir)) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
    } else {
        return;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return;
    }
    (void)fsync(fd);
    close(fd);
}

/* Create the missing directories of path from offset start on, each 0700.  0 or an errno. */
static int storage_mkdir_p(char *path, size_t start)
{
    size_t n = strlen(path);

    for (size_t i = start; i <= n; i++) {
        char c = path[i];

        if ((c != '/' && c != '\0') || i == 0 || path[i - 1] == '/') {
            continue;
        }
        path[i] = '\0';
        if (mkdir(path, 0700) == 0) {
            storage_fsync_parent(path);
        } else if (errno != EEXIST) {
            int err = errno;

            path[i] = c;
            return err;
        }
        path[i] = c;
    }
    return 0;
}

static int storage_local_open(storage_t *s)
{
    const char *dir = zm_conf_str("storage.local_dir");
    char ebuf[128], deflt[4096];
    size_t n;
    struct stat st;
    int err;

    /* empty: files/ under the state directory, beside the stack's other state */
    if (dir[0] == '\0') {
        snprintf(deflt, sizeof(deflt), "%s/files", zm_conf_str("state_dir"));
        dir = deflt;
    }
    n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') {
        n--;
    }
    s->dir = strndup(dir, n);
    if (s->dir == NULL) {
        return ZM_ENOMEM;
    }
    err = storage_mkdir_p(s->dir, 0);
    if (err == 0 && stat(s->dir, &st) != 0) {
        err = errno;
    }
    if (err == 0 && !S_ISDIR(st.st_mode)) {
        err = ENOTDIR;
    }
    if (err != 0) {
        zm_log_error("storage: cannot use %s: %s", s->dir, storage_errstr(err, ebuf, sizeof(ebuf)));
        return ZM_ERR;
    }
    return ZM_OK;
}

static char *storage_local_path(const storage_t *s, zm_arena_t *a, const char *key)
{
    return zm_psprintf(a, "%s/%s", s->dir, key);
}

static int storage_write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);

        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Remove the directories above path (modified) that are empty, up to the root; the first that is
 * not empty stops it.  A put racing with this retries its mkdir. */
static void storage_local_prune(const storage_t *s, char *path)
{
    size_t root = strlen(s->dir);
    char *slash;

    while ((slash = strrchr(path, '/')) != NULL && (size_t)(slash - path) > root) {
        *slash = '\0';
        if (rmdir(path) != 0) {
            break;
        }
    }
}

/* A write that failed for want of space or quota: STORAGE_EFULL (the caller answers "try later"),
 * logged as a warning once per failure; otherwise ZM_ERR, logged as an error. */
static int storage_local_failed(const char *what, const char *path, int err)
{
    char ebuf[128];

    if (err == ENOSPC || err == EDQUOT) {
        zm_log_warn("storage: %s %s: %s", what, path, storage_errstr(err, ebuf, sizeof(ebuf)));
        return STORAGE_EFULL;
    }
    zm_log_error("storage: %s %s: %s", what, path, storage_errstr(err, ebuf, sizeof(ebuf)));
    return ZM_ERR;
}

static int storage_local_put(storage_t *s, zm_arena_t *a, const char *key, const char *data, size_t len)
{
    char *path = storage_local_path(s, a, key), *tmp, *slash;
    int fd = -1, err = 0, rc;

    if (path == NULL) {
        return ZM_ENOMEM;
    }
    slash = strrchr(path, '/');
    tmp = zm_palloc(a, (size_t)(slash - path) + sizeof(STORAGE_TMP_NAME));
    if (tmp == NULL) {
        return ZM_ENOMEM;
    }
    /* a delete may rmdir an emptied directory between our mkdir and mkstemp: try again */
    for (int attempt = 0; attempt < 3 && fd < 0; attempt++) {
        *slash = '\0';
        err = storage_mkdir_p(path, strlen(s->dir) + 1);
        memcpy(tmp, path, (size_t)(slash - path));
        *slash = '/';
        if (err != 0) {
            break;
        }
        memcpy(tmp + (slash - path), STORAGE_TMP_NAME, sizeof(STORAGE_TMP_NAME));
        /* mkstemp creates the file 0600, O_EXCL: a name no one else holds */
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
            err = errno;
            if (err != ENOENT) {
                break;
            }
        }
    }
    if (fd < 0) {
        /* nothing of a failed put stays behind: not even the directories made for it */
        rc = err == ENAMETOOLONG ? ZM_EINVAL : storage_local_failed("cannot create a file for", path, err);
        storage_local_prune(s, path);
        return rc;
    }
    err = storage_write_all(fd, data, len);
    /* the data must be on disk before the rename makes it visible, or a crash leaves an empty file */
    if (err == 0 && fsync(fd) != 0) {
        err = errno;
    }
    if (close(fd) != 0 && err == 0) {
        err = errno;
    }
    if (err == 0 && rename(tmp, path) != 0) {
        err = errno;
    }
    if (err != 0) {
        unlink(tmp);
        /* a file name past NAME_MAX is bad input, nothing to log */
        rc = err == ENAMETOOLONG ? ZM_EINVAL : storage_local_failed("cannot write", path, err);
        storage_local_prune(s, path);
        return rc;
    }
    storage_fsync_parent(path);
    return ZM_OK;
}

static int storage_local_get(storage_t *s, zm_arena_t *a, const char *key, char **data, size_t *len)
{
    char *path = storage_local_path(s, a, key), *buf, ebuf[128];
    size_t size, got = 0;
    struct stat st;
    int fd;

    if (path == NULL) {
        return ZM_ENOMEM;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return ZM_ENOTFOUND;
        }
        if (errno == ENAMETOOLONG) {
            return ZM_EINVAL;
        }
        zm_log_error("storage: cannot open %s: %s", path, storage_errstr(errno, ebuf, sizeof(ebuf)));
        return ZM_ERR;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ZM_ENOTFOUND;
    }
    if ((uint64_t)st.st_size > STORAGE_OBJ_MAX) {
        close(fd);
        return ZM_ETOOBIG;
    }
    size = (size_t)st.st_size;
    buf = zm_palloc(a, size + 1);
    if (buf == NULL) {
        close(fd);
        return ZM_ENOMEM;
    }
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            zm_log_error("storage: cannot read %s: %s", path,
                         r < 0 ? storage_errstr(errno, ebuf, sizeof(ebuf)) : "file shrank");
            close(fd);
            return ZM_ERR;
        }
        got += (size_t)r;
    }
    close(fd);
    buf[size] = '\0';
    *data = buf;
    *len = size;
    return ZM_OK;
}

static int storage_local_delete(storage_t *s, zm_arena_t *a, const char *key)
{
    char *path = storage_local_path(s, a, key), ebuf[128];

    if (path == NULL) {
        return ZM_ENOMEM;
    }
    /* nothing there, a directory there, or a name no file can have: no object to remove */
    if (unlink(path) != 0 && errno != ENOENT && errno != ENOTDIR && errno != EISDIR && errno != ENAMETOOLONG) {
        zm_log_error("storage: cannot delete %s: %s", path, storage_errstr(errno, ebuf, sizeof(ebuf)));
        return ZM_ERR;
    }
    /* drop the directories this leaves empty (a version's, a resume's...) */
    storage_local_prune(s, path);
    return ZM_OK;
}

/* ---- S3 backend ---- */

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
    s->host = zm_xmalloc(n + 1);
    memcpy(s->host, hp, n);
    s->host[n] = '\0';
    return ZM_OK;
}

static int storage_s3_open(storage_t *s)
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
    if (storage_field_check(s->region, 0) != ZM_OK || strchr(s->region, ':') != NULL) {
        zm_log_error("storage: storage.s3_region is empty or malformed");
        return ZM_ERR;
    }
    if (s->bucket[0] == '\0' || strspn(s->bucket, "abcdefghijklmnopqrstuvwxyz0123456789.-_") != strlen(s->bucket)) {
        zm_log_error("storage: storage.s3_bucket must be a bucket name (a-z 0-9 . - _)");
        return ZM_ERR;
    }
    if (storage_field_check(s->access_key, 0) != ZM_OK || s->secret_key[0] == '\0') {
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

/* The request path of key: /bucket/key (path style) or /key, each segment encoded, '/' kept. */
static char *storage_s3_path(const storage_t *s, zm_arena_t *a, const char *key)
{
    char *enc = storage_uri_encode(a, key, 1);

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

static int storage_s3_put(storage_t *s, zm_arena_t *a, const char *key, const char *data, size_t len, const char *ctype)
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

static int storage_s3_get(storage_t *s, zm_arena_t *a, const char *key, char **data, size_t *len)
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

static int storage_s3_delete(storage_t *s, zm_arena_t *a, const char *key)
{
    storage_resp_t r;
    int rc = storage_s3_do(s, a, "DELETE", key, NULL, 0, NULL, &r);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = storage_s3_judge("DELETE", key, &r);
    return rc == ZM_ENOTFOUND ? ZM_OK : rc;
}

static int storage_s3_presign(storage_t *s, zm_arena_t *a, const char *key, int64_t now, int ttl_s,
                              const char *download_name, const char *content_type, char **url)
{
    storage_sigv4_t p = {0};
    char amz_date[32], *query = NULL, *q, *path;
    time_t t = (time_t)now;
    struct tm tm;
    int rc;

    if (ttl_s < 1 || ttl_s > STORAGE_EXPIRES_MAX) {
        return ZM_EINVAL;
    }
    if (gmtime_r(&t, &tm) == NULL || strftime(amz_date, sizeof(amz_date), "%Y%m%dT%H%M%SZ", &tm) != 16) {
        return ZM_EINVAL;
    }
    /* values go in encoded: the signer decodes each before encoding it canonically */
    q = zm_pstrdup(a, "");
    if (q != NULL && download_name != NULL) {
        char *d;

        if (!storage_utf8_valid((const unsigned char *)download_name, strlen(download_name))) {
            return ZM_EINVAL;
        }
        d = zm_content_disposition(a, download_name);
        d = d ? storage_uri_encode(a, d, 0) : NULL;
        q = d ? zm_psprintf(a, "response-content-disposition=%s", d) : NULL;
    }
    if (q != NULL && content_type != NULL) {
        char *ct;

        if (storage_ctype_check(content_type) != ZM_OK) {
            return ZM_EINVAL;
        }
        ct = storage_uri_encode(a, content_type, 0);
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
    rc = storage_sigv4_presign(a, &p, &query, NULL, NULL);
    if (rc != ZM_OK) {
        return rc;
    }
    *url = zm_psprintf(a, "%s://%s%s?%s", s->scheme, s->host, path, query);
    return *url ? ZM_OK : ZM_ENOMEM;
}

/* ---- public ---- */

storage_t *storage_open(void)
{
    const char *backend = zm_conf_str("storage.backend");
    storage_t *s = zm_xcalloc(1, sizeof(*s));
    int rc;

    if (strcmp(backend, "local") == 0) {
        s->kind = STORAGE_LOCAL;
        rc = storage_local_open(s);
    } else if (strcmp(backend, "s3") == 0) {
        s->kind = STORAGE_S3;
        rc = storage_s3_open(s);
    } else {
        zm_log_error("storage: storage.backend must be local or s3, not '%s'", backend);
        rc = ZM_EINVAL;
    }
    if (rc != ZM_OK) {
        storage_close(s);
        return NULL;
    }
    return s;
}

void storage_close(storage_t *s)
{
    if (s == NULL) {
        return;
    }
    if (s->curl != NULL && s->curl_pid == getpid()) {
        curl_easy_cleanup(s->curl);
    }
    if (s->curl_global) {
        curl_global_cleanup();
    }
    if (s->secret_key != NULL) {
        OPENSSL_cleanse(s->secret_key, strlen(s->secret_key));
    }
    free(s->dir);
    free(s->scheme);
    free(s->host);
    free(s->region);
    free(s->bucket);
    free(s->access_key);
    free(s->secret_key);
    free(s->sigv4);
    free(s);
}

const char *storage_backend(const storage_t *s)
{
    return s->kind == STORAGE_S3 ? "s3" : "local";
}

int storage_put(storage_t *s, zm_arena_t *a, const char *key, const char *data, size_t len, const char *content_type)
{
    if (storage_key_check(key) != ZM_OK || (data == NULL && len > 0)) {
        return ZM_EINVAL;
    }
    if (len > STORAGE_OBJ_MAX) {
        return ZM_ETOOBIG; /* storage_get could never give it back */
    }
    if (s->kind == STORAGE_LOCAL) {
        return storage_local_put(s, a, key, data ? data : "", len);
    }
    if (content_type == NULL || content_type[0] == '\0') {
        content_type = "application/octet-stream";
    }
    if (storage_ctype_check(content_type) != ZM_OK) {
        return ZM_EINVAL;
    }
    return storage_s3_put(s, a, key, data, len, content_type);
}

int storage_get(storage_t *s, zm_arena_t *a, const char *key, char **data, size_t *len)
{
    if (storage_key_check(key) != ZM_OK) {
        return ZM_EINVAL;
    }
    return s->kind == STORAGE_LOCAL ? storage_local_get(s, a, key, data, len) : storage_s3_get(s, a, key, data, len);
}

int storage_delete(storage_t *s, zm_arena_t *a, const char *key)
{
    if (storage_key_check(key) != ZM_OK) {
        return ZM_EINVAL;
    }
    return s->kind == STORAGE_LOCAL ? storage_local_delete(s, a, key) : storage_s3_delete(s, a, key);
}

int storage_redirects(const storage_t *s)
{
    return s->kind == STORAGE_S3 && s->redirect;
}

int storage_presign_get(storage_t *s, zm_arena_t *a, const char *key, int64_t now, int ttl_s, const char *download_name,
                        const char *content_type, char **url)
{
    *url = NULL;
    if (s->kind != STORAGE_S3 || storage_key_check(key) != ZM_OK) {
        return ZM_EINVAL;
    }
    return storage_s3_presign(s, a, key, now, ttl_s, download_name, content_type, url);
}
