/*
 * registry.h -- task types and the functions that run them.
 *
 * One static table in registry.c maps a type name to its handler.  Adding a
 * type is one line there (plus the handler's declaration in its module's
 * header).  A task of a type not in the table fails permanently.
 */
#ifndef ZM_TASK_REGISTRY_H
#define ZM_TASK_REGISTRY_H

#include <json-c/json.h>

#include "queue.h"

/**
 * Runs one attempt of a task.  Returns:
 *   ZM_OK      done: *result (may stay NULL) is stored as the task's result;
 *              the runner releases it (json_object_put).
 *   ZM_EAGAIN  a transient failure (a remote service down, a lock timeout):
 *              retried with exponential backoff while attempts remain.
 *              ZM_EDBDOWN counts as transient too.
 *   other < 0  a permanent failure: the task is failed at once.
 * On failure *error may point to a message for the task's error JSON; it
 * must live in ctx->a (or be a string literal): the runner never frees it.
 * A handler runs to its end even when the runner is asked to stop, so it
 * must not take much longer than the stop timeout; long work reports
 * task_progress() now and then (and stops when that says ZM_ENOTFOUND).
 * A handler may run more than once for one task (at-least-once delivery):
 * make it idempotent.
 */
typedef int (*task_handler_pt)(task_ctx_t *ctx, json_object **result, char **error);

typedef struct {
    const char *name; /* the zm_task.type value */
    task_handler_pt handler;
    int test_only; /* registered only when tasks.test_handlers = 1 */
} task_type_t;

/** The payload's string field key, or NULL when it is absent or not a string. */
const char *task_payload_str(task_ctx_t *ctx, const char *key);

/** The entry for type, or NULL when there is none (or it is test-only and test handlers are off). */
const task_type_t *task_lookup(const char *type);

/* ---- the built-in handlers (handlers_builtin.c) ---- */

/** maintenance.purge: deletes old finished tasks (and, later, other expired rows); the runner enqueues it hourly. */
int task_maintenance_purge(task_ctx_t *ctx, json_object **result, char **error);

/** test.sleep {"ms": N}: sleeps N ms in steps, reporting progress; result {"slept_ms": N}. */
int task_test_sleep(task_ctx_t *ctx, json_object **result, char **error);

/** test.fail {"times": K, "permanent": bool}: fails retryably on attempts 1..K then succeeds, or fails for good. */
int task_test_fail(task_ctx_t *ctx, json_object **result, char **error);

/** test.echo: the result is the payload. */
int task_test_echo(task_ctx_t *ctx, json_object **result, char **error);

#endif
