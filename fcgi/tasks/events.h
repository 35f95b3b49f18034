/*
 * events.h -- live task events for browsers, through nginx's nchan.
 *
 * zhimai-worker's runners publish each change of a user's task (progress,
 * done with its result, failed with its error, queued again for a retry)
 * as a small JSON message to the task's nchan channel task_<id>:
 *
 *     POST <events.publish_url>/task_<id>
 *     {"task_id": 7, "type": "analysis.run", "state": "running", "progress": 10}
 *     {"task_id": 7, "type": "analysis.run", "state": "done", "progress": 100, "final": true, "result": {...}}
 *     {"task_id": 7, "type": "analysis.run", "state": "failed", "progress": 20, "final": true, "error": {...}}
 *
 * Browsers subscribe at GET /api/v1/events/tasks/{id} (conf/nginx-app.conf.in).
 * Events are best effort (pubsub.h, which sends them): a failed POST is
 * logged (once per outage) and dropped; GET /api/v1/tasks/{id} stays the
 * authoritative state.  Tasks without an owner (user_id 0) publish nothing:
 * nobody may subscribe to them.
 */
#ifndef ZM_TASK_EVENTS_H
#define ZM_TASK_EVENTS_H

#include "queue.h"

/** Point task_progress_hook at the publisher.  Call once per runner process, after the fork. */
void events_install(void);

/** The message events_publish() would send, as JSON text in ctx->a (NULL on allocation failure). */
char *events_message(const task_ctx_t *ctx, const char *state, int pct);

/** The hook itself: publish one event for ctx (no-op when events.publish_url is empty). */
void events_publish(const task_ctx_t *ctx, const char *state, int pct);

#endif
