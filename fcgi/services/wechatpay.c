/*
 * wechatpay.c -- the WeChat Pay APIv3 client (wechatpay.h): signing,
 * verification, AEAD_AES_256_GCM, notifications, the API calls and the
 * trade-bill parser.  OpenSSL libcrypto for RSA/AES/SHA1, libsodium for
 * strict base64 and randomness, json-c, libcurl.
 */
#include "wechatpay.h"

#include <ctype.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "str.h"

#define WXP_SCHEME "WECHATPAY2-SHA256-RSA2048"
#define WXP_AEAD "AEAD_AES_256_GCM"
#define WXP_PROBE "WECHATPAY/SIGNTEST/"
#define WXP_MAX_CERTS 16
#define WXP_JSON_DEPTH 16
#define WXP_MAX_RESOURCE_PT 12288 /* a decrypted transaction is < 2 KB */
#define WXP_MAX_CERT_PT 16384
#define WXP_REFRESH_MIN_S 60

typedef struct {
    char serial[72];
    EVP_PKEY *key;
} wxp_pkey_t;

struct wxp_client_s {
    char *base_url, *mchid, *appid, *merchant_serial, *apiv3_key, *notify_url, *pubkey_id;
    int cert_mode;
    long timeout_ms;
    int max_retries, cert_refresh_s;
    EVP_PKEY *merchant;
    EVP_PKEY *pubkey; /* NULL unless a public key is configured */
    wxp_pkey_t certs[WXP_MAX_CERTS];
    int ncerts;
    time_t certs_at, certs_tried_at;
};

const char *wxp_strerror(int rc)
{
    switch (rc) {
    case WXP_EHEADER:
        return "missing or malformed Wechatpay-* header";
    case WXP_ESTALE:
        return "timestamp more than 5 minutes off";
    case WXP_ESERIAL:
        return "unknown Wechatpay-Serial";
    case WXP_EPROBE:
        return "signature probe (WECHATPAY/SIGNTEST/)";
    case WXP_EBASE64:
        return "bad base64";
    case WXP_ESIGNATURE:
        return "signature does not verify";
    case WXP_EJSON:
        return "not a JSON object";
    case WXP_EFIELD:
        return "missing or invalid field";
    case WXP_ETRUNCATED:
        return "ciphertext truncated";
    case WXP_ETAG:
        return "AES-GCM tag mismatch";
    case WXP_EALGORITHM:
        return "unsupported algorithm";
    case WXP_EAPI:
        return "API refused the request";
    case WXP_EHASH:
        return "bill hash mismatch";
    case WXP_ECSV:
        return "malformed trade bill";
    case WXP_EKEY:
        return "unusable key or certificate";
    case WXP_ENOTCONF:
        return "WeChat Pay not configured";
    case WXP_ESTATUS:
        return "unexpected HTTP status";
    case ZM_ETOOBIG:
        return "over the size cap";
    case ZM_EAGAIN:
        return "transient failure";
    case ZM_EINVAL:
        return "invalid argument";
    case ZM_ENOMEM:
        return "out of memory";
    case ZM_OK:
        return "OK";
    default:
        return zm_strerror(rc);
    }
}

static int fail(zm_arena_t *a, char **why, int rc, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(zm_arena_t *a, char **why, int rc, const char *fmt, ...)
{
    va_list ap;

    if (why != NULL) {
        va_start(ap, fmt);
        *why = a != NULL ? zm_pvsprintf(a, fmt, ap) : NULL;
        va_end(ap);
    }
    return rc;
}

/* ---- configuration ---- */

void wxp_conf_from_conf(wxp_conf_t *c)
{
    c->base_url = zm_conf_str("wechatpay.base_url");
    c->mchid = zm_conf_str("wechatpay.mchid");
    c->appid = zm_conf_str("wechatpay.appid");
    c->merchant_serial = zm_conf_str("wechatpay.merchant_serial");
    c->merchant_key = zm_conf_str("wechatpay.merchant_key");
    c->apiv3_key = zm_conf_str("wechatpay.apiv3_key");
    c->mode = zm_conf_str("wechatpay.mode");
    c->platform_public_key = zm_conf_str("wechatpay.platform_public_key");
    c->platform_public_key_id = zm_conf_str("wechatpay.platform_public_key_id");
    c->notify_url = zm_conf_str("wechatpay.notify_url");
    c->timeout_ms = (long)zm_conf_int("wechatpay.timeout_ms");
    c->max_retries = (int)zm_conf_int("wechatpay.max_retries");
    c->cert_refresh_s = (int)zm_conf_int("wechatpay.cert_refresh_s");
}

static int set(const char *s)
{
    return s != NULL && *s != '\0';
}

int wxp_conf_configured(const wxp_conf_t *c)
{
    return set(c->mchid) && set(c->merchant_serial) && set(c->merchant_key) && set(c->apiv3_key);
}

static char *dup_or_empty(const char *s)
{
    return zm_xstrdup(s != NULL ? s : "");
}

static EVP_PKEY *load_pem(const char *path, int private_key)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k;

    if (f == NULL) {
        return NULL;
    }
    k = private_key ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    if (k != NULL && EVP_PKEY_base_id(k) != EVP_PKEY_RSA) {
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}

int wxp_client_new(const wxp_conf_t *conf, wxp_client_t **out, char *why, size_t whylen)
{
    wxp_client_t *c;

    *out = NULL;
    if (!wxp_conf_configured(conf)) {
        snprintf(why, whylen, "wechatpay.mchid, merchant_serial, merchant_key and apiv3_key must all be set");
        return WXP_ENOTCONF;
    }
    if (strlen(conf->apiv3_key) != 32) {
        snprintf(why, whylen, "wechatpay.apiv3_key must be 32 characters");
        return ZM_EINVAL;
    }
    if (!set(conf->base_url)) {
        snprintf(why, whylen, "wechatpay.base_url is empty");
        return ZM_EINVAL;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        zm_oom();
    }
    c->cert_mode = conf->mode != NULL && strcmp(conf->mode, "certificate") == 0;
    c->base_url = dup_or_empty(conf->base_url);
    while (*c->base_url && c->base_url[strlen(c->base_url) - 1] == '/') {
        c->base_url[strlen(c->base_url) - 1] = '\0';
    }
    c->mchid = dup_or_empty(conf->mchid);
    c->appid = dup_or_empty(conf->appid);
    c->merchant_serial = dup_or_empty(conf->merchant_serial);
    c->apiv3_key = dup_or_empty(conf->apiv3_key);
    c->notify_url = dup_or_empty(conf->notify_url);
    c->pubkey_id = dup_or_empty(conf->platform_public_key_id);
    c->timeout_ms = conf->timeout_ms > 0 ? conf->timeout_ms : 5000;
    c->max_retries = conf->max_retries > 0 ? conf->max_retries : 0;
    c->cert_refresh_s = conf->cert_refresh_s > 0 ? conf->cert_refresh_s : 43200;
    c->merchant = load_pem(conf->merchant_key, 1);
    if (c->merchant == NULL) {
        snprintf(why, whylen, "cannot load an RSA private key from wechatpay.merchant_key %s", conf->merchant_key);
        wxp_client_free(c);
        return WXP_EKEY;
    }
    if (set(conf->platform_public_key) || !c->cert_mode) {
        if (!set(conf->platform_public_key) || !set(conf->platform_public_key_id)) {
            snprintf(why, whylen, "public_key mode needs wechatpay.platform_public_key and platform_public_key_id");
            wxp_client_free(c);
            return ZM_EINVAL;
        }
        c->pubkey = load_pem(conf->platform_public_key, 0);
        if (c->pubkey == NULL) {
            snprintf(why, whylen, "cannot load an RSA public key from wechatpay.platform_public_key %s",
                     conf->platform_public_key);
            wxp_client_free(c);
            return WXP_EKEY;
        }
    }
    *out = c;
    return ZM_OK;
}

void wxp_client_free(wxp_client_t *c)
{
    if (c == NULL) {
        return;
    }
    free(c->base_url);
    free(c->mchid);
    free(c->appid);
    free(c->merchant_serial);
    free(c->apiv3_key);
    free(c->notify_url);
    free(c->pubkey_id);
    EVP_PKEY_free(c->merchant);
    EVP_PKEY_free(c->pubkey);
    for (int i = 0; i < c->ncerts; i++) {
        EVP_PKEY_free(c->certs[i].key);
    }
    free(c);
}

int wxp_client_nkeys(const wxp_client_t *c)
{
    return c->ncerts + (c->pubkey != NULL);
}

/* certificate serials: hex, compared without case and without leading zeros (Java drops one) */
static int serial_eq(const char *x, const char *y)
{
    while (*x == '0') {
        x++;
    }
    while (*y == '0') {
        y++;
    }
    return strcasecmp(x, y) == 0;
}

/* a PEM certificate -> its public key and serial (upper-case hex) */
static int cert_parse(const char *pem, size_t len, EVP_PKEY **key, char serial[72])
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIGNUM *bn = NULL;
    char *hex = NULL;
    int rc = WXP_EKEY;

    *key = NULL;
    if (x != NULL && (bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) != NULL &&
        (hex = BN_bn2hex(bn)) != NULL && strlen(hex) < 72) {
        *key = X509_get_pubkey(x);
        if (*key != NULL && EVP_PKEY_base_id(*key) == EVP_PKEY_RSA) {
            snprintf(serial, 72, "%s", hex);
            rc = ZM_OK;
        } else {
            EVP_PKEY_free(*key);
            *key = NULL;
        }
    }
    OPENSSL_free(hex);
    BN_free(bn);
    X509_free(x);
    BIO_free(b);
    return rc;
}

