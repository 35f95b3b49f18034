/*
 * interview_api.h -- HTTP handlers of the mock interview (api.c), for module.c.
 */
#ifndef ZM_INTERVIEW_API_H
#define ZM_INTERVIEW_API_H

#include "http.h"

int iv_api_upload_resume(zm_req_t *r);
int iv_api_upload_material(zm_req_t *r);
int iv_api_generate(zm_req_t *r);
int iv_api_answer(zm_req_t *r);
int iv_api_session(zm_req_t *r);
int iv_api_end(zm_req_t *r);
int iv_api_records(zm_req_t *r);
int iv_api_reference(zm_req_t *r);
int iv_api_events_auth(zm_req_t *r);
int iv_api_meeting_start(zm_req_t *r);
int iv_api_meeting_line(zm_req_t *r);

#endif
