/*
 * payments_api.h -- HTTP handlers of fcgi/payments.
 */
#ifndef ZM_PAYMENTS_API_H
#define ZM_PAYMENTS_API_H

#include "http.h"

int payments_api_create(zm_req_t *r);
int payments_api_list(zm_req_t *r);
int payments_api_get(zm_req_t *r);
int payments_api_qr(zm_req_t *r);
int payments_api_notify(zm_req_t *r);

#endif
