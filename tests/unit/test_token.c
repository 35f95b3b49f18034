/*
 * test_token.c -- simplejwt-compatible JWTs (fcgi/auth/token.c).
 *
 * Hostile tokens are built here from raw JSON and signed with OpenSSL's HMAC
 * directly, the way PyJWT (under simplejwt) signs: HMAC over
 * base64url(header) "." base64url(payload), no padding.
 */
#include "token.h"
#include "zm.h"
#include "zt.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY "zhimai-test-signing-key-0123456789abcdef"
#define KEYLEN (sizeof(KEY) - 1)
#define NOW 1700000000
#define HDR "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define JTI "5f0e3c2a9b8d4e7f8a1b2c3d4e5f6a7b"

/* Made by Python's json/hmac/base64 exactly as PyJWT 2 lays out simplejwt's
 * access token (sorted header, claims in simplejwt's order, compact JSON). */
#define PY_TOKEN                                                                                                       \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."                                                                            \
    "eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzAwMDAwMzAwLCJpYXQiOjE3MDAwMDAwMDAsImp0aSI6IjVmMGUz"                     \
    "YzJhOWI4ZDRlN2Y4YTFiMmMzZDRlNWY2YTdiIiwidXNlcl9pZCI6NDJ9."                                                        \
    "XxKnQKE-45gXXyA3g3DMlX9ywTnZAbwZdgGaam1L5Is"

static void b64url(const void *bin, size_t len, char *out, size_t outlen)
{
    sodium_bin2base64(out, outlen, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* header.payload.signature with the signature made by md under key;
 * md NULL leaves the signature empty (alg "none"). */
static void make_token(const char *header, const char *payload, const EVP_MD *md, const char *key, char *out,
                       size_t outlen)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    char h[2048], p[8192], s[256] = "";
    size_t hl, pl, n;

    b64url(header, strlen(header), h, sizeof(h));
    b64url(payload, strlen(payload), p, sizeof(p));
    hl = strlen(h);
    pl = strlen(p);
    out[0] = '\0';
    if (hl + 1 + pl + 1 + sizeof(s) > outlen) {
        return;
    }
    memcpy(out, h, hl);
    out[hl] = '.';
    memcpy(out + hl + 1, p, pl);
    n = hl + 1 + pl;
    out[n] = '\0';
    if (md != NULL) {
        HMAC(md, key, (int)strlen(key), (const unsigned char *)out, n, mac, &maclen);
        b64url(mac, maclen, s, sizeof(s));
    }
    out[n++] = '.';
    memcpy(out + n, s, strlen(s) + 1);
}

/* A correctly signed HS256 token carrying this payload. */
static int verify_payload(const char *payload, auth_token_type_t type)
{
    char tok[8192];

    make_token(HDR, payload, EVP_sha256(), KEY, tok, sizeof(tok));
    return auth_token_verify(KEY, KEYLEN, tok, type, NOW, NULL);
}

static void decode_segment(const char *seg, size_t len, char *out, size_t outlen)
{
    size_t n = 0;

    out[0] = '\0';
    if (sodium_base642bin((unsigned char *)out, outlen - 1, seg, len, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0) {
        out[n] = '\0';
    }
}

static void test_round_trip(void)
{
    char tok[AUTH_TOKEN_MAX], jti[33], json[512];
    auth_token_claims_t c;
    const char *dot;

    ZT_CHECK(auth_token_issue(KEY, KEYLEN, AUTH_TOKEN_ACCESS, 42, NOW, 300, tok, sizeof(tok), jti) == ZM_OK);
    ZT_CHECK(strlen(jti) == 32 && strspn(jti, "0123456789abcdef") == 32);

    /* The header libjwt wrote is exactly simplejwt's. */
    dot = strchr(tok, '.');
    ZT_CHECK(dot != NULL);
    if (dot != NULL) {
        decode_segment(tok, (size_t)(dot - tok), json, sizeof(json));
        ZT_STREQ(json, HDR);
    }

    memset(&c, 0, sizeof(c));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, &c) == ZM_OK);
    ZT_CHECK(c.type == AUTH_TOKEN_ACCESS);
    ZT_CHECK(c.user_id == 42);
    ZT_CHECK(c.iat == NOW);
    ZT_CHECK(c.exp == NOW + 300);
    ZT_STREQ(c.jti, jti);

    ZT_CHECK(auth_token_issue(KEY, KEYLEN, AUTH_TOKEN_REFRESH, INT64_C(9007199254740993), NOW, 86400, tok, sizeof(tok),
                              NULL) == ZM_OK);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_REFRESH, NOW + 86399, &c) == ZM_OK);
    ZT_CHECK(c.type == AUTH_TOKEN_REFRESH);
    ZT_CHECK(c.user_id == INT64_C(9007199254740993)); /* past double precision */

    /* Claims are optional; jti differs each time. */
    {
        char tok2[AUTH_TOKEN_MAX], jti2[33];

        ZT_CHECK(auth_token_issue(KEY, KEYLEN, AUTH_TOKEN_ACCESS, 42, NOW, 300, tok2, sizeof(tok2), jti2) == ZM_OK);
        ZT_CHECK(strcmp(jti, jti2) != 0);
        ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok2, AUTH_TOKEN_ACCESS, NOW, NULL) == ZM_OK);
    }
}

