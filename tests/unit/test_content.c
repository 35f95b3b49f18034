/*
 * test_content.c -- what fcgi/content decides without a database: ISO 8601
 * times with a zone (the calendar and the feed), URLs a news item may link,
 * and the feed parser's rules (items kept, skipped, refused).
 */
#include <string.h>

#include "content.h"
#include "zt.h"

static int64_t parse(const char *s)
{
    int64_t t = -1;

    return content_time_parse(s, &t) == ZM_OK ? t : -1;
}

static void test_times(void)
{
    ZT_CHECK(parse("2030-01-01T00:00:00Z") == 1893456000);
    ZT_CHECK(parse("2030-01-01T08:00:00+08:00") == 1893456000);
    ZT_CHECK(parse("2029-12-31T19:00:00-05:00") == 1893456000);
    ZT_CHECK(parse("2030-01-01T00:00Z") == 1893456000);             /* seconds optional */
    ZT_CHECK(parse("2030-01-01T00:00:00.999999Z") == 1893456000);   /* a fraction is dropped */
    ZT_CHECK(parse("2000-02-29T00:00:00Z") == 951782400);           /* a leap day */
    ZT_CHECK(parse("2099-12-31T23:59:59Z") == INT64_C(4102444799)); /* the last second taken */
    ZT_CHECK(parse("2030-01-01 00:00:00Z") == 1893456000);          /* a space for the T */
    ZT_CHECK(parse("2030-01-01T00:00:00") == -1);                   /* no zone: ambiguous */
    ZT_CHECK(parse("2030-02-29T00:00:00Z") == -1);                  /* not a leap year */
    ZT_CHECK(parse("2100-01-01T00:00:00Z") == -1 && parse("1999-12-31T23:59:59Z") == -1);
    ZT_CHECK(parse("2030-13-01T00:00:00Z") == -1 && parse("2030-01-01T24:00:00Z") == -1);
    ZT_CHECK(parse("2030-01-01T00:00:00+08") == -1 && parse("2030-01-01T00:00:00Zjunk") == -1);
    ZT_CHECK(parse("2030-01-01T00:00:00.Z") == -1 && parse("") == -1 && parse(NULL) == -1);
}

static void test_urls(void)
{
    ZT_CHECK(content_url_ok("https://news.example.com/a?b=1#c"));
    ZT_CHECK(content_url_ok("http://x.example/职场"));
    ZT_CHECK(!content_url_ok("javascript:alert(1)") && !content_url_ok("ftp://x/y") && !content_url_ok("//x/y"));
    ZT_CHECK(!content_url_ok("https://") && !content_url_ok("https:///path") && !content_url_ok("https://a b"));
    ZT_CHECK(!content_url_ok("https://a/\"><script>") && !content_url_ok(NULL));
}

static void test_feed(void)
{
    zm_arena_t a;
    content_feed_t f;
    const char *one = "[{\"title\":\"t\",\"url\":\"https://a.example/\"}]";
    const char *doc =
        "{\"items\": [{\"title\": \"  标题  \", \"url\": \"https://a.example/1\", \"tags\": \"求职, 校招\", "
        "\"published_at\": \"2030-01-01T08:00:00+08:00\"}, {\"title\": \"x\"}, 7, "
        "{\"title\": \"y\", \"url\": \"https://a.example/2\", \"tags\": [\"a,b\"]}, "
        "{\"title\": \"z\", \"url\": \"https://a.example/3\", \"published_at\": 1893456000}]}";

    zm_arena_init(&a, 4096, 0);
    ZT_CHECK(content_feed_parse(&a, doc, strlen(doc), 42, &f) == ZM_OK);
    ZT_CHECK(f.n == 2 && f.invalid == 3);
    ZT_STREQ(f.items[0].title, "标题"); /* trimmed */
    ZT_CHECK(f.items[0].ntags == 2 && strcmp(f.items[0].tags[1], "校招") == 0);
    ZT_CHECK(f.items[0].published_at == 1893456000 && f.items[1].published_at == 1893456000);
    ZT_CHECK(content_feed_parse(&a, "[]", 2, 42, &f) == ZM_OK && f.n == 0);
    ZT_CHECK(content_feed_parse(&a, one, strlen(one), 42, &f) == ZM_OK && f.n == 1 &&
             f.items[0].published_at == 42); /* no time: now */
    ZT_CHECK(content_feed_parse(&a, "{", 1, 42, &f) == ZM_EINVAL);
    ZT_CHECK(content_feed_parse(&a, "{\"items\": 1}", 12, 42, &f) == ZM_EINVAL);
    ZT_CHECK(content_feed_parse(&a, "[] []", 5, 42, &f) == ZM_EINVAL);          /* trailing data */
    ZT_CHECK(content_feed_parse(&a, "[\"\xc0\xaf\"]", 6, 42, &f) == ZM_EINVAL); /* not UTF-8 */
    ZT_CHECK(content_feed_parse(&a, "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", 40, 42, &f) == ZM_EINVAL); /* depth */
    zm_arena_destroy(&a);
}

int main(void)
{
    ZT_RUN(test_times);
    ZT_RUN(test_urls);
    ZT_RUN(test_feed);
    return zt_done();
}
