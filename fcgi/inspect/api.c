/*
 * api.c -- the admin's inspection endpoints: parse, validate, call the
 * domain, render.
 */
#include <string.h>

#include "inspect.h"
#include "inspect_api.h"
#include "server.h"

static const zm_error_map_t inspect_errors[] = {
    {ZM_ENOTFOUND, 404, "not_found", "巡检记录不存在"},
};

int inspect_api_list(zm_req_t *r)
{
    zm_page_t page;
    json_object *items = NULL;
    int64_t total = 0;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK) {
        return ZM_OK;
    }
    rc = inspect_runs_list(r->db, r->a, page.page, page.size, &items, &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : zm_reply_from_rc(r, rc);
}

int inspect_api_get(zm_req_t *r)
{
    json_object *out = NULL;
    int64_t id;
    int rc;

    if (zm_req_param_id(r, "id", &id) != ZM_OK) {
        return ZM_REPLY_MAPPED(r, inspect_errors, ZM_ENOTFOUND);
    }
    rc = inspect_run_get(r->db, r->a, id, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, inspect_errors, rc);
}

int inspect_api_enqueue(zm_req_t *r)
{
    zm_form_t f;
    int64_t task_id = 0;
    int repair, rc;
    json_object *out;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    repair = zm_form_bool(&f, "repair", 0);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = inspect_enqueue(r->db, r->user_id, repair == 1, &task_id);
    if (rc != ZM_OK) {
        return zm_reply_from_rc(r, rc);
    }
    out = json_object_new_object();
    json_object_object_add(out, "task_id", json_object_new_int64(task_id));
    json_object_object_add(out, "repair", json_object_new_boolean(repair == 1));
    return zm_reply_data(r, 202, out);
}

int inspect_api_ack(zm_req_t *r)
{
    json_object *out = NULL;
    zm_form_t f;
    const char *note;
    int64_t id;
    int rc;

    if (zm_req_param_id(r, "id", &id) != ZM_OK) {
        return ZM_REPLY_MAPPED(r, inspect_errors, ZM_ENOTFOUND);
    }
    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    note = zm_form_str(&f, "note", 1, 500);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = inspect_finding_ack(r->db, r->a, id, r->user_id, note, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, inspect_errors, rc);
}

/* the routes: a module of their own, so the domain library (module.c) carries no HTTP handler */
static const zm_route_t inspect_routes[] = {
    {"GET", "/api/v1/admin/inspections", inspect_api_list, ZM_AUTH_ADMIN, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/admin/inspections", inspect_api_enqueue, ZM_AUTH_ADMIN, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/admin/inspections/{id}", inspect_api_get, ZM_AUTH_ADMIN, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/admin/inspections/findings/{id}/acknowledge", inspect_api_ack, ZM_AUTH_ADMIN, NULL, ZM_BODY_JSON},
};

const zm_module_t zm_inspect_api_module = {
    .name = "inspect_api",
    .routes = inspect_routes,
    .nroutes = ZM_ARRAY_LEN(inspect_routes),
};
