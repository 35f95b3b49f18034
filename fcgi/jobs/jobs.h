/*
 * jobs.h -- jobs (HR), applications (seekers and HR), the HR <-> seeker
 * sync engine and job search (issue 12; seeds 000, 002, 003).
 *
 * Sources of truth: jobs_jobposition and jobs_application.  Every write to
 * them appends a jobs_syncevent row in the same transaction (sync.c: the
 * outbox) and enqueues a jobs.sync task; the task applies the entity's
 * pending events, in id order, to the other side's read model:
 *   jobs        -> jobs_openjob + jobs_jobterm (what seekers search and read)
 *   application -> jobs_seekerapplication (a seeker's list)
 *   user        -> jobs_candidateresume (HR's view of an applicant's resumes)
 * and stamps last_synced.  Applying rebuilds the read-model rows from the
 * source, so applying twice (at-least-once delivery) changes nothing.
 *
 * Access: an actor is a user and whether they are an admin.  HR users see
 * their own jobs and those jobs' applications; admins see all; anything
 * else is ZM_ENOTFOUND, the same as an id that does not exist.
 */
#ifndef ZM_JOBS_H
#define ZM_JOBS_H

#include <json-c/json.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "db.h"

#define JOBS_ECLOSED (ZM_ERANGE_JOBS - 0) /* the job is not open for applications */
#define JOBS_ESTATE (ZM_ERANGE_JOBS - 1)  /* the status does not allow this transition (or it changed meanwhile) */
#define JOBS_ERESUME (ZM_ERANGE_JOBS - 2) /* the resume is not the applicant's, or has no version */
#define JOBS_EBADSAL (ZM_ERANGE_JOBS - 3) /* a salary text that does not parse, or a bad range */
#define JOBS_EENTITY (ZM_ERANGE_JOBS - 4) /* a sync event of an unknown entity (dead-lettered at once) */

/* limits of the text fields, in characters */
#define JOBS_MAX_NAME 200
#define JOBS_MAX_COMPANY 200
#define JOBS_MAX_CITY 100
#define JOBS_MAX_SHORT 50
#define JOBS_MAX_DESCRIPTION 20000
#define JOBS_MAX_ITEMS 50 /* entries of responsibilities / requirements */
#define JOBS_MAX_ITEM 500 /* characters of one entry */
#define JOBS_MAX_SALARY_K 10000

typedef struct {
    int64_t user_id;
    int admin;
} jobs_actor_t;

/* A job's fields as a client sends them; NULL: absent (PATCH leaves it as it is). */
typedef struct {
    const char *name, *company, *city, *salary, *education, *years_of_working, *language, *description, *status;
    const char *responsibilities, *requirements; /* JSON arrays of strings, already checked */
} job_input_t;

/**
 * Parse a salary text into k/月: "15k-25k", "15-25K", "15K~25K/月", "1.5万-2.5万", "15000-25000"
 * (yuan), "20k" (one figure: min = max), "" or "面议" (no figures: *min = *max = -1).  ZM_OK, or
 * JOBS_EBADSAL with *why (a static message) when it does not parse, or min > max, or over the cap.
 */
int job_salary_parse(const char *s, int *min, int *max, const char **why);

/** A valid job status a client may set: draft, open, closed. */
int job_status_valid(const char *s);

int job_create(db_t *db, zm_arena_t *a, const jobs_actor_t *who, const job_input_t *in, json_object **out);
int job_update(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, const job_input_t *in,
               json_object **out);
/** Delete a job: it disappears for everyone; its open applications are closed and the applicants told. */
int job_delete(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id);
int job_get(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, json_object **out);
/** {"items", "total", "page", "page_size"}; status NULL for all. */
int job_list(db_t *db, zm_arena_t *a, const jobs_actor_t *who, const char *status, int64_t page, int64_t page_size,
             json_object **out);
/** The seed's GET /jobs/api/job/{job_id}/ data: an open job from the seekers' read model, or the
 *  actor's own job (any status) from the source. */
int job_detail(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, json_object **out);

/* ---- applications (applications.c) ---- */

/** Apply to an open job with one of the user's resumes (its latest version is the snapshot).
 *  ZM_EDUP when the user applied already; JOBS_ECLOSED; JOBS_ERESUME; ZM_ENOTFOUND (no such open job). */
