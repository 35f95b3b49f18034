/*
 * accounts_tasks.h -- queue handlers of accounts, for module.c.
 */
#ifndef ZM_ACCOUNTS_TASKS_H
#define ZM_ACCOUNTS_TASKS_H

#include "registry.h"

/** auth.mail_link {"email", "purpose"}: acc_send_mail_link for the payload. */
int acc_task_mail_link(task_ctx_t *ctx, json_object **result, char **error);

#endif
