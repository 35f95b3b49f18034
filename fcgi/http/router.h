/*
 * router.h -- method + path pattern -> handler.
 *
 * Patterns are literal segments and `{name}` segments that match one
 * non-empty segment: "/api/resumes/{id}/versions".  A trailing slash is
 * not significant ("/jobs/api/" matches "/jobs/api").  The table is
 * static and small; matching is a linear scan in table order.
 */
#ifndef ZM_ROUTER_H
#define ZM_ROUTER_H

#include <stddef.h>

#define ZM_ROUTE_MAX_PARAMS 8

struct zm_req_s;
typedef int (*zm_handler_pt)(struct zm_req_s *r);

/* who may call a route */
enum { ZM_AUTH_NONE = 0, ZM_AUTH_USER, ZM_AUTH_HR, ZM_AUTH_ADMIN, ZM_AUTH_LOOPBACK };

/* what a route's body is: ZM_BODY_JSON routes answer 415 for any other Content-Type before the handler
 * runs (after the auth check); ZM_BODY_ANY leaves it to the handler (none, multipart, either) */
enum { ZM_BODY_ANY = 0, ZM_BODY_JSON = 1, ZM_BODY_MASK = 0xff };

/* how a route's failures answer, or'ed into its body (ZM_BODY_JSON | ZM_REPLY_SEED): by default
 * {"success": false, "error": {"code", "message", "fields"?}}; ZM_REPLY_SEED the seed's envelope,
 * the same with the message at the top as well ({"success": false, "message", "error"}; a form's 400
 * says its first field's message there) -- every failure of the route: auth, body, form, mapped
 * codes (http.h) */
enum { ZM_REPLY_SEED = 0x100 };

typedef struct zm_route_s {
    const char *method; /* "GET", "POST", ... */
    const char *pattern;
    zm_handler_pt handler;
    int auth;
    const char *name; /* label in /metrics; defaults to the pattern */
    int body;         /* ZM_BODY_*, with ZM_REPLY_SEED or'ed in for the seed's envelope */
} zm_route_t;

typedef struct {
    unsigned n;
    const char *names[ZM_ROUTE_MAX_PARAMS];
    const char *values[ZM_ROUTE_MAX_PARAMS]; /* point into the caller's buffer */
} zm_route_params_t;

enum { ZM_ROUTE_FOUND = 0, ZM_ROUTE_NOT_FOUND = -1, ZM_ROUTE_BAD_METHOD = -2 };

/**
 * Find the route for method and path in table[0..n).  path is modified
 * in place (segments are NUL-split for the params), so pass a copy.
 * Returns ZM_ROUTE_FOUND with *idx and params set; ZM_ROUTE_BAD_METHOD
 * when the path matches under other methods (allow gets them, comma-separated,
 * if not NULL); else ZM_ROUTE_NOT_FOUND.
 */
int zm_route_match(const zm_route_t *table, size_t n, const char *method, char *path, size_t *idx,
                   zm_route_params_t *params, char *allow, size_t allowlen);

#endif
