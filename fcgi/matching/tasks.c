/*
 * tasks.c -- matching's task types: matching.run (one run, from its
 * checkpoint) and matching.features (the backfill of missing or outdated
 * features, every minute, and the incremental scoring it implies).
 */
#include "matching_tasks.h"

#include "matching.h"

int matching_task_run(task_ctx_t *ctx, json_object **result, char **error)
{
    json_object *v;

    if (ctx->payload == NULL || !json_object_object_get_ex(ctx->payload, "match_task_id", &v) ||
        !json_object_is_type(v, json_type_int)) {
        *error = "matching.run needs a match_task_id";
        return ZM_EINVAL;
    }
    return match_run(ctx, json_object_get_int64(v), result, error);
}

int matching_task_features(task_ctx_t *ctx, json_object **result, char **error)
{
    int done = 0, rc = match_backfill(ctx->db, ctx->a, 2000, &done);

    if (rc != ZM_OK) {
        *error = "features backfill failed";
        return ZM_EAGAIN;
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "indexed", json_object_new_int(done));
    return ZM_OK;
}
