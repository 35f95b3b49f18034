/*
 * health.h -- GET /healthz and GET /metrics.
 */
#ifndef ZM_API_HEALTH_H
#define ZM_API_HEALTH_H

#include "http.h"

int health_healthz(zm_req_t *r);
int health_metrics(zm_req_t *r);

#endif
