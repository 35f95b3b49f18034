/*
 * partners_api.h -- HTTP handlers for /api/v1/partners.
 */
#ifndef ZM_PARTNERS_API_H
#define ZM_PARTNERS_API_H

#include "http.h"

int partners_api_profile_get(zm_req_t *r);
int partners_api_profile_put(zm_req_t *r);
int partners_api_recommendations(zm_req_t *r);
int partners_api_matches(zm_req_t *r);
int partners_api_like(zm_req_t *r);
int partners_api_dislike(zm_req_t *r);
int partners_api_cancel(zm_req_t *r);
int partners_api_accept(zm_req_t *r);
int partners_api_reject(zm_req_t *r);

#endif