static void certs_put(wxp_client_t *c, const char *serial, EVP_PKEY *key)
{
    for (int i = 0; i < c->ncerts; i++) {
        if (serial_eq(c->certs[i].serial, serial)) {
            EVP_PKEY_free(c->certs[i].key);
            c->certs[i].key = key;
            return;
        }
    }
    if (c->ncerts == WXP_MAX_CERTS) { /* forget the oldest */
        EVP_PKEY_free(c->certs[0].key);
        memmove(c->certs, c->certs + 1, sizeof(c->certs[0]) * (WXP_MAX_CERTS - 1));
        c->ncerts--;
    }
    snprintf(c->certs[c->ncerts].serial, sizeof(c->certs[0].serial), "%s", serial);
    c->certs[c->ncerts++].key = key;
}

int wxp_client_add_certificate(wxp_client_t *c, const char *pem, size_t len)
{
    EVP_PKEY *key;
    char serial[72];
    int rc = cert_parse(pem, len, &key, serial);

    if (rc == ZM_OK) {
        certs_put(c, serial, key);
    }
    return rc;
}

static EVP_PKEY *find_key(const wxp_client_t *c, const wxp_pkey_t *extra, int nextra, const char *serial)
{
    if (c->pubkey != NULL && strcmp(serial, c->pubkey_id) == 0) {
        return c->pubkey;
    }
    for (int i = 0; i < c->ncerts; i++) {
        if (serial_eq(c->certs[i].serial, serial)) {
            return c->certs[i].key;
        }
    }
    for (int i = 0; i < nextra; i++) {
        if (serial_eq(extra[i].serial, serial)) {
            return extra[i].key;
        }
    }
    return NULL;
}

/* ---- signing ---- */

int wxp_sign(const wxp_client_t *c, zm_arena_t *a, const char *msg, size_t len, char **sig_b64)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char sig[1024];
    size_t siglen = sizeof(sig);
    int ok;

    if (ctx == NULL) {
        zm_oom();
    }
    ok = (size_t)EVP_PKEY_size(c->merchant) <= sizeof(sig) &&
         EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, c->merchant) == 1 &&
         EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        return WXP_EKEY;
    }
    *sig_b64 = zm_palloc(a, sodium_base64_ENCODED_LEN(siglen, sodium_base64_VARIANT_ORIGINAL));
    if (*sig_b64 == NULL) {
        return ZM_ENOMEM;
    }
    sodium_bin2base64(*sig_b64, sodium_base64_ENCODED_LEN(siglen, sodium_base64_VARIANT_ORIGINAL), sig, siglen,
                      sodium_base64_VARIANT_ORIGINAL);
    return ZM_OK;
}

static void random_nonce(char out[33])
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    for (int i = 0; i < 32; i++) {
        out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    }
    out[32] = '\0';
}

int wxp_authorization(const wxp_client_t *c, zm_arena_t *a, const char *method, const char *url, const char *body,
                      size_t body_len, time_t ts, const char *nonce, char **header)
{
    char rnd[33];
    zm_buf_t m = {0};
    char *sig, tsbuf[24];
    int rc;

    if (nonce == NULL) {
        random_nonce(rnd);
        nonce = rnd;
    }
    snprintf(tsbuf, sizeof(tsbuf), "%lld", (long long)ts);
    if (zm_buf_puts(a, &m, method) != 0 || zm_buf_puts(a, &m, "\n") != 0 || zm_buf_puts(a, &m, url) != 0 ||
        zm_buf_puts(a, &m, "\n") != 0 || zm_buf_puts(a, &m, tsbuf) != 0 || zm_buf_puts(a, &m, "\n") != 0 ||
        zm_buf_puts(a, &m, nonce) != 0 || zm_buf_puts(a, &m, "\n") != 0 ||
        (body_len > 0 && zm_buf_append(a, &m, body, body_len, 0) != 0) || zm_buf_puts(a, &m, "\n") != 0) {
        return ZM_ENOMEM;
    }
    rc = wxp_sign(c, a, m.data, m.len, &sig);
    if (rc != ZM_OK) {
        return rc;
    }
    *header =
        zm_psprintf(a, WXP_SCHEME " mchid=\"%s\",nonce_str=\"%s\",timestamp=\"%s\",serial_no=\"%s\",signature=\"%s\"",
                    c->mchid, nonce, tsbuf, c->merchant_serial, sig);
    return *header != NULL ? ZM_OK : ZM_ENOMEM;
}

/* ---- verification ---- */

static int verify_with(const wxp_client_t *c, const wxp_pkey_t *extra, int nextra, zm_arena_t *a,
                       const wxp_headers_t *h, const char *body, size_t len, time_t now, char **why)
{
    unsigned char sig[1024];
    size_t siglen = 0;
    long long ts = 0;
    EVP_PKEY *key;
    EVP_MD_CTX *ctx;
    zm_buf_t m = {0};
    int ok;

    if (!set(h->timestamp) || !set(h->nonce) || !set(h->signature) || !set(h->serial)) {
        return fail(a, why, WXP_EHEADER, "missing Wechatpay-%s header",
                    !set(h->timestamp)   ? "Timestamp"
                    : !set(h->nonce)     ? "Nonce"
                    : !set(h->signature) ? "Signature"
                                         : "Serial");
    }
    if (h->signature_type != NULL && strcmp(h->signature_type, WXP_SCHEME) != 0) {
        return fail(a, why, WXP_EALGORITHM, "Wechatpay-Signature-Type is not " WXP_SCHEME);
    }
    if (strlen(h->timestamp) > 12 || strspn(h->timestamp, "0123456789") != strlen(h->timestamp)) {
        return fail(a, why, WXP_EHEADER, "Wechatpay-Timestamp is not a number of seconds");
    }
    if (strlen(h->nonce) > 64 || strlen(h->serial) > 64 || strpbrk(h->nonce, "\r\n") != NULL) {
        return fail(a, why, WXP_EHEADER, "Wechatpay-Nonce or Wechatpay-Serial malformed");
    }
    ts = strtoll(h->timestamp, NULL, 10);
    if (ts - (long long)now > WXP_CLOCK_SKEW || (long long)now - ts > WXP_CLOCK_SKEW) {
        return fail(a, why, WXP_ESTALE, "Wechatpay-Timestamp %lld is %lld s from now", ts, (long long)now - ts);
    }
    key = find_key(c, extra, nextra, h->serial);
    if (key == NULL) {
        return fail(a, why, WXP_ESERIAL, "no platform key for Wechatpay-Serial %.64s", h->serial);
    }
    if (strncmp(h->signature, WXP_PROBE, strlen(WXP_PROBE)) == 0) {
        return fail(a, why, WXP_EPROBE, "signature probe " WXP_PROBE " refused");
    }
    if (strlen(h->signature) > 2048 || sodium_base642bin(sig, sizeof(sig), h->signature, strlen(h->signature), NULL,
                                                         &siglen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
        return fail(a, why, WXP_EBASE64, "Wechatpay-Signature is not base64");
    }
    if (siglen != (size_t)EVP_PKEY_size(key)) {
        return fail(a, why, WXP_ESIGNATURE, "signature of %zu bytes for a %d-byte key", siglen, EVP_PKEY_size(key));
    }
    if (zm_buf_puts(a, &m, h->timestamp) != 0 || zm_buf_puts(a, &m, "\n") != 0 || zm_buf_puts(a, &m, h->nonce) != 0 ||
        zm_buf_puts(a, &m, "\n") != 0 || (len > 0 && zm_buf_append(a, &m, body, len, 0) != 0) ||
        zm_buf_puts(a, &m, "\n") != 0) {
        return ZM_ENOMEM;
    }
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        zm_oom();
    }
    ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
         EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)m.data, m.len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        return fail(a, why, WXP_ESIGNATURE, "Wechatpay-Signature does not verify (serial %.64s)", h->serial);
    }
    return ZM_OK;
}

