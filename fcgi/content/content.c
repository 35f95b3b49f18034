/*
 * content.c -- what the content files share: ISO 8601 times in, URLs checked.
 */
#include <string.h>
#include <time.h>

#include "content.h"

static int digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int64_t days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's days_from_civil */
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : len[m - 1];
}

int content_time_parse(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec = 0, oh = 0, om = 0, sign = 1;
    const char *p;

    if (s == NULL || strlen(s) < 17 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2, &h) ||
        s[13] != ':' || !digits(s + 14, 2, &mi)) {
        return ZM_EINVAL;
    }
    p = s + 16;
    if (*p == ':') {
        if (!digits(p + 1, 2, &sec)) {
            return ZM_EINVAL;
        }
        p += 3;
        if (*p == '.') {
            int n = 0;
            for (p++; *p >= '0' && *p <= '9'; p++) {
                n++;
            }
            if (n == 0 || n > 9) {
                return ZM_EINVAL;
            }
        }
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59) {
            return ZM_EINVAL;
        }
        p += 6;
    } else {
        return ZM_EINVAL;
    }
    if (*p != '\0' || y < 2000 || y > 2099 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
        mi > 59 || sec > 59) {
        return ZM_EINVAL;
    }
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
    return ZM_OK;
}

int content_url_ok(const char *s)
{
    size_t n, scheme;

    if (s == NULL) {
        return 0;
    }
    n = strlen(s);
    if (strncmp(s, "https://", 8) == 0) {
        scheme = 8;
    } else if (strncmp(s, "http://", 7) == 0) {
        scheme = 7;
    } else {
        return 0;
    }
    if (n <= scheme || n > CONTENT_NEWS_URL_MAX || s[scheme] == '/' || s[scheme] == '?' || s[scheme] == '#') {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\') {
            return 0;
        }
    }
    return 1;
}
