/*
 * builtin.c -- the offline analyzer: dictionaries, text reading, profiles.
 *
 * One pass over a text finds skills: Chinese (and mixed) synonyms by
 * substring at each character, indexed by their first two bytes, longest
 * first; Latin synonyms by looking up runs of 1..6 tokens in a hash table,
 * so word boundaries come from the tokenizer ("C" never inside "CSS").
 * Education, years, sections and contact details are hand-parsed: no
 * regexes, so a 2-page resume takes well under a millisecond.
 *
 * The dictionaries are loaded once by an_init() and read-only afterwards,
 * so concurrent requests share them without locks.  Per-call memory comes
 * from the caller's arena; json-c objects handed out are the caller's.
 *
 * Sections of this file: helpers, loading, reading a text (lines,
 * sections, skills, education, years), the profile, the match, the
 * diagnosis, the interview questions.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "analysis.h"
#include "log.h"

#define AN_LAT_BUCKETS 8192
#define AN_CJK_BUCKETS 8192
#define AN_MAX_INPUT (200 * 1024) /* longer texts are cut: a resume is a few KB */
#define AN_MAX_NTOK 6             /* most tokens in a Latin synonym */
#define AN_MAX_OUTLINE 6
#define AN_QCATS 4

/* AN_SEC_N: the sections a profile reports; duties and requirements only structure a job description */
enum { AN_SEC_NONE = 0, AN_SEC_EDU, AN_SEC_WORK, AN_SEC_PROJ, AN_SEC_SKILLS, AN_SEC_SUMMARY, AN_SEC_CONTACT, AN_SEC_N,
       AN_SEC_DUTY = AN_SEC_N, AN_SEC_REQ, AN_SEC_ALL };

typedef struct {
    char *key;
    char *label;
} an_cat_t;

typedef struct {
    char *name;
    int cat;
} an_skill_t;

typedef struct {
    int cat;   /* 0 technical, 1 project, 2 behavioral, 3 hr */
    int skill; /* -1: any */
    char *question, *why;
    char *outline[AN_MAX_OUTLINE];
    int nout;
} an_q_t;

typedef struct {
    int ready;
    an_cat_t *cats;
    int ncats;
    an_skill_t *skills;
    int nskills;
    int maxtok;
    an_q_t *qs;
    int nqs;
} an_dict_t;

static int an_skill_find(const char *name);

typedef struct an_lat_s {
    char *key;  /* lowercase tokens joined by ' ' */
    char *orig; /* the synonym's own spelling, tokens joined by ' ' (case-sensitive ones) */
    int skill;
    int cs;
    struct an_lat_s *next;
} an_lat_t;

typedef struct an_cjk_s {
    char *key; /* lowercase unless cs */
    size_t len;
    int skill;
    int cs;
    int lat_start, lat_end; /* starts / ends with a Latin letter or digit: needs a boundary there */
    struct an_cjk_s *next;
} an_cjk_t;

static an_dict_t an_dict;

static an_lat_t *lat_tab[AN_LAT_BUCKETS];
static an_cjk_t *cjk_tab[AN_CJK_BUCKETS];
static int today_y, today_m;

/* ---- small text helpers ---- */

static int an_isalnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int an_isdigit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int an_isalpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char an_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* The code point at s[i] and its length; invalid or truncated UTF-8 is one byte of U+FFFD, so scans always advance. */
static uint32_t an_utf8(const char *s, size_t len, size_t i, size_t *n)
{
    const unsigned char *p = (const unsigned char *)s + i;
    size_t left = len - i;
    uint32_t cp;
    size_t k;

    if (p[0] < 0x80) {
        *n = 1;
        return p[0];
    }
    if ((p[0] & 0xE0) == 0xC0) {
        k = 2, cp = p[0] & 0x1F;
    } else if ((p[0] & 0xF0) == 0xE0) {
        k = 3, cp = p[0] & 0x0F;
    } else if ((p[0] & 0xF8) == 0xF0) {
        k = 4, cp = p[0] & 0x07;
    } else {
        *n = 1;
        return 0xFFFD;
    }
    if (k > left) {
        *n = 1;
        return 0xFFFD;
    }
    for (size_t j = 1; j < k; j++) {
        if ((p[j] & 0xC0) != 0x80) {
            *n = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (p[j] & 0x3F);
    }
    *n = k;
    return cp;
}

static int an_is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
}

static uint32_t an_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    }
    return h;
}

/*
 * The next Latin token at or after *i: [*ts, *te).  Letters and digits;
 * '.' inside ("node.js", "3.5") or before "net" (".NET"); a run of '+'/'#'
 * at the end ("c++", "c#") unless a letter follows it ("java+python" is
 * two tokens).  The same function splits dictionary synonyms, so both
 * sides agree on what a token is.
 */
static int an_token(const char *s, size_t len, size_t *i, size_t *ts, size_t *te)
{
    size_t p = *i, st;

    while (p < len) {
        unsigned char c = (unsigned char)s[p];
        if (an_isalnum(c)) {
            break;
        }
        if (c == '.' && p + 3 < len && an_lower((unsigned char)s[p + 1]) == 'n' &&
            an_lower((unsigned char)s[p + 2]) == 'e' && an_lower((unsigned char)s[p + 3]) == 't' &&
            (p + 4 >= len || !an_isalnum((unsigned char)s[p + 4])) && (p == 0 || !an_isalnum((unsigned char)s[p - 1]))) {
            break;
        }
        p++;
    }
    if (p >= len) {
        *i = len;
        return 0;
    }
    st = p;
    if (s[p] == '.') {
        p++;
    }
    for (;;) {
        while (p < len && an_isalnum((unsigned char)s[p])) {
            p++;
        }
        if (p + 1 < len && s[p] == '.' && an_isalnum((unsigned char)s[p + 1])) {
            p++;
            continue;
        }
        if (p < len && (s[p] == '+' || s[p] == '#')) {
            size_t q = p;
            while (q < len && (s[q] == '+' || s[q] == '#')) {
                q++;
            }
            if (q < len && an_isalpha((unsigned char)s[q])) {
                *ts = st, *te = p, *i = q;
                return 1;
            }
            p = q;
            if (q < len && an_isdigit((unsigned char)s[q])) {
                continue;
            }
        }
        break;
    }
    *ts = st, *te = p, *i = p;
    return 1;
}

/* ---- loading ---- */

static char *an_read_file(const char *dir, const char *name)
{
    char path[4096];
    FILE *f;
    long n;
    char *buf;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (f == NULL) {
        zm_log_error("analysis: cannot open %s", path);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Split s in place at '\t' into at most max fields; the count. */
static int an_fields(char *s, char **f, int max)
{
    int n = 0;

    f[n++] = s;
    while (n < max && (s = strchr(s, '\t')) != NULL) {
        *s++ = '\0';
        f[n++] = s;
    }
    return n;
}

static void an_add_lat(const char *key, const char *orig, int skill, int cs)
{
    uint32_t b = an_hash(key, strlen(key)) & (AN_LAT_BUCKETS - 1);
    an_lat_t *e;

    /* first spelling wins: the dictionary lists the more specific skill first */
    for (e = lat_tab[b]; e; e = e->next) {
        if (strcmp(e->key, key) == 0 && e->cs == cs && (!cs || strcmp(e->orig, orig) == 0)) {
            return;
        }
    }
    e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return;
    }
    e->key = strdup(key);
    e->orig = strdup(orig);
    e->skill = skill;
    e->cs = cs;
    /* case-sensitive spellings first: "LoRA" (fine-tuning) before "lora" (IoT) */
    if (cs || lat_tab[b] == NULL || !lat_tab[b]->cs) {
        e->next = lat_tab[b];
        lat_tab[b] = e;
    } else {
        an_lat_t *p = lat_tab[b];
        while (p->next && p->next->cs) {
            p = p->next;
        }
        e->next = p->next;
        p->next = e;
    }
}

static uint32_t an_cjk_bucket(unsigned char b0, unsigned char b1)
{
    return ((uint32_t)b0 * 257u + b1) & (AN_CJK_BUCKETS - 1);
}

static void an_add_cjk(const char *syn, int skill, int cs)
{
    size_t len = strlen(syn);
    uint32_t b;
    an_cjk_t *e, **pp;

    if (len < 2) {
        return;
    }
    e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return;
    }
    e->key = strdup(syn);
    for (size_t i = 0; !cs && i < len; i++) {
        e->key[i] = (char)an_lower((unsigned char)e->key[i]);
    }
    e->len = len;
    e->skill = skill;
    e->cs = cs;
    e->lat_start = an_isalnum((unsigned char)syn[0]);
    e->lat_end = an_isalnum((unsigned char)syn[len - 1]);
    b = an_cjk_bucket((unsigned char)e->key[0], (unsigned char)e->key[1]);
    /* longest first, so "新媒体运营" wins over "运营" at the same place */
    for (pp = &cjk_tab[b]; *pp && (*pp)->len >= len; pp = &(*pp)->next) {
        if ((*pp)->len == len && memcmp((*pp)->key, e->key, len) == 0 && (*pp)->cs == cs) {
            free(e->key);
            free(e);
            return;
        }
    }
    e->next = *pp;
    *pp = e;
}

