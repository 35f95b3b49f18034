/*
 * api.c -- the seed's match paths: parse, validate, call matching.h,
 * render.  The routes answer in the seed's envelope (ZM_REPLY_SEED,
 * module.c): {"success": true, ...}; a failure -- auth, body, form or a
 * code below -- is {"success": false, "message": ..., "error": {"code",
 * "message"}}.  A job the caller may not match (another HR's, or none) is
 * 404.
 */
#include "matching_api.h"

#include <stdint.h>

#include "conf.h"
#include "matching.h"
#include "resumes_api.h"
#include "uuid.h"

static const zm_error_map_t match_errors[] = {
    {ZM_ENOTFOUND, 404, "not_found", "职位不存在"},
    {MATCH_EPRIORITY, 400, "validation_error", "priority 应为 high、normal 或 low"},
    {MATCH_ENORUN, 409, "not_running", "该职位没有进行中的匹配任务"},
    {MATCH_EINVITED, 409, "already_invited", "已邀请过该候选人投递此职位"},
    {MATCH_ENOTOPEN, 409, "job_not_open", "职位未开放招聘，不能邀请投递"},
    {ZM_EINVAL, 400, "validation_error", "message 应为不超过 500 个字符的文本"},
    {MATCH_ENOTRANKED, 404, "not_found", "该简历不在此职位的匹配结果中"},
};

static const char *const priorities[] = {"high", "normal", "low", NULL};

static jobs_actor_t actor(zm_req_t *r)
{
    jobs_actor_t who = {r->user_id, r->role == ZM_ROLE_ADMIN};
    return who;
}

/* the path's job; 0 (answered as no such job) when it is not an id */
static int64_t path_job(zm_req_t *r)
{
    int64_t id;

    return zm_req_param_id(r, "job_id", &id) == ZM_OK && id <= INT32_MAX ? id : 0;
}

/* {"job_id"?: the path's (1 or "1"), "priority"?: high|normal|low}; no body at all is fine */
int matching_api_start(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t job_id = path_job(r), task_id = 0, body_job;
    json_object *extra = NULL, *o;
    zm_form_t f;
    int prio, rc;

    if (r->body_len > 0 ? zm_form_json(&f, r, NULL) != ZM_OK : (zm_form_init(&f, r), 0)) {
        return ZM_OK; /* answered: 415 or 400 */
    }
    zm_form_say(&f, "priority", "priority 应为 high、normal 或 low");
    zm_form_say(&f, "job_id", "请求体中的 job_id 与路径中的职位不一致");
    prio = zm_form_enum(&f, "priority", 0, priorities, "priority 应为 high、normal 或 low");
    body_job = zm_form_id_text(&f, "job_id", 0);
    if (body_job != 0 && body_job != job_id) {
        zm_form_error(&f, "job_id", "请求体中的 job_id 与路径中的职位不一致");
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK; /* answered: 400 */
    }
    if (job_id == 0) {
        return ZM_REPLY_MAPPED(r, match_errors, ZM_ENOTFOUND);
    }
    if (f.body && zm_conf_int("tasks.test_handlers")) {
        /* tests only: a slow run (pace and batch size reach the run through its queue payload) */
        int64_t pace = zm_form_int(&f, "test_pace_ms", 0, 0, 60000, 0),
                batch = zm_form_int(&f, "test_batch", 0, 0, 1000000, 0);
        extra = zm_req_own(r, json_object_new_object());
        if (pace > 0) {
            json_object_object_add(extra, "test_pace_ms", json_object_new_int64(pace));
        }
        if (batch > 0) {
            json_object_object_add(extra, "test_batch", json_object_new_int64(batch));
        }
    }
    const char *priority = prio >= 0 ? priorities[prio] : NULL;
    rc = match_start(r->db, r->a, &who, job_id, priority, extra, &task_id);
    if (rc == ZM_EAGAIN) {
        rc = match_start(r->db, r->a, &who, job_id, priority, extra, &task_id);
    }
    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, match_errors, rc);
    }
    /* the seed's answer: task_id and message at the top, not under data */
    o = json_object_new_object();
    json_object_object_add(o, "success", json_object_new_boolean(1));
    json_object_object_add(o, "task_id",
                           json_object_new_string(zm_psprintf(r->a, "match_task_%lld", (long long)task_id)));
    json_object_object_add(o, "message", json_object_new_string("匹配任务已启动"));
    return zm_reply_json(r, 200, o);
}

int matching_api_status(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t job_id = path_job(r);
    json_object *out = NULL;
    int rc = job_id ? match_status(r->db, r->a, &who, job_id, &out) : ZM_ENOTFOUND;

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, match_errors, rc);
}

/* ?page=&page_size=&min_score= */
int matching_api_result(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t job_id = path_job(r), min_score;
    json_object *out = NULL;
    zm_page_t page;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK ||
        zm_req_query_int(r, "min_score", 0, 0, 100, &min_score) != ZM_OK) {
        return ZM_OK; /* answered: 400 */
    }
    rc = job_id ? match_result(r->db, r->a, &who, job_id, page.page, page.size, (double)min_score, &out) : ZM_ENOTFOUND;
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, match_errors, rc);
}

int matching_api_cancel(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t job_id = path_job(r);
    int rc = job_id ? match_cancel(r->db, r->a, &who, job_id) : ZM_ENOTFOUND;
    json_object *o;

    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, match_errors, rc);
    }
    o = json_object_new_object();
    json_object_object_add(o, "job_id", json_object_new_int64(job_id));
    json_object_object_add(o, "status", json_object_new_string("cancelled"));
    return zm_reply_data(r, 200, o);
}

/* {"resume_id": the result row's id (dashed or plain hex), "message"?: at most 500 characters} */
int matching_api_invite(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t job_id = path_job(r);
    json_object *out = NULL;
    const char *resume_id, *message;
    zm_form_t f;
    int rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK; /* answered: 415 or 400 */
    }
    zm_form_say(&f, "resume_id", "resume_id 应为匹配结果中的简历 id");
    zm_form_say(&f, "message", "message 应为不超过 500 个字符的文本");
    resume_id = zm_form_str(&f, "resume_id", 1, 36);
    if (resume_id && !zm_uuid_valid(resume_id)) {
        zm_form_error(&f, "resume_id", "");
    }
    message = zm_form_str(&f, "message", 0, MATCH_INVITE_MESSAGE_MAX);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK; /* answered: 400 */
    }
    rc = job_id ? match_invite(r->db, r->a, &who, job_id, resume_id, message, &out) : ZM_ENOTFOUND;
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : ZM_REPLY_MAPPED(r, match_errors, rc);
}

/* HR opens the resume file of a candidate in the job's current ranking (discoverable = opted in) */
int matching_api_candidate_resume(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t job_id = path_job(r), user_id = 0;
    const char *resume_id = zm_req_param(r, "resume_id"), *version_id = NULL;
    int rc = MATCH_ENOTRANKED;

    if (job_id != 0 && resume_id != NULL && zm_uuid_valid(resume_id)) {
        rc = match_candidate_file(r->db, r->a, &who, job_id, resume_id, &user_id, &version_id);
    }
    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, match_errors, rc);
    }
    return resumes_api_send_file(r, user_id, version_id, "简历文件不存在");
}
