/*
 * recommend.c -- today's cards, the seed's getPotentialMatches():
 *
 *   1. the daily limit first: 4 actions today (New York date) -> no cards;
 *   2. the round: distinct users ever viewed >= total users - 1 -> round 2;
 *   3. exclusions: round 1 everyone the caller has a view of (except whoever
 *      has a pending like to the caller), round 2 only accepted partners;
 *      both rounds today's views and the caller;
 *   4. five tiers: invited + overlap, overlap, same experience, same job
 *      type, the rest; the first 4 in tier order.
 *
 * "Total users" are active profiles (and the caller's own, active or not):
 * an inactive profile is never shown, so counting it would keep a user in
 * round 1 forever.
 *
 * Inside a tier the order is most recently active first (last_active_at:
 * the last profile save or counted action), then the higher user id; both
 * descending, so one backward walk of partners_profile_active_recent gives
 * it and a query stops after the rows it needs.  One query per tier, in
 * tier order, until four cards are found; tier 1 starts from the caller's
 * pending invitations instead.  No query reads all profiles: the cost
 * follows the caller's own history and how common a tier is, not the
 * number of users (tests/bench/partners_bench.py).
 */
#include <stdio.h>
#include <string.h>

#include "partners.h"

#define INVITED_SQL                                                                                                    \
    "EXISTS (SELECT 1 FROM partners_match i WHERE i.user1_id = p.user_id AND i.user2_id = ? AND "                      \
    "i.status = 'pending')"

/* what every card must be: active, not the caller, not viewed today (params: me, me, date) */
#define COMMON_SQL                                                                                                     \
    "p.is_active = 1 AND p.user_id <> ? AND NOT EXISTS (SELECT 1 FROM partners_userdailyview t "                       \
    "WHERE t.user_id = ? AND t.date = ? AND t.viewed_user_id = p.user_id) "

/* tier 1 starts from the caller's invitations (a handful), never from all profiles: a walk of every
 * profile looking for the few who invited would cost as much as there are users (params: mask, me) */
#define T1_HEAD_SQL                                                                                                    \
    "SELECT " PARTNERS_PUBLIC_COLS ", (" PARTNERS_MASK_SQL " & ?), 1 FROM partners_match i "                           \
    "JOIN partners_profile p ON p.user_id = i.user1_id WHERE i.user2_id = ? AND i.status = 'pending' AND "
/* tiers 2-5 walk partners_profile_active_recent backwards (params: mask, me) */
#define HEAD_SQL                                                                                                       \
    "SELECT " PARTNERS_PUBLIC_COLS ", (" PARTNERS_MASK_SQL " & ?), " INVITED_SQL " FROM partners_profile p WHERE "

/* round 1: nobody the caller ever viewed, unless they invite the caller (params: me, me) */
#define ROUND1_SQL                                                                                                     \
    "AND (NOT EXISTS (SELECT 1 FROM partners_userdailyview v WHERE v.user_id = ? AND v.viewed_user_id = p.user_id) "   \
    "OR " INVITED_SQL ") "
/* round 2: nobody already matched (params: me, me) */
#define ROUND2_SQL                                                                                                     \
    "AND NOT EXISTS (SELECT 1 FROM partners_match x WHERE x.user_low = LEAST(p.user_id, ?) AND "                       \
    "x.user_high = GREATEST(p.user_id, ?) AND x.status = 'accepted') "

#define T1_SQL "AND (" PARTNERS_MASK_SQL " & ?) <> 0 "
#define T2_SQL "AND (" PARTNERS_MASK_SQL " & ?) <> 0 AND NOT " INVITED_SQL " "
#define T3_SQL "AND (" PARTNERS_MASK_SQL " & ?) = 0 AND p.experience_level = ? "
#define T4_SQL "AND (" PARTNERS_MASK_SQL " & ?) = 0 AND p.experience_level <> ? AND p.job_type = ? "
#define T5_SQL "AND (" PARTNERS_MASK_SQL " & ?) = 0 AND p.experience_level <> ? AND p.job_type <> ? "
#define ORDER_SQL "ORDER BY p.last_active_at DESC, p.user_id DESC LIMIT ?"

#define TIERS_SQL(round)                                                                                               \
    {                                                                                                                  \
        T1_HEAD_SQL COMMON_SQL round T1_SQL ORDER_SQL, HEAD_SQL COMMON_SQL round T2_SQL ORDER_SQL,                     \
            HEAD_SQL COMMON_SQL round T3_SQL ORDER_SQL, HEAD_SQL COMMON_SQL round T4_SQL ORDER_SQL,                    \
            HEAD_SQL COMMON_SQL round T5_SQL ORDER_SQL                                                                 \
    }

static const char *const tier_sql[2][5] = {TIERS_SQL(ROUND1_SQL), TIERS_SQL(ROUND2_SQL)};

/* the practice labels of mask joined with 、 */
static const char *labels(zm_arena_t *a, int mask)
{
    const char *s = "";

    for (int bit = 1; bit <= PARTNERS_STATISTICS; bit <<= 1) {
        if (mask & bit) {
            s = zm_psprintf(a, "%s%s%s", s, s[0] ? "、" : "", partners_practice_label(bit));
        }
    }
    return s;
}

