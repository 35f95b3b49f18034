/*
 * tickets.c -- 工单: open, list, read, reply, staff updates (see tickets.h).
 */
#include <string.h>

#include "conf.h"
#include "messages.h"
#include "str.h"
#include "tickets.h"

const char *const tickets_categories[] = {"account", "payment", "technical", "other", NULL};
const char *const tickets_statuses[] = {"open", "in_progress", "waiting_user", "resolved", "closed", NULL};
const char *const tickets_priorities[] = {"low", "normal", "high", "urgent", NULL};

static const char *const status_labels[] = {"待处理", "处理中", "待您回复", "已解决", "已关闭"};

#define TK_ISO(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"
/* the columns ticket_json reads, in its order */
#define TK_COLS                                                                                                        \
    "t.id, t.user_id, t.category, t.subject, t.description, t.status, t.priority, t.assignee_id, "                     \
    "DATE_FORMAT(t.first_response_due, '%Y-%m-%dT%H:%i:%sZ'), "                                                        \
    "DATE_FORMAT(t.first_response_at, '%Y-%m-%dT%H:%i:%sZ'), "                                                         \
    "DATE_FORMAT(t.created_at, '%Y-%m-%dT%H:%i:%sZ'), "                                                                \
    "DATE_FORMAT(t.updated_at, '%Y-%m-%dT%H:%i:%sZ'), "                                                                \
    "DATE_FORMAT(t.done_at + INTERVAL 7 DAY, '%Y-%m-%dT%H:%i:%sZ'), "                                                  \
    "(t.first_response_at IS NULL AND t.first_response_due < UTC_TIMESTAMP(6)), u.email, a.email"
#define TK_FROM                                                                                                        \
    " FROM tickets_ticket t JOIN auth_user u ON u.id = t.user_id LEFT JOIN auth_user a ON a.id = t.assignee_id"

static int index_of(const char *const *list, const char *s)
{
    for (int i = 0; s && list[i]; i++) {
        if (strcmp(list[i], s) == 0) {
            return i;
        }
    }
    return -1;
}

int tickets_transition_ok(const char *from, const char *to)
{
    /* rows: from; columns: to (open, in_progress, waiting_user, resolved, closed) */
    static const char ok[5][5] = {
        {0, 1, 1, 1, 1}, /* open */
        {0, 0, 1, 1, 1}, /* in_progress */
        {0, 1, 0, 1, 1}, /* waiting_user */
        {0, 1, 0, 0, 1}, /* resolved: staff reopen or close */
        {0, 1, 0, 0, 0}, /* closed: staff reopen */
    };
    int f = index_of(tickets_statuses, from), t = index_of(tickets_statuses, to);

    return f >= 0 && t >= 0 && ok[f][t];
}

static int64_t sla_hours(const char *priority)
{
    static const char *const keys[] = {"tickets.first_response_hours_low", "tickets.first_response_hours_normal",
                                       "tickets.first_response_hours_high", "tickets.first_response_hours_urgent"};
    int i = index_of(tickets_priorities, priority);

    return zm_conf_int(keys[i < 0 ? 1 : i]);
}

static json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *ticket_json(const db_res_t *res, size_t i, int staff)
{
    json_object *o = json_object_new_object();
    const char *status = db_val(res, i, 5);

    json_object_object_add(o, "id", json_object_new_int64(db_int(res, i, 0)));
    json_object_object_add(o, "category", json_object_new_string(db_val(res, i, 2)));
    json_object_object_add(o, "subject", json_object_new_string(db_val(res, i, 3)));
    json_object_object_add(o, "description", json_object_new_string(db_val(res, i, 4)));
    json_object_object_add(o, "status", json_object_new_string(status));
    json_object_object_add(o, "priority", json_object_new_string(db_val(res, i, 6)));
    json_object_object_add(o, "assigned", json_object_new_boolean(db_val(res, i, 7) != NULL));
    json_object_object_add(o, "first_response_at", str_or_null(db_val(res, i, 9)));
    json_object_object_add(o, "created_at", json_object_new_string(db_val(res, i, 10)));
    json_object_object_add(o, "updated_at", json_object_new_string(db_val(res, i, 11)));
    json_object_object_add(
        o, "reopen_until",
        (strcmp(status, "resolved") == 0 || strcmp(status, "closed") == 0) ? str_or_null(db_val(res, i, 12)) : NULL);
    if (staff) {
        json_object_object_add(o, "user_id", json_object_new_int64(db_int(res, i, 1)));
        json_object_object_add(o, "user_email", str_or_null(db_val(res, i, 14)));
        json_object_object_add(o, "assignee_id", db_val(res, i, 7) ? json_object_new_int64(db_int(res, i, 7)) : NULL);
        json_object_object_add(o, "assignee_email", str_or_null(db_val(res, i, 15)));
        json_object_object_add(o, "first_response_due", json_object_new_string(db_val(res, i, 8)));
        json_object_object_add(o, "sla_breached", json_object_new_boolean(db_int(res, i, 13) != 0));
    }
    return o;
}

