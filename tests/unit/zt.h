/*
 * zt.h -- the unit-test harness: a test is a function, a check is ZT_CHECK.
 *
 *   static void test_thing(void) { ZT_CHECK(1 + 1 == 2); ZT_STREQ(s, "x"); }
 *   int main(void) { ZT_RUN(test_thing); return zt_done(); }
 *
 * A failed check prints file:line and the expression, and the program exits
 * non-zero at zt_done(); ctest counts each program as one test.
 */
#ifndef ZT_H
#define ZT_H

#include <stdio.h>
#include <string.h>

static int zt_failed, zt_checks, zt_tests;

#define ZT_CHECK(e)                                                                                                    \
    do {                                                                                                               \
        zt_checks++;                                                                                                   \
        if (!(e)) {                                                                                                    \
            zt_failed++;                                                                                               \
            fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #e);                                              \
        }                                                                                                              \
    } while (0)

#define ZT_STREQ(a, b)                                                                                                 \
    do {                                                                                                               \
        const char *zt_a_ = (a), *zt_b_ = (b);                                                                         \
        zt_checks++;                                                                                                   \
        if (zt_a_ == NULL || zt_b_ == NULL || strcmp(zt_a_, zt_b_) != 0) {                                             \
            zt_failed++;                                                                                               \
            fprintf(stderr, "%s:%d: FAIL: %s == %s (\"%s\" vs \"%s\")\n", __FILE__, __LINE__, #a, #b,                  \
                    zt_a_ ? zt_a_ : "(null)", zt_b_ ? zt_b_ : "(null)");                                               \
        }                                                                                                              \
    } while (0)

#define ZT_RUN(fn)                                                                                                     \
    do {                                                                                                               \
        zt_tests++;                                                                                                    \
        fn();                                                                                                          \
    } while (0)

static inline int zt_done(void)
{
    printf("%d tests, %d checks, %d failed\n", zt_tests, zt_checks, zt_failed);
    return zt_failed ? 1 : 0;
}

#endif
