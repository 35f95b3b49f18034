/*
 * ratelimit.h -- fixed-window counters in the database, shared by every
 * worker and host: "at most N hits of bucket per window".
 */
#ifndef ZM_RATELIMIT_H
#define ZM_RATELIMIT_H

#include "db.h"
#include "zm.h"

#define RL_LIMITED (ZM_ERANGE_SERVICES - 2) /* past the limit */

/**
 * Count one hit of bucket in the current window.  ZM_OK while the count is
 * within limit; RL_LIMITED past it, with *retry_after the seconds to the
 * window's end.  One statement, atomic under concurrency.
 */
int rl_hit(db_t *db, const char *bucket, int limit, int window_s, int *retry_after);

#endif
