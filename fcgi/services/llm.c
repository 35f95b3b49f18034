/*
 * llm.c -- the OpenAI-compatible chat client of llm.h: the request, the
 * transport (retries, backoff, Retry-After, the API's error messages, token
 * usage), whole answers and Server-Sent Event streams.  Split out of the
 * analysis provider so anything that talks to a model shares one transport.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "llm.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "conf.h"
#include "hash.h"
#include "log.h"
#include "str.h"

#define TIMEOUT_DEFAULT_MS 60000L
#define BACKOFF_FIRST_MS 500L
#define BACKOFF_MAX_MS 8000L
/* A server asking for a longer pause than this is better answered by the
 * task queue rescheduling than by a worker sleeping through it. */
#define RETRY_AFTER_MAX_MS 30000L
/* The largest Retry-After taken at all, in its own unit (1000 days in seconds). */
#define RETRY_AFTER_CAP (86400L * 1000)
/* Chat answers are a few KiB; anything near this is not one. */
#define RESPONSE_MAX (8u << 20)
#define JSON_DEPTH 32
#define DETAIL_MAX 300 /* characters of a server's error text kept in a reason */

/* ---- configuration ---- */

void llm_conf_from_conf(llm_conf_t *c)
{
    const char *t = zm_conf_str("llm.temperature");
    char *end;

    c->base_url = zm_conf_str("llm.base_url");
    c->model = zm_conf_str("llm.model");
    c->api_key = zm_conf_str("llm.api_key");
    c->timeout_ms = (long)zm_conf_int("llm.timeout_ms");
    c->max_retries = (int)zm_conf_int("llm.max_retries");
    c->temperature = strtod(t, &end);
    /* an empty or unparsable value means "let the server decide" */
    if (end == t || !isfinite(c->temperature)) {
        c->temperature = -1;
    }
}

int llm_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? ZM_OK : ZM_ERR;
}

void llm_cleanup(void)
{
    curl_global_cleanup();
}

/* ---- small helpers ---- */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void set_error(char **error, char *msg)
{
    if (error != NULL) {
        *error = msg;
    }
}

char *llm_clip_utf8(zm_arena_t *a, const char *s, size_t max_chars, int *truncated)
{
    size_t n, i, out = 0;
    char *d;

    if (truncated != NULL) {
        *truncated = 0;
    }
    if (s == NULL) {
        return zm_pstrdup(a, "");
    }
    n = strlen(s);
    i = zm_utf8_clip(s, n, max_chars);
    if (i < n && truncated != NULL) {
        *truncated = 1;
    }
    n = i;
    /* first pass: the size once repaired (a stray byte becomes U+FFFD), then the copy */
    for (i = 0; i < n;) {
        int32_t cp = zm_utf8_next(s, n, &i);
        out += zm_utf8_put(NULL, cp < 0 ? 0xfffd : cp);
    }
    d = zm_palloc(a, out + 1);
    if (d == NULL) {
        return NULL;
    }
    out = 0;
    for (i = 0; i < n;) {
        int32_t cp = zm_utf8_next(s, n, &i);
        out += zm_utf8_put(d + out, cp < 0 ? 0xfffd : cp);
    }
    d[out] = '\0';
    return d;
}

/* ---- growing buffers (malloc: a response may be larger than an arena wants to hold twice) ---- */

typedef struct {
    zm_buf_t buf; /* on the heap */
    int too_big;
} rbuf_t;

/* 0, or -1 when the buffer would pass RESPONSE_MAX (too_big set): the cap is recoverable, malloc is not */
static int rbuf_add(rbuf_t *b, const char *p, size_t n)
{
    int rc = zm_buf_append(NULL, &b->buf, p, n, RESPONSE_MAX);

    if (rc == ZM_ETOOBIG) {
        b->too_big = 1;
    }
    return rc == ZM_OK ? 0 : -1;
}

static void rbuf_free(rbuf_t *b)
{
    zm_buf_free(NULL, &b->buf);
    b->too_big = 0;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    size_t n = size * nmemb;

    /* a short count aborts the transfer with CURLE_WRITE_ERROR */
    return rbuf_add(ud, p, n) == 0 ? n : 0;
}

/* ---- Retry-After ---- */

long llm_retry_after_ms(const char *s, int ms)
{
    char *end;
    long x;
    time_t when, now;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    x = strtol(s, &end, 10);
    if (end != s && x >= 0 && x < RETRY_AFTER_CAP && (*end == '\r' || *end == '\n' || *end == '\0' || *end == ' ')) {
        return ms ? x : x * 1000;
    }
    if (ms) {
        return -1;
    }
    when = curl_getdate(s, NULL);
    now = (time_t)zm_now_s();
    if (when == (time_t)-1) {
        return -1;
    }
    if (when <= now) {
        return 0;
    }
    /* a date centuries ahead must not overflow the milliseconds */
    return when - now < RETRY_AFTER_CAP ? (long)(when - now) * 1000 : (RETRY_AFTER_CAP - 1) * 1000;
}

/* Retry-After (RFC 9110) and retry-after-ms (OpenAI, Azure): how long the
 * server wants us to wait, left at -1 when it did not say. */
