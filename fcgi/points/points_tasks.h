/*
 * points_tasks.h -- points' task types (tasks.c).
 */
#ifndef ZM_POINTS_TASKS_H
#define ZM_POINTS_TASKS_H

#include "queue.h"

/** points.expire: write off package points past their period's end (every user, a batch a run). */
int points_task_expire(task_ctx_t *ctx, json_object **result, char **error);

#endif
