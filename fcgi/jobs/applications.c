/*
 * applications.c -- applications (jobs_application): apply, withdraw, HR's
 * status changes through the state machine, and closing those of a job.
 *
 *   submitted -> viewed -> interviewing -> offered
 *        \----------\----------\--------> rejected
 *   withdrawn (the seeker, from any state still in progress or offered) and closed (the job ended)
 *   are terminal, as are offered and rejected for HR.
 *
 * One application per (user, job): the unique key decides, so 20 parallel applies make one row.
 * A status change is a conditional UPDATE ... WHERE status = <what was read>: of an HR change and a
 * withdrawal racing, the database lets one through and the other is refused (409); both attempts
 * are in jobs_applicationlog.
 *
 * After each committed change the applicant (and, for their own moves, the job's owner) gets an
 * "application.status" message on their live channel (live.h), an HR owner "application.new" for
 * a new applicant: hints for open pages, best effort; the rows stay the truth.
 */
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "jobs.h"
#include "live.h"
#include "messages.h"
#include "outbox.h"
#include "queue.h"
#include "resumes.h"
#include "stats.h"
#include "uuid.h"

static const struct {
    const char *from, *to;
} hr_moves[] = {
    {"submitted", "viewed"}, {"submitted", "interviewing"}, {"submitted", "rejected"},    {"viewed", "interviewing"},
    {"viewed", "rejected"},  {"interviewing", "offered"},   {"interviewing", "rejected"},
};

static int hr_move_ok(const char *from, const char *to)
{
    for (size_t i = 0; i < ZM_ARRAY_LEN(hr_moves); i++) {
        if (strcmp(hr_moves[i].from, from) == 0 && strcmp(hr_moves[i].to, to) == 0) {
            return 1;
        }
    }
    return 0;
}

static int withdrawable(const char *from)
{
    return strcmp(from, "submitted") == 0 || strcmp(from, "viewed") == 0 || strcmp(from, "interviewing") == 0 ||
           strcmp(from, "offered") == 0;
}

int app_status_settable(const char *s)
{
    return s && (strcmp(s, "viewed") == 0 || strcmp(s, "interviewing") == 0 || strcmp(s, "offered") == 0 ||
                 strcmp(s, "rejected") == 0);
}

static const char *status_zh(const char *s)
{
    static const struct {
        const char *en, *zh;
    } names[] = {{"submitted", "已投递"}, {"viewed", "已查看"},    {"interviewing", "面试中"}, {"offered", "已录用"},
                 {"rejected", "不合适"},  {"withdrawn", "已撤回"}, {"closed", "已关闭"}};
    for (size_t i = 0; i < ZM_ARRAY_LEN(names); i++) {
        if (strcmp(names[i].en, s) == 0) {
            return names[i].zh;
        }
    }
    return s;
}

static const char *json_text(zm_arena_t *a, json_object *o)
{
    const char *s = zm_pstrdup(a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return s;
}

static void log_attempt(db_t *db, int64_t app_id, int64_t actor, const char *from, const char *to, const char *outcome)
{
    db_exec(db,
            "INSERT INTO jobs_applicationlog (application_id, actor_id, from_status, to_status, outcome, created_at) "
            "VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))",
            "iisss", app_id, actor, from, to, outcome);
}

/* The applicant's message (the message center), in the caller's transaction; its live hint leaves after the commit. */
static int notify(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, const char *title, const char *body,
                  int64_t app_id, int64_t job_id, const char *status)
{
    json_object *d = json_object_new_object();
    msg_t m = {.audience = MSG_TO_USER, .user_id = user_id, .kind = kind, .title = title, .body = body, .data = d};
    int rc;

    json_object_object_add(d, "application_id", json_object_new_int64(app_id));
    json_object_object_add(d, "job_id", json_object_new_int64(job_id));
    json_object_object_add(d, "status", json_object_new_string(status));
    rc = msg_send(db, a, &m, NULL);
    json_object_put(d);
    return rc;
}

static const char *app_payload(zm_arena_t *a, int64_t job_id, int64_t user_id, const char *from, const char *to,
                               const char *reason)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "job_id", json_object_new_int64(job_id));
    json_object_object_add(o, "user_id", json_object_new_int64(user_id));
    json_object_object_add(o, "from", jobs_json_str(from));
    json_object_object_add(o, "status", json_object_new_string(to));
    if (reason) {
        json_object_object_add(o, "reason", json_object_new_string(reason));
    }
    return json_text(a, o);
}

