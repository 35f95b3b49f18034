/*
 * bullets.c -- the lines of a resume that describe what someone did: found,
 * judged (quantified, weak start, too short) and quoted.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "document.h"

/* ---- bullets: the lines that describe what someone did ---- */

static const char *const an_weak_starts[] = {"负责",
                                             "参与",
                                             "协助",
                                             "帮助",
                                             "配合",
                                             "跟进",
                                             "responsible for",
                                             "worked on",
                                             "helped",
                                             "assisted",
                                             "participated in",
                                             "involved in",
                                             "in charge of",
                                             NULL};
static const char *const an_not_bullet[] = {"公司", "有限", "集团", "大学",       "学院",    "学校",
                                            " inc", " ltd", "co.,", "university", "college", NULL};
static const char *const an_label_starts[] = {"项目名称", "技术栈",      "项目角色", "所属公司",   "职位",
                                              "岗位",     "角色",        "项目时间", "tech stack", "technologies",
                                              "role:",    "environment", NULL};

static size_t an_strip_mark(const char *s, size_t i, size_t e)
{
    static const char *const marks[] = {"•", "·", "●", "▪", "◆", "■", "○", "-", "*", "+", ">", NULL};

    for (;;) {
        size_t i0 = i;
        while (i < e && (s[i] == ' ' || s[i] == '\t')) {
            i++;
        }
        for (const char *const *m = marks; *m; m++) {
            if (an_starts(s, e, i, *m)) {
                i += strlen(*m);
                break;
            }
        }
        /* "1." "2、" "(3)" */
        if (i < e && an_isdigit((unsigned char)s[i])) {
            size_t j = i;
            while (j < e && an_isdigit((unsigned char)s[j])) {
                j++;
            }
            if (j - i <= 2 && j < e && (s[j] == '.' || s[j] == ')' || an_starts(s, e, j, "、"))) {
                if (!(s[j] == '.' && j + 1 < e && an_isdigit((unsigned char)s[j + 1]))) {
                    i = j + (s[j] == '.' || s[j] == ')' ? 1 : 3);
                }
            }
        }
        if (i == i0) {
            return i;
        }
    }
}

static int an_has_date(const char *s, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++) {
        if ((s[i] == '1' && s[i + 1] == '9') || (s[i] == '2' && s[i + 1] == '0')) {
            if (an_isdigit((unsigned char)s[i + 2]) && an_isdigit((unsigned char)s[i + 3]) &&
                (i == 0 || !an_isdigit((unsigned char)s[i - 1])) &&
                (i + 4 == n || !an_isdigit((unsigned char)s[i + 4]))) {
                return 1;
            }
        }
    }
    return 0;
}

int an_bullets(zm_arena_t *a, const an_doc_t *d, an_bullet_t **out)
{
    an_bullet_t *b = zm_palloc(a, (d->nlines + 1) * sizeof(an_bullet_t));
    int nb = 0;

    if (b == NULL) {
        return -1;
    }
    for (size_t l = 0; l < d->nlines; l++) {
        size_t s = an_strip_mark(d->low, d->ls[l], d->le[l]), e = d->le[l], n = e - s;
        int marked = s > d->ls[l] && d->low[d->ls[l]] != ' ' && d->low[d->ls[l]] != '\t';
        int sec = d->lsec[l];
        const char *p = d->low + s;

        if (d->lhdr[l] || n < 12) {
            continue;
        }
        if (!(sec == AN_SEC_WORK || sec == AN_SEC_PROJ || sec == AN_SEC_DUTY || (marked && sec == AN_SEC_NONE))) {
            continue;
        }
        if (an_has_date(p, n) || an_has_any(p, n, an_not_bullet)) {
            continue;
        }
        int label = 0;
        for (const char *const *w = an_label_starts; *w; w++) {
            label |= an_starts(p, n, 0, *w);
        }
        if (label) {
            continue;
        }
        /* a short line in a project section is the project's name, not a bullet */
        if (!marked && n < 36 && sec == AN_SEC_PROJ && !an_has_any(p, n, an_weak_starts)) {
            continue;
        }
        b[nb].s = s;
        b[nb].e = e;
        b[nb].quantified = 0;
        for (size_t i = 0; i < n && !b[nb].quantified; i++) {
            b[nb].quantified = an_isdigit((unsigned char)p[i]) || p[i] == '%';
        }
        if (!b[nb].quantified) {
            static const char *const nums[] = {"倍", "百分之", "数十", "上百", "上千", "数万", "万", "千", NULL};
            b[nb].quantified = an_has_any(p, n, nums);
        }
        b[nb].weak_start = 0;
        for (const char *const *w = an_weak_starts; *w; w++) {
            b[nb].weak_start |= an_starts(p, n, 0, *w);
        }
        b[nb].short_line = n < 24;
        nb++;
    }
    *out = b;
    return nb;
}

char *an_bullet_text(zm_arena_t *a, const an_doc_t *d, const an_bullet_t *b, size_t max)
{
    size_t n = b->e - b->s, c;

    if (n <= max) {
        return zm_pstrndup(a, d->norm + b->s, n);
    }
    for (c = max; c > 0 && ((unsigned char)d->norm[b->s + c] & 0xC0) == 0x80; c--) {
    }
    return zm_psprintf(a, "%.*s…", (int)c, d->norm + b->s);
}

/* Project names: "项目名称：X", or the first short lines of the projects section. */
int an_projects(zm_arena_t *a, const an_doc_t *d, char **names, int max)
{
    int n = 0;

    for (size_t l = 0; l < d->nlines && n < max; l++) {
        size_t s = an_strip_mark(d->norm, d->ls[l], d->le[l]), e = d->le[l], c;
        const char *p = d->norm + s;
        int marked = s > d->ls[l];

        if (d->lsec[l] != AN_SEC_PROJ || d->lhdr[l] || e - s < 4) {
            continue;
        }
        if (an_starts(d->low, e, s, "项目名称") || an_starts(d->low, e, s, "project:") ||
            an_starts(d->low, e, s, "项目：")) {
            const char *colon = memmem(p, e - s, "：", 3);
            size_t skip = 3;
            if (!colon) {
                colon = memchr(p, ':', e - s);
                skip = 1;
            }
            if (!colon) {
                continue;
            }
            s = (size_t)(colon - d->norm) + skip;
            p = d->norm + s;
        } else if (marked || e - s >= 60 || an_has_any(d->low + s, e - s, an_weak_starts) ||
                   an_has_any(d->low + s, e - s, an_label_starts)) {
            continue;
        }
        /* cut at a separator, a date or a bracket: "订单系统重构 | 2021.03-2021.09" */
        for (c = 0; s + c < e; c++) {
            char ch = p[c];
            if (ch == '|' || ch == '(' || ch == '\t' || (ch == ' ' && c + 1 < e - s && p[c + 1] == ' ') ||
                an_starts(p, e - s, c, "（") || an_starts(p, e - s, c, "｜") || an_starts(p, e - s, c, "，") ||
                (an_isdigit((unsigned char)ch) && an_has_date(p + c, e - s - c > 4 ? 4 : e - s - c))) {
                break;
            }
        }
        while (c > 0 && (p[c - 1] == ' ' || p[c - 1] == '-' || p[c - 1] == ':')) {
            c--;
        }
        if (c >= 4 && c <= 60) {
            names[n++] = zm_pstrndup(a, p, c);
        }
    }
    return n;
}
