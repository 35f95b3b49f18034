/*
 * module.c -- job <-> resume matching (issue 13; seed 000's match module):
 * the seed's paths, the run and features task types, the features hook on
 * resume extraction and the configuration.
 */
#include "accounts.h"
#include "conf.h"
#include "matching.h"
#include "matching_api.h"
#include "matching_tasks.h"
#include "registry.h"
#include "resumes.h"
#include "server.h"

static const zm_conf_key_t matching_keys[] = {
    ZM_CONF_I("matching.top_k", "1000", 1, 100000LL,
              "# Candidates a run keeps (ranked, paged by GET /match/result/{job_id}/); the rest are counted."),
    ZM_CONF_I("matching.threshold", "60", 0, 100LL,
              "# The score from which a candidate counts as matched (matched_count)."),
    ZM_CONF_I("matching.batch", "20000", 100, 1000000LL,
              "# Candidates read per query and checkpoint (a run also takes at least 50 batches: progress moves by\n"
              "# 2% at most between updates)."),
    ZM_CONF_I("matching.rerank_top_k", "0", 0, 1000LL,
              "# With a remote model (llm.provider = openai): after the builtin ranking, re-score this many of the\n"
              "# best through the model, in the run's task; a failure keeps the builtin score.  0: off."),
    ZM_CONF_I("matching.rerank_timeout_ms", "60000", 1000, 3600000LL,
              "# The time a run's re-ranking may take in all (each request also at most llm.timeout_ms); what is left\n"
              "# when it runs out keeps the builtin scores."),
};

_Static_assert(ZM_IN_RANGE(MATCH_EPRIORITY, ZM_ERANGE_MATCHING) && ZM_IN_RANGE(MATCH_ENOTRANKED, ZM_ERANGE_MATCHING),
               "matching's codes lie in its range");

static const zm_route_t matching_routes[] = {
    /* seed 000: the match module's paths (the job's owner HR, or an admin) */
    {"POST", "/match/start/{job_id}", matching_api_start, ZM_AUTH_HR, NULL, ZM_BODY_ANY | ZM_REPLY_SEED},
    {"GET", "/match/status/{job_id}", matching_api_status, ZM_AUTH_HR, NULL, ZM_BODY_ANY | ZM_REPLY_SEED},
    {"GET", "/match/result/{job_id}", matching_api_result, ZM_AUTH_HR, NULL, ZM_BODY_ANY | ZM_REPLY_SEED},
    {"POST", "/match/cancel/{job_id}", matching_api_cancel, ZM_AUTH_HR, NULL, ZM_BODY_ANY | ZM_REPLY_SEED},
    /* issue 13 item 7: invite a ranked candidate to apply (a notification) */
    {"POST", "/match/invite/{job_id}", matching_api_invite, ZM_AUTH_HR, NULL, ZM_BODY_JSON | ZM_REPLY_SEED},
    /* item 3: the resume itself, once the candidate opted in (discoverable) */
    {"GET", "/match/resume/{job_id}/{resume_id}", matching_api_candidate_resume, ZM_AUTH_HR, NULL,
     ZM_BODY_ANY | ZM_REPLY_SEED},
};

static const task_type_t matching_tasks[] = {
    {"matching.run", matching_task_run, 0},
    {"matching.features", matching_task_features, 0},
};

static const task_schedule_t matching_schedules[] = {
    {"matching.features", 300, TASK_PRIO_LOW},
};

/* in zhimai-worker's parent (and zhimai-fcgi's master): the runners it forks inherit the hook */
static int matching_init_master(void)
{
    resume_extracted_hook = match_index_version;
    acc_discoverable_hook = match_discoverable_changed;
    return ZM_OK;
}

const zm_module_t zm_matching_module = {
    .name = "matching",
    .conf = matching_keys,
    .nconf = ZM_ARRAY_LEN(matching_keys),
    .init_master = matching_init_master,
    .routes = matching_routes,
    .nroutes = ZM_ARRAY_LEN(matching_routes),
    .tasks = matching_tasks,
    .ntasks = ZM_ARRAY_LEN(matching_tasks),
    .schedules = matching_schedules,
    .nschedules = ZM_ARRAY_LEN(matching_schedules),
};
