/*
 * tasks.c -- stats.rebuild: the rollups recomputed from the source tables.
 */
#include "stats.h"
#include "stats_tasks.h"

/* a rebuild's statements each read a whole source table: on its own connection, whose read timeout
 * allows that (the runner's is db.read_timeout, a few seconds) */
#define REBUILD_TIMEOUT_S 3600

int stats_task_rebuild(task_ctx_t *ctx, json_object **result, char **error)
{
    db_t *db = db_open_configured(REBUILD_TIMEOUT_S);
    int rc = stats_rebuild(db, ctx->a, result);

    db_close(db);

    if (rc != ZM_OK) {
        *error = "rebuilding the statistics failed";
        return rc == ZM_EAGAIN || rc == ZM_EDBDOWN ? ZM_EAGAIN : rc;
    }
    return ZM_OK;
}

int stats_enqueue_rebuild(db_t *db, int64_t user_id, int64_t *task_id)
{
    task_new_t t = {0};
    int rc;

    t.type = "stats.rebuild";
    t.priority = TASK_PRIO_LOW;
    t.user_id = user_id;
    rc = task_enqueue(db, &t, task_id);
    if (rc == ZM_OK) {
        task_wake();
    }
    return rc;
}
