#include "server.h"

#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "conf.h"
#include "http.h"
#include "log.h"
#include "master.h"
#include "metrics.h"
#include "str.h"
#include "uuid.h"
#include <sodium.h>

static int listen_fd = -1;
static const zm_module_t *const *server_modules;
static zm_route_t *routes; /* every module's, in list order */
static size_t nroutes;
static char listen_addr[4096]; /* as opened: fcgi.listen changes only with a restart */

static int is_unix_path(const char *addr)
{
    return strchr(addr, '/') != NULL || strchr(addr, ':') == NULL;
}

static int open_listener(void)
{
    const char *addr = zm_conf_str("fcgi.listen");
    int fd;

    snprintf(listen_addr, sizeof(listen_addr), "%s", addr);
    if (is_unix_path(addr)) {
        unlink(addr); /* a stale socket from a crash; a live master was ruled out by the pid file */
    }
    fd = FCGX_OpenSocket(addr, (int)zm_conf_int("fcgi.backlog"));
    if (fd < 0) {
        zm_log_error("cannot listen on %s: %s", addr, strerror(errno));
        return -1;
    }
    /* workers wait for readiness and then accept; whoever loses the race must not block */
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
        zm_log_error("fcntl %s: %s", addr, strerror(errno));
        return -1;
    }
    if (is_unix_path(addr)) {
        const char *group = zm_conf_str("fcgi.socket_group");
        mode_t mode = (mode_t)strtol(zm_conf_str("fcgi.socket_mode"), NULL, 8);

        if (group[0]) {
            struct group *g = getgrnam(group);
            if (g == NULL || chown(addr, (uid_t)-1, g->gr_gid) != 0) {
                zm_log_error("cannot give %s to group %s", addr, group);
                return -1;
            }
        }
        if (chmod(addr, mode) != 0) {
            zm_log_error("chmod %s: %s", addr, strerror(errno));
            return -1;
        }
    }
    zm_log_info("listening on %s", addr);
    return fd;
}

/* ---- one request ---- */

