/*
 * builtin.c -- the offline interviewer: which follow-up an answer calls for, the rubric score of an
 * answer against its question's outline, the interviewer's words, a reference answer, and the
 * check of a model's report.  Pure functions (the analyzer's dictionary is the only state).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "analysis.h"
#include "buf.h"
#include "interview.h"
#include "jsonschema.h"
#include "llm.h"
#include "str.h"

/* ---- cues ---- */

static int has_any(const char *text, const char *const *cues)
{
    for (int i = 0; cues[i]; i++) {
        if (strcasestr(text, cues[i]) != NULL) {
            return 1;
        }
    }
    return 0;
}

int iv_has_star(const char *text)
{
    static const char *const s[] = {"当时", "背景", "情况", "场景", "之前", "situation", "context", "when i", NULL};
    static const char *const t[] = {"任务", "目标", "负责", "需要", "要求", "task", "goal", "responsible", NULL};
    static const char *const ac[] = {"我做",   "我先",    "采取",       "方案",  "然后",       "于是", "通过",
                                     "action", "i built", "i designed", "i led", "we decided", NULL};
    static const char *const r[] = {"结果",   "最终",    "最后",     "提升",    "降低", "成功",
                                    "result", "outcome", "improved", "reduced", NULL};
    int n;

    if (text == NULL) {
        return 0;
    }
    n = has_any(text, s) + has_any(text, t) + has_any(text, ac) + has_any(text, r);
    return n >= 3;
}

