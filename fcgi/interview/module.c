/*
 * module.c -- the mock interview and the meeting assistant (issue 18): its paths, task types, the schedule that closes
 * abandoned sessions, and its configuration.  The rules are interview.h; the tables
 * migrations/0023_interview.sql; the API docs/internals/interview.md.
 */
#include "conf.h"
#include "interview.h"
#include "interview_api.h"
#include "interview_tasks.h"
#include "registry.h"
#include "server.h"

static const zm_conf_key_t iv_keys[] = {
    ZM_CONF_E("interview.provider", "auto", "auto|builtin|openai",
              "# The interviewer: builtin (offline), openai (the llm.* model, streamed), or auto (as llm.provider)."),
    ZM_CONF_I("interview.max_answer_chars", "4000", 10, 100000LL, "# Longest answer (one turn), in characters."),
    ZM_CONF_I("interview.max_followups", "1", 0, 5LL, "# Follow-up questions at most per main question."),
    ZM_CONF_I("interview.idle_timeout", "900", 30, 86400LL,
              "# Seconds without activity after which a session is closed with its report."),
    ZM_CONF_I("interview.chunk_chars", "16", 1, 4096LL,
              "# Characters of the interviewer's text per streamed message (after the first, sent at once)."),
    ZM_CONF_I("interview.flush_ms", "30", 0, 10000LL,
              "# A model's text is published at least this often while it streams, in milliseconds."),
    ZM_CONF_I("interview.builtin_delay_ms", "0", 0, 1000LL,
              "# Pause between the builtin interviewer's streamed pieces, in milliseconds (0: none)."),
};

static const zm_route_t iv_routes[] = {
    {"POST", "/api/v1/mock-interview/upload-resume", iv_api_upload_resume, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/custom-interview/upload-materials", iv_api_upload_material, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/mock-interview/generate", iv_api_generate, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"POST", "/api/v1/mock-interview/chat/stream", iv_api_answer, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/mock-interview/sessions/{id}", iv_api_session, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/mock-interview/sessions/{id}/end", iv_api_end, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/mock-interview/records", iv_api_records, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/mock-interview/records/{id}", iv_api_session, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/interview/ai-reference", iv_api_reference, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"POST", "/api/v1/meeting-assistant/start", iv_api_meeting_start, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"POST", "/api/v1/meeting-assistant/sessions/{id}/transcript", iv_api_meeting_line, ZM_AUTH_USER, NULL,
     ZM_BODY_JSON},
    {"GET", "/api/v1/meeting-assistant/sessions/{id}", iv_api_session, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/meeting-assistant/sessions/{id}/end", iv_api_end, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/meeting-assistant/records", iv_api_records, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/meeting-assistant/records/{id}", iv_api_session, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/events/auth/interviews/{id}", iv_api_events_auth, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
};

static const task_type_t iv_tasks[] = {
    {"interview.turn", iv_task_turn, 0},
    {"interview.end", iv_task_end, 0},
    {"interview.idle", iv_task_idle, 0},
    {"interview.reference", iv_task_reference, 0},
};

static const task_schedule_t iv_schedules[] = {
    {"interview.idle", 60, TASK_PRIO_NORMAL},
};

const zm_module_t zm_interview_module = {
    .name = "interview",
    .conf = iv_keys,
    .nconf = ZM_ARRAY_LEN(iv_keys),
    .routes = iv_routes,
    .nroutes = ZM_ARRAY_LEN(iv_routes),
    .tasks = iv_tasks,
    .ntasks = ZM_ARRAY_LEN(iv_tasks),
    .schedules = iv_schedules,
    .nschedules = ZM_ARRAY_LEN(iv_schedules),
};
