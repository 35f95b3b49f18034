/*
 * api.c -- the mock interview's endpoints (docs/internals/interview.md): parse, validate, call
 * interview.c, render.  Nothing here waits on a model: turns and reports are tasks.
 */
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "conf.h"
#include "filetype.h"
#include "interview.h"
#include "interview_api.h"
#include "jobs.h"
#include "multipart.h"
#include "points.h"
#include "points_api.h"
#include "queue.h"
#include "resumes.h"
#include "resumes_api.h"
#include "uuid.h"

static const zm_error_map_t iv_errors[] = {
    {ZM_ENOTFOUND, 404, "not_found", "面试不存在"},
    {IV_ESTATE, 409, "session_ended", "面试已结束"},
    {IV_EBUSY, 409, "interviewer_busy", "面试官还没说完，请稍候再回答"},
    {IV_ENOTREADY, 409, "resume_not_ready", "简历还在解析中，请稍后再试"},
};

/* which kind of session a path is about: /api/v1/meeting-assistant/... or the mock interview's */
static const char *kind_of(zm_req_t *r)
{
    return strncmp(r->path, "/api/v1/meeting-assistant/", 26) == 0 ? "meeting" : "mock_interview";
}

static int session_param(zm_req_t *r, int64_t *id)
{
    if (zm_req_param_id(r, "id", id) != ZM_OK) {
        ZM_REPLY_MAPPED(r, iv_errors, ZM_ENOTFOUND);
        return ZM_EINVAL;
    }
    return ZM_OK;
}

/* the membership gate: ZM_OK, or answered (403 with the level needed) */
static int gate(zm_req_t *r, points_benefit_t b)
{
    int need, rc = points_require_benefit(r->db, r->a, r->user_id, b, &need);

    if (rc == POINTS_ELEVEL) {
        points_reply_level(r, b, need);
        return ZM_EINVAL;
    }
    if (rc != ZM_OK) {
        points_reply_rc(r, rc, NULL, 0);
        return ZM_EINVAL;
    }
    return ZM_OK;
}

/* POST /api/v1/mock-interview/upload-resume: a file (multipart, exactly as POST /api/resumes) or
 * {"resume_id"} of one of the user's resumes */
int iv_api_upload_resume(zm_req_t *r)
{
    const char *ct = zm_req_env(r, "CONTENT_TYPE"), *id;
    json_object *out;
    resume_text_t t;
    zm_form_t f;
    int rc;

    if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0) {
        return resumes_api_create(r);
    }
    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    id = zm_form_str(&f, "resume_id", 1, 64);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = resume_latest_text(r->db, r->a, r->user_id, id, &t);
    if (rc == ZM_ENOTFOUND || rc == ZM_EINVAL) {
        return zm_reply_error(r, 404, "not_found", "简历不存在", NULL);
    }
    if (rc != ZM_OK) {
        return zm_reply_from_rc(r, rc);
    }
    out = json_object_new_object();
    json_object_object_add(out, "resume_id", json_object_new_string(zm_uuid_dashed(r->a, t.resume_id)));
    json_object_object_add(out, "name", json_object_new_string(t.resume_name ? t.resume_name : ""));
    json_object_object_add(out, "status", json_object_new_string(t.status ? t.status : ""));
    json_object_object_add(out, "chars", json_object_new_int64(t.chars));
    json_object_object_add(out, "ready", json_object_new_boolean(t.text != NULL));
    return zm_reply_data(r, 200, out);
}

/* POST /api/v1/custom-interview/upload-materials: {"kind": "jd"|"notes", "text", "name"?} or a
 * multipart form with a UTF-8 text "file" (or a "text" field) and "kind" */
