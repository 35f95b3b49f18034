/*
 * events.c -- publish task events to nchan (see events.h).
 *
 * One libcurl handle per runner process, kept alive between events so a
 * publish is one request on an open loopback connection.  Timeouts are
 * short: the hook runs in the runner's main thread, between a task's
 * database writes.
 */
#include "events.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

#define EVENTS_TIMEOUT_MS 500
#define EVENTS_CONNECT_TIMEOUT_MS 200
#define EVENTS_RESULT_MAX (256 * 1024) /* a bigger result is left out: the client GETs the task */

static struct {
    CURL *curl;
    struct curl_slist *headers;
    pid_t pid;
    int failing; /* the last publish failed: log again only after a success */
} ev;

static size_t discard(char *ptr, size_t size, size_t nmemb, void *ud)
{
    (void)ptr;
    (void)ud;
    return size * nmemb;
}

static CURL *handle(void)
{
    if (ev.curl && ev.pid == getpid()) {
        return ev.curl;
    }
    /* a handle inherited through fork() belongs to the parent's connections: start afresh */
    ev.curl = NULL;
    ev.headers = NULL;
    ev.pid = getpid();
    ev.curl = curl_easy_init();
    if (ev.curl == NULL) {
        return NULL;
    }
    ev.headers = curl_slist_append(NULL, "Content-Type: application/json");
    ev.headers = curl_slist_append(ev.headers, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(ev.curl, CURLOPT_HTTPHEADER, ev.headers);
    curl_easy_setopt(ev.curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(ev.curl, CURLOPT_TIMEOUT_MS, (long)EVENTS_TIMEOUT_MS);
    curl_easy_setopt(ev.curl, CURLOPT_CONNECTTIMEOUT_MS, (long)EVENTS_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(ev.curl, CURLOPT_PROXY, ""); /* loopback: never through http_proxy */
    curl_easy_setopt(ev.curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(ev.curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(ev.curl, CURLOPT_WRITEFUNCTION, discard);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(ev.curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(ev.curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    return ev.curl;
}

static json_object *parse_or_null(const char *s)
{
    return s ? json_tokener_parse(s) : NULL;
}

char *events_message(const task_ctx_t *ctx, const char *state, int pct)
{
    json_object *o = json_object_new_object();
    int final = strcmp(state, "done") == 0 || strcmp(state, "failed") == 0;
    char *s;

    if (o == NULL) {
        return NULL;
    }
    json_object_object_add(o, "task_id", json_object_new_int64(ctx->id));
    json_object_object_add(o, "type", json_object_new_string(ctx->type ? ctx->type : ""));
    json_object_object_add(o, "state", json_object_new_string(state));
    json_object_object_add(o, "progress", json_object_new_int(pct < 0 ? 0 : pct > 100 ? 100 : pct));
    json_object_object_add(o, "final", json_object_new_boolean(final));
    if (strcmp(state, "running") != 0) {
        /* the hook does not carry the outcome: read it back (the write just happened on this connection) */
        task_info_t t;
        if (task_get(ctx->db, ctx->a, ctx->id, &t) == ZM_OK) {
            if (strcmp(state, "done") == 0) {
                if (t.result_json && strlen(t.result_json) > EVENTS_RESULT_MAX) {
                    json_object_object_add(o, "result_omitted", json_object_new_boolean(1));
                } else {
                    json_object_object_add(o, "result", parse_or_null(t.result_json));
                }
            } else {
                json_object_object_add(o, "error", parse_or_null(t.error_json));
                json_object_object_add(o, "attempts", json_object_new_int(t.attempts));
            }
        }
    }
    s = zm_pstrdup(ctx->a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return s;
}

void events_publish(const task_ctx_t *ctx, const char *state, int pct)
{
    const char *base = zm_conf_str("events.publish_url");
    char url[1024];
    long status = 0;
    char *msg;
    CURL *c;
    CURLcode cc;
    size_t n;

    if (base == NULL || base[0] == '\0' || ctx->user_id <= 0 || state == NULL) {
        return;
    }
    n = strlen(base);
    while (n > 0 && base[n - 1] == '/') {
        n--;
    }
    if (snprintf(url, sizeof(url), "%.*s/task_%lld", (int)n, base, (long long)ctx->id) >= (int)sizeof(url)) {
        return;
    }
    msg = events_message(ctx, state, pct);
    c = handle();
    if (msg == NULL || c == NULL) {
        return;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, msg);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(msg));
    cc = curl_easy_perform(c);
    if (cc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    if (cc == CURLE_OK && status >= 200 && status < 300) {
        if (ev.failing) {
            zm_log_info("events: publishing to %s works again", base);
            ev.failing = 0;
        }
        return;
    }
    if (!ev.failing) {
        if (cc != CURLE_OK) {
            zm_log_warn(
                "events: task %lld %s: POST %s failed: %s (further failures are not logged until a publish succeeds)",
                (long long)ctx->id, state, url, curl_easy_strerror(cc));
        } else {
            zm_log_warn(
                "events: task %lld %s: POST %s answered %ld (further failures are not logged until a publish succeeds)",
                (long long)ctx->id, state, url, status);
        }
        ev.failing = 1;
    }
}

void events_install(void)
{
    task_progress_hook = events_publish;
}
