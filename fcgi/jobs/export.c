/*
 * export.c -- HR's jobs and a job's applicants as CSV (the sync document's
 * 数据导出): UTF-8 with a byte-order mark so Excel shows the Chinese text,
 * RFC 4180 quoting, and a cell that starts like a formula (= + - @) is
 * prefixed with ' so a spreadsheet shows it instead of running it.
 */
#include <string.h>

#include "fields.h"
#include "jobs.h"
#include "resumes.h"
#include "uuid.h"

#define EXPORT_MAX_ROWS 10000
#define EXPORT_MAX_BYTES (32u << 20)

static int cell(zm_arena_t *a, zm_buf_t *out, const char *s, int last)
{
    int rc = ZM_OK;

    s = s ? s : "";
    rc = zm_buf_append(a, out, "\"", 1, EXPORT_MAX_BYTES);
    if (rc == ZM_OK && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')) {
        rc = zm_buf_append(a, out, "'", 1, EXPORT_MAX_BYTES);
    }
    for (const char *p = s; rc == ZM_OK && *p; p++) {
        rc = zm_buf_append(a, out, p, 1, EXPORT_MAX_BYTES);
        if (rc == ZM_OK && *p == '"') {
            rc = zm_buf_append(a, out, "\"", 1, EXPORT_MAX_BYTES);
        }
    }
    if (rc == ZM_OK) {
        rc = zm_buf_append(a, out, last ? "\"\r\n" : "\",", last ? 3 : 2, EXPORT_MAX_BYTES);
    }
    return rc;
}

static int row(zm_arena_t *a, zm_buf_t *out, const char *const *cells, size_t n)
{
    int rc = ZM_OK;

    for (size_t i = 0; rc == ZM_OK && i < n; i++) {
        rc = cell(a, out, cells[i], i + 1 == n);
    }
    return rc;
}

/* a stored JSON list as "a; b; c" */
static const char *joined(zm_arena_t *a, const char *json)
{
    json_object *l = jobs_json_list(json);
    zm_buf_t b = {0};

    for (size_t i = 0; i < json_object_array_length(l); i++) {
        if (i) {
            zm_buf_puts(a, &b, "; ");
        }
        zm_buf_puts(a, &b, json_object_get_string(json_object_array_get_idx(l, i)));
    }
    json_object_put(l);
    return b.data ? b.data : "";
}

int job_export_csv(db_t *db, zm_arena_t *a, const jobs_actor_t *who, zm_buf_t *out)
{
    static const char *const head[] = {"职位ID",     "职位名称", "公司",     "城市",     "薪资",    "最低(k/月)",
                                       "最高(k/月)", "学历",     "工作年限", "语言",     "职责",    "要求",
                                       "状态",       "申请数",   "创建时间", "更新时间", "最后同步"};
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT j.id, j.name, j.company, j.city, j.salary, j.salary_min, j.salary_max, j.education, "
                      "j.years_of_working, j.language, j.responsibilities, j.requirements, j.status, "
                      "(SELECT COUNT(*) FROM jobs_application x WHERE x.job_id = j.id), " ISO("j.created_at") ", " ISO(
                          "j.updated_at") ", " ISO("j.last_synced") " FROM jobs_jobposition j WHERE j.status <> "
                                                                    "'deleted' AND (j.owner_id = ? OR ? = 1) "
                                                                    "ORDER BY j.id LIMIT ?",
                      "iIi", who->user_id, who->admin ? 1 : 0, (int64_t)EXPORT_MAX_ROWS);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = zm_buf_append(a, out, "\xef\xbb\xbf", 3, EXPORT_MAX_BYTES);
    if (rc == ZM_OK) {
        rc = row(a, out, head, ZM_ARRAY_LEN(head));
    }
    for (size_t r = 0; rc == ZM_OK && r < res.nrows; r++) {
        const char *c[ZM_ARRAY_LEN(head)];
        for (unsigned i = 0; i < ZM_ARRAY_LEN(head); i++) {
            c[i] = db_val(&res, r, i);
        }
        c[10] = joined(a, c[10]);
        c[11] = joined(a, c[11]);
        rc = row(a, out, c, ZM_ARRAY_LEN(head));
    }
    return rc;
}

int app_export_csv(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, zm_buf_t *out)
{
    static const char *const head[] = {"申请ID",   "职位ID", "申请人ID", "申请人邮箱", "简历ID",   "简历版本ID",
                                       "简历名称", "状态",   "关闭原因", "申请时间",   "更新时间", "最后同步"};
    db_res_t job, res;
    int rc = db_query(
        db, a, &job, "SELECT id FROM jobs_jobposition WHERE id = ? AND status <> 'deleted' AND (owner_id = ? OR ? = 1)",
        "iiI", job_id, who->user_id, who->admin ? 1 : 0);

    if (rc != ZM_OK) {
        return rc;
    }
    if (job.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    rc = db_query(db, a, &res,
                  "SELECT a.id, a.job_id, a.user_id, u.email, a.resume_id, a.resume_version_id, a.resume_name, "
                  "a.status, a.close_reason, " ISO("a.created_at") ", " ISO("a.updated_at") ", " ISO(
                      "a.last_synced") " FROM jobs_application a JOIN auth_user u ON u.id = a.user_id "
                                       "WHERE a.job_id = ? ORDER BY a.id LIMIT ?",
                  "ii", job_id, (int64_t)EXPORT_MAX_ROWS);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = zm_buf_append(a, out, "\xef\xbb\xbf", 3, EXPORT_MAX_BYTES);
    if (rc == ZM_OK) {
        rc = row(a, out, head, ZM_ARRAY_LEN(head));
    }
    for (size_t r = 0; rc == ZM_OK && r < res.nrows; r++) {
        const char *c[ZM_ARRAY_LEN(head)];
        for (unsigned i = 0; i < ZM_ARRAY_LEN(head); i++) {
            c[i] = db_val(&res, r, i);
        }
        c[4] = zm_uuid_dashed(a, c[4]);
        c[5] = zm_uuid_dashed(a, c[5]);
        rc = row(a, out, c, ZM_ARRAY_LEN(head));
    }
    return rc;
}
