/*
 * search.c -- job search over the seekers' read model (jobs_openjob and its
 * term index jobs_jobterm), and search sessions (找工作次数, 有效搜索次数).
 *
 * A query's terms (terms.h: Chinese bigrams, words) must all occur in a
 * job; relevance is the sum of the matched terms' weights (a term in the
 * name counts more than one in the description).  The plan starts from
 * the query's rarest term (jobs_termstat): its posting blocks, newest
 * first (SEARCH_BLOCKS, then as many as the cap needs, up to SEARCH_BLOCKS_MAX), in one statement a round with the
 * other terms' rows of the same blocks; a job is a match when every term has a posting for it (and it passes the
 * filters, checked in jobs_openjob for the round's range as a 64-bit mask per 64 ids). It stops once SEARCH_CAP matches
 * are found: relevance ranks those (the newest SEARCH_CAP matching jobs), paging reaches no further, and total is then
 * a lower bound ("total_exact": false).  Without a query the newest jobs are listed straight from jobs_openjob by its
 * publication index, and the total counts up to SEARCH_CAP + 1 too.  With a query, the equality filters' values (city,
 * education, ...: indexed fields) add their terms as required but unscored ones.  The statements have fixed numbers of
 * slots, padded, so each is prepared once.  Each worker keeps the answers to its recent searches while the index's
 * version is unchanged (the result cache below): a repeated search costs one primary-key read; and
 * its recent queries' rankings (the ranking cache): another page of a query costs the page's rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fields.h"
#include "jobs.h"
#include "stats.h"
#include "terms.h"

#define QUERY_TERMS 16        /* a longer query: its first 16 terms decide */
#define SEARCH_CAP 1000       /* matches ranked at most */
#define SEARCH_BLOCKS 16      /* posting blocks of the rarest term read in the first round */
#define SEARCH_BLOCKS_MAX 128 /* ... in later rounds by range */
#define SEARCH_SCAN_MAX 96    /* blocks of the rarest term a search reads at most (its newest 24576 jobs) */
#define PAGE_SLOTS 64         /* a page of results at most (the API allows 50) */

/* ---- searching ---- */

typedef struct {
    const char *t[QUERY_TERMS];
    unsigned char scored[QUERY_TERMS]; /* 0: a filter's term, required but not scored */
    size_t n;
    int scoring; /* what q_emit's next terms are */
    zm_arena_t *a;
} qterms_t;

static void q_emit(void *ctx, const char *term, size_t len)
{
    qterms_t *q = ctx;

    for (size_t i = 0; i < q->n; i++) {
        if (strlen(q->t[i]) == len && memcmp(q->t[i], term, len) == 0) {
            return;
        }
    }
    if (q->n < QUERY_TERMS) {
        q->scored[q->n] = (unsigned char)q->scoring;
        q->t[q->n++] = zm_pstrndup(q->a, term, len);
    }
}

#define OUT_COLS                                                                                                       \
    "o.job_id, o.name, o.company, o.city, o.salary, o.salary_min, o.salary_max, o.education, o.years_of_working, "     \
    "o.language, " ISO("o.published_at")
#define FILTERS                                                                                                        \
    "(? IS NULL OR o.city = ?) AND (? IS NULL OR o.education = ?) AND (? IS NULL OR o.years_of_working = ?) "          \
    "AND (? IS NULL OR o.language = ?) AND (? < 0 OR o.salary_max >= ?) AND (? < 0 OR o.salary_min <= ?) "
#define FILTER_FMT "ssssssssiiii"
#define FILTER_ARGS                                                                                                    \
    q->city, q->city, q->education, q->education, q->experience, q->experience, q->language, q->language,              \
        q->salary_min, q->salary_min, q->salary_max, q->salary_max
#define T16(k)                                                                                                         \
    T[k], T[k + 1], T[k + 2], T[k + 3], T[k + 4], T[k + 5], T[k + 6], T[k + 7], T[k + 8], T[k + 9], T[k + 10],         \
        T[k + 11], T[k + 12], T[k + 13], T[k + 14], T[k + 15]
#define Q16 "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
#define S16 "ssssssssssssssss"
#define B16 "iiiiiiiiiiiiiiii"

typedef struct {
    int64_t id, score;
} hit_t;

static int has_filters(const job_search_t *q)
{
    return q->city || q->education || q->experience || q->language || q->salary_min >= 0 || q->salary_max >= 0;
}

