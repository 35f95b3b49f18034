/*
 * interview.c -- sessions, the transcript and materials: the SQL of interview_session,
 * interview_turn and interview_material (migrations/0023_interview.sql), and the plan.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "analysis.h"
#include "conf.h"
#include "content.h"
#include "interview.h"
#include "llm.h"
#include "log.h"
#include "points.h"
#include "queue.h"
#include "str.h"

const char *const iv_types[] = {"technical", "behavioral", "hr", "mixed", NULL};
const char *const iv_difficulties[] = {"easy", "medium", "hard", NULL};
const char *const iv_languages[] = {"zh", "en", NULL};

#define TS(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"

void iv_channel(int64_t session_id, char *buf, size_t n)
{
    snprintf(buf, n, "interview_%lld", (long long)session_id);
}

static json_object *parse_json(const char *s)
{
    json_object *o = s ? json_tokener_parse(s) : NULL;
    return o ? o : json_object_new_object();
}

static void json_put(void *o)
{
    json_object_put(o);
}

/* ---- the plan ---- */

static int category_fits(const char *type, const char *cat)
{
    if (strcmp(type, "technical") == 0) {
        return strcmp(cat, "technical") == 0 || strcmp(cat, "project") == 0;
    }
    if (strcmp(type, "behavioral") == 0) {
        return strcmp(cat, "behavioral") == 0 || strcmp(cat, "project") == 0;
    }
    if (strcmp(type, "hr") == 0) {
        return strcmp(cat, "hr") == 0 || strcmp(cat, "behavioral") == 0;
    }
    return 1;
}

/* the questions admins added to the classic bank (content.h; the analyzer's own are already in its
 * prediction): those of the type's categories whose tag is in the role, JD, notes or resume, or that
 * have none, first in the plan, at most half of it */
static void admin_questions(db_t *db, zm_arena_t *a, const iv_config_t *c, const char *job, json_object *plan, int want)
{
    content_qfilter_t f = {0};
    int take = want / 2 > 0 ? want / 2 : 1;

    /* the bank is a few hundred questions: a few pages at most (generate is not a hot path) */
    for (int64_t page = 1, total = 1; take > 0 && page <= 5 && (page - 1) * 200 < total; page++) {
        json_object *items, *v;
        if (content_question_list(db, a, &f, page, 200, &items, &total) != ZM_OK) {
            return; /* the analyzer's questions alone */
        }
        for (size_t i = 0; i < json_object_array_length(items) && take > 0; i++) {
            json_object *q = json_object_array_get_idx(items, i), *item;
            const char *src = json_object_object_get_ex(q, "source", &v) ? json_object_get_string(v) : "";
            const char *cat = json_object_object_get_ex(q, "category", &v) ? json_object_get_string(v) : "";
            const char *tag = json_object_object_get_ex(q, "tag", &v) && v ? json_object_get_string(v) : "";
            if (strcmp(src, "admin") != 0 || !category_fits(c->type, cat) ||
                (tag && *tag && !(job && strcasestr(job, tag)) &&
                 !(c->resume_text && strcasestr(c->resume_text, tag)))) {
                continue;
            }
            item = json_object_new_object();
            json_object_object_add(item, "index", json_object_new_int((int)json_object_array_length(plan)));
            json_object_object_add(item, "category", json_object_new_string(cat));
            json_object_object_add(item, "question", json_object_get(json_object_object_get(q, "question")));
            json_object_object_add(item, "why", json_object_get(json_object_object_get(q, "why")));
            json_object_object_add(item, "outline",
                                   json_object_object_get_ex(q, "outline", &v) ? json_object_get(v)
                                                                               : json_object_new_array());
            json_object_array_add(plan, item);
            take--;
        }
        json_object_put(items);
    }
}

