/*
 * api.c -- the handlers of fcgi/jobs: parse, validate, call the domain
 * (jobs.h), render.  Every bad input is answered with its field errors
 * before anything is written; ids the caller may not see are 404.
 */
#include "jobs_api.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"
#include "resumes.h"
#include "resumes_api.h"
#include "uuid.h"

static jobs_actor_t actor(zm_req_t *r)
{
    jobs_actor_t who = {r->user_id, r->role == ZM_ROLE_ADMIN};
    return who;
}

/* a path's id (http.h's reader), at most INT(11)'s range; else 0 */
static int64_t path_id(zm_req_t *r, const char *name)
{
    int64_t id;

    return zm_req_param_id(r, name, &id) == ZM_OK && id <= INT32_MAX ? id : 0;
}

/* the seed's string form of an id in a body ("1"): a positive decimal, at most INT(11)'s range; else 0 */
static int64_t parse_id(const char *s)
{
    int64_t v = 0;

    if (s == NULL || *s == '\0' || strlen(s) > 10) {
        return 0;
    }
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p)) {
            return 0;
        }
        v = v * 10 + (*p - '0');
    }
    return v <= 2147483647 ? v : 0;
}

static const zm_error_map_t jobs_errors[] = {
    {ZM_EDUP, 409, "already_applied", "您已申请过该职位"},
    {JOBS_ECLOSED, 409, "job_closed", "该职位已关闭，不再接受申请"},
    {JOBS_ESTATE, 409, "invalid_transition", "当前状态不允许此操作（状态可能已被更改，请刷新）"},
    {JOBS_ERESUME, 404, "not_found", "简历不存在"},
};

/* what is missing words its own 404 ("职位不存在", "申请不存在") */
static int reply_rc(zm_req_t *r, int rc, const char *what)
{
    return rc == ZM_ENOTFOUND ? zm_reply_error(r, 404, "not_found", what, NULL) : ZM_REPLY_MAPPED(r, jobs_errors, rc);
}

/* out by address: it is read after rc's call has filled it, whatever the order of evaluation */
static int reply_out(zm_req_t *r, int rc, int status, json_object **out, const char *what)
{
    return rc == ZM_OK ? zm_reply_data(r, status, *out) : reply_rc(r, rc, what);
}

/* http.h's paging with this list's largest page */
static int page_args(zm_req_t *r, int64_t max, int64_t *page, int64_t *page_size)
{
    zm_page_t p;

    if (zm_req_page(r, max, &p) != ZM_OK) {
        return ZM_EINVAL;
    }
    *page = p.page;
    *page_size = p.size;
    return ZM_OK;
}

/* a query parameter as text of at most max characters; NULL when absent or empty */
static const char *query_text(zm_req_t *r, zm_form_t *f, const char *name, size_t max)
{
    const char *v = zm_req_query(r, name);

    if (v == NULL || *v == '\0') {
        return NULL;
    }
    if (zm_utf8_chars(v, strlen(v)) > max) {
        zm_form_error(f, name, zm_psprintf(r->a, "最多 %zu 个字符", max));
        return NULL;
    }
    return v;
}

/* ---- jobs ---- */

/* responsibilities / requirements: a list of non-empty strings, stored as JSON text */
static const char *form_list(zm_req_t *r, zm_form_t *f, json_object *body, const char *key)
{
    json_object *v, *out;
    const char *s;
    size_t n;

    if (!json_object_object_get_ex(body, key, &v) || v == NULL) {
        return NULL;
    }
    if (!json_object_is_type(v, json_type_array)) {
        zm_form_error(f, key, "应为字符串列表");
        return NULL;
    }
    n = json_object_array_length(v);
    if (n > JOBS_MAX_ITEMS) {
        zm_form_error(f, key, zm_psprintf(r->a, "最多 %d 条", JOBS_MAX_ITEMS));
        return NULL;
    }
    out = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(v, i);
        size_t len;
        if (!json_object_is_type(e, json_type_string)) {
            zm_form_error(f, key, "每一条都应为字符串");
            json_object_put(out);
            return NULL;
        }
        len = (size_t)json_object_get_string_len(e);
        if (strlen(json_object_get_string(e)) != len || zm_utf8_chars(json_object_get_string(e), len) > JOBS_MAX_ITEM) {
            zm_form_error(f, key, zm_psprintf(r->a, "每一条最多 %d 个字符，且不能包含 NUL", JOBS_MAX_ITEM));
            json_object_put(out);
            return NULL;
        }
        json_object_array_add(out, json_object_get(e));
    }
    s = zm_pstrdup(r->a, json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(out);
    return s;
}

