/*
 * fuzz_content_disposition.c -- libFuzzer target for zm_content_disposition,
 * which puts a user's file name into a response header.
 *
 * Input: the stored file name (any bytes but NUL).  Checks: the header
 * value is printable ASCII only (no CR/LF to split the answer, no byte
 * over 0x7e), the quoted fallback holds no '"' or '\', and the RFC 5987
 * part percent-decodes back to the name exactly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define FUZZ_NAME_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char star[] = "; filename*=UTF-8''";
    char name[FUZZ_NAME_MAX + 1], *v, *q0, *q1, *enc, *dec;
    size_t n = size < FUZZ_NAME_MAX ? size : FUZZ_NAME_MAX, declen = 0;
    zm_arena_t a;

    memcpy(name, data, n);
    name[n] = '\0';
    n = strlen(name);
    zm_arena_init(&a, 4096, 1u << 20);
    v = zm_content_disposition(&a, name);
    if (v == NULL || strncmp(v, "attachment; filename=\"", 22) != 0) {
        abort();
    }
    for (const char *p = v; *p; p++) {
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
            abort();
        }
    }
    q0 = v + 21;
    q1 = strchr(q0 + 1, '"');
    if (q1 == NULL || memchr(q0 + 1, '\\', (size_t)(q1 - q0 - 1)) != NULL) {
        abort();
    }
    enc = strstr(q1, star);
    if (enc == NULL || enc != q1 + 1) {
        abort();
    }
    enc += sizeof(star) - 1;
    dec = zm_pct_decode(&a, enc, strlen(enc), 0, &declen);
    if (dec == NULL || declen != n || memcmp(dec, name, n) != 0) {
        abort();
    }
    zm_arena_destroy(&a);
    return 0;
}
