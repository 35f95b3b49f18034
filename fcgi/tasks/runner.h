/*
 * runner.h -- zhimai-worker: a master keeping tasks.processes task runners.
 *
 * Each runner (a child process of fcgi/core/master.c's master) loops:
 *   - every few seconds: requeue tasks whose lease expired (task_reap) and
 *     make sure this hour's maintenance.purge is enqueued (one per hour for
 *     the whole fleet, by dedupe key);
 *   - claim the most urgent due task and run its handler to the end, while
 *     a second thread with its own connection renews the lease every
 *     tasks.lease_s / 3 seconds;
 *   - when nothing is due: wait for a wake-up datagram on tasks.wake_addr,
 *     at most tasks.poll_ms.
 * The runners of a host share the wake-up port (SO_REUSEPORT).  Only idle
 * runners keep a socket bound: a runner closes its socket while it runs a
 * task, so the kernel hands each wake-up to a runner that can act on it,
 * and it passes on wake-ups that arrived just as it claimed.
 *
 * A stop request (SIGTERM to the master) lets a running task finish: the
 * runner takes it only between tasks and while idle.
 */
#ifndef ZM_TASK_RUNNER_H
#define ZM_TASK_RUNNER_H

#include "db.h"

/** Run zhimai-worker (the master) with the configuration at conf_path; returns the exit code. */
int task_worker_main(const char *conf_path);

/** One runner's loop: the master's child_main.  Returns the child's exit code. */
int task_runner_main(int slot, void *ud);

/** A connection configured from db.* (connects lazily); NULL on OOM. */
db_t *task_db_open(void);

#endif
