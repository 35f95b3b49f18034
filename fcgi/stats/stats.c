/*
 * stats.c -- the recorder (stats_record), the heartbeat (stats_seen) and the
 * reads of the rollups: the admin's overview and trends, a user's months.
 */
#include "stats.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "conf.h"
#include "log.h"
#include "stats_int.h"

/* the usage metrics: recorded per day and per user and month; the dashboard's names */
const stats_usage_t stats_usage[STATS_NUSAGE] = {
    {"search", "job_searches"},
    {"search_effective", "effective_searches"},
    {"diagnosis", "diagnoses"},
    {"interview", "interview_predictions"},
    {"mock_interview", "mock_interviews"},
    {"application", "applications"},
};

const char *const stats_trend_names[] = {"new_users", "revenue",    "paying_users",   "usage", "active",
                                         "retention", "conversion", "session_length", NULL};

#define DAY_S 86400

int64_t stats_local_now(void)
{
    return zm_now_s() + zm_conf_int("stats.utc_offset_min") * 60;
}

static void fmt_day(int64_t local, char day[11])
{
    time_t t = (time_t)local;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(day, 11, "%Y-%m-%d", &tm);
}

void stats_day(int64_t t, char day[11])
{
    fmt_day(t + zm_conf_int("stats.utc_offset_min") * 60, day);
}

