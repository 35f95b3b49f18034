/*
 * users.c -- the user's row and profile: reading users, validation,
 * registration, profile edits, the admin's list and changes, roles.
 */
#include <ctype.h>
#include <sodium.h>
#include <string.h>

#include "accounts.h"
#include "accounts_shared.h"
#include "email.h"
#include "mail.h"
#include "metrics.h"
#include "password.h"
#include "queue.h"
#include "stats.h"
#include "str.h"

/* the user's columns, in the order user_from_row reads them */
#define USER_COLS                                                                                                      \
    "u.id, u.email, u.username, u.first_name, u.last_name, u.is_superuser, u.is_active, "                              \
    "DATE_FORMAT(u.date_joined, '%Y-%m-%dT%H:%i:%s.%fZ'), DATE_FORMAT(u.last_login, '%Y-%m-%dT%H:%i:%s.%fZ'), "        \
    "p.role, p.company, p.invite_code, p.invited_by_id, p.email_verified, u.password, "                                \
    "UNIX_TIMESTAMP(p.tokens_valid_after), p.job_status "                                                              \
    "FROM auth_user u LEFT JOIN zm_user_profile p ON p.user_id = u.id "

enum {
    C_ID,
    C_EMAIL,
    C_USERNAME,
    C_FIRST,
    C_LAST,
    C_SUPER,
    C_ACTIVE,
    C_JOINED,
    C_LOGIN,
    C_ROLE,
    C_COMPANY,
    C_INVITE,
    C_INVITER,
    C_VERIFIED,
    C_PASSWORD,
    C_VALID_AFTER,
    C_JOB_STATUS
};

#define INVITE_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#define INVITE_LEN 8

const char *const acc_job_statuses[] = {"离职，正在找工作", "在职，急寻新工作", "在职，看看新机会",
                                        ACC_JOB_STATUS_DEFAULT, NULL};

int (*acc_discoverable_hook)(db_t *db, int64_t user_id, int discoverable);

int acc_job_status_discoverable(const char *job_status)
{
    for (int i = 0; job_status && acc_job_statuses[i + 1] != NULL; i++) {
        if (strcmp(job_status, acc_job_statuses[i]) == 0) {
            return 1; /* the last, the default, is not */
        }
    }
    return 0;
}

int acc_user_discoverable(db_t *db, int64_t user_id, int lock, int *yes)
{
    zm_arena_t a;
    db_res_t res;
    int rc;

    zm_arena_init(&a, 1024, 0);
    rc = db_query(db, &a, &res,
                  lock ? "SELECT job_status FROM zm_user_profile WHERE user_id = ? LOCK IN SHARE MODE"
                       : "SELECT job_status FROM zm_user_profile WHERE user_id = ?",
                  "i", user_id);
    *yes = rc == ZM_OK && res.nrows && acc_job_status_discoverable(db_val(&res, 0, 0));
    zm_arena_destroy(&a);
    return rc;
}

/* ids a query at a time (0 pads the last: no user has it) */
#define CAND_CHUNK 25
#define Q5 "?, ?, ?, ?, ?"
#define V5(b) v[b], v[b + 1], v[b + 2], v[b + 3], v[b + 4]