static int cmp_score(const void *x, const void *y)
{
    const hit_t *p = x, *q = y;
    if (p->score != q->score) {
        return p->score > q->score ? -1 : 1;
    }
    return p->id > q->id ? -1 : p->id < q->id ? 1 : 0;
}

static int cmp_newest(const void *x, const void *y)
{
    const hit_t *p = x, *q = y;
    return p->id > q->id ? -1 : p->id < q->id ? 1 : 0;
}

/* Keep the hits h[from..*n) (descending ids, within lo..hi) that pass the filters: the range's
 * passing ids from jobs_openjob as one 64-bit mask per 64 ids (a range the query cache keeps, unlike a
 * list of ids; a row per passing id was thousands of rows to fetch and parse). */
static int filter_hits(db_t *db, zm_arena_t *a, const job_search_t *q, int64_t lo, int64_t hi, hit_t *h, size_t from,
                       size_t *n)
{
    db_res_t res;
    size_t k = from, ngroups = (size_t)((hi >> 6) - (lo >> 6) + 1);
    uint64_t *pass;
    int rc;

    if (*n == from) {
        return ZM_OK;
    }
    rc = db_query(db, a, &res,
                  "SELECT o.job_id >> 6, BIT_OR(CAST(1 AS UNSIGNED) << (o.job_id & 63)) FROM jobs_openjob o "
                  "WHERE o.job_id BETWEEN ? AND ? AND " FILTERS "GROUP BY o.job_id >> 6",
                  "ii" FILTER_FMT, lo, hi, FILTER_ARGS);
    if (rc != ZM_OK) {
        return rc;
    }
    pass = zm_palloc(a, ngroups * sizeof(*pass));
    if (pass == NULL) {
        return ZM_ENOMEM;
    }
    memset(pass, 0, ngroups * sizeof(*pass));
    for (size_t r = 0; r < res.nrows; r++) {
        int64_t g = db_int(&res, r, 0) - (lo >> 6);
        if (g >= 0 && (size_t)g < ngroups) {
            pass[g] = strtoull(db_val(&res, r, 1), NULL, 10);
        }
    }
    for (size_t i = from; i < *n; i++) {
        int64_t g = (h[i].id >> 6) - (lo >> 6);
        if (g >= 0 && (size_t)g < ngroups && (pass[g] >> (h[i].id & 63)) & 1) {
            h[k++] = h[i];
        }
    }
    *n = k;
    return ZM_OK;
}

/* Document frequencies, kept a minute per process: they only steer the plan, and a search then
 * needs no statement for them. */
#define DF_SLOTS 1024
#define DF_TTL_MS 60000

typedef struct {
    char t[TERMS_MAX_BYTES + 1];
    int64_t df, at;
} df_slot_t;

static df_slot_t *df_find(const char *t)
{
    static df_slot_t slots[DF_SLOTS];
    uint32_t h = 2166136261u;

    for (const char *p = t; *p; p++) {
        h = (h ^ (unsigned char)*p) * 16777619u;
    }
    return &slots[h & (DF_SLOTS - 1)];
}

static int term_dfs(db_t *db, zm_arena_t *a, const qterms_t *qt, int64_t *df)
{
    const char *T[QUERY_TERMS];
    size_t miss = 0;
    int64_t now = zm_mono_ms();
    db_res_t st;
    int rc;

    for (size_t i = 0; i < qt->n; i++) {
        df_slot_t *s = df_find(qt->t[i]);
        if (s->at > 0 && now - s->at < DF_TTL_MS && strcmp(s->t, qt->t[i]) == 0) {
            df[i] = s->df;
        } else {
            df[i] = -1;
            T[miss++] = qt->t[i];
        }
    }
    if (miss == 0 || qt->n == 1) {
        if (qt->n == 1) {
            df[0] = 0; /* one term: nothing to choose */
        }
        return ZM_OK;
    }
    for (size_t i = miss; i < QUERY_TERMS; i++) {
        T[i] = T[0];
    }
    rc = db_query(db, a, &st, "SELECT term, df FROM jobs_termstat WHERE term IN (" Q16 ")", S16, T16(0));
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t i = 0; i < qt->n; i++) {
        df_slot_t *s;
        if (df[i] >= 0) {
            continue;
        }
        df[i] = 0; /* no statistics: rare (a term new since they were kept) */
        for (size_t r = 0; r < st.nrows; r++) {
            if (strcmp(db_val(&st, r, 0), qt->t[i]) == 0) {
                df[i] = db_int(&st, r, 1);
            }
        }
        s = df_find(qt->t[i]);
        snprintf(s->t, sizeof(s->t), "%s", qt->t[i]);
        s->df = df[i];
        s->at = now;
    }
    return ZM_OK;
}

