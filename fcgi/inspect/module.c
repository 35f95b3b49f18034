/*
 * module.c -- inspect: the reconciliation inspector's configuration and its
 * on-demand task (zminspect); the admin routes are in api.c
 * (zminspect_api), so zhimai-inspect's own code carries no HTTP handler.
 */
#include "conf.h"
#include "inspect.h"
#include "inspect_tasks.h"
#include "registry.h"

static const zm_conf_key_t inspect_keys[] = {
    ZM_CONF_I("inspect.pending_lookback_days", "7", 0, 366,
              "# zhimai-inspect also checks pending orders created up to this many days before its window."),
    ZM_CONF_I("inspect.stuck_grace_s", "300", 0, 86400,
              "# A pending order this long past its expiry is reported stuck (payments.expire closes them\n"
              "# every minute: one still pending is stuck)."),
    ZM_CONF_I("inspect.max_bill_mb", "64", 1, 1024,
              "# The largest trade bill zhimai-inspect downloads (MB); a bigger one fails the run."),
    ZM_CONF_S("inspect.report_dir", "",
              "# Where runs write inspect-<id>.txt and .json (\"\": nowhere; zhimai-inspect --report-dir wins)."),
};

_Static_assert(ZM_IN_RANGE(INSPECT_EBUSY, ZM_ERANGE_INSPECT) && ZM_IN_RANGE(INSPECT_ECONF, ZM_ERANGE_INSPECT),
               "inspect's codes lie in its range");

static const task_type_t inspect_tasks[] = {
    {"inspect.run", inspect_task_run, 0},
};

const zm_module_t zm_inspect_module = {
    .name = "inspect",
    .conf = inspect_keys,
    .nconf = ZM_ARRAY_LEN(inspect_keys),
    .tasks = inspect_tasks,
    .ntasks = ZM_ARRAY_LEN(inspect_tasks),
};
