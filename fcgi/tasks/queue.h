/*
 * queue.h -- the task queue: the zm_task table (migrations/0001_tasks.sql).
 *
 * Any process enqueues (zhimai-fcgi, CLIs); zhimai-worker's runners claim,
 * run and finish.  A task's life:
 *
 *   queued --claim--> running --handler ok--> done
 *                        |  \--retryable error, attempts < max--> queued (run_after = now + backoff)
 *                        |  \--permanent error or attempts spent--> failed
 *                        \--lease expired (runner died)--> queued, or failed when attempts are spent
 *
 * A claim is SELECT ... FOR UPDATE SKIP LOCKED, so any number of runner
 * processes on any number of hosts share one table safely.  The claiming
 * runner holds a lease (lease_owner, lease_expires) that it renews while the
 * handler runs; every write a runner makes about a running task checks the
 * lease owner, so a runner that lost its lease cannot overwrite the task's
 * new life.  Delivery is at least once: a handler must be idempotent.
 *
 * All times are UTC (UTC_TIMESTAMP(6); the session time_zone is +00:00 too).
 * Nothing here begins or commits a transaction except task_claim().
 */
#ifndef ZM_TASK_QUEUE_H
#define ZM_TASK_QUEUE_H

#include <json-c/json.h>
#include <stdint.h>
#include <sys/socket.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "zm.h"

enum { TASK_PRIO_HIGH = 0, TASK_PRIO_NORMAL = 1, TASK_PRIO_LOW = 2 };

#define TASK_TYPE_MAX 64    /* zm_task.type is VARCHAR(64) */
#define TASK_DEDUPE_MAX 191 /* zm_task.dedupe_key is VARCHAR(191) */
#define TASK_OWNER_MAX 128  /* zm_task.lease_owner is VARCHAR(128) */

/** What task_enqueue() writes.  Zero-initialise and set what you need. */
typedef struct {
    const char *type;         /* registered type name, e.g. "maintenance.purge" */
    const char *payload_json; /* a JSON document; NULL means {} */
    int priority;             /* TASK_PRIO_*; 0 (high) when zero-initialised, so say which you want */
    int max_attempts;         /* 0 = tasks.max_attempts */
    int64_t user_id;          /* 0 = none (stored as NULL) */
    const char *dedupe_key;   /* NULL = none; else at most one task per key, ever (until purged) */
    int delay_s;              /* run no earlier than now + delay_s */
} task_new_t;

/** A task as task_get() reads it; strings live in the caller's arena. */
typedef struct {
    int64_t id;
    const char *type;
    const char *state; /* "queued", "running", "done", "failed" */
    int priority;
    int progress; /* 0..100 */
    int attempts;
    int max_attempts;
    int64_t user_id; /* 0 = none */
    const char *payload_json;
    const char *result_json; /* NULL until done (and NULL when the handler gave none) */
    const char *error_json;  /* {"reason": "...", "attempts": n} of the last failure, or NULL */
    const char *dedupe_key;  /* NULL = none */
    const char *lease_owner; /* "<host>:<pid>" of the runner that claimed it last, or NULL */
    /* ISO 8601 UTC with microseconds ("2026-11-22T10:01:02.345678Z"); NULL when not yet */
    const char *run_after;
    const char *created_at;
    const char *updated_at;
    const char *started_at;
    const char *finished_at;
} task_info_t;

/**
 * What a handler (and the runner) knows about the task it runs.  The runner
 * fills it from task_claim(); handlers read it and pass it to task_progress().
 */
typedef struct task_ctx_s {
    db_t *db;      /* the runner's connection; a handler may run its own transactions on it */
    zm_arena_t *a; /* reset after the task: allocate freely */
    int64_t id;
    const char *type;
    const char *payload_json; /* the payload as stored */
    json_object *payload;     /* parsed (NULL before the runner parses it); owned by the runner */
    int attempt;              /* 1 on the first run */
    int max_attempts;
    int64_t user_id;         /* 0 = none */
    const char *lease_owner; /* who holds the lease: every write is checked against it */
    int lease_s;             /* lease length; task_progress() extends the lease by this much */
    int progress;            /* the last progress reported, 0..100 */
} task_ctx_t;

/**
 * Insert a task.  *id (may be NULL) receives its id.  With a dedupe_key the
 * call is idempotent: when a task with that key exists, *id is that task's id
 * and the result is ZM_OK (the existing task is left as it is, whatever its
 * state).  ZM_EINVAL for a bad type, priority, payload (not JSON), delay or
 * key; else ZM_OK or a db error (ZM_EDBDOWN, ...).
 *
 * It runs on the caller's connection and never begins or commits: inside the
 * caller's transaction the task appears atomically with the caller's writes
 * (and a rollback takes it back).  So it cannot wake the runners itself:
 * call task_wake() after your commit, or right after task_enqueue() when no
 * transaction is open.  Without the wake-up the task still runs, within
 * tasks.poll_ms.
 */
