/*
 * interview.h -- the mock interview (模拟面试, issue 18): sessions, their transcript, the builtin
 * interviewer and the reports.
 *
 * A session is a row of interview_session (migrations/0023_interview.sql) with its transcript in
 * interview_turn.  zhimai-fcgi only writes rows and queues tasks; zhimai-worker's interview.turn
 * produces the interviewer's next message and streams it to the session's nchan channel
 * interview_<id> (GET /api/v1/events/interviews/{id}), interview.end charges the last minutes and
 * writes the report.  Turns are written by (session, seq): a retried task rewrites its own row.
 *
 * Two interviewers (interview.provider): builtin (offline, deterministic: builtin.c) and an
 * OpenAI-compatible model streamed through services/llm.h.  The builtin interviewer decides what
 * comes next (next question, a follow-up, closing) for both; the model only words it.
 */
#ifndef ZM_INTERVIEW_H
#define ZM_INTERVIEW_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "zm.h"

#define IV_ESTATE (ZM_ERANGE_INTERVIEW - 0)    /* the session has ended: 409 */
#define IV_EBUSY (ZM_ERANGE_INTERVIEW - 1)     /* the interviewer's message is not finished: 409 */
#define IV_ENOTREADY (ZM_ERANGE_INTERVIEW - 2) /* the resume's text is not extracted yet: 409 */
#define IV_EREPORT (ZM_ERANGE_INTERVIEW - 3)   /* a model's report that is not the expected JSON */

#define IV_TEXT_MAX_DEFAULT 4000 /* characters of one answer (interview.max_answer_chars) */
#define IV_MATERIAL_MAX 20000    /* characters of a JD or notes */
#define IV_QUESTIONS_MAX 20
#define IV_MINUTES_MAX 120

/* ---- the builtin interviewer (builtin.c): pure functions ---- */

typedef enum { IV_FU_NONE = 0, IV_FU_QUANTIFY, IV_FU_TECH, IV_FU_STAR, IV_FU_ELABORATE } iv_followup_t;

/** The follow-up an answer calls for, in order: too short (under 15 characters) -> elaborate; no
 *  digits -> quantify; a dictionary technology the question does not name -> dig into it (*tech,
 *  arena); behavioral / project questions without situation-task-action-result -> STAR; else none. */
iv_followup_t iv_followup_pick(zm_arena_t *a, const char *category, const char *question, const char *answer,
                               const char **tech);

/** Whether text names at least 3 of situation, task, action, result (Chinese or English cue words). */
int iv_has_star(const char *text);

/** Whether text holds a digit (ASCII or full width) or a Chinese numeral with a unit (三个, 两周). */
int iv_has_number(const char *text);

typedef struct {
    int score;            /* 0..100 */
    json_object *reasons; /* [string] */
    json_object *adds;    /* [string]: outline points the answer missed */
    json_object *covered; /* [string]: outline points it touched */
} iv_score_t;

/** The rubric score of answer against a question's outline (n items): coverage of the outline 50,
 *  figures 15, structure (STAR) 15, substance (length) 20.  An empty answer scores 0. */
int iv_score_answer(zm_arena_t *a, const char *answer, const char *category, const char *const *outline, int n,
                    iv_score_t *out);

/** The interviewer's words (language "zh" or "en") for: a question (n from 1; first: the greeting
 *  too), a follow-up, the closing. */
const char *iv_say_question(zm_arena_t *a, const char *lang, int n, int first, const char *question);
const char *iv_say_followup(zm_arena_t *a, const char *lang, iv_followup_t fu, const char *tech);
const char *iv_say_closing(zm_arena_t *a, const char *lang, const char *reason);

/** A reference answer for a question from its outline (may be empty: a STAR frame), improving on
 *  answer when given: {reference, key_points: [...], improvements: [...]}. */
json_object *iv_builtin_reference(zm_arena_t *a, const char *question, const char *const *outline, int n,
                                  const char *answer);

/**
 * Parse a model's report (JSON text) for a session of nq questions: {overall_score 0..100, summary,
 * strengths [..], gaps [..], questions: [{index 0..nq-1, score 0..100, reasons [..],
 * strong_answer_adds [..]}]}.  ZM_OK with *out the validated object (a new reference, owned by the
 * caller), else IV_EREPORT with *why (arena).  Untrusted input: fuzzed (tests/fuzz/fuzz_interview_report.c).
 */
int iv_report_parse(zm_arena_t *a, const char *text, size_t len, int nq, json_object **out, const char **why);

/* ---- sessions (interview.c) ---- */

typedef struct {
    const char *role;        /* target role (or the job's name) */
    const char *jd;          /* job description (a job's, or a material's), may be NULL */
    const char *notes;       /* notes material, may be NULL */
    const char *resume_text; /* may be NULL */
    const char *resume_id;   /* for the record, may be NULL */
    int64_t job_id;          /* 0 none */
    const char *type;        /* technical, behavioral, hr, mixed */
    const char *difficulty;  /* easy, medium, hard */
    int questions;           /* how many main questions */
    int minutes;             /* 0: no time limit */
    const char *language;    /* zh, en */
} iv_config_t;