static void test_simplejwt_token(void)
{
    char tok[1024];
    auth_token_claims_t c;

    memset(&c, 0, sizeof(c));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, PY_TOKEN, AUTH_TOKEN_ACCESS, NOW + 100, &c) == ZM_OK);
    ZT_CHECK(c.user_id == 42 && c.exp == NOW + 300 && c.iat == NOW);
    ZT_STREQ(c.jti, JTI);

    /* The same layout signed here with OpenSSL's HMAC gives the same token. */
    make_token(HDR,
               "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":42}",
               EVP_sha256(), KEY, tok, sizeof(tok));
    ZT_STREQ(tok, PY_TOKEN);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW + 100, NULL) == ZM_OK);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW + 300, NULL) == AUTH_TOKEN_EXPIRED);
}

static void test_tampered_payload(void)
{
    char tok[AUTH_TOKEN_MAX], forged[AUTH_TOKEN_MAX], json[512], *hit, p64[1024];
    const char *dot1, *dot2;

    ZT_CHECK(auth_token_issue(KEY, KEYLEN, AUTH_TOKEN_ACCESS, 42, NOW, 300, tok, sizeof(tok), NULL) == ZM_OK);
    dot1 = strchr(tok, '.');
    dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    ZT_CHECK(dot2 != NULL);
    if (dot2 == NULL) {
        return;
    }
    decode_segment(dot1 + 1, (size_t)(dot2 - dot1 - 1), json, sizeof(json));
    hit = strstr(json, "\"user_id\":42");
    ZT_CHECK(hit != NULL);
    if (hit == NULL) {
        return;
    }
    hit[strlen("\"user_id\":4")] = '3';
    b64url(json, strlen(json), p64, sizeof(p64));
    snprintf(forged, sizeof(forged), "%.*s.%s%s", (int)(dot1 - tok), tok, p64, dot2);
    ZT_CHECK(strcmp(forged, tok) != 0);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, forged, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);

    /* A flipped bit in the signature. */
    snprintf(forged, sizeof(forged), "%s", tok);
    forged[strlen(forged) - 2] = forged[strlen(forged) - 2] == 'A' ? 'B' : 'A';
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, forged, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
}

