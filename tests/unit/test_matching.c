/*
 * test_matching.c -- matching's pure parts: features scored against a
 * compiled job description equal the builtin match's score of the texts
 * (every sample resume against every sample job description), the packed
 * head's bounds hold the real score, the packing round-trips, and the top K
 * keeps the best with ties to the lower scan id, through a checkpoint too.
 *
 *   test_matching <fcgi/analysis/data> <tests/data/analysis>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "matching.h"
#include "zt.h"
#include "zt_load.h"

static const char *data_dir;
static zm_arena_t arena;

static char *load(const char *name)
{
    return zt_load(&arena, data_dir, name);
}

static const char *const resumes[] = {"zh_backend_strong.txt", "zh_backend_medium.txt", "zh_data_analyst.txt",
                                      "zh_sales_weak.txt",     "en_frontend.txt",       "en_embedded.txt"};
static const char *const jds[] = {"jd_zh_python_backend.txt", "jd_en_frontend.txt"};

static void test_same_score(void)
{
    const char *extra_jd = "招聘 HRBP：负责招聘与员工关系。";
    for (size_t j = 0; j < ZM_ARRAY_LEN(jds) + 1; j++) {
        const char *jd = j < ZM_ARRAY_LEN(jds) ? load(jds[j]) : extra_jd;
        an_jobvec_t *jv;
        ZT_CHECK(an_jobvec(&arena, jd, &jv) == ZM_OK);
        for (size_t r = 0; r < ZM_ARRAY_LEN(resumes) + 1; r++) {
            const char *text = r < ZM_ARRAY_LEN(resumes) ? load(resumes[r]) : "";
            an_match_t m;
            an_features_t f, g;
            char *head, *terms;
            size_t hlen, tlen;
            int s, lo, hi;

            ZT_CHECK(an_builtin_match(&arena, text, jd, &m) == ZM_OK);
            ZT_CHECK(an_features(&arena, text, &f) == ZM_OK);
            s = an_jobvec_score(jv, &f);
            if (s != m.score) {
                fprintf(stderr, "%s vs jd %zu: features %d, match %d\n", r < ZM_ARRAY_LEN(resumes) ? resumes[r] : "''",
                        j, s, m.score);
            }
            ZT_CHECK(s == m.score);
            /* packed and unpacked: the same score; the head's bounds hold it */
            ZT_CHECK(an_features_pack(&arena, &f, &head, &hlen, &terms, &tlen) == ZM_OK);
            ZT_CHECK(an_features_unpack_head(&arena, head, hlen, &g) == ZM_OK);
            ZT_CHECK(an_features_unpack_terms(&arena, terms, tlen, &g) == ZM_OK);
            ZT_CHECK(an_jobvec_score(jv, &g) == s);
            lo = an_jobvec_score_head(jv, head, hlen, 0);
            hi = an_jobvec_score_head(jv, head, hlen, 100);
            ZT_CHECK(lo <= s && s <= hi);
            ZT_CHECK(an_jobvec_score_head(jv, head, hlen, an_jobvec_similarity(jv, &g.terms)) == s);
            json_object_put(m.strengths);
            json_object_put(m.gaps);
            json_object_put(m.suggestions);
            json_object_put(m.matched_skills);
            json_object_put(m.missing_skills);
            json_object_put(m.components);
        }
    }
}

static void test_bad_blobs(void)
{
    an_features_t f;
    an_jobvec_t *jv;
    char head[AN_HEAD_FIXED] = {0};

    ZT_CHECK(an_jobvec(&arena, "Python", &jv) == ZM_OK);
    ZT_CHECK(an_features_unpack_head(&arena, head, sizeof(head), &f) == ZM_EINVAL); /* format 0 */
    ZT_CHECK(an_jobvec_score_head(jv, head, sizeof(head), 0) == -1);
    head[0] = AN_FEAT_FORMAT;
    ZT_CHECK(an_jobvec_score_head(jv, head, sizeof(head), 0) >= 0);
    head[16] = 3; /* claims 3 skills it does not have */
    ZT_CHECK(an_jobvec_score_head(jv, head, sizeof(head), 0) == -1);
    ZT_CHECK(an_features_unpack_terms(&arena, "12345", 5, &f) == ZM_EINVAL);
    /* keys must ascend */
    ZT_CHECK(an_features_unpack_terms(&arena, "\2\0\0\0\1\0\1\0\0\0\1\0", 12, &f) == ZM_EINVAL);
}

static void test_topk(void)
{
    match_topk_t t, u;
    char *s;
    size_t len;

    ZT_CHECK(match_topk_init(&arena, &t, 3) == ZM_OK);
    match_topk_push(&t, 50, 1);
    match_topk_push(&t, 70, 2);
    match_topk_push(&t, 50, 3);
    ZT_CHECK(!match_topk_admits(&t, 50, 4)); /* a tie with the worst: the lower id stays */
    ZT_CHECK(match_topk_admits(&t, 51, 4));
    match_topk_push(&t, 90, 5);
    match_topk_push(&t, 50, 6);
    /* checkpoint and back */
    s = match_topk_pack(&arena, &t, &len);
    ZT_CHECK(s != NULL && len == 15);
    ZT_CHECK(match_topk_init(&arena, &u, 3) == ZM_OK);
    ZT_CHECK(match_topk_unpack(&u, s, len) == ZM_OK);
    match_topk_sort(&u);
    ZT_CHECK(u.n == 3 && u.v[0].id == 5 && u.v[1].id == 2 && u.v[2].id == 1);
    ZT_CHECK(u.v[0].score == 90 && u.v[2].score == 50);
    ZT_CHECK(match_topk_unpack(&u, "\1\0\0\0\145", 5) == ZM_EINVAL); /* score 101 */
}

static void test_eta(void)
{
    ZT_STREQ(match_eta_words(&arena, 5), "不到1分钟");
    ZT_STREQ(match_eta_words(&arena, 61), "约2分钟");
    ZT_STREQ(match_eta_words(&arena, 180), "约3分钟");
    ZT_STREQ(match_eta_words(&arena, 7200), "约2小时");
}

static void test_job_text(void)
{
    json_object *job =
        json_tokener_parse("{\"name\": \"Python开发\", \"education\": \"本科\", \"years_of_working\": "
                           "\"\", \"responsibilities\": [\"负责后端\"], \"requirements\": [\"熟悉Python\", "
                           "\"了解Django\"], \"description\": \"后端服务\"}");
    ZT_STREQ(match_job_text(&arena, job),
             "Python开发\n学历要求：本科\n岗位职责：\n负责后端\n任职要求：\n熟悉Python\n了解"
             "Django\n后端服务\n");
    json_object_put(job);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s <analysis data dir> <tests/data/analysis>\n", argv[0]);
        return 2;
    }
    data_dir = argv[2];
    zm_arena_init(&arena, 64 * 1024, 0);
    an_set_today(2024, 7);
    if (an_init(argv[1]) != ZM_OK) {
        fprintf(stderr, "an_init(%s) failed\n", argv[1]);
        return 1;
    }
    ZT_RUN(test_same_score);
    ZT_RUN(test_bad_blobs);
    ZT_RUN(test_topk);
    ZT_RUN(test_eta);
    ZT_RUN(test_job_text);
    zm_arena_destroy(&arena);
    return zt_done();
}
