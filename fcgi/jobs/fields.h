/*
 * fields.h -- what the files of fcgi/jobs share about the columns they
 * read: times as ISO 8601 text, stored JSON lists, the application close
 * that a job's close or delete runs.
 */
#ifndef ZM_JOBS_FIELDS_H
#define ZM_JOBS_FIELDS_H

#include <json-c/json.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

/* a DATETIME(6) column as "2026-12-02T05:25:27.123456Z" */
#define ISO(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s.%fZ')"

/** A stored JSON list of strings as a new array; [] when NULL or not a list. */
json_object *jobs_json_list(const char *text);

/** A string or JSON null. */
json_object *jobs_json_str(const char *s);

/**
 * Inside the caller's transaction, with the job row locked: close the job's applications that are
 * still in progress (submitted, viewed, interviewing) with reason, log each, append their sync
 * events and notify each applicant.  *closed (may be NULL) gets the closed rows (id, user_id,
 * status before), for app_push_closed() once the transaction committed.
 */
int app_close_for_job(db_t *db, zm_arena_t *a, int64_t job_id, const char *job_name, int64_t owner_id,
                      const char *reason, db_res_t *closed);

/** After the commit: tell each applicant app_close_for_job() closed, on their live channel (best effort). */
void app_push_closed(const db_res_t *closed, int64_t job_id, const char *job_name, const char *reason);

#endif
