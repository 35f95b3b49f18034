/*
 * maintenance.c -- the queue's own task types: maintenance.purge, and
 * the test.* types the integration tests drive (tests/api/test_tasks.py).
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "clock.h"
#include "conf.h"
#include "log.h"
#include "registry.h"

/* ---- maintenance.purge ---- */

#define PURGE_BATCH 1000       /* rows per DELETE: each is its own short autocommit statement */
#define PURGE_MAX_BATCHES 1000 /* per run; a bigger backlog is finished by the next hourly runs */

static int purge_one(task_ctx_t *ctx, const task_purge_t *p, int64_t *total)
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
    const zm_module_t *const *mods = task_registry_modules();
    json_object *counts = json_object_new_object();
    int64_t t0 = zm_mono_ms();
    size_t total = 0, done = 0;

    if (counts == NULL) {
        return ZM_ENOMEM;
    }
    for (size_t m = 0; mods[m] != NULL; m++) {
        total += mods[m]->npurges;
    }
    for (size_t m = 0; mods[m] != NULL; m++) {
        for (size_t i = 0; i < mods[m]->npurges; i++) {
            const task_purge_t *p = &mods[m]->purges[i];
            int64_t n = 0;
            int rc = purge_one(ctx, p, &n);

            if (rc != ZM_OK) {
                *error = zm_psprintf(ctx->a, "purging %s: %s", p->name,
                                     rc == ZM_EAGAIN ? "lease lost or lock timeout" : db_error(ctx->db));
                json_object_put(counts);
                return rc;
            }
            json_object_object_add(counts, p->name, json_object_new_int64(n));
            task_progress(ctx, (int)(++done * 100 / total));
        }
    }
    *result = json_object_new_object();
    if (*result == NULL) {
        json_object_put(counts);
        return ZM_ENOMEM;
    }
    json_object_object_add(*result, "purged", counts);
    json_object_object_add(*result, "ms", json_object_new_int64(zm_mono_ms() - t0));
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
    int64_t ms = payload_int(ctx, "ms", 0), t0 = zm_mono_ms(), left;

    if (ms < 0 || ms > 3600 * 1000) {
        *error = "ms must be 0..3600000";
        return ZM_EINVAL;
    }
    while ((left = t0 + ms - zm_mono_ms()) > 0) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (left < 50 ? left : 50) * 1000000L};

        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
        if (task_progress(ctx, (int)((zm_mono_ms() - t0) * 100 / ms)) == ZM_ENOTFOUND) {
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
