/*
 * calendar.c -- 添加事件: a user's own calendar items (interviews,
 * deadlines), and the e-mail reminder 黄金会员 get at the lead time they
 * chose, sent once per arming.
 *
 * remind_at = starts_at - remind_before_minutes is kept in the row; the
 * reminder task claims a due row with UPDATE ... WHERE reminded_at IS NULL
 * (affected rows 1: this run owns it) and queues its mail.send task in the
 * same transaction (dedupe key content.remind:<id>:<remind_at>:<now>), so two
 * runs at once send one mail.  A new start or lead time sets reminded_at
 * back to NULL: the reminder is armed again for the new time.
 */
#include <string.h>

#include "accounts.h"
#include "conf.h"
#include "content.h"
#include "log.h"
#include "points.h"
#include "queue.h"

const char *const content_event_kinds[] = {"interview", "deadline", "other", NULL};

#define EV_ISO(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"
#define EV_COLS                                                                                                        \
    "id, title, kind, " EV_ISO("starts_at") ", notes, remind_before_minutes, " EV_ISO(                                 \
        "remind_at") ", remind_state, " EV_ISO("reminded_at")

static json_object *event_json(const db_res_t *res, size_t i)
{
    json_object *o = json_object_new_object(), *rem = NULL;

    json_object_object_add(o, "id", json_object_new_int64(db_int(res, i, 0)));
    json_object_object_add(o, "title", json_object_new_string(db_val(res, i, 1)));
    json_object_object_add(o, "kind", json_object_new_string(db_val(res, i, 2)));
    json_object_object_add(o, "starts_at", json_object_new_string(db_val(res, i, 3)));
    json_object_object_add(o, "notes", json_object_new_string(db_val(res, i, 4)));
    json_object_object_add(o, "remind_before_minutes",
                           db_val(res, i, 5) ? json_object_new_int64(db_int(res, i, 5)) : NULL);
    if (db_val(res, i, 6)) {
        const char *state = db_val(res, i, 7);
        rem = json_object_new_object();
        json_object_object_add(rem, "at", json_object_new_string(db_val(res, i, 6)));
        json_object_object_add(rem, "state", json_object_new_string(state ? state : "pending"));
        json_object_object_add(rem, "done_at", db_val(res, i, 8) ? json_object_new_string(db_val(res, i, 8)) : NULL);
    }
    json_object_object_add(o, "reminder", rem);
    return o;
}

int content_event_list(db_t *db, zm_arena_t *a, int64_t user_id, int64_t from, int64_t to, int64_t page, int64_t size,
                       json_object **items, int64_t *total)
{
#define EV_WHERE                                                                                                       \
    " FROM content_event WHERE user_id = ? AND (? = 0 OR starts_at >= FROM_UNIXTIME(?)) AND "                          \
    "(? = 0 OR starts_at < FROM_UNIXTIME(?))"
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT COUNT(*)" EV_WHERE, "iiiii", user_id, from, from, to, to);

    if (rc != ZM_OK) {
        return rc;
    }
    *total = db_int(&res, 0, 0);
    rc = db_query(db, a, &res, "SELECT " EV_COLS EV_WHERE " ORDER BY starts_at, id LIMIT ? OFFSET ?", "iiiiiii",
                  user_id, from, from, to, to, size, (page - 1) * size);
    if (rc != ZM_OK) {
        return rc;
    }
    *items = json_object_new_array();
    for (size_t i = 0; i < res.nrows; i++) {
        json_object_array_add(*items, event_json(&res, i));
    }
    return ZM_OK;
}

