/*
 * live.h -- a user's live channel: hints to the user's open pages, through nginx's nchan.
 *
 * Every user has one channel, user_<id>.  A domain publishes a small JSON message there after
 * the write it tells of has committed:
 *
 *     {"type": "application.status", "application_id": 7, "job_id": 3, "status": "interviewing", ...}
 *
 * Browsers subscribe at GET /api/v1/events/users/{id}?access_token=<JWT> (EventSource; the
 * location in conf/nginx-app.conf.in), behind the authorizer GET /api/v1/events/auth/users/{id}
 * (tasks_api.h): only the token's own user may listen.  Like task events (events.h), a message
 * is a hint, best effort (pubsub.h): the database row stays the truth, and a page that missed a
 * message reads it again.  Types so far: application.status, application.new (jobs),
 * match.invite (matching), message.new (the message center, fcgi/messages).
 *
 * Messages for many users at once (the message center's broadcasts) go to one channel per role,
 * role_seeker / role_hr / role_admin, and to "broadcast" for everyone: never one message per
 * user.  The SPA listens at GET /api/v1/events/users/{id}/{role}?access_token=<JWT>, one
 * EventSource multiplexing user_<id>, role_<role> and broadcast; the authorizer
 * (GET /api/v1/events/auth/users/{id}/{role}) lets in only the token's own user with that role.
 */
#ifndef ZM_LIVE_H
#define ZM_LIVE_H

#include <json-c/json.h>
#include <stdint.h>

#include "zm.h"

/** The channel name of user_id ("user_<id>") into buf; ZM_EINVAL for user_id <= 0 or a short buf. */
int live_user_channel(int64_t user_id, char *buf, size_t n);

/**
 * Publish msg (a JSON object; stays the caller's) to user_id's channel, adding "type" and "at"
 * (the UTC time, ISO 8601) when msg has none.  ZM_OK when sent or when live messages are off;
 * ZM_EINVAL for a bad user id, type or message; ZM_ERR when nchan did not take it (logged by
 * pubsub).  Call it after the commit: never from inside a transaction that may still roll back.
 */
int live_user_publish(int64_t user_id, const char *type, json_object *msg);

/** The channel of role ("seeker", "hr", "admin"; NULL: everyone's, "broadcast"); NULL for another role. */
const char *live_role_channel(const char *role);

/** Publish msg to every listener of role (NULL: everyone), as live_user_publish does; ZM_EINVAL for a bad role. */
int live_role_publish(const char *role, const char *type, json_object *msg);

#endif
