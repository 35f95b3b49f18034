/*
 * tasks.c -- zhimai-worker's side of an interview: interview.turn (charge the minutes so far,
 * decide what the interviewer says next, stream it to the session's channel, store it),
 * interview.end (the last minutes, the report, the message and the count) and interview.idle
 * (close abandoned sessions), plus interview.reference (a model's reference answer).
 *
 * Channel messages (JSON, on interview_<id>):
 *   {"type": "turn.start", "session_id", "turn_id", "seq", "kind", "question_index", "attempt"}
 *   {"type": "turn.delta", "session_id", "turn_id", "seq", "n", "delta"}       n: 0, 1, 2 ... per attempt
 *   {"type": "turn.done", "session_id", "turn_id", "seq", "kind", "question_index", "text"}
 *   {"type": "turn.failed", "session_id", "turn_id", "seq", "error"}
 *   {"type": "session.ended", "session_id", "reason", "overall_score", "report_ready"}
 * A turn.start with attempt 2 means the text so far is dropped (a model's stream broke off and
 * is asked again).  Messages are hints; GET /api/v1/mock-interview/sessions/{id} is the truth.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "conf.h"
#include "interview.h"
#include "interview_tasks.h"
#include "llm.h"
#include "log.h"
#include "messages.h"
#include "points.h"
#include "pubsub.h"
#include "registry.h"
#include "stats.h"
#include "str.h"

static void json_put(void *o)
{
    json_object_put(o);
}

/* ---- publishing ---- */

typedef struct {
    char channel[48];
    int64_t session_id, turn_id;
    int seq, n, attempt;
    zm_arena_t *a;
    zm_buf_t pending; /* not yet published (arena) */
    zm_buf_t all;     /* the whole text of this attempt (arena) */
    size_t pending_chars;
    int64_t last_ms;
} iv_stream_t;

static void publish(const char *channel, json_object *o)
{
    if (pubsub_enabled()) {
        pubsub_publish_json(channel, o);
    }
    json_object_put(o);
}

static json_object *msg(const char *type, int64_t session_id, int64_t turn_id, int seq)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string(type));
    json_object_object_add(o, "session_id", json_object_new_int64(session_id));
    if (turn_id > 0) {
        json_object_object_add(o, "turn_id", json_object_new_int64(turn_id));
        json_object_object_add(o, "seq", json_object_new_int(seq));
    }
    return o;
}

static void stream_flush(iv_stream_t *s)
{
    json_object *o;

    if (s->pending.len == 0) {
        return;
    }
    o = msg("turn.delta", s->session_id, s->turn_id, s->seq);
    json_object_object_add(o, "n", json_object_new_int(s->n++));
    json_object_object_add(o, "delta", json_object_new_string_len(s->pending.data, (int)s->pending.len));
    publish(s->channel, o);
    s->pending.len = 0;
    s->pending.data[0] = '\0';
    s->pending_chars = 0;
    s->last_ms = zm_mono_ms();
}

/* the first piece goes at once (the time to first token); then every chunk_chars characters or
 * flush_ms, so nchan is not sent one message a token */
static int stream_add(iv_stream_t *s, const char *text, size_t len)
{
    if (zm_buf_append(s->a, &s->pending, text, len, 1u << 20) != ZM_OK ||
        zm_buf_append(s->a, &s->all, text, len, 1u << 22) != ZM_OK) {
        return ZM_ENOMEM;
    }
    s->pending_chars += zm_utf8_chars(text, len);
    if (s->n == 0 || s->pending_chars >= (size_t)zm_conf_int("interview.chunk_chars") ||
        zm_mono_ms() - s->last_ms >= zm_conf_int("interview.flush_ms")) {
        stream_flush(s);
    }
    return ZM_OK;
}

static int on_delta(void *ud, const char *text, size_t len)
{
    return stream_add(ud, text, len) == ZM_OK ? 0 : 1;
}