static void test_wrong_alg(void)
{
    const char *payload = "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,"
                          "\"jti\":\"" JTI "\",\"user_id\":42}";
    char tok[2048], good[2048];

    /* alg none, empty signature (libjwt itself accepts these without a key). */
    make_token("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, NULL, KEY, tok, sizeof(tok));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    make_token("{\"alg\":\"none\"}", payload, NULL, KEY, tok, sizeof(tok));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    /* alg none keeping a genuine HS256 signature. */
    make_token(HDR, payload, EVP_sha256(), KEY, good, sizeof(good));
    make_token("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, NULL, KEY, tok, sizeof(tok));
    snprintf(tok + strlen(tok), sizeof(tok) - strlen(tok), "%s", strrchr(good, '.') + 1);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);

    /* HS512/HS384 genuinely signed with our key: libjwt alone would accept. */
    make_token("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", payload, EVP_sha512(), KEY, tok, sizeof(tok));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    make_token("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", payload, EVP_sha384(), KEY, tok, sizeof(tok));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    /* RS256 header with an HMAC signature (key confusion). */
    make_token("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload, EVP_sha256(), KEY, tok, sizeof(tok));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);

    /* Header spellings that are not exactly HS256 / JWT. */
    make_token("{\"alg\":\"hs256\",\"typ\":\"JWT\"}", payload, EVP_sha256(), KEY, tok, sizeof(tok));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    make_token("{\"alg\":\"HS256\",\"typ\":\"JWE\"}", payload, EVP_sha256(), KEY, tok, sizeof(tok));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    make_token("{\"typ\":\"JWT\"}", payload, EVP_sha256(), KEY, tok, sizeof(tok));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    make_token("{\"alg\":[\"HS256\"]}", payload, EVP_sha256(), KEY, tok, sizeof(tok));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    make_token("[\"HS256\"]", payload, EVP_sha256(), KEY, tok, sizeof(tok));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    /* Without typ is how some JWT libraries write it: fine. */
    make_token("{\"alg\":\"HS256\"}", payload, EVP_sha256(), KEY, tok, sizeof(tok));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == ZM_OK);
}

static void test_expiry_type_key(void)
{
    char tok[AUTH_TOKEN_MAX], rtok[AUTH_TOKEN_MAX];
    auth_token_claims_t c;

    ZT_CHECK(auth_token_issue(KEY, KEYLEN, AUTH_TOKEN_ACCESS, 7, NOW, 300, tok, sizeof(tok), NULL) == ZM_OK);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW + 299, NULL) == ZM_OK);
    /* exp <= now is expired, as in PyJWT with no leeway. */
    c.user_id = -1;
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW + 300, &c) == AUTH_TOKEN_EXPIRED);
    ZT_CHECK(c.user_id == -1);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW + 100000, NULL) == AUTH_TOKEN_EXPIRED);

    ZT_CHECK(auth_token_issue(KEY, KEYLEN, AUTH_TOKEN_REFRESH, 7, NOW, 300, rtok, sizeof(rtok), NULL) == ZM_OK);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, rtok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_REFRESH, NOW, NULL) == AUTH_TOKEN_INVALID);
    /* Wrong type wins over expired: the client must not be told to refresh. */
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, rtok, AUTH_TOKEN_ACCESS, NOW + 300, NULL) == AUTH_TOKEN_INVALID);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, (auth_token_type_t)7, NOW, NULL) == AUTH_TOKEN_INVALID);

    /* Other key, key prefix, empty key; an expired token under a wrong key
     * is invalid, not expired. */
    ZT_CHECK(auth_token_verify("other-key", 9, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN - 1, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    ZT_CHECK(auth_token_verify(KEY, 0, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    ZT_CHECK(auth_token_verify(NULL, 0, tok, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    ZT_CHECK(auth_token_verify("other-key", 9, tok, AUTH_TOKEN_ACCESS, NOW + 300, NULL) == AUTH_TOKEN_INVALID);
}

static void test_claims(void)
{
    static const char *bad[] = {
        /* Missing claims. */
        "{\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":42}",
        "{\"token_type\":\"access\",\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":42}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"jti\":\"" JTI "\",\"user_id\":42}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"user_id\":42}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\"}",
        /* Ill-typed claims. */
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":\"42\"}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":42.0}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":true}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":null}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI
        "\",\"user_id\":18446744073709551615}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI
        "\",\"user_id\":99999999999999999999999}",
        "{\"token_type\":\"access\",\"exp\":\"1700000300\",\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":42}",
        "{\"token_type\":\"access\",\"exp\":1.7e9,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":42}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":[1700000000],\"jti\":\"" JTI "\",\"user_id\":42}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":42,\"user_id\":42}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,"
        "\"jti\":\"5F0E3C2A9B8D4E7F8A1B2C3D4E5F6A7B\",\"user_id\":42}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,"
        "\"jti\":\"5f0e3c2a9b8d4e7f8a1b2c3d4e5f6a7\",\"user_id\":42}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,"
        "\"jti\":\"5f0e3c2a-9b8d-4e7f-8a1b-2c3d4e5f6a7b\",\"user_id\":42}",
        "{\"token_type\":\"sliding\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":42}",
        "{\"token_type\":\"Access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":42}",
        "{\"token_type\":1,\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":42}",
        /* Not one strict JSON object. */
        "[\"access\"]",
        "\"access\"",
        "",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":42}x",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":42,}",
        "{'token_type':'access','exp':1700000300,'iat':1700000000,'jti':'" JTI "','user_id':42}",
        "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":42} /* */",
    };
    const char *ok = "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,"
                     "\"jti\":\"" JTI "\",\"user_id\":42}";

    ZT_CHECK(verify_payload(ok, AUTH_TOKEN_ACCESS) == ZM_OK);
    for (size_t i = 0; i < ZM_ARRAY_LEN(bad); i++) {
        int rc = verify_payload(bad[i], AUTH_TOKEN_ACCESS);

        ZT_CHECK(rc == AUTH_TOKEN_INVALID);
        if (rc != AUTH_TOKEN_INVALID) {
            fprintf(stderr, "  payload accepted (%d): %s\n", rc, bad[i]);
        }
    }
    /* Extra claims (simplejwt may add e.g. "username" via a custom token
     * class) and negative or large user ids are data, not errors. */
    ZT_CHECK(verify_payload("{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,"
                            "\"jti\":\"" JTI "\",\"user_id\":-5,\"username\":\"li\"}",
                            AUTH_TOKEN_ACCESS) == ZM_OK);
    ZT_CHECK(verify_payload("{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,"
                            "\"jti\":\"" JTI "\",\"user_id\":9223372036854775807}",
                            AUTH_TOKEN_ACCESS) == ZM_OK);
}

