/*
 * mail_task.h -- the mail.send task: one message, retried while the
 * transport's failure is transient.
 *
 * Payload: {"to": "...", "subject": "...", "text": "...", "html"?: "..."}.
 */
#ifndef ZM_MAIL_TASK_H
#define ZM_MAIL_TASK_H

#include "registry.h"

int mail_task_send(task_ctx_t *ctx, json_object **result, char **error);

#endif
