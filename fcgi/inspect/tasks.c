/*
 * tasks.c -- inspect.run: the admin page's on-demand run, in zhimai-worker
 * (origin task), under the same lock as the cron's.
 */
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "inspect.h"
#include "inspect_tasks.h"

int inspect_task_run(task_ctx_t *ctx, json_object **result, char **error)
{
    inspect_opts_t o;
    inspect_result_t out;
    json_object *v;
    const char *date = task_payload_str(ctx, "date");
    char day[11];
    int rc;

    memset(&o, 0, sizeof(o));
    if (date == NULL) {
        inspect_cn_date((time_t)zm_now_s() - 86400, day);
        date = day;
    }
    if (inspect_day_window(date, &o.window_start, &o.window_end) != ZM_OK) {
        *error = "date is not YYYY-MM-DD";
        return ZM_EINVAL;
    }
    o.bill_date = date;
    o.repair = ctx->payload && json_object_object_get_ex(ctx->payload, "repair", &v) && json_object_get_boolean(v);
    o.origin = "task";
    o.task_id = ctx->id;
    o.notify = 1;
    o.report_dir = zm_conf_str("inspect.report_dir");
    rc = inspect_run(ctx->db, ctx->a, &o, &out);
    if (rc == INSPECT_EBUSY) {
        *error = "another inspection is running";
        return ZM_EINVAL; /* not retried: the running one answers the question */
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "run_id", json_object_new_int64(out.run_id));
    json_object_object_add(*result, "status", json_object_new_string(out.status));
    json_object_object_add(*result, "findings", json_object_new_int64(out.findings));
    json_object_object_add(*result, "repaired", json_object_new_int64(out.repaired));
    if (out.error) {
        json_object_object_add(*result, "error", json_object_new_string(out.error));
    }
    json_object_put(out.report);
    return ZM_OK; /* a failed run is stored as failed: the task did its job */
}
