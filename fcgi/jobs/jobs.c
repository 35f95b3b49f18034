/*
 * jobs.c -- job positions (jobs_jobposition): the salary text, HR's CRUD
 * and the seed's job detail.  Each write appends its sync event in the
 * same transaction (outbox.h); leaving "open" closes the job's
 * applications (fields.h).
 */
#include "jobs.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include "fields.h"
#include "outbox.h"
#include "queue.h"
#include "stats.h"

/* ---- salary ---- */

/* skip ASCII spaces and the ideographic space */
static const char *skip_sp(const char *p)
{
    for (;;) {
        if (*p == ' ' || *p == '\t') {
            p++;
        } else if (strncmp(p, "\xe3\x80\x80", 3) == 0) {
            p += 3;
        } else {
            return p;
        }
    }
}

/* A number with an optional unit; *mult: 1 (k), 10 (万), 0.001 (元) or 0 (none given). */
static int salary_figure(const char **pp, double *v, double *mult)
{
    const char *p = skip_sp(*pp);

    double scale = 0;
    int digits = 0;

    /* plain decimals only (strtod would take "0x10", "inf", "1e3") */
    *v = 0;
    for (; isdigit((unsigned char)*p) || (*p == '.' && scale == 0); p++) {
        if (*p == '.') {
            scale = 1;
            continue;
        }
        if (++digits > 9) {
            return ZM_EINVAL;
        }
        *v = *v * 10 + (*p - '0');
        if (scale > 0) {
            scale *= 10;
        }
    }
    if (digits == 0) {
        return ZM_EINVAL;
    }
    if (scale > 0) {
        *v /= scale;
    }
    p = skip_sp(p);
    *mult = 0;
    if (*p == 'k' || *p == 'K') {
        *mult = 1, p++;
    } else if (strncmp(p, "千", 3) == 0) {
        *mult = 1, p += 3;
    } else if (*p == 'w' || *p == 'W') {
        *mult = 10, p++;
    } else if (strncmp(p, "万", 3) == 0) {
        *mult = 10, p += 3;
    } else if (strncmp(p, "元", 3) == 0) {
        *mult = 0.001, p += 3;
    }
    *pp = skip_sp(p);
    return ZM_OK;
}

int job_salary_parse(const char *s, int *min, int *max, const char **why)
{
    static const char *seps[] = {"-", "~", "\xe2\x80\x93", "\xe2\x80\x94", "\xef\xbd\x9e", "至", "到"};
    static const char *tails[] = {"/月", "每月", "/month", "/mo", "per month"};
    double lo, hi, mlo, mhi;
    const char *p = skip_sp(s);
    int two = 0;

    *min = *max = -1;
    *why = NULL;
    if (*p == '\0' || strcmp(p, "面议") == 0 || strcmp(p, "薪资面议") == 0) {
        return ZM_OK;
    }
    if (salary_figure(&p, &lo, &mlo) != ZM_OK) {
        *why = "无法识别的薪资格式，应如 15k-25k、15-25K/月、1.5万-2.5万 或 面议";
        return JOBS_EBADSAL;
    }
    for (size_t i = 0; i < ZM_ARRAY_LEN(seps); i++) {
        size_t l = strlen(seps[i]);
        if (strncmp(p, seps[i], l) == 0) {
            p += l;
            two = 1;
            break;
        }
    }
    if (two) {
        if (salary_figure(&p, &hi, &mhi) != ZM_OK) {
            *why = "无法识别的薪资格式，应如 15k-25k、15-25K/月、1.5万-2.5万 或 面议";
            return JOBS_EBADSAL;
        }
    } else {
        hi = lo, mhi = mlo;
    }
    for (size_t i = 0; i < ZM_ARRAY_LEN(tails); i++) {
        size_t l = strlen(tails[i]);
        if (strncasecmp(p, tails[i], l) == 0) {
            p = skip_sp(p + l);
            break;
        }
    }
    if (*p != '\0') {
        *why = "无法识别的薪资格式，应如 15k-25k、15-25K/月、1.5万-2.5万 或 面议";
        return JOBS_EBADSAL;
    }
    /* "15-25k": the unit of the second figure is the first's too; no unit at all: yuan when the
     * figures look like yuan (>= 1000), else k */
    if (mlo == 0) {
        mlo = mhi;
    }
    if (mlo == 0) {
        mlo = mhi = lo >= 1000 ? 0.001 : 1;
    }
    if (mhi == 0) {
        mhi = mlo;
    }
    lo *= mlo;
    hi *= mhi;
    if (lo > JOBS_MAX_SALARY_K || hi > JOBS_MAX_SALARY_K) {
        *why = "薪资超出合理范围（最高 10000k/月）";
        return JOBS_EBADSAL;
    }
    if (lo > hi) {
        *why = "薪资范围的下限不能高于上限";
        return JOBS_EBADSAL;
    }
    if (hi <= 0) {
        *why = "薪资必须大于 0";
        return JOBS_EBADSAL;
    }
    *min = (int)floor(lo);
    *max = (int)ceil(hi);
    return ZM_OK;
}

