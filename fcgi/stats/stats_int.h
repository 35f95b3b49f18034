/*
 * stats_int.h -- what stats' own files share (not for other domains).
 */
#ifndef ZM_STATS_INT_H
#define ZM_STATS_INT_H

#include <stdint.h>

#include "db.h"

#define STATS_NUSAGE 6
#define STATS_MONTHS 7            /* this month and the 6 before it */
#define STATS_ONLINE_WINDOW_S 300 /* online now: a request in the last 5 minutes */

typedef struct {
    const char *metric; /* stats_daily.metric, stats_user_monthly.metric */
    const char *name;   /* the field in GET /api/v1/monthly-stats */
} stats_usage_t;

/* search, search_effective, diagnosis, interview, mock_interview, application */
extern const stats_usage_t stats_usage[STATS_NUSAGE];

/* the core features whose sessions are timed (sessions.c): a name and route-pattern prefixes */
#define STATS_NFEATURES 6
#define STATS_SESSION_IDLE_S 1800 /* a gap this long ends a session */

typedef struct {
    const char *name;      /* sess_n_<name>, sess_s_<name> in stats_daily */
    const char *prefix[2]; /* route patterns starting so are the feature's (NULL: none) */
} stats_feature_t;

extern const stats_feature_t stats_features[STATS_NFEATURES];

/** The feature index of a route pattern, or -1. */
int stats_feature_of(const char *pattern);

/** Add n to stats_daily (metric, day "YYYY-MM-DD"), on the caller's transaction. */
int stats_bump_daily(db_t *db, const char *metric, const char *day, int64_t n);

/** Now in local seconds (UTC + stats.utc_offset_min): local / 86400 is the local day number. */
int64_t stats_local_now(void);

/** Days since 1970-01-01 of "YYYY-MM-DD"; -1 when malformed. */
int64_t stats_civil(const char *day);

#endif
