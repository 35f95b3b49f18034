/*
 * test_openai.c -- the offline parts of the openai analysis provider: the
 * schema validator (fcgi/services/jsonschema.c) on its schemas, fence
 * stripping and the judge, UTF-8-safe truncation, the provider choice
 * (fcgi/analysis/provider.c).  The HTTP side is tested against a fake
 * server by tests/api/test_openai.py.
 */
#include "openai.h"

#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "zt_modules.h"

#include "zt.h"

static zm_arena_t A;

static json_object *parse(const char *s)
{
    json_object *o = json_tokener_parse(s);

    if (o == NULL) {
        fprintf(stderr, "test JSON does not parse: %s\n", s);
        abort();
    }
    return o;
}

/* the validator's verdict on a JSON text: NULL when it conforms */
static const char *verdict(const zm_schema_t *s, const char *json)
{
    json_object *o = parse(json);
    const char *why = zm_schema_validate(&A, s, o);

    json_object_put(o);
    return why;
}

static int contains(const char *hay, const char *needle)
{
    return hay != NULL && strstr(hay, needle) != NULL;
}

#define GOOD_MATCH_REST                                                                                                \
    "\"summary\": \"基本匹配\", \"strengths\": [\"C 语言扎实\"], \"gaps\": [], "                               \
    "\"suggestions\": [\"补充性能优化案例\"], \"matched_skills\": [\"C\", \"Linux\"], "                        \
    "\"missing_skills\": [\"Kubernetes\"]"

static void test_match_schema_good(void)
{
    const zm_schema_t *s = &an_openai_match_schema;

    ZT_CHECK(verdict(s, "{\"score\": 85, " GOOD_MATCH_REST "}") == NULL);
    ZT_CHECK(verdict(s, "{\"score\": 0, " GOOD_MATCH_REST "}") == NULL);
    ZT_CHECK(verdict(s, "{\"score\": 100, " GOOD_MATCH_REST "}") == NULL);
    /* JSON has one number type: 85.0 is the integer 85 */
    ZT_CHECK(verdict(s, "{\"score\": 85.0, " GOOD_MATCH_REST "}") == NULL);
    /* keys the schema does not name are ignored */
    ZT_CHECK(verdict(s, "{\"score\": 85, \"confidence\": \"high\", \"extra\": [1, 2], " GOOD_MATCH_REST "}") == NULL);
}

static void test_match_schema_score(void)
{
    const zm_schema_t *s = &an_openai_match_schema;

    ZT_STREQ(verdict(s, "{\"score\": \"85\", " GOOD_MATCH_REST "}"), "score must be an integer 0-100");
    ZT_STREQ(verdict(s, "{\"score\": 85.5, " GOOD_MATCH_REST "}"), "score must be an integer 0-100");
    ZT_STREQ(verdict(s, "{\"score\": 101, " GOOD_MATCH_REST "}"), "score must be an integer 0-100");
    ZT_STREQ(verdict(s, "{\"score\": -1, " GOOD_MATCH_REST "}"), "score must be an integer 0-100");
    ZT_STREQ(verdict(s, "{\"score\": true, " GOOD_MATCH_REST "}"), "score must be an integer 0-100");
    ZT_STREQ(verdict(s, "{\"score\": [85], " GOOD_MATCH_REST "}"), "score must be an integer 0-100");
    ZT_STREQ(verdict(s, "{\"score\": 1e300, " GOOD_MATCH_REST "}"), "score must be an integer 0-100");
    /* json-c's parser accepts NaN; the validator must not */
    ZT_STREQ(verdict(s, "{\"score\": NaN, " GOOD_MATCH_REST "}"), "score must be an integer 0-100");
    ZT_STREQ(verdict(s, "{" GOOD_MATCH_REST "}"), "missing key score");
    /* null is absent */
    ZT_STREQ(verdict(s, "{\"score\": null, " GOOD_MATCH_REST "}"), "missing key score");
}

