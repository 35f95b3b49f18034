/*
 * registry.c -- the task types of every module, found by name.  See registry.h.
 */
#include "registry.h"

#include <string.h>

#include "conf.h"
#include "log.h"

static const zm_module_t *const *registry_modules;

int task_registry_init(const zm_module_t *const *modules)
{
    /* two modules claiming one type would make the second unreachable */
    for (size_t m = 0; modules[m] != NULL; m++) {
        for (size_t i = 0; i < modules[m]->ntasks; i++) {
            for (size_t n = 0; n <= m; n++) {
                for (size_t j = 0; j < (n == m ? i : modules[n]->ntasks); j++) {
                    if (strcmp(modules[m]->tasks[i].name, modules[n]->tasks[j].name) == 0) {
                        zm_log_error("task type %s is declared by both %s and %s", modules[m]->tasks[i].name,
                                     modules[n]->name, modules[m]->name);
                        return ZM_EINVAL;
                    }
                }
            }
        }
    }
    registry_modules = modules;
    return ZM_OK;
}

const zm_module_t *const *task_registry_modules(void)
{
    static const zm_module_t *const none[] = {NULL};

    return registry_modules ? registry_modules : none;
}

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
    const zm_module_t *const *mods = task_registry_modules();

    if (type == NULL) {
        return NULL;
    }
    for (size_t m = 0; mods[m] != NULL; m++) {
        for (size_t i = 0; i < mods[m]->ntasks; i++) {
            const task_type_t *t = &mods[m]->tasks[i];

            if (strcmp(t->name, type) != 0) {
                continue;
            }
            if (t->test_only && !zm_conf_bool("tasks.test_handlers")) {
                return NULL;
            }
            return t;
        }
    }
    return NULL;
}
