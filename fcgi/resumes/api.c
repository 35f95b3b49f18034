/*
 * api.c -- resumes over HTTP, /api/resumes and /api/files (the seed's
 * paths): parse the form, validate, call resumes.h, render.
 */
#include "resumes_api.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "conf.h"
#include "filetype.h"
#include "multipart.h"
#include "resumes.h"
#include "storage.h"

/* one storage handle per worker, opened on first use */
static storage_t *worker_storage(void)
{
    static storage_t *st;

    if (st == NULL) {
        st = storage_open();
    }
    return st;
}

static int reply_no_storage(zm_req_t *r)
{
    return zm_reply_error(r, 503, "storage_unavailable", "文件存储暂不可用", NULL);
}

/* n bytes for a message: "200 MB", "512 KB" */
static const char *size_text(zm_req_t *r, int64_t n)
{
    if (n >= 1 << 20) {
        return zm_psprintf(r->a, "%lld MB", (long long)(n >> 20));
    }
    return zm_psprintf(r->a, "%lld KB", (long long)((n + 1023) >> 10));
}

/* Answer a resumes failure; what is the missing thing's 404 message ("简历不存在", "文件不存在").  The limits'
 * messages name the configured limit, so the table is made when a failure is answered. */
static int reply_rc(zm_req_t *r, int rc, const char *what)
{
    const char *quota =
        zm_psprintf(r->a, "存储空间不足：每个账户的简历文件合计不能超过 %s，请删除不需要的简历或版本后再上传",
                    size_text(r, zm_conf_int("resumes.quota_bytes")));
    const char *resumes = zm_psprintf(r->a, "最多可保存 %lld 份简历，请先删除不需要的简历",
                                      (long long)zm_conf_int("resumes.max_resumes"));
    const char *versions = zm_psprintf(r->a, "每份简历最多保存 %lld 个版本，请先删除旧版本",
                                       (long long)zm_conf_int("resumes.max_versions"));
    const zm_error_map_t errors[] = {
        {ZM_ENOTFOUND, 404, "not_found", what},
        {RESUME_ETYPE, 415, "unsupported_file_type",
         "仅支持 PDF、Word (.docx)、TXT 和 Markdown 文件；旧版 .doc 请另存为 .docx 或 PDF"},
        {RESUME_ELAST, 409, "last_version", "这是该简历唯一的版本，不能单独删除；如需删除请删除整份简历"},
        {RESUME_EQUOTA, 413, "storage_quota_exceeded", quota ? quota : "存储空间不足"},
        {RESUME_ERESUMES, 409, "too_many_resumes", resumes ? resumes : "简历数量已达上限"},
        {RESUME_EVERSIONS, 409, "too_many_versions", versions ? versions : "版本数量已达上限"},
        /* the disk (or bucket) is full: nothing was kept, and it is the operator's to fix, not the client's */
        {STORAGE_EFULL, 503, "storage_full", "文件存储空间已满，暂时无法上传，请稍后重试"},
    };

    if (rc == STORAGE_EFULL) {
        zm_reply_header(r, "Retry-After", "60");
    }
    return ZM_REPLY_MAPPED(r, errors, rc);
}

/* A multipart form's field as text: valid UTF-8, at most max characters once control and invisible
 * format characters are dropped (ft_clean_text; multiline keeps line breaks and tabs). */
static const char *form_text(zm_req_t *r, zm_form_t *f, const mp_part_t *parts, size_t n, const char *name,
                             size_t max_chars, int multiline)
{
    const mp_part_t *p = mp_find(parts, n, name);
    char *t;

    if (p == NULL || p->filename != NULL) {
        return NULL;
    }
    if (!zm_utf8_valid(p->data, p->len)) {
        zm_form_error(f, name, "不是有效的 UTF-8 文本");
        return NULL;
    }
    t = ft_clean_text(r->a, p->data, p->len, multiline);
    if (t == NULL) {
        zm_form_error(f, name, "过长");
        return NULL;
    }
    if (zm_utf8_chars(t, strlen(t)) > max_chars) {
        zm_form_error(f, name, zm_psprintf(r->a, "最多 %zu 个字符", max_chars));
        return NULL;
    }
    return t;
}

