/*
 * registry.h -- task types and the functions that run them, the tasks
 * enqueued on a schedule, and the expired rows maintenance.purge deletes.
 *
 * Each module (module.h) lists its task types, schedules and purge rules
 * in its descriptor; task_registry_init() takes the programs' module list
 * once at start-up.  A task of a type no module declares fails permanently.
 */
#ifndef ZM_TASK_REGISTRY_H
#define ZM_TASK_REGISTRY_H

#include <json-c/json.h>

#include "module.h"
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

typedef struct task_type_s {
    const char *name; /* the zm_task.type value, "area.verb" */
    task_handler_pt handler;
    int test_only; /* registered only when tasks.test_handlers = 1 */
} task_type_t;

/* A task enqueued once per period for the whole fleet: every runner tries, the
 * dedupe key "<type>:<period number>" lets one through. */
typedef struct task_schedule_s {
    const char *type;
    int period_s;
    int priority; /* TASK_PRIO_* */
} task_schedule_t;

/*
 * One kind of expired row maintenance.purge deletes.  sql deletes at most
 * one batch, oldest first (ORDER BY the primary key also keeps it
 * deterministic for statement-based replication).  Its parameters are
 * (days, batch) when days_key is set, else (batch) alone.
 */
typedef struct task_purge_s {
    const char *name; /* its count in the result: {"purged": {name: n}} */
    const char *sql;
    const char *days_key; /* configuration key holding the age in days, or NULL */
} task_purge_t;

/** Take the task types, schedules and purge rules of modules (NULL-terminated); once at
 *  start-up.  ZM_EINVAL (and a logged reason) when two modules declare the same type. */
int task_registry_init(const zm_module_t *const *modules);

/** The registered modules, for walking schedules and purge rules. */
const zm_module_t *const *task_registry_modules(void);

/** The payload's string field key, or NULL when it is absent or not a string. */
const char *task_payload_str(task_ctx_t *ctx, const char *key);

/** The entry for type, or NULL when there is none (or it is test-only and test handlers are off). */
const task_type_t *task_lookup(const char *type);

/* ---- the queue's own handlers (maintenance.c) ---- */

/** maintenance.purge: deletes old finished tasks (and, later, other expired rows); the runner enqueues it hourly. */
int task_maintenance_purge(task_ctx_t *ctx, json_object **result, char **error);

/** test.sleep {"ms": N}: sleeps N ms in steps, reporting progress; result {"slept_ms": N}. */
int task_test_sleep(task_ctx_t *ctx, json_object **result, char **error);

/** test.fail {"times": K, "permanent": bool}: fails retryably on attempts 1..K then succeeds, or fails for good. */
int task_test_fail(task_ctx_t *ctx, json_object **result, char **error);

/** test.echo: the result is the payload. */
int task_test_echo(task_ctx_t *ctx, json_object **result, char **error);

#endif
