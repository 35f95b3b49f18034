/*
 * rebuild.c -- every rollup recomputed from the source tables, in one
 * transaction (a reader sees the old numbers or the new ones).
 *
 * The sources, and what stats_record() counts as it happens:
 *   new_users, invited_users  auth_user.date_joined (+ zm_user_profile.invited_by_id)
 *   search, search_effective  jobs_searchsession.created_at (effective = 1)
 *   diagnosis, interview      zm_analysis, state done, by finished_at
 *   application               jobs_application.created_at
 *   mock_interview            partners_match accepted, by updated_at, once for each of the two users;
 *                             and a mock interview's report written (interview_session), by ended_at
 *   revenue_fen, payments     payments_order paid, by paid_at; stats_payer: each payer's first paid day
 *   paying_users              stats_payer.first_day
 *   active_*, retained_d*     stats_active (the heartbeat's own table, not rebuilt)
 * It runs in READ COMMITTED: the sources are read without locking them (writers go on), and only
 * the rollup rows it rewrites are locked until it commits -- counted writes meanwhile wait for it
 * (at most their lock wait timeout), so run it when the site is quiet at a large history.
 * Two known differences with the live counts: an effective search is counted live on the day it
 * turned effective (a rebuild: the day it was made, at most 30 minutes apart), and a source row
 * deleted since (a user, a match cancelled) is no longer counted by a rebuild.
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "stats.h"

#define LOCAL_DAY(col) "DATE(" col " + INTERVAL ? MINUTE)"
#define LOCAL_MONTH(col) "DATE_FORMAT(" col " + INTERVAL ? MINUTE, '%Y-%m-01')"

typedef struct {
    const char *table; /* its count in the result */
    const char *sql;   /* every ? is the offset in minutes */
} step_t;

static const step_t steps[] = {
    {"stats_daily", "INSERT INTO stats_daily (metric, day, value) SELECT 'new_users', " LOCAL_DAY(
                        "date_joined") " d, COUNT(*) FROM auth_user GROUP BY d"},
    {"stats_daily", "INSERT INTO stats_daily (metric, day, value) SELECT 'invited_users', " LOCAL_DAY(
                        "u.date_joined") " d, COUNT(*) FROM auth_user u JOIN zm_user_profile p ON p.user_id = u.id "
                                         "WHERE p.invited_by_id IS NOT NULL GROUP BY d"},
    {"stats_daily", "INSERT INTO stats_daily (metric, day, value) SELECT 'search', " LOCAL_DAY(
                        "created_at") " d, COUNT(*) FROM jobs_searchsession GROUP BY d"},
    {"stats_daily", "INSERT INTO stats_daily (metric, day, value) SELECT 'search_effective', " LOCAL_DAY(
                        "created_at") " d, COUNT(*) FROM jobs_searchsession WHERE effective = 1 GROUP BY d"},
    {"stats_daily", "INSERT INTO stats_daily (metric, day, value) SELECT kind, " LOCAL_DAY(
                        "finished_at") " d, COUNT(*) FROM zm_analysis WHERE state = 'done' "
                                       "AND kind IN ('diagnosis', 'interview') GROUP BY kind, d"},
    {"stats_daily", "INSERT INTO stats_daily (metric, day, value) SELECT 'application', " LOCAL_DAY(
                        "created_at") " d, COUNT(*) FROM jobs_application GROUP BY d"},
    {"stats_daily",
     "INSERT INTO stats_daily (metric, day, value) SELECT 'mock_interview', d, SUM(n) FROM "
     "(SELECT " LOCAL_DAY("updated_at") " d, 2 n FROM partners_match WHERE status = 'accepted' UNION "
                                        "ALL SELECT " LOCAL_DAY("ended_at") ", 1 FROM interview_session WHERE kind = "
                                                                            "'mock_interview' AND report IS "
                                                                            "NOT NULL) x GROUP BY d"},
    {"stats_daily", "INSERT INTO stats_daily (metric, day, value) SELECT 'revenue_fen', " LOCAL_DAY(
                        "paid_at") " d, SUM(amount_fen) FROM payments_order WHERE status = 'paid' GROUP BY d"},
    {"stats_daily", "INSERT INTO stats_daily (metric, day, value) SELECT 'payments', " LOCAL_DAY(
                        "paid_at") " d, COUNT(*) FROM payments_order WHERE status = 'paid' GROUP BY d"},
    {"stats_payer", "INSERT INTO stats_payer (user_id, first_day, payments) SELECT user_id, " LOCAL_DAY(
                        "MIN(paid_at)") ", COUNT(*) FROM payments_order WHERE status = 'paid' GROUP BY user_id"},
    {"stats_daily", "INSERT INTO stats_daily (metric, day, value) SELECT 'paying_users', first_day, COUNT(*) "
                    "FROM stats_payer GROUP BY first_day"},
    {"stats_daily", "INSERT INTO stats_daily (metric, day, value) SELECT 'active_users', day, COUNT(*) "
                    "FROM stats_active GROUP BY day"},
    {"stats_daily", "INSERT INTO stats_daily (metric, day, value) SELECT 'active_minutes', day, SUM(minutes) "
                    "FROM stats_active GROUP BY day"},
    {"stats_user_monthly",
     "INSERT INTO stats_user_monthly (user_id, month, metric, value) SELECT user_id, " LOCAL_MONTH(
         "created_at") " m, 'search', COUNT(*) FROM jobs_searchsession GROUP BY user_id, m"},
    {"stats_user_monthly",
     "INSERT INTO stats_user_monthly (user_id, month, metric, value) SELECT user_id, " LOCAL_MONTH(
         "created_at") " m, 'search_effective', COUNT(*) FROM jobs_searchsession WHERE effective = 1 "
                       "GROUP BY user_id, m"},
    {"stats_user_monthly",
     "INSERT INTO stats_user_monthly (user_id, month, metric, value) SELECT user_id, " LOCAL_MONTH(
         "finished_at") " m, kind, COUNT(*) FROM zm_analysis WHERE state = 'done' "
                        "AND kind IN ('diagnosis', 'interview') GROUP BY user_id, m, kind"},
    {"stats_user_monthly",
     "INSERT INTO stats_user_monthly (user_id, month, metric, value) SELECT user_id, " LOCAL_MONTH(
         "created_at") " m, 'application', COUNT(*) FROM jobs_application GROUP BY user_id, m"},
    {"stats_user_monthly",
     "INSERT INTO stats_user_monthly (user_id, month, metric, value) SELECT u, m, 'mock_interview', COUNT(*) "
     "FROM (SELECT user1_id u, " LOCAL_MONTH(
         "updated_at") " m FROM partners_match WHERE status = 'accepted' "
                       "UNION ALL SELECT user2_id, " LOCAL_MONTH(
                           "updated_at") " FROM partners_match "
                                         "WHERE status = 'accepted' UNION ALL SELECT user_id, " LOCAL_MONTH(
                                             "ended_at") " FROM interview_session "
                                                         "WHERE kind = 'mock_interview' AND report IS NOT NULL) x "
                                                         "GROUP BY u, m"},
};