int wxp_verify(const wxp_client_t *c, zm_arena_t *a, const wxp_headers_t *h, const char *body, size_t len, time_t now,
               char **why)
{
    return verify_with(c, NULL, 0, a, h, body, len, now, why);
}

/* ---- decryption ---- */

int wxp_aead_decrypt(zm_arena_t *a, const char *key, size_t keylen, const char *nonce, const char *aad,
                     const char *ct_b64, size_t max_pt, char **pt, size_t *ptlen)
{
    size_t b64len = strlen(ct_b64), n = 0;
    unsigned char *ct;
    EVP_CIPHER_CTX *ctx;
    int outl = 0, fin = 0, ok;

    if (keylen != 32 && keylen != 16) {
        return WXP_EFIELD;
    }
    if (strlen(nonce) != 12) {
        return WXP_EFIELD;
    }
    if (b64len / 4 * 3 > max_pt + 16 + 3) {
        return ZM_ETOOBIG;
    }
    ct = zm_palloc(a, b64len / 4 * 3 + 4);
    *pt = zm_palloc(a, b64len / 4 * 3 + 4);
    if (ct == NULL || *pt == NULL) {
        return ZM_ENOMEM;
    }
    if (sodium_base642bin(ct, b64len / 4 * 3 + 4, ct_b64, b64len, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) !=
        0) {
        return WXP_EBASE64;
    }
    if (n < 16) {
        return WXP_ETRUNCATED;
    }
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        zm_oom();
    }
    ok = EVP_DecryptInit_ex(ctx, keylen == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm(), NULL, NULL, NULL) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1 &&
         EVP_DecryptInit_ex(ctx, NULL, NULL, (const unsigned char *)key, (const unsigned char *)nonce) == 1 &&
         (*aad == '\0' || EVP_DecryptUpdate(ctx, NULL, &outl, (const unsigned char *)aad, (int)strlen(aad)) == 1) &&
         EVP_DecryptUpdate(ctx, (unsigned char *)*pt, &outl, ct, (int)(n - 16)) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, ct + n - 16) == 1 &&
         EVP_DecryptFinal_ex(ctx, (unsigned char *)*pt + outl, &fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        return WXP_ETAG;
    }
    *ptlen = (size_t)outl + (size_t)fin;
    (*pt)[*ptlen] = '\0';
    return *ptlen > max_pt ? ZM_ETOOBIG : ZM_OK;
}

/* ---- JSON ---- */

static int json_parse(const char *s, size_t len, json_object **out)
{
    json_tokener *tok = json_tokener_new_ex(WXP_JSON_DEPTH);
    json_object *o;
    size_t end;

    *out = NULL;
    if (tok == NULL) {
        zm_oom();
    }
    o = json_tokener_parse_ex(tok, s, (int)len);
    end = json_tokener_get_parse_end(tok);
    if (o == NULL || json_tokener_get_error(tok) != json_tokener_success || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        json_tokener_free(tok);
        return WXP_EJSON;
    }
    json_tokener_free(tok);
    while (end < len && isspace((unsigned char)s[end])) {
        end++;
    }
    if (end != len) {
        json_object_put(o);
        return WXP_EJSON;
    }
    *out = o;
    return ZM_OK;
}

/* a string member: required or "" when absent; no NUL inside, at most max bytes */
static int get_str(zm_arena_t *a, json_object *o, const char *key, size_t max, int required, const char **out,
                   char **why)
{
    json_object *v;
    size_t n;

    *out = "";
    if (o == NULL || !json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
        return required ? fail(a, why, WXP_EFIELD, "%s missing", key) : ZM_OK;
    }
    if (!json_object_is_type(v, json_type_string)) {
        return fail(a, why, WXP_EFIELD, "%s is not a string", key);
    }
    n = (size_t)json_object_get_string_len(v);
    if (n > max || strlen(json_object_get_string(v)) != n) {
        return fail(a, why, WXP_EFIELD, "%s is too long or holds NUL", key);
    }
    if (required && n == 0) {
        return fail(a, why, WXP_EFIELD, "%s is empty", key);
    }
    *out = zm_pstrndup(a, json_object_get_string(v), n);
    return *out != NULL ? ZM_OK : ZM_ENOMEM;
}

static int get_fen(zm_arena_t *a, json_object *o, const char *key, int required, int64_t *out, char **why)
{
    json_object *v;

    *out = -1;
    if (o == NULL || !json_object_object_get_ex(o, key, &v)) {
        return required ? fail(a, why, WXP_EFIELD, "amount.%s missing", key) : ZM_OK;
    }
    if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
        json_object_get_int64(v) > 100000000000LL) {
        return fail(a, why, WXP_EFIELD, "amount.%s is not a whole number of fen", key);
    }
    *out = json_object_get_int64(v);
    return ZM_OK;
}

static int tx_from_json(zm_arena_t *a, json_object *o, wxp_transaction_t *tx, char **why)
{
    json_object *amount = NULL, *payer = NULL;
    int success, rc;

    memset(tx, 0, sizeof(*tx));
    if ((rc = get_str(a, o, "mchid", 32, 1, &tx->mchid, why)) != 0 ||
        (rc = get_str(a, o, "appid", 32, 1, &tx->appid, why)) != 0 ||
        (rc = get_str(a, o, "out_trade_no", 32, 1, &tx->out_trade_no, why)) != 0 ||
        (rc = get_str(a, o, "trade_state", 32, 1, &tx->trade_state, why)) != 0) {
        return rc;
    }
    success = strcmp(tx->trade_state, "SUCCESS") == 0;
    if ((rc = get_str(a, o, "transaction_id", 32, success, &tx->transaction_id, why)) != 0 ||
        (rc = get_str(a, o, "success_time", 64, success, &tx->success_time, why)) != 0 ||
        (rc = get_str(a, o, "trade_type", 32, 0, &tx->trade_type, why)) != 0 ||
        (rc = get_str(a, o, "trade_state_desc", 1024, 0, &tx->trade_state_desc, why)) != 0 ||
        (rc = get_str(a, o, "bank_type", 64, 0, &tx->bank_type, why)) != 0 ||
        (rc = get_str(a, o, "attach", 512, 0, &tx->attach, why)) != 0) {
        return rc;
    }
    tx->payer_openid = "";
    if (json_object_object_get_ex(o, "payer", &payer) && json_object_is_type(payer, json_type_object) &&
        (rc = get_str(a, payer, "openid", 128, 0, &tx->payer_openid, why)) != 0) {
        return rc;
    }
    if (json_object_object_get_ex(o, "amount", &amount) && !json_object_is_type(amount, json_type_object)) {
        return fail(a, why, WXP_EFIELD, "amount is not an object");
    }
    if (success && amount == NULL) {
        return fail(a, why, WXP_EFIELD, "amount missing");
    }
    if ((rc = get_fen(a, amount, "total", success, &tx->amount_total, why)) != 0 ||
        (rc = get_fen(a, amount, "payer_total", 0, &tx->amount_payer_total, why)) != 0 ||
        (rc = get_str(a, amount, "currency", 16, success, &tx->currency, why)) != 0) {
        return rc;
    }
    return ZM_OK;
}

int wxp_parse_transaction(zm_arena_t *a, const char *json, size_t len, wxp_transaction_t *tx, char **why)
{
    json_object *o;
    int rc;

    memset(tx, 0, sizeof(*tx));
    if (len > WXP_MAX_RESPONSE) {
        return fail(a, why, ZM_ETOOBIG, "transaction of %zu bytes", len);
    }
    if (json_parse(json, len, &o) != ZM_OK) {
        return fail(a, why, WXP_EJSON, "transaction is not a JSON object");
    }
    rc = tx_from_json(a, o, tx, why);
    json_object_put(o);
    return rc;
}

