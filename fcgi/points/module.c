/*
 * module.c -- points, membership and packages: configuration (levels,
 * packages, prices), the endpoints, the task that writes off expired
 * package points.
 */
#include "conf.h"
#include "points.h"
#include "points_api.h"
#include "points_tasks.h"
#include "registry.h"
#include "server.h"

static const zm_conf_key_t points_keys[] = {
    ZM_CONF_I("points.per_yuan", "2", 0, 1000,
              "# Points credited for each yuan of a plain recharge (seed: 每消费1元获得2积分)."),
    ZM_CONF_I("points.min_recharge_fen", "1000", 1, 100000000,
              "# The smallest plain recharge, in fen (seed: 灵活充值10元起充)."),
    ZM_CONF_I("points.max_recharge_fen", "5000000", 1, 1000000000,
              "# The largest single recharge, in fen: anything above is refused as absurd."),
    ZM_CONF_I("points.level_bronze_fen", "1000", 1, 1000000000,
              "# Membership from cumulative paid recharge (packages included), in fen: 青铜 from this much..."),
    ZM_CONF_I("points.level_silver_fen", "6000", 1, 1000000000, "# ...白银 from this much..."),
    ZM_CONF_I("points.level_gold_fen", "20000", 1, 1000000000,
              "# ...黄金 from this much (铂金 and 钻石 are reserved: nothing grants them yet)."),
    ZM_CONF_I("points.package_week_fen", "1990", 1, 100000000, "# 周套餐: price (fen), ..."),
    ZM_CONF_I("points.package_week_days", "7", 1, 3660, "# ... length in days, ..."),
    ZM_CONF_E("points.package_week_level", "bronze", "bronze|silver|gold", "# ... the level it grants, ..."),
    ZM_CONF_I("points.package_week_points", "40", 0, 10000000,
              "# ... and the points that come with it (they expire when its period ends)."),
    ZM_CONF_I("points.package_month_fen", "5990", 1, 100000000, "# 月套餐: price (fen), ..."),
    ZM_CONF_I("points.package_month_days", "30", 1, 3660, "# ... days, ..."),
    ZM_CONF_E("points.package_month_level", "silver", "bronze|silver|gold", "# ... level, ..."),
    ZM_CONF_I("points.package_month_points", "120", 0, 10000000, "# ... points."),
    ZM_CONF_I("points.package_quarter_fen", "15990", 1, 100000000, "# 季套餐: price (fen), ..."),
    ZM_CONF_I("points.package_quarter_days", "90", 1, 3660, "# ... days, ..."),
    ZM_CONF_E("points.package_quarter_level", "gold", "bronze|silver|gold", "# ... level, ..."),
    ZM_CONF_I("points.package_quarter_points", "320", 0, 10000000, "# ... points."),
    ZM_CONF_I("points.price_diagnosis", "0", 0, 100000,
              "# Points a resume diagnosis costs, charged when its result is stored (0: free; a deployment\n"
              "# sets its prices, so upgrading changes nothing until it does)."),
    ZM_CONF_I("points.price_interview", "0", 0, 100000, "# Points an interview question prediction costs."),
    ZM_CONF_I("points.price_report_download", "2", 0, 100000,
              "# Points a report download costs a 青铜 member (白银 and above: free; seed 会员权益)."),
    ZM_CONF_I("points.price_mock_interview_minute", "0", 0, 100000,
              "# Points a minute of mock interview costs (POST /api/v1/points/consume-by-duration)."),
    ZM_CONF_I("points.price_meeting_minute", "0", 0, 100000, "# Points a minute of the meeting assistant costs."),
    ZM_CONF_I("points.referral_reward", "10", 0, 100000,
              "# Points an inviter earns when an invitee verifies their email (seed: 邀请注册成功+10积分)..."),
    ZM_CONF_I("points.referral_daily_cap", "20", 0, 100000,
              "# ... at most this many rewards an inviter a day (UTC); past it an invitee earns nothing."),
    ZM_CONF_I("points.feedback_reward", "10", 0, 100000,
              "# Points for a suggestion the team adopts (seed: 提建议被采纳+10积分; awarded by the feedback module)."),
};

_Static_assert(ZM_IN_RANGE(POINTS_ESHORT, ZM_ERANGE_POINTS) && ZM_IN_RANGE(POINTS_EPACKAGE, ZM_ERANGE_POINTS),
               "points' codes lie in its range");

static const zm_route_t points_routes[] = {
    /* seed 003's paths */
    {"GET", "/api/v1/payment/subscription/", points_api_subscription, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/points/history/", points_api_history, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"GET", "/api/v1/points/balance", points_api_balance, ZM_AUTH_USER, NULL, ZM_BODY_ANY},
    {"POST", "/api/v1/points/consume-by-duration", points_api_consume_duration, ZM_AUTH_USER, NULL, ZM_BODY_JSON},
};

static const task_type_t points_tasks[] = {
    {"points.expire", points_task_expire, 0},
};

static const task_schedule_t points_schedules[] = {
    {"points.expire", 600, TASK_PRIO_LOW},
};

const zm_module_t zm_points_module = {
    .name = "points",
    .conf = points_keys,
    .nconf = ZM_ARRAY_LEN(points_keys),
    .routes = points_routes,
    .nroutes = ZM_ARRAY_LEN(points_routes),
    .tasks = points_tasks,
    .ntasks = ZM_ARRAY_LEN(points_tasks),
    .schedules = points_schedules,
    .nschedules = ZM_ARRAY_LEN(points_schedules),
};
