/*
 * openai.h -- the "openai" analysis provider: any OpenAI-compatible
 * chat-completions endpoint (OpenAI, DeepSeek, Qwen/DashScope, a local vLLM
 * or Ollama), asked for a JSON object, checked against a schema.
 *
 * One call = POST {base_url}/chat/completions with response_format
 * json_object (widely supported, unlike json_schema), then the answer's
 * content is parsed (```json fences and a leading <think> block removed)
 * and validated.  An invalid answer gets exactly one more chance, with the
 * bad output and a message naming what was wrong appended to the
 * conversation.  Still invalid: the call fails with the reason.  Nothing
 * here ever substitutes a default score for an answer it could not read.
 *
 * Transport: HTTP 429/500/502/503/504/408 and connection failures are
 * retried with exponential backoff (0.5 s, 1 s, 2 s ... capped at 8 s; a
 * Retry-After from the server is obeyed instead, and one over 30 s ends the
 * call with ZM_EAGAIN); 400/401/403/404 and other 4xx fail at once with the
 * API's own error message; a request that times out is not retried here but
 * returned as ZM_EAGAIN, so a task queue can try again later.
 *
 * Return codes of the calls below:
 *   ZM_OK      *out filled
 *   ZM_EINVAL  bad arguments or configuration (no base_url, no model ...)
 *   ZM_ERR     permanent: the API refused (4xx), an unusable response, or
 *              output still invalid after the second attempt
 *   ZM_EAGAIN  transient: timed out, or 429/5xx/connection errors outlasted
 *              max_retries -- worth retrying later
 *   ZM_ENOMEM  arena or malloc exhausted
 * and on any failure *error (when error is not NULL) is a one-line reason in
 * the arena, e.g. "timed out after 30000 ms", "HTTP 401: Incorrect API key
 * provided", "invalid output after 2 attempts: score must be an integer
 * 0-100; missing key gaps".
 *
 * Strings returned live in the caller's arena.  json_object results are
 * new references the caller releases (json_object_put, or
 * an_openai_match_release() for an an_match_t).
 *
 * Call an_openai_init() once per process before any thread makes a call
 * (curl_global_init() must not race).  Calls block for up to about
 * (max_retries + 1) * timeout_ms plus backoff; run them from a task, not a
 * request handler.
 */
#ifndef ZM_OPENAI_H
#define ZM_OPENAI_H

#include <json-c/json.h>
#include <stddef.h>

#include "analysis.h"
#include "arena.h"
#include "zm.h"

/* ---- configuration ---- */

typedef struct {
    const char *base_url; /* https://api.openai.com/v1, http://127.0.0.1:11434/v1 ...; a trailing / is fine */
    const char *model;    /* gpt-4o-mini, deepseek-chat, qwen-plus ... */
    const char *api_key;  /* NULL or "": no Authorization header (local servers) */
    long timeout_ms;      /* one HTTP request, connect to last byte; <= 0 means 60000 */
    int max_retries;      /* extra requests on 429/5xx/connection errors; < 0 means 0 */
    double temperature;   /* < 0: not sent (some reasoning models accept only their default) */
} an_openai_conf_t;

/**
 * Fill c from the configuration keys llm.base_url, llm.model, llm.api_key,
 * llm.timeout_ms, llm.max_retries and llm.temperature.  The strings point
 * into the loaded configuration: valid until the next zm_conf_load().
 */
void an_openai_conf_from_conf(an_openai_conf_t *c);

/** 1 when llm.provider is "openai", 0 otherwise ("builtin", the default). */
int an_openai_conf_enabled(void);

/** curl_global_init(); once per process, before threads.  0 or ZM_ERR. */
int an_openai_init(void);

/** curl_global_cleanup(), at process exit. */
void an_openai_cleanup(void);

/* ---- what a call cost ---- */

typedef struct {
    long prompt_tokens;     /* summed over every answered request */
    long completion_tokens;
    long total_tokens;
    int attempts;           /* HTTP requests sent, retried ones included */
    int invalid;            /* answers that failed validation */
    long elapsed_ms;        /* wall clock of the whole call, backoff included */
    const char *model;      /* the model the server says answered (arena), or NULL */
} an_openai_usage_t;

/* ---- schemas: what an answer must look like ---- */

typedef enum {
    AN_T_INT,          /* a JSON integer (85.0 passes, 85.5 and "85" do not) */
    AN_T_NUMBER,       /* any finite JSON number */
    AN_T_STRING,
    AN_T_BOOL,
    AN_T_STRING_ARRAY, /* [string, ...] */
    AN_T_OBJECT,       /* {...} checked against sub */
    AN_T_OBJECT_ARRAY  /* [{...}, ...] each checked against sub */
} an_type_t;