/* days since 1970-01-01 of "YYYY-MM-DD" (Howard Hinnant's days_from_civil); -1 when malformed */
int64_t stats_civil(const char *d)
{
    int y, m, dd;

    if (d == NULL || sscanf(d, "%4d-%2d-%2d", &y, &m, &dd) != 3) {
        return -1;
    }
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* ---- the recorder ---- */

int stats_bump_daily(db_t *db, const char *metric, const char *day, int64_t n)
{
    int64_t rc = db_exec(db,
                         "INSERT INTO stats_daily (metric, day, value) VALUES (?, ?, ?) "
                         "ON DUPLICATE KEY UPDATE value = value + ?",
                         "ssii", metric, day, n, n);

    return rc < 0 ? (int)rc : ZM_OK;
}

static int bump_monthly(db_t *db, int64_t user_id, const char *day, const char *metric, int64_t n)
{
    char month[11];
    int64_t rc;

    memcpy(month, day, 8);
    memcpy(month + 8, "01", 3);
    rc = db_exec(db,
                 "INSERT INTO stats_user_monthly (user_id, month, metric, value) VALUES (?, ?, ?, ?) "
                 "ON DUPLICATE KEY UPDATE value = value + ?",
                 "issii", user_id, month, metric, n, n);
    return rc < 0 ? (int)rc : ZM_OK;
}

static int record_payment(db_t *db, int64_t user_id, const char *day, int64_t fen)
{
    /* 1: the row is new (the user's first credited order); 2: an existing row was updated.  A
     * concurrent first payment of the same user waits on the key and then updates: counted once. */
    int64_t n = db_exec(db,
                        "INSERT INTO stats_payer (user_id, first_day, payments) VALUES (?, ?, 1) "
                        "ON DUPLICATE KEY UPDATE payments = payments + 1",
                        "is", user_id, day);
    int rc = n < 0 ? (int)n : ZM_OK;

    if (rc == ZM_OK && n == 1) {
        rc = stats_bump_daily(db, "paying_users", day, 1);
    }
    if (rc == ZM_OK) {
        rc = stats_bump_daily(db, "revenue_fen", day, fen);
    }
    if (rc == ZM_OK) {
        rc = stats_bump_daily(db, "payments", day, 1);
    }
    return rc;
}

int stats_record(db_t *db, int64_t user_id, const char *metric, int64_t n)
{
    char day[11];
    int rc;

    if (metric == NULL || n < 0 || user_id <= 0) {
        zm_log_error("stats: bad record (%s, user %lld, n %lld)", metric ? metric : "(null)", (long long)user_id,
                     (long long)n);
        return ZM_EINVAL;
    }
    if (n == 0) {
        return ZM_OK;
    }
    fmt_day(stats_local_now(), day);
    for (size_t i = 0; i < STATS_NUSAGE; i++) {
        if (strcmp(metric, stats_usage[i].metric) == 0) {
            rc = stats_bump_daily(db, metric, day, n);
            return rc == ZM_OK ? bump_monthly(db, user_id, day, metric, n) : rc;
        }
    }
    if (strcmp(metric, "register") == 0) {
        return stats_bump_daily(db, "new_users", day, n);
    }
    if (strcmp(metric, "register_invited") == 0) {
        rc = stats_bump_daily(db, "new_users", day, n);
        return rc == ZM_OK ? stats_bump_daily(db, "invited_users", day, n) : rc;
    }
    if (strcmp(metric, "payment") == 0) {
        return record_payment(db, user_id, day, n);
    }
    zm_log_error("stats: unknown metric %s", metric);
    return ZM_EINVAL;
}

/* ---- the heartbeat ---- */

/* who this process wrote a heartbeat for, and in which minute: a direct-mapped table, so a busy user
 * costs one comparison per request and one write a minute (a collision costs at most an extra write) */
#define SEEN_SLOTS 4096
static struct {
    int64_t user_id;
    int64_t minute;
} seen[SEEN_SLOTS];

/* the first request of a local day: the active day, and the cohort's retention if it is day 1, 7 or 30 */
static int first_of_day(db_t *db, zm_arena_t *a, int64_t user_id, const char *day)
{
    int64_t off = zm_conf_int("stats.utc_offset_min");
    db_res_t res;
    int rc = stats_bump_daily(db, "active_users", day, 1);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_query(db, a, &res,
                  "SELECT DATE_FORMAT(DATE(date_joined + INTERVAL ? MINUTE), '%Y-%m-%d') FROM auth_user WHERE id = ?",
                  "ii", off, user_id);
    if (rc != ZM_OK || res.nrows == 0) {
        return rc;
    }
    switch (stats_civil(day) - stats_civil(db_val(&res, 0, 0))) {
    case 1:
        return stats_bump_daily(db, "retained_d1", db_val(&res, 0, 0), 1);
    case 7:
        return stats_bump_daily(db, "retained_d7", db_val(&res, 0, 0), 1);
    case 30:
        return stats_bump_daily(db, "retained_d30", db_val(&res, 0, 0), 1);
    default:
        return ZM_OK;
    }
}

static int heartbeat(db_t *db, int64_t user_id, int64_t now)
{
    char day[11];
    int64_t n;
    int rc;

    /* a new minute for this user fleet-wide: the row older than 50 s (another process may have just
     * written it), or no row yet */
    n = db_exec(db,
                "UPDATE stats_online SET last_seen = UTC_TIMESTAMP() "
                "WHERE user_id = ? AND last_seen < UTC_TIMESTAMP() - INTERVAL 50 SECOND",
                "i", user_id);
    if (n == 0) {
        n = db_exec(db, "INSERT INTO stats_online (user_id, last_seen) VALUES (?, UTC_TIMESTAMP())", "i", user_id);
        if (n == ZM_EDUP) {
            return ZM_OK; /* seen within the last 50 s */
        }
    }
    if (n < 0) {
        return (int)n;
    }
    fmt_day(now + zm_conf_int("stats.utc_offset_min") * 60, day);
    /* 1: the day's row is new (the first request today); 2: one more minute on it */
    n = db_exec(db,
                "INSERT INTO stats_active (day, user_id, minutes) VALUES (?, ?, 1) "
                "ON DUPLICATE KEY UPDATE minutes = minutes + 1",
                "si", day, user_id);
    if (n < 0) {
        return (int)n;
    }
    if (n == 1) {
        zm_arena_t a;
        zm_arena_init(&a, 1024, 1 << 16);
        rc = first_of_day(db, &a, user_id, day);
        zm_arena_destroy(&a);
        if (rc != ZM_OK) {
            return rc;
        }
    }
    return stats_bump_daily(db, "active_minutes", day, 1);
}

void stats_seen(db_t *db, int64_t user_id)
{
    int64_t now = zm_now_s(), minute = now / 60;
    size_t h = (size_t)(((uint64_t)user_id * 0x9E3779B97F4A7C15ull) >> 52) % SEEN_SLOTS;
    int rc;

    if (user_id <= 0 || (seen[h].user_id == user_id && seen[h].minute == minute)) {
        return;
    }
    seen[h].user_id = user_id;
    seen[h].minute = minute;
    if (db_in_transaction(db)) {
        return; /* never inside someone's transaction: the next request writes it */
    }
    rc = heartbeat(db, user_id, now);
    if (rc != ZM_OK) {
        zm_log_warn("stats: heartbeat for user %lld: %s", (long long)user_id, zm_strerror(rc));
    }
}

/* ---- reading the rollups ---- */

/* at most this many metrics in one read (the IN list's placeholders) */
#define READ_MAX 8

/* vals[m * days + d]: metrics[m] on day from + d, 0 where there is no row */
static int read_days(db_t *db, zm_arena_t *a, const char *const *metrics, size_t nm, int64_t from, int days,
                     int64_t **vals)
{
    const char *m[READ_MAX];
    char dfrom[11], dto[11];
    db_res_t res;
    int rc;

    for (size_t i = 0; i < READ_MAX; i++) {
        m[i] = i < nm ? metrics[i] : "";
    }
    fmt_day(from * DAY_S, dfrom);
    fmt_day((from + days - 1) * DAY_S, dto);
    *vals = zm_pcalloc(a, nm * (size_t)days * sizeof(int64_t));
    if (*vals == NULL) {
        return ZM_ENOMEM;
    }
    rc = db_query(db, a, &res,
                  "SELECT metric, DATE_FORMAT(day, '%Y-%m-%d'), value FROM stats_daily "
                  "WHERE metric IN (?, ?, ?, ?, ?, ?, ?, ?) AND day BETWEEN ? AND ?",
                  "ssssssssss", m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], dfrom, dto);
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t r = 0; r < res.nrows; r++) {
        int64_t d = stats_civil(db_val(&res, r, 1)) - from;
        for (size_t i = 0; i < nm && d >= 0 && d < days; i++) {
            if (strcmp(db_val(&res, r, 0), metrics[i]) == 0) {
                (*vals)[i * (size_t)days + (size_t)d] = db_int(&res, r, 2);
            }
        }
    }
    return ZM_OK;
}

