#include "accounts.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "email.h"
#include "hash.h"
#include "log.h"
#include "mail.h"
#include "metrics.h"
#include "password.h"
#include "queue.h"
#include "str.h"
#include "token.h"

/* the user's columns, in the order user_from_row reads them */
#define USER_COLS                                                                                                      \
    "u.id, u.email, u.username, u.first_name, u.last_name, u.is_superuser, u.is_active, "                              \
    "DATE_FORMAT(u.date_joined, '%Y-%m-%dT%H:%i:%s.%fZ'), DATE_FORMAT(u.last_login, '%Y-%m-%dT%H:%i:%s.%fZ'), "        \
    "p.role, p.company, p.invite_code, p.invited_by_id, p.email_verified, u.password, "                                \
    "UNIX_TIMESTAMP(p.tokens_valid_after) "                                                                            \
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
    C_VALID_AFTER
};

#define INVITE_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#define INVITE_LEN 8

static struct {
    char key[256];
    size_t keylen;
    int64_t access_ttl, refresh_ttl;
    char dummy_hash[AUTH_PASSWORD_HASH_MAX]; /* verified against when the email is unknown */
} acc;

int acc_init(void)
{
    const char *k = zm_conf_str("auth.jwt_secret");

    if (strlen(k) < 32 || strlen(k) >= sizeof(acc.key)) {
        zm_log_error("auth.jwt_secret must be 32 to 255 characters (./dev up generates one)");
        return ZM_ERR;
    }
    snprintf(acc.key, sizeof(acc.key), "%s", k);
    acc.keylen = strlen(acc.key);
    acc.access_ttl = zm_conf_int("auth.access_ttl");
    acc.refresh_ttl = zm_conf_int("auth.refresh_ttl");
    if (auth_password_set_params((unsigned)zm_conf_int("auth.argon2_t"), (unsigned)zm_conf_int("auth.argon2_m_kib"),
                                 (unsigned)zm_conf_int("auth.argon2_p")) != ZM_OK) {
        zm_log_error("auth.argon2_*: parameters out of range");
        return ZM_ERR;
    }
    return auth_password_hash("no user has this password", acc.dummy_hash, sizeof(acc.dummy_hash));
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

static const char *check_username(const char *u)
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

static int load_user(db_t *db, zm_arena_t *a, const char *where, const char *fmt, const void *arg, acc_user_t *out,
                     const char **hash, int64_t *valid_after)
{
    db_res_t res;
    char *sql = zm_psprintf(a, "SELECT %sWHERE %s ORDER BY u.id LIMIT 1", USER_COLS, where);
    int rc;

    if (sql == NULL) {
        return ZM_ENOMEM;
    }
    if (fmt[0] == 'i') {
        rc = db_query(db, a, &res, sql, "i", *(const int64_t *)arg);
    } else {
        rc = db_query(db, a, &res, sql, "s", (const char *)arg);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    user_from_row(&res, 0, out, hash, valid_after);
    return ZM_OK;
}

int acc_get_user(db_t *db, zm_arena_t *a, int64_t id, acc_user_t *out)
{
    return load_user(db, a, "u.id = ?", "i", &id, out, NULL, NULL);
}

/* The user with the address whose normal form is key: the row that stores exactly key first, else the
 * oldest whose stored spelling normalises to key (one Django wrote, say).  The collation narrows the
 * search to a few rows through the index; the comparison itself is exact, so a spelling the collation
 * merely confuses with key ('ß' for "ss") is no match. */
static int find_by_key(db_t *db, zm_arena_t *a, const char *key, acc_user_t *out, const char **hash)
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

    return key ? find_by_key(db, a, key, out, NULL) : ZM_ENOTFOUND;
}

/* A profile for a user that has none (made by Django, say); a no-op otherwise. */
static int ensure_profile(db_t *db, const acc_user_t *u)
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

/* ---- tokens ---- */

/* A token pair carrying the user's current token generation (read in the caller's transaction, so a
 * revoke_all just before in it counts).  A user without a profile is at generation 0. */
static int issue_pair(db_t *db, zm_arena_t *a, int64_t user_id, acc_tokens_t *t)
{
    char jti[33];
    char *access = zm_palloc(a, AUTH_TOKEN_MAX), *refresh = zm_palloc(a, AUTH_TOKEN_MAX);
    int64_t now = (int64_t)time(NULL), gen, rc;
    db_res_t res;

    if (access == NULL || refresh == NULL) {
        return ZM_ENOMEM;
    }
    rc = db_query(db, a, &res, "SELECT COALESCE(MAX(token_generation), 0) FROM zm_user_profile WHERE user_id = ?", "i",
                  user_id);
    if (rc != ZM_OK) {
        return (int)rc;
    }
    gen = db_int(&res, 0, 0);
    if (auth_token_issue_gen(acc.key, acc.keylen, AUTH_TOKEN_ACCESS, user_id, gen, now, acc.access_ttl, access,
                             AUTH_TOKEN_MAX, jti) != ZM_OK ||
        auth_token_issue_gen(acc.key, acc.keylen, AUTH_TOKEN_REFRESH, user_id, gen, now, acc.refresh_ttl, refresh,
                             AUTH_TOKEN_MAX, jti) != ZM_OK) {
        return ZM_ERR;
    }
    /* simplejwt's OutstandingToken: every refresh token is on record, so it can be revoked */
    rc = db_exec(db,
                 "INSERT INTO token_blacklist_outstandingtoken (token, created_at, expires_at, user_id, jti) "
                 "VALUES (?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?)",
                 "siiis", refresh, now, now + acc.refresh_ttl, user_id, jti);
    if (rc < 0) {
        return (int)rc;
    }
    t->access = access;
    t->refresh = refresh;
    return ZM_OK;
}

/* Blacklist every refresh token of the user and end every access token issued so far: the generation
 * their "gen" claim must equal moves on.  Tokens without the claim (a Django project's) are refused when
 * issued at or before this second: iat has whole seconds only.  The caller bumps the scoreboard after
 * its commit, and the user must have a profile (ensure_profile). */
static int revoke_all(db_t *db, int64_t user_id)
{
    int64_t rc;

    rc = db_exec(db,
                 "INSERT INTO token_blacklist_blacklistedtoken (blacklisted_at, token_id) "
                 "SELECT UTC_TIMESTAMP(6), o.id FROM token_blacklist_outstandingtoken o "
                 "LEFT JOIN token_blacklist_blacklistedtoken b ON b.token_id = o.id "
                 "WHERE o.user_id = ? AND b.id IS NULL AND o.expires_at > UTC_TIMESTAMP(6)",
                 "i", user_id);
    if (rc < 0) {
        return (int)rc;
    }
    rc = db_exec(db,
                 "UPDATE zm_user_profile SET token_generation = token_generation + 1, "
                 "tokens_valid_after = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6) WHERE user_id = ?",
                 "i", user_id);
    return rc < 0 ? (int)rc : ZM_OK;
}

static int set_password(db_t *db, int64_t user_id, const char *pw)
{
    char hash[AUTH_PASSWORD_HASH_MAX];
    int64_t rc;

    if (auth_password_hash(pw, hash, sizeof(hash)) != ZM_OK) {
        return ZM_ERR;
    }
    rc = db_exec(db, "UPDATE auth_user SET password = ? WHERE id = ?", "si", hash, user_id);
    return rc < 0 ? (int)rc : ZM_OK;
}

/* ---- registration ---- */

static int enqueue_mail(db_t *db, zm_arena_t *a, const acc_user_t *u, const char *subject, const char *text)
{
    json_object *p = json_object_new_object();
    task_new_t t;
    int64_t id;
    int rc;

    json_object_object_add(p, "to", json_object_new_string(u->email));
    json_object_object_add(p, "subject", json_object_new_string(subject));
    json_object_object_add(p, "text", json_object_new_string(text));
    memset(&t, 0, sizeof(t));
    t.type = "mail.send";
    t.payload_json = zm_pstrdup(a, json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
    t.priority = TASK_PRIO_HIGH;
    t.user_id = u->id;
    json_object_put(p);
    rc = task_enqueue(db, &t, &id);
    return rc;
}

static int mail_verification(db_t *db, zm_arena_t *a, const acc_user_t *u, const char *token)
{
    char *text = zm_psprintf(a,
                             "您好%s%s，\n\n"
                             "感谢注册职麦。请打开下面的链接验证您的邮箱地址（24 小时内有效）：\n\n"
                             "%s/verify-email?token=%s\n\n"
                             "如果这不是您本人的操作，请忽略这封邮件。\n\n"
                             "—— 职麦团队\n",
                             u->first_name[0] ? " " : "", u->first_name, zm_conf_str("app.base_url"), token);

    return text ? enqueue_mail(db, a, u, "【职麦】请验证您的邮箱地址", text) : ZM_ENOMEM;
}

static int mail_reset(db_t *db, zm_arena_t *a, const acc_user_t *u, const char *token)
{
    char *text = zm_psprintf(
        a,
        "您好，\n\n"
        "我们收到了重置您职麦账户密码的请求。请打开下面的链接设置新密码（30 分钟内有效，仅可使用一次）：\n\n"
        "%s/reset-password?token=%s\n\n"
        "如果这不是您本人的操作，请忽略这封邮件，您的密码不会改变。\n\n"
        "—— 职麦团队\n",
        zm_conf_str("app.base_url"), token);

    return text ? enqueue_mail(db, a, u, "【职麦】重置您的密码", text) : ZM_ENOMEM;
}

/* To the owner of an address someone tried to register again: the answer to that attempt says nothing
 * about the address, so its owner hears of it here. */
static int mail_taken(db_t *db, zm_arena_t *a, const acc_user_t *u)
{
    const char *base = zm_conf_str("app.base_url");
    char *text = zm_psprintf(a,
                             "您好，\n\n"
                             "有人（也许是您本人）刚刚尝试用这个邮箱地址注册职麦。该地址已经注册过，"
                             "因此没有创建新账户，您的账户也没有任何变化。\n\n"
                             "如果是您本人：请直接登录 %s/login ；忘记了密码可以在 %s/forgot-password 重置。\n\n"
                             "如果不是您本人：请忽略这封邮件。\n\n"
                             "—— 职麦团队\n",
                             base, base);

    return text ? enqueue_mail(db, a, u, "【职麦】有人尝试用您的邮箱注册", text) : ZM_ENOMEM;
}

int acc_mail_verification(db_t *db, zm_arena_t *a, const acc_user_t *u, const char *token)
{
    return mail_verification(db, a, u, token);
}

int acc_mail_reset(db_t *db, zm_arena_t *a, const acc_user_t *u, const char *token)
{
    return mail_reset(db, a, u, token);
}

/* Mark every live link of purpose of the user used: one reset link lives at a time. */
static int spend_links(db_t *db, int64_t user_id, const char *purpose)
{
    int64_t rc = db_exec(db,
                         "UPDATE zm_user_token SET used_at = UTC_TIMESTAMP(6) "
                         "WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
                         "is", user_id, purpose);

    return rc < 0 ? (int)rc : ZM_OK;
}

static int insert_user_token(db_t *db, zm_arena_t *a, int64_t user_id, const char *purpose, char **token)
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

int acc_issue_user_token(db_t *db, zm_arena_t *a, int64_t user_id, const char *purpose, char **token)
{
    return insert_user_token(db, a, user_id, purpose, token);
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

/* A string member of the task's payload (registry.c's task_payload_str lives in zhimai-worker only). */
static const char *payload_str(task_ctx_t *ctx, const char *key)
{
    json_object *v;

    if (ctx->payload == NULL || !json_object_object_get_ex(ctx->payload, key, &v) ||
        !json_object_is_type(v, json_type_string)) {
        return NULL;
    }
    return json_object_get_string(v);
}

int acc_task_mail_link(task_ctx_t *ctx, json_object **result, char **error)
{
    const char *email = payload_str(ctx, "email"), *purpose = payload_str(ctx, "purpose");
    int reset = purpose && strcmp(purpose, "reset") == 0;
    acc_user_t u;
    char *token;
    int rc;

    ZM_UNUSED(result); /* none: a result saying whether a mail went out would record who has an account */
    if (email == NULL || purpose == NULL || (!reset && strcmp(purpose, "verify") != 0)) {
        *error = "payload needs email and purpose (reset or verify)";
        return ZM_EINVAL;
    }
    rc = acc_find_by_email(ctx->db, ctx->a, email, &u);
    if (rc == ZM_ENOTFOUND || (rc == ZM_OK && (!u.is_active || (!reset && u.email_verified)))) {
        return ZM_OK; /* nobody to write to */
    }
    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_begin(ctx->db);
    if (rc == ZM_OK) {
        rc = insert_user_token(ctx->db, ctx->a, u.id, purpose, &token);
        if (rc == ZM_OK) {
            rc = reset ? mail_reset(ctx->db, ctx->a, &u, token) : mail_verification(ctx->db, ctx->a, &u, token);
        }
        if (rc == ZM_OK) {
            rc = db_commit(ctx->db);
        } else {
            db_rollback(ctx->db);
        }
    }
    if (rc == ZM_OK) {
        task_wake();
    }
    return rc;
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
            rc = insert_user_token(db, a, id, "verify", &verify);
            if (rc == ZM_OK) {
                rc = mail_verification(db, a, out, verify);
            }
        }
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
    rc = find_by_key(db, a, key, &existing, NULL);
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
    rc = find_by_key(db, a, key, &u, NULL);
    if (rc == ZM_ENOTFOUND) {
        rc = create_user(db, a, key, hash, username, inviter, ZM_ROLE_SEEKER, 1, &u);
        if (rc != ACC_EEMAIL_TAKEN) {
            return rc;
        }
        /* registered meanwhile (or a key the collation confuses with this one) */
        rc = find_by_key(db, a, key, &u, NULL);
        if (rc == ZM_ENOTFOUND) {
            return ZM_OK;
        }
    }
    if (rc != ZM_OK) {
        return rc;
    }
    rc = mail_taken(db, a, &u);
    if (rc == ZM_OK) {
        task_wake();
    }
    return rc;
}

/* ---- login and tokens ---- */

int acc_login(db_t *db, zm_arena_t *a, const char *email, const char *password, acc_user_t *user, acc_tokens_t *t)
{
    const char *hash = NULL, *key = auth_email_key(a, email);
    int needs_rehash = 0, rc;

    rc = key ? find_by_key(db, a, key, user, &hash) : ZM_ENOTFOUND;
    if (rc == ZM_ENOTFOUND) {
        /* same work as a real check, so timing does not tell whether the email exists */
        auth_password_verify(password, acc.dummy_hash, &needs_rehash);
        return ACC_EBADCRED;
    }
    if (rc != ZM_OK) {
        return rc;
    }
    if (auth_password_verify(password, hash ? hash : "!", &needs_rehash) != ZM_OK || !user->is_active) {
        return ACC_EBADCRED;
    }
    rc = db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    if (needs_rehash) {
        /* a Django pbkdf2 or argon2 hash with other parameters: upgrade it now we know the password */
        rc = set_password(db, user->id, password);
    }
    if (rc == ZM_OK) {
        int64_t n = db_exec(db, "UPDATE auth_user SET last_login = UTC_TIMESTAMP(6) WHERE id = ?", "i", user->id);
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc == ZM_OK) {
        rc = ensure_profile(db, user);
    }
    if (rc == ZM_OK) {
        rc = issue_pair(db, a, user->id, t);
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    if (rc != ZM_OK) {
        return rc;
    }
    return acc_get_user(db, a, user->id, user);
}

/* What authentication needs to know of a user, remembered per worker: most
 * requests then cost no database round trip for it.  An entry is good while
 * it is younger than auth.user_cache_ms and no change to users was made on
 * this host since it was read (the scoreboard's generation): a logout, a
 * password change or reset, an admin's change bump it. */
#define USER_CACHE_SLOTS 512
/* access tokens revoked one by one (logout) and not yet expired, kept per entry; a user with more
 * (many logouts within one access lifetime) has the rest looked up per request */
#define USER_REVOKED_MAX 8

typedef struct {
    int64_t user_id;
    int active, role;
    int64_t valid_after; /* unix second of the last revoke_all, 0 = never: for tokens without "gen" */
    int64_t token_gen;   /* the "gen" a token must carry */
    int nrevoked;        /* entries in revoked; USER_REVOKED_MAX + 1 = more than fit */
    char revoked[USER_REVOKED_MAX][33];
    uint64_t generation;
    int64_t read_ms;
} user_cache_t;

static user_cache_t user_cache[USER_CACHE_SLOTS];

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The user's facts, from this worker's cache when allowed and current. */
static int user_facts(db_t *db, zm_arena_t *a, int64_t user_id, int cached, user_cache_t *out)
{
    user_cache_t *slot = &user_cache[(uint64_t)user_id % USER_CACHE_SLOTS];
    uint64_t gen = zm_metrics_auth_generation(); /* read before the query: a change during it invalidates */
    int64_t now = mono_ms(), ttl = zm_conf_int("auth.user_cache_ms");
    const char *r;
    db_res_t res;
    int rc;

    if (cached && ttl > 0 && slot->user_id == user_id && slot->generation == gen && now - slot->read_ms < ttl) {
        *out = *slot;
        return ZM_OK;
    }
    /* one row per live revoked access token (at least one row): the user's facts repeat on each */
    rc = db_query(db, a, &res,
                  "SELECT u.is_active, u.is_superuser, p.role, UNIX_TIMESTAMP(p.tokens_valid_after), "
                  "COALESCE(p.token_generation, 0), r.jti "
                  "FROM auth_user u LEFT JOIN zm_user_profile p ON p.user_id = u.id "
                  "LEFT JOIN zm_revoked_access r ON r.user_id = u.id AND r.expires_at > UTC_TIMESTAMP(6) "
                  "WHERE u.id = ? ORDER BY r.expires_at DESC LIMIT ?",
                  "iI", user_id, USER_REVOKED_MAX + 1);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        slot->user_id = 0;
        return ZM_ENOTFOUND;
    }
    memset(out, 0, sizeof(*out));
    out->user_id = user_id;
    out->active = db_int(&res, 0, 0) != 0;
    r = db_val(&res, 0, 2);
    /* no profile yet (a user Django made): its flags decide, as in user_from_row */
    out->role = r ? acc_role_parse(r) : (db_int(&res, 0, 1) ? ZM_ROLE_ADMIN : ZM_ROLE_SEEKER);
    if (out->role == 0) {
        out->role = ZM_ROLE_SEEKER;
    }
    out->valid_after = db_int(&res, 0, 3); /* whole seconds: strtoll stops at the fraction */
    out->token_gen = db_int(&res, 0, 4);
    for (size_t i = 0; i < res.nrows; i++) {
        const char *jti = db_val(&res, i, 5);
        if (jti == NULL) {
            break;
        }
        if (out->nrevoked == USER_REVOKED_MAX) {
            out->nrevoked++; /* more than fit: access_revoked() asks the database for the rest */
            break;
        }
        snprintf(out->revoked[out->nrevoked++], sizeof(out->revoked[0]), "%s", jti);
    }
    out->generation = gen;
    out->read_ms = now;
    *slot = *out;
    return ZM_OK;
}

/* Was this access token revoked by itself (a logout)?  1, 0, or a negative error. */
static int access_revoked(db_t *db, zm_arena_t *a, const user_cache_t *u, const char *jti)
{
    db_res_t res;
    int n = u->nrevoked < USER_REVOKED_MAX ? u->nrevoked : USER_REVOKED_MAX, rc;

    for (int i = 0; i < n; i++) {
        if (strcmp(u->revoked[i], jti) == 0) {
            return 1;
        }
    }
    if (u->nrevoked <= USER_REVOKED_MAX) {
        return 0; /* the list is complete: the usual case costs no query */
    }
    rc = db_query(db, a, &res, "SELECT 1 FROM zm_revoked_access WHERE jti = ?", "s", jti);
    return rc != ZM_OK ? rc : res.nrows > 0;
}

/* The user behind a token must still exist and be active, and the token must not be revoked: it
 * carries the user's current generation (one without "gen" was issued after the second of the last
 * revocation), and an access token was not logged out by itself.  cached: the per-worker cache may
 * answer (every request); without, the database does (a refresh, which mints new tokens: a fact up to
 * auth.user_cache_ms old on another host must not let a revoked token buy fresh ones). */
static int check_user(db_t *db, zm_arena_t *a, const auth_token_claims_t *c, int cached, int *role)
{
    user_cache_t u;
    int rc = user_facts(db, a, c->user_id, cached, &u);

    if (rc == ZM_ENOTFOUND) {
        return ACC_ETOKEN;
    }
    if (rc != ZM_OK) {
        return rc;
    }
    if (!u.active) {
        return ACC_ETOKEN;
    }
    if (c->gen != AUTH_TOKEN_NO_GEN ? c->gen != u.token_gen : (u.valid_after && c->iat <= u.valid_after)) {
        return ACC_ETOKEN;
    }
    if (c->type == AUTH_TOKEN_ACCESS) {
        rc = access_revoked(db, a, &u, c->jti);
        if (rc != 0) {
            return rc > 0 ? ACC_ETOKEN : rc;
        }
    }
    if (role) {
        *role = u.role;
    }
    return ZM_OK;
}

int acc_authenticate(db_t *db, zm_arena_t *a, const char *access, int64_t *user_id, int *role)
{
    auth_token_claims_t c;
    int rc = auth_token_verify(acc.key, acc.keylen, access, AUTH_TOKEN_ACCESS, (int64_t)time(NULL), &c);

    if (rc == AUTH_TOKEN_EXPIRED) {
        return ACC_EEXPIRED;
    }
    if (rc != ZM_OK) {
        return ACC_ETOKEN;
    }
    rc = check_user(db, a, &c, 1, role);
    if (rc == ZM_OK) {
        *user_id = c.user_id;
    }
    return rc;
}

/* Blacklist the refresh token with this jti (recording it first if it was issued elsewhere).
 * ACC_ETOKEN when it already was: each refresh token is used once. */
static int blacklist_jti(db_t *db, zm_arena_t *a, const auth_token_claims_t *c, const char *token)
{
    db_res_t res;
    int64_t rc, token_id;

    rc = db_query(db, a, &res,
                  "SELECT o.id, o.user_id, b.id FROM token_blacklist_outstandingtoken o "
                  "LEFT JOIN token_blacklist_blacklistedtoken b ON b.token_id = o.id WHERE o.jti = ? FOR UPDATE",
                  "s", c->jti);
    if (rc != ZM_OK) {
        return (int)rc;
    }
    if (res.nrows == 0) {
        /* signed with our key but not on record (a Django service issued it): record it, as simplejwt does */
        rc = db_exec(db,
                     "INSERT INTO token_blacklist_outstandingtoken (token, created_at, expires_at, user_id, jti) "
                     "VALUES (?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?)",
                     "siiis", token, c->iat, c->exp, c->user_id, c->jti);
        if (rc < 0) {
            return rc == ZM_EDUP ? ACC_ETOKEN : (int)rc;
        }
        token_id = db_insert_id(db);
    } else {
        if (db_val(&res, 0, 2) != NULL || db_int(&res, 0, 1) != c->user_id) {
            return ACC_ETOKEN;
        }
        token_id = db_int(&res, 0, 0);
    }
    rc = db_exec(db,
                 "INSERT INTO token_blacklist_blacklistedtoken (blacklisted_at, token_id) VALUES (UTC_TIMESTAMP(6), ?)",
                 "i", token_id);
    if (rc == ZM_EDUP) {
        return ACC_ETOKEN; /* a concurrent refresh with the same token won */
    }
    return rc < 0 ? (int)rc : ZM_OK;
}

static int verify_refresh(const char *refresh, auth_token_claims_t *c)
{
    int rc = auth_token_verify(acc.key, acc.keylen, refresh, AUTH_TOKEN_REFRESH, (int64_t)time(NULL), c);

    return rc == ZM_OK ? ZM_OK : ACC_ETOKEN;
}

int acc_refresh(db_t *db, zm_arena_t *a, const char *refresh, acc_tokens_t *t)
{
    auth_token_claims_t c;
    int rc = verify_refresh(refresh, &c);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = check_user(db, a, &c, 0, NULL);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = blacklist_jti(db, a, &c, refresh);
    if (rc == ZM_OK) {
        rc = issue_pair(db, a, c.user_id, t);
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db);
}

int acc_logout(db_t *db, zm_arena_t *a, const char *access, const char *refresh)
{
    auth_token_claims_t c, ac;
    int64_t n;
    int rc = verify_refresh(refresh, &c);

    if (rc != ZM_OK) {
        return rc;
    }
    if (auth_token_verify(acc.key, acc.keylen, access, AUTH_TOKEN_ACCESS, (int64_t)time(NULL), &ac) != ZM_OK ||
        c.user_id != ac.user_id) {
        return ACC_ETOKEN;
    }
    rc = db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = blacklist_jti(db, a, &c, refresh);
    if (rc == ZM_OK) {
        /* this session's access token ends too; kept until it would have expired anyway */
        n = db_exec(db,
                    "INSERT INTO zm_revoked_access (jti, user_id, expires_at, revoked_at) "
                    "VALUES (?, ?, FROM_UNIXTIME(?), UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE jti = jti",
                    "sii", ac.jti, ac.user_id, ac.exp);
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    if (rc == ZM_OK) {
        zm_metrics_auth_bump(); /* every worker of this host reads the user's revoked tokens again */
    }
    return rc;
}

int acc_change_password(db_t *db, zm_arena_t *a, int64_t user_id, const char *old_pw, const char *new_pw,
                        acc_tokens_t *t)
{
    acc_user_t u;
    const char *hash = NULL;
    int needs_rehash, rc;

    rc = load_user(db, a, "u.id = ?", "i", &user_id, &u, &hash, NULL);
    if (rc != ZM_OK) {
        return rc;
    }
    if (auth_password_verify(old_pw, hash ? hash : "!", &needs_rehash) != ZM_OK) {
        return ACC_EBADCRED;
    }
    if (acc_check_password(new_pw, u.email) != NULL) {
        return ACC_EWEAK;
    }
    rc = db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = ensure_profile(db, &u);
    if (rc == ZM_OK) {
        rc = set_password(db, user_id, new_pw);
    }
    if (rc == ZM_OK) {
        rc = revoke_all(db, user_id);
    }
    if (rc == ZM_OK) {
        rc = issue_pair(db, a, user_id, t);
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    zm_metrics_auth_bump(); /* older access tokens are refused from now on, in every worker */
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
        rc = ensure_profile(db, &u);
    }
    if (rc == ZM_OK) {
        rc = set_password(db, user_id, new_pw);
    }
    if (rc == ZM_OK) {
        rc = revoke_all(db, user_id);
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

int acc_update_profile(db_t *db, zm_arena_t *a, int64_t user_id, const char *username, const char *first_name,
                       const char *last_name, const char *company, acc_user_t *out)
{
    acc_user_t u;
    int64_t n;
    int rc;

    if (username && check_username(username) != NULL) {
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
    rc = ensure_profile(db, &u);
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
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    return rc == ZM_OK ? acc_get_user(db, a, user_id, out) : rc;
}

const char *acc_username_error(const char *username)
{
    return check_username(username);
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
    rc = ensure_profile(db, &u);
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
            rc = revoke_all(db, user_id);
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