/* retention: the cohort (registration day) members active k days after it */
static const char retained_sql[] =
    "INSERT INTO stats_daily (metric, day, value) SELECT ?, c, COUNT(*) FROM (SELECT " LOCAL_DAY(
        "u.date_joined") " c, s.day FROM stats_active s JOIN auth_user u ON u.id = s.user_id) x "
                         "WHERE day = c + INTERVAL ? DAY GROUP BY c";

static int64_t run_step(db_t *db, const char *sql, int64_t off)
{
    const char *p = sql;
    int n = 0;

    while ((p = strchr(p, '?')) != NULL) {
        n++;
        p++;
    }
    switch (n) {
    case 0:
        return db_exec(db, sql, "");
    case 1:
        return db_exec(db, sql, "i", off);
    case 2:
        return db_exec(db, sql, "ii", off, off);
    default:
        return db_exec(db, sql, "iii", off, off, off);
    }
}

int stats_rebuild(db_t *db, zm_arena_t *a, json_object **out)
{
    static const char *const clear[] = {"DELETE FROM stats_daily", "DELETE FROM stats_user_monthly",
                                        "DELETE FROM stats_payer"};
    static const int ks[] = {1, 7, 30};
    int64_t off = zm_conf_int("stats.utc_offset_min"), daily = 0, monthly = 0, payers = 0, n = 0;
    int rc;

    ZM_UNUSED(a);
    n = db_exec(db, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", "");
    if (n >= 0) {
        /* the per-user monthly groups of a large history: in memory rather than an on-disk temporary table */
        int64_t tmp = zm_conf_int("stats.rebuild_tmp_mb") * 1024 * 1024;
        n = db_exec(db, "SET SESSION tmp_table_size = ?, max_heap_table_size = ?", "ii", tmp, tmp);
    }
    rc = n < 0 ? (int)n : db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t i = 0; i < ZM_ARRAY_LEN(clear) && n >= 0; i++) {
        n = db_exec(db, clear[i], "");
    }
    for (size_t i = 0; i < ZM_ARRAY_LEN(steps) && n >= 0; i++) {
        n = run_step(db, steps[i].sql, off);
        if (n > 0) {
            *(strcmp(steps[i].table, "stats_daily") == 0   ? &daily
              : strcmp(steps[i].table, "stats_payer") == 0 ? &payers
                                                           : &monthly) += n;
        }
    }
    for (size_t i = 0; i < ZM_ARRAY_LEN(ks) && n >= 0; i++) {
        char metric[16];
        snprintf(metric, sizeof(metric), "retained_d%d", ks[i]);
        n = db_exec(db, retained_sql, "sii", metric, off, (int64_t)ks[i]);
        daily += n > 0 ? n : 0;
    }
    rc = n < 0 ? (int)n : db_commit(db);
    if (rc != ZM_OK) {
        db_rollback(db);
        zm_log_warn("stats: rebuild failed: %s", zm_strerror(rc));
        return rc;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "stats_daily", json_object_new_int64(daily));
    json_object_object_add(*out, "stats_user_monthly", json_object_new_int64(monthly));
    json_object_object_add(*out, "stats_payer", json_object_new_int64(payers));
    return ZM_OK;
}
