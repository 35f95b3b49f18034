/*
 * matching_api.h -- HTTP handlers of fcgi/matching: the seed's match paths.
 */
#ifndef ZM_MATCHING_API_H
#define ZM_MATCHING_API_H

#include "http.h"

int matching_api_start(zm_req_t *r);
int matching_api_status(zm_req_t *r);
int matching_api_result(zm_req_t *r);
int matching_api_cancel(zm_req_t *r);
int matching_api_invite(zm_req_t *r);
int matching_api_candidate_resume(zm_req_t *r);

#endif
