/*
 * fuzz_news_feed.c -- libFuzzer target for the workplace news feed
 * (fcgi/content/feed.c: content_feed_parse) and the ISO 8601 times it and
 * the calendar take (fcgi/content/content.c: content_time_parse).
 *
 * The input's first byte chooses: even, the rest is a feed; odd, the rest
 * (up to 127 bytes, to its first NUL) is a time.  Aborts when an accepted
 * item breaks what the import and the pages rely on: a title that is empty,
 * not UTF-8, holding a control character or over its cap; a URL that is not
 * http(s); a tag with a comma; a time outside 2000..2099.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void text_ok(const char *s, size_t max, int multiline)
{
    size_t n;

    if (s == NULL) {
        return;
    }
    n = strlen(s);
    if (!zm_utf8_valid(s, n) || zm_utf8_chars(s, n) > max) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) || c == 0x7f) {
            abort();
        }
    }
}

static void time_ok(int64_t t)
{
    /* 2000-01-01T00:00:00+23:59 .. 2099-12-31T23:59:59-23:59 */
    if (t < 946684800 - 86400 || t > 4102444799 + 86400) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zm_arena_t a;

    if (size < 1) {
        return 0;
    }
    if (data[0] & 1) {
        char v[128];
        size_t n = size - 1 < sizeof(v) - 1 ? size - 1 : sizeof(v) - 1;
        int64_t t;
        memcpy(v, data + 1, n);
        v[n] = '\0';
        if (content_time_parse(v, &t) == ZM_OK) {
            time_ok(t);
        }
        return 0;
    }
    zm_arena_init(&a, 64 * 1024, 64u << 20);
    {
        content_feed_t feed;
        if (content_feed_parse(&a, (const char *)data + 1, size - 1, 1893456000, &feed) == ZM_OK) {
            for (size_t i = 0; i < feed.n; i++) {
                const content_news_in_t *it = &feed.items[i];
                if (it->title == NULL || it->title[0] == '\0' || !content_url_ok(it->url) || it->ntags < 0 ||
                    it->ntags > CONTENT_NEWS_TAGS) {
                    abort();
                }
                text_ok(it->title, CONTENT_NEWS_TITLE_MAX, 1);
                text_ok(it->url, CONTENT_NEWS_URL_MAX, 0);
                text_ok(it->source, CONTENT_NEWS_SOURCE_MAX, 1);
                text_ok(it->summary, CONTENT_NEWS_SUMMARY_MAX, 1);
                for (int k = 0; k < it->ntags; k++) {
                    text_ok(it->tags[k], CONTENT_TAG_MAX, 0);
                    if (it->tags[k][0] == '\0' || strchr(it->tags[k], ',')) {
                        abort();
                    }
                }
                time_ok(it->published_at);
            }
        }
    }
    zm_arena_destroy(&a);
    return 0;
}
