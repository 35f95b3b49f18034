/*
 * rules.c -- the arithmetic of membership: levels from cumulative recharge,
 * benefits per level, packages, points per yuan, the FIFO of expiring lots.
 * Numbers come from the configuration (module.c's points.* keys); the pure
 * forms take them as arguments for the unit test.
 */
#include <string.h>

#include "conf.h"
#include "points.h"

static const char *const level_names[POINTS_NLEVELS] = {"normal", "bronze", "silver", "gold", "platinum", "diamond"};
static const char *const level_labels[POINTS_NLEVELS] = {"普通会员", "青铜会员", "白银会员",
                                                         "黄金会员", "铂金会员", "钻石会员"};

static const struct {
    const char *name, *label;
    int level;
} benefits[POINTS_NBENEFITS] = {
    [POINTS_BENEFIT_BASIC] = {"basic", "基础服务", POINTS_LEVEL_NORMAL},
    [POINTS_BENEFIT_NEWS] = {"news", "职场动态", POINTS_LEVEL_BRONZE},
    [POINTS_BENEFIT_REPORT_VIEW] = {"report_view", "查看报告", POINTS_LEVEL_BRONZE},
    [POINTS_BENEFIT_REPORT_DOWNLOAD] = {"report_download", "下载报告", POINTS_LEVEL_BRONZE},
    [POINTS_BENEFIT_MOCK_INTERVIEW] = {"mock_interview", "模拟面试", POINTS_LEVEL_BRONZE},
    [POINTS_BENEFIT_MEETING] = {"meeting", "会议助手", POINTS_LEVEL_SILVER},
    [POINTS_BENEFIT_CALENDAR_MAIL] = {"calendar_mail", "日历邮件提醒", POINTS_LEVEL_GOLD},
    [POINTS_BENEFIT_LOTTERY] = {"lottery", "抽奖活动与新功能优先体验", POINTS_LEVEL_GOLD},
};

const char *points_level_name(int level)
{
    return level >= 0 && level < POINTS_NLEVELS ? level_names[level] : "normal";
}

const char *points_level_label(int level)
{
    return level >= 0 && level < POINTS_NLEVELS ? level_labels[level] : level_labels[0];
}

int points_level_parse(const char *name)
{
    for (int i = 0; name && i < POINTS_NLEVELS; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

const char *points_benefit_name(points_benefit_t b)
{
    return (unsigned)b < POINTS_NBENEFITS ? benefits[b].name : "";
}

const char *points_benefit_label(points_benefit_t b)
{
    return (unsigned)b < POINTS_NBENEFITS ? benefits[b].label : "";
}

int points_benefit_level(points_benefit_t b)
{
    return (unsigned)b < POINTS_NBENEFITS ? benefits[b].level : POINTS_NLEVELS;
}

int points_level_for(int64_t fen, const int64_t thresholds[3])
{
    int level = POINTS_LEVEL_NORMAL;

    for (int i = 0; i < 3; i++) {
        if (fen >= thresholds[i]) {
            level = POINTS_LEVEL_BRONZE + i;
        }
    }
    return level;
}

int64_t points_level_threshold(int level)
{
    switch (level) {
    case POINTS_LEVEL_BRONZE:
        return zm_conf_int("points.level_bronze_fen");
    case POINTS_LEVEL_SILVER:
        return zm_conf_int("points.level_silver_fen");
    case POINTS_LEVEL_GOLD:
        return zm_conf_int("points.level_gold_fen");
    default:
        return -1;
    }
}

int points_recharge_level(int64_t fen)
{
    const int64_t t[3] = {points_level_threshold(1), points_level_threshold(2), points_level_threshold(3)};

    return points_level_for(fen, t);
}

int64_t points_for_fen(int64_t fen, int64_t per_yuan)
{
    return fen > 0 && per_yuan > 0 ? fen * per_yuan / 100 : 0;
}

time_t points_package_start(time_t now, time_t current_end)
{
    return current_end > now ? current_end : now;
}

int64_t points_download_price(int level)
{
    return level <= POINTS_LEVEL_BRONZE ? zm_conf_int("points.price_report_download") : 0;
}

int64_t points_min_recharge_fen(void)
{
    return zm_conf_int("points.min_recharge_fen");
}

int64_t points_price(const char *kind)
{
    static const char *const kinds[][2] = {
        {"diagnosis", "points.price_diagnosis"},
        {"interview", "points.price_interview"},
        {"report_download", "points.price_report_download"},
        {"mock_interview", "points.price_mock_interview_minute"},
        {"meeting", "points.price_meeting_minute"},
    };

    for (size_t i = 0; kind && i < ZM_ARRAY_LEN(kinds); i++) {
        if (strcmp(kind, kinds[i][0]) == 0) {
            return zm_conf_int(kinds[i][1]);
        }
    }
    return -1;
}

/* ---- packages ---- */

static const struct {
    const char *code, *label, *price, *days, *level, *points;
} packages[] = {
    {"week", "周套餐", "points.package_week_fen", "points.package_week_days", "points.package_week_level",
     "points.package_week_points"},
    {"month", "月套餐", "points.package_month_fen", "points.package_month_days", "points.package_month_level",
     "points.package_month_points"},
    {"quarter", "季套餐", "points.package_quarter_fen", "points.package_quarter_days", "points.package_quarter_level",
     "points.package_quarter_points"},
};

int points_package_find(const char *code, points_package_t *out)
{
    for (size_t i = 0; code && i < ZM_ARRAY_LEN(packages); i++) {
        if (strcmp(code, packages[i].code) == 0) {
            out->code = packages[i].code;
            out->label = packages[i].label;
            out->price_fen = zm_conf_int(packages[i].price);
            out->days = zm_conf_int(packages[i].days);
            out->level = points_level_parse(zm_conf_str(packages[i].level));
            out->points = zm_conf_int(packages[i].points);
            return ZM_OK;
        }
    }
    return POINTS_EPACKAGE;
}

json_object *points_packages_json(void)
{
    json_object *arr = json_object_new_array();

    for (size_t i = 0; i < ZM_ARRAY_LEN(packages); i++) {
        points_package_t p;
        json_object *o = json_object_new_object();

        points_package_find(packages[i].code, &p);
        json_object_object_add(o, "code", json_object_new_string(p.code));
        json_object_object_add(o, "label", json_object_new_string(p.label));
        json_object_object_add(o, "price_fen", json_object_new_int64(p.price_fen));
        json_object_object_add(o, "days", json_object_new_int64(p.days));
        json_object_object_add(o, "level", json_object_new_string(points_level_name(p.level)));
        json_object_object_add(o, "level_label", json_object_new_string(points_level_label(p.level)));
        json_object_object_add(o, "points", json_object_new_int64(p.points));
        json_object_array_add(arr, o);
    }
    return arr;
}

/* ---- FIFO ---- */

int64_t points_fifo_take(const points_lot_t *lots, size_t n, int64_t amount, int64_t *take)
{
    for (size_t i = 0; i < n; i++) {
        take[i] = lots[i].remaining < amount ? lots[i].remaining : amount;
        if (take[i] < 0) {
            take[i] = 0;
        }
        amount -= take[i];
    }
    return amount;
}
