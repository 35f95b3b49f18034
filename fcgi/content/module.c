/*
 * module.c -- content (issue 17 items 4, 5, 7): the classic question bank
 * (经典题库), workplace news (职场动态) and calendar events (日历事件) with
 * gold members' e-mail reminders.
 */
#include "conf.h"
#include "content.h"
#include "content_api.h"
#include "content_tasks.h"
#include "registry.h"
#include "server.h"

static const zm_conf_key_t content_keys[] = {
    ZM_CONF_S("content.news_feed", "",
              "# The workplace news feed (职场动态) zhimai-worker imports: an http(s) URL or a file path holding\n"
              "# JSON, [{\"title\", \"url\", \"source\", \"summary\", \"tags\", \"published_at\"}, ...] or {\"items\": "
              "[...]}.\n"
              "# Items whose URL is stored already are skipped.  Empty: no import."),
    ZM_CONF_I("content.news_interval", "3600", 60, 604800,
              "# Seconds between two imports of content.news_feed (fleet-wide: one import per interval)."),
};

static const zm_route_t content_routes[] = {
    /* the seed's path (nginx sends it to the workers), and the API's */
    {"GET", "/classic-questions", content_api_questions, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/classic-questions", content_api_questions, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/classic-questions/facets", content_api_question_facets, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/classic-questions/{id}", content_api_question_get, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/admin/classic-questions", content_api_question_create, ZM_AUTH_ADMIN, NULL, ZM_BODY_JSON},
    {"PATCH", "/api/v1/admin/classic-questions/{id}", content_api_question_update, ZM_AUTH_ADMIN, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/workplace-news/latest/list", content_api_news_latest, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/admin/workplace-news", content_api_admin_news_list, ZM_AUTH_ADMIN, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/admin/workplace-news", content_api_admin_news_create, ZM_AUTH_ADMIN, NULL, ZM_BODY_JSON},
    {"POST", "/api/v1/admin/workplace-news/import", content_api_admin_news_import, ZM_AUTH_ADMIN, NULL, ZM_BODY_JSON},
    {"PATCH", "/api/v1/admin/workplace-news/{id}", content_api_admin_news_update, ZM_AUTH_ADMIN, NULL, ZM_BODY_JSON},
    {"DELETE", "/api/v1/admin/workplace-news/{id}", content_api_admin_news_delete, ZM_AUTH_ADMIN, NULL, ZM_BODY_ANY},
    /* the 仪表盘 in one answer (dashboard.c) */
    {"GET", "/api/v1/dashboard", content_api_dashboard, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/calendar/events", content_api_events, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/calendar/events", content_api_event_create, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"PATCH", "/api/v1/calendar/events/{id}", content_api_event_update, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"DELETE", "/api/v1/calendar/events/{id}", content_api_event_delete, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
};

static const task_type_t content_tasks[] = {
    {"content.load_questions", content_task_load_questions, 0},
    {"content.news_import", content_task_news_import, 0},
    {"content.remind", content_task_remind, 0},
};

static const task_schedule_t content_schedules[] = {
    {"content.load_questions", 86400, TASK_PRIO_LOW},
    {"content.news_import", 60, TASK_PRIO_LOW},
    {"content.remind", 60, TASK_PRIO_NORMAL},
};

const zm_module_t zm_content_module = {
    .name = "content",
    .conf = content_keys,
    .nconf = ZM_ARRAY_LEN(content_keys),
    .routes = content_routes,
    .nroutes = ZM_ARRAY_LEN(content_routes),
    .tasks = content_tasks,
    .ntasks = ZM_ARRAY_LEN(content_tasks),
    .schedules = content_schedules,
    .nschedules = ZM_ARRAY_LEN(content_schedules),
};
