/*
 * test_analysis.c -- the builtin analyzer on small Chinese and English
 * resumes and job descriptions (tests/data/analysis/).
 *
 *   test_analysis <fcgi/analysis/data> <tests/data/analysis>
 *
 * AN_DUMP=1 prints each result as JSON, to look at when changing scores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "zt.h"
#include "zt_load.h"

static const char *data_dir;
static zm_arena_t arena;
static int dump;

/* the OpenAI provider's release, restated: the test links only zmanalysis */
void an_openai_match_release(an_match_t *m);

static char *load(const char *name)
{
    return zt_load(&arena, data_dir, name);
}

static void show(const char *what, json_object *o)
{
    if (dump) {
        printf("== %s\n%s\n", what,
               json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    }
}

/* Is name among the profile's skills? */
static int has_skill(const an_profile_t *p, const char *name)
{
    for (size_t i = 0; i < json_object_array_length(p->skills); i++) {
        json_object *n;
        if (json_object_object_get_ex(json_object_array_get_idx(p->skills, i), "name", &n) &&
            strcmp(json_object_get_string(n), name) == 0) {
            return 1;
        }
    }
    return 0;
}

static int section(const an_profile_t *p, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(p->sections, key, &v) && json_object_get_boolean(v);
}

static void profile_put(an_profile_t *p)
{
    json_object_put(p->skills);
    json_object_put(p->sections);
}

/* Does any string in arr contain needle? */
static int arr_has(json_object *arr, const char *needle)
{
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(arr, i));
        if (s && strstr(s, needle)) {
            return 1;
        }
    }
    return 0;
}

static int match_score(const char *resume, const char *jd)
{
    an_match_t m;
    int s;

    if (an_builtin_match(&arena, load(resume), load(jd), &m) != ZM_OK) {
        return -1;
    }
    s = m.score;
    if (dump) {
        json_object *j = an_match_json(&m);
        char what[256];
        snprintf(what, sizeof(what), "match %s vs %s", resume, jd);
        show(what, j);
        json_object_put(j);
    }
    an_openai_match_release(&m);
    return s;
}

void an_openai_match_release(an_match_t *m)
{
    json_object **arrays[] = {&m->strengths,      &m->gaps,           &m->suggestions,
                              &m->matched_skills, &m->missing_skills, &m->components};
    for (size_t i = 0; i < ZM_ARRAY_LEN(arrays); i++) {
        json_object_put(*arrays[i]);
        *arrays[i] = NULL;
    }
}

static void test_profile_zh_backend(void)
{
    an_profile_t p;

    ZT_CHECK(an_profile(&arena, load("zh_backend_strong.txt"), &p) == ZM_OK);
    show("profile zh_backend_strong", p.skills);
    ZT_CHECK(has_skill(&p, "Python"));
    ZT_CHECK(has_skill(&p, "Django"));
    ZT_CHECK(has_skill(&p, "MySQL"));
    ZT_CHECK(has_skill(&p, "Redis"));
    ZT_CHECK(has_skill(&p, "Docker"));
    ZT_CHECK(has_skill(&p, "Kubernetes"));
    ZT_CHECK(has_skill(&p, "Kafka"));
    ZT_CHECK(has_skill(&p, "C"));
    ZT_CHECK(has_skill(&p, "C++"));
    ZT_CHECK(has_skill(&p, "Go"));
    ZT_CHECK(has_skill(&p, "pytest"));
    ZT_CHECK(!has_skill(&p, "CSS"));
    ZT_CHECK(p.education == AN_EDU_MASTER);
    /* 2019.07-至今 with today 2024.07: 5 years; the school years do not count */
    ZT_CHECK(p.years >= 4.9 && p.years <= 5.1);
    ZT_CHECK(section(&p, "education"));
    ZT_CHECK(section(&p, "work"));
    ZT_CHECK(section(&p, "projects"));
    ZT_CHECK(section(&p, "skills"));
    ZT_CHECK(section(&p, "summary"));
    ZT_CHECK(section(&p, "contact"));
    profile_put(&p);
}

