/*
 * test_password.c -- Django-compatible password hashes (fcgi/auth/password.c).
 *
 * The pbkdf2_sha256 and argon2 vectors were made by Django 3.2; the
 * pbkdf2_sha1 one by Python's hashlib.pbkdf2_hmac, which is what Django's
 * PBKDF2SHA1PasswordHasher calls.  Format tests use a tiny argon2 cost.
 */
#include "password.h"
#include "zm.h"
#include "zt.h"

#include <argon2.h>
#include <stdlib.h>
#include <string.h>

#define PW "correct horse battery"
#define V_PBKDF2_1 "pbkdf2_sha256$260000$zhimaiSaltVector01$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAcXU="
#define PW_ZH                                                                                                          \
    "\xe5\xaf\x86\xe7\xa0\x81\xe6\xb5\x8b\xe8\xaf\x95"                                                                 \
    "abc123" /* 密码测试abc123 */
#define V_PBKDF2_2 "pbkdf2_sha256$260000$zhimaiSaltVector02$BgaQTrSpPR0O35/0pvuJwrcxcLjsGcCjRjbWocwRfiA="
#define V_ARGON2 "argon2$argon2id$v=19$m=102400,t=2,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ"
#define V_SHA1 "pbkdf2_sha1$1000$zhimaiSaltVector03$j0QiL4FYq0ntrJqfx8YmjwoqzRE="

/* Cheap parameters for tests about format, not strength. */
#define SMALL_T 1
#define SMALL_M 64
#define SMALL_P 1

#define B64_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

static void test_django_vectors(void)
{
    int rehash = -1;

    ZT_CHECK(auth_password_verify(PW, V_PBKDF2_1, &rehash) == ZM_OK);
    ZT_CHECK(rehash == 1);
    ZT_CHECK(auth_password_verify("correct horse batterY", V_PBKDF2_1, &rehash) == ZM_ERR);
    ZT_CHECK(rehash == 0);

    rehash = -1;
    ZT_CHECK(auth_password_verify(PW_ZH, V_PBKDF2_2, &rehash) == ZM_OK);
    ZT_CHECK(rehash == 1);
    ZT_CHECK(auth_password_verify("\xe5\xaf\x86\xe7\xa0\x81"
                                  "abc123",
                                  V_PBKDF2_2, NULL) == ZM_ERR);
    ZT_CHECK(auth_password_verify(PW, V_PBKDF2_2, NULL) == ZM_ERR);

    /* Django's p=8 is not our p, so it verifies but wants a rehash. */
    rehash = -1;
    ZT_CHECK(auth_password_verify(PW, V_ARGON2, &rehash) == ZM_OK);
    ZT_CHECK(rehash == 1);
    ZT_CHECK(auth_password_verify("correct horse batter", V_ARGON2, NULL) == ZM_ERR);
    ZT_CHECK(auth_password_verify("", V_ARGON2, NULL) == ZM_ERR);

    ZT_CHECK(auth_password_verify(PW, V_SHA1, &rehash) == ZM_OK);
    ZT_CHECK(rehash == 1);
    ZT_CHECK(auth_password_verify("wrong", V_SHA1, NULL) == ZM_ERR);
}

/* An encoded hash's fields, for checking the layout Django parses. */
static int split(char *s, char **f, int max)
{
    int n = 0;

    f[n++] = s;
    for (char *c = s; *c; c++) {
        if (*c == '$') {
            if (n == max) {
                return -1;
            }
            *c = '\0';
            f[n++] = c + 1;
        }
    }
    return n;
}

