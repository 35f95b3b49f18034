/*
 * events.c -- task events: the message a change of a task's state makes
 * (see events.h), published to the task's channel through pubsub.
 */
#include "events.h"

#include <stdio.h>
#include <string.h>

#include "pubsub.h"

#define EVENTS_RESULT_MAX (256 * 1024) /* a bigger result is left out: the client GETs the task */

static json_object *parse_or_null(const char *s)
{
    return s ? json_tokener_parse(s) : NULL;
}

char *events_message(const task_ctx_t *ctx, const char *state, int pct)
{
    json_object *o = json_object_new_object();
    int final = strcmp(state, "done") == 0 || strcmp(state, "failed") == 0;
    char *s;

    if (o == NULL) {
        return NULL;
    }
    json_object_object_add(o, "task_id", json_object_new_int64(ctx->id));
    json_object_object_add(o, "type", json_object_new_string(ctx->type ? ctx->type : ""));
    json_object_object_add(o, "state", json_object_new_string(state));
    json_object_object_add(o, "progress", json_object_new_int(pct < 0 ? 0 : pct > 100 ? 100 : pct));
    json_object_object_add(o, "final", json_object_new_boolean(final));
    if (strcmp(state, "running") != 0) {
        /* the hook does not carry the outcome: read it back (the write just happened on this connection) */
        task_info_t t;
        if (task_get(ctx->db, ctx->a, ctx->id, &t) == ZM_OK) {
            if (strcmp(state, "done") == 0) {
                if (t.result_json && strlen(t.result_json) > EVENTS_RESULT_MAX) {
                    json_object_object_add(o, "result_omitted", json_object_new_boolean(1));
                } else {
                    json_object_object_add(o, "result", parse_or_null(t.result_json));
                }
            } else {
                json_object_object_add(o, "error", parse_or_null(t.error_json));
                json_object_object_add(o, "attempts", json_object_new_int(t.attempts));
            }
        }
    }
    s = zm_pstrdup(ctx->a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return s;
}

void events_publish(const task_ctx_t *ctx, const char *state, int pct)
{
    char channel[32];
    char *msg;

    if (!pubsub_enabled() || ctx->user_id <= 0 || state == NULL) {
        return;
    }
    snprintf(channel, sizeof(channel), "task_%lld", (long long)ctx->id);
    msg = events_message(ctx, state, pct);
    if (msg != NULL) {
        pubsub_publish(channel, msg); /* best effort: pubsub logs a failure */
    }
}

void events_install(void)
{
    task_progress_hook = events_publish;
}