static void test_profile_zh_others(void)
{
    an_profile_t p;

    ZT_CHECK(an_profile(&arena, load("zh_backend_medium.txt"), &p) == ZM_OK);
    ZT_CHECK(has_skill(&p, "Java"));
    ZT_CHECK(has_skill(&p, "Spring Boot"));
    ZT_CHECK(has_skill(&p, "MyBatis"));
    ZT_CHECK(!has_skill(&p, "Spring")); /* "Spring Boot" is one skill, the longer match */
    ZT_CHECK(p.education == AN_EDU_BACHELOR);
    ZT_CHECK(p.years >= 1.9 && p.years <= 2.1); /* 2020.03-2022.02 */
    ZT_CHECK(!section(&p, "projects"));
    ZT_CHECK(!section(&p, "summary"));
    ZT_CHECK(section(&p, "contact"));
    profile_put(&p);

    ZT_CHECK(an_profile(&arena, load("zh_sales_weak.txt"), &p) == ZM_OK);
    ZT_CHECK(p.education == AN_EDU_ASSOCIATE);
    ZT_CHECK(has_skill(&p, "客户维护"));
    ZT_CHECK(!has_skill(&p, "Python"));
    /* 2017.07-2019.12 and 2020.01-2021.06: 30 + 18 months */
    ZT_CHECK(p.years >= 3.9 && p.years <= 4.1);
    profile_put(&p);

    ZT_CHECK(an_profile(&arena, load("zh_data_analyst.txt"), &p) == ZM_OK);
    ZT_CHECK(has_skill(&p, "SQL"));
    ZT_CHECK(has_skill(&p, "Excel"));
    ZT_CHECK(has_skill(&p, "Tableau"));
    ZT_CHECK(has_skill(&p, "Pandas"));
    ZT_CHECK(has_skill(&p, "A/B测试"));
    ZT_CHECK(has_skill(&p, "统计学"));
    ZT_CHECK(!has_skill(&p, "MySQL"));
    ZT_CHECK(p.education == AN_EDU_BACHELOR);
    ZT_CHECK(p.years >= 2.9 && p.years <= 3.1);
    ZT_CHECK(section(&p, "work"));
    profile_put(&p);
}

static void test_profile_en(void)
{
    an_profile_t p;

    ZT_CHECK(an_profile(&arena, load("en_frontend.txt"), &p) == ZM_OK);
    show("profile en_frontend", p.skills);
    ZT_CHECK(has_skill(&p, "React"));
    ZT_CHECK(has_skill(&p, "TypeScript"));
    ZT_CHECK(has_skill(&p, "CSS"));
    ZT_CHECK(has_skill(&p, "Node.js"));
    ZT_CHECK(has_skill(&p, "Angular"));
    ZT_CHECK(has_skill(&p, "Redux"));
    ZT_CHECK(!has_skill(&p, "C")); /* "CSS" and "CA" are not C */
    ZT_CHECK(p.education == AN_EDU_BACHELOR);
    /* Jul 2018 - Present (72 months to 2024.07) and Jun 2016 - Jun 2018 overlap into 8 years */
    ZT_CHECK(p.years >= 7.9 && p.years <= 8.1);
    ZT_CHECK(section(&p, "work"));
    ZT_CHECK(section(&p, "projects"));
    ZT_CHECK(section(&p, "education"));
    ZT_CHECK(section(&p, "skills"));
    ZT_CHECK(section(&p, "summary"));
    ZT_CHECK(section(&p, "contact"));
    profile_put(&p);

    ZT_CHECK(an_profile(&arena, load("en_embedded.txt"), &p) == ZM_OK);
    ZT_CHECK(has_skill(&p, "C"));
    ZT_CHECK(has_skill(&p, "C++"));
    ZT_CHECK(has_skill(&p, "单片机")); /* STM32 */
    ZT_CHECK(has_skill(&p, "RTOS"));
    ZT_CHECK(has_skill(&p, "通信协议"));
    ZT_CHECK(!has_skill(&p, "CSS"));
    ZT_CHECK(p.education == AN_EDU_MASTER);
    ZT_CHECK(p.years >= 5.9 && p.years <= 6.1);
    profile_put(&p);
}