static void test_match_schema_problems_listed(void)
{
    const zm_schema_t *s = &an_openai_match_schema;
    const char *why;

    /* every problem, in schema order, in one line the model can act on */
    why = verdict(s, "{\"score\": \"85\", \"summary\": \"x\", \"strengths\": [], \"suggestions\": [], "
                     "\"matched_skills\": [], \"missing_skills\": []}");
    ZT_STREQ(why, "score must be an integer 0-100; missing key gaps");

    why = verdict(s, "{\"score\": 50, \"summary\": 3, \"strengths\": \"C\", \"gaps\": [\"a\", 2, null], "
                     "\"suggestions\": {}, \"matched_skills\": [], \"missing_skills\": []}");
    ZT_CHECK(contains(why, "summary must be a string"));
    ZT_CHECK(contains(why, "strengths must be an array of strings"));
    ZT_CHECK(contains(why, "gaps[1] must be a string"));
    ZT_CHECK(contains(why, "gaps[2] must be a string"));
    ZT_CHECK(contains(why, "suggestions must be an array of strings"));
    ZT_CHECK(!contains(why, "score"));

    ZT_STREQ(verdict(s, "[1, 2]"), "the answer must be a JSON object");
    ZT_STREQ(verdict(s, "\"85\""), "the answer must be a JSON object");
}

static void test_match_schema_lengths(void)
{
    const zm_schema_t *s = &an_openai_match_schema;
    char *long_summary, *many, *json;

    /* 2000 characters of Chinese (6000 bytes) pass, 2001 do not: characters, not bytes */
    long_summary = zm_palloc(&A, 2001 * 3 + 1);
    for (int i = 0; i < 2001; i++) {
        memcpy(long_summary + i * 3, "好", 3);
    }
    long_summary[2000 * 3] = '\0';
    json = zm_psprintf(&A,
                       "{\"score\": 1, \"summary\": \"%s\", \"strengths\": [], \"gaps\": [], \"suggestions\": [], "
                       "\"matched_skills\": [], \"missing_skills\": []}",
                       long_summary);
    ZT_CHECK(verdict(s, json) == NULL);
    long_summary[2000 * 3] = "好"[0];
    long_summary[2001 * 3] = '\0';
    json = zm_psprintf(&A,
                       "{\"score\": 1, \"summary\": \"%s\", \"strengths\": [], \"gaps\": [], \"suggestions\": [], "
                       "\"matched_skills\": [], \"missing_skills\": []}",
                       long_summary);
    ZT_STREQ(verdict(s, json), "summary must be at most 2000 characters");

    /* 21 strengths: over the 20-item cap */
    many = "\"a\"";
    for (int i = 1; i < 21; i++) {
        many = zm_psprintf(&A, "%s, \"a\"", many);
    }
    json = zm_psprintf(&A,
                       "{\"score\": 1, \"summary\": \"x\", \"strengths\": [%s], \"gaps\": [], \"suggestions\": [], "
                       "\"matched_skills\": [], \"missing_skills\": []}",
                       many);
    ZT_STREQ(verdict(s, json), "strengths must have at most 20 items");
}

static void test_diagnose_schema(void)
{
    const zm_schema_t *s = &an_openai_diagnose_schema;
    const char *why;

    ZT_CHECK(
        verdict(s,
                "{\"overall_score\": 72, \"summary\": \"结构完整\", "
                "\"sections\": [{\"name\": \"education\", \"present\": true, \"findings\": []},"
                "               {\"name\": \"projects\", \"present\": false, \"findings\": [\"缺少项目经历\"]}],"
                "\"rewrites\": [{\"original\": \"负责后端开发\", \"suggestion\": \"主导订单服务重构，延迟降低 40%\", "
                "\"why\": \"量化成果\"}]}") == NULL);
    why = verdict(s, "{\"overall_score\": 72.5, \"summary\": \"x\", "
                     "\"sections\": [{\"name\": \"education\", \"present\": \"yes\", \"findings\": []},"
                     "               {\"present\": true, \"findings\": [1]}, 7],"
                     "\"rewrites\": [{\"original\": \"a\", \"suggestion\": \"b\"}]}");
    ZT_CHECK(contains(why, "overall_score must be an integer 0-100"));
    ZT_CHECK(contains(why, "sections[0].present must be a boolean"));
    ZT_CHECK(contains(why, "missing key sections[1].name"));
    ZT_CHECK(contains(why, "sections[1].findings[0] must be a string"));
    ZT_CHECK(contains(why, "sections[2] must be an object"));
    ZT_CHECK(contains(why, "missing key rewrites[0].why"));
    /* at least one section */
    ZT_STREQ(verdict(s, "{\"overall_score\": 1, \"summary\": \"x\", \"sections\": [], \"rewrites\": []}"),
             "sections must have at least 1 item");
}

