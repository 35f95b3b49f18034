/*
 * builtin.h -- what the builtin analyzer's files share: the dictionaries
 * (loaded once by an_init, read-only afterwards) and small text helpers.
 * Internal to fcgi/analysis; callers use analysis.h and document.h.
 */
#ifndef ZM_ANALYSIS_BUILTIN_H
#define ZM_ANALYSIS_BUILTIN_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "arena.h"
#include "str.h"

#define AN_LAT_BUCKETS 8192
#define AN_CJK_BUCKETS 8192
#define AN_MAX_INPUT (200 * 1024) /* longer texts are cut: a resume is a few KB */
#define AN_MAX_NTOK 6             /* most tokens in a Latin synonym */
#define AN_MAX_OUTLINE 6
#define AN_QCATS 4

/* AN_SEC_N: the sections a profile reports; duties and requirements only structure a job description */
enum {
    AN_SEC_NONE = 0,
    AN_SEC_EDU,
    AN_SEC_WORK,
    AN_SEC_PROJ,
    AN_SEC_SKILLS,
    AN_SEC_SUMMARY,
    AN_SEC_CONTACT,
    AN_SEC_N,
    AN_SEC_DUTY = AN_SEC_N,
    AN_SEC_REQ,
    AN_SEC_ALL
};

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
    uint32_t version; /* FNV-1a of skills.tsv */
} an_dict_t;

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

extern an_dict_t an_dict;
extern an_lat_t *lat_tab[AN_LAT_BUCKETS];
extern an_cjk_t *cjk_tab[AN_CJK_BUCKETS];

/* ---- small text helpers ---- */

static inline int an_isalnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int an_isdigit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline int an_isalpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline unsigned char an_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* The code point at s[i] and its length; malformed UTF-8 is one byte of U+FFFD, so scans always advance.
 * ASCII stays inline: it is most of what the scans read. */
static inline uint32_t an_utf8(const char *s, size_t len, size_t i, size_t *n)
{
    size_t j = i;
    int32_t cp;

    if ((unsigned char)s[i] < 0x80) {
        *n = 1;
        return (unsigned char)s[i];
    }
    cp = zm_utf8_next(s, len, &j);
    *n = j - i;
    return cp < 0 ? 0xFFFD : (uint32_t)cp;
}

static inline int an_is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
}

static inline uint32_t an_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    }
    return h;
}

/* the CJK table's bucket for a synonym starting with these two bytes */
static inline uint32_t an_cjk_bucket(unsigned char b0, unsigned char b1)
{
    return ((uint32_t)b0 * 257u + b1) & (AN_CJK_BUCKETS - 1);
}
/* ---- the match's components, shared by the match (match.c) and the scoring of features (features.c) ---- */

/* experience fit: the resume's years (-1 unknown) against the job's requirement (-1 none) */
static inline int an_exp_score(double years, double years_req)
{
    if (years_req < 0) {
        return years >= 0 ? 100 : 70;
    }
    if (years < 0) {
        return 40;
    }
    return years >= years_req ? 100 : (int)(100 * years / years_req + 0.5);
}

/* education fit: AN_EDU_* levels (0: none named / no requirement) */
static inline int an_edu_score(int edu, int edu_req)
{
    if (edu_req == 0) {
        return edu ? 100 : 80;
    }
    if (edu == 0) {
        return 40;
    }
    return edu >= edu_req ? 100 : edu == edu_req - 1 ? 50 : 20;
}

/* the weighted total: skills 45, experience 20, education 15, similarity 20; an empty resume scores 0 */
static inline int an_total_score(int s_skill, int s_exp, int s_edu, int s_sim, int empty)
{
    int score = (int)((45.0 * s_skill + 20.0 * s_exp + 15.0 * s_edu + 20.0 * s_sim) / 100 + 0.5);

    if (score > 100) {
        score = 100;
    }
    return empty ? 0 : score;
}

/* skill coverage: required skills count 2, preferred 1 (half weight); have2 and want2 in those units */
static inline int an_skill_score(int have2, int want2)
{
    double have = have2 / 2.0, want = want2 / 2.0;

    return (int)(100 * have / want + 0.5);
}

int an_token(const char *s, size_t len, size_t *i, size_t *ts, size_t *te);
int an_skill_find(const char *name);
int an_today(void);

#endif