/* After the commit: the change on user_id's live channel (best effort: a failure is pubsub's to log). */
static void push(int64_t user_id, const char *type, int64_t app_id, int64_t job_id, const char *job_name,
                 const char *from, const char *to, const char *reason)
{
    json_object *m;

    if (user_id <= 0) {
        return;
    }
    m = json_object_new_object();
    json_object_object_add(m, "type", json_object_new_string(type));
    json_object_object_add(m, "application_id", json_object_new_int64(app_id));
    json_object_object_add(m, "job_id", json_object_new_int64(job_id));
    json_object_object_add(m, "job_name", jobs_json_str(job_name));
    json_object_object_add(m, "from", jobs_json_str(from));
    json_object_object_add(m, "status", json_object_new_string(to));
    json_object_object_add(m, "status_text", json_object_new_string(status_zh(to)));
    json_object_object_add(m, "close_reason", jobs_json_str(reason));
    live_user_publish(user_id, type, m);
    json_object_put(m);
}

void app_push_closed(const db_res_t *closed, int64_t job_id, const char *job_name, const char *reason)
{
    for (size_t r = 0; closed && r < closed->nrows; r++) {
        push(db_int(closed, r, 1), "application.status", db_int(closed, r, 0), job_id, job_name, db_val(closed, r, 2),
             "closed", reason);
    }
}

int app_close_for_job(db_t *db, zm_arena_t *a, int64_t job_id, const char *job_name, int64_t owner_id,
                      const char *reason, db_res_t *closed)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT id, user_id, status FROM jobs_application WHERE job_id = ? "
                      "AND status IN ('submitted', 'viewed', 'interviewing') ORDER BY id FOR UPDATE",
                      "i", job_id);

    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t r = 0; r < res.nrows; r++) {
        int64_t id = db_int(&res, r, 0), uid = db_int(&res, r, 1);
        const char *from = db_val(&res, r, 2);
        int64_t m = db_exec(db,
                            "UPDATE jobs_application SET status = 'closed', close_reason = ?, "
                            "updated_at = UTC_TIMESTAMP(6) WHERE id = ? AND status = ?",
                            "sis", reason, id, from);
        if (m < 0) {
            return (int)m;
        }
        log_attempt(db, id, owner_id, from, "closed", "applied");
        rc = outbox_append(db, "application", id, "close", app_payload(a, job_id, uid, from, "closed", reason),
                           owner_id);
        if (rc == ZM_OK) {
            rc = notify(db, a, uid, "application.closed", "申请已关闭",
                        zm_psprintf(a, "您申请的职位「%s」%s，该申请已关闭。", job_name, reason), id, job_id, "closed");
        }
        if (rc != ZM_OK) {
            return rc;
        }
    }
    if (closed) {
        *closed = res;
    }
    return ZM_OK;
}

/* ---- the seeker's side ---- */

#define SEEKER_COLS                                                                                                    \
    "s.application_id, s.job_id, s.job_name, s.company, s.city, s.salary, s.resume_id, s.status, "                     \
    "s.close_reason, " ISO("s.applied_at") ", " ISO("s.updated_at") ", " ISO("s.synced_at") " "

