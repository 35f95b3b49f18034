/*
 * routes.c -- every HTTP endpoint of zhimai-fcgi, in one table.
 *
 * Seed paths stay exactly as documented; new endpoints live under /api/v1/.
 */
#include "health.h"
#include "server.h"

const zm_route_t zm_routes[] = {
    {"GET", "/healthz", health_healthz, ZM_AUTH_NONE, NULL},
    {"GET", "/metrics", health_metrics, ZM_AUTH_LOOPBACK, NULL},
};

const size_t zm_nroutes = sizeof(zm_routes) / sizeof(zm_routes[0]);