static void test_profile_jd(void)
{
    an_profile_t p;

    ZT_CHECK(an_profile(&arena, load("jd_zh_python_backend.txt"), &p) == ZM_OK);
    ZT_CHECK(has_skill(&p, "Python"));
    ZT_CHECK(has_skill(&p, "Kubernetes"));
    ZT_CHECK(has_skill(&p, "Go"));
    ZT_CHECK(p.years == 3);
    profile_put(&p);

    ZT_CHECK(an_profile(&arena, load("jd_en_frontend.txt"), &p) == ZM_OK);
    ZT_CHECK(has_skill(&p, "Next.js"));
    ZT_CHECK(p.years == 5);
    ZT_CHECK(p.education == AN_EDU_BACHELOR);
    profile_put(&p);

    ZT_CHECK(an_profile(&arena, "5+ years of experience with Go and gRPC. golang preferred.", &p) == ZM_OK);
    ZT_CHECK(p.years == 5);
    ZT_CHECK(has_skill(&p, "Go"));
    ZT_CHECK(has_skill(&p, "gRPC"));
    profile_put(&p);

    /* "go" as an English word is not Go; "C" needs to stand alone */
    ZT_CHECK(an_profile(&arena, "Ready to go. Uses CSS and CSS3, ObjC, Spring-Boot, node.js, C#/.NET", &p) == ZM_OK);
    ZT_CHECK(!has_skill(&p, "Go"));
    ZT_CHECK(!has_skill(&p, "C"));
    ZT_CHECK(has_skill(&p, "CSS"));
    ZT_CHECK(has_skill(&p, "Objective-C"));
    ZT_CHECK(has_skill(&p, "Spring Boot"));
    ZT_CHECK(has_skill(&p, "Node.js"));
    ZT_CHECK(has_skill(&p, "C#"));
    ZT_CHECK(has_skill(&p, ".NET"));
    profile_put(&p);

    ZT_CHECK(an_profile(&arena, "工作经验：三年以上。熟悉新媒体运营和SpringBoot，会用Ｐｙｔｈｏｎ", &p) == ZM_OK);
    ZT_CHECK(p.years == 3);
    ZT_CHECK(has_skill(&p, "新媒体运营"));
    ZT_CHECK(!has_skill(&p, "运营"));
    ZT_CHECK(has_skill(&p, "Spring Boot"));
    ZT_CHECK(has_skill(&p, "Python"));
    profile_put(&p);
}

static json_object *match_json(const char *resume, const char *jd, an_match_t *m)
{
    if (an_builtin_match(&arena, load(resume), load(jd), m) != ZM_OK) {
        return NULL;
    }
    return an_match_json(m);
}