static const char *reason(zm_arena_t *a, int tier, int overlap, const char *exp, const char *job)
{
    switch (tier) {
    case 1:
        return zm_psprintf(a, "TA 邀请了你，你们都选了%s", labels(a, overlap));
    case 2:
        return zm_psprintf(a, "你们都选了%s", labels(a, overlap));
    case 3:
        return zm_psprintf(a, "你们的经验水平相同（%s）", exp);
    case 4:
        return zm_psprintf(a, "你们的岗位类型相同（%s）", job);
    default:
        return "认识一位不同背景的伙伴";
    }
}

static int query_tier(db_t *db, zm_arena_t *a, int round, int tier, int64_t me, const char *date, int mask,
                      const char *exp, const char *job, int64_t need, db_res_t *res)
{
    const char *sql = tier_sql[round - 1][tier - 1];

    /* params: head (mask, me), common (me, me, date), round (me, me), tier, limit */
    switch (tier) {
    case 1:
        return db_query(db, a, res, sql, "iiiisiiIi", (int64_t)mask, me, me, me, date, me, me, mask, need);
    case 2:
        return db_query(db, a, res, sql, "iiiisiiIii", (int64_t)mask, me, me, me, date, me, me, mask, me, need);
    case 3:
        return db_query(db, a, res, sql, "iiiisiiIsi", (int64_t)mask, me, me, me, date, me, me, mask, exp, need);
    default:
        return db_query(db, a, res, sql, "iiiisiiIssi", (int64_t)mask, me, me, me, date, me, me, mask, exp, job, need);
    }
}

int partners_recommend(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, json_object **out)
{
    char date[11], reset[21];
    db_res_t res;
    const char *exp, *job;
    int64_t today, viewed, total;
    int mask, round, rc;
    json_object *items;
    time_t next = partners_ny_next_midnight(now);

    partners_ny_date(now, date);
    /* the caller's profile, today's count (1. the limit) and the distinct users ever viewed, at once */
    rc = db_query(db, a, &res,
                  "SELECT experience_level, job_type, " PARTNERS_MASK_SQL ", "
                  "(SELECT COUNT(*) FROM partners_userdailyview WHERE user_id = p.user_id AND date = ?), "
                  "(SELECT COUNT(DISTINCT viewed_user_id) FROM partners_userdailyview WHERE user_id = p.user_id) "
                  "FROM partners_profile p WHERE p.user_id = ?",
                  "si", date, user_id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return PARTNERS_ENOPROFILE;
    }
    exp = db_val(&res, 0, 0);
    job = db_val(&res, 0, 1);
    mask = (int)db_int(&res, 0, 2);
    today = db_int(&res, 0, 3);
    viewed = db_int(&res, 0, 4);
    /* 2. the round: viewed >= total - 1, where total counts at most viewed + 2 profiles (enough to
     * decide), so the check costs what the caller's history does, not what the user count does */
    rc = db_query(db, a, &res,
                  "SELECT COUNT(*) FROM (SELECT 1 FROM partners_profile WHERE is_active = 1 OR user_id = ? LIMIT ?) t",
                  "ii", user_id, viewed + 2);
    if (rc != ZM_OK) {
        return rc;
    }
    total = db_int(&res, 0, 0); /* the true total when it is <= viewed + 1 */
    round = viewed >= total - 1 ? 2 : 1;

    items = json_object_new_array();
    /* 3-4. tier by tier until four */
    for (int tier = 1; today < PARTNERS_DAILY_LIMIT && tier <= 5; tier++) {
        int64_t need = PARTNERS_DAILY_LIMIT - (int64_t)json_object_array_length(items);

        if (need <= 0) {
            break;
        }
        if ((rc = query_tier(db, a, round, tier, user_id, date, mask, exp, job, need, &res)) != ZM_OK) {
            json_object_put(items);
            return rc;
        }
        for (size_t r = 0; r < res.nrows; r++) {
            json_object *card = partners_public_json(a, &res, r, 0);
            int overlap = (int)db_int(&res, r, PARTNERS_NPUBLIC);

            json_object_object_add(card, "tier", json_object_new_int(tier));
            json_object_object_add(
                card, "reason",
                json_object_new_string(reason(a, tier, overlap, db_val(&res, r, 1), db_val(&res, r, 2))));
            json_object_object_add(card, "overlap", partners_practice_json(overlap));
            json_object_object_add(card, "invited",
                                   json_object_new_boolean(db_int(&res, r, PARTNERS_NPUBLIC + 1) != 0));
            json_object_array_add(items, card);
        }
    }
    partners_iso_time(next, reset);
    *out = json_object_new_object();
    json_object_object_add(*out, "items", items);
    json_object_object_add(*out, "round", json_object_new_int(round));
    json_object_object_add(*out, "today_count", json_object_new_int64(today));
    json_object_object_add(*out, "limit", json_object_new_int(PARTNERS_DAILY_LIMIT));
    json_object_object_add(*out, "limit_reached", json_object_new_boolean(today >= PARTNERS_DAILY_LIMIT));
    json_object_object_add(*out, "message",
                           today >= PARTNERS_DAILY_LIMIT ? json_object_new_string(PARTNERS_LIMIT_MESSAGE) : NULL);
    json_object_object_add(*out, "date", json_object_new_string(date));
    json_object_object_add(*out, "reset_at", json_object_new_string(reset));
    return ZM_OK;
}
