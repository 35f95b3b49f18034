/*
 * mail_send.h -- the mail.send task: one message, retried while the
 * transport's failure is transient.
 *
 * Payload: {"to": "...", "subject": "...", "text": "...", "html"?: "..."}.
 */
#ifndef ZM_MAIL_TASK_H
#define ZM_MAIL_TASK_H

#include "registry.h"

int mail_send_task(task_ctx_t *ctx, json_object **result, char **error);

#endif