static json_object *seeker_json(zm_arena_t *a, const db_res_t *res, size_t r)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_int64(db_int(res, r, 0)));
    json_object_object_add(o, "job_id", json_object_new_int64(db_int(res, r, 1)));
    json_object_object_add(o, "job_name", json_object_new_string(db_val(res, r, 2)));
    json_object_object_add(o, "company", json_object_new_string(db_val(res, r, 3)));
    json_object_object_add(o, "city", json_object_new_string(db_val(res, r, 4)));
    json_object_object_add(o, "salary", json_object_new_string(db_val(res, r, 5)));
    json_object_object_add(o, "resume_id", json_object_new_string(zm_uuid_dashed(a, db_val(res, r, 6))));
    json_object_object_add(o, "status", json_object_new_string(db_val(res, r, 7)));
    json_object_object_add(o, "status_text", json_object_new_string(status_zh(db_val(res, r, 7))));
    json_object_object_add(o, "close_reason", jobs_json_str(db_val(res, r, 8)));
    json_object_object_add(o, "applied_at", json_object_new_string(db_val(res, r, 9)));
    json_object_object_add(o, "updated_at", json_object_new_string(db_val(res, r, 10)));
    json_object_object_add(o, "last_synced", jobs_json_str(db_val(res, r, 11)));
    return o;
}

/* the application as its seeker sees it, read from the source (right after their own write) */
static int seeker_view_source(db_t *db, zm_arena_t *a, int64_t app_id, json_object **out)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT a.id, a.job_id, j.name, j.company, j.city, j.salary, a.resume_id, a.status, "
                      "a.close_reason, " ISO("a.created_at") ", " ISO("a.updated_at") ", " ISO(
                          "a.last_synced") " FROM jobs_application a JOIN jobs_jobposition j ON j.id = a.job_id "
                                           "WHERE a.id = ?",
                      "i", app_id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *out = seeker_json(a, &res, 0);
    return ZM_OK;
}

