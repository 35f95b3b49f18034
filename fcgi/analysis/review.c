#include "review.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "clock.h"
#include "conf.h"
#include "log.h"
#include "openai.h"
#include "points.h"
#include "provider.h"
#include "queue.h"
#include "ratelimit.h"
#include "resumes.h"
#include "stats.h"
#include "uuid.h"

#define ISO(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s.%fZ')"

static char *json_text(zm_arena_t *a, json_object *o)
{
    return zm_pstrdup(a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static json_object *parse_json(const char *s)
{
    return s ? json_tokener_parse(s) : NULL;
}

int rv_limit(db_t *db, zm_arena_t *a, int64_t user_id, rv_outcome_t *o)
{
    char *bucket = zm_psprintf(a, "analysis:user:%lld", (long long)user_id);
    int rc = rl_hit(db, bucket, (int)zm_conf_int("analysis.per_hour"), 3600, &o->retry_after);

    if (rc == RL_LIMITED) {
        o->why = "每小时的分析次数已用完，请稍后再试";
        return RV_ELIMIT;
    }
    return rc;
}

/* The resume's text, or RV_ENOTEXT with the reason a user can act on. */
static int resume_ready(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, resume_text_t *t,
                        rv_outcome_t *o)
{
    int rc = resume_latest_text(db, a, user_id, resume_id, t);

    if (rc != ZM_OK) {
        return rc;
    }
    if (strcmp(t->status, "pending") == 0) {
        o->why = "简历文本正在提取中，请稍后再试";
        return RV_ENOTEXT;
    }
    if (strcmp(t->status, "failed") == 0) {
        o->why = zm_psprintf(a, "简历文本提取失败（%s），请上传新版本", t->error ? t->error : "原因未知");
        return RV_ENOTEXT;
    }
    if (t->text == NULL || t->text[0] == '\0') {
        o->why = "简历中没有可识别的文字（可能是扫描件），请上传包含文字的 PDF、DOCX 或 TXT";
        return RV_ENOTEXT;
    }
    return ZM_OK;
}

/* May an analysis of the resume start?  Its text is ready and the user is within the hourly
 * limit; otherwise o says why. */
static int admit(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, resume_text_t *t, rv_outcome_t *o)
{
    int rc;

    memset(o, 0, sizeof(*o));
    rc = resume_ready(db, a, user_id, resume_id, t, o);
    return rc == ZM_OK ? rv_limit(db, a, user_id, o) : rc;
}

/* ---- suggestions ---- */

/* The Django feedback column: the structured result as readable text. */
static char *feedback_text(zm_arena_t *a, const an_match_t *m)
{
    static const struct {
        const char *title;
        size_t off;
    } lists[] = {{"优势", offsetof(an_match_t, strengths)},
                 {"差距", offsetof(an_match_t, gaps)},
                 {"建议", offsetof(an_match_t, suggestions)}};
    char *out = zm_psprintf(a, "%s\n", m->summary ? m->summary : "");

    for (size_t l = 0; l < ZM_ARRAY_LEN(lists) && out; l++) {
        json_object *arr = *(json_object **)((const char *)m + lists[l].off);
        size_t n = arr ? json_object_array_length(arr) : 0;
        if (n == 0) {
            continue;
        }
        out = zm_psprintf(a, "%s\n%s：\n", out, lists[l].title);
        for (size_t i = 0; i < n && out; i++) {
            out = zm_psprintf(a, "%s- %s\n", out, json_object_get_string(json_object_array_get_idx(arr, i)));
        }
    }
    return out;
}

static json_object *suggestion_json(zm_arena_t *a, const db_res_t *res, size_t r)
{
    json_object *o = json_object_new_object(), *detail = parse_json(db_val(res, r, 7));

    json_object_object_add(o, "id", json_object_new_string(zm_uuid_dashed(a, db_val(res, r, 0))));
    json_object_object_add(o, "resume_id", json_object_new_string(zm_uuid_dashed(a, db_val(res, r, 1))));
    json_object_object_add(o, "job_description", json_object_new_string(db_val(res, r, 2)));
    json_object_object_add(o, "score", json_object_new_double(strtod(db_val(res, r, 3), NULL)));
    json_object_object_add(o, "feedback", json_object_new_string(db_val(res, r, 4)));
    json_object_object_add(o, "created_at", json_object_new_string(db_val(res, r, 5)));
    json_object_object_add(o, "provider", json_object_new_string(db_val(res, r, 6) ? db_val(res, r, 6) : ""));
    json_object_object_add(o, "result", detail);
    json_object_object_add(o, "helpful", db_val(res, r, 8) ? json_object_new_boolean(db_int(res, r, 8) != 0) : NULL);
    return o;
}

#define SUGGESTION_COLS                                                                                                \
    "s.id, s.resume_id, s.job_description, s.score, s.feedback, " ISO(                                                 \
        "s.created_at") ", d.provider, d.result, "                                                                     \
                        "(SELECT f.is_helpful FROM api_suggestionfeedback f WHERE f.suggestion_id = s.id "             \
                        "ORDER BY f.created_at DESC LIMIT 1) "                                                         \
                        "FROM api_suggestion s LEFT JOIN zm_suggestion_detail d ON d.suggestion_id = s.id "

int rv_store_suggestion(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, const char *jd,
                        const an_match_t *m, const an_usage_t *usage, json_object **out)
{
    char id[33];
    char uid[24];
    json_object *result = an_match_json(m);
    char *result_s = json_text(a, result);
    int64_t n;
    int rc;

    json_object_put(result);
    snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
    zm_uuid4(id);
    rc = db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    n = db_exec(db,
                "INSERT INTO api_suggestion (id, user_id, resume_id, job_description, score, feedback, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))",
                "ssssds", id, uid, resume_id, jd, (double)m->score, feedback_text(a, m));
    if (n >= 0) {
        n = db_exec(db,
                    "INSERT INTO zm_suggestion_detail (suggestion_id, provider, model, result, prompt_tokens, "
                    "completion_tokens) VALUES (?, ?, ?, ?, ?, ?)",
                    "ssssii", id, m->provider, m->model, result_s, (int64_t)(usage ? usage->llm.prompt_tokens : 0),
                    (int64_t)(usage ? usage->llm.completion_tokens : 0));
    }
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    rc = db_commit(db);
    return rc == ZM_OK ? rv_suggestion_get(db, a, user_id, id, out) : rc;
}

int rv_suggestion_create(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, const char *jd,
                         rv_outcome_t *o)
{
    resume_text_t t;
    int rc;

    rc = admit(db, a, user_id, resume_id, &t, o);
    if (rc != ZM_OK) {
        return rc;
    }
    if (!an_provider()->slow) {
        an_usage_t usage;
        an_match_t m;

        rc = an_provider()->match(a, t.text, jd, &m, &usage, NULL);
        if (rc != ZM_OK) {
            return rc;
        }
        rc = rv_store_suggestion(db, a, user_id, t.resume_id, jd, &m, &usage, &o->data);
        an_openai_match_release(&m);
        return rc;
    }
    /* a remote model takes seconds: the worker writes the row when the answer is real */
    json_object *p = json_object_new_object();
    task_new_t tn;

    json_object_object_add(p, "resume_id", json_object_new_string(t.resume_id));
    json_object_object_add(p, "job_description", json_object_new_string(jd));
    memset(&tn, 0, sizeof(tn));
    tn.type = "suggestion.generate";
    tn.payload_json = json_text(a, p);
    json_object_put(p);
    tn.priority = TASK_PRIO_HIGH;
    tn.user_id = user_id;
    rc = task_enqueue(db, &tn, &o->task_id);
    if (rc == ZM_OK) {
        task_wake();
    }
    return rc;
}

int rv_suggestion_list(db_t *db, zm_arena_t *a, int64_t user_id, int64_t page, int64_t page_size, json_object **items,
                       int64_t *total)
{
    char uid[24];
    db_res_t res, c;
    int rc;

    snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
    rc = db_query(db, a, &c, "SELECT COUNT(*) FROM api_suggestion WHERE user_id = ?", "s", uid);
    if (rc == ZM_OK) {
        rc = db_query(db, a, &res,
                      "SELECT " SUGGESTION_COLS "WHERE s.user_id = ? ORDER BY s.created_at DESC, s.id LIMIT ? OFFSET ?",
                      "sii", uid, page_size, (page - 1) * page_size);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    *items = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        json_object_array_add(*items, suggestion_json(a, &res, r));
    }
    *total = db_int(&c, 0, 0);
    return ZM_OK;
}

int rv_suggestion_get(db_t *db, zm_arena_t *a, int64_t user_id, const char *id, json_object **out)
{
    char hex[33], uid[24];
    db_res_t res;
    int rc;

    if (zm_uuid_parse(id, hex) != ZM_OK) {
        return ZM_ENOTFOUND;
    }
    snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
    rc = db_query(db, a, &res, "SELECT " SUGGESTION_COLS "WHERE s.id = ? AND s.user_id = ?", "ss", hex, uid);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *out = suggestion_json(a, &res, 0);
    return ZM_OK;
}

int rv_suggestion_feedback(db_t *db, zm_arena_t *a, int64_t user_id, const char *id, int is_helpful,
                           const char *comment, json_object **out)
{
    char hex[33], fid[33], uid[24];
    db_res_t res;
    int64_t n;
    int rc;

    if (zm_uuid_parse(id, hex) != ZM_OK) {
        return ZM_ENOTFOUND;
    }
    snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
    rc = db_query(db, a, &res, "SELECT id FROM api_suggestion WHERE id = ? AND user_id = ?", "ss", hex, uid);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    zm_uuid4(fid);
    n = db_exec(db,
                "INSERT INTO api_suggestionfeedback (id, is_helpful, comment, created_at, suggestion_id) "
                "VALUES (?, ?, ?, UTC_TIMESTAMP(6), ?)",
                "sIss", fid, is_helpful ? 1 : 0, comment, hex);
    if (n < 0) {
        return (int)n;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "id", json_object_new_string(zm_uuid_dashed(a, fid)));
    json_object_object_add(*out, "suggestion_id", json_object_new_string(zm_uuid_dashed(a, hex)));
    json_object_object_add(*out, "is_helpful", json_object_new_boolean(is_helpful));
    json_object_object_add(*out, "comment", comment ? json_object_new_string(comment) : NULL);
    return ZM_OK;
}

/* ---- diagnoses and interview predictions ---- */

#define ANALYSIS_COLS                                                                                                  \
    "id, kind, resume_id, version_id, target_role, job_description, question_count, state, task_id, provider, "        \
    "model, score, result, error, " ISO("created_at") ", " ISO("finished_at") " FROM zm_analysis "

static json_object *analysis_json(zm_arena_t *a, const db_res_t *res, size_t r, int with_result)
{
    json_object *o = json_object_new_object();
    const char *v;

    json_object_object_add(o, "id", json_object_new_string(zm_uuid_dashed(a, db_val(res, r, 0))));
    json_object_object_add(o, "kind", json_object_new_string(db_val(res, r, 1)));
    json_object_object_add(o, "resume_id", json_object_new_string(zm_uuid_dashed(a, db_val(res, r, 2))));
    json_object_object_add(o, "version_id", json_object_new_string(zm_uuid_dashed(a, db_val(res, r, 3))));
    v = db_val(res, r, 4);
    json_object_object_add(o, "target_role", v ? json_object_new_string(v) : NULL);
    v = db_val(res, r, 5);
    json_object_object_add(o, "job_description", v ? json_object_new_string(v) : NULL);
    if (strcmp(db_val(res, r, 1), "interview") == 0) {
        json_object_object_add(o, "count", json_object_new_int64(db_int(res, r, 6)));
    }
    json_object_object_add(o, "state", json_object_new_string(db_val(res, r, 7)));
    json_object_object_add(o, "task_id", db_val(res, r, 8) ? json_object_new_int64(db_int(res, r, 8)) : NULL);
    v = db_val(res, r, 9);
    json_object_object_add(o, "provider", v ? json_object_new_string(v) : NULL);
    v = db_val(res, r, 10);
    json_object_object_add(o, "model", v ? json_object_new_string(v) : NULL);
    json_object_object_add(o, "score", db_val(res, r, 11) ? json_object_new_int64(db_int(res, r, 11)) : NULL);
    if (with_result) {
        json_object_object_add(o, "result", parse_json(db_val(res, r, 12)));
    }
    v = db_val(res, r, 13);
    json_object_object_add(o, "error", v ? json_object_new_string(v) : NULL);
    json_object_object_add(o, "created_at", json_object_new_string(db_val(res, r, 14)));
    v = db_val(res, r, 15);
    json_object_object_add(o, "finished_at", v ? json_object_new_string(v) : NULL);
    return o;
}

int rv_analysis_start(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, const char *resume_id,
                      const char *target_role, const char *job_description, int count, rv_outcome_t *o)
{
    resume_text_t t;
    json_object *p;
    task_new_t tn;
    char id[33];
    int64_t n;
    int rc;

    rc = admit(db, a, user_id, resume_id, &t, o);
    if (rc != ZM_OK) {
        return rc;
    }
    /* the price is charged when the result is stored; refuse now what could not be paid then */
    if ((o->price = points_price(kind)) > 0) {
        points_status_t st;

        if ((rc = points_status(db, a, user_id, (time_t)zm_now_s(), &st)) != ZM_OK) {
            return rc;
        }
        if (st.points < o->price) {
            o->balance = st.points;
            o->shortfall = o->price - st.points;
            return POINTS_ESHORT;
        }
    }
    zm_uuid4(id);
    rc = db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    n = db_exec(db,
                "INSERT INTO zm_analysis (id, user_id, kind, resume_id, version_id, target_role, job_description, "
                "question_count, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', UTC_TIMESTAMP(6))",
                "sisssssI", id, user_id, kind, t.resume_id, t.version_id, target_role, job_description, count);
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    p = json_object_new_object();
    json_object_object_add(p, "analysis_id", json_object_new_string(id));
    memset(&tn, 0, sizeof(tn));
    tn.type = "analysis.run";
    tn.payload_json = json_text(a, p);
    json_object_put(p);
    tn.priority = TASK_PRIO_HIGH;
    tn.user_id = user_id;
    rc = task_enqueue(db, &tn, &o->task_id);
    if (rc == ZM_OK) {
        n = db_exec(db, "UPDATE zm_analysis SET task_id = ? WHERE id = ?", "is", o->task_id, id);
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    if (rc != ZM_OK) {
        return rc;
    }
    /* read it back before waking the runners, so the answer shows the state as queued */
    rc = rv_analysis_get(db, a, user_id, kind, id, &o->data);
    task_wake();
    return rc;
}

int rv_analysis_history(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, int64_t page, int64_t page_size,
                        json_object **items, int64_t *total)
{
    db_res_t res, c;
    int rc =
        db_query(db, a, &c, "SELECT COUNT(*) FROM zm_analysis WHERE user_id = ? AND kind = ?", "is", user_id, kind);

    if (rc == ZM_OK) {
        rc = db_query(db, a, &res,
                      "SELECT " ANALYSIS_COLS "WHERE user_id = ? AND kind = ? ORDER BY created_at DESC, id "
                      "LIMIT ? OFFSET ?",
                      "isii", user_id, kind, page_size, (page - 1) * page_size);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    *items = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        json_object_array_add(*items, analysis_json(a, &res, r, 0));
    }
    *total = db_int(&c, 0, 0);
    return ZM_OK;
}

int rv_analysis_get(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, const char *id, json_object **out)
{
    char hex[33];
    db_res_t res;
    int rc;

    if (zm_uuid_parse(id, hex) != ZM_OK) {
        return ZM_ENOTFOUND;
    }
    rc = db_query(db, a, &res, "SELECT " ANALYSIS_COLS "WHERE id = ? AND user_id = ? AND kind = ?", "sis", hex, user_id,
                  kind);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *out = analysis_json(a, &res, 0, 1);
    return ZM_OK;
}

int rv_analysis_done(db_t *db, zm_arena_t *a, const char *id, json_object *result, const char *provider,
                     const char *model, int64_t score)
{
    points_result_t paid = {0};
    db_res_t res;
    int64_t n, price = 0;
    /* one transaction: the result and its charge */
    int rc = db_begin(db);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_query(db, a, &res, "SELECT user_id, kind FROM zm_analysis WHERE id = ? AND state = 'pending' FOR UPDATE",
                  "s", id);
    if (rc != ZM_OK || res.nrows == 0) {
        db_rollback(db);
        return rc; /* no longer pending: an earlier attempt stored it */
    }
    n = db_exec(db,
                "UPDATE zm_analysis SET state = 'done', result = ?, provider = ?, model = ?, score = NULLIF(?, -1), "
                "finished_at = UTC_TIMESTAMP(6) WHERE id = ? AND state = 'pending'",
                "sssis",
                json_object_to_json_string_ext(result, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                provider, model, score, id);
    rc = n < 0 ? (int)n : stats_record(db, db_int(&res, 0, 0), db_val(&res, 0, 1), 1); /* diagnosis, interview */
    if (rc == ZM_OK && (price = points_price(db_val(&res, 0, 1))) > 0) {
        rc = points_charge(db, a, db_int(&res, 0, 0), db_val(&res, 0, 1), zm_psprintf(a, "analysis:%s:charge", id),
                           price, "analysis", zm_uuid_dashed(a, id), &paid);
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        if (rc == POINTS_ESHORT) {
            int frc = rv_analysis_failed(
                db, id,
                zm_psprintf(a, "积分不足：需要 %lld 积分，当前 %lld 积分", (long long)price, (long long)paid.balance),
                provider);
            return frc == ZM_OK ? POINTS_ESHORT : frc;
        }
        return rc;
    }
    return db_commit(db);
}

int rv_analysis_failed(db_t *db, const char *id, const char *why, const char *provider)
{
    int64_t n = db_exec(db,
                        "UPDATE zm_analysis SET state = 'failed', error = LEFT(?, 500), provider = ?, "
                        "finished_at = UTC_TIMESTAMP(6) WHERE id = ? AND state = 'pending'",
                        "sss", why, provider, id);

    return n < 0 ? (int)n : ZM_OK;
}

int analysis_recent(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, int n, json_object **out)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT id, kind, state, score, target_role, question_count, " ISO("created_at") ", " ISO(
                          "finished_at") " FROM zm_analysis WHERE user_id = ? AND kind = ? "
                                         "ORDER BY created_at DESC, id LIMIT ?",
                      "isi", user_id, kind, (int64_t)n);

    if (rc != ZM_OK) {
        return rc;
    }
    *out = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        json_object *o = json_object_new_object();
        const char *v;

        json_object_object_add(o, "id", json_object_new_string(zm_uuid_dashed(a, db_val(&res, r, 0))));
        json_object_object_add(o, "kind", json_object_new_string(db_val(&res, r, 1)));
        json_object_object_add(o, "state", json_object_new_string(db_val(&res, r, 2)));
        json_object_object_add(o, "score", db_val(&res, r, 3) ? json_object_new_int64(db_int(&res, r, 3)) : NULL);
        v = db_val(&res, r, 4);
        json_object_object_add(o, "target_role", v ? json_object_new_string(v) : NULL);
        if (strcmp(db_val(&res, r, 1), "interview") == 0) {
            json_object_object_add(o, "count", json_object_new_int64(db_int(&res, r, 5)));
        }
        json_object_object_add(o, "created_at", json_object_new_string(db_val(&res, r, 6)));
        v = db_val(&res, r, 7);
        json_object_object_add(o, "finished_at", v ? json_object_new_string(v) : NULL);
        json_object_array_add(*out, o);
    }
    return ZM_OK;
}