static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    long *retry_after_ms = ud, x;
    size_t n = size * nmemb, skip;
    char v[128];
    int ms;

    if (n > 15 && strncasecmp(p, "retry-after-ms:", 15) == 0) {
        ms = 1;
        skip = 15;
    } else if (n > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
        ms = 0;
        skip = 12;
    } else {
        return n;
    }
    if (n - skip >= sizeof(v)) {
        return n;
    }
    memcpy(v, p + skip, n - skip);
    v[n - skip] = '\0';
    x = llm_retry_after_ms(v, ms);
    /* retry-after-ms is the more precise of the two: it wins whatever the order */
    if (x >= 0 && (ms || *retry_after_ms < 0)) {
        *retry_after_ms = x;
    }
    return n;
}

/* The message in an error body: {"error": {"message"}} (OpenAI, DeepSeek,
 * DashScope), {"error": "..."} (Ollama), {"message"} (vLLM), {"detail"};
 * else the start of the body itself. */
static char *api_message(zm_arena_t *a, const char *body, size_t len)
{
    json_object *root = json_tokener_parse(body), *e = NULL, *m = NULL;
    char *msg = NULL, *p;

    if (root != NULL && json_object_is_type(root, json_type_object)) {
        if (json_object_object_get_ex(root, "error", &e) && json_object_is_type(e, json_type_object)) {
            json_object_object_get_ex(e, "message", &m);
        } else if (e != NULL && json_object_is_type(e, json_type_string)) {
            m = e;
        } else if (!json_object_object_get_ex(root, "message", &m)) {
            json_object_object_get_ex(root, "detail", &m);
        }
        if (m != NULL && json_object_is_type(m, json_type_string)) {
            msg = llm_clip_utf8(a, json_object_get_string(m), DETAIL_MAX, NULL);
        }
    }
    json_object_put(root);
    if (msg == NULL) {
        msg = llm_clip_utf8(a, len ? body : "(empty body)", DETAIL_MAX, NULL);
    }
    /* one line: the reason ends up in logs and task records */
    for (p = msg; p != NULL && *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20) {
            *p = ' ';
        }
    }
    return msg;
}

/* ---- Server-Sent Events ---- */

void llm_sse_init(llm_sse_t *s, llm_sse_event_fn on_event, void *ud)
{
    memset(s, 0, sizeof(*s));
    s->on_event = on_event;
    s->ud = ud;
}

void llm_sse_free(llm_sse_t *s)
{
    zm_buf_free(NULL, &s->line);
    zm_buf_free(NULL, &s->data);
}

int llm_sse_pending(const llm_sse_t *s)
{
    return s->line.len > 0 || s->has_data;
}

/* n bytes onto b, under the parser's one cap on a line plus its event */
static int sse_grow(llm_sse_t *s, zm_buf_t *b, const char *p, size_t n)
{
    if (s->line.len + s->data.len + n > LLM_SSE_MAX) {
        return ZM_ETOOBIG;
    }
    return zm_buf_append(NULL, b, p, n, 0);
}

static int sse_line(llm_sse_t *s, const char *l, size_t n)
{
    const char *colon, *v;
    size_t fn, vn;
    int rc;

    if (!s->started) {
        s->started = 1;
        if (n >= 3 && memcmp(l, "\xef\xbb\xbf", 3) == 0) {
            l += 3;
            n -= 3;
        }
    }
    if (n == 0) {
        /* the end of an event: one with no data line is none */
        if (s->has_data) {
            const char *ev = s->event[0] ? s->event : "message";

            s->data.data[--s->data.len] = '\0'; /* the last line's "\n" */
            s->has_data = 0;
            rc = s->on_event(s->ud, ev, s->data.data, s->data.len);
            s->data.len = 0;
            s->event[0] = '\0';
            return rc;
        }
        s->event[0] = '\0';
        return 0;
    }
    if (l[0] == ':') {
        return 0; /* a comment: keep-alives */
    }
    colon = memchr(l, ':', n);
    fn = colon ? (size_t)(colon - l) : n;
    v = colon ? colon + 1 : l + n;
    vn = (size_t)(l + n - v);
    if (vn > 0 && v[0] == ' ') {
        v++;
        vn--;
    }
    if (fn == 4 && memcmp(l, "data", 4) == 0) {
        rc = sse_grow(s, &s->data, v, vn);
        if (rc == 0) {
            rc = sse_grow(s, &s->data, "\n", 1);
        }
        s->has_data = 1;
        return rc;
    }
    if (fn == 5 && memcmp(l, "event", 5) == 0) {
        vn = vn < sizeof(s->event) - 1 ? vn : sizeof(s->event) - 1;
        memcpy(s->event, v, vn);
        s->event[vn] = '\0';
    }
    return 0;
}

