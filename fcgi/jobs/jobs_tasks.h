/*
 * jobs_tasks.h -- the queue handlers of fcgi/jobs (tasks.c).
 */
#ifndef ZM_JOBS_TASKS_H
#define ZM_JOBS_TASKS_H

#include "registry.h"

/** jobs.sync {"entity", "id"}: apply the entity's pending sync events to the read model. */
int jobs_task_sync(task_ctx_t *ctx, json_object **result, char **error);

/** jobs.resync {"scope", "id", "owner_id"}: rebuild read-model rows from the source, report repairs. */
int jobs_task_resync(task_ctx_t *ctx, json_object **result, char **error);

/** jobs.check: the periodic consistency check (stale events, drift), fleet-wide. */
int jobs_task_check(task_ctx_t *ctx, json_object **result, char **error);

#endif