/* The job fields of body; required: name and company (creating).  ZM_OK or answered. */
static int read_job(zm_req_t *r, zm_form_t *f, json_object *body, int creating, job_input_t *in)
{
    int smin, smax;
    const char *why;

    memset(in, 0, sizeof(*in));
    in->name = zm_form_str(f, "name", creating, JOBS_MAX_NAME);
    in->company = zm_form_str(f, "company", creating, JOBS_MAX_COMPANY);
    in->city = zm_form_str(f, "city", 0, JOBS_MAX_CITY);
    in->salary = zm_form_str(f, "salary", 0, JOBS_MAX_SHORT);
    in->education = zm_form_str(f, "education", 0, JOBS_MAX_SHORT);
    in->years_of_working = zm_form_str(f, "years_of_working", 0, JOBS_MAX_SHORT);
    in->language = zm_form_str(f, "language", 0, JOBS_MAX_SHORT);
    in->description = zm_form_str(f, "description", 0, JOBS_MAX_DESCRIPTION);
    in->status = zm_form_str(f, "status", 0, 16);
    in->responsibilities = form_list(r, f, body, "responsibilities");
    in->requirements = form_list(r, f, body, "requirements");
    if (!creating) {
        /* a name or company cannot become empty */
        if (in->name && in->name[0] == '\0') {
            zm_form_error(f, "name", "此字段不能为空");
        }
        if (in->company && in->company[0] == '\0') {
            zm_form_error(f, "company", "此字段不能为空");
        }
    }
    if (in->salary && job_salary_parse(in->salary, &smin, &smax, &why) != ZM_OK) {
        zm_form_error(f, "salary", why);
    }
    if (in->status && !job_status_valid(in->status)) {
        zm_form_error(f, "status", "应为 draft、open 或 closed");
    }
    return zm_form_done(f);
}

int jobs_api_hr_create(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    json_object *body, *out = NULL;
    job_input_t in;
    zm_form_t f;
    int rc;

    if (zm_form_json(&f, r, &body) != ZM_OK || read_job(r, &f, body, 1, &in) != ZM_OK) {
        return ZM_OK; /* answered: 415 or 400 */
    }
    rc = job_create(r->db, r->a, &who, &in, &out);
    return reply_out(r, rc, 201, &out, "职位不存在");
}

int jobs_api_hr_list(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t page, page_size;
    const char *status = zm_req_query(r, "status");
    json_object *out = NULL;
    int rc;

    if (page_args(r, 100, &page, &page_size) != ZM_OK) {
        return ZM_OK;
    }
    if (status && *status == '\0') {
        status = NULL;
    }
    if (status && !job_status_valid(status)) {
        return zm_reply_field_error(r, "status", "应为 draft、open 或 closed");
    }
    rc = job_list(r->db, r->a, &who, status, page, page_size, &out);
    return reply_out(r, rc, 200, &out, "职位不存在");
}

int jobs_api_hr_get(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t id = path_id(r, "id");
    json_object *out = NULL;

    if (id == 0) {
        return reply_rc(r, ZM_ENOTFOUND, "职位不存在");
    }
    return reply_out(r, job_get(r->db, r->a, &who, id, &out), 200, &out, "职位不存在");
}

int jobs_api_hr_update(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t id = path_id(r, "id");
    json_object *body, *out = NULL;
    job_input_t in;
    zm_form_t f;
    int rc;

    if (zm_form_json(&f, r, &body) != ZM_OK || read_job(r, &f, body, 0, &in) != ZM_OK) {
        return ZM_OK; /* answered: 415 or 400 */
    }
    if (id == 0) {
        return reply_rc(r, ZM_ENOTFOUND, "职位不存在");
    }
    rc = job_update(r->db, r->a, &who, id, &in, &out);
    return reply_out(r, rc, 200, &out, "职位不存在");
}

int jobs_api_hr_delete(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t id = path_id(r, "id");
    int rc;

    if (id == 0) {
        return reply_rc(r, ZM_ENOTFOUND, "职位不存在");
    }
    rc = job_delete(r->db, r->a, &who, id);
    return rc == ZM_OK ? zm_reply_no_content(r) : reply_rc(r, rc, "职位不存在");
}

int jobs_api_detail(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t id = path_id(r, "job_id");
    json_object *out = NULL;

    if (id == 0) {
        return reply_rc(r, ZM_ENOTFOUND, "职位不存在");
    }
    return reply_out(r, job_detail(r->db, r->a, &who, id, &out), 200, &out, "职位不存在");
}

