/*
 * module.c -- feedback (意见收集) and work orders (工单), issue 17 items 2 and 3: their paths and
 * the SLA's configuration.  The rules are tickets.h; the tables migrations/0022_tickets.sql.
 */
#include "conf.h"
#include "server.h"
#include "tickets_api.h"

static const zm_conf_key_t tickets_keys[] = {
    ZM_CONF_I("tickets.first_response_hours_low", "72", 1, 8760,
              "# Hours to a ticket's first staff reply (the SLA clock staff see), by priority: low."),
    ZM_CONF_I("tickets.first_response_hours_normal", "24", 1, 8760, "# ... normal."),
    ZM_CONF_I("tickets.first_response_hours_high", "8", 1, 8760, "# ... high."),
    ZM_CONF_I("tickets.first_response_hours_urgent", "2", 1, 8760, "# ... urgent."),
};

static const zm_route_t tickets_routes[] = {
    /* JSON, or multipart with a screenshot / attachments (api.c read_form) */
    {"POST", "/api/v1/feedback", tickets_api_feedback_create, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/feedback/{id}/screenshot", tickets_api_feedback_screenshot, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/feedback", tickets_api_feedback_mine, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/admin/feedback", tickets_api_feedback_all, ZM_AUTH_ADMIN, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/admin/feedback/{id}/adopt", tickets_api_feedback_adopt, ZM_AUTH_ADMIN, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/admin/feedback/{id}/decline", tickets_api_feedback_decline, ZM_AUTH_ADMIN, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/tickets", tickets_api_create, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/tickets", tickets_api_mine, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/tickets/{id}", tickets_api_get, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/tickets/{id}/replies", tickets_api_reply, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/tickets/{id}/attachments/{aid}", tickets_api_attachment, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/admin/tickets", tickets_api_queue, ZM_AUTH_ADMIN, NULL, ZM_BODY_ANY},
    {"PATCH", "/api/v1/admin/tickets/{id}", tickets_api_update, ZM_AUTH_ADMIN, NULL, ZM_BODY_JSON},
};

const zm_module_t zm_tickets_module = {
    .name = "tickets",
    .conf = tickets_keys,
    .nconf = ZM_ARRAY_LEN(tickets_keys),
    .routes = tickets_routes,
    .nroutes = ZM_ARRAY_LEN(tickets_routes),
};
