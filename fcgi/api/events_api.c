/*
 * events_api.c -- may this user subscribe to this task's events?
 *
 * nginx asks in a subrequest before it lets an EventSource subscribe at
 * /api/v1/events/tasks/{id} (conf/nginx-app.conf.in); the location that
 * reaches this handler is internal, so browsers cannot call it directly.
 */
#include "events_api.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "queue.h"

int events_api_auth(zm_req_t *r)
{
    const char *s = zm_req_param(r, "taskId");
    task_info_t t;
    char *end = NULL;
    long long id = 0;
    int rc;

    if (s && isdigit((unsigned char)s[0])) {
        errno = 0;
        id = strtoll(s, &end, 10);
        if (errno != 0 || *end != '\0') {
            id = 0;
        }
    }
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
