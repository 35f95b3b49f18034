/*
 * tasks.c -- payments.expire, every minute: pending orders past expires_at
 * are closed at WeChat (/close) and here; one WeChat says is paid is settled
 * instead (the same idempotent credit as the callback).
 */
#include "clock.h"
#include "payments.h"
#include "payments_tasks.h"

int payments_task_expire(task_ctx_t *ctx, json_object **result, char **error)
{
    int64_t closed = 0, settled = 0;
    int rc = payments_expire(ctx->db, ctx->a, (time_t)zm_now_s(), 200, &closed, &settled);

    if (rc != ZM_OK) {
        *error = "closing expired orders failed";
        return ZM_EAGAIN;
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "closed", json_object_new_int64(closed));
    json_object_object_add(*result, "settled", json_object_new_int64(settled));
    return ZM_OK;
}
