/*
 * api.c -- the seed's match paths: parse, validate, call matching.h,
 * render.  Answers keep the seed's envelope: {"success": true, ...}; a
 * failure is {"success": false, "message": ..., "error": {"code", "message"}}.
 * A job the caller may not match (another HR's, or none) is 404.
 */
#include "matching_api.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "matching.h"
#include "resumes_api.h"
#include "str.h"
#include "uuid.h"

static jobs_actor_t actor(zm_req_t *r)
{
    jobs_actor_t who = {r->user_id, r->role == ZM_ROLE_ADMIN};
    return who;
}

/* the seed's failure: success false with the message at the top, and the tree's error object */
static int fail(zm_req_t *r, int status, const char *code, const char *message)
{
    json_object *o = zm_req_own(r, json_object_new_object()), *e = json_object_new_object();
    const char *s;

    json_object_object_add(o, "success", json_object_new_boolean(0));
    json_object_object_add(o, "message", json_object_new_string(message));
    json_object_object_add(e, "code", json_object_new_string(code));
    json_object_object_add(e, "message", json_object_new_string(message));
    json_object_object_add(o, "error", e);
    s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    return zm_reply_raw(r, status, "application/json", s, strlen(s));
}

static int reply_rc(zm_req_t *r, int rc)
{
    switch (rc) {
    case ZM_ENOTFOUND:
        return fail(r, 404, "not_found", "职位不存在");
    case MATCH_EPRIORITY:
        return fail(r, 400, "validation_error", "priority 应为 high、normal 或 low");
    case MATCH_ENORUN:
        return fail(r, 409, "not_running", "该职位没有进行中的匹配任务");
    case MATCH_EINVITED:
        return fail(r, 409, "already_invited", "已邀请过该候选人投递此职位");
    case MATCH_ENOTOPEN:
        return fail(r, 409, "job_not_open", "职位未开放招聘，不能邀请投递");
    case ZM_EINVAL:
        return fail(r, 400, "validation_error", "message 应为不超过 500 个字符的文本");
    case MATCH_ENOTRANKED:
        return fail(r, 404, "not_found", "该简历不在此职位的匹配结果中");
    default:
        return zm_reply_from_rc(r, rc);
    }
}

static int64_t path_job(zm_req_t *r)
{
    int64_t id;

    return zm_req_param_id(r, "job_id", &id) == ZM_OK && id <= INT32_MAX ? id : 0;
}

int matching_api_start(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t job_id = path_job(r), task_id = 0;
    const char *priority = NULL;
    json_object *body = NULL, *v, *extra = NULL;
    char *s;
    int rc;

    if (r->body_len > 0) {
        if (zm_req_json_body(r, &body) != ZM_OK) {
            return ZM_OK; /* answered: 415 or 400 */
        }
        if (json_object_object_get_ex(body, "priority", &v) && v != NULL) {
            if (!json_object_is_type(v, json_type_string)) {
                return reply_rc(r, MATCH_EPRIORITY);
            }
            priority = json_object_get_string(v);
        }
        if (json_object_object_get_ex(body, "job_id", &v) && v != NULL) {
            /* the seed sends 1; "1" is accepted too; it must be the path's job */
            int64_t b = 0;
            if (json_object_is_type(v, json_type_int)) {
                b = json_object_get_int64(v);
            } else if (json_object_is_type(v, json_type_string)) {
                const char *t = json_object_get_string(v);
                char *end;
                b = (*t >= '0' && *t <= '9') ? strtoll(t, &end, 10) : -1;
                if (b >= 0 && *end != '\0') {
                    b = -1;
                }
            } else {
                b = -1;
            }
            if (b != job_id) {
                return fail(r, 400, "validation_error", "请求体中的 job_id 与路径中的职位不一致");
            }
        }
    }
    if (priority && strcmp(priority, "high") != 0 && strcmp(priority, "normal") != 0 && strcmp(priority, "low") != 0) {
        return reply_rc(r, MATCH_EPRIORITY);
    }
    if (job_id == 0) {
        return reply_rc(r, ZM_ENOTFOUND);
    }
    if (body && zm_conf_int("tasks.test_handlers")) {
        /* tests only: a slow run (pace and batch size reach the run through its queue payload) */
        extra = zm_req_own(r, json_object_new_object());
        if (json_object_object_get_ex(body, "test_pace_ms", &v) && json_object_is_type(v, json_type_int)) {
            json_object_object_add(extra, "test_pace_ms", json_object_get(v));
        }
        if (json_object_object_get_ex(body, "test_batch", &v) && json_object_is_type(v, json_type_int)) {
            json_object_object_add(extra, "test_batch", json_object_get(v));
        }
    }
    rc = match_start(r->db, r->a, &who, job_id, priority, extra, &task_id);
    if (rc == ZM_EAGAIN) {
        rc = match_start(r->db, r->a, &who, job_id, priority, extra, &task_id);
    }
    if (rc != ZM_OK) {
        return reply_rc(r, rc);
    }
    json_object *o = zm_req_own(r, json_object_new_object());
    json_object_object_add(o, "success", json_object_new_boolean(1));
    json_object_object_add(o, "task_id",
                           json_object_new_string(zm_psprintf(r->a, "match_task_%lld", (long long)task_id)));
    json_object_object_add(o, "message", json_object_new_string("匹配任务已启动"));
    s = (char *)json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    return zm_reply_raw(r, 200, "application/json", s, strlen(s));
}