static void test_malformed(void)
{
    char tok[AUTH_TOKEN_MAX], bad[2 * AUTH_TOKEN_MAX];
    size_t len;

    ZT_CHECK(auth_token_issue(KEY, KEYLEN, AUTH_TOKEN_ACCESS, 42, NOW, 300, tok, sizeof(tok), NULL) == ZM_OK);
    len = strlen(tok);

    ZT_CHECK(auth_token_verify(KEY, KEYLEN, "", AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, NULL, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, "..", AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, "a.b", AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);

    /* Extra segment, padding, whitespace, the standard alphabet. */
    snprintf(bad, sizeof(bad), "%s.", tok);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, bad, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    snprintf(bad, sizeof(bad), "%s=", tok);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, bad, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    snprintf(bad, sizeof(bad), " %s", tok);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, bad, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    snprintf(bad, sizeof(bad), "%s\n", tok);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, bad, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    /* PY_TOKEN's signature has a '-', which standard base64 spells '+'. */
    snprintf(bad, sizeof(bad), "%s", PY_TOKEN);
    ZT_CHECK(strchr(bad, '-') != NULL);
    for (char *c = bad; *c; c++) {
        if (*c == '-') {
            *c = '+';
        }
    }
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, bad, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    /* Signature truncated by one character / extended by one. */
    snprintf(bad, sizeof(bad), "%.*s", (int)(len - 1), tok);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, bad, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
    snprintf(bad, sizeof(bad), "%sA", tok);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, bad, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);

    /* Over 4096 bytes: refused before any parsing, even if well signed. */
    {
        char payload[AUTH_TOKEN_MAX];
        int n = snprintf(payload, sizeof(payload),
                         "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,"
                         "\"jti\":\"" JTI "\",\"user_id\":42,\"pad\":\"");

        memset(payload + n, 'x', 3000);
        snprintf(payload + n + 3000, sizeof(payload) - (size_t)n - 3000, "\"}");
        make_token(HDR, payload, EVP_sha256(), KEY, bad, sizeof(bad));
        ZT_CHECK(strlen(bad) > AUTH_TOKEN_MAX);
        ZT_CHECK(auth_token_verify(KEY, KEYLEN, bad, AUTH_TOKEN_ACCESS, NOW, NULL) == AUTH_TOKEN_INVALID);
        /* ...while a padded token under the cap is fine. */
        snprintf(payload + n + 2000, sizeof(payload) - (size_t)n - 2000, "\"}");
        make_token(HDR, payload, EVP_sha256(), KEY, bad, sizeof(bad));
        ZT_CHECK(strlen(bad) <= AUTH_TOKEN_MAX);
        ZT_CHECK(auth_token_verify(KEY, KEYLEN, bad, AUTH_TOKEN_ACCESS, NOW, NULL) == ZM_OK);
    }

    /* Not base64url JSON at all. */
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, "eyJhbGciOiJIUzI1NiJ9.!!!!.AAAA", AUTH_TOKEN_ACCESS, NOW, NULL) ==
             AUTH_TOKEN_INVALID);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, "bm90IGpzb24.e30.AAAA", AUTH_TOKEN_ACCESS, NOW, NULL) ==
             AUTH_TOKEN_INVALID);
}

