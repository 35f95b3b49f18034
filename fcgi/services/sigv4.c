/*
 * sigv4.c -- AWS Signature Version 4 query signing (presigned URLs), see
 * sigv4.h.  libcurl signs S3 requests itself (CURLOPT_AWS_SIGV4) but does
 * not presign: this does, with OpenSSL's SHA-256 and HMAC.
 */
#include "sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "str.h"

#define SIGV4_SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static int sigv4_hmac(const unsigned char *key, size_t klen, const char *msg, unsigned char *out)
{
    unsigned outlen = 0;

    if (HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg), out, &outlen) == NULL ||
        outlen != 32) {
        return ZM_ERR;
    }
    return ZM_OK;
}

static int sigv4_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '~';
}

char *sigv4_uri_encode(zm_arena_t *a, const char *s, int keep_slash)
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

        if (sigv4_unreserved(c) || (keep_slash && c == '/')) {
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

typedef struct {
    const char *k, *v; /* canonically encoded */
} sigv4_qp_t;

static int sigv4_qp_cmp(const void *x, const void *y)
{
    const sigv4_qp_t *p = x, *q = y;
    int c = strcmp(p->k, q->k);

    return c != 0 ? c : strcmp(p->v, q->v);
}

/* Add name=value (either raw or percent-encoded) to qp, canonically encoded. */
static int sigv4_qp_add(zm_arena_t *a, sigv4_qp_t *qp, size_t *n, const char *name, size_t nlen, const char *value,
                        size_t vlen)
{
    /* '+' stays '+': SigV4 reads a query as RFC 3986, not as a form */
    char *k = zm_pct_decode(a, name, nlen, 0, NULL), *v = zm_pct_decode(a, value, vlen, 0, NULL);

    if (k == NULL || v == NULL) {
        return ZM_EINVAL;
    }
    qp[*n].k = sigv4_uri_encode(a, k, 0);
    qp[*n].v = sigv4_uri_encode(a, v, 0);
    if (qp[*n].k == NULL || qp[*n].v == NULL) {
        return ZM_ENOMEM;
    }
    (*n)++;
    return ZM_OK;
}

static int sigv4_qp_adds(zm_arena_t *a, sigv4_qp_t *qp, size_t *n, const char *name, const char *value)
{
    return sigv4_qp_add(a, qp, n, name, strlen(name), value, strlen(value));
}

/*
 * The path with "." and ".." segments resolved and empty segments dropped, the
 * way SigV4 normalizes for services other than S3 (and the AWS test suite
 * expects): "//a/./b/../" -> "/a/".  A trailing slash survives.
 */
static char *sigv4_path_normalize(zm_arena_t *a, const char *path)
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
static int sigv4_amz_date_check(const char *d)
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
int sigv4_field_check(const char *s, int allow_empty)
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

int sigv4_presign(zm_arena_t *a, const sigv4_request_t *p, char **query, char **canonical_request,
                  char **string_to_sign)
{
    char date[9], expires[24], hash[65], sig[65];
    unsigned char k1[32], k2[32];
    const char *uri, *payload;
    char *scope, *cq, *creq, *sts, *secret, *out;
    sigv4_qp_t *qp;
    size_t nqp = 0, cap = 7, cqlen = 0;
    int rc = ZM_OK;

    *query = NULL;
    if (sigv4_field_check(p->access_key, 0) != ZM_OK || p->secret_key == NULL || p->secret_key[0] == '\0' ||
        sigv4_field_check(p->region, 0) != ZM_OK || sigv4_field_check(p->service, 0) != ZM_OK ||
        sigv4_field_check(p->method, 0) != ZM_OK || sigv4_field_check(p->host, 0) != ZM_OK || p->path == NULL ||
        sigv4_amz_date_check(p->amz_date) != ZM_OK || p->expires_s < 1 || p->expires_s > SIGV4_EXPIRES_MAX ||
        (p->session_token != NULL && sigv4_field_check(p->session_token, 1) != ZM_OK)) {
        return ZM_EINVAL;
    }
    /* the path goes into the canonical request as it is sent: bytes outside printable ASCII
     * mean it was not percent-encoded, and a server would not see what we signed */
    if (sigv4_field_check(p->path, 1) != ZM_OK || (p->path[0] != '\0' && p->path[0] != '/')) {
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
                rc = eq ? sigv4_qp_add(a, qp, &nqp, q, (size_t)(eq - q), eq + 1, len - (size_t)(eq - q) - 1)
                        : sigv4_qp_add(a, qp, &nqp, q, len, "", 0);
            }
            q += len + (amp != NULL);
        }
    }
    if (rc == ZM_OK) {
        rc = sigv4_qp_adds(a, qp, &nqp, "X-Amz-Algorithm", "AWS4-HMAC-SHA256");
    }
    if (rc == ZM_OK) {
        char *cred = zm_psprintf(a, "%s/%s", p->access_key, scope);

        rc = cred ? sigv4_qp_adds(a, qp, &nqp, "X-Amz-Credential", cred) : ZM_ENOMEM;
    }
    if (rc == ZM_OK) {
        rc = sigv4_qp_adds(a, qp, &nqp, "X-Amz-Date", p->amz_date);
    }
    if (rc == ZM_OK) {
        rc = sigv4_qp_adds(a, qp, &nqp, "X-Amz-Expires", expires);
    }
    if (rc == ZM_OK && p->session_token != NULL) {
        /* signed, as the AWS test suite and S3 want it (some services want it added after signing) */
        rc = sigv4_qp_adds(a, qp, &nqp, "X-Amz-Security-Token", p->session_token);
    }
    if (rc == ZM_OK) {
        rc = sigv4_qp_adds(a, qp, &nqp, "X-Amz-SignedHeaders", "host");
    }
    if (rc != ZM_OK) {
        return rc;
    }
    qsort(qp, nqp, sizeof(*qp), sigv4_qp_cmp);
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
        uri = sigv4_path_normalize(a, uri);
        if (uri == NULL) {
            return ZM_ENOMEM;
        }
    }
    /* S3 does not know the body of a presigned request when it is signed (AWS's S3 query auth
     * documentation); every other service signs the hash of the (empty) body */
    payload = strcmp(p->service, "s3") == 0 ? "UNSIGNED-PAYLOAD" : SIGV4_SHA256_EMPTY;
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
    rc = sigv4_hmac((unsigned char *)secret, strlen(secret), date, k1);
    if (rc == ZM_OK) {
        rc = sigv4_hmac(k1, sizeof(k1), p->region, k2);
    }
    if (rc == ZM_OK) {
        rc = sigv4_hmac(k2, sizeof(k2), p->service, k1);
    }
    if (rc == ZM_OK) {
        rc = sigv4_hmac(k1, sizeof(k1), "aws4_request", k2);
    }
    if (rc == ZM_OK) {
        rc = sigv4_hmac(k2, sizeof(k2), sts, k1);
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
