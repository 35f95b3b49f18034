/*
 * accounts.h -- users: registration, email verification, login, tokens,
 * password change and reset, roles.
 *
 * Users live in Django's auth_user; what Django lacks is in zm_user_profile.
 * Refresh tokens are tracked as simplejwt's token_blacklist app does
 * (outstanding + blacklisted).  Every token issued here carries the user's
 * token generation ("gen"): a password change or reset and a deactivation
 * move it on, which ends every token of the user at once, to the token and
 * not to the second.  A logout ends one session: its refresh token is
 * blacklisted and its access token's jti recorded in zm_revoked_access
 * (checked from the per-worker user cache, no query per request).
 *
 * Email addresses are handled in their normal form only (email.h).
 *
 * These are plain functions on a db_t: the HTTP handlers (api.c), the task
 * handlers (tasks.c) and zhimai-admin call them.  Multi-statement writes run
 * in one transaction.  users.c holds users, profiles and roles; sessions.c
 * login, tokens and revocation; links.c the one-time mail links; mail_text.c
 * the mails' text.
 */
#ifndef ZM_ACCOUNTS_H
#define ZM_ACCOUNTS_H

#include <json-c/json.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

/* failures particular to accounts (beside the ZM_E* codes) */
#define ACC_EBADCRED (-20) /* wrong email or password, or inactive user */
#define ACC_ETOKEN ZM_ETOKEN
#define ACC_EEXPIRED ZM_EEXPIRED
#define ACC_EEMAIL_TAKEN (-23)
#define ACC_EUSERNAME_TAKEN (-24)
#define ACC_EINVITE (-25) /* unknown invite code */
#define ACC_EWEAK (-26)   /* password policy; *why says which rule */

typedef struct {
    int64_t id;
    const char *email;
    const char *username;
    const char *first_name;
    const char *last_name;
    int role;
    const char *company;
    const char *invite_code;
    int64_t invited_by; /* 0 = none */
    int email_verified;
    int is_active;
    const char *date_joined; /* ISO 8601 UTC */
    const char *last_login;  /* NULL = never */
    const char *job_status;  /* 求职状态: one of acc_job_statuses */
} acc_user_t;

/* A seeker's job-seeking status (求职状态), the original match module's four values; the first three
 * make the seeker discoverable (their latest resume enters HR's matching), the last is the default. */
#define ACC_JOB_STATUS_DEFAULT "在职，暂无跳槽打算"
extern const char *const acc_job_statuses[]; /* NULL-terminated; the default last */

/** Does a seeker with this job_status want to be found (one of the first three)?  NULL: no. */
int acc_job_status_discoverable(const char *job_status);

/** Is user_id discoverable now (0 for a user without a profile or that does not exist)?  lock: read
 *  the profile row with a shared lock, inside the caller's transaction, so a concurrent job_status
 *  change (and its acc_discoverable_hook) waits for the caller's commit. */
int acc_user_discoverable(db_t *db, int64_t user_id, int lock, int *yes);

/** What HR sees of a candidate: name (last then first name, else the username) and job_status. */
typedef struct {
    int64_t id;
    const char *name, *job_status;
    int discoverable;
} acc_candidate_t;

/** The candidates among ids[0..n) (a query per 25): out[i] for ids[i]; a user that does not exist
 *  gets id 0, an empty name and not discoverable. */
int acc_candidates(db_t *db, zm_arena_t *a, const int64_t *ids, size_t n, acc_candidate_t *out);

/**
 * A hook an upper layer registers (matching, at process init): called inside the transaction of
 * acc_update_profile that sets a user's job_status, with whether it makes them discoverable, on
 * its connection (what it writes commits or rolls back with the change; a non-OK return rolls the
 * change back).  NULL: nothing.
 */
extern int (*acc_discoverable_hook)(db_t *db, int64_t user_id, int discoverable);

typedef struct {
    const char *access;
    const char *refresh;
} acc_tokens_t;

/** Read token lifetimes, signing key and policy from the configuration. */
int acc_init(void);

const char *acc_role_name(int role);
int acc_role_parse(const char *s);

/** {"id":…,"email":…,…} for the API. */
json_object *acc_user_json(const acc_user_t *u);

/** Validation used at registration, of the address's normal form (which must be a plain ASCII
 *  address); NULL when fine, else the message for the field. */
const char *acc_check_email(const char *email);
const char *acc_check_password(const char *password, const char *email);

/**
 * Create a user (and profile), with an argon2id hash of password.
 * username NULL = derived from the email; invite_code NULL = none.
 * With send_verification, a 24-hour verification link is mailed (queued in
 * the same transaction); without, the address counts as verified (the
 * operator's CLI).
 */