int llm_sse_feed(llm_sse_t *s, const char *buf, size_t len)
{
    size_t i = 0, j, n;
    int rc;

    if (s->rc != 0) {
        return s->rc;
    }
    while (i < len) {
        if (s->after_cr) {
            s->after_cr = 0;
            if (buf[i] == '\n') {
                i++;
                continue;
            }
        }
        for (j = i; j < len && buf[j] != '\n' && buf[j] != '\r'; j++) {
        }
        if (j > i) {
            rc = sse_grow(s, &s->line, buf + i, j - i);
            if (rc != 0) {
                return s->rc = rc;
            }
        }
        if (j == len) {
            break; /* the line goes on in the next piece */
        }
        s->after_cr = buf[j] == '\r';
        i = j + 1;
        n = s->line.len;
        s->line.len = 0; /* the line is read out of the buffer now: it no longer counts against the cap */
        rc = sse_line(s, s->line.data ? s->line.data : "", n);
        if (rc != 0) {
            return s->rc = rc;
        }
    }
    return 0;
}

/* ---- one call ---- */

/* What one call carries from request to request. */
typedef struct {
    zm_arena_t *a;
    const llm_conf_t *c;
    CURL *curl;
    struct curl_slist *headers;
    char *url;
    long timeout_ms;
    int max_retries;
    llm_usage_t *usage;
    char *error;
    char errbuf[CURL_ERROR_SIZE]; /* here, not on a stack frame: the handle keeps the pointer */
} call_t;

