/*
 * test_llm.c -- the offline parts of the chat client (fcgi/services/llm.c):
 * the Server-Sent Events parser, Retry-After values, argument checks.  The
 * network side is tested against tests/api/fake_llm.py by
 * tests/api/test_openai.py.
 */
#include "llm.h"

#include <stdlib.h>
#include <time.h>

#include "zt.h"

static zm_arena_t A;

/* ---- SSE: the events a byte string gives, as one transcript ---- */

typedef struct {
    char *text; /* "event|data\n" per event, malloc */
    size_t len;
    int events;
    int stop_at; /* return 7 at this event (1-based), 0 never */
} transcript_t;

static int collect(void *ud, const char *event, const char *data, size_t len)
{
    transcript_t *t = ud;
    size_t el = strlen(event);

    t->text = realloc(t->text, t->len + el + len + 3);
    memcpy(t->text + t->len, event, el);
    t->len += el;
    t->text[t->len++] = '|';
    memcpy(t->text + t->len, data, len);
    t->len += len;
    t->text[t->len++] = '\n';
    t->text[t->len] = '\0';
    t->events++;
    /* data is NUL-terminated for the callback's convenience */
    ZT_CHECK(data[len] == '\0');
    return t->events == t->stop_at ? 7 : 0;
}

/* in fed in pieces of the given sizes (cycled; 0 = whole); the transcript (malloc'd, "" when none) */
static char *events_of(const char *in, size_t n, const size_t *sizes, size_t nsizes, int *rc, int *pending)
{
    transcript_t t = {NULL, 0, 0, 0};
    llm_sse_t s;
    size_t off = 0, k = 0;

    *rc = 0;
    llm_sse_init(&s, collect, &t);
    while (off < n && *rc == 0) {
        size_t step = nsizes && sizes[k % nsizes] ? sizes[k % nsizes] : n - off;

        step = step < n - off ? step : n - off;
        *rc = llm_sse_feed(&s, in + off, step);
        off += step;
        k++;
    }
    if (pending != NULL) {
        *pending = llm_sse_pending(&s);
    }
    llm_sse_free(&s);
    return t.text ? t.text : calloc(1, 1);
}

static char *events(const char *in, int *pending)
{
    int rc;

    return events_of(in, strlen(in), NULL, 0, &rc, pending);
}

/* in's transcript must be want, however it is split */
static void check_events(const char *in, const char *want)
{
    size_t n = strlen(in), one = 1, two[2];
    int rc, bad = 0;
    char *got = events_of(in, n, NULL, 0, &rc, NULL);

    if (strcmp(got, want) != 0) {
        fprintf(stderr, "input %s\n  gave %s\n  want %s\n", in, got, want);
        bad = 1;
    }
    free(got);
    got = events_of(in, n, &one, 1, &rc, NULL);
    bad |= strcmp(got, want) != 0;
    free(got);
    for (size_t cut = 1; cut < n; cut++) {
        two[0] = cut;
        two[1] = n;
        got = events_of(in, n, two, 2, &rc, NULL);
        if (strcmp(got, want) != 0) {
            fprintf(stderr, "input %s split at %zu gave %s\n", in, cut, got);
            bad = 1;
        }
        free(got);
    }
    ZT_CHECK(!bad);
}

