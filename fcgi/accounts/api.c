/*
 * api.c -- accounts over HTTP, /api/v1/auth/... and /api/v1/admin/users:
 * parse, validate, call accounts.h, render.
 */
#include "accounts_api.h"

#include <stdint.h>
#include <string.h>

#include "accounts.h"
#include "conf.h"
#include "email.h"
#include "queue.h"
#include "ratelimit.h"

/* ---- shared pieces ---- */

/* Count an attempt of action by this client IP and, when given, this email (in its normal form: every
 * spelling of an address shares one bucket).  ZM_OK, or the request is answered (429, or the failure's
 * answer) and ZM_EINVAL returned. */
static int limited(zm_req_t *r, const char *action, const char *email)
{
    int window = (int)zm_conf_int("ratelimit.window_s"), retry = 0, rc;
    char *bucket;

    bucket = zm_psprintf(r->a, "%s:ip:%s", action, r->client_ip);
    rc = rl_hit(r->db, bucket, (int)zm_conf_int("ratelimit.per_ip"), window, &retry);
    if (rc == ZM_OK && email) {
        const char *norm = auth_email_key(r->a, email);
        char *key = zm_psprintf(r->a, "%s:email:%.191s", action, norm ? norm : email);
        /* the bucket column holds 191 characters: longer keys are cut, which only merges buckets; the
         * cut must not split a UTF-8 sequence (the column would refuse the rest of it) */
        if (key && strlen(key) > 191) {
            size_t n = 191;
            while (n > 0 && ((unsigned char)key[n] & 0xC0) == 0x80) {
                n--;
            }
            key[n] = '\0';
        }
        rc = rl_hit(r->db, key, (int)zm_conf_int("ratelimit.per_email"), window, &retry);
    }
    if (rc == RL_LIMITED) {
        zm_reply_limited(r, retry, "操作过于频繁，请稍后再试");
        return ZM_EINVAL;
    }
    if (rc != ZM_OK) {
        zm_reply_from_rc(r, rc);
        return ZM_EINVAL;
    }
    return ZM_OK;
}

static int reply_user(zm_req_t *r, int status, const acc_user_t *u)
{
    return zm_reply_data(r, status, acc_user_json(u));
}

static int reply_tokens(zm_req_t *r, const acc_tokens_t *t, const acc_user_t *u)
{
    json_object *d = json_object_new_object();

    json_object_object_add(d, "access", json_object_new_string(t->access));
    json_object_object_add(d, "refresh", json_object_new_string(t->refresh));
    if (u) {
        json_object_object_add(d, "user", acc_user_json(u));
    }
    return zm_reply_data(r, 200, d);
}

/* what accounts' failures answer, by the kind of request */
#define BAD_SESSION 401, "token_invalid", "令牌无效或已失效，请重新登录"
static const zm_error_map_t session_errors[] = {
    {ACC_ETOKEN, BAD_SESSION},
    /* one answer for an unknown email, a wrong password and a disabled account */
    {ACC_EBADCRED, 401, "invalid_credentials", "邮箱或密码错误"},
};
static const zm_error_map_t link_errors[] = {
    {ACC_ETOKEN, 400, "invalid_token", "链接无效、已使用或已过期，请重新获取"},
};
static const zm_error_map_t profile_errors[] = {
    {ACC_EUSERNAME_TAKEN, 409, "username_taken", "该用户名已被使用"},
};
static const zm_error_map_t admin_errors[] = {
    {ZM_ENOTFOUND, 404, "not_found", "用户不存在"},
};

/* ---- /api/v1/auth ---- */

/* A username that is an email address would let anyone ask whether that address has an account (a
 * derived username is the address itself); one equal to the registering address is just the default. */
