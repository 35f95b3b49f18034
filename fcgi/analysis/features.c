/*
 * features.c -- the builtin match split in two: a resume's features
 * (skills found, education, years, term vector), computed once and packed
 * into two blobs, and a job description compiled once (an_jobvec_t) that
 * scores features with the match's own component functions (builtin.h)
 * and similarity (similarity.c).  Job matching scores a million resumes
 * with it; an_builtin_match() computes the same numbers from the texts.
 */
#include <stdlib.h>
#include <string.h>

#include "document.h"

struct an_jobvec_s {
    unsigned char *wt; /* per dictionary skill: 2 required, 1 preferred, 0 not named */
    int nskills;       /* entries of wt */
    int want2;         /* 2 x required + preferred; 0: no skills named (skills score = similarity) */
    int edu_req;
    double years_req;
    an_jdterms_t terms;
};

int64_t an_features_version(void)
{
    return (int64_t)AN_FEAT_FORMAT << 32 | an_dict.version;
}

static int an_features_doc(zm_arena_t *a, const an_doc_t *d, an_features_t *out)
{
    int n = 0;

    memset(out, 0, sizeof(*out));
    out->empty = d->len == 0;
    out->edu = d->edu;
    out->years = d->years;
    out->skills = zm_palloc(a, (size_t)(d->nfound + 1) * sizeof(uint16_t));
    if (out->skills == NULL) {
        return ZM_ENOMEM;
    }
    for (int s = 0; s < an_dict.nskills && n < AN_MAX_SKILLS; s++) {
        if (d->count[s] > 0) {
            out->skills[n++] = (uint16_t)s;
        }
    }
    out->nskills = n;
    return an_term_vector(a, d, &out->terms);
}

int an_features(zm_arena_t *a, const char *text, an_features_t *out)
{
    an_doc_t d;
    int rc = an_read(a, text, &d);

    if (rc != ZM_OK) {
        return rc;
    }
    return an_features_doc(a, &d, out);
}

static void put16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

static uint32_t get16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get32(const unsigned char *p)
{
    return get16(p) | get16(p + 2) << 16;
}

int an_features_pack(zm_arena_t *a, const an_features_t *f, char **head, size_t *hlen, char **terms, size_t *tlen)
{
    unsigned char *h, *t;
    uint64_t y;

    *hlen = AN_HEAD_FIXED + 2 * (size_t)f->nskills;
    *tlen = 6 * (size_t)f->terms.n;
    h = zm_palloc(a, *hlen);
    t = zm_palloc(a, *tlen + 1);
    if (h == NULL || t == NULL || f->nskills > AN_MAX_SKILLS) {
        return ZM_ENOMEM;
    }
    h[0] = AN_FEAT_FORMAT;
    h[1] = (unsigned char)f->edu;
    h[2] = (unsigned char)(f->empty != 0);
    h[3] = 0;
    put32(h + 4, f->terms.total);
    memcpy(&y, &f->years, 8);
    put32(h + 8, (uint32_t)y);
    put32(h + 12, (uint32_t)(y >> 32));
    put16(h + 16, (uint32_t)f->nskills);
    for (int i = 0; i < f->nskills; i++) {
        put16(h + AN_HEAD_FIXED + 2 * i, f->skills[i]);
    }
    for (int i = 0; i < f->terms.n; i++) {
        put32(t + 6 * i, f->terms.keys[i]);
        put16(t + 6 * i + 4, f->terms.tf[i]);
    }
    *head = (char *)h;
    *terms = (char *)t;
    return ZM_OK;
}

/* the head's fixed part; -1 when malformed */
static int an_head_check(const unsigned char *h, size_t len)
{
    if (len < AN_HEAD_FIXED || h[0] != AN_FEAT_FORMAT || h[1] > AN_EDU_PHD) {
        return -1;
    }
    return len == AN_HEAD_FIXED + 2 * (size_t)get16(h + 16) ? 0 : -1;
}

static double an_head_years(const unsigned char *h)
{
    uint64_t y = (uint64_t)get32(h + 8) | (uint64_t)get32(h + 12) << 32;
    double d;

    memcpy(&d, &y, 8);
    return d;
}

int an_features_unpack_head(zm_arena_t *a, const char *head, size_t len, an_features_t *f)
{
    const unsigned char *h = (const unsigned char *)head;

    memset(f, 0, sizeof(*f));
    if (head == NULL || an_head_check(h, len) < 0) {
        return ZM_EINVAL;
    }
    f->edu = h[1];
    f->empty = h[2];
    f->terms.total = get32(h + 4);
    f->years = an_head_years(h);
    f->nskills = (int)get16(h + 16);
    f->skills = zm_palloc(a, (size_t)(f->nskills + 1) * sizeof(uint16_t));
    if (f->skills == NULL) {
        return ZM_ENOMEM;
    }
    for (int i = 0; i < f->nskills; i++) {
        f->skills[i] = (uint16_t)get16(h + AN_HEAD_FIXED + 2 * i);
    }
    return ZM_OK;
}