int acc_register(db_t *db, zm_arena_t *a, const char *email, const char *password, const char *username,
                 const char *invite_code, int role, int send_verification, acc_user_t *out);

/**
 * Registration through the API, answering alike whether or not the address
 * has an account: the password is hashed either way; a new address gets its
 * user and verification mail (as acc_register), a known one a mail to its
 * owner that someone tried to register it.  ZM_OK for both;
 * ACC_EUSERNAME_TAKEN (an explicit username) and ACC_EINVITE are decided
 * before the address is looked at.
 */
int acc_signup(db_t *db, zm_arena_t *a, const char *email, const char *password, const char *username,
               const char *invite_code);

/** NULL when username is acceptable (Django's rules, 150 characters), else why not. */
const char *acc_username_error(const char *username);

int acc_get_user(db_t *db, zm_arena_t *a, int64_t id, acc_user_t *out);
/** The user whose address has the normal form of email's; ZM_ENOTFOUND when none. */
int acc_find_by_email(db_t *db, zm_arena_t *a, const char *email, acc_user_t *out);

/** Check the password (re-hashing old or foreign hashes), record last_login, issue a token pair. */
int acc_login(db_t *db, zm_arena_t *a, const char *email, const char *password, acc_user_t *user, acc_tokens_t *t);

/** Rotate: the old refresh token is blacklisted, a new pair issued. */
int acc_refresh(db_t *db, zm_arena_t *a, const char *refresh, acc_tokens_t *t);

/** End one session: blacklist its refresh token and revoke its access token (both the same user's);
 *  the user's other sessions stay. */
int acc_logout(db_t *db, zm_arena_t *a, const char *access, const char *refresh);

/** Verify an access token; *user_id and *role of an active user. */
int acc_authenticate(db_t *db, zm_arena_t *a, const char *access, int64_t *user_id, int *role);

/** New password: revokes every refresh token and older access tokens, returns a fresh pair. */
int acc_change_password(db_t *db, zm_arena_t *a, int64_t user_id, const char *old_pw, const char *new_pw,
                        acc_tokens_t *t);

/** A single-use token for purpose "verify" (24 h) or "reset" (30 min); the plain token in *token.
 *  A new reset token spends the user's older ones: one reset link lives at a time. */
int acc_issue_user_token(db_t *db, zm_arena_t *a, int64_t user_id, const char *purpose, char **token);

/**
 * Queue a "reset" or "verify" link mail for email, whoever has it: the
 * request does the same work (one task insert) for a known and an unknown
 * address, and the task (auth.mail_link in zhimai-worker) calls
 * acc_send_mail_link.
 */
int acc_request_mail_link(db_t *db, zm_arena_t *a, const char *email, const char *purpose);

/** Issue a "reset" or "verify" link to the active user who has email and queue its mail, in one
 *  transaction; nothing when nobody (or, for "verify", nobody unverified) has it. */
int acc_send_mail_link(db_t *db, zm_arena_t *a, const char *email, const char *purpose);

/** Use a verification token: marks the email verified. */
int acc_verify_email(db_t *db, zm_arena_t *a, const char *token, acc_user_t *out);

/** Use a reset token: sets the password, revokes every token of the user and spends every other
 *  reset link of the user. */
int acc_reset_password(db_t *db, zm_arena_t *a, const char *token, const char *new_pw);

/** Profile fields a user may change: username, first_name, last_name, company (NULL = keep). */
int acc_update_profile(db_t *db, zm_arena_t *a, int64_t user_id, const char *username, const char *first_name,
                       const char *last_name, const char *company, const char *job_status, acc_user_t *out);

/** Admin: role (0 = keep) and is_active (-1 = keep); admin role sets is_staff and is_superuser. */
int acc_admin_update(db_t *db, zm_arena_t *a, int64_t user_id, int role, int is_active, acc_user_t *out);

/** Admin: users whose email, username or name contains search (NULL = all) and whose role is
 *  role ("seeker", "hr", "admin"; NULL or "" = any), newest first. */
int acc_admin_list(db_t *db, zm_arena_t *a, const char *search, const char *role, int64_t page, int64_t page_size,
                   json_object **items, int64_t *total);

/** Queue a mail (Chinese text, the link base from app.base_url) as a task. */
int acc_mail_verification(db_t *db, zm_arena_t *a, const acc_user_t *u, const char *token);
int acc_mail_reset(db_t *db, zm_arena_t *a, const acc_user_t *u, const char *token);

#endif
