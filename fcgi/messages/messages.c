/*
 * messages.c -- the message center's rules and SQL (see messages.h).
 *
 * A reader's messages are the union of three index ranges of messages_message: their own
 * (user_id, id), their role's and everyone's (audience, role, id), the broadcasts from the time
 * they joined on.  Unread: above the reader's watermark and without a read row.  Every query
 * below walks those ranges and nothing else, so a broadcast to a million users costs each reader
 * what one message of their own does.
 */
#include "messages.h"

#include <string.h>

#include "live.h"
#include "str.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define ISO(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s.%fZ')"

/* the reader's message ids above a lower bound: params "iisisis" (user_id, lo, role, lo, joined, lo, joined) */
#define VISIBLE                                                                                                        \
    "(SELECT id FROM messages_message WHERE user_id = ? AND id > ? "                                                   \
    "UNION ALL SELECT id FROM messages_message WHERE audience = 'role' AND role = ? AND id > ? AND created_at >= ? "   \
    "UNION ALL SELECT id FROM messages_message WHERE audience = 'all' AND role = '' AND id > ? AND created_at >= ?) "  \
    "v "

static const char *const audiences[] = {"", "user", "role", "all"};

static int role_ok(const char *role)
{
    return role && (strcmp(role, "seeker") == 0 || strcmp(role, "hr") == 0 || strcmp(role, "admin") == 0);
}

static int kind_ok(const char *k)
{
    size_t n = k ? strlen(k) : 0;

    if (n == 0 || n > MSG_KIND_MAX) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_')) {
            return 0;
        }
    }
    return 1;
}

/* a title: valid UTF-8 on one line, without control characters */
static int title_ok(const char *s)
{
    size_t n = strlen(s);

    if (!zm_utf8_valid(s, n)) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            return 0;
        }
    }
    return 1;
}

int msg_check(const msg_t *m)
{
    const char *body;

    if (m == NULL || !kind_ok(m->kind) || m->title == NULL) {
        return ZM_EINVAL;
    }
    switch (m->audience) {
    case MSG_TO_USER:
        if (m->user_id <= 0) {
            return ZM_EINVAL;
        }
        break;
    case MSG_TO_ROLE:
        if (!role_ok(m->role)) {
            return ZM_EINVAL;
        }
        break;
    case MSG_TO_ALL:
        break;
    default:
        return ZM_EINVAL;
    }
    if (m->title[0] == '\0' || !title_ok(m->title) || zm_utf8_chars(m->title, strlen(m->title)) > MSG_TITLE_MAX) {
        return ZM_EINVAL;
    }
    body = m->body ? m->body : "";
    if (!zm_utf8_valid(body, strlen(body))) {
        return ZM_EINVAL;
    }
    if (zm_utf8_chars(body, strlen(body)) > MSG_BODY_MAX) {
        return ZM_ETOOBIG;
    }
    if (m->data && !json_object_is_type(m->data, json_type_object)) {
        return ZM_EINVAL;
    }
    if (m->data && strlen(json_object_to_json_string_ext(m->data, JSON_C_TO_STRING_PLAIN)) > MSG_DATA_MAX) {
        return ZM_ETOOBIG;
    }
    return ZM_OK;
}

/* ---- the live hint, after the commit ---- */

typedef struct {
    msg_audience_t audience;
    int64_t user_id;
    const char *role;
    int64_t id;
    const char *kind;
    const char *title;
} msg_hint_t;

static void msg_push(void *arg)
{
    const msg_hint_t *h = arg;
    json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_int64(h->id));
    json_object_object_add(o, "kind", json_object_new_string(h->kind));
    json_object_object_add(o, "title", json_object_new_string(h->title));
    json_object_object_add(o, "audience", json_object_new_string(audiences[h->audience]));
    /* best effort: a lost hint costs a page its instant badge, never the message (pubsub logs it) */
    if (h->audience == MSG_TO_USER) {
        live_user_publish(h->user_id, "message.new", o);
    } else {
        live_role_publish(h->audience == MSG_TO_ROLE ? h->role : NULL, "message.new", o);
    }
    json_object_put(o);
}