int iv_plan_build(db_t *db, zm_arena_t *a, const iv_config_t *c, json_object **plan)
{
    zm_buf_t job = {0};
    json_object *qs, *groups;
    int rc, want = c->questions > 0 ? c->questions : 5;
    size_t ng;

    if (c->role && *c->role) {
        zm_buf_puts(a, &job, c->role);
        zm_buf_puts(a, &job, "\n");
    }
    if (c->jd && *c->jd) {
        zm_buf_puts(a, &job, c->jd);
        zm_buf_puts(a, &job, "\n");
    }
    if (c->notes && *c->notes) {
        zm_buf_puts(a, &job, c->notes);
    }
    rc = an_builtin_questions(a, c->resume_text, job.data, 50, &qs);
    if (rc != ZM_OK) {
        return rc;
    }
    *plan = json_object_new_array();
    if (db != NULL) {
        admin_questions(db, a, c, job.data, *plan, want);
    }
    if (!json_object_object_get_ex(qs, "groups", &groups)) {
        json_object_put(qs);
        return ZM_ERR;
    }
    ng = json_object_array_length(groups);
    /* two passes: the type's categories first, then anything, interleaving the groups (mixed) */
    for (int pass = 0; pass < 2 && (int)json_object_array_length(*plan) < want; pass++) {
        for (size_t k = 0; (int)json_object_array_length(*plan) < want; k++) {
            int any = 0;
            for (size_t g = 0; g < ng && (int)json_object_array_length(*plan) < want; g++) {
                json_object *grp = json_object_array_get_idx(groups, g), *cat, *list, *q;
                const char *cs;
                if (!json_object_object_get_ex(grp, "category", &cat) ||
                    !json_object_object_get_ex(grp, "questions", &list) || k >= json_object_array_length(list)) {
                    continue;
                }
                any = 1;
                cs = json_object_get_string(cat);
                if ((pass == 0) != category_fits(c->type, cs)) {
                    continue;
                }
                q = json_object_array_get_idx(list, k);
                {
                    json_object *item = json_object_new_object(), *v;
                    json_object_object_add(item, "index", json_object_new_int((int)json_object_array_length(*plan)));
                    json_object_object_add(item, "category", json_object_new_string(cs));
                    json_object_object_get_ex(q, "question", &v);
                    json_object_object_add(item, "question", json_object_new_string(json_object_get_string(v)));
                    json_object_object_get_ex(q, "why", &v);
                    json_object_object_add(item, "why", json_object_new_string(v ? json_object_get_string(v) : ""));
                    json_object_object_add(item, "outline",
                                           json_object_object_get_ex(q, "outline", &v) ? json_object_get(v)
                                                                                       : json_object_new_array());
                    json_object_array_add(*plan, item);
                }
            }
            if (!any) {
                break;
            }
        }
    }
    json_object_put(qs);
    return json_object_array_length(*plan) > 0 ? ZM_OK : ZM_ERR;
}

/* ---- materials ---- */

int iv_material_add(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, const char *name, const char *text,
                    json_object **out)
{
    int64_t n = db_exec(db,
                        "INSERT INTO interview_material (user_id, kind, name, text, created_at) "
                        "VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))",
                        "isss", user_id, kind, name ? name : "", text);
    ZM_UNUSED(a);
    if (n < 0) {
        return (int)n;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "id", json_object_new_int64(db_insert_id(db)));
    json_object_object_add(*out, "kind", json_object_new_string(kind));
    json_object_object_add(*out, "name", json_object_new_string(name ? name : ""));
    json_object_object_add(*out, "chars", json_object_new_int64((int64_t)zm_utf8_chars(text, strlen(text))));
    return ZM_OK;
}

int iv_material_get(db_t *db, zm_arena_t *a, int64_t user_id, int64_t id, const char **kind, const char **text)
{
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT kind, text FROM interview_material WHERE id = ? AND user_id = ?", "ii", id,
                      user_id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *kind = db_val(&res, 0, 0);
    *text = db_val(&res, 0, 1);
    return ZM_OK;
}

/* ---- sessions ---- */

static const char *provider_now(void)
{
    const char *p = zm_conf_str("interview.provider");
    if (p == NULL || strcmp(p, "auto") == 0) {
        p = zm_conf_str("llm.provider");
    }
    return p && strcmp(p, "openai") == 0 ? "openai" : "builtin";
}

