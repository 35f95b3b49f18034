/*
 * rebuild.c -- every rollup recomputed from the source tables, without stalling the live counts.
 *
 * The sources, and what stats_record() counts as it happens:
 *   new_users, invited_users  auth_user.date_joined (+ zm_user_profile.invited_by_id)
 *   search, search_effective  jobs_searchsession.created_at (effective = 1)
 *   diagnosis, interview      zm_analysis, state done, by finished_at
 *   application               jobs_application.created_at
 *   mock_interview            partners_match accepted, by updated_at, once for each of the two users;
 *                             and a mock interview's report written (interview_session), by ended_at
 *   revenue_fen, payments     payments_order paid, by paid_at; stats_payer: each payer's first paid day
 *   paying_users              the first paid day of each payer
 *   active_*, retained_d*     stats_active (the heartbeat's own table, not rebuilt)
 *   sess_n_*, sess_s_*        stats_session (sessions.c's own table, not rebuilt), by started_at
 *
 * Live counting only ever writes a few keys: today's day rows (and the cohort rows retained_dK of
 * the day K days ago), the current month's per-user rows, and payer rows.  So the rebuild is three
 * phases, none of which holds a lock a counted write waits on for longer than one row's update:
 *   1. everything computed into TEMPORARY tables (session-private) in READ COMMITTED: the sources are
 *      read without locks, the live rollups not touched;
 *   2. the history -- keys live counting never writes (days before the cut, months before the
 *      cut's) -- copied over in short transactions, a month of days or 2000 users' past months each;
 *   3. the live keys corrected by a delta: in one consistent snapshot (REPEATABLE READ, plain
 *      non-locking reads) the recount from the sources and the rollup rows are compared; a count and
 *      its source row commit together, so in that snapshot both include exactly the same writes, and
 *      the difference (recount - rollup) added to each row afterwards keeps every write made since.
 * The cut is the local day of now - 10 minutes: a counted write's transaction older than that would
 * be the only one that could still land on a "history" day.  Payer rows are upserted (first_day the
 * earlier one), in user-id slices.
 * Two known differences with the live counts: an effective search is counted live on the day it
 * turned effective (a rebuild: the day it was made, at most 30 minutes apart), and a source row
 * deleted since (a user, a match cancelled) is no longer counted by a rebuild.
 */
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "log.h"
#include "stats.h"

/* @zm_off: stats.utc_offset_min; @zm_cut / @zm_cutm: the first day / month live counting may write */
#define LOCAL_DAY(col) "DATE(" col " + INTERVAL @zm_off MINUTE)"
#define LOCAL_MONTH(col) "DATE_FORMAT(" col " + INTERVAL @zm_off MINUTE, '%Y-%m-01')"

/* the metrics a rebuild owns in stats_daily */
#define DAILY_METRICS                                                                                                  \
    "('new_users', 'invited_users', 'search', 'search_effective', 'diagnosis', 'interview', 'application', "           \
    "'mock_interview', 'revenue_fen', 'payments', 'paying_users', 'active_users', 'active_minutes', 'retained_d1', "   \
    "'retained_d7', 'retained_d30')"

/* is stats_daily row x one a rebuild recounts? */
#define OWNED(x) "(" x ".metric IN " DAILY_METRICS " OR LEFT(" x ".metric, 5) = 'sess_')"

/* is (metric, day) of alias x a key live counting may still write? */
#define LIVE_DAY(x)                                                                                                    \
    "(" x ".day >= @zm_cut OR (" x ".metric = 'retained_d1' AND " x ".day >= @zm_cut - INTERVAL 1 DAY) OR (" x         \
    ".metric = 'retained_d7' AND " x ".day >= @zm_cut - INTERVAL 7 DAY) OR (" x ".metric = 'retained_d30' AND " x      \
    ".day >= @zm_cut - INTERVAL 30 DAY))"

/* every daily count: (metric, day, value) */
#define RETAINED(k)                                                                                                    \
    "SELECT 'retained_d" #k "' metric, c day, COUNT(*) value FROM (SELECT " LOCAL_DAY(                                 \
        "u.date_joined") " c, s.day FROM stats_active s JOIN auth_user u ON u.id = s.user_id) x "                      \
                         "WHERE day = c + INTERVAL " #k " DAY GROUP BY c"

