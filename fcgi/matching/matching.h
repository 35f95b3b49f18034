/*
 * matching.h -- job <-> resume matching (issue 13; seed 000's match module).
 *
 * HR starts a run for one of their jobs; zhimai-worker's matching.run task
 * scores every discoverable candidate (the latest extracted version of each
 * resume whose owner's job_status is one of the first three; accounts.h,
 * kept on the features row by accounts' acc_discoverable_hook)
 * against the job's text with the builtin analyzer's own scorer, over
 * features precomputed per resume (analysis.h: an_features, an_jobvec), and
 * keeps the best matching.top_k.  The scan goes in match_resume_features.id
 * order and checkpoints (last id, counts, the top K so far) every batch, so a
 * killed worker's run resumes where it stopped and ends with the same
 * ranking.  A finished run's results replace the job's previous ones in one
 * transaction (match_job points at the run readers see).  A result row keeps
 * its owner and whether they are still discoverable (visible, set with the
 * features by accounts' hook), so the results page reads one index of the
 * run's rows.
 *
 * Access: a job's owner (HR) and admins; anyone else gets ZM_ENOTFOUND, as
 * for a job that does not exist.
 */
#ifndef ZM_MATCHING_H
#define ZM_MATCHING_H

#include <json-c/json.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "jobs.h"
#include "zm.h"

#define MATCH_EPRIORITY (ZM_ERANGE_MATCHING - 0)  /* not high, normal or low */
#define MATCH_ENORUN (ZM_ERANGE_MATCHING - 1)     /* nothing to cancel */
#define MATCH_EHEAD (ZM_ERANGE_MATCHING - 2)      /* stored features that do not unpack */
#define MATCH_EINVITED (ZM_ERANGE_MATCHING - 3)   /* the candidate is already invited to the job */
#define MATCH_ENOTOPEN (ZM_ERANGE_MATCHING - 4)   /* an invitation to a job that is not open */
#define MATCH_ENOTRANKED (ZM_ERANGE_MATCHING - 5) /* a resume the job's current ranking does not show (404) */

#define MATCH_INVITE_MESSAGE_MAX 500 /* characters of an invitation's message */

/** What a job is matched as: its name, description, responsibilities, requirements, education and
 *  years, one per line (see matching.c); the same text a suggestion for the job would be given. */
char *match_job_text(zm_arena_t *a, json_object *job);

/** Start a run (priority "high", "normal", "low"); a run already pending or running for the job is
 *  returned instead of a second one.  *task_id is the match_task id.  extra (may be NULL): fields
 *  added to the queue payload (the tests' pacing; see run.c). */
int match_start(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, const char *priority,
                json_object *extra, int64_t *task_id);

/** The seed's status object: {"job_id", "status", "progress", "estimated_time", ...}. */
int match_status(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, json_object **out);

/** The seed's result object, ranked and paged; min_score 0..100. */
int match_result(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, int64_t page, int64_t page_size,
                 double min_score, json_object **out);

/** Cancel the job's pending or running run; MATCH_ENORUN when there is none. */
int match_cancel(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id);

/** Invite the candidate of resume_id (dashed or plain hex) in the job's current ranking to apply:
 *  a match_invitation row and the candidate's notification (kind "match.invite") in one transaction,
 *  then a live "match.invite" message.  message may be NULL or "" (at most MATCH_INVITE_MESSAGE_MAX
 *  characters, else ZM_EINVAL).  ZM_ENOTFOUND: no such job for who; MATCH_ENOTRANKED: the resume is
 *  not in the job's current ranking; MATCH_EINVITED: invited before (nothing written); MATCH_ENOTOPEN:
 *  the job is not open.
 *  *out: {"id", "job_id", "resume_id", "message", "invited", "created_at"}.  (invite.c) */
int match_invite(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, const char *resume_id,
                 const char *message, json_object **out);

/** The file HR may open of a candidate in the job's current ranking (a discoverable owner counts as
 *  opted in): *user_id and the *version_id the features came from.  ZM_ENOTFOUND: no such job for
 *  who; MATCH_ENOTRANKED: the resume is not in the ranking.  (invite.c) */
int match_candidate_file(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, const char *resume_id,
                         int64_t *user_id, const char **version_id);

/** "不到1分钟", "约3分钟", "约2小时": seconds left in words. */
const char *match_eta_words(zm_arena_t *a, double seconds);

/* ---- features (features.c) ---- */

/** Compute and store the features of a resume version whose text is extracted (the latest one of its
 *  resume; an older one is skipped), then score it against the latest completed run of every job
 *  (incremental).  ZM_OK also when there is nothing to do. */
int match_index_version(db_t *db, zm_arena_t *a, const char *version_id);

/** Features for up to limit latest extracted versions that have none, or of another version;
 *  *done gets how many were (re)built.  after (33 bytes): the scan's cursor, a resume id ("" = from
 *  the first), moved on; back to "" when the scan reached the last resume. */
int match_backfill(db_t *db, zm_arena_t *a, int limit, char *after, int *done);

/** accounts.h's acc_discoverable_hook: user_id's features enter or leave the candidate pool. */
int match_discoverable_changed(db_t *db, int64_t user_id, int discoverable);

/* ---- the run (run.c) ---- */

struct task_ctx_s;
/** matching.run {"match_task_id"}: scan from the checkpoint, publish progress, finish. */
int match_run(struct task_ctx_s *ctx, int64_t match_task_id, json_object **result, char **error);

/* ---- the top K (topk.c): a min-heap by (score, then the lower scan id wins ties) ---- */

typedef struct {
    uint32_t id; /* match_resume_features.id */
    uint8_t score;
} match_cand_t;

typedef struct {
    match_cand_t *v;
    int n, cap;
} match_topk_t;

int match_topk_init(zm_arena_t *a, match_topk_t *t, int cap);
/** Would (score, id) enter?  (Full heaps keep the better of equal scores: the lower id.) */
int match_topk_admits(const match_topk_t *t, int score, uint32_t id);
void match_topk_push(match_topk_t *t, int score, uint32_t id);
/** Sort best first (score descending, id ascending); the heap is spent. */
void match_topk_sort(match_topk_t *t);
/** Checkpoint form: n x (u32 id, u8 score). */
char *match_topk_pack(zm_arena_t *a, const match_topk_t *t, size_t *len);
int match_topk_unpack(match_topk_t *t, const char *s, size_t len);

#endif