/* which of a block's 256 jobs have a term (bit low % 64 of b[low / 64]) */
typedef struct {
    uint64_t b[TERMS_BLOCK_JOBS / 64];
} bmask_t;

/* A hex digit of the index's postings (lower case, index.c) */
static unsigned hexd(unsigned char c)
{
    return c <= '9' ? c - '0' : c - 'a' + 10;
}

/* A postings text into weights by low byte (w zeroed before) and the presence mask: as
 * terms_postings_decode, with the mask the scoring loop visits instead of every job of the block. */
static void postings_into(const char *p, unsigned char w[TERMS_BLOCK_JOBS], bmask_t *m)
{
    const unsigned char *s = (const unsigned char *)p;

    for (; s && s[0] && s[1] && s[2] && s[3]; s += 4) {
        unsigned low = hexd(s[0]) * 16 + hexd(s[1]), wt = hexd(s[2]) * 16 + hexd(s[3]);
        if (low < TERMS_BLOCK_JOBS && wt > 0) {
            w[low] = (unsigned char)wt;
            m->b[low / 64] |= 1ull << (low % 64);
        }
    }
}

static int cmp_desc(const void *x, const void *y)
{
    int64_t p = *(const int64_t *)x, q = *(const int64_t *)y;
    return p > q ? -1 : p < q ? 1 : 0;
}

/* The matches of the query's terms, newest first, up to SEARCH_CAP (then *more).  A round is one
 * statement: every term's rows over the range of the rarest term's next `want` blocks. */
