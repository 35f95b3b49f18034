/*
 * links.c -- one-time links sent by mail: email verification and password
 * reset.  Only a hash of each link's token is stored.
 */
#include <sodium.h>
#include <string.h>

#include "accounts.h"
#include "accounts_shared.h"
#include "conf.h"
#include "email.h"
#include "hash.h"
#include "metrics.h"
#include "points.h"
#include "queue.h"

/* Mark every live link of purpose of the user used: one reset link lives at a time. */
static int spend_links(db_t *db, int64_t user_id, const char *purpose)
{
    int64_t rc = db_exec(db,
                         "UPDATE zm_user_token SET used_at = UTC_TIMESTAMP(6) "
                         "WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
                         "is", user_id, purpose);

    return rc < 0 ? (int)rc : ZM_OK;
}

int acc_issue_user_token(db_t *db, zm_arena_t *a, int64_t user_id, const char *purpose, char **token)
{
    unsigned char raw[32];
    char *plain = zm_palloc(a, sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING));
    char hash[65];
    int reset = strcmp(purpose, "reset") == 0;
    /* read here, not in acc_init: zhimai-worker issues links too and does not run acc_init */
    int64_t ttl = zm_conf_int(reset ? "auth.reset_ttl" : "auth.verify_ttl"), rc;

    if (plain == NULL) {
        return ZM_ENOMEM;
    }
    if (reset && (rc = spend_links(db, user_id, "reset")) != ZM_OK) {
        return (int)rc; /* a new reset link ends the older ones */
    }
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(plain, sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING), raw,
                      sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    zm_sha256_hex(plain, strlen(plain), hash);
    rc = db_exec(db,
                 "INSERT INTO zm_user_token (user_id, purpose, token_hash, expires_at, created_at) "
                 "VALUES (?, ?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND, UTC_TIMESTAMP(6))",
                 "issi", user_id, purpose, hash, ttl);
    if (rc < 0) {
        return (int)rc;
    }
    *token = plain;
    return ZM_OK;
}

int acc_request_mail_link(db_t *db, zm_arena_t *a, const char *email, const char *purpose)
{
    const char *key = auth_email_key(a, email);
    json_object *p;
    task_new_t t;
    int rc;

    if (key == NULL || (strcmp(purpose, "reset") != 0 && strcmp(purpose, "verify") != 0)) {
        return ZM_EINVAL;
    }
    p = json_object_new_object();
    json_object_object_add(p, "email", json_object_new_string(key));
    json_object_object_add(p, "purpose", json_object_new_string(purpose));
    memset(&t, 0, sizeof(t));
    t.type = "auth.mail_link";
    t.payload_json = zm_pstrdup(a, json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
    t.priority = TASK_PRIO_HIGH;
    json_object_put(p);
    rc = t.payload_json ? task_enqueue(db, &t, NULL) : ZM_ENOMEM;
    if (rc == ZM_OK) {
        task_wake();
    }
    return rc;
}

int acc_send_mail_link(db_t *db, zm_arena_t *a, const char *email, const char *purpose)
{
    int reset = strcmp(purpose, "reset") == 0;
    acc_user_t u;
    char *token;
    int rc;

    if (!reset && strcmp(purpose, "verify") != 0) {
        return ZM_EINVAL;
    }
    rc = acc_find_by_email(db, a, email, &u);
    if (rc == ZM_ENOTFOUND || (rc == ZM_OK && (!u.is_active || (!reset && u.email_verified)))) {
        return ZM_OK; /* nobody to write to */
    }
    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_begin(db);
    if (rc == ZM_OK) {
        rc = acc_issue_user_token(db, a, u.id, purpose, &token);
        if (rc == ZM_OK) {
            rc = reset ? acc_mail_reset(db, a, &u, token) : acc_mail_verification(db, a, &u, token);
        }
        if (rc == ZM_OK) {
            rc = db_commit(db);
        } else {
            db_rollback(db);
        }
    }
    if (rc == ZM_OK) {
        task_wake();
    }
    return rc;
}

/* Use a single-use token of purpose: the user id, or ACC_ETOKEN. */
static int consume_user_token(db_t *db, zm_arena_t *a, const char *token, const char *purpose, int64_t *user_id)
{
    char hash[65];
    db_res_t res;
    int64_t rc;

    if (token == NULL || strlen(token) > 128) {
        return ACC_ETOKEN;
    }
    zm_sha256_hex(token, strlen(token), hash);
    rc = db_query(db, a, &res,
                  "SELECT id, user_id FROM zm_user_token WHERE token_hash = ? AND purpose = ? AND used_at IS NULL "
                  "AND expires_at > UTC_TIMESTAMP(6) FOR UPDATE",
                  "ss", hash, purpose);
    if (rc != ZM_OK) {
        return (int)rc;
    }
    if (res.nrows == 0) {
        return ACC_ETOKEN;
    }
    rc = db_exec(db, "UPDATE zm_user_token SET used_at = UTC_TIMESTAMP(6) WHERE id = ? AND used_at IS NULL", "i",
                 db_int(&res, 0, 0));
    if (rc != 1) {
        return rc < 0 ? (int)rc : ACC_ETOKEN;
    }
    *user_id = db_int(&res, 0, 1);
    return ZM_OK;
}

/* A verified invitee earns their inviter the referral reward (points decides how much, once, capped a day),
 * in the verification's transaction. */
static int reward_inviter(db_t *db, zm_arena_t *a, int64_t user_id)
{
    int64_t awarded;
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT invited_by_id FROM zm_user_profile WHERE user_id = ?", "i", user_id);

    if (rc != ZM_OK || res.nrows == 0 || db_val(&res, 0, 0) == NULL) {
        return rc;
    }
    return points_referral_verified(db, a, db_int(&res, 0, 0), user_id, &awarded);
}

int acc_verify_email(db_t *db, zm_arena_t *a, const char *token, acc_user_t *out)
{
    int64_t user_id = 0, n;
    int rc = db_begin(db);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = consume_user_token(db, a, token, "verify", &user_id);
    if (rc == ZM_OK) {
        n = db_exec(db,
                    "UPDATE zm_user_profile SET email_verified = 1, updated_at = UTC_TIMESTAMP(6) WHERE user_id = ?",
                    "i", user_id);
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc == ZM_OK) {
        rc = reward_inviter(db, a, user_id);
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    return rc == ZM_OK ? acc_get_user(db, a, user_id, out) : rc;
}

int acc_reset_password(db_t *db, zm_arena_t *a, const char *token, const char *new_pw)
{
    acc_user_t u;
    int64_t user_id = 0;
    int rc = db_begin(db);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = consume_user_token(db, a, token, "reset", &user_id);
    if (rc == ZM_OK) {
        rc = spend_links(db, user_id, "reset"); /* any other live link dies with this one's use */
    }
    if (rc == ZM_OK) {
        rc = acc_get_user(db, a, user_id, &u);
    }
    if (rc == ZM_OK && acc_check_password(new_pw, u.email) != NULL) {
        rc = ACC_EWEAK;
    }
    if (rc == ZM_OK) {
        rc = acc_ensure_profile(db, &u);
    }
    if (rc == ZM_OK) {
        rc = acc_set_password(db, user_id, new_pw);
    }
    if (rc == ZM_OK) {
        rc = acc_revoke_all(db, user_id);
    }
    if (rc == ZM_OK) {
        /* the link came by mail, so the address is proven as well */
        int64_t n = db_exec(db, "UPDATE zm_user_profile SET email_verified = 1 WHERE user_id = ?", "i", user_id);
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    zm_metrics_auth_bump();
    return rc;
}
