/*
 * auth.c -- route-level authentication: a Bearer access token (simplejwt
 * layout) of an active user, and the role the route asks for.  Which
 * tokens are good is the accounts module's to say: it installs the check.
 */
#include <string.h>
#include <strings.h>

#include "http.h"
#include "log.h"
#include "server.h"

/* Answer and refuse: the reply's own ZM_OK must not read as "authenticated". */
static int refuse(zm_req_t *r, int status, const char *code, const char *message)
{
    if (status == 401) {
        zm_reply_header(r, "WWW-Authenticate",
                        strcmp(code, "not_authenticated") == 0 ? "Bearer" : "Bearer error=\"invalid_token\"");
    }
    zm_reply_error(r, status, code, message, NULL);
    return ZM_EINVAL;
}

static zm_authenticate_pt authenticate;
static zm_observe_pt observe;

void zm_http_set_observer(zm_observe_pt fn)
{
    observe = fn;
}

void zm_http_set_authenticator(zm_authenticate_pt fn)
{
    authenticate = fn;
}

int zm_auth_check(zm_req_t *r, int level)
{
    const char *h = zm_req_env(r, "HTTP_AUTHORIZATION");
    int64_t user_id = 0;
    int role = 0, rc;

    if (h == NULL || h[0] == '\0') {
        return refuse(r, 401, "not_authenticated", "需要登录");
    }
    if (strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0') {
        return refuse(r, 401, "token_invalid", "认证信息格式错误，应为 Bearer 令牌");
    }
    if (authenticate == NULL) {
        zm_log_error("a route needs a user, but no module installed an authenticator");
        return ZM_ERR;
    }
    rc = authenticate(r->db, r->a, h + 7, &user_id, &role);
    if (rc == ZM_EEXPIRED) {
        return refuse(r, 401, "token_expired", "登录已过期，请刷新令牌或重新登录");
    }
    if (rc == ZM_ETOKEN) {
        return refuse(r, 401, "token_invalid", "令牌无效或已失效，请重新登录");
    }
    if (rc != ZM_OK) {
        return rc;
    }
    if ((level == ZM_AUTH_ADMIN && role != ZM_ROLE_ADMIN) ||
        (level == ZM_AUTH_HR && role != ZM_ROLE_HR && role != ZM_ROLE_ADMIN)) {
        return refuse(r, 403, "forbidden", "没有权限执行此操作");
    }
    r->user_id = user_id;
    r->role = role;
    if (observe && r->route) {
        observe(r->db, user_id, r->route->pattern);
    }
    return ZM_OK;
}