static int call_open(call_t *k, int stream)
{
    const llm_conf_t *c = k->c;
    const char *base = c->base_url, *key = c->api_key;
    size_t n;
    struct curl_slist *h = NULL, *t;
    CURLcode res = CURLE_OK;
    const char *add[4] = {"Content-Type: application/json",
                          stream ? "Accept: text/event-stream" : "Accept: application/json", "Expect:", NULL};

    if (base == NULL || base[0] == '\0') {
        k->error = zm_pstrdup(k->a, "llm.base_url is not set");
        return ZM_EINVAL;
    }
    if (c->model == NULL || c->model[0] == '\0') {
        k->error = zm_pstrdup(k->a, "llm.model is not set");
        return ZM_EINVAL;
    }
    /* the URL and key go into the request verbatim: no spaces or control bytes */
    for (const char *p = base; *p; p++) {
        if ((unsigned char)*p <= 0x20) {
            k->error = zm_pstrdup(k->a, "llm.base_url contains spaces or control characters");
            return ZM_EINVAL;
        }
    }
    if (strncasecmp(base, "http://", 7) != 0 && strncasecmp(base, "https://", 8) != 0) {
        k->error = zm_pstrdup(k->a, "llm.base_url must start with http:// or https://");
        return ZM_EINVAL;
    }
    if (key != NULL) {
        for (const char *p = key; *p; p++) {
            if ((unsigned char)*p < 0x20 || *p == 0x7f) {
                k->error = zm_pstrdup(k->a, "llm.api_key contains control characters");
                return ZM_EINVAL;
            }
        }
    }
    n = strlen(base);
    while (n > 0 && base[n - 1] == '/') {
        n--;
    }
    /* someone pasting the full endpoint gets what they meant */
    if (n >= 17 && strncmp(base + n - 17, "/chat/completions", 17) == 0) {
        k->url = zm_pstrndup(k->a, base, n);
    } else {
        k->url = zm_psprintf(k->a, "%.*s/chat/completions", (int)n, base);
    }
    if (k->url == NULL) {
        return ZM_ENOMEM;
    }

    for (int i = 0; add[i] != NULL; i++) {
        t = curl_slist_append(h, add[i]);
        if (t == NULL) {
            curl_slist_free_all(h);
            return ZM_ENOMEM;
        }
        h = t;
    }
    if (key != NULL && key[0] != '\0') {
        char *auth = zm_psprintf(k->a, "Authorization: Bearer %s", key);

        t = auth != NULL ? curl_slist_append(h, auth) : NULL;
        if (t == NULL) {
            curl_slist_free_all(h);
            return ZM_ENOMEM;
        }
        h = t;
    }
    k->headers = h;

    k->curl = curl_easy_init();
    if (k->curl == NULL) {
        return ZM_ENOMEM;
    }
    /* |= collects a failed setopt into one test */
    res |= curl_easy_setopt(k->curl, CURLOPT_URL, k->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    res |= curl_easy_setopt(k->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    res |= curl_easy_setopt(k->curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    res |= curl_easy_setopt(k->curl, CURLOPT_HTTPHEADER, k->headers);
    res |= curl_easy_setopt(k->curl, CURLOPT_USERAGENT, "zhimai/1");
    res |= curl_easy_setopt(k->curl, CURLOPT_TIMEOUT_MS, k->timeout_ms);
    /* no SIGALRM for DNS timeouts: this may run inside a threaded worker */
    res |= curl_easy_setopt(k->curl, CURLOPT_NOSIGNAL, 1L);
    res |= curl_easy_setopt(k->curl, CURLOPT_ACCEPT_ENCODING, "");
    res |= curl_easy_setopt(k->curl, CURLOPT_HEADERFUNCTION, on_header);
    /* redirects are not followed: a POST would turn into a GET, and the
     * key would travel to wherever the Location pointed */
    res |= curl_easy_setopt(k->curl, CURLOPT_FOLLOWLOCATION, 0L);
    if (res != CURLE_OK) {
        k->error = zm_pstrdup(k->a, "curl_easy_setopt failed");
        return ZM_ERR;
    }
    return ZM_OK;
}

static void call_close(call_t *k)
{
    if (k->curl != NULL) {
        curl_easy_cleanup(k->curl);
    }
    curl_slist_free_all(k->headers);
    k->curl = NULL;
    k->headers = NULL;
}

static int status_retryable(long status)
{
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

static int curl_retryable(CURLcode res)
{
    switch (res) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

/* A request that did not end in a usable 200, told apart: 1 when asking
 * again may help (*why is the reason), else the code to return with
 * k->error set.  b is the body that came, if any. */
static int failure(call_t *k, CURLcode res, long status, const rbuf_t *b, char **why)
{
    if (res == CURLE_OPERATION_TIMEDOUT) {
        /* not retried here: the server is slow or stuck, and a worker
         * waiting through it again helps nobody; the queue retries */
        k->error = zm_psprintf(k->a, "timed out after %ld ms", k->timeout_ms);
        return ZM_EAGAIN;
    }
    if (res == CURLE_WRITE_ERROR && b->too_big) {
        k->error = zm_psprintf(k->a, "response larger than %u bytes", RESPONSE_MAX);
        return ZM_ERR;
    }
    if (res != CURLE_OK) {
        *why = zm_psprintf(k->a, "%s", k->errbuf[0] ? k->errbuf : curl_easy_strerror(res));
        if (!curl_retryable(res)) {
            k->error = *why;
            return ZM_ERR;
        }
    } else {
        *why = zm_psprintf(k->a, "HTTP %ld: %s", status, api_message(k->a, b->buf.data ? b->buf.data : "", b->buf.len));
        if (!status_retryable(status)) {
            /* 400/401/403/404 and friends: asking again changes nothing */
            k->error = *why;
            return ZM_ERR;
        }
    }
    return *why != NULL ? 1 : ZM_ENOMEM;
}

/* After the try-th request failed for a reason worth retrying: ZM_OK once
 * the backoff was slept, else the code to end the call with (k->error set). */
static int backoff(call_t *k, int try, long retry_after, char *why)
{
    long wait;

    if (try >= k->max_retries) {
        k->error = try > 0 ? zm_psprintf(k->a, "%s (gave up after %d retries)", why, try) : why;
        return ZM_EAGAIN;
    }
    if (retry_after > RETRY_AFTER_MAX_MS) {
        k->error = zm_psprintf(k->a, "%s (server asks to retry after %ld s)", why, (retry_after + 999) / 1000);
        return ZM_EAGAIN;
    }
    wait = BACKOFF_FIRST_MS << (try < 5 ? try : 5);
    if (wait > BACKOFF_MAX_MS) {
        wait = BACKOFF_MAX_MS;
    }
    /* the server knows its own limits better than our doubling does */
    if (retry_after >= 0) {
        wait = retry_after;
    }
    zm_log_warn("llm: %s from %s; retry %d/%d in %ld ms", why, k->url, try + 1, k->max_retries, wait);
    sleep_ms(wait);
    return ZM_OK;
}

/* One request with its body handler and headers wired up: curl's verdict in *res, the HTTP
 * status in *status.  ZM_ERR (k->error set) when the handle could not be set up. */
static int perform(call_t *k, const char *body, curl_write_callback on_write, void *wd, long *retry_after, long *status,
                   CURLcode *out)
{
    CURLcode res = CURLE_OK;

    res |= curl_easy_setopt(k->curl, CURLOPT_POSTFIELDS, body);
    res |= curl_easy_setopt(k->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    res |= curl_easy_setopt(k->curl, CURLOPT_WRITEFUNCTION, on_write);
    res |= curl_easy_setopt(k->curl, CURLOPT_WRITEDATA, wd);
    res |= curl_easy_setopt(k->curl, CURLOPT_HEADERDATA, retry_after);
    res |= curl_easy_setopt(k->curl, CURLOPT_ERRORBUFFER, k->errbuf);
    *status = 0;
    if (res != CURLE_OK) {
        k->error = zm_pstrdup(k->a, "curl_easy_setopt failed");
        return ZM_ERR;
    }
    k->errbuf[0] = '\0';
    k->usage->attempts++;
    *out = curl_easy_perform(k->curl);
    curl_easy_getinfo(k->curl, CURLINFO_RESPONSE_CODE, status);
    return ZM_OK;
}

/* POST body until a 200 arrives, retrying what is worth retrying.  On
 * ZM_OK *resp is the parsed response (caller puts it). */
static int post(call_t *k, const char *body, json_object **resp)
{
    for (int try = 0;; try++) {
        rbuf_t b = {{NULL, 0, 0}, 0};
        long status = 0, retry_after = -1;
        char *why = NULL;
        CURLcode res;
        int rc;

        if (perform(k, body, on_body, &b, &retry_after, &status, &res) != ZM_OK) {
            return ZM_ERR;
        }
        if (res == CURLE_OK && status == 200) {
            *resp = json_tokener_parse(b.buf.data != NULL ? b.buf.data : "");
            if (*resp == NULL || !json_object_is_type(*resp, json_type_object)) {
                k->error = zm_psprintf(k->a, "the response is not a JSON object: %s",
                                       api_message(k->a, b.buf.data ? b.buf.data : "", b.buf.len));
                json_object_put(*resp);
                *resp = NULL;
                rbuf_free(&b);
                return ZM_ERR;
            }
            rbuf_free(&b);
            return ZM_OK;
        }
        rc = failure(k, res, status, &b, &why);
        rbuf_free(&b);
        if (rc != 1) {
            return rc;
        }
        rc = backoff(k, try, retry_after, why);
        if (rc != ZM_OK) {
            return rc;
        }
    }
}

/* ---- the request and the answer ---- */

/* The request body (arena string). */
static char *request_body(call_t *k, const llm_message_t *msgs, size_t n, int flags, int stream)
{
    json_object *req = json_object_new_object(), *arr = json_object_new_array();
    char *s = NULL;
    char t[32];
    int bad = req == NULL || arr == NULL;

    for (size_t i = 0; i < n && !bad; i++) {
        json_object *m = json_object_new_object();

        bad |= m == NULL;
        if (!bad) {
            bad |= json_object_object_add(m, "role", json_object_new_string(msgs[i].role)) != 0;
            bad |= json_object_object_add(m, "content", json_object_new_string(msgs[i].content)) != 0;
            bad |= json_object_array_add(arr, m) != 0;
        }
    }
    if (!bad) {
        bad |= json_object_object_add(req, "model", json_object_new_string(k->c->model)) != 0;
        bad |= json_object_object_add(req, "messages", arr) != 0;
        arr = NULL;
        if (k->c->temperature >= 0) {
            /* "0.2" on the wire, not json-c's 0.20000000000000001 */
            snprintf(t, sizeof(t), "%.3g", k->c->temperature);
            bad |= json_object_object_add(req, "temperature", json_object_new_double_s(k->c->temperature, t)) != 0;
        }
        if (flags & LLM_JSON_OBJECT) {
            json_object *rf = json_object_new_object();

            bad |= rf == NULL || json_object_object_add(rf, "type", json_object_new_string("json_object")) != 0;
            bad |= json_object_object_add(req, "response_format", rf) != 0;
        }
        bad |= json_object_object_add(req, "stream", json_object_new_boolean(stream)) != 0;
        if (stream) {
            /* the token counts come in a last chunk of their own */
            json_object *so = json_object_new_object();

            bad |= so == NULL || json_object_object_add(so, "include_usage", json_object_new_boolean(1)) != 0;
            bad |= json_object_object_add(req, "stream_options", so) != 0;
        }
    }
    if (!bad) {
        s = zm_pstrdup(k->a,
                       json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    }
    json_object_put(arr);
    json_object_put(req);
    return s;
}

static long get_long(json_object *o, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int)) {
        return 0;
    }
    return (long)json_object_get_int64(v);
}

/* The counts in a "usage" object, into u; 0 when there is none. */
static int read_usage(json_object *o, long u[3])
{
    json_object *us;

    if (!json_object_object_get_ex(o, "usage", &us) || !json_object_is_type(us, json_type_object)) {
        return 0;
    }
    u[0] = get_long(us, "prompt_tokens");
    u[1] = get_long(us, "completion_tokens");
    u[2] = get_long(us, "total_tokens");
    return 1;
}

static void add_usage(llm_usage_t *usage, const long u[3])
{
    usage->prompt_tokens += u[0];
    usage->completion_tokens += u[1];
    usage->total_tokens += u[2] > 0 ? u[2] : u[0] + u[1];
}

static void read_model(call_t *k, json_object *o)
{
    json_object *v;

    /* a stream names it in every chunk: one copy will do */
    if (json_object_object_get_ex(o, "model", &v) && json_object_is_type(v, json_type_string) &&
        (k->usage->model == NULL || strcmp(k->usage->model, json_object_get_string(v)) != 0)) {
        k->usage->model = zm_pstrdup(k->a, json_object_get_string(v));
    }
}

/* "API error: ..." when the object carries an error: some gateways answer 200 with one inside */
static int api_error(call_t *k, json_object *o)
{
    json_object *v;

    if (json_object_object_get_ex(o, "error", &v) && v != NULL) {
        k->error = zm_psprintf(k->a, "API error: %s", api_message(k->a, json_object_to_json_string(o), 1));
        return ZM_ERR;
    }
    return ZM_OK;
}

/* A string member with some text, else NULL. */
static json_object *text_member(json_object *o, const char *key)
{
    json_object *v;

    if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) &&
        json_object_get_string_len(v) > 0) {
        return v;
    }
    return NULL;
}

/* A whole chat completion into *ans.  ZM_ERR when it is not one. */
static int read_answer(call_t *k, json_object *resp, llm_answer_t *ans)
{
    json_object *v, *choices, *choice, *msg;
    long u[3];

    if (read_usage(resp, u)) {
        add_usage(k->usage, u);
    }
    read_model(k, resp);
    if (api_error(k, resp) != ZM_OK) {
        return ZM_ERR;
    }
    if (!json_object_object_get_ex(resp, "choices", &choices) || !json_object_is_type(choices, json_type_array) ||
        json_object_array_length(choices) == 0 ||
        !json_object_is_type(choice = json_object_array_get_idx(choices, 0), json_type_object) ||
        !json_object_object_get_ex(choice, "message", &msg) || !json_object_is_type(msg, json_type_object)) {
        k->error = zm_pstrdup(k->a, "the response has no choices[0].message");
        return ZM_ERR;
    }
    if (json_object_object_get_ex(choice, "finish_reason", &v) && json_object_is_type(v, json_type_string)) {
        ans->finish_reason = zm_pstrdup(k->a, json_object_get_string(v));
    }
    if ((v = text_member(msg, "refusal")) != NULL) {
        ans->refusal = zm_pstrndup(k->a, json_object_get_string(v), (size_t)json_object_get_string_len(v));
        if (ans->refusal == NULL) {
            return ZM_ENOMEM;
        }
    }
    if ((v = text_member(msg, "content")) != NULL) {
        ans->len = (size_t)json_object_get_string_len(v);
        ans->text = zm_pstrndup(k->a, json_object_get_string(v), ans->len);
        if (ans->text == NULL) {
            return ZM_ENOMEM;
        }
    }
    return ZM_OK;
}

/* Argument checks and the call's state, shared by both entry points. */
static int call_begin(call_t *k, zm_arena_t *a, const llm_conf_t *c, const llm_message_t *msgs, size_t n,
                      llm_answer_t *ans, llm_usage_t *usage, char **error)
{
    memset(k, 0, sizeof(*k));
    set_error(error, NULL);
    if (ans != NULL) {
        memset(ans, 0, sizeof(*ans));
    }
    if (a == NULL || c == NULL || msgs == NULL || n == 0 || ans == NULL || usage == NULL) {
        return ZM_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (msgs[i].role == NULL || msgs[i].content == NULL) {
            return ZM_EINVAL;
        }
    }
    k->a = a;
    k->c = c;
    k->usage = usage;
    k->timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : TIMEOUT_DEFAULT_MS;
    k->max_retries = c->max_retries > 0 ? c->max_retries : 0;
    return ZM_OK;
}

static int call_end(call_t *k, int rc, long t0, char **error)
{
    call_close(k);
    k->usage->elapsed_ms += zm_mono_ms() - t0;
    if (rc != ZM_OK) {
        if (rc == ZM_ENOMEM && k->error == NULL) {
            k->error = zm_pstrdup(k->a, "out of memory");
        }
        set_error(error, k->error);
    }
    return rc;
}

int llm_chat(zm_arena_t *a, const llm_conf_t *c, const llm_message_t *msgs, size_t n, int flags, llm_answer_t *ans,
             llm_usage_t *usage, char **error)
{
    llm_usage_t ignored = {0};
    json_object *resp = NULL;
    long t0 = zm_mono_ms();
    call_t k;
    char *body;
    int rc;

    rc = call_begin(&k, a, c, msgs, n, ans, usage ? usage : &ignored, error);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = call_open(&k, 0);
    if (rc == ZM_OK) {
        body = request_body(&k, msgs, n, flags, 0);
        rc = body != NULL ? post(&k, body, &resp) : ZM_ENOMEM;
    }
    if (rc == ZM_OK) {
        rc = read_answer(&k, resp, ans);
    }
    json_object_put(resp);
    return call_end(&k, rc, t0, error);
}

/* ---- streaming ---- */

enum { BODY_UNKNOWN, BODY_SSE, BODY_PLAIN };

typedef struct {
    call_t *k;
    llm_delta_fn on_delta;
    void *ud;
    llm_sse_t sse;
    /* this request */
    int kind;     /* BODY_*: decided at its first bytes */
    rbuf_t plain; /* a body that is not an event stream: an error, or a server that ignored "stream" */
    int done;     /* data: [DONE] arrived */
    int stop;     /* why the body handler stopped the transfer: ZM_ERR (k->error set), ZM_ENOMEM,
                   * LLM_ECANCELED; 0 while it did not */
    long u[3];    /* the last usage chunk */
    int have_usage;
    rbuf_t refusal;
    char *finish; /* arena */
    /* the call */
    rbuf_t text;      /* every delta so far */
    size_t delivered; /* bytes handed to on_delta: once any were, nothing is retried */
} stream_t;

/* Stop the transfer with ZM_ERR and this reason (or ZM_ENOMEM when it cannot be written). */
static int stream_fail(stream_t *st, char *why)
{
    st->k->error = why;
    return st->stop = why != NULL ? ZM_ERR : ZM_ENOMEM;
}

/* n more bytes of the answer's text (or of its refusal) */
static int stream_keep(stream_t *st, rbuf_t *b, const char *p, size_t n)
{
    if (rbuf_add(b, p, n) == 0) {
        return 0;
    }
    if (!b->too_big) {
        return st->stop = ZM_ENOMEM;
    }
    return stream_fail(st, zm_psprintf(st->k->a, "response larger than %u bytes", RESPONSE_MAX));
}

/* One event of the stream: a chat.completion.chunk, [DONE], or an error. */
static int on_event(void *ud, const char *event, const char *data, size_t len)
{
    stream_t *st = ud;
    call_t *k = st->k;
    json_tokener *tok;
    json_object *o, *choices, *choice, *delta, *v;
    size_t end;
    int rc = 0;

    if (st->done) {
        return 0; /* nothing after [DONE] counts */
    }
    if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
        st->done = 1;
        return 0;
    }
    tok = json_tokener_new_ex(JSON_DEPTH);
    if (tok == NULL) {
        return st->stop = ZM_ENOMEM;
    }
    o = json_tokener_parse_ex(tok, data, (int)len);
    end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    while (o != NULL && end < len && isspace((unsigned char)data[end])) {
        end++;
    }
    if (o == NULL || end < len || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return stream_fail(st, zm_psprintf(k->a, "the stream has an event that is not a JSON object: %s",
                                           api_message(k->a, data, len)));
    }
    read_model(k, o);
    if (read_usage(o, st->u)) {
        /* servers that count as they go send it in every chunk: the last one is the total */
        st->have_usage = 1;
    }
    if (api_error(k, o) != ZM_OK || strcmp(event, "error") == 0) {
        json_object_put(o);
        return stream_fail(st, k->error ? k->error : zm_psprintf(k->a, "API error: %s", api_message(k->a, data, len)));
    }
    /* the usage chunk has no choices; the first has only a role */
    if (json_object_object_get_ex(o, "choices", &choices) && json_object_is_type(choices, json_type_array) &&
        json_object_array_length(choices) > 0 &&
        json_object_is_type(choice = json_object_array_get_idx(choices, 0), json_type_object)) {
        if (json_object_object_get_ex(choice, "finish_reason", &v) && json_object_is_type(v, json_type_string)) {
            st->finish = zm_pstrdup(k->a, json_object_get_string(v));
        }
        if (json_object_object_get_ex(choice, "delta", &delta) && json_object_is_type(delta, json_type_object)) {
            if ((v = text_member(delta, "refusal")) != NULL) {
                rc = stream_keep(st, &st->refusal, json_object_get_string(v), (size_t)json_object_get_string_len(v));
            }
            if (rc == 0 && (v = text_member(delta, "content")) != NULL) {
                const char *t = json_object_get_string(v);
                size_t n = (size_t)json_object_get_string_len(v);

                rc = stream_keep(st, &st->text, t, n);
                if (rc == 0) {
                    st->delivered += n;
                    if (st->on_delta(st->ud, t, n) != 0) {
                        rc = st->stop = LLM_ECANCELED;
                    }
                }
            }
        }
    }
    json_object_put(o);
    return rc;
}

/* What the body is, once the headers are in: an event stream, or a plain
 * body (an error, or one answer from a server that does not stream). */
static void body_kind(stream_t *st)
{
    long status = 0;
    char *ct = NULL;

    curl_easy_getinfo(st->k->curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(st->k->curl, CURLINFO_CONTENT_TYPE, &ct);
    st->kind = status == 200 && (ct == NULL || strcasestr(ct, "json") == NULL) ? BODY_SSE : BODY_PLAIN;
}

/* The body as it arrives: into the event parser, or kept whole when it is not an event stream. */
static size_t on_stream_body(char *p, size_t size, size_t nmemb, void *ud)
{
    stream_t *st = ud;
    size_t n = size * nmemb;
    int rc;

    if (st->kind == BODY_UNKNOWN) {
        body_kind(st);
    }
    if (st->kind == BODY_PLAIN) {
        return stream_keep(st, &st->plain, p, n) == 0 ? n : 0;
    }
    rc = llm_sse_feed(&st->sse, p, n);
    if (rc != 0 && st->stop == 0) {
        /* the parser's own: an event over its cap, or no memory */
        if (rc == ZM_ETOOBIG) {
            stream_fail(st, zm_psprintf(st->k->a, "a stream event larger than %u bytes", LLM_SSE_MAX));
        } else {
            st->stop = ZM_ENOMEM;
        }
    }
    return rc == 0 ? n : 0;
}

static void stream_reset(stream_t *st)
{
    llm_sse_free(&st->sse);
    llm_sse_init(&st->sse, on_event, st);
    rbuf_free(&st->plain);
    rbuf_free(&st->refusal);
    st->kind = BODY_UNKNOWN;
    st->done = st->stop = st->have_usage = 0;
    st->finish = NULL;
}

/* A 200 that was not an event stream: one whole answer, handed on as one delta. */
static int stream_plain(call_t *k, stream_t *st, llm_answer_t *ans)
{
    json_object *resp = json_tokener_parse(st->plain.buf.data != NULL ? st->plain.buf.data : "");
    int rc;

    if (resp == NULL || !json_object_is_type(resp, json_type_object)) {
        k->error = zm_psprintf(k->a, "the response is not a JSON object: %s",
                               api_message(k->a, st->plain.buf.data ? st->plain.buf.data : "", st->plain.buf.len));
        json_object_put(resp);
        return ZM_ERR;
    }
    rc = read_answer(k, resp, ans);
    json_object_put(resp);
    if (rc == ZM_OK && ans->len > 0) {
        st->delivered = ans->len;
        if (st->on_delta(st->ud, ans->text, ans->len) != 0) {
            k->error = zm_pstrdup(k->a, "stopped by the caller");
            return LLM_ECANCELED;
        }
    }
    return rc;
}

/* rc, with what the last request brought into *ans (the text so far, its
 * ends) and its token counts into the usage. */
static int stream_answer(call_t *k, stream_t *st, llm_answer_t *ans, int rc)
{
    if (st->have_usage) {
        add_usage(k->usage, st->u);
        st->have_usage = 0;
    }
    ans->finish_reason = st->finish;
    if (st->text.buf.len > 0) {
        ans->text = zm_pstrndup(k->a, st->text.buf.data, st->text.buf.len);
        ans->len = st->text.buf.len;
    }
    if (st->refusal.buf.len > 0) {
        ans->refusal = zm_pstrndup(k->a, st->refusal.buf.data, st->refusal.buf.len);
    }
    if ((st->text.buf.len > 0 && ans->text == NULL) || (st->refusal.buf.len > 0 && ans->refusal == NULL)) {
        return ZM_ENOMEM;
    }
    return rc;
}

/* POST body and follow the stream, retrying what is worth retrying while no delta was handed on. */
static int post_stream(call_t *k, const char *body, stream_t *st, llm_answer_t *ans)
{
    for (int try = 0;; try++) {
        long status = 0, retry_after = -1;
        char *why = NULL;
        CURLcode res;
        int rc;

        stream_reset(st);
        if (perform(k, body, on_stream_body, st, &retry_after, &status, &res) != ZM_OK) {
            return ZM_ERR;
        }
        if (st->stop == LLM_ECANCELED) {
            k->error = zm_pstrdup(k->a, "stopped by the caller");
        }
        if (st->stop != 0) {
            return stream_answer(k, st, ans, st->stop);
        }
        if (status == 200 && st->kind == BODY_UNKNOWN) {
            body_kind(st); /* an empty body */
        }
        if (status == 200 && st->kind == BODY_PLAIN && res == CURLE_OK) {
            return stream_plain(k, st, ans);
        }
        if (status != 200 || st->kind != BODY_SSE || res == CURLE_OPERATION_TIMEDOUT) {
            /* an error status, no answer at all, a plain body cut short, a timeout: as llm_chat */
            rc = failure(k, res, status, &st->plain, &why);
            if (rc != 1) {
                return stream_answer(k, st, ans, rc);
            }
        } else if (st->done || (res == CURLE_OK && st->finish != NULL)) {
            /* complete; curl may still complain about the connection closing after [DONE] */
            return stream_answer(k, st, ans, ZM_OK);
        } else {
            if (res == CURLE_OK) {
                why = zm_psprintf(k->a, "the stream ended before [DONE]%s",
                                  llm_sse_pending(&st->sse) ? " in the middle of an event" : "");
            } else {
                why = zm_psprintf(k->a, "the stream broke off: %s", k->errbuf[0] ? k->errbuf : curl_easy_strerror(res));
            }
            if (why == NULL) {
                return ZM_ENOMEM;
            }
            if (res != CURLE_OK && !curl_retryable(res)) {
                k->error = why;
                return stream_answer(k, st, ans, ZM_ERR);
            }
            if (st->delivered > 0) {
                /* the caller has shown part of an answer: a second one would not continue it */
                k->error = zm_psprintf(k->a, "%s, after %zu bytes of the answer", why, st->delivered);
                return stream_answer(k, st, ans, k->error != NULL ? ZM_EAGAIN : ZM_ENOMEM);
            }
        }
        if (st->have_usage) {
            add_usage(k->usage, st->u);
        }
        rc = backoff(k, try, retry_after, why);
        if (rc != ZM_OK) {
            return rc;
        }
    }
}

int llm_chat_stream(zm_arena_t *a, const llm_conf_t *c, const llm_message_t *msgs, size_t n, int flags,
                    llm_delta_fn on_delta, void *ud, llm_answer_t *ans, llm_usage_t *usage, char **error)
{
    llm_usage_t ignored = {0};
    long t0 = zm_mono_ms();
    stream_t st;
    call_t k;
    char *body;
    int rc;

    rc = call_begin(&k, a, c, msgs, n, ans, usage ? usage : &ignored, error);
    if (rc == ZM_OK && on_delta == NULL) {
        rc = ZM_EINVAL;
    }
    if (rc != ZM_OK) {
        return rc;
    }
    memset(&st, 0, sizeof(st));
    st.k = &k;
    st.on_delta = on_delta;
    st.ud = ud;
    llm_sse_init(&st.sse, on_event, &st);
    rc = call_open(&k, 1);
    if (rc == ZM_OK) {
        body = request_body(&k, msgs, n, flags, 1);
        rc = body != NULL ? post_stream(&k, body, &st, ans) : ZM_ENOMEM;
    }
    llm_sse_free(&st.sse);
    rbuf_free(&st.plain);
    rbuf_free(&st.refusal);
    rbuf_free(&st.text);
    return call_end(&k, rc, t0, error);
}