/* an id as a bound string: the one way to bind an id that may be SQL NULL */
static const char *id_text(zm_arena_t *a, int64_t id)
{
    return zm_psprintf(a, "%lld", (long long)id);
}

int msg_send(db_t *db, zm_arena_t *a, const msg_t *m, int64_t *id)
{
    const char *data = "{}";
    msg_hint_t *h;
    db_res_t res;
    int64_t n;
    int rc = msg_check(m);

    if (rc != ZM_OK) {
        return rc;
    }
    if (m->audience == MSG_TO_USER) {
        rc = db_query(db, a, &res, "SELECT id FROM auth_user WHERE id = ?", "i", m->user_id);
        if (rc != ZM_OK) {
            return rc;
        }
        if (res.nrows == 0) {
            return MSG_EUSER;
        }
    }
    if (m->data) {
        data = zm_pstrdup(
            a, json_object_to_json_string_ext(m->data, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    }
    n = db_exec(
        db,
        "INSERT INTO messages_message (audience, user_id, role, kind, title, body, data, sender_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))",
        "ssssssss", audiences[m->audience], m->audience == MSG_TO_USER ? id_text(a, m->user_id) : NULL,
        m->audience == MSG_TO_ROLE ? m->role : "", m->kind, m->title, m->body ? m->body : "", data,
        m->sender_id > 0 ? id_text(a, m->sender_id) : NULL);
    if (n < 0) {
        return (int)n;
    }
    h = zm_pcalloc(a, sizeof(*h));
    h->audience = m->audience;
    h->user_id = m->user_id;
    h->role = m->audience == MSG_TO_ROLE ? zm_pstrdup(a, m->role) : NULL;
    h->id = db_insert_id(db);
    h->kind = zm_pstrdup(a, m->kind);
    h->title = zm_pstrdup(a, m->title);
    if (id) {
        *id = h->id;
    }
    db_after_commit(db, msg_push, h);
    return ZM_OK;
}

/* ---- reading ---- */

typedef struct {
    const char *joined; /* auth_user.date_joined: broadcasts from then on */
    int64_t upto;       /* the watermark: every message up to it is read */
} reader_state_t;

static int reader_state(db_t *db, zm_arena_t *a, const msg_reader_t *who, reader_state_t *st)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT u.date_joined, COALESCE(w.read_upto, 0) FROM auth_user u "
                      "LEFT JOIN messages_watermark w ON w.user_id = u.id WHERE u.id = ?",
                      "i", who->user_id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    st->joined = db_val(&res, 0, 0);
    st->upto = db_int(&res, 0, 1);
    return ZM_OK;
}

static json_object *data_json(const char *s)
{
    json_object *o = s ? json_tokener_parse(s) : NULL;

    if (o && !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        o = NULL;
    }
    return o ? o : json_object_new_object();
}

int msg_list(db_t *db, zm_arena_t *a, const msg_reader_t *who, int unread_only, int64_t page, int64_t size,
             json_object **items, int64_t *total)
{
    reader_state_t st;
    db_res_t res;
    int64_t lo;
    int rc = reader_state(db, a, who, &st);

    if (rc != ZM_OK) {
        return rc;
    }
    lo = unread_only ? st.upto : 0;
    rc = db_query(db, a, &res,
                  "SELECT COUNT(*) FROM " VISIBLE "LEFT JOIN messages_read r ON r.user_id = ? AND r.message_id = v.id "
                  "WHERE ? = 0 OR r.message_id IS NULL",
                  "iisisisii", who->user_id, lo, who->role, lo, st.joined, lo, st.joined, who->user_id,
                  (int64_t)unread_only);
    if (rc != ZM_OK) {
        return rc;
    }
    *total = res.nrows ? db_int(&res, 0, 0) : 0;
    rc = db_query(db, a, &res,
                  "SELECT m.id, m.kind, m.title, m.body, m.data, m.audience, " ISO(
                      "m.created_at") ", "
                                      "(m.id <= ? OR r.message_id IS NOT NULL) FROM " VISIBLE
                                      "JOIN messages_message m ON m.id = v.id "
                                      "LEFT JOIN messages_read r ON r.user_id = ? AND r.message_id = m.id "
                                      "WHERE ? = 0 OR r.message_id IS NULL ORDER BY m.id DESC LIMIT ? OFFSET ?",
                  "iiisisisiiii", st.upto, who->user_id, lo, who->role, lo, st.joined, lo, st.joined, who->user_id,
                  (int64_t)unread_only, size, (page - 1) * size);
    if (rc != ZM_OK) {
        return rc;
    }
    *items = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int64(db_int(&res, r, 0)));
        json_object_object_add(o, "kind", json_object_new_string(db_val(&res, r, 1)));
        json_object_object_add(o, "title", json_object_new_string(db_val(&res, r, 2)));
        json_object_object_add(o, "body", json_object_new_string(db_val(&res, r, 3)));
        json_object_object_add(o, "data", data_json(db_val(&res, r, 4)));
        json_object_object_add(o, "audience", json_object_new_string(db_val(&res, r, 5)));
        json_object_object_add(o, "created_at", json_object_new_string(db_val(&res, r, 6)));
        json_object_object_add(o, "read", json_object_new_boolean(db_int(&res, r, 7) != 0));
        json_object_array_add(*items, o);
    }
    return ZM_OK;
}