static void test_hash_format_and_round_trip(void)
{
    char out[AUTH_PASSWORD_HASH_MAX], copy[AUTH_PASSWORD_HASH_MAX], other[AUTH_PASSWORD_HASH_MAX];
    char *f[8];
    int rehash = -1;

    ZT_CHECK(auth_password_set_params(SMALL_T, SMALL_M, SMALL_P) == ZM_OK);
    ZT_CHECK(auth_password_hash(PW, out, sizeof(out)) == ZM_OK);
    ZT_CHECK(strncmp(out, "argon2$argon2id$v=19$m=64,t=1,p=1$", 34) == 0);

    memcpy(copy, out, sizeof(copy));
    ZT_CHECK(split(copy, f, 8) == 6);
    ZT_STREQ(f[0], "argon2");
    ZT_STREQ(f[1], "argon2id");
    ZT_STREQ(f[2], "v=19");
    ZT_STREQ(f[3], "m=64,t=1,p=1");
    /* 22 salt characters -> 30 base64 chars, 16 hash bytes -> 22, no '='. */
    ZT_CHECK(strlen(f[4]) == 30);
    ZT_CHECK(strlen(f[5]) == 22);
    ZT_CHECK(strspn(f[4], B64_CHARS) == 30);
    ZT_CHECK(strspn(f[5], B64_CHARS) == 22);

    ZT_CHECK(auth_password_verify(PW, out, &rehash) == ZM_OK);
    ZT_CHECK(rehash == 0);
    ZT_CHECK(auth_password_verify("correct horse batterx", out, &rehash) == ZM_ERR);

    /* Fresh salt each time. */
    ZT_CHECK(auth_password_hash(PW, other, sizeof(other)) == ZM_OK);
    ZT_CHECK(strcmp(out, other) != 0);
    ZT_CHECK(auth_password_verify(PW, other, NULL) == ZM_OK);

    /* New parameters: old hash still verifies, now asks for a rehash. */
    ZT_CHECK(auth_password_set_params(2, SMALL_M, SMALL_P) == ZM_OK);
    ZT_CHECK(auth_password_verify(PW, out, &rehash) == ZM_OK);
    ZT_CHECK(rehash == 1);

    /* Empty and non-ASCII passwords. */
    ZT_CHECK(auth_password_hash("", out, sizeof(out)) == ZM_OK);
    ZT_CHECK(auth_password_verify("", out, &rehash) == ZM_OK);
    ZT_CHECK(rehash == 0);
    ZT_CHECK(auth_password_verify(" ", out, NULL) == ZM_ERR);
    ZT_CHECK(auth_password_hash(PW_ZH, out, sizeof(out)) == ZM_OK);
    ZT_CHECK(auth_password_verify(PW_ZH, out, NULL) == ZM_OK);

    ZT_CHECK(auth_password_set_params(SMALL_T, SMALL_M, SMALL_P) == ZM_OK);
}

static void test_hash_limits(void)
{
    char out[AUTH_PASSWORD_HASH_MAX];
    char *big = malloc(AUTH_PASSWORD_MAX + 2);

    ZT_CHECK(auth_password_set_params(SMALL_T, SMALL_M, SMALL_P) == ZM_OK);
    ZT_CHECK(auth_password_hash(PW, out, 40) == ZM_ETOOBIG);
    ZT_CHECK(auth_password_hash(NULL, out, sizeof(out)) == ZM_EINVAL);
    ZT_CHECK(auth_password_hash(PW, NULL, sizeof(out)) == ZM_EINVAL);

    memset(big, 'a', AUTH_PASSWORD_MAX);
    big[AUTH_PASSWORD_MAX] = '\0';
    ZT_CHECK(auth_password_hash(big, out, sizeof(out)) == ZM_OK);
    ZT_CHECK(auth_password_verify(big, out, NULL) == ZM_OK);
    big[AUTH_PASSWORD_MAX] = 'a';
    big[AUTH_PASSWORD_MAX + 1] = '\0';
    ZT_CHECK(auth_password_hash(big, out, sizeof(out)) == ZM_ETOOBIG);
    ZT_CHECK(auth_password_verify(big, out, NULL) == ZM_ERR);
    free(big);

    /* Largest parameters the caps allow still fit Django's 128 chars. */
    ZT_CHECK(strlen("argon2$argon2id$v=19$m=1048576,t=100,p=64$") + 30 + 1 + 22 < 128);

    /* Parameters outside the caps are refused and the old ones kept. */
    ZT_CHECK(auth_password_set_params(0, SMALL_M, 1) == ZM_EINVAL);
    ZT_CHECK(auth_password_set_params(101, SMALL_M, 1) == ZM_EINVAL);
    ZT_CHECK(auth_password_set_params(1, SMALL_M, 0) == ZM_EINVAL);
    ZT_CHECK(auth_password_set_params(1, SMALL_M, 65) == ZM_EINVAL);
    ZT_CHECK(auth_password_set_params(1, 8 * 4 - 1, 4) == ZM_EINVAL);
    ZT_CHECK(auth_password_set_params(1, AUTH_PASSWORD_MAX_M_KIB + 1, 1) == ZM_EINVAL);
    ZT_CHECK(auth_password_set_params(2, AUTH_PASSWORD_MAX_M_KIB, 1) == ZM_EINVAL);
    ZT_CHECK(auth_password_hash(PW, out, sizeof(out)) == ZM_OK);
    ZT_CHECK(strncmp(out, "argon2$argon2id$v=19$m=64,t=1,p=1$", 34) == 0);
}

