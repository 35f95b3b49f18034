/*
 * files.c -- the files users attach to feedback and tickets (see tickets.h): checked by content,
 * stored through storage.h inside the caller's transaction, found again only for the owner and staff.
 */
#include <string.h>

#include "filetype.h"
#include "storage.h"
#include "str.h"
#include "tickets.h"

const char *tickets_file_type(const char *data, size_t len, int images_only)
{
    const char *mime = ft_sniff_image(data, len);
    ft_type_t t;

    if (mime || images_only) {
        return mime;
    }
    t = ft_sniff(data, len, "", &mime);
    return t == FT_PDF || t == FT_TEXT ? mime : NULL;
}

int tickets_files_save(db_t *db, zm_arena_t *a, storage_t *st, int64_t user_id, int64_t feedback_id, int64_t ticket_id,
                       int64_t reply_id, const tickets_file_t *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *key;
        int64_t id, rc;

        rc = db_exec(db,
                     "INSERT INTO tickets_file (user_id, feedback_id, ticket_id, reply_id, file_name, content_type, "
                     "size, storage_key, created_at) VALUES (?, NULLIF(?, 0), NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, '', "
                     "UTC_TIMESTAMP(6))",
                     "iiiissi", user_id, feedback_id, ticket_id, reply_id, files[i].name, files[i].mime,
                     (int64_t)files[i].len);
        if (rc < 0) {
            return (int)rc;
        }
        id = db_insert_id(db);
        key = feedback_id ? zm_psprintf(a, "feedback/%lld/%lld", (long long)feedback_id, (long long)id)
                          : zm_psprintf(a, "tickets/%lld/%lld", (long long)ticket_id, (long long)id);
        rc = db_exec(db, "UPDATE tickets_file SET storage_key = ? WHERE id = ?", "si", key, id);
        if (rc < 0) {
            return (int)rc;
        }
        /* the bytes before the commit: a failed put rolls the rows back (a failed commit after it leaves
         * an unreferenced file, never a row without its file) */
        if ((rc = storage_put(st, a, key, files[i].data, files[i].len, files[i].mime)) != ZM_OK) {
            return (int)rc;
        }
    }
    return ZM_OK;
}

json_object *tickets_files_json(db_t *db, zm_arena_t *a, int64_t feedback_id, int64_t ticket_id)
{
    json_object *arr = json_object_new_array();
    db_res_t res;

    if (db_query(db, a, &res,
                 "SELECT id, COALESCE(reply_id, 0), file_name, content_type, size FROM tickets_file "
                 "WHERE (? > 0 AND feedback_id = ?) OR (? > 0 AND ticket_id = ?) ORDER BY id",
                 "iiii", feedback_id, feedback_id, ticket_id, ticket_id) != ZM_OK) {
        return arr;
    }
    for (size_t i = 0; i < res.nrows; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int64(db_int(&res, i, 0)));
        json_object_object_add(o, "reply_id", db_int(&res, i, 1) ? json_object_new_int64(db_int(&res, i, 1)) : NULL);
        json_object_object_add(o, "name", json_object_new_string(db_val(&res, i, 2)));
        json_object_object_add(o, "content_type", json_object_new_string(db_val(&res, i, 3)));
        json_object_object_add(o, "size", json_object_new_int64(db_int(&res, i, 4)));
        json_object_array_add(arr, o);
    }
    return arr;
}

int tickets_file_find(db_t *db, zm_arena_t *a, int staff, int64_t user_id, int64_t feedback_id, int64_t ticket_id,
                      int64_t file_id, tickets_stored_t *f)
{
    db_res_t res;
    int rc;

    if (feedback_id > 0) {
        rc = db_query(db, a, &res,
                      "SELECT f.storage_key, f.file_name, f.content_type FROM tickets_file f "
                      "JOIN tickets_feedback b ON b.id = f.feedback_id WHERE f.feedback_id = ? "
                      "AND (? = 1 OR b.user_id = ?) ORDER BY f.id LIMIT 1",
                      "iii", feedback_id, (int64_t)(staff != 0), user_id);
    } else {
        rc = db_query(db, a, &res,
                      "SELECT f.storage_key, f.file_name, f.content_type FROM tickets_file f "
                      "JOIN tickets_ticket t ON t.id = f.ticket_id WHERE f.id = ? AND f.ticket_id = ? "
                      "AND (? = 1 OR t.user_id = ?)",
                      "iiii", file_id, ticket_id, (int64_t)(staff != 0), user_id);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    f->key = db_val(&res, 0, 0);
    f->name = db_val(&res, 0, 1);
    f->content_type = db_val(&res, 0, 2);
    return ZM_OK;
}