/* one range's unread entries, at most MSG_UNREAD_CAP of them: the range's index entries above the
 * watermark, each probed in messages_read by primary key, the walk stopped at the cap */
#define CAPPED(range)                                                                                                  \
    "(SELECT COUNT(*) FROM (SELECT 1 FROM messages_message m WHERE " range " AND m.id > ? AND NOT EXISTS "             \
    "(SELECT 1 FROM messages_read r WHERE r.user_id = ? AND r.message_id = m.id) LIMIT " STR(MSG_UNREAD_CAP) ") c)"

int msg_unread_count(db_t *db, zm_arena_t *a, const msg_reader_t *who, int64_t *count)
{
    reader_state_t st;
    db_res_t res;
    int rc = reader_state(db, a, who, &st);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_query(db, a, &res,
                  "SELECT LEAST(" CAPPED("m.user_id = ?") " + " CAPPED(
                      "m.audience = 'role' AND m.role = ? AND "
                      "m.created_at >= ?") " + " CAPPED("m.audience = 'all' AND "
                                                        "m.role = '' AND "
                                                        "m.created_at >= ?") ", " STR(MSG_UNREAD_CAP) ")",
                  "iiissiisii", who->user_id, st.upto, who->user_id, who->role, st.joined, st.upto, who->user_id,
                  st.joined, st.upto, who->user_id);
    if (rc == ZM_OK) {
        *count = res.nrows ? db_int(&res, 0, 0) : 0;
    }
    return rc;
}

int msg_mark_read(db_t *db, zm_arena_t *a, const msg_reader_t *who, int64_t id)
{
    reader_state_t st;
    db_res_t res;
    int64_t n;
    int rc = reader_state(db, a, who, &st);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_query(db, a, &res,
                  "SELECT id FROM messages_message WHERE id = ? AND (user_id = ? "
                  "OR (audience = 'role' AND role = ? AND created_at >= ?) OR (audience = 'all' AND created_at >= ?))",
                  "iisss", id, who->user_id, who->role, st.joined, st.joined);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    if (id <= st.upto) {
        return ZM_OK; /* read already, by the watermark */
    }
    n = db_exec(db, "INSERT INTO messages_read (user_id, message_id, read_at) VALUES (?, ?, UTC_TIMESTAMP(6))", "ii",
                who->user_id, id);
    return n < 0 && n != ZM_EDUP ? (int)n : ZM_OK;
}

/* the reader's messages above a watermark, ascending: params as VISIBLE's */
/* SQL_NO_CACHE: never a cached (committed) answer for the dirty read (MySQL 8 accepts and ignores it) */
#define ABOVE "SELECT SQL_NO_CACHE v.id FROM " VISIBLE "ORDER BY v.id"

