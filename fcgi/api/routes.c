/*
 * routes.c -- every HTTP endpoint of zhimai-fcgi, in one table.
 *
 * Seed paths stay exactly as documented; new endpoints live under /api/v1/.
 */
#include "analysis_api.h"
#include "auth_api.h"
#include "events_api.h"
#include "health.h"
#include "resumes_api.h"
#include "server.h"

const zm_route_t zm_routes[] = {
    {"GET", "/healthz", health_healthz, ZM_AUTH_NONE, NULL},
    {"GET", "/metrics", health_metrics, ZM_AUTH_LOOPBACK, NULL},

    /* accounts */
    {"POST", "/api/v1/auth/register", auth_api_register, ZM_AUTH_NONE, NULL},
    {"POST", "/api/v1/auth/verify-email", auth_api_verify_email, ZM_AUTH_NONE, NULL},
    {"POST", "/api/v1/auth/resend-verification", auth_api_resend_verification, ZM_AUTH_NONE, NULL},
    {"POST", "/api/v1/auth/login", auth_api_login, ZM_AUTH_NONE, NULL},
    {"POST", "/api/v1/auth/refresh", auth_api_refresh, ZM_AUTH_NONE, NULL},
    {"POST", "/api/v1/auth/logout", auth_api_logout, ZM_AUTH_USER, NULL},
    {"GET", "/api/v1/auth/me", auth_api_me, ZM_AUTH_USER, NULL},
    {"PATCH", "/api/v1/auth/me", auth_api_me_update, ZM_AUTH_USER, NULL},
    {"POST", "/api/v1/auth/password/change", auth_api_password_change, ZM_AUTH_USER, NULL},
    {"POST", "/api/v1/auth/password/reset", auth_api_password_reset, ZM_AUTH_NONE, NULL},
    {"POST", "/api/v1/auth/password/reset/confirm", auth_api_password_reset_confirm, ZM_AUTH_NONE, NULL},
    {"GET", "/api/v1/admin/users", auth_api_admin_users, ZM_AUTH_ADMIN, NULL},
    {"PATCH", "/api/v1/admin/users/{id}", auth_api_admin_user_update, ZM_AUTH_ADMIN, NULL},

    /* resumes and their files (seed 001's paths) */
    {"POST", "/api/resumes", resumes_api_create, ZM_AUTH_USER, NULL},
    {"GET", "/api/resumes", resumes_api_list, ZM_AUTH_USER, NULL},
    {"GET", "/api/resumes/{resumeId}", resumes_api_get, ZM_AUTH_USER, NULL},
    {"PATCH", "/api/resumes/{resumeId}", resumes_api_rename, ZM_AUTH_USER, NULL},
    {"DELETE", "/api/resumes/{resumeId}", resumes_api_delete, ZM_AUTH_USER, NULL},
    {"GET", "/api/resumes/{resumeId}/versions", resumes_api_versions, ZM_AUTH_USER, NULL},
    {"POST", "/api/resumes/{resumeId}/versions", resumes_api_add_version, ZM_AUTH_USER, NULL},
    {"GET", "/api/resumes/{resumeId}/text", resumes_api_text, ZM_AUTH_USER, NULL},
    {"GET", "/api/files/{fileId}", resumes_api_download, ZM_AUTH_USER, NULL},
    {"DELETE", "/api/files/{fileId}", resumes_api_file_delete, ZM_AUTH_USER, NULL},

    /* AI analysis: suggestions (seed 001), diagnosis and interview prediction (seed 003) */
    {"POST", "/api/suggestions", analysis_api_suggest, ZM_AUTH_USER, NULL},
    {"GET", "/api/suggestions", analysis_api_suggestions, ZM_AUTH_USER, NULL},
    {"GET", "/api/suggestions/{suggestionId}", analysis_api_suggestion, ZM_AUTH_USER, NULL},
    {"POST", "/api/suggestions/{suggestionId}/feedback", analysis_api_feedback, ZM_AUTH_USER, NULL},
    {"POST", "/api/v1/resume-diagnosis/full-with-skills", analysis_api_diagnose, ZM_AUTH_USER, NULL},
    {"GET", "/api/v1/resume-diagnosis/history", analysis_api_diagnosis_history, ZM_AUTH_USER, NULL},
    {"GET", "/api/v1/resume-diagnosis/{id}", analysis_api_diagnosis, ZM_AUTH_USER, NULL},
    {"POST", "/api/v1/interview-prep/upload-resume", analysis_api_interview_upload, ZM_AUTH_USER, NULL},
    {"POST", "/api/v1/interview-prep/ai-generate", analysis_api_interview_generate, ZM_AUTH_USER, NULL},
    {"GET", "/api/v1/interview-prep/history", analysis_api_interview_history, ZM_AUTH_USER, NULL},
    {"GET", "/api/v1/interview-prep/{id}", analysis_api_interview, ZM_AUTH_USER, NULL},
    {"GET", "/api/v1/tasks/{id}", analysis_api_task, ZM_AUTH_USER, NULL},
    {"GET", "/api/v1/events/auth/{taskId}", events_api_auth, ZM_AUTH_USER, NULL},
};

const size_t zm_nroutes = sizeof(zm_routes) / sizeof(zm_routes[0]);
