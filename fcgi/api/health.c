#include "health.h"

#include <string.h>

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
    zm_buf_t out = {0};
    db_res_t res;

    zm_metrics_render(r->a, &out, zm_routes, zm_nroutes);

    /* queue depth from the database; while it is away the counters above still answer */
    zm_buf_append(r->a, &out,
                  "# HELP zhimai_tasks Tasks in the queue by state.\n# TYPE zhimai_tasks gauge\n", 71, 0);
    if (db_query(r->db, r->a, &res, "SELECT state, COUNT(*) FROM zm_task GROUP BY state", NULL) == ZM_OK) {
        static const char *states[] = {"queued", "running", "done", "failed"};
        for (size_t s = 0; s < 4; s++) {
            const char *count = "0";
            for (size_t i = 0; i < res.nrows; i++) {
                if (strcmp(db_val(&res, i, 0), states[s]) == 0) {
                    count = db_val(&res, i, 1);
                }
            }
            char *line = zm_psprintf(r->a, "zhimai_tasks{state=\"%s\"} %s\n", states[s], count);
            zm_buf_append(r->a, &out, line, strlen(line), 0);
        }
        zm_buf_append(r->a, &out, "zhimai_db_up 1\n", 15, 0);
    } else {
        zm_buf_append(r->a, &out, "zhimai_db_up 0\n", 15, 0);
    }
    return zm_reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", out.data ? out.data : "", out.len);
}
