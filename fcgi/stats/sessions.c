/*
 * sessions.c -- time spent per core feature (stats.h: stats_feature_seen, the session_length trend).
 *
 * An authenticated request's route pattern names its feature (the table below); a user's session in
 * a feature is a run of its requests with gaps under STATS_SESSION_IDLE_S, cut at local midnight.
 * One stats_session row a session: the first request inserts it and counts sess_n_<feature> on its
 * day; a later one extends last_at and adds the seconds since the previous one to sess_s_<feature>
 * of the session's day -- in one transaction with the row (the latest row locked), so the rollup and
 * the rows agree whatever the concurrency, and stats.rebuild can recount them.  A worker writes a
 * (user, feature) at most once a minute (a slot table like the heartbeat's): the length is known to
 * the minute, the cost is a locked read and two writes a minute per active user and feature.
 */
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "log.h"
#include "stats.h"
#include "stats_int.h"

const stats_feature_t stats_features[STATS_NFEATURES] = {
    {"diagnosis", {"/api/v1/resume-diagnosis", NULL}}, {"interview", {"/api/v1/interview-prep", NULL}},
    {"job_search", {"/api/v1/search/", "/jobs/api/"}}, {"resumes", {"/api/resumes", "/api/files"}},
    {"suggestions", {"/api/suggestions", NULL}},       {"mock_interview", {"/api/v1/partners", NULL}},
};

int stats_feature_of(const char *pattern)
{
    for (int i = 0; pattern && i < STATS_NFEATURES; i++) {
        for (int j = 0; j < 2 && stats_features[i].prefix[j]; j++) {
            const char *p = stats_features[i].prefix[j];
            if (strncmp(pattern, p, strlen(p)) == 0) {
                return i;
            }
        }
    }
    return -1;
}

#define SLOTS 4096

static struct {
    int64_t user_id, minute;
    int feature;
} slot[SLOTS];

static int session_write(db_t *db, int64_t user_id, int f, const char *today)
{
    const char *feature = stats_features[f].name;
    int64_t off = zm_conf_int("stats.utc_offset_min"), n;
    zm_arena_t a;
    db_res_t res;
    int rc;

    zm_arena_init(&a, 1024, 1 << 16);
    if ((rc = db_begin(db)) != ZM_OK) {
        zm_arena_destroy(&a);
        return rc;
    }
    /* the latest session, locked (and with it the gap a concurrent first request would insert into) */
    rc = db_query(db, &a, &res,
                  "SELECT id, TIMESTAMPDIFF(SECOND, last_at, UTC_TIMESTAMP()), "
                  "DATE_FORMAT(started_at + INTERVAL ? MINUTE, '%Y-%m-%d') FROM stats_session "
                  "WHERE user_id = ? AND feature = ? ORDER BY id DESC LIMIT 1 FOR UPDATE",
                  "iis", off, user_id, feature);
    if (rc == ZM_OK) {
        int64_t idle = res.nrows ? db_int(&res, 0, 1) : 0;
        if (res.nrows == 0 || idle >= STATS_SESSION_IDLE_S || strcmp(db_val(&res, 0, 2), today) != 0) {
            n = db_exec(db,
                        "INSERT INTO stats_session (user_id, feature, started_at, last_at) "
                        "VALUES (?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())",
                        "is", user_id, feature);
            rc = n < 0 ? (int)n : stats_bump_daily(db, zm_psprintf(&a, "sess_n_%s", feature), today, 1);
        } else if (idle > 0) {
            n = db_exec(db, "UPDATE stats_session SET last_at = last_at + INTERVAL ? SECOND WHERE id = ?", "ii", idle,
                        db_int(&res, 0, 0));
            rc = n < 0 ? (int)n : stats_bump_daily(db, zm_psprintf(&a, "sess_s_%s", feature), today, idle);
        }
    }
    rc = rc == ZM_OK ? db_commit(db) : rc;
    if (rc != ZM_OK) {
        db_rollback(db);
    }
    zm_arena_destroy(&a);
    return rc;
}

void stats_feature_seen(db_t *db, int64_t user_id, const char *pattern)
{
    int64_t now = zm_now_s(), minute = now / 60;
    int f = stats_feature_of(pattern), rc;
    size_t h;
    char today[11];

    if (f < 0 || user_id <= 0) {
        return;
    }
    h = (size_t)((((uint64_t)user_id * STATS_NFEATURES + (uint64_t)f) * 0x9E3779B97F4A7C15ull) >> 52) % SLOTS;
    if (slot[h].user_id == user_id && slot[h].feature == f && slot[h].minute == minute) {
        return;
    }
    slot[h].user_id = user_id;
    slot[h].feature = f;
    slot[h].minute = minute;
    if (db_in_transaction(db)) {
        return;
    }
    stats_day(now, today);
    rc = session_write(db, user_id, f, today);
    if (rc != ZM_OK) {
        zm_log_warn("stats: session of user %lld in %s: %s", (long long)user_id, stats_features[f].name,
                    zm_strerror(rc));
    }
}
