/*
 * export.c -- HR's jobs and a job's applicants as CSV (the sync document's
 * 数据导出): UTF-8 with a byte-order mark so Excel shows the Chinese text,
 * RFC 4180 quoting, and a cell that starts like a formula (= + - @) is
 * prefixed with ' so a spreadsheet shows it instead of running it.  Or as
 * XLSX (libxlsxwriter): every cell a string cell (text, never a formula,
 * whatever it starts with), the same rows and caps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

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

/* rows of cells, the head first */
typedef struct {
    const char *const *head;
    size_t ncols, nrows;
    const char ***rows;
} table_t;

static int table_csv(zm_arena_t *a, const table_t *t, zm_buf_t *out)
{
    int rc = zm_buf_append(a, out, "\xef\xbb\xbf", 3, EXPORT_MAX_BYTES);

    if (rc == ZM_OK) {
        rc = row(a, out, t->head, t->ncols);
    }
    for (size_t r = 0; rc == ZM_OK && r < t->nrows; r++) {
        rc = row(a, out, t->rows[r], t->ncols);
    }
    return rc;
}

/* The workbook goes through a temporary file (libxlsxwriter 1.1 writes files), read back into out. */
static int table_xlsx(zm_arena_t *a, const table_t *t, const char *sheet, zm_buf_t *out)
{
    const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *path = zm_psprintf(a, "%s/zhimai-export-XXXXXX", dir);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)dir};
    lxw_workbook *wb;
    lxw_worksheet *ws;
    int fd, rc = ZM_OK;
    FILE *f;

    if (path == NULL || (fd = mkstemp(path)) < 0) {
        return ZM_ERR;
    }
    close(fd);
    wb = workbook_new_opt(path, &opt);
    ws = wb ? workbook_add_worksheet(wb, sheet) : NULL;
    if (ws == NULL) {
        if (wb) {
            workbook_close(wb);
        }
        unlink(path);
        return ZM_ERR;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        worksheet_write_string(ws, 0, (lxw_col_t)c, t->head[c], NULL);
    }
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *v = t->rows[r][c];
            if (v && *v && worksheet_write_string(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, v, NULL) != LXW_NO_ERROR) {
                rc = ZM_ETOOBIG; /* over Excel's 32767 characters a cell */
            }
        }
    }
    if (workbook_close(wb) != LXW_NO_ERROR && rc == ZM_OK) {
        rc = ZM_ERR;
    }
    f = rc == ZM_OK ? fopen(path, "rb") : NULL;
    if (rc == ZM_OK && f == NULL) {
        rc = ZM_ERR;
    }
    while (rc == ZM_OK) {
        char buf[65536];
        size_t n = fread(buf, 1, sizeof(buf), f);
        if (n == 0) {
            break;
        }
        rc = zm_buf_append(a, out, buf, n, EXPORT_MAX_BYTES);
    }
    if (f) {
        fclose(f);
    }
    unlink(path);
    return rc;
}

static int table_out(zm_arena_t *a, const table_t *t, int xlsx, const char *sheet, zm_buf_t *out)
{
    return xlsx ? table_xlsx(a, t, sheet, out) : table_csv(a, t, out);
}

int job_export(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int xlsx, zm_buf_t *out)
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

    table_t t = {head, ZM_ARRAY_LEN(head), 0, NULL};

    if (rc != ZM_OK) {
        return rc;
    }
    t.rows = zm_palloc(a, (res.nrows + 1) * sizeof(*t.rows));
    for (size_t r = 0; t.rows && r < res.nrows; r++) {
        const char **c = zm_palloc(a, ZM_ARRAY_LEN(head) * sizeof(*c));
        if (c == NULL) {
            return ZM_ENOMEM;
        }
        for (unsigned i = 0; i < ZM_ARRAY_LEN(head); i++) {
            c[i] = db_val(&res, r, i);
        }
        c[10] = joined(a, c[10]);
        c[11] = joined(a, c[11]);
        t.rows[t.nrows++] = c;
    }
    return t.rows ? table_out(a, &t, xlsx, "职位", out) : ZM_ENOMEM;
}

int app_export(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, int xlsx, zm_buf_t *out)
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
    table_t t = {head, ZM_ARRAY_LEN(head), 0, zm_palloc(a, (res.nrows + 1) * sizeof(const char **))};
    for (size_t r = 0; t.rows && r < res.nrows; r++) {
        const char **c = zm_palloc(a, ZM_ARRAY_LEN(head) * sizeof(*c));
        if (c == NULL) {
            return ZM_ENOMEM;
        }
        for (unsigned i = 0; i < ZM_ARRAY_LEN(head); i++) {
            c[i] = db_val(&res, r, i);
        }
        c[4] = zm_uuid_dashed(a, c[4]);
        c[5] = zm_uuid_dashed(a, c[5]);
        t.rows[t.nrows++] = c;
    }
    return t.rows ? table_out(a, &t, xlsx, "候选人", out) : ZM_ENOMEM;
}
