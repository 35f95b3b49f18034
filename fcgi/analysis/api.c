/*
 * api.c -- suggestions, diagnoses, interview predictions over HTTP:
 * parse, validate, call review.h, render.
 */
#include "analysis_api.h"

#include <string.h>
#include <strings.h>

#include "conf.h"
#include "points_api.h"
#include "resumes.h"
#include "resumes_api.h"
#include "review.h"

/* what a missing record answers, by the kind of record */
static const zm_error_map_t suggestion_errors[] = {{ZM_ENOTFOUND, 404, "not_found", "建议不存在"}};
static const zm_error_map_t history_errors[] = {{ZM_ENOTFOUND, 404, "not_found", "记录不存在"}};
static const zm_error_map_t diagnosis_errors[] = {{ZM_ENOTFOUND, 404, "not_found", "诊断记录不存在"}};
static const zm_error_map_t interview_errors[] = {{ZM_ENOTFOUND, 404, "not_found", "押题记录不存在"}};
static const zm_error_map_t resume_errors[] = {{ZM_ENOTFOUND, 404, "not_found", "简历不存在"}};

/* A new suggestion or analysis: 201 with it when done in the request, 202 when queued. */
static int reply_outcome(zm_req_t *r, int rc, const rv_outcome_t *o)
{
    if (rc == ZM_OK && o->data) {
        return zm_reply_data(r, o->task_id ? 202 : 201, o->data);
    }
    if (rc == ZM_OK) {
        json_object *d = json_object_new_object();
        json_object_object_add(d, "task_id", json_object_new_int64(o->task_id));
        json_object_object_add(d, "state", json_object_new_string("queued"));
        return zm_reply_data(r, 202, d);
    }
    if (rc == POINTS_ESHORT) {
        return points_reply_short(r, o->shortfall, o->balance, o->price);
    }
    if (rc == RV_ELIMIT) {
        return zm_reply_limited(r, o->retry_after > 0 ? o->retry_after : 60, o->why);
    }
    {
        /* the resume's missing text: o->why says what became of it */
        const zm_error_map_t errors[] = {
            {ZM_ENOTFOUND, 404, "not_found", "简历不存在"},
            {RV_ENOTEXT, 409, "resume_text_unavailable", o->why},
        };
        return ZM_REPLY_MAPPED(r, errors, rc);
    }
}

/* ---- suggestions (seed 001's paths) ---- */

int analysis_api_suggest(zm_req_t *r)
{
    const char *resume_id, *jd;
    rv_outcome_t o;
    zm_form_t f;
    int rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    resume_id = zm_form_str(&f, "resume_id", 1, 36);
    jd = zm_form_str(&f, "job_description", 1, (size_t)zm_conf_int("analysis.max_jd_chars"));
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = rv_suggestion_create(r->db, r->a, r->user_id, resume_id, jd, &o);
    return reply_outcome(r, rc, &o);
}

int analysis_api_suggestions(zm_req_t *r)
{
    zm_page_t page;
    json_object *items;
    int64_t total;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK) {
        return ZM_OK;
    }
    rc = rv_suggestion_list(r->db, r->a, r->user_id, page.page, page.size, &items, &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : ZM_REPLY_MAPPED(r, suggestion_errors, rc);
}

int analysis_api_suggestion(zm_req_t *r)
{
    json_object *out;
    int rc = rv_suggestion_get(r->db, r->a, r->user_id, zm_req_param(r, "suggestionId"), &out);

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, suggestion_errors, rc);
}

int analysis_api_feedback(zm_req_t *r)
{
    json_object *out;
    const char *comment;
    zm_form_t f;
    int helpful, rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    helpful = zm_form_bool(&f, "is_helpful", 1);
    comment = zm_form_str(&f, "comment", 0, 2000);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = rv_suggestion_feedback(r->db, r->a, r->user_id, zm_req_param(r, "suggestionId"), helpful, comment, &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : ZM_REPLY_MAPPED(r, suggestion_errors, rc);
}

/* ---- resume diagnosis ---- */

int analysis_api_diagnose(zm_req_t *r)
{
    const char *resume_id, *role;
    rv_outcome_t o;
    zm_form_t f;
    int rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    resume_id = zm_form_str(&f, "resume_id", 1, 36);
    role = zm_form_str(&f, "target_role", 0, (size_t)zm_conf_int("analysis.max_role_chars"));
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = rv_analysis_start(r->db, r->a, r->user_id, "diagnosis", resume_id, role && role[0] ? role : NULL, NULL, 0, &o);
    return reply_outcome(r, rc, &o);
}

static int history(zm_req_t *r, const char *kind)
{
    zm_page_t page;
    json_object *items;
    int64_t total;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK) {
        return ZM_OK;
    }
    rc = rv_analysis_history(r->db, r->a, r->user_id, kind, page.page, page.size, &items, &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : ZM_REPLY_MAPPED(r, history_errors, rc);
}

int analysis_api_diagnosis_history(zm_req_t *r)
{
    return history(r, "diagnosis");
}

int analysis_api_diagnosis(zm_req_t *r)
{
    json_object *out;
    int rc = rv_analysis_get(r->db, r->a, r->user_id, "diagnosis", zm_req_param(r, "id"), &out);

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, diagnosis_errors, rc);
}

/* ---- interview question prediction ---- */

int analysis_api_interview_upload(zm_req_t *r)
{
    const char *ct = zm_req_env(r, "CONTENT_TYPE");
    json_object *out;
    const char *resume_id;
    zm_form_t f;
    int rc;

    /* a file: the same upload as POST /api/resumes; JSON: an existing resume */
    if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0) {
        return resumes_api_create(r);
    }
    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    resume_id = zm_form_str(&f, "resume_id", 1, 36);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = resume_get(r->db, r->a, r->user_id, resume_id, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, resume_errors, rc);
}

int analysis_api_interview_generate(zm_req_t *r)
{
    const char *resume_id, *jd, *role;
    int64_t count;
    rv_outcome_t o;
    zm_form_t f;
    int rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    resume_id = zm_form_str(&f, "resume_id", 1, 36);
    jd = zm_form_str(&f, "job_description", 0, (size_t)zm_conf_int("analysis.max_jd_chars"));
    role = zm_form_str(&f, "target_role", 0, (size_t)zm_conf_int("analysis.max_role_chars"));
    count = zm_form_int(&f, "count", 0, 1, 50, 10);
    if ((jd == NULL || jd[0] == '\0') && (role == NULL || role[0] == '\0') && !zm_form_failed(&f)) {
        zm_form_error(&f, "job_description", "请填写职位描述或目标岗位");
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
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

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, interview_errors, rc);
}
