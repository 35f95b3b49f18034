#include "ratelimit.h"
#include "clock.h"

#include <time.h>

int rl_hit(db_t *db, const char *bucket, int limit, int window_s, int *retry_after)
{
    int64_t now = zm_now_s(), start, rc;

    if (window_s <= 0) {
        window_s = 60;
    }
    start = now - now % window_s;
    /* LAST_INSERT_ID(expr) hands the new count back with the insert id: no second query */
    rc = db_exec(db,
                 "INSERT INTO zm_rate_limit (bucket, window_start, hits) VALUES (?, ?, LAST_INSERT_ID(1)) "
                 "ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)",
                 "si", bucket, start);
    if (rc < 0) {
        return (int)rc;
    }
    if (db_insert_id(db) > limit) {
        *retry_after = (int)(start + window_s - now);
        if (*retry_after < 1) {
            *retry_after = 1;
        }
        return RL_LIMITED;
    }
    return ZM_OK;
}
