/*
 * messages_api.h -- HTTP handlers of the message center: /api/v1/messages and the admins'
 * /api/v1/admin/messages (消息发布).
 */
#ifndef ZM_MESSAGES_API_H
#define ZM_MESSAGES_API_H

#include "http.h"

/** GET /api/v1/messages?unread=1&page=&page_size=: the caller's messages, newest first. */
int messages_api_list(zm_req_t *r);
/** GET /api/v1/messages/unread-count: {"unread": n}. */
int messages_api_unread_count(zm_req_t *r);
/** POST /api/v1/messages/{id}/read: {"id", "read": true}; another user's message 404. */
int messages_api_read(zm_req_t *r);
/** POST /api/v1/messages/read-all: {"marked": n}. */
int messages_api_read_all(zm_req_t *r);
/** POST /api/v1/admin/messages {title, body, audience: all|role|user, role?, user_id?}: 201 {"id", ...}. */
int messages_api_post(zm_req_t *r);

#endif
