/*
 * api.c -- 推广: the invite code and the invitation stats.
 */
#include "referrals.h"
#include "referrals_api.h"

int referrals_api_invite_code(zm_req_t *r)
{
    json_object *out;
    int rc = referrals_invite(r->db, r->a, r->user_id, &out);

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : zm_reply_from_rc(r, rc);
}

int referrals_api_stats(zm_req_t *r)
{
    json_object *out;
    int rc = referrals_stats(r->db, r->a, r->user_id, &out);

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : zm_reply_from_rc(r, rc);
}