/* the builtin "streams" its text a few characters at a time */
static void stream_text(iv_stream_t *s, const char *text)
{
    size_t n = strlen(text), i = 0, step = (size_t)zm_conf_int("interview.chunk_chars");
    int64_t delay = zm_conf_int("interview.builtin_delay_ms");

    while (i < n) {
        size_t j = i, c = 0;
        while (j < n && c < step) {
            size_t l = zm_utf8_seq_len((const unsigned char *)text + j, n - j);
            j += l ? l : 1;
            c++;
        }
        zm_buf_append(s->a, &s->pending, text + i, j - i, 1u << 20);
        zm_buf_append(s->a, &s->all, text + i, j - i, 1u << 22);
        stream_flush(s);
        i = j;
        if (delay > 0 && i < n) {
            struct timespec ts = {delay / 1000, (delay % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}

/* ---- the session as a turn sees it ---- */

typedef struct {
    int64_t id, user_id, elapsed, charged_minutes;
    const char *kind, *status, *provider, *lang, *role, *type, *difficulty, *jd, *resume, *topic, *my_role;
    int minutes;
    json_object *config, *plan, *plan_obj; /* owned: released by sess_free */
    db_res_t turns;                        /* id, seq, role, kind, question_index, text, state */
} iv_sess_t;

static void sess_free(iv_sess_t *s)
{
    json_object_put(s->config);
    json_object_put(s->plan);
    json_object_put(s->plan_obj);
    s->config = s->plan = s->plan_obj = NULL;
}

static const char *cfg_str(json_object *cfg, const char *key, const char *def)
{
    json_object *v;
    return json_object_object_get_ex(cfg, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : def;
}

static int sess_load(db_t *db, zm_arena_t *a, int64_t id, iv_sess_t *s)
{
    db_res_t res;
    json_object *v;
    int rc;

    memset(s, 0, sizeof(*s));
    rc = db_query(db, a, &res,
                  "SELECT user_id, kind, status, provider, config, plan, "
                  "TIMESTAMPDIFF(SECOND, started_at, COALESCE(ended_at, UTC_TIMESTAMP(6))), charged_minutes "
                  "FROM interview_session WHERE id = ?",
                  "i", id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    s->id = id;
    s->user_id = db_int(&res, 0, 0);
    s->kind = db_val(&res, 0, 1);
    s->status = db_val(&res, 0, 2);
    s->provider = db_val(&res, 0, 3);
    s->config = json_tokener_parse(db_val(&res, 0, 4));
    s->plan = json_tokener_parse(db_val(&res, 0, 5));
    if (s->config == NULL) {
        s->config = json_object_new_object();
    }
    if (s->plan != NULL && json_object_is_type(s->plan, json_type_object)) {
        s->plan_obj = s->plan; /* a meeting's running notes */
        s->plan = NULL;
    }
    if (s->plan == NULL || !json_object_is_type(s->plan, json_type_array)) {
        json_object_put(s->plan);
        s->plan = json_object_new_array();
    }
    if (s->plan_obj == NULL) {
        s->plan_obj = json_object_new_object();
    }
    s->elapsed = db_int(&res, 0, 6);
    s->charged_minutes = db_int(&res, 0, 7);
    s->lang = cfg_str(s->config, "language", "zh");
    s->role = cfg_str(s->config, "role", "");
    s->type = cfg_str(s->config, "type", "mixed");
    s->difficulty = cfg_str(s->config, "difficulty", "medium");
    s->jd = cfg_str(s->config, "jd", "");
    s->resume = cfg_str(s->config, "resume_excerpt", "");
    s->topic = cfg_str(s->config, "topic", "");
    s->my_role = cfg_str(s->config, "my_role", "");
    s->minutes = json_object_object_get_ex(s->config, "minutes", &v) ? json_object_get_int(v) : 0;
    rc = db_query(db, a, &s->turns,
                  "SELECT id, seq, role, kind, question_index, text, state FROM interview_turn "
                  "WHERE session_id = ? ORDER BY seq",
                  "i", id);
    if (rc != ZM_OK) {
        sess_free(s);
    }
    return rc;
}

static const char *plan_str(const iv_sess_t *s, int qi, const char *key)
{
    json_object *q = json_object_array_get_idx(s->plan, (size_t)qi), *v;
    return q && json_object_object_get_ex(q, key, &v) ? json_object_get_string(v) : "";
}

static int plan_outline(zm_arena_t *a, const iv_sess_t *s, int qi, const char ***items)
{
    json_object *q = json_object_array_get_idx(s->plan, (size_t)qi), *v;
    int n;

    *items = NULL;
    if (q == NULL || !json_object_object_get_ex(q, "outline", &v) || !json_object_is_type(v, json_type_array)) {
        return 0;
    }
    n = (int)json_object_array_length(v);
    *items = zm_palloc(a, sizeof(char *) * (size_t)(n + 1));
    if (*items == NULL) {
        return 0;
    }
    for (int i = 0; i < n; i++) {
        (*items)[i] = json_object_get_string(json_object_array_get_idx(v, (size_t)i));
    }
    return n;
}

static int charge(db_t *db, zm_arena_t *a, const iv_sess_t *s, int64_t seconds)
{
    points_result_t res;
    int64_t minutes = 0, charged = 0;
    const char *kind = strcmp(s->kind, "meeting") == 0 ? "meeting" : "mock_interview";
    char sid[40];
    int rc;

    /* free, or this minute paid already (the ledger's keys would say so too, one transaction later) */
    seconds = seconds < 1 ? 1 : seconds;
    if (points_price(kind) <= 0 || (seconds + 59) / 60 <= s->charged_minutes) {
        return ZM_OK;
    }
    snprintf(sid, sizeof(sid), "interview-%lld", (long long)s->id);
    rc = points_consume_duration(db, a, s->user_id, strcmp(s->kind, "meeting") == 0 ? "meeting" : "mock_interview", sid,
                                 seconds < 1 ? 1 : seconds, &minutes, &charged, &res);
    if (rc == ZM_OK) {
        db_exec(db,
                "UPDATE interview_session SET charged_minutes = GREATEST(charged_minutes, ?), "
                "charged_points = charged_points + ? WHERE id = ?",
                "iii", minutes, charged, s->id);
    }
    return rc;
}

/* ---- what comes next (the builtin decides, for both providers) ---- */

typedef struct {
    const char *kind; /* question, followup, closing */
    int qi;
    int first;
    iv_followup_t fu;
    const char *tech;
    const char *reason; /* closing: completed, time, points */
} iv_next_t;

static void decide(zm_arena_t *a, const iv_sess_t *s, size_t at, iv_next_t *nx)
{
    int nq = (int)json_object_array_length(s->plan), qi = -1, followups = 0, asked = 0;
    const char *answer = NULL;

    memset(nx, 0, sizeof(*nx));
    for (size_t i = 0; i < at; i++) {
        const char *role = db_val(&s->turns, i, 2), *kind = db_val(&s->turns, i, 3);
        if (strcmp(role, "interviewer") == 0 && strcmp(db_val(&s->turns, i, 6), "done") == 0) {
            int q = (int)db_int(&s->turns, i, 4);
            if (strcmp(kind, "question") == 0) {
                qi = q;
                followups = 0;
                asked = 1;
            } else if (strcmp(kind, "followup") == 0 && q == qi) {
                followups++;
            }
        } else if (strcmp(role, "candidate") == 0) {
            answer = db_val(&s->turns, i, 5);
        }
    }
    if (!asked) {
        nx->kind = "question";
        nx->qi = 0;
        nx->first = 1;
        return;
    }
    if (s->minutes > 0 && s->elapsed >= (int64_t)s->minutes * 60) {
        nx->kind = "closing";
        nx->reason = "time";
        nx->qi = qi;
        return;
    }
    if (followups < zm_conf_int("interview.max_followups") && answer != NULL) {
        nx->fu = iv_followup_pick(a, plan_str(s, qi, "category"), plan_str(s, qi, "question"), answer, &nx->tech);
        if (nx->fu != IV_FU_NONE) {
            nx->kind = "followup";
            nx->qi = qi;
            return;
        }
    }
    if (qi + 1 < nq) {
        nx->kind = "question";
        nx->qi = qi + 1;
        return;
    }
    nx->kind = "closing";
    nx->reason = "completed";
    nx->qi = qi;
}

static const char *builtin_text(zm_arena_t *a, const iv_sess_t *s, const iv_next_t *nx)
{
    if (strcmp(nx->kind, "question") == 0) {
        return iv_say_question(a, s->lang, nx->qi + 1, nx->first, plan_str(s, nx->qi, "question"));
    }
    if (strcmp(nx->kind, "followup") == 0) {
        return iv_say_followup(a, s->lang, nx->fu, nx->tech);
    }
    if (nx->reason && strcmp(nx->reason, "points") == 0) {
        return strcmp(s->lang, "en") == 0 ? "Your points have run out, so the interview ends here. Your report "
                                            "will be ready shortly."
                                          : "积分已用完，本次面试到此结束。面试报告稍后生成。";
    }
    return iv_say_closing(a, s->lang, nx->reason);
}

/* ---- the model ---- */

static void transcript(zm_arena_t *a, zm_buf_t *b, const iv_sess_t *s, size_t upto, int en)
{
    for (size_t i = 0; i < upto; i++) {
        const char *role = db_val(&s->turns, i, 2);
        if (strcmp(db_val(&s->turns, i, 6), "done") != 0) {
            continue;
        }
        zm_buf_puts(a, b,
                    strcmp(role, "candidate") == 0 ? (en ? "Candidate: " : "候选人：")
                                                   : (en ? "Interviewer: " : "面试官："));
        zm_buf_puts(a, b, llm_clip_utf8(a, db_val(&s->turns, i, 5), 2000, NULL));
        zm_buf_puts(a, b, "\n");
    }
}

static const char *followup_hint(iv_followup_t fu, const char *tech)
{
    switch (fu) {
    case IV_FU_QUANTIFY:
        return "候选人的回答缺少量化的数据，请追问具体的数字和结果";
    case IV_FU_TECH:
        return tech ? tech : "候选人提到的技术";
    case IV_FU_STAR:
        return "候选人的回答缺少情境、任务、行动、结果的结构，请引导他按 STAR 讲清楚";
    default:
        return "候选人的回答太简略，请他结合具体例子展开";
    }
}

static int model_turn(zm_arena_t *a, const iv_sess_t *s, size_t at, const iv_next_t *nx, iv_stream_t *st, char **error)
{
    int en = strcmp(s->lang, "en") == 0;
    llm_message_t m[2];
    llm_answer_t ans;
    llm_conf_t c;
    zm_buf_t u = {0};
    const char *instr;

    llm_conf_from_conf(&c);
    m[0].role = "system";
    m[0].content = zm_psprintf(
        a,
        "你是一位专业、友善的面试官，正在主持一场模拟面试。面试类型：%s；目标岗位：%s；难度：%s。请用%s说话。"
        "每次只说面试官此刻要说的一段话（不超过 120 字），不要替候选人回答，不要输出 Markdown、列表或 JSON。",
        s->type, *s->role ? s->role : "未指定", s->difficulty, en ? "英文" : "中文");
    if (*s->jd) {
        zm_buf_puts(a, &u, "岗位描述：");
        zm_buf_puts(a, &u, llm_clip_utf8(a, s->jd, 1500, NULL));
        zm_buf_puts(a, &u, "\n");
    }
    if (*s->resume) {
        zm_buf_puts(a, &u, "候选人简历摘要：");
        zm_buf_puts(a, &u, llm_clip_utf8(a, s->resume, 1500, NULL));
        zm_buf_puts(a, &u, "\n");
    }
    zm_buf_puts(a, &u, "对话记录：\n");
    transcript(a, &u, s, at, en);
    if (strcmp(nx->kind, "question") == 0) {
        instr = zm_psprintf(a, "%s请提出第 %d 题（保持原意，可自然过渡）：%s", nx->first ? "请先简短问候，然后" : "",
                            nx->qi + 1, plan_str(s, nx->qi, "question"));
    } else if (strcmp(nx->kind, "followup") == 0) {
        instr = nx->fu == IV_FU_TECH ? zm_psprintf(a, "候选人提到了 %s，请就它深入追问一个问题。", nx->tech)
                                     : zm_psprintf(a, "请追问一个问题：%s。", followup_hint(nx->fu, nx->tech));
    } else {
        instr = "请结束面试：感谢候选人，并告诉他面试报告稍后生成。";
    }
    zm_buf_puts(a, &u, "\n现在：");
    zm_buf_puts(a, &u, instr);
    m[1].role = "user";
    m[1].content = u.data;
    for (int attempt = 1;; attempt++) {
        int rc;
        if (attempt > 1) {
            json_object *o = msg("turn.start", s->id, st->turn_id, st->seq);
            json_object_object_add(o, "kind", json_object_new_string(nx->kind));
            json_object_object_add(o, "question_index", json_object_new_int(nx->qi));
            json_object_object_add(o, "attempt", json_object_new_int(attempt));
            publish(st->channel, o);
            st->n = 0;
            st->all.len = 0;
            st->pending.len = 0;
            st->pending_chars = 0;
        }
        st->attempt = attempt;
        rc = llm_chat_stream(a, &c, m, 2, 0, on_delta, st, &ans, NULL, error);
        if (rc == ZM_OK) {
            stream_flush(st);
            if (st->all.len == 0) {
                *error = "模型没有给出回复";
                return ZM_ERR;
            }
            return ZM_OK;
        }
        stream_flush(st);
        if (rc != ZM_EAGAIN || attempt >= 2) {
            return rc;
        }
        zm_log_warn("interview %lld turn %d: the model's stream broke off (%s); asking again", (long long)s->id,
                    st->seq, *error ? *error : "");
    }
}

/* ---- the meeting assistant's update ---- */

static json_object *meeting_model(zm_arena_t *a, const iv_sess_t *s, const char *const *lines, int n,
                                  const char *const *all, int nall, const char **why)
{
    llm_message_t m[2];
    llm_answer_t ans;
    llm_conf_t c;
    zm_buf_t u = {0};
    json_object *out = NULL;
    char *err = NULL;
    int rc;

    llm_conf_from_conf(&c);
    m[0].role = "system";
    m[0].content =
        zm_psprintf(a,
                    "你是会议助手，帮助「%s」角色的与会者。会议主题：%s。根据会议记录，只输出一个 JSON 对象："
                    "{\"summary\": 到目前为止的会议摘要, \"questions\": [{\"question\": 新发言中向我提出的问题, "
                    "\"suggested_reply\": 建议我如何回答}], \"action_items\": [新发言中的待办事项]}。用%s。",
                    *s->my_role ? s->my_role : "我", s->topic, strcmp(s->lang, "en") == 0 ? "英文" : "中文");
    zm_buf_puts(a, &u, "之前的发言：\n");
    for (int i = 0; i < nall - n; i++) {
        zm_buf_puts(a, &u, llm_clip_utf8(a, all[i], 500, NULL));
        zm_buf_puts(a, &u, "\n");
    }
    zm_buf_puts(a, &u, "新的发言：\n");
    for (int i = 0; i < n; i++) {
        zm_buf_puts(a, &u, llm_clip_utf8(a, lines[i], 2000, NULL));
        zm_buf_puts(a, &u, "\n");
    }
    m[1].role = "user";
    m[1].content = u.data;
    rc = llm_chat(a, &c, m, 2, LLM_JSON_OBJECT, &ans, NULL, &err);
    if (rc != ZM_OK) {
        *why = err ? err : "model call failed";
        return NULL;
    }
    if (iv_meeting_parse(a, ans.text, ans.text ? ans.len : 0, &out, why) != ZM_OK) {
        return NULL;
    }
    return out;
}

static int meeting_turn(db_t *db, zm_arena_t *a, iv_sess_t *s, size_t at, iv_stream_t *st, char **error)
{
    const char **lines, **all;
    int n = 0, nall = 0, rc;
    size_t from = 0;
    iv_meeting_update_t up;
    json_object *upd = json_object_new_object(), *notes, *v, *o, *model = NULL;
    const char *why = NULL;
    db_res_t res;
    zm_buf_t text = {0};

    zm_arena_cleanup_add(a, json_put, upd);
    lines = zm_palloc(a, sizeof(char *) * (at + 1));
    all = zm_palloc(a, sizeof(char *) * (at + 1));
    if (lines == NULL || all == NULL) {
        return ZM_ENOMEM;
    }
    for (size_t i = 0; i < at; i++) {
        if (strcmp(db_val(&s->turns, i, 2), "assistant") == 0) {
            from = i + 1; /* the lines after the update before this one are new */
        }
    }
    for (size_t i = 0; i < at; i++) {
        if (strcmp(db_val(&s->turns, i, 2), "transcript") == 0) {
            all[nall++] = db_val(&s->turns, i, 5);
            if (i >= from) {
                lines[n++] = db_val(&s->turns, i, 5);
            }
        }
    }
    iv_meeting_builtin(a, s->topic, s->my_role, s->lang, lines, n, all, nall, &up);
    json_object_object_add(upd, "provider", json_object_new_string("builtin"));
    if (strcmp(s->provider, "openai") == 0) {
        model = meeting_model(a, s, lines, n, all, nall, &why);
        if (model != NULL) {
            zm_arena_cleanup_add(a, json_put, model);
            json_object_put(up.questions);
            json_object_put(up.action_items);
            up.questions = json_object_get(json_object_object_get(model, "questions"));
            up.action_items = json_object_get(json_object_object_get(model, "action_items"));
            up.summary = json_object_get_string(json_object_object_get(model, "summary"));
            json_object_object_add(upd, "provider", json_object_new_string("openai"));
        } else {
            json_object_object_add(upd, "model_error", json_object_new_string(why ? why : "invalid"));
        }
    }
    json_object_object_add(upd, "summary", json_object_new_string(up.summary));
    json_object_object_add(upd, "questions", up.questions);
    json_object_object_add(upd, "action_items", up.action_items);
    json_object_object_add(upd, "lines", json_object_new_int(n));

    /* what the page shows while it streams */
    zm_buf_puts(a, &text, up.summary);
    for (size_t i = 0; i < json_object_array_length(up.questions); i++) {
        json_object *q = json_object_array_get_idx(up.questions, i);
        zm_buf_puts(a, &text,
                    zm_psprintf(a, "\n向你提问：%s\n建议回复：%s",
                                json_object_get_string(json_object_object_get(q, "question")),
                                json_object_get_string(json_object_object_get(q, "suggested_reply"))));
    }
    for (size_t i = 0; i < json_object_array_length(up.action_items); i++) {
        zm_buf_puts(a, &text, "\n待办：");
        zm_buf_puts(a, &text, json_object_get_string(json_object_array_get_idx(up.action_items, i)));
    }
    o = msg("turn.start", s->id, st->turn_id, st->seq);
    json_object_object_add(o, "kind", json_object_new_string("update"));
    json_object_object_add(o, "attempt", json_object_new_int(1));
    publish(st->channel, o);
    stream_text(st, text.data ? text.data : "");

    /* the running notes: merged under the session's lock (two updates may run at once) */
    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    rc = db_query(db, a, &res, "SELECT plan FROM interview_session WHERE id = ? FOR UPDATE", "i", s->id);
    if (rc == ZM_OK && res.nrows == 1) {
        int64_t w;
        notes = json_tokener_parse(db_val(&res, 0, 0));
        if (notes == NULL || !json_object_is_type(notes, json_type_object)) {
            json_object_put(notes);
            notes = json_object_new_object();
        }
        zm_arena_cleanup_add(a, json_put, notes);
        json_object_object_add(notes, "summary", json_object_new_string(up.summary));
        for (int k = 0; k < 2; k++) {
            const char *key = k ? "action_items" : "questions";
            json_object *add = k ? up.action_items : up.questions;
            if (!json_object_object_get_ex(notes, key, &v) || !json_object_is_type(v, json_type_array)) {
                v = json_object_new_array();
                json_object_object_add(notes, key, v);
            }
            for (size_t i = 0; i < json_object_array_length(add); i++) {
                json_object_array_add(v, json_object_get(json_object_array_get_idx(add, i)));
            }
        }
        w = db_exec(db, "UPDATE interview_session SET plan = ?, updated_at = UTC_TIMESTAMP(6) WHERE id = ?", "si",
                    json_object_to_json_string_ext(notes, JSON_C_TO_STRING_PLAIN), s->id);
        if (w >= 0) {
            w = db_exec(db,
                        "UPDATE interview_turn SET state = 'done', text = ?, updated_at = UTC_TIMESTAMP(6) "
                        "WHERE id = ? AND state = 'pending'",
                        "si", text.data ? text.data : "", st->turn_id);
        }
        rc = w < 0 ? (int)w : ZM_OK;
    }
    if (rc != ZM_OK || (rc = db_commit(db)) != ZM_OK) {
        db_rollback(db);
        *error = "storing the meeting update failed";
        return ZM_EAGAIN;
    }
    o = msg("turn.done", s->id, st->turn_id, st->seq);
    json_object_object_add(o, "kind", json_object_new_string("update"));
    json_object_object_add(o, "text", json_object_new_string(text.data ? text.data : ""));
    json_object_object_add(o, "update", json_object_get(upd));
    publish(st->channel, o);
    return ZM_OK;
}

/* ---- interview.turn ---- */

int iv_turn_run(db_t *db, zm_arena_t *a, int64_t session_id, int seq, char **error)
{
    iv_sess_t s;
    iv_next_t nx;
    iv_stream_t st;
    size_t at;
    const char *text;
    int rc, found = 0, end = 0;
    json_object *o;

    if ((rc = sess_load(db, a, session_id, &s)) != ZM_OK) {
        return rc == ZM_ENOTFOUND ? ZM_OK : rc;
    }

    for (at = 0; at < s.turns.nrows; at++) {
        if (db_int(&s.turns, at, 1) == seq) {
            found = 1;
            break;
        }
    }
    if (!found || strcmp(db_val(&s.turns, at, 6), "done") == 0 || strcmp(db_val(&s.turns, at, 6), "failed") == 0 ||
        strcmp(s.status, "active") != 0) {
        sess_free(&s);
        return ZM_OK; /* produced already (a retry after the commit), or the session ended */
    }
    memset(&st, 0, sizeof(st));
    st.a = a;
    st.session_id = session_id;
    st.turn_id = db_int(&s.turns, at, 0);
    st.seq = seq;
    iv_channel(session_id, st.channel, sizeof(st.channel));

    rc = charge(db, a, &s, s.elapsed);
    if (strcmp(s.kind, "meeting") == 0) {
        int already;
        if (rc == POINTS_ESHORT) {
            sess_free(&s);
            rc = iv_session_end(db, a, 0, NULL, session_id, "points", &already);
            return rc == ZM_OK ? ZM_OK : ZM_EAGAIN;
        }
        if (rc != ZM_OK) {
            sess_free(&s);
            *error = "charging the session failed";
            return ZM_EAGAIN;
        }
        rc = meeting_turn(db, a, &s, at, &st, error);
        sess_free(&s);
        return rc;
    }
    if (rc == POINTS_ESHORT) {
        memset(&nx, 0, sizeof(nx));
        nx.kind = "closing";
        nx.reason = "points";
        nx.qi = (int)db_int(&s.turns, at, 4);
    } else if (rc != ZM_OK) {
        sess_free(&s);
        *error = "charging the session failed";
        return rc == ZM_EDBDOWN ? ZM_EAGAIN : (rc == ZM_EAGAIN ? rc : ZM_EAGAIN);
    } else {
        decide(a, &s, at, &nx);
    }
    end = strcmp(nx.kind, "closing") == 0;

    o = msg("turn.start", session_id, st.turn_id, seq);
    json_object_object_add(o, "kind", json_object_new_string(nx.kind));
    json_object_object_add(o, "question_index", json_object_new_int(nx.qi));
    json_object_object_add(o, "attempt", json_object_new_int(1));
    publish(st.channel, o);
    st.last_ms = zm_mono_ms();

    if (strcmp(s.provider, "openai") == 0 && !(nx.reason && strcmp(nx.reason, "points") == 0)) {
        char *why = NULL;
        rc = model_turn(a, &s, at, &nx, &st, &why);
        if (rc != ZM_OK) {
            const char *err = zm_psprintf(a, "面试官暂时无法回应：%s", why ? why : "模型调用失败");
            db_exec(db,
                    "UPDATE interview_turn SET state = 'failed', kind = ?, question_index = ?, error = ?, text = ?, "
                    "updated_at = UTC_TIMESTAMP(6) WHERE id = ?",
                    "sIssi", nx.kind, nx.qi, llm_clip_utf8(a, err, 400, NULL), st.all.data ? st.all.data : "",
                    st.turn_id);
            o = msg("turn.failed", session_id, st.turn_id, seq);
            json_object_object_add(o, "error", json_object_new_string(err));
            publish(st.channel, o);
            sess_free(&s);
            return ZM_OK; /* reported: the candidate may answer again, which queues a new turn */
        }
        text = st.all.data;
    } else {
        text = builtin_text(a, &s, &nx);
        stream_text(&st, text);
    }

    /* one write a turn: the row goes from pending to done with what was streamed (a rejoin during
     * the stream sees it pending, and the channel's replay has the text so far) */
    rc = (int)db_exec(db,
                      "UPDATE interview_turn SET state = 'done', kind = ?, question_index = ?, text = ?, "
                      "updated_at = UTC_TIMESTAMP(6) WHERE id = ?",
                      "sIsi", nx.kind, nx.qi, text, st.turn_id);
    if (rc < 0) {
        sess_free(&s);
        *error = "storing the turn failed";
        return ZM_EAGAIN;
    }
    o = msg("turn.done", session_id, st.turn_id, seq);
    json_object_object_add(o, "kind", json_object_new_string(nx.kind));
    json_object_object_add(o, "question_index", json_object_new_int(nx.qi));
    json_object_object_add(o, "text", json_object_new_string(text));
    publish(st.channel, o);
    sess_free(&s);
    if (end) {
        int already;
        rc = iv_session_end(db, a, 0, NULL, session_id, nx.reason, &already);
        if (rc != ZM_OK) {
            *error = "ending the session failed";
            return ZM_EAGAIN;
        }
    }
    return ZM_OK;
}

/* ---- the report ---- */

static json_object *builtin_report(zm_arena_t *a, const iv_sess_t *s, int *overall)
{
    int nq = (int)json_object_array_length(s->plan), asked = 0, sum = 0;
    json_object *r = json_object_new_object(), *qs = json_object_new_array(), *strengths = json_object_new_array(),
                *gaps = json_object_new_array();
    int no_numbers = 0, no_star = 0, unanswered = 0;

    for (int qi = 0; qi < nq; qi++) {
        zm_buf_t ans = {0};
        int was_asked = 0;
        const char **outline;
        int no;
        iv_score_t sc;
        json_object *q;

        for (size_t i = 0; i < s->turns.nrows; i++) {
            if (db_int(&s->turns, i, 4) != qi) {
                continue;
            }
            if (strcmp(db_val(&s->turns, i, 2), "interviewer") == 0 &&
                strcmp(db_val(&s->turns, i, 3), "question") == 0 && strcmp(db_val(&s->turns, i, 6), "done") == 0) {
                was_asked = 1;
            } else if (strcmp(db_val(&s->turns, i, 2), "candidate") == 0) {
                if (ans.len) {
                    zm_buf_puts(a, &ans, "\n");
                }
                zm_buf_puts(a, &ans, db_val(&s->turns, i, 5));
            }
        }
        if (!was_asked) {
            continue;
        }
        asked++;
        no = plan_outline(a, s, qi, &outline);
        iv_score_answer(a, ans.data ? ans.data : "", plan_str(s, qi, "category"), outline, no, &sc);
        sum += sc.score;
        no_numbers += ans.len && !iv_has_number(ans.data);
        no_star += ans.len && !iv_has_star(ans.data);
        unanswered += ans.len == 0;
        q = json_object_new_object();
        json_object_object_add(q, "index", json_object_new_int(qi));
        json_object_object_add(q, "category", json_object_new_string(plan_str(s, qi, "category")));
        json_object_object_add(q, "question", json_object_new_string(plan_str(s, qi, "question")));
        json_object_object_add(q, "answer", json_object_new_string(ans.data ? ans.data : ""));
        json_object_object_add(q, "score", json_object_new_int(sc.score));
        json_object_object_add(q, "reasons", sc.reasons);
        json_object_object_add(q, "strong_answer_adds", sc.adds);
        json_object_object_add(q, "covered", sc.covered);
        if (sc.score >= 70) {
            json_object_array_add(strengths,
                                  json_object_new_string(zm_psprintf(a, "第 %d 题回答充分（%d 分）：%s", qi + 1,
                                                                     sc.score, plan_str(s, qi, "question"))));
        }
        json_object_array_add(qs, q);
    }
    *overall = asked ? sum / asked : 0;
    if (no_numbers) {
        json_object_array_add(gaps, json_object_new_string(zm_psprintf(
                                        a, "%d 道题的回答缺少量化的数据：用数字说明规模、效果和时间", no_numbers)));
    }
    if (no_star) {
        json_object_array_add(gaps, json_object_new_string(zm_psprintf(
                                        a, "%d 道题的回答结构不够清晰：试试 STAR（情境、任务、行动、结果）", no_star)));
    }
    if (unanswered) {
        json_object_array_add(gaps, json_object_new_string(zm_psprintf(a, "%d 道题没有作答", unanswered)));
    }
    if (json_object_array_length(strengths) == 0 && asked) {
        json_object_array_add(strengths, json_object_new_string("完成了面试，坚持作答"));
    }
    json_object_object_add(r, "provider", json_object_new_string("builtin"));
    json_object_object_add(r, "overall_score", json_object_new_int(*overall));
    json_object_object_add(r, "summary",
                           json_object_new_string(zm_psprintf(a, "共 %d 道题，综合得分 %d。", asked, *overall)));
    json_object_object_add(r, "strengths", strengths);
    json_object_object_add(r, "gaps", gaps);
    json_object_object_add(r, "questions", qs);
    return r;
}

/* The model's judgement replaces the builtin's scores where it is valid; else the builtin stands and
 * the reason is kept (never a made-up score). */
static void model_report(zm_arena_t *a, const iv_sess_t *s, json_object *r, int *overall)
{
    json_object *qs = json_object_object_get(r, "questions"), *mr, *v;
    llm_message_t m[2];
    llm_answer_t ans;
    llm_conf_t c;
    zm_buf_t u = {0};
    char *err = NULL;
    const char *why = NULL;
    int rc;

    llm_conf_from_conf(&c);
    m[0].role = "system";
    m[0].content = "你是资深面试官，评估一场模拟面试。只输出一个 JSON 对象：{\"overall_score\": 0-100 的整数, "
                   "\"summary\": 字符串, \"strengths\": [字符串], \"gaps\": [字符串], \"questions\": [{\"index\": 题号"
                   "（从 0 开始）, \"score\": 0-100 的整数, \"reasons\": [评分理由], \"strong_answer_adds\": "
                   "[优秀回答还会补充的内容]}]}。";
    for (size_t i = 0; i < json_object_array_length(qs); i++) {
        json_object *q = json_object_array_get_idx(qs, i);
        zm_buf_puts(
            a, &u,
            zm_psprintf(a, "题 %d：%s\n回答：%s\n\n", json_object_get_int(json_object_object_get(q, "index")),
                        json_object_get_string(json_object_object_get(q, "question")),
                        llm_clip_utf8(a, json_object_get_string(json_object_object_get(q, "answer")), 3000, NULL)));
    }
    m[1].role = "user";
    m[1].content = u.data ? u.data : "（没有作答）";
    rc = llm_chat(a, &c, m, 2, LLM_JSON_OBJECT, &ans, NULL, &err);
    if (rc == ZM_OK) {
        rc = iv_report_parse(a, ans.text, ans.text ? ans.len : 0, (int)json_object_array_length(s->plan), &mr, &why);
    } else {
        why = err ? err : "model call failed";
    }
    if (rc != ZM_OK) {
        json_object_object_add(r, "model_error", json_object_new_string(why ? why : "invalid"));
        return;
    }
    *overall = json_object_get_int(json_object_object_get(mr, "overall_score"));
    json_object_object_add(r, "provider", json_object_new_string("openai"));
    json_object_object_add(r, "overall_score", json_object_new_int(*overall));
    json_object_object_add(r, "summary", json_object_get(json_object_object_get(mr, "summary")));
    json_object_object_add(r, "strengths", json_object_get(json_object_object_get(mr, "strengths")));
    json_object_object_add(r, "gaps", json_object_get(json_object_object_get(mr, "gaps")));
    if (json_object_object_get_ex(mr, "questions", &v)) {
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            json_object *mq = json_object_array_get_idx(v, i);
            int idx = json_object_get_int(json_object_object_get(mq, "index"));
            for (size_t k = 0; k < json_object_array_length(qs); k++) {
                json_object *q = json_object_array_get_idx(qs, k);
                if (json_object_get_int(json_object_object_get(q, "index")) == idx) {
                    json_object_object_add(q, "score", json_object_get(json_object_object_get(mq, "score")));
                    json_object_object_add(q, "reasons", json_object_get(json_object_object_get(mq, "reasons")));
                    json_object_object_add(q, "strong_answer_adds",
                                           json_object_get(json_object_object_get(mq, "strong_answer_adds")));
                }
            }
        }
    }
    json_object_put(mr);
}

typedef struct {
    char channel[48];
    int64_t session_id;
    int overall;
    const char *reason;
} ended_t;

static void announce_ended(void *arg)
{
    ended_t *e = arg;
    json_object *o = msg("session.ended", e->session_id, 0, 0);
    json_object_object_add(o, "reason", json_object_new_string(e->reason ? e->reason : "user"));
    json_object_object_add(o, "overall_score", json_object_new_int(e->overall));
    json_object_object_add(o, "report_ready", json_object_new_boolean(1));
    publish(e->channel, o);
}

int iv_end_run(db_t *db, zm_arena_t *a, int64_t session_id, char **error)
{
    db_res_t res;
    iv_sess_t s;
    json_object *report;
    ended_t *e;
    int overall = 0, rc;
    int64_t n;

    rc = db_query(db, a, &res, "SELECT status, report IS NULL, end_reason FROM interview_session WHERE id = ?", "i",
                  session_id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0 || strcmp(db_val(&res, 0, 0), "ended") != 0 || db_int(&res, 0, 1) == 0) {
        return ZM_OK;
    }
    if ((rc = sess_load(db, a, session_id, &s)) != ZM_OK) {
        return rc;
    }
    /* the last minutes; points that run out here end nothing more */
    rc = charge(db, a, &s, s.elapsed);
    if (rc != ZM_OK && rc != POINTS_ESHORT) {
        sess_free(&s);
        *error = "charging the session failed";
        return ZM_EAGAIN;
    }
    if (strcmp(s.kind, "meeting") == 0) {
        /* a meeting's record: its running notes as they ended, and how much was said */
        int lines = 0;
        report = json_object_new_object();
        for (size_t i = 0; i < s.turns.nrows; i++) {
            lines += strcmp(db_val(&s.turns, i, 2), "transcript") == 0;
        }
        json_object_object_add(report, "provider", json_object_new_string(s.provider));
        json_object_object_add(report, "topic", json_object_new_string(s.topic));
        json_object_object_add(report, "summary", json_object_get(json_object_object_get(s.plan_obj, "summary")));
        json_object_object_add(report, "questions", json_object_get(json_object_object_get(s.plan_obj, "questions")));
        json_object_object_add(report, "action_items",
                               json_object_get(json_object_object_get(s.plan_obj, "action_items")));
        json_object_object_add(report, "lines", json_object_new_int(lines));
        overall = -1;
    } else {
        report = builtin_report(a, &s, &overall);
        if (strcmp(s.provider, "openai") == 0) {
            model_report(a, &s, report, &overall);
        }
    }
    json_object_object_add(report, "end_reason", json_object_new_string(db_val(&res, 0, 2) ? db_val(&res, 0, 2) : ""));
    json_object_object_add(report, "duration_seconds", json_object_new_int64(s.elapsed));
    zm_arena_cleanup_add(a, json_put, report);

    e = zm_pcalloc(a, sizeof(*e));
    if (e == NULL) {
        sess_free(&s);
        return ZM_ENOMEM;
    }
    iv_channel(session_id, e->channel, sizeof(e->channel));
    e->session_id = session_id;
    e->overall = overall;
    e->reason = db_val(&res, 0, 2);
    if ((rc = db_begin(db)) != ZM_OK) {
        sess_free(&s);
        return rc;
    }
    n = db_exec(db,
                "UPDATE interview_session SET report = ?, overall_score = NULLIF(?, -1), updated_at = "
                "UTC_TIMESTAMP(6) WHERE id = ? AND report IS NULL",
                "sIi", json_object_to_json_string_ext(report, JSON_C_TO_STRING_PLAIN), overall, session_id);
    rc = n < 0 ? (int)n : ZM_OK;
    if (n == 1) {
        int meeting = strcmp(s.kind, "meeting") == 0;
        msg_t m = {0};
        json_object *data = json_object_new_object();
        json_object_object_add(data, "session_id", json_object_new_int64(session_id));
        json_object_object_add(data, "kind", json_object_new_string(s.kind));
        zm_arena_cleanup_add(a, json_put, data);
        m.audience = MSG_TO_USER;
        m.user_id = s.user_id;
        m.kind = meeting ? "meeting.record" : "interview.report";
        m.title = meeting ? "会议记录已生成" : "模拟面试报告已生成";
        m.body = meeting ? "你的会议记录（摘要、问题与待办）已生成。"
                         : zm_psprintf(a, "你的模拟面试%s%s报告已生成，综合得分 %d。", *s.role ? "（" : "",
                                       *s.role ? zm_psprintf(a, "%s）", s.role) : "", overall);
        m.data = data;
        rc = msg_send(db, a, &m, NULL);
        if (rc == ZM_OK && !meeting) {
            rc = stats_record(db, s.user_id, "mock_interview", 1);
        }
        if (rc == ZM_OK) {
            db_after_commit(db, announce_ended, e);
        }
    }
    sess_free(&s);
    if (rc != ZM_OK || (rc = db_commit(db)) != ZM_OK) {
        db_rollback(db);
        *error = "storing the report failed";
        return ZM_EAGAIN;
    }
    return ZM_OK;
}

int iv_close_idle(db_t *db, zm_arena_t *a, int64_t *n)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT id FROM interview_session WHERE status = 'active' AND "
                      "last_active_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND ORDER BY id LIMIT 200",
                      "i", zm_conf_int("interview.idle_timeout"));
    *n = 0;
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t i = 0; i < res.nrows; i++) {
        int already;
        if (iv_session_end(db, a, 0, NULL, db_int(&res, i, 0), "idle", &already) == ZM_OK && !already) {
            (*n)++;
        }
    }
    return ZM_OK;
}

/* ---- task handlers ---- */

static int64_t payload_int(task_ctx_t *ctx, const char *key)
{
    json_object *v;
    return ctx->payload && json_object_object_get_ex(ctx->payload, key, &v) ? json_object_get_int64(v) : 0;
}

int iv_task_turn(task_ctx_t *ctx, json_object **result, char **error)
{
    int64_t id = payload_int(ctx, "session_id");
    int seq = (int)payload_int(ctx, "seq");
    int rc = iv_turn_run(ctx->db, ctx->a, id, seq, error);

    ZM_UNUSED(result);
    return rc == ZM_EDBDOWN ? ZM_EAGAIN : rc;
}

int iv_task_end(task_ctx_t *ctx, json_object **result, char **error)
{
    int rc = iv_end_run(ctx->db, ctx->a, payload_int(ctx, "session_id"), error);
    ZM_UNUSED(result);
    return rc == ZM_EDBDOWN ? ZM_EAGAIN : rc;
}

int iv_task_idle(task_ctx_t *ctx, json_object **result, char **error)
{
    int64_t n;
    int rc = iv_close_idle(ctx->db, ctx->a, &n);

    if (rc != ZM_OK) {
        *error = "closing idle sessions failed";
        return ZM_EAGAIN;
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "closed", json_object_new_int64(n));
    return ZM_OK;
}

int iv_task_reference(task_ctx_t *ctx, json_object **result, char **error)
{
    const char *q = task_payload_str(ctx, "question"), *ans = task_payload_str(ctx, "answer");
    llm_message_t m[2];
    llm_answer_t out;
    llm_conf_t c;
    int rc;

    llm_conf_from_conf(&c);
    m[0].role = "system";
    m[0].content = "你是资深面试官。给出这道面试题的一个优秀参考回答（结构清晰，有具体数据和例子，300 字以内）；"
                   "若给了候选人的回答，最后用一段话指出它还可以补充什么。只输出纯文本。";
    m[1].role = "user";
    m[1].content = ans && *ans ? zm_psprintf(ctx->a, "面试题：%s\n候选人的回答：%s", q ? q : "", ans)
                               : zm_psprintf(ctx->a, "面试题：%s", q ? q : "");
    rc = llm_chat(ctx->a, &c, m, 2, 0, &out, NULL, error);
    if (rc != ZM_OK) {
        return rc == ZM_EAGAIN ? ZM_EAGAIN : ZM_ERR;
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "provider", json_object_new_string("openai"));
    json_object_object_add(*result, "reference", json_object_new_string(out.text ? out.text : ""));
    return ZM_OK;
}
