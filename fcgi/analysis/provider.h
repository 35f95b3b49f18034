/*
 * provider.h -- who answers analyses: one interface, two providers, chosen
 * once at start-up from llm.provider.
 *
 *   builtin  the offline analyzer (match.c, diagnose.c, questions.c):
 *            milliseconds, deterministic, no cost
 *   openai   any OpenAI-compatible model (openai.c over fcgi/services/llm.c):
 *            seconds, paid in tokens, may fail or time out
 *
 * review.c and review_tasks.c call an_provider()->match / diagnose /
 * questions and never ask which one it is; what differs (run in the
 * request or from a task, what it cost) is in the interface.
 */
#ifndef ZM_PROVIDER_H
#define ZM_PROVIDER_H

#include <json-c/json.h>

#include "analysis.h"
#include "arena.h"
#include "llm.h"

/* What a call cost: all zero from the builtin. */
typedef struct {
    llm_usage_t llm; /* tokens, requests, time; llm.model as documented below */
    int invalid;     /* answers that failed validation */
} an_usage_t;

/*
 * Every call: ZM_OK with its result, or a negative ZM_ code (ZM_EAGAIN: a
 * transient failure worth a later retry) with *error (may be NULL) a
 * one-line reason in the arena when there is one.  usage (may be NULL) is
 * zeroed, then filled even on failure; after ZM_OK usage->llm.model names
 * what answered (the model the server reported, else the configured one;
 * "builtin-v1" for the builtin).
 */
typedef struct {
    const char *name; /* "builtin" / "openai": stored with every result as its provider */
    int slow;         /* 1: a call takes seconds (a remote model), so run it from a task, not a request */
    /* resume_text against job_description; release out with an_openai_match_release() */
    int (*match)(zm_arena_t *a, const char *resume_text, const char *job_description, an_match_t *out,
                 an_usage_t *usage, char **error);
    /* a diagnosis report (target_role may be NULL); *report is the caller's to put */
    int (*diagnose)(zm_arena_t *a, const char *resume_text, const char *target_role, json_object **report,
                    an_usage_t *usage, char **error);
    /* count (1..50) likely interview questions (job may be NULL); *out is the caller's to put */
    int (*questions)(zm_arena_t *a, const char *resume_text, const char *job, int count, json_object **out,
                     an_usage_t *usage, char **error);
} an_provider_t;

extern const an_provider_t an_provider_builtin;
extern const an_provider_t an_provider_openai;

/**
 * Choose the provider from llm.provider ("openai"; anything else is the
 * builtin, the default) and set up what it needs (curl_global_init).
 * Before threads and before forking workers: the analysis module's
 * init_master, when zhimai-fcgi or zhimai-worker starts and when zhimai-fcgi
 * reloads (its new workers then use the new choice).  ZM_OK or ZM_ERR.
 */
int an_provider_init(void);

/** The provider chosen by an_provider_init(); the builtin when it was not called. */
const an_provider_t *an_provider(void);

#endif
