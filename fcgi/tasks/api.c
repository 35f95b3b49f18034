/*
 * api.c -- a user's own tasks: their state, and who may watch them live.
 *
 * For the events, nginx asks in a subrequest before it lets an EventSource subscribe at
 * /api/v1/events/tasks/{id} or at a user's live channel /api/v1/events/users/{id}
 * (conf/nginx-app.conf.in); the locations that reach these handlers are internal, so
 * browsers cannot call them through the subscriber paths.
 */
#include <string.h>

#include "tasks_api.h"

#include "queue.h"

/* a bad, unknown or somebody else's id: one answer for all, which tells nothing of other users' tasks */
static const zm_error_map_t task_errors[] = {{ZM_ENOTFOUND, 404, "not_found", "任务不存在"}};

int tasks_api_get(zm_req_t *r)
{
    json_object *out;
    int64_t id;
    int rc;

    if (zm_req_param_id(r, "id", &id) != ZM_OK) {
        return ZM_REPLY_MAPPED(r, task_errors, ZM_ENOTFOUND);
    }
    rc = task_user_view(r->db, r->a, r->user_id, id, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, task_errors, rc);
}

int tasks_api_events_auth(zm_req_t *r)
{
    task_info_t t;
    int64_t id;
    int rc;

    /* a bad, unknown or somebody else's id all answer 404, as GET /api/v1/tasks/{id} does:
     * a different answer for a foreign task would tell that it exists */
    if (zm_req_param_id(r, "taskId", &id) != ZM_OK) {
        return ZM_REPLY_MAPPED(r, task_errors, ZM_ENOTFOUND);
    }
    rc = task_get(r->db, r->a, id, &t);
    if (rc == ZM_OK && t.user_id == r->user_id && r->user_id > 0) {
        return zm_reply_no_content(r);
    }
    return ZM_REPLY_MAPPED(r, task_errors, rc == ZM_OK ? ZM_ENOTFOUND : rc);
}

int tasks_api_user_events_auth(zm_req_t *r)
{
    int64_t id;

    if (zm_req_param_id(r, "userId", &id) != ZM_OK) {
        return zm_reply_error(r, 404, "not_found", "频道不存在", NULL);
    }
    /* a user's channel is theirs alone (an admin listens to no one else's either) */
    if (r->user_id > 0 && id == r->user_id) {
        return zm_reply_no_content(r);
    }
    return zm_reply_error(r, 403, "forbidden", "不能订阅其他用户的消息", NULL);
}

int tasks_api_user_role_events_auth(zm_req_t *r)
{
    static const char *const roles[] = {"", "seeker", "hr", "admin"};
    const char *role = zm_req_param(r, "role");
    int64_t id;

    if (zm_req_param_id(r, "userId", &id) != ZM_OK || role == NULL) {
        return zm_reply_error(r, 404, "not_found", "频道不存在", NULL);
    }
    /* the user's own channel plus their role's and everyone's: the role must be the token's */
    if (r->user_id > 0 && id == r->user_id && r->role >= ZM_ROLE_SEEKER && r->role <= ZM_ROLE_ADMIN &&
        strcmp(role, roles[r->role]) == 0) {
        return zm_reply_no_content(r);
    }
    return zm_reply_error(r, 403, "forbidden", "不能订阅其他用户的消息", NULL);
}