static void test_issue_errors(void)
{
    char tok[AUTH_TOKEN_MAX], jti[33] = "unchanged";

    ZT_CHECK(auth_token_issue(KEY, KEYLEN, AUTH_TOKEN_ACCESS, 42, NOW, 300, tok, 64, jti) == ZM_ETOOBIG);
    ZT_CHECK(tok[0] == '\0');
    ZT_STREQ(jti, "unchanged");
    ZT_CHECK(auth_token_issue(KEY, 0, AUTH_TOKEN_ACCESS, 42, NOW, 300, tok, sizeof(tok), NULL) == ZM_EINVAL);
    ZT_CHECK(auth_token_issue(NULL, 4, AUTH_TOKEN_ACCESS, 42, NOW, 300, tok, sizeof(tok), NULL) == ZM_EINVAL);
    ZT_CHECK(auth_token_issue(KEY, KEYLEN, AUTH_TOKEN_ACCESS, 42, NOW, 0, tok, sizeof(tok), NULL) == ZM_EINVAL);
    ZT_CHECK(auth_token_issue(KEY, KEYLEN, AUTH_TOKEN_ACCESS, 42, INT64_MAX - 10, 300, tok, sizeof(tok), NULL) ==
             ZM_EINVAL);
    ZT_CHECK(auth_token_issue(KEY, KEYLEN, (auth_token_type_t)9, 42, NOW, 300, tok, sizeof(tok), NULL) == ZM_EINVAL);
    ZT_CHECK(auth_token_issue(KEY, KEYLEN, AUTH_TOKEN_ACCESS, 42, NOW, 300, NULL, 0, NULL) == ZM_EINVAL);
}

/* The token generation ("gen"): written when asked, read back, absent from simplejwt's tokens, and
 * refused when it is anything but an integer >= 0. */