static int match_terms(db_t *db, zm_arena_t *a, const job_search_t *q, const qterms_t *qt, hit_t **out, size_t *nout,
                       int *more)
{
    const char *T[QUERY_TERMS];
    size_t rarest = 0, nh = 0, nt = qt->n, cap = SEARCH_CAP + SEARCH_BLOCKS_MAX * TERMS_BLOCK_JOBS;
    int64_t df[QUERY_TERMS], cursor = INT32_MAX, filtered = has_filters(q);
    hit_t *h = zm_palloc(a, cap * sizeof(*h));
    int rc;

    if (h == NULL) {
        return ZM_ENOMEM;
    }
    for (size_t i = 0; i < QUERY_TERMS; i++) {
        T[i] = qt->t[i < nt ? i : 0];
    }
    if ((rc = term_dfs(db, a, qt, df)) != ZM_OK) {
        return rc;
    }
    for (size_t i = 1; i < nt; i++) {
        if (df[i] < df[rarest]) {
            rarest = i;
        }
    }
    *more = 0;
    for (size_t want = SEARCH_BLOCKS, seen = 0;;) {
        db_res_t rows;
        int64_t *blocks, lo, hi;
        size_t nb = 0, from = nh;
        unsigned char *w;
        bmask_t *m;
        short *at;

        rc = db_query(db, a, &rows,
                      "SELECT term, block, postings FROM jobs_jobterm WHERE term IN (" Q16 ") AND block < ? AND "
                      "block >= (SELECT COALESCE(MIN(x.b), 0) FROM (SELECT block AS b FROM jobs_jobterm WHERE term = ? "
                      "AND block < ? ORDER BY block DESC LIMIT ?) x)",
                      S16 "isii", T16(0), cursor, qt->t[rarest], cursor, (int64_t)want);
        if (rc != ZM_OK) {
            return rc;
        }
        blocks = zm_palloc(a, (rows.nrows + 1) * sizeof(*blocks));
        if (blocks == NULL) {
            return ZM_ENOMEM;
        }
        for (size_t r = 0; r < rows.nrows; r++) {
            if (strcmp(db_val(&rows, r, 0), qt->t[rarest]) == 0) {
                blocks[nb++] = db_int(&rows, r, 1);
            }
        }
        if (nb == 0) {
            break;
        }
        qsort(blocks, nb, sizeof(*blocks), cmp_desc);
        hi = blocks[0];
        lo = blocks[nb - 1];
        cursor = lo;
        at = zm_palloc(a, (size_t)(hi - lo + 1) * sizeof(*at));
        w = zm_palloc(a, nb * nt * TERMS_BLOCK_JOBS);
        m = zm_palloc(a, nb * nt * sizeof(*m));
        if (at == NULL || w == NULL || m == NULL) {
            return ZM_ENOMEM;
        }
        memset(at, 0xff, (size_t)(hi - lo + 1) * sizeof(*at));
        memset(w, 0, nb * nt * TERMS_BLOCK_JOBS);
        memset(m, 0, nb * nt * sizeof(*m));
        for (size_t i = 0; i < nb; i++) {
            at[blocks[i] - lo] = (short)i;
        }
        for (size_t r = 0; r < rows.nrows; r++) {
            int64_t blk = db_int(&rows, r, 1);
            size_t ti = 0;
            while (ti < nt && strcmp(qt->t[ti], db_val(&rows, r, 0)) != 0) {
                ti++;
            }
            if (blk >= lo && blk <= hi && at[blk - lo] >= 0 && ti < nt) {
                size_t k = (size_t)at[blk - lo] * nt + ti;
                postings_into(db_val(&rows, r, 2), w + k * TERMS_BLOCK_JOBS, &m[k]);
            }
        }
        /* blocks newest first, and within a block the highest ids first: the jobs every term has */
        for (size_t bi = 0; bi < nb; bi++) {
            const unsigned char *wb = w + bi * nt * TERMS_BLOCK_JOBS;
            const bmask_t *mb = m + bi * nt;
            for (int word = TERMS_BLOCK_JOBS / 64 - 1; word >= 0; word--) {
                uint64_t all = ~0ull;
                for (size_t ti = 0; ti < nt && all; ti++) {
                    all &= mb[ti].b[word];
                }
                while (all) {
                    int low = word * 64 + 63 - __builtin_clzll(all);
                    int64_t score = 0;
                    for (size_t ti = 0; ti < nt; ti++) {
                        score += qt->scored[ti] ? wb[ti * TERMS_BLOCK_JOBS + low] : 0;
                    }
                    h[nh].id = (blocks[bi] << TERMS_BLOCK_SHIFT) | low;
                    h[nh].score = score;
                    nh++;
                    all &= ~(1ull << (low & 63));
                }
            }
        }
        if (filtered && (rc = filter_hits(db, a, q, lo << TERMS_BLOCK_SHIFT, ((hi + 1) << TERMS_BLOCK_SHIFT) - 1, h,
                                          from, &nh)) != ZM_OK) {
            return rc;
        }
        if (nb < want) {
            break; /* the rarest term has no older blocks */
        }
        seen += nb;
        if (nh >= SEARCH_CAP || seen >= SEARCH_SCAN_MAX) {
            *more = 1; /* older blocks remain: there may be more matches */
            break;
        }
        /* the next round: about the blocks the matches so far say the cap still needs */
        want = nh > 0 ? (SEARCH_CAP - nh) * seen / nh + 1 : SEARCH_BLOCKS_MAX;
        want = want < SEARCH_BLOCKS ? SEARCH_BLOCKS : want > SEARCH_BLOCKS_MAX ? SEARCH_BLOCKS_MAX : want;
        want = want < SEARCH_SCAN_MAX - seen ? want : SEARCH_SCAN_MAX - seen;
    }
    if (nh > SEARCH_CAP) {
        nh = SEARCH_CAP;
        *more = 1;
    }
    *out = h;
    *nout = nh;
    return ZM_OK;
}

static json_object *hit_json(const db_res_t *res, size_t r, int64_t score)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_int64(db_int(res, r, 0)));
    json_object_object_add(o, "job_id", json_object_new_string(db_val(res, r, 0)));
    json_object_object_add(o, "name", json_object_new_string(db_val(res, r, 1)));
    json_object_object_add(o, "company", json_object_new_string(db_val(res, r, 2)));
    json_object_object_add(o, "city", json_object_new_string(db_val(res, r, 3)));
    json_object_object_add(o, "salary", json_object_new_string(db_val(res, r, 4)));
    json_object_object_add(o, "salary_min", db_val(res, r, 5) ? json_object_new_int64(db_int(res, r, 5)) : NULL);
    json_object_object_add(o, "salary_max", db_val(res, r, 6) ? json_object_new_int64(db_int(res, r, 6)) : NULL);
    json_object_object_add(o, "education", json_object_new_string(db_val(res, r, 7)));
    json_object_object_add(o, "years_of_working", json_object_new_string(db_val(res, r, 8)));
    json_object_object_add(o, "language", json_object_new_string(db_val(res, r, 9)));
    json_object_object_add(o, "published_at", json_object_new_string(db_val(res, r, 10)));
    json_object_object_add(o, "score", json_object_new_int64(score));
    return o;
}

