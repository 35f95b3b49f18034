/*
 * fuzz_job_text.c -- libFuzzer target for what fcgi/jobs reads of an HR
 * user's and a seeker's text: job_salary_parse (a salary text into k/月)
 * and terms_split (a job's texts into index terms, a search query into
 * query terms).
 *
 * The input's first byte chooses the mode (bit 0: index or query terms),
 * the rest, up to 4 KiB, is the text; the salary parser reads it up to its
 * first NUL.  Aborts when a result breaks a promise: a parsed salary with
 * min > max or outside 0..cap, an empty or over-long term, a term that is
 * not valid UTF-8 or that holds a separator.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"
#include "str.h"
#include "terms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_term(void *ctx, const char *term, size_t len)
{
    (void)ctx;
    if (len == 0 || len > TERMS_MAX_BYTES + 3 || !zm_utf8_valid(term, len)) {
        abort();
    }
    for (size_t i = 0; i < len; i++) {
        if (term[i] == ' ' || term[i] == '\t' || term[i] == '\n') {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[4097];
    const char *why = NULL;
    int min = 0, max = 0;
    size_t n;

    if (size < 1) {
        return 0;
    }
    n = size - 1 < sizeof(text) - 1 ? size - 1 : sizeof(text) - 1;
    memcpy(text, data + 1, n);
    text[n] = '\0';
    if (job_salary_parse(text, &min, &max, &why) == ZM_OK) {
        if (!(min == -1 && max == -1) && (min < 0 || max < min || max > JOBS_MAX_SALARY_K)) {
            abort();
        }
    } else if (why == NULL) {
        abort();
    }
    terms_split(text, n, data[0] & 1, check_term, NULL);
    return 0;
}
