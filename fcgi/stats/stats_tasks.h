/*
 * stats_tasks.h -- stats' task types (tasks.c).
 */
#ifndef ZM_STATS_TASKS_H
#define ZM_STATS_TASKS_H

#include "queue.h"

/** stats.rebuild: recompute the rollups from the source tables (an admin's backfill). */
int stats_task_rebuild(task_ctx_t *ctx, json_object **result, char **error);

#endif
