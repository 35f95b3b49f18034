/*
 * fuzz_query.c -- libFuzzer target for the query-string readers:
 * zm_req_query (split on '&' and '=', percent-decoding, '+' as space,
 * UTF-8 check) and zm_req_query_int (bounded integers, 400 otherwise).
 *
 * Input: the raw query string.  Checks: a value found is valid UTF-8 and
 * NUL-free; an integer read is within its bounds or the request was
 * answered 400; nothing reads past the string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define FUZZ_QUERY_MAX 65536
#define FUZZ_ARENA_CAP (16u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"page", "page_size", "search", "role", "", "a", "access_token"};
    zm_arena_t a;
    zm_req_t r;
    char *q;

    if (size > FUZZ_QUERY_MAX) {
        return 0;
    }
    q = malloc(size + 1);
    if (q == NULL) {
        return 0;
    }
    memcpy(q, data, size);
    q[size] = '\0';
    zm_arena_init(&a, 4096, FUZZ_ARENA_CAP);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v;
        int64_t x = -1;
        int rc;

        memset(&r, 0, sizeof(r));
        r.a = &a;
        r.query = q;
        v = zm_req_query(&r, names[i]);
        if (v != NULL && !zm_utf8_valid(v, strlen(v))) {
            abort();
        }
        rc = zm_req_query_int(&r, names[i], 7, 1, 100, &x);
        if (rc == ZM_OK && (x < 1 || x > 100) && x != 7) {
            abort();
        }
        if (rc != ZM_OK && r.status != 400) {
            abort();
        }
    }
    zm_arena_destroy(&a);
    free(q);
    return 0;
}
