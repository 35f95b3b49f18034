/*
 * tasks.c -- the sync engine's task types: jobs.sync (apply an entity's
 * events), jobs.resync (a manual resync an HR user or an admin asked
 * for), jobs.check (the periodic consistency check).
 */
#include "jobs_tasks.h"

#include <string.h>

#include "conf.h"
#include "outbox.h"

static int64_t payload_int(task_ctx_t *ctx, const char *key)
{
    json_object *v;

    if (ctx->payload == NULL || !json_object_object_get_ex(ctx->payload, key, &v) ||
        !json_object_is_type(v, json_type_int)) {
        return -1;
    }
    return json_object_get_int64(v);
}

int jobs_task_sync(task_ctx_t *ctx, json_object **result, char **error)
{
    const char *entity = task_payload_str(ctx, "entity");
    int64_t id = payload_int(ctx, "id");

    if (entity == NULL || id < 0) {
        *error = "jobs.sync needs an entity and an id";
        return ZM_EINVAL;
    }
    int max = (int)zm_conf_int("jobs.sync_max_attempts"), rc;
    int64_t drained = 0;

    rc = outbox_apply(ctx->db, ctx->a, entity, id, max, result, error);
    /* then what queued behind it, for a moment: under a burst of writes events are applied as
     * soon as a runner is free, and their own tasks end at once */
    if (rc == ZM_OK && outbox_drain(ctx->db, ctx->a, max, 50, &drained) == ZM_OK && drained > 0) {
        json_object_object_add(*result, "drained", json_object_new_int64(drained));
    }
    return rc;
}

int jobs_task_resync(task_ctx_t *ctx, json_object **result, char **error)
{
    const char *scope = task_payload_str(ctx, "scope");
    int64_t id = payload_int(ctx, "id"), owner = payload_int(ctx, "owner_id");
    int rc;

    if (scope == NULL) {
        *error = "jobs.resync needs a scope";
        return ZM_EINVAL;
    }
    rc = outbox_resync(ctx->db, ctx->a, scope, id, owner > 0 ? owner : 0, 0, result);
    if (rc != ZM_OK) {
        *error = "resync failed";
        return rc == ZM_EINVAL ? rc : ZM_EAGAIN;
    }
    return ZM_OK;
}

int jobs_task_check(task_ctx_t *ctx, json_object **result, char **error)
{
    int rc = outbox_resync(ctx->db, ctx->a, "all", 0, 0, (int)zm_conf_int("jobs.stale_s"), result);

    if (rc != ZM_OK) {
        *error = "consistency check failed";
        return ZM_EAGAIN;
    }
    return ZM_OK;
}
