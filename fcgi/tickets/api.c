/*
 * api.c -- feedback and ticket endpoints: parse, validate, call feedback.c / tickets.c, render.
 */
#include <string.h>

#include "tickets.h"
#include "tickets_api.h"

static const zm_error_map_t fb_errors[] = {
    {ZM_ENOTFOUND, 404, "not_found", "反馈不存在"},
    {TICKETS_ESTATE, 409, "already_reviewed", "该反馈已处理"},
};

static const zm_error_map_t tk_errors[] = {
    {ZM_ENOTFOUND, 404, "not_found", "工单不存在"},
    {TICKETS_ESTATE, 409, "bad_state", "工单当前状态不允许此操作"},
    {TICKETS_EWINDOW, 409, "reopen_expired", "工单已解决或关闭超过 7 天，无法重新打开，请新建工单"},
};

/* ---- feedback ---- */

int tickets_api_feedback_create(zm_req_t *r)
{
    const char *body;
    json_object *out;
    zm_form_t f;
    int cat, rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    cat = zm_form_enum(&f, "category", 1, tickets_feedback_categories, "须为 suggestion、bug、content 或 other");
    body = zm_form_str(&f, "body", 1, TICKETS_BODY_MAX);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = tickets_feedback_create(r->db, r->a, r->user_id, tickets_feedback_categories[cat], body, &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : ZM_REPLY_MAPPED(r, fb_errors, rc);
}

static int feedback_list(zm_req_t *r, int64_t user_id)
{
    const char *status = zm_req_query(r, "status");
    json_object *items;
    zm_page_t page;
    int64_t total;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK) {
        return ZM_OK;
    }
    if (status && *status) {
        int ok = 0;
        for (int i = 0; tickets_feedback_statuses[i]; i++) {
            ok |= strcmp(status, tickets_feedback_statuses[i]) == 0;
        }
        if (!ok) {
            return zm_reply_field_error(r, "status", "须为 pending、adopted 或 declined");
        }
    }
    rc = tickets_feedback_list(r->db, r->a, user_id, status && *status ? status : NULL, page.page, page.size, &items,
                               &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : zm_reply_from_rc(r, rc);
}

int tickets_api_feedback_mine(zm_req_t *r)
{
    return feedback_list(r, r->user_id);
}

int tickets_api_feedback_all(zm_req_t *r)
{
    return feedback_list(r, 0);
}

static int review(zm_req_t *r, int adopt)
{
    const char *reply = NULL;
    json_object *out;
    int64_t id;
    zm_form_t f;
    int rc;

    if (zm_req_param_id(r, "id", &id) != ZM_OK) {
        return ZM_REPLY_MAPPED(r, fb_errors, ZM_ENOTFOUND);
    }
    if (r->body_len > 0) { /* the reply is optional; so is the body */
        if (zm_form_json(&f, r, NULL) != ZM_OK) {
            return ZM_OK;
        }
        reply = zm_form_str(&f, "reply", 0, TICKETS_BODY_MAX);
        if (zm_form_done(&f) != ZM_OK) {
            return ZM_OK;
        }
    }
    rc = tickets_feedback_review(r->db, r->a, r->user_id, id, adopt, reply, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, fb_errors, rc);
}

int tickets_api_feedback_adopt(zm_req_t *r)
{
    return review(r, 1);
}

int tickets_api_feedback_decline(zm_req_t *r)
{
    return review(r, 0);
}

/* ---- tickets ---- */

int tickets_api_create(zm_req_t *r)
{
    const char *subject, *description;
    json_object *out;
    zm_form_t f;
    int cat, pr, rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    cat = zm_form_enum(&f, "category", 1, tickets_categories, "须为 account、payment、technical 或 other");
    subject = zm_form_str(&f, "subject", 1, TICKETS_SUBJECT_MAX);
    description = zm_form_str(&f, "description", 1, TICKETS_BODY_MAX);
    pr = zm_form_enum(&f, "priority", 0, tickets_priorities, "须为 low、normal、high 或 urgent");
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = tickets_create(r->db, r->a, r->user_id, tickets_categories[cat], subject, description,
                        pr >= 0 ? tickets_priorities[pr] : NULL, &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : ZM_REPLY_MAPPED(r, tk_errors, rc);
}

/* a query value that must be one of list (NULL when absent); -1 after answering 400 */
static int query_enum(zm_req_t *r, const char *key, const char *const *list, const char *msg, const char **out)
{
    const char *v = zm_req_query(r, key);

    *out = NULL;
    if (!v || !*v) {
        return 0;
    }
    for (int i = 0; list[i]; i++) {
        if (strcmp(v, list[i]) == 0) {
            *out = list[i];
            return 0;
        }
    }
    zm_reply_field_error(r, key, msg);
    return -1;
}

static int list(zm_req_t *r, int staff)
{
    const char *status, *priority = NULL, *as;
    int64_t assignee = -1, total;
    json_object *items;
    zm_page_t page;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK) {
        return ZM_OK;
    }
    if (query_enum(r, "status", tickets_statuses, "须为 open、in_progress、waiting_user、resolved 或 closed",
                   &status) != 0) {
        return ZM_OK;
    }
    if (staff) {
        if (query_enum(r, "priority", tickets_priorities, "须为 low、normal、high 或 urgent", &priority) != 0) {
            return ZM_OK;
        }
        as = zm_req_query(r, "assignee_id");
        if (as && strcmp(as, "me") == 0) {
            assignee = r->user_id;
        } else if (as && strcmp(as, "none") == 0) {
            assignee = 0;
        } else if (as && *as && zm_req_query_int(r, "assignee_id", -1, 1, INT64_MAX, &assignee) != ZM_OK) {
            return ZM_OK;
        }
    }
    rc = tickets_list(r->db, r->a, staff, r->user_id, status, assignee, priority, page.page, page.size, &items, &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : zm_reply_from_rc(r, rc);
}

int tickets_api_mine(zm_req_t *r)
{
    return list(r, 0);
}

int tickets_api_queue(zm_req_t *r)
{
    return list(r, 1);
}

static int is_staff(const zm_req_t *r)
{
    return r->role == ZM_ROLE_ADMIN;
}

int tickets_api_get(zm_req_t *r)
{
    json_object *out;
    int64_t id;
    int rc = zm_req_param_id(r, "id", &id);

    rc = rc == ZM_OK ? tickets_get(r->db, r->a, is_staff(r), r->user_id, id, &out) : ZM_ENOTFOUND;
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, tk_errors, rc);
}

int tickets_api_reply(zm_req_t *r)
{
    const char *body;
    json_object *out;
    zm_form_t f;
    int64_t id;
    int rc;

    if (zm_req_param_id(r, "id", &id) != ZM_OK) {
        return ZM_REPLY_MAPPED(r, tk_errors, ZM_ENOTFOUND);
    }
    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    body = zm_form_str(&f, "body", 1, TICKETS_BODY_MAX);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = tickets_reply(r->db, r->a, is_staff(r), r->user_id, id, body, &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : ZM_REPLY_MAPPED(r, tk_errors, rc);
}

int tickets_api_update(zm_req_t *r)
{
    tickets_update_t u = {0};
    json_object *body, *v, *out;
    zm_form_t f;
    int64_t id;
    int st, pr, rc;

    if (zm_req_param_id(r, "id", &id) != ZM_OK) {
        return ZM_REPLY_MAPPED(r, tk_errors, ZM_ENOTFOUND);
    }
    if (zm_form_json(&f, r, &body) != ZM_OK) {
        return ZM_OK;
    }
    st = zm_form_enum(&f, "status", 0, tickets_statuses, "须为 open、in_progress、waiting_user、resolved 或 closed");
    pr = zm_form_enum(&f, "priority", 0, tickets_priorities, "须为 low、normal、high 或 urgent");
    if (json_object_object_get_ex(body, "assignee_id", &v)) {
        u.set_assignee = 1;
        u.assignee_id = v == NULL ? 0 : zm_form_id(&f, "assignee_id", 1);
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    u.status = st >= 0 ? tickets_statuses[st] : NULL;
    u.priority = pr >= 0 ? tickets_priorities[pr] : NULL;
    rc = tickets_staff_update(r->db, r->a, r->user_id, id, &u, &out);
    if (rc == TICKETS_EASSIGNEE) {
        return zm_reply_field_error(r, "assignee_id", "须为一位有效的管理员");
    }
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, tk_errors, rc);
}