static const char *signup_username(zm_req_t *r, zm_form_t *f, const char *username, const char *key)
{
    const char *why, *as_key;

    if (username == NULL || username[0] == '\0') {
        return NULL;
    }
    as_key = strchr(username, '@') ? auth_email_key(r->a, username) : NULL;
    if (as_key && key && strcmp(as_key, key) == 0) {
        return NULL;
    }
    if (strchr(username, '@')) {
        zm_form_error(f, "username", "用户名不能包含 @（不能使用邮箱地址作为用户名）");
    } else if ((why = acc_username_error(username)) != NULL) {
        zm_form_error(f, "username", why);
    }
    return username;
}

/* One answer for a new and a registered address, so registration tells nobody which addresses have
 * accounts: the mail that follows says which it was, to the address's owner only. */
int accounts_api_register(zm_req_t *r)
{
    json_object *d;
    zm_form_t f;
    const char *email, *password, *username, *invite, *why, *key = NULL;
    int rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    email = zm_form_str(&f, "email", 1, 254);
    password = zm_form_str(&f, "password", 1, 256);
    username = zm_form_str(&f, "username", 0, 150);
    invite = zm_form_str(&f, "invite_code", 0, 16);
    if (limited(r, "register", email) != ZM_OK) {
        return ZM_OK;
    }
    if (email && (why = acc_check_email(email)) != NULL) {
        zm_form_error(&f, "email", why);
    } else if (email) {
        key = auth_email_key(r->a, email);
    }
    if (password && (why = acc_check_password(password, key ? key : email)) != NULL) {
        zm_form_error(&f, "password", why);
    }
    username = signup_username(r, &f, username, key);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = acc_signup(r->db, r->a, key, password, username, invite);
    if (rc == ACC_EINVITE) {
        return zm_reply_field_error(r, "invite_code", "邀请码不存在");
    }
    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, profile_errors, rc);
    }
    d = json_object_new_object();
    json_object_object_add(d, "email", json_object_new_string(key));
    json_object_object_add(d, "detail",
                           json_object_new_string("请查收邮件：新注册的邮箱会收到验证链接；该邮箱若已注册，"
                                                  "邮件会告诉您如何登录或找回密码"));
    return zm_reply_data(r, 201, d);
}

int accounts_api_verify_email(zm_req_t *r)
{
    zm_form_t f;
    const char *token;
    acc_user_t u;
    int rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    token = zm_form_str(&f, "token", 1, 128);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = acc_verify_email(r->db, r->a, token, &u);
    return rc == ZM_OK ? reply_user(r, 200, &u) : ZM_REPLY_MAPPED(r, link_errors, rc);
}

/* resend-verification and password/reset: the same answer, and the same work (one queued task), whether
 * or not the email has an account; zhimai-worker finds out and mails the link, or does nothing */
static int mail_link(zm_req_t *r, const char *action)
{
    json_object *d;
    zm_form_t f;
    const char *email, *why;
    int rc, reset = strcmp(action, "reset") == 0;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    email = zm_form_str(&f, "email", 1, 254);
    if (email && (why = acc_check_email(email)) != NULL) {
        zm_form_error(&f, "email", why);
    }
    if (zm_form_done(&f) != ZM_OK || limited(r, action, email) != ZM_OK) {
        return ZM_OK;
    }
    rc = acc_request_mail_link(r->db, r->a, email, reset ? "reset" : "verify");
    if (rc != ZM_OK) {
        return zm_reply_from_rc(r, rc);
    }
    d = json_object_new_object();
    json_object_object_add(d, "detail",
                           json_object_new_string(reset ? "如果该邮箱已注册，我们已发送重置密码的邮件"
                                                        : "如果该邮箱已注册且未验证，我们已发送验证邮件"));
    return zm_reply_data(r, 200, d);
}

int accounts_api_resend_verification(zm_req_t *r)
{
    return mail_link(r, "resend");
}

int accounts_api_password_reset(zm_req_t *r)
{
    return mail_link(r, "reset");
}

