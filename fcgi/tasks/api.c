/*
 * api.c -- a user's own tasks: their state, and who may watch them live.
 *
 * For the events, nginx asks in a subrequest before it lets an EventSource subscribe at
 * /api/v1/events/tasks/{id} (conf/nginx-app.conf.in); the location that
 * reaches this handler is internal, so browsers cannot call it directly.
 */
#include "tasks_api.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "queue.h"

/* a positive decimal id, else 0 */
static int64_t task_id_param(zm_req_t *r, const char *name)
{
    const char *s = zm_req_param(r, name);
    char *end = NULL;
    long long id;

    if (s == NULL || !isdigit((unsigned char)s[0])) {
        return 0;
    }
    errno = 0;
    id = strtoll(s, &end, 10);
    return errno != 0 || *end != '\0' ? 0 : id;
}

int tasks_api_get(zm_req_t *r)
{
    int64_t id = task_id_param(r, "id");
    json_object *out;
    int rc;

    if (id <= 0) {
        return zm_reply_error(r, 404, "not_found", "任务不存在", NULL);
    }
    rc = task_user_view(r->db, r->a, r->user_id, id, &out);
    if (rc == ZM_ENOTFOUND) {
        return zm_reply_error(r, 404, "not_found", "任务不存在", NULL);
    }
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : zm_reply_from_rc(r, rc);
}

int tasks_api_events_auth(zm_req_t *r)
{
    int64_t id = task_id_param(r, "taskId");
    task_info_t t;
    int rc;

    /* a bad, unknown or somebody else's id all answer 404, as GET /api/v1/tasks/{id} does:
     * a different answer for a foreign task would tell that it exists */
    if (id <= 0) {
        return zm_reply_error(r, 404, "not_found", "任务不存在", NULL);
    }
    rc = task_get(r->db, r->a, id, &t);
    if (rc == ZM_OK && t.user_id == r->user_id && r->user_id > 0) {
        return zm_reply_no_content(r);
    }
    if (rc != ZM_OK && rc != ZM_ENOTFOUND) {
        return zm_reply_from_rc(r, rc);
    }
    return zm_reply_error(r, 404, "not_found", "任务不存在", NULL);
}