static const char *const colors[] = {"red", "green", NULL};

static const char *at_most_two(zm_arena_t *a, json_object *o, const void *arg)
{
    json_object *v;

    ZM_UNUSED(arg);
    json_object_object_get_ex(o, "items", &v);
    return json_object_array_length(v) > 2 ? zm_pstrdup(a, "too many items") : NULL;
}

static void test_custom_schema(void)
{
    static const zm_field_t item_fields[] = {
        {"color", ZM_T_STRING, 1, 0, 0, 0, colors, NULL},
        {"weight", ZM_T_NUMBER, 0, 0, 1, 0, NULL, NULL},
    };
    static const zm_schema_t item = {item_fields, 2, NULL, NULL};
    static const zm_field_t fields[] = {
        {"items", ZM_T_OBJECT_ARRAY, 1, 1, 0, 0, NULL, &item},
        {"meta", ZM_T_OBJECT, 0, 0, 0, 0, NULL, &item},
        {"count", ZM_T_INT, 0, 0, 0, 0, NULL, NULL},
    };
    zm_schema_t s = {fields, 3, at_most_two, NULL};

    ZT_CHECK(verdict(&s, "{\"items\": [{\"color\": \"red\", \"weight\": 0.5}, {\"color\": \"green\"}]}") == NULL);
    ZT_STREQ(verdict(&s, "{\"items\": [{\"color\": \"blue\"}]}"), "items[0].color must be one of red, green");
    ZT_STREQ(verdict(&s, "{\"items\": [{\"color\": \"red\", \"weight\": 1.5}]}"),
             "items[0].weight must be a number 0-1");
    ZT_STREQ(verdict(&s, "{\"items\": [{\"color\": \"red\", \"weight\": \"0.5\"}]}"),
             "items[0].weight must be a number 0-1");
    ZT_STREQ(verdict(&s, "{\"items\": [{\"color\": \"red\"}], \"meta\": []}"), "meta must be an object");
    ZT_STREQ(verdict(&s, "{\"items\": [{\"color\": \"red\"}], \"meta\": {}}"), "missing key meta.color");
    /* an unbounded int: any integer, no fraction */
    ZT_CHECK(verdict(&s, "{\"items\": [{\"color\": \"red\"}], \"count\": -12345}") == NULL);
    ZT_STREQ(verdict(&s, "{\"items\": [{\"color\": \"red\"}], \"count\": 1.5}"), "count must be an integer");
    /* the whole-object check runs only once the fields pass */
    ZT_STREQ(verdict(&s, "{\"items\": [{\"color\": \"red\"}, {\"color\": \"red\"}, {\"color\": \"red\"}]}"),
             "too many items");
    ZT_STREQ(verdict(&s, "{\"items\": [{\"color\": \"red\"}, {\"color\": \"red\"}, {\"color\": 1}]}"),
             "items[2].color must be a string");
}

static void test_problem_cap(void)
{
    static const zm_field_t f[] = {
        {"a", ZM_T_STRING_ARRAY, 1, 0, 0, 0, NULL, NULL},
    };
    zm_schema_t s = {f, 1, NULL, NULL};
    const char *why = verdict(&s, "{\"a\": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]}");

    /* the first twelve, then "...": a model needs its first mistakes, not all */
    ZT_CHECK(contains(why, "a[11] must be a string; ..."));
    ZT_CHECK(!contains(why, "a[12]"));
}

