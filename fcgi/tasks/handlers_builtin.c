/*
 * handlers_builtin.c -- the queue's own task types: maintenance.purge, and
 * the test.* types the integration tests drive (tests/api/test_tasks.py).
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "log.h"
#include "registry.h"

/* ---- maintenance.purge ---- */

#define PURGE_BATCH 1000       /* rows per DELETE: each is its own short autocommit statement */
#define PURGE_MAX_BATCHES 1000 /* per run; a bigger backlog is finished by the next hourly runs */

/*
 * One kind of expired row.  sql deletes at most one batch, oldest first
 * (ORDER BY the primary key also keeps it deterministic for statement-based
 * replication).  Its parameters are (days, batch) when days_key is set, else
 * (batch) alone.  Later issues add their rows here: expired tokens, old
 * rate-limit counters.
 */
typedef struct {
    const char *name; /* its count in the result: {"purged": {name: n}} */
    const char *sql;
    const char *days_key; /* configuration key holding the age in days, or NULL */
} purge_t;

static const purge_t purges[] = {
    {"tasks",
     "DELETE FROM zm_task WHERE state IN ('done', 'failed')"
     " AND finished_at < UTC_TIMESTAMP(6) - INTERVAL ? DAY ORDER BY id LIMIT ?",
     "tasks.purge_after_days"},
    /* accounts: used or expired mail links, expired refresh tokens (simplejwt's flushexpiredtokens), logged-out
     * access tokens past their expiry, old abuse-limit windows */
    {"user_tokens", "DELETE FROM zm_user_token WHERE expires_at < UTC_TIMESTAMP(6) - INTERVAL ? DAY ORDER BY id LIMIT ?",
     "auth.purge_after_days"},
    {"refresh_tokens",
     "DELETE FROM token_blacklist_outstandingtoken WHERE expires_at < UTC_TIMESTAMP(6) - INTERVAL ? DAY"
     " ORDER BY id LIMIT ?",
     "auth.purge_after_days"},
    {"revoked_access",
     "DELETE FROM zm_revoked_access WHERE expires_at < UTC_TIMESTAMP(6) - INTERVAL ? DAY ORDER BY jti LIMIT ?",
     "auth.purge_after_days"},
    {"rate_limits", "DELETE FROM zm_rate_limit WHERE window_start < UNIX_TIMESTAMP() - ? * 86400 LIMIT ?",
     "auth.purge_after_days"},
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int purge_one(task_ctx_t *ctx, const purge_t *p, int64_t *total)
{
    int days = 0;

    if (p->days_key) {
        int64_t d = zm_conf_int(p->days_key);
        days = d < 0 ? 0 : d > 36500 ? 36500 : (int)d;
    }
    *total = 0;
    for (int b = 0; b < PURGE_MAX_BATCHES; b++) {
        int64_t n = p->days_key ? db_exec(ctx->db, p->sql, "II", days, PURGE_BATCH)
                                : db_exec(ctx->db, p->sql, "I", PURGE_BATCH);
        if (n < 0) {
            return (int)n;
        }
        *total += n;
        if (n < PURGE_BATCH) {
            break;
        }
        /* renews the lease; another runner owning the task now means stop */
        if (task_progress(ctx, ctx->progress) == ZM_ENOTFOUND) {
            return ZM_EAGAIN;
        }
    }
    return ZM_OK;
}

int task_maintenance_purge(task_ctx_t *ctx, json_object **result, char **error)
{
    json_object *counts = json_object_new_object();
    int64_t t0 = now_ms();

    if (counts == NULL) {
        return ZM_ENOMEM;
    }
    for (size_t i = 0; i < ZM_ARRAY_LEN(purges); i++) {
        int64_t n = 0;
        int rc = purge_one(ctx, &purges[i], &n);

        if (rc != ZM_OK) {
            *error = zm_psprintf(ctx->a, "purging %s: %s", purges[i].name,
                                 rc == ZM_EAGAIN ? "lease lost or lock timeout" : db_error(ctx->db));
            json_object_put(counts);
            return rc;
        }
        json_object_object_add(counts, purges[i].name, json_object_new_int64(n));
        task_progress(ctx, (int)((i + 1) * 100 / ZM_ARRAY_LEN(purges)));
    }
    *result = json_object_new_object();
    if (*result == NULL) {
        json_object_put(counts);
        return ZM_ENOMEM;
    }
    json_object_object_add(*result, "purged", counts);
    json_object_object_add(*result, "ms", json_object_new_int64(now_ms() - t0));
    return ZM_OK;
}

/* ---- test.* ---- */

static int64_t payload_int(const task_ctx_t *ctx, const char *key, int64_t def)
{
    json_object *v;

    if (ctx->payload && json_object_object_get_ex(ctx->payload, key, &v)) {
        return json_object_get_int64(v);
    }
    return def;
}

int task_test_sleep(task_ctx_t *ctx, json_object **result, char **error)
{
    int64_t ms = payload_int(ctx, "ms", 0), t0 = now_ms(), left;

    if (ms < 0 || ms > 3600 * 1000) {
        *error = "ms must be 0..3600000";
        return ZM_EINVAL;
    }
    while ((left = t0 + ms - now_ms()) > 0) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (left < 50 ? left : 50) * 1000000L};

        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
        if (task_progress(ctx, (int)((now_ms() - t0) * 100 / ms)) == ZM_ENOTFOUND) {
            *error = "lease lost";
            return ZM_EAGAIN;
        }
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "slept_ms", json_object_new_int64(ms));
    return ZM_OK;
}

int task_test_fail(task_ctx_t *ctx, json_object **result, char **error)
{
    int64_t times = payload_int(ctx, "times", 0);
    json_object *perm;

    if (ctx->payload && json_object_object_get_ex(ctx->payload, "permanent", &perm) && json_object_get_boolean(perm)) {
        *error = "failing for good, as asked";
        return ZM_EINVAL;
    }
    if (ctx->attempt <= times) {
        *error = zm_psprintf(ctx->a, "failing on purpose: attempt %d of %lld", ctx->attempt, (long long)times);
        return ZM_EAGAIN;
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "attempts", json_object_new_int(ctx->attempt));
    return ZM_OK;
}

int task_test_echo(task_ctx_t *ctx, json_object **result, char **error)
{
    ZM_UNUSED(error);
    *result = json_object_get(ctx->payload);
    return ZM_OK;
}
