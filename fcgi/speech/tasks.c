/*
 * tasks.c -- speech.transcribe: one transcription of an ASR session's audio so far (speech.h).
 * Idempotent: it sends what is stored and keeps the longest transcript, so a second run of the
 * same task changes nothing a reader could tell.
 */
#include "speech.h"
#include "speech_tasks.h"

int speech_task_transcribe(task_ctx_t *ctx, json_object **result, char **error)
{
    const char *asr_id = task_payload_str(ctx, "asr_id"), *detail = NULL;
    json_object *g = NULL, *f = NULL;
    int64_t generation;
    int final, rc;

    if (asr_id == NULL || ctx->payload == NULL || !json_object_object_get_ex(ctx->payload, "generation", &g) ||
        !json_object_is_type(g, json_type_int)) {
        *error = "payload needs asr_id and generation";
        return ZM_EINVAL;
    }
    generation = json_object_get_int64(g);
    final = json_object_object_get_ex(ctx->payload, "final", &f) && json_object_get_boolean(f);
    rc = speech_asr_transcribe(ctx->db, ctx->a, asr_id, generation, final, &detail);
    if (rc != ZM_OK) {
        *error = (char *)(detail ? detail : "transcription failed");
        rc = rc == ZM_EAGAIN || rc == ZM_EDBDOWN ? ZM_EAGAIN : rc;
        if (final && (rc != ZM_EAGAIN || ctx->attempt >= ctx->max_attempts)) {
            /* no retry follows: the page waiting for the final text hears so */
            speech_asr_final_failed(ctx->db, ctx->a, asr_id, *error);
        }
        return rc;
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "asr_id", json_object_new_string(asr_id));
    json_object_object_add(*result, "final", json_object_new_boolean(final));
    return ZM_OK;
}
