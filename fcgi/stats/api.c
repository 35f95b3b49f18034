/*
 * api.c -- the admin's statistics and a user's monthly numbers.
 */
#include <string.h>

#include "stats.h"
#include "stats_api.h"

int stats_api_overview(zm_req_t *r)
{
    json_object *out;
    int rc = stats_overview(r->db, r->a, &out);

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : zm_reply_from_rc(r, rc);
}

int stats_api_trends(zm_req_t *r)
{
    const char *metric = zm_req_query(r, "metric");
    json_object *out;
    int64_t days;
    int t = -1, rc;

    for (int i = 0; metric && stats_trend_names[i]; i++) {
        if (strcmp(metric, stats_trend_names[i]) == 0) {
            t = i;
        }
    }
    if (t < 0) {
        return zm_reply_field_error(
            r, "metric", "metric 须为 new_users、revenue、paying_users、usage、active、retention 或 conversion");
    }
    if (zm_req_query_int(r, "days", 30, 1, 365, &days) != ZM_OK) {
        return ZM_OK;
    }
    rc = stats_trend(r->db, r->a, (stats_trend_t)t, (int)days, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : zm_reply_from_rc(r, rc);
}

int stats_api_rebuild(zm_req_t *r)
{
    int64_t id;
    int rc = stats_enqueue_rebuild(r->db, r->user_id, &id);
    json_object *out;

    if (rc != ZM_OK) {
        return zm_reply_from_rc(r, rc);
    }
    out = json_object_new_object();
    json_object_object_add(out, "task_id", json_object_new_int64(id));
    return zm_reply_data(r, 202, out);
}

int stats_api_monthly(zm_req_t *r)
{
    json_object *out;
    int rc = stats_monthly(r->db, r->a, r->user_id, &out);

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : zm_reply_from_rc(r, rc);
}