static int enqueue_turn(db_t *db, int64_t user_id, int64_t session_id, int seq)
{
    char payload[96], key[96];
    task_new_t t = {0};

    snprintf(payload, sizeof(payload), "{\"session_id\":%lld,\"seq\":%d}", (long long)session_id, seq);
    snprintf(key, sizeof(key), "interview.turn:%lld:%d", (long long)session_id, seq);
    t.type = "interview.turn";
    t.payload_json = payload;
    t.priority = TASK_PRIO_HIGH;
    /* no owner on the task: its progress would be published to task_<id> too, for nobody (the
     * session's channel tells the turn) -- two more messages a turn */
    ZM_UNUSED(user_id);
    t.dedupe_key = key;
    t.max_attempts = 3;
    return task_enqueue(db, &t, NULL);
}

static json_object *config_json(zm_arena_t *a, const iv_config_t *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "role", json_object_new_string(c->role ? c->role : ""));
    json_object_object_add(o, "job_id", c->job_id ? json_object_new_int64(c->job_id) : NULL);
    json_object_object_add(o, "resume_id", c->resume_id ? json_object_new_string(c->resume_id) : NULL);
    json_object_object_add(o, "type", json_object_new_string(c->type));
    json_object_object_add(o, "difficulty", json_object_new_string(c->difficulty));
    json_object_object_add(o, "questions", json_object_new_int(c->questions));
    json_object_object_add(o, "minutes", json_object_new_int(c->minutes));
    json_object_object_add(o, "language", json_object_new_string(c->language));
    json_object_object_add(o, "has_jd", json_object_new_boolean(c->jd && *c->jd));
    json_object_object_add(o, "has_notes", json_object_new_boolean(c->notes && *c->notes));
    /* what a model needs to word the interview (never shown back) */
    json_object_object_add(o, "jd", json_object_new_string(c->jd ? c->jd : ""));
    json_object_object_add(o, "resume_excerpt",
                           json_object_new_string(c->resume_text ? llm_clip_utf8(a, c->resume_text, 3000, NULL) : ""));
    return o;
}

