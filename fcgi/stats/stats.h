/*
 * stats.h -- statistics: the daily and per-user monthly rollups, the
 * heartbeat behind "online now", and the reads of the admin's 数据 page and
 * the user's 仪表盘 (issue 17 items 4 and 6).
 *
 * The rollups are kept incrementally by one recorder, stats_record(), which
 * the other domains call inside their own transaction (so a count and the
 * fact it counts commit or roll back together).  stats sits low in the
 * module order (right after the tasks layer, below points and accounts) so
 * every domain may link zmstats.  stats_rebuild() recomputes every rollup
 * from the source tables (backfill).  A day is a local calendar day:
 * UTC + stats.utc_offset_min (480: China, no daylight saving).
 */
#ifndef ZM_STATS_H
#define ZM_STATS_H

#include <json-c/json.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

/*
 * The metrics a domain records (n is how many; for "payment" the amount in fen):
 *   search            a job search (jobs: GET /api/v1/search/jobs, POST /api/v1/search/sessions)
 *   search_effective  a search that turned effective: a job view or an application followed it
 *                     within 30 minutes (jobs' own definition, jobs_searchsession.effective)
 *   diagnosis         a resume diagnosis finished (analysis)
 *   interview         an interview-question prediction finished (analysis)
 *   mock_interview    a practice partner accepted (partners, MockPal): counted for both users; a mock
 *                     interview's report written (interview)
 *   application       an application sent (jobs)
 *   register          a user registered; register_invited: through an invite code (both count new_users)
 *   payment           an order credited (payments): revenue_fen += n, payments += 1, and paying_users
 *                     += 1 on the user's first credited order (stats_payer's key decides, race-free)
 * The first six are also the user's monthly numbers (GET /api/v1/monthly-stats).
 */
#define STATS_METRIC_MAX 32

/** Count n of metric for user_id today, in the caller's transaction (or on its own).  ZM_EINVAL for
 *  an unknown metric or n < 0 (logged: a caller's bug), else ZM_OK or the database's error. */
int stats_record(db_t *db, int64_t user_id, const char *metric, int64_t n);

/** The heartbeat: user_id made an authenticated request now.  Writes at most once a minute per user
 *  and process (a table in the process decides without the database); errors are logged, never
 *  returned: a request does not fail for its heartbeat. */
void stats_seen(db_t *db, int64_t user_id);

/** The local day of t (seconds since the epoch) as "YYYY-MM-DD" into day[11]. */
void stats_day(int64_t t, char day[11]);

/** {"online_now", "registered_total", "registered_invited", "paying_users", "revenue_fen", "payments",
 *  "today": {"date", "new_users", "invited_users", "active_users", "paying_users", "revenue_fen",
 *  "usage": {module: n}}}. */
int stats_overview(db_t *db, zm_arena_t *a, json_object **out);

/* what GET /api/v1/admin/stats/trends?metric= draws */
typedef enum {
    STATS_T_NEW_USERS,
    STATS_T_REVENUE,
    STATS_T_PAYING_USERS,
    STATS_T_USAGE,
    STATS_T_ACTIVE,
    STATS_T_RETENTION,
    STATS_T_CONVERSION,
} stats_trend_t;

/** The trend names, in stats_trend_t's order, NULL-terminated. */
extern const char *const stats_trend_names[];

/** {"metric", "days", "from", "to", "dates": [...], "series": {name: [...]}}: the last days days up to
 *  today, every day present (0 where nothing happened). */
int stats_trend(db_t *db, zm_arena_t *a, stats_trend_t t, int days, json_object **out);

/** {"month", "this_month": {...}, "months": [{"month", "job_searches", "effective_searches",
 *  "diagnoses", "interview_predictions", "mock_interviews", "applications"} x 7, oldest first]}. */
int stats_monthly(db_t *db, zm_arena_t *a, int64_t user_id, json_object **out);

/** Recompute every rollup (stats_daily, stats_user_monthly, stats_payer) from the source tables in
 *  one READ COMMITTED transaction (it sets the session's isolation: give it a connection of its own);
 *  *out gets the rows written per table.  ZM_EAGAIN on a deadlock with a writer. */
int stats_rebuild(db_t *db, zm_arena_t *a, json_object **out);

/** Queue stats.rebuild for an admin: *task_id. */
int stats_enqueue_rebuild(db_t *db, int64_t user_id, int64_t *task_id);

#endif
