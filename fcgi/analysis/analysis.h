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

/** Tests: fix "today" (the end of "2019.07-至今") to year/month; year 0 = the real date. */
void an_set_today(int year, int month);

#endif
