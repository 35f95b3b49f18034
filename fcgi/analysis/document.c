/*
 * document.c -- reading a text once: full-width letters made ASCII, lines
 * and section headers, skills (one pass over the text, at each character),
 * education, years of experience (phrases and date ranges), contact
 * details; and the profile built from it.  Hand-parsed, no regexes, so a
 * 2-page resume takes well under a millisecond.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "document.h"

/* ---- reading a text ---- */

static const char *an_memmem(const char *h, size_t hl, const char *n)
{
    return memmem(h, hl, n, strlen(n));
}

/* Does [s, s+n) contain any of the words in list (NULL-terminated)? */
int an_has_any(const char *s, size_t n, const char *const *list)
{
    for (; *list; list++) {
        if (an_memmem(s, n, *list)) {
            return 1;
        }
    }
    return 0;
}

static const char *const an_pref_words[] = {"优先",      "加分",         "更佳",  "为佳",      "plus",
                                            "preferred", "nice to have", "bonus", "desirable", NULL};

typedef struct {
    const char *kw;
    int sec;
} an_hdr_kw_t;

/* longer spellings first: "project experience" is projects, "experience" alone is work */
static const an_hdr_kw_t an_hdr_kws[] = {
    {"岗位职责", AN_SEC_DUTY},
    {"工作职责", AN_SEC_DUTY},
    {"职位职责", AN_SEC_DUTY},
    {"职位描述", AN_SEC_DUTY},
    {"job responsibilities", AN_SEC_DUTY},
    {"responsibilities", AN_SEC_DUTY},
    {"what you'll do", AN_SEC_DUTY},
    {"任职要求", AN_SEC_REQ},
    {"岗位要求", AN_SEC_REQ},
    {"任职资格", AN_SEC_REQ},
    {"职位要求", AN_SEC_REQ},
    {"requirements", AN_SEC_REQ},
    {"qualifications", AN_SEC_REQ},
    {"what we're looking for", AN_SEC_REQ},
    {"教育经历", AN_SEC_EDU},
    {"教育背景", AN_SEC_EDU},
    {"教育经验", AN_SEC_EDU},
    {"学历背景", AN_SEC_EDU},
    {"academic background", AN_SEC_EDU},
    {"education", AN_SEC_EDU},
    {"工作经历", AN_SEC_WORK},
    {"工作经验", AN_SEC_WORK},
    {"实习经历", AN_SEC_WORK},
    {"实习经验", AN_SEC_WORK},
    {"职业经历", AN_SEC_WORK},
    {"工作履历", AN_SEC_WORK},
    {"project experience", AN_SEC_PROJ},
    {"personal projects", AN_SEC_PROJ},
    {"selected projects", AN_SEC_PROJ},
    {"work experience", AN_SEC_WORK},
    {"professional experience", AN_SEC_WORK},
    {"employment history", AN_SEC_WORK},
    {"work history", AN_SEC_WORK},
    {"experience", AN_SEC_WORK},
    {"employment", AN_SEC_WORK},
    {"internships", AN_SEC_WORK},
    {"internship", AN_SEC_WORK},
    {"项目经历", AN_SEC_PROJ},
    {"项目经验", AN_SEC_PROJ},
    {"项目实践", AN_SEC_PROJ},
    {"项目介绍", AN_SEC_PROJ},
    {"projects", AN_SEC_PROJ},
    {"project", AN_SEC_PROJ},
    {"专业技能", AN_SEC_SKILLS},
    {"技能特长", AN_SEC_SKILLS},
    {"个人技能", AN_SEC_SKILLS},
    {"技能清单", AN_SEC_SKILLS},
    {"技术栈", AN_SEC_SKILLS},
    {"技术能力", AN_SEC_SKILLS},
    {"职业技能", AN_SEC_SKILLS},
    {"技能证书", AN_SEC_SKILLS},
    {"技能", AN_SEC_SKILLS},
    {"technical skills", AN_SEC_SKILLS},
    {"core skills", AN_SEC_SKILLS},
    {"tech stack", AN_SEC_SKILLS},
    {"skills", AN_SEC_SKILLS},
    {"自我评价", AN_SEC_SUMMARY},
    {"个人评价", AN_SEC_SUMMARY},
    {"自我介绍", AN_SEC_SUMMARY},
    {"个人简介", AN_SEC_SUMMARY},
    {"个人总结", AN_SEC_SUMMARY},
    {"个人优势", AN_SEC_SUMMARY},
    {"professional summary", AN_SEC_SUMMARY},
    {"career objective", AN_SEC_SUMMARY},
    {"summary", AN_SEC_SUMMARY},
    {"profile", AN_SEC_SUMMARY},
    {"about me", AN_SEC_SUMMARY},
    {"objective", AN_SEC_SUMMARY},
    {"联系方式", AN_SEC_CONTACT},
    {"个人信息", AN_SEC_CONTACT},
    {"基本信息", AN_SEC_CONTACT},
    {"contact information", AN_SEC_CONTACT},
    {"personal information", AN_SEC_CONTACT},
    {"contact", AN_SEC_CONTACT},
};