int acc_candidates(db_t *db, zm_arena_t *a, const int64_t *ids, size_t n, acc_candidate_t *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = (acc_candidate_t){0, "", ACC_JOB_STATUS_DEFAULT, 0};
    }
    for (size_t b = 0; b < n; b += CAND_CHUNK) {
        int64_t v[CAND_CHUNK] = {0};
        size_t m = n - b < CAND_CHUNK ? n - b : CAND_CHUNK;
        db_res_t res;
        int rc;

        memcpy(v, ids + b, m * sizeof(int64_t));
        rc = db_query(db, a, &res,
                      "SELECT u.id, u.first_name, u.last_name, u.username, p.job_status FROM auth_user u "
                      "LEFT JOIN zm_user_profile p ON p.user_id = u.id WHERE u.id IN (" Q5 ", " Q5 ", " Q5 ", " Q5
                      ", " Q5 ")",
                      "iiiiiiiiiiiiiiiiiiiiiiiii", V5(0), V5(5), V5(10), V5(15), V5(20));
        if (rc != ZM_OK) {
            return rc;
        }
        for (size_t r = 0; r < res.nrows; r++) {
            int64_t id = db_int(&res, r, 0);
            const char *fn = db_val(&res, r, 1), *ln = db_val(&res, r, 2), *un = db_val(&res, r, 3);
            const char *js = db_val(&res, r, 4) ? db_val(&res, r, 4) : ACC_JOB_STATUS_DEFAULT;
            const char *name =
                (fn && *fn) || (ln && *ln) ? zm_psprintf(a, "%s%s", ln ? ln : "", fn ? fn : "") : (un ? un : "");
            for (size_t i = b; i < b + m; i++) {
                if (ids[i] == id) {
                    out[i] = (acc_candidate_t){id, name, js, acc_job_status_discoverable(js)};
                }
            }
        }
    }
    return ZM_OK;
}

const char *acc_role_name(int role)
{
    switch (role) {
    case ZM_ROLE_HR:
        return "hr";
    case ZM_ROLE_ADMIN:
        return "admin";
    default:
        return "seeker";
    }
}

int acc_role_parse(const char *s)
{
    if (s == NULL) {
        return 0;
    }
    if (strcmp(s, "seeker") == 0) {
        return ZM_ROLE_SEEKER;
    }
    if (strcmp(s, "hr") == 0) {
        return ZM_ROLE_HR;
    }
    if (strcmp(s, "admin") == 0) {
        return ZM_ROLE_ADMIN;
    }
    return 0;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

static void user_from_row(const db_res_t *res, size_t r, acc_user_t *u, const char **hash, int64_t *valid_after)
{
    const char *role = db_val(res, r, C_ROLE);

    memset(u, 0, sizeof(*u));
    u->id = db_int(res, r, C_ID);
    u->email = nz(db_val(res, r, C_EMAIL));
    u->username = nz(db_val(res, r, C_USERNAME));
    u->first_name = nz(db_val(res, r, C_FIRST));
    u->last_name = nz(db_val(res, r, C_LAST));
    u->is_active = db_int(res, r, C_ACTIVE) != 0;
    u->date_joined = nz(db_val(res, r, C_JOINED));
    u->last_login = db_val(res, r, C_LOGIN);
    /* a user Django made (createsuperuser) has no profile yet: its flags decide */
    if (role) {
        u->role = acc_role_parse(role);
    } else {
        u->role = db_int(res, r, C_SUPER) ? ZM_ROLE_ADMIN : ZM_ROLE_SEEKER;
    }
    if (u->role == 0) {
        u->role = ZM_ROLE_SEEKER;
    }
    u->company = nz(db_val(res, r, C_COMPANY));
    u->invite_code = nz(db_val(res, r, C_INVITE));
    u->invited_by = db_int(res, r, C_INVITER);
    u->email_verified = db_int(res, r, C_VERIFIED) != 0;
    u->job_status = db_val(res, r, C_JOB_STATUS) ? db_val(res, r, C_JOB_STATUS) : ACC_JOB_STATUS_DEFAULT;
    if (hash) {
        *hash = db_val(res, r, C_PASSWORD);
    }
    if (valid_after) {
        *valid_after = db_int(res, r, C_VALID_AFTER);
    }
}

json_object *acc_user_json(const acc_user_t *u)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_int64(u->id));
    json_object_object_add(o, "email", json_object_new_string(u->email));
    json_object_object_add(o, "username", json_object_new_string(u->username));
    json_object_object_add(o, "first_name", json_object_new_string(u->first_name));
    json_object_object_add(o, "last_name", json_object_new_string(u->last_name));
    json_object_object_add(o, "role", json_object_new_string(acc_role_name(u->role)));
    json_object_object_add(o, "company", json_object_new_string(u->company));
    json_object_object_add(o, "invite_code", json_object_new_string(u->invite_code));
    json_object_object_add(o, "invited_by", u->invited_by ? json_object_new_int64(u->invited_by) : NULL);
    json_object_object_add(o, "email_verified", json_object_new_boolean(u->email_verified));
    json_object_object_add(o, "is_active", json_object_new_boolean(u->is_active));
    json_object_object_add(o, "date_joined", json_object_new_string(u->date_joined));
    json_object_object_add(o, "last_login", u->last_login ? json_object_new_string(u->last_login) : NULL);
    json_object_object_add(o, "job_status", json_object_new_string(u->job_status));
    return o;
}

