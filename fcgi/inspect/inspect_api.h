/*
 * inspect_api.h -- HTTP handlers of fcgi/inspect (the admin's 巡检记录).
 */
#ifndef ZM_INSPECT_API_H
#define ZM_INSPECT_API_H

#include "http.h"

int inspect_api_list(zm_req_t *r);
int inspect_api_get(zm_req_t *r);
int inspect_api_enqueue(zm_req_t *r);
int inspect_api_ack(zm_req_t *r);

#endif
