/*
 * sync.c -- the HR <-> seeker sync engine: the outbox (jobs_syncevent),
 * applying an entity's events to the read model, repairs (manual resync and
 * the periodic check), and the dashboard's status and log.
 *
 * Applying rebuilds the entity's read-model rows from the source of truth
 * under the source row's lock (writers lock it first too, so the two never
 * deadlock), which makes it idempotent and keeps the order per entity: the
 * last applied state is the source's latest committed one.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "fields.h"
#include "jobs.h"
#include "log.h"
#include "outbox.h"
#include "queue.h"
#include "terms.h"

static int known_entity(const char *e)
{
    return strcmp(e, "job") == 0 || strcmp(e, "application") == 0 || strcmp(e, "user") == 0;
}

static int enqueue_sync(db_t *db, const char *entity, int64_t id)
{
    json_object *p = json_object_new_object();
    task_new_t t;
    int rc;

    json_object_object_add(p, "entity", json_object_new_string(entity));
    json_object_object_add(p, "id", json_object_new_int64(id));
    memset(&t, 0, sizeof(t));
    t.type = "jobs.sync";
    t.payload_json = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN);
    t.priority = TASK_PRIO_HIGH;
    /* the event dead-letters itself after jobs.sync_max_attempts; the task must outlive that */
    t.max_attempts = (int)zm_conf_int("jobs.sync_max_attempts") + 1;
    rc = task_enqueue(db, &t, NULL);
    json_object_put(p);
    return rc;
}

int outbox_append(db_t *db, const char *entity, int64_t id, const char *action, const char *payload, int64_t owner_id)
{
    int64_t n = db_exec(db,
                        "INSERT INTO jobs_syncevent (entity, entity_id, action, payload, owner_id, status, attempts, "
                        "created_at) VALUES (?, ?, ?, ?, NULLIF(?, 0), 'pending', 0, UTC_TIMESTAMP(6))",
                        "sissi", entity, id, action, payload ? payload : "{}", owner_id);

    if (n < 0) {
        return (int)n;
    }
    return enqueue_sync(db, entity, id);
}

int outbox_resume_versioned(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT DISTINCT j.owner_id FROM jobs_application a JOIN jobs_jobposition j ON j.id = a.job_id "
                      "WHERE a.user_id = ? AND a.resume_id = ? ORDER BY j.owner_id LIMIT 100",
                      "is", user_id, resume_id);

    for (size_t r = 0; rc == ZM_OK && r < res.nrows; r++) {
        json_object *p = json_object_new_object();
        json_object_object_add(p, "resume_id", json_object_new_string(resume_id));
        rc =
            outbox_append(db, "user", user_id, "resume",
                          zm_pstrdup(a, json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN)), db_int(&res, r, 0));
        json_object_put(p);
    }
    return rc;
}

/* ---- projections: one entity's read-model rows from the source ---- */

static int exec_ok(int64_t n)
{
    return n < 0 ? (int)n : ZM_OK;
}

/* the indexed texts (jobs_openjob's and jobs_jobposition's columns in this order) and their weights:
 * name counts most, then company and city, then the rest */
#define JOB_TEXTS                                                                                                      \
    "name, company, city, education, years_of_working, language, responsibilities, requirements, description"
static const int job_weights[] = {8, 4, 4, 2, 2, 2, 1, 1, 1};
#define NTEXTS 9