static const char *const daily_steps[] = {
    "SELECT 'new_users' metric, " LOCAL_DAY("date_joined") " day, COUNT(*) value FROM auth_user GROUP BY day",
    "SELECT 'invited_users' metric, " LOCAL_DAY(
        "u.date_joined") " day, COUNT(*) value FROM auth_user u JOIN zm_user_profile p ON p.user_id = "
                         "u.id "
                         "WHERE p.invited_by_id IS NOT NULL GROUP BY day",
    "SELECT 'search' metric, " LOCAL_DAY("created_at") " day, COUNT(*) value FROM jobs_searchsession GROUP BY day",
    "SELECT 'search_effective' metric, " LOCAL_DAY(
        "created_at") " day, COUNT(*) value FROM jobs_searchsession WHERE effective = 1 GROUP BY day",
    "SELECT kind metric, " LOCAL_DAY("finished_at") " day, COUNT(*) value FROM zm_analysis WHERE state = 'done' "
                                                    "AND kind IN ('diagnosis', 'interview') GROUP BY kind, day",
    "SELECT 'application' metric, " LOCAL_DAY("created_at") " day, COUNT(*) value FROM jobs_application GROUP BY day",
    "SELECT 'mock_interview' metric, day, SUM(n) value FROM (SELECT " LOCAL_DAY(
        "updated_at") " day, 2 n FROM partners_match WHERE status = 'accepted' UNION ALL "
                      "SELECT " LOCAL_DAY("ended_at") ", 1 FROM interview_session WHERE kind = "
                                                      "'mock_interview' AND report IS NOT NULL) x "
                                                      "GROUP BY day",
    "SELECT 'revenue_fen' metric, " LOCAL_DAY(
        "paid_at") " day, SUM(amount_fen) value FROM payments_order WHERE status = 'paid' GROUP BY day",
    "SELECT 'payments' metric, " LOCAL_DAY(
        "paid_at") " day, COUNT(*) value FROM payments_order WHERE status = 'paid' GROUP BY day",
    "SELECT 'paying_users' metric, f day, COUNT(*) value FROM (SELECT " LOCAL_DAY(
        "MIN(paid_at)") " f FROM payments_order WHERE status = 'paid' GROUP BY user_id) p GROUP BY f",
    "SELECT 'active_users' metric, day, COUNT(*) value FROM stats_active GROUP BY day",
    "SELECT 'active_minutes' metric, day, SUM(minutes) value FROM stats_active GROUP BY day",
    RETAINED(1),
    RETAINED(7),
    RETAINED(30),
    /* time per core feature (sessions.c): sessions and their seconds by the day they started */
    "SELECT CONCAT('sess_n_', feature) metric, " LOCAL_DAY(
        "started_at") " day, COUNT(*) value FROM stats_session GROUP BY feature, day",
    "SELECT CONCAT('sess_s_', feature) metric, " LOCAL_DAY(
        "started_at") " day, SUM(TIMESTAMPDIFF(SECOND, started_at, last_at)) value FROM stats_session "
                      "GROUP BY feature, day",
};

#define MOCK_MONTH LOCAL_MONTH("updated_at")

/* every per-user monthly count: (user_id, month, metric, value) */
static const char *const monthly_steps[] = {
    "SELECT user_id, " LOCAL_MONTH("created_at") " month, 'search' metric, COUNT(*) value FROM jobs_searchsession "
                                                 "GROUP BY user_id, month",
    "SELECT user_id, " LOCAL_MONTH("created_at") " month, 'search_effective' metric, COUNT(*) value FROM "
                                                 "jobs_searchsession WHERE effective = 1 "
                                                 "GROUP BY user_id, month",
    "SELECT user_id, " LOCAL_MONTH("finished_at") " month, kind metric, COUNT(*) value FROM zm_analysis "
                                                  "WHERE state = 'done' AND kind IN ('diagnosis', 'interview') "
                                                  "GROUP BY user_id, month, kind",
    "SELECT user_id, " LOCAL_MONTH("created_at") " month, 'application' metric, COUNT(*) value FROM jobs_application "
                                                 "GROUP BY user_id, month",
    "SELECT u user_id, m month, 'mock_interview' metric, COUNT(*) value FROM (SELECT user1_id u, " MOCK_MONTH
    " m FROM partners_match WHERE status = 'accepted' UNION ALL SELECT user2_id, " MOCK_MONTH " FROM partners_match "
    "WHERE status = 'accepted' UNION ALL SELECT user_id, " LOCAL_MONTH(
        "ended_at") " FROM interview_session "
                    "WHERE kind = 'mock_interview' AND report IS NOT NULL) x GROUP BY u, m",
};