/* ---- validation ---- */

const char *acc_check_email(const char *email)
{
    char key[AUTH_EMAIL_IN_MAX + 1];
    int rc = auth_email_normalize(email, key, sizeof(key));

    if (rc == ZM_ETOOBIG || (rc == ZM_OK && strlen(key) > 254)) {
        return "邮箱地址过长（最多 254 个字符）";
    }
    if (rc != ZM_OK || key[0] == '\0') {
        return rc == ZM_OK ? "请输入邮箱地址" : "邮箱地址格式不正确";
    }
    /* judged in its normal form: a spelling that does not normalise to a plain address is refused, so no
     * two spellings the database's collation confuses ever name two accounts */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        if (*p >= 0x80) {
            return "邮箱地址只能包含英文字母、数字和 . _ + - 等常用符号";
        }
    }
    if (mail_check_addr(key) != ZM_OK) {
        return "邮箱地址格式不正确";
    }
    return NULL;
}

const char *acc_check_password(const char *pw, const char *email)
{
    int all_digits = 1;

    if (pw == NULL || pw[0] == '\0') {
        return "请输入密码";
    }
    if (zm_utf8_chars(pw, strlen(pw)) < 8) {
        return "密码至少需要 8 个字符";
    }
    if (strlen(pw) > 256) {
        return "密码过长（最多 256 个字节）";
    }
    for (const char *p = pw; *p; p++) {
        if (!isdigit((unsigned char)*p)) {
            all_digits = 0;
        }
    }
    if (all_digits) {
        return "密码不能全是数字";
    }
    if (email && strcasecmp(pw, email) == 0) {
        return "密码不能与邮箱相同";
    }
    if (email) {
        const char *at = strchr(email, '@');
        if (at && (size_t)(at - email) == strlen(pw) && strncasecmp(pw, email, strlen(pw)) == 0) {
            return "密码不能与邮箱用户名相同";
        }
    }
    return NULL;
}

const char *acc_username_error(const char *u)
{
    size_t n = zm_utf8_chars(u, strlen(u));

    if (n == 0 || n > 150) {
        return "用户名长度需为 1 到 150 个字符";
    }
    /* Django's UnicodeUsernameValidator: letters, digits and @/./+/-/_ */
    for (const unsigned char *p = (const unsigned char *)u; *p; p++) {
        if (*p < 0x80 && !isalnum(*p) && !strchr("@.+-_", *p)) {
            return "用户名只能包含字母、数字和 @/./+/-/_";
        }
    }
    return NULL;
}

/* ---- small helpers ---- */

