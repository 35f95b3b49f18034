/*
 * feedback.c -- 意见收集: submit, list, review (see tickets.h).
 */
#include <string.h>

#include "conf.h"
#include "messages.h"
#include "points.h"
#include "str.h"
#include "tickets.h"

const char *const tickets_feedback_categories[] = {"suggestion", "bug", "content", "other", NULL};
const char *const tickets_feedback_statuses[] = {"pending", "adopted", "declined", NULL};

#define FB_ISO(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"
#define FB_COLS                                                                                                        \
    "f.id, f.user_id, f.category, f.body, f.status, f.reply, f.points_awarded, " FB_ISO("f.created_at") ", " FB_ISO(   \
        "f.reviewed_at") ", u.email, EXISTS (SELECT 1 FROM tickets_file x WHERE x.feedback_id = f.id)"

static json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *feedback_json(const db_res_t *res, size_t i, int staff)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_int64(db_int(res, i, 0)));
    if (staff) {
        json_object_object_add(o, "user_id", json_object_new_int64(db_int(res, i, 1)));
        json_object_object_add(o, "user_email", str_or_null(db_val(res, i, 9)));
    }
    json_object_object_add(o, "category", json_object_new_string(db_val(res, i, 2)));
    json_object_object_add(o, "body", json_object_new_string(db_val(res, i, 3)));
    json_object_object_add(o, "status", json_object_new_string(db_val(res, i, 4)));
    json_object_object_add(o, "reply", json_object_new_string(db_val(res, i, 5)));
    json_object_object_add(o, "points_awarded", json_object_new_int64(db_int(res, i, 6)));
    json_object_object_add(o, "created_at", json_object_new_string(db_val(res, i, 7)));
    json_object_object_add(o, "reviewed_at", str_or_null(db_val(res, i, 8)));
    /* GET /api/v1/feedback/{id}/screenshot has it */
    json_object_object_add(o, "screenshot", json_object_new_boolean(db_int(res, i, 10) != 0));
    return o;
}

static int feedback_get(db_t *db, zm_arena_t *a, int64_t id, int staff, json_object **out)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT " FB_COLS " FROM tickets_feedback f JOIN auth_user u ON u.id = f.user_id "
                      "WHERE f.id = ?",
                      "i", id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *out = feedback_json(&res, 0, staff);
    return ZM_OK;
}

int tickets_feedback_create(db_t *db, zm_arena_t *a, storage_t *st, int64_t user_id, const char *category,
                            const char *body, const tickets_file_t *shot, json_object **out)
{
    msg_t m = {0};
    json_object *data;
    int64_t id, n;
    int rc;

    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    n = db_exec(db,
                "INSERT INTO tickets_feedback (user_id, category, body, reply, created_at) "
                "VALUES (?, ?, ?, '', UTC_TIMESTAMP(6))",
                "iss", user_id, category, body);
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    id = db_insert_id(db);
    if (shot && (rc = tickets_files_save(db, a, st, user_id, id, 0, 0, shot, 1)) != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    data = json_object_new_object();
    json_object_object_add(data, "feedback_id", json_object_new_int64(id));
    m.audience = MSG_TO_ROLE;
    m.role = "admin";
    m.kind = "feedback.new";
    m.title = "新的意见反馈";
    m.body = zm_psprintf(a, "用户提交了一条意见反馈（#%lld），请审核。", (long long)id);
    m.data = data;
    rc = msg_send(db, a, &m, NULL);
    json_object_put(data);
    if (rc == ZM_OK) {
        rc = db_commit(db);
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    return feedback_get(db, a, id, 0, out);
}

int tickets_feedback_list(db_t *db, zm_arena_t *a, int64_t user_id, const char *status, int64_t page, int64_t size,
                          json_object **items, int64_t *total)
{
#define FB_WHERE " WHERE (? = 0 OR f.user_id = ?) AND (? = '' OR f.status = ?)"
    const char *st = status ? status : "";
    db_res_t res;
    int rc =
        db_query(db, a, &res, "SELECT COUNT(*) FROM tickets_feedback f" FB_WHERE, "iiss", user_id, user_id, st, st);

    if (rc != ZM_OK) {
        return rc;
    }
    *total = db_int(&res, 0, 0);
    rc = db_query(db, a, &res,
                  "SELECT " FB_COLS " FROM tickets_feedback f JOIN auth_user u ON u.id = f.user_id" FB_WHERE
                  " ORDER BY f.id DESC LIMIT ? OFFSET ?",
                  "iissii", user_id, user_id, st, st, size, (page - 1) * size);
    if (rc != ZM_OK) {
        return rc;
    }
    *items = json_object_new_array();
    for (size_t i = 0; i < res.nrows; i++) {
        json_object_array_add(*items, feedback_json(&res, i, user_id == 0));
    }
    return ZM_OK;
}

int tickets_feedback_review(db_t *db, zm_arena_t *a, int64_t reviewer_id, int64_t id, int adopt, const char *reply,
                            json_object **out)
{
    int64_t reward = adopt ? zm_conf_int("points.feedback_reward") : 0, owner, n;
    points_result_t pr;
    json_object *data;
    msg_t m = {0};
    db_res_t res;
    int rc;

    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    /* the row lock: a concurrent review waits here and then finds it reviewed */
    rc = db_query(db, a, &res, "SELECT user_id, status FROM tickets_feedback WHERE id = ? FOR UPDATE", "i", id);
    if (rc == ZM_OK && res.nrows == 0) {
        rc = ZM_ENOTFOUND;
    }
    if (rc == ZM_OK && strcmp(db_val(&res, 0, 1), "pending") != 0) {
        rc = TICKETS_ESTATE;
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    owner = db_int(&res, 0, 0);
    n = db_exec(db,
                "UPDATE tickets_feedback SET status = ?, reply = ?, reviewer_id = ?, points_awarded = ?, "
                "reviewed_at = UTC_TIMESTAMP(6) WHERE id = ? AND status = 'pending'",
                "ssiii", adopt ? "adopted" : "declined", reply ? reply : "", reviewer_id, reward, id);
    if (n != 1) {
        db_rollback(db);
        return n < 0 ? (int)n : TICKETS_ESTATE;
    }
    if (reward > 0) {
        rc = points_award(db, a, owner, "feedback", zm_psprintf(a, "feedback:%lld:adopt", (long long)id), reward,
                          "意见被采纳", &pr);
    }
    if (rc == ZM_OK) {
        data = json_object_new_object();
        json_object_object_add(data, "feedback_id", json_object_new_int64(id));
        json_object_object_add(data, "status", json_object_new_string(adopt ? "adopted" : "declined"));
        m.audience = MSG_TO_USER;
        m.user_id = owner;
        m.kind = adopt ? "feedback.adopted" : "feedback.declined";
        m.title = adopt ? "您的意见已被采纳" : "您的意见已处理";
        m.body = adopt ? zm_psprintf(a, "感谢您的反馈！已为您发放 %lld 积分。%s%s", (long long)reward,
                                     reply && *reply ? "\n\n回复：" : "", reply ? reply : "")
                       : zm_psprintf(a, "感谢您的反馈。%s%s", reply && *reply ? "\n\n回复：" : "", reply ? reply : "");
        m.data = data;
        rc = msg_send(db, a, &m, NULL);
        json_object_put(data);
    }
    if (rc == ZM_OK) {
        rc = db_commit(db);
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    return feedback_get(db, a, id, 1, out);
}
