/*
 * test_interview.c -- the builtin interviewer without a database (fcgi/interview/builtin.c):
 * which follow-up an answer calls for, the rubric score, the cues, and the check of a model's
 * report.  argv[1]: the analyzer's data directory (the technology dictionary).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analysis.h"
#include "interview.h"
#include "zt.h"

static zm_arena_t a;

static iv_followup_t pick(const char *category, const char *question, const char *answer, const char **tech)
{
    const char *t;
    return iv_followup_pick(&a, category, question, answer, tech ? tech : &t);
}

static void test_cues(void)
{
    ZT_CHECK(iv_has_number("延迟降到 50ms"));
    ZT_CHECK(iv_has_number("提升了３倍"));         /* full-width digit */
    ZT_CHECK(iv_has_number("带了三个人做了两周")); /* Chinese numerals with a unit */
    ZT_CHECK(!iv_has_number("我负责后端服务的设计和开发"));
    ZT_CHECK(!iv_has_number("一起讨论")); /* 一 without a unit */
    ZT_CHECK(!iv_has_number(NULL));
    ZT_CHECK(iv_has_star("当时系统很慢，我的任务是优化，我先加了缓存，最终延迟降低了"));
    ZT_CHECK(iv_has_star("The situation was bad; my task was to fix it; I designed a cache; the result: faster"));
    ZT_CHECK(!iv_has_star("我做了缓存"));
}

static void test_followups(void)
{
    const char *tech = NULL;

    ZT_CHECK(pick("technical", "介绍一下你的项目", "做了缓存", NULL) == IV_FU_ELABORATE);
    ZT_CHECK(pick("technical", "介绍一下你的项目", NULL, NULL) == IV_FU_ELABORATE);
    /* no figures: quantify, before anything else */
    ZT_CHECK(pick("technical", "介绍一下你的项目", "我负责后端服务的设计和开发，主要做接口和数据库的优化工作。",
                  NULL) == IV_FU_QUANTIFY);
    ZT_CHECK(pick("behavioral", "讲一次冲突", "我和同事讨论了很久，最后大家达成一致，合作很愉快。", NULL) ==
             IV_FU_QUANTIFY);
    /* figures and a technology the question did not name: dig into it */
    ZT_CHECK(pick("technical", "介绍一下你的项目", "我用 Redis 做缓存，把接口延迟从 200ms 降到 50ms。", &tech) ==
             IV_FU_TECH);
    ZT_CHECK(tech != NULL && strcasecmp(tech, "redis") == 0);
    /* the question names it already: no dig */
    ZT_CHECK(pick("technical", "Redis 的持久化机制是什么", "Redis 有 RDB 和 AOF 两种方式，AOF 每 1 秒刷盘一次。",
                  NULL) == IV_FU_NONE);
    /* behavioral with figures but no structure: STAR */
    ZT_CHECK(pick("behavioral", "讲一次冲突", "我们团队 5 个人意见不同，我组织大家开会讨论了 2 次就好了。", NULL) ==
             IV_FU_STAR);
    ZT_CHECK(pick("behavioral", "讲一次冲突",
                  "当时团队 5 个人意见不同，我的任务是推进上线。我先组织讨论，然后拆分方案，最终提前 2 天上线。",
                  NULL) == IV_FU_NONE);
    /* the words follow the pick */
    ZT_CHECK(strstr(iv_say_followup(&a, "zh", IV_FU_QUANTIFY, NULL), "量化") != NULL);
    ZT_CHECK(strstr(iv_say_followup(&a, "zh", IV_FU_TECH, "Redis"), "Redis") != NULL);
    ZT_CHECK(strstr(iv_say_followup(&a, "en", IV_FU_STAR, NULL), "situation") != NULL);
    ZT_CHECK(strstr(iv_say_question(&a, "zh", 2, 0, "题目X"), "第 2 题：题目X") != NULL);
}