static int record_session(db_t *db, zm_arena_t *a, int64_t user_id, const job_search_t *q, int64_t total, int64_t *id)
{
    json_object *f = json_object_new_object();
    const char *ftext;
    int64_t n;

    if (q->city) {
        json_object_object_add(f, "city", json_object_new_string(q->city));
    }
    if (q->education) {
        json_object_object_add(f, "education", json_object_new_string(q->education));
    }
    if (q->experience) {
        json_object_object_add(f, "experience", json_object_new_string(q->experience));
    }
    if (q->language) {
        json_object_object_add(f, "language", json_object_new_string(q->language));
    }
    if (q->salary_min >= 0) {
        json_object_object_add(f, "salary_min", json_object_new_int64(q->salary_min));
    }
    if (q->salary_max >= 0) {
        json_object_object_add(f, "salary_max", json_object_new_int64(q->salary_max));
    }
    json_object_object_add(f, "sort", json_object_new_string(q->newest ? "newest" : "relevance"));
    ftext = zm_pstrdup(a, json_object_to_json_string_ext(f, JSON_C_TO_STRING_PLAIN));
    json_object_put(f);
    n = db_exec(db,
                "INSERT INTO jobs_searchsession (user_id, query, filters, results, effective, created_at) "
                "VALUES (?, ?, ?, ?, 0, UTC_TIMESTAMP(6))",
                "issi", user_id, q->q ? q->q : "", ftext, total);
    if (n < 0) {
        return (int)n;
    }
    *id = db_insert_id(db);
    return stats_record(db, user_id, "search", 1);
}

/* ---- the ranking cache ----
 *
 * A query's ranked matches (ids and scores, sorted as the search sorts them, SEARCH_CAP at most) do not
 * depend on the page asked for: each worker keeps its recent rankings, keyed by the query, the filters
 * and the order, with the index's version they were computed at, under the same rule as the result
 * cache below (kept only while jobs_searchversion is unchanged).  Another page or page size of a query
 * already ranked then costs the page's rows only. */
#define RANK_SETS 32
#define RANK_WAYS 4

typedef struct {
    char *key; /* malloc'd; NULL: free */
    uint64_t hash, used;
    int64_t version;
    hit_t *h; /* malloc'd */
    size_t n;
    int more;
} rank_t;

static rank_t ranks[RANK_SETS][RANK_WAYS];
static uint64_t rank_clock;

static uint64_t key_hash(const char *k);

/* The ranking's key: every argument but the page's, strings with their lengths */
static const char *rank_key(zm_arena_t *a, const job_search_t *q)
{
    const char *s[] = {q->q, q->city, q->education, q->experience, q->language};
    const char *k = zm_psprintf(a, "%lld %lld %d", (long long)q->salary_min, (long long)q->salary_max, q->newest);

    for (size_t i = 0; k && i < sizeof(s) / sizeof(s[0]); i++) {
        k = s[i] ? zm_psprintf(a, "%s|%zu:%s", k, strlen(s[i]), s[i]) : zm_psprintf(a, "%s|-", k);
    }
    return k;
}

static rank_t *rank_find(const char *key, uint64_t h, int64_t version)
{
    rank_t *set = ranks[h % RANK_SETS];

    for (int i = 0; i < RANK_WAYS; i++) {
        if (set[i].key && set[i].hash == h && set[i].version == version && strcmp(set[i].key, key) == 0) {
            set[i].used = ++rank_clock;
            return &set[i];
        }
    }
    return NULL;
}

static void rank_put(const char *key, uint64_t h, int64_t version, const hit_t *hits, size_t n, int more)
{
    rank_t *set = ranks[h % RANK_SETS], *e = &set[0];
    char *k = strdup(key);
    hit_t *copy = malloc((n ? n : 1) * sizeof(*copy));

    if (k == NULL || copy == NULL) {
        free(k);
        free(copy);
        return;
    }
    memcpy(copy, hits, n * sizeof(*copy));
    for (int i = 0; i < RANK_WAYS; i++) {
        if (set[i].key && set[i].hash == h && strcmp(set[i].key, key) == 0) {
            e = &set[i]; /* an older version's ranking */
            break;
        }
        if (set[i].key == NULL || set[i].used < e->used) {
            e = &set[i]; /* a free way, else the least recently used */
        }
    }
    free(e->key);
    free(e->h);
    *e = (rank_t){k, h, ++rank_clock, version, copy, n, more};
}

/* The search itself: the page's items, the total and whether it is a lower bound; version: the
 * index's version read before (-1: none, nothing kept). */
