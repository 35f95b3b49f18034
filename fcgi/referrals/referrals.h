/*
 * referrals.h -- 推广 (seed 003): a user's invite code and share link, and
 * what their invitations earned.  Who invited whom is accounts'
 * (zm_user_profile.invite_code, invited_by_id, set at registration); the
 * reward for a verified invitee is points' (points_referral_verified, called by
 * accounts when the email is verified).  This folder composes the two for the
 * endpoints, so neither of them depends on the other's tables.
 */
#ifndef ZM_REFERRALS_H
#define ZM_REFERRALS_H

#include <json-c/json.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

/** {"invite_code", "share_link"}; ZM_ENOTFOUND for no such user. */
int referrals_invite(db_t *db, zm_arena_t *a, int64_t user_id, json_object **out);

/** {"invited", "verified", "points_earned", "reward_points", "daily_cap"}: one query. */
int referrals_stats(db_t *db, zm_arena_t *a, int64_t user_id, json_object **out);

#endif