static void test_scores(void)
{
    static const char *const outline[] = {"缓存的选型与一致性", "数据库索引优化", "压测与监控"};
    iv_score_t s, weak, empty;

    iv_score_answer(&a, "", "technical", outline, 3, &empty);
    ZT_CHECK(empty.score == 0 && json_object_array_length(empty.adds) == 3);
    iv_score_answer(&a, "我做过一些优化。", "technical", outline, 3, &weak);
    iv_score_answer(&a,
                    "当时接口很慢，我的任务是优化。我先引入缓存，考虑了缓存一致性，再做数据库索引优化，上线前做了压测并"
                    "加了监控，最终延迟从 200ms 降到 50ms，提升了 4 倍，支撑了 10 万 QPS 的流量，整个过程用了 2 周。",
                    "technical", outline, 3, &s);
    ZT_CHECK(s.score > weak.score && s.score >= 80 && s.score <= 100);
    ZT_CHECK(json_object_array_length(s.covered) == 3);
    ZT_CHECK(weak.score < 40 && json_object_array_length(weak.adds) >= 3); /* the outline and figures */
    ZT_CHECK(json_object_array_length(s.reasons) >= 3);
    /* deterministic */
    {
        iv_score_t again;
        iv_score_answer(&a, "我做过一些优化。", "technical", outline, 3, &again);
        ZT_CHECK(again.score == weak.score);
        json_object_put(again.reasons), json_object_put(again.adds), json_object_put(again.covered);
    }
    json_object_put(s.reasons), json_object_put(s.adds), json_object_put(s.covered);
    json_object_put(weak.reasons), json_object_put(weak.adds), json_object_put(weak.covered);
    json_object_put(empty.reasons), json_object_put(empty.adds), json_object_put(empty.covered);
}

static void test_report_parse(void)
{
    const char *ok =
        "{\"overall_score\": 80, \"summary\": \"好\", \"strengths\": [\"清楚\"], \"gaps\": [], "
        "\"questions\": [{\"index\": 1, \"score\": 70, \"reasons\": [\"r\"], \"strong_answer_adds\": []}]}\n";
    json_object *o;
    const char *why;

    ZT_CHECK(iv_report_parse(&a, ok, strlen(ok), 2, &o, &why) == ZM_OK && o != NULL);
    json_object_put(o);
    ZT_CHECK(iv_report_parse(&a, ok, strlen(ok), 1, &o, &why) == IV_EREPORT && strstr(why, "index") != NULL);
    ZT_CHECK(iv_report_parse(&a, "{\"overall_score\": 700}", 22, 2, &o, &why) == IV_EREPORT &&
             strstr(why, "overall_score") != NULL && o == NULL);
    ZT_CHECK(iv_report_parse(&a, "[]", 2, 2, &o, &why) == IV_EREPORT);
    ZT_CHECK(iv_report_parse(&a, "{} {}", 5, 2, &o, &why) == IV_EREPORT);
    ZT_CHECK(iv_report_parse(&a, "", 0, 2, &o, &why) == IV_EREPORT);
    ZT_CHECK(iv_report_parse(&a, "{\"a\":\"\xc0\xaf\"}", 10, 2, &o, &why) == IV_EREPORT);
}

static void test_meeting(void)
{
    const char *lines[] = {"我们先同步一下上线计划，目前接口开发完成了八成。", "后端负责人，你能保证周五前完成联调吗？",
                           "测试需要在下周一之前完成回归。", "大家看一下这个图。"};
    iv_meeting_update_t up;
    json_object *o;
    const char *why;

    ZT_CHECK(iv_meeting_builtin(&a, "上线评审", "后端负责人", "zh", lines, 4, lines, 4, &up) == ZM_OK);
    ZT_CHECK(json_object_array_length(up.questions) == 1);
    ZT_CHECK(
        strstr(json_object_get_string(json_object_object_get(json_object_array_get_idx(up.questions, 0), "question")),
               "周五") != NULL);
    ZT_CHECK(json_object_array_length(up.action_items) == 1);
    ZT_CHECK(strstr(json_object_get_string(json_object_array_get_idx(up.action_items, 0)), "回归") != NULL);
    ZT_CHECK(strstr(up.summary, "上线评审") != NULL && strstr(up.summary, "4") != NULL);
    json_object_put(up.questions);
    json_object_put(up.action_items);
    /* a question to someone else is not mine */
    {
        const char *other[] = {"产品经理，这个需求的优先级是什么？"};
        iv_meeting_builtin(&a, "评审", "后端负责人", "zh", other, 1, other, 1, &up);
        ZT_CHECK(json_object_array_length(up.questions) == 0);
        json_object_put(up.questions);
        json_object_put(up.action_items);
    }
    {
        const char *ok = "{\"summary\": \"s\", \"questions\": [], \"action_items\": [\"x\"]}";
        ZT_CHECK(iv_meeting_parse(&a, ok, strlen(ok), &o, &why) == ZM_OK);
    }
    json_object_put(o);
    ZT_CHECK(iv_meeting_parse(&a, "{\"summary\": 1}", 14, &o, &why) == IV_EREPORT && o == NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2 || an_init(argv[1]) != ZM_OK) {
        fprintf(stderr, "usage: test_interview <analysis data dir>\n");
        return 2;
    }
    zm_arena_init(&a, 1 << 16, 0);
    ZT_RUN(test_cues);
    ZT_RUN(test_followups);
    ZT_RUN(test_scores);
    ZT_RUN(test_report_parse);
    ZT_RUN(test_meeting);
    zm_arena_destroy(&a);
    return zt_done();
}
