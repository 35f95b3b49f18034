/*
 * module.c -- payments: WeChat Pay Native orders, the notification callback,
 * QR codes, the expiry task.  The wechatpay.* keys belong to services; the
 * routes are in api.c (zmpayments_api), so zmpayments holds no HTTP
 * handler and zhimai-inspect links it alone.
 */
#include "conf.h"
#include "payments.h"
#include "payments_tasks.h"
#include "registry.h"

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
    .tasks = payments_tasks,
    .ntasks = ZM_ARRAY_LEN(payments_tasks),
    .schedules = payments_schedules,
    .nschedules = ZM_ARRAY_LEN(payments_schedules),
};