/* ---- notifications ---- */

/* the part after the signature: JSON, resource, decryption, transaction */
static int notification_body(const wxp_client_t *c, zm_arena_t *a, const char *body, size_t len, wxp_notification_t *n,
                             char **why)
{
    json_object *o = NULL, *res;
    size_t ptlen = 0;
    char *pt = NULL;
    int rc;

    if (json_parse(body, len, &o) != ZM_OK) {
        return fail(a, why, WXP_EJSON, "notification body is not a JSON object");
    }
    if ((rc = get_str(a, o, "id", 64, 1, &n->id, why)) != 0 ||
        (rc = get_str(a, o, "create_time", 64, 0, &n->create_time, why)) != 0 ||
        (rc = get_str(a, o, "event_type", 64, 1, &n->event_type, why)) != 0 ||
        (rc = get_str(a, o, "resource_type", 64, 0, &n->resource_type, why)) != 0 ||
        (rc = get_str(a, o, "summary", 256, 0, &n->summary, why)) != 0) {
        goto out;
    }
    if (!json_object_object_get_ex(o, "resource", &res) || !json_object_is_type(res, json_type_object)) {
        rc = fail(a, why, WXP_EFIELD, "resource missing");
        goto out;
    }
    if ((rc = get_str(a, res, "algorithm", 32, 1, &n->algorithm, why)) != 0 ||
        (rc = get_str(a, res, "original_type", 64, 0, &n->original_type, why)) != 0 ||
        (rc = get_str(a, res, "associated_data", 64, 0, &n->associated_data, why)) != 0 ||
        (rc = get_str(a, res, "nonce", 64, 1, &n->nonce, why)) != 0 ||
        (rc = get_str(a, res, "ciphertext", WXP_MAX_NOTIFY_BODY, 1, &n->ciphertext, why)) != 0) {
        goto out;
    }
    if (strcmp(n->algorithm, WXP_AEAD) != 0) {
        rc = fail(a, why, WXP_EALGORITHM, "resource.algorithm %.32s is not " WXP_AEAD, n->algorithm);
        goto out;
    }
    rc = wxp_aead_decrypt(a, c->apiv3_key, strlen(c->apiv3_key), n->nonce, n->associated_data, n->ciphertext,
                          WXP_MAX_RESOURCE_PT, &pt, &ptlen);
    if (rc != ZM_OK) {
        rc = fail(a, why, rc, "resource: %s", wxp_strerror(rc));
        goto out;
    }
    n->plaintext = pt;
    if (strcmp(n->original_type, "transaction") == 0 || strncmp(n->event_type, "TRANSACTION.", 12) == 0) {
        rc = wxp_parse_transaction(a, pt, ptlen, &n->tx, why);
        n->has_tx = rc == ZM_OK;
    }
out:
    json_object_put(o);
    return rc;
}

int wxp_parse_notification(const wxp_client_t *c, zm_arena_t *a, const wxp_headers_t *h, const char *body, size_t len,
                           time_t now, wxp_notification_t *n, char **why)
{
    int rc;

    memset(n, 0, sizeof(*n));
    if (len > WXP_MAX_NOTIFY_BODY) {
        return fail(a, why, ZM_ETOOBIG, "notification body of %zu bytes", len);
    }
    if (memchr(body, '\0', len) != NULL) {
        return fail(a, why, WXP_EJSON, "notification body holds NUL");
    }
    rc = wxp_verify(c, a, h, body, len, now, why);
    if (rc != ZM_OK) {
        return rc;
    }
    return notification_body(c, a, body, len, n, why);
}

int wxp_parse_notification_unverified(const wxp_client_t *c, zm_arena_t *a, const char *body, size_t len,
                                      wxp_notification_t *n, char **why)
{
    memset(n, 0, sizeof(*n));
    if (len > WXP_MAX_NOTIFY_BODY) {
        return ZM_ETOOBIG;
    }
    return notification_body(c, a, body, len, n, why);
}

/* ---- HTTP ---- */

int wxp_init(void)
{
    if (sodium_init() < 0) {
        return ZM_ERR;
    }
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? ZM_OK : ZM_ERR;
}

typedef struct {
    zm_arena_t *a;
    zm_buf_t body;
    size_t cap;
    int over;
    wxp_headers_t h;
    const char *content_type;
    FILE *sink;      /* a download: the body goes here (not into body), hashed as it comes */
    EVP_MD_CTX *sha; /* SHA1 of what went to sink */
    uint64_t sunk;   /* bytes written to sink */
} wxp_resp_t;

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
    wxp_resp_t *r = ud;
    int rc;

    if (r->sink != NULL) {
        size_t n = size * nmemb;
        if (r->sunk + n > r->cap) {
            r->over = ZM_ETOOBIG;
            return 0;
        }
        if (EVP_DigestUpdate(r->sha, p, n) != 1 || fwrite(p, 1, n, r->sink) != n) {
            r->over = ZM_ERR;
            return 0;
        }
        r->sunk += n;
        return n;
    }
    rc = zm_buf_append(r->a, &r->body, p, size * nmemb, r->cap);
    if (rc != 0) {
        r->over = rc;
        return 0;
    }
    return size * nmemb;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    static const struct {
        const char *name;
        size_t off;
    } wanted[] = {
        {"wechatpay-timestamp", offsetof(wxp_headers_t, timestamp)},
        {"wechatpay-nonce", offsetof(wxp_headers_t, nonce)},
        {"wechatpay-signature", offsetof(wxp_headers_t, signature)},
        {"wechatpay-serial", offsetof(wxp_headers_t, serial)},
        {"wechatpay-signature-type", offsetof(wxp_headers_t, signature_type)},
        {"request-id", offsetof(wxp_headers_t, request_id)},
    };
    wxp_resp_t *r = ud;
    size_t n = size * nmemb, klen;
    const char *colon = memchr(p, ':', n), *v, *e;

    if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) { /* a new response (100 Continue, a retry): forget the last */
        memset(&r->h, 0, sizeof(r->h));
        r->content_type = NULL;
        return n;
    }
    if (colon == NULL || n > 8192) {
        return n;
    }
    klen = (size_t)(colon - p);
    v = colon + 1;
    e = p + n;
    while (v < e && (*v == ' ' || *v == '\t')) {
        v++;
    }
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ')) {
        e--;
    }
    for (size_t i = 0; i < ZM_ARRAY_LEN(wanted); i++) {
        if (klen == strlen(wanted[i].name) && strncasecmp(p, wanted[i].name, klen) == 0) {
            *(const char **)((char *)&r->h + wanted[i].off) = zm_pstrndup(r->a, v, (size_t)(e - v));
        }
    }
    if (klen == 12 && strncasecmp(p, "content-type", 12) == 0) {
        r->content_type = zm_pstrndup(r->a, v, (size_t)(e - v));
    }
    return n;
}

enum { VERIFY_NONE = 0, VERIFY_YES = 1 };

/*
 * One signed request, retried on connection failures and 5xx; the answer's
 * status, headers and body in r.  url: a path ("/v3/...") on base_url or an
 * absolute URL (the bill's download_url), whose path and query are signed.
 */
