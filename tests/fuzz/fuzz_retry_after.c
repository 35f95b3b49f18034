/*
 * fuzz_retry_after.c -- libFuzzer target for llm_retry_after_ms (a
 * Retry-After or retry-after-ms header value from a model's server, in
 * fcgi/services/llm.c): delta-seconds, HTTP dates through curl_getdate.
 *
 * The input's first byte chooses the header (odd: retry-after-ms), the rest,
 * up to a NUL, is the value as the header callback passes it (at most 127
 * bytes).  Aborts when the answer is outside its promise: -1, or 0 to
 * 86400000 seconds in milliseconds, and no more than the value itself for
 * plain numbers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "llm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char v[128];
    size_t n;
    long ms;
    int is_ms;

    if (size < 1) {
        return 0;
    }
    is_ms = data[0] & 1;
    n = size - 1 < sizeof(v) - 1 ? size - 1 : sizeof(v) - 1;
    memcpy(v, data + 1, n);
    v[n] = '\0';
    ms = llm_retry_after_ms(v, is_ms);
    if (ms < -1 || ms > 86400L * 1000 * 1000) {
        abort();
    }
    if (is_ms && ms > 86400L * 1000) {
        abort(); /* milliseconds are never scaled up */
    }
    return 0;
}