static int apply_once(db_t *db, zm_arena_t *a, int64_t user_id, int64_t job_id, const db_res_t *rv, int64_t *app_id,
                      int64_t *owner_out)
{
    db_res_t job;
    int64_t n, owner;
    int rc;

    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    /* a shared lock: a close (FOR UPDATE on the job) waits for us, or we see it closed */
    rc = db_query(db, a, &job,
                  "SELECT status, owner_id FROM jobs_jobposition WHERE id = ? AND status <> 'deleted' "
                  "LOCK IN SHARE MODE",
                  "i", job_id);
    if (rc == ZM_OK && (job.nrows == 0 || strcmp(db_val(&job, 0, 0), "draft") == 0)) {
        rc = ZM_ENOTFOUND;
    } else if (rc == ZM_OK && strcmp(db_val(&job, 0, 0), "open") != 0) {
        rc = JOBS_ECLOSED;
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    owner = db_int(&job, 0, 1);
    n = db_exec(db,
                "INSERT INTO jobs_application (job_id, user_id, resume_id, resume_version_id, resume_name, "
                "resume_file_name, resume_text, status, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'submitted', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                "iisssss", job_id, user_id, db_val(rv, 0, 0), db_val(rv, 0, 2), db_val(rv, 0, 1), db_val(rv, 0, 3),
                db_val(rv, 0, 4));
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    *app_id = db_insert_id(db);
    log_attempt(db, *app_id, user_id, NULL, "submitted", "applied");
    rc = outbox_append(db, "application", *app_id, "create", app_payload(a, job_id, user_id, NULL, "submitted", NULL),
                       owner);
    /* HR's side learns the applicant's resumes */
    if (rc == ZM_OK) {
        rc = outbox_append(db, "user", user_id, "resume", "{}", owner);
    }
    if (rc == ZM_OK) {
        n = db_exec(db,
                    "UPDATE jobs_searchsession SET effective = 1 WHERE user_id = ? AND effective = 0 "
                    "AND created_at > UTC_TIMESTAMP(6) - INTERVAL 30 MINUTE ORDER BY id DESC LIMIT 1",
                    "i", user_id);
        rc = n < 0 ? (int)n : n == 1 ? stats_record(db, user_id, "search_effective", 1) : ZM_OK;
    }
    rc = rc == ZM_OK ? stats_record(db, user_id, "application", 1) : rc;
    if (rc == ZM_OK && (rc = db_commit(db)) == ZM_OK) {
        task_wake();
        *owner_out = owner;
        return ZM_OK;
    }
    db_rollback(db);
    return rc;
}

int app_create(db_t *db, zm_arena_t *a, int64_t user_id, int64_t job_id, const char *resume_id, json_object **out)
{
    char rid[33], uid[24];
    db_res_t rv;
    int64_t app_id = 0, owner = 0;
    int rc;

    if (zm_uuid_parse(resume_id, rid) != ZM_OK) {
        return JOBS_ERESUME;
    }
    snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
    /* the snapshot: the resume's latest version now, with its text if extracted */
    rc = db_query(db, a, &rv,
                  "SELECT r.id, r.name, v.id, v.file_name, f.text FROM api_resume r "
                  "JOIN api_resumeversion v ON v.resume_id = r.id LEFT JOIN zm_resume_file f ON f.version_id = v.id "
                  "WHERE r.id = ? AND r.user_id = ? ORDER BY v.created_at DESC, v.id LIMIT 1",
                  "ss", rid, uid);
    if (rc != ZM_OK) {
        return rc;
    }
    if (rv.nrows == 0) {
        return JOBS_ERESUME;
    }
    /* a deadlock among parallel inserts of one key is retried; the unique key still decides */
    for (int i = 0; i < 3; i++) {
        rc = apply_once(db, a, user_id, job_id, &rv, &app_id, &owner);
        if (rc != ZM_EAGAIN) {
            break;
        }
    }
    if (rc != ZM_OK) {
        return rc;
    }
    push(owner, "application.new", app_id, job_id, NULL, NULL, "submitted", NULL);
    return seeker_view_source(db, a, app_id, out);
}

int app_list_mine(db_t *db, zm_arena_t *a, int64_t user_id, int64_t page, int64_t page_size, json_object **out)
{
    db_res_t res, cnt;
    json_object *items;
    int rc = db_query(db, a, &cnt, "SELECT COUNT(*) FROM jobs_seekerapplication WHERE user_id = ?", "i", user_id);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_query(db, a, &res,
                  "SELECT " SEEKER_COLS "FROM jobs_seekerapplication s WHERE s.user_id = ? "
                  "ORDER BY s.applied_at DESC, s.application_id DESC LIMIT ? OFFSET ?",
                  "iii", user_id, page_size, (page - 1) * page_size);
    if (rc != ZM_OK) {
        return rc;
    }
    items = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        json_object_array_add(items, seeker_json(a, &res, r));
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "items", items);
    json_object_object_add(*out, "total", json_object_new_int64(db_int(&cnt, 0, 0)));
    json_object_object_add(*out, "page", json_object_new_int64(page));
    json_object_object_add(*out, "page_size", json_object_new_int64(page_size));
    return ZM_OK;
}

/*
 * Move application app_id to `to` in one transaction: read its status, check the move, then a
 * conditional UPDATE on that status, so a concurrent change makes this one refused.  hr: the actor
 * is HR (may it see the job?), else the applicant.
 */