int matching_api_status(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t job_id = path_job(r);
    json_object *out = NULL;
    int rc;

    if (job_id == 0) {
        return reply_rc(r, ZM_ENOTFOUND);
    }
    rc = match_status(r->db, r->a, &who, job_id, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : reply_rc(r, rc);
}

int matching_api_result(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t job_id = path_job(r), page, page_size, min_score;
    json_object *out = NULL;
    int rc;

    if (zm_req_query_int(r, "page", 1, 1, 1000000, &page) != ZM_OK ||
        zm_req_query_int(r, "page_size", 20, 1, 100, &page_size) != ZM_OK ||
        zm_req_query_int(r, "min_score", 0, 0, 100, &min_score) != ZM_OK) {
        return ZM_OK; /* answered: 400 */
    }
    if (job_id == 0) {
        return reply_rc(r, ZM_ENOTFOUND);
    }
    rc = match_result(r->db, r->a, &who, job_id, page, page_size, (double)min_score, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : reply_rc(r, rc);
}

int matching_api_cancel(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t job_id = path_job(r);
    int rc;

    if (job_id == 0) {
        return reply_rc(r, ZM_ENOTFOUND);
    }
    rc = match_cancel(r->db, r->a, &who, job_id);
    if (rc != ZM_OK) {
        return reply_rc(r, rc);
    }
    json_object *o = json_object_new_object();
    json_object_object_add(o, "job_id", json_object_new_int64(job_id));
    json_object_object_add(o, "status", json_object_new_string("cancelled"));
    return zm_reply_data(r, 200, o);
}

/* {"resume_id": the result row's id (dashed or plain hex), "message"?: at most 500 characters} */
int matching_api_invite(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t job_id = path_job(r);
    json_object *body = NULL, *v, *out = NULL;
    const char *resume_id, *message = NULL;
    int rc;

    if (zm_req_json_body(r, &body) != ZM_OK) {
        return ZM_OK; /* answered: 415 or 400 */
    }
    if (!json_object_is_type(body, json_type_object)) {
        return fail(r, 400, "validation_error", "请求体应为 JSON 对象");
    }
    if (!json_object_object_get_ex(body, "resume_id", &v) || !json_object_is_type(v, json_type_string) ||
        !zm_uuid_valid(json_object_get_string(v))) {
        return fail(r, 400, "validation_error", "resume_id 应为匹配结果中的简历 id");
    }
    resume_id = json_object_get_string(v);
    if (json_object_object_get_ex(body, "message", &v) && v != NULL) {
        if (!json_object_is_type(v, json_type_string)) {
            return fail(r, 400, "validation_error", "message 应为文本");
        }
        message = json_object_get_string(v);
        if (!zm_utf8_valid(message, (size_t)json_object_get_string_len(v)) ||
            zm_utf8_chars(message, (size_t)json_object_get_string_len(v)) > MATCH_INVITE_MESSAGE_MAX) {
            return reply_rc(r, ZM_EINVAL);
        }
    }
    if (job_id == 0) {
        return reply_rc(r, ZM_ENOTFOUND);
    }
    rc = match_invite(r->db, r->a, &who, job_id, resume_id, message, &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : reply_rc(r, rc);
}

/* HR opens the resume file of a candidate in the job's current ranking (discoverable = opted in) */
int matching_api_candidate_resume(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t job_id = path_job(r), user_id = 0;
    const char *resume_id = zm_req_param(r, "resume_id"), *version_id = NULL;
    int rc;

    if (job_id == 0 || resume_id == NULL || !zm_uuid_valid(resume_id)) {
        return reply_rc(r, MATCH_ENOTRANKED);
    }
    rc = match_candidate_file(r->db, r->a, &who, job_id, resume_id, &user_id, &version_id);
    if (rc != ZM_OK) {
        return reply_rc(r, rc);
    }
    return resumes_api_send_file(r, user_id, version_id, "简历文件不存在");
}
