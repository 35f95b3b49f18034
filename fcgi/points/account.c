/*
 * account.c -- what a user's membership and points are now: the balance row,
 * the package period running, the benefits; the paged history.  Reads only:
 * the balance row is kept up to date by every movement (ledger.c), so a read
 * is a primary-key lookup plus the user's few lots and periods.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "conf.h"
#include "points.h"

static json_object *iso(time_t t)
{
    char buf[32];
    struct tm tm;

    if (t <= 0) {
        return NULL;
    }
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_object_new_string(buf);
}

int points_status(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, points_status_t *out)
{
    db_res_t res, per;
    int rc;

    memset(out, 0, sizeof(*out));
    /* lots past expiry that the periodic task has not written off yet are not spendable */
    rc = db_query(db, a, &res,
                  "SELECT a.points, a.recharge_fen, COALESCE(UNIX_TIMESTAMP(a.package_until), 0), "
                  "COALESCE((SELECT SUM(l.remaining) FROM points_lot l WHERE l.user_id = a.user_id "
                  "AND l.expires_at <= FROM_UNIXTIME(?) AND l.remaining > 0), 0), "
                  "COALESCE((SELECT SUM(l.remaining) FROM points_lot l WHERE l.user_id = a.user_id "
                  "AND l.expires_at > FROM_UNIXTIME(?) AND l.remaining > 0), 0), "
                  "COALESCE((SELECT UNIX_TIMESTAMP(MIN(l.expires_at)) FROM points_lot l WHERE l.user_id = a.user_id "
                  "AND l.expires_at > FROM_UNIXTIME(?) AND l.remaining > 0), 0) "
                  "FROM points_account a WHERE a.user_id = ?",
                  "iiii", (int64_t)now, (int64_t)now, (int64_t)now, user_id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows > 0) {
        out->points = db_int(&res, 0, 0) - db_int(&res, 0, 3);
        out->recharge_fen = db_int(&res, 0, 1);
        out->package_until = (time_t)db_int(&res, 0, 2);
        out->expiring_points = db_int(&res, 0, 4);
        out->next_expiry = (time_t)db_int(&res, 0, 5);
    }
    out->recharge_level = points_recharge_level(out->recharge_fen);
    out->level = out->recharge_level;
    if (out->package_until > now) {
        rc = db_query(db, a, &per,
                      "SELECT package, level, UNIX_TIMESTAMP(ends_at) FROM points_package_period WHERE user_id = ? "
                      "AND ends_at > FROM_UNIXTIME(?) AND starts_at <= FROM_UNIXTIME(?) ORDER BY level DESC, ends_at "
                      "LIMIT 1",
                      "iii", user_id, (int64_t)now, (int64_t)now);
        if (rc != ZM_OK) {
            return rc;
        }
        if (per.nrows > 0) {
            out->package = db_val(&per, 0, 0);
            out->package_level = (int)db_int(&per, 0, 1);
            out->package_ends = (time_t)db_int(&per, 0, 2);
            if (out->package_level > out->level) {
                out->level = out->package_level;
            }
        }
    }
    return ZM_OK;
}

int points_level(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, int *level)
{
    points_status_t st;
    int rc = points_status(db, a, user_id, now, &st);

    *level = rc == ZM_OK ? st.level : POINTS_LEVEL_NORMAL;
    return rc;
}

int points_require_benefit(db_t *db, zm_arena_t *a, int64_t user_id, points_benefit_t benefit, int *needed_level)
{
    int need = points_benefit_level(benefit), level;
    int rc;

    *needed_level = need;
    if (need <= POINTS_LEVEL_NORMAL) {
        return ZM_OK;
    }
    if ((rc = points_level(db, a, user_id, (time_t)zm_now_s(), &level)) != ZM_OK) {
        return rc;
    }
    return level >= need ? ZM_OK : POINTS_ELEVEL;
}

static json_object *level_json(int level)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "code", json_object_new_string(points_level_name(level)));
    json_object_object_add(o, "rank", json_object_new_int(level));
    json_object_object_add(o, "label", json_object_new_string(points_level_label(level)));
    return o;
}