/* sums of metrics over every day before `before` (before < 0: every day) into sums[nm] */
static int read_sums(db_t *db, zm_arena_t *a, const char *const *metrics, size_t nm, int64_t before, int64_t *sums)
{
    const char *m[READ_MAX];
    char dbefore[11];
    db_res_t res;
    int rc;

    for (size_t i = 0; i < READ_MAX; i++) {
        m[i] = i < nm ? metrics[i] : "";
    }
    if (before < 0) {
        memcpy(dbefore, "9999-12-31", 11);
    } else {
        fmt_day(before * DAY_S, dbefore);
    }
    rc = db_query(db, a, &res,
                  "SELECT metric, COALESCE(SUM(value), 0) FROM stats_daily "
                  "WHERE metric IN (?, ?, ?, ?, ?, ?, ?, ?) AND day < ? GROUP BY metric",
                  "sssssssss", m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], dbefore);
    if (rc != ZM_OK) {
        return rc;
    }
    memset(sums, 0, nm * sizeof(*sums));
    for (size_t r = 0; r < res.nrows; r++) {
        for (size_t i = 0; i < nm; i++) {
            if (strcmp(db_val(&res, r, 0), metrics[i]) == 0) {
                sums[i] = db_int(&res, r, 1);
            }
        }
    }
    return ZM_OK;
}