static int read_body(zm_req_t *r, FCGX_Request *fr)
{
    const char *cl = zm_req_env(r, "CONTENT_LENGTH");
    long long len;
    char *end;
    size_t got = 0;

    if (cl == NULL || *cl == '\0') {
        return ZM_OK;
    }
    len = strtoll(cl, &end, 10);
    if (*end != '\0' || len < 0) {
        zm_reply_error(r, 400, "bad_request", "Content-Length 无效", NULL);
        return ZM_EINVAL;
    }
    if (len > zm_conf_int("http.max_body")) {
        zm_reply_error(r, 413, "payload_too_large", "请求体过大", NULL);
        return ZM_ETOOBIG;
    }
    r->body = zm_palloc(r->a, (size_t)len + 1);
    if (r->body == NULL) {
        return ZM_ENOMEM;
    }
    while (got < (size_t)len) {
        int n = FCGX_GetStr(r->body + got, (int)((size_t)len - got), fr->in);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    r->body[got] = '\0';
    r->body_len = got;
    if (got != (size_t)len) {
        zm_reply_error(r, 400, "bad_request", "请求体不完整", NULL);
        return ZM_EINVAL;
    }
    return ZM_OK;
}

static int is_loopback(const char *ip)
{
    return ip && (strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0);
}

static void dispatch(zm_req_t *r, FCGX_Request *fr, size_t *route_idx)
{
    zm_route_params_t params;
    char allow[128];
    char *path_copy;
    int rc;

    *route_idx = nroutes;
    if (r->method == NULL || r->path == NULL) {
        zm_reply_error(r, 400, "bad_request", "缺少请求方法或路径", NULL);
        return;
    }
    if (!zm_utf8_valid(r->path, strlen(r->path)) || !zm_utf8_valid(r->query, strlen(r->query))) {
        zm_reply_error(r, 400, "invalid_utf8", "请求路径不是有效的 UTF-8", NULL);
        return;
    }
    path_copy = zm_pstrdup(r->a, r->path);
    if (path_copy == NULL) {
        zm_reply_from_rc(r, ZM_ENOMEM);
        return;
    }
    switch (zm_route_match(routes, nroutes, r->method, path_copy, route_idx, &params, allow, sizeof(allow))) {
    case ZM_ROUTE_FOUND:
        break;
    case ZM_ROUTE_BAD_METHOD:
        *route_idx = nroutes;
        zm_reply_header(r, "Allow", allow);
        zm_reply_error(r, 405, "method_not_allowed", "不支持该请求方法", NULL);
        return;
    default:
        *route_idx = nroutes;
        zm_reply_error(r, 404, "not_found", "接口不存在", NULL);
        return;
    }
    r->route = &routes[*route_idx];
    r->params = params;

    if (read_body(r, fr) != ZM_OK) {
        if (r->status == 0) {
            zm_reply_from_rc(r, ZM_ENOMEM);
        }
        return;
    }
    if (r->route->auth == ZM_AUTH_LOOPBACK) {
        if (!is_loopback(zm_req_env(r, "REMOTE_ADDR"))) {
            zm_reply_error(r, 403, "forbidden", "仅限本机访问", NULL);
            return;
        }
    } else if (r->route->auth != ZM_AUTH_NONE) {
        rc = zm_auth_check(r, r->route->auth);
        /* refused (answered or not): the handler never runs */
        if (rc != ZM_OK || r->status != 0 || r->user_id == 0) {
            if (rc == ZM_OK) {
                rc = ZM_ERR;
            }
            if (r->status == 0) {
                zm_reply_from_rc(r, rc);
            }
            return;
        }
    }
    /* a route that takes JSON refuses anything else before its handler reads a byte */
    if ((r->route->body & ZM_BODY_MASK) == ZM_BODY_JSON && !zm_req_is_json(r)) {
        zm_reply_not_json(r);
        return;
    }
    rc = r->route->handler(r);
    if (r->status == 0) {
        if (rc == ZM_OK) {
            zm_log_error("handler for %s %s answered nothing", r->method, r->route->pattern);
            rc = ZM_ERR;
        }
        zm_reply_from_rc(r, rc);
    }
}

static void write_head(zm_req_t *r, FCGX_Request *fr, int streamed)
{
    char head[512];
    int n;

    n = snprintf(head, sizeof(head), "Status: %d %s\r\nX-Request-Id: %s\r\n", r->status, zm_http_reason(r->status),
                 r->request_id);
    FCGX_PutStr(head, n, fr->out);
    if (r->content_type) {
        n = snprintf(head, sizeof(head), "Content-Type: %s\r\n", r->content_type);
        FCGX_PutStr(head, n, fr->out);
    }
    if (r->status >= 400 || r->content_type == NULL || strncmp(r->content_type, "application/json", 16) == 0) {
        FCGX_PutS("Cache-Control: no-store\r\n", fr->out);
    }
    if (r->headers.len) {
        FCGX_PutStr(r->headers.data, (int)r->headers.len, fr->out);
    }
    if (!streamed && r->status != 204 && r->status != 304) {
        /* every other answer is whole before it is sent: nginx need not chunk it */
        n = snprintf(head, sizeof(head), "Content-Length: %zu\r\n", r->out.len);
        FCGX_PutStr(head, n, fr->out);
    }
    FCGX_PutStr("\r\n", 2, fr->out);
}

static void write_response(zm_req_t *r, FCGX_Request *fr)
{
    if (r->streamed) {
        return; /* head and body went out as they were made */
    }
    write_head(r, fr, 0);
    if (r->out.len && r->status != 204) {
        FCGX_PutStr(r->out.data, (int)r->out.len, fr->out);
    }
}

int zm_reply_stream_begin(zm_req_t *r, int status, const char *content_type)
{
    r->status = status;
    r->content_type = content_type;
    r->out.len = 0;
    r->streamed = 1;
    if (r->fcgi == NULL) {
        return ZM_OK;
    }
    write_head(r, r->fcgi, 1);
    return FCGX_FFlush(((FCGX_Request *)r->fcgi)->out) == 0 ? ZM_OK : ZM_ERR;
}

int zm_reply_stream_write(zm_req_t *r, const void *data, size_t len)
{
    FCGX_Request *fr = r->fcgi;
    if (!r->streamed) {
        return ZM_EINVAL;
    }
    if (fr == NULL) {
        return zm_buf_append(r->a, &r->out, (const char *)data, len, 0);
    }
    while (len > 0) {
        int n = len > (1u << 30) ? 1 << 30 : (int)len;
        if (FCGX_PutStr(data, n, fr->out) != n) {
            return ZM_ERR;
        }
        data = (const char *)data + n;
        len -= (size_t)n;
    }
    return FCGX_FFlush(fr->out) == 0 ? ZM_OK : ZM_ERR;
}

/* Once everything nginx sent has been read, close outright: libfcgi's lingering close
 * (shutdown, wait for nginx to hang up, drain) only keeps unread input from turning into
 * a reset, and costs three system calls and a round trip to nginx per request. */
static void close_fast_if_drained(FCGX_Request *fr)
{
    if (FCGX_HasSeenEOF(fr->in) == EOF || FCGX_GetChar(fr->in) == EOF) {
        FCGX_Detach(fr);
    }
}

static void serve_one(FCGX_Request *fr, zm_arena_t *a, db_t *db)
{
    int64_t t0 = zm_mono_us();
    zm_req_t req;
    zm_req_t *r = &req;
    const char *rid, *remote;
    size_t route_idx = nroutes;

    memset(r, 0, sizeof(*r));
    r->a = a;
    r->db = db;
    r->fcgi = fr;
    r->envp = fr->envp;
    r->method = zm_req_env(r, "REQUEST_METHOD");
    r->path = zm_req_env(r, "DOCUMENT_URI");
    if (r->path == NULL) {
        const char *uri = zm_req_env(r, "REQUEST_URI");
        if (uri) {
            const char *q = strchr(uri, '?');
            r->path = q ? zm_pstrndup(a, uri, (size_t)(q - uri)) : uri;
        }
    }
    r->query = zm_req_env(r, "QUERY_STRING");
    if (r->query == NULL) {
        r->query = "";
    }
    rid = zm_req_env(r, "REQUEST_ID");
    if (rid == NULL || !zm_str_is_token(rid, 1, 64)) {
        char *hex = zm_palloc(a, 33);
        if (hex != NULL) {
            zm_uuid4(hex);
        }
        rid = hex;
    }
    r->request_id = rid;
    /* REMOTE_ADDR is nginx's $remote_addr: the TCP peer, or the client a trusted load balancer
     * named (nginx's real_ip, nginx.real_ip_from).  No request header is read for it: headers are
     * the client's to write, and per-IP rate limits must not be theirs to choose. */
    remote = zm_req_env(r, "REMOTE_ADDR");
    r->client_ip = remote ? remote : "-";

    /* the access log is written after FCGX_Finish_r, which frees the params */
    r->method = zm_pstrdup(a, r->method);
    r->path = zm_pstrdup(a, r->path);
    r->request_id = zm_pstrdup(a, r->request_id);

    dispatch(r, fr, &route_idx);
    if (db_in_transaction(db)) {
        zm_log_error("%s %s left a transaction open; rolled back", r->method, r->path);
        db_rollback(db);
    }
    write_response(r, fr);
    close_fast_if_drained(fr);
    FCGX_Finish_r(fr);

    int64_t us = zm_mono_us() - t0;
    zm_metrics_request(route_idx, r->status, us);
    zm_log_access(r->request_id, r->method, r->path, r->status, us);

    zm_arena_reset(a); /* and with it the request's JSON objects (zm_req_own) */
}

static int connection_waiting(void)
{
    struct pollfd p = {.fd = listen_fd, .events = POLLIN};

    return poll(&p, 1, 0) > 0;
}

static int worker_main(int slot, void *ud)
{
    FCGX_Request fr;
    zm_arena_t arena;
    db_t *db;
    int64_t served = 0, max_requests = zm_conf_int("fcgi.max_requests");
    int alarm_armed = 0;
    int64_t drain_until = 0;

    ZM_UNUSED(ud);
    zm_metrics_use_slot(slot);
    if (zm_modules_init_process(server_modules) != ZM_OK) {
        return 1;
    }
    if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
        zm_log_error("FCGX_Init failed");
        return 1;
    }
    db = db_open_configured(0);
    if (db == NULL) {
        return 1;
    }
    db_set_reconnect_counter(db, zm_metrics_reconnect_counter());
    db_ping(db); /* connect now, so the first request does not pay for it; a failure is retried later */
    zm_arena_init(&arena, 64 * 1024, (size_t)zm_conf_int("http.arena_cap"));

    /* access-log lines are written in batches: at most a second late, one write
     * per batch instead of one per request */
    zm_log_access_buffer(1);

    /* SIGTERM and SIGALRM only get through while we wait for a connection (zm_child_wait_readable), never
     * inside libfcgi's accept: after accepting it polls for the first bytes, and a signal
     * there made it drop the connection nginx had just written to (nginx saw a reset).  The
     * listening socket is non-blocking, so a worker that loses the race for a connection
     * comes back here instead of blocking in accept with the signals held. */
    zm_child_block_stop(1);
    for (;;) {
        int rc;

        if (zm_child_alarm) {
            zm_child_alarm = 0;
            alarm_armed = 0;
            zm_log_access_flush();
        }
        if (zm_child_stop) {
            /* stopping the service: connections nginx already queued get their answers,
             * for a bounded time, instead of a reset when the socket closes */
            if (!zm_child_drain) {
                break;
            }
            if (drain_until == 0) {
                drain_until = zm_mono_us() + 2000000;
            }
            if (zm_mono_us() > drain_until || !connection_waiting()) {
                break;
            }
        } else if (!zm_child_wait_readable(listen_fd)) {
            continue; /* a signal: the loop's top decides what it means */
        }
        rc = FCGX_Accept_r(&fr);
        if (rc < 0) {
            if (rc == -EAGAIN || rc == -EINTR || zm_child_stop) {
                continue; /* another worker took it */
            }
            zm_log_error("accept: %s", strerror(-rc));
            usleep(10000);
            continue;
        }
        serve_one(&fr, &arena, db);
        if (!alarm_armed) {
            alarm(1);
            alarm_armed = 1;
        }
        if (max_requests > 0 && ++served >= max_requests) {
            zm_log_info("served %lld requests; leaving to be replaced", (long long)served);
            zm_log_access_flush();
            db_close(db);
            zm_arena_destroy(&arena);
            return ZM_EXIT_RECYCLE;
        }
    }
    zm_log_access_flush();
    db_close(db);
    zm_arena_destroy(&arena);
    return 0;
}

