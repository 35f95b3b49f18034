#include "resumes_tasks.h"

#include "resumes.h"

#include <string.h>

#include "extract.h"
#include "filetype.h"
#include "hash.h"
#include "log.h"
#include "storage.h"
#include "str.h"

int (*resume_extracted_hook)(db_t *db, zm_arena_t *a, const char *version_id);

/* one storage handle per runner process, opened on first use */
static storage_t *runner_storage(void)
{
    static storage_t *st;

    if (st == NULL) {
        st = storage_open();
    }
    return st;
}

static int record(task_ctx_t *ctx, const char *version_id, const char *status, const char *error, const char *text,
                  size_t chars)
{
    int64_t n = db_exec(ctx->db,
                        "UPDATE zm_resume_file SET text_status = ?, text_error = ?, text = ?, text_chars = ?, "
                        "extracted_at = UTC_TIMESTAMP(6) WHERE version_id = ?",
                        "sssis", status, error, text, (int64_t)chars, version_id);
    return n < 0 ? (int)n : ZM_OK;
}

static int load_version(task_ctx_t *ctx, const char *version_id, db_res_t *res)
{
    return db_query(ctx->db, ctx->a, res, "SELECT v.file_path, v.file_name FROM api_resumeversion v WHERE v.id = ?",
                    "s", version_id);
}

/* the version was deleted before we got to it: nothing to do */
static int skip_deleted(json_object **result)
{
    *result = json_object_new_object();
    json_object_object_add(*result, "skipped", json_object_new_string("version deleted"));
    return ZM_OK;
}

int resume_task_extract(task_ctx_t *ctx, json_object **result, char **error)
{
    const char *version_id = task_payload_str(ctx, "version_id");
    storage_t *st = runner_storage();
    extract_limits_t lim;
    db_res_t res;
    char *data = NULL, *text = NULL, *why = NULL;
    size_t len = 0, text_len = 0;
    const char *mime;
    ft_type_t t;
    int rc;

    if (version_id == NULL) {
        *error = "resume.extract needs a version_id";
        return ZM_EINVAL;
    }
    if (st == NULL) {
        *error = "storage is not configured";
        return ZM_EAGAIN;
    }
    rc = load_version(ctx, version_id, &res);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return skip_deleted(result);
    }
    rc = storage_get(st, ctx->a, db_val(&res, 0, 0), &data, &len);
    if (rc == ZM_ENOTFOUND) {
        /* a delete that committed after our read removes the file after its rows */
        if (load_version(ctx, version_id, &res) == ZM_OK && res.nrows == 0) {
            return skip_deleted(result);
        }
        record(ctx, version_id, "failed", "文件不存在", NULL, 0);
        *error = "stored file is missing";
        return ZM_ERR;
    }
    if (rc != ZM_OK) {
        *error = "could not read the stored file";
        return ZM_EAGAIN;
    }
    task_progress(ctx, 20);
    t = ft_sniff(data, len, db_val(&res, 0, 1), &mime);
    extract_limits_from_conf(&lim);
    rc = extract_text(ctx->a, &lim, t, data, len, &text, &text_len, &why);
    if (rc != ZM_OK) {
        /* a hostile or broken file fails for good, with the reason for the user */
        zm_log_warn("extracting %s failed: %s", version_id, why ? why : "?");
        rc = record(ctx, version_id, "failed", why ? why : "无法提取文本", NULL, 0);
        if (rc != ZM_OK) {
            return rc;
        }
        *result = json_object_new_object();
        json_object_object_add(*result, "status", json_object_new_string("failed"));
        json_object_object_add(*result, "reason", json_object_new_string(why ? why : "unknown"));
        return ZM_OK;
    }
    size_t chars = zm_utf8_chars(text, text_len);
    rc = record(ctx, version_id, "done", chars == 0 ? "未找到文字（可能是扫描件）" : NULL, text, chars);
    if (rc != ZM_OK) {
        return rc;
    }
    if (resume_extracted_hook && (rc = resume_extracted_hook(ctx->db, ctx->a, version_id)) != ZM_OK) {
        zm_log_warn("after extracting %s: %s", version_id, zm_strerror(rc));
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "status", json_object_new_string("done"));
    json_object_object_add(*result, "chars", json_object_new_int64((int64_t)chars));
    return ZM_OK;
}

int resume_task_storage_delete(task_ctx_t *ctx, json_object **result, char **error)
{
    const char *key = task_payload_str(ctx, "key");
    storage_t *st = runner_storage();
    int rc;

    if (key == NULL) {
        *error = "storage.delete needs a key";
        return ZM_EINVAL;
    }
    if (st == NULL) {
        *error = "storage is not configured";
        return ZM_EAGAIN;
    }
    rc = storage_delete(st, ctx->a, key);
    if (rc != ZM_OK) {
        *error = "storage delete failed";
        return ZM_EAGAIN;
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "deleted", json_object_new_string(key));
    return ZM_OK;
}
