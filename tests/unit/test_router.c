#include <string.h>

#include "http.h"
#include "router.h"
#include "zt.h"

static int h_a(zm_req_t *r)
{
    (void)r;
    return 0;
}
static int h_b(zm_req_t *r)
{
    (void)r;
    return 0;
}

static const zm_route_t routes[] = {
    {"GET", "/healthz", h_a, ZM_AUTH_NONE, NULL, ZM_BODY_ANY},
    {"GET", "/api/resumes", h_a, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/resumes", h_b, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/resumes/{resumeId}", h_a, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"PATCH", "/api/resumes/{resumeId}", h_b, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/resumes/{resumeId}/versions", h_a, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/jobs/api/", h_a, ZM_AUTH_NONE, NULL, ZM_BODY_ANY},
    {"GET", "/match/{job}/results/{page}", h_b, ZM_AUTH_NONE, NULL, ZM_BODY_ANY},
};
#define N (sizeof(routes) / sizeof(routes[0]))

static int match(const char *method, const char *path, size_t *idx, zm_route_params_t *p, char *allow)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    return zm_route_match(routes, N, method, buf, idx, p, allow, 64);
}

static void test_literal(void)
{
    size_t idx = 99;
    zm_route_params_t p;
    char allow[64];
    ZT_CHECK(match("GET", "/healthz", &idx, &p, allow) == ZM_ROUTE_FOUND && idx == 0);
    ZT_CHECK(match("GET", "/healthz/", &idx, &p, allow) == ZM_ROUTE_FOUND && idx == 0);
    ZT_CHECK(match("GET", "/healthzz", &idx, &p, allow) == ZM_ROUTE_NOT_FOUND);
    ZT_CHECK(match("GET", "/", &idx, &p, allow) == ZM_ROUTE_NOT_FOUND);
    ZT_CHECK(match("GET", "/jobs/api", &idx, &p, allow) == ZM_ROUTE_FOUND && idx == 6);
    ZT_CHECK(match("GET", "/jobs/api/", &idx, &p, allow) == ZM_ROUTE_FOUND && idx == 6);
}

static void test_methods(void)
{
    size_t idx = 99;
    zm_route_params_t p;
    char allow[64];
    ZT_CHECK(match("POST", "/api/resumes", &idx, &p, allow) == ZM_ROUTE_FOUND && idx == 2);
    ZT_CHECK(match("DELETE", "/api/resumes", &idx, &p, allow) == ZM_ROUTE_BAD_METHOD);
    ZT_STREQ(allow, "GET, POST");
    ZT_CHECK(match("DELETE", "/api/resumes/abc", &idx, &p, allow) == ZM_ROUTE_BAD_METHOD);
    ZT_STREQ(allow, "GET, PATCH");
}

static void test_params(void)
{
    size_t idx = 99;
    zm_route_params_t p;
    char allow[64];
    ZT_CHECK(match("GET", "/api/resumes/简历-1/versions", &idx, &p, allow) == ZM_ROUTE_FOUND && idx == 5);
    ZT_CHECK(p.n == 1);
    ZT_STREQ(p.values[0], "简历-1");
    ZT_CHECK(strncmp(p.names[0], "resumeId}", 9) == 0);
    ZT_CHECK(match("GET", "/match/7/results/2", &idx, &p, allow) == ZM_ROUTE_FOUND && idx == 7 && p.n == 2);
    ZT_STREQ(p.values[1], "2");
    /* an empty segment never fills a parameter */
    ZT_CHECK(match("GET", "/api/resumes//versions", &idx, &p, allow) == ZM_ROUTE_NOT_FOUND);
    ZT_CHECK(match("GET", "/api/resumes/x/versions/extra", &idx, &p, allow) == ZM_ROUTE_NOT_FOUND);
}

static void test_param_lookup(void)
{
    zm_req_t r;
    memset(&r, 0, sizeof(r));
    size_t idx;
    char allow[64];
    ZT_CHECK(match("GET", "/match/7/results/2", &idx, &r.params, allow) == ZM_ROUTE_FOUND);
    ZT_STREQ(zm_req_param(&r, "job"), "7");
    ZT_STREQ(zm_req_param(&r, "page"), "2");
    ZT_CHECK(zm_req_param(&r, "jo") == NULL);
    ZT_CHECK(zm_req_param(&r, "pages") == NULL);
}

static void test_too_many_segments(void)
{
    char path[1024] = "";
    size_t idx;
    zm_route_params_t p;
    char allow[64];
    for (int i = 0; i < 100; i++) {
        strcat(path, "/a");
    }
    ZT_CHECK(zm_route_match(routes, N, "GET", path, &idx, &p, allow, sizeof(allow)) == ZM_ROUTE_NOT_FOUND);
}

int main(void)
{
    ZT_RUN(test_literal);
    ZT_RUN(test_methods);
    ZT_RUN(test_params);
    ZT_RUN(test_param_lookup);
    ZT_RUN(test_too_many_segments);
    return zt_done();
}