static int http_call(wxp_client_t *c, zm_arena_t *a, const char *method, const char *url, const char *body, size_t cap,
                     wxp_resp_t *r, long *status, wxp_api_error_t *err)
{
    const char *path = url, *full;
    CURL *curl = curl_easy_init();
    FILE *sink = r->sink;
    EVP_MD_CTX *sha = r->sha;
    char errbuf[CURL_ERROR_SIZE];
    CURLcode cc = CURLE_OK;
    int attempt;

    *status = 0;
    if (curl == NULL) {
        zm_oom();
    }
    if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) {
        path = strchr(strstr(url, "://") + 3, '/');
        if (path == NULL) {
            curl_easy_cleanup(curl);
            err->message = "download URL without a path";
            return ZM_EINVAL;
        }
        full = url;
    } else {
        full = zm_psprintf(a, "%s%s", c->base_url, url);
    }
    for (attempt = 0; attempt <= c->max_retries; attempt++) {
        struct curl_slist *hl = NULL;
        char *auth = NULL;
        int rc;

        if (attempt > 0) {
            usleep((useconds_t)(200000 * attempt));
        }
        rc = wxp_authorization(c, a, method, path, body, body ? strlen(body) : 0, time(NULL), NULL, &auth);
        if (rc != ZM_OK) {
            curl_easy_cleanup(curl);
            return rc;
        }
        memset(r, 0, sizeof(*r));
        r->a = a;
        r->cap = cap;
        r->sink = sink;
        r->sha = sha;
        if (sink != NULL) { /* a retried download starts over */
            rewind(sink);
            if (ftruncate(fileno(sink), 0) != 0 || EVP_DigestInit_ex(sha, EVP_sha1(), NULL) != 1) {
                curl_easy_cleanup(curl);
                return ZM_ERR;
            }
        }
        hl = curl_slist_append(hl, zm_psprintf(a, "Authorization: %s", auth));
        hl = curl_slist_append(hl, "Accept: application/json");
        if (body != NULL) {
            hl = curl_slist_append(hl, "Content-Type: application/json");
        }
        if (c->pubkey != NULL && !c->cert_mode) {
            hl = curl_slist_append(hl, zm_psprintf(a, "Wechatpay-Serial: %s", c->pubkey_id));
        }
        hl = curl_slist_append(hl, "Expect:");
        curl_easy_reset(curl);
        errbuf[0] = '\0';
        curl_easy_setopt(curl, CURLOPT_URL, full);
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, "zhimai/1 (linux) libcurl");
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
        if (strcmp(method, "POST") == 0) {
            curl_easy_setopt(curl, CURLOPT_POST, 1L);
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body != NULL ? body : "");
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body != NULL ? strlen(body) : 0));
        }
        cc = curl_easy_perform(curl);
        curl_slist_free_all(hl);
        *status = 0;
        if (cc == CURLE_OK) {
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
        }
        if (r->over) {
            curl_easy_cleanup(curl);
            err->status = *status;
            err->message = r->over == ZM_ERR ? "cannot write the download" : "response over its size cap";
            return r->over == ZM_ETOOBIG ? ZM_ETOOBIG : r->over == ZM_ERR ? ZM_ERR : ZM_ENOMEM;
        }
        if (cc == CURLE_OK && *status < 500) {
            break;
        }
        zm_log_warn("wechatpay: %s %s: %s (attempt %d of %d)", method, path,
                    cc != CURLE_OK ? (errbuf[0] ? errbuf : curl_easy_strerror(cc)) : "5xx", attempt + 1,
                    c->max_retries + 1);
    }
    curl_easy_cleanup(curl);
    if (r->body.data == NULL) {
        r->body.data = "";
    }
    err->status = *status;
    err->request_id = r->h.request_id != NULL ? r->h.request_id : "";
    if (cc != CURLE_OK || *status >= 500) {
        err->message = cc != CURLE_OK ? zm_pstrdup(a, errbuf[0] ? errbuf : curl_easy_strerror(cc))
                                      : zm_psprintf(a, "HTTP %ld after %d attempts", *status, c->max_retries + 1);
        return ZM_EAGAIN;
    }
    return ZM_OK;
}

/* a 4xx body {"code":..., "message":...} into err */
static int api_error(zm_arena_t *a, const wxp_resp_t *r, long status, wxp_api_error_t *err)
{
    json_object *o = NULL;
    const char *code = "", *msg = "";

    err->status = status;
    if (json_parse(r->body.data, r->body.len, &o) == ZM_OK) {
        get_str(a, o, "code", 64, 0, &code, NULL);
        get_str(a, o, "message", 512, 0, &msg, NULL);
        json_object_put(o);
    }
    err->code = code;
    err->message = *msg ? msg : zm_psprintf(a, "HTTP %ld", status);
    return WXP_EAPI;
}

static void maybe_refresh(wxp_client_t *c, zm_arena_t *a)
{
    wxp_api_error_t e = {0};
    int added = 0, rc;

    if (!c->cert_mode || time(NULL) - c->certs_at < c->cert_refresh_s ||
        time(NULL) - c->certs_tried_at < WXP_REFRESH_MIN_S) {
        return;
    }
    rc = wxp_refresh_certificates(c, a, &added, &e);
    if (rc != ZM_OK) {
        zm_log_warn("wechatpay: certificate refresh failed: %s (%s)", wxp_strerror(rc), e.message ? e.message : "");
    }
}

int wxp_ensure_serial(wxp_client_t *c, zm_arena_t *a, const char *serial)
{
    wxp_api_error_t e = {0};
    int added;

    if (serial == NULL || find_key(c, NULL, 0, serial) != NULL) {
        return serial != NULL ? ZM_OK : WXP_EHEADER;
    }
    if (!c->cert_mode || time(NULL) - c->certs_tried_at < WXP_REFRESH_MIN_S) {
        return WXP_ESERIAL;
    }
    if (wxp_refresh_certificates(c, a, &added, &e) != ZM_OK) {
        return WXP_ESERIAL;
    }
    return find_key(c, NULL, 0, serial) != NULL ? ZM_OK : WXP_ESERIAL;
}

/* a signed API call: 2xx verified (and in certificate mode an unknown serial refreshes once), 4xx -> WXP_EAPI */
static int api_call(wxp_client_t *c, zm_arena_t *a, const char *method, const char *url, const char *body,
                    wxp_resp_t *r, long *status, wxp_api_error_t *err)
{
    char *why = NULL;
    int rc;

    maybe_refresh(c, a);
    rc = http_call(c, a, method, url, body, WXP_MAX_RESPONSE, r, status, err);
    if (rc != ZM_OK) {
        return rc;
    }
    if (*status >= 400) {
        return api_error(a, r, *status, err);
    }
    if (*status < 200 || *status > 299) {
        err->message = zm_psprintf(a, "unexpected HTTP %ld", *status);
        return WXP_ESTATUS;
    }
    rc = wxp_verify(c, a, &r->h, r->body.data, r->body.len, time(NULL), &why);
    if (rc == WXP_ESERIAL && wxp_ensure_serial(c, a, r->h.serial) == ZM_OK) {
        rc = wxp_verify(c, a, &r->h, r->body.data, r->body.len, time(NULL), &why);
    }
    if (rc != ZM_OK) {
        err->message = why;
        zm_log_warn("wechatpay: %s %s: response refused: %s", method, url, why ? why : wxp_strerror(rc));
    }
    return rc;
}

