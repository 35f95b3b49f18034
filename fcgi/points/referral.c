/*
 * referral.c -- the reward an inviter earns when an invitee verifies their
 * email (seed 003: 邀请注册成功+10积分), once per invitee, at most
 * points.referral_daily_cap rewards an inviter a (UTC) day.  Who invited whom
 * is accounts' (zm_user_profile.invited_by_id); the endpoints are
 * fcgi/referrals/.
 */
#include <stdio.h>

#include "conf.h"
#include "points.h"

typedef struct {
    int64_t inviter, invitee, *awarded;
} referral_arg_t;

int points_referral_verified(db_t *db, zm_arena_t *a, int64_t inviter, int64_t invitee, int64_t *awarded)
{
    int64_t reward = zm_conf_int("points.referral_reward"), cap = zm_conf_int("points.referral_daily_cap");
    char ref[24];
    points_move_t m = {0};
    points_result_t out;
    db_res_t res;
    int rc, own = !db_in_transaction(db);

    *awarded = 0;
    if (inviter <= 0 || invitee <= 0 || inviter == invitee || reward <= 0) {
        return ZM_OK;
    }
    if (own && (rc = db_begin_read_committed(db)) != ZM_OK) {
        return rc;
    }
    /* the inviter's account row first: today's count and the reward are read and written under it */
    rc = db_exec(db,
                 "INSERT IGNORE INTO points_account (user_id, points, recharge_fen, recharge_level, entries, "
                 "created_at, updated_at) VALUES (?, 0, 0, 0, 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                 "i", inviter) < 0
             ? ZM_ERR
             : ZM_OK;
    if (rc == ZM_OK) {
        rc = db_query(db, a, &res, "SELECT points FROM points_account WHERE user_id = ? FOR UPDATE", "i", inviter);
    }
    if (rc == ZM_OK) {
        rc = db_query(db, a, &res,
                      "SELECT COUNT(*) FROM points_ledger WHERE user_id = ? AND reason = 'referral' "
                      "AND created_at >= UTC_DATE() LOCK IN SHARE MODE",
                      "i", inviter);
    }
    if (rc == ZM_OK && db_int(&res, 0, 0) < cap) {
        snprintf(ref, sizeof(ref), "%lld", (long long)invitee);
        m.user_id = inviter;
        m.key = zm_psprintf(a, "referral:%lld:verified", (long long)invitee);
        m.reason = "referral";
        m.delta = reward;
        m.ref_kind = "user";
        m.ref_id = ref;
        m.note = "邀请注册成功";
        rc = points_post(db, a, &m, &out);
        if (rc == ZM_OK && !out.duplicate) {
            *awarded = reward;
        }
    }
    if (own) {
        if (rc == ZM_OK) {
            rc = db_commit(db);
        }
        if (rc != ZM_OK) {
            db_rollback(db);
        }
    }
    return rc;
}