int accounts_api_login(zm_req_t *r)
{
    zm_form_t f;
    const char *email, *password;
    acc_user_t u;
    acc_tokens_t t;
    int rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    email = zm_form_str(&f, "email", 1, 254);
    password = zm_form_str(&f, "password", 1, 256);
    if (zm_form_done(&f) != ZM_OK || limited(r, "login", email) != ZM_OK) {
        return ZM_OK;
    }
    rc = acc_login(r->db, r->a, email, password, &u, &t);
    return rc == ZM_OK ? reply_tokens(r, &t, &u) : ZM_REPLY_MAPPED(r, session_errors, rc);
}

/* {"refresh": "..."}: the token, or NULL when the request was answered */
static const char *refresh_field(zm_req_t *r)
{
    zm_form_t f;
    const char *tok;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return NULL;
    }
    /* any length: an oversized token is just an invalid one (401), like a forged one */
    tok = zm_form_str(&f, "refresh", 1, 65536);
    return zm_form_done(&f) == ZM_OK ? tok : NULL;
}

int accounts_api_refresh(zm_req_t *r)
{
    acc_tokens_t t;
    int rc;
    const char *tok = refresh_field(r);

    if (tok == NULL) {
        return ZM_OK;
    }
    rc = acc_refresh(r->db, r->a, tok, &t);
    return rc == ZM_OK ? reply_tokens(r, &t, NULL) : ZM_REPLY_MAPPED(r, session_errors, rc);
}

int accounts_api_logout(zm_req_t *r)
{
    int rc;
    const char *tok = refresh_field(r), *bearer = zm_req_env(r, "HTTP_AUTHORIZATION");

    if (tok == NULL) {
        return ZM_OK;
    }
    /* the route authenticated "Bearer <access>": that session's access token ends with it */
    if (bearer == NULL || strlen(bearer) < 7) {
        return zm_reply_error(r, BAD_SESSION, NULL);
    }
    rc = acc_logout(r->db, r->a, bearer + 7, tok);
    return rc == ZM_OK ? zm_reply_no_content(r) : ZM_REPLY_MAPPED(r, session_errors, rc);
}

int accounts_api_me(zm_req_t *r)
{
    acc_user_t u;
    int rc = acc_get_user(r->db, r->a, r->user_id, &u);

    return rc == ZM_OK ? reply_user(r, 200, &u) : zm_reply_from_rc(r, rc);
}