int iv_session_create(db_t *db, zm_arena_t *a, int64_t user_id, const iv_config_t *c, json_object *plan,
                      json_object **out)
{
    json_object *cfg = config_json(a, c);
    const char *provider = provider_now();
    char channel[48];
    int64_t n, id, turn_id;
    int rc;

    zm_arena_cleanup_add(a, json_put, cfg);
    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    n = db_exec(db,
                "INSERT INTO interview_session (user_id, kind, status, config, plan, provider, started_at, "
                "last_active_at, created_at, updated_at) VALUES (?, 'mock_interview', 'active', ?, ?, ?, "
                "UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                "isss", user_id, json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PLAIN),
                json_object_to_json_string_ext(plan, JSON_C_TO_STRING_PLAIN), provider);
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    id = db_insert_id(db);
    n = db_exec(db,
                "INSERT INTO interview_turn (session_id, seq, role, kind, question_index, text, state, created_at, "
                "updated_at) VALUES (?, 1, 'interviewer', 'question', 0, '', 'pending', UTC_TIMESTAMP(6), "
                "UTC_TIMESTAMP(6))",
                "i", id);
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    turn_id = db_insert_id(db);
    if ((rc = enqueue_turn(db, user_id, id, 1)) != ZM_OK || (rc = db_commit(db)) != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    task_wake();
    iv_channel(id, channel, sizeof(channel));
    *out = json_object_new_object();
    json_object_object_add(*out, "session_id", json_object_new_int64(id));
    json_object_object_add(*out, "status", json_object_new_string("active"));
    json_object_object_add(*out, "provider", json_object_new_string(provider));
    json_object_object_add(*out, "plan", json_object_get(plan));
    json_object_object_add(*out, "events",
                           json_object_new_string(zm_psprintf(a, "/api/v1/events/interviews/%lld", (long long)id)));
    {
        json_object *t = json_object_new_object();
        json_object_object_add(t, "id", json_object_new_int64(turn_id));
        json_object_object_add(t, "seq", json_object_new_int(1));
        json_object_object_add(*out, "turn", t);
    }
    return ZM_OK;
}

/* a candidate's answer (mock_interview) or a transcript line (meeting) and the reply it queues */
/* The turn a client_key already made in session_id: 1 with its ids, 0 when there is none. */
static int find_key(db_t *db, zm_arena_t *a, int64_t session_id, const char *client_key, int64_t *cand_id, int *seq,
                    int64_t *reply_id)
{
    db_res_t k;
    int rc;

    if (client_key == NULL) {
        return 0;
    }
    rc = db_query(db, a, &k,
                  "SELECT t.id, t.seq, r.id FROM interview_turn t LEFT JOIN interview_turn r ON r.session_id = "
                  "t.session_id AND r.seq = t.seq + 1 WHERE t.session_id = ? AND t.client_key = ?",
                  "is", session_id, client_key);
    if (rc != ZM_OK) {
        return rc;
    }
    if (k.nrows == 0) {
        return 0;
    }
    *cand_id = db_int(&k, 0, 0);
    *seq = (int)db_int(&k, 0, 1);
    *reply_id = db_val(&k, 0, 2) ? db_int(&k, 0, 2) : 0;
    return 1;
}

static int add_line(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, int64_t session_id, const char *text,
                    const char *client_key, json_object **out)
{
    int meeting = strcmp(kind, "meeting") == 0;
    db_res_t res;
    int64_t n, cand_id = 0, reply_id = 0;
    int rc, seq = 0, qi = -1, dup = 0;

    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    /* the session, locked (its lines are numbered one at a time), with its last turn */
    rc = db_query(db, a, &res,
                  "SELECT s.user_id, s.status, s.kind, t.seq, t.role, t.state, t.question_index "
                  "FROM interview_session s LEFT JOIN interview_turn t ON t.session_id = s.id "
                  "WHERE s.id = ? ORDER BY t.seq DESC LIMIT 1 FOR UPDATE",
                  "i", session_id);
    if (rc == ZM_OK && (res.nrows == 0 || db_int(&res, 0, 0) != user_id || strcmp(db_val(&res, 0, 2), kind) != 0)) {
        rc = ZM_ENOTFOUND;
    }
    if (rc == ZM_OK) {
        int has_last = db_val(&res, 0, 3) != NULL;
        seq = has_last ? (int)db_int(&res, 0, 3) : 0;
        qi = has_last ? (int)db_int(&res, 0, 6) : -1;
        if (strcmp(db_val(&res, 0, 1), "active") != 0) {
            rc = IV_ESTATE;
        } else if (!meeting && has_last && strcmp(db_val(&res, 0, 4), "interviewer") == 0 &&
                   (strcmp(db_val(&res, 0, 5), "pending") == 0 || strcmp(db_val(&res, 0, 5), "streaming") == 0)) {
            /* the interviewer speaks, then the candidate; a meeting's lines come as they are said */
            rc = IV_EBUSY;
        }
        /* a client's retry of a POST that was taken answers what it made, whatever happened since */
        if (rc != ZM_OK && (dup = find_key(db, a, session_id, client_key, &cand_id, &seq, &reply_id)) != 0) {
            rc = dup < 0 ? dup : ZM_OK;
        }
    }
    if (rc != ZM_OK || dup) {
        db_rollback(db);
        if (rc != ZM_OK) {
            return rc;
        }
        goto answer;
    }
    seq++;
    n = db_exec(db,
                "INSERT INTO interview_turn (session_id, seq, role, kind, question_index, text, state, client_key, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'done', ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                "iIssIss", session_id, seq, meeting ? "transcript" : "candidate", meeting ? "line" : "answer", qi, text,
                client_key);
    if (n == ZM_EDUP && (dup = find_key(db, a, session_id, client_key, &cand_id, &seq, &reply_id)) == 1) {
        db_rollback(db); /* the key was used: (session, client_key) is unique */
        goto answer;
    }
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    cand_id = db_insert_id(db);
    n = db_exec(db,
                "INSERT INTO interview_turn (session_id, seq, role, kind, question_index, text, state, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, '', 'pending', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                "iIssI", session_id, seq + 1, meeting ? "assistant" : "interviewer", meeting ? "update" : "question",
                qi);
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    reply_id = db_insert_id(db);
    n = db_exec(db,
                "UPDATE interview_session SET last_active_at = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6) "
                "WHERE id = ?",
                "i", session_id);
    if (n < 0 || (rc = enqueue_turn(db, user_id, session_id, seq + 1)) != ZM_OK || (rc = db_commit(db)) != ZM_OK) {
        db_rollback(db);
        return n < 0 ? (int)n : rc;
    }
    task_wake();
answer:
    *out = json_object_new_object();
    json_object_object_add(*out, "session_id", json_object_new_int64(session_id));
    json_object_object_add(*out, "turn_id", json_object_new_int64(cand_id));
    json_object_object_add(*out, "seq", json_object_new_int(seq));
    json_object_object_add(*out, "reply_turn_id", json_object_new_int64(reply_id));
    json_object_object_add(*out, "reply_seq", json_object_new_int(seq + 1));
    json_object_object_add(*out, "duplicate", json_object_new_boolean(dup));
    return ZM_OK;
}

int iv_answer(db_t *db, zm_arena_t *a, int64_t user_id, int64_t session_id, const char *text, const char *client_key,
              json_object **out)
{
    return add_line(db, a, user_id, "mock_interview", session_id, text, client_key, out);
}

int iv_meeting_line(db_t *db, zm_arena_t *a, int64_t user_id, int64_t session_id, const char *text,
                    const char *client_key, json_object **out)
{
    return add_line(db, a, user_id, "meeting", session_id, text, client_key, out);
}

int iv_meeting_create(db_t *db, zm_arena_t *a, int64_t user_id, const char *topic, const char *my_role,
                      const char *language, json_object **out)
{
    json_object *cfg = json_object_new_object(), *notes = json_object_new_object();
    const char *provider = provider_now();
    int64_t n, id;

    zm_arena_cleanup_add(a, json_put, cfg);
    zm_arena_cleanup_add(a, json_put, notes);
    json_object_object_add(cfg, "topic", json_object_new_string(topic));
    json_object_object_add(cfg, "my_role", json_object_new_string(my_role ? my_role : ""));
    json_object_object_add(cfg, "language", json_object_new_string(language));
    json_object_object_add(notes, "summary", json_object_new_string(""));
    json_object_object_add(notes, "questions", json_object_new_array());
    json_object_object_add(notes, "action_items", json_object_new_array());
    n = db_exec(db,
                "INSERT INTO interview_session (user_id, kind, status, config, plan, provider, started_at, "
                "last_active_at, created_at, updated_at) VALUES (?, 'meeting', 'active', ?, ?, ?, "
                "UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                "isss", user_id, json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PLAIN),
                json_object_to_json_string_ext(notes, JSON_C_TO_STRING_PLAIN), provider);
    if (n < 0) {
        return (int)n;
    }
    id = db_insert_id(db);
    *out = json_object_new_object();
    json_object_object_add(*out, "session_id", json_object_new_int64(id));
    json_object_object_add(*out, "status", json_object_new_string("active"));
    json_object_object_add(*out, "provider", json_object_new_string(provider));
    json_object_object_add(*out, "config", json_object_get(cfg));
    json_object_object_add(*out, "events",
                           json_object_new_string(zm_psprintf(a, "/api/v1/events/interviews/%lld", (long long)id)));
    return ZM_OK;
}

int iv_session_owned(db_t *db, zm_arena_t *a, int64_t user_id, int64_t session_id)
{
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT 1 FROM interview_session WHERE id = ? AND user_id = ?", "ii", session_id,
                      user_id);
    if (rc != ZM_OK) {
        return rc;
    }
    return res.nrows ? ZM_OK : ZM_ENOTFOUND;
}

