#include <stdint.h>
#include <string.h>

#include "arena.h"
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

int main(void)
{
    ZT_RUN(test_alloc_and_align);
    ZT_RUN(test_reset_keeps_first_block);
    ZT_RUN(test_cap);
    ZT_RUN(test_calloc_zeroes);
    return zt_done();
}
