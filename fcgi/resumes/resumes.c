#include "resumes.h"

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "filetype.h"
#include "hash.h"
#include "log.h"
#include "queue.h"
#include "str.h"
#include "uuid.h"

#define ISO(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s.%fZ')"

/* version columns, in the order version_json reads them */
#define VERSION_COLS                                                                                                   \
    "v.id, v.resume_id, v.file_name, v.file_size, v.file_type, v.comment, " ISO(                                       \
        "v.created_at") ", f.text_status, "                                                                            \
                        "f.text_error, f.text_chars, f.original_name "

/* ---- JSON ---- */

static json_object *version_json(zm_arena_t *a, const db_res_t *res, size_t r)
{
    json_object *o = json_object_new_object();
    const char *comment = db_val(res, r, 5), *err = db_val(res, r, 8);

    json_object_object_add(o, "id", json_object_new_string(zm_uuid_dashed(a, db_val(res, r, 0))));
    json_object_object_add(o, "resume_id", json_object_new_string(zm_uuid_dashed(a, db_val(res, r, 1))));
    json_object_object_add(o, "file_name", json_object_new_string(db_val(res, r, 2)));
    json_object_object_add(o, "original_name", json_object_new_string(db_val(res, r, 10) ? db_val(res, r, 10) : ""));
    json_object_object_add(o, "file_size", json_object_new_int64(db_int(res, r, 3)));
    json_object_object_add(o, "file_type", json_object_new_string(db_val(res, r, 4)));
    json_object_object_add(o, "comment", comment ? json_object_new_string(comment) : NULL);
    json_object_object_add(o, "created_at", json_object_new_string(db_val(res, r, 6)));
    json_object_object_add(
        o, "download_url",
        json_object_new_string(zm_psprintf(a, "/api/files/%s", zm_uuid_dashed(a, db_val(res, r, 0)))));
    json_object_object_add(o, "text_status", json_object_new_string(db_val(res, r, 7) ? db_val(res, r, 7) : "pending"));
    json_object_object_add(o, "text_error", err ? json_object_new_string(err) : NULL);
    json_object_object_add(o, "text_chars", json_object_new_int64(db_int(res, r, 9)));
    return o;
}

static int load_versions(db_t *db, zm_arena_t *a, const char *resume_id, json_object **out)
{
    db_res_t res;
    int rc =
        db_query(db, a, &res,
                 "SELECT " VERSION_COLS "FROM api_resumeversion v LEFT JOIN zm_resume_file f ON f.version_id = v.id "
                 "WHERE v.resume_id = ? ORDER BY v.created_at DESC, v.id",
                 "s", resume_id);

    if (rc != ZM_OK) {
        return rc;
    }
    *out = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        json_object_array_add(*out, version_json(a, &res, r));
    }
    return ZM_OK;
}

static json_object *resume_json(zm_arena_t *a, const char *id, const char *name, const char *user_id,
                                const char *created, const char *updated)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_string(zm_uuid_dashed(a, id)));
    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "user_id", json_object_new_string(user_id));
    json_object_object_add(o, "created_at", json_object_new_string(created));
    json_object_object_add(o, "updated_at", json_object_new_string(updated));
    return o;
}

/* ---- access ---- */

int resume_can_read(db_t *db, int64_t user_id, int64_t owner_id)
{
    ZM_UNUSED(db);
    return user_id == owner_id;
}

/* The resume's row if user_id may read it; ZM_ENOTFOUND otherwise (never a hint that it exists). */
static int load_resume(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, db_res_t *res, int for_update)
{
    char id[33];
    int rc;

    if (zm_uuid_parse(resume_id, id) != ZM_OK) {
        return ZM_ENOTFOUND;
    }
    rc = db_query(db, a, res,
                  for_update ? "SELECT id, name, user_id, " ISO("created_at") ", " ISO(
                                   "updated_at") " FROM api_resume WHERE id = ? FOR UPDATE"
                             : "SELECT id, name, user_id, " ISO("created_at") ", " ISO(
                                   "updated_at") " FROM api_resume WHERE id = ?",
                  "s", id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res->nrows == 0 || !resume_can_read(db, user_id, db_int(res, 0, 2))) {
        return ZM_ENOTFOUND;
    }
    return ZM_OK;
}