static const char payer_step[] = "SELECT user_id, " LOCAL_DAY("MIN(paid_at)") " first_day, COUNT(*) payments "
                                                                              "FROM payments_order WHERE status = "
                                                                              "'paid' GROUP BY user_id";

static int64_t exec(db_t *db, const char *sql)
{
    return db_exec(db, sql, "");
}

/* the steps as one derived table */
static const char *all_of(zm_arena_t *a, const char *const *steps, size_t n)
{
    const char *s = "";

    for (size_t i = 0; i < n; i++) {
        s = zm_psprintf(a, "%s%s(%s)", s, i ? " UNION ALL " : "", steps[i]);
    }
    return s;
}

/* phase 1: the TEMPORARY tables zm_rb_daily, zm_rb_monthly, zm_rb_payer */
static int64_t compute(db_t *db, zm_arena_t *a, int64_t *daily, int64_t *monthly, int64_t *payers)
{
    int64_t n = exec(db, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");

    if (n >= 0) {
        n = exec(db, "DROP TEMPORARY TABLE IF EXISTS zm_rb_daily, zm_rb_monthly, zm_rb_payer");
    }
    if (n >= 0) {
        n = exec(db, "CREATE TEMPORARY TABLE zm_rb_daily LIKE stats_daily");
    }
    if (n >= 0) {
        n = exec(db, "CREATE TEMPORARY TABLE zm_rb_monthly LIKE stats_user_monthly");
    }
    if (n >= 0) {
        n = exec(db, "CREATE TEMPORARY TABLE zm_rb_payer LIKE stats_payer");
    }
    for (size_t i = 0; i < ZM_ARRAY_LEN(daily_steps) && n >= 0; i++) {
        n = exec(db, zm_psprintf(a, "INSERT INTO zm_rb_daily (metric, day, value) %s", daily_steps[i]));
        *daily += n > 0 ? n : 0;
    }
    for (size_t i = 0; i < ZM_ARRAY_LEN(monthly_steps) && n >= 0; i++) {
        n = exec(db, zm_psprintf(a, "INSERT INTO zm_rb_monthly (user_id, month, metric, value) %s", monthly_steps[i]));
        *monthly += n > 0 ? n : 0;
    }
    if (n >= 0) {
        n = exec(db, zm_psprintf(a, "INSERT INTO zm_rb_payer (user_id, first_day, payments) %s", payer_step));
        *payers += n > 0 ? n : 0;
    }
    return n;
}

/* one short transaction: the history rows of a range replaced by the recount's */
static int64_t swap_range(db_t *db, const char *del, const char *ins, const char *from, const char *to)
{
    int64_t n = db_begin(db);

    if (n == ZM_OK) {
        n = db_exec(db, del, "ss", from, to);
    }
    if (n >= 0) {
        n = db_exec(db, ins, "ss", from, to);
    }
    if (n >= 0) {
        n = db_commit(db);
    }
    if (n < 0) {
        db_rollback(db);
    }
    return n;
}

#define USER_SLICE 2000

/* phase 2: the history: the days a month at a time, the per-user months a slice of users at a time */
static int64_t copy_history(db_t *db, zm_arena_t *a)
{
    db_res_t res;
    int64_t n;
    int rc = db_query(db, a, &res,
                      "SELECT DATE_FORMAT(LEAST(COALESCE((SELECT MIN(day) FROM zm_rb_daily), @zm_cut), "
                      "COALESCE((SELECT MIN(day) FROM stats_daily), @zm_cut)), '%Y-%m-01'), "
                      "DATE_FORMAT(@zm_cut, '%Y-%m-%d')",
                      "");
    const char *m, *cut;

    if (rc != ZM_OK) {
        return rc;
    }
    m = db_val(&res, 0, 0);
    cut = db_val(&res, 0, 1);
    for (n = 0; n >= 0 && strcmp(m, cut) <= 0;) { /* stats_daily: a month of days a transaction */
        db_res_t nx;
        const char *next;

        if ((rc = db_query(db, a, &nx, "SELECT DATE_FORMAT(DATE(?) + INTERVAL 1 MONTH, '%Y-%m-%d')", "s", m)) !=
            ZM_OK) {
            return rc;
        }
        next = db_val(&nx, 0, 0);
        n = swap_range(db,
                       "DELETE FROM stats_daily WHERE " OWNED("stats_daily") " AND day >= ? AND day < ? "
                                                                             "AND NOT " LIVE_DAY("stats_daily"),
                       "INSERT INTO stats_daily (metric, day, value) SELECT metric, day, value FROM zm_rb_daily x "
                       "WHERE day >= ? AND day < ? AND NOT " LIVE_DAY("x"),
                       m, next);
        m = next;
    }
    /* the per-user months, by slices of users (the primary key's prefix): each slice a short
     * transaction over its past months */
    rc = db_query(db, a, &res,
                  "SELECT GREATEST(COALESCE((SELECT MAX(user_id) FROM zm_rb_monthly), 0), "
                  "COALESCE((SELECT MAX(user_id) FROM stats_user_monthly), 0))",
                  "");
    if (rc != ZM_OK) {
        return rc;
    }
    for (int64_t lo = 0, top = db_int(&res, 0, 0); n >= 0 && lo <= top; lo += USER_SLICE) {
        n = db_begin(db);
        if (n >= 0) {
            n = db_exec(db, "DELETE FROM stats_user_monthly WHERE user_id >= ? AND user_id < ? AND month < @zm_cutm",
                        "ii", lo, lo + USER_SLICE);
        }
        if (n >= 0) {
            n = db_exec(db,
                        "INSERT INTO stats_user_monthly (user_id, month, metric, value) SELECT user_id, month, "
                        "metric, value FROM zm_rb_monthly WHERE user_id >= ? AND user_id < ? AND month < @zm_cutm",
                        "ii", lo, lo + USER_SLICE);
        }
        n = n >= 0 ? db_commit(db) : n;
        if (n < 0) {
            db_rollback(db);
        }
    }
    return n;
}

/* phase 3: the live keys, by a delta taken in one consistent snapshot */
static int64_t correct_live(db_t *db, zm_arena_t *a, int64_t *fixed)
{
    const char *daily = all_of(a, daily_steps, ZM_ARRAY_LEN(daily_steps));
    const char *monthly = all_of(a, monthly_steps, ZM_ARRAY_LEN(monthly_steps));
    db_res_t d, m;
    int64_t n = exec(db, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    int rc;

    if (n >= 0) {
        n = db_begin(db); /* the read view: taken by the first SELECT, shared by the second */
    }
    if (n < 0) {
        return n;
    }
    /* plain SELECTs: consistent reads, no locks on the sources or the rollups */
    rc = db_query(
        db, a, &d,
        zm_psprintf(
            a,
            "SELECT r.metric, DATE_FORMAT(r.day, '%%Y-%%m-%%d'), r.value - COALESCE(s.value, 0) FROM (%s) r "
            "LEFT JOIN stats_daily s ON s.metric = r.metric AND s.day = r.day "
            "WHERE " LIVE_DAY(
                "r") " AND r.value <> COALESCE(s.value, 0) "
                     "UNION ALL SELECT s.metric, DATE_FORMAT(s.day, '%%Y-%%m-%%d'), -s.value FROM stats_daily s "
                     "WHERE s.metric IN " DAILY_METRICS
                     " AND " LIVE_DAY("s") " AND s.value <> 0 AND NOT EXISTS "
                                           "(SELECT 1 FROM (%s) r WHERE r.metric = s.metric AND r.day = s.day)",
            daily, daily),
        "");
    if (rc == ZM_OK) {
        rc = db_query(db, a, &m,
                      zm_psprintf(a,
                                  "SELECT r.user_id, DATE_FORMAT(r.month, '%%Y-%%m-%%d'), r.metric, "
                                  "r.value - COALESCE(s.value, 0) FROM (SELECT * FROM (%s) q WHERE q.month >= "
                                  "@zm_cutm) r LEFT JOIN stats_user_monthly s ON s.user_id = r.user_id AND s.month = "
                                  "r.month AND s.metric = r.metric WHERE r.value <> COALESCE(s.value, 0) "
                                  "UNION ALL SELECT s.user_id, DATE_FORMAT(s.month, '%%Y-%%m-%%d'), s.metric, -s.value "
                                  "FROM stats_user_monthly s WHERE s.month >= @zm_cutm AND s.value <> 0 AND NOT EXISTS "
                                  "(SELECT 1 FROM (%s) r WHERE r.user_id = s.user_id AND r.month = s.month "
                                  "AND r.metric = s.metric)",
                                  monthly, monthly),
                      "");
    }
    n = rc == ZM_OK ? db_commit(db) : rc;
    if (n < 0) {
        db_rollback(db);
        return n;
    }
    /* each correction on its own: a row's update, whatever was counted since the snapshot stays */
    for (size_t i = 0; i < d.nrows && n >= 0; i++) {
        n = db_exec(db,
                    "INSERT INTO stats_daily (metric, day, value) VALUES (?, ?, ?) "
                    "ON DUPLICATE KEY UPDATE value = value + ?",
                    "ssii", db_val(&d, i, 0), db_val(&d, i, 1), db_int(&d, i, 2), db_int(&d, i, 2));
    }
    for (size_t i = 0; i < m.nrows && n >= 0; i++) {
        n = db_exec(db,
                    "INSERT INTO stats_user_monthly (user_id, month, metric, value) VALUES (?, ?, ?, ?) "
                    "ON DUPLICATE KEY UPDATE value = value + ?",
                    "issii", db_int(&m, i, 0), db_val(&m, i, 1), db_val(&m, i, 2), db_int(&m, i, 3), db_int(&m, i, 3));
    }
    *fixed = (int64_t)(d.nrows + m.nrows);
    return n;
}

/* payers: upserted in user-id slices (a live first payment waits at most for one slice's statement) */
static int64_t merge_payers(db_t *db, zm_arena_t *a)
{
    db_res_t res;
    int64_t n = 0, top;
    int rc = db_query(db, a, &res, "SELECT COALESCE(MAX(user_id), 0) FROM zm_rb_payer", "");

    if (rc != ZM_OK) {
        return rc;
    }
    top = db_int(&res, 0, 0);
    for (int64_t lo = 0; lo <= top && n >= 0; lo += 5000) {
        n = db_exec(db,
                    "INSERT INTO stats_payer (user_id, first_day, payments) SELECT user_id, first_day, payments "
                    "FROM zm_rb_payer WHERE user_id >= ? AND user_id < ? "
                    "ON DUPLICATE KEY UPDATE first_day = LEAST(stats_payer.first_day, VALUES(first_day))",
                    "ii", lo, lo + 5000);
    }
    return n;
}

int stats_rebuild(db_t *db, zm_arena_t *a, json_object **out)
{
    int64_t off = zm_conf_int("stats.utc_offset_min"), daily = 0, monthly = 0, payers = 0, fixed = 0, n;
    /* the first day live counting may still write: a counted write's transaction started more than
     * 10 minutes before the rebuild cannot land on a day before it */
    int64_t tmp = zm_conf_int("stats.rebuild_tmp_mb") * 1024 * 1024;
    char cut[11];

    stats_day(zm_now_s() - 600, cut);
    n = db_exec(db, "SET @zm_off = ?, @zm_cut = DATE(?), @zm_cutm = DATE(DATE_FORMAT(?, '%Y-%m-01'))", "iss", off, cut,
                cut);
    if (n >= 0) {
        /* the per-user monthly groups of a large history: in memory rather than an on-disk temporary table */
        n = db_exec(db, "SET SESSION tmp_table_size = ?, max_heap_table_size = ?", "ii", tmp, tmp);
    }
    if (n >= 0) {
        n = compute(db, a, &daily, &monthly, &payers);
    }
    if (n >= 0) {
        n = copy_history(db, a);
    }
    if (n >= 0) {
        n = merge_payers(db, a);
    }
    if (n >= 0) {
        n = correct_live(db, a, &fixed);
    }
    exec(db, "DROP TEMPORARY TABLE IF EXISTS zm_rb_daily, zm_rb_monthly, zm_rb_payer");
    if (n < 0) {
        zm_log_warn("stats: rebuild failed: %s", zm_strerror((int)n));
        return (int)n;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "stats_daily", json_object_new_int64(daily));
    json_object_object_add(*out, "stats_user_monthly", json_object_new_int64(monthly));
    json_object_object_add(*out, "stats_payer", json_object_new_int64(payers));
    json_object_object_add(*out, "live_corrections", json_object_new_int64(fixed));
    return ZM_OK;
}