/*
 * The upload form: a "file" part and text fields.  ZM_OK with *u filled and
 * the parts in *parts; otherwise the request is answered.
 */
static int read_upload(zm_req_t *r, resume_upload_t *u, mp_part_t **parts, size_t *nparts, zm_form_t *f)
{
    const char *ct = zm_req_env(r, "CONTENT_TYPE");
    const mp_part_t *file;

    if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0) {
        zm_reply_error(r, 415, "unsupported_media_type", "请以 multipart/form-data 上传文件", NULL);
        return ZM_EINVAL;
    }
    if (mp_parse(r->a, ct, r->body ? r->body : "", r->body_len, parts, nparts) != ZM_OK) {
        zm_reply_error(r, 400, "invalid_multipart", "上传的表单格式错误或不完整", NULL);
        return ZM_EINVAL;
    }
    memset(u, 0, sizeof(*u));
    file = mp_find(*parts, *nparts, "file");
    if (file == NULL || file->filename == NULL) {
        zm_form_error(f, "file", "请选择要上传的文件");
    } else if (file->len == 0) {
        zm_form_error(f, "file", "文件是空的");
    } else if ((int64_t)file->len > zm_conf_int("upload.max_file")) {
        char *msg = zm_psprintf(r->a, "文件不能超过 %lld MB", (long long)(zm_conf_int("upload.max_file") >> 20));
        zm_reply_error(r, 413, "file_too_large", msg ? msg : "文件过大", NULL);
        return ZM_ETOOBIG;
    } else {
        u->file_name = file->filename;
        u->data = file->data;
        u->len = file->len;
    }
    u->comment = form_text(r, f, *parts, *nparts, "comment", 10000, 1);
    return ZM_OK;
}

/* The name shown for a resume made from file_name: the name without its extension. */
static const char *default_name(zm_req_t *r, const char *file_name)
{
    char *n = ft_sanitize_name(r->a, file_name), *dot;

    if (n == NULL) {
        return "我的简历";
    }
    dot = strrchr(n, '.');
    if (dot && dot != n) {
        *dot = '\0';
    }
    return n;
}

