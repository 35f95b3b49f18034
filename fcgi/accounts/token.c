#include "token.h"

#include "uuid.h"
#include "zm.h"

#include <json-c/json.h>
#include <jwt.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* libjwt 1.10 takes integer claims as long; exp/iat/user_id are int64. */
_Static_assert(sizeof(long) >= sizeof(int64_t), "libjwt integer grants need a 64-bit long");

static const char *type_name(auth_token_type_t type)
{
    switch (type) {
    case AUTH_TOKEN_ACCESS:
        return "access";
    case AUTH_TOKEN_REFRESH:
        return "refresh";
    }
    return NULL;
}

int auth_token_issue(const char *key, size_t keylen, auth_token_type_t type, int64_t user_id, int64_t now,
                     int64_t lifetime_s, char *out, size_t outlen, char jti_out[33])
{
    return auth_token_issue_gen(key, keylen, type, user_id, AUTH_TOKEN_NO_GEN, now, lifetime_s, out, outlen, jti_out);
}

int auth_token_issue_gen(const char *key, size_t keylen, auth_token_type_t type, int64_t user_id, int64_t gen,
                         int64_t now, int64_t lifetime_s, char *out, size_t outlen, char jti_out[33])
{
    char jti[33]; /* simplejwt's jti is uuid4().hex */
    const char *tname = type_name(type);
    jwt_t *jwt = NULL;
    char *str = NULL;
    size_t len;
    int rc = ZM_ERR;

    /* An empty key would make libjwt's own verifier skip the signature. */
    if (key == NULL || keylen == 0 || keylen > INT_MAX || out == NULL || outlen == 0 || tname == NULL) {
        return ZM_EINVAL;
    }
    out[0] = '\0';
    if (lifetime_s <= 0 || now > INT64_MAX - lifetime_s || (gen < 0 && gen != AUTH_TOKEN_NO_GEN)) {
        return ZM_EINVAL;
    }
    if (sodium_init() < 0) {
        return ZM_ERR;
    }
    zm_uuid4(jti);

    if (jwt_new(&jwt) != 0) {
        return ZM_ENOMEM;
    }
    if (jwt_add_grant(jwt, "token_type", tname) != 0 || jwt_add_grant_int(jwt, "exp", (long)(now + lifetime_s)) != 0 ||
        jwt_add_grant_int(jwt, "iat", (long)now) != 0 || jwt_add_grant(jwt, "jti", jti) != 0 ||
        jwt_add_grant_int(jwt, "user_id", (long)user_id) != 0 ||
        (gen != AUTH_TOKEN_NO_GEN && jwt_add_grant_int(jwt, "gen", (long)gen) != 0) ||
        jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)key, (int)keylen) != 0) {
        goto done;
    }
    str = jwt_encode_str(jwt);
    if (str == NULL) {
        goto done;
    }
    len = strlen(str);
    if (len >= outlen) {
        rc = ZM_ETOOBIG;
        goto done;
    }
    memcpy(out, str, len + 1);
    if (jti_out != NULL) {
        memcpy(jti_out, jti, sizeof(jti));
    }
    rc = ZM_OK;

done:
    free(str); /* libjwt 1.10 has no jwt_free_str(); it allocates with malloc */
    jwt_free(jwt);
    return rc;
}

/* Whole-segment base64url without padding, as RFC 7515 and PyJWT write it;
 * sodium refuses stray characters, '=' and non-zero trailing bits. */