static int move(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int hr, int64_t app_id, const char *to,
                json_object **out)
{
    db_res_t res;
    const char *from;
    int64_t n, owner, uid, job_id;
    int rc, ok;

    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    rc = db_query(db, a, &res,
                  hr ? "SELECT a.status, j.owner_id, a.user_id, a.job_id, j.name FROM jobs_application a "
                       "JOIN jobs_jobposition j ON j.id = a.job_id WHERE a.id = ? AND j.status <> 'deleted' "
                       "AND (j.owner_id = ? OR ? = 1)"
                     : "SELECT a.status, j.owner_id, a.user_id, a.job_id, j.name FROM jobs_application a "
                       "JOIN jobs_jobposition j ON j.id = a.job_id WHERE a.id = ? AND a.user_id = ? AND ? IN (0, 1)",
                  "iiI", app_id, who->user_id, who->admin ? 1 : 0);
    if (rc == ZM_OK && res.nrows == 0) {
        rc = ZM_ENOTFOUND;
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    from = db_val(&res, 0, 0);
    owner = db_int(&res, 0, 1);
    uid = db_int(&res, 0, 2);
    job_id = db_int(&res, 0, 3);
    ok = hr ? hr_move_ok(from, to) : withdrawable(from);
    n = ok ? db_exec(db,
                     "UPDATE jobs_application SET status = ?, updated_at = UTC_TIMESTAMP(6) WHERE id = ? "
                     "AND status = ?",
                     "sis", to, app_id, from)
           : 0;
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    if (n == 0) {
        db_rollback(db);
        log_attempt(db, app_id, who->user_id, from, to, "refused");
        return JOBS_ESTATE;
    }
    log_attempt(db, app_id, who->user_id, from, to, "applied");
    rc = outbox_append(db, "application", app_id, hr ? "status" : "withdraw",
                       app_payload(a, job_id, uid, from, to, NULL), owner);
    if (rc == ZM_OK && hr) {
        rc = notify(db, a, uid, "application.status", "申请状态更新",
                    zm_psprintf(a, "您申请的职位「%s」状态已更新为：%s", db_val(&res, 0, 4), status_zh(to)), app_id,
                    job_id, to);
    }
    if (rc == ZM_OK && (rc = db_commit(db)) == ZM_OK) {
        task_wake();
    } else {
        db_rollback(db);
        return rc;
    }
    /* both sides' open pages: the applicant's, and the owner's when the applicant moved */
    push(uid, "application.status", app_id, job_id, db_val(&res, 0, 4), from, to, NULL);
    if (!hr) {
        push(owner, "application.status", app_id, job_id, db_val(&res, 0, 4), from, to, NULL);
    }
    if (hr) {
        return ZM_OK; /* the caller renders HR's view */
    }
    return seeker_view_source(db, a, app_id, out);
}

int app_withdraw(db_t *db, zm_arena_t *a, int64_t user_id, int64_t app_id, json_object **out)
{
    jobs_actor_t who = {user_id, 0};
    return move(db, a, &who, 0, app_id, "withdrawn", out);
}

/* ---- HR's side ---- */

#define HR_COLS                                                                                                        \
    "a.id, a.job_id, a.user_id, u.email, a.resume_id, a.resume_version_id, a.resume_name, a.resume_file_name, "        \
    "a.resume_text, a.status, a.close_reason, " ISO("a.created_at") ", " ISO("a.updated_at") ", " ISO(                 \
        "a.last_synced") ", c.latest_version_id, " ISO("c.synced_at") " "

#define HR_FROM                                                                                                        \
    "FROM jobs_application a JOIN jobs_jobposition j ON j.id = a.job_id JOIN auth_user u ON u.id = a.user_id "         \
    "LEFT JOIN jobs_candidateresume c ON c.resume_id = a.resume_id "

static json_object *hr_json(zm_arena_t *a, const db_res_t *res, size_t r)
{
    json_object *o = json_object_new_object();
    const char *latest = db_val(res, r, 14);

    json_object_object_add(o, "id", json_object_new_int64(db_int(res, r, 0)));
    json_object_object_add(o, "job_id", json_object_new_int64(db_int(res, r, 1)));
    json_object_object_add(o, "user_id", json_object_new_int64(db_int(res, r, 2)));
    json_object_object_add(o, "applicant_email", json_object_new_string(db_val(res, r, 3)));
    json_object_object_add(o, "resume_id", json_object_new_string(zm_uuid_dashed(a, db_val(res, r, 4))));
    json_object_object_add(o, "resume_version_id", json_object_new_string(zm_uuid_dashed(a, db_val(res, r, 5))));
    json_object_object_add(o, "resume_name", json_object_new_string(db_val(res, r, 6)));
    json_object_object_add(o, "resume_file_name", json_object_new_string(db_val(res, r, 7)));
    json_object_object_add(o, "resume_text", jobs_json_str(db_val(res, r, 8)));
    json_object_object_add(o, "status", json_object_new_string(db_val(res, r, 9)));
    json_object_object_add(o, "status_text", json_object_new_string(status_zh(db_val(res, r, 9))));
    json_object_object_add(o, "close_reason", jobs_json_str(db_val(res, r, 10)));
    json_object_object_add(o, "created_at", json_object_new_string(db_val(res, r, 11)));
    json_object_object_add(o, "updated_at", json_object_new_string(db_val(res, r, 12)));
    json_object_object_add(o, "last_synced", jobs_json_str(db_val(res, r, 13)));
    /* the applicant uploaded a newer version since applying (as HR's read model knows it) */
    json_object_object_add(o, "resume_updated",
                           json_object_new_boolean(latest != NULL && strcmp(latest, db_val(res, r, 5)) != 0));
    json_object_object_add(o, "latest_version_id", latest ? json_object_new_string(zm_uuid_dashed(a, latest)) : NULL);
    json_object_object_add(o, "cv_last_synced", jobs_json_str(db_val(res, r, 15)));
    return o;
}

static int hr_view(db_t *db, zm_arena_t *a, int64_t app_id, json_object **out)
{
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT " HR_COLS HR_FROM "WHERE a.id = ?", "i", app_id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *out = hr_json(a, &res, 0);
    return ZM_OK;
}

int app_list_for_job(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, int64_t page, int64_t page_size,
                     json_object **out)
{
    db_res_t job, res, cnt;
    json_object *items;
    int rc = db_query(
        db, a, &job, "SELECT id FROM jobs_jobposition WHERE id = ? AND status <> 'deleted' AND (owner_id = ? OR ? = 1)",
        "iiI", job_id, who->user_id, who->admin ? 1 : 0);

    if (rc != ZM_OK) {
        return rc;
    }
    if (job.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    rc = db_query(db, a, &cnt, "SELECT COUNT(*) FROM jobs_application WHERE job_id = ?", "i", job_id);
    if (rc == ZM_OK) {
        rc = db_query(db, a, &res,
                      "SELECT " HR_COLS HR_FROM "WHERE a.job_id = ? ORDER BY a.created_at DESC, a.id DESC "
                      "LIMIT ? OFFSET ?",
                      "iii", job_id, page_size, (page - 1) * page_size);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    items = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        json_object_array_add(items, hr_json(a, &res, r));
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "items", items);
    json_object_object_add(*out, "total", json_object_new_int64(db_int(&cnt, 0, 0)));
    json_object_object_add(*out, "page", json_object_new_int64(page));
    json_object_object_add(*out, "page_size", json_object_new_int64(page_size));
    return ZM_OK;
}

int app_set_status(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t app_id, const char *status,
                   json_object **out)
{
    int rc = move(db, a, who, 1, app_id, status, out);

    return rc == ZM_OK ? hr_view(db, a, app_id, out) : rc;
}

int app_resume_file(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t app_id, int64_t *user_id,
                    const char **version_id)
{
    db_res_t res;
    /* HR's side: the newest version its read model knows of, else the one applied with */
    int rc = db_query(db, a, &res,
                      "SELECT a.user_id, COALESCE(c.latest_version_id, a.resume_version_id) FROM jobs_application a "
                      "JOIN jobs_jobposition j ON j.id = a.job_id LEFT JOIN jobs_candidateresume c ON c.resume_id = "
                      "a.resume_id WHERE a.id = ? AND j.status <> 'deleted' AND (j.owner_id = ? OR ? = 1)",
                      "iiI", app_id, who->user_id, who->admin ? 1 : 0);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *user_id = db_int(&res, 0, 0);
    *version_id = db_val(&res, 0, 1);
    return ZM_OK;
}
