/*
 * feed.c -- the workplace news feed: read it (a file or an http(s) URL) and
 * parse it.  The feed is untrusted input (tests/fuzz/fuzz_news_feed.c):
 * strict UTF-8, a depth limit, caps on bytes, items and every field.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content.h"
#include "fetch.h"
#include "str.h"

/* the value of key as text trimmed of white space, NULL when absent or null; *bad when present but
 * not a string, not clean UTF-8 (controls), empty, or over max characters */
static const char *text_field(zm_arena_t *a, json_object *item, const char *key, size_t max, int *bad)
{
    json_object *v;
    const char *s;
    size_t n;

    if (!json_object_object_get_ex(item, key, &v) || v == NULL) {
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string)) {
        *bad = 1;
        return NULL;
    }
    s = json_object_get_string(v);
    n = (size_t)json_object_get_string_len(v);
    if (strlen(s) != n || !zm_utf8_valid(s, n)) {
        *bad = 1;
        return NULL;
    }
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
        s++, n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) {
        n--;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
            *bad = 1;
            return NULL;
        }
    }
    if (n == 0 || zm_utf8_chars(s, n) > max) {
        *bad = n > 0;
        return NULL;
    }
    return zm_pstrndup(a, s, n);
}

/* one tag: non-empty, no comma, at most CONTENT_TAG_MAX characters, no controls */
static int tag_ok(const char *s, size_t n)
{
    if (n == 0 || !zm_utf8_valid(s, n) || zm_utf8_chars(s, n) > CONTENT_TAG_MAX) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == ',') {
            return 0;
        }
    }
    return 1;
}

static int tags_field(zm_arena_t *a, json_object *item, content_news_in_t *out)
{
    json_object *v;
    const char **tags = zm_palloc(a, CONTENT_NEWS_TAGS * sizeof(*tags));
    int n = 0;

    if (tags == NULL) {
        return ZM_ENOMEM;
    }
    out->tags = tags;
    out->ntags = 0;
    if (!json_object_object_get_ex(item, "tags", &v) || v == NULL) {
        return ZM_OK;
    }
    if (json_object_is_type(v, json_type_array)) {
        size_t len = json_object_array_length(v);
        if (len > CONTENT_NEWS_TAGS) {
            return ZM_EINVAL;
        }
        for (size_t i = 0; i < len; i++) {
            json_object *t = json_object_array_get_idx(v, i);
            const char *s;
            size_t k;
            if (!json_object_is_type(t, json_type_string)) {
                return ZM_EINVAL;
            }
            s = json_object_get_string(t);
            k = (size_t)json_object_get_string_len(t);
            if (strlen(s) != k || !tag_ok(s, k)) {
                return ZM_EINVAL;
            }
            tags[n++] = zm_pstrndup(a, s, k);
        }
    } else if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        size_t total = (size_t)json_object_get_string_len(v);
        if (strlen(s) != total) {
            return ZM_EINVAL;
        }
        while (*s) {
            size_t k = strcspn(s, ",");
            const char *p = s;
            size_t m = k;
            while (m > 0 && *p == ' ') {
                p++, m--;
            }
            while (m > 0 && p[m - 1] == ' ') {
                m--;
            }
            if (m > 0) {
                if (n == CONTENT_NEWS_TAGS || !tag_ok(p, m)) {
                    return ZM_EINVAL;
                }
                tags[n++] = zm_pstrndup(a, p, m);
            }
            s += k + (s[k] == ',');
        }
    } else {
        return ZM_EINVAL;
    }
    for (int i = 0; i < n; i++) {
        if (tags[i] == NULL) {
            return ZM_ENOMEM;
        }
    }
    out->ntags = n;
    return ZM_OK;
}

static int time_field(json_object *item, int64_t now, int64_t *out)
{
    json_object *v;

    *out = now;
    if (!json_object_object_get_ex(item, "published_at", &v) || v == NULL) {
        return ZM_OK;
    }
    if (json_object_is_type(v, json_type_int)) {
        int64_t t = json_object_get_int64(v);
        /* 2000-01-01 .. 2099-12-31, as content_time_parse takes */
        if (t < 946684800 || t > 4102444799) {
            return ZM_EINVAL;
        }
        *out = t;
        return ZM_OK;
    }
    if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        if (strlen(s) != (size_t)json_object_get_string_len(v)) {
            return ZM_EINVAL;
        }
        return content_time_parse(s, out);
    }
    return ZM_EINVAL;
}