/* ---- writing ---- */

typedef struct {
    char version_id[33];
    const char *key, *file_name, *mime;
    const char *display_name; /* the name as sent, when it is valid UTF-8 of a sane length */
    char sha[65];
} stored_t;

/* Check and store the upload's bytes; the caller writes the rows, or deletes the key on failure. */
static int store_file(storage_t *st, zm_arena_t *a, int64_t user_id, const char *resume_id, const resume_upload_t *u,
                      stored_t *s)
{
    ft_type_t t = ft_sniff(u->data, u->len, u->file_name, &s->mime);
    int rc;

    if (t == FT_UNKNOWN) {
        return RESUME_ETYPE;
    }
    zm_uuid4(s->version_id);
    s->file_name = ft_sanitize_name(a, u->file_name);
    /* the name as sent, for display: without controls and bidi overrides that would make
     * "cv\u202Efdp.exe" read "cvexe.pdf" wherever it is shown */
    s->display_name = zm_utf8_valid(u->file_name, strlen(u->file_name)) && strlen(u->file_name) <= 1000
                          ? ft_clean_text(a, u->file_name, strlen(u->file_name), 0)
                          : NULL;
    if (s->display_name == NULL || s->display_name[0] == '\0') {
        s->display_name = s->file_name;
    }
    s->key = zm_psprintf(a, "resumes/%lld/%s/%s/%s", (long long)user_id, resume_id, s->version_id, s->file_name);
    if (s->file_name == NULL || s->key == NULL) {
        return ZM_ENOMEM;
    }
    zm_sha256_hex(u->data, u->len, s->sha);
    rc = storage_put(st, a, s->key, u->data, u->len, s->mime);
    if (rc != ZM_OK) {
        zm_log_error("storing %s failed (%d)", s->key, rc);
    }
    return rc;
}

/* ---- limits ---- */

/* The user's row in zm_resume_usage, which every upload locks (made once, outside any transaction:
 * two first uploads inserting it inside theirs could deadlock on the key). */
static int usage_row(db_t *db, int64_t user_id)
{
    int64_t n = db_exec(db, "INSERT IGNORE INTO zm_resume_usage (user_id) VALUES (?)", "i", user_id);

    return n < 0 ? (int)n : ZM_OK;
}

/* Lock the user's row: the first statement of an upload's transaction, so the counts it reads next
 * (its snapshot starts with its first plain read) include every upload committed before it. */
static int usage_lock(db_t *db, zm_arena_t *a, int64_t user_id)
{
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT user_id FROM zm_resume_usage WHERE user_id = ? FOR UPDATE", "i", user_id);

    if (rc == ZM_OK && res.nrows == 0) {
        rc = ZM_EAGAIN; /* removed since usage_row (the user is being deleted) */
    }
    return rc;
}

/*
 * Refuse an upload of len bytes that would pass the user's limits: a resume
 * more than resumes.max_resumes (resume_id NULL: a new resume), a version
 * more than resumes.max_versions, or files past resumes.quota_bytes.  The
 * usage is counted from the rows, not kept in a counter: any delete (ours,
 * a cascade, Django's admin) frees it at once and nothing can drift.
 */
