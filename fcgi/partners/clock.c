/*
 * clock.c -- America/New_York calendar dates without the tz database: the
 * daily count is per New York date, and the rule below is the US one since
 * 2007, so the answer does not depend on what zoneinfo the host has.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* timegm */
#endif

#include "partners.h"

/* day of the month of the n-th Sunday (n >= 1) of month m (1..12) of year y */
static int nth_sunday(int y, int m, int n)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = 1, .tm_hour = 12};
    time_t t = timegm(&tm);
    struct tm g;

    gmtime_r(&t, &g);
    return 1 + (7 - g.tm_wday) % 7 + 7 * (n - 1);
}

static time_t utc_of(int y, int m, int d, int hour)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = hour};

    return timegm(&tm);
}

int partners_ny_offset(time_t t)
{
    struct tm g;
    time_t start, end;

    gmtime_r(&t, &g);
    /* 02:00 EST = 07:00 UTC on the second Sunday of March; 02:00 EDT = 06:00 UTC on the first of November */
    start = utc_of(g.tm_year + 1900, 3, nth_sunday(g.tm_year + 1900, 3, 2), 7);
    end = utc_of(g.tm_year + 1900, 11, nth_sunday(g.tm_year + 1900, 11, 1), 6);
    return t >= start && t < end ? -4 * 3600 : -5 * 3600;
}

void partners_ny_date(time_t t, char out[11])
{
    time_t local = t + partners_ny_offset(t);
    struct tm g;

    gmtime_r(&local, &g);
    strftime(out, 11, "%Y-%m-%d", &g);
}

time_t partners_ny_next_midnight(time_t t)
{
    time_t local = t + partners_ny_offset(t), edt;
    struct tm g;

    gmtime_r(&local, &g);
    /* midnight never falls in a transition (they happen at 02:00), so one of the two offsets fits */
    edt = utc_of(g.tm_year + 1900, g.tm_mon + 1, g.tm_mday + 1, 0) + 4 * 3600;
    return partners_ny_offset(edt) == -4 * 3600 ? edt : edt + 3600;
}

void partners_sql_time(time_t t, char out[27])
{
    struct tm g;

    gmtime_r(&t, &g);
    strftime(out, 27, "%Y-%m-%d %H:%M:%S.000000", &g);
}

void partners_iso_time(time_t t, char out[21])
{
    struct tm g;

    gmtime_r(&t, &g);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &g);
}
