/*
 * fuzz_document.c -- libFuzzer target for the builtin analyzer's text
 * reader: what a user's resume (extracted from any PDF or DOCX) or pasted
 * job description turns into -- lines, sections, skills, education, years,
 * date ranges, contact details -- and the match, diagnosis and questions
 * built on it.
 *
 * Input: the resume; after the first "\n===\n", the job description.
 * Checks: every call succeeds on any bytes (invalid UTF-8 included); the
 * profile's years are -1 or in 0..100, education a known level; the match
 * score and components are within 0..100; questions never exceed the count.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

#ifndef ZM_SOURCE_DIR
#define ZM_SOURCE_DIR "."
#endif
#define FUZZ_TEXT_MAX (256u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *fuzz_str(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);

    if (s != NULL) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

static void fuzz_profile(zm_arena_t *a, const char *text)
{
    an_profile_t p;

    if (an_profile(a, text, &p) != ZM_OK) {
        abort();
    }
    if (!(p.years == -1 || (p.years >= 0 && p.years <= 100)) || p.education < AN_EDU_NONE || p.education > AN_EDU_PHD ||
        p.skills == NULL || p.sections == NULL) {
        abort();
    }
    json_object_put(p.skills);
    json_object_put(p.sections);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    const uint8_t *sep;
    char *resume, *jd;
    an_match_t m;
    json_object *o = NULL;
    zm_arena_t a;

    if (!ready) {
        if (an_init(ZM_SOURCE_DIR "/fcgi/analysis/data") != ZM_OK) {
            fprintf(stderr, "fuzz_document: cannot load the dictionaries\n");
            abort();
        }
        an_set_today(2026, 12);
        ready = 1;
    }
    if (size > FUZZ_TEXT_MAX) {
        return 0;
    }
    sep = memmem(data, size, "\n===\n", 5);
    resume = fuzz_str(data, sep ? (size_t)(sep - data) : size);
    jd = sep ? fuzz_str(sep + 5, size - (size_t)(sep + 5 - data)) : fuzz_str((const uint8_t *)"", 0);
    if (resume == NULL || jd == NULL) {
        abort();
    }
    zm_arena_init(&a, 65536, 256u << 20);
    fuzz_profile(&a, resume);
    fuzz_profile(&a, jd);

    memset(&m, 0, sizeof(m));
    if (an_builtin_match(&a, resume, jd, &m) != ZM_OK || m.score < 0 || m.score > 100) {
        abort();
    }
    /* job matching's features of the same texts: the same score, packed and unpacked, inside the bounds;
     * and the raw input taken as a packed head and term vector: refused or scored in 0..100 */
    {
        an_jobvec_t *jv;
        an_features_t f, g;
        char *head, *terms;
        size_t hlen, tlen;
        int lo, hi, s;
        if (an_jobvec(&a, jd, &jv) != ZM_OK || an_features(&a, resume, &f) != ZM_OK ||
            an_jobvec_score(jv, &f) != m.score || an_features_pack(&a, &f, &head, &hlen, &terms, &tlen) != ZM_OK ||
            an_features_unpack_head(&a, head, hlen, &g) != ZM_OK ||
            an_features_unpack_terms(&a, terms, tlen, &g) != ZM_OK || an_jobvec_score(jv, &g) != m.score) {
            abort();
        }
        lo = an_jobvec_score_head(jv, head, hlen, 0);
        hi = an_jobvec_score_head(jv, head, hlen, 100);
        if (lo > m.score || hi < m.score) {
            abort();
        }
        s = an_jobvec_score_head(jv, (const char *)data, size, 50);
        if (s < -1 || s > 100) {
            abort();
        }
        if (an_features_unpack_head(&a, (const char *)data, size, &g) == ZM_OK &&
            an_features_unpack_terms(&a, (const char *)data, size, &g) == ZM_OK &&
            (an_jobvec_similarity(jv, &g.terms) < 0 || an_jobvec_similarity(jv, &g.terms) > 100)) {
            abort();
        }
    }
    o = an_match_json(&m);
    if (o == NULL) {
        abort();
    }
    json_object_put(o);
    json_object_put(m.strengths);
    json_object_put(m.gaps);
    json_object_put(m.suggestions);
    json_object_put(m.matched_skills);
    json_object_put(m.missing_skills);
    json_object_put(m.components);

    if (an_builtin_diagnose(&a, resume, jd[0] ? jd : NULL, &o) != ZM_OK || o == NULL) {
        abort();
    }
    json_object_put(o);
    o = NULL;
    if (an_builtin_questions(&a, resume, jd, 5, &o) != ZM_OK || o == NULL) {
        abort();
    }
    {
        json_object *groups = NULL;
        size_t total = 0;
        if (!json_object_object_get_ex(o, "groups", &groups)) {
            abort();
        }
        for (size_t i = 0; i < json_object_array_length(groups); i++) {
            json_object *qs = NULL;
            json_object_object_get_ex(json_object_array_get_idx(groups, i), "questions", &qs);
            total += json_object_array_length(qs);
        }
        if (total > 5) {
            abort();
        }
    }
    json_object_put(o);
    zm_arena_destroy(&a);
    free(resume);
    free(jd);
    return 0;
}