typedef struct {
    int64_t user_id, assignee_id;
    const char *status, *priority, *subject;
    int first_response; /* first_response_at set */
    int window_open;    /* done_at within the reopen window */
} ticket_row_t;

/* the row, locked for the transaction's decision */
static int ticket_lock(db_t *db, zm_arena_t *a, int64_t id, ticket_row_t *t)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT user_id, COALESCE(assignee_id, 0), status, priority, subject, first_response_at IS NOT "
                      "NULL, (done_at IS NOT NULL AND done_at > UTC_TIMESTAMP(6) - INTERVAL ? DAY) "
                      "FROM tickets_ticket WHERE id = ? FOR UPDATE",
                      "ii", (int64_t)TICKETS_REOPEN_DAYS, id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    t->user_id = db_int(&res, 0, 0);
    t->assignee_id = db_int(&res, 0, 1);
    t->status = db_val(&res, 0, 2);
    t->priority = db_val(&res, 0, 3);
    t->subject = db_val(&res, 0, 4);
    t->first_response = db_int(&res, 0, 5) != 0;
    t->window_open = db_int(&res, 0, 6) != 0;
    return ZM_OK;
}

/* tell the owner (to_owner) or staff (the assignee, else every admin) about ticket id */
static int tell(db_t *db, zm_arena_t *a, int64_t id, const ticket_row_t *t, int to_owner, const char *kind,
                const char *title, const char *body, const char *status)
{
    json_object *data = json_object_new_object();
    msg_t m = {0};
    int rc;

    json_object_object_add(data, "ticket_id", json_object_new_int64(id));
    if (status) {
        json_object_object_add(data, "status", json_object_new_string(status));
    }
    if (to_owner) {
        m.audience = MSG_TO_USER;
        m.user_id = t->user_id;
    } else if (t->assignee_id > 0) {
        m.audience = MSG_TO_USER;
        m.user_id = t->assignee_id;
    } else {
        m.audience = MSG_TO_ROLE;
        m.role = "admin";
    }
    m.kind = kind;
    m.title = title;
    m.body = body;
    m.data = data;
    rc = msg_send(db, a, &m, NULL);
    json_object_put(data);
    return rc;
}

static int finish(db_t *db, int rc)
{
    if (rc == ZM_OK) {
        rc = db_commit(db);
    }
    if (rc != ZM_OK) {
        db_rollback(db);
    }
    return rc;
}

