/*
 * stats_api.h -- HTTP handlers for /api/v1/admin/stats/... and /api/v1/monthly-stats.
 */
#ifndef ZM_STATS_API_H
#define ZM_STATS_API_H

#include "http.h"

int stats_api_overview(zm_req_t *r);
int stats_api_trends(zm_req_t *r);
int stats_api_rebuild(zm_req_t *r);
int stats_api_monthly(zm_req_t *r);

#endif
