/*
 * server.h -- zhimai-fcgi: the FastCGI master and its workers.
 */
#ifndef ZM_SERVER_H
#define ZM_SERVER_H

#include <stddef.h>

#include "router.h"

/** The application's routes (fcgi/api/routes.c). */
extern const zm_route_t zm_routes[];
extern const size_t zm_nroutes;

/** Authenticate r for route level (fcgi/auth): ZM_OK with r->user_id and r->role set,
 *  or a negative code, the request answered (401/403) or not (then the code decides, e.g. 503). */
struct zm_req_s;
int zm_auth_check(struct zm_req_s *r, int level);

/** Run zhimai-fcgi with the configuration at conf_path; returns the exit code. */
int zm_server_main(const char *conf_path);

#endif