int stats_overview(db_t *db, zm_arena_t *a, json_object **out)
{
    static const char *const totals[] = {"new_users", "invited_users", "paying_users", "revenue_fen", "payments"};
    static const char *const today_m[] = {"new_users", "invited_users", "active_users", "paying_users", "revenue_fen"};
    const char *usage_m[STATS_NUSAGE];
    int64_t sums[ZM_ARRAY_LEN(totals)], *tv, *uv, today = stats_local_now() / DAY_S;
    char day[11];
    db_res_t res;
    json_object *o, *t, *u;
    int rc;

    for (size_t i = 0; i < STATS_NUSAGE; i++) {
        usage_m[i] = stats_usage[i].metric;
    }
    rc = db_query(db, a, &res,
                  "SELECT COUNT(*) FROM stats_online WHERE last_seen >= UTC_TIMESTAMP() - INTERVAL ? SECOND", "i",
                  (int64_t)STATS_ONLINE_WINDOW_S);
    if (rc == ZM_OK) {
        rc = read_sums(db, a, totals, ZM_ARRAY_LEN(totals), -1, sums);
    }
    if (rc == ZM_OK) {
        rc = read_days(db, a, today_m, ZM_ARRAY_LEN(today_m), today, 1, &tv);
    }
    if (rc == ZM_OK) {
        rc = read_days(db, a, usage_m, STATS_NUSAGE, today, 1, &uv);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    o = json_object_new_object();
    json_object_object_add(o, "online_now", json_object_new_int64(db_int(&res, 0, 0)));
    json_object_object_add(o, "online_window_s", json_object_new_int64(STATS_ONLINE_WINDOW_S));
    json_object_object_add(o, "registered_total", json_object_new_int64(sums[0]));
    json_object_object_add(o, "registered_invited", json_object_new_int64(sums[1]));
    json_object_object_add(o, "paying_users", json_object_new_int64(sums[2]));
    json_object_object_add(o, "revenue_fen", json_object_new_int64(sums[3]));
    json_object_object_add(o, "payments", json_object_new_int64(sums[4]));
    t = json_object_new_object();
    fmt_day(today * DAY_S, day);
    json_object_object_add(t, "date", json_object_new_string(day));
    for (size_t i = 0; i < ZM_ARRAY_LEN(today_m); i++) {
        json_object_object_add(t, today_m[i], json_object_new_int64(tv[i]));
    }
    u = json_object_new_object();
    for (size_t i = 0; i < STATS_NUSAGE; i++) {
        json_object_object_add(u, usage_m[i], json_object_new_int64(uv[i]));
    }
    json_object_object_add(t, "usage", u);
    json_object_object_add(o, "today", t);
    *out = o;
    return ZM_OK;
}

static json_object *int_series(const int64_t *v, int days)
{
    json_object *arr = json_object_new_array_ext(days);

    for (int d = 0; d < days; d++) {
        json_object_array_add(arr, json_object_new_int64(v[d]));
    }
    return arr;
}

/* part / whole as a percentage with one decimal; null when whole is 0 */
static json_object *rate(int64_t part, int64_t whole)
{
    if (whole <= 0) {
        return NULL;
    }
    return json_object_new_double((double)((part * 1000 + whole / 2) / whole) / 10.0);
}

int stats_trend(db_t *db, zm_arena_t *a, stats_trend_t t, int days, json_object **out)
{
    static const char *const ret_m[] = {"new_users", "retained_d1", "retained_d7", "retained_d30"};
    static const char *const conv_m[] = {"new_users", "paying_users"};
    static const char *const act_m[] = {"active_users", "active_minutes"};
    const char *usage_m[STATS_NUSAGE];
    int64_t today = stats_local_now() / DAY_S, from = today - days + 1, *v;
    json_object *o, *dates, *series;
    char day[11];
    int rc = ZM_OK;

    for (size_t i = 0; i < STATS_NUSAGE; i++) {
        usage_m[i] = stats_usage[i].metric;
    }
    o = json_object_new_object();
    series = json_object_new_object();
    json_object_object_add(o, "series", series);
    switch (t) {
    case STATS_T_NEW_USERS: {
        static const char *const m[] = {"new_users", "invited_users"};
        if ((rc = read_days(db, a, m, 2, from, days, &v)) == ZM_OK) {
            json_object_object_add(series, "new_users", int_series(v, days));
            json_object_object_add(series, "invited_users", int_series(v + days, days));
        }
        break;
    }
    case STATS_T_REVENUE: {
        static const char *const m[] = {"revenue_fen", "payments"};
        if ((rc = read_days(db, a, m, 2, from, days, &v)) == ZM_OK) {
            json_object_object_add(series, "revenue_fen", int_series(v, days));
            json_object_object_add(series, "payments", int_series(v + days, days));
        }
        break;
    }
    case STATS_T_PAYING_USERS: {
        static const char *const m[] = {"paying_users"};
        int64_t base;
        if ((rc = read_days(db, a, m, 1, from, days, &v)) == ZM_OK &&
            (rc = read_sums(db, a, m, 1, from, &base)) == ZM_OK) {
            json_object *cum = json_object_new_array_ext(days);
            json_object_object_add(series, "paying_users", int_series(v, days));
            for (int d = 0; d < days; d++) {
                base += v[d];
                json_object_array_add(cum, json_object_new_int64(base));
            }
            json_object_object_add(series, "paying_users_total", cum);
        }
        break;
    }
    case STATS_T_USAGE:
        if ((rc = read_days(db, a, usage_m, STATS_NUSAGE, from, days, &v)) == ZM_OK) {
            for (size_t i = 0; i < STATS_NUSAGE; i++) {
                json_object_object_add(series, usage_m[i], int_series(v + i * (size_t)days, days));
            }
        }
        break;
    case STATS_T_ACTIVE:
        if ((rc = read_days(db, a, act_m, 2, from, days, &v)) == ZM_OK) {
            json_object *avg = json_object_new_array_ext(days);
            json_object_object_add(series, "active_users", int_series(v, days));
            for (int d = 0; d < days; d++) {
                /* minutes with a request, per active user */
                json_object_array_add(
                    avg, v[d] ? json_object_new_double((double)((v[days + d] * 10 + v[d] / 2) / v[d]) / 10.0) : NULL);
            }
            json_object_object_add(series, "avg_active_minutes", avg);
        }
        break;
    case STATS_T_SESSION_LENGTH:
        /* per core feature: the average session length in seconds of the sessions started that day
         * (null on a day without one) and how many there were */
        for (int f = 0; f < STATS_NFEATURES && rc == ZM_OK; f++) {
            const char *m[2] = {zm_psprintf(a, "sess_n_%s", stats_features[f].name),
                                zm_psprintf(a, "sess_s_%s", stats_features[f].name)};
            if ((rc = read_days(db, a, m, 2, from, days, &v)) == ZM_OK) {
                json_object *avg = json_object_new_array_ext(days);
                for (int d = 0; d < days; d++) {
                    json_object_array_add(avg, v[d] ? json_object_new_int64((v[days + d] + v[d] / 2) / v[d]) : NULL);
                }
                json_object_object_add(series, stats_features[f].name, avg);
                json_object_object_add(series, zm_psprintf(a, "%s_sessions", stats_features[f].name),
                                       int_series(v, days));
            }
        }
        break;
    case STATS_T_RETENTION:
        /* by registration (cohort) day: the share of the cohort active on day 1, 7, 30 after it;
         * null while that day has not come yet or the cohort is empty */
        if ((rc = read_days(db, a, ret_m, 4, from, days, &v)) == ZM_OK) {
            static const int ks[] = {1, 7, 30};
            json_object_object_add(series, "cohort_size", int_series(v, days));
            for (int k = 0; k < 3; k++) {
                json_object *arr = json_object_new_array_ext(days);
                for (int d = 0; d < days; d++) {
                    json_object_array_add(arr, from + d + ks[k] <= today ? rate(v[(k + 1) * days + d], v[d]) : NULL);
                }
                json_object_object_add(series, ret_m[k + 1] + strlen("retained_"), arr); /* "d1", "d7", "d30" */
            }
        }
        break;
    case STATS_T_CONVERSION: {
        /* registered -> paying: everyone registered up to each day, and the share of them who have paid */
        int64_t base[2];
        if ((rc = read_days(db, a, conv_m, 2, from, days, &v)) == ZM_OK &&
            (rc = read_sums(db, a, conv_m, 2, from, base)) == ZM_OK) {
            json_object *reg = json_object_new_array_ext(days), *pay = json_object_new_array_ext(days),
                        *pct = json_object_new_array_ext(days);
            for (int d = 0; d < days; d++) {
                base[0] += v[d];
                base[1] += v[days + d];
                json_object_array_add(reg, json_object_new_int64(base[0]));
                json_object_array_add(pay, json_object_new_int64(base[1]));
                json_object_array_add(pct, rate(base[1], base[0]));
            }
            json_object_object_add(series, "registered_total", reg);
            json_object_object_add(series, "paying_total", pay);
            json_object_object_add(series, "conversion_pct", pct);
        }
        break;
    }
    }
    if (rc != ZM_OK) {
        json_object_put(o);
        return rc;
    }
    json_object_object_add(o, "metric", json_object_new_string(stats_trend_names[t]));
    json_object_object_add(o, "days", json_object_new_int(days));
    dates = json_object_new_array_ext(days);
    for (int d = 0; d < days; d++) {
        fmt_day((from + d) * DAY_S, day);
        json_object_array_add(dates, json_object_new_string(day));
        if (d == 0) {
            json_object_object_add(o, "from", json_object_new_string(day));
        }
    }
    json_object_object_add(o, "to", json_object_new_string(day));
    json_object_object_add(o, "dates", dates);
    *out = o;
    return ZM_OK;
}

int stats_monthly(db_t *db, zm_arena_t *a, int64_t user_id, json_object **out)
{
    int64_t counts[STATS_MONTHS][STATS_NUSAGE] = {{0}};
    char months[STATS_MONTHS][12], first[16], today[11];
    int y, m;
    db_res_t res;
    json_object *o, *arr;
    int rc;

    fmt_day(stats_local_now(), today);
    sscanf(today, "%4d-%2d", &y, &m);
    /* months[STATS_MONTHS - 1] is this month */
    for (int i = STATS_MONTHS - 1; i >= 0; i--) {
        snprintf(months[i], sizeof(months[i]), "%04d-%02d", y % 10000, m % 100);
        if (--m == 0) {
            m = 12;
            y--;
        }
    }
    snprintf(first, sizeof(first), "%s-01", months[0]);
    rc = db_query(db, a, &res,
                  "SELECT DATE_FORMAT(month, '%Y-%m'), metric, value FROM stats_user_monthly "
                  "WHERE user_id = ? AND month >= ?",
                  "is", user_id, first);
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t r = 0; r < res.nrows; r++) {
        for (int i = 0; i < STATS_MONTHS; i++) {
            if (strcmp(db_val(&res, r, 0), months[i]) != 0) {
                continue;
            }
            for (size_t k = 0; k < STATS_NUSAGE; k++) {
                if (strcmp(db_val(&res, r, 1), stats_usage[k].metric) == 0) {
                    counts[i][k] = db_int(&res, r, 2);
                }
            }
        }
    }
    o = json_object_new_object();
    arr = json_object_new_array_ext(STATS_MONTHS);
    for (int i = 0; i < STATS_MONTHS; i++) {
        json_object *mo = json_object_new_object();
        json_object_object_add(mo, "month", json_object_new_string(months[i]));
        for (size_t k = 0; k < STATS_NUSAGE; k++) {
            json_object_object_add(mo, stats_usage[k].name, json_object_new_int64(counts[i][k]));
        }
        json_object_array_add(arr, mo);
        if (i == STATS_MONTHS - 1) {
            json_object_object_add(o, "this_month", json_object_get(mo));
        }
    }
    json_object_object_add(o, "month", json_object_new_string(months[STATS_MONTHS - 1]));
    json_object_object_add(o, "months", arr);
    *out = o;
    return ZM_OK;
}
