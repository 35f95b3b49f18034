/*
 * modules.c -- every module, in order (after nginx's objs/ngx_modules.c).
 *
 * Layers first, then the domains.  Each program registers the modules'
 * configuration keys and runs their start-up hooks in this order;
 * zhimai-fcgi serves their routes, zhimai-worker runs their task types,
 * schedules and purge rules.  A new domain adds one line here.
 */
#include "modules.h"

extern const zm_module_t zm_db_module;
extern const zm_module_t zm_http_module;
extern const zm_module_t zm_services_module;
extern const zm_module_t zm_tasks_module;
extern const zm_module_t zm_stats_module;
extern const zm_module_t zm_points_module;
extern const zm_module_t zm_accounts_module;
extern const zm_module_t zm_speech_module;
extern const zm_module_t zm_messages_module;
extern const zm_module_t zm_resumes_module;
extern const zm_module_t zm_analysis_module;
extern const zm_module_t zm_jobs_module;
extern const zm_module_t zm_partners_module;
extern const zm_module_t zm_referrals_module;
extern const zm_module_t zm_matching_module;
extern const zm_module_t zm_payments_module;
extern const zm_module_t zm_payments_api_module;
extern const zm_module_t zm_inspect_module;
extern const zm_module_t zm_inspect_api_module;
extern const zm_module_t zm_content_module;
extern const zm_module_t zm_tickets_module;
extern const zm_module_t zm_interview_module;

/* one module a line */
/* clang-format off */
const zm_module_t *const zm_modules[] = {
    &zm_core_module,
    &zm_db_module,
    &zm_http_module,
    &zm_services_module,
    &zm_tasks_module,
    &zm_stats_module,
    &zm_points_module,
    &zm_accounts_module,
    &zm_speech_module,
    &zm_messages_module,
    &zm_resumes_module,
    &zm_analysis_module,
    &zm_jobs_module,
    &zm_partners_module,
    &zm_matching_module,
    &zm_referrals_module,
    &zm_payments_module,
    &zm_payments_api_module,
    &zm_inspect_module,
    &zm_inspect_api_module,
    &zm_content_module,
    &zm_tickets_module,
    &zm_interview_module,
    NULL,
};
/* clang-format on */