int wxp_native_order(wxp_client_t *c, zm_arena_t *a, const char *out_trade_no, const char *description,
                     int64_t total_fen, const char *time_expire, char **code_url, wxp_api_error_t *err)
{
    json_object *o, *amount, *ans = NULL;
    const char *url = NULL;
    wxp_resp_t r = {0};
    long status;
    char *body;
    int rc;

    memset(err, 0, sizeof(*err));
    *code_url = NULL;
    if (!zm_str_is_token(out_trade_no, 6, 32) || description == NULL || *description == '\0' ||
        strlen(description) > 381 || total_fen < 1 || total_fen > 100000000000LL) {
        err->message = "out_trade_no, description or amount invalid";
        return ZM_EINVAL;
    }
    for (const unsigned char *p = (const unsigned char *)description; *p; p++) {
        if (*p >= 0xF0) { /* 4-byte UTF-8 (emoji) is refused by the API */
            err->message = "description holds 4-byte characters";
            return ZM_EINVAL;
        }
    }
    o = json_object_new_object();
    amount = json_object_new_object();
    if (o == NULL || amount == NULL) {
        zm_oom();
    }
    json_object_object_add(o, "appid", json_object_new_string(c->appid));
    json_object_object_add(o, "mchid", json_object_new_string(c->mchid));
    json_object_object_add(o, "description", json_object_new_string(description));
    json_object_object_add(o, "out_trade_no", json_object_new_string(out_trade_no));
    if (time_expire != NULL && *time_expire) {
        json_object_object_add(o, "time_expire", json_object_new_string(time_expire));
    }
    json_object_object_add(o, "notify_url", json_object_new_string(c->notify_url));
    json_object_object_add(amount, "total", json_object_new_int64(total_fen));
    json_object_object_add(amount, "currency", json_object_new_string("CNY"));
    json_object_object_add(o, "amount", amount);
    body = zm_pstrdup(a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    if (body == NULL) {
        return ZM_ENOMEM;
    }
    rc = api_call(c, a, "POST", "/v3/pay/transactions/native", body, &r, &status, err);
    if (rc != ZM_OK) {
        return rc;
    }
    if (json_parse(r.body.data, r.body.len, &ans) != ZM_OK) {
        err->message = "answer is not JSON";
        return WXP_EJSON;
    }
    rc = get_str(a, ans, "code_url", 512, 1, &url, NULL);
    json_object_put(ans);
    if (rc != ZM_OK) {
        err->message = "answer without code_url";
        return rc;
    }
    *code_url = (char *)url;
    return ZM_OK;
}

int wxp_query_order(wxp_client_t *c, zm_arena_t *a, const char *out_trade_no, wxp_transaction_t *tx,
                    wxp_api_error_t *err)
{
    wxp_resp_t r = {0};
    long status;
    char *why = NULL;
    int rc;

    memset(err, 0, sizeof(*err));
    memset(tx, 0, sizeof(*tx));
    if (!zm_str_is_token(out_trade_no, 6, 32)) {
        err->message = "out_trade_no invalid";
        return ZM_EINVAL;
    }
    rc = api_call(c, a, "GET", zm_psprintf(a, "/v3/pay/transactions/out-trade-no/%s?mchid=%s", out_trade_no, c->mchid),
                  NULL, &r, &status, err);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = wxp_parse_transaction(a, r.body.data, r.body.len, tx, &why);
    if (rc != ZM_OK) {
        err->message = why;
    }
    return rc;
}

int wxp_close_order(wxp_client_t *c, zm_arena_t *a, const char *out_trade_no, wxp_api_error_t *err)
{
    json_object *o;
    wxp_resp_t r = {0};
    long status;
    char *body;

    memset(err, 0, sizeof(*err));
    if (!zm_str_is_token(out_trade_no, 6, 32)) {
        err->message = "out_trade_no invalid";
        return ZM_EINVAL;
    }
    o = json_object_new_object();
    if (o == NULL) {
        zm_oom();
    }
    json_object_object_add(o, "mchid", json_object_new_string(c->mchid));
    body = zm_pstrdup(a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    if (body == NULL) {
        return ZM_ENOMEM;
    }
    return api_call(c, a, "POST", zm_psprintf(a, "/v3/pay/transactions/out-trade-no/%s/close", out_trade_no), body, &r,
                    &status, err);
}

/* YYYY-MM-DD, alone (strict) or followed by " HH:MM:SS" */
static int valid_date(const char *s)
{
    return s != NULL && strlen(s) >= 10 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
           isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) && s[4] == '-' &&
           isdigit((unsigned char)s[5]) && isdigit((unsigned char)s[6]) && s[7] == '-' &&
           isdigit((unsigned char)s[8]) && isdigit((unsigned char)s[9]) && (s[10] == '\0' || s[10] == ' ');
}

/* GET /v3/bill/tradebill: the SHA1 (hex) and the download URL */
static int bill_locate(wxp_client_t *c, zm_arena_t *a, const char *bill_date, const char **hash, const char **url,
                       wxp_api_error_t *err)
{
    const char *hash_type = "";
    json_object *o = NULL;
    wxp_resp_t r = {0};
    long status;
    int rc;

    *hash = *url = "";
    if (!valid_date(bill_date) || bill_date[10] != '\0') {
        err->message = "bill_date is not YYYY-MM-DD";
        return ZM_EINVAL;
    }
    rc = api_call(c, a, "GET", zm_psprintf(a, "/v3/bill/tradebill?bill_date=%s&bill_type=ALL", bill_date), NULL, &r,
                  &status, err);
    if (rc != ZM_OK) {
        return rc;
    }
    if (json_parse(r.body.data, r.body.len, &o) != ZM_OK) {
        err->message = "answer is not JSON";
        return WXP_EJSON;
    }
    rc = get_str(a, o, "hash_type", 16, 1, &hash_type, NULL);
    if (rc == ZM_OK) {
        rc = get_str(a, o, "hash_value", 64, 1, hash, NULL);
    }
    if (rc == ZM_OK) {
        rc = get_str(a, o, "download_url", 2048, 1, url, NULL);
    }
    json_object_put(o);
    if (rc != ZM_OK || strcmp(hash_type, "SHA1") != 0 ||
        (strncmp(*url, "https://", 8) != 0 && strncmp(*url, "http://", 7) != 0)) {
        err->message = "answer without SHA1 hash_value and download_url";
        return rc != ZM_OK ? rc : WXP_EFIELD;
    }
    return ZM_OK;
}

static int hash_check(zm_arena_t *a, const unsigned char *md, unsigned int mdlen, const char *hash,
                      wxp_api_error_t *err)
{
    char hex[2 * EVP_MAX_MD_SIZE + 1];

    for (unsigned int i = 0; i < mdlen; i++) {
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }
    if (strcasecmp(hex, hash) != 0) {
        err->message = zm_psprintf(a, "SHA1 %s, expected %.64s", hex, hash);
        return WXP_EHASH;
    }
    return ZM_OK;
}

int wxp_trade_bill_download(wxp_client_t *c, zm_arena_t *a, const char *bill_date, FILE *out, uint64_t max_bytes,
                            uint64_t *len, wxp_api_error_t *err)
{
    const char *hash = "", *url = "";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    wxp_resp_t r = {0};
    long status;
    int rc;

    memset(err, 0, sizeof(*err));
    *len = 0;
    if ((rc = bill_locate(c, a, bill_date, &hash, &url, err)) != ZM_OK) {
        return rc;
    }
    r.sink = out;
    r.sha = EVP_MD_CTX_new();
    if (r.sha == NULL) {
        zm_oom();
    }
    rc = http_call(c, a, "GET", url, NULL, max_bytes, &r, &status, err);
    if (rc == ZM_OK && status >= 400) {
        rc = api_error(a, &r, status, err);
    } else if (rc == ZM_OK && status != 200) {
        err->message = zm_psprintf(a, "unexpected HTTP %ld", status);
        rc = WXP_ESTATUS;
    }
    if (rc == ZM_OK && (EVP_DigestFinal_ex(r.sha, md, &mdlen) != 1 || fflush(out) != 0)) {
        rc = ZM_ERR;
    }
    EVP_MD_CTX_free(r.sha);
    if (rc == ZM_OK) {
        rc = hash_check(a, md, mdlen, hash, err);
    }
    if (rc == ZM_OK) {
        *len = r.sunk;
        rewind(out);
    }
    return rc;
}

int wxp_refresh_certificates(wxp_client_t *c, zm_arena_t *a, int *added, wxp_api_error_t *err)
{
    wxp_pkey_t fresh[WXP_MAX_CERTS];
    json_object *o = NULL, *data;
    char *why = NULL;
    int nfresh = 0, rc;
    wxp_resp_t r = {0};
    long status;

    memset(err, 0, sizeof(*err));
    *added = 0;
    c->certs_tried_at = time(NULL);
    rc = http_call(c, a, "GET", "/v3/certificates", NULL, WXP_MAX_RESPONSE, &r, &status, err);
    if (rc != ZM_OK) {
        return rc;
    }
    if (status == 404) { /* merchants since late 2024 have none: public-key mode only */
        c->certs_at = time(NULL);
        return ZM_OK;
    }
    if (status >= 400) {
        return api_error(a, &r, status, err);
    }
    if (status != 200) {
        err->message = zm_psprintf(a, "unexpected HTTP %ld", status);
        return WXP_ESTATUS;
    }
    if (json_parse(r.body.data, r.body.len, &o) != ZM_OK || !json_object_object_get_ex(o, "data", &data) ||
        !json_object_is_type(data, json_type_array)) {
        json_object_put(o);
        err->message = "answer without a data array";
        return WXP_EJSON;
    }
    rc = ZM_OK;
    for (size_t i = 0; rc == ZM_OK && i < json_object_array_length(data) && nfresh < WXP_MAX_CERTS; i++) {
        json_object *item = json_object_array_get_idx(data, i), *enc = NULL;
        const char *serial = "", *alg = "", *nonce = "", *aad = "", *ct = "";
        char *pem = NULL, got[72];
        size_t pemlen = 0;
        EVP_PKEY *key = NULL;

        if (!json_object_is_type(item, json_type_object) ||
            !json_object_object_get_ex(item, "encrypt_certificate", &enc) ||
            (rc = get_str(a, item, "serial_no", 64, 1, &serial, &why)) != 0 ||
            (rc = get_str(a, enc, "algorithm", 32, 1, &alg, &why)) != 0 ||
            (rc = get_str(a, enc, "nonce", 64, 1, &nonce, &why)) != 0 ||
            (rc = get_str(a, enc, "associated_data", 64, 0, &aad, &why)) != 0 ||
            (rc = get_str(a, enc, "ciphertext", 4 * WXP_MAX_CERT_PT, 1, &ct, &why)) != 0) {
            rc = rc != 0 ? rc : WXP_EFIELD;
            break;
        }
        if (strcmp(alg, WXP_AEAD) != 0) {
            rc = WXP_EALGORITHM;
            break;
        }
        rc = wxp_aead_decrypt(a, c->apiv3_key, strlen(c->apiv3_key), nonce, aad, ct, WXP_MAX_CERT_PT, &pem, &pemlen);
        if (rc != ZM_OK) {
            why = zm_psprintf(a, "certificate %.64s: %s", serial, wxp_strerror(rc));
            break;
        }
        rc = cert_parse(pem, pemlen, &key, got);
        if (rc == ZM_OK && !serial_eq(got, serial)) {
            EVP_PKEY_free(key);
            rc = WXP_EKEY;
        }
        if (rc != ZM_OK) {
            why = zm_psprintf(a, "certificate %.64s does not parse or has another serial", serial);
            break;
        }
        snprintf(fresh[nfresh].serial, sizeof(fresh[0].serial), "%s", got);
        fresh[nfresh++].key = key;
    }
    json_object_put(o);
    if (rc == ZM_OK) {
        /* the first download is vouched for by the certificates it brings */
        rc = verify_with(c, fresh, nfresh, a, &r.h, r.body.data, r.body.len, time(NULL), &why);
    }
    if (rc != ZM_OK) {
        for (int i = 0; i < nfresh; i++) {
            EVP_PKEY_free(fresh[i].key);
        }
        err->message = why;
        return rc;
    }
    for (int i = 0; i < nfresh; i++) {
        certs_put(c, fresh[i].serial, fresh[i].key);
    }
    *added = nfresh;
    c->certs_at = time(NULL);
    return ZM_OK;
}

/* ---- trade bill ---- */

static const char bill_header[] =
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金"
    "额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退"
    "款金额,费率备注";
static const char bill_summary_header[] =
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额";

#define BILL_COLS 27
#define SUMMARY_COLS 7

/* "12.34" (yuan, up to maxdec decimals) -> units of 10^-maxdec yuan */
static int yuan(const char *s, int maxdec, int64_t *out)
{
    int64_t v = 0;
    int dec = -1;

    if (*s == '\0') {
        return -1;
    }
    for (; *s; s++) {
        if (*s == '.' && dec < 0) {
            dec = 0;
            continue;
        }
        if (!isdigit((unsigned char)*s) || v > 100000000000000LL || (dec >= 0 && ++dec > maxdec)) {
            return -1;
        }
        v = v * 10 + (*s - '0');
    }
    if (dec == 0) {
        return -1; /* "12." */
    }
    for (dec = dec < 0 ? 0 : dec; dec < maxdec; dec++) {
        v *= 10;
    }
    *out = v;
    return 0;
}

/* a backtick line -> fields (in place): "`a,`b,`" -> {"a","b",""} */
static int split_ticks(char *line, char **f, int max)
{
    int n = 0;
    char *p;

    if (*line != '`') {
        return -1;
    }
    p = line + 1;
    f[n++] = p;
    while ((p = strstr(p, ",`")) != NULL) {
        if (n == max) {
            return -1;
        }
        *p = '\0';
        p += 2;
        f[n++] = p;
    }
    return n;
}

static int bill_row(zm_arena_t *a, char *line, wxp_bill_row_t *row, size_t lineno, char **why)
{
    char *f[BILL_COLS];
    int64_t *money[] = {&row->settlement_fen,      &row->coupon_fen, &row->refund_fen,
                        &row->recharge_refund_fen, &row->order_fen,  &row->refund_request_fen};
    int money_col[] = {12, 13, 16, 17, 24, 25};
    int n = split_ticks(line, f, BILL_COLS);

    if (n != BILL_COLS) {
        return fail(a, why, WXP_ECSV, "line %zu: %d backtick fields, expected %d", lineno, n, BILL_COLS);
    }
    row->trade_time = f[0];
    row->appid = f[1];
    row->mchid = f[2];
    row->sub_mchid = f[3];
    row->device_info = f[4];
    row->transaction_id = f[5];
    row->out_trade_no = f[6];
    row->openid = f[7];
    row->trade_type = f[8];
    row->trade_state = f[9];
    row->bank_type = f[10];
    row->currency = f[11];
    row->refund_id = f[14];
    row->out_refund_no = f[15];
    row->refund_type = f[18];
    row->refund_status = f[19];
    row->body = f[20];
    row->attach = f[21];
    row->rate = f[23];
    row->rate_note = f[26];
    for (size_t i = 0; i < ZM_ARRAY_LEN(money); i++) {
        if (yuan(f[money_col[i]], 2, money[i]) != 0) {
            return fail(a, why, WXP_ECSV, "line %zu: field %d '%.32s' is not an amount", lineno, money_col[i] + 1,
                        f[money_col[i]]);
        }
    }
    if (yuan(f[22], 5, &row->fee_fen_x1000) != 0) {
        return fail(a, why, WXP_ECSV, "line %zu: 手续费 '%.32s' is not an amount", lineno, f[22]);
    }
    if (strlen(row->trade_time) != 19 || !valid_date(row->trade_time) || *row->transaction_id == '\0' ||
        *row->out_trade_no == '\0') {
        return fail(a, why, WXP_ECSV, "line %zu: 交易时间, 微信订单号 or 商户订单号 invalid", lineno);
    }
    return ZM_OK;
}

/* ---- the streaming parser: bytes in, one row at a time out ---- */

enum { BILL_HEADER, BILL_ROWS, BILL_SUMMARY, BILL_DONE, BILL_FAILED };

struct wxp_bill_parser_s {
    wxp_bill_row_fn fn;
    void *ctx;
    uint64_t max_bytes, bytes;
    size_t max_rows, rows, lineno;
    int state;
    int rc; /* the first failure, sticky */
    size_t len;
    char line[WXP_MAX_BILL_LINE + 2];
    wxp_bill_summary_t sum;
    char why[256];
};

static int pfail(wxp_bill_parser_t *p, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int pfail(wxp_bill_parser_t *p, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p->why, sizeof(p->why), fmt, ap);
    va_end(ap);
    p->state = BILL_FAILED;
    p->rc = rc;
    return rc;
}

wxp_bill_parser_t *wxp_bill_parser_new(wxp_bill_row_fn fn, void *ctx, uint64_t max_bytes, size_t max_rows)
{
    wxp_bill_parser_t *p = calloc(1, sizeof(*p));

    if (p == NULL) {
        zm_oom();
    }
    p->fn = fn;
    p->ctx = ctx;
    p->max_bytes = max_bytes ? max_bytes : WXP_MAX_BILL;
    p->max_rows = max_rows ? max_rows : WXP_MAX_BILL_ROWS;
    return p;
}

void wxp_bill_parser_free(wxp_bill_parser_t *p)
{
    free(p);
}

const char *wxp_bill_parser_error(const wxp_bill_parser_t *p)
{
    return p->why;
}

size_t wxp_bill_parser_rows(const wxp_bill_parser_t *p)
{
    return p->rows;
}

static int bill_summary(wxp_bill_parser_t *p, char *line)
{
    char *f[SUMMARY_COLS];
    wxp_bill_summary_t *b = &p->sum;
    int64_t count;
    int n = split_ticks(line, f, SUMMARY_COLS);

    if (n != SUMMARY_COLS) {
        return pfail(p, WXP_ECSV, "summary: %d backtick fields, expected %d", n, SUMMARY_COLS);
    }
    if (yuan(f[0], 2, &count) != 0 || count % 100 != 0 || yuan(f[1], 2, &b->settlement_total_fen) != 0 ||
        yuan(f[2], 2, &b->refund_total_fen) != 0 || yuan(f[3], 2, &b->recharge_refund_total_fen) != 0 ||
        yuan(f[4], 5, &b->fee_total_fen_x1000) != 0 || yuan(f[5], 2, &b->order_total_fen) != 0 ||
        yuan(f[6], 2, &b->refund_request_total_fen) != 0) {
        return pfail(p, WXP_ECSV, "summary: a field is not a number");
    }
    b->total_count = count / 100;
    return ZM_OK;
}

/* one complete line (no CR/LF), NUL-terminated in p->line */
static int bill_line(wxp_bill_parser_t *p)
{
    char *line = p->line;
    wxp_bill_row_t row;
    char *why = NULL;
    int rc;

    p->lineno++;
    if (p->lineno == 1 && p->len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
        line += 3;
    }
    switch (p->state) {
    case BILL_HEADER:
        if (strcmp(line, bill_header) != 0) {
            return pfail(p, WXP_ECSV, "line 1 is not the bill_type=ALL header");
        }
        p->state = BILL_ROWS;
        return ZM_OK;
    case BILL_ROWS:
        if (strcmp(line, bill_summary_header) == 0) {
            p->state = BILL_SUMMARY;
            return ZM_OK;
        }
        if (p->rows >= p->max_rows) {
            return pfail(p, ZM_ETOOBIG, "bill of more than %zu rows", p->max_rows);
        }
        memset(&row, 0, sizeof(row));
        rc = bill_row(NULL, line, &row, p->lineno, &why);
        if (rc != ZM_OK) {
            return pfail(p, rc, "line %zu is not a bill row (27 backtick fields, amounts, time, order numbers)",
                         p->lineno);
        }
        p->rows++;
        rc = p->fn != NULL ? p->fn(p->ctx, &row) : ZM_OK;
        if (rc != ZM_OK) {
            return pfail(p, rc, "line %zu: refused by the caller", p->lineno);
        }
        return ZM_OK;
    case BILL_SUMMARY:
        if (bill_summary(p, line) != ZM_OK) {
            return p->rc;
        }
        p->state = BILL_DONE;
        return ZM_OK;
    case BILL_DONE:
        return *line == '\0' ? ZM_OK : pfail(p, WXP_ECSV, "line %zu after the summary", p->lineno);
    default:
        return p->rc;
    }
}

int wxp_bill_parser_feed(wxp_bill_parser_t *p, const char *data, size_t len)
{
    if (p->state == BILL_FAILED) {
        return p->rc;
    }
    if (p->bytes + len > p->max_bytes) {
        return pfail(p, ZM_ETOOBIG, "bill of more than %llu bytes", (unsigned long long)p->max_bytes);
    }
    p->bytes += len;
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t seg = nl != NULL ? (size_t)(nl - data) : len;

        if (memchr(data, '\0', seg) != NULL) {
            return pfail(p, WXP_ECSV, "bill holds NUL bytes");
        }
        if (p->len + seg > WXP_MAX_BILL_LINE) {
            return pfail(p, WXP_ECSV, "line %zu longer than %d bytes", p->lineno + 1, WXP_MAX_BILL_LINE);
        }
        memcpy(p->line + p->len, data, seg);
        p->len += seg;
        if (nl == NULL) {
            break;
        }
        if (p->len > 0 && p->line[p->len - 1] == '\r') {
            p->len--;
        }
        p->line[p->len] = '\0';
        if (bill_line(p) != ZM_OK) {
            return p->rc;
        }
        p->len = 0;
        data = nl + 1;
        len -= seg + 1;
    }
    return ZM_OK;
}

