/*
 * fuzz_router.c -- libFuzzer target for zm_route_match: the request path
 * (as nginx decoded it) against a table with every kind of pattern.
 *
 * Input: the method up to the first ' ', then the path.  Checks what the
 * handlers rely on: a found route's method is the one asked for, its params
 * are as many as the pattern's {names}, each non-empty and without '/';
 * a path refused for its method names the allowed ones.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

#define FUZZ_PATH_MAX 8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_handler(struct zm_req_s *r)
{
    (void)r;
    return 0;
}

static const zm_route_t fuzz_routes[] = {
    {"GET", "/healthz", fuzz_handler, ZM_AUTH_NONE, NULL, ZM_BODY_ANY},
    {"GET", "/api/resumes", fuzz_handler, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/resumes", fuzz_handler, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/resumes/{id}", fuzz_handler, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"PATCH", "/api/resumes/{id}", fuzz_handler, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"DELETE", "/api/resumes/{id}/versions/{version}", fuzz_handler, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/events/tasks/{id}", fuzz_handler, ZM_AUTH_NONE, NULL, ZM_BODY_ANY},
    {"POST", "/match/start/{job_id}/", fuzz_handler, ZM_AUTH_HR, NULL, ZM_BODY_ANY},
    {"GET", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", fuzz_handler, ZM_AUTH_NONE, NULL, ZM_BODY_ANY},
};

static unsigned fuzz_nparams(const char *pattern)
{
    unsigned n = 0;

    for (const char *p = pattern; *p; p++) {
        n += *p == '{';
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sp = memchr(data, ' ', size);
    size_t mlen = sp ? (size_t)(sp - data) : 0, plen = sp ? size - mlen - 1 : size;
    char method[16], *path, allow[256];
    zm_route_params_t params;
    size_t idx = 0;
    int rc;

    if (mlen >= sizeof(method) || plen > FUZZ_PATH_MAX) {
        return 0;
    }
    memcpy(method, data, mlen);
    method[mlen] = '\0';
    /* an exact-size copy: nginx hands the path NUL-terminated, and a read past it is a bug */
    path = malloc(plen + 1);
    if (path == NULL) {
        return 0;
    }
    memcpy(path, sp ? sp + 1 : data, plen);
    path[plen] = '\0';
    allow[0] = '\0';
    rc = zm_route_match(fuzz_routes, sizeof(fuzz_routes) / sizeof(fuzz_routes[0]), method, path, &idx, &params, allow,
                        sizeof(allow));
    if (rc == ZM_ROUTE_FOUND) {
        const zm_route_t *r = &fuzz_routes[idx];
        if (idx >= sizeof(fuzz_routes) / sizeof(fuzz_routes[0]) || strcmp(r->method, method) != 0 ||
            params.n != fuzz_nparams(r->pattern)) {
            abort();
        }
        for (unsigned i = 0; i < params.n; i++) {
            if (params.values[i] == NULL || params.values[i][0] == '\0' || strchr(params.values[i], '/') ||
                params.names[i] == NULL) {
                abort();
            }
        }
    } else if (rc == ZM_ROUTE_BAD_METHOD) {
        if (allow[0] == '\0' || memchr(allow, '\0', sizeof(allow)) == NULL) {
            abort();
        }
    } else if (rc != ZM_ROUTE_NOT_FOUND) {
        abort();
    }
    free(path);
    return 0;
}
