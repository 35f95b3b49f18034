/*
 * events_api.h -- the nchan authorizer for live task events.
 */
#ifndef ZM_API_EVENTS_H
#define ZM_API_EVENTS_H

#include "http.h"

/**
 * GET /api/v1/events/auth/{taskId} (ZM_AUTH_USER): nginx's nchan_authorize_request
 * subrequest for a subscription to channel task_{taskId}.  204 when the token's
 * user owns the task; 403 otherwise, the same for a task that does not exist
 * (existence never leaks).  401 for a missing or bad token (zm_auth_check).
 */
int events_api_auth(zm_req_t *r);

#endif
