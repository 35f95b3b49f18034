/*
 * fuzz_jwt.c -- libFuzzer target for auth_token_verify: the bearer token
 * a client sends (header, claims, signature; base64url, JSON, HS256).
 *
 * Input: the token.  The committed corpus starts from tokens signed with
 * the key below, so the fuzzer mutates real ones.  Checks: the answer is
 * one of the documented codes; a token accepted as one type is refused as
 * the other; a token accepted has the claims the contract promises
 * (positive user_id, 32 lowercase hex digits of jti, exp after now).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"
#include "zm.h"

#define FUZZ_KEY "fuzz-signing-key-0123456789abcdef"
#define FUZZ_NOW 1767225600 /* 2026-01-01: the corpus tokens expire in 2100 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(const char *token, auth_token_type_t type, auth_token_type_t other)
{
    auth_token_claims_t c;
    int rc;

    memset(&c, 0, sizeof(c));
    rc = auth_token_verify(FUZZ_KEY, strlen(FUZZ_KEY), token, type, FUZZ_NOW, &c);
    if (rc != ZM_OK && rc != AUTH_TOKEN_EXPIRED && rc != AUTH_TOKEN_INVALID) {
        abort();
    }
    if (rc != ZM_OK) {
        return;
    }
    if (c.type != type || c.user_id <= 0 || c.exp <= FUZZ_NOW || strlen(c.jti) != 32 ||
        strspn(c.jti, "0123456789abcdef") != 32) {
        abort();
    }
    if (auth_token_verify(FUZZ_KEY, strlen(FUZZ_KEY), token, other, FUZZ_NOW, NULL) == ZM_OK) {
        abort();
    }
    /* any other key refuses it */
    if (auth_token_verify(FUZZ_KEY "x", strlen(FUZZ_KEY) + 1, token, type, FUZZ_NOW, NULL) == ZM_OK) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *token;

    if (size > 2 * AUTH_TOKEN_MAX) {
        return 0;
    }
    token = malloc(size + 1);
    if (token == NULL) {
        return 0;
    }
    memcpy(token, data, size);
    token[size] = '\0';
    fuzz_check(token, AUTH_TOKEN_ACCESS, AUTH_TOKEN_REFRESH);
    fuzz_check(token, AUTH_TOKEN_REFRESH, AUTH_TOKEN_ACCESS);
    free(token);
    return 0;
}
