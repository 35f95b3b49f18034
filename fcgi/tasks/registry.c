#include "registry.h"

#include <string.h>

#include "accounts.h"
#include "conf.h"
#include "mail_task.h"
#include "resume_tasks.h"
#include "review.h"

/* Every task type.  Add yours here: {"area.verb", handler, 0}. */
static const task_type_t task_types[] = {
    {"maintenance.purge", task_maintenance_purge, 0},
    {"mail.send", mail_task_send, 0},
    {"auth.mail_link", acc_task_mail_link, 0},
    {"resume.extract", resume_task_extract, 0},
    {"storage.delete", resume_task_storage_delete, 0},
    {"suggestion.generate", rv_task_suggestion, 0},
    {"analysis.run", rv_task_analysis, 0},

    /* the test suite's types: only with tasks.test_handlers = 1 */
    {"test.sleep", task_test_sleep, 1},
    {"test.fail", task_test_fail, 1},
    {"test.echo", task_test_echo, 1},
};

const char *task_payload_str(task_ctx_t *ctx, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(ctx->payload, key, &v) || !json_object_is_type(v, json_type_string)) {
        return NULL;
    }
    return json_object_get_string(v);
}

const task_type_t *task_lookup(const char *type)
{
    if (type == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < ZM_ARRAY_LEN(task_types); i++) {
        if (strcmp(task_types[i].name, type) != 0) {
            continue;
        }
        if (task_types[i].test_only && !zm_conf_bool("tasks.test_handlers")) {
            return NULL;
        }
        return &task_types[i];
    }
    return NULL;
}