static void test_sse_events(void)
{
    check_events("data: {\"a\":1}\n\n", "message|{\"a\":1}\n");
    /* what OpenAI sends: chunks, then [DONE] */
    check_events("data: {\"x\":\"你好\"}\n\ndata: {\"x\":\"!\"}\n\ndata: [DONE]\n\n",
                 "message|{\"x\":\"你好\"}\nmessage|{\"x\":\"!\"}\nmessage|[DONE]\n");
    /* CRLF and lone CR end lines as LF does */
    check_events("data: a\r\n\r\ndata: b\r\rdata: c\n\r\n", "message|a\nmessage|b\nmessage|c\n");
    /* comments are keep-alives: nothing */
    check_events(": keep-alive\n\n: OPENROUTER PROCESSING\n\ndata: a\n\n", "message|a\n");
    check_events(":\n\n", "");
    /* data lines of one event are joined by LF */
    check_events("data: {\"a\":\ndata: 1}\n\n", "message|{\"a\":\n1}\n");
    check_events("data: a\n: a comment between\ndata: b\n\n", "message|a\nb\n");
    /* one space after the colon is dropped, not two; no colon = empty value */
    check_events("data:a\n\ndata:  b\n\ndata\n\n", "message|a\nmessage| b\nmessage|\n");
    /* named events; the name does not carry over */
    check_events("event: error\ndata: {\"error\":{}}\n\ndata: x\n\n", "error|{\"error\":{}}\nmessage|x\n");
    /* id, retry and unknown fields are ignored; blank lines without data are no event */
    check_events("id: 7\nretry: 100\nfoo: bar\n\n\n\ndata: a\nid: 8\n\n", "message|a\n");
    /* a BOM in front of the first line only */
    check_events("\xef\xbb\xbf"
                 "data: a\n\n\xef\xbb\xbf"
                 "data: b\n\n",
                 "message|a\n");
    /* CR at a piece's end, LF at the next one's start: one line end, not two */
    check_events("data: a\r\n\r\ndata: b\r\n\r\n", "message|a\nmessage|b\n");
    check_events("data: a\r\ndata: b\r\n\r\n", "message|a\nb\n");
}

static void test_sse_unfinished(void)
{
    int pending = -1;
    char *t;

    /* a stream cut before the blank line: the event is lost, and that shows */
    t = events("data: a\n\ndata: b\n", &pending);
    ZT_STREQ(t, "message|a\n");
    ZT_CHECK(pending == 1);
    free(t);
    t = events("data: a\n\ndata: b", &pending);
    ZT_STREQ(t, "message|a\n");
    ZT_CHECK(pending == 1);
    free(t);
    t = events("data: a\n\n", &pending);
    ZT_CHECK(pending == 0);
    free(t);
    t = events(": only a comment\n", &pending);
    ZT_STREQ(t, "");
    ZT_CHECK(pending == 0);
    free(t);
}

static void test_sse_stop_and_caps(void)
{
    transcript_t t = {NULL, 0, 0, 2};
    llm_sse_t s;
    char *big;

    /* the callback's non-zero stops the parser, and stays its answer */
    llm_sse_init(&s, collect, &t);
    ZT_CHECK(llm_sse_feed(&s, "data: 1\n\ndata: 2\n\ndata: 3\n\n", 27) == 7);
    ZT_CHECK(t.events == 2);
    ZT_CHECK(llm_sse_feed(&s, "data: 4\n\n", 9) == 7);
    ZT_CHECK(t.events == 2);
    llm_sse_free(&s);
    free(t.text);

    /* a line, and an event, over the cap */
    big = malloc(LLM_SSE_MAX + 16);
    memcpy(big, "data: ", 6);
    memset(big + 6, 'x', LLM_SSE_MAX);
    memset(&t, 0, sizeof(t));
    llm_sse_init(&s, collect, &t);
    ZT_CHECK(llm_sse_feed(&s, big, LLM_SSE_MAX + 6) == ZM_ETOOBIG);
    ZT_CHECK(llm_sse_feed(&s, "\n\n", 2) == ZM_ETOOBIG);
    ZT_CHECK(t.events == 0);
    llm_sse_free(&s);
    memset(big + 6, 'x', LLM_SSE_MAX / 2);
    memcpy(big + 6 + LLM_SSE_MAX / 2, "\ndata: ", 7);
    llm_sse_init(&s, collect, &t);
    ZT_CHECK(llm_sse_feed(&s, big, 6 + LLM_SSE_MAX / 2 + 7) == 0);
    ZT_CHECK(llm_sse_feed(&s, big + 6, LLM_SSE_MAX / 2) == ZM_ETOOBIG);
    llm_sse_free(&s);
    free(big);
    free(t.text);
}

/* ---- Retry-After ---- */

static char *http_date(time_t t)
{
    struct tm tm;
    char buf[64];

    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return zm_pstrdup(&A, buf);
}

