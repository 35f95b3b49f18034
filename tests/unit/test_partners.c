/*
 * test_partners.c -- the New York calendar behind the daily limit (dates,
 * the next midnight across both daylight-saving changes) and the profile
 * checks (enums, contacts).
 */
#define _DEFAULT_SOURCE /* timegm */
#include <time.h>

#include "partners.h"
#include "zt.h"

static time_t utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};

    return timegm(&tm);
}

static void test_ny_dates(void)
{
    char d[11];

    /* winter: UTC-5; 04:59 UTC is still the previous New York day */
    partners_ny_date(utc(2026, 12, 2, 4, 59), d);
    ZT_STREQ(d, "2026-12-01");
    partners_ny_date(utc(2026, 12, 2, 5, 0), d);
    ZT_STREQ(d, "2026-12-02");
    /* summer: UTC-4 */
    partners_ny_date(utc(2026, 7, 4, 3, 59), d);
    ZT_STREQ(d, "2026-07-03");
    partners_ny_date(utc(2026, 7, 4, 4, 0), d);
    ZT_STREQ(d, "2026-07-04");
    /* New Year's Eve in New York is already next year in UTC */
    partners_ny_date(utc(2027, 1, 1, 3, 0), d);
    ZT_STREQ(d, "2026-12-31");
    ZT_CHECK(partners_ny_offset(utc(2026, 1, 15, 12, 0)) == -18000);
    ZT_CHECK(partners_ny_offset(utc(2026, 7, 15, 12, 0)) == -14400);
}

static void test_dst_edges(void)
{
    /* 2026: daylight time from Sunday 8 March 07:00 UTC to Sunday 1 November 06:00 UTC */
    ZT_CHECK(partners_ny_offset(utc(2026, 3, 8, 6, 59)) == -18000);
    ZT_CHECK(partners_ny_offset(utc(2026, 3, 8, 7, 0)) == -14400);
    ZT_CHECK(partners_ny_offset(utc(2026, 11, 1, 5, 59)) == -14400);
    ZT_CHECK(partners_ny_offset(utc(2026, 11, 1, 6, 0)) == -18000);
    /* 2027: 14 March and 7 November */
    ZT_CHECK(partners_ny_offset(utc(2027, 3, 14, 7, 0)) == -14400);
    ZT_CHECK(partners_ny_offset(utc(2027, 11, 7, 5, 59)) == -14400);
    ZT_CHECK(partners_ny_offset(utc(2027, 11, 7, 6, 0)) == -18000);
}

static void test_next_midnight(void)
{
    /* winter: midnight is 05:00 UTC */
    ZT_CHECK(partners_ny_next_midnight(utc(2026, 12, 2, 4, 59)) == utc(2026, 12, 2, 5, 0));
    ZT_CHECK(partners_ny_next_midnight(utc(2026, 12, 2, 5, 0)) == utc(2026, 12, 3, 5, 0));
    /* summer: 04:00 UTC */
    ZT_CHECK(partners_ny_next_midnight(utc(2026, 7, 4, 12, 0)) == utc(2026, 7, 5, 4, 0));
    /* the day daylight time starts (23 hours long) and the day it ends (25 hours) */
    ZT_CHECK(partners_ny_next_midnight(utc(2026, 3, 7, 12, 0)) == utc(2026, 3, 8, 5, 0));
    ZT_CHECK(partners_ny_next_midnight(utc(2026, 3, 8, 12, 0)) == utc(2026, 3, 9, 4, 0));
    ZT_CHECK(partners_ny_next_midnight(utc(2026, 10, 31, 12, 0)) == utc(2026, 11, 1, 4, 0));
    ZT_CHECK(partners_ny_next_midnight(utc(2026, 11, 1, 12, 0)) == utc(2026, 11, 2, 5, 0));
    {
        char iso[21];

        partners_iso_time(utc(2026, 12, 3, 5, 0), iso);
        ZT_STREQ(iso, "2026-12-03T05:00:00Z");
    }
    /* month and year ends */
    ZT_CHECK(partners_ny_next_midnight(utc(2026, 12, 31, 20, 0)) == utc(2027, 1, 1, 5, 0));
}

static void test_profile_checks(void)
{
    ZT_CHECK(partners_experience_ok("应届") && partners_experience_ok("1-3年") && partners_experience_ok("3-5年") &&
             partners_experience_ok("5年以上"));
    ZT_CHECK(!partners_experience_ok("3-5") && !partners_experience_ok("") && !partners_experience_ok(NULL));
    ZT_CHECK(partners_job_ok("DA") && partners_job_ok("DS") && partners_job_ok("DE") && partners_job_ok("BA"));
    ZT_CHECK(!partners_job_ok("ds") && !partners_job_ok("PM"));
    ZT_CHECK(partners_practice_bit("case") == PARTNERS_CASE && partners_practice_bit("Case") == 0);
    ZT_STREQ(partners_practice_label(PARTNERS_CASE), "案例分析");
    ZT_CHECK(partners_email_error("a@b.co") == NULL);
    ZT_CHECK(partners_email_error("ab.co") && partners_email_error("a@b") && partners_email_error("a b@c.de") &&
             partners_email_error("a@b.") && partners_email_error("@b.co"));
    ZT_CHECK(partners_wechat_error("wxid_abc123") == NULL && partners_wechat_error("Abc-de") == NULL);
    ZT_CHECK(partners_wechat_error("abc") && partners_wechat_error("1abcdef") && partners_wechat_error("abc def") &&
             partners_wechat_error("abcdefghijklmnopqrstu"));
    ZT_CHECK(partners_linkedin_error("https://www.linkedin.com/in/jane-doe") == NULL);
    ZT_CHECK(partners_linkedin_error("linkedin.com/in/jane_doe/") == NULL);
    ZT_CHECK(partners_linkedin_error("https://cn.linkedin.com/in/zhang") == NULL);
    ZT_CHECK(partners_linkedin_error("https://evil.com/linkedin.com/in/x") && partners_linkedin_error("jane") &&
             partners_linkedin_error("https://www.linkedin.com/in/") &&
             partners_linkedin_error("https://www.linkedin.com/in/a/b") &&
             partners_linkedin_error("https://www.linkedin.com/in/<script>"));
}

int main(void)
{
    ZT_RUN(test_ny_dates);
    ZT_RUN(test_dst_edges);
    ZT_RUN(test_next_midnight);
    ZT_RUN(test_profile_checks);
    return zt_done();
}
