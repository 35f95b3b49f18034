/*
 * referrals.c -- the invite code and the stats of a user's invitations.
 */
#include "referrals.h"

#include "accounts.h"
#include "conf.h"
#include "points.h"

int referrals_invite(db_t *db, zm_arena_t *a, int64_t user_id, json_object **out)
{
    acc_user_t u;
    int rc = acc_get_user(db, a, user_id, &u);

    if (rc != ZM_OK) {
        return rc;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "invite_code", json_object_new_string(u.invite_code));
    json_object_object_add(*out, "share_link",
                           json_object_new_string(zm_psprintf(a, "%s/register?invite_code=%s",
                                                              zm_conf_str("app.base_url"), u.invite_code)));
    json_object_object_add(*out, "reward_points", json_object_new_int64(zm_conf_int("points.referral_reward")));
    return ZM_OK;
}

int referrals_stats(db_t *db, zm_arena_t *a, int64_t user_id, json_object **out)
{
    db_res_t res;
    /* the invitees by zm_user_profile_invited_by, the rewards by points_ledger_user_reason */
    int rc = db_query(db, a, &res,
                      "SELECT COUNT(*), COALESCE(SUM(p.email_verified), 0), "
                      "(SELECT COALESCE(SUM(l.delta), 0) FROM points_ledger l WHERE l.user_id = ? "
                      "AND l.reason = 'referral') FROM zm_user_profile p WHERE p.invited_by_id = ?",
                      "ii", user_id, user_id);

    if (rc != ZM_OK) {
        return rc;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "invited", json_object_new_int64(db_int(&res, 0, 0)));
    json_object_object_add(*out, "verified", json_object_new_int64(db_int(&res, 0, 1)));
    json_object_object_add(*out, "points_earned", json_object_new_int64(db_int(&res, 0, 2)));
    json_object_object_add(*out, "reward_points", json_object_new_int64(zm_conf_int("points.referral_reward")));
    json_object_object_add(*out, "daily_cap", json_object_new_int64(zm_conf_int("points.referral_daily_cap")));
    return ZM_OK;
}
