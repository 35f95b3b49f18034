/*
 * metrics.h -- counters shared by all workers, rendered for Prometheus.
 *
 * The master maps one shared, anonymous region before forking; each child
 * writes only its own slot (so no locks), /metrics sums the slots.  Slots
 * outlive the processes that used them, so totals only grow.
 */
#ifndef ZM_METRICS_H
#define ZM_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"

/** Map the scoreboard; nroutes is the route table's size (one more label counts unmatched paths). */
int zm_metrics_init(size_t nroutes);

/** In a child: use slot for this process's counters. */
void zm_metrics_use_slot(int slot);

/** Count one request: route index (nroutes for unmatched), status, duration. */
void zm_metrics_request(size_t route, int status, int64_t usec);

/** The slot's database reconnect counter (for db_set_reconnect_counter). */
uint64_t *zm_metrics_reconnect_counter(void);

/** In the master: a child left unexpectedly (crashed) or after max_requests (recycled). */
void zm_metrics_child_exit(int crashed, int recycled);

/**
 * A counter every process of this host's zhimai-fcgi shares: bumped after any
 * change to who may do what (a user deactivated, a role changed, a password
 * reset), so per-worker caches of such facts know to read again.  0 and a
 * no-op where there is no scoreboard (CLI programs).
 */
uint64_t zm_metrics_auth_generation(void);
void zm_metrics_auth_bump(void);

/** Append the Prometheus text of every counter; labels[i] names route i ("GET /api/resumes"). */
int zm_metrics_render(zm_arena_t *a, zm_buf_t *out, const char *const *labels, size_t nroutes);

#endif