/* ---- applications ---- */

/* job_id as a number or the seed's string form ("1") */
static int64_t body_id(zm_form_t *f, json_object *body, const char *key)
{
    json_object *v;
    int64_t id = 0;

    if (!json_object_object_get_ex(body, key, &v) || v == NULL) {
        zm_form_error(f, key, "此字段为必填项");
        return 0;
    }
    if (json_object_is_type(v, json_type_int)) {
        id = json_object_get_int64(v);
        id = id > 0 && id <= 2147483647 ? id : 0;
    } else if (json_object_is_type(v, json_type_string)) {
        id = parse_id(json_object_get_string(v));
    }
    if (id == 0) {
        zm_form_error(f, key, "应为正整数 id");
    }
    return id;
}

int jobs_api_apply(zm_req_t *r)
{
    json_object *body, *out = NULL;
    const char *resume_id;
    char hex[33];
    int64_t job_id;
    zm_form_t f;
    int rc;

    if (zm_form_json(&f, r, &body) != ZM_OK) {
        return ZM_OK; /* answered: 415 or 400 */
    }
    job_id = body_id(&f, body, "job_id");
    resume_id = zm_form_str(&f, "resume_id", 1, 36);
    if (resume_id && zm_uuid_parse(resume_id, hex) != ZM_OK) {
        zm_form_error(&f, "resume_id", "应为简历的 UUID");
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK; /* answered: 400 with the fields */
    }
    rc = app_create(r->db, r->a, r->user_id, job_id, resume_id, &out);
    return reply_out(r, rc, 201, &out, "职位不存在或未开放");
}

int jobs_api_my_applications(zm_req_t *r)
{
    int64_t page, page_size;
    json_object *out = NULL;

    if (page_args(r, 100, &page, &page_size) != ZM_OK) {
        return ZM_OK;
    }
    return reply_out(r, app_list_mine(r->db, r->a, r->user_id, page, page_size, &out), 200, &out, "申请不存在");
}

int jobs_api_withdraw(zm_req_t *r)
{
    int64_t id = path_id(r, "id");
    json_object *out = NULL;

    if (id == 0) {
        return reply_rc(r, ZM_ENOTFOUND, "申请不存在");
    }
    return reply_out(r, app_withdraw(r->db, r->a, r->user_id, id, &out), 200, &out, "申请不存在");
}

int jobs_api_hr_applications(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t id = path_id(r, "id"), page, page_size;
    json_object *out = NULL;

    if (page_args(r, 100, &page, &page_size) != ZM_OK) {
        return ZM_OK;
    }
    if (id == 0) {
        return reply_rc(r, ZM_ENOTFOUND, "职位不存在");
    }
    return reply_out(r, app_list_for_job(r->db, r->a, &who, id, page, page_size, &out), 200, &out, "职位不存在");
}

int jobs_api_hr_application_status(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t id = path_id(r, "id");
    json_object *body, *out = NULL;
    const char *status;
    zm_form_t f;

    if (zm_form_json(&f, r, &body) != ZM_OK) {
        return ZM_OK; /* answered: 415 or 400 */
    }
    status = zm_form_str(&f, "status", 1, 16);
    if (status && !app_status_settable(status)) {
        zm_form_error(&f, "status", "应为 viewed、interviewing、offered 或 rejected");
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK; /* answered: 400 with the fields */
    }
    if (id == 0) {
        return reply_rc(r, ZM_ENOTFOUND, "申请不存在");
    }
    return reply_out(r, app_set_status(r->db, r->a, &who, id, status, &out), 200, &out, "申请不存在");
}

/* HR opens an applicant's resume file: the newest version (resume updated), only for its own jobs */
int jobs_api_hr_application_resume(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t id = path_id(r, "id"), user_id = 0;
    const char *version_id = NULL;
    int rc = id == 0 ? ZM_ENOTFOUND : app_resume_file(r->db, r->a, &who, id, &user_id, &version_id);

    if (rc != ZM_OK) {
        return reply_rc(r, rc, "申请不存在");
    }
    return resumes_api_send_file(r, user_id, version_id, "简历文件不存在");
}

/* ---- export ---- */

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static int reply_file(zm_req_t *r, int rc, const zm_buf_t *csv, const char *file_name, int xlsx)
{
    if (rc == ZM_ETOOBIG) {
        return zm_reply_error(r, 413, "export_too_large", "导出内容过大，请分批导出", NULL);
    }
    if (rc != ZM_OK) {
        return reply_rc(r, rc, "职位不存在");
    }
    zm_reply_header(r, "Content-Disposition", zm_content_disposition(r->a, file_name));
    return zm_reply_raw(r, 200, xlsx ? XLSX_TYPE : "text/csv; charset=utf-8", csv->data ? csv->data : "", csv->len);
}