int wxp_bill_parser_finish(wxp_bill_parser_t *p, wxp_bill_summary_t *sum)
{
    if (p->state != BILL_FAILED && p->len > 0) { /* a last line without its newline */
        if (p->line[p->len - 1] == '\r') {
            p->len--;
        }
        p->line[p->len] = '\0';
        if (bill_line(p) == ZM_OK) {
            p->len = 0;
        }
    }
    if (p->state == BILL_FAILED) {
        return p->rc;
    }
    if (p->state != BILL_DONE) {
        return pfail(p, WXP_ECSV, "bill of %zu lines: header, summary header and summary needed", p->lineno);
    }
    if (sum != NULL) {
        *sum = p->sum;
    }
    return ZM_OK;
}

int wxp_parse_bill_stream(FILE *f, wxp_bill_row_fn fn, void *ctx, uint64_t max_bytes, wxp_bill_summary_t *sum,
                          char *why, size_t whylen)
{
    wxp_bill_parser_t *p = wxp_bill_parser_new(fn, ctx, max_bytes, 0);
    char buf[65536];
    size_t n;
    int rc = ZM_OK;

    while (rc == ZM_OK && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
        rc = wxp_bill_parser_feed(p, buf, n);
    }
    if (rc == ZM_OK && ferror(f)) {
        rc = pfail(p, ZM_ERR, "reading the bill failed");
    }
    if (rc == ZM_OK) {
        rc = wxp_bill_parser_finish(p, sum);
    }
    if (rc != ZM_OK && why != NULL && whylen > 0) {
        snprintf(why, whylen, "%s", p->why);
    }
    wxp_bill_parser_free(p);
    return rc;
}