int iv_has_number(const char *text)
{
    static const char *const cn[] = {"一", "两", "二", "三", "四", "五", "六", "七",
                                     "八", "九", "十", "百", "千", "万", NULL};
    static const char *const units[] = {"个", "倍", "周", "天", "月", "年", "人", "次", "成", "%", "万", "小时", NULL};
    size_t n;

    if (text == NULL) {
        return 0;
    }
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (isdigit(*p)) {
            return 1;
        }
        /* full-width digits U+FF10..U+FF19: EF BC 90..99 */
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            return 1;
        }
    }
    n = strlen(text);
    for (int i = 0; cn[i]; i++) {
        size_t l = strlen(cn[i]);
        for (const char *p = strstr(text, cn[i]); p; p = strstr(p + l, cn[i])) {
            size_t off = (size_t)(p - text) + l;
            for (int u = 0; units[u] && off < n; u++) {
                if (strncmp(text + off, units[u], strlen(units[u])) == 0) {
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* the first dictionary skill of answer that question does not name */
static const char *new_technology(zm_arena_t *a, const char *question, const char *answer)
{
    an_profile_t p;
    size_t n;

    if (an_profile(a, answer, &p) != ZM_OK || p.skills == NULL) {
        return NULL;
    }
    n = json_object_array_length(p.skills);
    for (size_t i = 0; i < n; i++) {
        json_object *s = json_object_array_get_idx(p.skills, i), *name;
        const char *v;
        if (!json_object_object_get_ex(s, "name", &name) || (v = json_object_get_string(name)) == NULL || !*v) {
            continue;
        }
        if (question == NULL || strcasestr(question, v) == NULL) {
            const char *copy = zm_pstrdup(a, v);
            json_object_put(p.skills);
            if (p.sections) {
                json_object_put(p.sections);
            }
            return copy;
        }
    }
    json_object_put(p.skills);
    if (p.sections) {
        json_object_put(p.sections);
    }
    return NULL;
}

iv_followup_t iv_followup_pick(zm_arena_t *a, const char *category, const char *question, const char *answer,
                               const char **tech)
{
    const char *t;

    *tech = NULL;
    if (answer == NULL || zm_utf8_chars(answer, strlen(answer)) < 15) {
        return IV_FU_ELABORATE;
    }
    if (!iv_has_number(answer)) {
        return IV_FU_QUANTIFY;
    }
    if ((t = new_technology(a, question, answer)) != NULL) {
        *tech = t;
        return IV_FU_TECH;
    }
    if (category && (strcmp(category, "behavioral") == 0 || strcmp(category, "project") == 0) && !iv_has_star(answer)) {
        return IV_FU_STAR;
    }
    return IV_FU_NONE;
}

/* ---- scoring ---- */

/* Is an outline item touched by answer?  Its ASCII words of 3+ letters and its CJK bigrams: a third
 * of them (at least one) present. */
static int outline_covered(const char *item, const char *answer)
{
    int terms = 0, hits = 0;
    size_t n = strlen(item), i = 0;
    char word[64];

    while (i < n) {
        unsigned char c = (unsigned char)item[i];
        if (isalnum(c)) {
            size_t w = 0;
            while (i < n && (isalnum((unsigned char)item[i]) || item[i] == '+' || item[i] == '#') &&
                   w < sizeof(word) - 1) {
                word[w++] = item[i++];
            }
            word[w] = '\0';
            if (w >= 3) {
                terms++;
                hits += strcasestr(answer, word) != NULL;
            }
            continue;
        }
        if (c >= 0xE0 && c < 0xF0 && i + 5 < n && (unsigned char)item[i + 3] >= 0xE0 &&
            (unsigned char)item[i + 3] < 0xF0) {
            char bi[7];
            memcpy(bi, item + i, 6);
            bi[6] = '\0';
            terms++;
            hits += strstr(answer, bi) != NULL;
            i += 3;
            continue;
        }
        i += zm_utf8_seq_len((const unsigned char *)item + i, n - i)
                 ? zm_utf8_seq_len((const unsigned char *)item + i, n - i)
                 : 1;
    }
    if (terms == 0) {
        return 0;
    }
    return hits > 0 && hits * 3 >= terms;
}

int iv_score_answer(zm_arena_t *a, const char *answer, const char *category, const char *const *outline, int n,
                    iv_score_t *out)
{
    size_t chars = answer ? zm_utf8_chars(answer, strlen(answer)) : 0;
    int covered = 0, cov_pts, num_pts, star_pts, len_pts;
    int star_needed = category == NULL || strcmp(category, "technical") != 0;

    ZM_UNUSED(a);
    out->reasons = json_object_new_array();
    out->adds = json_object_new_array();
    out->covered = json_object_new_array();
    if (chars == 0) {
        out->score = 0;
        json_object_array_add(out->reasons, json_object_new_string("没有作答"));
        for (int i = 0; i < n; i++) {
            json_object_array_add(out->adds, json_object_new_string(outline[i]));
        }
        return ZM_OK;
    }
    for (int i = 0; i < n; i++) {
        if (outline_covered(outline[i], answer)) {
            covered++;
            json_object_array_add(out->covered, json_object_new_string(outline[i]));
        } else {
            json_object_array_add(out->adds, json_object_new_string(outline[i]));
        }
    }
    /* without an outline, coverage is judged from substance alone */
    cov_pts = n > 0 ? 50 * covered / n : (chars >= 80 ? 40 : (int)(chars / 2));
    num_pts = iv_has_number(answer) ? 15 : 0;
    star_pts = iv_has_star(answer) ? 15 : (star_needed ? 0 : 8);
    len_pts = chars >= 150 ? 20 : (int)(chars * 20 / 150);
    out->score = cov_pts + num_pts + star_pts + len_pts;
    if (out->score > 100) {
        out->score = 100;
    }
    if (n > 0) {
        json_object_array_add(out->reasons, json_object_new_string(zm_psprintf(a, "覆盖了答题要点 %d/%d 项（%d 分）",
                                                                               covered, n, cov_pts)));
    }
    json_object_array_add(
        out->reasons, json_object_new_string(num_pts ? "用数据说明了结果（15 分）" : "没有量化的数据或结果（0 分）"));
    json_object_array_add(out->reasons,
                          json_object_new_string(star_pts == 15 ? "结构清晰：情境、任务、行动、结果（15 分）"
                                                 : star_needed ? "缺少 STAR 结构（情境、任务、行动、结果）（0 分）"
                                                               : "技术题，结构不作硬性要求（8 分）"));
    json_object_array_add(out->reasons, json_object_new_string(zm_psprintf(
                                            a, "回答长度 %zu 字（%d 分，150 字以上满分）", chars, len_pts)));
    if (!num_pts) {
        json_object_array_add(out->adds,
                              json_object_new_string("用具体数据说明规模和效果（提升多少、用了多久、影响多少人）"));
    }
    if (star_needed && star_pts < 15) {
        json_object_array_add(out->adds, json_object_new_string("按情境—任务—行动—结果（STAR）组织回答"));
    }
    return ZM_OK;
}

/* ---- words ---- */

static int is_en(const char *lang)
{
    return lang && strcmp(lang, "en") == 0;
}

const char *iv_say_question(zm_arena_t *a, const char *lang, int n, int first, const char *question)
{
    if (is_en(lang)) {
        return zm_psprintf(a, "%sQuestion %d: %s",
                           first ? "Hello, I am your interviewer today. Let's begin. " : "Thank you. ", n, question);
    }
    return zm_psprintf(a, "%s第 %d 题：%s", first ? "你好，我是今天的面试官，我们现在开始。" : "好的，谢谢你的回答。",
                       n, question);
}

const char *iv_say_followup(zm_arena_t *a, const char *lang, iv_followup_t fu, const char *tech)
{
    int en = is_en(lang);

    switch (fu) {
    case IV_FU_QUANTIFY:
        return en ? "Can you quantify the result? For example, by how much did it improve, how large was the scale, "
                    "how long did it take?"
                  : "能具体说说结果吗？有没有可以量化的数据，比如提升了多少、规模有多大、用了多长时间？";
    case IV_FU_TECH:
        return en ? zm_psprintf(a,
                                "You mentioned %s. How exactly did you use it, and what was the hardest problem "
                                "you solved with it?",
                                tech)
                  : zm_psprintf(
                        a, "你提到了 %s，能深入讲讲你具体是怎么用它的、遇到过的最难的问题是什么、怎么解决的吗？", tech);
    case IV_FU_STAR:
        return en ? "Could you walk me through it in order: the situation, your task, the actions you took, and the "
                    "result?"
                  : "能按顺序再讲一遍吗：当时的情境是什么，你的任务是什么，你具体采取了哪些行动，最后结果如何？";
    case IV_FU_ELABORATE:
        return en ? "Could you elaborate a bit more, with a concrete example?"
                  : "能再展开说说吗？最好结合一个具体的例子。";
    default:
        return en ? "Please go on." : "请继续。";
    }
}

const char *iv_say_closing(zm_arena_t *a, const char *lang, const char *reason)
{
    ZM_UNUSED(a);
    if (is_en(lang)) {
        return reason && strcmp(reason, "time") == 0
                   ? "We are out of time, so let's stop here. Thank you! Your report will be ready shortly."
                   : "That's all the questions I have. Thank you for your time! Your report will be ready shortly.";
    }
    return reason && strcmp(reason, "time") == 0 ? "时间到了，今天的面试就到这里，谢谢你！面试报告稍后生成。"
                                                 : "我的问题就到这里，感谢你的时间！面试报告稍后生成，届时会通知你。";
}

json_object *iv_builtin_reference(zm_arena_t *a, const char *question, const char *const *outline, int n,
                                  const char *answer)
{
    static const char *const frame[] = {"交代背景：项目或场景、规模、你的角色", "说明你的任务和目标，以及难点所在",
                                        "讲清你采取的关键行动和取舍，为什么这样做", "用数据说明结果，以及你的反思"};
    json_object *o = json_object_new_object(), *points = json_object_new_array(), *impr = json_object_new_array();
    zm_buf_t b = {0};
    const char *const *items = n > 0 ? outline : frame;
    int k = n > 0 ? n : 4;

    zm_buf_puts(a, &b, "参考回答思路（");
    zm_buf_puts(a, &b, question ? question : "");
    zm_buf_puts(a, &b, "）：");
    for (int i = 0; i < k; i++) {
        json_object_array_add(points, json_object_new_string(items[i]));
        zm_buf_puts(a, &b, zm_psprintf(a, "%s%d. %s", i ? "；" : "", i + 1, items[i]));
    }
    zm_buf_puts(a, &b,
                "。回答时先给结论，再按情境、任务、行动、结果展开，关键处给出数据（如性能提升的百分比、"
                "影响的用户数、节省的时间），最后说明收获与可改进之处。");
    if (answer && *answer) {
        iv_score_t s;
        iv_score_answer(a, answer, NULL, outline, n, &s);
        json_object_put(impr);
        impr = s.adds;
        json_object_put(s.reasons);
        json_object_put(s.covered);
    }
    json_object_object_add(o, "reference", json_object_new_string(b.data ? b.data : ""));
    json_object_object_add(o, "key_points", points);
    json_object_object_add(o, "improvements", impr);
    return o;
}

/* ---- a model's report ---- */

static const zm_field_t q_fields[] = {
    {"index", ZM_T_INT, 1, 0, IV_QUESTIONS_MAX * 4, 0, NULL, NULL},
    {"score", ZM_T_INT, 1, 0, 100, 0, NULL, NULL},
    {"reasons", ZM_T_STRING_ARRAY, 1, 0, 20, 500, NULL, NULL},
    {"strong_answer_adds", ZM_T_STRING_ARRAY, 1, 0, 20, 500, NULL, NULL},
};
static const zm_schema_t q_schema = {q_fields, ZM_ARRAY_LEN(q_fields), NULL, NULL};

static const char *report_check(zm_arena_t *a, json_object *obj, const void *arg)
{
    int nq = *(const int *)arg;
    json_object *qs;
    size_t n;

    if (!json_object_object_get_ex(obj, "questions", &qs)) {
        return NULL;
    }
    n = json_object_array_length(qs);
    for (size_t i = 0; i < n; i++) {
        json_object *idx;
        json_object_object_get_ex(json_object_array_get_idx(qs, i), "index", &idx);
        if (json_object_get_int(idx) >= nq) {
            return zm_psprintf(a, "questions[%zu].index must be below %d", i, nq);
        }
    }
    return NULL;
}

/* ---- the meeting assistant ---- */

static int is_question(const char *line)
{
    static const char *const cues[] = {"?",      "？",      "吗",        "呢",        "怎么", "如何",
                                       "为什么", "能不能",  "是否",      "what ",     "how ", "why ",
                                       "when ",  "can you", "could you", "would you", NULL};
    return has_any(line, cues);
}

static int to_me(const char *line, const char *my_role)
{
    static const char *const you[] = {"你", "您", "you", NULL};
    return has_any(line, you) || (my_role && *my_role && strcasestr(line, my_role) != NULL);
}

static int is_action(const char *line)
{
    static const char *const cues[] = {"需要",  "负责",      "跟进",     "待办",   "截止",        "之前完成",
                                       "下周",  "明天",      "安排",     "落实",   "action item", "todo",
                                       "to-do", "follow up", "deadline", " will ", " by ",        NULL};
    return has_any(line, cues);
}

int iv_meeting_builtin(zm_arena_t *a, const char *topic, const char *my_role, const char *lang,
                       const char *const *lines, int n, const char *const *all, int nall, iv_meeting_update_t *out)
{
    int en = is_en(lang), points = 0;
    zm_buf_t b = {0};

    out->questions = json_object_new_array();
    out->action_items = json_object_new_array();
    for (int i = 0; i < n; i++) {
        const char *l = lines[i];
        if (l == NULL || *l == '\0') {
            continue;
        }
        if (is_question(l) && to_me(l, my_role)) {
            json_object *q = json_object_new_object();
            const char *clip = llm_clip_utf8(a, l, 40, NULL);
            json_object_object_add(q, "question", json_object_new_string(l));
            json_object_object_add(
                q, "suggested_reply",
                json_object_new_string(
                    en ? zm_psprintf(a,
                                     "On \"%s\": give your conclusion first, then one fact or number behind it; "
                                     "if you need to check, say you will confirm after the meeting and by when.",
                                     clip)
                       : zm_psprintf(a,
                                     "关于「%s」：先直接给出结论，再补充一个依据或数据；如需确认，可以说"
                                     "“我会后确认，今天下班前同步给大家”。",
                                     clip)));
            json_object_array_add(out->questions, q);
        } else if (is_action(l)) {
            json_object_array_add(out->action_items, json_object_new_string(llm_clip_utf8(a, l, 200, NULL)));
        }
    }
    /* the running summary: the topic, how much was said, and the last few substantial statements */
    zm_buf_puts(a, &b,
                en ? zm_psprintf(a, "Meeting \"%s\": %d lines so far.", topic ? topic : "", nall)
                   : zm_psprintf(a, "会议「%s」：已记录 %d 句发言。", topic ? topic : "", nall));
    for (int i = nall - 1; i >= 0 && points < 3; i--) {
        if (all[i] && zm_utf8_chars(all[i], strlen(all[i])) >= 8 && !is_question(all[i])) {
            zm_buf_puts(a, &b, points == 0 ? (en ? " Latest points: " : "最近要点：") : (en ? "; " : "；"));
            zm_buf_puts(a, &b, llm_clip_utf8(a, all[i], 40, NULL));
            points++;
        }
    }
    out->summary = b.data ? b.data : "";
    return ZM_OK;
}

static const zm_field_t mq_fields[] = {
    {"question", ZM_T_STRING, 1, 0, 0, 1000, NULL, NULL},
    {"suggested_reply", ZM_T_STRING, 1, 0, 0, 2000, NULL, NULL},
};
static const zm_schema_t mq_schema = {mq_fields, ZM_ARRAY_LEN(mq_fields), NULL, NULL};
static const zm_field_t meeting_fields[] = {
    {"summary", ZM_T_STRING, 1, 0, 0, 4000, NULL, NULL},
    {"questions", ZM_T_OBJECT_ARRAY, 1, 0, 20, 0, NULL, &mq_schema},
    {"action_items", ZM_T_STRING_ARRAY, 1, 0, 50, 500, NULL, NULL},
};
static const zm_schema_t meeting_schema = {meeting_fields, ZM_ARRAY_LEN(meeting_fields), NULL, NULL};

static int parse_object(zm_arena_t *a, const zm_schema_t *s, const char *text, size_t len, json_object **out,
                        const char **why)
{
    json_tokener *tok;
    json_object *o;
    const char *v;
    size_t end;

    *out = NULL;
    *why = NULL;
    if (text == NULL || len == 0 || len > (1u << 20) || !zm_utf8_valid(text, len)) {
        *why = "empty, too long or not UTF-8";
        return IV_EREPORT;
    }
    if ((tok = json_tokener_new_ex(32)) == NULL) {
        zm_oom();
    }
    o = json_tokener_parse_ex(tok, text, (int)len);
    end = json_tokener_get_parse_end(tok);
    if (o == NULL || json_tokener_get_error(tok) != json_tokener_success) {
        json_object_put(o);
        json_tokener_free(tok);
        *why = "not one JSON object";
        return IV_EREPORT;
    }
    json_tokener_free(tok);
    for (size_t i = end; i < len; i++) {
        if (!isspace((unsigned char)text[i])) {
            json_object_put(o);
            *why = "text after the JSON object";
            return IV_EREPORT;
        }
    }
    if (!json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        *why = "not a JSON object";
        return IV_EREPORT;
    }
    if ((v = zm_schema_validate(a, s, o)) != NULL) {
        json_object_put(o);
        *why = v;
        return IV_EREPORT;
    }
    *out = o;
    return ZM_OK;
}

int iv_meeting_parse(zm_arena_t *a, const char *text, size_t len, json_object **out, const char **why)
{
    return parse_object(a, &meeting_schema, text, len, out, why);
}

int iv_report_parse(zm_arena_t *a, const char *text, size_t len, int nq, json_object **out, const char **why)
{
    zm_field_t fields[] = {
        {"overall_score", ZM_T_INT, 1, 0, 100, 0, NULL, NULL},
        {"summary", ZM_T_STRING, 1, 0, 0, 2000, NULL, NULL},
        {"strengths", ZM_T_STRING_ARRAY, 1, 0, 20, 500, NULL, NULL},
        {"gaps", ZM_T_STRING_ARRAY, 1, 0, 20, 500, NULL, NULL},
        {"questions", ZM_T_OBJECT_ARRAY, 1, 0, IV_QUESTIONS_MAX * 4, 0, NULL, &q_schema},
    };
    zm_schema_t s = {fields, ZM_ARRAY_LEN(fields), report_check, &nq};

    return parse_object(a, &s, text, len, out, why);
}
