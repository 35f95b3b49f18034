/*
 * resumes.h -- resumes, their versions and files (the seed's Resume
 * Management Service).
 *
 * Tables: api_resume, api_resumeversion (Django's), zm_resume_file (ours:
 * owner, original name, hash, extracted text).  A version row exists only
 * if its file does: the file is stored first, the rows are written in one
 * transaction, and a failed transaction removes the file again.
 *
 * Limits (resumes.quota_bytes, max_resumes, max_versions) are decided in
 * the transaction that writes the rows, under a lock on the user's
 * zm_resume_usage row: a user's uploads pass the check one at a time.
 *
 * Access: only the owner sees a resume; anyone else gets ZM_ENOTFOUND, the
 * same as for an id that does not exist.  resume_can_read() is the one
 * place that decides, so HR access (with applications) is added there.
 */
#ifndef ZM_RESUME_H
#define ZM_RESUME_H

#include <json-c/json.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "storage.h"
#include "zm.h"

#define RESUME_ETYPE (ZM_ERANGE_RESUMES - 0)     /* content is not an accepted type */
#define RESUME_ELAST (ZM_ERANGE_RESUMES - 1)     /* the only version of a resume cannot be deleted */
#define RESUME_EQUOTA (ZM_ERANGE_RESUMES - 2)    /* the user's files would pass resumes.quota_bytes */
#define RESUME_ERESUMES (ZM_ERANGE_RESUMES - 3)  /* the user already has resumes.max_resumes resumes */
#define RESUME_EVERSIONS (ZM_ERANGE_RESUMES - 4) /* the resume already has resumes.max_versions versions */

typedef struct {
    const char *file_name; /* as the client sent it (sanitized here) */
    const char *data;
    size_t len;
    const char *comment; /* may be NULL */
} resume_upload_t;

/** Create a resume with its first version.  *out is the resume as the API shows it (with versions).
 *  RESUME_ERESUMES or RESUME_EQUOTA over the user's limits, with nothing stored. */
int resume_create(db_t *db, storage_t *st, zm_arena_t *a, int64_t user_id, const char *name, const resume_upload_t *u,
                  json_object **out);

/** Add a version; *out is the version.  RESUME_EVERSIONS or RESUME_EQUOTA over the limits, nothing stored. */
int resume_add_version(db_t *db, storage_t *st, zm_arena_t *a, int64_t user_id, const char *resume_id,
                       const resume_upload_t *u, json_object **out);

/** One page of the caller's resumes, newest first: *items (an array) and *total (all of them). */
int resume_list(db_t *db, zm_arena_t *a, int64_t user_id, int64_t page, int64_t page_size, json_object **items,
                int64_t *total);

/** One resume with its versions. */
int resume_get(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, json_object **out);

/** The versions of a resume, newest first. */
int resume_versions(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, json_object **out);

int resume_rename(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, const char *name, json_object **out);

/** Delete a resume, its versions and every stored file; ZM_ENOTFOUND when it is gone (also when a
 *  concurrent delete removed it first: the DELETE's own row count decides). */
int resume_delete(db_t *db, storage_t *st, zm_arena_t *a, int64_t user_id, const char *resume_id);

/** A version's file for download. */
typedef struct {
    const char *key, *file_name, *file_type;
    int64_t size;
} resume_file_t;

int resume_file_find(db_t *db, zm_arena_t *a, int64_t user_id, const char *version_id, resume_file_t *f);

/** Delete one version and its file; RESUME_ELAST when it is the resume's only one. */
int resume_file_delete(db_t *db, storage_t *st, zm_arena_t *a, int64_t user_id, const char *version_id);

/** The latest version's extracted text: {"version_id", "status", "error", "text", "chars"}. */
int resume_text(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, json_object **out);

/** The latest version's text and its extraction status (all arena strings; text NULL until done). */
typedef struct {
    const char *resume_id, *resume_name, *version_id, *status, *error, *text;
    int64_t chars;
} resume_text_t;

int resume_latest_text(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, resume_text_t *t);

/**
 * A hook an upper layer registers (jobs, at process init): called inside the transaction that adds a
 * version to user_id's resume resume_id (also a new resume's first), on its connection, so what the
 * hook writes (jobs' outbox event: HR's view shows "resume updated") commits or rolls back with the
 * upload; a non-OK return rolls the upload back.  One hook; NULL removes it.
 */
typedef int (*resume_version_hook_pt)(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id);
void resumes_on_new_version(resume_version_hook_pt fn);

/** May user_id read resumes of owner_id?  (Today: only their own.) */
int resume_can_read(db_t *db, int64_t user_id, int64_t owner_id);

/**
 * Called by resume.extract after a version's text was stored as done, in the same runner (a domain
 * above sets it in its init_process: matching computes the resume's features there).  NULL: nothing.
 * Its failure is logged; the extraction stays done.
 */
extern int (*resume_extracted_hook)(db_t *db, zm_arena_t *a, const char *version_id);

/** An extracted version (ids as 32 hex digits, arena strings; text NULL in the batch form). */
typedef struct {
    const char *resume_id, *version_id, *text;
    int64_t user_id;
    int latest; /* the latest extracted version of its resume (the one other domains read) */
} resume_extracted_t;

/** Version version_id whose text is extracted, with its text; ZM_ENOTFOUND when there is no such
 *  version or its text is not (yet) extracted. */
int resume_extracted_version(db_t *db, zm_arena_t *a, const char *version_id, resume_extracted_t *out);

/** The latest extracted version of each resume, in resume id order, from the resume after `after`
 *  (NULL or "" = the first): at most limit of them in out (latest = 1, text NULL), *n how many; fewer
 *  than limit means the end.  One query a batch: a scan over every resume (matching's pool) goes on
 *  with after = the batch's last resume_id. */
int resume_latest_extracted(db_t *db, zm_arena_t *a, const char *after, int limit, resume_extracted_t *out, size_t *n);

#endif
