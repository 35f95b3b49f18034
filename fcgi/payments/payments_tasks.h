/*
 * payments_tasks.h -- zhimai-worker's task types of fcgi/payments.
 */
#ifndef ZM_PAYMENTS_TASKS_H
#define ZM_PAYMENTS_TASKS_H

#include "registry.h"

/** payments.expire: close pending orders past their expiry (settle those WeChat says are paid). */
int payments_task_expire(task_ctx_t *ctx, json_object **result, char **error);

#endif