int iv_api_upload_material(zm_req_t *r)
{
    static const char *const kinds[] = {"jd", "notes", NULL};
    const char *ct = zm_req_env(r, "CONTENT_TYPE"), *text = NULL, *name = NULL;
    json_object *out;
    zm_form_t f;
    int kind = -1, rc;

    if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0) {
        mp_part_t *parts;
        size_t np;
        const mp_part_t *k, *file, *tp;
        zm_form_init(&f, r);
        if (mp_parse(r->a, ct, r->body ? r->body : "", r->body_len, &parts, &np) != ZM_OK) {
            return zm_reply_error(r, 400, "invalid_multipart", "上传的表单格式错误或不完整", NULL);
        }
        k = mp_find(parts, np, "kind");
        for (int i = 0; k && kinds[i]; i++) {
            if (k->len == strlen(kinds[i]) && memcmp(k->data, kinds[i], k->len) == 0) {
                kind = i;
            }
        }
        if (kind < 0) {
            zm_form_error(&f, "kind", "须为 jd 或 notes");
        }
        file = mp_find(parts, np, "file");
        tp = file ? file : mp_find(parts, np, "text");
        if (tp == NULL || tp->len == 0) {
            zm_form_error(&f, file ? "file" : "text", "请上传文本文件或填写内容");
        } else if (!zm_utf8_valid(tp->data, tp->len) || memchr(tp->data, 0, tp->len) != NULL) {
            zm_form_error(&f, file ? "file" : "text", "只支持 UTF-8 纯文本（PDF、Word 请作为简历上传或粘贴文字）");
        } else {
            text = ft_clean_text(r->a, tp->data, tp->len, 1);
            name = file && file->filename ? ft_sanitize_name(r->a, file->filename) : NULL;
        }
        if (text && zm_utf8_chars(text, strlen(text)) > IV_MATERIAL_MAX) {
            zm_form_error(&f, file ? "file" : "text", "内容过长（最多 20000 字）");
        }
    } else {
        if (zm_form_json(&f, r, NULL) != ZM_OK) {
            return ZM_OK;
        }
        kind = zm_form_enum(&f, "kind", 1, kinds, "须为 jd 或 notes");
        text = zm_form_str(&f, "text", 1, IV_MATERIAL_MAX);
        name = zm_form_str(&f, "name", 0, 255);
        if (text) {
            text = ft_clean_text(r->a, text, strlen(text), 1);
            if (text == NULL || *text == '\0') {
                zm_form_error(&f, "text", "内容不能为空");
            }
        }
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = iv_material_add(r->db, r->a, r->user_id, kinds[kind], name, text, &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : zm_reply_from_rc(r, rc);
}

/* POST /api/v1/mock-interview/generate */
int iv_api_generate(zm_req_t *r)
{
    json_object *body, *mats = NULL, *plan, *out;
    iv_config_t c = {0};
    zm_form_t f;
    int type, diff, lang, rc;
    int64_t price;

    if (zm_form_json(&f, r, &body) != ZM_OK) {
        return ZM_OK;
    }
    c.role = zm_form_str(&f, "role", 0, 100);
    c.job_id = zm_form_id_text(&f, "job_id", 0);
    c.resume_id = zm_form_str(&f, "resume_id", 0, 64);
    type = zm_form_enum(&f, "type", 0, iv_types, "须为 technical、behavioral、hr 或 mixed");
    diff = zm_form_enum(&f, "difficulty", 0, iv_difficulties, "须为 easy、medium 或 hard");
    lang = zm_form_enum(&f, "language", 0, iv_languages, "须为 zh 或 en");
    c.questions = (int)zm_form_int(&f, "questions", 0, 1, IV_QUESTIONS_MAX, 5);
    c.minutes = (int)zm_form_int(&f, "minutes", 0, 0, IV_MINUTES_MAX, 0);
    if (json_object_object_get_ex(body, "material_ids", &mats) && mats != NULL) {
        size_t n = json_object_is_type(mats, json_type_array) ? json_object_array_length(mats) : 0;
        if (!json_object_is_type(mats, json_type_array) || n > 5) {
            zm_form_error(&f, "material_ids", "须为最多 5 个资料 id 的数组");
            mats = NULL;
        } else {
            for (size_t i = 0; i < n; i++) {
                json_object *v = json_object_array_get_idx(mats, i);
                if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) <= 0) {
                    zm_form_error(&f, "material_ids", "须为资料 id（正整数）");
                    mats = NULL;
                    break;
                }
            }
        }
    }
    if ((c.role == NULL || *c.role == '\0') && c.job_id == 0 && !zm_form_failed(&f)) {
        zm_form_error(&f, "role", "请填写目标岗位或选择一个职位");
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    c.type = iv_types[type < 0 ? 3 : type];
    c.difficulty = iv_difficulties[diff < 0 ? 1 : diff];
    c.language = iv_languages[lang < 0 ? 0 : lang];
    if (gate(r, POINTS_BENEFIT_MOCK_INTERVIEW) != ZM_OK) {
        return ZM_OK;
    }
    /* a session starts only with the first minute's points in hand */
    if ((price = points_price("mock_interview")) > 0) {
        points_status_t st;
        if ((rc = points_status(r->db, r->a, r->user_id, zm_now_s(), &st)) != ZM_OK) {
            return zm_reply_from_rc(r, rc);
        }
        if (st.points < price) {
            return points_reply_short(r, price - st.points, st.points, price);
        }
    }
    if (c.job_id) {
        jobs_actor_t who = {r->user_id, 0};
        json_object *job, *v;
        rc = job_detail(r->db, r->a, &who, c.job_id, &job);
        if (rc == ZM_ENOTFOUND) {
            return zm_reply_field_error(r, "job_id", "职位不存在");
        }
        if (rc != ZM_OK) {
            return zm_reply_from_rc(r, rc);
        }
        zm_req_own(r, job);
        if ((c.role == NULL || *c.role == '\0') && json_object_object_get_ex(job, "name", &v)) {
            c.role = json_object_get_string(v);
        }
        {
            const char *desc = json_object_object_get_ex(job, "description", &v) ? json_object_get_string(v) : "";
            const char *req = json_object_object_get_ex(job, "requirements", &v)
                                  ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN)
                                  : "";
            c.jd = zm_psprintf(r->a, "%s\n%s", desc ? desc : "", req);
        }
    }
    if (c.resume_id) {
        resume_text_t t;
        rc = resume_latest_text(r->db, r->a, r->user_id, c.resume_id, &t);
        if (rc == ZM_ENOTFOUND || rc == ZM_EINVAL) {
            return zm_reply_field_error(r, "resume_id", "简历不存在");
        }
        if (rc != ZM_OK) {
            return zm_reply_from_rc(r, rc);
        }
        if (t.text == NULL) {
            return ZM_REPLY_MAPPED(r, iv_errors, IV_ENOTREADY);
        }
        c.resume_text = t.text;
        c.resume_id = zm_uuid_dashed(r->a, t.resume_id);
    }
    for (size_t i = 0; mats && i < json_object_array_length(mats); i++) {
        const char *kind, *text;
        rc = iv_material_get(r->db, r->a, r->user_id, json_object_get_int64(json_object_array_get_idx(mats, i)), &kind,
                             &text);
        if (rc == ZM_ENOTFOUND) {
            return zm_reply_field_error(r, "material_ids", "资料不存在");
        }
        if (rc != ZM_OK) {
            return zm_reply_from_rc(r, rc);
        }
        if (strcmp(kind, "jd") == 0) {
            c.jd = c.jd ? zm_psprintf(r->a, "%s\n%s", c.jd, text) : text;
        } else {
            c.notes = c.notes ? zm_psprintf(r->a, "%s\n%s", c.notes, text) : text;
        }
    }
    if ((rc = iv_plan_build(r->db, r->a, &c, &plan)) != ZM_OK) {
        return zm_reply_from_rc(r, rc);
    }
    zm_req_own(r, plan);
    rc = iv_session_create(r->db, r->a, r->user_id, &c, plan, &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : ZM_REPLY_MAPPED(r, iv_errors, rc);
}