int resumes_api_create(zm_req_t *r)
{
    storage_t *st;
    resume_upload_t u;
    mp_part_t *parts;
    size_t nparts;
    const char *name;
    json_object *out;
    zm_form_t f;
    int rc;

    zm_form_init(&f, r);
    if ((rc = read_upload(r, &u, &parts, &nparts, &f)) != ZM_OK) {
        return r->status ? ZM_OK : rc;
    }
    name = form_text(r, &f, parts, nparts, "name", 255, 0);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    if (name == NULL || name[0] == '\0') { /* also a name of nothing but spaces and invisible characters */
        name = default_name(r, u.file_name);
    }
    if ((st = worker_storage()) == NULL) {
        return reply_no_storage(r);
    }
    rc = resume_create(r->db, st, r->a, r->user_id, name, &u, &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : reply_rc(r, rc, "简历不存在");
}

int resumes_api_list(zm_req_t *r)
{
    zm_page_t page;
    json_object *items;
    int64_t total;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK) {
        return ZM_OK;
    }
    rc = resume_list(r->db, r->a, r->user_id, page.page, page.size, &items, &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : reply_rc(r, rc, "简历不存在");
}

int resumes_api_get(zm_req_t *r)
{
    json_object *out;
    int rc = resume_get(r->db, r->a, r->user_id, zm_req_param(r, "resumeId"), &out);

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : reply_rc(r, rc, "简历不存在");
}

int resumes_api_rename(zm_req_t *r)
{
    json_object *out;
    const char *name;
    zm_form_t f;
    int rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    name = zm_form_str(&f, "name", 1, 255);
    if (name != NULL) {
        /* as in the upload form: no controls or bidi overrides, and something visible must be left */
        name = ft_clean_text(r->a, name, strlen(name), 0);
        if (name == NULL || name[0] == '\0') {
            zm_form_error(&f, "name", "名称不能只由空白或不可见字符组成");
        }
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = resume_rename(r->db, r->a, r->user_id, zm_req_param(r, "resumeId"), name, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : reply_rc(r, rc, "简历不存在");
}

int resumes_api_delete(zm_req_t *r)
{
    storage_t *st;
    int rc;

    if ((st = worker_storage()) == NULL) {
        return reply_no_storage(r);
    }
    rc = resume_delete(r->db, st, r->a, r->user_id, zm_req_param(r, "resumeId"));
    return rc == ZM_OK ? zm_reply_no_content(r) : reply_rc(r, rc, "简历不存在");
}

int resumes_api_versions(zm_req_t *r)
{
    json_object *out;
    int rc = resume_versions(r->db, r->a, r->user_id, zm_req_param(r, "resumeId"), &out);

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : reply_rc(r, rc, "简历不存在");
}

int resumes_api_add_version(zm_req_t *r)
{
    storage_t *st;
    resume_upload_t u;
    mp_part_t *parts;
    size_t nparts;
    json_object *out;
    zm_form_t f;
    int rc;

    zm_form_init(&f, r);
    if ((rc = read_upload(r, &u, &parts, &nparts, &f)) != ZM_OK) {
        return r->status ? ZM_OK : rc;
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    if ((st = worker_storage()) == NULL) {
        return reply_no_storage(r);
    }
    rc = resume_add_version(r->db, st, r->a, r->user_id, zm_req_param(r, "resumeId"), &u, &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : reply_rc(r, rc, "简历不存在");
}

int resumes_api_text(zm_req_t *r)
{
    json_object *out;
    int rc = resume_text(r->db, r->a, r->user_id, zm_req_param(r, "resumeId"), &out);

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : reply_rc(r, rc, "简历不存在");
}

int resumes_api_send_file(zm_req_t *r, int64_t owner_id, const char *version_id, const char *not_found_msg)
{
    storage_t *st = worker_storage();
    resume_file_t f;
    char *data, *url;
    size_t len;
    int rc;

    if (st == NULL) {
        return reply_no_storage(r);
    }
    rc = resume_file_find(r->db, r->a, owner_id, version_id ? version_id : "", &f);
    if (rc != ZM_OK) {
        return reply_rc(r, rc, not_found_msg);
    }
    if (storage_redirects(st)) {
        rc = storage_presign_get(st, r->a, f.key, zm_now_s(), (int)zm_conf_int("storage.s3_presign_ttl"), f.file_name,
                                 f.file_type, &url);
        if (rc != ZM_OK) {
            return zm_reply_from_rc(r, rc);
        }
        zm_reply_header(r, "Location", url);
        return zm_reply_raw(r, 302, NULL, "", 0);
    }
    rc = storage_get(st, r->a, f.key, &data, &len);
    if (rc == ZM_ENOTFOUND) {
        return zm_reply_error(r, 404, "not_found", not_found_msg, NULL);
    }
    if (rc != ZM_OK) {
        return zm_reply_error(r, 503, "storage_unavailable", "文件存储暂不可用，请稍后重试", NULL);
    }
    zm_reply_header(r, "Content-Disposition", zm_content_disposition(r->a, f.file_name));
    zm_reply_header(r, "Cache-Control", "private, no-store");
    return zm_reply_raw(r, 200, f.file_type, data, len);
}

int resumes_api_download(zm_req_t *r)
{
    return resumes_api_send_file(r, r->user_id, zm_req_param(r, "fileId"), "文件不存在");
}

int resumes_api_file_delete(zm_req_t *r)
{
    storage_t *st;
    int rc;

    if ((st = worker_storage()) == NULL) {
        return reply_no_storage(r);
    }
    rc = resume_file_delete(r->db, st, r->a, r->user_id, zm_req_param(r, "fileId"));
    return rc == ZM_OK ? zm_reply_no_content(r) : reply_rc(r, rc, "文件不存在");
}
