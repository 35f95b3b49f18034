/*
 * fuzz_sse.c -- libFuzzer target for the Server-Sent Events parser of the
 * chat client (llm_sse_feed in fcgi/services/llm.c): a model's stream comes
 * in network pieces split anywhere, so the parser must give the same events
 * whatever the split.
 *
 * The input's first byte seeds the piece sizes; the rest is the stream.  It
 * is parsed whole, byte by byte, and in the seeded pieces, and the three
 * transcripts (every event's name and data, the result, what is pending)
 * must be equal.  Aborts too when an event breaks a promise: data not
 * NUL-terminated, or larger than LLM_SSE_MAX.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "llm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    unsigned char *text;
    size_t len, cap;
} transcript_t;

static void add(transcript_t *t, const void *p, size_t n)
{
    if (t->len + n > t->cap) {
        t->cap = (t->len + n) * 2 + 64;
        t->text = realloc(t->text, t->cap);
        if (t->text == NULL) {
            abort();
        }
    }
    memcpy(t->text + t->len, p, n);
    t->len += n;
}

static int on_event(void *ud, const char *event, const char *data, size_t len)
{
    transcript_t *t = ud;
    size_t el = strlen(event);

    if (data[len] != '\0' || len > LLM_SSE_MAX || el > 63) {
        abort();
    }
    /* lengths first: "ab"+"c" and "a"+"bc" must not look alike */
    add(t, &el, sizeof(el));
    add(t, event, el);
    add(t, &len, sizeof(len));
    add(t, data, len);
    return 0;
}

/* the stream fed in pieces: size 0 = whole, 1 = byte by byte, else sizes from seed */
static void parse(const uint8_t *in, size_t n, int mode, unsigned seed, transcript_t *t)
{
    llm_sse_t s;
    size_t off = 0;
    int rc = 0, pending;

    llm_sse_init(&s, on_event, t);
    while (off < n && rc == 0) {
        size_t step = n - off;

        if (mode == 1) {
            step = 1;
        } else if (mode == 2) {
            seed = seed * 1103515245u + 12345u;
            step = 1 + (seed >> 16) % 17; /* pieces of 1..17 bytes: splits land in every place */
            step = step < n - off ? step : n - off;
        }
        rc = llm_sse_feed(&s, (const char *)in + off, step);
        off += step;
    }
    pending = llm_sse_pending(&s);
    add(t, &rc, sizeof(rc));
    add(t, &pending, sizeof(pending));
    llm_sse_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    transcript_t t[3] = {{NULL, 0, 0}, {NULL, 0, 0}, {NULL, 0, 0}};

    if (size < 1) {
        return 0;
    }
    for (int mode = 0; mode < 3; mode++) {
        parse(data + 1, size - 1, mode, data[0], &t[mode]);
    }
    if (t[0].len != t[1].len || t[0].len != t[2].len || memcmp(t[0].text, t[1].text, t[0].len) != 0 ||
        memcmp(t[0].text, t[2].text, t[0].len) != 0) {
        abort();
    }
    for (int i = 0; i < 3; i++) {
        free(t[i].text);
    }
    return 0;
}