int points_subscription(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, json_object **out)
{
    points_status_t st;
    json_object *o, *pkg = NULL, *next = NULL, *benefits, *levels;
    int rc = points_status(db, a, user_id, now, &st);

    if (rc != ZM_OK) {
        return rc;
    }
    o = json_object_new_object();
    json_object_object_add(o, "level", level_json(st.level));
    json_object_object_add(o, "recharge_level", level_json(st.recharge_level));
    if (st.package) {
        points_package_t p;

        pkg = json_object_new_object();
        json_object_object_add(pkg, "code", json_object_new_string(st.package));
        if (points_package_find(st.package, &p) == ZM_OK) {
            json_object_object_add(pkg, "label", json_object_new_string(p.label));
        }
        json_object_object_add(pkg, "level", level_json(st.package_level));
        json_object_object_add(pkg, "ends_at", iso(st.package_ends));
        json_object_object_add(pkg, "until", iso(st.package_until));
    }
    json_object_object_add(o, "package", pkg);
    json_object_object_add(o, "package_until", st.package_until > now ? iso(st.package_until) : NULL);
    json_object_object_add(o, "cumulative_recharge_fen", json_object_new_int64(st.recharge_fen));
    if (st.recharge_level < POINTS_LEVEL_GOLD) {
        int64_t from = st.recharge_level == 0 ? 0 : points_level_threshold(st.recharge_level);
        int64_t to = points_level_threshold(st.recharge_level + 1);

        next = level_json(st.recharge_level + 1);
        json_object_object_add(next, "threshold_fen", json_object_new_int64(to));
        json_object_object_add(next, "remaining_fen", json_object_new_int64(to - st.recharge_fen));
        json_object_object_add(next, "percent",
                               json_object_new_int64(to > from ? (st.recharge_fen - from) * 100 / (to - from) : 100));
    }
    json_object_object_add(o, "next_level", next);
    json_object_object_add(o, "points", json_object_new_int64(st.points));
    json_object_object_add(o, "expiring_points", json_object_new_int64(st.expiring_points));
    json_object_object_add(o, "next_expiry", iso(st.next_expiry));
    benefits = json_object_new_array();
    for (int b = 0; b < POINTS_NBENEFITS; b++) {
        json_object *e = json_object_new_object();

        json_object_object_add(e, "code", json_object_new_string(points_benefit_name((points_benefit_t)b)));
        json_object_object_add(e, "label", json_object_new_string(points_benefit_label((points_benefit_t)b)));
        json_object_object_add(e, "level", json_object_new_string(points_level_name(points_benefit_level(b))));
        json_object_object_add(e, "unlocked", json_object_new_boolean(st.level >= points_benefit_level(b)));
        if (b == POINTS_BENEFIT_REPORT_DOWNLOAD) {
            json_object_object_add(e, "price_points", json_object_new_int64(points_download_price(st.level)));
        }
        json_object_array_add(benefits, e);
    }
    json_object_object_add(o, "benefits", benefits);
    levels = json_object_new_array();
    for (int l = POINTS_LEVEL_NORMAL; l <= POINTS_LEVEL_GOLD; l++) {
        json_object *e = level_json(l);

        json_object_object_add(e, "threshold_fen", json_object_new_int64(l == 0 ? 0 : points_level_threshold(l)));
        json_object_array_add(levels, e);
    }
    json_object_object_add(o, "levels", levels);
    json_object_object_add(o, "packages", points_packages_json());
    json_object_object_add(o, "points_per_yuan", json_object_new_int64(zm_conf_int("points.per_yuan")));
    *out = o;
    return ZM_OK;
}

int points_history(db_t *db, zm_arena_t *a, int64_t user_id, int64_t page, int64_t size, json_object **items,
                   int64_t *total)
{
    db_res_t res, c;
    int rc = db_query(db, a, &c, "SELECT entries FROM points_account WHERE user_id = ?", "i", user_id);

    if (rc != ZM_OK) {
        return rc;
    }
    *items = json_object_new_array();
    *total = c.nrows > 0 ? db_int(&c, 0, 0) : 0;
    if (*total == 0 || (page - 1) * size >= *total) {
        return ZM_OK;
    }
    rc = db_query(db, a, &res,
                  "SELECT id, reason, delta, balance_after, ref_kind, ref_id, note, "
                  "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') FROM points_ledger WHERE user_id = ? "
                  "ORDER BY id DESC LIMIT ? OFFSET ?",
                  "iii", user_id, size, (page - 1) * size);
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t r = 0; r < res.nrows; r++) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "id", json_object_new_int64(db_int(&res, r, 0)));
        json_object_object_add(o, "reason", json_object_new_string(db_val(&res, r, 1)));
        json_object_object_add(o, "delta", json_object_new_int64(db_int(&res, r, 2)));
        json_object_object_add(o, "balance_after", json_object_new_int64(db_int(&res, r, 3)));
        json_object_object_add(o, "ref_kind", json_object_new_string(db_val(&res, r, 4)));
        json_object_object_add(o, "ref_id", json_object_new_string(db_val(&res, r, 5)));
        json_object_object_add(o, "note", json_object_new_string(db_val(&res, r, 6)));
        json_object_object_add(o, "created_at", json_object_new_string(db_val(&res, r, 7)));
        json_object_array_add(*items, o);
    }
    return ZM_OK;
}

int points_level_recompute(db_t *db, zm_arena_t *a, int64_t user_id, int *before, int *after)
{
    db_res_t res;
    int64_t n;
    int rc;

    for (int attempt = 0; attempt < 3; attempt++) {
        rc = db_query(db, a, &res, "SELECT recharge_fen, recharge_level FROM points_account WHERE user_id = ?", "i",
                      user_id);
        if (rc != ZM_OK) {
            return rc;
        }
        if (res.nrows == 0) {
            return ZM_ENOTFOUND;
        }
        *before = (int)db_int(&res, 0, 1);
        *after = points_recharge_level(db_int(&res, 0, 0));
        if (*before == *after) {
            return ZM_OK;
        }
        /* only if the account has not moved since it was read (a credit sets the level itself) */
        n = db_exec(db,
                    "UPDATE points_account SET recharge_level = ?, updated_at = UTC_TIMESTAMP(6) "
                    "WHERE user_id = ? AND recharge_fen = ? AND recharge_level = ?",
                    "Iiii", *after, user_id, db_int(&res, 0, 0), (int64_t)*before);
        if (n < 0) {
            return (int)n;
        }
        if (n == 1) {
            return ZM_OK;
        }
    }
    return ZM_EAGAIN;
}
