/*
 * module.c -- AI analysis: suggestions (seed 001), diagnosis and interview
 * prediction (seed 003); the analyzer's data loaded once before fork; the
 * endpoints, the tasks that run the analyses, and (for now) the endpoints
 * that show any task and authorize its live events.
 */
#include "analysis.h"
#include "analysis_api.h"
#include "conf.h"
#include "log.h"
#include "provider.h"
#include "registry.h"
#include "review.h"
#include "server.h"

/* analysis' own failure codes lie in its range (zm.h: a code in a log names its module) */
_Static_assert(ZM_IN_RANGE(RV_ENOTEXT, ZM_ERANGE_ANALYSIS) && ZM_IN_RANGE(RV_ELIMIT, ZM_ERANGE_ANALYSIS),
               "analysis codes outside ZM_ERANGE_ANALYSIS");

static const zm_conf_key_t analysis_keys[] = {
    ZM_CONF_S("analysis.data_dir", "fcgi/analysis/data",
              "# The builtin analyzer's dictionaries (skills, question bank)."),
    ZM_CONF_I("analysis.max_jd_chars", "8000", 1, 1000000LL, "# Longest job description accepted, in characters."),
    ZM_CONF_I("analysis.max_role_chars", "100", 1, 10000LL, "# Longest target role accepted, in characters."),
    ZM_CONF_I("analysis.per_hour", "30", 0, 1000000LL,
              "# Analyses (suggestions, diagnoses, predictions) one user may start per hour."),
};

static const zm_route_t analysis_routes[] = {
    {"POST", "/api/suggestions", analysis_api_suggest, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"GET", "/api/suggestions", analysis_api_suggestions, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/suggestions/{suggestionId}", analysis_api_suggestion, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/suggestions/{suggestionId}/feedback", analysis_api_feedback, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"POST", "/api/v1/resume-diagnosis/full-with-skills", analysis_api_diagnose, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/resume-diagnosis/history", analysis_api_diagnosis_history, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/resume-diagnosis/{id}", analysis_api_diagnosis, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/interview-prep/upload-resume", analysis_api_interview_upload, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/interview-prep/ai-generate", analysis_api_interview_generate, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/interview-prep/history", analysis_api_interview_history, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/interview-prep/{id}", analysis_api_interview, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
};

static const task_type_t analysis_tasks[] = {
    {"suggestion.generate", rv_task_suggestion, 0},
    {"analysis.run", rv_task_analysis, 0},
};

/* the dictionaries are read once, before fork: the workers share the pages; the provider is
 * chosen here too (and again on zhimai-fcgi's SIGHUP, for the new workers) */
static int analysis_init_master(void)
{
    if (an_init(zm_conf_str("analysis.data_dir")) != ZM_OK || an_provider_init() != ZM_OK) {
        zm_log_error("cannot load the analyzer's data from %s", zm_conf_str("analysis.data_dir"));
        return ZM_ERR;
    }
    return ZM_OK;
}

const zm_module_t zm_analysis_module = {
    .name = "analysis",
    .conf = analysis_keys,
    .nconf = ZM_ARRAY_LEN(analysis_keys),
    .init_master = analysis_init_master,
    .routes = analysis_routes,
    .nroutes = ZM_ARRAY_LEN(analysis_routes),
    .tasks = analysis_tasks,
    .ntasks = ZM_ARRAY_LEN(analysis_tasks),
};
