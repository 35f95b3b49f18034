/*
 * test_core.c -- the core's shared helpers: the UTF-8 decoder and encoder,
 * the growth buffer in both modes, the clocks and the UUID helper.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "str.h"
#include "uuid.h"
#include "zm.h"
#include "zt.h"

static void test_utf8_next(void)
{
    const char *s = "a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80";
    size_t n = strlen(s), i = 0;

    ZT_CHECK(zm_utf8_next(s, n, &i) == 'a' && i == 1);
    ZT_CHECK(zm_utf8_next(s, n, &i) == 0xe9 && i == 3);
    ZT_CHECK(zm_utf8_next(s, n, &i) == 0x4e2d && i == 6);
    ZT_CHECK(zm_utf8_next(s, n, &i) == 0x1f600 && i == 10);

    /* malformed: one byte on, every time */
    const char *bad[] = {"\x80", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe4\x41"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        i = 0;
        ZT_CHECK(zm_utf8_next(bad[k], strlen(bad[k]), &i) == ZM_UTF8_BAD && i == 1);
    }
    /* cut short by the end of the input */
    i = 0;
    ZT_CHECK(zm_utf8_next("\xe4\xb8", 2, &i) == ZM_UTF8_SHORT && i == 1);
    i = 0;
    ZT_CHECK(zm_utf8_next("\xf0", 1, &i) == ZM_UTF8_SHORT && i == 1);
    i = 0;
    ZT_CHECK(zm_utf8_next("\xe4\xb8", 1, &i) == ZM_UTF8_SHORT && i == 1);
}

static void test_utf8_put_roundtrip(void)
{
    int32_t cps[] = {0, 'A', 0x7f, 0x80, 0x7ff, 0x800, 0xfffd, 0xffff, 0x10000, 0x10ffff};

    for (size_t k = 0; k < sizeof(cps) / sizeof(cps[0]); k++) {
        char out[4];
        size_t n = zm_utf8_put(out, cps[k]), i = 0;

        ZT_CHECK(n == zm_utf8_put(NULL, cps[k]));
        ZT_CHECK(zm_utf8_next(out, n, &i) == cps[k] && i == n);
    }
}

static void test_utf8_clip_cut(void)
{
    const char *s = "ab\xe4\xb8\xad\xe6\x96\x87";

    ZT_CHECK(zm_utf8_clip(s, strlen(s), 0) == 0);
    ZT_CHECK(zm_utf8_clip(s, strlen(s), 3) == 5);
    ZT_CHECK(zm_utf8_clip(s, strlen(s), 99) == 8);
    ZT_CHECK(zm_utf8_clip("\xff\xff"
                          "a",
                          3, 2) == 2); /* a stray byte is one character */
    ZT_CHECK(zm_utf8_cut(s, 8, 99) == 8);
    ZT_CHECK(zm_utf8_cut(s, 8, 4) == 2);
    ZT_CHECK(zm_utf8_cut(s, 8, 5) == 5);
    ZT_CHECK(zm_utf8_chars(s, 8) == 4);
    ZT_CHECK(zm_utf8_valid(s, 8) && !zm_utf8_valid("a\0b", 3) && !zm_utf8_valid("\xe4\xb8", 2));
}

static void test_str_is_token(void)
{
    ZT_CHECK(zm_str_is_token("Ab9_-", 1, 64));
    ZT_CHECK(zm_str_is_token("ZM20261202abc", 6, 32));
    ZT_CHECK(!zm_str_is_token("abc12", 6, 32)); /* too short */
    ZT_CHECK(!zm_str_is_token("a234567890123456789012345678901234", 6, 32));
    ZT_CHECK(!zm_str_is_token("", 1, 64) && !zm_str_is_token(NULL, 1, 64));
    ZT_CHECK(!zm_str_is_token("abc def", 1, 64) && !zm_str_is_token("a/b", 1, 64) && !zm_str_is_token("a.b", 1, 64) &&
             !zm_str_is_token("ä¸­", 1, 64));
}