typedef struct an_schema_s an_schema_t;

typedef struct {
    const char *name;
    an_type_t type;
    int required;
    /* INT/NUMBER: the value's range, unchecked when both are 0.
     * Arrays: the length's range, max 0 meaning no upper bound. */
    double min, max;
    size_t max_len;               /* STRING and STRING_ARRAY items: most characters (code points), 0 = any */
    const char *const *one_of;    /* STRING: allowed values, NULL-terminated; NULL = any */
    const an_schema_t *sub;       /* OBJECT, OBJECT_ARRAY: the schema of the object(s) */
} an_field_t;

struct an_schema_s {
    const an_field_t *fields;
    size_t nfields;
    /* Optional check of the whole (top-level) object once every field
     * passed: NULL if fine, else a reason in the arena.  For rules across
     * fields, such as a total count. */
    const char *(*check)(zm_arena_t *a, json_object *obj, const void *arg);
    const void *arg;
};

/* Keys not in the schema are ignored. */

/**
 * Check obj against s.  NULL when it conforms; otherwise every problem
 * found (up to 12), "; "-separated, in the arena, naming the key by its
 * path: "score must be an integer 0-100; missing key gaps;
 * sections[1].present must be a boolean".  Returns "out of memory" when the
 * arena is full.
 */
const char *an_schema_validate(zm_arena_t *a, const an_schema_t *s, json_object *obj);

/** The schema of a match answer: score 0..100, summary, strengths, gaps, suggestions, matched/missing_skills. */
extern const an_schema_t an_openai_match_schema;

/** The schema of a diagnosis: overall_score, summary, sections [{name, present, findings}], rewrites [{original, suggestion, why}]. */
extern const an_schema_t an_openai_diagnose_schema;

/* ---- the calls ---- */

/**
 * Ask the model for a JSON object conforming to schema.  *out gets the
 * validated object (caller puts it).  usage (may be NULL) is zeroed, then
 * filled even on failure.  error may be NULL.
 */
int an_openai_chat_json(zm_arena_t *a, const an_openai_conf_t *c, const char *system_prompt,
                        const char *user_prompt, const an_schema_t *schema, json_object **out,
                        an_openai_usage_t *usage, char **error);

/**
 * Score a resume against a job description: a recruiter's evaluation in
 * Chinese, each text cut at AN_OPENAI_TEXT_MAX characters.  out gets the
 * one shared result shape: provider "openai", model as the server reported
 * it (else c->model), components NULL.  Release its arrays with
 * an_openai_match_release().
 */
int an_openai_match(zm_arena_t *a, const an_openai_conf_t *c, const char *resume_text,
                    const char *job_description, an_match_t *out, an_openai_usage_t *usage,
                    char **error);

/** Drop the references an_openai_match() put into m's arrays (safe on a zeroed m, and twice). */
void an_openai_match_release(an_match_t *m);

/**
 * A diagnosis report of a resume, the builtin's shape: {"overall_score",
 * "summary", "sections": [{"name","present","findings"}], "rewrites":
 * [{"original","suggestion","why"}], "provider": "openai", "model"}.
 * target_role may be NULL.
 */
int an_openai_diagnose(zm_arena_t *a, const an_openai_conf_t *c, const char *resume_text,
                       const char *target_role, json_object **report, an_openai_usage_t *usage,
                       char **error);

/**
 * Likely interview questions, the builtin's shape: {"groups": [{"category":
 * "technical" | "project" | "behavioral" | "hr", "questions": [{"question",
 * "why", "outline": [...]}]}], "provider", "model"}.  job is a job
 * description or target role (may be NULL); count 1..50 questions in all.
 * An answer with fewer questions, an unknown or repeated category is
 * invalid; extra questions beyond count are dropped from the end.
 */
int an_openai_questions(zm_arena_t *a, const an_openai_conf_t *c, const char *resume_text,
                        const char *job, int count, json_object **out, an_openai_usage_t *usage,
                        char **error);

/* ---- text helpers (exposed for the unit tests) ---- */

#define AN_OPENAI_TEXT_MAX 12000 /* characters of a resume or job description sent to the model */

/**
 * A copy of s (arena) of at most max_chars characters, cut on a UTF-8
 * character boundary; malformed UTF-8 becomes U+FFFD so the request body
 * stays valid JSON.  *truncated (may be NULL) tells whether it was cut.
 */
char *an_openai_clip_utf8(zm_arena_t *a, const char *s, size_t max_chars, int *truncated);

/**
 * The JSON inside a model's content (arena copy): surrounding whitespace
 * trimmed, a leading <think>...</think> block dropped, and, when the text
 * holds a ``` fence (```json or plain), only the fenced part.
 */
char *an_openai_strip_fences(zm_arena_t *a, const char *content);

#endif
