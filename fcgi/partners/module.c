/*
 * module.c -- practice partners (MockPal, seed 004): profiles, today's
 * recommendations, likes and invitations, matched partners.
 */
#include "conf.h"
#include "partners.h"
#include "partners_api.h"
#include "server.h"

static const zm_conf_key_t partners_keys[] = {
    ZM_CONF_B("partners.test_clock", "0",
              "# 1 lets an X-Zm-Test-Now header (Unix seconds) stand for the time in /api/v1/partners, so tests can\n"
              "# cross New York midnight.  Test stacks only: with it on, anyone can reset their own daily limit."),
};

_Static_assert(ZM_IN_RANGE(PARTNERS_ELIMIT, ZM_ERANGE_PARTNERS) && ZM_IN_RANGE(PARTNERS_ESELF, ZM_ERANGE_PARTNERS),
               "partners' codes lie in its range");

static const zm_route_t partners_routes[] = {
    {"GET", "/api/v1/partners/profile", partners_api_profile_get, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"PUT", "/api/v1/partners/profile", partners_api_profile_put, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/partners/recommendations", partners_api_recommendations, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/partners/matches", partners_api_matches, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/partners/{user_id}/like", partners_api_like, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/partners/{user_id}/dislike", partners_api_dislike, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/partners/{user_id}/cancel", partners_api_cancel, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/partners/{user_id}/accept", partners_api_accept, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/partners/{user_id}/reject", partners_api_reject, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
};

const zm_module_t zm_partners_module = {
    .name = "partners",
    .conf = partners_keys,
    .nconf = ZM_ARRAY_LEN(partners_keys),
    .routes = partners_routes,
    .nroutes = ZM_ARRAY_LEN(partners_routes),
};