int task_enqueue(db_t *db, const task_new_t *t, int64_t *id);

/**
 * Tell the runners a task is due: one UDP datagram to tasks.wake_addr.
 * Non-blocking, fire-and-forget, errors ignored; a no-op when tasks.wake_addr
 * is empty.  Keeps one socket per process.
 */
void task_wake(void);

/** Read task id into *out (strings in a).  ZM_ENOTFOUND when there is none. */
int task_get(db_t *db, zm_arena_t *a, int64_t id, task_info_t *out);

/** GET /api/v1/tasks/{id}'s object: {id, type, state, progress, attempts, result, error,
 *  created_at, finished_at}; ZM_ENOTFOUND when the task is not user_id's (or does not exist). */
int task_user_view(db_t *db, zm_arena_t *a, int64_t user_id, int64_t task_id, json_object **out);

/* ---- for the runner (fcgi/tasks/runner.c) ---- */

/**
 * Claim the most urgent due task (priority, then run_after, then id) in one
 * short transaction: it becomes 'running', leased to owner for lease_s
 * seconds, attempts + 1.  Fills out (strings in a; db, owner and lease_s
 * set; payload not parsed).  ZM_OK when claimed, ZM_ENOTFOUND when nothing
 * is due, else a db error.
 */
int task_claim(db_t *db, zm_arena_t *a, const char *owner, int lease_s, task_ctx_t *out);

/** Extend the lease of a running task to now + lease_s.  ZM_ENOTFOUND when the lease was lost. */
int task_renew(db_t *db, int64_t id, const char *owner, int lease_s);

/**
 * Record success: state 'done', result (JSON text; NULL stores SQL NULL),
 * progress 100.  Only while ctx->lease_owner still holds the lease:
 * ZM_ENOTFOUND when it does not (nothing written).
 */
int task_complete(task_ctx_t *ctx, const char *result_json);

/**
 * Record a failed attempt with reason.  When retryable and attempts remain,
 * the task goes back to 'queued' with run_after = now + task_backoff_s();
 * else it is 'failed'.  error becomes {"reason": reason, "attempts": n}.
 * *failed (may be NULL) says which.  Lease-checked like task_complete().
 */
int task_fail(task_ctx_t *ctx, const char *reason, int retryable, int *failed);

/**
 * Requeue running tasks whose lease expired (their runner died or hung), or
 * fail them when their attempts are spent; either way error becomes
 * {"reason": "lease expired", "attempts": n, "lease_owner": "<the lost runner>"}.
 * Idempotent; every runner calls it every few seconds.  *requeued and
 * *failed (may be NULL) get the counts.
 */
int task_reap(db_t *db, int *requeued, int *failed);

/**
 * The delay before the next attempt after attempt number `attempts` failed:
 * min(base_s * 2^(attempts - 1), max_s).  attempts < 1 counts as 1; a
 * base_s <= 0 gives 0; a max_s <= 0 means no cap (INT_MAX).  Never overflows.
 */
int task_backoff_s(int attempts, int base_s, int max_s);

/* ---- for handlers ---- */

/**
 * Report progress (clamped to 0..100) and renew the lease.  ZM_OK;
 * ZM_ENOTFOUND when the lease was lost (the task belongs to someone else
 * now: the handler should stop); or a db error, which a handler may ignore.
 * Calls task_progress_hook after the write.
 */
int task_progress(task_ctx_t *ctx, int pct);

/**
 * Called after each change of a task's progress or state the runner makes:
 * state is "running" (from task_progress), "done", "queued" (a retry is
 * scheduled) or "failed"; pct is the progress.  NULL (the default) does
 * nothing.  Here a later issue publishes progress events (nginx/nchan).  It
 * runs in the runner's main thread; it must not block for long.
 */
extern void (*task_progress_hook)(const task_ctx_t *ctx, const char *state, int pct);

/* ---- addresses ---- */

/**
 * Parse a UDP address "host:port" or "[v6addr]:port" (a bare IPv6 address
 * is refused: the port would be ambiguous) into *ss.  A host name is
 * resolved (this may block on DNS); numeric addresses are not.  ZM_EINVAL
 * when bad or unresolvable.
 */
int task_addr_parse(const char *hostport, struct sockaddr_storage *ss, socklen_t *len);

/** Gauges for GET /metrics: tasks by state, and whether the database answered (zhimai_db_up). */
int task_metrics(db_t *db, zm_arena_t *a, zm_buf_t *out);

/* tasks.*, the queue's own task types, the hourly purge */
extern const zm_module_t zm_tasks_module;

#endif