int tickets_create(db_t *db, zm_arena_t *a, storage_t *st, int64_t user_id, const char *category, const char *subject,
                   const char *description, const char *priority, const tickets_file_t *files, size_t nfiles,
                   json_object **out)
{
    ticket_row_t t = {0};
    int64_t id, n;
    int rc;

    if (!priority) {
        priority = "normal";
    }
    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    n = db_exec(db,
                "INSERT INTO tickets_ticket (user_id, category, subject, description, status, priority, "
                "first_response_due, created_at, updated_at) VALUES (?, ?, ?, ?, 'open', ?, "
                "UTC_TIMESTAMP(6) + INTERVAL ? HOUR, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                "issssi", user_id, category, subject, description, priority, sla_hours(priority));
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    id = db_insert_id(db);
    if (nfiles && (rc = tickets_files_save(db, a, st, user_id, 0, id, 0, files, nfiles)) != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    t.user_id = user_id;
    rc = tell(db, a, id, &t, 0, "ticket.new", "新工单", zm_psprintf(a, "工单 #%lld：%s", (long long)id, subject),
              "open");
    if ((rc = finish(db, rc)) != ZM_OK) {
        return rc;
    }
    return tickets_get(db, a, 0, user_id, id, out);
}

int tickets_list(db_t *db, zm_arena_t *a, int staff, int64_t user_id, const char *status, int64_t assignee,
                 const char *priority, int64_t page, int64_t size, json_object **items, int64_t *total)
{
#define TK_WHERE                                                                                                       \
    " WHERE (? = 0 OR t.user_id = ?) AND (? = '' OR t.status = ?) AND (? = '' OR t.priority = ?) AND "                 \
    "(? < 0 OR (? = 0 AND t.assignee_id IS NULL) OR t.assignee_id = ?)"
    const char *st = status ? status : "", *pr = priority ? priority : "";
    int64_t uid = staff ? 0 : user_id, as = staff ? assignee : -1;
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT COUNT(*) FROM tickets_ticket t" TK_WHERE, "iissssiii", uid, uid, st, st, pr,
                      pr, as, as, as);

    if (rc != ZM_OK) {
        return rc;
    }
    *total = db_int(&res, 0, 0);
    rc = db_query(db, a, &res, "SELECT " TK_COLS TK_FROM TK_WHERE " ORDER BY t.id DESC LIMIT ? OFFSET ?", "iissssiiiii",
                  uid, uid, st, st, pr, pr, as, as, as, size, (page - 1) * size);
    if (rc != ZM_OK) {
        return rc;
    }
    *items = json_object_new_array();
    for (size_t i = 0; i < res.nrows; i++) {
        json_object_array_add(*items, ticket_json(&res, i, staff));
    }
    return ZM_OK;
}

int tickets_get(db_t *db, zm_arena_t *a, int staff, int64_t user_id, int64_t id, json_object **out)
{
    json_object *replies;
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT " TK_COLS TK_FROM " WHERE t.id = ? AND (? = 1 OR t.user_id = ?)", "iii", id,
                      (int64_t)(staff != 0), user_id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *out = ticket_json(&res, 0, staff);
    rc = db_query(db, a, &res,
                  "SELECT r.id, r.author_id, r.staff, r.body, " TK_ISO(
                      "r.created_at") ", u.email FROM tickets_reply r JOIN auth_user u ON u.id = r.author_id "
                                      "WHERE r.ticket_id = ? ORDER BY r.id",
                  "i", id);
    if (rc != ZM_OK) {
        json_object_put(*out);
        return rc;
    }
    replies = json_object_new_array();
    for (size_t i = 0; i < res.nrows; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int64(db_int(&res, i, 0)));
        json_object_object_add(o, "from", json_object_new_string(db_int(&res, i, 2) ? "staff" : "user"));
        json_object_object_add(o, "body", json_object_new_string(db_val(&res, i, 3)));
        json_object_object_add(o, "created_at", json_object_new_string(db_val(&res, i, 4)));
        if (staff) {
            json_object_object_add(o, "author_id", json_object_new_int64(db_int(&res, i, 1)));
            json_object_object_add(o, "author_email", str_or_null(db_val(&res, i, 5)));
        }
        json_object_array_add(replies, o);
    }
    json_object_object_add(*out, "replies", replies);
    /* every file of the thread: the ticket's own (reply_id null) and the replies' */
    json_object_object_add(*out, "attachments", tickets_files_json(db, a, 0, id));
    return ZM_OK;
}

int tickets_reply(db_t *db, zm_arena_t *a, storage_t *st, int staff, int64_t user_id, int64_t id, const char *body,
                  const tickets_file_t *files, size_t nfiles, json_object **out)
{
    const char *to = NULL; /* the new status, NULL unchanged */
    ticket_row_t t;
    int64_t n;
    int rc;

    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    rc = ticket_lock(db, a, id, &t);
    if (rc == ZM_OK && !staff && t.user_id != user_id) {
        rc = ZM_ENOTFOUND;
    }
    if (rc == ZM_OK) {
        int done = strcmp(t.status, "resolved") == 0 || strcmp(t.status, "closed") == 0;
        if (staff) {
            if (done) {
                rc = TICKETS_ESTATE; /* staff reopen it first (PATCH status) */
            } else if (strcmp(t.status, "open") == 0) {
                to = "in_progress";
            }
        } else if (done) {
            if (!t.window_open) {
                rc = TICKETS_EWINDOW;
            } else {
                to = "in_progress"; /* the owner reopens it */
            }
        } else if (strcmp(t.status, "waiting_user") == 0) {
            to = "in_progress";
        }
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    n = db_exec(db,
                "INSERT INTO tickets_reply (ticket_id, author_id, staff, body, created_at) "
                "VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))",
                "iiis", id, user_id, (int64_t)(staff != 0), body);
    if (n >= 0 && nfiles) {
        int64_t reply = db_insert_id(db);
        if ((rc = tickets_files_save(db, a, st, user_id, 0, id, reply, files, nfiles)) != ZM_OK) {
            db_rollback(db);
            return rc;
        }
    }
    if (n >= 0) {
        n = db_exec(db,
                    "UPDATE tickets_ticket SET status = COALESCE(?, status), updated_at = UTC_TIMESTAMP(6), "
                    "first_response_at = IF(? = 1 AND first_response_at IS NULL, UTC_TIMESTAMP(6), first_response_at) "
                    "WHERE id = ?",
                    "sii", to, (int64_t)(staff != 0), id);
    }
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    if (staff) {
        rc = tell(db, a, id, &t, 1, "ticket.reply", "您的工单有新回复",
                  zm_psprintf(a, "工单 #%lld「%s」收到客服回复。", (long long)id, t.subject), to);
    } else {
        rc = tell(db, a, id, &t, 0, to && strcmp(t.status, "waiting_user") != 0 ? "ticket.reopen" : "ticket.reply",
                  to && strcmp(t.status, "waiting_user") != 0 ? "工单已被用户重新打开" : "工单有用户回复",
                  zm_psprintf(a, "工单 #%lld「%s」：用户回复了。", (long long)id, t.subject), to);
    }
    if ((rc = finish(db, rc)) != ZM_OK) {
        return rc;
    }
    return tickets_get(db, a, staff, user_id, id, out);
}

static int assignee_ok(db_t *db, zm_arena_t *a, int64_t id)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT u.id FROM auth_user u LEFT JOIN zm_user_profile p ON p.user_id = u.id "
                      "WHERE u.id = ? AND u.is_active = 1 AND COALESCE(p.role, IF(u.is_superuser = 1, 'admin', "
                      "'seeker')) = 'admin'",
                      "i", id);

    return rc != ZM_OK ? rc : res.nrows ? ZM_OK : TICKETS_EASSIGNEE;
}

