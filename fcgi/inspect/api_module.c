/*
 * api_module.c -- inspect's admin routes (zminspect_api: the HTTP part).
 */
#include "inspect_api.h"
#include "module.h"
#include "server.h"

static const zm_route_t inspect_routes[] = {
    {"GET", "/api/v1/admin/inspections", inspect_api_list, ZM_AUTH_ADMIN, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/admin/inspections", inspect_api_enqueue, ZM_AUTH_ADMIN, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/admin/inspections/{id}", inspect_api_get, ZM_AUTH_ADMIN, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/admin/inspections/findings/{id}/acknowledge", inspect_api_ack, ZM_AUTH_ADMIN, NULL, ZM_BODY_JSON},
};

const zm_module_t zm_inspect_api_module = {
    .name = "inspect_api",
    .routes = inspect_routes,
    .nroutes = ZM_ARRAY_LEN(inspect_routes),
};
