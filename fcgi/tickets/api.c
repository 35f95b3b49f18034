/*
 * api.c -- feedback and ticket endpoints: parse, validate, call feedback.c / tickets.c, render.
 */
#include <string.h>
#include <strings.h>

#include "filetype.h"
#include "multipart.h"
#include "storage.h"
#include "tickets.h"
#include "tickets_api.h"

/* one storage handle per worker, opened on first use */
static storage_t *worker_storage(void)
{
    static storage_t *st;

    if (st == NULL) {
        st = storage_open();
    }
    return st;
}

/*
 * The form of a POST that may carry files: JSON as before, or multipart/form-data whose text parts
 * become the form's fields (the same readers check them) and whose file parts named file_field are
 * the files: at most max_files (400 beyond), each 1..TICKETS_FILE_MAX bytes (413 beyond) of a type
 * tickets_file_type takes (415 otherwise; decided by the content, never the name or the part's
 * Content-Type).  ZM_OK with f bound; otherwise the request is answered.
 */
static int read_form(zm_req_t *r, zm_form_t *f, const char *file_field, int images_only, size_t max_files,
                     tickets_file_t **files, size_t *nfiles, storage_t **st)
{
    const char *ct = zm_req_env(r, "CONTENT_TYPE");
    mp_part_t *parts;
    size_t n;

    *files = NULL;
    *nfiles = 0;
    *st = NULL;
    if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0) {
        return zm_form_json(f, r, NULL);
    }
    zm_form_init(f, r);
    if (mp_parse(r->a, ct, r->body ? r->body : "", r->body_len, &parts, &n) != ZM_OK) {
        zm_reply_error(r, 400, "invalid_multipart", "上传的表单格式错误或不完整", NULL);
        return ZM_EINVAL;
    }
    f->body = zm_req_own(r, json_object_new_object());
    *files = zm_pcalloc(r->a, (n ? n : 1) * sizeof(**files));
    for (size_t i = 0; i < n; i++) {
        const mp_part_t *p = &parts[i];
        tickets_file_t *t;

        if (p->filename == NULL) {
            if (!zm_utf8_valid(p->data, p->len) || memchr(p->data, '\0', p->len)) {
                zm_form_error(f, p->name, "不是有效的 UTF-8 文本");
            } else {
                json_object_object_add(f->body, p->name, json_object_new_string_len(p->data, (int)p->len));
            }
            continue;
        }
        if (strcmp(p->name, file_field) != 0) {
            zm_form_error(f, p->name, zm_psprintf(r->a, "文件请放在 %s 字段", file_field));
            continue;
        }
        if (*nfiles == max_files) {
            zm_form_error(f, file_field, zm_psprintf(r->a, "最多 %zu 个文件", max_files));
            continue;
        }
        if (p->len == 0) {
            zm_form_error(f, file_field, "文件是空的");
            continue;
        }
        if (p->len > TICKETS_FILE_MAX) {
            zm_reply_error(r, 413, "file_too_large", zm_psprintf(r->a, "文件不能超过 %d MB", TICKETS_FILE_MAX >> 20),
                           NULL);
            return ZM_ETOOBIG;
        }
        t = &(*files)[(*nfiles)++];
        t->mime = tickets_file_type(p->data, p->len, images_only);
        if (t->mime == NULL) {
            zm_reply_error(r, 415, "unsupported_file_type",
                           images_only ? "截图仅支持 PNG、JPEG 和 WebP 图片"
                                       : "附件仅支持 PNG、JPEG、WebP 图片、PDF 和纯文本",
                           NULL);
            return ZM_EINVAL;
        }
        t->name = ft_sanitize_name(r->a, p->filename);
        t->data = p->data;
        t->len = p->len;
    }
    if (*nfiles && (*st = worker_storage()) == NULL) {
        zm_reply_error(r, 503, "storage_unavailable", "文件存储暂不可用", NULL);
        return ZM_EINVAL;
    }
    return ZM_OK;
}

