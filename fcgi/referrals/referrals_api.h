/*
 * referrals_api.h -- HTTP handlers for /api/v1/invite-code/ and /api/v1/referral/stats/.
 */
#ifndef ZM_REFERRALS_API_H
#define ZM_REFERRALS_API_H

#include "http.h"

int referrals_api_invite_code(zm_req_t *r);
int referrals_api_stats(zm_req_t *r);

#endif
