/*
 * tickets_api.h -- HTTP handlers of feedback (/api/v1/feedback) and work orders (/api/v1/tickets),
 * and the staff's /api/v1/admin/feedback and /api/v1/admin/tickets.
 */
#ifndef ZM_TICKETS_API_H
#define ZM_TICKETS_API_H

#include "http.h"

int tickets_api_feedback_create(zm_req_t *r);
int tickets_api_feedback_mine(zm_req_t *r);
int tickets_api_feedback_all(zm_req_t *r);
int tickets_api_feedback_adopt(zm_req_t *r);
int tickets_api_feedback_decline(zm_req_t *r);

int tickets_api_create(zm_req_t *r);
int tickets_api_mine(zm_req_t *r);
int tickets_api_get(zm_req_t *r);
int tickets_api_reply(zm_req_t *r);
int tickets_api_queue(zm_req_t *r);
int tickets_api_update(zm_req_t *r);

int tickets_api_feedback_screenshot(zm_req_t *r);
int tickets_api_attachment(zm_req_t *r);

#endif