/* ---- the whole bill in memory (tests, the tool): the streaming parser collecting rows ---- */

typedef struct {
    zm_arena_t *a;
    wxp_bill_t *bill;
    size_t cap;
} collect_t;

static int collect_row(void *ud, const wxp_bill_row_t *row)
{
    collect_t *c = ud;
    wxp_bill_row_t *r;
    if (c->bill->nrows == c->cap) {
        size_t ncap = c->cap ? 2 * c->cap : 64;
        wxp_bill_row_t *nr = zm_palloc(c->a, ncap * sizeof(*nr));
        if (nr == NULL) {
            return ZM_ENOMEM;
        }
        if (c->bill->nrows) {
            memcpy(nr, c->bill->rows, c->bill->nrows * sizeof(*nr));
        }
        c->bill->rows = nr;
        c->cap = ncap;
    }
    r = &c->bill->rows[c->bill->nrows];
    *r = *row;
    {
        const char **fields[] = {&r->trade_time,  &r->appid,          &r->mchid,        &r->sub_mchid,
                                 &r->device_info, &r->transaction_id, &r->out_trade_no, &r->openid,
                                 &r->trade_type,  &r->trade_state,    &r->bank_type,    &r->currency,
                                 &r->refund_id,   &r->out_refund_no,  &r->refund_type,  &r->refund_status,
                                 &r->body,        &r->attach,         &r->rate,         &r->rate_note};
        for (size_t i = 0; i < ZM_ARRAY_LEN(fields); i++) {
            if ((*fields[i] = zm_pstrdup(c->a, *fields[i])) == NULL) {
                return ZM_ENOMEM;
            }
        }
    }
    c->bill->nrows++;
    return ZM_OK;
}

int wxp_parse_bill(zm_arena_t *a, const char *csv, size_t len, wxp_bill_t *bill, char **why)
{
    wxp_bill_parser_t *p;
    wxp_bill_summary_t sum = {0};
    collect_t c = {a, bill, 0};
    int rc;

    memset(bill, 0, sizeof(*bill));
    if (len > WXP_MAX_BILL) {
        return fail(a, why, ZM_ETOOBIG, "bill of %zu bytes", len);
    }
    p = wxp_bill_parser_new(collect_row, &c, WXP_MAX_BILL, WXP_MAX_BILL_ROWS);
    rc = wxp_bill_parser_feed(p, csv, len);
    if (rc == ZM_OK) {
        rc = wxp_bill_parser_finish(p, &sum);
    }
    if (rc != ZM_OK) {
        rc = fail(a, why, rc, "%s", wxp_bill_parser_error(p));
        wxp_bill_parser_free(p);
        bill->nrows = 0;
        return rc;
    }
    wxp_bill_parser_free(p);
    if (bill->rows == NULL) {
        bill->rows = zm_pcalloc(a, sizeof(*bill->rows));
    }
    bill->total_count = sum.total_count;
    bill->settlement_total_fen = sum.settlement_total_fen;
    bill->refund_total_fen = sum.refund_total_fen;
    bill->recharge_refund_total_fen = sum.recharge_refund_total_fen;
    bill->order_total_fen = sum.order_total_fen;
    bill->refund_request_total_fen = sum.refund_request_total_fen;
    bill->fee_total_fen_x1000 = sum.fee_total_fen_x1000;
    return ZM_OK;
}
