/*
 * provider.c -- the two analysis providers behind provider.h's interface,
 * and the choice between them, made once from llm.provider so callers
 * never compare configuration strings.
 */
#include "provider.h"

#include <string.h>

#include "conf.h"
#include "log.h"
#include "openai.h"

#define BUILTIN_MODEL "builtin-v1" /* what match.c stamps on its results */

static const an_provider_t *chosen = &an_provider_builtin;

static void usage_reset(an_usage_t *usage, const char *model)
{
    if (usage != NULL) {
        memset(usage, 0, sizeof(*usage));
        usage->llm.model = model;
    }
}

static void no_error(char **error)
{
    if (error != NULL) {
        *error = NULL;
    }
}

/* ---- builtin: the offline analyzer, no cost ---- */

static int builtin_match(zm_arena_t *a, const char *resume_text, const char *job_description, an_match_t *out,
                         an_usage_t *usage, char **error)
{
    usage_reset(usage, BUILTIN_MODEL);
    no_error(error);
    return an_builtin_match(a, resume_text, job_description, out);
}

static int builtin_diagnose(zm_arena_t *a, const char *resume_text, const char *target_role, json_object **report,
                            an_usage_t *usage, char **error)
{
    usage_reset(usage, BUILTIN_MODEL);
    no_error(error);
    return an_builtin_diagnose(a, resume_text, target_role, report);
}

static int builtin_questions(zm_arena_t *a, const char *resume_text, const char *job, int count, json_object **out,
                             an_usage_t *usage, char **error)
{
    usage_reset(usage, BUILTIN_MODEL);
    no_error(error);
    return an_builtin_questions(a, resume_text, job, count, out);
}

const an_provider_t an_provider_builtin = {"builtin", 0, builtin_match, builtin_diagnose, builtin_questions};

/* ---- openai: a remote model, configured by the llm.* keys at each call (a reload changes them) ---- */

/* usage->llm.model after a call: the server's name for the model, else the configured one */
static void openai_model(an_usage_t *usage, const llm_conf_t *c)
{
    if (usage->llm.model == NULL) {
        usage->llm.model = c->model;
    }
}

static int openai_match(zm_arena_t *a, const char *resume_text, const char *job_description, an_match_t *out,
                        an_usage_t *usage, char **error)
{
    an_usage_t ignored;
    llm_conf_t c;
    int rc;

    usage = usage != NULL ? usage : &ignored;
    llm_conf_from_conf(&c);
    rc = an_openai_match(a, &c, resume_text, job_description, out, usage, error);
    openai_model(usage, &c);
    return rc;
}

static int openai_diagnose(zm_arena_t *a, const char *resume_text, const char *target_role, json_object **report,
                           an_usage_t *usage, char **error)
{
    an_usage_t ignored;
    llm_conf_t c;
    int rc;

    usage = usage != NULL ? usage : &ignored;
    llm_conf_from_conf(&c);
    rc = an_openai_diagnose(a, &c, resume_text, target_role, report, usage, error);
    openai_model(usage, &c);
    return rc;
}

static int openai_questions(zm_arena_t *a, const char *resume_text, const char *job, int count, json_object **out,
                            an_usage_t *usage, char **error)
{
    an_usage_t ignored;
    llm_conf_t c;
    int rc;

    usage = usage != NULL ? usage : &ignored;
    llm_conf_from_conf(&c);
    rc = an_openai_questions(a, &c, resume_text, job, count, out, usage, error);
    openai_model(usage, &c);
    return rc;
}

int an_remote_score(zm_arena_t *a, const char *resume_text, const char *job_description, long timeout_ms, int *score,
                    char **error)
{
    an_match_t m = {0};
    an_usage_t usage;
    llm_conf_t c;
    int rc;

    if (an_provider() != &an_provider_openai) {
        return ZM_ENOTFOUND;
    }
    llm_conf_from_conf(&c);
    if (timeout_ms > 0 && (c.timeout_ms <= 0 || c.timeout_ms > timeout_ms)) {
        c.timeout_ms = timeout_ms;
    }
    c.max_retries = 0;
    rc = an_openai_match(a, &c, resume_text, job_description, &m, &usage, error);
    if (rc == ZM_OK) {
        *score = m.score;
    }
    an_openai_match_release(&m);
    return rc;
}

const an_provider_t an_provider_openai = {"openai", 1, openai_match, openai_diagnose, openai_questions};

/* ---- the choice ---- */

int an_provider_init(void)
{
    const char *name = zm_conf_str("llm.provider");

    /* the chat client is set up whichever provider runs: curl_global_init must not race threads */
    if (llm_init() != ZM_OK) {
        return ZM_ERR;
    }
    chosen = strcmp(name, an_provider_openai.name) == 0 ? &an_provider_openai : &an_provider_builtin;
    if (chosen == &an_provider_builtin && strcmp(name, an_provider_builtin.name) != 0) {
        zm_log_warn("llm.provider %s is neither builtin nor openai: using the builtin analyzer", name);
    }
    return ZM_OK;
}

const an_provider_t *an_provider(void)
{
    return chosen;
}
