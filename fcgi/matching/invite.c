/*
 * invite.c -- HR invites a candidate of a job's current ranking to apply
 * (issue 13, item 7): one match_invitation per (job, resume), and in the
 * same transaction a notification for the candidate; after the commit a
 * live "match.invite" message on the candidate's channel.
 */
#include "matching.h"

#include <string.h>

#include "live.h"
#include "messages.h"
#include "str.h"
#include "uuid.h"

static const char *js_str(json_object *o, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) {
        return "";
    }
    return json_object_get_string(v);
}

/* s cut to its first max characters (an ellipsis when cut) */
static const char *clip(zm_arena_t *a, const char *s, size_t max)
{
    size_t n = strlen(s), k = zm_utf8_clip(s, n, max);

    return k < n ? zm_psprintf(a, "%.*s…", (int)k, s) : s;
}

/* The candidate of resume hex in the job's current ranking (the pool rule of match_result: a
 * discoverable owner), with the version its features came from; MATCH_ENOTRANKED otherwise. */
static int ranked_candidate(db_t *db, zm_arena_t *a, int64_t job_id, const char *hex, int64_t *user_id,
                            const char **version_id)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT f.user_id, f.version_id FROM match_job j JOIN match_result r ON r.task_id = j.task_id "
                      "JOIN match_resume_features f ON f.resume_id = r.resume_id "
                      "WHERE j.job_id = ? AND r.resume_id = ? AND r.visible = 1",
                      "is", job_id, hex);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return MATCH_ENOTRANKED;
    }
    *user_id = db_int(&res, 0, 0);
    if (version_id != NULL) {
        *version_id = db_val(&res, 0, 1);
    }
    return ZM_OK;
}

int match_candidate_file(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, const char *resume_id,
                         int64_t *user_id, const char **version_id)
{
    json_object *job = NULL;
    char hex[33];
    int rc;

    if (zm_uuid_parse(resume_id, hex) != ZM_OK) {
        return MATCH_ENOTRANKED;
    }
    if ((rc = job_get(db, a, who, job_id, &job)) != ZM_OK) {
        return rc; /* not the caller's job: 404 */
    }
    json_object_put(job);
    return ranked_candidate(db, a, job_id, zm_pstrdup(a, hex), user_id, version_id);
}

int match_invite(db_t *db, zm_arena_t *a, const jobs_actor_t *who, int64_t job_id, const char *resume_id,
                 const char *message, json_object **out)
{
    json_object *job = NULL, *d, *o;
    const char *job_name, *company, *title, *body, *at;
    db_res_t res;
    char hex[33];
    int64_t n, user_id, inv_id;
    int rc;

    if (zm_uuid_parse(resume_id, hex) != ZM_OK) {
        return MATCH_ENOTRANKED;
    }
    if (message == NULL) {
        message = "";
    }
    if (!zm_utf8_valid(message, strlen(message)) ||
        zm_utf8_chars(message, strlen(message)) > MATCH_INVITE_MESSAGE_MAX) {
        return ZM_EINVAL;
    }
    if ((rc = job_get(db, a, who, job_id, &job)) != ZM_OK) {
        return rc;
    }
    if (strcmp(js_str(job, "status"), "open") != 0) {
        json_object_put(job);
        return MATCH_ENOTOPEN; /* a draft or closed job takes no applications */
    }
    job_name = zm_pstrdup(a, js_str(job, "name"));
    company = zm_pstrdup(a, js_str(job, "company"));
    json_object_put(job);

    if ((rc = ranked_candidate(db, a, job_id, hex, &user_id, NULL)) != ZM_OK) {
        return rc;
    }

    /* the title fits a message's (MSG_TITLE_MAX, 200 characters) */
    title = zm_psprintf(a, "%s邀请你投递「%s」", clip(a, company, 80), clip(a, job_name, 100));
    body = *message ? message : zm_psprintf(a, "%s的招聘方看了你的简历，邀请你投递职位「%s」。", company, job_name);
    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    n = db_exec(db,
                "INSERT INTO match_invitation (job_id, resume_id, user_id, invited_by, message, created_at) "
                "VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6))",
                "isiis", job_id, hex, user_id, who->user_id, message);
    if (n < 0) {
        db_rollback(db);
        return n == ZM_EDUP ? MATCH_EINVITED : (int)n;
    }
    inv_id = db_insert_id(db);
    d = json_object_new_object();
    json_object_object_add(d, "job_id", json_object_new_int64(job_id));
    json_object_object_add(d, "invitation_id", json_object_new_int64(inv_id));
    json_object_object_add(d, "job_name", json_object_new_string(job_name));
    json_object_object_add(d, "company", json_object_new_string(company));
    {
        msg_t m = {.audience = MSG_TO_USER,
                   .user_id = user_id,
                   .kind = "match.invite",
                   .title = title,
                   .body = body,
                   .data = d};
        rc = msg_send(db, a, &m, NULL);
    }
    json_object_put(d);
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    if ((rc = db_commit(db)) != ZM_OK) {
        return rc;
    }

    /* after the commit: a hint on the candidate's live channel (best effort) */
    o = json_object_new_object();
    json_object_object_add(o, "job_id", json_object_new_int64(job_id));
    json_object_object_add(o, "job_name", json_object_new_string(job_name));
    json_object_object_add(o, "company", json_object_new_string(company));
    live_user_publish(user_id, "match.invite", o);
    json_object_put(o);

    rc = db_query(db, a, &res,
                  "SELECT DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM match_invitation WHERE id = ?", "i",
                  inv_id);
    at = rc == ZM_OK && res.nrows ? db_val(&res, 0, 0) : NULL;
    o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(inv_id));
    json_object_object_add(o, "job_id", json_object_new_int64(job_id));
    json_object_object_add(o, "resume_id", json_object_new_string(zm_uuid_dashed(a, hex)));
    json_object_object_add(o, "message", json_object_new_string(message));
    json_object_object_add(o, "invited", json_object_new_boolean(1));
    json_object_object_add(o, "created_at", at ? json_object_new_string(at) : NULL);
    *out = o;
    return ZM_OK;
}