static void test_match(void)
{
    int strong = match_score("zh_backend_strong.txt", "jd_zh_python_backend.txt");
    int medium = match_score("zh_backend_medium.txt", "jd_zh_python_backend.txt");
    int weak = match_score("zh_sales_weak.txt", "jd_zh_python_backend.txt");
    int en_strong = match_score("en_frontend.txt", "jd_en_frontend.txt");
    int en_weak = match_score("en_embedded.txt", "jd_en_frontend.txt");
    an_match_t m;
    json_object *j, *v;

    printf("scores: strong %d, medium %d, weak %d; en %d vs %d\n", strong, medium, weak, en_strong, en_weak);
    ZT_CHECK(strong > medium);
    ZT_CHECK(medium > weak);
    ZT_CHECK(strong >= 75);
    ZT_CHECK(weak <= 35);
    ZT_CHECK(en_strong > en_weak);
    ZT_CHECK(en_strong >= 75);

    /* "招聘" opening a job ad is the verb, not the HR skill; "负责招聘" is the skill */
    ZT_CHECK(an_builtin_match(&arena, "熟悉 Go 和 MySQL", "招聘高级后端工程师：熟悉 Go、MySQL、Kafka。", &m) == ZM_OK);
    j = an_match_json(&m);
    an_openai_match_release(&m);
    ZT_CHECK(json_object_object_get_ex(j, "missing_skills", &v) && arr_has(v, "Kafka") && !arr_has(v, "招聘"));
    json_object_put(j);
    ZT_CHECK(an_builtin_match(&arena, "熟悉 Go", "招聘 HRBP：负责招聘与员工关系。", &m) == ZM_OK);
    j = an_match_json(&m);
    an_openai_match_release(&m);
    ZT_CHECK(json_object_object_get_ex(j, "missing_skills", &v) && arr_has(v, "招聘"));
    json_object_put(j);

    j = match_json("zh_backend_medium.txt", "jd_zh_python_backend.txt", &m);
    ZT_CHECK(j != NULL);
    /* the caller may release m right away: the JSON holds its own references */
    an_openai_match_release(&m);
    show("match medium", j);
    ZT_CHECK(json_object_object_get_ex(j, "missing_skills", &v) && arr_has(v, "Django"));
    ZT_CHECK(json_object_object_get_ex(j, "missing_skills", &v) && arr_has(v, "Docker"));
    ZT_CHECK(json_object_object_get_ex(j, "missing_skills", &v) && arr_has(v, "Kubernetes"));
    ZT_CHECK(json_object_object_get_ex(j, "matched_skills", &v) && arr_has(v, "MySQL"));
    ZT_CHECK(json_object_object_get_ex(j, "gaps", &v) && arr_has(v, "Django"));
    ZT_CHECK(json_object_object_get_ex(j, "gaps", &v) && arr_has(v, "相差约 1 年"));
    ZT_CHECK(json_object_object_get_ex(j, "suggestions", &v) && arr_has(v, "补充“项目经历”部分"));
    ZT_CHECK(json_object_object_get_ex(j, "suggestions", &v) &&
             arr_has(v, "「负责后台管理系统的接口开发」没有量化结果"));
    ZT_CHECK(json_object_object_get_ex(j, "components", &v) && json_object_array_length(v) == 4);
    ZT_CHECK(json_object_object_get_ex(j, "provider", &v) && strcmp(json_object_get_string(v), "builtin") == 0);
    ZT_CHECK(json_object_object_get_ex(j, "summary", &v) && strstr(json_object_get_string(v), "分") != NULL);
    json_object_put(j);

    /* Kubernetes is "优先", Go under "加分项": preferred, so not in the required count */
    j = match_json("zh_backend_strong.txt", "jd_zh_python_backend.txt", &m);
    an_openai_match_release(&m);
    ZT_CHECK(json_object_object_get_ex(j, "strengths", &v) && arr_has(v, "加分技能") && arr_has(v, "Kubernetes"));
    ZT_CHECK(json_object_object_get_ex(j, "missing_skills", &v) && !arr_has(v, "Python") && !arr_has(v, "Redis"));
    /* skills named only under 岗位职责 count half, like preferred ones */
    ZT_CHECK(json_object_object_get_ex(j, "summary", &v) && strstr(json_object_get_string(v), "9/10") != NULL);
    json_object_put(j);
}

static void test_diagnose(void)
{
    json_object *r, *v, *secs;
    int found_rewrite = 0;

    ZT_CHECK(an_builtin_diagnose(&arena, load("zh_backend_medium.txt"), "Python后端工程师", &r) == ZM_OK);
    show("diagnose medium", r);
    ZT_CHECK(json_object_object_get_ex(r, "overall_score", &v) && json_object_get_int(v) > 0 &&
             json_object_get_int(v) < 90);
    ZT_CHECK(json_object_object_get_ex(r, "sections", &secs) && json_object_array_length(secs) == 6);
    for (size_t i = 0; i < json_object_array_length(secs); i++) {
        json_object *f;
        ZT_CHECK(json_object_object_get_ex(json_object_array_get_idx(secs, i), "findings", &f) &&
                 json_object_array_length(f) > 0);
    }
    ZT_CHECK(json_object_object_get_ex(r, "rewrites", &v) && json_object_array_length(v) >= 1);
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        json_object *o;
        if (json_object_object_get_ex(json_object_array_get_idx(v, i), "original", &o) &&
            strcmp(json_object_get_string(o), "负责后台管理系统的接口开发") == 0) {
            found_rewrite = 1;
        }
    }
    ZT_CHECK(found_rewrite);
    {
        json_object *sk, *bc, *sg;
        ZT_CHECK(json_object_object_get_ex(r, "skills", &sk));
        ZT_CHECK(json_object_object_get_ex(sk, "by_category", &bc) && json_object_object_get_ex(bc, "编程语言", &v) &&
                 arr_has(v, "Java"));
        /* the role asks for Python: it is there ("了解 Python"), so the suggestions are backend ones it lacks */
        ZT_CHECK(json_object_object_get_ex(sk, "suggested", &sg) && json_object_array_length(sg) > 0);
    }
    json_object_put(r);

    ZT_CHECK(an_builtin_diagnose(&arena, load("zh_backend_strong.txt"), NULL, &r) == ZM_OK);
    ZT_CHECK(json_object_object_get_ex(r, "overall_score", &v) && json_object_get_int(v) >= 80);
    json_object_put(r);
}

