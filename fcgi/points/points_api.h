/*
 * points_api.h -- HTTP handlers for the points paths, and the replies other
 * domains' handlers use when a feature is refused: 403 with the level it
 * needs, 402 with the shortfall.
 */
#ifndef ZM_POINTS_API_H
#define ZM_POINTS_API_H

#include "http.h"
#include "points.h"

int points_api_subscription(zm_req_t *r);
int points_api_history(zm_req_t *r);
int points_api_balance(zm_req_t *r);
int points_api_consume_duration(zm_req_t *r);

/** 403 membership_required {"error": {"code", "message", "required_level": {code, label}, "benefit"}}. */
int points_reply_level(zm_req_t *r, points_benefit_t benefit, int needed_level);

/** 402 insufficient_points {"error": {"code", "message", "shortfall", "balance", "price"}}. */
int points_reply_short(zm_req_t *r, int64_t shortfall, int64_t balance, int64_t price);

/** A points_* rc as a reply: the two above, 409 for a reused key, 400 for an unknown package, else the
 *  shared codes.  res may be NULL (no shortfall known). */
int points_reply_rc(zm_req_t *r, int rc, const points_result_t *res, int64_t price);

#endif