/* A stored file as a download: its stored (sniffed) type, as an attachment, never cached. */
static int send_file(zm_req_t *r, const tickets_stored_t *f, const char *not_found)
{
    storage_t *st = worker_storage();
    char *data;
    size_t len;
    int rc;

    if (st == NULL) {
        return zm_reply_error(r, 503, "storage_unavailable", "文件存储暂不可用", NULL);
    }
    rc = storage_get(st, r->a, f->key, &data, &len);
    if (rc == ZM_ENOTFOUND) {
        return zm_reply_error(r, 404, "not_found", not_found, NULL);
    }
    if (rc != ZM_OK) {
        return zm_reply_error(r, 503, "storage_unavailable", "文件存储暂不可用，请稍后重试", NULL);
    }
    zm_reply_header(r, "Content-Disposition", zm_content_disposition(r->a, f->name));
    zm_reply_header(r, "X-Content-Type-Options", "nosniff");
    zm_reply_header(r, "Cache-Control", "private, no-store");
    return zm_reply_raw(r, 200, f->content_type, data, len);
}

static const zm_error_map_t file_errors[] = {
    {STORAGE_EFULL, 503, "storage_full", "文件存储空间已满，暂时无法上传，请稍后重试"},
};

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
    tickets_file_t *files;
    const char *body;
    json_object *out;
    storage_t *st;
    zm_form_t f;
    size_t n;
    int cat, rc;

    if (read_form(r, &f, "screenshot", 1, 1, &files, &n, &st) != ZM_OK) {
        return ZM_OK;
    }
    cat = zm_form_enum(&f, "category", 1, tickets_feedback_categories, "须为 suggestion、bug、content 或 other");
    body = zm_form_str(&f, "body", 1, TICKETS_BODY_MAX);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = tickets_feedback_create(r->db, r->a, st, r->user_id, tickets_feedback_categories[cat], body, n ? files : NULL,
                                 &out);
    if (rc == STORAGE_EFULL) {
        return ZM_REPLY_MAPPED(r, file_errors, rc);
    }
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
    tickets_file_t *files;
    json_object *out;
    storage_t *st;
    zm_form_t f;
    size_t n;
    int cat, pr, rc;

    if (read_form(r, &f, "attachments", 0, TICKETS_FILES_MAX, &files, &n, &st) != ZM_OK) {
        return ZM_OK;
    }
    cat = zm_form_enum(&f, "category", 1, tickets_categories, "须为 account、payment、technical 或 other");
    subject = zm_form_str(&f, "subject", 1, TICKETS_SUBJECT_MAX);
    description = zm_form_str(&f, "description", 1, TICKETS_BODY_MAX);
    pr = zm_form_enum(&f, "priority", 0, tickets_priorities, "须为 low、normal、high 或 urgent");
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = tickets_create(r->db, r->a, st, r->user_id, tickets_categories[cat], subject, description,
                        pr >= 0 ? tickets_priorities[pr] : NULL, files, n, &out);
    if (rc == STORAGE_EFULL) {
        return ZM_REPLY_MAPPED(r, file_errors, rc);
    }
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
    tickets_file_t *files;
    const char *body;
    json_object *out;
    storage_t *st;
    zm_form_t f;
    int64_t id;
    size_t n;
    int rc;

    if (zm_req_param_id(r, "id", &id) != ZM_OK) {
        return ZM_REPLY_MAPPED(r, tk_errors, ZM_ENOTFOUND);
    }
    if (read_form(r, &f, "attachments", 0, TICKETS_FILES_MAX, &files, &n, &st) != ZM_OK) {
        return ZM_OK;
    }
    body = zm_form_str(&f, "body", 1, TICKETS_BODY_MAX);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = tickets_reply(r->db, r->a, st, is_staff(r), r->user_id, id, body, files, n, &out);
    if (rc == STORAGE_EFULL) {
        return ZM_REPLY_MAPPED(r, file_errors, rc);
    }
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

/* ---- attached files: the owner and staff; anyone else 404 ---- */

int tickets_api_feedback_screenshot(zm_req_t *r)
{
    tickets_stored_t f;
    int64_t id;
    int rc = zm_req_param_id(r, "id", &id);

    rc = rc == ZM_OK ? tickets_file_find(r->db, r->a, is_staff(r), r->user_id, id, 0, 0, &f) : ZM_ENOTFOUND;
    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, fb_errors, rc);
    }
    return send_file(r, &f, "截图不存在");
}

int tickets_api_attachment(zm_req_t *r)
{
    tickets_stored_t f;
    int64_t id, aid;
    int rc = zm_req_param_id(r, "id", &id);

    if (rc == ZM_OK) {
        rc = zm_req_param_id(r, "aid", &aid);
    }
    rc = rc == ZM_OK ? tickets_file_find(r->db, r->a, is_staff(r), r->user_id, 0, id, aid, &f) : ZM_ENOTFOUND;
    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, tk_errors, rc);
    }
    return send_file(r, &f, "附件不存在");
}