/* The section a header line opens, or 0 when the line is not a header. */
static int an_header(const char *low, size_t s, size_t e)
{
    size_t n;

    /* skip decoration: "【", "■", "# ", "一、", "1." */
    while (s < e) {
        uint32_t cp = an_utf8(low, e, s, &n);
        if (an_is_han(cp)) {
            static const uint32_t nums[] = {0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94,
                                            0x516D, 0x4E03, 0x516B, 0x4E5D, 0x5341};
            size_t n2 = 0, k;
            uint32_t nx = s + n < e ? an_utf8(low, e, s + n, &n2) : 0;
            for (k = 0; k < ZM_ARRAY_LEN(nums) && nums[k] != cp; k++) {
            }
            if (k < ZM_ARRAY_LEN(nums) && (nx == 0x3001 || nx == '.')) {
                s += n + n2;
                continue;
            }
            break;
        }
        if (cp < 0x80 && an_isalpha((unsigned char)cp)) {
            break;
        }
        s += n;
    }
    for (size_t k = 0; k < ZM_ARRAY_LEN(an_hdr_kws); k++) {
        const char *kw = an_hdr_kws[k].kw;
        size_t kl = strlen(kw), rest;
        int cjk = (unsigned char)kw[0] >= 0x80;

        if (e - s < kl || memcmp(low + s, kw, kl) != 0) {
            continue;
        }
        if (!cjk && s + kl < e && an_isalnum((unsigned char)low[s + kl])) {
            continue;
        }
        rest = e - s - kl;
        const char *r = low + s + kl;
        /* "专业技能：Python、Java" opens the section with content on the same line */
        size_t skip = 0;
        while (skip < rest && (r[skip] == ' ' || r[skip] == '\t')) {
            skip++;
        }
        if (skip < rest && (r[skip] == ':' || (rest - skip >= 3 && memcmp(r + skip, "\xef\xbc\x9a", 3) == 0))) {
            return an_hdr_kws[k].sec;
        }
        if (cjk) {
            if (rest <= 30 && !an_memmem(r, rest, "\xef\xbc\x8c") && !an_memmem(r, rest, "\xe3\x80\x82") &&
                !memchr(r, ',', rest)) {
                return an_hdr_kws[k].sec;
            }
            continue;
        }
        /* an English header is the whole line: "Experience building APIs" is not one */
        int only_punct = 1;
        for (size_t j = 0; j < rest; j++) {
            if (an_isalnum((unsigned char)r[j])) {
                only_punct = 0;
                break;
            }
        }
        if (only_punct) {
            return an_hdr_kws[k].sec;
        }
    }
    return 0;
}

/* A clause delimiter at low[i]: its length in bytes, 0 if none (，。；, ; ! ? and the full-width ones). */
static size_t an_delim(const char *low, size_t len, size_t i)
{
    unsigned char c = (unsigned char)low[i];

    if (c == ',' || c == ';' || c == '\n' || c == '!' || c == '?') {
        return 1;
    }
    if (i + 3 <= len && (c == 0xEF || c == 0xE3)) {
        const char *p = low + i;
        if (memcmp(p, "\xef\xbc\x8c", 3) == 0 || memcmp(p, "\xe3\x80\x82", 3) == 0 ||
            memcmp(p, "\xef\xbc\x9b", 3) == 0 || memcmp(p, "\xef\xbc\x81", 3) == 0 ||
            memcmp(p, "\xef\xbc\x9f", 3) == 0) {
            return 3;
        }
    }
    return 0;
}

#define AN_MAX_HITS 4096