static int search_run(db_t *db, zm_arena_t *a, const job_search_t *q, int64_t version, json_object *items,
                      int64_t *total_out, int *more_out)
{
    qterms_t qt = {{0}, {0}, 0, 1, a};
    int64_t off = (q->page - 1) * q->page_size, total;
    int rc, more = 0;

    if (q->q) {
        terms_split(q->q, strlen(q->q), 1, q_emit, &qt);
    }
    if (qt.n > 0) {
        /* an equality filter's value is indexed too (the city, education, ... are indexed fields):
         * its terms narrow the candidates before jobs_openjob checks the filter exactly */
        const char *fv[] = {q->city, q->education, q->experience, q->language};
        qt.scoring = 0;
        for (size_t i = 0; i < sizeof(fv) / sizeof(fv[0]); i++) {
            if (fv[i]) {
                terms_split(fv[i], strlen(fv[i]), 1, q_emit, &qt);
            }
        }
    }
    if (qt.n > 0) {
        hit_t *h = NULL;
        size_t nh = 0;
        db_res_t res;
        const char *key = version >= 0 ? rank_key(a, q) : NULL;
        uint64_t kh = key ? key_hash(key) : 0;
        rank_t *e = key ? rank_find(key, kh, version) : NULL;

        if (e) {
            h = e->h;
            nh = e->n;
            more = e->more;
            rc = ZM_OK;
        } else {
            rc = match_terms(db, a, q, &qt, &h, &nh, &more);
            if (rc == ZM_OK) {
                qsort(h, nh, sizeof(*h), q->newest ? cmp_newest : cmp_score);
                if (key) {
                    rank_put(key, kh, version, h, nh, more);
                }
            }
        }
        total = (int64_t)nh;
        if (rc == ZM_OK && off < total) {
            size_t n = (size_t)(total - off < q->page_size ? total - off : q->page_size);
            int64_t P[PAGE_SLOTS];
            for (size_t i = 0; i < PAGE_SLOTS; i++) {
                P[i] = h[off + (i < n ? i : 0)].id;
            }
            rc = db_query(db, a, &res,
                          "SELECT " OUT_COLS " FROM jobs_openjob o WHERE o.job_id IN (" Q16 ", " Q16 ", " Q16 ", " Q16
                          ")",
                          B16 B16 B16 B16, P[0], P[1], P[2], P[3], P[4], P[5], P[6], P[7], P[8], P[9], P[10], P[11],
                          P[12], P[13], P[14], P[15], P[16], P[17], P[18], P[19], P[20], P[21], P[22], P[23], P[24],
                          P[25], P[26], P[27], P[28], P[29], P[30], P[31], P[32], P[33], P[34], P[35], P[36], P[37],
                          P[38], P[39], P[40], P[41], P[42], P[43], P[44], P[45], P[46], P[47], P[48], P[49], P[50],
                          P[51], P[52], P[53], P[54], P[55], P[56], P[57], P[58], P[59], P[60], P[61], P[62], P[63]);
            /* in the ranking's order */
            for (size_t i = 0; rc == ZM_OK && i < n; i++) {
                for (size_t r = 0; r < res.nrows; r++) {
                    if (db_int(&res, r, 0) == h[off + i].id) {
                        json_object_array_add(items, hit_json(&res, r, h[off + i].score));
                        break;
                    }
                }
            }
        }
    } else {
        db_res_t res, cnt;
        rc = db_query(db, a, &cnt, "SELECT COUNT(*) FROM (SELECT 1 FROM jobs_openjob o WHERE " FILTERS "LIMIT ?) x",
                      FILTER_FMT "i", FILTER_ARGS, (int64_t)SEARCH_CAP + 1);
        if (rc == ZM_OK) {
            rc = db_query(db, a, &res,
                          "SELECT " OUT_COLS " FROM jobs_openjob o WHERE " FILTERS
                          "ORDER BY o.published_at DESC, o.job_id DESC LIMIT ? OFFSET ?",
                          FILTER_FMT "ii", FILTER_ARGS, q->page_size, off);
        }
        total = rc == ZM_OK ? db_int(&cnt, 0, 0) : 0;
        if (total > SEARCH_CAP) {
            total = SEARCH_CAP;
            more = 1;
        }
        for (size_t r = 0; rc == ZM_OK && r < res.nrows; r++) {
            json_object_array_add(items, hit_json(&res, r, 0));
        }
    }
    *total_out = total;
    *more_out = more;
    return rc;
}