/* ---- the master ---- */

static const char *conf_path_saved;

static int cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static int want_children(void *ud)
{
    int64_t n = zm_conf_int("fcgi.workers");

    ZM_UNUSED(ud);
    if (n <= 0) {
        n = cpu_count();
    }
    return n > 64 ? 64 : (int)n;
}

static int reload(void *ud)
{
    char err[512];
    const char *old_listen;
    char *saved;
    int rc;

    ZM_UNUSED(ud);
    saved = zm_xstrdup(zm_conf_str("fcgi.listen"));
    rc = zm_conf_load(conf_path_saved, err, sizeof(err));
    if (rc != ZM_OK) {
        zm_log_error("reload: %s", err);
        free(saved);
        return rc;
    }
    old_listen = saved;
    if (strcmp(old_listen, zm_conf_str("fcgi.listen")) != 0) {
        zm_log_warn("reload: fcgi.listen changed; it takes effect at the next restart");
    }
    free(saved);
    zm_log_reopen();
    /* the new generation forks from here: it inherits keys and hash parameters set now */
    if (zm_modules_init_master(server_modules) != ZM_OK) {
        zm_log_error("reload: a module refused the new configuration; running workers keep the old one");
        return ZM_ERR;
    }
    return ZM_OK;
}

static unsigned graceful(void *ud)
{
    ZM_UNUSED(ud);
    return (unsigned)zm_conf_int("fcgi.graceful_timeout");
}