static int export_jobs(zm_req_t *r, int xlsx)
{
    jobs_actor_t who = actor(r);
    zm_buf_t out = {0};

    return reply_file(r, job_export(r->db, r->a, &who, xlsx, &out), &out, xlsx ? "职位.xlsx" : "职位.csv", xlsx);
}

static int export_applications(zm_req_t *r, int xlsx)
{
    jobs_actor_t who = actor(r);
    int64_t id = path_id(r, "id");
    zm_buf_t out = {0};

    if (id == 0) {
        return reply_rc(r, ZM_ENOTFOUND, "职位不存在");
    }
    return reply_file(r, app_export(r->db, r->a, &who, id, xlsx, &out), &out,
                      zm_psprintf(r->a, "职位%lld-候选人.%s", (long long)id, xlsx ? "xlsx" : "csv"), xlsx);
}

int jobs_api_export_jobs(zm_req_t *r)
{
    return export_jobs(r, 0);
}

int jobs_api_export_jobs_xlsx(zm_req_t *r)
{
    return export_jobs(r, 1);
}

int jobs_api_export_applications(zm_req_t *r)
{
    return export_applications(r, 0);
}

int jobs_api_export_applications_xlsx(zm_req_t *r)
{
    return export_applications(r, 1);
}

/* ---- search ---- */

int jobs_api_search(zm_req_t *r)
{
    job_search_t q;
    const char *sort;
    json_object *out = NULL;
    zm_form_t f;

    memset(&q, 0, sizeof(q));
    if (page_args(r, 50, &q.page, &q.page_size) != ZM_OK ||
        zm_req_query_int(r, "salary_min", -1, 0, JOBS_MAX_SALARY_K, &q.salary_min) != ZM_OK ||
        zm_req_query_int(r, "salary_max", -1, 0, JOBS_MAX_SALARY_K, &q.salary_max) != ZM_OK) {
        return ZM_OK;
    }
    zm_form_init(&f, r);
    q.q = query_text(r, &f, "q", 100);
    q.city = query_text(r, &f, "city", JOBS_MAX_CITY);
    q.education = query_text(r, &f, "education", JOBS_MAX_SHORT);
    q.experience = query_text(r, &f, "experience", JOBS_MAX_SHORT);
    q.language = query_text(r, &f, "language", JOBS_MAX_SHORT);
    sort = zm_req_query(r, "sort");
    if (sort && *sort && strcmp(sort, "relevance") != 0 && strcmp(sort, "newest") != 0) {
        zm_form_error(&f, "sort", "应为 relevance 或 newest");
    }
    q.newest = sort && strcmp(sort, "newest") == 0;
    if (q.salary_min >= 0 && q.salary_max >= 0 && q.salary_min > q.salary_max) {
        zm_form_error(&f, "salary_min", "不能高于 salary_max");
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK; /* answered: 400 with the fields */
    }
    return reply_out(r, job_search(r->db, r->a, r->user_id, &q, &out), 200, &out, "");
}

int jobs_api_session_create(zm_req_t *r)
{
    json_object *body, *filters = NULL, *results = NULL, *out = NULL;
    const char *query, *ftext = "{}";
    int64_t n = 0;
    zm_form_t f;
    int rc;

    if (zm_form_json(&f, r, &body) != ZM_OK) {
        return ZM_OK; /* answered: 415 or 400 */
    }
    query = zm_form_str(&f, "query", 0, 200);
    if (json_object_object_get_ex(body, "filters", &filters) && filters != NULL) {
        if (!json_object_is_type(filters, json_type_object)) {
            zm_form_error(&f, "filters", "应为对象");
        } else {
            ftext = zm_pstrdup(r->a, json_object_to_json_string_ext(filters, JSON_C_TO_STRING_PLAIN));
            if (strlen(ftext) > 4000) {
                zm_form_error(&f, "filters", "过长");
            }
        }
    }
    if (json_object_object_get_ex(body, "results", &results) && results != NULL) {
        n = json_object_is_type(results, json_type_int) ? json_object_get_int64(results) : -1;
        if (n < 0 || n > 2147483647) {
            zm_form_error(&f, "results", "应为非负整数");
        }
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK; /* answered: 400 with the fields */
    }
    rc = search_session_create(r->db, r->a, r->user_id, query, ftext, n, &out);
    return reply_out(r, rc, 201, &out, "");
}

