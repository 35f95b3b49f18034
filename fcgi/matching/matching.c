/*
 * matching.c -- a job's runs as HR sees them: starting one (once per job at
 * a time), its status with an ETA from the measured throughput, the ranked
 * results of the job's current run, cancelling.
 */
#include "matching.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "analysis.h"
#include "conf.h"
#include "queue.h"
#include "uuid.h"

#define ISO(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s.%fZ')"

static const char *js_str(json_object *o, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) {
        return "";
    }
    return json_object_get_string(v);
}

static void add_line(zm_arena_t *a, zm_buf_t *b, const char *prefix, const char *s)
{
    if (s && *s) {
        zm_buf_puts(a, b, prefix);
        zm_buf_puts(a, b, s);
        zm_buf_puts(a, b, "\n");
    }
}

static void add_list(zm_arena_t *a, zm_buf_t *b, json_object *job, const char *key, const char *title)
{
    json_object *v;
    size_t n;

    if (!json_object_object_get_ex(job, key, &v) || !json_object_is_type(v, json_type_array) ||
        (n = json_object_array_length(v)) == 0) {
        return;
    }
    zm_buf_puts(a, b, title);
    zm_buf_puts(a, b, "\n");
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(v, i);
        if (json_object_is_type(e, json_type_string)) {
            add_line(a, b, "", json_object_get_string(e));
        }
    }
}

/* name, 学历要求, 工作经验, 语言, 岗位职责 (one a line), 任职要求 (one a line), description */
char *match_job_text(zm_arena_t *a, json_object *job)
{
    zm_buf_t b = {0};

    add_line(a, &b, "", js_str(job, "name"));
    add_line(a, &b, "学历要求：", js_str(job, "education"));
    add_line(a, &b, "工作经验：", js_str(job, "years_of_working"));
    add_line(a, &b, "语言要求：", js_str(job, "language"));
    add_list(a, &b, job, "responsibilities", "岗位职责：");
    add_list(a, &b, job, "requirements", "任职要求：");
    add_line(a, &b, "", js_str(job, "description"));
    return b.data ? b.data : zm_pstrdup(a, "");
}

const char *match_eta_words(zm_arena_t *a, double seconds)
{
    if (seconds < 60) {
        return "不到1分钟";
    }
    if (seconds < 3600) {
        return zm_psprintf(a, "约%d分钟", (int)ceil(seconds / 60));
    }
    return zm_psprintf(a, "约%d小时", (int)ceil(seconds / 3600));
}

/* "2026-11-22T10:01:02.345678Z" -> "2026-11-22 10:01:02.345678" for a DATETIME(6) */
static char *iso_to_sql(zm_arena_t *a, const char *iso)
{
    char *s = zm_pstrdup(a, iso ? iso : "");
    size_t n;

    if (s == NULL) {
        return NULL;
    }
    n = strlen(s);
    if (n > 10 && s[10] == 'T') {
        s[10] = ' ';
    }
    if (n && s[n - 1] == 'Z') {
        s[n - 1] = '\0';
    }
    return s;
}

static int prio_parse(const char *p)
{
    if (p == NULL || strcmp(p, "normal") == 0) {
        return TASK_PRIO_NORMAL;
    }
    if (strcmp(p, "high") == 0) {
        return TASK_PRIO_HIGH;
    }
    if (strcmp(p, "low") == 0) {
        return TASK_PRIO_LOW;
    }
    return -1;
}

