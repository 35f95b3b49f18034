/*
 * stats_int.h -- what stats' own files share (not for other domains).
 */
#ifndef ZM_STATS_INT_H
#define ZM_STATS_INT_H

#include <stdint.h>

#define STATS_NUSAGE 6
#define STATS_MONTHS 7            /* this month and the 6 before it */
#define STATS_ONLINE_WINDOW_S 300 /* online now: a request in the last 5 minutes */

typedef struct {
    const char *metric; /* stats_daily.metric, stats_user_monthly.metric */
    const char *name;   /* the field in GET /api/v1/monthly-stats */
} stats_usage_t;

/* search, search_effective, diagnosis, interview, mock_interview, application */
extern const stats_usage_t stats_usage[STATS_NUSAGE];

/** Now in local seconds (UTC + stats.utc_offset_min): local / 86400 is the local day number. */
int64_t stats_local_now(void);

/** Days since 1970-01-01 of "YYYY-MM-DD"; -1 when malformed. */
int64_t stats_civil(const char *day);

#endif
