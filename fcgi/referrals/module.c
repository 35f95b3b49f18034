/*
 * module.c -- referrals (推广, seed 003): the paths; the reward itself is
 * points' (points_referral_verified), its numbers points.referral_*.
 */
#include "referrals_api.h"
#include "server.h"

static const zm_route_t referrals_routes[] = {
    {"GET", "/api/v1/invite-code/", referrals_api_invite_code, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/referral/stats/", referrals_api_stats, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
};

const zm_module_t zm_referrals_module = {
    .name = "referrals",
    .routes = referrals_routes,
    .nroutes = ZM_ARRAY_LEN(referrals_routes),
};