static char *lower_dup(zm_arena_t *a, const char *s)
{
    char *d = zm_pstrdup(a, s);

    for (char *p = d; p && *p; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
    return d;
}

static void random_invite(char out[INVITE_LEN + 1])
{
    for (int i = 0; i < INVITE_LEN; i++) {
        out[i] = INVITE_ALPHABET[randombytes_uniform(sizeof(INVITE_ALPHABET) - 1)];
    }
    out[INVITE_LEN] = '\0';
}

int acc_load_user(db_t *db, zm_arena_t *a, int64_t id, acc_user_t *out, const char **hash)
{
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT " USER_COLS "WHERE u.id = ? ORDER BY u.id LIMIT 1", "i", id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    user_from_row(&res, 0, out, hash, NULL);
    return ZM_OK;
}

int acc_get_user(db_t *db, zm_arena_t *a, int64_t id, acc_user_t *out)
{
    return acc_load_user(db, a, id, out, NULL);
}

/* The user with the address whose normal form is key: the row that stores exactly key first, else the
 * oldest whose stored spelling normalises to key (one Django wrote, say).  The collation narrows the
 * search to a few rows through the index; the comparison itself is exact, so a spelling the collation
 * merely confuses with key ('ß' for "ss") is no match. */
int acc_find_by_key(db_t *db, zm_arena_t *a, const char *key, acc_user_t *out, const char **hash)
{
    char norm[AUTH_EMAIL_IN_MAX + 1];
    db_res_t res;
    size_t pick = SIZE_MAX;
    int rc;

    rc = db_query(db, a, &res, "SELECT " USER_COLS "WHERE u.email = ? ORDER BY u.id LIMIT 20", "s", key);
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t r = 0; r < res.nrows; r++) {
        const char *e = db_val(&res, r, C_EMAIL);
        if (e == NULL) {
            continue;
        }
        if (strcmp(e, key) == 0) {
            pick = r;
            break;
        }
        if (pick == SIZE_MAX && auth_email_normalize(e, norm, sizeof(norm)) == ZM_OK && strcmp(norm, key) == 0) {
            pick = r;
        }
    }
    if (pick == SIZE_MAX) {
        return ZM_ENOTFOUND;
    }
    user_from_row(&res, pick, out, hash, NULL);
    return ZM_OK;
}

int acc_find_by_email(db_t *db, zm_arena_t *a, const char *email, acc_user_t *out)
{
    const char *key = auth_email_key(a, email);

    return key ? acc_find_by_key(db, a, key, out, NULL) : ZM_ENOTFOUND;
}

/* A profile for a user that has none (made by Django, say); a no-op otherwise. */
int acc_ensure_profile(db_t *db, const acc_user_t *u)
{
    for (int tries = 0; tries < 5; tries++) {
        char code[INVITE_LEN + 1];
        int64_t rc;

        random_invite(code);
        rc = db_exec(db,
                     "INSERT IGNORE INTO zm_user_profile (user_id, role, company, invite_code, email_verified, "
                     "email_key, created_at, updated_at) "
                     "SELECT ?, ?, '', ?, 0, NULL, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM DUAL "
                     "WHERE NOT EXISTS (SELECT 1 FROM zm_user_profile WHERE user_id = ? OR invite_code = ?)",
                     "issis", u->id, acc_role_name(u->role), code, u->id, code);
        if (rc < 0) {
            return (int)rc;
        }
        if (rc == 1) {
            return ZM_OK;
        }
        /* nothing inserted: the profile exists, or (rarely) the code was taken */
        db_res_t res;
        zm_arena_t tmp;
        zm_arena_init(&tmp, 1024, 0);
        int q = db_query(db, &tmp, &res, "SELECT 1 FROM zm_user_profile WHERE user_id = ?", "i", u->id);
        size_t n = res.nrows;
        zm_arena_destroy(&tmp);
        if (q != ZM_OK) {
            return q;
        }
        if (n == 1) {
            return ZM_OK;
        }
    }
    return ZM_ERR;
}

int acc_set_password(db_t *db, int64_t user_id, const char *pw)
{
    char hash[AUTH_PASSWORD_HASH_MAX];
    int64_t rc;

    if (auth_password_hash(pw, hash, sizeof(hash)) != ZM_OK) {
        return ZM_ERR;
    }
    rc = db_exec(db, "UPDATE auth_user SET password = ? WHERE id = ?", "si", hash, user_id);
    return rc < 0 ? (int)rc : ZM_OK;
}

/* The email itself (Django allows @ . + - _ in usernames), or on a clash or when
 * too long, its local part with a random suffix. */
