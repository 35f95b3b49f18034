/*
 * module.h -- what a domain hands the programs, after nginx's ngx_module_t.
 *
 * Each folder under fcgi/ that owns a piece of the product (accounts,
 * resumes, analysis, ...) exports one zm_module_t from its module.c.  The
 * programs list them once, in order, in fcgi/bin/modules.c, and the parts
 * that used to name domains walk that list instead: the configuration
 * loader (keys), zhimai-fcgi (init, routes), zhimai-worker (init, task
 * types, periodic schedules) and the maintenance task (purge rules).  A new
 * domain is a new folder, one line in modules.c, one add_subdirectory.
 *
 * core knows the shape of a module but not what its routes and task types
 * are: those are declared by the layers that run them (router.h,
 * registry.h), so core includes neither the HTTP layer nor the queue.
 */
#ifndef ZM_MODULE_H
#define ZM_MODULE_H

#include <stddef.h>

#include "arena.h"

struct db_s;
struct zm_buf_s;
struct zm_conf_key_s;
struct zm_route_s;
struct task_type_s;
struct task_schedule_s;
struct task_purge_s;

typedef struct zm_module_s {
    const char *name;

    /* typed configuration keys, "<name>.*" by convention; checked at load */
    const struct zm_conf_key_s *conf;
    size_t nconf;

    /* Once per configuration load in the process that forks (the master of
     * zhimai-fcgi, zhimai-worker's parent): read data files, derive keys, check
     * what the key table cannot.  Again on SIGHUP, before the new generation
     * forks.  NULL for none; a negative return stops start-up (or the reload). */
    int (*init_master)(void);
    /* In each forked worker or runner, before its first request or task. */
    int (*init_process)(void);

    const struct zm_route_s *routes; /* zhimai-fcgi's endpoints */
    size_t nroutes;
    const struct task_type_s *tasks; /* zhimai-worker's task types */
    size_t ntasks;
    const struct task_schedule_s *schedules; /* tasks enqueued periodically, once per period fleet-wide */
    size_t nschedules;
    const struct task_purge_s *purges; /* expired rows maintenance.purge deletes */
    size_t npurges;

    /* Lines of Prometheus text for GET /metrics (gauges read from the database, say);
     * NULL for none.  db may be down: say so in the lines, return ZM_OK. */
    int (*metrics)(struct db_s *db, zm_arena_t *a, struct zm_buf_s *out);
} zm_module_t;

/* the core module: state_dir, app.base_url, log.* */
extern const zm_module_t zm_core_module;

/** Each module's init_master, in list order; the first failure is logged and returned. */
int zm_modules_init_master(const zm_module_t *const *modules);

/** Each module's init_process, in list order, in a forked worker or runner. */
int zm_modules_init_process(const zm_module_t *const *modules);

#endif
