/*
 * tasks.c -- content's scheduled tasks: the question bank loader (daily),
 * the news feed import (checked every minute, run once per
 * content.news_interval fleet-wide) and the calendar reminders (every minute).
 *
 * For tests and operators: content.news_import takes {"force": true} (run now whatever the interval)
 * and {"feed": "path or URL"} (this feed instead of content.news_feed); content.remind takes
 * {"now": unix seconds} as the time, honoured only when tasks.test_handlers = 1 (test stacks).
 */
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "content.h"
#include "content_tasks.h"
#include "log.h"

int content_task_load_questions(task_ctx_t *ctx, json_object **result, char **error)
{
    int64_t inserted;
    int rc = content_questions_load(ctx->db, ctx->a, &inserted);

    if (rc != ZM_OK) {
        *error = "loading the question bank failed";
        return ZM_EAGAIN;
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "inserted", json_object_new_int64(inserted));
    return ZM_OK;
}

int content_task_news_import(task_ctx_t *ctx, json_object **result, char **error)
{
    json_object *force = NULL;
    const char *feed = task_payload_str(ctx, "feed"), *why = "";
    int64_t now = zm_now_s();
    content_import_t res;
    size_t len = 0;
    char *data = NULL;
    int forced = 0, rc;

    if (ctx->payload && json_object_object_get_ex(ctx->payload, "force", &force)) {
        forced = json_object_get_boolean(force);
    }
    if (feed == NULL || feed[0] == '\0') {
        feed = zm_conf_str("content.news_feed");
    }
    *result = json_object_new_object();
    if (feed == NULL || feed[0] == '\0') {
        json_object_object_add(*result, "skipped", json_object_new_string("no feed configured"));
        return ZM_OK;
    }
    rc = forced ? 1 : content_feed_claim(ctx->db, now, zm_conf_int("content.news_interval"), 0);
    if (rc <= 0) {
        json_object_object_add(*result, "skipped", json_object_new_string(rc == 0 ? "not due" : "db"));
        return rc == 0 ? ZM_OK : rc;
    }
    if (forced) {
        content_feed_claim(ctx->db, now, 0, 1);
    }
    rc = content_feed_read(ctx->a, feed, &data, &len, &why);
    if (rc == ZM_OK) {
        rc = content_news_import(ctx->db, ctx->a, data, len, now, &res);
        why = rc == ZM_EINVAL ? "not a JSON news feed" : rc == ZM_ETOOBIG ? "the feed is over its caps" : why;
    }
    if (rc != ZM_OK) {
        const char *msg = zm_psprintf(ctx->a, "feed %.200s: %.200s", feed, why && why[0] ? why : zm_strerror(rc));
        zm_log_warn("content.news_import: %s", msg ? msg : "failed");
        content_feed_record(ctx->db, msg ? msg : "failed");
        *error = (char *)(msg ? msg : "failed");
        /* the next period tries again; only a database gone away is worth a retry now */
        return rc == ZM_EDBDOWN ? ZM_EAGAIN : ZM_ERR;
    }
    content_feed_record(ctx->db,
                        zm_psprintf(ctx->a, "inserted %lld, duplicates %lld, invalid %lld", (long long)res.inserted,
                                    (long long)res.duplicates, (long long)res.invalid));
    json_object_object_add(*result, "inserted", json_object_new_int64(res.inserted));
    json_object_object_add(*result, "duplicates", json_object_new_int64(res.duplicates));
    json_object_object_add(*result, "invalid", json_object_new_int64(res.invalid));
    return ZM_OK;
}

int content_task_remind(task_ctx_t *ctx, json_object **result, char **error)
{
    json_object *v = NULL;
    int64_t now = zm_now_s();
    content_remind_t res;
    int rc;

    if (zm_conf_bool("tasks.test_handlers") && ctx->payload && json_object_object_get_ex(ctx->payload, "now", &v) &&
        json_object_is_type(v, json_type_int)) {
        now = json_object_get_int64(v);
    }
    rc = content_remind_due(ctx->db, ctx->a, now, 500, &res);
    if (rc != ZM_OK) {
        *error = "sending calendar reminders failed";
        return ZM_EAGAIN;
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "sent", json_object_new_int64(res.sent));
    json_object_object_add(*result, "not_member", json_object_new_int64(res.not_member));
    json_object_object_add(*result, "late", json_object_new_int64(res.late));
    return ZM_OK;
}
