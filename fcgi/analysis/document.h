/*
 * document.h -- a text (a resume or a job description) read once by the
 * builtin analyzer: normalised, split into lines and sections, with the
 * skills, education, years of experience and contact details found in it.
 * The match, the diagnosis and the questions read it; so will job matching.
 */
#ifndef ZM_ANALYSIS_DOCUMENT_H
#define ZM_ANALYSIS_DOCUMENT_H

#include "builtin.h"

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
    int edu;          /* highest level named */
    int edu_req;      /* lowest level named outside a "preferred" clause: a job description's requirement */
    double years;     /* max of phrases and ranges, -1 unknown */
    double years_req; /* smallest "N年以上" outside a "preferred" clause, -1 none */
    double years_phrase, years_range;
    int sec[AN_SEC_ALL];
    int email, phone;
} an_doc_t;

/** Read text (cut at AN_MAX_INPUT bytes) into d; memory from a. */
int an_read(zm_arena_t *a, const char *text, an_doc_t *d);

/** Found skills, most mentioned first, then in order of appearance; the count, or -1. */
int an_found(zm_arena_t *a, const an_doc_t *d, int **out);

/* Does [s, s+n) contain any of the words in list (NULL-terminated)? */
int an_has_any(const char *s, size_t n, const char *const *list);
/* Does s[i..len) start with the word w? */
int an_starts(const char *s, size_t len, size_t i, const char *w);
/* display names: of AN_EDU_* levels, and of the sections a profile reports */
extern const char *const an_edu_names[];
extern const char *const an_sec_names[];

/* ---- what the match, the diagnosis and the questions read from a document ---- */

/** 0..100: how close res is to jd (CJK bigrams and Latin tokens, BM25-weighted). */
int an_similarity(zm_arena_t *a, const an_doc_t *res, const an_doc_t *jd);
/** A resume's terms (analysis.h's an_termvec_t), and a job description's weighted terms. */
int an_term_vector(zm_arena_t *a, const an_doc_t *d, an_termvec_t *out);
int an_jd_terms(zm_arena_t *a, const an_doc_t *jd, an_jdterms_t *out);
/** 0..100: the similarity of term vectors. */
int an_similarity_vec(const an_jdterms_t *jd, const an_termvec_t *res);

typedef struct {
    size_t s, e;    /* the text without its bullet mark, in norm */
    int quantified; /* has a number */
    int weak_start; /* 负责 / 参与 / responsible for ... */
    int short_line;
} an_bullet_t;

/** The bullet lines of d; their count, or -1. */
int an_bullets(zm_arena_t *a, const an_doc_t *d, an_bullet_t **out);
/** A bullet's text, cut at max characters. */
char *an_bullet_text(zm_arena_t *a, const an_doc_t *d, const an_bullet_t *b, size_t max);
/** Up to max project names of d; their count. */
int an_projects(zm_arena_t *a, const an_doc_t *d, char **names, int max);

/* results' small builders */
void an_push(json_object *arr, const char *s);
char *an_join(zm_arena_t *a, const int *v, int n, int max);
const char *an_years_text(zm_arena_t *a, double y);

#endif
