/*
 * inspect_tasks.h -- zhimai-worker's task type of fcgi/inspect.
 */
#ifndef ZM_INSPECT_TASKS_H
#define ZM_INSPECT_TASKS_H

#include "registry.h"

/** inspect.run {"repair": bool, "date"?: "YYYY-MM-DD"}: an on-demand run (yesterday's bill by default). */
int inspect_task_run(task_ctx_t *ctx, json_object **result, char **error);

#endif