/* ---- the result cache ----
 *
 * Each worker keeps the answers (items, total, total_exact) to its recent searches, keyed by every
 * argument, with the search index's version (jobs_searchversion) read before they were computed.  A
 * search reads the version first, one primary-key read, and serves a kept answer only when it is
 * that same version: every transaction that changes the read model adds one to it before committing
 * (search_version_bump), so an answer never outlives the data it came from, on any worker or host.
 * Answers do not depend on who asks (the session a first page records does, and is not kept).  The
 * items are kept as their JSON text, which a kept answer writes out as it is. */
#define RCACHE_SETS 64
#define RCACHE_WAYS 4

typedef struct {
    char *key; /* malloc'd; NULL: free */
    uint64_t hash, used;
    int64_t version, total;
    int more;
    json_object *items; /* the cache's reference: an array written out as its text (raw_json) */
} rcache_t;

static rcache_t rcache[RCACHE_SETS][RCACHE_WAYS];
static uint64_t rcache_clock;

int search_version_bump(db_t *db)
{
    int64_t n = db_exec(db, "UPDATE jobs_searchversion SET v = v + 1 WHERE id = 1", NULL);
    return n < 0 ? (int)n : ZM_OK;
}

/* The index's version now; -1 when there is none (nothing is then kept). */
static int search_version(db_t *db, zm_arena_t *a, int64_t *v)
{
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT v FROM jobs_searchversion WHERE id = 1", NULL);

    *v = rc == ZM_OK && res.nrows > 0 && db_val(&res, 0, 0) ? db_int(&res, 0, 0) : -1;
    return rc;
}

/* Every argument, strings with their lengths (so no two searches share a key) */
static const char *cache_key(zm_arena_t *a, const job_search_t *q)
{
    const char *s[] = {q->q, q->city, q->education, q->experience, q->language};
    const char *k = zm_psprintf(a, "%lld %lld %d %lld %lld", (long long)q->salary_min, (long long)q->salary_max,
                                q->newest, (long long)q->page, (long long)q->page_size);

    for (size_t i = 0; k && i < sizeof(s) / sizeof(s[0]); i++) {
        k = s[i] ? zm_psprintf(a, "%s|%zu:%s", k, strlen(s[i]), s[i]) : zm_psprintf(a, "%s|-", k);
    }
    return k;
}

static uint64_t key_hash(const char *k)
{
    uint64_t h = 14695981039346656037ull;

    for (const char *p = k; *p; p++) {
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    }
    return h;
}

static rcache_t *cache_find(const char *key, uint64_t h, int64_t version)
{
    rcache_t *set = rcache[h % RCACHE_SETS];

    for (int i = 0; i < RCACHE_WAYS; i++) {
        if (set[i].key && set[i].hash == h && set[i].version == version && strcmp(set[i].key, key) == 0) {
            set[i].used = ++rcache_clock;
            return &set[i];
        }
    }
    return NULL;
}

/* json-c's serializer for a kept array: the text it was rendered to (the object's userdata) */
static int raw_json(json_object *o, struct printbuf *pb, int level, int flags)
{
    const char *text = json_object_get_userdata(o);

    (void)level;
    (void)flags;
    return printbuf_memappend(pb, text, (int)strlen(text));
}