static int64_t *ids_of(zm_arena_t *a, const db_res_t *res)
{
    int64_t *ids = zm_palloc(a, (res->nrows + 1) * sizeof(*ids));

    for (size_t r = 0; r < res->nrows; r++) {
        ids[r] = db_int(res, r, 0);
    }
    return ids;
}

int msg_mark_all_read(db_t *db, zm_arena_t *a, const msg_reader_t *who, int64_t *marked)
{
    reader_state_t st;
    db_res_t seen, dirty;
    int64_t *c, *d, upto, late = INT64_MAX, count = 0, n;
    size_t i, j;
    int rc = reader_state(db, a, who, &st);

    if (rc != ZM_OK) {
        return rc;
    }
    if (marked) {
        *marked = 0;
    }
    /* What the reader can see now: the committed messages above the watermark (with whether each
     * is read already).  Then the same ranges read uncommitted: a message whose id was allocated
     * before the newest one here but whose transaction has not committed yet (msg_send inside a
     * domain's transaction) shows there and not here.  The watermark stops below the lowest such
     * late one, so it is not read when it commits; the seen ones above it get a read row each. */
    rc = db_query(db, a, &seen,
                  "SELECT v.id, r.message_id IS NOT NULL FROM " VISIBLE
                  "LEFT JOIN messages_read r ON r.user_id = ? AND r.message_id = v.id ORDER BY v.id",
                  "iisisisi", who->user_id, st.upto, who->role, st.upto, st.joined, st.upto, st.joined, who->user_id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (seen.nrows == 0) {
        return ZM_OK;
    }
    if ((rc = db_exec_script(db, "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED")) != ZM_OK) {
        return rc; /* the next statement's transaction only: the one below */
    }
    rc = db_query(db, a, &dirty, ABOVE, "iisisis", who->user_id, st.upto, who->role, st.upto, st.joined, st.upto,
                  st.joined);
    if (rc != ZM_OK) {
        return rc;
    }
    c = ids_of(a, &seen);
    d = ids_of(a, &dirty);
    for (i = 0, j = 0; j < dirty.nrows; j++) { /* both ascending: the first of d missing from c */
        while (i < seen.nrows && c[i] < d[j]) {
            i++;
        }
        if (i == seen.nrows || c[i] != d[j]) {
            late = d[j];
            break;
        }
    }
    upto = st.upto;
    for (i = 0; i < seen.nrows; i++) {
        if (c[i] < late) {
            upto = c[i];
        }
        count += db_int(&seen, i, 1) == 0;
    }
    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    n = 0;
    if (upto > st.upto) {
        n = db_exec(db,
                    "INSERT INTO messages_watermark (user_id, read_upto, updated_at) VALUES (?, ?, UTC_TIMESTAMP(6)) "
                    "ON DUPLICATE KEY UPDATE read_upto = GREATEST(read_upto, ?), updated_at = UTC_TIMESTAMP(6)",
                    "iii", who->user_id, upto, upto);
        if (n >= 0) {
            /* the single read rows under the watermark say nothing more */
            n = db_exec(db, "DELETE FROM messages_read WHERE user_id = ? AND message_id <= ?", "ii", who->user_id,
                        upto);
        }
    }
    for (i = 0; n >= 0 && i < seen.nrows; i++) { /* seen above a late one: read one by one */
        if (c[i] > upto && db_int(&seen, i, 1) == 0) {
            n = db_exec(db,
                        "INSERT INTO messages_read (user_id, message_id, read_at) VALUES (?, ?, UTC_TIMESTAMP(6)) "
                        "ON DUPLICATE KEY UPDATE read_at = read_at",
                        "ii", who->user_id, c[i]);
        }
    }
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    if ((rc = db_commit(db)) != ZM_OK) {
        return rc;
    }
    if (marked) {
        *marked = count;
    }
    return ZM_OK;
}