static char *derive_username(zm_arena_t *a, const char *email, int attempt)
{
    char suffix[INVITE_LEN + 1];
    const char *at = strchr(email, '@');
    int local = at ? (int)(at - email) : (int)strlen(email);

    if (attempt == 0 && strlen(email) <= 150) {
        return lower_dup(a, email);
    }
    random_invite(suffix);
    suffix[6] = '\0';
    return zm_psprintf(a, "%.*s-%s", local > 100 ? 100 : local, email, suffix);
}

static int find_inviter(db_t *db, zm_arena_t *a, const char *invite_code, int64_t *inviter)
{
    db_res_t res;
    int rc;

    *inviter = 0;
    if (invite_code == NULL || invite_code[0] == '\0') {
        return ZM_OK;
    }
    rc = db_query(db, a, &res, "SELECT user_id FROM zm_user_profile WHERE invite_code = ?", "s", invite_code);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ACC_EINVITE;
    }
    *inviter = db_int(&res, 0, 0);
    return ZM_OK;
}

/* Insert the user (address key, password hash made by the caller) and its profile in one transaction,
 * with the verification link mailed when asked.  ACC_EEMAIL_TAKEN when the key was taken meanwhile. */
static int create_user(db_t *db, zm_arena_t *a, const char *key, const char *hash, const char *username,
                       int64_t inviter, int role, int send_verification, acc_user_t *out)
{
    char *verify = NULL;
    int64_t id, rc;

    for (int attempt = 0; attempt < 5; attempt++) {
        const char *uname = username && username[0] ? username : derive_username(a, key, attempt);
        char code[INVITE_LEN + 1];
        int admin = role == ZM_ROLE_ADMIN;

        random_invite(code);
        rc = db_begin(db);
        if (rc != ZM_OK) {
            return (int)rc;
        }
        rc = db_exec(db,
                     "INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, "
                     "email, is_staff, is_active, date_joined) "
                     "VALUES (?, NULL, ?, ?, '', '', ?, ?, 1, UTC_TIMESTAMP(6))",
                     "sIssI", hash, admin, uname, key, admin);
        if (rc == ZM_EDUP) {
            db_rollback(db);
            if (username && username[0]) {
                return ACC_EUSERNAME_TAKEN;
            }
            continue; /* a derived name collided: derive another */
        }
        if (rc < 0) {
            db_rollback(db);
            return (int)rc;
        }
        id = db_insert_id(db);
        rc = db_exec(db,
                     "INSERT INTO zm_user_profile (user_id, role, company, invite_code, invited_by_id, email_verified, "
                     "email_key, created_at, updated_at) "
                     "VALUES (?, ?, '', ?, NULLIF(?, 0), ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                     "issiIs", id, acc_role_name(role), code, inviter, !send_verification, key);
        if (rc == ZM_EDUP) {
            int email_clash = strstr(db_error(db), "email_key") != NULL;
            db_rollback(db);
            if (email_clash) {
                return ACC_EEMAIL_TAKEN;
            }
            continue; /* the invite code collided */
        }
        if (rc < 0) {
            db_rollback(db);
            return (int)rc;
        }
        rc = acc_get_user(db, a, id, out);
        if (rc == ZM_OK && send_verification) {
            rc = acc_issue_user_token(db, a, id, "verify", &verify);
            if (rc == ZM_OK) {
                rc = acc_mail_verification(db, a, out, verify);
            }
        }
        rc = rc == ZM_OK ? stats_record(db, id, inviter ? "register_invited" : "register", 1) : rc;
        if (rc != ZM_OK) {
            db_rollback(db);
            return (int)rc;
        }
        rc = db_commit(db);
        if (rc != ZM_OK) {
            return (int)rc;
        }
        if (send_verification) {
            task_wake();
        }
        return ZM_OK;
    }
    return ZM_ERR;
}

int acc_register(db_t *db, zm_arena_t *a, const char *email, const char *password, const char *username,
                 const char *invite_code, int role, int send_verification, acc_user_t *out)
{
    char hash[AUTH_PASSWORD_HASH_MAX];
    const char *key = auth_email_key(a, email);
    acc_user_t existing;
    int64_t inviter = 0;
    int rc;

    if (key == NULL) {
        return ZM_EINVAL;
    }
    if ((rc = find_inviter(db, a, invite_code, &inviter)) != ZM_OK) {
        return rc;
    }
    rc = acc_find_by_key(db, a, key, &existing, NULL);
    if (rc == ZM_OK) {
        return ACC_EEMAIL_TAKEN;
    }
    if (rc != ZM_ENOTFOUND) {
        return rc;
    }
    /* the slow part, before any lock is taken */
    if (auth_password_hash(password, hash, sizeof(hash)) != ZM_OK) {
        return ZM_ERR;
    }
    return create_user(db, a, key, hash, username, inviter, role, send_verification, out);
}

int acc_signup(db_t *db, zm_arena_t *a, const char *email, const char *password, const char *username,
               const char *invite_code)
{
    char hash[AUTH_PASSWORD_HASH_MAX];
    const char *key = auth_email_key(a, email);
    acc_user_t u;
    int64_t inviter = 0;
    int rc;

    if (key == NULL) {
        return ZM_EINVAL;
    }
    /* what may fail the request is decided before the address is looked at, so a failure says nothing
     * about it either */
    if ((rc = find_inviter(db, a, invite_code, &inviter)) != ZM_OK) {
        return rc;
    }
    if (username && username[0]) {
        db_res_t res;
        rc = db_query(db, a, &res, "SELECT 1 FROM auth_user WHERE username = ?", "s", username);
        if (rc != ZM_OK) {
            return rc;
        }
        if (res.nrows) {
            return ACC_EUSERNAME_TAKEN;
        }
    }
    /* hashed on both paths: the hash is most of the time a registration takes */
    if (auth_password_hash(password, hash, sizeof(hash)) != ZM_OK) {
        return ZM_ERR;
    }
    rc = acc_find_by_key(db, a, key, &u, NULL);
    if (rc == ZM_ENOTFOUND) {
        rc = create_user(db, a, key, hash, username, inviter, ZM_ROLE_SEEKER, 1, &u);
        if (rc != ACC_EEMAIL_TAKEN) {
            return rc;
        }
        /* registered meanwhile (or a key the collation confuses with this one) */
        rc = acc_find_by_key(db, a, key, &u, NULL);
        if (rc == ZM_ENOTFOUND) {
            return ZM_OK;
        }
    }
    if (rc != ZM_OK) {
        return rc;
    }
    rc = acc_mail_taken(db, a, &u);
    if (rc == ZM_OK) {
        task_wake();
    }
    return rc;
}

int acc_update_profile(db_t *db, zm_arena_t *a, int64_t user_id, const char *username, const char *first_name,
                       const char *last_name, const char *company, const char *job_status, acc_user_t *out)
{
    acc_user_t u;
    int64_t n;
    int rc;

    if (username && acc_username_error(username) != NULL) {
        return ZM_EINVAL;
    }
    rc = acc_get_user(db, a, user_id, &u);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = acc_ensure_profile(db, &u);
    if (rc == ZM_OK) {
        n = db_exec(db,
                    "UPDATE auth_user SET username = COALESCE(?, username), first_name = COALESCE(?, first_name), "
                    "last_name = COALESCE(?, last_name) WHERE id = ?",
                    "sssi", username, first_name, last_name, user_id);
        rc = n == ZM_EDUP ? ACC_EUSERNAME_TAKEN : n < 0 ? (int)n : ZM_OK;
    }
    if (rc == ZM_OK && company) {
        n = db_exec(db, "UPDATE zm_user_profile SET company = ?, updated_at = UTC_TIMESTAMP(6) WHERE user_id = ?", "si",
                    company, user_id);
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc == ZM_OK && job_status) {
        n = db_exec(db, "UPDATE zm_user_profile SET job_status = ?, updated_at = UTC_TIMESTAMP(6) WHERE user_id = ?",
                    "si", job_status, user_id);
        rc = n < 0 ? (int)n : ZM_OK;
        /* the pool follows in the same transaction (the absolute value, after the row lock the
         * UPDATE took: concurrent changes end in the last one's) */
        if (rc == ZM_OK && acc_discoverable_hook) {
            rc = acc_discoverable_hook(db, user_id, acc_job_status_discoverable(job_status));
        }
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    return rc == ZM_OK ? acc_get_user(db, a, user_id, out) : rc;
}

int acc_admin_update(db_t *db, zm_arena_t *a, int64_t user_id, int role, int is_active, acc_user_t *out)
{
    acc_user_t u;
    int64_t n;
    int rc = acc_get_user(db, a, user_id, &u);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = acc_ensure_profile(db, &u);
    if (rc == ZM_OK && role) {
        /* Django's flags follow the role, so Django's admin agrees on who is an administrator */
        int admin = role == ZM_ROLE_ADMIN;
        n = db_exec(db, "UPDATE zm_user_profile SET role = ?, updated_at = UTC_TIMESTAMP(6) WHERE user_id = ?", "si",
                    acc_role_name(role), user_id);
        if (n >= 0) {
            n = db_exec(db, "UPDATE auth_user SET is_staff = ?, is_superuser = ? WHERE id = ?", "IIi", admin, admin,
                        user_id);
        }
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc == ZM_OK && is_active >= 0) {
        n = db_exec(db, "UPDATE auth_user SET is_active = ? WHERE id = ?", "Ii", is_active ? 1 : 0, user_id);
        rc = n < 0 ? (int)n : ZM_OK;
        if (rc == ZM_OK && !is_active) {
            rc = acc_revoke_all(db, user_id);
        }
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    zm_metrics_auth_bump(); /* a role or is_active changed: every worker reads it again */
    return rc == ZM_OK ? acc_get_user(db, a, user_id, out) : rc;
}

/* LIKE pattern matching s literally */
static char *like_pattern(zm_arena_t *a, const char *s)
{
    char *out = zm_palloc(a, strlen(s) * 2 + 3), *o = out;

    if (out == NULL) {
        return NULL;
    }
    *o++ = '%';
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\') {
            *o++ = '\\';
        }
        *o++ = *s;
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

/* Matches email, username, either name part or the whole name written either way
 * (张三 is last_name 张 + first_name 三); an empty role matches every role. */
#define ADMIN_LIST_WHERE                                                                                               \
    "WHERE (u.email LIKE ? OR u.username LIKE ? OR CONCAT(u.last_name, u.first_name) LIKE ? "                          \
    "OR CONCAT(u.first_name, ' ', u.last_name) LIKE ?) "                                                               \
    "AND (? = '' OR COALESCE(p.role, IF(u.is_superuser, 'admin', 'seeker')) = ?) "

int acc_admin_list(db_t *db, zm_arena_t *a, const char *search, const char *role, int64_t page, int64_t page_size,
                   json_object **items, int64_t *total)
{
    db_res_t res;
    char *pat = like_pattern(a, search ? search : "");
    int rc;

    if (pat == NULL) {
        return ZM_ENOMEM;
    }
    role = role ? role : "";
    rc = db_query(db, a, &res,
                  "SELECT COUNT(*) FROM auth_user u LEFT JOIN zm_user_profile p ON p.user_id = u.id " ADMIN_LIST_WHERE,
                  "ssssss", pat, pat, pat, pat, role, role);
    if (rc != ZM_OK) {
        return rc;
    }
    *total = db_int(&res, 0, 0);
    rc = db_query(db, a, &res, "SELECT " USER_COLS ADMIN_LIST_WHERE "ORDER BY u.id DESC LIMIT ? OFFSET ?", "ssssssii",
                  pat, pat, pat, pat, role, role, page_size, (page - 1) * page_size);
    if (rc != ZM_OK) {
        return rc;
    }
    *items = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        acc_user_t u;
        user_from_row(&res, r, &u, NULL, NULL);
        json_object_array_add(*items, acc_user_json(&u));
    }
    return ZM_OK;
}
