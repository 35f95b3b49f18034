/*
 * master.h -- a master process that keeps N children running.
 *
 * Shared by zhimai-fcgi (FastCGI workers) and zhimai-worker (task runners).
 * The master forks the children, replaces one that dies (spacing restarts
 * out when children die young, so a crash loop cannot spin the CPU), and
 * handles the signals:
 *   SIGHUP           reload: calls reload(), starts a new generation of
 *                    children, asks the old one to finish and leave;
 *   SIGTERM/SIGQUIT/SIGINT  graceful stop, bounded by graceful_timeout_s;
 *   SIGUSR1          reopen logs (and pass it on to the children).
 * Signal handlers only write to a self-pipe; all work happens in the loop.
 *
 * A child is asked to stop with a signal repeated every 200 ms until it has
 * gone: the child blocks it while it works, so a repeat can only break an
 * idle wait, never a request or task in progress.  On a reload the old
 * generation gets SIGTERM (finish the current request and leave: the new
 * generation serves the backlog); on a stop the children get SIGQUIT (first
 * serve the connections already waiting, for up to two seconds).
 */
#ifndef ZM_MASTER_H
#define ZM_MASTER_H

#include <signal.h>
#include <stdint.h>

#define ZM_MASTER_MAX_SLOTS 128

/** Exit code a child uses when it leaves on purpose to be replaced (max_requests). */
#define ZM_EXIT_RECYCLE 75

typedef struct {
    const char *name;                      /* for logs */
    int (*nchildren)(void *ud);            /* how many children to keep (read after each reload) */
    int (*child_main)(int slot, void *ud); /* runs in the child; its return value is the exit code */
    int (*reload)(void *ud);               /* in the master on SIGHUP; negative keeps the old generation */
    unsigned (*graceful_timeout_s)(void *ud);
    void (*on_child_exit)(int slot, int crashed, int recycled, void *ud); /* metrics; may be NULL */
    void *ud;
} zm_master_t;

/** Run the master loop until stopped.  Returns the process exit code. */
int zm_master_run(const zm_master_t *m);

/* ---- for children ---- */

/** Set by SIGTERM in a child: finish what you are doing and return from child_main. */
extern volatile sig_atomic_t zm_child_stop;

/** Set by SIGQUIT in a child: the whole service stops, so drain waiting work before leaving. */
extern volatile sig_atomic_t zm_child_drain;

/** Set by SIGALRM in a child (timers for periodic work such as log flushes). */
extern volatile sig_atomic_t zm_child_alarm;

/** In a child: block SIGTERM and SIGALRM (while working) or let them through (while idle waiting). */
void zm_child_block_stop(int block);
/* Wait until fd is readable with the stop signals (blocked otherwise) let through:
 * 1 when readable, 0 when a signal came first. */
int zm_child_wait_readable(int fd);

/** Write the current pid to path (0644), or remove it with pid 0. */
int zm_pidfile_write(const char *path, int remove);

/** The pid recorded in path if that process is alive, else 0. */
int zm_pidfile_read_alive(const char *path);

#endif
