/*
 * test_points.c -- the arithmetic of membership: levels from cumulative
 * recharge (the seed's 0-10 / 10-60 / 60-200 / 200+ yuan, and thresholds
 * from the configuration), points per yuan, when a package bought during
 * another one starts, the FIFO of expiring lots, the benefit table.
 */
#define _DEFAULT_SOURCE /* setenv */
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "modules.h"
#include "points.h"
#include "zt.h"

static void test_levels(void)
{
    const int64_t t[3] = {1000, 6000, 20000};

    ZT_CHECK(points_level_for(0, t) == POINTS_LEVEL_NORMAL);
    ZT_CHECK(points_level_for(999, t) == POINTS_LEVEL_NORMAL);
    ZT_CHECK(points_level_for(1000, t) == POINTS_LEVEL_BRONZE); /* 10 yuan: 青铜 */
    ZT_CHECK(points_level_for(5999, t) == POINTS_LEVEL_BRONZE);
    ZT_CHECK(points_level_for(6000, t) == POINTS_LEVEL_SILVER);
    ZT_CHECK(points_level_for(19999, t) == POINTS_LEVEL_SILVER);
    ZT_CHECK(points_level_for(20000, t) == POINTS_LEVEL_GOLD);
    ZT_CHECK(points_level_for(INT64_C(100000000000), t) == POINTS_LEVEL_GOLD); /* reserved levels: never */
    ZT_STREQ(points_level_name(POINTS_LEVEL_SILVER), "silver");
    ZT_STREQ(points_level_label(POINTS_LEVEL_GOLD), "黄金会员");
    ZT_CHECK(points_level_parse("bronze") == POINTS_LEVEL_BRONZE && points_level_parse("iron") == -1);
    /* the configured thresholds */
    ZT_CHECK(points_recharge_level(999) == POINTS_LEVEL_NORMAL && points_recharge_level(1000) == POINTS_LEVEL_BRONZE);
    ZT_CHECK(points_level_threshold(POINTS_LEVEL_GOLD) == 20000 && points_level_threshold(0) == -1);
}

static void test_points_per_yuan(void)
{
    ZT_CHECK(points_for_fen(1000, 2) == 20);
    ZT_CHECK(points_for_fen(999, 2) == 19); /* floored, never rounded up */
    ZT_CHECK(points_for_fen(6000, 2) == 120);
    ZT_CHECK(points_for_fen(0, 2) == 0 && points_for_fen(-5, 2) == 0 && points_for_fen(1000, 0) == 0);
}

static void test_package_start(void)
{
    time_t now = 1700000000;

    ZT_CHECK(points_package_start(now, 0) == now);                           /* none bought */
    ZT_CHECK(points_package_start(now, now - 86400) == now);                 /* the last one is over */
    ZT_CHECK(points_package_start(now, now + 5 * 86400) == now + 5 * 86400); /* appended after it */
}

static void test_packages(void)
{
    points_package_t p;

    ZT_CHECK(points_package_find("week", &p) == ZM_OK && p.days == 7 && p.level == POINTS_LEVEL_BRONZE);
    ZT_CHECK(points_package_find("month", &p) == ZM_OK && p.days == 30 && p.level == POINTS_LEVEL_SILVER);
    ZT_CHECK(points_package_find("quarter", &p) == ZM_OK && p.days == 90 && p.level == POINTS_LEVEL_GOLD);
    ZT_CHECK(points_package_find("year", &p) == POINTS_EPACKAGE && points_package_find(NULL, &p) == POINTS_EPACKAGE);
}

static void test_fifo(void)
{
    points_lot_t lots[3] = {{1, 10}, {2, 5}, {3, 20}};
    int64_t take[3];

    ZT_CHECK(points_fifo_take(lots, 3, 12, take) == 0);
    ZT_CHECK(take[0] == 10 && take[1] == 2 && take[2] == 0);
    ZT_CHECK(points_fifo_take(lots, 3, 40, take) == 5); /* 5 from the points that never expire */
    ZT_CHECK(take[0] == 10 && take[1] == 5 && take[2] == 20);
    ZT_CHECK(points_fifo_take(lots, 0, 7, take) == 7);
}

static void test_benefits(void)
{
    ZT_CHECK(points_benefit_level(POINTS_BENEFIT_BASIC) == POINTS_LEVEL_NORMAL);
    ZT_CHECK(points_benefit_level(POINTS_BENEFIT_NEWS) == POINTS_LEVEL_BRONZE);
    ZT_CHECK(points_benefit_level(POINTS_BENEFIT_MOCK_INTERVIEW) == POINTS_LEVEL_BRONZE);
    ZT_CHECK(points_benefit_level(POINTS_BENEFIT_MEETING) == POINTS_LEVEL_SILVER);
    ZT_CHECK(points_benefit_level(POINTS_BENEFIT_CALENDAR_MAIL) == POINTS_LEVEL_GOLD);
    /* 下载报告: 2 points for 青铜, free above */
    ZT_CHECK(points_download_price(POINTS_LEVEL_BRONZE) == 2 && points_download_price(POINTS_LEVEL_SILVER) == 0);
    ZT_CHECK(points_price("diagnosis") == 0 && points_price("karaoke") == -1);
}

static void test_configured(void)
{
    char err[256];
    const int64_t t[3] = {500, 600, 700};

    setenv("ZM_POINTS_LEVEL_BRONZE_FEN", "500", 1);
    setenv("ZM_POINTS_PACKAGE_WEEK_LEVEL", "gold", 1);
    ZT_CHECK(zm_conf_load(NULL, err, sizeof(err)) == ZM_OK);
    ZT_CHECK(points_recharge_level(500) == POINTS_LEVEL_BRONZE && points_level_for(650, t) == POINTS_LEVEL_SILVER);
    {
        points_package_t p;
        ZT_CHECK(points_package_find("week", &p) == ZM_OK && p.level == POINTS_LEVEL_GOLD);
    }
    setenv("ZM_POINTS_PACKAGE_WEEK_LEVEL", "platinum", 1); /* reserved: not grantable */
    ZT_CHECK(zm_conf_load(NULL, err, sizeof(err)) != ZM_OK);
}

int main(void)
{
    char err[256];

    if (zm_conf_register(zm_modules, err, sizeof(err)) != ZM_OK || zm_conf_load(NULL, err, sizeof(err)) != ZM_OK) {
        fprintf(stderr, "conf: %s\n", err);
        return 1;
    }
    ZT_RUN(test_levels);
    ZT_RUN(test_points_per_yuan);
    ZT_RUN(test_package_start);
    ZT_RUN(test_packages);
    ZT_RUN(test_fifo);
    ZT_RUN(test_benefits);
    ZT_RUN(test_configured);
    return zt_done();
}