/* argon2i / argon2d / version-less hashes as argon2-cffi writes them. */
static void test_argon2_variants(void)
{
    static const unsigned char salt[] = "someSaltOfTwentyTwoChr";
    char enc[200], dj[256], *v;
    int rehash = -1;

    ZT_CHECK(argon2i_hash_encoded(2, 64, 2, PW, strlen(PW), salt, 22, 16, enc, sizeof(enc)) == ARGON2_OK);
    snprintf(dj, sizeof(dj), "argon2%s", enc);
    ZT_CHECK(strncmp(dj, "argon2$argon2i$v=19$m=64,t=2,p=2$", 33) == 0);
    ZT_CHECK(auth_password_verify(PW, dj, &rehash) == ZM_OK);
    ZT_CHECK(rehash == 1);
    ZT_CHECK(auth_password_verify("x", dj, NULL) == ZM_ERR);

    ZT_CHECK(argon2d_hash_encoded(1, 64, 1, PW, strlen(PW), salt, 22, 32, enc, sizeof(enc)) == ARGON2_OK);
    snprintf(dj, sizeof(dj), "argon2%s", enc);
    ZT_CHECK(auth_password_verify(PW, dj, NULL) == ZM_OK);

    /* Same type and costs as ours but a 32-byte hash: wants a rehash. */
    ZT_CHECK(argon2id_hash_encoded(SMALL_T, SMALL_M, SMALL_P, PW, strlen(PW), salt, 22, 32, enc, sizeof(enc)) ==
             ARGON2_OK);
    snprintf(dj, sizeof(dj), "argon2%s", enc);
    ZT_CHECK(auth_password_set_params(SMALL_T, SMALL_M, SMALL_P) == ZM_OK);
    ZT_CHECK(auth_password_verify(PW, dj, &rehash) == ZM_OK);
    ZT_CHECK(rehash == 1);

    /* Argon2 1.0 with no "v=" field (argon2-cffi < 16). */
    ZT_CHECK(argon2_hash(1, 64, 1, PW, strlen(PW), salt, 22, NULL, 16, enc, sizeof(enc), Argon2_i, ARGON2_VERSION_10) ==
             ARGON2_OK);
    v = strstr(enc, "v=16$");
    ZT_CHECK(v != NULL);
    if (v != NULL) {
        memmove(v, v + 5, strlen(v + 5) + 1);
    }
    snprintf(dj, sizeof(dj), "argon2%s", enc);
    ZT_CHECK(strncmp(dj, "argon2$argon2i$m=64,t=1,p=1$", 28) == 0);
    ZT_CHECK(auth_password_verify(PW, dj, NULL) == ZM_OK);
    /* ...and the same hash claimed as 1.3 does not match. */
    snprintf(dj, sizeof(dj), "argon2$argon2i$v=19%s", enc + strlen("$argon2i"));
    ZT_CHECK(auth_password_verify(PW, dj, NULL) == ZM_ERR);
}

