#include "password.h"

#include "zm.h"

#include <argon2.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Longest stored hash we look at; Django's column is 128, so this is slack
 * for foreign hashes while still bounding the copy below. */
#define ENCODED_MAX 1024

/* argon2-cffi's default hash length, which Django 3.2+ inherits. */
#define ARGON2_HASH_LEN 16

/* Bounds on decoded salt and hash in a stored argon2 hash. */
#define ARGON2_SALT_MIN 8
#define ARGON2_SALT_MAX 64
#define ARGON2_OUT_MIN 4
#define ARGON2_OUT_MAX 64

/* Django's salt: 22 characters of [a-zA-Z0-9] = 131 bits.  Using the same
 * shape (rather than 16 raw bytes) keeps Django's must_update_salt(), which
 * counts characters of the decoded salt, from rehashing our hashes. */
#define SALT_CHARS 22

#define PBKDF2_SALT_MAX 256

/* Most '$'-separated fields any supported encoding has. */
#define FIELDS_MAX 6

static struct {
    unsigned t;
    unsigned m_kib;
    unsigned p;
} params = {AUTH_PASSWORD_DEFAULT_T, AUTH_PASSWORD_DEFAULT_M_KIB, AUTH_PASSWORD_DEFAULT_P};

/* The same limits bind stored hashes and our own parameters, so that we never
 * write a hash we would refuse to verify. */
static int argon2_costs_ok(unsigned long t, unsigned long m_kib, unsigned long p)
{
    if (t < 1 || t > AUTH_PASSWORD_MAX_T) {
        return 0;
    }
    if (p < 1 || p > AUTH_PASSWORD_MAX_P) {
        return 0;
    }
    if (m_kib < 8 * p || m_kib > AUTH_PASSWORD_MAX_M_KIB) {
        return 0;
    }
    /* Each cap alone still allows 1 GiB x 100 passes (minutes); bound the
     * product, which is what the time is proportional to. */
    if ((unsigned long long)m_kib * t > AUTH_PASSWORD_MAX_WORK_KIB) {
        return 0;
    }
    return 1;
}

int auth_password_set_params(unsigned t_cost, unsigned m_cost_kib, unsigned parallelism)
{
    if (!argon2_costs_ok(t_cost, m_cost_kib, parallelism)) {
        return ZM_EINVAL;
    }
    params.t = t_cost;
    params.m_kib = m_cost_kib;
    params.p = parallelism;
    return ZM_OK;
}