static void cache_put(const char *key, uint64_t h, int64_t version, json_object *items, int64_t total, int more)
{
    rcache_t *set = rcache[h % RCACHE_SETS], *e = &set[0];
    /* rendered as the reply renders (http.c) */
    const char *text = json_object_to_json_string_ext(items, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *k = strdup(key), *t = text ? strdup(text) : NULL;
    json_object *raw = json_object_new_array();

    if (k == NULL || t == NULL || raw == NULL) {
        free(k);
        free(t);
        json_object_put(raw);
        return;
    }
    json_object_set_serializer(raw, raw_json, t, json_object_free_userdata);
    for (int i = 0; i < RCACHE_WAYS; i++) {
        if (set[i].key && set[i].hash == h && strcmp(set[i].key, key) == 0) {
            e = &set[i]; /* an older version's answer */
            break;
        }
        if (set[i].key == NULL || set[i].used < e->used) {
            e = &set[i]; /* a free way, else the least recently used */
        }
    }
    free(e->key);
    if (e->items) {
        json_object_put(e->items);
    }
    e->key = k;
    e->hash = h;
    e->used = ++rcache_clock;
    e->version = version;
    e->total = total;
    e->more = more;
    e->items = raw;
}

int job_search(db_t *db, zm_arena_t *a, int64_t user_id, const job_search_t *q, json_object **out)
{
    const char *key = NULL;
    json_object *items = NULL;
    int64_t version, total = 0, session = 0;
    uint64_t h = 0;
    rcache_t *e = NULL;
    int more = 0, rc = search_version(db, a, &version);

    if (rc != ZM_OK) {
        return rc;
    }
    if (version >= 0 && (key = cache_key(a, q)) != NULL) {
        h = key_hash(key);
        e = cache_find(key, h, version);
    }
    if (e) {
        items = json_object_get(e->items);
        total = e->total;
        more = e->more;
    } else {
        items = json_object_new_array();
        rc = search_run(db, a, q, version, items, &total, &more);
        if (rc == ZM_OK && key) {
            cache_put(key, h, version, items, total, more);
        }
    }
    /* a new search, not the next page of one, is a 找工作 session */
    if (rc == ZM_OK && user_id > 0 && q->page == 1) {
        rc = record_session(db, a, user_id, q, total, &session);
    }
    if (rc != ZM_OK) {
        json_object_put(items);
        return rc;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "items", items);
    json_object_object_add(*out, "total", json_object_new_int64(total));
    json_object_object_add(*out, "total_exact", json_object_new_boolean(!more));
    json_object_object_add(*out, "page", json_object_new_int64(q->page));
    json_object_object_add(*out, "page_size", json_object_new_int64(q->page_size));
    json_object_object_add(*out, "sort", json_object_new_string(q->newest ? "newest" : "relevance"));
    json_object_object_add(*out, "session_id", session ? json_object_new_int64(session) : NULL);
    return ZM_OK;
}

/* ---- sessions ---- */

static json_object *session_json(const db_res_t *res, size_t r)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_int64(db_int(res, r, 0)));
    json_object_object_add(o, "query", json_object_new_string(db_val(res, r, 1)));
    json_object_object_add(o, "filters", json_tokener_parse(db_val(res, r, 2)));
    json_object_object_add(o, "results", json_object_new_int64(db_int(res, r, 3)));
    json_object_object_add(o, "effective", json_object_new_boolean(db_int(res, r, 4) != 0));
    json_object_object_add(o, "created_at", json_object_new_string(db_val(res, r, 5)));
    return o;
}

#define SESSION_COLS "id, query, filters, results, effective, " ISO("created_at") " "

int search_session_create(db_t *db, zm_arena_t *a, int64_t user_id, const char *query, const char *filters,
                          int64_t results, json_object **out)
{
    db_res_t res;
    int64_t n = db_exec(db,
                        "INSERT INTO jobs_searchsession (user_id, query, filters, results, effective, created_at) "
                        "VALUES (?, ?, ?, ?, 0, UTC_TIMESTAMP(6))",
                        "issi", user_id, query ? query : "", filters ? filters : "{}", results);
    int rc;

    if (n < 0) {
        return (int)n;
    }
    rc = db_query(db, a, &res, "SELECT " SESSION_COLS "FROM jobs_searchsession WHERE id = ?", "i", db_insert_id(db));
    rc = rc == ZM_OK ? stats_record(db, user_id, "search", 1) : rc;
    if (rc != ZM_OK) {
        return rc;
    }
    *out = session_json(&res, 0);
    return ZM_OK;
}

int search_session_list(db_t *db, zm_arena_t *a, int64_t user_id, int64_t page, int64_t page_size, json_object **out)
{
    db_res_t res, cnt;
    json_object *items;
    int rc =
        db_query(db, a, &cnt, "SELECT COUNT(*), COALESCE(SUM(effective), 0) FROM jobs_searchsession WHERE user_id = ?",
                 "i", user_id);

    if (rc == ZM_OK) {
        rc = db_query(db, a, &res,
                      "SELECT " SESSION_COLS "FROM jobs_searchsession WHERE user_id = ? ORDER BY id DESC "
                      "LIMIT ? OFFSET ?",
                      "iii", user_id, page_size, (page - 1) * page_size);
    }
    if (rc != ZM_OK) {
        return rc;
    }
    items = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        json_object_array_add(items, session_json(&res, r));
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "items", items);
    json_object_object_add(*out, "total", json_object_new_int64(db_int(&cnt, 0, 0)));
    json_object_object_add(*out, "effective", json_object_new_int64(db_int(&cnt, 0, 1)));
    json_object_object_add(*out, "page", json_object_new_int64(page));
    json_object_object_add(*out, "page_size", json_object_new_int64(page_size));
    return ZM_OK;
}