static int check_limits(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, size_t len)
{
    int64_t quota = zm_conf_int("resumes.quota_bytes"), max_resumes = zm_conf_int("resumes.max_resumes"),
            max_versions = zm_conf_int("resumes.max_versions");
    char uid[24];
    db_res_t res;
    int rc;

    if (quota <= 0 && max_resumes <= 0 && max_versions <= 0) {
        return ZM_OK;
    }
    snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
    rc = db_query(db, a, &res,
                  "SELECT COUNT(DISTINCT r.id), COALESCE(SUM(v.file_size), 0), COALESCE(SUM(v.resume_id = ?), 0) "
                  "FROM api_resume r LEFT JOIN api_resumeversion v ON v.resume_id = r.id WHERE r.user_id = ?",
                  "ss", resume_id ? resume_id : "", uid);
    if (rc != ZM_OK) {
        return rc;
    }
    if (resume_id == NULL && max_resumes > 0 && db_int(&res, 0, 0) >= max_resumes) {
        return RESUME_ERESUMES;
    }
    if (resume_id != NULL && max_versions > 0 && db_int(&res, 0, 2) >= max_versions) {
        return RESUME_EVERSIONS;
    }
    if (quota > 0 && db_int(&res, 0, 1) + (int64_t)len > quota) {
        return RESUME_EQUOTA;
    }
    return ZM_OK;
}

static resume_version_hook_pt version_hook;

void resumes_on_new_version(resume_version_hook_pt fn)
{
    version_hook = fn;
}

static int insert_version(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, const resume_upload_t *u,
                          const stored_t *s)
{
    json_object *payload;
    task_new_t t;
    int64_t rc, task_id;
    rc = db_exec(db,
                 "INSERT INTO api_resumeversion (id, file_path, file_name, file_size, file_type, comment, created_at, "
                 "resume_id) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6), ?)",
                 "sssisss", s->version_id, s->key, s->file_name, (int64_t)u->len, s->mime, u->comment, resume_id);
    if (rc < 0) {
        return (int)rc;
    }
    rc = db_exec(db,
                 "INSERT INTO zm_resume_file (version_id, user_id, original_name, sha256, text_status) "
                 "VALUES (?, ?, ?, ?, 'pending')",
                 "siss", s->version_id, user_id, s->display_name, s->sha);
    if (rc < 0) {
        return (int)rc;
    }
    rc = db_exec(db, "UPDATE api_resume SET updated_at = UTC_TIMESTAMP(6) WHERE id = ?", "s", resume_id);
    if (rc < 0) {
        return (int)rc;
    }
    /* an upper layer's part of the same transaction (the callers wake the task runners after it) */
    if (version_hook != NULL && (rc = version_hook(db, a, user_id, resume_id)) != ZM_OK) {
        return (int)rc;
    }
    /* text extraction runs on the queue, committed with the rows it reads */
    payload = json_object_new_object();
    json_object_object_add(payload, "version_id", json_object_new_string(s->version_id));
    memset(&t, 0, sizeof(t));
    t.type = "resume.extract";
    t.payload_json = zm_pstrdup(a, json_object_to_json_string_ext(payload, JSON_C_TO_STRING_PLAIN));
    json_object_put(payload);
    t.priority = TASK_PRIO_NORMAL;
    t.user_id = user_id;
    t.dedupe_key = zm_psprintf(a, "resume.extract:%s", s->version_id);
    return task_enqueue(db, &t, &task_id);
}

/* Roll back and remove the stored file: a failed upload leaves nothing behind. */
static int undo(db_t *db, storage_t *st, zm_arena_t *a, const stored_t *s, int rc)
{
    if (db_in_transaction(db)) {
        db_rollback(db);
    }
    if (storage_delete(st, a, s->key) != ZM_OK) {
        zm_log_error("could not remove %s after a failed upload", s->key);
    }
    return rc;
}

