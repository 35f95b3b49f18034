/*
 * similarity.c -- how close a resume is to a job description: CJK character
 * bigrams and Latin tokens, BM25-weighted, cosine of the two term vectors.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "document.h"

/* ---- similarity: CJK character bigrams and Latin tokens, BM25-weighted ---- */

typedef struct {
    uint64_t *keys; /* 0 = empty */
    uint32_t *tf;
    size_t mask;
    size_t total;
} an_terms_t;

static const char *const an_stop_bigrams[] = {
    "负责", "熟悉", "掌握", "了解", "具有", "具备", "以上", "经验", "工作",   "能力", "良好", "相关", "优先",
    "进行", "参与", "我们", "岗位", "职责", "要求", "任职", "公司", "团队",   "以及", "学历", "精通", "使用",
    "开发", "能够", "有较", "较强", "的开", "发经", "验者", "者优", "以上学", "年以", NULL};
static const char *const an_stop_tokens[] = {
    "the",  "and",  "of",  "to",     "in",   "with",   "for",        "an",        "on",   "is",        "are",  "we",
    "you",  "our",  "be",  "as",     "or",   "at",     "experience", "years",     "year", "work",      "team", "will",
    "your", "have", "has", "strong", "good", "skills", "ability",    "knowledge", "plus", "preferred", NULL};

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

/* A term's compact key: the 64-bit key folded to 32 bits (what features store). */
static uint32_t an_key32(uint64_t k)
{
    return (uint32_t)(k >> 32) ^ (uint32_t)k;
}

static int an_u64_cmp(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

int an_term_vector(zm_arena_t *a, const an_doc_t *d, an_termvec_t *out)
{
    an_terms_t t;
    size_t n = 0;
    uint64_t *pairs;

    memset(out, 0, sizeof(*out));
    if (an_terms(a, d, &t) != ZM_OK) {
        return ZM_ENOMEM;
    }
    out->total = t.total > UINT32_MAX ? UINT32_MAX : (uint32_t)t.total;
    for (size_t i = 0; i <= t.mask; i++) {
        n += t.keys[i] != 0;
    }
    pairs = zm_palloc(a, (n + 1) * sizeof(uint64_t));
    out->keys = zm_palloc(a, (n + 1) * sizeof(uint32_t));
    out->tf = zm_palloc(a, (n + 1) * sizeof(uint16_t));
    if (!pairs || !out->keys || !out->tf) {
        return ZM_ENOMEM;
    }
    /* key32 << 32 | tf, sorted: equal folded keys (a collision) become one term with the summed count */
    n = 0;
    for (size_t i = 0; i <= t.mask; i++) {
        if (t.keys[i]) {
            pairs[n++] = (uint64_t)an_key32(t.keys[i]) << 32 | t.tf[i];
        }
    }
    qsort(pairs, n, sizeof(uint64_t), an_u64_cmp);
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = (uint32_t)(pairs[i] >> 32), tf = (uint32_t)pairs[i];
        if (out->n && out->keys[out->n - 1] == k) {
            tf += out->tf[out->n - 1];
            out->tf[out->n - 1] = tf > UINT16_MAX ? UINT16_MAX : (uint16_t)tf;
            continue;
        }
        out->keys[out->n] = k;
        out->tf[out->n] = tf > UINT16_MAX ? UINT16_MAX : (uint16_t)tf;
        out->n++;
    }
    return ZM_OK;
}

typedef struct {
    uint32_t key;
    double w;
} an_kw_t;

static int an_kw_cmp(const void *x, const void *y)
{
    const an_kw_t *a = x, *b = y;
    return a->key < b->key ? -1 : a->key > b->key;
}

/* keys ascending for the merge; equal folded keys (a collision) become one term with the summed weight */
static int an_jd_sort(zm_arena_t *a, an_jdterms_t *t)
{
    an_kw_t *v = zm_palloc(a, (size_t)(t->n + 1) * sizeof(an_kw_t));
    int n = 0;

    if (v == NULL) {
        return ZM_ENOMEM;
    }
    for (int i = 0; i < t->n; i++) {
        v[i].key = t->keys[i];
        v[i].w = t->w[i];
    }
    qsort(v, (size_t)t->n, sizeof(an_kw_t), an_kw_cmp);
    for (int i = 0; i < t->n; i++) {
        if (n && t->keys[n - 1] == v[i].key) {
            t->w[n - 1] += v[i].w;
            continue;
        }
        t->keys[n] = v[i].key;
        t->w[n] = v[i].w;
        n++;
    }
    t->n = n;
    return ZM_OK;
}

int an_jd_terms(zm_arena_t *a, const an_doc_t *jd, an_jdterms_t *out)
{
    an_terms_t tj, seen;
    size_t i, n, cap;
    uint32_t prev = 0;
    size_t pi = 0;

    memset(out, 0, sizeof(*out));
    if (an_terms(a, jd, &tj) != ZM_OK) {
        return ZM_ENOMEM;
    }
    cap = tj.total + 1;
    out->keys = zm_palloc(a, cap * sizeof(uint32_t));
    out->w = zm_palloc(a, cap * sizeof(double));
    seen.keys = zm_pcalloc(a, (tj.mask + 1) * sizeof(uint64_t));
    seen.tf = zm_pcalloc(a, (tj.mask + 1) * sizeof(uint32_t));
    seen.mask = tj.mask;
    seen.total = 0;
    if (!out->keys || !out->w || !seen.keys || !seen.tf) {
        return ZM_ENOMEM;
    }
    /* weights need the term's text: walk the job description again, in its order */
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
        /* a term the job description repeats matters more, with diminishing returns */
        w *= 1 + log((double)an_terms_get(&tj, k));
        out->keys[out->n] = an_key32(k);
        out->w[out->n] = w;
        out->den += w;
        out->n++;
    }
    return an_jd_sort(a, out);
}

int an_similarity_vec(const an_jdterms_t *jd, const an_termvec_t *res)
{
    double k1 = 1.2, b = 0.75, avgdl = 1200, num = 0, norm;

    if (jd->n == 0 || res->total == 0 || jd->den <= 0) {
        return 0;
    }
    norm = k1 * (1 - b + b * (double)res->total / avgdl);
    /* both ascending: one merge */
    for (int i = 0, j = 0; i < jd->n && j < res->n;) {
        uint32_t x = jd->keys[i], y = res->keys[j];
        if (x < y) {
            i++;
        } else if (x > y) {
            j++;
        } else {
            double tf = res->tf[j];
            num += jd->w[i] * (tf * (k1 + 1) / (tf + norm)) / (k1 + 1);
            i++;
            j++;
        }
    }
    /* a resume never repeats a JD's wording wholesale: ~55% of the weighted vocabulary is a full match */
    double sc = num / jd->den / 0.55 * 100;
    return sc > 100 ? 100 : (int)(sc + 0.5);
}

/* 0..100: how much of the job description's vocabulary the resume uses, BM25-saturated. */
int an_similarity(zm_arena_t *a, const an_doc_t *res, const an_doc_t *jd)
{
    an_termvec_t tr;
    an_jdterms_t tj;

    if (an_term_vector(a, res, &tr) != ZM_OK || an_jd_terms(a, jd, &tj) != ZM_OK) {
        return 0;
    }
    return an_similarity_vec(&tj, &tr);
}
