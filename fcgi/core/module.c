/*
 * module.c -- the core module (state directory, public URL, logs) and the
 * walkers that run every module's start-up hooks in list order.
 */
#include "module.h"

#include "conf.h"
#include "log.h"
#include "zm.h"

static const zm_conf_key_t core_keys[] = {
    ZM_CONF_S("state_dir", "var", "# Directory for runtime state: sockets, pid files, logs, mail, uploads."),
    ZM_CONF_S("app.base_url", "http://127.0.0.1:8080",
              "# Public URL of the site, for links in mails (no trailing slash)."),
    ZM_CONF_S("log.file", "", "# Error log path; empty means stderr."),
    ZM_CONF_S("log.access", "", "# Access log path; empty means the error log."),
    ZM_CONF_E("log.level", "info", "error|warn|info|debug", "# error, warn, info or debug."),
};

const zm_module_t zm_core_module = {
    .name = "core",
    .conf = core_keys,
    .nconf = ZM_ARRAY_LEN(core_keys),
};

int zm_modules_init_master(const zm_module_t *const *modules)
{
    for (size_t m = 0; modules[m] != NULL; m++) {
        if (modules[m]->init_master != NULL && modules[m]->init_master() != ZM_OK) {
            zm_log_error("module %s failed to start", modules[m]->name);
            return ZM_ERR;
        }
    }
    return ZM_OK;
}

int zm_modules_init_process(const zm_module_t *const *modules)
{
    for (size_t m = 0; modules[m] != NULL; m++) {
        if (modules[m]->init_process != NULL && modules[m]->init_process() != ZM_OK) {
            zm_log_error("module %s failed to start in process", modules[m]->name);
            return ZM_ERR;
        }
    }
    return ZM_OK;
}
