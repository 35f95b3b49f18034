/*
 * analysis.h -- resume analysis: one engine, two providers.
 *
 *   builtin  offline, deterministic, milliseconds: a skills dictionary with
 *            synonyms (fcgi/analysis/data/), education, years of experience,
 *            resume sections, requirement extraction from a job description,
 *            a 0-100 score from weighted, explained components, specific
 *            feedback; a Chinese question bank for interview prediction.
 *   openai   any OpenAI-compatible chat-completions endpoint, asked for JSON
 *            matching a schema, validated; invalid output fails with the
 *            reason -- never a made-up score.
 *
 * Every result has one shape (an_match_t / JSON), whichever provider made it.
 */
#ifndef ZM_ANALYSIS_H
#define ZM_ANALYSIS_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "zm.h"

/* ---- what the builtin analyzer reads out of a text ---- */

typedef struct {
    json_object *skills;   /* [{"name": canonical, "category": "...", "count": n}] */
    int education;         /* AN_EDU_* (highest found) */
    double years;          /* years of experience (from phrases and date ranges), -1 unknown */
    json_object *sections; /* {"education": bool, "work": bool, "projects": bool, "skills": bool,
                               "summary": bool, "contact": bool} */
} an_profile_t;

enum { AN_EDU_NONE = 0, AN_EDU_HIGHSCHOOL, AN_EDU_ASSOCIATE, AN_EDU_BACHELOR, AN_EDU_MASTER, AN_EDU_PHD };

/** Load the dictionaries from dir (skills.tsv, questions.tsv ...); once per process. */
int an_init(const char *data_dir);

/** Skills, education, years and sections of a resume (or requirements of a job description). */
int an_profile(zm_arena_t *a, const char *text, an_profile_t *out);

/* ---- results, one shape for both providers ---- */

typedef struct {
    int score; /* 0..100 */
    const char *summary;
    json_object *strengths;      /* [string] */
    json_object *gaps;           /* [string] */
    json_object *suggestions;    /* [string] */
    json_object *matched_skills; /* [string] */
    json_object *missing_skills; /* [string] */
    json_object *components;     /* builtin: [{"name","weight","score","detail"}]; openai: null */
    const char *provider;        /* "builtin" / "openai" */
    const char *model;           /* "builtin-v1" / the remote model name */
} an_match_t;

/** {"score", "summary", "strengths", ...}: the API shape of a match; takes references to m's arrays. */
json_object *an_match_json(const an_match_t *m);

/** Score a resume against a job description (builtin). */
int an_builtin_match(zm_arena_t *a, const char *resume_text, const char *job_description, an_match_t *out);

/**
 * A full diagnosis report of a resume (builtin): {"overall_score", "summary",
 * "sections": [{"name","present","findings":[...]}], "skills": {"found":[...],
 * "by_category": {...}}, "rewrites": [{"original","suggestion","why"}], ...}.
 * target_role may be NULL.
 */
int an_builtin_diagnose(zm_arena_t *a, const char *resume_text, const char *target_role, json_object **report);

/**
 * Likely interview questions (builtin): {"groups": [{"category": "technical" |
 * "project" | "behavioral" | "hr", "questions": [{"question", "why", "outline": [...]}]}]}.
 * job is a job description or a target role (may be NULL); count 1..50 in all.
 */
int an_builtin_questions(zm_arena_t *a, const char *resume_text, const char *job, int count, json_object **out);

/**
 * The configured remote model's score (llm.provider "openai", the llm.* keys) of a resume against a
 * job description: the validated answer of the openai provider's match, *score 0..100; a request
 * lasts at most timeout_ms (and llm.timeout_ms), is not retried on a transport failure (the caller
 * has a fallback), and an invalid answer gets the provider's one more chance.  ZM_ENOTFOUND when no
 * remote model is configured; any other failure is the provider's code with *error (may be NULL) a
 * reason -- never a made-up score.  Blocks for seconds: from a task only.  (provider.c)
 */
int an_remote_score(zm_arena_t *a, const char *resume_text, const char *job_description, long timeout_ms, int *score,
                    char **error);
/** One question of the builtin bank (questions.tsv), for the classic question bank (fcgi/content). */
typedef struct {
    const char *category; /* technical, project, behavioral, hr */
    const char *skill;    /* the skill's canonical name, NULL for any ("*") */
    const char *question; /* may hold the placeholders {skill}, {project}, {role} */
    const char *why;
    const char *const *outline;
    int noutline;
} an_bank_q_t;

