/*
 * interview_tasks.h -- the interview's task handlers (tasks.c), for module.c.
 */
#ifndef ZM_INTERVIEW_TASKS_H
#define ZM_INTERVIEW_TASKS_H

#include "registry.h"

int iv_task_turn(task_ctx_t *ctx, json_object **result, char **error);
int iv_task_end(task_ctx_t *ctx, json_object **result, char **error);
int iv_task_idle(task_ctx_t *ctx, json_object **result, char **error);
int iv_task_reference(task_ctx_t *ctx, json_object **result, char **error);

#endif