static void test_retry_after(void)
{
    long v;

    ZT_CHECK(llm_retry_after_ms("1", 0) == 1000);
    ZT_CHECK(llm_retry_after_ms(" 2\r\n", 0) == 2000);
    ZT_CHECK(llm_retry_after_ms("\t0", 0) == 0);
    ZT_CHECK(llm_retry_after_ms("120", 0) == 120000);
    ZT_CHECK(llm_retry_after_ms("1200", 1) == 1200);
    ZT_CHECK(llm_retry_after_ms("1200\r\n", 1) == 1200);
    /* unreadable: -1, and the caller backs off its own way */
    ZT_CHECK(llm_retry_after_ms("", 0) == -1);
    ZT_CHECK(llm_retry_after_ms("soon", 0) == -1);
    ZT_CHECK(llm_retry_after_ms("-5", 0) == -1);
    ZT_CHECK(llm_retry_after_ms("-5", 1) == -1);
    ZT_CHECK(llm_retry_after_ms("5s", 1) == -1);
    ZT_CHECK(llm_retry_after_ms("99999999999999999999", 0) == -1);
    /* a date: how far ahead of now it is; one in the past is now */
    ZT_CHECK(llm_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", 0) == 0);
    v = llm_retry_after_ms(http_date(time(NULL) + 120), 0);
    ZT_CHECK(v > 100000 && v <= 120000);
    ZT_CHECK(llm_retry_after_ms(http_date(time(NULL) + 120), 1) == -1);
    /* years ahead are capped (1000 days), not an overflow */
    v = llm_retry_after_ms("Fri, 31 Dec 9999 23:59:59 GMT", 0);
    ZT_CHECK(v > 0 && v <= 86400L * 1000 * 1000);
    v = llm_retry_after_ms("Fri, 31 Dec 2147483647 23:59:59 GMT", 0);
    ZT_CHECK(v == -1 || (v >= 0 && v <= 86400L * 1000 * 1000));
}

/* ---- arguments ---- */

static int never(void *ud, const char *text, size_t len)
{
    ZM_UNUSED(ud);
    ZM_UNUSED(text);
    ZM_UNUSED(len);
    return 0;
}

static void test_bad_arguments(void)
{
    llm_conf_t c = {.base_url = "ftp://example.com/v1", .model = "m", .timeout_ms = 1000};
    llm_message_t m[1] = {{"user", "hi"}};
    llm_usage_t u = {0};
    llm_answer_t ans;
    char *err = NULL;

    ZT_CHECK(llm_chat(&A, &c, m, 1, 0, &ans, &u, &err) == ZM_EINVAL);
    ZT_STREQ(err, "llm.base_url must start with http:// or https://");
    ZT_CHECK(llm_chat_stream(&A, &c, m, 1, 0, never, NULL, &ans, &u, &err) == ZM_EINVAL);
    ZT_STREQ(err, "llm.base_url must start with http:// or https://");
    ZT_CHECK(u.attempts == 0);
    c.base_url = "http://127.0.0.1:1/v1 x";
    ZT_CHECK(llm_chat_stream(&A, &c, m, 1, 0, never, NULL, &ans, &u, &err) == ZM_EINVAL);
    ZT_STREQ(err, "llm.base_url contains spaces or control characters");
    c.base_url = "http://127.0.0.1:1/v1";
    c.api_key = "sk\n";
    ZT_CHECK(llm_chat_stream(&A, &c, m, 1, 0, never, NULL, &ans, &u, &err) == ZM_EINVAL);
    ZT_STREQ(err, "llm.api_key contains control characters");
    c.api_key = NULL;
    /* no callback, no messages, a message without content */
    ZT_CHECK(llm_chat_stream(&A, &c, m, 1, 0, NULL, NULL, &ans, &u, &err) == ZM_EINVAL);
    ZT_CHECK(llm_chat(&A, &c, m, 0, 0, &ans, &u, &err) == ZM_EINVAL);
    m[0].content = NULL;
    ZT_CHECK(llm_chat(&A, &c, m, 1, 0, &ans, &u, &err) == ZM_EINVAL);
    ZT_CHECK(ans.text == NULL && u.attempts == 0);
}

int main(void)
{
    zm_arena_init(&A, 65536, 0);
    ZT_RUN(test_sse_events);
    ZT_RUN(test_sse_unfinished);
    ZT_RUN(test_sse_stop_and_caps);
    ZT_RUN(test_retry_after);
    ZT_RUN(test_bad_arguments);
    zm_arena_destroy(&A);
    return zt_done();
}
