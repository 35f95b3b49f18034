/*
 * analysis_api.c -- suggestions, diagnoses, interview predictions, tasks:
 * parse, validate, call review.c, render.
 */
#include "analysis_api.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "resumes.h"
#include "resumes_api.h"
#include "review.h"

static int reply_outcome(zm_req_t *r, int rc, const rv_outcome_t *o)
{
    char secs[16];

    switch (rc) {
    case ZM_OK:
        if (o->data) {
            return zm_reply_data(r, o->task_id ? 202 : 201, o->data);
        }
        {
            json_object *d = json_object_new_object();
            json_object_object_add(d, "task_id", json_object_new_int64(o->task_id));
            json_object_object_add(d, "state", json_object_new_string("queued"));
            return zm_reply_data(r, 202, d);
        }
    case ZM_ENOTFOUND:
        return zm_reply_error(r, 404, "not_found", "简历不存在", NULL);
    case RV_ENOTEXT:
        return zm_reply_error(r, 409, "resume_text_unavailable", o->why, NULL);
    case RV_ELIMIT:
        snprintf(secs, sizeof(secs), "%d", o->retry_after > 0 ? o->retry_after : 60);
        zm_reply_header(r, "Retry-After", secs);
        return zm_reply_error(r, 429, "rate_limited", o->why, NULL);
    default:
        return zm_reply_from_rc(r, rc);
    }
}

static int reply_found(zm_req_t *r, int rc, json_object *out, const char *what)
{
    if (rc == ZM_OK) {
        return zm_reply_data(r, 200, out);
    }
    if (rc == ZM_ENOTFOUND) {
        return zm_reply_error(r, 404, "not_found", what, NULL);
    }
    return zm_reply_from_rc(r, rc);
}

static int page_args(zm_req_t *r, int64_t *page, int64_t *page_size)
{
    if (zm_req_query_int(r, "page", 1, 1, 1000000, page) != ZM_OK ||
        zm_req_query_int(r, "page_size", 20, 1, 100, page_size) != ZM_OK) {
        return ZM_EINVAL;
    }
    return ZM_OK;
}

/* ---- suggestions (seed 001's paths) ---- */

int analysis_api_suggest(zm_req_t *r)
{
    json_object *body;
    const char *resume_id, *jd;
    rv_outcome_t o;
    zm_form_t f;
    int rc;

    if ((rc = zm_req_json_body(r, &body)) != ZM_OK) {
        return rc;
    }
    zm_form_init(&f, r);
    resume_id = zm_form_str(&f, body, "resume_id", 1, 36);
    jd = zm_form_str(&f, body, "job_description", 1, (size_t)zm_conf_int("analysis.max_jd_chars"));
    if ((rc = zm_form_done(&f)) != ZM_OK) {
        return rc;
    }
    rc = rv_suggestion_create(r->db, r->a, r->user_id, resume_id, jd, &o);
    return reply_outcome(r, rc, &o);
}

int analysis_api_suggestions(zm_req_t *r)
{
    int64_t page, page_size;
    json_object *out;
    int rc;

    if (page_args(r, &page, &page_size) != ZM_OK) {
        return ZM_OK;
    }
    rc = rv_suggestion_list(r->db, r->a, r->user_id, page, page_size, &out);
    return reply_found(r, rc, out, "建议不存在");
}

int analysis_api_suggestion(zm_req_t *r)
{
    json_object *out;
    int rc = rv_suggestion_get(r->db, r->a, r->user_id, zm_req_param(r, "suggestionId"), &out);

    return reply_found(r, rc, out, "建议不存在");
}

int analysis_api_feedback(zm_req_t *r)
{
    json_object *body, *out;
    const char *comment;
    zm_form_t f;
    int helpful, rc;

    if ((rc = zm_req_json_body(r, &body)) != ZM_OK) {
        return rc;
    }
    zm_form_init(&f, r);
    helpful = zm_form_bool(&f, body, "is_helpful");
    if (helpful < 0 && f.fields == NULL) {
        zm_form_error(&f, "is_helpful", "此字段为必填项");
    }
    comment = zm_form_str(&f, body, "comment", 0, 2000);
    if ((rc = zm_form_done(&f)) != ZM_OK) {
        return rc;
    }
    rc = rv_suggestion_feedback(r->db, r->a, r->user_id, zm_req_param(r, "suggestionId"), helpful, comment, &out);
    if (rc == ZM_OK) {
        return zm_reply_data(r, 201, out);
    }
    return reply_found(r, rc, NULL, "建议不存在");
}

