#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "zm.h"
#include "zt.h"

static void test_alloc_and_align(void)
{
    zm_arena_t a;
    zm_arena_init(&a, 256, 0);
    char *p = zm_palloc(&a, 3);
    void *q = zm_palloc(&a, 8);
    ZT_CHECK(p != NULL && q != NULL);
    ZT_CHECK(((uintptr_t)q % _Alignof(max_align_t)) == 0);
    /* larger than a block gets a block of its own */
    char *big = zm_palloc(&a, 10000);
    ZT_CHECK(big != NULL);
    memset(big, 'x', 10000);
    ZT_STREQ(zm_psprintf(&a, "%s-%d", "简历", 42), "简历-42");
    ZT_STREQ(zm_pstrndup(&a, "abcdef", 3), "abc");
    ZT_CHECK(zm_pstrdup(&a, NULL) == NULL);
    zm_arena_destroy(&a);
}

static void test_reset_keeps_first_block(void)
{
    zm_arena_t a;
    zm_arena_init(&a, 1024, 0);
    void *first = zm_palloc(&a, 16);
    for (int i = 0; i < 100; i++) {
        ZT_CHECK(zm_palloc(&a, 100) != NULL);
    }
    ZT_CHECK(a.total > 1024);
    zm_arena_reset(&a);
    ZT_CHECK(a.total == 1024);
    ZT_CHECK(zm_palloc(&a, 16) == first);
    zm_arena_destroy(&a);
    ZT_CHECK(a.total == 0);
}

static void test_cap(void)
{
    zm_arena_t a;
    zm_arena_init(&a, 1024, 4096);
    int got = 0;
    for (int i = 0; i < 100; i++) {
        if (zm_palloc(&a, 512) == NULL) {
            break;
        }
        got++;
    }
    ZT_CHECK(got == 8); /* 4 blocks of 1024 hold 8 allocations of 512 */
    ZT_CHECK(zm_palloc(&a, 100000) == NULL);
    ZT_CHECK(zm_palloc(&a, (size_t)-1) == NULL);
    zm_arena_destroy(&a);
}

static void test_calloc_zeroes(void)
{
    zm_arena_t a;
    zm_arena_init(&a, 128, 0);
    unsigned char *p = zm_palloc(&a, 64);
    memset(p, 0xff, 64);
    zm_arena_reset(&a);
    unsigned char *z = zm_pcalloc(&a, 64);
    int all_zero = 1;
    for (int i = 0; i < 64; i++) {
        all_zero &= z[i] == 0;
    }
    ZT_CHECK(all_zero);
    zm_arena_destroy(&a);
}

/* cleanups: newest first, at reset and at destroy, once each; a record past the cap still goes in */
static char trace[16];
static size_t ntrace;

static void note(void *data)
{
    if (ntrace + 1 < sizeof(trace)) {
        trace[ntrace++] = *(const char *)data;
        trace[ntrace] = '\0';
    }
}

static zm_arena_t *nested;
static const char e1 = 'e';

/* a cleanup that adds one: it runs too, before the memory goes */
static void add_another(void *data)
{
    note(data);
    zm_arena_cleanup_add(nested, note, (void *)&e1);
}

static void test_cleanups(void)
{
    static const char a1 = 'a', b1 = 'b', c1 = 'c', d1 = 'd';
    zm_arena_t a;

    zm_arena_init(&a, 256, 1024);
    ntrace = 0;
    trace[0] = '\0';
    zm_arena_cleanup_add(&a, note, (void *)&a1);
    zm_arena_cleanup_add(&a, note, (void *)&b1);
    zm_arena_cleanup_add(&a, note, (void *)&c1);
    ZT_STREQ(trace, "");
    zm_arena_reset(&a);
    ZT_STREQ(trace, "cba");
    zm_arena_reset(&a); /* each runs once */
    ZT_STREQ(trace, "cba");
    nested = &a;
    zm_arena_cleanup_add(&a, add_another, (void *)&b1);
    zm_arena_reset(&a);
    ZT_STREQ(trace, "cbabe");
    ntrace = 3;
    trace[3] = '\0';

    /* the arena at its cap: allocation fails, a cleanup is still recorded */
    while (zm_palloc(&a, 200) != NULL) {
    }
    zm_arena_cleanup_add(&a, note, (void *)&d1);
    zm_arena_destroy(&a);
    ZT_STREQ(trace, "cbad");
    ZT_CHECK(a.total == 0 && a.cleanups == NULL);
}

static void test_strerror(void)
{
    ZT_STREQ(zm_strerror(ZM_OK), "OK");
    ZT_STREQ(zm_strerror(ZM_EDBDOWN), "EDBDOWN");
    ZT_STREQ(zm_strerror(ZM_EEXPIRED), "EEXPIRED");
    ZT_STREQ(zm_strerror(ZM_ERR), "ERR");
    ZT_STREQ(zm_strerror(ZM_ERANGE_ACCOUNTS), "accounts");
    ZT_STREQ(zm_strerror(ZM_ERANGE_ACCOUNTS - 9), "accounts");
    ZT_STREQ(zm_strerror(ZM_ERANGE_SERVICES - 1), "services");
    ZT_STREQ(zm_strerror(ZM_ERANGE_INTERVIEW - 9), "interview");
    ZT_STREQ(zm_strerror(ZM_ERANGE_INSPECT - 5), "inspect");
    ZT_STREQ(zm_strerror(-995), "ERR"); /* no module's */
    ZT_STREQ(zm_strerror(-1000), "ERR");
    ZT_STREQ(zm_strerror(7), "ERR");
}

int main(void)
{
    ZT_RUN(test_alloc_and_align);
    ZT_RUN(test_reset_keeps_first_block);
    ZT_RUN(test_cap);
    ZT_RUN(test_calloc_zeroes);
    ZT_RUN(test_cleanups);
    ZT_RUN(test_strerror);
    return zt_done();
}