/* POST /api/v1/mock-interview/chat/stream {"session_id", "text", "client_key"?}: 202 at once */
int iv_api_answer(zm_req_t *r)
{
    const char *text, *key;
    json_object *out;
    zm_form_t f;
    int64_t id;
    int rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    id = zm_form_id_text(&f, "session_id", 1);
    text = zm_form_str(&f, "text", 1, (size_t)zm_conf_int("interview.max_answer_chars"));
    key = zm_form_str(&f, "client_key", 0, 64);
    if (key && !zm_str_is_token(key, 1, 64)) {
        zm_form_error(&f, "client_key", "只能包含字母、数字、- 和 _");
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = iv_answer(r->db, r->a, r->user_id, id, text, key, &out);
    return rc == ZM_OK ? zm_reply_data(r, 202, out) : ZM_REPLY_MAPPED(r, iv_errors, rc);
}

int iv_api_session(zm_req_t *r)
{
    json_object *out;
    int64_t id;
    int rc;

    if (session_param(r, &id) != ZM_OK) {
        return ZM_OK;
    }
    rc = iv_session_view(r->db, r->a, r->user_id, kind_of(r), id, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, iv_errors, rc);
}

int iv_api_end(zm_req_t *r)
{
    json_object *out;
    int64_t id;
    int rc, already;

    if (session_param(r, &id) != ZM_OK) {
        return ZM_OK;
    }
    rc = iv_session_end(r->db, r->a, r->user_id, kind_of(r), id, "user", &already);
    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, iv_errors, rc);
    }
    out = json_object_new_object();
    json_object_object_add(out, "session_id", json_object_new_int64(id));
    json_object_object_add(out, "status", json_object_new_string("ended"));
    json_object_object_add(out, "already_ended", json_object_new_boolean(already));
    return zm_reply_data(r, 202, out);
}

int iv_api_records(zm_req_t *r)
{
    json_object *items;
    zm_page_t page;
    int64_t total;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK) {
        return ZM_OK;
    }
    rc = iv_records(r->db, r->a, r->user_id, kind_of(r), page.page, page.size, &items, &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : zm_reply_from_rc(r, rc);
}

