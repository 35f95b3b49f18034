/* The retry delay arithmetic of the task queue (task_backoff_s). */
#include <limits.h>

#include "queue.h"
#include "zt.h"

static void test_doubles_from_base(void)
{
    ZT_CHECK(task_backoff_s(1, 2, 600) == 2);
    ZT_CHECK(task_backoff_s(2, 2, 600) == 4);
    ZT_CHECK(task_backoff_s(3, 2, 600) == 8);
    ZT_CHECK(task_backoff_s(4, 2, 600) == 16);
    ZT_CHECK(task_backoff_s(1, 1, 600) == 1);
    ZT_CHECK(task_backoff_s(2, 1, 600) == 2);
}

static void test_capped(void)
{
    ZT_CHECK(task_backoff_s(9, 2, 600) == 512);
    ZT_CHECK(task_backoff_s(10, 2, 600) == 600);
    ZT_CHECK(task_backoff_s(11, 2, 600) == 600);
    ZT_CHECK(task_backoff_s(5, 100, 30) == 30); /* a base above the cap is still capped */
    ZT_CHECK(task_backoff_s(1, 100, 30) == 30);
}

static void test_no_overflow(void)
{
    ZT_CHECK(task_backoff_s(1000, 2, 600) == 600);
    ZT_CHECK(task_backoff_s(INT_MAX, 2, 600) == 600);
    ZT_CHECK(task_backoff_s(INT_MAX, INT_MAX, INT_MAX) == INT_MAX);
    ZT_CHECK(task_backoff_s(100, 3, 0) == INT_MAX); /* no cap: saturates instead of wrapping */
    ZT_CHECK(task_backoff_s(32, 1, -1) == INT_MAX);
    ZT_CHECK(task_backoff_s(31, 1, 0) == 1073741824);
}

static void test_edges(void)
{
    ZT_CHECK(task_backoff_s(0, 2, 600) == 2); /* attempts < 1 counts as the first */
    ZT_CHECK(task_backoff_s(-5, 2, 600) == 2);
    ZT_CHECK(task_backoff_s(3, 0, 600) == 0); /* no base: retry at once */
    ZT_CHECK(task_backoff_s(3, -1, 600) == 0);
}

int main(void)
{
    ZT_RUN(test_doubles_from_base);
    ZT_RUN(test_capped);
    ZT_RUN(test_no_overflow);
    ZT_RUN(test_edges);
    return zt_done();
}