static void an_add_syn(const char *syn, int skill)
{
    int cs = syn[0] == '=';
    size_t ts[AN_MAX_NTOK + 1], te[AN_MAX_NTOK + 1];
    size_t i = 0, len, n = 0;
    char key[256], orig[256], ckey[256], corig[256];
    size_t kl = 0, cl = 0;

    if (cs) {
        syn++;
    }
    len = strlen(syn);
    if (len == 0 || len > 120) {
        return;
    }
    for (size_t k = 0; k < len; k++) {
        if ((unsigned char)syn[k] >= 0x80) {
            an_add_cjk(syn, skill, cs);
            return;
        }
    }
    while (an_token(syn, len, &i, &ts[n], &te[n])) {
        if (++n > AN_MAX_NTOK) {
            return;
        }
    }
    if (n == 0) {
        return;
    }
    for (size_t k = 0; k < n; k++) {
        size_t tl = te[k] - ts[k];
        if (k) {
            key[kl] = orig[kl] = ' ';
            kl++;
        }
        for (size_t j = 0; j < tl; j++) {
            orig[kl] = syn[ts[k] + j];
            key[kl] = (char)an_lower((unsigned char)syn[ts[k] + j]);
            corig[cl] = orig[kl];
            ckey[cl] = key[kl];
            kl++, cl++;
        }
    }
    key[kl] = orig[kl] = ckey[cl] = corig[cl] = '\0';
    an_add_lat(key, orig, skill, cs);
    if ((int)n > an_dict.maxtok) {
        an_dict.maxtok = (int)n;
    }
    /* "Spring Boot" also as "SpringBoot" */
    if (n > 1) {
        an_add_lat(ckey, corig, skill, cs);
    }
}

static int an_load_skills(const char *dir)
{
    char *buf = an_read_file(dir, "skills.tsv"), *line, *save = NULL;
    int cap_s = 256, cap_c = 32;

    if (buf == NULL) {
        return ZM_ERR;
    }
    an_dict.skills = calloc((size_t)cap_s, sizeof(an_skill_t));
    an_dict.cats = calloc((size_t)cap_c, sizeof(an_cat_t));
    if (an_dict.skills == NULL || an_dict.cats == NULL) {
        return ZM_ENOMEM;
    }
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[3], *syn, *sv = NULL;
        int nf, cat = -1, have_canon_cs = 0;

        line[strcspn(line, "\r")] = '\0';
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        nf = an_fields(line, f, 3);
        if (line[0] == '@') {
            if (nf < 2) {
                continue;
            }
            if (an_dict.ncats == cap_c) {
                cap_c *= 2;
                an_dict.cats = realloc(an_dict.cats, (size_t)cap_c * sizeof(an_cat_t));
                if (an_dict.cats == NULL) {
                    return ZM_ENOMEM;
                }
            }
            an_dict.cats[an_dict.ncats].key = f[0] + 1;
            an_dict.cats[an_dict.ncats].label = f[1];
            an_dict.ncats++;
            continue;
        }
        if (nf < 2) {
            zm_log_warn("analysis: skills.tsv: no category for \"%s\"", f[0]);
            continue;
        }
        for (int c = 0; c < an_dict.ncats; c++) {
            if (strcmp(an_dict.cats[c].key, f[1]) == 0) {
                cat = c;
            }
        }
        if (cat < 0) {
            zm_log_warn("analysis: skills.tsv: unknown category \"%s\" for \"%s\"", f[1], f[0]);
            continue;
        }
        if (an_dict.nskills == cap_s) {
            cap_s *= 2;
            an_dict.skills = realloc(an_dict.skills, (size_t)cap_s * sizeof(an_skill_t));
            if (an_dict.skills == NULL) {
                return ZM_ENOMEM;
            }
        }
        an_dict.skills[an_dict.nskills].name = f[0];
        an_dict.skills[an_dict.nskills].cat = cat;
        if (nf == 3) {
            for (syn = strtok_r(f[2], "|", &sv); syn; syn = strtok_r(NULL, "|", &sv)) {
                if ((syn[0] == '=' || syn[0] == '-') && strcasecmp(syn + 1, f[0]) == 0) {
                    have_canon_cs = 1;
                }
                if (syn[0] != '-') {
                    an_add_syn(syn, an_dict.nskills);
                }
            }
        }
        /* the canonical name is a synonym too, unless a case-sensitive one spells it ("=Go")
         * or "-name" keeps it a label only (招聘 is also the verb of "招聘后端工程师") */
        if (!have_canon_cs) {
            an_add_syn(f[0], an_dict.nskills);
        }
        an_dict.nskills++;
    }
    return an_dict.nskills > 0 ? ZM_OK : ZM_ERR;
}

