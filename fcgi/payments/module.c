/*
 * module.c -- payments: WeChat Pay Native orders, the notification callback,
 * QR codes, the expiry task.  The wechatpay.* keys belong to services.
 */
#include "conf.h"
#include "payments.h"
#include "payments_api.h"
#include "payments_tasks.h"
#include "registry.h"
#include "server.h"

static const zm_conf_key_t payments_keys[] = {
    ZM_CONF_I("payments.order_ttl_s", "900", 60, 7200,
              "# How long a payment order (its QR code) stays payable; past it the order is closed at WeChat."),
    ZM_CONF_I("payments.max_pending_orders", "5", 1, 1000,
              "# How many unpaid, unexpired orders one user may have; one more is answered 429\n"
              "# too_many_pending_orders (the count runs under the user's account lock: no race lets a sixth in)."),
    ZM_CONF_I("payments.query_after_s", "5", 0, 3600,
              "# A pending order older than this is queried at WeChat when its owner looks at it (and again\n"
              "# at most this often): a callback that never comes still credits the order."),
};

_Static_assert(ZM_IN_RANGE(PAYMENTS_EUNAVAILABLE, ZM_ERANGE_PAYMENTS) &&
                   ZM_IN_RANGE(PAYMENTS_ETOOMANY, ZM_ERANGE_PAYMENTS),
               "payments' codes lie in its range");

static const zm_route_t payments_routes[] = {
    {"POST", "/api/v1/payment/orders", payments_api_create, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
    {"GET", "/api/v1/payment/orders", payments_api_list, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/payment/orders/{no}", payments_api_get, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/payment/orders/{no}/qr.png", payments_api_qr, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    /* signature-authenticated (Wechatpay-Signature), no JWT, no rate limit: WeChat retries must land */
    {"POST", "/api/v1/payment/wechat/notify", payments_api_notify, ZM_AUTH_NONE, NULL, ZM_BODY_ANY},
};

static const task_type_t payments_tasks[] = {
    {"payments.expire", payments_task_expire, 0},
};

static const task_schedule_t payments_schedules[] = {
    {"payments.expire", 60, TASK_PRIO_LOW},
};

const zm_module_t zm_payments_module = {
    .name = "payments",
    .conf = payments_keys,
    .nconf = ZM_ARRAY_LEN(payments_keys),
    .routes = payments_routes,
    .nroutes = ZM_ARRAY_LEN(payments_routes),
    .tasks = payments_tasks,
    .ntasks = ZM_ARRAY_LEN(payments_tasks),
    .schedules = payments_schedules,
    .nschedules = ZM_ARRAY_LEN(payments_schedules),
};