static void child_exit(int slot, int crashed, int recycled, void *ud)
{
    ZM_UNUSED(slot);
    ZM_UNUSED(ud);
    zm_metrics_child_exit(crashed, recycled);
}

/* Every module's routes in one table, checked once: a pattern starting with '/', a known
 * method, a handler, no method + pattern twice (the second would never be reached). */
static int collect_routes(const zm_module_t *const *modules)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    size_t n = 0, k = 0;

    for (size_t m = 0; modules[m] != NULL; m++) {
        n += modules[m]->nroutes;
    }
    routes = zm_xcalloc(n, sizeof(*routes));
    for (size_t m = 0; modules[m] != NULL; m++) {
        for (size_t i = 0; i < modules[m]->nroutes; i++) {
            const zm_route_t *rt = &modules[m]->routes[i];
            int known = 0;

            for (size_t j = 0; j < ZM_ARRAY_LEN(methods); j++) {
                known |= strcmp(rt->method, methods[j]) == 0;
            }
            if (!known || rt->pattern == NULL || rt->pattern[0] != '/' || rt->handler == NULL) {
                zm_log_error("module %s: route %s %s is malformed", modules[m]->name, rt->method,
                             rt->pattern ? rt->pattern : "(null)");
                return ZM_EINVAL;
            }
            for (size_t j = 0; j < k; j++) {
                if (strcmp(routes[j].method, rt->method) == 0 && strcmp(routes[j].pattern, rt->pattern) == 0) {
                    zm_log_error("module %s: route %s %s is declared twice", modules[m]->name, rt->method, rt->pattern);
                    return ZM_EINVAL;
                }
            }
            routes[k++] = *rt;
        }
    }
    nroutes = k;
    return ZM_OK;
}