static void test_generation(void)
{
    char tok[AUTH_TOKEN_MAX], json[1024];
    auth_token_claims_t c;
    const char *dot1, *dot2;

    ZT_CHECK(auth_token_issue_gen(KEY, KEYLEN, AUTH_TOKEN_ACCESS, 42, 7, NOW, 300, tok, sizeof(tok), NULL) == ZM_OK);
    memset(&c, 0, sizeof(c));
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, &c) == ZM_OK);
    ZT_CHECK(c.gen == 7 && c.user_id == 42);
    /* an integer claim beside simplejwt's own, which simplejwt ignores */
    dot1 = strchr(tok, '.');
    dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    ZT_CHECK(dot2 != NULL);
    if (dot2 != NULL) {
        decode_segment(dot1 + 1, (size_t)(dot2 - dot1 - 1), json, sizeof(json));
        ZT_CHECK(strstr(json, "\"gen\":7") != NULL);
    }
    ZT_CHECK(auth_token_issue_gen(KEY, KEYLEN, AUTH_TOKEN_REFRESH, 42, 0, NOW, 300, tok, sizeof(tok), NULL) == ZM_OK);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_REFRESH, NOW, &c) == ZM_OK && c.gen == 0);

    /* without the claim (simplejwt's tokens, auth_token_issue's) */
    ZT_CHECK(auth_token_issue(KEY, KEYLEN, AUTH_TOKEN_ACCESS, 42, NOW, 300, tok, sizeof(tok), NULL) == ZM_OK);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, tok, AUTH_TOKEN_ACCESS, NOW, &c) == ZM_OK);
    ZT_CHECK(c.gen == AUTH_TOKEN_NO_GEN);
    ZT_CHECK(auth_token_verify(KEY, KEYLEN, PY_TOKEN, AUTH_TOKEN_ACCESS, NOW + 100, &c) == ZM_OK);
    ZT_CHECK(c.gen == AUTH_TOKEN_NO_GEN);

    /* signed, but an ill-typed or negative gen */
#define GEN_PAYLOAD(g)                                                                                                 \
    "{\"token_type\":\"access\",\"exp\":1700000300,\"iat\":1700000000,\"jti\":\"" JTI "\",\"user_id\":42,\"gen\":" g "}"
    ZT_CHECK(verify_payload(GEN_PAYLOAD("3"), AUTH_TOKEN_ACCESS) == ZM_OK);
    ZT_CHECK(verify_payload(GEN_PAYLOAD("-1"), AUTH_TOKEN_ACCESS) == AUTH_TOKEN_INVALID);
    ZT_CHECK(verify_payload(GEN_PAYLOAD("\"3\""), AUTH_TOKEN_ACCESS) == AUTH_TOKEN_INVALID);
    ZT_CHECK(verify_payload(GEN_PAYLOAD("3.5"), AUTH_TOKEN_ACCESS) == AUTH_TOKEN_INVALID);
    ZT_CHECK(verify_payload(GEN_PAYLOAD("null"), AUTH_TOKEN_ACCESS) == AUTH_TOKEN_INVALID);
    ZT_CHECK(verify_payload(GEN_PAYLOAD("true"), AUTH_TOKEN_ACCESS) == AUTH_TOKEN_INVALID);
    ZT_CHECK(verify_payload(GEN_PAYLOAD("18446744073709551615"), AUTH_TOKEN_ACCESS) == AUTH_TOKEN_INVALID);
#undef GEN_PAYLOAD

    /* a negative generation is no generation */
    ZT_CHECK(auth_token_issue_gen(KEY, KEYLEN, AUTH_TOKEN_ACCESS, 42, -2, NOW, 300, tok, sizeof(tok), NULL) ==
             ZM_EINVAL);
}

int main(void)
{
    ZT_RUN(test_round_trip);
    ZT_RUN(test_simplejwt_token);
    ZT_RUN(test_tampered_payload);
    ZT_RUN(test_wrong_alg);
    ZT_RUN(test_expiry_type_key);
    ZT_RUN(test_claims);
    ZT_RUN(test_malformed);
    ZT_RUN(test_issue_errors);
    ZT_RUN(test_generation);
    return zt_done();
}
