/*
 * fuzz_asr_answer.c -- libFuzzer target for speech_transcript_parse (fcgi/speech/asr.c): a
 * transcription provider's answer, untrusted, whose text is stored as the transcript and published
 * on the user's live channel.
 *
 * Aborts when a verdict breaks a promise: an accepted text that is not valid UTF-8, holds a NUL or
 * is over SPEECH_TEXT_MAX; a different verdict or text the second time; an answer over
 * SPEECH_ANSWER_MAX accepted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "speech.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zm_arena_t a;
    const char *t1 = NULL, *t2 = NULL;

    if (size > SPEECH_ANSWER_MAX + 16) {
        return 0;
    }
    zm_arena_init(&a, 4096, 0);
    int r1 = speech_transcript_parse(&a, (const char *)data, size, &t1);
    int r2 = speech_transcript_parse(&a, (const char *)data, size, &t2);
    if (r1 != r2) {
        abort();
    }
    if (r1 == ZM_OK) {
        size_t n = strlen(t1);
        if (size > SPEECH_ANSWER_MAX || n > SPEECH_TEXT_MAX || !zm_utf8_valid(t1, n) || strcmp(t1, t2) != 0) {
            abort();
        }
    } else if (r1 != SPEECH_EPROVIDER) {
        abort();
    }
    zm_arena_destroy(&a);
    return 0;
}