static void test_refused(void)
{
    static const char *bad[] = {
        "",
        "!",
        "!kQx8hT1Zb2RyYXcgYmFja3dhcmQgY29tcGF0aWJsZQ",
        "!" V_PBKDF2_1,
        "argon2",
        "argon2$",
        "argon2$argon2id",
        "pbkdf2_sha256",
        /* Unknown algorithms and variants. */
        "pbkdf2_sha512$260000$zhimaiSaltVector01$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAcXU=",
        "sha1$zhimaiSaltVector01$0123456789abcdef0123456789abcdef01234567",
        "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuZ4vlQWxPBvlK1vQvA7yL9CVqdWqRLDq",
        "argon2$argon2x$v=19$m=102400,t=2,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        "argon2$Argon2id$v=19$m=102400,t=2,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        "$argon2id$v=19$m=102400,t=2,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        /* Bad version, parameter order, numbers. */
        "argon2$argon2id$v=18$m=102400,t=2,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        "argon2$argon2id$v=19$t=2,m=102400,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        "argon2$argon2id$v=19$m=102400,t=2,p=8,$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        "argon2$argon2id$v=19$m=102400,t=-2,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        "argon2$argon2id$v=19$m=102400,t=0,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        "argon2$argon2id$v=19$m=102400,t=2,p=8x$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        /* Costs over the caps: refused before any work is done. */
        "argon2$argon2id$v=19$m=1048577,t=1,p=1$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        "argon2$argon2id$v=19$m=1048576,t=2,p=1$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        "argon2$argon2id$v=19$m=1024,t=101,p=1$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        "argon2$argon2id$v=19$m=1024,t=1,p=65$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        "argon2$argon2id$v=19$m=99999999999999999999999,t=1,p=1$aXNvOTVzZzFud01OajJsTmR2bm1tMA$"
        "vtmV7tAtPH3IT8Oq28dAmQ",
        "argon2$argon2id$v=19$m=63,t=1,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        "pbkdf2_sha256$10000001$zhimaiSaltVector01$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAcXU=",
        "pbkdf2_sha256$18446744073709551617$zhimaiSaltVector01$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAcXU=",
        "pbkdf2_sha256$0$zhimaiSaltVector01$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAcXU=",
        "pbkdf2_sha256$+260000$zhimaiSaltVector01$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAcXU=",
        "pbkdf2_sha256$$zhimaiSaltVector01$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAcXU=",
        /* Base64 that is not what Django writes. */
        "pbkdf2_sha256$260000$zhimaiSaltVector01$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAcXU",
        "pbkdf2_sha256$260000$zhimaiSaltVector01$bmgp3uHTLXUBij7ywQPKqh_K6g-bgA4XsW5UzoMAcXU=",
        "pbkdf2_sha256$260000$zhimaiSaltVector01$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAcXU=\n",
        "pbkdf2_sha256$260000$zhimaiSaltVector01$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAcXUA",
        "pbkdf2_sha256$260000$zhimaiSaltVector01$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAc==",
        "pbkdf2_sha256$260000$$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAcXU=",
        "argon2$argon2id$v=19$m=102400,t=2,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA==$vtmV7tAtPH3IT8Oq28dAmQ",
        "argon2$argon2id$v=19$m=102400,t=2,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ==",
        "argon2$argon2id$v=19$m=102400,t=2,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmR",
        "argon2$argon2id$v=19$m=102400,t=2,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dA",
        "argon2$argon2id$v=19$m=102400,t=2,p=8$aXNvOTVz$vtmV7tAtPH3IT8Oq28dAmQ",
        "argon2$argon2id$v=19$m=102400,t=2,p=8$$vtmV7tAtPH3IT8Oq28dAmQ",
        /* Extra or missing fields. */
        "argon2$argon2id$v=19$m=102400,t=2,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ$",
        "argon2$argon2id$v=19$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ",
        "pbkdf2_sha256$260000$zhimai$SaltVector01$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAcXU=",
        V_PBKDF2_1 "$",
    };

    for (size_t i = 0; i < ZM_ARRAY_LEN(bad); i++) {
        int rehash = -1;
        int rc = auth_password_verify(PW, bad[i], &rehash);

        ZT_CHECK(rc == ZM_ERR);
        ZT_CHECK(rehash == 0);
        if (rc != ZM_ERR) {
            fprintf(stderr, "  accepted: %s\n", bad[i]);
        }
    }
    ZT_CHECK(auth_password_verify(NULL, V_PBKDF2_1, NULL) == ZM_ERR);
    ZT_CHECK(auth_password_verify(PW, NULL, NULL) == ZM_ERR);
}

static void test_encoded_cap(void)
{
    /* A stored value over 1024 bytes is refused whatever it holds. */
    char enc[1100];
    int n = snprintf(enc, sizeof(enc), "%s", V_PBKDF2_1);

    memset(enc + n, 'A', sizeof(enc) - (size_t)n - 1);
    enc[sizeof(enc) - 1] = '\0';
    ZT_CHECK(auth_password_verify(PW, enc, NULL) == ZM_ERR);
}

int main(void)
{
    ZT_RUN(test_django_vectors);
    ZT_RUN(test_hash_format_and_round_trip);
    ZT_RUN(test_hash_limits);
    ZT_RUN(test_argon2_variants);
    ZT_RUN(test_refused);
    ZT_RUN(test_encoded_cap);
    return zt_done();
}
