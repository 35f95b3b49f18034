/*
 * clock.c -- the one monotonic clock and the one wall clock.  See clock.h.
 */
#include "clock.h"

#include <time.h>

int64_t zm_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t zm_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t zm_now_s(void)
{
    return (int64_t)time(NULL);
}