static int group_has(json_object *q, const char *cat, const char *needle, size_t *n)
{
    json_object *groups, *qs;
    int hit = 0;

    *n = 0;
    if (!json_object_object_get_ex(q, "groups", &groups)) {
        return 0;
    }
    for (size_t i = 0; i < json_object_array_length(groups); i++) {
        json_object *g = json_object_array_get_idx(groups, i), *c;
        if (!json_object_object_get_ex(g, "category", &c) || strcmp(json_object_get_string(c), cat) != 0 ||
            !json_object_object_get_ex(g, "questions", &qs)) {
            continue;
        }
        *n = json_object_array_length(qs);
        for (size_t k = 0; k < *n; k++) {
            json_object *item = json_object_array_get_idx(qs, k), *t, *o;
            ZT_CHECK(json_object_object_get_ex(item, "why", &t) && json_object_get_string(t)[0]);
            ZT_CHECK(json_object_object_get_ex(item, "outline", &o) && json_object_array_length(o) > 0);
            if (json_object_object_get_ex(item, "question", &t) && strstr(json_object_get_string(t), needle)) {
                hit = 1;
            }
            if (json_object_object_get_ex(item, "why", &t) && strstr(json_object_get_string(t), needle)) {
                hit = 1;
            }
        }
    }
    return hit;
}

static void test_questions(void)
{
    static const int counts[] = {1, 3, 4, 10, 23, 50};
    json_object *q, *groups;
    size_t n[4], total;

    ZT_CHECK(an_builtin_questions(&arena, load("zh_backend_strong.txt"), load("jd_zh_python_backend.txt"), 12, &q) ==
             ZM_OK);
    show("questions strong", q);
    ZT_CHECK(json_object_object_get_ex(q, "groups", &groups) && json_object_array_length(groups) == 4);
    ZT_CHECK(group_has(q, "technical", "Python", &n[0]));
    ZT_CHECK(group_has(q, "project", "“订单中心重构”", &n[1])); /* a named project is quoted */
    group_has(q, "behavioral", "", &n[2]);
    group_has(q, "hr", "", &n[3]);
    ZT_CHECK(n[0] >= 1 && n[1] >= 1 && n[2] >= 1 && n[3] >= 1);
    ZT_CHECK(n[0] + n[1] + n[2] + n[3] == 12);
    ZT_CHECK(n[0] > n[3]);
    json_object_put(q);

    /* more questions reach further down the skills both name */
    ZT_CHECK(an_builtin_questions(&arena, load("zh_backend_strong.txt"), load("jd_zh_python_backend.txt"), 24, &q) ==
             ZM_OK);
    ZT_CHECK(group_has(q, "technical", "Redis", &n[0]) && group_has(q, "technical", "MySQL", &n[0]));
    json_object_put(q);

    /* a resume that names no project gets a stand-in phrase, not a quoted "project" */
    ZT_CHECK(an_builtin_questions(&arena, "", NULL, 12, &q) == ZM_OK);
    ZT_CHECK(group_has(q, "project", "你简历中最有代表性的项目", &n[1]) && n[1] >= 1);
    ZT_CHECK(!group_has(q, "project", "“你", &n[1]));
    json_object_put(q);

    for (size_t c = 0; c < ZM_ARRAY_LEN(counts); c++) {
        const char *resumes[] = {"en_frontend.txt", "zh_sales_weak.txt", ""};
        for (size_t r = 0; r < ZM_ARRAY_LEN(resumes); r++) {
            const char *text = resumes[r][0] ? load(resumes[r]) : "";
            ZT_CHECK(an_builtin_questions(&arena, text, r == 0 ? "Frontend Engineer" : NULL, counts[c], &q) == ZM_OK);
            total = 0;
            for (int g = 0; g < 4; g++) {
                static const char *cats[] = {"technical", "project", "behavioral", "hr"};
                group_has(q, cats[g], "", &n[g]);
                total += n[g];
                if (counts[c] >= 4) {
                    ZT_CHECK(n[g] >= 1);
                }
            }
            ZT_CHECK(total == (size_t)counts[c]);
            if (total != (size_t)counts[c]) {
                fprintf(stderr, "  count %d resume %s: got %zu\n", counts[c], resumes[r], total);
            }
            if (r == 0 && counts[c] >= 10) {
                ZT_CHECK(group_has(q, "technical", "React", &n[0]));
            }
            json_object_put(q);
        }
    }
}

