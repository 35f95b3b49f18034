/*
 * module.c -- resumes, their versions and files: the per-user limits, the
 * endpoints (seed 001's paths), text extraction and storage clean-up tasks.
 */
#include "conf.h"
#include "registry.h"
#include "resumes.h"
#include "resumes_api.h"
#include "resumes_tasks.h"
#include "server.h"

/* resumes' own failure codes lie in its range (zm.h: a code in a log names its module) */
_Static_assert(ZM_IN_RANGE(RESUME_ETYPE, ZM_ERANGE_RESUMES) && ZM_IN_RANGE(RESUME_EVERSIONS, ZM_ERANGE_RESUMES),
               "resumes codes outside ZM_ERANGE_RESUMES");

static const zm_conf_key_t resumes_keys[] = {
    ZM_CONF_I(
        "resumes.quota_bytes", "209715200", 0, 1099511627776LL,
        "# Bytes of resume files one user may keep, all versions together (200 MiB); over it an upload answers 413.\n"
        "# 0: no limit.  Deleting a version or a resume frees its bytes at once."),
    ZM_CONF_I("resumes.max_resumes", "50", 0, 1000000LL,
              "# Resumes one user may have; one more answers 409 (0: no limit)."),
    ZM_CONF_I("resumes.max_versions", "20", 0, 1000000LL,
              "# Versions one resume may have; one more answers 409 (0: no limit)."),
};

static const zm_route_t resumes_routes[] = {
    {"POST", "/api/resumes", resumes_api_create, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/resumes", resumes_api_list, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/resumes/{resumeId}", resumes_api_get, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"PATCH", "/api/resumes/{resumeId}", resumes_api_rename, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"DELETE", "/api/resumes/{resumeId}", resumes_api_delete, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/resumes/{resumeId}/versions", resumes_api_versions, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/resumes/{resumeId}/versions", resumes_api_add_version, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/resumes/{resumeId}/text", resumes_api_text, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/files/{fileId}", resumes_api_download, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"DELETE", "/api/files/{fileId}", resumes_api_file_delete, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
};

static const task_type_t resumes_tasks[] = {
    {"resume.extract", resume_task_extract, 0},
    {"storage.delete", resume_task_storage_delete, 0},
};

const zm_module_t zm_resumes_module = {
    .name = "resumes",
    .conf = resumes_keys,
    .nconf = ZM_ARRAY_LEN(resumes_keys),
    .routes = resumes_routes,
    .nroutes = ZM_ARRAY_LEN(resumes_routes),
    .tasks = resumes_tasks,
    .ntasks = ZM_ARRAY_LEN(resumes_tasks),
};