static json_object *turns_json(db_t *db, zm_arena_t *a, int64_t session_id, int *rcp)
{
    db_res_t res;
    json_object *arr;

    *rcp = db_query(db, a, &res,
                    "SELECT id, seq, role, kind, question_index, text, state, error, " TS(
                        "created_at") " FROM interview_turn WHERE session_id = ? ORDER BY seq",
                    "i", session_id);
    if (*rcp != ZM_OK) {
        return NULL;
    }
    arr = json_object_new_array();
    for (size_t i = 0; i < res.nrows; i++) {
        json_object *t = json_object_new_object();
        json_object_object_add(t, "id", json_object_new_int64(db_int(&res, i, 0)));
        json_object_object_add(t, "seq", json_object_new_int64(db_int(&res, i, 1)));
        json_object_object_add(t, "role", json_object_new_string(db_val(&res, i, 2)));
        json_object_object_add(t, "kind", json_object_new_string(db_val(&res, i, 3)));
        json_object_object_add(t, "question_index", json_object_new_int64(db_int(&res, i, 4)));
        json_object_object_add(t, "text", json_object_new_string(db_val(&res, i, 5)));
        json_object_object_add(t, "state", json_object_new_string(db_val(&res, i, 6)));
        json_object_object_add(t, "error", db_val(&res, i, 7) ? json_object_new_string(db_val(&res, i, 7)) : NULL);
        json_object_object_add(t, "created_at", json_object_new_string(db_val(&res, i, 8)));
        json_object_array_add(arr, t);
    }
    return arr;
}

