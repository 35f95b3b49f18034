/*
 * module.c -- the message center (消息中心, issue 17 item 1): its paths.  The writer every domain
 * calls is msg_send() (messages.h); the tables are migrations/0016_messages.sql.
 */
#include "messages_api.h"
#include "server.h"

static const zm_route_t messages_routes[] = {
    {"GET", "/api/v1/messages", messages_api_list, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/messages/unread-count", messages_api_unread_count, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/messages/read-all", messages_api_read_all, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/messages/{id}/read", messages_api_read, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/admin/messages", messages_api_post, ZM_AUTH_ADMIN, NULL, ZM_BODY_JSON},
};

const zm_module_t zm_messages_module = {
    .name = "messages",
    .routes = messages_routes,
    .nroutes = ZM_ARRAY_LEN(messages_routes),
};