static void test_hostile(void)
{
    size_t big = 1024 * 1024;
    char *text = zm_palloc(&arena, big + 1), *bad;
    an_profile_t p;
    an_match_t m;
    json_object *o;

    /* 1 MB of repeated resume text: cut, not rejected */
    static const char pat[] = "Python 熟悉 Redis 2019.07-至今 负责 C++ 3年经验\n";
    for (size_t i = 0; i < big; i++) {
        text[i] = pat[i % (sizeof(pat) - 1)];
    }
    text[big] = '\0';
    ZT_CHECK(an_profile(&arena, text, &p) == ZM_OK);
    ZT_CHECK(has_skill(&p, "Python"));
    profile_put(&p);
    ZT_CHECK(an_builtin_match(&arena, text, text, &m) == ZM_OK);
    an_openai_match_release(&m);
    ZT_CHECK(an_builtin_diagnose(&arena, text, text, &o) == ZM_OK);
    json_object_put(o);

    /* invalid and truncated UTF-8 */
    bad = zm_pstrdup(&arena, "\xe5\xb7\xa5\xe4\xbd\x9c\xff\xfe\xe5 Python \xc3 \xe8\xaf 2019.\xe5-\xe8\x87 \xf0\x9f");
    ZT_CHECK(an_profile(&arena, bad, &p) == ZM_OK);
    ZT_CHECK(has_skill(&p, "Python"));
    profile_put(&p);
    ZT_CHECK(an_builtin_match(&arena, bad, bad, &m) == ZM_OK);
    an_openai_match_release(&m);
    ZT_CHECK(an_builtin_questions(&arena, bad, bad, 50, &o) == ZM_OK);
    json_object_put(o);

    /* empty and NULL */
    ZT_CHECK(an_profile(&arena, "", &p) == ZM_OK);
    ZT_CHECK(p.education == AN_EDU_NONE && p.years < 0 && json_object_array_length(p.skills) == 0);
    profile_put(&p);
    ZT_CHECK(an_builtin_match(&arena, "", "", &m) == ZM_OK);
    ZT_CHECK(m.score == 0);
    an_openai_match_release(&m);
    ZT_CHECK(an_builtin_match(&arena, NULL, NULL, &m) == ZM_OK);
    an_openai_match_release(&m);
    ZT_CHECK(an_builtin_diagnose(&arena, "", NULL, &o) == ZM_OK);
    json_object_put(o);
    ZT_CHECK(an_builtin_questions(&arena, "", "", 0, &o) == ZM_OK);
    json_object_put(o);

    /* odd dates and numbers */
    ZT_CHECK(an_profile(&arena, "2099.01-至今 1900-2100 2020.13-2021.00 99999年经验 0年经验 2021.05-2019.01 -", &p) ==
             ZM_OK);
    ZT_CHECK(p.years < 0);
    profile_put(&p);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s <analysis data dir> <tests/data/analysis>\n", argv[0]);
        return 2;
    }
    data_dir = argv[2];
    dump = getenv("AN_DUMP") != NULL;
    zm_arena_init(&arena, 64 * 1024, 0);
    an_set_today(2024, 7);
    if (an_init(argv[1]) != ZM_OK) {
        fprintf(stderr, "an_init(%s) failed\n", argv[1]);
        return 1;
    }
    ZT_RUN(test_profile_zh_backend);
    ZT_RUN(test_profile_zh_others);
    ZT_RUN(test_profile_en);
    ZT_RUN(test_profile_jd);
    ZT_RUN(test_match);
    ZT_RUN(test_diagnose);
    ZT_RUN(test_questions);
    ZT_RUN(test_hostile);
    zm_arena_destroy(&arena);
    return zt_done();
}