/** The i-th question of the loaded bank, in file order: ZM_OK, or ZM_ENOTFOUND past the last. */
int an_bank_question(int i, an_bank_q_t *out);

/* ---- the match as features: what job matching scores a million resumes with ----
 *
 * The builtin match splits into what depends on the resume alone (its
 * features: found skills, education, years, a term vector), computed once
 * when its text is extracted, and a job description compiled once per run
 * (an_jobvec_t).  an_jobvec_score() of a resume's features equals
 * an_builtin_match()'s score of its text against that job description: the
 * same components, computed by the same functions.
 */

typedef struct {
    uint32_t *keys; /* distinct terms (folded to 32 bits), ascending */
    uint16_t *tf;   /* their counts, saturated */
    int n;
    uint32_t total; /* term occurrences: the BM25 length */
} an_termvec_t;

typedef struct {
    uint32_t *keys; /* distinct terms, ascending (merged with a resume's in one pass) */
    double *w;      /* their weights */
    int n;
    double den; /* the weights' sum */
} an_jdterms_t;

typedef struct {
    int empty;    /* the text was empty: it scores 0 */
    int edu;      /* AN_EDU_* */
    double years; /* -1 unknown */
    int nskills;
    uint16_t *skills; /* dictionary ids of the skills found, ascending */
    an_termvec_t terms;
} an_features_t;

/* packed head: format, edu, empty, 0, total (u32), years (f64), nskills (u16), skills (u16 each); little-endian */
#define AN_FEAT_FORMAT 1
#define AN_HEAD_FIXED 18
#define AN_MAX_SKILLS 2048 /* a dictionary larger than this would cut a resume's skills: an_init refuses it */
#define AN_HEAD_MAX (AN_HEAD_FIXED + 2 * AN_MAX_SKILLS)

/** The version features carry: their format and the dictionary's; others must be rebuilt. */
int64_t an_features_version(void);

/** The features of a resume's text. */
int an_features(zm_arena_t *a, const char *text, an_features_t *out);

/** Pack f: head (everything but the term vector, at most AN_HEAD_MAX bytes) and terms (n x (u32 key, u16 tf)). */
int an_features_pack(zm_arena_t *a, const an_features_t *f, char **head, size_t *hlen, char **terms, size_t *tlen);
/** Unpack a head into f (skills in a; terms left empty).  ZM_EINVAL when malformed. */
int an_features_unpack_head(zm_arena_t *a, const char *head, size_t len, an_features_t *f);
/** Unpack a term vector into f->terms.  ZM_EINVAL when malformed. */
int an_features_unpack_terms(zm_arena_t *a, const char *terms, size_t len, an_features_t *f);

typedef struct an_jobvec_s an_jobvec_t;

/** Compile a job description for scoring features. */
int an_jobvec(zm_arena_t *a, const char *job_description, an_jobvec_t **out);

/** The score of a packed head with the similarity component taken as sim (0..100): sim = 0 and 100
 *  bound the real score from below and above.  -1 for a malformed head.  The hot loop: no allocation. */
int an_jobvec_score_head(const an_jobvec_t *j, const char *head, size_t len, int sim);
/** 0..100: the similarity component of a resume's term vector. */
int an_jobvec_similarity(const an_jobvec_t *j, const an_termvec_t *terms);
/** The full score of features: equals an_builtin_match()'s score of the text they came from. */
int an_jobvec_score(const an_jobvec_t *j, const an_features_t *f);

/** Does the job description name this skill (required or preferred)? */
int an_jobvec_wants(const an_jobvec_t *j, int skill);
/** A dictionary skill's canonical name ("" for an id out of range). */
const char *an_skill_name(int skill);
/** An AN_EDU_* level's name ("" for none). */
const char *an_edu_name(int level);

/** Tests: fix "today" (the end of "2019.07-至今") to year/month; year 0 = the real date. */
void an_set_today(int year, int month);

/* ---- the user's records, for other domains (review.c) ---- */

struct db_s;

/**
 * The user's n newest records of kind ("diagnosis" or "interview"), newest first, in the short shape
 * a summary shows: [{id, kind, state, score, target_role, count (interview), created_at,
 * finished_at}] (no job description, no result: GET /api/v1/resume-diagnosis/{id} has those).  One
 * index range (zm_analysis_user_kind), n rows.
 */
int analysis_recent(struct db_s *db, zm_arena_t *a, int64_t user_id, const char *kind, int n, json_object **out);

#endif