/* POST /api/v1/interview/ai-reference {"question"?, "answer"?, "session_id"?, "question_index"?} */
int iv_api_reference(zm_req_t *r)
{
    const char *q, *ans, *p;
    json_object *out;
    zm_form_t f;
    int64_t sid, qi;
    int rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    q = zm_form_str(&f, "question", 0, 1000);
    ans = zm_form_str(&f, "answer", 0, (size_t)zm_conf_int("interview.max_answer_chars"));
    sid = zm_form_id_text(&f, "session_id", 0);
    qi = zm_form_int(&f, "question_index", 0, 0, IV_QUESTIONS_MAX * 4, -1);
    if (sid && qi < 0 && !zm_form_failed(&f)) {
        zm_form_error(&f, "question_index", "给出 session_id 时须给出题号");
    }
    if (!sid && (q == NULL || *q == '\0') && !zm_form_failed(&f)) {
        zm_form_error(&f, "question", "请给出面试题");
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = iv_reference(r->db, r->a, r->user_id, sid, (int)qi, q, ans, &out);
    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, iv_errors, rc);
    }
    p = zm_conf_str("interview.provider");
    if (p == NULL || strcmp(p, "auto") == 0) {
        p = zm_conf_str("llm.provider");
    }
    if (p && strcmp(p, "openai") == 0) {
        /* a model's answer takes seconds: a task, followed at /api/v1/events/tasks/{id}; the builtin
         * reference is in the answer meanwhile */
        json_object *payload = json_object_new_object();
        task_new_t t = {0};
        int64_t tid;
        json_object_object_add(payload, "question", json_object_get(json_object_object_get(out, "question")));
        json_object_object_add(payload, "answer", json_object_new_string(ans ? ans : ""));
        zm_req_own(r, payload);
        t.type = "interview.reference";
        t.payload_json = json_object_to_json_string_ext(payload, JSON_C_TO_STRING_PLAIN);
        t.priority = TASK_PRIO_NORMAL;
        t.user_id = r->user_id;
        t.max_attempts = 2;
        if ((rc = task_enqueue(r->db, &t, &tid)) != ZM_OK) {
            json_object_put(out);
            return zm_reply_from_rc(r, rc);
        }
        task_wake();
        json_object_object_add(out, "task_id", json_object_new_int64(tid));
        json_object_object_add(out, "events",
                               json_object_new_string(zm_psprintf(r->a, "/api/v1/events/tasks/%lld", (long long)tid)));
        return zm_reply_data(r, 202, out);
    }
    return zm_reply_data(r, 200, out);
}

/* POST /api/v1/meeting-assistant/start {"topic", "my_role"?, "language"?} */
int iv_api_meeting_start(zm_req_t *r)
{
    const char *topic, *role;
    json_object *out;
    zm_form_t f;
    int lang, rc;
    int64_t price;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    topic = zm_form_str(&f, "topic", 1, 200);
    role = zm_form_str(&f, "my_role", 0, 100);
    lang = zm_form_enum(&f, "language", 0, iv_languages, "须为 zh 或 en");
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    if (gate(r, POINTS_BENEFIT_MEETING) != ZM_OK) {
        return ZM_OK;
    }
    if ((price = points_price("meeting")) > 0) {
        points_status_t st;
        if ((rc = points_status(r->db, r->a, r->user_id, zm_now_s(), &st)) != ZM_OK) {
            return zm_reply_from_rc(r, rc);
        }
        if (st.points < price) {
            return points_reply_short(r, price - st.points, st.points, price);
        }
    }
    rc = iv_meeting_create(r->db, r->a, r->user_id, topic, role, iv_languages[lang < 0 ? 0 : lang], &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : zm_reply_from_rc(r, rc);
}

/* POST /api/v1/meeting-assistant/sessions/{id}/transcript {"text", "client_key"?}: 202 at once */
int iv_api_meeting_line(zm_req_t *r)
{
    const char *text, *key;
    json_object *out;
    zm_form_t f;
    int64_t id;
    int rc;

    if (session_param(r, &id) != ZM_OK) {
        return ZM_OK;
    }
    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    text = zm_form_str(&f, "text", 1, (size_t)zm_conf_int("interview.max_answer_chars"));
    key = zm_form_str(&f, "client_key", 0, 64);
    if (key && !zm_str_is_token(key, 1, 64)) {
        zm_form_error(&f, "client_key", "只能包含字母、数字、- 和 _");
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = iv_meeting_line(r->db, r->a, r->user_id, id, text, key, &out);
    return rc == ZM_OK ? zm_reply_data(r, 202, out) : ZM_REPLY_MAPPED(r, iv_errors, rc);
}

/* GET /api/v1/events/auth/interviews/{id}: nchan's authorizer for interview_<id> */
int iv_api_events_auth(zm_req_t *r)
{
    int64_t id;

    if (zm_req_param_id(r, "id", &id) == ZM_OK && r->user_id > 0 &&
        iv_session_owned(r->db, r->a, r->user_id, id) == ZM_OK) {
        return zm_reply_no_content(r);
    }
    return zm_reply_error(r, 403, "forbidden", "不能订阅其他用户的面试", NULL);
}
