/*
 * http_module.c -- the HTTP layer's module: the FastCGI server's and the
 * edge's configuration, and the two endpoints every deployment has.
 */
#include "conf.h"
#include "health.h"
#include "server.h"

static const zm_conf_key_t http_keys[] = {
    ZM_CONF_S("fcgi.listen", "var/run/zhimai-fcgi.sock",
              "# FastCGI listen address: a unix socket path, or host:port for TCP (e.g. 127.0.0.1:9000)."),
    ZM_CONF_O("fcgi.socket_mode", "0660", 0, 0777, "# Permissions of the unix socket (octal)."),
    ZM_CONF_S("fcgi.socket_group", "",
              "# Group owning the unix socket (nginx's group, e.g. www-data); empty keeps ours."),
    ZM_CONF_I("fcgi.backlog", "1024", 1, 65535LL, "# listen() backlog of the FastCGI socket."),
    ZM_CONF_I("fcgi.workers", "0", 0, 64LL,
              "# Number of pre-forked workers; 0 means one per CPU.  More overlap a worker's waits on MariaDB\n"
              "# and WeChat Pay, but on 2 cores 8 workers made MariaDB spin: never-ranked searches went from\n"
              "# 0.2 to 2-9 ms of its CPU each (tests/bench/jobs_bench.py)."),
    ZM_CONF_I("fcgi.max_requests", "100000", 0, 1000000000LL,
              "# A worker is replaced after serving this many requests (0 = never)."),
    ZM_CONF_I("fcgi.graceful_timeout", "30", 0, 3600LL,
              "# Seconds in-flight requests get to finish on stop or reload."),
    ZM_CONF_S("fcgi.pid_file", "var/run/zhimai-fcgi.pid", "# Pid file of the zhimai-fcgi master."),
    ZM_CONF_I("http.max_body", "10551296", 1024, 1073741824LL,
              "# Largest request body in bytes: upload.max_file plus room for the form (nginx's client_max_body_size "
              "matches)."),
    ZM_CONF_I("http.arena_cap", "67108864", 1048576, 4294967296LL, "# Most memory one request may allocate, in bytes."),
    ZM_CONF_S("nginx.listen", "127.0.0.1:8080", "# Where nginx serves plain HTTP (./dev sets it from ZM_PORT)."),
    ZM_CONF_S("nginx.server_name", "localhost", "# server_name of the production (TLS) server block."),
    ZM_CONF_S("nginx.tls_listen", "", "# Address for HTTPS (e.g. 443); empty renders no TLS server block."),
    ZM_CONF_S("nginx.tls_cert", "", "# Certificate chain (PEM) for the TLS server block."),
    ZM_CONF_S("nginx.tls_key", "", "# Private key (PEM) for the TLS server block."),
    ZM_CONF_S("nginx.user", "www-data", "# User nginx workers run as when started by root."),
    ZM_CONF_S(
        "nginx.real_ip_from", "",
        "# Load balancers in front of nginx whose client-address header is believed (nginx's set_real_ip_from):\n"
        "# addresses or CIDR ranges, separated by commas or spaces.  Empty: the TCP peer is the client.  The app\n"
        "# reads no header for the client address; rate limits use what nginx decided."),
    ZM_CONF_S("nginx.real_ip_header", "X-Forwarded-For",
              "# The header those load balancers put the client address in (nginx's real_ip_header)."),
};

static const zm_route_t http_routes[] = {
    {"GET", "/healthz", health_healthz, ZM_AUTH_NONE, NULL, ZM_BODY_ANY},
    {"GET", "/metrics", health_metrics, ZM_AUTH_LOOPBACK, NULL, ZM_BODY_ANY},
};

const zm_module_t zm_http_module = {
    .name = "http",
    .conf = http_keys,
    .nconf = ZM_ARRAY_LEN(http_keys),
    .routes = http_routes,
    .nroutes = ZM_ARRAY_LEN(http_routes),
};