int auth_password_hash(const char *password, char *out, size_t outlen)
{
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char salt[SALT_CHARS];
    unsigned char hash[ARGON2_HASH_LEN];
    char salt_b64[sodium_base64_ENCODED_LEN(SALT_CHARS, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
    char hash_b64[sodium_base64_ENCODED_LEN(ARGON2_HASH_LEN, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
    size_t pwlen;
    int rc, n;

    if (password == NULL || out == NULL || outlen == 0) {
        return ZM_EINVAL;
    }
    out[0] = '\0';
    pwlen = strnlen(password, AUTH_PASSWORD_MAX + 1);
    if (pwlen > AUTH_PASSWORD_MAX) {
        return ZM_ETOOBIG;
    }
    if (sodium_init() < 0) {
        return ZM_ERR;
    }
    for (size_t i = 0; i < sizeof(salt); i++) {
        salt[i] = (unsigned char)alnum[randombytes_uniform(sizeof(alnum) - 1)];
    }

    rc = argon2_hash(params.t, params.m_kib, params.p, password, pwlen, salt, sizeof(salt), hash, sizeof(hash), NULL, 0,
                     Argon2_id, ARGON2_VERSION_13);
    if (rc != ARGON2_OK) {
        return rc == ARGON2_MEMORY_ALLOCATION_ERROR ? ZM_ENOMEM : ZM_ERR;
    }
    sodium_bin2base64(salt_b64, sizeof(salt_b64), salt, sizeof(salt), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    sodium_bin2base64(hash_b64, sizeof(hash_b64), hash, sizeof(hash), sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    sodium_memzero(hash, sizeof(hash));

    n = snprintf(out, outlen, "argon2$argon2id$v=%d$m=%u,t=%u,p=%u$%s$%s", ARGON2_VERSION_13, params.m_kib, params.t,
                 params.p, salt_b64, hash_b64);
    if (n < 0 || (size_t)n >= outlen) {
        out[0] = '\0';
        return ZM_ETOOBIG;
    }
    return ZM_OK;
}

/* Decimal digits only (no sign, space or empty string), 1..max. */
static int parse_count(const char *s, size_t len, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;

    if (len == 0) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
        v = v * 10 + (unsigned long)(s[i] - '0');
        if (v > max) { /* checked each digit, so v * 10 cannot wrap */
            return 0;
        }
    }
    if (v == 0) {
        return 0;
    }
    *out = v;
    return 1;
}

/* "<key>=<count>" followed by `end` (',' or '\0') at the cursor *s. */
static int parse_kv(const char **s, char key, char end, unsigned long max, unsigned long *out)
{
    const char *p = *s;
    const char *stop;

    if (p[0] != key || p[1] != '=') {
        return 0;
    }
    p += 2;
    stop = strchr(p, end);
    if (stop == NULL) {
        return 0;
    }
    if (!parse_count(p, (size_t)(stop - p), max, out)) {
        return 0;
    }
    *s = end == '\0' ? stop : stop + 1;
    return 1;
}

/* Whole-field base64 decode; refuses anything sodium does not consume
 * entirely (bad characters, wrong padding, stray bits). */
static int b64_decode(const char *b64, unsigned char *bin, size_t binmax, size_t *binlen, int variant)
{
    return sodium_base642bin(bin, binmax, b64, strlen(b64), NULL, binlen, NULL, variant) == 0;
}

/* fields: "argon2", type, ["v=N",] "m=..,t=..,p=..", salt, hash. */
static int verify_argon2(const char *password, size_t pwlen, char **f, int nf, int *current)
{
    unsigned char salt[ARGON2_SALT_MAX], want[ARGON2_OUT_MAX], got[ARGON2_OUT_MAX];
    size_t saltlen, wantlen;
    unsigned long version = ARGON2_VERSION_10, m, t, p;
    argon2_type type;
    const char *cur;
    int i = 2, ok, rc;

    if (strcmp(f[1], "argon2id") == 0) {
        type = Argon2_id;
    } else if (strcmp(f[1], "argon2i") == 0) {
        type = Argon2_i;
    } else if (strcmp(f[1], "argon2d") == 0) {
        type = Argon2_d;
    } else {
        return 0;
    }
    /* Hashes from argon2-cffi before 16.0 carry no version: that is 1.0. */
    if (nf == 6) {
        if (strncmp(f[i], "v=", 2) != 0 || !parse_count(f[i] + 2, strlen(f[i] + 2), 0xff, &version)) {
            return 0;
        }
        if (version != ARGON2_VERSION_10 && version != ARGON2_VERSION_13) {
            return 0;
        }
        i++;
    } else if (nf != 5) {
        return 0;
    }
    cur = f[i++];
    if (!parse_kv(&cur, 'm', ',', AUTH_PASSWORD_MAX_M_KIB, &m) || !parse_kv(&cur, 't', ',', AUTH_PASSWORD_MAX_T, &t) ||
        !parse_kv(&cur, 'p', '\0', AUTH_PASSWORD_MAX_P, &p) || *cur != '\0') {
        return 0;
    }
    if (!argon2_costs_ok(t, m, p)) {
        return 0;
    }
    if (!b64_decode(f[i], salt, sizeof(salt), &saltlen, sodium_base64_VARIANT_ORIGINAL_NO_PADDING) ||
        saltlen < ARGON2_SALT_MIN) {
        return 0;
    }
    if (!b64_decode(f[i + 1], want, sizeof(want), &wantlen, sodium_base64_VARIANT_ORIGINAL_NO_PADDING) ||
        wantlen < ARGON2_OUT_MIN) {
        return 0;
    }

    rc = argon2_hash((uint32_t)t, (uint32_t)m, (uint32_t)p, password, pwlen, salt, saltlen, got, wantlen, NULL, 0, type,
                     (uint32_t)version);
    ok = rc == ARGON2_OK && sodium_memcmp(got, want, wantlen) == 0;
    sodium_memzero(got, sizeof(got));

    *current = type == Argon2_id && version == ARGON2_VERSION_13 && t == params.t && m == params.m_kib &&
               p == params.p && wantlen == ARGON2_HASH_LEN;
    return ok;
}

/* fields: "pbkdf2_sha256" | "pbkdf2_sha1", iterations, salt, hash. */
static int verify_pbkdf2(const char *password, size_t pwlen, char **f, int nf)
{
    unsigned char want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
    size_t wantlen, saltlen;
    unsigned long iter;
    const EVP_MD *md;
    int ok;

    if (nf != 4) {
        return 0;
    }
    if (strcmp(f[0], "pbkdf2_sha256") == 0) {
        md = EVP_sha256();
    } else if (strcmp(f[0], "pbkdf2_sha1") == 0) {
        md = EVP_sha1();
    } else {
        return 0;
    }
    if (!parse_count(f[1], strlen(f[1]), AUTH_PASSWORD_MAX_PBKDF2_ITER, &iter)) {
        return 0;
    }
    /* Django's salt is used as its UTF-8 text, not decoded. */
    saltlen = strlen(f[2]);
    if (saltlen == 0 || saltlen > PBKDF2_SALT_MAX) {
        return 0;
    }
    /* Django leaves dklen at the digest size and pads its base64. */
    if (!b64_decode(f[3], want, sizeof(want), &wantlen, sodium_base64_VARIANT_ORIGINAL) ||
        wantlen != (size_t)EVP_MD_get_size(md)) {
        return 0;
    }
    ok = PKCS5_PBKDF2_HMAC(password, (int)pwlen, (const unsigned char *)f[2], (int)saltlen, (int)iter, md, (int)wantlen,
                           got) == 1 &&
         CRYPTO_memcmp(got, want, wantlen) == 0;
    OPENSSL_cleanse(got, sizeof(got));
    return ok;
}

int auth_password_verify(const char *password, const char *encoded, int *needs_rehash)
{
    char buf[ENCODED_MAX + 1];
    char *f[FIELDS_MAX];
    size_t pwlen, elen;
    int nf = 0, current = 0, ok;

    if (needs_rehash != NULL) {
        *needs_rehash = 0;
    }
    if (password == NULL || encoded == NULL) {
        return ZM_ERR;
    }
    pwlen = strnlen(password, AUTH_PASSWORD_MAX + 1);
    elen = strnlen(encoded, ENCODED_MAX + 1);
    if (pwlen > AUTH_PASSWORD_MAX || elen > ENCODED_MAX) {
        return ZM_ERR;
    }
    /* Django's unusable password: "!" + random, never a match.  The field
     * split below would refuse it anyway; say so explicitly. */
    if (encoded[0] == '!') {
        return ZM_ERR;
    }
    if (sodium_init() < 0) {
        return ZM_ERR;
    }

    memcpy(buf, encoded, elen + 1);
    f[nf++] = buf;
    for (char *c = buf; *c != '\0'; c++) {
        if (*c != '$') {
            continue;
        }
        if (nf == FIELDS_MAX) {
            return ZM_ERR;
        }
        *c = '\0';
        f[nf++] = c + 1;
    }

    if (strcmp(f[0], "argon2") == 0 && nf >= 2) {
        ok = verify_argon2(password, pwlen, f, nf, &current);
    } else {
        ok = verify_pbkdf2(password, pwlen, f, nf);
    }
    sodium_memzero(buf, sizeof(buf));
    if (!ok) {
        return ZM_ERR;
    }
    if (needs_rehash != NULL) {
        *needs_rehash = !current;
    }
    return ZM_OK;
}