int app_create(db_t *db, zm_arena_t *a, int64_t user_id, int64_t job_id, const char *resume_id, json_object **out);
/** The seeker's applications, from their read model, newest first. */
int app_list_mine(db_t *db, zm_arena_t *a, int64_t user_id, int64_t page, int64_t page_size, json_object **out);
/** Withdraw: JOBS_ESTATE when the application is already final. */
int app_withdraw(db_t *db, zm_arena_t *a, int64_t user_id, int64_t app_id, json_object **out);
/** A job's applicants as HR sees them (snapshot, status, whether the resume changed since). */
int app_list_for_job(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, int64_t page, int64_t page_size,
                     json_object **out);
/** HR moves an application: JOBS_ESTATE (409) for a transition the machine does not allow. */
int app_set_status(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t app_id, const char *status,
                   json_object **out);
/** The applicant's resume file HR may open for an application on its job (admins: any): the
 *  newest version HR's read model has (after "resume updated"), else the one applied with.
 *  ZM_ENOTFOUND for another HR's application or an unknown id. */
int app_resume_file(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t app_id, int64_t *user_id,
                    const char **version_id);

/** A status HR may set: viewed, interviewing, offered, rejected. */
int app_status_settable(const char *s);

/* ---- sync (sync.c) ---- */

/** GET /smartrecruit/hr/sync/status's object, scoped to the actor. */
int sync_status(db_t *db, zm_arena_t *a, const jobs_actor_t *who, json_object **out);

typedef struct {
    const char *entity, *status; /* NULL: any */
    const char *since, *until;   /* "YYYY-MM-DD[ HH:MM:SS]" or NULL */
    int64_t after;               /* > 0: id cursor, ascending */
    int64_t page, page_size;
} sync_log_query_t;

/** The event log (scoped to the actor): {"items", "next_after", ...}. */
int sync_logs(db_t *db, zm_arena_t *a, const jobs_actor_t *who, const sync_log_query_t *q, json_object **out);

/** Enqueue a manual resync ("all", or "job"/"application"/"user" with id) after the actor's
 *  ownership check; *task_id is the task.  ZM_ENOTFOUND when the actor may not see id. */
int sync_request(db_t *db, zm_arena_t *a, const jobs_actor_t *who, const char *scope, int64_t id, int64_t *task_id);

/** Put a dead-lettered event back to pending and enqueue it. */
int sync_retry(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t event_id);

/* ---- export (export.c) ---- */

/** The actor's jobs as CSV (UTF-8 with a BOM for Excel; xlsx = 0) or an XLSX workbook (xlsx = 1)
 *  appended to out; at most 10000 rows; ZM_ETOOBIG past 32 MB (or a cell over Excel's limit). */
int job_export(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int xlsx, zm_buf_t *out);
/** A job's applicants, the same ways; ZM_ENOTFOUND when the actor may not see the job. */
int app_export(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, int xlsx, zm_buf_t *out);

/* ---- search (search.c) ---- */

typedef struct {
    const char *q, *city, *education, *experience, *language;
    int64_t salary_min, salary_max; /* -1: none */
    int newest;                     /* sort by newest instead of relevance */
    int64_t page, page_size;
} job_search_t;

/** Open jobs from the seekers' read model; records a search session for user_id (> 0).  With a
 *  query at most the newest 1000 matches are ranked and paged, and without one the total counts
 *  up to 1000: {"items", "total", "total_exact" (false: total is that cap, a lower bound), "page",
 *  "page_size", "sort", "session_id"}. */
int job_search(db_t *db, zm_arena_t *a, int64_t user_id, const job_search_t *q, json_object **out);

/** The seekers' read model of jobs changed (jobs_openjob, the index): adds one to the search
 *  index's version (jobs_searchversion), which drops every worker's cached results.  Inside the
 *  writer's transaction, as its last statement before committing (the row lock is then held only
 *  for the commit). */
int search_version_bump(db_t *db);

/** Record a search session by hand (POST /api/v1/search/sessions). */
int search_session_create(db_t *db, zm_arena_t *a, int64_t user_id, const char *query, const char *filters,
                          int64_t results, json_object **out);
/** The user's sessions and the dashboard's counts: {"items", "total", "effective", ...}. */
int search_session_list(db_t *db, zm_arena_t *a, int64_t user_id, int64_t page, int64_t page_size, json_object **out);

#endif
