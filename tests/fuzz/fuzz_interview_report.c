/*
 * fuzz_interview_report.c -- libFuzzer target for the check of a model's mock interview report
 * (iv_report_parse in fcgi/interview/builtin.c): untrusted JSON text, parsed strictly and validated
 * against the report schema for a session of nq questions.
 *
 * And the meeting assistant's update (iv_meeting_parse): {summary, questions: [{question,
 * suggested_reply}], action_items}.
 *
 * The input's first byte: below 0x80 a report, nq = 1 + byte % 20; 0x80 and above a meeting update.
 * The rest is the model's answer.  Aborts when a verdict breaks a promise: an accepted report that
 * is not an object, lacks overall_score in 0..100, or has a question index outside 0..nq-1; an
 * accepted update without its summary string and arrays; a rejection that hands out an object or
 * gives no reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "interview.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zm_arena_t a;
    json_object *o = NULL, *v, *qs;
    const char *why = NULL;
    int nq, rc;

    if (size < 1) {
        return 0;
    }
    nq = 1 + data[0] % IV_QUESTIONS_MAX;
    zm_arena_init(&a, 65536, 64u << 20);
    if (data[0] >= 0x80) {
        rc = iv_meeting_parse(&a, (const char *)data + 1, size - 1, &o, &why);
        if (rc == ZM_OK) {
            if (o == NULL || !json_object_is_type(json_object_object_get(o, "summary"), json_type_string) ||
                !json_object_is_type(json_object_object_get(o, "questions"), json_type_array) ||
                !json_object_is_type(json_object_object_get(o, "action_items"), json_type_array)) {
                abort();
            }
            json_object_put(o);
        } else if (o != NULL || why == NULL || *why == '\0') {
            abort();
        }
        zm_arena_destroy(&a);
        return 0;
    }
    rc = iv_report_parse(&a, (const char *)data + 1, size - 1, nq, &o, &why);
    if (rc == ZM_OK) {
        if (o == NULL || !json_object_is_type(o, json_type_object) ||
            !json_object_object_get_ex(o, "overall_score", &v) || json_object_get_int(v) < 0 ||
            json_object_get_int(v) > 100 || !json_object_object_get_ex(o, "questions", &qs)) {
            abort();
        }
        for (size_t i = 0; i < json_object_array_length(qs); i++) {
            int idx = json_object_get_int(json_object_object_get(json_object_array_get_idx(qs, i), "index"));
            if (idx < 0 || idx >= nq) {
                abort();
            }
        }
        json_object_put(o);
    } else if (o != NULL || why == NULL || *why == '\0') {
        abort();
    }
    zm_arena_destroy(&a);
    return 0;
}