int accounts_api_me_update(zm_req_t *r)
{
    zm_form_t f;
    const char *username, *first, *last, *company, *why, *job_status = NULL;
    acc_user_t u;
    int rc, js;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    js = zm_form_enum(&f, "job_status", 0, acc_job_statuses,
                      "应为 离职，正在找工作 / 在职，急寻新工作 / 在职，看看新机会 / 在职，暂无跳槽打算");
    if (js >= 0) {
        job_status = acc_job_statuses[js];
    }
    username = zm_form_str(&f, "username", 0, 150);
    first = zm_form_str(&f, "first_name", 0, 150);
    last = zm_form_str(&f, "last_name", 0, 150);
    company = zm_form_str(&f, "company", 0, 200);
    if (username && (why = acc_username_error(username)) != NULL) {
        zm_form_error(&f, "username", why);
    } else if (username && strchr(username, '@')) {
        /* a new username may not be an address ("username_taken" would tell whose address has an
         * account); an existing one (the address, as derived at registration) may be sent back unchanged */
        if ((rc = acc_get_user(r->db, r->a, r->user_id, &u)) != ZM_OK) {
            return zm_reply_from_rc(r, rc);
        }
        if (strcmp(u.username, username) != 0) {
            zm_form_error(&f, "username", "用户名不能包含 @（不能使用邮箱地址作为用户名）");
        }
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = acc_update_profile(r->db, r->a, r->user_id, username, first, last, company, job_status, &u);
    return rc == ZM_OK ? reply_user(r, 200, &u) : ZM_REPLY_MAPPED(r, profile_errors, rc);
}

int accounts_api_password_change(zm_req_t *r)
{
    zm_form_t f;
    const char *old_pw, *new_pw, *why;
    acc_user_t u;
    acc_tokens_t t;
    int rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    old_pw = zm_form_str(&f, "old_password", 1, 256);
    new_pw = zm_form_str(&f, "new_password", 1, 256);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    if ((rc = acc_get_user(r->db, r->a, r->user_id, &u)) != ZM_OK) {
        return zm_reply_from_rc(r, rc);
    }
    if ((why = acc_check_password(new_pw, u.email)) != NULL) {
        return zm_reply_field_error(r, "new_password", why);
    }
    rc = acc_change_password(r->db, r->a, r->user_id, old_pw, new_pw, &t);
    if (rc == ACC_EBADCRED) {
        return zm_reply_field_error(r, "old_password", "原密码不正确");
    }
    return rc == ZM_OK ? reply_tokens(r, &t, NULL) : zm_reply_from_rc(r, rc);
}

int accounts_api_password_reset_confirm(zm_req_t *r)
{
    json_object *d;
    zm_form_t f;
    const char *token, *new_pw, *why;
    int rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    token = zm_form_str(&f, "token", 1, 128);
    new_pw = zm_form_str(&f, "new_password", 1, 256);
    if (new_pw && (why = acc_check_password(new_pw, NULL)) != NULL) {
        zm_form_error(&f, "new_password", why);
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = acc_reset_password(r->db, r->a, token, new_pw);
    if (rc == ACC_EWEAK) {
        return zm_reply_field_error(r, "new_password", "密码不能与邮箱相同");
    }
    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, link_errors, rc);
    }
    d = json_object_new_object();
    json_object_object_add(d, "detail", json_object_new_string("密码已重置，请使用新密码登录"));
    return zm_reply_data(r, 200, d);
}

/* ---- /api/v1/admin/users ---- */

int accounts_api_admin_users(zm_req_t *r)
{
    zm_page_t page;
    int64_t total = 0;
    json_object *items = NULL;
    const char *search = zm_req_query(r, "search");
    const char *role = zm_req_query(r, "role");
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK) {
        return ZM_OK;
    }
    if (search && strlen(search) > 254) {
        return zm_reply_field_error(r, "search", "最多 254 个字符");
    }
    if (role && role[0] && acc_role_parse(role) == 0) {
        return zm_reply_field_error(r, "role", "角色只能是 seeker、hr 或 admin");
    }
    rc = acc_admin_list(r->db, r->a, search, role, page.page, page.size, &items, &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : zm_reply_from_rc(r, rc);
}

int accounts_api_admin_user_update(zm_req_t *r)
{
    zm_form_t f;
    const char *role_s;
    int64_t id;
    int role = 0, active, rc;
    acc_user_t u;

    /* auth_user.id is an INT: a larger id names no user */
    if (zm_req_param_id(r, "id", &id) != ZM_OK || id > INT32_MAX) {
        return ZM_REPLY_MAPPED(r, admin_errors, ZM_ENOTFOUND);
    }
    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    role_s = zm_form_str(&f, "role", 0, 16);
    active = zm_form_bool(&f, "is_active", 0);
    if (role_s && (role = acc_role_parse(role_s)) == 0) {
        zm_form_error(&f, "role", "角色应为 seeker、hr 或 admin");
    }
    if (id == r->user_id && (active == 0 || (role && role != ZM_ROLE_ADMIN))) {
        zm_form_error(&f, role ? "role" : "is_active", "不能停用自己或取消自己的管理员身份");
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = acc_admin_update(r->db, r->a, id, role, active, &u);
    return rc == ZM_OK ? reply_user(r, 200, &u) : ZM_REPLY_MAPPED(r, admin_errors, rc);
}