static void test_strip_fences(void)
{
    ZT_STREQ(an_openai_strip_fences(&A, "{\"a\": 1}"), "{\"a\": 1}");
    ZT_STREQ(an_openai_strip_fences(&A, "  \n{\"a\": 1}\n\n"), "{\"a\": 1}");
    ZT_STREQ(an_openai_strip_fences(&A, "```json\n{\"a\": 1}\n```"), "{\"a\": 1}");
    ZT_STREQ(an_openai_strip_fences(&A, "```JSON\r\n{\"a\": 1}\r\n```\n"), "{\"a\": 1}");
    ZT_STREQ(an_openai_strip_fences(&A, "```\n{\"a\": 1}\n```"), "{\"a\": 1}");
    ZT_STREQ(an_openai_strip_fences(&A, "好的，结果如下：\n```json\n{\"a\": 1}\n```\n希望有帮助。"), "{\"a\": 1}");
    /* cut off before the closing fence: what there is, for the parser to judge */
    ZT_STREQ(an_openai_strip_fences(&A, "```json\n{\"a\": 1"), "{\"a\": 1");
    /* a reasoning model's thoughts first */
    ZT_STREQ(an_openai_strip_fences(&A, "<think>\n先看简历……\n</think>\n\n{\"a\": 1}"), "{\"a\": 1}");
    ZT_STREQ(an_openai_strip_fences(&A, "<think>嗯</think>```json\n{\"a\": 1}\n```"), "{\"a\": 1}");
    /* a fence inside a bare object is the object's text */
    ZT_STREQ(an_openai_strip_fences(&A, "{\"tip\": \"用 ```代码块```\"}"), "{\"tip\": \"用 ```代码块```\"}");
    ZT_STREQ(an_openai_strip_fences(&A, "   "), "");
    ZT_STREQ(an_openai_strip_fences(&A, "no json here"), "no json here");
    ZT_CHECK(an_openai_strip_fences(&A, NULL) == NULL);
}

static void test_judge(void)
{
    int four = 4;
    zm_schema_t qs = an_openai_questions_schema(&four);
    json_object *o = NULL, *v;
    const char *why;
    char deep[100] = "";

    /* fenced, thought about first: still the object */
    why = an_openai_judge(&A, "<think>嗯</think>```json\n{\"score\": 85, " GOOD_MATCH_REST "}\n```",
                          &an_openai_match_schema, &o);
    ZT_CHECK(why == NULL && o != NULL);
    ZT_CHECK(json_object_object_get_ex(o, "score", &v) && json_object_get_int(v) == 85);
    json_object_put(o);

    ZT_STREQ(an_openai_judge(&A, "  ", &an_openai_match_schema, &o), "the answer is empty");
    ZT_CHECK(o == NULL);
    ZT_STREQ(an_openai_judge(&A, "{\"score\": 85", &an_openai_match_schema, &o),
             "the answer is not valid JSON (it ends before the object is complete)");
    ZT_CHECK(contains(an_openai_judge(&A, "抱歉，我无法评分。", &an_openai_match_schema, &o),
                      "the answer is not valid JSON ("));
    ZT_STREQ(an_openai_judge(&A, "{\"a\": 1} 希望有帮助", &an_openai_match_schema, &o),
             "the answer is not valid JSON (unexpected character at offset 9)");
    ZT_STREQ(an_openai_judge(&A, "[1, 2]", &an_openai_match_schema, &o), "the answer must be a JSON object");
    /* strict JSON: no invalid UTF-8, no absurd nesting */
    ZT_CHECK(contains(an_openai_judge(&A, "{\"summary\": \"\xff\"}", &an_openai_match_schema, &o), "not valid JSON"));
    for (int i = 0; i < 40; i++) {
        strcat(deep, "[");
    }
    ZT_CHECK(contains(an_openai_judge(&A, zm_psprintf(&A, "{\"score\": %s}", deep), &an_openai_match_schema, &o),
                      "not valid JSON"));
    ZT_CHECK(o == NULL);
    /* the schema's verdict is the judge's */
    ZT_STREQ(an_openai_judge(&A, "{\"score\": \"85\", " GOOD_MATCH_REST "}", &an_openai_match_schema, &o),
             "score must be an integer 0-100");

    /* questions: the count and the categories are checked across groups */
#define Q "{\"question\": \"q\", \"why\": \"w\", \"outline\": [\"a\"]}"
    why = an_openai_judge(&A,
                          "{\"groups\": [{\"category\": \"technical\", \"questions\": [" Q "," Q "," Q "]},"
                          "{\"category\": \"hr\", \"questions\": [" Q "]}]}",
                          &qs, &o);
    ZT_CHECK(why == NULL && o != NULL);
    json_object_put(o);
    ZT_STREQ(an_openai_judge(&A,
                             "{\"groups\": [{\"category\": \"technical\", \"questions\": [" Q "," Q "]},"
                             "{\"category\": \"technical\", \"questions\": [" Q "," Q "]}]}",
                             &qs, &o),
             "groups[1].category technical appears twice: put those questions in one group");
    ZT_STREQ(an_openai_judge(&A, "{\"groups\": [{\"category\": \"hr\", \"questions\": [" Q "]}]}", &qs, &o),
             "groups must hold 4 questions in all, got 1");
    ZT_STREQ(an_openai_judge(&A, "{\"groups\": [{\"category\": \"coding\", \"questions\": [" Q "]}]}", &qs, &o),
             "groups[0].category must be one of technical, project, behavioral, hr");
#undef Q
}