/* ---- resume diagnosis ---- */

int analysis_api_diagnose(zm_req_t *r)
{
    json_object *body;
    const char *resume_id, *role;
    rv_outcome_t o;
    zm_form_t f;
    int rc;

    if ((rc = zm_req_json_body(r, &body)) != ZM_OK) {
        return rc;
    }
    zm_form_init(&f, r);
    resume_id = zm_form_str(&f, body, "resume_id", 1, 36);
    role = zm_form_str(&f, body, "target_role", 0, (size_t)zm_conf_int("analysis.max_role_chars"));
    if ((rc = zm_form_done(&f)) != ZM_OK) {
        return rc;
    }
    rc = rv_analysis_start(r->db, r->a, r->user_id, "diagnosis", resume_id, role && role[0] ? role : NULL, NULL, 0, &o);
    return reply_outcome(r, rc, &o);
}

static int history(zm_req_t *r, const char *kind)
{
    int64_t page, page_size;
    json_object *out;
    int rc;

    if (page_args(r, &page, &page_size) != ZM_OK) {
        return ZM_OK;
    }
    rc = rv_analysis_history(r->db, r->a, r->user_id, kind, page, page_size, &out);
    return reply_found(r, rc, out, "记录不存在");
}

int analysis_api_diagnosis_history(zm_req_t *r)
{
    return history(r, "diagnosis");
}

int analysis_api_diagnosis(zm_req_t *r)
{
    json_object *out;
    int rc = rv_analysis_get(r->db, r->a, r->user_id, "diagnosis", zm_req_param(r, "id"), &out);

    return reply_found(r, rc, out, "诊断记录不存在");
}

/* ---- interview question prediction ---- */

int analysis_api_interview_upload(zm_req_t *r)
{
    const char *ct = zm_req_env(r, "CONTENT_TYPE");
    json_object *body, *out;
    const char *resume_id;
    zm_form_t f;
    int rc;

    /* a file: the same upload as POST /api/resumes; JSON: an existing resume */
    if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0) {
        return resumes_api_create(r);
    }
    if ((rc = zm_req_json_body(r, &body)) != ZM_OK) {
        return rc;
    }
    zm_form_init(&f, r);
    resume_id = zm_form_str(&f, body, "resume_id", 1, 36);
    if ((rc = zm_form_done(&f)) != ZM_OK) {
        return rc;
    }
    rc = resume_get(r->db, r->a, r->user_id, resume_id, &out);
    return reply_found(r, rc, out, "简历不存在");
}

int analysis_api_interview_generate(zm_req_t *r)
{
    json_object *body, *cv;
    const char *resume_id, *jd, *role;
    int64_t count = 10;
    rv_outcome_t o;
    zm_form_t f;
    int rc;

    if ((rc = zm_req_json_body(r, &body)) != ZM_OK) {
        return rc;
    }
    zm_form_init(&f, r);
    resume_id = zm_form_str(&f, body, "resume_id", 1, 36);
    jd = zm_form_str(&f, body, "job_description", 0, (size_t)zm_conf_int("analysis.max_jd_chars"));
    role = zm_form_str(&f, body, "target_role", 0, (size_t)zm_conf_int("analysis.max_role_chars"));
    if (json_object_object_get_ex(body, "count", &cv) && cv != NULL) {
        if (!json_object_is_type(cv, json_type_int) || json_object_get_int64(cv) < 1 ||
            json_object_get_int64(cv) > 50) {
            zm_form_error(&f, "count", "应为 1 到 50 的整数");
        } else {
            count = json_object_get_int64(cv);
        }
    }
    if ((jd == NULL || jd[0] == '\0') && (role == NULL || role[0] == '\0') && f.fields == NULL) {
        zm_form_error(&f, "job_description", "请填写职位描述或目标岗位");
    }
    if ((rc = zm_form_done(&f)) != ZM_OK) {
        return rc;
    }
    rc = rv_analysis_start(r->db, r->a, r->user_id, "interview", resume_id, role && role[0] ? role : NULL,
                           jd && jd[0] ? jd : NULL, (int)count, &o);
    return reply_outcome(r, rc, &o);
}

int analysis_api_interview_history(zm_req_t *r)
{
    return history(r, "interview");
}

int analysis_api_interview(zm_req_t *r)
{
    json_object *out;
    int rc = rv_analysis_get(r->db, r->a, r->user_id, "interview", zm_req_param(r, "id"), &out);

    return reply_found(r, rc, out, "押题记录不存在");
}

/* ---- tasks ---- */