static int parse_item(zm_arena_t *a, json_object *item, int64_t now, content_news_in_t *it)
{
    int bad = 0, rc;

    if (!json_object_is_type(item, json_type_object)) {
        return ZM_EINVAL;
    }
    memset(it, 0, sizeof(*it));
    it->title = text_field(a, item, "title", CONTENT_NEWS_TITLE_MAX, &bad);
    it->url = text_field(a, item, "url", CONTENT_NEWS_URL_MAX, &bad);
    it->source = text_field(a, item, "source", CONTENT_NEWS_SOURCE_MAX, &bad);
    it->summary = text_field(a, item, "summary", CONTENT_NEWS_SUMMARY_MAX, &bad);
    if (bad || it->title == NULL || !content_url_ok(it->url)) {
        return ZM_EINVAL;
    }
    if ((rc = tags_field(a, item, it)) != ZM_OK) {
        return rc;
    }
    return time_field(item, now, &it->published_at);
}

int content_feed_parse(zm_arena_t *a, const char *data, size_t len, int64_t now, content_feed_t *out)
{
    json_tokener *tok;
    json_object *root, *list = NULL;
    size_t n;
    int rc = ZM_OK;

    memset(out, 0, sizeof(*out));
    if (len > CONTENT_FEED_MAX_BYTES) {
        return ZM_ETOOBIG;
    }
    /* strict UTF-8 first (json-c passes bytes through), and no NUL inside */
    if (len == 0 || !zm_utf8_valid(data, len) || memchr(data, '\0', len) != NULL) {
        return ZM_EINVAL;
    }
    if ((tok = json_tokener_new_ex(16)) == NULL) {
        zm_oom();
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    root = json_tokener_parse_ex(tok, data, (int)len);
    if (root == NULL || json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) != len) {
        json_tokener_free(tok);
        json_object_put(root);
        return ZM_EINVAL;
    }
    json_tokener_free(tok);
    if (json_object_is_type(root, json_type_array)) {
        list = root;
    } else if (!json_object_is_type(root, json_type_object) || !json_object_object_get_ex(root, "items", &list) ||
               !json_object_is_type(list, json_type_array)) {
        json_object_put(root);
        return ZM_EINVAL;
    }
    n = json_object_array_length(list);
    if (n > CONTENT_FEED_MAX_ITEMS) {
        json_object_put(root);
        return ZM_ETOOBIG;
    }
    out->items = zm_pcalloc(a, (n ? n : 1) * sizeof(*out->items));
    if (out->items == NULL) {
        json_object_put(root);
        return ZM_ENOMEM;
    }
    for (size_t i = 0; i < n && rc == ZM_OK; i++) {
        int r = parse_item(a, json_object_array_get_idx(list, i), now, &out->items[out->n]);
        if (r == ZM_OK) {
            out->n++;
        } else if (r == ZM_EINVAL) {
            out->invalid++;
        } else {
            rc = r;
        }
    }
    json_object_put(root);
    return rc;
}

static int read_file(zm_arena_t *a, const char *path, char **data, size_t *len, const char **error)
{
    struct stat st;
    size_t got = 0;
    char *buf;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

    if (fd < 0) {
        *error = zm_psprintf(a, "cannot open %s: %s", path, strerror(errno));
        return ZM_ERR;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *error = "not a regular file";
        return ZM_ERR;
    }
    if ((size_t)st.st_size > CONTENT_FEED_MAX_BYTES) {
        close(fd);
        *error = "the feed is over its cap";
        return ZM_ETOOBIG;
    }
    if ((buf = zm_palloc(a, (size_t)st.st_size + 1)) == NULL) {
        close(fd);
        return ZM_ENOMEM;
    }
    while (got < (size_t)st.st_size) {
        ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            break;
        }
        got += (size_t)k;
    }
    close(fd);
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return ZM_OK;
}

int content_feed_read(zm_arena_t *a, const char *source, char **data, size_t *len, const char **error)
{
    *error = "";
    if (strncmp(source, "http://", 7) == 0 || strncmp(source, "https://", 8) == 0) {
        return fetch_get(a, source, 30000, CONTENT_FEED_MAX_BYTES, data, len, error);
    }
    return read_file(a, source, data, len, error);
}
