/*
 * review.h -- what users ask of the analysis engine: AI suggestions (a
 * resume against a job description), resume diagnoses and interview
 * question predictions, with their history.
 *
 * Suggestions from a fast provider (the builtin) are computed in the request
 * (a few milliseconds) and answered 201; from a slow one (a remote model) a task
 * (202) and the row is written when a real result exists -- api_suggestion.score
 * is NOT NULL and never invented.  Diagnoses and predictions are always
 * tasks: zm_analysis holds the request, its state and its result, written in
 * one transaction by the task (the place a points charge joins later).
 */
#ifndef ZM_REVIEW_H
#define ZM_REVIEW_H

#include <json-c/json.h>
#include <stdint.h>

#include "analysis.h"
#include "arena.h"
#include "db.h"
#include "provider.h"
#include "zm.h"

#define RV_ENOTEXT (ZM_ERANGE_ANALYSIS - 0) /* the resume has no extracted text (yet); *why says which */
#define RV_ELIMIT (ZM_ERANGE_ANALYSIS - 1)  /* per-hour analysis limit reached; *why holds the retry seconds */

typedef struct {
    int64_t task_id;   /* > 0 when the work was queued */
    json_object *data; /* the finished object when done inline */
    const char *why;   /* for RV_ENOTEXT / RV_ELIMIT */
    int retry_after;
    int64_t price, balance, shortfall; /* POINTS_ESHORT: the analysis costs more points than the user has */
} rv_outcome_t;

/** Count one analysis of user_id against analysis.per_hour. */
int rv_limit(db_t *db, zm_arena_t *a, int64_t user_id, rv_outcome_t *o);

int rv_suggestion_create(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, const char *job_description,
                         rv_outcome_t *o);
/** One page of user_id's suggestions, newest first: *items (an array) and *total (all of them). */
int rv_suggestion_list(db_t *db, zm_arena_t *a, int64_t user_id, int64_t page, int64_t page_size, json_object **items,
                       int64_t *total);
int rv_suggestion_get(db_t *db, zm_arena_t *a, int64_t user_id, const char *id, json_object **out);
int rv_suggestion_feedback(db_t *db, zm_arena_t *a, int64_t user_id, const char *id, int is_helpful,
                           const char *comment, json_object **out);

/** kind "diagnosis" or "interview"; job/target_role may be NULL; count for interviews.  POINTS_ESHORT
 *  (o->price, balance, shortfall) when its price is more than the user's points: nothing queued. */
int rv_analysis_start(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, const char *resume_id,
                      const char *target_role, const char *job_description, int count, rv_outcome_t *o);
/** One page of user_id's analyses of kind, newest first: *items (an array) and *total (all of them). */
int rv_analysis_history(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, int64_t page, int64_t page_size,
                        json_object **items, int64_t *total);
int rv_analysis_get(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, const char *id, json_object **out);

/** Write a finished suggestion (both rows, one transaction); *out is it as the API shows it. */
int rv_store_suggestion(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, const char *jd,
                        const an_match_t *m, const an_usage_t *usage, json_object **out);

/** Record the result of the pending analysis id (a no-op when it is no longer pending) and charge its
 *  price (points.price_<kind>, key analysis:<id>:charge) in the same transaction; result stays the
 *  caller's.  score -1 = none.  POINTS_ESHORT: the user no longer has the points, the analysis is
 *  marked failed instead and nothing is charged. */
int rv_analysis_done(db_t *db, zm_arena_t *a, const char *id, json_object *result, const char *provider,
                     const char *model, int64_t score);

/** Mark the pending analysis id failed, with why (cut to 500 characters) shown to its user. */
int rv_analysis_failed(db_t *db, const char *id, const char *why, const char *provider);

/* ---- task handlers (registered in fcgi/tasks/registry.c) ---- */
struct task_ctx_s;
int rv_task_suggestion(struct task_ctx_s *ctx, json_object **result, char **error);
int rv_task_analysis(struct task_ctx_s *ctx, json_object **result, char **error);

#endif