static int an_qcat(const char *s)
{
    static const char *names[] = {"technical", "project", "behavioral", "hr"};

    for (int i = 0; i < AN_QCATS; i++) {
        if (strcmp(s, names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

static int an_load_questions(const char *dir)
{
    char *buf = an_read_file(dir, "questions.tsv"), *line, *save = NULL;
    int cap = 256;

    if (buf == NULL) {
        return ZM_ERR;
    }
    an_dict.qs = calloc((size_t)cap, sizeof(an_q_t));
    if (an_dict.qs == NULL) {
        return ZM_ENOMEM;
    }
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[5], *o, *sv = NULL;
        an_q_t *q;
        int cat;

        line[strcspn(line, "\r")] = '\0';
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        if (an_fields(line, f, 5) < 5 || (cat = an_qcat(f[0])) < 0) {
            zm_log_warn("analysis: questions.tsv: bad line \"%.40s\"", line);
            continue;
        }
        if (an_dict.nqs == cap) {
            cap *= 2;
            an_dict.qs = realloc(an_dict.qs, (size_t)cap * sizeof(an_q_t));
            if (an_dict.qs == NULL) {
                return ZM_ENOMEM;
            }
        }
        q = &an_dict.qs[an_dict.nqs];
        memset(q, 0, sizeof(*q));
        q->cat = cat;
        q->skill = -1;
        if (strcmp(f[1], "*") != 0) {
            q->skill = an_skill_find(f[1]);
            if (q->skill < 0) {
                zm_log_warn("analysis: questions.tsv: unknown skill \"%s\"", f[1]);
                continue;
            }
        }
        q->question = f[2];
        q->why = f[3];
        for (o = strtok_r(f[4], "|", &sv); o && q->nout < AN_MAX_OUTLINE; o = strtok_r(NULL, "|", &sv)) {
            q->outline[q->nout++] = o;
        }
        an_dict.nqs++;
    }
    return ZM_OK;
}

static int an_skill_find(const char *name)
{
    for (int i = 0; i < an_dict.nskills; i++) {
        if (strcmp(an_dict.skills[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

int an_init(const char *data_dir)
{
    int rc;

    if (an_dict.ready) {
        return ZM_OK;
    }
    if (data_dir == NULL || data_dir[0] == '\0') {
        data_dir = "fcgi/analysis/data";
    }
    rc = an_load_skills(data_dir);
    if (rc == ZM_OK) {
        rc = an_load_questions(data_dir);
    }
    if (rc != ZM_OK) {
        zm_log_error("analysis: cannot load the dictionaries from %s", data_dir);
        return rc;
    }
    an_dict.ready = 1;
    return ZM_OK;
}

void an_set_today(int year, int month)
{
    today_y = year;
    today_m = month;
}

/* months since year 0 of "now": the end of a range that runs 至今 */
static int an_today(void)
{
    if (today_y <= 0) {
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        return (tm.tm_year + 1900) * 12 + tm.tm_mon;
    }
    return today_y * 12 + (today_m >= 1 && today_m <= 12 ? today_m - 1 : 0);
}

/* ---- reading a text ---- */

static const char *an_memmem(const char *h, size_t hl, const char *n)
{
    return memmem(h, hl, n, strlen(n));
}

/* Does [s, s+n) contain any of the words in list (NULL-terminated)? */
static int an_has_any(const char *s, size_t n, const char *const *list)
{
    for (; *list; list++) {
        if (an_memmem(s, n, *list)) {
            return 1;
        }
    }
    return 0;
}

static const char *const an_pref_words[] = {"优先", "加分", "更佳", "为佳", "plus", "preferred", "nice to have",
                                            "bonus",  "desirable", NULL};

typedef struct {
    const char *kw;
    int sec;
} an_hdr_kw_t;

/* longer spellings first: "project experience" is projects, "experience" alone is work */
static const an_hdr_kw_t an_hdr_kws[] = {
    {"岗位职责", AN_SEC_DUTY},    {"工作职责", AN_SEC_DUTY},      {"职位职责", AN_SEC_DUTY},
    {"职位描述", AN_SEC_DUTY},    {"job responsibilities", AN_SEC_DUTY}, {"responsibilities", AN_SEC_DUTY},
    {"what you'll do", AN_SEC_DUTY}, {"任职要求", AN_SEC_REQ},    {"岗位要求", AN_SEC_REQ},
    {"任职资格", AN_SEC_REQ},     {"职位要求", AN_SEC_REQ},       {"requirements", AN_SEC_REQ},
    {"qualifications", AN_SEC_REQ}, {"what we're looking for", AN_SEC_REQ},
    {"教育经历", AN_SEC_EDU},     {"教育背景", AN_SEC_EDU},       {"教育经验", AN_SEC_EDU},
    {"学历背景", AN_SEC_EDU},     {"academic background", AN_SEC_EDU}, {"education", AN_SEC_EDU},
    {"工作经历", AN_SEC_WORK},    {"工作经验", AN_SEC_WORK},      {"实习经历", AN_SEC_WORK},
    {"实习经验", AN_SEC_WORK},    {"职业经历", AN_SEC_WORK},      {"工作履历", AN_SEC_WORK},
    {"project experience", AN_SEC_PROJ}, {"personal projects", AN_SEC_PROJ}, {"selected projects", AN_SEC_PROJ},
    {"work experience", AN_SEC_WORK}, {"professional experience", AN_SEC_WORK}, {"employment history", AN_SEC_WORK},
    {"work history", AN_SEC_WORK}, {"experience", AN_SEC_WORK},   {"employment", AN_SEC_WORK},
    {"internships", AN_SEC_WORK}, {"internship", AN_SEC_WORK},
    {"项目经历", AN_SEC_PROJ},    {"项目经验", AN_SEC_PROJ},      {"项目实践", AN_SEC_PROJ},
    {"项目介绍", AN_SEC_PROJ},    {"projects", AN_SEC_PROJ},      {"project", AN_SEC_PROJ},
    {"专业技能", AN_SEC_SKILLS},  {"技能特长", AN_SEC_SKILLS},    {"个人技能", AN_SEC_SKILLS},
    {"技能清单", AN_SEC_SKILLS},  {"技术栈", AN_SEC_SKILLS},      {"技术能力", AN_SEC_SKILLS},
    {"职业技能", AN_SEC_SKILLS},  {"技能证书", AN_SEC_SKILLS},    {"技能", AN_SEC_SKILLS},
    {"technical skills", AN_SEC_SKILLS}, {"core skills", AN_SEC_SKILLS}, {"tech stack", AN_SEC_SKILLS},
    {"skills", AN_SEC_SKILLS},
    {"自我评价", AN_SEC_SUMMARY}, {"个人评价", AN_SEC_SUMMARY},   {"自我介绍", AN_SEC_SUMMARY},
    {"个人简介", AN_SEC_SUMMARY}, {"个人总结", AN_SEC_SUMMARY},   {"个人优势", AN_SEC_SUMMARY},
    {"professional summary", AN_SEC_SUMMARY}, {"career objective", AN_SEC_SUMMARY}, {"summary", AN_SEC_SUMMARY},
    {"profile", AN_SEC_SUMMARY},  {"about me", AN_SEC_SUMMARY},   {"objective", AN_SEC_SUMMARY},
    {"联系方式", AN_SEC_CONTACT}, {"个人信息", AN_SEC_CONTACT},   {"基本信息", AN_SEC_CONTACT},
    {"contact information", AN_SEC_CONTACT}, {"personal information", AN_SEC_CONTACT}, {"contact", AN_SEC_CONTACT},
};

/* The section a header line opens, or 0 when the line is not a header. */
static int an_header(const char *low, size_t s, size_t e)
{
    size_t n;

    /* skip decoration: "【", "■", "# ", "一、", "1." */
    while (s < e) {
        uint32_t cp = an_utf8(low, e, s, &n);
        if (an_is_han(cp)) {
            static const uint32_t nums[] = {0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D, 0x5341};
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

/* ---- a text, read once ---- */

typedef struct {
    uint32_t pos;
    int skill;
} an_hit_t;

typedef struct {
    int start, end; /* months since year 0, inclusive */
} an_range_t;

typedef struct {
    char *norm, *low; /* full-width letters and digits made ASCII; low is norm in lowercase: same offsets */
    size_t len;
    size_t nlines;
    size_t *ls, *le; /* line i is [ls[i], le[i]) */
    unsigned char *lsec, *lhdr, *lpref;
    int *count, *first;
    unsigned char *req; /* a job description names the skill outside a "preferred" clause */
    an_hit_t *hits;
    size_t nhits;
    int nfound;
    int edu;           /* highest level named */
    int edu_req;       /* lowest level named outside a "preferred" clause: a job description's requirement */
    double years;      /* max of phrases and ranges, -1 unknown */
    double years_req;  /* smallest "N年以上" outside a "preferred" clause, -1 none */
    double years_phrase, years_range;
    int sec[AN_SEC_ALL];
    int email, phone;
} an_doc_t;

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
            if (cl > 0 && cl <= 45 && an_has_any(d->low + t, cl, an_pref_words) &&
                (colon || cl <= 24)) {
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
    {"博士", AN_EDU_PHD, 0},          {"phd", AN_EDU_PHD, 1},          {"ph.d", AN_EDU_PHD, 1},
    {"doctorate", AN_EDU_PHD, 1},     {"doctor of", AN_EDU_PHD, 1},    {"硕士", AN_EDU_MASTER, 0},
    {"研究生", AN_EDU_MASTER, 0},     {"master's", AN_EDU_MASTER, 1},  {"masters", AN_EDU_MASTER, 1},
    {"master of", AN_EDU_MASTER, 1},  {"master degree", AN_EDU_MASTER, 1}, {"m.s.", AN_EDU_MASTER, 1},
    {"msc", AN_EDU_MASTER, 1},        {"m.sc", AN_EDU_MASTER, 1},      {"mba", AN_EDU_MASTER, 1},
    {"m.eng", AN_EDU_MASTER, 1},      {"本科", AN_EDU_BACHELOR, 0},    {"学士", AN_EDU_BACHELOR, 0},
    {"bachelor", AN_EDU_BACHELOR, 1}, {"b.s.", AN_EDU_BACHELOR, 1},    {"b.sc", AN_EDU_BACHELOR, 1},
    {"bsc", AN_EDU_BACHELOR, 1},      {"b.eng", AN_EDU_BACHELOR, 1},   {"b.a.", AN_EDU_BACHELOR, 1},
    {"undergraduate", AN_EDU_BACHELOR, 1}, {"大专", AN_EDU_ASSOCIATE, 0}, {"专科", AN_EDU_ASSOCIATE, 0},
    {"高职", AN_EDU_ASSOCIATE, 0},    {"associate degree", AN_EDU_ASSOCIATE, 1}, {"associate's", AN_EDU_ASSOCIATE, 1},
    {"高中", AN_EDU_HIGHSCHOOL, 0},   {"中专", AN_EDU_HIGHSCHOOL, 0},  {"职高", AN_EDU_HIGHSCHOOL, 0},
    {"技校", AN_EDU_HIGHSCHOOL, 0},   {"high school", AN_EDU_HIGHSCHOOL, 1},
};

static const char *const an_edu_names[] = {"未识别", "高中/中专", "大专", "本科", "硕士", "博士"};

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
    static const uint32_t cps[] = {0x4E00, 0x4E8C, 0x4E24, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D, 0x5341};
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

static int an_starts(const char *s, size_t len, size_t i, const char *w)
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

/* A date at s[i]: "2019.07", "2019-7", "2019年7月", "2019/07", "2019", "Jul 2019"; months since year 0 in *ym, 0 if none. */
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
    static const char *const words[] = {"电话", "手机", "邮箱", "微信", "phone", "mobile", "email", "e-mail", "linkedin", NULL};
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
            while (j < len && (an_isdigit((unsigned char)s[j]) || ((s[j] == '-' || s[j] == ' ') && j + 1 < len &&
                                                                 an_isdigit((unsigned char)s[j + 1])))) {
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

static int an_read(zm_arena_t *a, const char *text, an_doc_t *d)
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
        if (n == 3 && ((cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A))) {
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
    if ((rc = an_lines(a, d)) != ZM_OK || (rc = an_scan_skills(a, d)) != ZM_OK || (rc = an_scan_ranges(a, d)) != ZM_OK) {
        return rc;
    }
    an_scan_edu(d);
    an_scan_year_phrases(d);
    an_scan_contact(d);
    d->years = d->years_phrase > d->years_range ? d->years_phrase : d->years_range;
    return ZM_OK;
}

/* Found skills, most mentioned first, then in order of appearance; the count. */
static int an_found(zm_arena_t *a, const an_doc_t *d, int **out)
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
static const char *const an_sec_names[] = {"", "教育经历", "工作经历", "项目经历", "专业技能", "自我评价", "联系方式"};

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

/* ---- similarity: CJK character bigrams and Latin tokens, BM25-weighted ---- */

typedef struct {
    uint64_t *keys; /* 0 = empty */
    uint32_t *tf;
    size_t mask;
    size_t total;
} an_terms_t;

static const char *const an_stop_bigrams[] = {"负责", "熟悉", "掌握", "了解", "具有", "具备", "以上", "经验", "工作", "能力",
                                              "良好", "相关", "优先", "进行", "参与", "我们", "岗位", "职责", "要求", "任职",
                                              "公司", "团队", "以及", "学历", "精通", "使用", "开发", "能够", "有较", "较强",
                                              "的开", "发经", "验者", "者优", "以上学", "年以", NULL};
static const char *const an_stop_tokens[] = {"the", "and", "of", "to", "in", "with", "for", "an", "on", "is", "are", "we",
                                             "you", "our", "be", "as", "or", "at", "experience", "years", "year", "work",
                                             "team", "will", "your", "have", "has", "strong", "good", "skills", "ability",
                                             "knowledge", "plus", "preferred", NULL};

static uint64_t an_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x | 1; /* never 0: 0 marks an empty slot */
}

static void an_terms_add(an_terms_t *t, uint64_t k)
{
    size_t i = (size_t)k & t->mask;

    while (t->keys[i] && t->keys[i] != k) {
        i = (i + 1) & t->mask;
    }
    t->keys[i] = k;
    t->tf[i]++;
    t->total++;
}

static uint32_t an_terms_get(const an_terms_t *t, uint64_t k)
{
    size_t i = (size_t)k & t->mask;

    while (t->keys[i]) {
        if (t->keys[i] == k) {
            return t->tf[i];
        }
        i = (i + 1) & t->mask;
    }
    return 0;
}

static uint64_t an_bigram_key(uint32_t a, uint32_t b)
{
    return an_mix(((uint64_t)a << 21 | b) ^ 0x5bd1e995ULL);
}

static uint64_t an_token_key(const char *s, size_t n)
{
    return an_mix(((uint64_t)an_hash(s, n) << 20) ^ n ^ 0x9e3779b97f4a7c15ULL);
}

static int an_stop_bigram(const char *s, size_t n)
{
    for (const char *const *w = an_stop_bigrams; *w; w++) {
        if (strlen(*w) == n && memcmp(*w, s, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static int an_stop_token(const char *s, size_t n)
{
    for (const char *const *w = an_stop_tokens; *w; w++) {
        if (strlen(*w) == n && memcmp(*w, s, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The terms of a text; with weights set (the job description), each distinct term's weight too. */
static int an_terms(zm_arena_t *a, const an_doc_t *d, an_terms_t *t)
{
    size_t size = 64, i, n, pn = 0;
    uint32_t prev = 0;

    while (size < d->len + 16) {
        size <<= 1;
    }
    t->keys = zm_pcalloc(a, size * sizeof(uint64_t));
    t->tf = zm_pcalloc(a, size * sizeof(uint32_t));
    t->mask = size - 1;
    t->total = 0;
    if (!t->keys || !t->tf) {
        return ZM_ENOMEM;
    }
    for (i = 0; i < d->len; i += n) {
        uint32_t cp = an_utf8(d->low, d->len, i, &n);
        if (an_is_han(cp)) {
            if (prev) {
                an_terms_add(t, an_bigram_key(prev, cp));
            }
            prev = cp;
            pn = n;
            continue;
        }
        prev = 0;
        if (an_isalnum((unsigned char)cp) || cp == '.') {
            size_t s, e, j = i;
            if (an_token(d->low, d->len, &j, &s, &e) && s == i) {
                if (e - s >= 2) {
                    an_terms_add(t, an_token_key(d->low + s, e - s));
                }
                n = j - i;
                if (n == 0) {
                    n = 1;
                }
            }
        }
    }
    ZM_UNUSED(pn);
    return ZM_OK;
}

/* 0..100: how much of the job description's vocabulary the resume uses, BM25-saturated. */
static int an_similarity(zm_arena_t *a, const an_doc_t *res, const an_doc_t *jd)
{
    an_terms_t tr, tj;
    double k1 = 1.2, b = 0.75, avgdl = 1200, num = 0, den = 0, norm;
    size_t i, n;

    if (an_terms(a, res, &tr) != ZM_OK || an_terms(a, jd, &tj) != ZM_OK) {
        return 0;
    }
    if (tj.total == 0 || tr.total == 0) {
        return 0;
    }
    norm = k1 * (1 - b + b * (double)tr.total / avgdl);
    /* weights need the term's text: walk the job description again */
    an_terms_t seen;
    size_t size = tj.mask + 1;
    seen.keys = zm_pcalloc(a, size * sizeof(uint64_t));
    seen.tf = zm_pcalloc(a, size * sizeof(uint32_t));
    seen.mask = tj.mask;
    seen.total = 0;
    if (!seen.keys || !seen.tf) {
        return 0;
    }
    uint32_t prev = 0;
    size_t pi = 0;
    for (i = 0; i < jd->len; i += n) {
        uint32_t cp = an_utf8(jd->low, jd->len, i, &n);
        uint64_t k = 0;
        double w = 0;

        if (an_is_han(cp)) {
            if (prev) {
                k = an_bigram_key(prev, cp);
                w = an_stop_bigram(jd->low + pi, i + n - pi) ? 0.2 : 1.0;
            }
            prev = cp;
            pi = i;
        } else {
            prev = 0;
            if (an_isalnum((unsigned char)cp) || cp == '.') {
                size_t s, e, j = i;
                if (an_token(jd->low, jd->len, &j, &s, &e) && s == i) {
                    if (e - s >= 2) {
                        k = an_token_key(jd->low + s, e - s);
                        w = an_stop_token(jd->low + s, e - s) ? 0.2 : 1.5;
                    }
                    n = j - i ? j - i : 1;
                }
            }
        }
        if (k == 0 || an_terms_get(&seen, k)) {
            continue;
        }
        an_terms_add(&seen, k);
        double tf = an_terms_get(&tr, k);
        /* a term the job description repeats matters more, with diminishing returns */
        w *= 1 + log((double)an_terms_get(&tj, k));
        num += w * (tf * (k1 + 1) / (tf + norm)) / (k1 + 1);
        den += w;
    }
    if (den <= 0) {
        return 0;
    }
    /* a resume never repeats a JD's wording wholesale: ~55% of the weighted vocabulary is a full match */
    double sc = num / den / 0.55 * 100;
    return sc > 100 ? 100 : (int)(sc + 0.5);
}

/* ---- bullets: the lines that describe what someone did ---- */

typedef struct {
    size_t s, e;      /* the text without its bullet mark, in norm */
    int quantified;   /* has a number */
    int weak_start;   /* 负责 / 参与 / responsible for ... */
    int short_line;
} an_bullet_t;

static const char *const an_weak_starts[] = {"负责", "参与", "协助", "帮助", "配合", "跟进", "responsible for",
                                             "worked on", "helped", "assisted", "participated in", "involved in",
                                             "in charge of", NULL};
static const char *const an_not_bullet[] = {"公司", "有限", "集团", "大学", "学院", "学校", " inc", " ltd", "co.,",
                                            "university", "college", NULL};
static const char *const an_label_starts[] = {"项目名称", "技术栈", "项目角色", "所属公司", "职位", "岗位", "角色",
                                              "项目时间", "tech stack", "technologies", "role:", "environment",
                                              NULL};

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
                (i == 0 || !an_isdigit((unsigned char)s[i - 1])) && (i + 4 == n || !an_isdigit((unsigned char)s[i + 4]))) {
                return 1;
            }
        }
    }
    return 0;
}

static int an_bullets(zm_arena_t *a, const an_doc_t *d, an_bullet_t **out)
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

static char *an_bullet_text(zm_arena_t *a, const an_doc_t *d, const an_bullet_t *b, size_t max)
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
static int an_projects(zm_arena_t *a, const an_doc_t *d, char **names, int max)
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

/* ---- the match ---- */

static void an_push(json_object *arr, const char *s)
{
    if (s) {
        json_object_array_add(arr, json_object_new_string(s));
    }
}

/* "A、B、C" (and "等 N 项" past max) */
static char *an_join(zm_arena_t *a, const int *v, int n, int max)
{
    char *s = zm_pstrdup(a, "");

    for (int k = 0; k < n && k < max && s; k++) {
        s = zm_psprintf(a, "%s%s%s", s, k ? "、" : "", an_dict.skills[v[k]].name);
    }
    if (s && n > max) {
        s = zm_psprintf(a, "%s等 %d 项", s, n);
    }
    return s;
}

static const char *an_years_text(zm_arena_t *a, double y)
{
    return y == floor(y) ? zm_psprintf(a, "%d", (int)y) : zm_psprintf(a, "%.1f", y);
}

static void an_component(json_object *arr, const char *key, const char *name, int weight, int score, const char *detail)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "key", json_object_new_string(key));
    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "weight", json_object_new_int(weight));
    json_object_object_add(o, "score", json_object_new_int(score));
    json_object_object_add(o, "detail", json_object_new_string(detail ? detail : ""));
    json_object_array_add(arr, o);
}

/* Up to max weak bullets quoted with what to add: the suggestions' most specific part. */
static void an_quantify_suggestions(zm_arena_t *a, const an_doc_t *d, json_object *arr, int max)
{
    an_bullet_t *b;
    int nb = an_bullets(a, d, &b), k = 0;

    for (int i = 0; i < nb && k < max; i++) {
        if (!b[i].quantified) {
            an_push(arr, zm_psprintf(a, "「%s」没有量化结果，可补充具体数据，例如性能提升的百分比、服务的用户量、节省的时间或金额",
                                     an_bullet_text(a, d, &b[i], 60)));
            k++;
        }
    }
}

int an_builtin_match(zm_arena_t *a, const char *resume_text, const char *job_description, an_match_t *out)
{
    an_doc_t r, j;
    int rc, *jv, nj, *mreq, *xreq, *mpref, *xpref, nmr = 0, nxr = 0, nmp = 0, nxp = 0;
    int s_skill, s_exp, s_edu, s_sim, score;
    char *d_skill, *d_exp, *d_edu, *d_sim;
    json_object *strengths, *gaps, *sugg, *matched, *missing, *comps;

    memset(out, 0, sizeof(*out));
    out->provider = "builtin";
    out->model = "builtin-v1";
    if ((rc = an_read(a, resume_text, &r)) != ZM_OK || (rc = an_read(a, job_description, &j)) != ZM_OK) {
        return rc;
    }
    if ((nj = an_found(a, &j, &jv)) < 0) {
        return ZM_ENOMEM;
    }
    mreq = zm_palloc(a, (size_t)(nj + 1) * sizeof(int) * 4);
    if (mreq == NULL) {
        return ZM_ENOMEM;
    }
    xreq = mreq + nj + 1, mpref = xreq + nj + 1, xpref = mpref + nj + 1;
    /* the job description's order: most mentioned first */
    for (int k = 0; k < nj; k++) {
        int s = jv[k], have = r.count[s] > 0;
        if (j.req[s]) {
            if (have) {
                mreq[nmr++] = s;
            } else {
                xreq[nxr++] = s;
            }
        } else if (have) {
            mpref[nmp++] = s;
        } else {
            xpref[nxp++] = s;
        }
    }

    s_sim = an_similarity(a, &r, &j);
    d_sim = zm_psprintf(a, "简历与岗位描述的用词（中文双字词与英文词，BM25 加权）重合度 %d%%", s_sim);

    if (nj == 0) {
        s_skill = s_sim;
        d_skill = "岗位描述中没有识别出具体技能要求，按文本相似度计分";
    } else {
        double have = nmr + 0.5 * nmp, want = (nmr + nxr) + 0.5 * (nmp + nxp);
        s_skill = (int)(100 * have / want + 0.5);
        d_skill = zm_psprintf(a, "必备技能 %d/%d 项", nmr, nmr + nxr);
        if (nmp + nxp) {
            d_skill = zm_psprintf(a, "%s，加分技能 %d/%d 项（按一半权重计）", d_skill, nmp, nmp + nxp);
        }
        if (nxr) {
            d_skill = zm_psprintf(a, "%s；缺少：%s", d_skill, an_join(a, xreq, nxr, 6));
        }
    }

    if (j.years_req < 0) {
        s_exp = r.years >= 0 ? 100 : 70;
        d_exp = r.years >= 0 ? zm_psprintf(a, "岗位未写明年限；简历约 %s 年经验", an_years_text(a, r.years))
                             : "岗位未写明年限；简历中没有识别出工作年限";
    } else if (r.years < 0) {
        s_exp = 40;
        d_exp = zm_psprintf(a, "岗位要求 %s 年以上，简历中没有识别出工作年限", an_years_text(a, j.years_req));
    } else if (r.years >= j.years_req) {
        s_exp = 100;
        d_exp = zm_psprintf(a, "约 %s 年经验，满足岗位 %s 年以上的要求", an_years_text(a, r.years),
                            an_years_text(a, j.years_req));
    } else {
        s_exp = (int)(100 * r.years / j.years_req + 0.5);
        d_exp = zm_psprintf(a, "约 %s 年经验，岗位要求 %s 年以上", an_years_text(a, r.years), an_years_text(a, j.years_req));
    }

    if (j.edu_req == 0) {
        s_edu = r.edu ? 100 : 80;
        d_edu = r.edu ? zm_psprintf(a, "岗位未写明学历要求；简历为%s", an_edu_names[r.edu])
                      : "岗位未写明学历要求；简历中没有识别出学历";
    } else if (r.edu == 0) {
        s_edu = 40;
        d_edu = zm_psprintf(a, "岗位要求%s及以上，简历中没有识别出学历", an_edu_names[j.edu_req]);
    } else if (r.edu >= j.edu_req) {
        s_edu = 100;
        d_edu = zm_psprintf(a, "%s，满足岗位%s及以上的要求", an_edu_names[r.edu], an_edu_names[j.edu_req]);
    } else {
        s_edu = r.edu == j.edu_req - 1 ? 50 : 20;
        d_edu = zm_psprintf(a, "%s，岗位要求%s及以上", an_edu_names[r.edu], an_edu_names[j.edu_req]);
    }

    score = (int)((45.0 * s_skill + 20.0 * s_exp + 15.0 * s_edu + 20.0 * s_sim) / 100 + 0.5);
    if (score > 100) {
        score = 100;
    }
    if (r.len == 0) {
        score = 0;
    }

    comps = json_object_new_array();
    an_component(comps, "skills", "技能匹配", 45, s_skill, d_skill);
    an_component(comps, "experience", "工作经验", 20, s_exp, d_exp);
    an_component(comps, "education", "学历", 15, s_edu, d_edu);
    an_component(comps, "similarity", "文本相似度", 20, s_sim, d_sim);

    matched = json_object_new_array();
    missing = json_object_new_array();
    for (int k = 0; k < nmr; k++) {
        an_push(matched, an_dict.skills[mreq[k]].name);
    }
    for (int k = 0; k < nmp; k++) {
        an_push(matched, an_dict.skills[mpref[k]].name);
    }
    for (int k = 0; k < nxr; k++) {
        an_push(missing, an_dict.skills[xreq[k]].name);
    }
    for (int k = 0; k < nxp; k++) {
        an_push(missing, an_dict.skills[xpref[k]].name);
    }

    strengths = json_object_new_array();
    gaps = json_object_new_array();
    sugg = json_object_new_array();
    if (nmr) {
        an_push(strengths, zm_psprintf(a, "具备岗位要求的技能：%s（%d/%d）", an_join(a, mreq, nmr, 8), nmr, nmr + nxr));
    }
    if (nmp) {
        an_push(strengths, zm_psprintf(a, "具备加分技能：%s", an_join(a, mpref, nmp, 6)));
    }
    if (r.years >= 0 && j.years_req >= 0 && r.years >= j.years_req) {
        an_push(strengths, zm_psprintf(a, "约 %s 年工作经验，满足岗位 %s 年以上的要求", an_years_text(a, r.years),
                                       an_years_text(a, j.years_req)));
    } else if (r.years > 0 && j.years_req < 0) {
        an_push(strengths, zm_psprintf(a, "约 %s 年工作经验", an_years_text(a, r.years)));
    }
    if (r.edu && j.edu_req && r.edu >= j.edu_req) {
        an_push(strengths, zm_psprintf(a, "学历（%s）满足岗位要求（%s及以上）", an_edu_names[r.edu], an_edu_names[j.edu_req]));
    }
    if (s_sim >= 60) {
        an_push(strengths, "简历用词与岗位描述高度相关，容易通过关键词筛选");
    }

    if (nxr) {
        an_push(gaps, zm_psprintf(a, "缺少岗位要求的技能：%s", an_join(a, xreq, nxr, 8)));
    }
    if (nxp) {
        an_push(gaps, zm_psprintf(a, "未体现加分技能：%s", an_join(a, xpref, nxp, 6)));
    }
    if (j.years_req >= 0 && r.years >= 0 && r.years < j.years_req) {
        an_push(gaps, zm_psprintf(a, "工作年限约 %s 年，岗位要求 %s 年以上，相差约 %s 年", an_years_text(a, r.years),
                                  an_years_text(a, j.years_req), an_years_text(a, ceil((j.years_req - r.years) * 10) / 10)));
    } else if (j.years_req >= 0 && r.years < 0) {
        an_push(gaps, zm_psprintf(a, "简历中没有识别出工作年限（岗位要求 %s 年以上）", an_years_text(a, j.years_req)));
    }
    if (j.edu_req && r.edu && r.edu < j.edu_req) {
        an_push(gaps, zm_psprintf(a, "学历为%s，岗位要求%s及以上", an_edu_names[r.edu], an_edu_names[j.edu_req]));
    } else if (j.edu_req && !r.edu) {
        an_push(gaps, zm_psprintf(a, "简历中没有写明学历，岗位要求%s及以上", an_edu_names[j.edu_req]));
    }
    if (s_sim < 30) {
        an_push(gaps, "简历与岗位描述的用词重合度较低，筛选系统可能检索不到");
    }

    if (nxr) {
        an_push(sugg, zm_psprintf(a, "如有%s的实际经验，请在工作或项目经历中写明使用场景和成果；如没有，建议优先补齐并做一个可展示的小项目",
                                  an_join(a, xreq, nxr, 3)));
    }
    {
        static const int need[] = {AN_SEC_WORK, AN_SEC_PROJ, AN_SEC_SKILLS, AN_SEC_EDU};
        static const char *const how[] = {"写明公司、职位、起止时间和可量化的工作成果",
                                          "写清项目背景、你的职责、使用的技术和可量化的结果",
                                          "集中列出掌握的技术和工具，便于筛选系统识别",
                                          "写明学校、专业、学历和起止时间"};
        for (size_t k = 0; k < ZM_ARRAY_LEN(need); k++) {
            if (!r.sec[need[k]] && r.len > 0) {
                an_push(sugg, zm_psprintf(a, "补充“%s”部分：%s", an_sec_names[need[k]], how[k]));
            }
        }
    }
    if (j.years_req >= 0 && r.years < 0) {
        an_push(sugg, "为每段经历写明起止时间（如 2019.07-至今），便于计算工作年限");
    }
    an_quantify_suggestions(a, &r, sugg, 3);
    if (nmr && nxr == 0) {
        an_push(sugg, zm_psprintf(a, "把%s放在专业技能和最近一段经历的前面，并准备相关的项目案例", an_join(a, mreq, nmr, 3)));
    }
    if (json_object_array_length(sugg) == 0) {
        an_push(sugg, "简历与岗位匹配良好，面试前准备 2-3 个与岗位核心技能相关的项目案例");
    }

    {
        const char *level = score >= 80 ? "高" : score >= 60 ? "较高" : score >= 40 ? "一般" : "较低";
        char *sum = zm_psprintf(a, "匹配度 %d 分（%s）", score, level);
        if (nmr + nxr) {
            sum = zm_psprintf(a, "%s：具备 %d/%d 项必备技能", sum, nmr, nmr + nxr);
            if (nxr) {
                sum = zm_psprintf(a, "%s，缺少%s", sum, an_join(a, xreq, nxr, 3));
            }
        }
        sum = zm_psprintf(a, "%s；经验%s，学历%s。", sum, s_exp >= 100 ? "满足要求" : s_exp >= 60 ? "接近要求" : "不足或未写明",
                          s_edu >= 100 ? "满足要求" : s_edu >= 50 ? "略低或未写明" : "不满足");
        out->summary = sum ? sum : "";
    }
    out->score = score;
    out->strengths = strengths;
    out->gaps = gaps;
    out->suggestions = sugg;
    out->matched_skills = matched;
    out->missing_skills = missing;
    out->components = comps;
    return ZM_OK;
}

json_object *an_match_json(const an_match_t *m)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "score", json_object_new_int(m->score));
    json_object_object_add(o, "summary", json_object_new_string(m->summary ? m->summary : ""));
    json_object_object_add(o, "strengths", json_object_get(m->strengths));
    json_object_object_add(o, "gaps", json_object_get(m->gaps));
    json_object_object_add(o, "suggestions", json_object_get(m->suggestions));
    json_object_object_add(o, "matched_skills", json_object_get(m->matched_skills));
    json_object_object_add(o, "missing_skills", json_object_get(m->missing_skills));
    json_object_object_add(o, "components", json_object_get(m->components));
    json_object_object_add(o, "provider", json_object_new_string(m->provider ? m->provider : ""));
    json_object_object_add(o, "model", json_object_new_string(m->model ? m->model : ""));
    return o;
}

/* ---- the diagnosis ---- */

typedef struct {
    const char *word;
    const char *cat;
} an_role_kw_t;

static const an_role_kw_t an_role_kws[] = {
    {"后端", "backend,database,devops"}, {"服务端", "backend,database,devops"}, {"backend", "backend,database,devops"},
    {"前端", "frontend"},   {"frontend", "frontend"}, {"web", "frontend"},  {"android", "mobile"}, {"ios", "mobile"},
    {"移动端", "mobile"},  {"客户端", "mobile"},   {"数据分析", "data"},   {"大数据", "data"},
    {"数据", "data"},      {"data", "data"},       {"算法", "ai"},         {"机器学习", "ai"},
    {"machine learning", "ai"}, {"运维", "devops"}, {"devops", "devops"},  {"sre", "devops"},
    {"测试", "testing"},   {"qa", "testing"},      {"安全", "security"},   {"嵌入式", "embedded"},
    {"硬件", "embedded"},  {"产品", "product"},    {"product", "product"}, {"设计", "design"},
    {"designer", "design"}, {"运营", "operations"}, {"市场", "marketing"}, {"营销", "marketing"},
    {"marketing", "marketing"}, {"销售", "sales"}, {"商务", "sales"},      {"sales", "sales"},
    {"财务", "finance"},   {"会计", "finance"},    {"金融", "finance"},    {"finance", "finance"},
    {"人力", "hr"},        {"招聘", "hr"},         {"hr", "hr"},
};

/* Frameworks tied to one language: not suggested to someone who neither has nor wants that language. */
static const struct {
    const char *framework, *lang;
} an_fw_lang[] = {
    {"Spring Boot", "Java"}, {"Spring Cloud", "Java"}, {"Spring", "Java"}, {"MyBatis", "Java"}, {"Hibernate", "Java"},
    {"Java Web", "Java"},    {"Dubbo", "Java"},        {"Netty", "Java"},  {"JVM", "Java"},     {"Maven", "Java"},
    {"Gradle", "Java"},      {"Tomcat", "Java"},       {"Django", "Python"}, {"Flask", "Python"}, {"FastAPI", "Python"},
    {"Tornado", "Python"},   {"Celery", "Python"},     {"SQLAlchemy", "Python"}, {"Gunicorn", "Python"},
    {"Gin", "Go"},           {"go-zero", "Go"},        {"Laravel", "PHP"}, {"ThinkPHP", "PHP"}, {".NET", "C#"},
    {"Ruby on Rails", "Ruby"}, {"Express", "JavaScript"}, {"Koa", "JavaScript"}, {"NestJS", "TypeScript"},
};

static int an_fw_unwanted(const an_doc_t *r, const an_doc_t *role, int s)
{
    for (size_t k = 0; k < ZM_ARRAY_LEN(an_fw_lang); k++) {
        if (strcmp(an_dict.skills[s].name, an_fw_lang[k].framework) == 0) {
            int l = an_skill_find(an_fw_lang[k].lang), role_lang = 0;
            if (l < 0) {
                return 0;
            }
            /* a role that names its language ("Python后端") decides; else the resume's languages do */
            for (int x = 0; role && role->count && x < an_dict.nskills; x++) {
                role_lang |= role->count[x] && !strcmp(an_dict.cats[an_dict.skills[x].cat].key, "lang");
            }
            return role_lang ? !role->count[l] : !r->count[l];
        }
    }
    return 0;
}

static int an_cat_find(const char *key)
{
    for (int c = 0; c < an_dict.ncats; c++) {
        if (strcmp(an_dict.cats[c].key, key) == 0) {
            return c;
        }
    }
    return -1;
}

/* Skills a resume for this role usually lists and this one lacks: the first ones of the role's categories. */
static int an_role_gaps(zm_arena_t *a, const an_doc_t *r, const char *role, int *out, int max)
{
    an_doc_t rd;
    const an_doc_t *role_doc = NULL;
    int cats[8], nc = 0, n = 0;

    if (role && role[0] && an_read(a, role, &rd) == ZM_OK) {
        role_doc = &rd;
        /* the role's own skills first: "Python后端工程师" wants Python */
        for (int s = 0; s < an_dict.nskills && n < max; s++) {
            if (rd.count[s] && !r->count[s]) {
                out[n++] = s;
            }
            if (rd.count[s] && nc < 8) {
                int c = an_dict.skills[s].cat, k;
                for (k = 0; k < nc && cats[k] != c; k++) {
                }
                /* a language says little about its neighbours: Python does not call for C# */
                if (k == nc && strcmp(an_dict.cats[c].key, "soft") != 0 && strcmp(an_dict.cats[c].key, "lang") != 0) {
                    cats[nc++] = c;
                }
            }
        }
        /* the role's words name its fields ("后端": backend, databases, ops): those come first */
        int kc[8], nk = 0;
        for (size_t k = 0; k < ZM_ARRAY_LEN(an_role_kws) && nk < 8; k++) {
            if (!memmem(rd.low, rd.len, an_role_kws[k].word, strlen(an_role_kws[k].word))) {
                continue;
            }
            for (const char *p = an_role_kws[k].cat; *p && nk < 8;) {
                char key[32];
                size_t l = strcspn(p, ",");
                int c, x;
                snprintf(key, sizeof(key), "%.*s", (int)l, p);
                p += l + (p[l] == ',');
                c = an_cat_find(key);
                for (x = 0; x < nk && kc[x] != c; x++) {
                }
                if (c >= 0 && x == nk) {
                    kc[nk++] = c;
                }
            }
        }
        if (nk) {
            memcpy(cats, kc, (size_t)nk * sizeof(int));
            nc = nk;
        }
    }
    if (nc == 0) {
        /* no role: the resume's own main field */
        int *per = zm_pcalloc(a, (size_t)an_dict.ncats * sizeof(int)), best = -1;
        if (per == NULL) {
            return n;
        }
        for (int s = 0; s < an_dict.nskills; s++) {
            if (r->count[s]) {
                per[an_dict.skills[s].cat]++;
            }
        }
        for (int c = 0; c < an_dict.ncats; c++) {
            const char *k = an_dict.cats[c].key;
            if (strcmp(k, "soft") && strcmp(k, "language") && strcmp(k, "office") && strcmp(k, "cert") &&
                per[c] > 0 && (best < 0 || per[c] > per[best])) {
                best = c;
            }
        }
        if (best >= 0) {
            cats[nc++] = best;
        }
    }
    for (int k = 0; k < nc && n < max; k++) {
        int took = 0;
        for (int s = 0; s < an_dict.nskills && n < max && took < 3; s++) {
            if (an_dict.skills[s].cat == cats[k] && !r->count[s] && !an_fw_unwanted(r, role_doc, s)) {
                int x;
                for (x = 0; x < n && out[x] != s; x++) {
                }
                if (x == n) {
                    out[n++] = s;
                    took++;
                }
            }
        }
    }
    return n;
}

static const char *an_bullet_hint(const an_doc_t *d, const an_bullet_t *b)
{
    const char *cat = "";

    for (size_t h = 0; h < d->nhits; h++) {
        if (d->hits[h].pos >= b->s && d->hits[h].pos < b->e) {
            cat = an_dict.cats[an_dict.skills[d->hits[h].skill].cat].key;
            break;
        }
    }
    if (!strcmp(cat, "backend") || !strcmp(cat, "database") || !strcmp(cat, "devops") || !strcmp(cat, "lang") ||
        !strcmp(cat, "cs")) {
        return "使接口平均响应时间从 X ms 降至 Y ms，支撑日均 N 万次请求";
    }
    if (!strcmp(cat, "frontend") || !strcmp(cat, "mobile")) {
        return "使首屏加载时间缩短 X%，覆盖 N 万日活用户";
    }
    if (!strcmp(cat, "data") || !strcmp(cat, "ai")) {
        return "基于 N 万条数据，使关键指标（如准确率、转化率）提升 X%";
    }
    if (!strcmp(cat, "operations") || !strcmp(cat, "marketing")) {
        return "在 N 个月内使粉丝量或转化率增长 X%";
    }
    if (!strcmp(cat, "sales")) {
        return "完成销售额 X 万元，目标达成率 Y%，新增客户 N 家";
    }
    if (!strcmp(cat, "finance")) {
        return "将月结周期从 N 天缩短到 M 天，差错率降低 X%";
    }
    if (!strcmp(cat, "hr")) {
        return "完成 N 个岗位的招聘，平均到岗周期缩短 X 天";
    }
    if (!strcmp(cat, "testing")) {
        return "发现并推动修复 N 个缺陷，回归测试时间缩短 X%";
    }
    return "带来的结果，如效率提升 X%、覆盖 N 名用户或节省 N 小时";
}

static json_object *an_rewrite(zm_arena_t *a, const an_doc_t *d, const an_bullet_t *b)
{
    json_object *o = json_object_new_object();
    const char *text = an_bullet_text(a, d, b, 200), *rest = text, *verb = "主导";
    char *why = zm_pstrdup(a, ""), *sugg;
    int zh = 0;

    for (size_t i = 0; text[i]; i++) {
        zh |= (unsigned char)text[i] >= 0x80;
    }
    if (b->weak_start) {
        static const struct {
            const char *w, *v;
        } verbs[] = {{"负责", "主导"}, {"参与", "作为核心成员完成"}, {"协助", "协同完成"}, {"帮助", "协同完成"},
                     {"配合", "协同完成"}, {"跟进", "推进"}, {"responsible for ", "Led "}, {"worked on ", "Built "},
                     {"helped ", "Delivered "}, {"assisted ", "Delivered "}, {"participated in ", "Drove "},
                     {"involved in ", "Drove "}, {"in charge of ", "Led "}};
        for (size_t k = 0; k < ZM_ARRAY_LEN(verbs); k++) {
            if (strncasecmp(text, verbs[k].w, strlen(verbs[k].w)) == 0) {
                rest = text + strlen(verbs[k].w);
                verb = verbs[k].v;
                break;
            }
        }
        int vl = (int)(rest - text);
        while (vl > 0 && text[vl - 1] == ' ') {
            vl--;
        }
        why = zm_psprintf(a, "以“%.*s”开头只说明了职责，没有说明你做成了什么", vl, text);
    } else {
        verb = "";
    }
    if (!b->quantified) {
        why = zm_psprintf(a, "%s%s没有数字，看不出工作的规模和成果", why, why[0] ? "；" : "");
    }
    if (b->short_line) {
        why = zm_psprintf(a, "%s%s描述过短，缺少背景、行动和结果", why, why[0] ? "；" : "");
    }
    if (zh) {
        sugg = zm_psprintf(a, "%s%s，%s（用真实数字替换 X、Y、N）", verb, rest, an_bullet_hint(d, b));
    } else {
        sugg = zm_psprintf(a, "%s%s, resulting in [a measurable outcome: e.g. X%% faster, N users, $N saved]",
                           verb[0] ? verb : "", rest);
    }
    json_object_object_add(o, "original", json_object_new_string(text));
    json_object_object_add(o, "suggestion", json_object_new_string(sugg ? sugg : text));
    json_object_object_add(o, "why", json_object_new_string(why ? why : ""));
    return o;
}

static json_object *an_section(const char *name, int present)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "present", json_object_new_boolean(present));
    json_object_object_add(o, "findings", json_object_new_array());
    return o;
}

static void an_finding(json_object *sec, const char *text)
{
    json_object *f;

    if (text && json_object_object_get_ex(sec, "findings", &f)) {
        json_object_array_add(f, json_object_new_string(text));
    }
}

int an_builtin_diagnose(zm_arena_t *a, const char *resume_text, const char *target_role, json_object **report)
{
    an_doc_t r;
    an_bullet_t *b;
    int rc, nb, nq = 0, nweak = 0, *v, n, gaps[8], ng, np, score;
    char *projects[3];
    json_object *out, *secs, *s, *skills, *found, *bycat, *rewrites;
    double ratio;

    *report = NULL;
    if ((rc = an_read(a, resume_text, &r)) != ZM_OK) {
        return rc;
    }
    if ((nb = an_bullets(a, &r, &b)) < 0 || (n = an_found(a, &r, &v)) < 0) {
        return ZM_ENOMEM;
    }
    np = an_projects(a, &r, projects, 3);
    ng = an_role_gaps(a, &r, target_role, gaps, 5);
    for (int i = 0; i < nb; i++) {
        nq += b[i].quantified;
        nweak += !b[i].quantified || b[i].weak_start || b[i].short_line;
    }
    ratio = nb ? (double)nq / nb : 0;

    out = json_object_new_object();
    secs = json_object_new_array();

    s = an_section(an_sec_names[AN_SEC_EDU], r.sec[AN_SEC_EDU]);
    if (r.edu) {
        an_finding(s, zm_psprintf(a, "最高学历：%s", an_edu_names[r.edu]));
    } else {
        an_finding(s, "没有识别出学历层次，请写明“本科”“硕士”等");
    }
    if (!r.sec[AN_SEC_EDU]) {
        an_finding(s, "缺少“教育经历”部分：写明学校、专业、学历和起止时间");
    }
    json_object_array_add(secs, s);

    s = an_section(an_sec_names[AN_SEC_WORK], r.sec[AN_SEC_WORK]);
    if (!r.sec[AN_SEC_WORK]) {
        an_finding(s, "缺少“工作经历”部分：应届生也可以写实习、兼职或校园工作，写明公司、职位和起止时间");
    }
    if (r.years >= 0) {
        an_finding(s, zm_psprintf(a, "识别到约 %s 年工作经验", an_years_text(a, r.years)));
    } else {
        an_finding(s, "没能识别出工作年限：为每段经历写明起止时间（如 2019.07-至今）");
    }
    if (nb) {
        an_finding(s, zm_psprintf(a, "%d 条经历描述中 %d 条包含数字或量化结果", nb, nq));
        if (ratio < 0.5) {
            an_finding(s, "量化不足：用数字说明规模和结果（用户量、性能提升、金额、效率），比罗列职责更有说服力");
        }
    }
    json_object_array_add(secs, s);

    s = an_section(an_sec_names[AN_SEC_PROJ], r.sec[AN_SEC_PROJ]);
    if (np) {
        char *list = zm_pstrdup(a, "");
        for (int k = 0; k < np && list; k++) {
            list = zm_psprintf(a, "%s%s“%s”", list, k ? "、" : "", projects[k]);
        }
        an_finding(s, zm_psprintf(a, "识别到项目：%s", list));
    }
    if (!r.sec[AN_SEC_PROJ]) {
        an_finding(s, "缺少“项目经历”部分：补充 1-3 个与目标岗位相关的项目，写清背景、你的职责、使用的技术和结果");
    }
    json_object_array_add(secs, s);

    s = an_section(an_sec_names[AN_SEC_SKILLS], r.sec[AN_SEC_SKILLS]);
    an_finding(s, n ? zm_psprintf(a, "识别到 %d 项技能：%s", n, an_join(a, v, n, 8)) : "没有识别出具体技能");
    if (!r.sec[AN_SEC_SKILLS]) {
        an_finding(s, "缺少“专业技能”部分：把掌握的技术和工具集中列出，便于筛选系统识别");
    }
    if (n > 0 && n < 5) {
        an_finding(s, "列出的技能较少，补充实际用过的工具、框架和方法");
    }
    if (ng) {
        an_finding(s, zm_psprintf(a, "%s常见但简历中没有的技能：%s", target_role && target_role[0] ? "目标岗位" : "同方向岗位",
                                  an_join(a, gaps, ng, 5)));
    }
    json_object_array_add(secs, s);

    s = an_section(an_sec_names[AN_SEC_SUMMARY], r.sec[AN_SEC_SUMMARY]);
    an_finding(s, r.sec[AN_SEC_SUMMARY] ? "有自我评价：确保每句都有经历或数据支撑，避免“吃苦耐劳”“学习能力强”等空话"
                                        : "可以增加 2-3 句自我评价，突出与目标岗位最相关的优势和成果");
    json_object_array_add(secs, s);

    s = an_section(an_sec_names[AN_SEC_CONTACT], r.sec[AN_SEC_CONTACT]);
    if (r.email || r.phone) {
        an_finding(s, zm_psprintf(a, "识别到%s%s%s", r.phone ? "手机号" : "", r.phone && r.email ? "和" : "",
                                  r.email ? "邮箱" : ""));
    }
    if (!r.phone || !r.email) {
        an_finding(s, zm_psprintf(a, "没有识别到%s%s%s，HR 可能无法联系你", !r.phone ? "手机号" : "",
                                  !r.phone && !r.email ? "和" : "", !r.email ? "邮箱" : ""));
    }
    json_object_array_add(secs, s);

    skills = json_object_new_object();
    found = json_object_new_array();
    bycat = json_object_new_object();
    for (int k = 0; k < n; k++) {
        const char *label = an_dict.cats[an_dict.skills[v[k]].cat].label;
        json_object *arr;
        an_push(found, an_dict.skills[v[k]].name);
        if (!json_object_object_get_ex(bycat, label, &arr)) {
            arr = json_object_new_array();
            json_object_object_add(bycat, label, arr);
        }
        an_push(arr, an_dict.skills[v[k]].name);
    }
    json_object_object_add(skills, "found", found);
    json_object_object_add(skills, "by_category", bycat);
    {
        json_object *sg = json_object_new_array();
        for (int k = 0; k < ng; k++) {
            an_push(sg, an_dict.skills[gaps[k]].name);
        }
        json_object_object_add(skills, "suggested", sg);
    }

    rewrites = json_object_new_array();
    for (int i = 0, k = 0; i < nb && k < 5; i++) {
        if (!b[i].quantified || b[i].weak_start || b[i].short_line) {
            json_object_array_add(rewrites, an_rewrite(a, &r, &b[i]));
            k++;
        }
    }

    /* completeness 30, quantified bullets 25, skills 20, length 15, education and years readable 10 */
    {
        static const int wsec[AN_SEC_N] = {0, 6, 8, 6, 5, 2, 3};
        double sc = 0;
        size_t chars = 0, k2;
        for (int k = 1; k < AN_SEC_N; k++) {
            sc += r.sec[k] ? wsec[k] : 0;
        }
        sc += 25 * ratio;
        sc += 20 * (n >= 8 ? 1 : n / 8.0);
        for (size_t i = 0; i < r.len; i += k2) {
            an_utf8(r.low, r.len, i, &k2);
            chars++;
        }
        sc += chars >= 400 && chars <= 6000 ? 15 : chars < 400 ? 15 * chars / 400.0 : 10;
        sc += (r.edu ? 5 : 0) + (r.years >= 0 ? 5 : 0);
        score = r.len ? (int)(sc + 0.5) : 0;
        if (score > 100) {
            score = 100;
        }
    }

    {
        int missing = 0;
        char *miss = zm_pstrdup(a, "");
        for (int k = 1; k < AN_SEC_N && miss; k++) {
            if (!r.sec[k]) {
                miss = zm_psprintf(a, "%s%s“%s”", miss, missing++ ? "、" : "", an_sec_names[k]);
            }
        }
        char *sum = zm_psprintf(a, "简历综合评分 %d 分。", score);
        if (missing) {
            sum = zm_psprintf(a, "%s缺少%s部分；", sum, miss);
        }
        if (nb) {
            sum = zm_psprintf(a, "%s%d 条经历描述中 %d 条有量化结果", sum, nb, nq);
            sum = zm_psprintf(a, "%s%s", sum, nweak ? zm_psprintf(a, "，%d 条建议改写；", nweak) : "；");
        }
        sum = zm_psprintf(a, "%s识别到 %d 项技能", sum, n);
        if (ng) {
            sum = zm_psprintf(a, "%s，可补充%s", sum, an_join(a, gaps, ng, 3));
        }
        sum = zm_psprintf(a, "%s。", sum);
        json_object_object_add(out, "overall_score", json_object_new_int(score));
        json_object_object_add(out, "summary", json_object_new_string(sum ? sum : ""));
    }
    json_object_object_add(out, "sections", secs);
    json_object_object_add(out, "skills", skills);
    json_object_object_add(out, "rewrites", rewrites);
    json_object_object_add(out, "education", json_object_new_string(an_edu_names[r.edu]));
    json_object_object_add(out, "years", r.years >= 0 ? json_object_new_double(r.years) : NULL);
    json_object_object_add(out, "quantified_ratio", json_object_new_double(floor(ratio * 100 + 0.5) / 100));
    if (target_role && target_role[0]) {
        json_object_object_add(out, "target_role", json_object_new_string(target_role));
    }
    *report = out;
    return ZM_OK;
}

/* ---- interview questions ---- */

static const char *const an_qcat_keys[] = {"technical", "project", "behavioral", "hr"};
static const char *const an_qcat_labels[] = {"技术问题", "项目深挖", "行为面试", "HR 面试"};

/* s with {skill}, {project} and {role} filled in */
static char *an_fill(zm_arena_t *a, const char *s, const char *skill, const char *project, const char *role)
{
    char *out = zm_pstrdup(a, "");
    const char *p = s;

    while (out && *p) {
        const char *b = strchr(p, '{');
        const char *v = NULL;
        size_t skip = 0;
        if (b == NULL) {
            return zm_psprintf(a, "%s%s", out, p);
        }
        if (strncmp(b, "{skill}", 7) == 0) {
            v = skill, skip = 7;
        } else if (strncmp(b, "{project}", 9) == 0) {
            v = project, skip = 9;
        } else if (strncmp(b, "{role}", 6) == 0) {
            v = role, skip = 6;
        }
        if (skip == 0) {
            out = zm_psprintf(a, "%s%.*s", out, (int)(b - p + 1), p);
            p = b + 1;
            continue;
        }
        out = zm_psprintf(a, "%s%.*s%s", out, (int)(b - p), p, v ? v : "");
        p = b + skip;
    }
    return out;
}

static json_object *an_question(zm_arena_t *a, const an_q_t *q, const char *skill, const char *project, const char *role,
                                const char *why_prefix)
{
    json_object *o = json_object_new_object(), *ol = json_object_new_array();
    const char *why = an_fill(a, q->why, skill, project, role);

    json_object_object_add(o, "question", json_object_new_string(an_fill(a, q->question, skill, project, role)));
    if (why_prefix && why_prefix[0]) {
        why = zm_psprintf(a, "%s；%s", why_prefix, why);
    }
    json_object_object_add(o, "why", json_object_new_string(why ? why : ""));
    for (int k = 0; k < q->nout; k++) {
        an_push(ol, an_fill(a, q->outline[k], skill, project, role));
    }
    json_object_object_add(o, "outline", ol);
    if (skill && q->cat == 0) {
        json_object_object_add(o, "skill", json_object_new_string(skill));
    }
    return o;
}

int an_builtin_questions(zm_arena_t *a, const char *resume_text, const char *job, int count, json_object **out)
{
    an_doc_t r, j;
    int rc, *rv, nr, *jv, nj = 0, *sk, nsk = 0, quota[AN_QCATS], supply[AN_QCATS], ngen = 0, *gen, nbank[AN_QCATS] = {0};
    char *projects[3];
    int np;
    const char *role = "目标岗位";
    json_object *groups, *g[AN_QCATS];

    *out = NULL;
    if (count < 1) {
        count = 1;
    }
    if (count > 50) {
        count = 50;
    }
    if ((rc = an_read(a, resume_text, &r)) != ZM_OK) {
        return rc;
    }
    memset(&j, 0, sizeof(j));
    if (job && job[0]) {
        if ((rc = an_read(a, job, &j)) != ZM_OK) {
            return rc;
        }
        if ((nj = an_found(a, &j, &jv)) < 0) {
            return ZM_ENOMEM;
        }
        /* a short "job" is a role name: use it in the questions */
        if (strlen(job) <= 60 && !memchr(job, '\n', strlen(job))) {
            role = zm_psprintf(a, "“%s”岗位", job);
        }
    }
    if ((nr = an_found(a, &r, &rv)) < 0) {
        return ZM_ENOMEM;
    }
    np = an_projects(a, &r, projects, 3);
    sk = zm_palloc(a, (size_t)(nr + nj + 1) * sizeof(int));
    gen = zm_palloc(a, (size_t)(an_dict.nqs + 1) * sizeof(int));
    if (sk == NULL || gen == NULL) {
        return ZM_ENOMEM;
    }
    /* what the interviewer will probe: skills both name, then the job's, then the resume's; never soft skills */
    for (int pass = 0; pass < 3; pass++) {
        int *v = pass < 2 ? jv : rv, n = pass < 2 ? nj : nr;
        for (int k = 0; k < n; k++) {
            int s = v[k], x, in_r = r.count[s] > 0;
            if ((pass == 0 && !in_r) || (pass == 1 && in_r)) {
                continue;
            }
            const char *ck = an_dict.cats[an_dict.skills[s].cat].key;
            if (!strcmp(ck, "soft") || !strcmp(ck, "language") || !strcmp(ck, "cert")) {
                continue;
            }
            for (x = 0; x < nsk && sk[x] != s; x++) {
            }
            if (x == nsk) {
                sk[nsk++] = s;
            }
        }
    }
    for (int q = 0; q < an_dict.nqs; q++) {
        if (an_dict.qs[q].skill < 0) {
            nbank[an_dict.qs[q].cat]++;
            if (an_dict.qs[q].cat == 0) {
                gen[ngen++] = q;
            }
        }
    }

    /* how many of each: technical 40%, project 25%, behavioral 20%, HR 15%; one each first when count allows */
    {
        static const double w[AN_QCATS] = {0.40, 0.25, 0.20, 0.15};
        int given = 0;
        double rem[AN_QCATS];
        for (int c = 0; c < AN_QCATS; c++) {
            quota[c] = count >= AN_QCATS ? 1 : c < count;
            given += quota[c];
        }
        int left = count - given;
        for (int c = 0; c < AN_QCATS; c++) {
            double x = left * w[c];
            quota[c] += (int)x;
            given += (int)x;
            rem[c] = x - (int)x;
        }
        while (given < count) {
            int best = 0;
            for (int c = 1; c < AN_QCATS; c++) {
                if (rem[c] > rem[best]) {
                    best = c;
                }
            }
            quota[best]++;
            rem[best] = -1;
            given++;
        }
        supply[0] = ngen * (nsk ? nsk : 1);
        for (int q = 0; q < an_dict.nqs; q++) {
            supply[0] += an_dict.qs[q].skill >= 0 && an_dict.qs[q].cat == 0 && r.count[an_dict.qs[q].skill] +
                                                                                     (nj ? j.count[an_dict.qs[q].skill] : 0);
        }
        supply[1] = nbank[1] * (np ? np : 1);
        supply[2] = nbank[2];
        supply[3] = nbank[3];
        /* a group the bank cannot fill hands its share to the others */
        int spare = 0;
        for (int c = 0; c < AN_QCATS; c++) {
            if (quota[c] > supply[c]) {
                spare += quota[c] - supply[c];
                quota[c] = supply[c];
            }
        }
        for (int c = 0; c < AN_QCATS && spare; c++) {
            int room = supply[c] - quota[c];
            int t = room < spare ? room : spare;
            quota[c] += t;
            spare -= t;
        }
    }

    for (int c = 0; c < AN_QCATS; c++) {
        g[c] = json_object_new_array();
    }

    /* technical: each skill's own bank questions round-robin, then generic ones filled with the skills */
    {
        int got = 0;
        for (int round = 0; got < quota[0] && round < 16; round++) {
            int any = 0;
            for (int k = 0; k < nsk && got < quota[0]; k++) {
                int seen = 0;
                for (int q = 0; q < an_dict.nqs; q++) {
                    if (an_dict.qs[q].cat != 0 || an_dict.qs[q].skill != sk[k]) {
                        continue;
                    }
                    if (seen++ == round) {
                        const char *name = an_dict.skills[sk[k]].name;
                        int in_r = r.count[sk[k]] > 0, in_j = nj && j.count[sk[k]] > 0;
                        const char *pre = in_r && in_j ? zm_psprintf(a, "简历和岗位要求都提到了%s", name)
                                          : in_j      ? zm_psprintf(a, "岗位要求%s，简历中没有体现，面试官可能会考察", name)
                                                      : zm_psprintf(a, "简历中写了%s（出现 %d 次）", name, r.count[sk[k]]);
                        json_object_array_add(g[0], an_question(a, &an_dict.qs[q], name, NULL, role, pre));
                        got++;
                        any = 1;
                        break;
                    }
                }
            }
            if (!any) {
                break;
            }
        }
        for (int round = 0; got < quota[0] && ngen && round < ngen; round++) {
            for (int k = 0; k < (nsk ? nsk : 1) && got < quota[0]; k++) {
                const an_q_t *q = &an_dict.qs[gen[(k + round) % ngen]];
                const char *name = nsk ? an_dict.skills[sk[k]].name : "你最熟悉的技术";
                json_object_array_add(g[0], an_question(a, q, name, NULL, role,
                                                        nsk ? zm_psprintf(a, "简历或岗位涉及%s", name) : NULL));
                got++;
            }
        }
    }
    /* project deep-dives: the bank's templates, filled with the resume's projects in turn */
    for (int q = 0, got = 0, k = 0; q < an_dict.nqs * 3 && got < quota[1]; q++) {
        const an_q_t *t = &an_dict.qs[q % an_dict.nqs];
        if (t->cat != 1 || q / an_dict.nqs >= (np ? np : 1)) {
            continue;
        }
        /* a named project is quoted in the question; the stand-in phrase is not */
        const char *proj = np ? projects[(k + q / an_dict.nqs) % np] : NULL;
        const char *pre = np ? zm_psprintf(a, "简历的项目经历中有“%s”", proj)
                             : "简历没有单列项目，面试官通常会追问工作中的具体项目";
        json_object_array_add(g[1], an_question(a, t, nsk ? an_dict.skills[sk[0]].name : "核心技术",
                                                proj ? zm_psprintf(a, "“%s”", proj) : "你简历中最有代表性的项目",
                                                role, pre));
        got++;
        k++;
    }
    for (int c = 2; c < AN_QCATS; c++) {
        for (int q = 0, got = 0; q < an_dict.nqs && got < quota[c]; q++) {
            if (an_dict.qs[q].cat == c) {
                json_object_array_add(g[c], an_question(a, &an_dict.qs[q], nsk ? an_dict.skills[sk[0]].name : "专业技能",
                                                        np ? zm_psprintf(a, "“%s”", projects[0]) : "你最近的项目",
                                                        role, NULL));
                got++;
            }
        }
    }

    groups = json_object_new_array();
    int total = 0;
    for (int c = 0; c < AN_QCATS; c++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "category", json_object_new_string(an_qcat_keys[c]));
        json_object_object_add(o, "label", json_object_new_string(an_qcat_labels[c]));
        total += (int)json_object_array_length(g[c]);
        json_object_object_add(o, "questions", g[c]);
        json_object_array_add(groups, o);
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "groups", groups);
    json_object_object_add(*out, "count", json_object_new_int(total));
    return ZM_OK;
}
