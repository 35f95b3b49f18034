/*
 * api.c -- the message center's endpoints: parse, validate, call messages.c, render.
 */
#include "accounts.h"
#include "messages.h"
#include "messages_api.h"

static const zm_error_map_t msg_errors[] = {
    {ZM_ENOTFOUND, 404, "not_found", "消息不存在"},
};

static void reader(zm_req_t *r, msg_reader_t *who)
{
    who->user_id = r->user_id;
    who->role = acc_role_name(r->role);
}

int messages_api_list(zm_req_t *r)
{
    msg_reader_t who;
    zm_page_t page;
    json_object *items;
    int64_t total, unread;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK || zm_req_query_int(r, "unread", 0, 0, 1, &unread) != ZM_OK) {
        return ZM_OK;
    }
    reader(r, &who);
    rc = msg_list(r->db, r->a, &who, (int)unread, page.page, page.size, &items, &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : zm_reply_from_rc(r, rc);
}

int messages_api_unread_count(zm_req_t *r)
{
    msg_reader_t who;
    json_object *o;
    int64_t n;
    int rc;

    reader(r, &who);
    rc = msg_unread_count(r->db, r->a, &who, &n);
    if (rc != ZM_OK) {
        return zm_reply_from_rc(r, rc);
    }
    o = json_object_new_object();
    json_object_object_add(o, "unread", json_object_new_int64(n));
    /* the count stopped at the cap: "at least this many" (the badge shows 99+) */
    json_object_object_add(o, "capped", json_object_new_boolean(n >= MSG_UNREAD_CAP));
    return zm_reply_data(r, 200, o);
}

int messages_api_read(zm_req_t *r)
{
    msg_reader_t who;
    json_object *o;
    int64_t id;
    int rc;

    if (zm_req_param_id(r, "id", &id) != ZM_OK) {
        return ZM_REPLY_MAPPED(r, msg_errors, ZM_ENOTFOUND);
    }
    reader(r, &who);
    rc = msg_mark_read(r->db, r->a, &who, id);
    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, msg_errors, rc);
    }
    o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(id));
    json_object_object_add(o, "read", json_object_new_boolean(1));
    return zm_reply_data(r, 200, o);
}

int messages_api_read_all(zm_req_t *r)
{
    msg_reader_t who;
    json_object *o;
    int64_t n;
    int rc;

    reader(r, &who);
    rc = msg_mark_all_read(r->db, r->a, &who, &n);
    if (rc != ZM_OK) {
        return zm_reply_from_rc(r, rc);
    }
    o = json_object_new_object();
    json_object_object_add(o, "marked", json_object_new_int64(n));
    return zm_reply_data(r, 200, o);
}

int messages_api_post(zm_req_t *r)
{
    static const char *const audiences[] = {"user", "role", "all", NULL};
    static const char *const roles[] = {"seeker", "hr", "admin", NULL};
    zm_form_t f;
    msg_t m = {0};
    json_object *o;
    int64_t id;
    int aud, role = -1, rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    m.title = zm_form_str(&f, "title", 1, MSG_TITLE_MAX);
    m.body = zm_form_str(&f, "body", 1, MSG_BODY_MAX);
    aud = zm_form_enum(&f, "audience", 1, audiences, "须为 all、role 或 user");
    if (aud == 1) {
        role = zm_form_enum(&f, "role", 1, roles, "须为 seeker、hr 或 admin");
    }
    if (aud == 0) {
        m.user_id = zm_form_id(&f, "user_id", 1);
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    m.audience = aud == 0 ? MSG_TO_USER : aud == 1 ? MSG_TO_ROLE : MSG_TO_ALL;
    m.role = role >= 0 ? roles[role] : NULL;
    m.kind = "admin.post";
    m.sender_id = r->user_id;
    rc = msg_check(&m);
    if (rc != ZM_OK) {
        /* what the form readers let through but a message may not hold: control characters */
        return zm_reply_field_error(r, rc == ZM_ETOOBIG ? "body" : "title",
                                    rc == ZM_ETOOBIG ? "内容过长" : "含有不允许的控制字符");
    }
    rc = msg_send(r->db, r->a, &m, &id);
    if (rc == MSG_EUSER) {
        return zm_reply_field_error(r, "user_id", "用户不存在");
    }
    if (rc != ZM_OK) {
        return zm_reply_from_rc(r, rc);
    }
    o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(id));
    json_object_object_add(o, "audience", json_object_new_string(audiences[aud]));
    if (m.role) {
        json_object_object_add(o, "role", json_object_new_string(m.role));
    }
    if (m.user_id) {
        json_object_object_add(o, "user_id", json_object_new_int64(m.user_id));
    }
    return zm_reply_data(r, 201, o);
}