static void test_clip_utf8(void)
{
    int cut = -1;

    ZT_STREQ(llm_clip_utf8(&A, "hello", 10, &cut), "hello");
    ZT_CHECK(cut == 0);
    ZT_STREQ(llm_clip_utf8(&A, "hello", 5, &cut), "hello");
    ZT_CHECK(cut == 0);
    ZT_STREQ(llm_clip_utf8(&A, "hello", 3, &cut), "hel");
    ZT_CHECK(cut == 1);
    /* characters, not bytes, and never half a character */
    ZT_STREQ(llm_clip_utf8(&A, "你好世界", 2, &cut), "你好");
    ZT_CHECK(cut == 1);
    ZT_STREQ(llm_clip_utf8(&A, "a你😀b", 3, &cut), "a你😀");
    ZT_CHECK(cut == 1);
    ZT_STREQ(llm_clip_utf8(&A, "你好", 0, &cut), "");
    ZT_CHECK(cut == 1);
    ZT_STREQ(llm_clip_utf8(&A, "", 5, &cut), "");
    ZT_CHECK(cut == 0);
    ZT_STREQ(llm_clip_utf8(&A, NULL, 5, &cut), "");
    /* malformed input becomes U+FFFD, one per stray byte, so the request stays valid JSON */
    ZT_STREQ(llm_clip_utf8(&A,
                           "a\xff"
                           "b",
                           10, &cut),
             "a\xef\xbf\xbd"
             "b");
    ZT_STREQ(llm_clip_utf8(&A, "ab\xe4\xbd", 10, &cut), "ab\xef\xbf\xbd\xef\xbf\xbd");
    ZT_STREQ(llm_clip_utf8(&A, "\xc0\xaf", 10, NULL), "\xef\xbf\xbd\xef\xbf\xbd");                 /* overlong '/' */
    ZT_STREQ(llm_clip_utf8(&A, "\xed\xa0\x80", 10, NULL), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
    /* a replaced byte counts as one character */
    ZT_STREQ(llm_clip_utf8(&A, "\xff\xff\xff", 2, &cut), "\xef\xbf\xbd\xef\xbf\xbd");
    ZT_CHECK(cut == 1);
    /* the documented cap on a long Chinese resume */
    {
        size_t n = 13000;
        char *big = malloc(n * 3 + 1), *out;

        for (size_t i = 0; i < n; i++) {
            memcpy(big + i * 3, "简", 3);
        }
        big[n * 3] = '\0';
        out = llm_clip_utf8(&A, big, AN_OPENAI_TEXT_MAX, &cut);
        ZT_CHECK(out != NULL && strlen(out) == AN_OPENAI_TEXT_MAX * 3);
        ZT_CHECK(cut == 1);
        free(big);
    }
}

static void test_bad_arguments(void)
{
    llm_conf_t c = {.base_url = "ftp://example.com/v1", .model = "m", .timeout_ms = 1000};
    an_usage_t u;
    an_match_t m;
    json_object *o = NULL;
    char *err = NULL;

    ZT_CHECK(an_openai_chat_json(&A, &c, "s", "u", &an_openai_match_schema, &o, &u, &err) == ZM_EINVAL);
    ZT_CHECK(contains(err, "http:// or https://"));
    ZT_CHECK(u.llm.attempts == 0);
    c.base_url = "http://127.0.0.1:1/v1";
    c.model = "";
    ZT_CHECK(an_openai_chat_json(&A, &c, "s", "u", &an_openai_match_schema, &o, &u, &err) == ZM_EINVAL);
    ZT_STREQ(err, "llm.model is not set");
    c.model = "m";
    c.api_key = "sk-abc\r\nX-Evil: 1";
    ZT_CHECK(an_openai_chat_json(&A, &c, "s", "u", &an_openai_match_schema, &o, &u, &err) == ZM_EINVAL);
    ZT_STREQ(err, "llm.api_key contains control characters");
    c.api_key = "";
    ZT_CHECK(an_openai_match(&A, &c, "  \n", "JD", &m, &u, &err) == ZM_EINVAL);
    ZT_STREQ(err, "the resume is empty");
    ZT_CHECK(an_openai_questions(&A, &c, "简历", NULL, 0, &o, &u, &err) == ZM_EINVAL);
    ZT_CHECK(an_openai_questions(&A, &c, "简历", NULL, 51, &o, &u, &err) == ZM_EINVAL);
    ZT_CHECK(o == NULL);
    an_openai_match_release(&m); /* zeroed by the failed call: harmless */
}

static void test_conf(void)
{
    llm_conf_t c;
    char err[256];

    /* the defaults of conf.c's table, then environment overrides */
    unsetenv("ZM_LLM_TEMPERATURE");
    unsetenv("ZM_LLM_PROVIDER");
    ZT_CHECK(zm_conf_load(NULL, err, sizeof(err)) == ZM_OK);
    llm_conf_from_conf(&c);
    ZT_STREQ(c.base_url, "https://api.openai.com/v1");
    ZT_CHECK(c.model != NULL && c.model[0] != '\0');
    ZT_CHECK(c.timeout_ms > 0);
    ZT_CHECK(c.max_retries >= 0);
    ZT_CHECK(c.temperature >= 0 && c.temperature <= 2);
    ZT_CHECK(an_provider_init() == ZM_OK);
    ZT_STREQ(an_provider()->name, "builtin");
    ZT_CHECK(an_provider() == &an_provider_builtin && !an_provider()->slow);

    setenv("ZM_LLM_PROVIDER", "openai", 1);
    setenv("ZM_LLM_TEMPERATURE", "", 1); /* empty: leave it to the server */
    setenv("ZM_LLM_BASE_URL", "http://127.0.0.1:11434/v1/", 1);
    ZT_CHECK(zm_conf_load(NULL, err, sizeof(err)) == ZM_OK);
    llm_conf_from_conf(&c);
    /* chosen once: loading another configuration alone does not switch */
    ZT_STREQ(an_provider()->name, "builtin");
    ZT_CHECK(an_provider_init() == ZM_OK);
    ZT_STREQ(an_provider()->name, "openai");
    ZT_CHECK(an_provider() == &an_provider_openai && an_provider()->slow);
    ZT_CHECK(c.temperature < 0);
    ZT_STREQ(c.base_url, "http://127.0.0.1:11434/v1/");
    unsetenv("ZM_LLM_PROVIDER");
    unsetenv("ZM_LLM_TEMPERATURE");
    unsetenv("ZM_LLM_BASE_URL");
}

int main(void)
{
    zm_arena_init(&A, 65536, 0);
    if (zt_register_modules() != 0) {
        return 1;
    }
    ZT_RUN(test_match_schema_good);
    ZT_RUN(test_match_schema_score);
    ZT_RUN(test_match_schema_problems_listed);
    ZT_RUN(test_match_schema_lengths);
    ZT_RUN(test_diagnose_schema);
    ZT_RUN(test_custom_schema);
    ZT_RUN(test_problem_cap);
    ZT_RUN(test_strip_fences);
    ZT_RUN(test_judge);
    ZT_RUN(test_clip_utf8);
    ZT_RUN(test_bad_arguments);
    ZT_RUN(test_conf);
    zm_arena_destroy(&A);
    return zt_done();
}
