/*
 * tasks.c -- points.expire, every 10 minutes: the remainder of each lot past
 * its expiry leaves through a ledger row (lot:<id>:expire).  Reads do not
 * wait for it (a lot past expiry is never spendable), it keeps the balance
 * row equal to what a user can spend.
 */
#include "points.h"
#include "points_tasks.h"

#include "clock.h"

int points_task_expire(task_ctx_t *ctx, json_object **result, char **error)
{
    int64_t n = 0;
    int rc = points_expire(ctx->db, ctx->a, 0, (time_t)zm_now_s(), &n);

    if (rc != ZM_OK) {
        *error = "expiring package points failed";
        return ZM_EAGAIN;
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "expired_lots", json_object_new_int64(n));
    return ZM_OK;
}
