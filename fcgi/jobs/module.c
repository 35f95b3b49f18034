/*
 * module.c -- jobs, applications, search and the HR <-> seeker sync (issue
 * 12; seeds 000, 002, 003): the endpoints, the sync engine's task types, the
 * periodic consistency check and its configuration.
 */
#include "conf.h"
#include "jobs.h"
#include "jobs_api.h"
#include "jobs_tasks.h"
#include "outbox.h"
#include "registry.h"
#include "resumes.h"
#include "server.h"

static const zm_conf_key_t jobs_keys[] = {
    ZM_CONF_I("jobs.sync_max_attempts", "5", 1, 100LL,
              "# Attempts to apply a sync event before it is dead-lettered (shown on the sync dashboard)."),
    ZM_CONF_I("jobs.stale_s", "30", 1, 86400LL,
              "# Seconds after which the consistency check applies a pending sync event itself (its task may be\n"
              "# lost) and counts an unsynced row as drift."),
    ZM_CONF_I("jobs.sync_log_days", "30", 1, 36500LL,
              "# Applied sync events older than this are purged (pending and dead-lettered ones are kept)."),
};

_Static_assert(ZM_IN_RANGE(JOBS_ECLOSED, ZM_ERANGE_JOBS) && ZM_IN_RANGE(JOBS_EENTITY, ZM_ERANGE_JOBS),
               "jobs' codes lie in its range");

static const zm_route_t jobs_routes[] = {
    /* seed 000: the job detail the match module reads */
    {"GET", "/jobs/api/job/{job_id}", jobs_api_detail, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    /* HR's jobs and applicants */
    {"POST", "/api/v1/hr/jobs", jobs_api_hr_create, ZM_AUTH_HR, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/hr/jobs", jobs_api_hr_list, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/hr/jobs/{id}", jobs_api_hr_get, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    {"PATCH", "/api/v1/hr/jobs/{id}", jobs_api_hr_update, ZM_AUTH_HR, NULL, ZM_BODY_JSON},
    {"DELETE", "/api/v1/hr/jobs/{id}", jobs_api_hr_delete, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/hr/jobs/{id}/applications", jobs_api_hr_applications, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    {"PATCH", "/api/v1/hr/applications/{id}", jobs_api_hr_application_status, ZM_AUTH_HR, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/hr/applications/{id}/resume", jobs_api_hr_application_resume, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    /* 数据导出 (seed 002): CSV that Excel opens with the Chinese intact */
    {"GET", "/api/v1/hr/export/jobs.csv", jobs_api_export_jobs, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/hr/export/jobs/{id}/applications.csv", jobs_api_export_applications, ZM_AUTH_HR, NULL,
     ZM_BODY_ANY},
    /* ... and XLSX (libxlsxwriter) */
    {"GET", "/api/v1/hr/export/jobs.xlsx", jobs_api_export_jobs_xlsx, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/hr/export/jobs/{id}/applications.xlsx", jobs_api_export_applications_xlsx, ZM_AUTH_HR, NULL,
     ZM_BODY_ANY},
    /* seekers' applications */
    {"POST", "/api/v1/applications", jobs_api_apply, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/applications", jobs_api_my_applications, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/applications/{id}/withdraw", jobs_api_withdraw, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    /* seed 003: 找工作 */
    {"GET", "/api/v1/search/jobs", jobs_api_search, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/search/sessions", jobs_api_session_create, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/search/sessions", jobs_api_sessions, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    /* seed 002: the sync management paths (HR: its own data; admins: all) */
    {"GET", "/smartrecruit/hr/sync/status", jobs_api_sync_status, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    {"GET", "/smartrecruit/hr/sync/logs", jobs_api_sync_logs, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    {"POST", "/smartrecruit/hr/sync/force_sync", jobs_api_sync_all, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    {"POST", "/smartrecruit/hr/sync/sync_job/{job_id}", jobs_api_sync_job, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    {"POST", "/smartrecruit/hr/sync/sync_application/{id}", jobs_api_sync_application, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    {"POST", "/smartrecruit/hr/sync/sync_user/{user_id}", jobs_api_sync_user, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    {"POST", "/smartrecruit/hr/sync/retry/{event_id}", jobs_api_sync_retry, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
};

static const task_type_t jobs_tasks[] = {
    {"jobs.sync", jobs_task_sync, 0},
    {"jobs.resync", jobs_task_resync, 0},
    {"jobs.check", jobs_task_check, 0},
};

static const task_schedule_t jobs_schedules[] = {
    {"jobs.check", 300, TASK_PRIO_LOW},
};

static const task_purge_t jobs_purges[] = {
    {"sync_events",
     "DELETE FROM jobs_syncevent WHERE status = 'applied' AND applied_at < UTC_TIMESTAMP(6) - INTERVAL ? DAY "
     "ORDER BY id LIMIT ?",
     "jobs.sync_log_days"},
};

/* resumes (a lower layer) tells jobs of a new version inside its upload transaction */
static int jobs_init_process(void)
{
    resumes_on_new_version(outbox_resume_versioned);
    return ZM_OK;
}

const zm_module_t zm_jobs_module = {
    .name = "jobs",
    .conf = jobs_keys,
    .nconf = ZM_ARRAY_LEN(jobs_keys),
    .routes = jobs_routes,
    .nroutes = ZM_ARRAY_LEN(jobs_routes),
    .tasks = jobs_tasks,
    .ntasks = ZM_ARRAY_LEN(jobs_tasks),
    .schedules = jobs_schedules,
    .nschedules = ZM_ARRAY_LEN(jobs_schedules),
    .purges = jobs_purges,
    .npurges = ZM_ARRAY_LEN(jobs_purges),
    .metrics = outbox_metrics,
    .init_process = jobs_init_process,
};
