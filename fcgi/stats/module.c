/*
 * module.c -- stats: the rollups' recorder and heartbeat (stats.h, called by the other domains), the
 * admin's statistics, a user's monthly numbers, the rebuild task.
 */
#include "conf.h"
#include "registry.h"
#include "server.h"
#include "stats.h"
#include "stats_api.h"
#include "stats_tasks.h"

static const zm_conf_key_t stats_keys[] = {
    ZM_CONF_I("stats.utc_offset_min", "480", -720, 840,
              "# Statistics count by local calendar day: UTC plus this many minutes (480: China).\n"
              "# Changing it moves the day boundary for what is recorded from then on; run stats.rebuild\n"
              "# (POST /api/v1/admin/stats/rebuild) to recount the past with it."),
    ZM_CONF_I("stats.rebuild_tmp_mb", "1024", 16, 65536,
              "# Memory (MB) the database may give stats.rebuild's temporary tables (tmp_table_size and\n"
              "# max_heap_table_size of its session): the per-user monthly groups of a long history fit in it\n"
              "# instead of going to disk."),
};

static const zm_route_t stats_routes[] = {
    {"GET", "/api/v1/admin/stats/overview", stats_api_overview, ZM_AUTH_ADMIN, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/admin/stats/trends", stats_api_trends, ZM_AUTH_ADMIN, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/admin/stats/rebuild", stats_api_rebuild, ZM_AUTH_ADMIN, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/monthly-stats", stats_api_monthly, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
};

/* before fork: authenticated requests tell sessions.c their route (time per core feature) */
static int stats_init_master(void)
{
    zm_http_set_observer(stats_feature_seen);
    return ZM_OK;
}

static const task_type_t stats_tasks[] = {
    {"stats.rebuild", stats_task_rebuild, 0},
};

const zm_module_t zm_stats_module = {
    .name = "stats",
    .init_master = stats_init_master,
    .conf = stats_keys,
    .nconf = ZM_ARRAY_LEN(stats_keys),
    .routes = stats_routes,
    .nroutes = ZM_ARRAY_LEN(stats_routes),
    .tasks = stats_tasks,
    .ntasks = ZM_ARRAY_LEN(stats_tasks),
};
