/*
 * server.h -- zhimai-fcgi: the FastCGI master and its workers.
 */
#ifndef ZM_SERVER_H
#define ZM_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#include "module.h"
#include "router.h"

/** Every module's routes in one table, as the server matches them (for /metrics' labels). */
const zm_route_t *zm_server_routes(size_t *n);

/** The modules the server runs (for /metrics' per-module gauges). */
const zm_module_t *const *zm_server_modules(void);

/* fcgi.*, http.*, nginx.*; /healthz and /metrics */
extern const zm_module_t zm_http_module;

/** Authenticate r for route level: ZM_OK with r->user_id and r->role set, or a negative
 *  code, the request answered (401/403) or not (then the code decides, e.g. 503). */
struct zm_req_s;
int zm_auth_check(struct zm_req_s *r, int level);

/** Verifies a bearer token: ZM_OK with the user's id and ZM_ROLE_*, ZM_EEXPIRED, ZM_ETOKEN,
 *  or another negative code (ZM_EDBDOWN, ...). */
struct db_s;
typedef int (*zm_authenticate_pt)(struct db_s *db, zm_arena_t *a, const char *token, int64_t *user_id, int *role);

/** Install the token check zm_auth_check calls (the accounts module does, in init_master). */
void zm_http_set_authenticator(zm_authenticate_pt fn);

/** Told of every authenticated request (after the token check, before the handler): the user and
 *  the route's pattern ("/api/v1/resume-diagnosis/{id}").  Best effort, never fails the request. */
typedef void (*zm_observe_pt)(struct db_s *db, int64_t user_id, const char *pattern);

/** Install the request observer (the stats module does: time spent per core feature). */
void zm_http_set_observer(zm_observe_pt fn);

/** Run zhimai-fcgi with the configuration at conf_path (keys registered, see conf.h) serving
 *  modules (NULL-terminated); returns the exit code. */
int zm_server_main(const char *conf_path, const zm_module_t *const *modules);

#endif