/* the public view of a session row (config without what only the model reads) */
static json_object *session_json(zm_arena_t *a, const db_res_t *res)
{
    json_object *o = json_object_new_object(), *cfg = parse_json(db_val(res, 0, 3)), *rep;
    const char *kind = db_val(res, 0, 1);
    int64_t elapsed = db_int(res, 0, 9);

    json_object_object_del(cfg, "jd");
    json_object_object_del(cfg, "resume_excerpt");
    json_object_object_add(o, "session_id", json_object_new_int64(db_int(res, 0, 0)));
    json_object_object_add(o, "kind", json_object_new_string(kind));
    json_object_object_add(o, "status", json_object_new_string(db_val(res, 0, 2)));
    json_object_object_add(o, "config", cfg);
    json_object_object_add(o, "plan", db_val(res, 0, 4) ? parse_json(db_val(res, 0, 4)) : NULL);
    json_object_object_add(o, "provider", json_object_new_string(db_val(res, 0, 5)));
    json_object_object_add(o, "started_at", json_object_new_string(db_val(res, 0, 6)));
    json_object_object_add(o, "ended_at", db_val(res, 0, 7) ? json_object_new_string(db_val(res, 0, 7)) : NULL);
    json_object_object_add(o, "end_reason", db_val(res, 0, 8) ? json_object_new_string(db_val(res, 0, 8)) : NULL);
    json_object_object_add(o, "elapsed_seconds", json_object_new_int64(elapsed < 0 ? 0 : elapsed));
    json_object_object_add(o, "charged_minutes", json_object_new_int64(db_int(res, 0, 10)));
    json_object_object_add(
        o, "price_per_minute",
        json_object_new_int64(points_price(strcmp(kind, "meeting") == 0 ? "meeting" : "mock_interview")));
    json_object_object_add(o, "overall_score", db_val(res, 0, 11) ? json_object_new_int64(db_int(res, 0, 11)) : NULL);
    rep = db_val(res, 0, 12) ? json_tokener_parse(db_val(res, 0, 12)) : NULL;
    json_object_object_add(o, "report", rep);
    json_object_object_add(o, "report_ready", json_object_new_boolean(rep != NULL));
    json_object_object_add(
        o, "events",
        json_object_new_string(zm_psprintf(a, "/api/v1/events/interviews/%lld", (long long)db_int(res, 0, 0))));
    return o;
}

