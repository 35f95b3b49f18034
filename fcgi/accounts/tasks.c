/*
 * tasks.c -- the queue side of accounts: auth.mail_link, the link mail a
 * request for a reset or a verification asked for.
 */
#include "accounts_tasks.h"

#include <string.h>

#include "accounts.h"

int acc_task_mail_link(task_ctx_t *ctx, json_object **result, char **error)
{
    const char *email = task_payload_str(ctx, "email"), *purpose = task_payload_str(ctx, "purpose");

    ZM_UNUSED(result); /* none: a result saying whether a mail went out would record who has an account */
    if (email == NULL || purpose == NULL || (strcmp(purpose, "reset") != 0 && strcmp(purpose, "verify") != 0)) {
        *error = "payload needs email and purpose (reset or verify)";
        return ZM_EINVAL;
    }
    return acc_send_mail_link(ctx->db, ctx->a, email, purpose);
}
