#include "mail_send.h"

#include "conf.h"
#include "log.h"
#include "mail.h"

int mail_send_task(task_ctx_t *ctx, json_object **result, char **error)
{
    mail_conf_t c = {
        .transport = zm_conf_str("mail.transport"),
        .file_dir = zm_conf_str("mail.file_dir"),
        .smtp_url = zm_conf_str("mail.smtp_url"),
        .smtp_starttls = zm_conf_bool("mail.smtp_starttls"),
        .smtp_user = zm_conf_str("mail.smtp_user"),
        .smtp_password = zm_conf_str("mail.smtp_password"),
        .timeout_ms = (long)zm_conf_int("mail.timeout_ms"),
        .from_addr = zm_conf_str("mail.from_addr"),
        .from_name = zm_conf_str("mail.from_name"),
    };
    mail_msg_t m = {
        .to_addr = task_payload_str(ctx, "to"),
        .subject = task_payload_str(ctx, "subject"),
        .text = task_payload_str(ctx, "text"),
        .html = task_payload_str(ctx, "html"),
    };
    char *detail = NULL;
    int rc;

    if (m.to_addr == NULL || m.subject == NULL || m.text == NULL) {
        *error = "mail.send needs string fields to, subject and text";
        return ZM_EINVAL;
    }
    rc = mail_send(ctx->a, &c, &m, &detail);
    if (rc != ZM_OK) {
        *error = detail ? detail : "mail delivery failed";
        zm_log_warn("mail to %s: %s", m.to_addr, *error);
        return rc; /* ZM_EAGAIN is retried with backoff; the rest fail for good */
    }
    zm_log_info("mail to %s sent (%s)", m.to_addr, detail ? detail : c.transport);
    *result = json_object_new_object();
    json_object_object_add(*result, "transport", json_object_new_string(c.transport));
    if (detail) {
        json_object_object_add(*result, "detail", json_object_new_string(detail));
    }
    return ZM_OK;
}