int jobs_api_sessions(zm_req_t *r)
{
    int64_t page, page_size;
    json_object *out = NULL;

    if (page_args(r, 100, &page, &page_size) != ZM_OK) {
        return ZM_OK;
    }
    return reply_out(r, search_session_list(r->db, r->a, r->user_id, page, page_size, &out), 200, &out, "");
}

/* ---- sync ---- */

int jobs_api_sync_status(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    json_object *out = NULL;

    return reply_out(r, sync_status(r->db, r->a, &who, &out), 200, &out, "");
}

/* "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" or with a T */
static int time_ok(const char *s)
{
    static const char *shape = "dddd-dd-dd?dd:dd:dd";
    size_t n = strlen(s);

    if (n != 10 && n != 19) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i], want = shape[i];
        if ((want == 'd' && !isdigit((unsigned char)c)) || (want == '?' && c != ' ' && c != 'T') ||
            (want != 'd' && want != '?' && c != want)) {
            return 0;
        }
    }
    return 1;
}

int jobs_api_sync_logs(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    sync_log_query_t q;
    json_object *out = NULL;
    zm_form_t f;

    memset(&q, 0, sizeof(q));
    if (page_args(r, 200, &q.page, &q.page_size) != ZM_OK ||
        zm_req_query_int(r, "after", 0, 0, INT64_MAX / 2, &q.after) != ZM_OK) {
        return ZM_OK;
    }
    zm_form_init(&f, r);
    q.entity = query_text(r, &f, "entity", 16);
    q.status = query_text(r, &f, "status", 16);
    q.since = query_text(r, &f, "since", 19);
    q.until = query_text(r, &f, "until", 19);
    if (q.entity && strcmp(q.entity, "job") != 0 && strcmp(q.entity, "application") != 0 &&
        strcmp(q.entity, "user") != 0) {
        zm_form_error(&f, "entity", "应为 job、application 或 user");
    }
    if (q.status && strcmp(q.status, "pending") != 0 && strcmp(q.status, "applied") != 0 &&
        strcmp(q.status, "dead") != 0) {
        zm_form_error(&f, "status", "应为 pending、applied 或 dead");
    }
    if (q.since && !time_ok(q.since)) {
        zm_form_error(&f, "since", "应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SS (UTC)");
    }
    if (q.until && !time_ok(q.until)) {
        zm_form_error(&f, "until", "应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM:SS (UTC)");
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK; /* answered: 400 with the fields */
    }
    return reply_out(r, sync_logs(r->db, r->a, &who, &q, &out), 200, &out, "");
}

static int sync_one(zm_req_t *r, const char *scope, const char *param, const char *what)
{
    jobs_actor_t who = actor(r);
    int64_t id = param ? path_id(r, param) : 0, task_id = 0;
    json_object *d;
    int rc;

    if (param && id == 0) {
        return reply_rc(r, ZM_ENOTFOUND, what);
    }
    rc = sync_request(r->db, r->a, &who, scope, id, &task_id);
    if (rc != ZM_OK) {
        return reply_rc(r, rc, what);
    }
    d = json_object_new_object();
    json_object_object_add(d, "task_id", json_object_new_int64(task_id));
    json_object_object_add(d, "state", json_object_new_string("queued"));
    json_object_object_add(d, "scope", json_object_new_string(scope));
    return zm_reply_data(r, 202, d);
}

int jobs_api_sync_all(zm_req_t *r)
{
    return sync_one(r, "all", NULL, "");
}

int jobs_api_sync_job(zm_req_t *r)
{
    return sync_one(r, "job", "job_id", "职位不存在");
}

int jobs_api_sync_application(zm_req_t *r)
{
    return sync_one(r, "application", "id", "申请不存在");
}

int jobs_api_sync_user(zm_req_t *r)
{
    return sync_one(r, "user", "user_id", "用户不存在");
}

int jobs_api_sync_retry(zm_req_t *r)
{
    jobs_actor_t who = actor(r);
    int64_t id = path_id(r, "event_id");
    int rc;

    if (id == 0) {
        return reply_rc(r, ZM_ENOTFOUND, "同步事件不存在");
    }
    rc = sync_retry(r->db, r->a, &who, id);
    if (rc == JOBS_ESTATE) {
        return zm_reply_error(r, 409, "not_failed", "只有失败（dead）的同步事件可以重试", NULL);
    }
    if (rc != ZM_OK) {
        return reply_rc(r, rc, "同步事件不存在");
    }
    return zm_reply_data(r, 202, json_object_new_object());
}
