/*
 * content_api.h -- HTTP handlers for the classic questions, workplace news and calendar events.
 */
#ifndef ZM_CONTENT_API_H
#define ZM_CONTENT_API_H

#include "http.h"

int content_api_questions(zm_req_t *r);
int content_api_question_facets(zm_req_t *r);
int content_api_question_get(zm_req_t *r);
int content_api_question_create(zm_req_t *r);
int content_api_question_update(zm_req_t *r);

int content_api_news_latest(zm_req_t *r);
int content_api_admin_news_list(zm_req_t *r);
int content_api_admin_news_create(zm_req_t *r);
int content_api_admin_news_update(zm_req_t *r);
int content_api_admin_news_delete(zm_req_t *r);
int content_api_admin_news_import(zm_req_t *r);

int content_api_events(zm_req_t *r);
int content_api_event_create(zm_req_t *r);
int content_api_event_update(zm_req_t *r);
int content_api_event_delete(zm_req_t *r);

int content_api_dashboard(zm_req_t *r);

#endif