static size_t an_line_of(const an_doc_t *d, size_t pos)
{
    size_t lo = 0, hi = d->nlines;

    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (d->ls[mid] <= pos) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Is pos in a "preferred" clause ("熟悉K8s者优先", "Go is a plus") or under a "加分项：" heading? */
static int an_pref_at(const an_doc_t *d, size_t pos)
{
    size_t li = an_line_of(d, pos), s = pos, e = pos, n;

    if (d->lpref[li]) {
        return 1;
    }
    while (s > d->ls[li] && !an_delim(d->low, d->len, s - 1) &&
           !(s >= 3 && s - 3 >= d->ls[li] && an_delim(d->low, d->len, s - 3) == 3)) {
        s--;
    }
    while (e < d->le[li] && !an_delim(d->low, d->len, e)) {
        e++;
    }
    if (an_has_any(d->low + s, e - s, an_pref_words)) {
        return 1;
    }
    /* "有Go开发经验，优先考虑": the next clause is the verdict */
    if (e < d->le[li] && (n = an_delim(d->low, d->len, e)) > 0) {
        size_t s2 = e + n, e2 = s2;
        while (e2 < d->le[li] && !an_delim(d->low, d->len, e2)) {
            e2++;
        }
        if (e2 - s2 <= 18 && an_has_any(d->low + s2, e2 - s2, an_pref_words)) {
            return 1;
        }
    }
    return 0;
}

static int an_lines(zm_arena_t *a, an_doc_t *d)
{
    size_t n = 1, i, cur = AN_SEC_NONE;
    int block = 0;

    for (i = 0; i < d->len; i++) {
        n += d->low[i] == '\n';
    }
    d->ls = zm_palloc(a, n * sizeof(size_t));
    d->le = zm_palloc(a, n * sizeof(size_t));
    d->lsec = zm_pcalloc(a, n);
    d->lhdr = zm_pcalloc(a, n);
    d->lpref = zm_pcalloc(a, n);
    if (!d->ls || !d->le || !d->lsec || !d->lhdr || !d->lpref) {
        return ZM_ENOMEM;
    }
    d->nlines = 0;
    for (i = 0; i <= d->len;) {
        const char *nl = i < d->len ? memchr(d->low + i, '\n', d->len - i) : NULL;
        size_t e = nl ? (size_t)(nl - d->low) : d->len, ee = e, k = d->nlines++;
        size_t t = i;
        int h;

        while (ee > i && (d->low[ee - 1] == '\r' || d->low[ee - 1] == ' ' || d->low[ee - 1] == '\t')) {
            ee--;
        }
        while (t < ee && (d->low[t] == ' ' || d->low[t] == '\t')) {
            t++;
        }
        d->ls[k] = i;
        d->le[k] = ee;
        h = an_header(d->low, t, ee);
        if (h) {
            cur = (size_t)h;
            d->lhdr[k] = 1;
            d->sec[h] = 1;
        }
        d->lsec[k] = (unsigned char)cur;
        /* "加分项：" / "Nice to have:" heads a block of preferred lines, up to a blank line or the next heading */
        {
            size_t cl = ee - t;
            int colon = cl && (d->low[ee - 1] == ':' || (cl >= 3 && memcmp(d->low + ee - 3, "\xef\xbc\x9a", 3) == 0));
            if (cl == 0 || h || (colon && !an_has_any(d->low + t, cl, an_pref_words))) {
                block = 0;
            }
            if (cl > 0 && cl <= 45 && an_has_any(d->low + t, cl, an_pref_words) && (colon || cl <= 24)) {
                block = 1;
            }
        }
        d->lpref[k] = (unsigned char)block;
        if (!nl) {
            break;
        }
        i = e + 1;
    }
    return ZM_OK;
}

static void an_hit(an_doc_t *d, size_t pos, int skill)
{
    if (d->count[skill]++ == 0) {
        d->first[skill] = (int)pos;
        d->nfound++;
    }
    /* a job description's duties name what the team does, its requirements what a candidate must have */
    if (!d->req[skill] && d->lsec[an_line_of(d, pos)] != AN_SEC_DUTY && !an_pref_at(d, pos)) {
        d->req[skill] = 1;
    }
    if (d->nhits < AN_MAX_HITS) {
        d->hits[d->nhits].pos = (uint32_t)pos;
        d->hits[d->nhits].skill = skill;
        d->nhits++;
    }
}

static int an_scan_skills(zm_arena_t *a, an_doc_t *d)
{
    unsigned char *covered = zm_pcalloc(a, d->len + 1);
    size_t ntok = 0, cap = d->len / 2 + 2, i, n;
    uint32_t *ts, *te;

    d->count = zm_pcalloc(a, (size_t)an_dict.nskills * sizeof(int));
    d->first = zm_pcalloc(a, (size_t)an_dict.nskills * sizeof(int));
    d->req = zm_pcalloc(a, (size_t)an_dict.nskills);
    d->hits = zm_palloc(a, AN_MAX_HITS * sizeof(an_hit_t));
    ts = zm_palloc(a, cap * sizeof(uint32_t));
    te = zm_palloc(a, cap * sizeof(uint32_t));
    if (!covered || !d->count || !d->first || !d->req || !d->hits || !ts || !te) {
        return ZM_ENOMEM;
    }
    /* Chinese and mixed synonyms: substring at every character, longest first */
    for (i = 0; i + 1 < d->len; i += n) {
        const an_cjk_t *e;
        an_utf8(d->low, d->len, i, &n);
        for (e = cjk_tab[an_cjk_bucket((unsigned char)d->low[i], (unsigned char)d->low[i + 1])]; e; e = e->next) {
            if (e->len > d->len - i || memcmp((e->cs ? d->norm : d->low) + i, e->key, e->len) != 0) {
                continue;
            }
            if ((e->lat_start && i > 0 && an_isalnum((unsigned char)d->low[i - 1])) ||
                (e->lat_end && i + e->len < d->len && an_isalnum((unsigned char)d->low[i + e->len]))) {
                continue;
            }
            an_hit(d, i, e->skill);
            memset(covered + i, 1, e->len);
            n = e->len;
            break;
        }
    }
    /* Latin synonyms: runs of up to maxtok adjacent tokens, longest first */
    for (i = 0; ntok < cap;) {
        size_t s, e;
        if (!an_token(d->low, d->len, &i, &s, &e)) {
            break;
        }
        if (!covered[s] && e - s < 100) {
            ts[ntok] = (uint32_t)s;
            te[ntok] = (uint32_t)e;
            ntok++;
        }
    }
    for (i = 0; i < ntok;) {
        size_t best = 0;
        int skill = -1;
        size_t maxn = (size_t)an_dict.maxtok;

        if (maxn > ntok - i) {
            maxn = ntok - i;
        }
        /* a phrase continues only across short gaps of spaces and joiners: "Spring-Boot", "A/B Test" */
        for (n = 1; n < maxn; n++) {
            size_t g0 = te[i + n - 1], g1 = ts[i + n];
            int ok = g1 - g0 <= 3;
            for (size_t g = g0; ok && g < g1; g++) {
                ok = strchr(" -/_&'.\t", d->low[g]) != NULL;
            }
            if (!ok) {
                break;
            }
        }
        maxn = n;
        for (n = maxn; n >= 1 && skill < 0; n--) {
            char key[256], orig[256];
            size_t kl = 0;
            const an_lat_t *en, *ci = NULL;

            for (size_t k = 0; k < n; k++) {
                size_t tl = te[i + k] - ts[i + k];
                if (kl + tl + 2 > sizeof(key)) {
                    break;
                }
                if (k) {
                    key[kl] = orig[kl] = ' ';
                    kl++;
                }
                memcpy(key + kl, d->low + ts[i + k], tl);
                memcpy(orig + kl, d->norm + ts[i + k], tl);
                kl += tl;
            }
            key[kl] = orig[kl] = '\0';
            for (en = lat_tab[an_hash(key, kl) & (AN_LAT_BUCKETS - 1)]; en; en = en->next) {
                if (strcmp(en->key, key) != 0) {
                    continue;
                }
                if (en->cs) {
                    if (strcmp(en->orig, orig) == 0) {
                        skill = en->skill;
                        break;
                    }
                } else if (!ci) {
                    ci = en;
                }
            }
            if (skill < 0 && ci) {
                skill = ci->skill;
            }
            if (skill >= 0) {
                best = n;
            }
        }
        if (skill >= 0) {
            an_hit(d, ts[i], skill);
            i += best;
        } else {
            i++;
        }
    }
    return ZM_OK;
}

/* ---- education ---- */

typedef struct {
    const char *kw;
    int level;
    int word; /* Latin: needs a boundary before it */
} an_edu_kw_t;

static const an_edu_kw_t an_edu_kws[] = {
    {"博士", AN_EDU_PHD, 0},
    {"phd", AN_EDU_PHD, 1},
    {"ph.d", AN_EDU_PHD, 1},
    {"doctorate", AN_EDU_PHD, 1},
    {"doctor of", AN_EDU_PHD, 1},
    {"硕士", AN_EDU_MASTER, 0},
    {"研究生", AN_EDU_MASTER, 0},
    {"master's", AN_EDU_MASTER, 1},
    {"masters", AN_EDU_MASTER, 1},
    {"master of", AN_EDU_MASTER, 1},
    {"master degree", AN_EDU_MASTER, 1},
    {"m.s.", AN_EDU_MASTER, 1},
    {"msc", AN_EDU_MASTER, 1},
    {"m.sc", AN_EDU_MASTER, 1},
    {"mba", AN_EDU_MASTER, 1},
    {"m.eng", AN_EDU_MASTER, 1},
    {"本科", AN_EDU_BACHELOR, 0},
    {"学士", AN_EDU_BACHELOR, 0},
    {"bachelor", AN_EDU_BACHELOR, 1},
    {"b.s.", AN_EDU_BACHELOR, 1},
    {"b.sc", AN_EDU_BACHELOR, 1},
    {"bsc", AN_EDU_BACHELOR, 1},
    {"b.eng", AN_EDU_BACHELOR, 1},
    {"b.a.", AN_EDU_BACHELOR, 1},
    {"undergraduate", AN_EDU_BACHELOR, 1},
    {"大专", AN_EDU_ASSOCIATE, 0},
    {"专科", AN_EDU_ASSOCIATE, 0},
    {"高职", AN_EDU_ASSOCIATE, 0},
    {"associate degree", AN_EDU_ASSOCIATE, 1},
    {"associate's", AN_EDU_ASSOCIATE, 1},
    {"高中", AN_EDU_HIGHSCHOOL, 0},
    {"中专", AN_EDU_HIGHSCHOOL, 0},
    {"职高", AN_EDU_HIGHSCHOOL, 0},
    {"技校", AN_EDU_HIGHSCHOOL, 0},
    {"high school", AN_EDU_HIGHSCHOOL, 1},
};

const char *const an_edu_names[] = {"未识别", "高中/中专", "大专", "本科", "硕士", "博士"};

static void an_scan_edu(an_doc_t *d)
{
    for (size_t k = 0; k < ZM_ARRAY_LEN(an_edu_kws); k++) {
        const char *kw = an_edu_kws[k].kw, *p = d->low, *end = d->low + d->len;
        size_t kl = strlen(kw);

        while ((p = memmem(p, (size_t)(end - p), kw, kl)) != NULL) {
            size_t pos = (size_t)(p - d->low);
            p += kl;
            if (an_edu_kws[k].word && ((pos > 0 && an_isalnum((unsigned char)d->low[pos - 1])) ||
                                       (p < end && kl <= 4 && an_isalpha((unsigned char)*p)))) {
                continue;
            }
            if (an_edu_kws[k].level > d->edu) {
                d->edu = an_edu_kws[k].level;
            }
            if ((d->edu_req == 0 || an_edu_kws[k].level < d->edu_req) && !an_pref_at(d, pos)) {
                d->edu_req = an_edu_kws[k].level;
            }
        }
    }
}

/* ---- years: "3年以上工作经验", "5+ years of experience", "2019.07-至今" ---- */

static int an_han_num(uint32_t cp)
{
    static const uint32_t cps[] = {0x4E00, 0x4E8C, 0x4E24, 0x4E09, 0x56DB, 0x4E94,
                                   0x516D, 0x4E03, 0x516B, 0x4E5D, 0x5341};
    static const int vals[] = {1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    for (size_t k = 0; k < ZM_ARRAY_LEN(cps); k++) {
        if (cps[k] == cp) {
            return vals[k];
        }
    }
    return 0;
}

static const char *const an_exp_words_zh[] = {"经验", "工作", "经历", "从业", NULL};
static const char *const an_exp_words_en[] = {"experience", "exp.", NULL};

static size_t an_clause_end(const an_doc_t *d, size_t i, size_t max)
{
    size_t e = i;

    while (e < d->len && e - i < max && !an_delim(d->low, d->len, e)) {
        e++;
    }
    return e;
}

static void an_year_phrase(an_doc_t *d, size_t start, size_t after, double v, int zh)
{
    size_t e = an_clause_end(d, after, zh ? 36 : 48), b = start >= 12 ? start - 12 : 0;
    int ok;

    if (v <= 0 || v > 45) {
        return;
    }
    if (zh) {
        ok = an_has_any(d->low + after, e - after, an_exp_words_zh) ||
             an_has_any(d->low + b, start - b, an_exp_words_zh);
    } else {
        b = start >= 24 ? start - 24 : 0;
        ok = an_has_any(d->low + after, e - after, an_exp_words_en) ||
             an_has_any(d->low + b, start - b, an_exp_words_en);
    }
    if (!ok) {
        return;
    }
    if (v > d->years_phrase) {
        d->years_phrase = v;
    }
    if ((d->years_req < 0 || v < d->years_req) && !an_pref_at(d, start)) {
        d->years_req = v;
    }
}

int an_starts(const char *s, size_t len, size_t i, const char *w)
{
    size_t n = strlen(w);
    return i + n <= len && memcmp(s + i, w, n) == 0;
}

static void an_scan_year_phrases(an_doc_t *d)
{
    const char *s = d->low;
    size_t len = d->len, i = 0, n;

    while (i < len) {
        uint32_t cp = an_utf8(s, len, i, &n);
        double v = 0;
        size_t j, start = i;

        if (an_isdigit((unsigned char)cp) && (i == 0 || (!an_isalnum((unsigned char)s[i - 1]) && s[i - 1] != '.'))) {
            j = i;
            while (j < len && an_isdigit((unsigned char)s[j]) && j - i < 3) {
                v = v * 10 + (s[j] - '0');
                j++;
            }
            if (j < len && an_isdigit((unsigned char)s[j])) { /* 4-digit numbers are dates */
                while (j < len && an_isdigit((unsigned char)s[j])) {
                    j++;
                }
                i = j;
                continue;
            }
            if (j + 1 < len && s[j] == '.' && an_isdigit((unsigned char)s[j + 1])) {
                v += (s[j + 1] - '0') / 10.0;
                j += 2;
            }
        } else if (an_han_num(cp) && (i < 3 || !an_han_num(an_utf8(s, len, i - 3, &n)))) {
            an_utf8(s, len, i, &n);
            v = an_han_num(cp);
            j = i + n;
        } else {
            i += n;
            continue;
        }
        /* "3-5年": the lower bound */
        while (j < len && s[j] == ' ') {
            j++;
        }
        if (j < len && (s[j] == '-' || s[j] == '~' || an_starts(s, len, j, "\xe8\x87\xb3") ||
                        an_starts(s, len, j, "\xe5\x88\xb0") || an_starts(s, len, j, "\xef\xbd\x9e") ||
                        an_starts(s, len, j, "\xef\xbc\x8d"))) {
            size_t k = j + (s[j] == '-' || s[j] == '~' ? 1 : 3);
            while (k < len && s[k] == ' ') {
                k++;
            }
            if (k < len && an_isdigit((unsigned char)s[k])) {
                while (k < len && an_isdigit((unsigned char)s[k])) {
                    k++;
                }
                j = k;
            }
        }
        if (j < len && s[j] == '+') {
            j++;
        }
        while (j < len && s[j] == ' ') {
            j++;
        }
        if (an_starts(s, len, j, "\xe5\xb9\xb4")) { /* 年 */
            an_year_phrase(d, start, j + 3, v, 1);
        } else if (an_starts(s, len, j, "year") || an_starts(s, len, j, "yrs")) {
            an_year_phrase(d, start, j + 3, v, 0);
        }
        i = j > i ? j : i + 1;
    }
}

static int an_month_name(const char *s, size_t len, size_t i)
{
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";

    if (i + 3 > len || (i > 0 && an_isalpha((unsigned char)s[i - 1]))) {
        return 0;
    }
    for (int m = 0; m < 12; m++) {
        if (memcmp(s + i, names + m * 3, 3) == 0) {
            return m + 1;
        }
    }
    return 0;
}

/* A date at s[i]: "2019.07", "2019-7", "2019年7月", "2019/07", "2019", "Jul 2019"; months since year 0 in *ym, 0 if
 * none. */
static size_t an_date(const char *s, size_t len, size_t i, int *ym)
{
    int m = 0, y = 0;
    size_t j = i;

    *ym = 0;
    if (an_isalpha((unsigned char)s[i])) {
        m = an_month_name(s, len, i);
        if (!m) {
            return i;
        }
        while (j < len && an_isalpha((unsigned char)s[j])) {
            j++;
        }
        while (j < len && (s[j] == '.' || s[j] == ' ' || s[j] == ',')) {
            j++;
        }
    }
    if (j + 4 > len || (j > 0 && an_isdigit((unsigned char)s[j - 1]))) {
        return i;
    }
    for (size_t k = 0; k < 4; k++) {
        if (!an_isdigit((unsigned char)s[j + k])) {
            return i;
        }
        y = y * 10 + (s[j + k] - '0');
    }
    j += 4;
    if (y < 1950 || y > 2100 || (j < len && an_isdigit((unsigned char)s[j]))) {
        return i;
    }
    if (!m) {
        size_t k = j, sep = 0;
        if (k < len && (s[k] == '.' || s[k] == '/' || s[k] == '-')) {
            sep = 1;
        } else if (an_starts(s, len, k, "\xe5\xb9\xb4")) {
            sep = 3;
        }
        if (sep) {
            k += sep;
            if (k < len && an_isdigit((unsigned char)s[k])) {
                int mm = s[k] - '0';
                size_t d = 1;
                if (k + 1 < len && an_isdigit((unsigned char)s[k + 1])) {
                    mm = mm * 10 + (s[k + 1] - '0');
                    d = 2;
                }
                if (mm >= 1 && mm <= 12 && !(k + d < len && an_isdigit((unsigned char)s[k + d]))) {
                    m = mm;
                    j = k + d;
                    if (an_starts(s, len, j, "\xe6\x9c\x88")) { /* 月 */
                        j += 3;
                    }
                }
            } else if (sep == 3) {
                j = k; /* "2019年" */
            }
        }
    }
    *ym = y * 12 + (m ? m - 1 : 0);
    return j;
}

static const char *const an_now_words[] = {"至今", "今", "现在", "目前", "present", "now", "current", "today", NULL};

static int an_scan_ranges(zm_arena_t *a, an_doc_t *d)
{
    const char *s = d->low;
    size_t len = d->len, i = 0, nr = 0, cap = 64, n;
    an_range_t *r = zm_palloc(a, cap * sizeof(an_range_t));
    int today = an_today(), has_work = 0, months = 0;

    if (r == NULL) {
        return ZM_ENOMEM;
    }
    for (size_t l = 0; l < d->nlines; l++) {
        has_work |= d->lsec[l] == AN_SEC_WORK;
    }
    while (i < len) {
        int y0, y1 = 0;
        size_t j = an_date(s, len, i, &y0), k;

        if (!y0) {
            an_utf8(s, len, i, &n);
            i += an_isalnum((unsigned char)s[i]) ? 1 : n;
            continue;
        }
        k = j;
        while (k < len && s[k] == ' ') {
            k++;
        }
        /* the dash: - ~ – — － ～ 至 到 to */
        size_t k0 = k;
        for (;;) {
            if (k < len && (s[k] == '-' || s[k] == '~')) {
                k++;
            } else if (an_starts(s, len, k, "\xe2\x80\x93") || an_starts(s, len, k, "\xe2\x80\x94") ||
                       an_starts(s, len, k, "\xef\xbc\x8d") || an_starts(s, len, k, "\xef\xbd\x9e") ||
                       an_starts(s, len, k, "\xe8\x87\xb3") || an_starts(s, len, k, "\xe5\x88\xb0")) {
                /* "至今" right after the date is the end, not a dash */
                if (an_starts(s, len, k, "\xe8\x87\xb3\xe4\xbb\x8a")) {
                    break;
                }
                k += 3;
            } else if (an_starts(s, len, k, "to ")) {
                k += 2;
            } else {
                break;
            }
        }
        int dashed = k > k0;
        while (k < len && s[k] == ' ') {
            k++;
        }
        if (k < len) {
            size_t e = an_date(s, len, k, &y1);
            if (y1 && dashed) {
                k = e;
            } else {
                y1 = 0;
                for (const char *const *w = an_now_words; *w; w++) {
                    if (an_starts(s, len, k, *w) && (dashed || strcmp(*w, "至今") == 0)) {
                        y1 = today;
                        k += strlen(*w);
                        break;
                    }
                }
            }
        }
        if (y1 && y1 >= y0 && y1 <= today + 1) {
            int sec = d->lsec[an_line_of(d, i)];
            /* school and (when work is listed) projects overlap the working years or predate them */
            if (sec != AN_SEC_EDU && (!has_work || sec == AN_SEC_WORK) && nr < cap) {
                r[nr].start = y0;
                r[nr].end = y1;
                nr++;
            }
            i = k;
            continue;
        }
        i = j > i ? j : i + 1;
    }
    /* merge: sort by start (few ranges: insertion sort), then sum the union */
    for (size_t x = 1; x < nr; x++) {
        an_range_t t = r[x];
        size_t y = x;
        while (y > 0 && r[y - 1].start > t.start) {
            r[y] = r[y - 1];
            y--;
        }
        r[y] = t;
    }
    for (size_t x = 0; x < nr;) {
        int s0 = r[x].start, e0 = r[x].end;
        size_t y = x + 1;
        while (y < nr && r[y].start <= e0) {
            if (r[y].end > e0) {
                e0 = r[y].end;
            }
            y++;
        }
        months += e0 - s0 + (e0 == today ? 0 : 1);
        x = y;
    }
    d->years_range = nr ? floor(months / 12.0 * 10 + 0.5) / 10 : -1;
    return ZM_OK;
}

/* ---- contact details ---- */

static void an_scan_contact(an_doc_t *d)
{
    static const char *const words[] = {"电话",   "手机",  "邮箱",   "微信",     "phone",
                                        "mobile", "email", "e-mail", "linkedin", NULL};
    const char *s = d->low;
    size_t len = d->len;

    for (size_t i = 0; i < len && !(d->email && d->phone); i++) {
        if (s[i] == '@' && i > 0 && an_isalnum((unsigned char)s[i - 1]) && i + 1 < len &&
            an_isalnum((unsigned char)s[i + 1])) {
            const char *dot = memchr(s + i, '.', len - i < 64 ? len - i : 64);
            if (dot && dot + 1 < s + len && an_isalpha((unsigned char)dot[1])) {
                d->email = 1;
            }
        }
        if (s[i] == '1' && (i == 0 || !an_isdigit((unsigned char)s[i - 1]))) {
            size_t j = i, digits = 0;
            while (j < len && (an_isdigit((unsigned char)s[j]) ||
                               ((s[j] == '-' || s[j] == ' ') && j + 1 < len && an_isdigit((unsigned char)s[j + 1])))) {
                digits += an_isdigit((unsigned char)s[j]);
                j++;
            }
            if (digits == 11 && s[i + 1] >= '3' && s[i + 1] <= '9') {
                d->phone = 1;
            }
        }
        /* international: "+1 (415) 555-0100", "+86 138 1234 5678" */
        if (s[i] == '+' && i + 1 < len && an_isdigit((unsigned char)s[i + 1])) {
            size_t j = i + 1, digits = 0;
            while (j < len && (an_isdigit((unsigned char)s[j]) || strchr(" -()", s[j]) != NULL) && j - i < 24) {
                digits += an_isdigit((unsigned char)s[j]);
                j++;
            }
            if (digits >= 10 && digits <= 15) {
                d->phone = 1;
            }
        }
    }
    if (d->email || d->phone || an_has_any(s, len, words)) {
        d->sec[AN_SEC_CONTACT] = 1;
    }
}

/* ---- reading a whole text ---- */

int an_read(zm_arena_t *a, const char *text, an_doc_t *d)
{
    size_t len, i, o = 0, n;
    int rc;

    memset(d, 0, sizeof(*d));
    d->years = d->years_req = d->years_phrase = d->years_range = -1;
    if (!an_dict.ready) {
        return ZM_ERR;
    }
    if (text == NULL) {
        text = "";
    }
    len = strnlen(text, AN_MAX_INPUT + 1);
    if (len > AN_MAX_INPUT) {
        len = AN_MAX_INPUT;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80) { /* cut on a character boundary */
            len--;
        }
    }
    d->norm = zm_palloc(a, len + 1);
    d->low = zm_palloc(a, len + 1);
    if (!d->norm || !d->low) {
        return ZM_ENOMEM;
    }
    /* full-width letters and digits ("Ｐｙｔｈｏｎ", "３年") become ASCII; NULs become spaces */
    for (i = 0; i < len; i += n) {
        uint32_t cp = an_utf8(text, len, i, &n);
        if (n == 3 &&
            ((cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A))) {
            d->norm[o++] = (char)(cp - 0xFEE0);
        } else if (cp == 0x3000) {
            d->norm[o++] = ' ';
        } else {
            memcpy(d->norm + o, text + i, n);
            o += n;
        }
    }
    d->norm[o] = '\0';
    d->len = o;
    for (i = 0; i < o; i++) {
        d->low[i] = (char)an_lower((unsigned char)d->norm[i]);
        if (d->low[i] == '\0') {
            d->low[i] = d->norm[i] = ' ';
        }
    }
    d->low[o] = '\0';
    if ((rc = an_lines(a, d)) != ZM_OK || (rc = an_scan_skills(a, d)) != ZM_OK ||
        (rc = an_scan_ranges(a, d)) != ZM_OK) {
        return rc;
    }
    an_scan_edu(d);
    an_scan_year_phrases(d);
    an_scan_contact(d);
    d->years = d->years_phrase > d->years_range ? d->years_phrase : d->years_range;
    return ZM_OK;
}

/* Found skills, most mentioned first, then in order of appearance; the count. */
int an_found(zm_arena_t *a, const an_doc_t *d, int **out)
{
    int *v = zm_palloc(a, (size_t)(d->nfound + 1) * sizeof(int)), n = 0;

    if (v == NULL) {
        return -1;
    }
    for (int s = 0; s < an_dict.nskills; s++) {
        if (d->count[s]) {
            int k = n++;
            while (k > 0 && (d->count[v[k - 1]] < d->count[s] ||
                             (d->count[v[k - 1]] == d->count[s] && d->first[v[k - 1]] > d->first[s]))) {
                v[k] = v[k - 1];
                k--;
            }
            v[k] = s;
        }
    }
    *out = v;
    return n;
}

static const char *const an_sec_keys[] = {"", "education", "work", "projects", "skills", "summary", "contact"};
const char *const an_sec_names[] = {"", "教育经历", "工作经历", "项目经历", "专业技能", "自我评价", "联系方式"};

int an_profile(zm_arena_t *a, const char *text, an_profile_t *out)
{
    an_doc_t d;
    int *v, n, rc;

    memset(out, 0, sizeof(*out));
    out->years = -1;
    if ((rc = an_read(a, text, &d)) != ZM_OK) {
        return rc;
    }
    if ((n = an_found(a, &d, &v)) < 0) {
        return ZM_ENOMEM;
    }
    out->skills = json_object_new_array();
    for (int k = 0; k < n; k++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(an_dict.skills[v[k]].name));
        json_object_object_add(o, "category", json_object_new_string(an_dict.cats[an_dict.skills[v[k]].cat].label));
        json_object_object_add(o, "count", json_object_new_int(d.count[v[k]]));
        json_object_array_add(out->skills, o);
    }
    out->education = d.edu;
    out->years = d.years;
    out->sections = json_object_new_object();
    for (int s = 1; s < AN_SEC_N; s++) {
        json_object_object_add(out->sections, an_sec_keys[s], json_object_new_boolean(d.sec[s]));
    }
    return ZM_OK;
}
