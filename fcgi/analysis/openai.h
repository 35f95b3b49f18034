/*
 * openai.h -- the "openai" analysis provider: resume analyses asked of any
 * OpenAI-compatible model through the chat client (fcgi/services/llm.h),
 * answered as a JSON object and checked against a schema
 * (fcgi/services/jsonschema.h).  Reached through an_provider() (provider.h).
 *
 * One call = one chat request with response_format json_object, then the
 * judge: the answer's content is parsed (```json fences and a leading
 * <think> block removed, strict JSON) and validated.  An invalid answer
 * gets exactly one more chance, with the bad output and a message naming
 * what was wrong appended to the conversation.  Still invalid: the call
 * fails with the reason.  Nothing here ever substitutes a default score for
 * an answer it could not read.
 *
 * Return codes are llm_chat()'s (llm.h: ZM_OK, ZM_EINVAL, ZM_ERR,
 * ZM_EAGAIN, ZM_ENOMEM), ZM_ERR also meaning output still invalid after the
 * second attempt; on any failure *error (when error is not NULL) is a
 * one-line reason in the arena, e.g. "HTTP 401: Incorrect API key
 * provided", "invalid output after 2 attempts: score must be an integer
 * 0-100; missing key gaps".
 *
 * Strings returned live in the caller's arena.  json_object results are
 * new references the caller releases (json_object_put, or
 * an_openai_match_release() for an an_match_t).  usage (may be NULL) is
 * zeroed, then filled even on failure; usage->llm.model is what the server
 * said answered, or NULL.
 */
#ifndef ZM_OPENAI_H
#define ZM_OPENAI_H

#include <json-c/json.h>
#include <stddef.h>

#include "analysis.h"
#include "arena.h"
#include "jsonschema.h"
#include "llm.h"
#include "provider.h"
#include "zm.h"

/* ---- what an answer must look like ---- */

/** The schema of a match answer: score 0..100, summary, strengths, gaps, suggestions, matched/missing_skills. */
extern const zm_schema_t an_openai_match_schema;

/** The schema of a diagnosis: overall_score, summary, sections [{name, present, findings}], rewrites. */
extern const zm_schema_t an_openai_diagnose_schema;

/**
 * The schema of interview questions for *count questions in all: groups
 * [{category technical|project|behavioral|hr, questions [{question, why,
 * outline}]}], each category once, at least *count questions.  count must
 * outlive the schema's use.
 */
zm_schema_t an_openai_questions_schema(const int *count);

/**
 * The judge: a model's content stripped (an_openai_strip_fences), parsed as
 * strict JSON (one object, nothing after it, valid UTF-8, nesting at most
 * 32 deep) and validated against schema.  NULL with *obj set (the caller
 * puts it), or the reason it is unusable (arena, or a static string) with
 * *obj NULL.
 */
const char *an_openai_judge(zm_arena_t *a, const char *content, const zm_schema_t *schema, json_object **obj);

/* ---- the calls ---- */

/**
 * Ask the model for a JSON object conforming to schema.  *out gets the
 * validated object (caller puts it).  error may be NULL.
 */
int an_openai_chat_json(zm_arena_t *a, const llm_conf_t *c, const char *system_prompt, const char *user_prompt,
                        const zm_schema_t *schema, json_object **out, an_usage_t *usage, char **error);

/**
 * Score a resume against a job description: a recruiter's evaluation in
 * Chinese, each text cut at AN_OPENAI_TEXT_MAX characters.  out gets the
 * one shared result shape: provider "openai", model as the server reported
 * it (else c->model), components NULL.  Release its arrays with
 * an_openai_match_release().
 */
int an_openai_match(zm_arena_t *a, const llm_conf_t *c, const char *resume_text, const char *job_description,
                    an_match_t *out, an_usage_t *usage, char **error);

/** Drop the references a match (either provider's) put into m's arrays (safe on a zeroed m, and twice). */
void an_openai_match_release(an_match_t *m);

/**
 * A diagnosis report of a resume, the builtin's shape: {"overall_score",
 * "summary", "sections": [{"name","present","findings"}], "rewrites":
 * [{"original","suggestion","why"}], "provider": "openai", "model"}.
 * target_role may be NULL.
 */
int an_openai_diagnose(zm_arena_t *a, const llm_conf_t *c, const char *resume_text, const char *target_role,
                       json_object **report, an_usage_t *usage, char **error);

/**
 * Likely interview questions, the builtin's shape: {"groups": [{"category":
 * "technical" | "project" | "behavioral" | "hr", "questions": [{"question",
 * "why", "outline": [...]}]}], "provider", "model"}.  job is a job
 * description or target role (may be NULL); count 1..50 questions in all.
 * An answer with fewer questions, an unknown or repeated category is
 * invalid; extra questions beyond count are dropped from the end.
 */
int an_openai_questions(zm_arena_t *a, const llm_conf_t *c, const char *resume_text, const char *job, int count,
                        json_object **out, an_usage_t *usage, char **error);

/* ---- text helpers (exposed for the unit tests) ---- */

#define AN_OPENAI_TEXT_MAX 12000 /* characters of a resume or job description sent to the model */

/**
 * The JSON inside a model's content (arena copy): surrounding whitespace
 * trimmed, a leading <think>...</think> block dropped, and, when the text
 * holds a ``` fence (```json or plain), only the fenced part.
 */
char *an_openai_strip_fences(zm_arena_t *a, const char *content);

#endif