static int project_job_ex(db_t *db, zm_arena_t *a, int64_t id, int force)
{
    db_res_t res, old;
    const char *texts[NTEXTS], *old_texts[NTEXTS];
    int rc = db_query(db, a, &res, "SELECT status, " JOB_TEXTS " FROM jobs_jobposition WHERE id = ?", "i", id);

    if (rc == ZM_OK) {
        rc = db_query(db, a, &old, "SELECT job_id, " JOB_TEXTS " FROM jobs_openjob WHERE job_id = ?", "i", id);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    for (unsigned c = 0; c < NTEXTS; c++) {
        texts[c] = res.nrows ? db_val(&res, 0, c + 1) : NULL;
        old_texts[c] = old.nrows ? db_val(&old, 0, c + 1) : NULL;
    }
    if (res.nrows == 0 || strcmp(db_val(&res, 0, 0), "open") != 0) {
        rc = exec_ok(db_exec(db, "DELETE FROM jobs_openjob WHERE job_id = ?", "i", id));
        if (rc == ZM_OK && (old.nrows > 0 || force)) {
            rc = terms_index_job(db, a, id, old.nrows ? old_texts : NULL, NULL, job_weights, NTEXTS, force);
        }
    } else {
        rc = exec_ok(db_exec(
            db,
            "REPLACE INTO jobs_openjob (job_id, name, company, city, salary, salary_min, salary_max, education, "
            "years_of_working, language, responsibilities, requirements, description, published_at, synced_at) "
            "SELECT id, name, company, city, salary, salary_min, salary_max, education, years_of_working, language, "
            "responsibilities, requirements, description, created_at, UTC_TIMESTAMP(6) FROM jobs_jobposition "
            "WHERE id = ?",
            "i", id));
        if (rc == ZM_OK) {
            rc = terms_index_job(db, a, id, old.nrows ? old_texts : NULL, texts, job_weights, NTEXTS, force);
        }
    }
    if (rc == ZM_OK && res.nrows > 0) {
        /* the seekers' applications show the job's name and place */
        rc = exec_ok(db_exec(db,
                             "UPDATE jobs_seekerapplication SET job_name = ?, company = ?, city = ?, "
                             "salary = (SELECT salary FROM jobs_jobposition WHERE id = ?) WHERE job_id = ?",
                             "sssii", db_val(&res, 0, 1), db_val(&res, 0, 2), db_val(&res, 0, 3), id, id));
    }
    if (rc == ZM_OK) {
        rc = exec_ok(db_exec(db, "UPDATE jobs_jobposition SET last_synced = UTC_TIMESTAMP(6) WHERE id = ?", "i", id));
    }
    return rc;
}

static int project_job(db_t *db, zm_arena_t *a, int64_t id)
{
    return project_job_ex(db, a, id, 0);
}

static int project_application(db_t *db, zm_arena_t *a, int64_t id)
{
    db_res_t res;
    /* read, then write: an INSERT ... SELECT would share-lock the job row a closing writer holds */
    int rc = db_query(db, a, &res,
                      "SELECT a.user_id, a.job_id, j.name, j.company, j.city, j.salary, a.resume_id, a.status, "
                      "a.close_reason, a.created_at, a.updated_at FROM jobs_application a "
                      "JOIN jobs_jobposition j ON j.id = a.job_id WHERE a.id = ?",
                      "i", id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return exec_ok(db_exec(db, "DELETE FROM jobs_seekerapplication WHERE application_id = ?", "i", id));
    }
    rc = exec_ok(db_exec(db,
                         "REPLACE INTO jobs_seekerapplication (application_id, user_id, job_id, job_name, company, "
                         "city, salary, resume_id, status, close_reason, applied_at, updated_at, synced_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))",
                         "iiisssssssss", id, db_int(&res, 0, 0), db_int(&res, 0, 1), db_val(&res, 0, 2),
                         db_val(&res, 0, 3), db_val(&res, 0, 4), db_val(&res, 0, 5), db_val(&res, 0, 6),
                         db_val(&res, 0, 7), db_val(&res, 0, 8), db_val(&res, 0, 9), db_val(&res, 0, 10)));
    if (rc == ZM_OK) {
        rc = exec_ok(db_exec(db, "UPDATE jobs_application SET last_synced = UTC_TIMESTAMP(6) WHERE id = ?", "i", id));
    }
    return rc;
}

static int project_user(db_t *db, zm_arena_t *a, int64_t uid)
{
    char u[24];
    db_res_t res;
    int rc;

    snprintf(u, sizeof(u), "%lld", (long long)uid);
    rc = db_query(db, a, &res,
                  "SELECT r.id, r.name, (SELECT v.id FROM api_resumeversion v WHERE v.resume_id = r.id "
                  "ORDER BY v.created_at DESC, v.id LIMIT 1), (SELECT MAX(v.created_at) FROM api_resumeversion v "
                  "WHERE v.resume_id = r.id) FROM api_resume r WHERE r.user_id = ?",
                  "s", u);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = exec_ok(db_exec(db, "DELETE FROM jobs_candidateresume WHERE user_id = ?", "i", uid));
    for (size_t r = 0; r < res.nrows && rc == ZM_OK; r++) {
        rc = exec_ok(db_exec(db,
                             "INSERT INTO jobs_candidateresume (resume_id, user_id, name, latest_version_id, "
                             "latest_at, synced_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))",
                             "sisss", db_val(&res, r, 0), uid, db_val(&res, r, 1), db_val(&res, r, 2),
                             db_val(&res, r, 3)));
    }
    if (rc == ZM_OK) {
        rc = exec_ok(
            db_exec(db, "UPDATE jobs_candidate SET cv_last_synced = UTC_TIMESTAMP(6) WHERE user_id = ?", "i", uid));
    }
    return rc;
}

/* Lock the entity's source row (the writers' lock order: source row, then events).  A user has
 * no source row of ours: their jobs_candidate row stands in (made outside the transaction). */
static int lock_source(db_t *db, zm_arena_t *a, const char *entity, int64_t id)
{
    db_res_t res;

    if (strcmp(entity, "job") == 0) {
        return db_query(db, a, &res, "SELECT id FROM jobs_jobposition WHERE id = ? FOR UPDATE", "i", id);
    }
    if (strcmp(entity, "application") == 0) {
        return db_query(db, a, &res, "SELECT id FROM jobs_application WHERE id = ? FOR UPDATE", "i", id);
    }
    return db_query(db, a, &res, "SELECT user_id FROM jobs_candidate WHERE user_id = ? FOR UPDATE", "i", id);
}

static int project(db_t *db, zm_arena_t *a, const char *entity, int64_t id)
{
    if (strcmp(entity, "job") == 0) {
        return project_job(db, a, id);
    }
    if (strcmp(entity, "application") == 0) {
        return project_application(db, a, id);
    }
    if (strcmp(entity, "user") == 0) {
        return project_user(db, a, id);
    }
    return JOBS_EENTITY;
}

static void user_row(db_t *db, const char *entity, int64_t id)
{
    if (strcmp(entity, "user") == 0) {
        /* fails harmlessly (foreign key) for a user that is gone */
        db_exec(db, "INSERT IGNORE INTO jobs_candidate (user_id) SELECT id FROM auth_user WHERE id = ?", "i", id);
    }
}

int outbox_apply(db_t *db, zm_arena_t *a, const char *entity, int64_t id, int max_attempts, json_object **result,
                 char **error)
{
    db_res_t ev;
    int64_t last, n;
    int rc;

    *result = json_object_new_object();
    /* applied already (by another runner's drain, a repair, another delivery): one read, no transaction */
    rc = db_query(db, a, &ev,
                  "SELECT id FROM jobs_syncevent WHERE entity = ? AND entity_id = ? AND status = 'pending' LIMIT 1",
                  "si", entity, id);
    if (rc == ZM_OK && ev.nrows == 0) {
        json_object_object_add(*result, "applied", json_object_new_int(0));
        return ZM_OK;
    }
    user_row(db, entity, id);
    /* READ COMMITTED: two appliers rebuilding neighbouring jobs' terms (DELETE then INSERT by job_id)
     * cannot deadlock on each other's gaps; the source row's lock serializes each entity */
    if ((rc = db_begin_read_committed(db)) != ZM_OK) {
        return rc;
    }
    rc = known_entity(entity) ? lock_source(db, a, entity, id) : ZM_OK;
    if (rc == ZM_OK) {
        /* no locking read: the source row's lock already serializes this entity's appliers and
         * writers, and a range lock here would block other entities' event inserts (gap locks) */
        rc = db_query(db, a, &ev,
                      "SELECT id FROM jobs_syncevent WHERE entity = ? AND entity_id = ? AND status = 'pending' "
                      "ORDER BY id",
                      "si", entity, id);
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    if (ev.nrows == 0) { /* applied already, by another delivery of this task or a repair */
        db_commit(db);
        json_object_object_add(*result, "applied", json_object_new_int(0));
        return ZM_OK;
    }
    last = db_int(&ev, ev.nrows - 1, 0);
    rc = project(db, a, entity, id);
    /* by primary key, one by one: record locks only (a concurrent delivery finds them applied) */
    for (size_t r = 0; rc == ZM_OK && r < ev.nrows; r++) {
        n = db_exec(db,
                    "UPDATE jobs_syncevent SET status = 'applied', attempts = attempts + 1, error = NULL, "
                    "applied_at = UTC_TIMESTAMP(6) WHERE id = ? AND status = 'pending'",
                    "i", db_int(&ev, r, 0));
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc == ZM_OK && strcmp(entity, "job") == 0) {
        rc = search_version_bump(db); /* cached searches are now stale */
    }
    if (rc == ZM_OK) {
        rc = db_commit(db);
        if (rc == ZM_OK) {
            json_object_object_add(*result, "applied", json_object_new_int64((int64_t)ev.nrows));
            return ZM_OK;
        }
    }
    db_rollback(db);
    {
        const char *why =
            rc == JOBS_EENTITY ? "unknown entity" : zm_psprintf(a, "%s: %s", zm_strerror(rc), db_error(db));
        int dead_now = rc == JOBS_EENTITY;
        db_res_t left;

        /* the status first: it reads attempts before this failure counts (MariaDB and MySQL agree) */
        db_exec(db,
                "UPDATE jobs_syncevent SET status = IF(? = 1 OR attempts + 1 >= ?, 'dead', 'pending'), "
                "attempts = attempts + 1, error = LEFT(?, 500) WHERE entity = ? AND entity_id = ? "
                "AND status = 'pending' AND id <= ?",
                "IIssii", dead_now, max_attempts, why, entity, id, last);
        zm_log_warn("jobs.sync %s %lld: %s", entity, (long long)id, why);
        if (db_query(db, a, &left,
                     "SELECT COUNT(*) FROM jobs_syncevent WHERE entity = ? AND entity_id = ? AND status = 'pending' "
                     "AND id <= ?",
                     "sii", entity, id, last) == ZM_OK &&
            db_int(&left, 0, 0) == 0) {
            json_object_object_add(*result, "dead", json_object_new_int64((int64_t)ev.nrows));
            return ZM_OK; /* dead-lettered: the task itself is done */
        }
        *error = (char *)why;
        return ZM_EAGAIN;
    }
}

int outbox_drain(db_t *db, zm_arena_t *a, int max_attempts, int64_t budget_ms, int64_t *applied)
{
    int64_t until = zm_mono_ms() + budget_ms;
    int rc = ZM_OK;

    *applied = 0;
    while (rc == ZM_OK && zm_mono_ms() < until) {
        db_res_t ev;
        size_t done = 0;
        /* the oldest first-attempt events: a failing one keeps its own task and backoff */
        rc = db_query(db, a, &ev,
                      "SELECT entity, entity_id FROM jobs_syncevent WHERE status = 'pending' AND attempts = 0 "
                      "ORDER BY id LIMIT 16",
                      NULL);
        for (size_t r = 0; rc == ZM_OK && r < ev.nrows && zm_mono_ms() < until; r++) {
            json_object *res = NULL;
            char *err = NULL;
            int arc = outbox_apply(db, a, db_val(&ev, r, 0), db_int(&ev, r, 1), max_attempts, &res, &err);
            json_object *n;
            if (arc == ZM_OK && json_object_object_get_ex(res, "applied", &n) && json_object_get_int64(n) > 0) {
                *applied += json_object_get_int64(n);
                done++;
            }
            json_object_put(res);
        }
        if (rc != ZM_OK || ev.nrows < 16 || done == 0) {
            break;
        }
    }
    return rc;
}

/* ---- repairs ---- */

/* Jobs whose read-model row differs from the source byte for byte (a case change is a change), is
 * missing or should not be there, or that stayed unsynced longer than stale_s. */
#define DRIFT_JOBS_SQL                                                                                                 \
    "SELECT j.id FROM jobs_jobposition j LEFT JOIN jobs_openjob o ON o.job_id = j.id "                                 \
    "WHERE (? = 0 OR j.owner_id = ?) AND ((j.status = 'open' AND (o.job_id IS NULL OR NOT ("                           \
    "CAST(o.name AS BINARY) <=> CAST(j.name AS BINARY) AND "                                                           \
    "CAST(o.company AS BINARY) <=> CAST(j.company AS BINARY) AND "                                                     \
    "CAST(o.city AS BINARY) <=> CAST(j.city AS BINARY) AND "                                                           \
    "CAST(o.salary AS BINARY) <=> CAST(j.salary AS BINARY) AND "                                                       \
    "CAST(o.education AS BINARY) <=> CAST(j.education AS BINARY) AND "                                                 \
    "CAST(o.years_of_working AS BINARY) <=> CAST(j.years_of_working AS BINARY) AND "                                   \
    "CAST(o.language AS BINARY) <=> CAST(j.language AS BINARY) AND "                                                   \
    "CAST(o.responsibilities AS BINARY) <=> CAST(j.responsibilities AS BINARY) AND "                                   \
    "CAST(o.requirements AS BINARY) <=> CAST(j.requirements AS BINARY) AND "                                           \
    "CAST(o.description AS BINARY) <=> CAST(j.description AS BINARY) AND "                                             \
    "o.salary_min <=> j.salary_min AND o.salary_max <=> j.salary_max))) "                                              \
    "OR (j.status <> 'open' AND o.job_id IS NOT NULL) "                                                                \
    "OR ((j.last_synced IS NULL OR j.last_synced < j.updated_at) "                                                     \
    "AND j.updated_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND)) "                                                       \
    "UNION SELECT o.job_id FROM jobs_openjob o LEFT JOIN jobs_jobposition j ON j.id = o.job_id "                       \
    "WHERE j.id IS NULL AND ? = 0"

static int drifted_jobs(db_t *db, zm_arena_t *a, int64_t owner, int stale_s, db_res_t *res)
{
    return db_query(db, a, res, DRIFT_JOBS_SQL " LIMIT 10000", /* DRIFT_BATCH */
                    "iiIi", owner, owner, stale_s, owner);
}

static int drifted_applications(db_t *db, zm_arena_t *a, int64_t owner, int stale_s, db_res_t *res)
{
    return db_query(db, a, res,
                    "SELECT a.id FROM jobs_application a JOIN jobs_jobposition j ON j.id = a.job_id "
                    "LEFT JOIN jobs_seekerapplication s ON s.application_id = a.id WHERE (? = 0 OR j.owner_id = ?) "
                    "AND (s.application_id IS NULL OR NOT (s.status <=> a.status AND s.user_id <=> a.user_id AND "
                    "s.job_id <=> a.job_id AND CAST(s.close_reason AS BINARY) <=> CAST(a.close_reason AS BINARY) "
                    "AND CAST(s.job_name AS BINARY) <=> CAST(j.name AS BINARY) AND s.resume_id <=> a.resume_id) "
                    "OR ((a.last_synced IS NULL OR a.last_synced < a.updated_at) AND a.updated_at < "
                    "UTC_TIMESTAMP(6) - INTERVAL ? SECOND)) LIMIT 10000",
                    "iiI", owner, owner, stale_s);
}

/* applicants whose resumes HR's read model has not caught up with */
static int drifted_users(db_t *db, zm_arena_t *a, int64_t owner, db_res_t *res)
{
    return db_query(db, a, res,
                    "SELECT DISTINCT a.user_id FROM jobs_application a JOIN jobs_jobposition j ON j.id = a.job_id "
                    "LEFT JOIN jobs_candidateresume c ON c.resume_id = a.resume_id WHERE (? = 0 OR j.owner_id = ?) "
                    "AND NOT (c.latest_version_id <=> (SELECT v.id FROM api_resumeversion v WHERE v.resume_id = "
                    "a.resume_id ORDER BY v.created_at DESC, v.id LIMIT 1)) LIMIT 10000",
                    "ii", owner, owner);
}

/* Rebuild one entity's rows in a transaction and log it as an applied "resync" event. */
static int repair(db_t *db, zm_arena_t *a, const char *entity, int64_t id, int64_t owner)
{
    int rc;

    user_row(db, entity, id);
    if ((rc = db_begin_read_committed(db)) != ZM_OK) {
        return rc;
    }
    rc = lock_source(db, a, entity, id);
    if (rc == ZM_OK) {
        /* a repair rewrites every term of the job: its index rows may have drifted too */
        rc = strcmp(entity, "job") == 0 ? project_job_ex(db, a, id, 1) : project(db, a, entity, id);
    }
    if (rc == ZM_OK) {
        rc = exec_ok(db_exec(db,
                             "INSERT INTO jobs_syncevent (entity, entity_id, action, payload, owner_id, status, "
                             "attempts, created_at, applied_at) VALUES (?, ?, 'resync', '{\"repaired\": true}', "
                             "NULLIF(?, 0), 'applied', 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                             "sii", entity, id, owner));
    }
    if (rc == ZM_OK && strcmp(entity, "job") == 0) {
        rc = search_version_bump(db);
    }
    if (rc == ZM_OK) {
        rc = db_commit(db);
    }
    if (rc != ZM_OK) {
        db_rollback(db);
    }
    return rc;
}

static int contains(const db_res_t *res, int64_t id)
{
    for (size_t r = 0; r < res->nrows; r++) {
        if (db_int(res, r, 0) == id) {
            return 1;
        }
    }
    return 0;
}

/* repaired_ids lists at most this many; "repaired" counts them all */
#define REPAIRED_LISTED 1000
/* rows a drift query returns at a time; a full resync repeats it until fewer come back */
#define DRIFT_BATCH 10000

static int repair_list(db_t *db, zm_arena_t *a, const char *entity, const db_res_t *ids, int64_t only, int64_t owner,
                       json_object *repaired, int64_t *count)
{
    for (size_t r = 0; r < ids->nrows; r++) {
        int64_t id = db_int(ids, r, 0);
        zm_arena_t one;
        int rc;
        if (only > 0 && id != only) {
            continue;
        }
        /* each repair in its own arena: a full resync may repair 100k rows in one task */
        zm_arena_init(&one, 64 * 1024, 16u << 20);
        rc = repair(db, &one, entity, id, owner);
        zm_arena_destroy(&one);
        if (rc != ZM_OK) {
            return rc;
        }
        if (json_object_array_length(repaired) < REPAIRED_LISTED) {
            json_object_array_add(repaired, json_object_new_string(zm_psprintf(a, "%s:%lld", entity, (long long)id)));
        }
        (*count)++;
    }
    return ZM_OK;
}

/* more drifted jobs than this: repaired set by set (bulk_repair_jobs), else one by one */
#define BULK_MIN 200
/* index blocks (of 256 job ids) rebuilt per transaction of a bulk repair */
#define BULK_BLOCKS 8

/* A full resync's jobs, set-based: the drifted ids into a temporary table, then per range of
 * BULK_BLOCKS index blocks one transaction that rebuilds their jobs_openjob rows with INSERT ...
 * SELECT, the blocks' index rows from those, stamps last_synced and logs the range's repairs as one
 * applied "resync" event ({"repaired": n, "from": id, "to": id}).  *handled = 0
 * when fewer than BULK_MIN drifted (the caller repairs them one by one). */
static int bulk_repair_jobs(db_t *db, zm_arena_t *a, int64_t owner, int stale_s, json_object *repaired, int64_t *count,
                            int *handled)
{
    db_res_t res;
    int64_t next = 0;
    int rc;

    *handled = 0;
    rc =
        exec_ok(db_exec(db, "CREATE TEMPORARY TABLE IF NOT EXISTS jobs_tmp_drift (id INT NOT NULL PRIMARY KEY)", NULL));
    if (rc == ZM_OK) {
        rc = exec_ok(db_exec(db, "DELETE FROM jobs_tmp_drift", NULL));
    }
    if (rc == ZM_OK && (rc = db_begin_read_committed(db)) == ZM_OK) {
        rc = exec_ok(db_exec(db, "INSERT IGNORE INTO jobs_tmp_drift (id) " DRIFT_JOBS_SQL, "iiIi", owner, owner,
                             stale_s, owner));
        rc = rc == ZM_OK ? db_commit(db) : rc;
        if (rc != ZM_OK) {
            db_rollback(db);
        }
    }
    if (rc == ZM_OK) {
        rc = db_query(db, a, &res, "SELECT COUNT(*) FROM jobs_tmp_drift", NULL);
    }
    if (rc != ZM_OK || db_int(&res, 0, 0) < BULK_MIN) {
        return rc;
    }
    *handled = 1;
    for (;;) {
        int64_t lo, first, last, hi, n = 0;
        zm_arena_t one;

        rc = db_query(db, a, &res, "SELECT MIN(id) FROM jobs_tmp_drift WHERE id >= ?", "i", next);
        if (rc != ZM_OK || db_val(&res, 0, 0) == NULL) {
            break;
        }
        lo = db_int(&res, 0, 0);
        first = lo >> TERMS_BLOCK_SHIFT;
        last = first + BULK_BLOCKS - 1;
        hi = ((last + 1) << TERMS_BLOCK_SHIFT) - 1;
        next = hi + 1;
        /* each range in its own arena: 100k jobs in one task */
        zm_arena_init(&one, 256 * 1024, 64u << 20);
        if ((rc = db_begin_read_committed(db)) == ZM_OK) {
            rc = db_query(db, &one, &res,
                          "SELECT j.id FROM jobs_tmp_drift d JOIN jobs_jobposition j ON j.id = d.id "
                          "WHERE d.id BETWEEN ? AND ? ORDER BY j.id FOR UPDATE",
                          "ii", lo, hi);
            if (rc == ZM_OK) {
                rc = exec_ok(db_exec(db,
                                     "DELETE o FROM jobs_openjob o JOIN jobs_tmp_drift d ON d.id = o.job_id "
                                     "WHERE d.id BETWEEN ? AND ?",
                                     "ii", lo, hi));
            }
            if (rc == ZM_OK) {
                rc = exec_ok(db_exec(
                    db,
                    "INSERT INTO jobs_openjob (job_id, name, company, city, salary, salary_min, salary_max, "
                    "education, years_of_working, language, responsibilities, requirements, description, "
                    "published_at, synced_at) SELECT j.id, j.name, j.company, j.city, j.salary, j.salary_min, "
                    "j.salary_max, j.education, j.years_of_working, j.language, j.responsibilities, j.requirements, "
                    "j.description, j.created_at, UTC_TIMESTAMP(6) FROM jobs_tmp_drift d JOIN jobs_jobposition j "
                    "ON j.id = d.id WHERE d.id BETWEEN ? AND ? AND j.status = 'open'",
                    "ii", lo, hi));
            }
            if (rc == ZM_OK) {
                rc = terms_rebuild_blocks(db, &one, first, last, job_weights, NTEXTS);
            }
            if (rc == ZM_OK) {
                rc = exec_ok(db_exec(db,
                                     "UPDATE jobs_seekerapplication s JOIN jobs_tmp_drift d ON d.id = s.job_id "
                                     "JOIN jobs_jobposition j ON j.id = s.job_id SET s.job_name = j.name, "
                                     "s.company = j.company, s.city = j.city, s.salary = j.salary "
                                     "WHERE d.id BETWEEN ? AND ?",
                                     "ii", lo, hi));
            }
            if (rc == ZM_OK) {
                rc = exec_ok(db_exec(db,
                                     "UPDATE jobs_jobposition j JOIN jobs_tmp_drift d ON d.id = j.id "
                                     "SET j.last_synced = UTC_TIMESTAMP(6) WHERE d.id BETWEEN ? AND ?",
                                     "ii", lo, hi));
            }
            if (rc == ZM_OK) {
                /* the ids (while repaired_ids has room), else how many */
                if (json_object_array_length(repaired) < REPAIRED_LISTED) {
                    rc = db_query(db, &one, &res, "SELECT id FROM jobs_tmp_drift WHERE id BETWEEN ? AND ? ORDER BY id",
                                  "ii", lo, hi);
                    n = (int64_t)res.nrows;
                } else {
                    rc = db_query(db, &one, &res, "SELECT COUNT(*) FROM jobs_tmp_drift WHERE id BETWEEN ? AND ?", "ii",
                                  lo, hi);
                    n = rc == ZM_OK ? db_int(&res, 0, 0) : 0;
                    res.nrows = 0;
                }
            }
            if (rc == ZM_OK) {
                /* one applied "resync" event for the range (a row per job was 100k rows for a full resync) */
                json_object *p = json_object_new_object();
                const char *payload;
                json_object_object_add(p, "repaired", json_object_new_int64(n));
                json_object_object_add(p, "from", json_object_new_int64(lo));
                json_object_object_add(p, "to", json_object_new_int64(hi));
                payload = zm_pstrdup(&one, json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
                json_object_put(p);
                rc = exec_ok(db_exec(db,
                                     "INSERT INTO jobs_syncevent (entity, entity_id, action, payload, owner_id, "
                                     "status, attempts, created_at, applied_at) VALUES ('job', ?, 'resync', ?, "
                                     "NULLIF(?, 0), 'applied', 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                                     "isi", lo, payload, owner));
            }
            rc = rc == ZM_OK ? search_version_bump(db) : rc;
            rc = rc == ZM_OK ? db_commit(db) : rc;
            if (rc != ZM_OK) {
                db_rollback(db);
            }
        }
        for (size_t r = 0; rc == ZM_OK && r < res.nrows; r++) {
            if (json_object_array_length(repaired) < REPAIRED_LISTED) {
                json_object_array_add(
                    repaired, json_object_new_string(zm_psprintf(a, "job:%lld", (long long)db_int(&res, r, 0))));
            }
        }
        *count += rc == ZM_OK ? n : 0;
        zm_arena_destroy(&one);
        if (rc != ZM_OK) {
            break;
        }
    }
    return rc;
}

int outbox_resync(db_t *db, zm_arena_t *a, const char *scope, int64_t id, int64_t owner_id, int stale_s,
                  json_object **result)
{
    db_res_t stale, ids;
    json_object *repaired = json_object_new_array();
    int64_t count = 0, swept = 0, checked = 0;
    int all = strcmp(scope, "all") == 0, rc = ZM_OK;
    int max_attempts = (int)zm_conf_int("jobs.sync_max_attempts");

    *result = json_object_new_object();
    json_object_object_add(*result, "scope", json_object_new_string(scope));
    json_object_object_add(*result, "repaired_ids", repaired);
    /* events whose task was lost (or is still backing off): apply them now */
    if (all) {
        rc = db_query(db, a, &stale,
                      "SELECT DISTINCT entity, entity_id FROM jobs_syncevent WHERE status = 'pending' "
                      "AND created_at < UTC_TIMESTAMP(6) - INTERVAL ? SECOND AND (? = 0 OR owner_id = ?) LIMIT 1000",
                      "Iii", stale_s, owner_id, owner_id);
        for (size_t r = 0; rc == ZM_OK && r < stale.nrows; r++) {
            json_object *res = NULL;
            char *err = NULL;
            int arc = outbox_apply(db, a, db_val(&stale, r, 0), db_int(&stale, r, 1), max_attempts, &res, &err);
            json_object_put(res);
            if (arc != ZM_OK && arc != ZM_EAGAIN) {
                rc = arc;
            }
            swept++;
        }
    }
    if (rc == ZM_OK && (all || strcmp(scope, "job") == 0)) {
        int bulk = 0;
        if (all) {
            rc = bulk_repair_jobs(db, a, owner_id, stale_s, repaired, &count, &bulk);
        }
        for (int round = 0; rc == ZM_OK && !bulk && round < 100; round++) {
            rc = drifted_jobs(db, a, all ? owner_id : 0, all ? stale_s : -1, &ids);
            if (rc == ZM_OK && !all && !contains(&ids, id)) {
                ids.nrows = 0;
            }
            if (rc == ZM_OK) {
                rc = repair_list(db, a, "job", &ids, all ? 0 : id, owner_id, repaired, &count);
            }
            if (rc != ZM_OK || !all || ids.nrows < DRIFT_BATCH) {
                break;
            }
        }
        checked += all ? 0 : 1;
    }
    if (rc == ZM_OK && (all || strcmp(scope, "application") == 0)) {
        for (int round = 0; round < 100; round++) {
            rc = drifted_applications(db, a, all ? owner_id : 0, all ? stale_s : -1, &ids);
            if (rc == ZM_OK) {
                rc = repair_list(db, a, "application", &ids, all ? 0 : id, owner_id, repaired, &count);
            }
            if (rc != ZM_OK || !all || ids.nrows < DRIFT_BATCH) {
                break;
            }
        }
        checked += all ? 0 : 1;
    }
    if (rc == ZM_OK && (all || strcmp(scope, "user") == 0)) {
        if (all) {
            rc = drifted_users(db, a, owner_id, &ids);
            if (rc == ZM_OK) {
                rc = repair_list(db, a, "user", &ids, 0, owner_id, repaired, &count);
            }
        } else {
            /* one user's resumes: always rebuilt (cheap), reported as repaired when they differed */
            rc = drifted_users(db, a, 0, &ids);
            if (rc == ZM_OK && contains(&ids, id)) {
                json_object_array_add(repaired, json_object_new_string(zm_psprintf(a, "user:%lld", (long long)id)));
                count++;
            }
            if (rc == ZM_OK) {
                rc = repair(db, a, "user", id, owner_id);
            }
            checked++;
        }
    }
    if (all && rc == ZM_OK) {
        db_res_t n;
        if (db_query(db, a, &n,
                     "SELECT (SELECT COUNT(*) FROM jobs_jobposition WHERE ? = 0 OR owner_id = ?) + "
                     "(SELECT COUNT(*) FROM jobs_application x JOIN jobs_jobposition y ON y.id = x.job_id "
                     "WHERE ? = 0 OR y.owner_id = ?)",
                     "iiii", owner_id, owner_id, owner_id, owner_id) == ZM_OK) {
            checked = db_int(&n, 0, 0);
        }
    }
    json_object_object_add(*result, "checked", json_object_new_int64(checked));
    json_object_object_add(*result, "repaired", json_object_new_int64(count));
    json_object_object_add(*result, "stale_events_applied", json_object_new_int64(swept));
    return rc;
}

/* ---- what HR and admins see ---- */

static json_object *rate_json(zm_arena_t *a, int64_t total, int64_t synced)
{
    json_object *o = json_object_new_object();
    double rate = total > 0 ? (double)(synced * 10000 / total) / 100.0 : 100.0;

    json_object_object_add(o, "total", json_object_new_int64(total));
    json_object_object_add(o, "synced", json_object_new_int64(synced));
    json_object_object_add(o, "sync_rate", json_object_new_double_s(rate, zm_psprintf(a, "%.2f", rate)));
    return o;
}

static int lag_at(db_t *db, zm_arena_t *a, int64_t owner, int64_t n, double q, json_object **out)
{
    db_res_t res;
    int rc;

    if (n == 0) {
        *out = NULL;
        return ZM_OK;
    }
    rc = db_query(db, a, &res,
                  "SELECT TIMESTAMPDIFF(MICROSECOND, created_at, applied_at) AS lag FROM jobs_syncevent "
                  "WHERE applied_at > UTC_TIMESTAMP(6) - INTERVAL 1 HOUR AND action <> 'resync' "
                  "AND (? = 0 OR owner_id = ?) ORDER BY lag LIMIT 1 OFFSET ?",
                  "iii", owner, owner, (int64_t)(q * (double)(n - 1)));
    if (rc != ZM_OK) {
        return rc;
    }
    *out = res.nrows ? json_object_new_int64(db_int(&res, 0, 0) / 1000) : NULL;
    return ZM_OK;
}

int sync_status(db_t *db, zm_arena_t *a, const jobs_actor_t *who, json_object **out)
{
    int64_t owner = who->admin ? 0 : who->user_id;
    db_res_t jobs, apps, users, ev;
    json_object *p50, *p95;
    int rc;

    rc = db_query(db, a, &jobs,
                  "SELECT COUNT(*), COALESCE(SUM(last_synced IS NOT NULL AND last_synced >= updated_at), 0) "
                  "FROM jobs_jobposition WHERE status <> 'deleted' AND (? = 0 OR owner_id = ?)",
                  "ii", owner, owner);
    if (rc == ZM_OK) {
        rc = db_query(db, a, &apps,
                      "SELECT COUNT(*), COALESCE(SUM(a.last_synced IS NOT NULL AND a.last_synced >= a.updated_at), 0) "
                      "FROM jobs_application a JOIN jobs_jobposition j ON j.id = a.job_id WHERE (? = 0 OR "
                      "j.owner_id = ?)",
                      "ii", owner, owner);
    }
    if (rc == ZM_OK) {
        /* users with a resume (for HR: those who applied to its jobs); synced when HR's side reflects
         * their latest version */
        rc = db_query(
            db, a, &users,
            "SELECT COUNT(*), COALESCE(SUM(c.cv_last_synced IS NOT NULL AND c.cv_last_synced >= x.latest), "
            "0) FROM (SELECT r.user_id AS uid, MAX(v.created_at) AS latest FROM api_resume r "
            "JOIN api_resumeversion v ON v.resume_id = r.id WHERE ? = 0 OR CAST(r.user_id AS SIGNED) IN (SELECT "
            "a.user_id FROM jobs_application a JOIN jobs_jobposition j ON j.id = a.job_id "
            "WHERE j.owner_id = ?) GROUP BY r.user_id) x LEFT JOIN jobs_candidate c ON c.user_id = x.uid",
            "ii", owner, owner);
    }
    if (rc == ZM_OK) {
        rc = db_query(db, a, &ev,
                      "SELECT " ISO("MAX(applied_at)") ", COALESCE(SUM(status = 'pending'), 0), "
                                                       "COALESCE(SUM(status = 'dead'), 0), "
                                                       "TIMESTAMPDIFF(MICROSECOND, MIN(IF(status = 'pending', "
                                                       "created_at, NULL)), UTC_TIMESTAMP(6)), "
                                                       "COALESCE(SUM(applied_at > UTC_TIMESTAMP(6) - INTERVAL 1 HOUR "
                                                       "AND action <> 'resync'), 0) FROM jobs_syncevent WHERE (? = 0 "
                                                       "OR owner_id = ?)",
                      "ii", owner, owner);
    }
    if (rc == ZM_OK) {
        rc = lag_at(db, a, owner, db_int(&ev, 0, 4), 0.5, &p50);
    }
    if (rc == ZM_OK) {
        rc = lag_at(db, a, owner, db_int(&ev, 0, 4), 0.95, &p95);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "jobs", rate_json(a, db_int(&jobs, 0, 0), db_int(&jobs, 0, 1)));
    json_object_object_add(*out, "applications", rate_json(a, db_int(&apps, 0, 0), db_int(&apps, 0, 1)));
    json_object_object_add(*out, "users", rate_json(a, db_int(&users, 0, 0), db_int(&users, 0, 1)));
    json_object_object_add(*out, "last_sync", jobs_json_str(db_val(&ev, 0, 0)));
    json_object_object_add(*out, "pending", json_object_new_int64(db_int(&ev, 0, 1)));
    json_object_object_add(*out, "failed", json_object_new_int64(db_int(&ev, 0, 2)));
    json_object_object_add(*out, "oldest_pending_age_s",
                           db_val(&ev, 0, 3) ? json_object_new_double((double)db_int(&ev, 0, 3) / 1e6) : NULL);
    json_object_object_add(*out, "applied_last_hour", json_object_new_int64(db_int(&ev, 0, 4)));
    json_object_object_add(*out, "lag_p50_ms", p50);
    json_object_object_add(*out, "lag_p95_ms", p95);
    json_object_object_add(*out, "scope", json_object_new_string(who->admin ? "all" : "own"));
    return ZM_OK;
}

#define LOG_COLS                                                                                                       \
    "id, entity, entity_id, action, payload, owner_id, status, attempts, error, " ISO("created_at") ", " ISO(          \
        "applied_at") ", TIMESTAMPDIFF(MICROSECOND, created_at, applied_at) "
#define LOG_WHERE                                                                                                      \
    "WHERE (? = 0 OR owner_id = ?) AND (? IS NULL OR entity = ?) AND (? IS NULL OR status = ?) "                       \
    "AND (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at < ?) "

static json_object *log_json(const db_res_t *res, size_t r)
{
    json_object *o = json_object_new_object();
    const char *err = db_val(res, r, 8), *lag = db_val(res, r, 11);

    json_object_object_add(o, "id", json_object_new_int64(db_int(res, r, 0)));
    json_object_object_add(o, "entity", json_object_new_string(db_val(res, r, 1)));
    json_object_object_add(o, "entity_id", json_object_new_int64(db_int(res, r, 2)));
    json_object_object_add(o, "action", json_object_new_string(db_val(res, r, 3)));
    json_object_object_add(o, "payload", json_tokener_parse(db_val(res, r, 4)));
    json_object_object_add(o, "owner_id", db_val(res, r, 5) ? json_object_new_int64(db_int(res, r, 5)) : NULL);
    json_object_object_add(o, "status", json_object_new_string(db_val(res, r, 6)));
    json_object_object_add(o, "attempts", json_object_new_int64(db_int(res, r, 7)));
    json_object_object_add(o, "error", jobs_json_str(err));
    json_object_object_add(o, "created_at", json_object_new_string(db_val(res, r, 9)));
    json_object_object_add(o, "applied_at", jobs_json_str(db_val(res, r, 10)));
    json_object_object_add(o, "lag_ms", lag ? json_object_new_int64(db_int(res, r, 11) / 1000) : NULL);
    return o;
}

int sync_logs(db_t *db, zm_arena_t *a, const jobs_actor_t *who, const sync_log_query_t *q, json_object **out)
{
    int64_t owner = who->admin ? 0 : who->user_id;
    db_res_t res, cnt;
    json_object *items;
    int rc;

    rc = db_query(db, a, &cnt, "SELECT COUNT(*) FROM jobs_syncevent " LOG_WHERE "AND id > ?", "iissssssssi", owner,
                  owner, q->entity, q->entity, q->status, q->status, q->since, q->since, q->until, q->until, q->after);
    if (rc != ZM_OK) {
        return rc;
    }
    if (q->after > 0) { /* a follower's cursor: the next events in order */
        rc = db_query(db, a, &res, "SELECT " LOG_COLS "FROM jobs_syncevent " LOG_WHERE "AND id > ? ORDER BY id LIMIT ?",
                      "iissssssssii", owner, owner, q->entity, q->entity, q->status, q->status, q->since, q->since,
                      q->until, q->until, q->after, q->page_size);
    } else {
        rc = db_query(db, a, &res,
                      "SELECT " LOG_COLS "FROM jobs_syncevent " LOG_WHERE "AND id > ? ORDER BY id DESC LIMIT ? "
                      "OFFSET ?",
                      "iissssssssiii", owner, owner, q->entity, q->entity, q->status, q->status, q->since, q->since,
                      q->until, q->until, (int64_t)0, q->page_size, (q->page - 1) * q->page_size);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    items = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        json_object_array_add(items, log_json(&res, r));
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "items", items);
    json_object_object_add(*out, "total", json_object_new_int64(db_int(&cnt, 0, 0)));
    if (q->after > 0) {
        json_object_object_add(*out, "after", json_object_new_int64(q->after));
        json_object_object_add(*out, "next_after",
                               json_object_new_int64(res.nrows ? db_int(&res, res.nrows - 1, 0) : q->after));
    } else {
        json_object_object_add(*out, "page", json_object_new_int64(q->page));
        json_object_object_add(*out, "next_after",
                               json_object_new_int64(res.nrows ? db_int(&res, 0, 0) : 0)); /* newest shown */
    }
    json_object_object_add(*out, "page_size", json_object_new_int64(q->page_size));
    return ZM_OK;
}

int sync_request(db_t *db, zm_arena_t *a, const jobs_actor_t *who, const char *scope, int64_t id, int64_t *task_id)
{
    int64_t owner = who->admin ? 0 : who->user_id;
    char payload[160];
    task_new_t t;
    db_res_t res;
    int rc = ZM_OK;

    if (strcmp(scope, "job") == 0) {
        rc = db_query(db, a, &res, "SELECT id FROM jobs_jobposition WHERE id = ? AND (? = 0 OR owner_id = ?)", "iii",
                      id, owner, owner);
    } else if (strcmp(scope, "application") == 0) {
        rc = db_query(db, a, &res,
                      "SELECT a.id FROM jobs_application a JOIN jobs_jobposition j ON j.id = a.job_id WHERE a.id = ? "
                      "AND (? = 0 OR j.owner_id = ?)",
                      "iii", id, owner, owner);
    } else if (strcmp(scope, "user") == 0) {
        /* HR: only someone who applied to one of its jobs (the original checked nothing here) */
        rc = db_query(db, a, &res,
                      "SELECT u.id FROM auth_user u WHERE u.id = ? AND (? = 0 OR EXISTS (SELECT 1 FROM "
                      "jobs_application a JOIN jobs_jobposition j ON j.id = a.job_id WHERE a.user_id = u.id "
                      "AND j.owner_id = ?))",
                      "iii", id, owner, owner);
    } else if (strcmp(scope, "all") != 0) {
        return ZM_EINVAL;
    } else {
        res.nrows = 1;
    }
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    snprintf(payload, sizeof(payload), "{\"scope\": \"%s\", \"id\": %lld, \"owner_id\": %lld}", scope, (long long)id,
             (long long)owner);
    memset(&t, 0, sizeof(t));
    t.type = "jobs.resync";
    t.payload_json = payload;
    t.priority = TASK_PRIO_HIGH;
    t.user_id = who->user_id;
    rc = task_enqueue(db, &t, task_id);
    if (rc == ZM_OK) {
        task_wake();
    }
    return rc;
}

int sync_retry(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t event_id)
{
    int64_t owner = who->admin ? 0 : who->user_id;
    db_res_t res;
    int64_t n;
    int rc;

    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    rc = db_query(db, a, &res,
                  "SELECT entity, entity_id, status FROM jobs_syncevent WHERE id = ? AND (? = 0 OR owner_id = ?) "
                  "FOR UPDATE",
                  "iii", event_id, owner, owner);
    if (rc == ZM_OK && res.nrows == 0) {
        rc = ZM_ENOTFOUND;
    } else if (rc == ZM_OK && strcmp(db_val(&res, 0, 2), "dead") != 0) {
        rc = JOBS_ESTATE;
    }
    if (rc == ZM_OK) {
        n = db_exec(db, "UPDATE jobs_syncevent SET status = 'pending', attempts = 0 WHERE id = ?", "i", event_id);
        rc = n < 0 ? (int)n : enqueue_sync(db, db_val(&res, 0, 0), db_int(&res, 0, 1));
    }
    if (rc == ZM_OK && (rc = db_commit(db)) == ZM_OK) {
        task_wake();
        return ZM_OK;
    }
    db_rollback(db);
    return rc;
}

int outbox_metrics(db_t *db, zm_arena_t *a, zm_buf_t *out)
{
    db_res_t res;
    const char *m;

    if (db_query(db, a, &res,
                 "SELECT (SELECT COUNT(*) FROM jobs_syncevent WHERE status = 'pending'), "
                 "(SELECT COUNT(*) FROM jobs_syncevent WHERE status = 'dead'), "
                 "COALESCE(TIMESTAMPDIFF(MICROSECOND, (SELECT MIN(created_at) FROM jobs_syncevent "
                 "WHERE status = 'pending'), UTC_TIMESTAMP(6)), 0)",
                 NULL) != ZM_OK) {
        return ZM_OK; /* the tasks module says zhimai_db_up 0 */
    }
    m = zm_psprintf(a,
                    "# HELP zhimai_sync_events HR <-> seeker sync events not applied yet, by status.\n"
                    "# TYPE zhimai_sync_events gauge\n"
                    "zhimai_sync_events{status=\"pending\"} %s\nzhimai_sync_events{status=\"dead\"} %s\n"
                    "# HELP zhimai_sync_oldest_pending_seconds Age of the oldest pending sync event.\n"
                    "# TYPE zhimai_sync_oldest_pending_seconds gauge\n"
                    "zhimai_sync_oldest_pending_seconds %.3f\n",
                    db_val(&res, 0, 0), db_val(&res, 0, 1), (double)db_int(&res, 0, 2) / 1e6);
    return m ? zm_buf_puts(a, out, m) : ZM_ENOMEM;
}
