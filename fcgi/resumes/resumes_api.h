/*
 * resumes_api.h -- HTTP handlers for /api/resumes and /api/files.
 */
#ifndef ZM_API_RESUMES_H
#define ZM_API_RESUMES_H

#include "http.h"

int resumes_api_create(zm_req_t *r);
int resumes_api_list(zm_req_t *r);
int resumes_api_get(zm_req_t *r);
int resumes_api_rename(zm_req_t *r);
int resumes_api_delete(zm_req_t *r);
int resumes_api_versions(zm_req_t *r);
int resumes_api_add_version(zm_req_t *r);
int resumes_api_text(zm_req_t *r);
int resumes_api_download(zm_req_t *r);
int resumes_api_file_delete(zm_req_t *r);

/** Answer with the file of owner_id's resume version version_id (a redirect for presigning storage),
 *  for an upper layer that checked the caller may read it (jobs: HR reading an applicant's resume);
 *  404 with not_found_msg when there is no such version of owner_id's. */
int resumes_api_send_file(zm_req_t *r, int64_t owner_id, const char *version_id, const char *not_found_msg);

#endif
