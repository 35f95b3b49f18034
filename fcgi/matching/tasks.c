/*
 * tasks.c -- matching's task types: matching.run (one run, from its
 * checkpoint) and matching.features (the backfill of missing or outdated
 * features, every five minutes and at once again while some are left,
 * and the incremental scoring it implies).
 */
#include "matching_tasks.h"

#include "clock.h"
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

/* Rounds of 500 for up to 30 s; when some are left then (a new dictionary: every resume's features
 * are rebuilt), a follow-up task goes on at once instead of waiting for the next period. */
int matching_task_features(task_ctx_t *ctx, json_object **result, char **error)
{
    int64_t start = zm_mono_ms(), total = 0;
    int done = 500, rc = ZM_OK, more = 0;
    char after[33] = "";

    while (done == 500) {
        if (zm_mono_ms() - start > 30000) {
            more = 1;
            break;
        }
        zm_arena_t round;
        zm_arena_init(&round, 256 * 1024, 0);
        rc = match_backfill(ctx->db, &round, 500, after, &done);
        zm_arena_destroy(&round);
        if (rc != ZM_OK) {
            break;
        }
        total += done;
        if (task_progress(ctx, 50) == ZM_ENOTFOUND) {
            break; /* the lease is someone else's: they go on */
        }
    }
    if (rc != ZM_OK) {
        *error = "features backfill failed";
        return ZM_EAGAIN;
    }
    if (more) {
        task_new_t t = {.type = "matching.features", .priority = TASK_PRIO_LOW};
        if (task_enqueue(ctx->db, &t, NULL) == ZM_OK) {
            task_wake();
        }
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "indexed", json_object_new_int64(total));
    json_object_object_add(*result, "more", json_object_new_boolean(more));
    return ZM_OK;
}