static int event_get(db_t *db, zm_arena_t *a, int64_t user_id, int64_t id, json_object **out)
{
    db_res_t res;
    int rc =
        db_query(db, a, &res, "SELECT " EV_COLS " FROM content_event WHERE id = ? AND user_id = ?", "ii", id, user_id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *out = event_json(&res, 0);
    return ZM_OK;
}

int content_event_create(db_t *db, zm_arena_t *a, int64_t user_id, const content_event_in_t *in, json_object **out)
{
    int64_t lead = in->remind_mins, rc;

    rc = db_exec(db,
                 "INSERT INTO content_event (user_id, title, kind, starts_at, notes, remind_before_minutes, "
                 "remind_at, created_at, updated_at) VALUES (?, ?, ?, FROM_UNIXTIME(?), ?, IF(? < 0, NULL, ?), "
                 "IF(? < 0, NULL, FROM_UNIXTIME(?) - INTERVAL ? MINUTE), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                 "issisiiiii", user_id, in->title, in->kind, in->starts_at, in->notes ? in->notes : "", lead, lead,
                 lead, in->starts_at, lead < 0 ? (int64_t)0 : lead);
    if (rc < 0) {
        return (int)rc;
    }
    return event_get(db, a, user_id, db_insert_id(db), out);
}

int content_event_update(db_t *db, zm_arena_t *a, int64_t user_id, int64_t id, const content_event_in_t *in,
                         json_object **out)
{
    int64_t rc;
    db_res_t res;

    /*
     * One statement: the new start and lead time (each, or as stored), remind_at from both (MySQL and
     * MariaDB assign a single-table SET left to right, with the new values), and the reminder re-armed
     * when either was given.
     */
    rc = db_exec(
        db,
        "UPDATE content_event SET reminded_at = IF(? = 0 AND ? = 0, reminded_at, NULL), "
        "remind_state = IF(? = 0 AND ? = 0, remind_state, NULL), "
        "title = COALESCE(?, title), kind = COALESCE(?, kind), notes = COALESCE(?, notes), "
        "starts_at = IF(? > 0, FROM_UNIXTIME(?), starts_at), "
        "remind_before_minutes = IF(? = 0, remind_before_minutes, IF(? < 0, NULL, ?)), "
        "remind_at = IF(remind_before_minutes IS NULL, NULL, starts_at - INTERVAL remind_before_minutes MINUTE), "
        "updated_at = UTC_TIMESTAMP(6) WHERE id = ? AND user_id = ?",
        "iiiisssiiIiiii", in->starts_at, (int64_t)in->set_remind, in->starts_at, (int64_t)in->set_remind, in->title,
        in->kind, in->notes, in->starts_at, in->starts_at, in->set_remind, in->remind_mins, in->remind_mins, id,
        user_id);
    if (rc < 0) {
        return (int)rc;
    }
    rc = db_query(db, a, &res, "SELECT 1 FROM content_event WHERE id = ? AND user_id = ?", "ii", id, user_id);
    if (rc != ZM_OK) {
        return (int)rc;
    }
    return res.nrows == 0 ? ZM_ENOTFOUND : event_get(db, a, user_id, id, out);
}

int content_event_delete(db_t *db, int64_t user_id, int64_t id)
{
    int64_t rc = db_exec(db, "DELETE FROM content_event WHERE id = ? AND user_id = ?", "ii", id, user_id);

    return rc < 0 ? (int)rc : rc == 0 ? ZM_ENOTFOUND : ZM_OK;
}

static int queue_mail(db_t *db, zm_arena_t *a, int64_t user_id, int64_t id, const char *remind_at, int64_t now,
                      const char *title, const char *kind, const char *starts_at, const char *notes)
{
    static const char *const kind_labels[] = {"面试", "截止日期", "事项"};
    const char *label = kind_labels[2];
    acc_user_t u;
    json_object *p;
    task_new_t t;
    char *text;
    int rc = acc_get_user(db, a, user_id, &u);

    if (rc != ZM_OK) {
        return rc;
    }
    for (int i = 0; content_event_kinds[i]; i++) {
        if (strcmp(kind, content_event_kinds[i]) == 0) {
            label = kind_labels[i];
        }
    }
    text = zm_psprintf(a,
                       "您好，\n\n"
                       "提醒您：您的%s「%s」将于 %s（UTC）开始。\n\n"
                       "%s%s"
                       "查看日历：%s/calendar\n\n"
                       "—— 职麦团队\n",
                       label, title, starts_at, notes[0] ? notes : "", notes[0] ? "\n\n" : "",
                       zm_conf_str("app.base_url"));
    if (text == NULL) {
        return ZM_ENOMEM;
    }
    p = json_object_new_object();
    json_object_object_add(p, "to", json_object_new_string(u.email));
    json_object_object_add(p, "subject", json_object_new_string(zm_psprintf(a, "【职麦】日历提醒：%s", title)));
    json_object_object_add(p, "text", json_object_new_string(text));
    memset(&t, 0, sizeof(t));
    t.type = "mail.send";
    t.payload_json = zm_pstrdup(a, json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
    t.priority = TASK_PRIO_HIGH;
    t.user_id = user_id;
    /* once per claim (the claim is what makes it once; the key only guards a retried enqueue) */
    t.dedupe_key = zm_psprintf(a, "content.remind:%lld:%s:%lld", (long long)id, remind_at, (long long)now);
    json_object_put(p);
    if (t.payload_json == NULL || t.dedupe_key == NULL) {
        return ZM_ENOMEM;
    }
    rc = task_enqueue(db, &t, NULL);
    return rc == ZM_EDUP ? ZM_OK : rc;
}

/* claim and handle one due event: 1 when this call claimed it, 0 when another run had */
static int remind_one(db_t *db, zm_arena_t *a, const db_res_t *due, size_t i, int64_t now, content_remind_t *res)
{
    int64_t id = db_int(due, i, 0), user_id = db_int(due, i, 1), started = db_int(due, i, 7) <= now;
    const char *remind_at = db_val(due, i, 2);
    const char *state = "sent";
    int need, rc;
    int64_t k;

    if (started) {
        state = "late";
    } else {
        rc = points_require_benefit(db, a, user_id, POINTS_BENEFIT_CALENDAR_MAIL, &need);
        if (rc == POINTS_ELEVEL) {
            state = "not_member";
        } else if (rc != ZM_OK) {
            return rc;
        }
    }
    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    k = db_exec(db,
                "UPDATE content_event SET reminded_at = FROM_UNIXTIME(?), remind_state = ? WHERE id = ? AND "
                "reminded_at IS NULL AND remind_at = ?",
                "isis", now, state, id, remind_at);
    if (k == 1 && strcmp(state, "sent") == 0) {
        rc = queue_mail(db, a, user_id, id, db_val(due, i, 6), now, db_val(due, i, 3), db_val(due, i, 4),
                        db_val(due, i, 5), db_val(due, i, 8));
        k = rc < 0 ? rc : k;
    }
    if (k != 1) {
        db_rollback(db);
        return k < 0 ? (int)k : 0; /* 0: another run claimed it first */
    }
    if ((rc = db_commit(db)) != ZM_OK) {
        return rc;
    }
    res->sent += strcmp(state, "sent") == 0;
    res->not_member += strcmp(state, "not_member") == 0;
    res->late += strcmp(state, "late") == 0;
    return 1;
}

int content_remind_due(db_t *db, zm_arena_t *a, int64_t now, int limit, content_remind_t *res)
{
    db_res_t due;
    int rc;

    memset(res, 0, sizeof(*res));
    /* by content_event_due (reminded_at, remind_at) */
    rc = db_query(db, a, &due,
                  "SELECT id, user_id, remind_at, title, kind, " EV_ISO("starts_at") ", " EV_ISO(
                      "remind_at") ", FLOOR(UNIX_TIMESTAMP(starts_at)), "
                                   "notes FROM content_event WHERE "
                                   "reminded_at IS NULL AND "
                                   "remind_at <= FROM_UNIXTIME(?) "
                                   "ORDER BY remind_at, id LIMIT ?",
                  "iI", now, limit);
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t i = 0; i < due.nrows; i++) {
        rc = remind_one(db, a, &due, i, now, res);
        if (rc < 0) {
            zm_log_warn("content: reminder of event %s: %s", db_val(&due, i, 0), zm_strerror(rc));
            return rc;
        }
    }
    return ZM_OK;
}