int tickets_staff_update(db_t *db, zm_arena_t *a, int64_t staff_id, int64_t id, const tickets_update_t *u,
                         json_object **out)
{
    const char *status = NULL, *priority = NULL;
    int assign = 0, done_to, st;
    ticket_row_t t;
    int64_t n;
    int rc;

    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    rc = ticket_lock(db, a, id, &t);
    if (rc == ZM_OK && u->status && strcmp(u->status, t.status) != 0) {
        if (!tickets_transition_ok(t.status, u->status)) {
            rc = TICKETS_ESTATE;
        } else {
            status = u->status;
        }
    }
    if (rc == ZM_OK && u->priority && strcmp(u->priority, t.priority) != 0) {
        priority = u->priority;
    }
    if (rc == ZM_OK && u->set_assignee && u->assignee_id != t.assignee_id) {
        rc = u->assignee_id > 0 ? assignee_ok(db, a, u->assignee_id) : ZM_OK;
        assign = 1;
    }
    if (rc != ZM_OK || (!status && !priority && !assign)) {
        db_rollback(db);
        return rc != ZM_OK ? rc : tickets_get(db, a, 1, staff_id, id, out);
    }
    done_to = status && (strcmp(status, "resolved") == 0 || strcmp(status, "closed") == 0);
    n = db_exec(db,
                "UPDATE tickets_ticket SET status = COALESCE(?, status), priority = COALESCE(?, priority), "
                "assignee_id = IF(? = 1, NULLIF(?, 0), assignee_id), updated_at = UTC_TIMESTAMP(6), "
                "done_at = IF(? = 1, UTC_TIMESTAMP(6), IF(? = 1, NULL, done_at)), "
                "first_response_due = IF(? IS NOT NULL AND first_response_at IS NULL, created_at + INTERVAL ? HOUR, "
                "first_response_due) WHERE id = ?",
                "ssiiiisii", status, priority, (int64_t)assign, u->assignee_id, (int64_t)done_to,
                (int64_t)(status && !done_to), priority, priority ? sla_hours(priority) : 0, id);
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    if (status) {
        st = index_of(tickets_statuses, status);
        rc = tell(db, a, id, &t, 1, "ticket.status", "工单状态更新",
                  zm_psprintf(a, "工单 #%lld「%s」状态：%s。", (long long)id, t.subject, status_labels[st]), status);
    }
    if (rc == ZM_OK && assign && u->assignee_id > 0 && u->assignee_id != staff_id) {
        ticket_row_t to = t;
        to.assignee_id = u->assignee_id;
        rc = tell(db, a, id, &to, 0, "ticket.assigned", "工单已分配给您",
                  zm_psprintf(a, "工单 #%lld「%s」已分配给您。", (long long)id, t.subject), NULL);
    }
    if ((rc = finish(db, rc)) != ZM_OK) {
        return rc;
    }
    return tickets_get(db, a, 1, staff_id, id, out);
}