#define SESSION_COLS                                                                                                   \
    "id, kind, status, config, plan, provider, " TS("started_at") ", " TS(                                             \
        "ended_at") ", end_reason, TIMESTAMPDIFF(SECOND, started_at, COALESCE(ended_at, UTC_TIMESTAMP(6))), "          \
                    "charged_minutes, "                                                                                \
                    "overall_score, report"

static int session_read(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, int64_t id, db_res_t *res)
{
    int rc = db_query(db, a, res, "SELECT " SESSION_COLS " FROM interview_session WHERE id = ? AND user_id = ?", "ii",
                      id, user_id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res->nrows == 0 || (kind && strcmp(db_val(res, 0, 1), kind) != 0)) {
        return ZM_ENOTFOUND;
    }
    return ZM_OK;
}

int iv_session_view(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, int64_t session_id, json_object **out)
{
    db_res_t res;
    json_object *turns;
    int rc = session_read(db, a, user_id, kind, session_id, &res);

    if (rc != ZM_OK) {
        return rc;
    }
    if ((turns = turns_json(db, a, session_id, &rc)) == NULL) {
        return rc;
    }
    *out = session_json(a, &res);
    json_object_object_add(*out, "turns", turns);
    return ZM_OK;
}

int iv_session_end(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, int64_t session_id, const char *reason,
                   int *already)
{
    db_res_t res;
    char payload[64], key[64];
    task_new_t t = {0};
    int64_t n, owner;
    int rc;

    *already = 0;
    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    rc = db_query(db, a, &res, "SELECT user_id, status, kind FROM interview_session WHERE id = ? FOR UPDATE", "i",
                  session_id);
    if (rc == ZM_OK && (res.nrows == 0 || (user_id > 0 && db_int(&res, 0, 0) != user_id) ||
                        (kind && strcmp(db_val(&res, 0, 2), kind) != 0))) {
        rc = ZM_ENOTFOUND;
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    owner = db_int(&res, 0, 0);
    if (strcmp(db_val(&res, 0, 1), "active") != 0) {
        *already = 1;
        db_rollback(db);
        return ZM_OK;
    }
    n = db_exec(db,
                "UPDATE interview_session SET status = 'ended', ended_at = UTC_TIMESTAMP(6), end_reason = ?, "
                "updated_at = UTC_TIMESTAMP(6) WHERE id = ?",
                "si", reason, session_id);
    if (n >= 0) {
        /* a reply still waiting is not produced any more */
        n = db_exec(db,
                    "UPDATE interview_turn SET state = 'failed', error = 'session ended', updated_at = "
                    "UTC_TIMESTAMP(6) WHERE session_id = ? AND state = 'pending'",
                    "i", session_id);
    }
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    snprintf(payload, sizeof(payload), "{\"session_id\":%lld}", (long long)session_id);
    snprintf(key, sizeof(key), "interview.end:%lld", (long long)session_id);
    t.type = "interview.end";
    t.payload_json = payload;
    t.priority = TASK_PRIO_HIGH;
    ZM_UNUSED(owner);
    t.dedupe_key = key;
    if ((rc = task_enqueue(db, &t, NULL)) != ZM_OK || (rc = db_commit(db)) != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    task_wake();
    return ZM_OK;
}

int iv_records(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, int64_t page, int64_t size,
               json_object **items, int64_t *total)
{
    db_res_t res, cnt;
    int rc = db_query(db, a, &cnt, "SELECT COUNT(*) FROM interview_session WHERE user_id = ? AND kind = ?", "is",
                      user_id, kind);

    if (rc != ZM_OK) {
        return rc;
    }
    *total = db_int(&cnt, 0, 0);
    rc = db_query(
        db, a, &res,
        "SELECT id, status, config, provider, " TS("started_at") ", " TS(
            "ended_at") ", end_reason, TIMESTAMPDIFF(SECOND, started_at, COALESCE(ended_at, UTC_TIMESTAMP(6))), "
                        "charged_minutes, overall_score, report IS NOT NULL FROM interview_session "
                        "WHERE user_id = ? AND kind = ? ORDER BY id DESC LIMIT ? OFFSET ?",
        "isii", user_id, kind, size, (page - 1) * size);
    if (rc != ZM_OK) {
        return rc;
    }
    *items = json_object_new_array();
    for (size_t i = 0; i < res.nrows; i++) {
        json_object *o = json_object_new_object(), *cfg = parse_json(db_val(&res, i, 2)), *v;
        json_object_object_add(o, "session_id", json_object_new_int64(db_int(&res, i, 0)));
        json_object_object_add(o, "status", json_object_new_string(db_val(&res, i, 1)));
        json_object_object_add(o, "role", json_object_object_get_ex(cfg, "role", &v) ? json_object_get(v) : NULL);
        json_object_object_add(o, "topic", json_object_object_get_ex(cfg, "topic", &v) ? json_object_get(v) : NULL);
        json_object_object_add(o, "type", json_object_object_get_ex(cfg, "type", &v) ? json_object_get(v) : NULL);
        json_object_object_add(o, "provider", json_object_new_string(db_val(&res, i, 3)));
        json_object_object_add(o, "started_at", json_object_new_string(db_val(&res, i, 4)));
        json_object_object_add(o, "ended_at", db_val(&res, i, 5) ? json_object_new_string(db_val(&res, i, 5)) : NULL);
        json_object_object_add(o, "end_reason", db_val(&res, i, 6) ? json_object_new_string(db_val(&res, i, 6)) : NULL);
        json_object_object_add(o, "elapsed_seconds", json_object_new_int64(db_int(&res, i, 7)));
        json_object_object_add(o, "charged_minutes", json_object_new_int64(db_int(&res, i, 8)));
        json_object_object_add(o, "overall_score",
                               db_val(&res, i, 9) ? json_object_new_int64(db_int(&res, i, 9)) : NULL);
        json_object_object_add(o, "report_ready", json_object_new_boolean(db_int(&res, i, 10) != 0));
        json_object_put(cfg);
        json_object_array_add(*items, o);
    }
    return ZM_OK;
}

int iv_reference(db_t *db, zm_arena_t *a, int64_t user_id, int64_t session_id, int qi, const char *question,
                 const char *answer, json_object **out)
{
    const char **outline = NULL;
    json_object *plan = NULL;
    int n = 0;

    if (session_id > 0) {
        db_res_t res;
        json_object *q, *v;
        int rc = db_query(db, a, &res, "SELECT plan FROM interview_session WHERE id = ? AND user_id = ?", "ii",
                          session_id, user_id);
        if (rc != ZM_OK) {
            return rc;
        }
        if (res.nrows == 0 || (plan = json_tokener_parse(db_val(&res, 0, 0))) == NULL) {
            return ZM_ENOTFOUND;
        }
        zm_arena_cleanup_add(a, json_put, plan);
        if (qi < 0 || !json_object_is_type(plan, json_type_array) ||
            (q = json_object_array_get_idx(plan, (size_t)qi)) == NULL) {
            return ZM_ENOTFOUND;
        }
        if (question == NULL && json_object_object_get_ex(q, "question", &v)) {
            question = json_object_get_string(v);
        }
        if (json_object_object_get_ex(q, "outline", &v) && json_object_is_type(v, json_type_array)) {
            n = (int)json_object_array_length(v);
            outline = zm_palloc(a, sizeof(char *) * (size_t)(n + 1));
            if (outline == NULL) {
                return ZM_ENOMEM;
            }
            for (int i = 0; i < n; i++) {
                outline[i] = json_object_get_string(json_object_array_get_idx(v, (size_t)i));
            }
        }
    } else if (question != NULL) {
        an_bank_q_t b;
        for (int i = 0; an_bank_question(i, &b) == ZM_OK; i++) {
            if (strcmp(b.question, question) == 0) {
                outline = (const char **)b.outline;
                n = b.noutline;
                break;
            }
        }
    }
    *out = iv_builtin_reference(a, question ? question : "", outline, n, answer);
    json_object_object_add(*out, "question", json_object_new_string(question ? question : ""));
    json_object_object_add(*out, "provider", json_object_new_string("builtin"));
    return ZM_OK;
}
