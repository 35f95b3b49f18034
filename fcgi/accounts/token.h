/*
 * token.h -- JWT access and refresh tokens interchangeable with
 * djangorestframework-simplejwt's defaults.
 *
 * HS256 only, header {"alg":"HS256","typ":"JWT"}, claims exactly as
 * simplejwt writes them:
 *
 *   {"token_type":"access"|"refresh","exp":<int>,"iat":<int>,
 *    "jti":"<32 lowercase hex>","user_id":<int>}
 *
 * plus, in tokens issued here, "gen": the user's token generation at issue
 * (sessions.c bumps it to revoke every token of a user at once, which whole-
 * second iat cannot do for tokens issued in the same second).  simplejwt
 * ignores claims it does not know, so a token issued here passes simplejwt
 * with the same SIGNING_KEY and vice versa.  Verification parses the header itself before handing the
 * token to libjwt, because libjwt 1.10 decides the algorithm from the
 * token: it happily verifies HS384/HS512, and with an empty key it skips the
 * signature check altogether.
 *
 * Needs libjwt (signing, signature check), json-c (header and claims),
 * libsodium (base64url, jti).
 */
#ifndef AUTH_TOKEN_H
#define AUTH_TOKEN_H

#include <stddef.h>
#include <stdint.h>

/* Longest token accepted, in bytes; also a buffer size that always holds an
 * issued token (ours are about 250 bytes). */
#include "zm.h"

#define AUTH_TOKEN_MAX 4096

/* Verification failures the HTTP layer words differently ("token_expired"
 * asks the client to refresh, "token_invalid" to log in again): zm.h's
 * shared token codes, which the route check reads. */
#define AUTH_TOKEN_EXPIRED ZM_EEXPIRED
#define AUTH_TOKEN_INVALID ZM_ETOKEN

typedef enum {
    AUTH_TOKEN_ACCESS,  /* "token_type": "access" */
    AUTH_TOKEN_REFRESH, /* "token_type": "refresh" */
} auth_token_type_t;

typedef struct {
    auth_token_type_t type;
    int64_t user_id;
    int64_t exp;  /* Unix seconds */
    int64_t iat;  /* Unix seconds */
    char jti[33]; /* 32 lowercase hex digits + NUL */
    int64_t gen;  /* the "gen" claim, or AUTH_TOKEN_NO_GEN (simplejwt's tokens have none) */
} auth_token_claims_t;

#define AUTH_TOKEN_NO_GEN (-1)

/**
 * Issue a token of `type` for user_id, signed HS256 with key[0..keylen),
 * with iat = now and exp = now + lifetime_s (seconds).  Writes the token to
 * out (NUL-terminated; outlen >= AUTH_TOKEN_MAX always suffices) and, when
 * jti_out is not NULL, its fresh random jti.  Returns ZM_OK; ZM_EINVAL for
 * NULL or empty key/out, an unknown type, lifetime_s <= 0 or an exp that
 * overflows; ZM_ETOOBIG when out is too small; ZM_ERR when libjwt fails.
 */
int auth_token_issue(const char *key, size_t keylen, auth_token_type_t type, int64_t user_id, int64_t now,
                     int64_t lifetime_s, char *out, size_t outlen, char jti_out[33]);

/** The same with a "gen" claim of gen (>= 0; AUTH_TOKEN_NO_GEN leaves it out, as above). */
int auth_token_issue_gen(const char *key, size_t keylen, auth_token_type_t type, int64_t user_id, int64_t gen,
                         int64_t now, int64_t lifetime_s, char *out, size_t outlen, char jti_out[33]);

/**
 * Verify token (NUL-terminated) against key[0..keylen) as a token of
 * expect_type at time now, and fill *claims (may be NULL) on success.
 * Returns ZM_OK; AUTH_TOKEN_EXPIRED when everything is right but exp <= now;
 * AUTH_TOKEN_INVALID for anything else: any alg but "HS256" (including
 * "none"), bad signature, other key, malformed base64url or JSON, a missing
 * or ill-typed claim (exp/iat/user_id not JSON integers, jti not 32
 * lowercase hex, unknown token_type, a "gen" that is not an integer >= 0), the other token_type, a token over
 * AUTH_TOKEN_MAX bytes, an empty key.  *claims is untouched on failure.
 */
int auth_token_verify(const char *key, size_t keylen, const char *token, auth_token_type_t expect_type, int64_t now,
                      auth_token_claims_t *claims);

#endif
