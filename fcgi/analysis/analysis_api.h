/*
 * analysis_api.h -- HTTP handlers for AI suggestions (/api/suggestions),
 * resume diagnosis and interview prediction (/api/v1/...).
 */
#ifndef ZM_API_ANALYSIS_H
#define ZM_API_ANALYSIS_H

#include "http.h"

int analysis_api_suggest(zm_req_t *r);
int analysis_api_suggestions(zm_req_t *r);
int analysis_api_suggestion(zm_req_t *r);
int analysis_api_feedback(zm_req_t *r);
int analysis_api_diagnose(zm_req_t *r);
int analysis_api_diagnosis_history(zm_req_t *r);
int analysis_api_diagnosis(zm_req_t *r);
int analysis_api_interview_upload(zm_req_t *r);
int analysis_api_interview_generate(zm_req_t *r);
int analysis_api_interview_history(zm_req_t *r);
int analysis_api_interview(zm_req_t *r);

#endif
