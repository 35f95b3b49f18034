/*
 * fetch.c -- one bounded GET over libcurl.  See fetch.h.
 */
#include "fetch.h"

#include <curl/curl.h>
#include <string.h>

#include "buf.h"

typedef struct {
    zm_arena_t *a;
    zm_buf_t *b;
    size_t max;
    int over;
} sink_t;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    sink_t *s = ud;
    size_t k = size * n;

    int rc = zm_buf_append(s->a, s->b, p, k, s->max);

    s->over |= rc == ZM_ETOOBIG;
    return rc == ZM_OK ? k : 0;
}

int fetch_get(zm_arena_t *a, const char *url, long timeout_ms, size_t max, char **body, size_t *len, const char **error)
{
    const char *why = NULL;
    zm_buf_t b;
    sink_t s = {a, &b, max, 0};
    CURL *c;
    CURLcode cc;
    long status = 0;
    int rc = ZM_OK;

    if (url == NULL || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)) {
        if (error) {
            *error = "not an http(s) URL";
        }
        return ZM_EINVAL;
    }
    if ((c = curl_easy_init()) == NULL) {
        zm_oom();
    }
    memset(&b, 0, sizeof(b));
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 30000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "zhimai/1");
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (s.over) {
        why = "the answer is over its cap";
        rc = ZM_ETOOBIG;
    } else if (cc != CURLE_OK) {
        why = zm_psprintf(a, "%s", curl_easy_strerror(cc));
        rc = ZM_EAGAIN;
    } else if (status >= 500 || status == 429 || status == 408) {
        why = zm_psprintf(a, "HTTP %ld", status);
        rc = ZM_EAGAIN;
    } else if (status < 200 || status > 299) {
        why = zm_psprintf(a, "HTTP %ld", status);
        rc = ZM_ERR;
    } else if ((*body = zm_pstrndup(a, b.len ? b.data : "", b.len)) == NULL) {
        rc = ZM_ENOMEM;
    } else {
        *len = b.len;
    }
    if (error && why) {
        *error = why;
    }
    return rc;
}