int an_features_unpack_terms(zm_arena_t *a, const char *terms, size_t len, an_features_t *f)
{
    const unsigned char *t = (const unsigned char *)terms;
    int n;

    if (len % 6 != 0 || len / 6 > 10000000) {
        return ZM_EINVAL;
    }
    n = (int)(len / 6);
    f->terms.keys = zm_palloc(a, (size_t)(n + 1) * sizeof(uint32_t));
    f->terms.tf = zm_palloc(a, (size_t)(n + 1) * sizeof(uint16_t));
    if (f->terms.keys == NULL || f->terms.tf == NULL) {
        return ZM_ENOMEM;
    }
    for (int i = 0; i < n; i++) {
        f->terms.keys[i] = get32(t + 6 * i);
        f->terms.tf[i] = (uint16_t)get16(t + 6 * i + 4);
        if (i > 0 && f->terms.keys[i] <= f->terms.keys[i - 1]) {
            return ZM_EINVAL; /* the lookup needs them ascending */
        }
    }
    f->terms.n = n;
    return ZM_OK;
}

int an_jobvec(zm_arena_t *a, const char *job_description, an_jobvec_t **out)
{
    an_jobvec_t *j = zm_pcalloc(a, sizeof(*j));
    an_doc_t d;
    int rc, *v, n;

    if (j == NULL) {
        return ZM_ENOMEM;
    }
    if ((rc = an_read(a, job_description, &d)) != ZM_OK) {
        return rc;
    }
    if ((n = an_found(a, &d, &v)) < 0) {
        return ZM_ENOMEM;
    }
    j->nskills = an_dict.nskills;
    j->wt = zm_pcalloc(a, (size_t)j->nskills + 1);
    if (j->wt == NULL) {
        return ZM_ENOMEM;
    }
    for (int k = 0; k < n; k++) {
        j->wt[v[k]] = d.req[v[k]] ? 2 : 1;
        j->want2 += j->wt[v[k]];
    }
    j->edu_req = d.edu_req;
    j->years_req = d.years_req;
    if ((rc = an_jd_terms(a, &d, &j->terms)) != ZM_OK) {
        return rc;
    }
    *out = j;
    return ZM_OK;
}

int an_jobvec_score_head(const an_jobvec_t *j, const char *head, size_t len, int sim)
{
    const unsigned char *h = (const unsigned char *)head, *sk;
    int n, have2 = 0, s_skill;

    if (an_head_check(h, len) < 0) {
        return -1;
    }
    n = (int)get16(h + 16);
    sk = h + AN_HEAD_FIXED;
    for (int i = 0; i < n; i++) {
        uint32_t s = get16(sk + 2 * i);
        if (s < (uint32_t)j->nskills) {
            have2 += j->wt[s];
        }
    }
    s_skill = j->want2 ? an_skill_score(have2, j->want2) : sim;
    return an_total_score(s_skill, an_exp_score(an_head_years(h), j->years_req), an_edu_score(h[1], j->edu_req), sim,
                          h[2]);
}

int an_jobvec_similarity(const an_jobvec_t *j, const an_termvec_t *terms)
{
    return an_similarity_vec(&j->terms, terms);
}

int an_jobvec_score(const an_jobvec_t *j, const an_features_t *f)
{
    int have2 = 0, s_sim = an_jobvec_similarity(j, &f->terms), s_skill;

    for (int i = 0; i < f->nskills; i++) {
        if (f->skills[i] < j->nskills) {
            have2 += j->wt[f->skills[i]];
        }
    }
    s_skill = j->want2 ? an_skill_score(have2, j->want2) : s_sim;
    return an_total_score(s_skill, an_exp_score(f->years, j->years_req), an_edu_score(f->edu, j->edu_req), s_sim,
                          f->empty);
}

int an_jobvec_wants(const an_jobvec_t *j, int skill)
{
    return skill >= 0 && skill < j->nskills && j->wt[skill] != 0;
}

const char *an_skill_name(int skill)
{
    return skill >= 0 && skill < an_dict.nskills ? an_dict.skills[skill].name : "";
}

const char *an_edu_name(int level)
{
    return level > AN_EDU_NONE && level <= AN_EDU_PHD ? an_edu_names[level] : "";
}
