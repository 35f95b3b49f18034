/*
 * api.c -- the payment endpoints: parse, validate, call the domain, render.
 */
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "payments.h"
#include "payments_api.h"
#include "points.h"
#include "server.h"
#include "str.h"

static const zm_error_map_t payments_errors[] = {
    {PAYMENTS_EUNAVAILABLE, 503, "payment_unavailable", "支付暂未开通"},
    {PAYMENTS_EUPSTREAM, 502, "payment_upstream", "微信支付下单失败，请稍后再试"},
    {PAYMENTS_EAMOUNT, 400, "invalid_amount", "充值金额不正确"},
    {PAYMENTS_EPACKAGE, 400, "unknown_package", "没有这个套餐"},
    {ZM_ENOTFOUND, 404, "not_found", "订单不存在"},
};

int payments_api_create(zm_req_t *r)
{
    static const char *const kinds[] = {"recharge", "package", NULL};
    payments_order_t o;
    points_package_t pkg;
    zm_form_t f;
    const char *package = NULL;
    int64_t amount = 0;
    int kind, rc;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    kind = zm_form_enum(&f, "kind", 1, kinds, "只能是 recharge 或 package");
    if (kind == 0) {
        int64_t min = points_min_recharge_fen(), max = zm_conf_int("points.max_recharge_fen");
        amount = zm_form_int(&f, "amount_fen", 1, INT64_MIN, INT64_MAX, 0);
        if (!zm_form_failed(&f) && amount < min) {
            zm_form_error(&f, "amount_fen",
                          zm_psprintf(r->a, "最低充值 %lld.%02lld 元", (long long)(min / 100), (long long)(min % 100)));
        } else if (!zm_form_failed(&f) && amount > max) {
            zm_form_error(&f, "amount_fen", zm_psprintf(r->a, "单笔最多充值 %lld 元", (long long)(max / 100)));
        }
    } else if (kind == 1) {
        package = zm_form_str(&f, "package", 1, 16);
        if (package && points_package_find(package, &pkg) != ZM_OK) {
            zm_form_error(&f, "package", "没有这个套餐（week、month 或 quarter）");
        }
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    rc = payments_order_create(r->db, r->a, r->user_id, kinds[kind], amount, package, (time_t)zm_now_s(), &o);
    if (rc == PAYMENTS_ETOOMANY) {
        int64_t max = zm_conf_int("payments.max_pending_orders");
        return zm_reply_error(
            r, 429, "too_many_pending_orders",
            zm_psprintf(r->a, "已有 %lld 笔订单等待支付，请先支付或等它们过期后再下单", (long long)max), NULL);
    }
    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, payments_errors, rc);
    }
    return zm_reply_data(r, 201, payments_order_json(r->a, &o));
}

int payments_api_list(zm_req_t *r)
{
    zm_page_t page;
    json_object *items;
    int64_t total;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK) {
        return ZM_OK;
    }
    rc = payments_order_list(r->db, r->a, r->user_id, page.page, page.size, &items, &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : ZM_REPLY_MAPPED(r, payments_errors, rc);
}

int payments_api_get(zm_req_t *r)
{
    const char *no = zm_req_param(r, "no");
    payments_order_t o;
    int rc;

    if (!zm_str_is_token(no, 6, 32)) {
        return ZM_REPLY_MAPPED(r, payments_errors, ZM_ENOTFOUND);
    }
    rc = payments_order_get(r->db, r->a, r->user_id, no, (time_t)zm_now_s(), &o);
    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, payments_errors, rc);
    }
    return zm_reply_data(r, 200, payments_order_json(r->a, &o));
}

int payments_api_qr(zm_req_t *r)
{
    const char *no = zm_req_param(r, "no");
    unsigned char *png;
    size_t len;
    int rc;

    if (!zm_str_is_token(no, 6, 32)) {
        return ZM_REPLY_MAPPED(r, payments_errors, ZM_ENOTFOUND);
    }
    rc = payments_order_qr(r->db, r->a, r->user_id, no, &png, &len);
    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, payments_errors, rc);
    }
    zm_reply_header(r, "Cache-Control", "private, max-age=300");
    return zm_reply_raw(r, 200, "image/png", (const char *)png, len);
}

static int notify_reply(zm_req_t *r, int status, const char *code, const char *message)
{
    json_object *o = zm_req_own(r, json_object_new_object());
    const char *body;

    json_object_object_add(o, "code", json_object_new_string(code));
    json_object_object_add(o, "message", json_object_new_string(message));
    body = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    return zm_reply_raw(r, status, "application/json; charset=utf-8", body, strlen(body));
}

/* WeChat's callback: authenticated by its signature, never by a session; never rate limited */
int payments_api_notify(zm_req_t *r)
{
    payments_notify_in_t in;
    const char *message = "";
    int status = 200;

    in.timestamp = zm_req_env(r, "HTTP_WECHATPAY_TIMESTAMP");
    in.nonce = zm_req_env(r, "HTTP_WECHATPAY_NONCE");
    in.signature = zm_req_env(r, "HTTP_WECHATPAY_SIGNATURE");
    in.serial = zm_req_env(r, "HTTP_WECHATPAY_SERIAL");
    in.signature_type = zm_req_env(r, "HTTP_WECHATPAY_SIGNATURE_TYPE");
    in.request_id = zm_req_env(r, "HTTP_REQUEST_ID");
    in.client_ip = r->client_ip;
    payments_notify(r->db, r->a, &in, r->body ? r->body : "", r->body ? r->body_len : 0, (time_t)zm_now_s(), &status,
                    &message);
    if (status == 200) {
        return notify_reply(r, 200, "SUCCESS", "成功");
    }
    return notify_reply(r, status, "FAIL", message);
}

/* the routes: a module of their own, so the domain library (module.c) carries no HTTP handler */
static const zm_route_t payments_routes[] = {
    {"POST", "/api/v1/payment/orders", payments_api_create, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/payment/orders", payments_api_list, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/payment/orders/{no}", payments_api_get, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/payment/orders/{no}/qr.png", payments_api_qr, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    /* signature-authenticated (Wechatpay-Signature), no JWT, no rate limit: WeChat retries must land */
    {"POST", "/api/v1/payment/wechat/notify", payments_api_notify, ZM_AUTH_NONE, NULL, ZM_BODY_ANY},
};

const zm_module_t zm_payments_api_module = {
    .name = "payments_api",
    .routes = payments_routes,
    .nroutes = ZM_ARRAY_LEN(payments_routes),
};
