/*
 * tasks_api.h -- a user's own tasks over HTTP.
 */
#ifndef ZM_TASKS_API_H
#define ZM_TASKS_API_H

#include "http.h"

/** GET /api/v1/tasks/{id} (ZM_AUTH_USER): the state of one of the user's tasks; 404 for another's. */
int tasks_api_get(zm_req_t *r);

/**
 * GET /api/v1/events/auth/{taskId} (ZM_AUTH_USER): nginx's nchan_authorize_request
 * subrequest for a subscription to channel task_{taskId}.  204 when the token's
 * user owns the task; 403 otherwise, the same for a task that does not exist
 * (existence never leaks).  401 for a missing or bad token (zm_auth_check).
 */
int tasks_api_events_auth(zm_req_t *r);

/**
 * GET /api/v1/events/auth/users/{userId} (ZM_AUTH_USER): the authorizer for a subscription to
 * a user's live channel user_{userId} (live.h).  204 when the token's user is that user; 403
 * for anyone else; 404 for what is not a user id; 401 for a missing or bad token.
 */
int tasks_api_user_events_auth(zm_req_t *r);

/** The authorizer for /api/v1/events/users/{userId}/{role}: 204 for the token's own user with that role. */
int tasks_api_user_role_events_auth(zm_req_t *r);

#endif
