/*
 * outbox.h -- the sync engine's inside, shared by the files of fcgi/jobs:
 * appending an event in the writer's transaction, applying an entity's
 * events to the read model (the jobs.sync task), and the repairs behind a
 * manual resync and the periodic consistency check.
 */
#ifndef ZM_JOBS_OUTBOX_H
#define ZM_JOBS_OUTBOX_H

#include <json-c/json.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "db.h"

/**
 * Append an event for (entity, id) and enqueue the jobs.sync task that applies it, on the
 * caller's connection inside the caller's transaction; call task_wake() after the commit.
 * payload: JSON text (NULL: {}); owner_id: the HR user whose data it is (0: none).
 */
int outbox_append(db_t *db, const char *entity, int64_t id, const char *action, const char *payload, int64_t owner_id);

/**
 * The jobs.sync task: apply (entity, id)'s pending events in id order (rebuilding its read-model
 * rows from the source), mark them applied and stamp last_synced, all in one transaction.  On a
 * failure the events' attempts and error are recorded; an event that reached max_attempts (or
 * of an unknown entity) is dead-lettered.  ZM_EAGAIN when it should run again later.
 */
int outbox_apply(db_t *db, zm_arena_t *a, const char *entity, int64_t id, int max_attempts, json_object **result,
                 char **error);

/**
 * Apply other entities' pending first-attempt events, oldest first, for up to budget_ms (a jobs.sync
 * task drains what queued behind it, so the tasks of those events find nothing left and end at
 * once).  *applied: how many events.
 */
int outbox_drain(db_t *db, zm_arena_t *a, int max_attempts, int64_t budget_ms, int64_t *applied);

/**
 * Rebuild what the read model should hold for the scope ("all", "job", "application", "user";
 * owner_id > 0 limits "all" to that HR's jobs), repairing rows that differ, and log each repair as
 * an applied "resync" event.  *result: {"scope", "checked", "repaired", "repaired_ids"}.
 * Also re-enqueues pending events older than stale_s seconds (their task may be lost).
 */
int outbox_resync(db_t *db, zm_arena_t *a, const char *scope, int64_t id, int64_t owner_id, int stale_s,
                  json_object **result);

/**
 * resumes' new-version hook (registered at process init): inside the upload's transaction, a "user"
 * event for each HR whose job user_id applied to with resume_id, so HR's view of the applicant's
 * resumes (jobs_candidateresume, cv_last_synced) catches up: "resume updated".
 */
int outbox_resume_versioned(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id);

/** Gauges for GET /metrics: pending and dead-lettered events, the oldest pending one's age. */
int outbox_metrics(db_t *db, zm_arena_t *a, zm_buf_t *out);

#endif
