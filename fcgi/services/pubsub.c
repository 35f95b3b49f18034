/*
 * pubsub.c -- POST messages to nchan's publisher (see pubsub.h).
 */
#include "pubsub.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

#define PUBSUB_TIMEOUT_MS 500
#define PUBSUB_CONNECT_TIMEOUT_MS 200

static struct {
    CURL *curl;
    struct curl_slist *headers;
    pid_t pid;
    int failing; /* the last publish failed: log again only after a success */
} ps;

static size_t discard(char *ptr, size_t size, size_t nmemb, void *ud)
{
    (void)ptr;
    (void)ud;
    return size * nmemb;
}

static CURL *handle(void)
{
    if (ps.curl && ps.pid == getpid()) {
        return ps.curl;
    }
    /* a handle inherited through fork() belongs to the parent's connections: start afresh */
    ps.curl = NULL;
    ps.headers = NULL;
    ps.pid = getpid();
    ps.curl = curl_easy_init();
    if (ps.curl == NULL) {
        return NULL;
    }
    ps.headers = curl_slist_append(NULL, "Content-Type: application/json");
    ps.headers = curl_slist_append(ps.headers, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(ps.curl, CURLOPT_HTTPHEADER, ps.headers);
    curl_easy_setopt(ps.curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(ps.curl, CURLOPT_TIMEOUT_MS, (long)PUBSUB_TIMEOUT_MS);
    curl_easy_setopt(ps.curl, CURLOPT_CONNECTTIMEOUT_MS, (long)PUBSUB_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(ps.curl, CURLOPT_PROXY, ""); /* loopback: never through http_proxy */
    curl_easy_setopt(ps.curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(ps.curl, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(ps.curl, CURLOPT_WRITEFUNCTION, discard);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(ps.curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(ps.curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    return ps.curl;
}

/* A channel is one path segment of the publisher's URL: nothing that could leave it. */
static int channel_ok(const char *channel)
{
    if (channel == NULL || channel[0] == '\0' || strcmp(channel, ".") == 0 || strcmp(channel, "..") == 0) {
        return 0;
    }
    return strspn(channel, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(channel);
}

int pubsub_enabled(void)
{
    const char *base = zm_conf_str("events.publish_url");

    return base != NULL && base[0] != '\0';
}

int pubsub_publish(const char *channel, const char *json)
{
    const char *base = zm_conf_str("events.publish_url");
    char url[1024];
    long status = 0;
    CURL *c;
    CURLcode cc;
    size_t n;

    if (base == NULL || base[0] == '\0') {
        return ZM_OK;
    }
    if (!channel_ok(channel) || json == NULL) {
        return ZM_EINVAL;
    }
    n = strlen(base);
    while (n > 0 && base[n - 1] == '/') {
        n--;
    }
    if (snprintf(url, sizeof(url), "%.*s/%s", (int)n, base, channel) >= (int)sizeof(url)) {
        return ZM_EINVAL;
    }
    c = handle();
    if (c == NULL) {
        return ZM_ERR;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
    cc = curl_easy_perform(c);
    if (cc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    if (cc == CURLE_OK && status >= 200 && status < 300) {
        if (ps.failing) {
            zm_log_info("pubsub: publishing to %s works again", base);
            ps.failing = 0;
        }
        return ZM_OK;
    }
    if (!ps.failing) {
        if (cc != CURLE_OK) {
            zm_log_warn("pubsub: POST %s failed: %s (further failures are not logged until a publish succeeds)", url,
                        curl_easy_strerror(cc));
        } else {
            zm_log_warn("pubsub: POST %s answered %ld (further failures are not logged until a publish succeeds)", url,
                        status);
        }
        ps.failing = 1;
    }
    return ZM_ERR;
}

int pubsub_publish_json(const char *channel, json_object *o)
{
    const char *json =
        o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;

    return pubsub_publish(channel, json);
}