extern const char *const iv_types[];        /* technical behavioral hr mixed */
extern const char *const iv_difficulties[]; /* easy medium hard */
extern const char *const iv_languages[];    /* zh en */

/** The plan: [{index, category, question, why, outline: [...]}]: questions admins added to the classic
 *  bank (content.h) that fit the type and name a skill of the role, JD, notes or resume (at most half;
 *  db NULL: none), then the analysis engine's prediction, by type. */
int iv_plan_build(db_t *db, zm_arena_t *a, const iv_config_t *c, json_object **plan);

/** Store a JD or notes material: *out {id, kind, name, chars}. */
int iv_material_add(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, const char *name, const char *text,
                    json_object **out);
/** A material's kind and text; ZM_ENOTFOUND when it is not the user's. */
int iv_material_get(db_t *db, zm_arena_t *a, int64_t user_id, int64_t id, const char **kind, const char **text);

/** Create a mock interview session with its plan and its first interviewer turn (queued):
 *  *out {session_id, plan, config, channel, turn: {id, seq}}. */
int iv_session_create(db_t *db, zm_arena_t *a, int64_t user_id, const iv_config_t *c, json_object *plan,
                      json_object **out);

/** Record the candidate's answer (idempotent by client_key) and queue the interviewer's reply:
 *  *out {turn_id, seq, reply_turn_id, reply_seq, duplicate}.  IV_ESTATE when ended, IV_EBUSY when the
 *  interviewer's turn is still being produced, ZM_ENOTFOUND for another's session. */
int iv_answer(db_t *db, zm_arena_t *a, int64_t user_id, int64_t session_id, const char *text, const char *client_key,
              json_object **out);

/** A session for rejoining, or a record (the same): config, plan, status, transcript, time used, points,
 *  and its report (null while it is being written).  kind NULL: either. */
int iv_session_view(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, int64_t session_id, json_object **out);

/** Does user_id own session_id (the channel's authorizer)?  ZM_OK or ZM_ENOTFOUND. */
int iv_session_owned(db_t *db, zm_arena_t *a, int64_t user_id, int64_t session_id);

/** End a session (reason: user, completed, time, points, idle) and queue its report (interview.end).
 *  user_id 0: any owner (the worker).  Ending an ended session is ZM_OK (*already = 1). */
int iv_session_end(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, int64_t session_id, const char *reason,
                   int *already);

/* ---- the meeting assistant (会议助手, 白银 and above): a session of kind 'meeting' ---- */

/** Start a meeting: *out {session_id, status, provider, config, events}. */
int iv_meeting_create(db_t *db, zm_arena_t *a, int64_t user_id, const char *topic, const char *my_role,
                      const char *language, json_object **out);
/** A transcript line (idempotent by client_key) and the assistant's update it queues: as iv_answer. */
int iv_meeting_line(db_t *db, zm_arena_t *a, int64_t user_id, int64_t session_id, const char *text,
                    const char *client_key, json_object **out);

typedef struct {
    json_object *questions;    /* [{question, suggested_reply}] addressed to me, new in these lines */
    json_object *action_items; /* [string], new */
    const char *summary;       /* the running summary after these lines */
} iv_meeting_update_t;

/** The builtin assistant over new transcript lines (n of them; all: every line so far, for the
 *  summary): questions addressed to me (a question mark or question word, and "you" / my role),
 *  suggested replies, action items (owners, deadlines, "需要 / 跟进 / will / by ..."). */
int iv_meeting_builtin(zm_arena_t *a, const char *topic, const char *my_role, const char *lang,
                       const char *const *lines, int n, const char *const *all, int nall, iv_meeting_update_t *out);

/** A model's meeting update, untrusted: {summary, questions: [{question, suggested_reply}],
 *  action_items: [..]}; as iv_report_parse (fuzzed with it). */
int iv_meeting_parse(zm_arena_t *a, const char *text, size_t len, json_object **out, const char **why);

/** The user's records (kind mock_interview or meeting), newest first. */
int iv_records(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, int64_t page, int64_t size,
               json_object **items, int64_t *total);

/** The builtin reference answer (iv_builtin_reference) for question (NULL: the plan's question qi of
 *  the user's session session_id; with a session the plan's outline, else the bank's for a question of
 *  the bank, else a STAR frame).  ZM_ENOTFOUND for another's session or a question index not in it. */
int iv_reference(db_t *db, zm_arena_t *a, int64_t user_id, int64_t session_id, int qi, const char *question,
                 const char *answer, json_object **out);

/* ---- the worker's side (tasks.c) ---- */

/** Produce turn seq of session_id: charge, decide, stream, store.  Idempotent. */
int iv_turn_run(db_t *db, zm_arena_t *a, int64_t session_id, int seq, char **error);
/** Charge the last minutes and write the report of an ended session, once. */
int iv_end_run(db_t *db, zm_arena_t *a, int64_t session_id, char **error);
/** End active sessions idle for interview.idle_timeout seconds; *n how many. */
int iv_close_idle(db_t *db, zm_arena_t *a, int64_t *n);

/** The nchan channel of a session ("interview_<id>") into buf. */
void iv_channel(int64_t session_id, char *buf, size_t n);

#endif
