/*
 * jobs_api.h -- HTTP handlers of fcgi/jobs: HR's jobs, the seed's job
 * detail, applications, search and its sessions, the sync dashboard's API.
 */
#ifndef ZM_JOBS_API_H
#define ZM_JOBS_API_H

#include "http.h"

int jobs_api_detail(zm_req_t *r);
int jobs_api_hr_create(zm_req_t *r);
int jobs_api_hr_list(zm_req_t *r);
int jobs_api_hr_get(zm_req_t *r);
int jobs_api_hr_update(zm_req_t *r);
int jobs_api_hr_delete(zm_req_t *r);
int jobs_api_hr_applications(zm_req_t *r);
int jobs_api_hr_application_status(zm_req_t *r);
int jobs_api_export_jobs(zm_req_t *r);
int jobs_api_export_applications(zm_req_t *r);
int jobs_api_export_jobs_xlsx(zm_req_t *r);
int jobs_api_hr_application_resume(zm_req_t *r);
int jobs_api_export_applications_xlsx(zm_req_t *r);

int jobs_api_apply(zm_req_t *r);
int jobs_api_my_applications(zm_req_t *r);
int jobs_api_withdraw(zm_req_t *r);

int jobs_api_search(zm_req_t *r);
int jobs_api_session_create(zm_req_t *r);
int jobs_api_sessions(zm_req_t *r);

int jobs_api_sync_status(zm_req_t *r);
int jobs_api_sync_logs(zm_req_t *r);
int jobs_api_sync_all(zm_req_t *r);
int jobs_api_sync_job(zm_req_t *r);
int jobs_api_sync_application(zm_req_t *r);
int jobs_api_sync_user(zm_req_t *r);
int jobs_api_sync_retry(zm_req_t *r);

#endif