int job_status_valid(const char *s)
{
    return s && (strcmp(s, "draft") == 0 || strcmp(s, "open") == 0 || strcmp(s, "closed") == 0);
}

/* ---- JSON ---- */

json_object *jobs_json_list(const char *text)
{
    json_object *o = text ? json_tokener_parse(text) : NULL;

    if (o == NULL || !json_object_is_type(o, json_type_array)) {
        json_object_put(o);
        return json_object_new_array();
    }
    return o;
}

json_object *jobs_json_str(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

#define JOB_COLS                                                                                                       \
    "j.id, j.name, j.company, j.city, j.salary, j.salary_min, j.salary_max, j.education, j.years_of_working, "         \
    "j.language, j.responsibilities, j.requirements, j.description, j.status, j.owner_id, " ISO(                       \
        "j.created_at") ", " ISO("j.updated_at") ", " ISO("j.last_synced") ", "                                        \
                                                                           "j.last_synced IS NOT NULL AND "            \
                                                                           "j.last_synced >= j.updated_at "

enum {
    J_ID,
    J_NAME,
    J_COMPANY,
    J_CITY,
    J_SALARY,
    J_SMIN,
    J_SMAX,
    J_EDU,
    J_YEARS,
    J_LANG,
    J_RESP,
    J_REQ,
    J_DESC,
    J_STATUS,
    J_OWNER,
    J_CREATED,
    J_UPDATED,
    J_SYNCED,
    J_INSYNC
};

static json_object *int_or_null(const db_res_t *res, size_t r, unsigned c)
{
    return db_val(res, r, c) ? json_object_new_int64(db_int(res, r, c)) : NULL;
}

static json_object *job_json(zm_arena_t *a, const db_res_t *res, size_t r)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_int64(db_int(res, r, J_ID)));
    json_object_object_add(o, "job_id", json_object_new_string(db_val(res, r, J_ID)));
    json_object_object_add(o, "name", json_object_new_string(db_val(res, r, J_NAME)));
    json_object_object_add(o, "company", json_object_new_string(db_val(res, r, J_COMPANY)));
    json_object_object_add(o, "city", json_object_new_string(db_val(res, r, J_CITY)));
    json_object_object_add(o, "salary", json_object_new_string(db_val(res, r, J_SALARY)));
    json_object_object_add(o, "salary_min", int_or_null(res, r, J_SMIN));
    json_object_object_add(o, "salary_max", int_or_null(res, r, J_SMAX));
    json_object_object_add(o, "education", json_object_new_string(db_val(res, r, J_EDU)));
    json_object_object_add(o, "years_of_working", json_object_new_string(db_val(res, r, J_YEARS)));
    json_object_object_add(o, "language", json_object_new_string(db_val(res, r, J_LANG)));
    json_object_object_add(o, "responsibilities", jobs_json_list(db_val(res, r, J_RESP)));
    json_object_object_add(o, "requirements", jobs_json_list(db_val(res, r, J_REQ)));
    json_object_object_add(o, "description", json_object_new_string(db_val(res, r, J_DESC)));
    json_object_object_add(o, "status", json_object_new_string(db_val(res, r, J_STATUS)));
    json_object_object_add(o, "owner_id", json_object_new_int64(db_int(res, r, J_OWNER)));
    json_object_object_add(o, "created_at", json_object_new_string(db_val(res, r, J_CREATED)));
    json_object_object_add(o, "updated_at", json_object_new_string(db_val(res, r, J_UPDATED)));
    json_object_object_add(o, "last_synced", jobs_json_str(db_val(res, r, J_SYNCED)));
    json_object_object_add(o, "synced", json_object_new_boolean(db_int(res, r, J_INSYNC) != 0));
    ZM_UNUSED(a);
    return o;
}