static int b64url_decode(const char *s, size_t len, unsigned char *bin, size_t binmax, size_t *binlen)
{
    return len > 0 &&
           sodium_base642bin(bin, binmax, s, len, NULL, binlen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
}

/* One JSON object spanning exactly len bytes, or NULL: no trailing bytes,
 * comments, trailing commas or invalid UTF-8.  (json-c's strict mode still
 * takes 'single quotes'; libjwt's jansson refuses those in the payload, and
 * only a signed payload reaches here anyway.) */
static struct json_object *parse_object(const unsigned char *s, size_t len)
{
    struct json_tokener *tok;
    struct json_object *obj;

    if (len > INT_MAX) {
        return NULL;
    }
    tok = json_tokener_new();
    if (tok == NULL) {
        return NULL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    obj = json_tokener_parse_ex(tok, (const char *)s, (int)len);
    if (obj != NULL && (json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) != len ||
                        !json_object_is_type(obj, json_type_object))) {
        json_object_put(obj);
        obj = NULL;
    }
    json_tokener_free(tok);
    return obj;
}

/* A string member equal to want. */
static int member_str_is(struct json_object *obj, const char *name, const char *want)
{
    struct json_object *v;

    return json_object_object_get_ex(obj, name, &v) && json_object_is_type(v, json_type_string) &&
           (size_t)json_object_get_string_len(v) == strlen(want) && strcmp(json_object_get_string(v), want) == 0;
}

/* An integer member that fits int64_t (not a float, string or bool). */
static int member_int64(struct json_object *obj, const char *name, int64_t *out)
{
    struct json_object *v;
    int64_t n;

    if (!json_object_object_get_ex(obj, name, &v) || !json_object_is_type(v, json_type_int)) {
        return 0;
    }
    n = json_object_get_int64(v);
    /* json-c keeps 2^63..2^64-1 as uint64 and clamps it to INT64_MAX here. */
    if (n == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX) {
        return 0;
    }
    *out = n;
    return 1;
}

/* The header must say HS256 itself: libjwt would verify whatever it names. */
static int header_ok(const char *seg, size_t len)
{
    unsigned char buf[AUTH_TOKEN_MAX];
    struct json_object *hdr, *typ;
    size_t n;
    int ok;

    if (!b64url_decode(seg, len, buf, sizeof(buf), &n)) {
        return 0;
    }
    hdr = parse_object(buf, n);
    if (hdr == NULL) {
        return 0;
    }
    ok = member_str_is(hdr, "alg", "HS256");
    /* simplejwt (PyJWT) writes typ "JWT"; tolerate its absence, nothing else. */
    if (ok && json_object_object_get_ex(hdr, "typ", &typ)) {
        ok = member_str_is(hdr, "typ", "JWT");
    }
    json_object_put(hdr);
    return ok;
}

/* exp, iat, user_id as integers, jti 32 lowercase hex, a known token_type, gen if any. */
static int claims_parse(const char *seg, size_t len, auth_token_claims_t *c)
{
    unsigned char buf[AUTH_TOKEN_MAX];
    struct json_object *body, *jti;
    const char *s;
    size_t n;
    int ok = 0;

    if (!b64url_decode(seg, len, buf, sizeof(buf), &n)) {
        return 0;
    }
    body = parse_object(buf, n);
    if (body == NULL) {
        return 0;
    }
    if (member_str_is(body, "token_type", "access")) {
        c->type = AUTH_TOKEN_ACCESS;
    } else if (member_str_is(body, "token_type", "refresh")) {
        c->type = AUTH_TOKEN_REFRESH;
    } else {
        goto done;
    }
    if (!member_int64(body, "exp", &c->exp) || !member_int64(body, "iat", &c->iat) ||
        !member_int64(body, "user_id", &c->user_id)) {
        goto done;
    }
    if (!json_object_object_get_ex(body, "jti", &jti) || !json_object_is_type(jti, json_type_string) ||
        json_object_get_string_len(jti) != 32) {
        goto done;
    }
    s = json_object_get_string(jti);
    if (strspn(s, "0123456789abcdef") != 32) {
        goto done;
    }
    /* optional (simplejwt writes none); when there, an integer >= 0 */
    c->gen = AUTH_TOKEN_NO_GEN;
    if (json_object_object_get_ex(body, "gen", NULL) && (!member_int64(body, "gen", &c->gen) || c->gen < 0)) {
        goto done;
    }
    memcpy(c->jti, s, 33);
    ok = 1;

done:
    json_object_put(body);
    return ok;
}

int auth_token_verify(const char *key, size_t keylen, const char *token, auth_token_type_t expect_type, int64_t now,
                      auth_token_claims_t *claims)
{
    unsigned char sig[64];
    auth_token_claims_t c;
    const char *dot1, *dot2;
    size_t len, siglen;
    jwt_t *jwt = NULL;
    int rc;

    /* libjwt treats an empty key as "do not check the signature". */
    if (key == NULL || keylen == 0 || keylen > INT_MAX || token == NULL || type_name(expect_type) == NULL) {
        return AUTH_TOKEN_INVALID;
    }
    len = strnlen(token, AUTH_TOKEN_MAX + 1);
    if (len > AUTH_TOKEN_MAX) {
        return AUTH_TOKEN_INVALID;
    }

    /* header.payload.signature, three non-empty segments. */
    dot1 = memchr(token, '.', len);
    if (dot1 == NULL) {
        return AUTH_TOKEN_INVALID;
    }
    dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token));
    if (dot2 == NULL || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL) {
        return AUTH_TOKEN_INVALID;
    }
    if (!header_ok(token, (size_t)(dot1 - token))) {
        return AUTH_TOKEN_INVALID;
    }
    /* An HS256 signature is 32 bytes; anything else (e.g. the empty one of
     * alg "none") is refused before libjwt sees it. */
    if (!b64url_decode(dot2 + 1, len - (size_t)(dot2 + 1 - token), sig, sizeof(sig), &siglen) || siglen != 32) {
        return AUTH_TOKEN_INVALID;
    }

    rc = jwt_decode(&jwt, token, (const unsigned char *)key, (int)keylen);
    if (rc != 0 || jwt == NULL) {
        if (jwt != NULL) {
            jwt_free(jwt);
        }
        return AUTH_TOKEN_INVALID;
    }
    /* Belt and braces: what libjwt actually checked must be HS256. */
    rc = jwt_get_alg(jwt) == JWT_ALG_HS256;
    jwt_free(jwt);
    if (!rc) {
        return AUTH_TOKEN_INVALID;
    }

    /* Signed by us (or simplejwt): now the claims may be trusted as data. */
    if (!claims_parse(dot1 + 1, (size_t)(dot2 - dot1 - 1), &c)) {
        return AUTH_TOKEN_INVALID;
    }
    /* A refresh token offered as an access token (or the reverse) is a
     * client error, not a reason to refresh: check it before expiry. */
    if (c.type != expect_type) {
        return AUTH_TOKEN_INVALID;
    }
    if (c.exp <= now) {
        return AUTH_TOKEN_EXPIRED;
    }
    if (claims != NULL) {
        *claims = c;
    }
    return ZM_OK;
}
