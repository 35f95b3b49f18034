/*
 * fuzz_llm_answer.c -- libFuzzer target for the judge of the openai
 * analysis provider (an_openai_judge in fcgi/analysis/openai.c): a model's
 * answer, untrusted text, has its fences stripped, is parsed as strict JSON
 * and validated against the match, diagnosis and interview-questions
 * schemas (fcgi/services/jsonschema.c).
 *
 * The input's first byte picks the question count (1..50) for the
 * questions schema; the rest, up to a NUL, is the answer.  Aborts when a
 * verdict breaks a promise: an accepted answer that is not an object or
 * that validates differently a second time, a rejection that still hands
 * out an object or has no reason, a reason that is not one line of valid
 * UTF-8 (it goes back to the model inside a JSON request), or fence
 * stripping that returns more than it was given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "openai.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zm_arena_t a;
    char *content, *stripped;
    int count;
    zm_schema_t questions;
    const zm_schema_t *schemas[3];

    if (size < 1) {
        return 0;
    }
    count = 1 + data[0] % 50;
    questions = an_openai_questions_schema(&count);
    schemas[0] = &an_openai_match_schema;
    schemas[1] = &an_openai_diagnose_schema;
    schemas[2] = &questions;
    zm_arena_init(&a, 65536, 64u << 20);
    content = zm_pstrndup(&a, (const char *)data + 1, size - 1);
    stripped = an_openai_strip_fences(&a, content);
    if (content == NULL || stripped == NULL || strlen(stripped) > strlen(content)) {
        abort();
    }
    for (int i = 0; i < 3; i++) {
        json_object *o = (json_object *)1;
        const char *why = an_openai_judge(&a, content, schemas[i], &o);

        if (why == NULL) {
            if (o == NULL || !json_object_is_type(o, json_type_object) ||
                zm_schema_validate(&a, schemas[i], o) != NULL) {
                abort();
            }
            json_object_put(o);
            continue;
        }
        if (o != NULL || why[0] == '\0' || !zm_utf8_valid(why, strlen(why)) || strchr(why, '\n') != NULL) {
            abort();
        }
    }
    zm_arena_destroy(&a);
    return 0;
}
