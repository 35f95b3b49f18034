#include "health.h"

#include "metrics.h"
#include "server.h"

int health_healthz(zm_req_t *r)
{
    json_object *data;
    int rc = db_ping(r->db);

    if (rc != ZM_OK) {
        zm_reply_header(r, "Retry-After", "5");
        return zm_reply_error(r, 503, "service_unavailable", "数据库不可用", NULL);
    }
    data = json_object_new_object();
    json_object_object_add(data, "status", json_object_new_string("ok"));
    json_object_object_add(data, "db", json_object_new_string("ok"));
    return zm_reply_data(r, 200, data);
}

int health_metrics(zm_req_t *r)
{
    const zm_module_t *const *mods = zm_server_modules();
    const zm_route_t *routes;
    const char **labels;
    zm_buf_t out = {0};
    size_t n;

    routes = zm_server_routes(&n);
    labels = zm_palloc(r->a, (n + 1) * sizeof(*labels));
    if (labels == NULL) {
        return zm_reply_from_rc(r, ZM_ENOMEM);
    }
    for (size_t i = 0; i < n; i++) {
        labels[i] = zm_psprintf(r->a, "%s %s", routes[i].method, routes[i].name ? routes[i].name : routes[i].pattern);
        if (labels[i] == NULL) {
            return zm_reply_from_rc(r, ZM_ENOMEM);
        }
    }
    zm_metrics_render(r->a, &out, labels, n);
    for (size_t m = 0; mods != NULL && mods[m] != NULL; m++) {
        if (mods[m]->metrics != NULL && mods[m]->metrics(r->db, r->a, &out) != ZM_OK) {
            return zm_reply_from_rc(r, ZM_ENOMEM);
        }
    }
    return zm_reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", out.data ? out.data : "", out.len);
}