int match_start(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, const char *priority,
                json_object *extra, int64_t *task_id)
{
    json_object *job = NULL;
    int prio = prio_parse(priority), rc;
    int64_t n, id;
    task_new_t t;
    db_res_t res;

    if (prio < 0) {
        return MATCH_EPRIORITY;
    }
    if ((rc = job_get(db, a, who, job_id, &job)) != ZM_OK) {
        return rc;
    }
    char *updated = iso_to_sql(a, js_str(job, "updated_at"));
    json_object_put(job);
    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    n = db_exec(db,
                "INSERT INTO match_task (job_id, status, progress, created_at, requested_by, priority, running_job, "
                "job_updated_at) VALUES (?, 'pending', 0, UTC_TIMESTAMP(6), ?, ?, ?, ?)",
                "iisis", job_id, who->user_id, priority ? priority : "normal", job_id, updated);
    if (n == ZM_EDUP) {
        /* a run for the job is pending or running: that one */
        db_rollback(db);
        rc = db_query(db, a, &res, "SELECT id FROM match_task WHERE running_job = ?", "i", job_id);
        if (rc != ZM_OK) {
            return rc;
        }
        if (res.nrows == 0) {
            return ZM_EAGAIN; /* it finished meanwhile: the caller may start again */
        }
        *task_id = db_int(&res, 0, 0);
        return ZM_OK;
    }
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    id = db_insert_id(db);
    memset(&t, 0, sizeof(t));
    t.type = "matching.run";
    json_object *pl = json_object_new_object();
    json_object_object_add(pl, "match_task_id", json_object_new_int64(id));
    if (extra) {
        json_object_object_foreach(extra, key, val)
        {
            json_object_object_add(pl, key, json_object_get(val));
        }
    }
    t.payload_json = zm_pstrdup(a, json_object_to_json_string_ext(pl, JSON_C_TO_STRING_PLAIN));
    json_object_put(pl);
    t.priority = prio;
    t.max_attempts = 10;
    t.user_id = who->user_id;
    int64_t qid = 0;
    rc = task_enqueue(db, &t, &qid);
    if (rc == ZM_OK) {
        n = db_exec(db, "UPDATE match_task SET queue_task_id = ? WHERE id = ?", "ii", qid, id);
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    if ((rc = db_commit(db)) != ZM_OK) {
        return rc;
    }
    task_wake();
    *task_id = id;
    return ZM_OK;
}

/* the job (for access and its updated_at); *text (may be NULL) gets what it is matched as */
static int load_job(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, const char **updated, char **text)
{
    json_object *job = NULL;
    int rc = job_get(db, a, who, job_id, &job);

    if (rc != ZM_OK) {
        return rc;
    }
    *updated = zm_pstrdup(a, js_str(job, "updated_at"));
    if (text) {
        *text = match_job_text(a, job);
    }
    json_object_put(job);
    return ZM_OK;
}

enum {
    T_ID,
    T_STATUS,
    T_PROGRESS,
    T_TOTAL,
    T_SCANNED,
    T_MATCHED,
    T_SECONDS,
    T_ERROR,
    T_JOBUPD,
    T_CREATED,
    T_DONE,
    T_QUEUE
};
#define RUN_COLS                                                                                                       \
    "t.id, t.status, t.progress, t.total_candidates, t.scanned, t.matched_count, t.run_seconds, "                      \
    "t.error_message, " ISO("t.job_updated_at") ", " ISO("t.created_at") ", " ISO(                                     \
        "t.completed_at") ", t.queue_task_id "

/* the latest run (res row 0) and the current ranking's run (cur row 0); either may be empty */
static int load_runs(db_t *db, zm_arena_t *a, int64_t job_id, db_res_t *last, db_res_t *cur)
{
    int rc = db_query(db, a, last, "SELECT " RUN_COLS "FROM match_task t WHERE t.job_id = ? ORDER BY t.id DESC LIMIT 1",
                      "i", job_id);
    if (rc != ZM_OK) {
        return rc;
    }
    return db_query(db, a, cur,
                    "SELECT " RUN_COLS "FROM match_job j JOIN match_task t ON t.id = j.task_id WHERE j.job_id = ?", "i",
                    job_id);
}

int match_status(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, json_object **out)
{
    const char *updated, *status = "not_started", *eta = "", *st;
    db_res_t last, cur;
    int rc, progress = 0;
    json_object *o;

    if ((rc = load_job(db, a, who, job_id, &updated, NULL)) != ZM_OK ||
        (rc = load_runs(db, a, job_id, &last, &cur)) != ZM_OK) {
        return rc;
    }
    st = last.nrows ? db_val(&last, 0, T_STATUS) : "";
    if (strcmp(st, "pending") == 0 || strcmp(st, "running") == 0) {
        double secs = atof(db_val(&last, 0, T_SECONDS) ? db_val(&last, 0, T_SECONDS) : "0");
        int64_t scanned = db_int(&last, 0, T_SCANNED), total = db_int(&last, 0, T_TOTAL);
        status = "matching";
        progress = (int)db_int(&last, 0, T_PROGRESS);
        if (scanned > 0 && secs > 0 && total > scanned) {
            eta = match_eta_words(a, (double)(total - scanned) / ((double)scanned / secs));
        } else {
            eta = "不到1分钟";
        }
    } else if (strcmp(st, "failed") == 0) {
        status = "failed";
        progress = (int)db_int(&last, 0, T_PROGRESS);
    } else if (cur.nrows) {
        status = "matched";
        progress = 100;
    }
    o = json_object_new_object();
    json_object_object_add(o, "job_id", json_object_new_int64(job_id));
    json_object_object_add(o, "status", json_object_new_string(status));
    json_object_object_add(o, "progress", json_object_new_int(progress));
    json_object_object_add(o, "estimated_time", json_object_new_string(eta));
    json_object_object_add(o, "task_id",
                           last.nrows ? json_object_new_string(zm_psprintf(a, "match_task_%s", db_val(&last, 0, T_ID)))
                                      : NULL);
    /* the run's queue task: its live progress events at /api/v1/events/tasks/{id} (nchan) */
    json_object_object_add(o, "queue_task_id",
                           last.nrows && db_val(&last, 0, T_QUEUE) ? json_object_new_int64(db_int(&last, 0, T_QUEUE))
                                                                   : NULL);
    json_object_object_add(o, "error_message",
                           last.nrows && db_val(&last, 0, T_ERROR) ? json_object_new_string(db_val(&last, 0, T_ERROR))
                                                                   : NULL);
    /* the job edited after the current ranking's run scored it */
    json_object_object_add(o, "stale",
                           json_object_new_boolean(cur.nrows && db_val(&cur, 0, T_JOBUPD) &&
                                                   strcmp(db_val(&cur, 0, T_JOBUPD), updated) < 0));
    *out = o;
    return ZM_OK;
}

enum { R_RESUME, R_SCORE, R_RANK, R_HEAD, R_USER, R_INVITED };

int match_result(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, int64_t page, int64_t page_size,
                 double min_score, json_object **out)
{
    const char *updated, *status = "pending", *st;
    db_res_t last, cur, res, cnt;
    an_jobvec_t *jv = NULL;
    json_object *o, *items;
    char *text = NULL;
    int rc;

    if ((rc = load_job(db, a, who, job_id, &updated, &text)) != ZM_OK ||
        (rc = load_runs(db, a, job_id, &last, &cur)) != ZM_OK) {
        return rc;
    }
    st = last.nrows ? db_val(&last, 0, T_STATUS) : "";
    if (strcmp(st, "pending") == 0 || strcmp(st, "running") == 0 || strcmp(st, "failed") == 0) {
        status = st;
    } else if (cur.nrows) {
        status = "completed";
    }
    o = json_object_new_object();
    items = json_object_new_array();
    json_object_object_add(o, "job_id", json_object_new_int64(job_id));
    json_object_object_add(o, "status", json_object_new_string(status));
    json_object_object_add(o, "total_candidates", json_object_new_int64(cur.nrows ? db_int(&cur, 0, T_TOTAL) : 0));
    json_object_object_add(o, "matched_count", json_object_new_int64(cur.nrows ? db_int(&cur, 0, T_MATCHED) : 0));
    json_object_object_add(o, "results", items);
    json_object_object_add(o, "page", json_object_new_int64(page));
    json_object_object_add(o, "page_size", json_object_new_int64(page_size));
    json_object_object_add(o, "stale",
                           json_object_new_boolean(cur.nrows && db_val(&cur, 0, T_JOBUPD) &&
                                                   strcmp(db_val(&cur, 0, T_JOBUPD), updated) < 0));
    *out = o;
    if (cur.nrows == 0) {
        json_object_object_add(o, "total", json_object_new_int(0));
        return ZM_OK;
    }
    int64_t run = db_int(&cur, 0, T_ID);
    /* A candidate who since left the pool (not discoverable any more) is not shown: visible, set with
     * the features by accounts' hook.  The count and the page's rows each read one index of the run's
     * rows (the page's covers them; ranks are unique in a run); the features and invitations are
     * read for the page's rows alone. */
    rc = db_query(db, a, &cnt,
                  "SELECT COUNT(*) FROM match_result WHERE task_id = ? AND visible = 1 AND match_score >= ?", "id", run,
                  min_score);
    if (rc == ZM_OK) {
        rc = db_query(db, a, &res,
                      "SELECT r.resume_id, r.match_score, r.rank_position, f.head, r.user_id, EXISTS(SELECT 1 FROM "
                      "match_invitation i WHERE i.job_id = ? AND i.resume_id = r.resume_id) FROM (SELECT resume_id, "
                      "match_score, rank_position, user_id FROM match_result WHERE task_id = ? AND visible = 1 AND "
                      "match_score >= ? ORDER BY rank_position LIMIT ? OFFSET ?) r LEFT JOIN match_resume_features f "
                      "ON f.resume_id = r.resume_id ORDER BY r.rank_position",
                      "iidii", job_id, run, min_score, page_size, (page - 1) * page_size);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    json_object_object_add(o, "total", json_object_new_int64(db_int(&cnt, 0, 0)));
    if (res.nrows && an_jobvec(a, text, &jv) != ZM_OK) {
        jv = NULL;
    }
    /* names and job-seeking statuses from accounts, the page's at once */
    int64_t *uids = zm_palloc(a, (res.nrows + 1) * sizeof(int64_t));
    acc_candidate_t *who_is = zm_palloc(a, (res.nrows + 1) * sizeof(acc_candidate_t));
    if (uids == NULL || who_is == NULL) {
        return ZM_ENOMEM;
    }
    for (size_t i = 0; i < res.nrows; i++) {
        uids[i] = db_int(&res, i, R_USER);
    }
    if ((rc = acc_candidates(db, a, uids, res.nrows, who_is)) != ZM_OK) {
        return rc;
    }
    for (size_t i = 0; i < res.nrows; i++) {
        json_object *c = json_object_new_object(), *skills = json_object_new_array();
        an_features_t f;
        int have = db_val(&res, i, R_HEAD) != NULL &&
                   an_features_unpack_head(a, db_val(&res, i, R_HEAD), res.lens[i][R_HEAD], &f) == ZM_OK;

        json_object_object_add(c, "resume_id", json_object_new_string(zm_uuid_dashed(a, db_val(&res, i, R_RESUME))));
        json_object_object_add(c, "candidate_name", json_object_new_string(who_is[i].name));
        json_object_object_add(c, "match_score", json_object_new_int((int)atof(db_val(&res, i, R_SCORE))));
        json_object_object_add(c, "rank", json_object_new_int64(db_int(&res, i, R_RANK)));
        json_object_object_add(c, "status", json_object_new_string(who_is[i].job_status));
        /* the skills the job names first, then the others: at most 8 */
        for (int pass = 0; have && pass < 2; pass++) {
            for (int k = 0; k < f.nskills && json_object_array_length(skills) < 8; k++) {
                int wanted = jv && an_jobvec_wants(jv, f.skills[k]);
                if (wanted == (pass == 0)) {
                    json_object_array_add(skills, json_object_new_string(an_skill_name(f.skills[k])));
                }
            }
        }
        json_object_object_add(c, "key_skills", skills);
        json_object_object_add(c, "experience_years",
                               have && f.years >= 0 ? json_object_new_double(round(f.years * 10) / 10) : NULL);
        json_object_object_add(c, "education", json_object_new_string(have ? an_edu_name(f.edu) : ""));
        /* in the pool means discoverable, which is the candidate's opt-in to being contacted */
        json_object_object_add(c, "opted_in", json_object_new_boolean(1));
        /* invited to apply (POST /match/invite/{job_id}/) */
        json_object_object_add(c, "invited", json_object_new_boolean(db_int(&res, i, R_INVITED) != 0));
        json_object_array_add(items, c);
    }
    return ZM_OK;
}

int match_cancel(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id)
{
    const char *updated;
    int64_t n;
    int rc;

    if ((rc = load_job(db, a, who, job_id, &updated, NULL)) != ZM_OK) {
        return rc;
    }
    n = db_exec(db,
                "UPDATE match_task SET status = 'cancelled', running_job = NULL, completed_at = UTC_TIMESTAMP(6), "
                "topk = NULL WHERE running_job = ?",
                "i", job_id);
    if (n < 0) {
        return (int)n;
    }
    return n == 0 ? MATCH_ENORUN : ZM_OK;
}
