/*
 * resumes_tasks.h -- queue handlers for resumes: text extraction after an
 * upload, and file deletions that failed inline.
 */
#ifndef ZM_RESUME_TASKS_H
#define ZM_RESUME_TASKS_H

#include "registry.h"

/** resume.extract {"version_id"}: file -> text, stored with its status (done/failed and why). */
int resume_task_extract(task_ctx_t *ctx, json_object **result, char **error);

/** storage.delete {"key"}: remove a stored file (idempotent). */
int resume_task_storage_delete(task_ctx_t *ctx, json_object **result, char **error);

#endif
