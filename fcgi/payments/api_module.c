/*
 * api_module.c -- payments' routes (zmpayments_api: the HTTP part of payments).
 */
#include "module.h"
#include "payments_api.h"
#include "server.h"

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