/* The job row if the actor may see it (not deleted; own, or an admin); FOR UPDATE when locking. */
static int load_job(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, int lock, db_res_t *res)
{
    int rc = db_query(db, a, res,
                      lock ? "SELECT " JOB_COLS "FROM jobs_jobposition j WHERE j.id = ? AND j.status <> 'deleted' "
                             "AND (j.owner_id = ? OR ? = 1) FOR UPDATE"
                           : "SELECT " JOB_COLS "FROM jobs_jobposition j WHERE j.id = ? AND j.status <> 'deleted' "
                             "AND (j.owner_id = ? OR ? = 1)",
                      "iiI", job_id, who->user_id, who->admin ? 1 : 0);

    if (rc != ZM_OK) {
        return rc;
    }
    return res->nrows == 0 ? ZM_ENOTFOUND : ZM_OK;
}

/* the event's payload: the job as HR sees it, read inside the transaction */
static const char *job_payload(db_t *db, zm_arena_t *a, int64_t job_id)
{
    db_res_t res;
    json_object *o;
    const char *s;

    if (db_query(db, a, &res, "SELECT " JOB_COLS "FROM jobs_jobposition j WHERE j.id = ?", "i", job_id) != ZM_OK ||
        res.nrows == 0) {
        return NULL;
    }
    o = job_json(a, &res, 0);
    json_object_object_del(o, "last_synced");
    json_object_object_del(o, "synced");
    s = zm_pstrdup(a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return s;
}

static int finish(db_t *db, int rc)
{
    if (rc == ZM_OK) {
        rc = db_commit(db);
        if (rc == ZM_OK) {
            task_wake();
            return ZM_OK;
        }
    }
    db_rollback(db);
    return rc;
}

int job_create(db_t *db, zm_arena_t *a, const jobs_actor_t *who, const job_input_t *in, json_object **out)
{
    int smin = -1, smax = -1;
    const char *why;
    int64_t id, n;
    int rc;

    if (in->salary && job_salary_parse(in->salary, &smin, &smax, &why) != ZM_OK) {
        return JOBS_EBADSAL;
    }
    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    n = db_exec(db,
                "INSERT INTO jobs_jobposition (name, company, city, salary, salary_min, salary_max, education, "
                "years_of_working, language, responsibilities, requirements, description, status, owner_id, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, NULLIF(?, -1), NULLIF(?, -1), ?, ?, ?, ?, ?, ?, ?, ?, "
                "UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                "ssssIIsssssssi", in->name, in->company, in->city ? in->city : "", in->salary ? in->salary : "", smin,
                smax, in->education ? in->education : "", in->years_of_working ? in->years_of_working : "",
                in->language ? in->language : "", in->responsibilities ? in->responsibilities : "[]",
                in->requirements ? in->requirements : "[]", in->description ? in->description : "",
                in->status ? in->status : "draft", who->user_id);
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    id = db_insert_id(db);
    rc = outbox_append(db, "job", id, "create", job_payload(db, a, id), who->user_id);
    if ((rc = finish(db, rc)) != ZM_OK) {
        return rc;
    }
    return job_get(db, a, who, id, out);
}

int job_update(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, const job_input_t *in,
               json_object **out)
{
    int smin = -1, smax = -1;
    const char *why, *old_status, *action = "update", *name = NULL, *reason = NULL;
    db_res_t res, closed = {0};
    int64_t n, owner;
    int rc;

    if (in->salary && job_salary_parse(in->salary, &smin, &smax, &why) != ZM_OK) {
        return JOBS_EBADSAL;
    }
    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    if ((rc = load_job(db, a, who, job_id, 1, &res)) != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    old_status = db_val(&res, 0, J_STATUS);
    owner = db_int(&res, 0, J_OWNER);
    n = db_exec(db,
                "UPDATE jobs_jobposition SET name = COALESCE(?, name), company = COALESCE(?, company), "
                "city = COALESCE(?, city), salary = COALESCE(?, salary), "
                "salary_min = IF(? IS NULL, salary_min, NULLIF(?, -1)), "
                "salary_max = IF(? IS NULL, salary_max, NULLIF(?, -1)), education = COALESCE(?, education), "
                "years_of_working = COALESCE(?, years_of_working), language = COALESCE(?, language), "
                "responsibilities = COALESCE(?, responsibilities), requirements = COALESCE(?, requirements), "
                "description = COALESCE(?, description), status = COALESCE(?, status), "
                "updated_at = UTC_TIMESTAMP(6) WHERE id = ?",
                "sssssIsIsssssssi", in->name, in->company, in->city, in->salary, in->salary, smin, in->salary, smax,
                in->education, in->years_of_working, in->language, in->responsibilities, in->requirements,
                in->description, in->status, job_id);
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    /* leaving "open" ends the applications in progress */
    if (strcmp(old_status, "open") == 0 && in->status && strcmp(in->status, "open") != 0) {
        name = in->name ? in->name : db_val(&res, 0, J_NAME);
        reason = strcmp(in->status, "closed") == 0 ? "职位已关闭" : "职位已下线";
        action = "close";
        rc = app_close_for_job(db, a, job_id, name, owner, reason, &closed);
        if (rc != ZM_OK) {
            db_rollback(db);
            return rc;
        }
    } else if (in->status && strcmp(in->status, "open") == 0 && strcmp(old_status, "open") != 0) {
        action = "open";
    }
    rc = outbox_append(db, "job", job_id, action, job_payload(db, a, job_id), owner);
    if ((rc = finish(db, rc)) != ZM_OK) {
        return rc;
    }
    app_push_closed(&closed, job_id, name, reason);
    return job_get(db, a, who, job_id, out);
}

int job_delete(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id)
{
    db_res_t res, closed = {0};
    int64_t n, owner;
    int rc;

    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    if ((rc = load_job(db, a, who, job_id, 1, &res)) != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    owner = db_int(&res, 0, J_OWNER);
    /* kept as "deleted": the applications keep their job, and the seekers learn why it ended */
    n = db_exec(db, "UPDATE jobs_jobposition SET status = 'deleted', updated_at = UTC_TIMESTAMP(6) WHERE id = ?", "i",
                job_id);
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    rc = app_close_for_job(db, a, job_id, db_val(&res, 0, J_NAME), owner, "职位已删除", &closed);
    if (rc == ZM_OK) {
        rc = outbox_append(db, "job", job_id, "delete", "{}", owner);
    }
    if ((rc = finish(db, rc)) == ZM_OK) {
        app_push_closed(&closed, job_id, db_val(&res, 0, J_NAME), "职位已删除");
    }
    return rc;
}

int job_get(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, json_object **out)
{
    db_res_t res;
    int rc = load_job(db, a, who, job_id, 0, &res);

    if (rc != ZM_OK) {
        return rc;
    }
    *out = job_json(a, &res, 0);
    return ZM_OK;
}

int job_list(db_t *db, zm_arena_t *a, const jobs_actor_t *who, const char *status, int64_t page, int64_t page_size,
             json_object **out)
{
    db_res_t res, cnt;
    json_object *items;
    int rc;

    rc = db_query(db, a, &cnt,
                  "SELECT COUNT(*) FROM jobs_jobposition j WHERE (j.owner_id = ? OR ? = 1) AND j.status <> 'deleted' "
                  "AND (? IS NULL OR j.status = ?)",
                  "iIss", who->user_id, who->admin ? 1 : 0, status, status);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_query(db, a, &res,
                  "SELECT " JOB_COLS "FROM jobs_jobposition j WHERE (j.owner_id = ? OR ? = 1) AND j.status <> "
                  "'deleted' AND (? IS NULL OR j.status = ?) ORDER BY j.created_at DESC, j.id DESC LIMIT ? OFFSET ?",
                  "iIssii", who->user_id, who->admin ? 1 : 0, status, status, page_size, (page - 1) * page_size);
    if (rc != ZM_OK) {
        return rc;
    }
    items = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        json_object_array_add(items, job_json(a, &res, r));
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "items", items);
    json_object_object_add(*out, "total", json_object_new_int64(db_int(&cnt, 0, 0)));
    json_object_object_add(*out, "page", json_object_new_int64(page));
    json_object_object_add(*out, "page_size", json_object_new_int64(page_size));
    return ZM_OK;
}

/* ---- the seed's job detail ---- */

int job_detail(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, json_object **out)
{
    db_res_t res;
    json_object *o;
    int rc;

    /* what seekers see: the read model; the owner (or an admin) also sees drafts and closed jobs */
    rc = db_query(db, a, &res,
                  "SELECT job_id, name, company, city, salary, education, years_of_working, language, "
                  "responsibilities, requirements FROM jobs_openjob WHERE job_id = ?",
                  "i", job_id);
    if (rc == ZM_OK && res.nrows == 0) {
        rc = db_query(db, a, &res,
                      "SELECT id, name, company, city, salary, education, years_of_working, language, "
                      "responsibilities, requirements FROM jobs_jobposition WHERE id = ? AND status <> 'deleted' "
                      "AND (owner_id = ? OR ? = 1)",
                      "iiI", job_id, who->user_id, who->admin ? 1 : 0);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    o = json_object_new_object();
    json_object_object_add(o, "job_id", json_object_new_string(db_val(&res, 0, 0)));
    json_object_object_add(o, "name", json_object_new_string(db_val(&res, 0, 1)));
    json_object_object_add(o, "company", json_object_new_string(db_val(&res, 0, 2)));
    json_object_object_add(o, "city", json_object_new_string(db_val(&res, 0, 3)));
    json_object_object_add(o, "salary", json_object_new_string(db_val(&res, 0, 4)));
    json_object_object_add(o, "education", json_object_new_string(db_val(&res, 0, 5)));
    json_object_object_add(o, "years_of_working", json_object_new_string(db_val(&res, 0, 6)));
    json_object_object_add(o, "language", json_object_new_string(db_val(&res, 0, 7)));
    json_object_object_add(o, "responsibilities", jobs_json_list(db_val(&res, 0, 8)));
    json_object_object_add(o, "requirements", jobs_json_list(db_val(&res, 0, 9)));
    *out = o;
    /* a search followed by a view is an effective one (the dashboard's 有效搜索次数) */
    if (db_exec(db,
                "UPDATE jobs_searchsession SET effective = 1 WHERE user_id = ? AND effective = 0 "
                "AND created_at > UTC_TIMESTAMP(6) - INTERVAL 30 MINUTE ORDER BY id DESC LIMIT 1",
                "i", who->user_id) == 1) {
        stats_record(db, who->user_id, "search_effective", 1);
    }
    return ZM_OK;
}