int resume_create(db_t *db, storage_t *st, zm_arena_t *a, int64_t user_id, const char *name, const resume_upload_t *u,
                  json_object **out)
{
    char resume_id[33], uid[24];
    stored_t s;
    int rc;

    zm_uuid4(resume_id);
    snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
    /* an upload already over a limit is refused before its file is written; the check that
     * decides is the one under the lock below */
    rc = check_limits(db, a, user_id, NULL, u->len);
    if (rc == ZM_OK) {
        rc = usage_row(db, user_id);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    rc = store_file(st, a, user_id, resume_id, u, &s);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_begin(db);
    if (rc == ZM_OK) {
        rc = usage_lock(db, a, user_id);
    }
    if (rc == ZM_OK) {
        rc = check_limits(db, a, user_id, NULL, u->len);
    }
    if (rc != ZM_OK) {
        return undo(db, st, a, &s, rc);
    }
    int64_t n = db_exec(db,
                        "INSERT INTO api_resume (id, name, user_id, created_at, updated_at) "
                        "VALUES (?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                        "sss", resume_id, name, uid);
    if (n < 0) {
        return undo(db, st, a, &s, (int)n);
    }
    rc = insert_version(db, a, user_id, resume_id, u, &s);
    if (rc != ZM_OK) {
        return undo(db, st, a, &s, rc);
    }
    rc = db_commit(db);
    if (rc != ZM_OK) {
        return undo(db, st, a, &s, rc);
    }
    task_wake();
    return resume_get(db, a, user_id, resume_id, out);
}

int resume_add_version(db_t *db, storage_t *st, zm_arena_t *a, int64_t user_id, const char *resume_id,
                       const resume_upload_t *u, json_object **out)
{
    db_res_t res;
    stored_t s;
    char id[33];
    int rc;

    rc = load_resume(db, a, user_id, resume_id, &res, 0);
    if (rc != ZM_OK) {
        return rc;
    }
    snprintf(id, sizeof(id), "%s", db_val(&res, 0, 0));
    rc = check_limits(db, a, user_id, id, u->len); /* early refusal; the locked check decides */
    if (rc == ZM_OK) {
        rc = usage_row(db, user_id);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    rc = store_file(st, a, user_id, id, u, &s);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_begin(db);
    if (rc == ZM_OK) {
        rc = usage_lock(db, a, user_id);
    }
    /* the resume may have been deleted since: lock it, or write nothing */
    if (rc == ZM_OK) {
        rc = load_resume(db, a, user_id, id, &res, 1);
    }
    if (rc == ZM_OK) {
        rc = check_limits(db, a, user_id, id, u->len);
    }
    if (rc == ZM_OK) {
        rc = insert_version(db, a, user_id, id, u, &s);
    }
    if (rc == ZM_OK) {
        rc = db_commit(db);
    }
    if (rc != ZM_OK) {
        return undo(db, st, a, &s, rc);
    }
    task_wake();
    rc = db_query(db, a, &res,
                  "SELECT " VERSION_COLS "FROM api_resumeversion v LEFT JOIN zm_resume_file f ON f.version_id = v.id "
                  "WHERE v.id = ?",
                  "s", s.version_id);
    if (rc != ZM_OK) {
        return rc;
    }
    *out = version_json(a, &res, 0);
    return ZM_OK;
}

/* ---- reading ---- */

/* "2026-11-22 11:04:45.335268" as the API shows times: "2026-11-22T11:04:45.335268Z" (cheaper
 * here than DATE_FORMAT in the server, on the hottest list) */
static const char *iso_time(zm_arena_t *a, const char *db)
{
    char *s = db ? zm_psprintf(a, "%sZ", db) : NULL;

    if (s && strlen(s) > 10 && s[10] == ' ') {
        s[10] = 'T';
    }
    return s ? s : "";
}

int resume_list(db_t *db, zm_arena_t *a, int64_t user_id, int64_t page, int64_t page_size, json_object **items,
                int64_t *total)
{
    char uid[24];
    db_res_t res;
    int rc;

    snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
    /* one query for the page, read in the order of the (user_id, created_at) index (whose
     * entries end in the id, which breaks ties) and stopping at the page's end; each row's
     * versions are counted by their own index.  (A join grouped by resume sorted all of the
     * user's resumes in a temporary table for every page.)  The times come as the server's
     * text: the client library would format each binary DATETIME with sprintf, the hottest
     * part of this list after the JSON. */
    rc = db_query(db, a, &res,
                  "SELECT r.id, r.name, r.user_id, CAST(r.created_at AS CHAR), CAST(r.updated_at AS CHAR), "
                  "(SELECT COUNT(*) FROM api_resumeversion v WHERE v.resume_id = r.id) "
                  "FROM api_resume r WHERE r.user_id = ? ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?",
                  "sii", uid, page_size, (page - 1) * page_size);
    if (rc != ZM_OK) {
        return rc;
    }
    /* a first page that is not full is everything: the total needs no second query */
    *total = (int64_t)res.nrows;
    if (page > 1 || (int64_t)res.nrows == page_size) {
        db_res_t c;
        rc = db_query(db, a, &c, "SELECT COUNT(*) FROM api_resume WHERE user_id = ?", "s", uid);
        if (rc != ZM_OK) {
            return rc;
        }
        *total = db_int(&c, 0, 0);
    }
    *items = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        json_object *o = resume_json(a, db_val(&res, r, 0), db_val(&res, r, 1), db_val(&res, r, 2),
                                     iso_time(a, db_val(&res, r, 3)), iso_time(a, db_val(&res, r, 4)));
        json_object_object_add(o, "version_count", json_object_new_int64(db_int(&res, r, 5)));
        json_object_array_add(*items, o);
    }
    return ZM_OK;
}

int resume_get(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, json_object **out)
{
    db_res_t res;
    json_object *versions;
    int rc = load_resume(db, a, user_id, resume_id, &res, 0);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = load_versions(db, a, db_val(&res, 0, 0), &versions);
    if (rc != ZM_OK) {
        return rc;
    }
    *out = resume_json(a, db_val(&res, 0, 0), db_val(&res, 0, 1), db_val(&res, 0, 2), db_val(&res, 0, 3),
                       db_val(&res, 0, 4));
    json_object_object_add(*out, "version_count", json_object_new_int64((int64_t)json_object_array_length(versions)));
    json_object_object_add(*out, "versions", versions);
    return ZM_OK;
}

int resume_versions(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, json_object **out)
{
    db_res_t res;
    int rc = load_resume(db, a, user_id, resume_id, &res, 0);

    return rc == ZM_OK ? load_versions(db, a, db_val(&res, 0, 0), out) : rc;
}

int resume_rename(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, const char *name, json_object **out)
{
    db_res_t res;
    int64_t n;
    int rc = load_resume(db, a, user_id, resume_id, &res, 0);

    if (rc != ZM_OK) {
        return rc;
    }
    n = db_exec(db, "UPDATE api_resume SET name = ?, updated_at = UTC_TIMESTAMP(6) WHERE id = ?", "ss", name,
                db_val(&res, 0, 0));
    if (n < 0) {
        return (int)n;
    }
    return resume_get(db, a, user_id, db_val(&res, 0, 0), out);
}

/* Remove stored files after the rows are gone; a failure leaves a retried task, not an orphan. */
static void remove_files(db_t *db, storage_t *st, zm_arena_t *a, const db_res_t *keys)
{
    for (size_t r = 0; r < keys->nrows; r++) {
        const char *key = db_val(keys, r, 0);
        if (storage_delete(st, a, key) != ZM_OK) {
            json_object *p = json_object_new_object();
            task_new_t t;
            int64_t id;

            json_object_object_add(p, "key", json_object_new_string(key));
            memset(&t, 0, sizeof(t));
            t.type = "storage.delete";
            t.payload_json = zm_pstrdup(a, json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
            t.priority = TASK_PRIO_LOW;
            json_object_put(p);
            zm_log_warn("deleting %s failed; queued for retry", key);
            if (task_enqueue(db, &t, &id) == ZM_OK) {
                task_wake();
            }
        }
    }
}

int resume_delete(db_t *db, storage_t *st, zm_arena_t *a, int64_t user_id, const char *resume_id)
{
    db_res_t res, keys;
    int64_t n;
    int rc = db_begin(db);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = load_resume(db, a, user_id, resume_id, &res, 1);
    if (rc == ZM_OK) {
        rc = db_query(db, a, &keys, "SELECT file_path FROM api_resumeversion WHERE resume_id = ? FOR UPDATE", "s",
                      db_val(&res, 0, 0));
    }
    if (rc == ZM_OK) {
        n = db_exec(db, "DELETE FROM api_resume WHERE id = ?", "s", db_val(&res, 0, 0)); /* versions cascade */
        /* the row count decides: of two deletes at once only the one that removed the row succeeds */
        rc = n < 0 ? (int)n : n == 0 ? ZM_ENOTFOUND : ZM_OK;
    }
    if (rc == ZM_OK) {
        rc = db_commit(db);
    }
    if (rc != ZM_OK) {
        if (db_in_transaction(db)) {
            db_rollback(db);
        }
        return rc;
    }
    remove_files(db, st, a, &keys);
    return ZM_OK;
}

static int load_file(db_t *db, zm_arena_t *a, int64_t user_id, const char *version_id, db_res_t *res)
{
    char id[33];
    int rc;

    if (zm_uuid_parse(version_id, id) != ZM_OK) {
        return ZM_ENOTFOUND;
    }
    rc = db_query(db, a, res,
                  "SELECT v.file_path, v.file_name, v.file_type, v.file_size, r.user_id, v.resume_id, v.id "
                  "FROM api_resumeversion v JOIN api_resume r ON r.id = v.resume_id WHERE v.id = ?",
                  "s", id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res->nrows == 0 || !resume_can_read(db, user_id, db_int(res, 0, 4))) {
        return ZM_ENOTFOUND;
    }
    return ZM_OK;
}

int resume_file_find(db_t *db, zm_arena_t *a, int64_t user_id, const char *version_id, resume_file_t *f)
{
    db_res_t res;
    int rc = load_file(db, a, user_id, version_id, &res);

    if (rc != ZM_OK) {
        return rc;
    }
    f->key = db_val(&res, 0, 0);
    f->file_name = db_val(&res, 0, 1);
    f->file_type = db_val(&res, 0, 2);
    f->size = db_int(&res, 0, 3);
    return ZM_OK;
}

int resume_file_delete(db_t *db, storage_t *st, zm_arena_t *a, int64_t user_id, const char *version_id)
{
    db_res_t res, count, keys;
    int64_t n;
    int rc = db_begin(db);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = load_file(db, a, user_id, version_id, &res);
    if (rc == ZM_OK) {
        /* the resume row first, as every writer locks it: two concurrent deletes queue here
         * instead of deadlocking, and the second finds what the first left */
        db_res_t lock;
        rc = db_query(db, a, &lock, "SELECT id FROM api_resume WHERE id = ? FOR UPDATE", "s", db_val(&res, 0, 5));
        if (rc == ZM_OK && lock.nrows == 0) {
            rc = ZM_ENOTFOUND;
        }
    }
    if (rc == ZM_OK) {
        /* delete first: its row count says whether this request removed the version (a concurrent
         * delete of the same one may have, since load_file read it); then what is left decides
         * whether it was the last, and the transaction is rolled back if so */
        n = db_exec(db, "DELETE FROM api_resumeversion WHERE id = ?", "s", db_val(&res, 0, 6));
        rc = n < 0 ? (int)n : n == 0 ? ZM_ENOTFOUND : ZM_OK;
    }
    if (rc == ZM_OK) {
        /* a locking read: the latest rows, not the snapshot load_file began */
        rc = db_query(db, a, &count, "SELECT COUNT(*) FROM api_resumeversion WHERE resume_id = ? FOR UPDATE", "s",
                      db_val(&res, 0, 5));
    }
    if (rc == ZM_OK && db_int(&count, 0, 0) < 1) {
        rc = RESUME_ELAST;
    }
    if (rc == ZM_OK) {
        n = db_exec(db, "UPDATE api_resume SET updated_at = UTC_TIMESTAMP(6) WHERE id = ?", "s", db_val(&res, 0, 5));
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc == ZM_OK) {
        rc = db_commit(db);
    }
    if (rc != ZM_OK) {
        if (db_in_transaction(db)) {
            db_rollback(db);
        }
        return rc;
    }
    keys.ncols = 1;
    keys.nrows = 1;
    keys.rows = res.rows;
    keys.lens = res.lens;
    remove_files(db, st, a, &keys);
    return ZM_OK;
}

int resume_latest_text(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, resume_text_t *t)
{
    db_res_t res, v;
    int rc = load_resume(db, a, user_id, resume_id, &res, 0);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_query(db, a, &v,
                  "SELECT v.id, f.text_status, f.text_error, f.text, f.text_chars FROM api_resumeversion v "
                  "JOIN zm_resume_file f ON f.version_id = v.id WHERE v.resume_id = ? "
                  "ORDER BY v.created_at DESC, v.id LIMIT 1",
                  "s", db_val(&res, 0, 0));
    if (rc != ZM_OK) {
        return rc;
    }
    if (v.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    t->resume_id = db_val(&res, 0, 0);
    t->resume_name = db_val(&res, 0, 1);
    t->version_id = db_val(&v, 0, 0);
    t->status = db_val(&v, 0, 1);
    t->error = db_val(&v, 0, 2);
    t->text = db_val(&v, 0, 3);
    t->chars = db_int(&v, 0, 4);
    return ZM_OK;
}

int resume_text(db_t *db, zm_arena_t *a, int64_t user_id, const char *resume_id, json_object **out)
{
    resume_text_t t;
    int rc = resume_latest_text(db, a, user_id, resume_id, &t);

    if (rc != ZM_OK) {
        return rc;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "version_id", json_object_new_string(zm_uuid_dashed(a, t.version_id)));
    json_object_object_add(*out, "status", json_object_new_string(t.status));
    json_object_object_add(*out, "error", t.error ? json_object_new_string(t.error) : NULL);
    json_object_object_add(*out, "text", t.text ? json_object_new_string(t.text) : NULL);
    json_object_object_add(*out, "chars", json_object_new_int64(t.chars));
    return ZM_OK;
}

/* ---- extracted versions, for the domains above (matching's features) ---- */

#define LATEST_EXTRACTED(v)                                                                                            \
    "(SELECT v2.id FROM api_resumeversion v2 JOIN zm_resume_file f2 ON f2.version_id = v2.id WHERE v2.resume_id = " v  \
    ".resume_id AND f2.text_status = 'done' ORDER BY v2.created_at DESC, v2.id DESC LIMIT 1)"

int resume_extracted_version(db_t *db, zm_arena_t *a, const char *version_id, resume_extracted_t *out)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT v.resume_id, v.id, rf.user_id, rf.text, v.id = " LATEST_EXTRACTED(
                          "v") " FROM api_resumeversion v JOIN zm_resume_file rf ON rf.version_id = v.id "
                               "WHERE v.id = ? AND rf.text_status = 'done'",
                      "s", version_id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    out->resume_id = db_val(&res, 0, 0);
    out->version_id = db_val(&res, 0, 1);
    out->user_id = db_int(&res, 0, 2);
    out->text = db_val(&res, 0, 3) ? db_val(&res, 0, 3) : "";
    out->latest = db_int(&res, 0, 4) == 1;
    return ZM_OK;
}

int resume_latest_extracted(db_t *db, zm_arena_t *a, const char *after, int limit, resume_extracted_t *out, size_t *n)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT v.resume_id, v.id, rf.user_id FROM api_resumeversion v "
                      "JOIN zm_resume_file rf ON rf.version_id = v.id WHERE v.resume_id > ? AND rf.text_status = "
                      "'done' AND v.id = " LATEST_EXTRACTED("v") " ORDER BY v.resume_id LIMIT ?",
                      "sI", after ? after : "", limit);

    *n = 0;
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t r = 0; r < res.nrows && r < (size_t)limit; r++) {
        out[r] = (resume_extracted_t){db_val(&res, r, 0), db_val(&res, r, 1), NULL, db_int(&res, r, 2), 1};
    }
    *n = res.nrows < (size_t)limit ? res.nrows : (size_t)limit;
    return ZM_OK;
}