static void test_buf_arena(void)
{
    zm_arena_t a;
    zm_buf_t b = {0};

    zm_arena_init(&a, 4096, 0);
    for (int i = 0; i < 1000; i++) {
        ZT_CHECK(zm_buf_puts(&a, &b, "0123456789") == ZM_OK);
    }
    ZT_CHECK(b.len == 10000 && strlen(b.data) == 10000);
    ZT_CHECK(zm_buf_append(&a, &b, "x", 1, 10000) == ZM_ETOOBIG && b.len == 10000);
    ZT_CHECK(zm_buf_reserve(&a, &b, 100) == ZM_OK && b.cap >= b.len + 101);
    zm_arena_destroy(&a);
}

static void test_buf_heap(void)
{
    zm_buf_t b = {0};
    char big[5000];

    memset(big, 'y', sizeof(big));
    ZT_CHECK(zm_buf_append(NULL, &b, "", 0, 0) == ZM_OK && b.data != NULL && b.data[0] == '\0');
    ZT_CHECK(zm_buf_append(NULL, &b, big, sizeof(big), 0) == ZM_OK);
    ZT_CHECK(zm_buf_append(NULL, &b, "z", 1, 0) == ZM_OK);
    ZT_CHECK(b.len == 5001 && b.data[5000] == 'z' && b.data[5001] == '\0');
    ZT_CHECK(zm_buf_append(NULL, &b, "z", 1, 5001) == ZM_ETOOBIG);
    /* reading straight into the room */
    ZT_CHECK(zm_buf_reserve(NULL, &b, 3) == ZM_OK);
    memcpy(b.data + b.len, "abc", 3);
    b.len += 3;
    b.data[b.len] = '\0';
    ZT_STREQ(b.data + 5001, "abc");
    zm_buf_free(NULL, &b);
    ZT_CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
}

static void test_clock(void)
{
    int64_t ms = zm_mono_ms(), us = zm_mono_us(), now = zm_now_s();

    ZT_CHECK(ms > 0 && us >= ms * 1000);
    ZT_CHECK(zm_mono_ms() >= ms);
    ZT_CHECK(now > 1700000000); /* after 2023 */
}

static void test_uuid(void)
{
    zm_arena_t a;
    char u[33], v[33], p[33];

    zm_arena_init(&a, 1024, 0);
    zm_uuid4(u);
    zm_uuid4(v);
    ZT_CHECK(strlen(u) == 32 && strspn(u, "0123456789abcdef") == 32 && strcmp(u, v) != 0);
    ZT_CHECK(u[12] == '4' && strchr("89ab", u[16]) != NULL);
    const char *d = zm_uuid_dashed(&a, u);
    ZT_CHECK(strlen(d) == 36 && d[8] == '-' && d[13] == '-' && d[18] == '-' && d[23] == '-');
    ZT_CHECK(zm_uuid_parse(d, p) == ZM_OK && strcmp(p, u) == 0);
    ZT_CHECK(zm_uuid_parse("0123456789ABCDEF0123456789abcdef", p) == ZM_OK);
    ZT_STREQ(p, "0123456789abcdef0123456789abcdef");
    ZT_CHECK(zm_uuid_valid(u) && zm_uuid_valid(d));
    ZT_CHECK(!zm_uuid_valid(NULL) && !zm_uuid_valid("") && !zm_uuid_valid("0123456789abcdef0123456789abcde"));
    ZT_CHECK(!zm_uuid_valid("0123456789abcdef0123456789abcdefa"));
    ZT_CHECK(!zm_uuid_valid("01234567-89ab-cdef-0123-456789abcdeg"));
    ZT_CHECK(!zm_uuid_valid("0123456-789ab-cdef-0123-456789abcdef"));
    ZT_STREQ(zm_uuid_dashed(&a, "short"), "short");
    ZT_CHECK(zm_uuid_dashed(&a, NULL) == NULL);
    zm_arena_destroy(&a);
}

int main(void)
{
    ZT_RUN(test_utf8_next);
    ZT_RUN(test_utf8_put_roundtrip);
    ZT_RUN(test_utf8_clip_cut);
    ZT_RUN(test_str_is_token);
    ZT_RUN(test_buf_arena);
    ZT_RUN(test_buf_heap);
    ZT_RUN(test_clock);
    ZT_RUN(test_uuid);
    return zt_done();
}
