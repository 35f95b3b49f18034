/*
 * clock.h -- the one monotonic clock (timeouts, durations, backoff) and the
 * one wall clock (timestamps that leave the process: tokens, mail, rows).
 */
#ifndef ZM_CLOCK_H
#define ZM_CLOCK_H

#include <stdint.h>

/** Monotonic milliseconds: only differences mean anything. */
int64_t zm_mono_ms(void);

/** Monotonic microseconds, for request timings. */
int64_t zm_mono_us(void);

/** Wall-clock seconds since the Unix epoch. */
int64_t zm_now_s(void);

#endif