const zm_route_t *zm_server_routes(size_t *n)
{
    *n = nroutes;
    return routes;
}

const zm_module_t *const *zm_server_modules(void)
{
    return server_modules;
}

int zm_server_main(const char *conf_path, const zm_module_t *const *modules)
{
    char err[512], pidfile[4096];
    int rc, other;

    if (sodium_init() < 0) {
        fprintf(stderr, "libsodium init failed\n");
        return 1;
    }
    if (zm_conf_load(conf_path, err, sizeof(err)) != ZM_OK) {
        fprintf(stderr, "zhimai-fcgi: %s\n", err);
        return 1;
    }
    conf_path_saved = conf_path;
    if (zm_log_open(zm_conf_str("log.file"), zm_conf_str("log.access"),
                    zm_log_level_parse(zm_conf_str("log.level")) < 0
                        ? ZM_LOG_INFO
                        : zm_log_level_parse(zm_conf_str("log.level"))) != 0) {
        return 1;
    }
    /* a copy: a reload frees the configuration's strings, and the file to remove is the one we wrote */
    snprintf(pidfile, sizeof(pidfile), "%s", zm_conf_str("fcgi.pid_file"));
    other = zm_pidfile_read_alive(pidfile);
    if (other && other != getpid()) {
        zm_log_error("zhimai-fcgi already runs as pid %d (%s)", other, pidfile);
        return 1;
    }
    server_modules = modules;
    /* before fork: what the modules load here (keys, dictionaries) the workers share */
    if (collect_routes(modules) != ZM_OK || zm_modules_init_master(modules) != ZM_OK) {
        return 1;
    }
    if (zm_metrics_init(nroutes) != 0) {
        return 1;
    }
    listen_fd = open_listener();
    if (listen_fd < 0) {
        return 1;
    }
    if (zm_pidfile_write(pidfile, 0) != ZM_OK) {
        return 1;
    }
    zm_master_t m = {
        .name = "zhimai-fcgi",
        .nchildren = want_children,
        .child_main = worker_main,
        .reload = reload,
        .graceful_timeout_s = graceful,
        .on_child_exit = child_exit,
    };
    rc = zm_master_run(&m);
    if (is_unix_path(listen_addr)) {
        unlink(listen_addr);
    }
    zm_pidfile_write(pidfile, 1);
    return rc;
}
