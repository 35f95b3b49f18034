/*
 * index.c -- the search index over jobs_openjob (terms.h's terms), stored
 * as posting blocks: one jobs_jobterm row per (term, block of 256 job ids)
 * whose postings text holds, for each job of the block that has the term,
 * 4 hex digits: the job id's low byte and the term's weight there (the sum
 * of the weights of the fields it occurs in), in ascending order.  A row
 * per posting made 100 rows a job (10 million for 100k jobs: far too slow
 * to rebuild); a block row carries up to 256 postings.
 *
 * jobs_termstat keeps each term's document frequency, which the search uses
 * to start from the rarest term of a query.
 *
 * Writers lock term rows (and termstat rows) in ascending term order, so two
 * appliers never deadlock on them.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "terms.h"

#define JOB_SLOTS 8192     /* distinct terms of one job (hash table size) */
#define JOB_MAX_TERMS 6000 /* a longer text: its first 6000 distinct terms */
#define BLOCK_SLOTS 32768  /* distinct terms of one block of 256 jobs */
#define BLOCK_MAX_TERMS 24000
#define BATCH 32 /* rows per statement */

static const char HEX[] = "0123456789abcdef";

static int hexv(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0;
}

void terms_postings_decode(const char *s, unsigned char w[TERMS_BLOCK_JOBS])
{
    memset(w, 0, TERMS_BLOCK_JOBS);
    for (; s && s[0] && s[1] && s[2] && s[3]; s += 4) {
        w[hexv(s[0]) * 16 + hexv(s[1])] = (unsigned char)(hexv(s[2]) * 16 + hexv(s[3]));
    }
}

/* out: at least 4 * 256 + 1 bytes; returns the number of postings */
static int postings_encode(const unsigned char *w, char *out)
{
    int n = 0;
    char *p = out;

    for (int i = 0; i < TERMS_BLOCK_JOBS; i++) {
        if (w[i]) {
            *p++ = HEX[i >> 4];
            *p++ = HEX[i & 15];
            *p++ = HEX[w[i] >> 4];
            *p++ = HEX[w[i] & 15];
            n++;
        }
    }
    *p = '\0';
    return n;
}

static uint32_t fnv(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    }
    return h;
}

/* ---- one job's terms ---- */

typedef struct {
    char t[TERMS_MAX_BYTES + 1];
    unsigned char len;
    unsigned char w[2]; /* weight in the old texts [0] and the new ones [1] */
    int last[2];        /* the text it was last counted for */
} jslot_t;

typedef struct {
    jslot_t *s;
    int *used;
    size_t n;
    int side, cur, cur_w;
} jtab_t;

static void jtab_emit(void *ctx, const char *term, size_t len)
{
    jtab_t *g = ctx;
    size_t i = fnv(term, len) & (JOB_SLOTS - 1);

    for (;;) {
        jslot_t *s = &g->s[i];
        if (s->len == 0) {
            if (g->n >= JOB_MAX_TERMS) {
                return;
            }
            memset(s, 0, sizeof(*s));
            memcpy(s->t, term, len);
            s->len = (unsigned char)len;
            g->used[g->n++] = (int)i;
        }
        if (s->len == len && memcmp(s->t, term, len) == 0) {
            if (s->last[g->side] != g->cur) { /* once per text */
                int w = s->w[g->side] + g->cur_w;
                s->w[g->side] = (unsigned char)(w > 255 ? 255 : w);
                s->last[g->side] = g->cur;
            }
            return;
        }
        i = (i + 1) & (JOB_SLOTS - 1);
    }
}

static void jtab_add(jtab_t *g, int side, const char *const *texts, const int *weights, size_t n)
{
    g->side = side;
    for (size_t i = 0; texts && i < n; i++) {
        if (texts[i]) {
            g->cur = (int)i + 1;
            g->cur_w = weights[i];
            terms_split(texts[i], strlen(texts[i]), 0, jtab_emit, g);
        }
    }
}

static void jtab_clear(jtab_t *g)
{
    for (size_t i = 0; i < g->n; i++) {
        g->s[g->used[i]].len = 0;
    }
    g->n = 0;
}

static int cmp_term(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* ---- writing rows ---- */

typedef struct {
    const char *term;
    int64_t block, n;
    const char *post;
} trow_t;

typedef struct {
    const char *term;
    int64_t d;
} srow_t;

#define R(k) r[k].term, r[k].block, r[k].n, r[k].post
#define R4(k) R(k), R(k + 1), R(k + 2), R(k + 3)
#define R16(k) R4(k), R4(k + 4), R4(k + 8), R4(k + 12)
#define TROW "(?, ?, ?, ?)"
#define TROW4 TROW ", " TROW ", " TROW ", " TROW
#define TROW16 TROW4 ", " TROW4 ", " TROW4 ", " TROW4
#define TF4 "siissiissiissiis"
#define TF16 TF4 TF4 TF4 TF4

/* Upsert rows (n = 0 rows are written too; the caller deletes them), BATCH per statement, a short
 * batch padded with its first row (the same values again change nothing). */
static int write_rows(db_t *db, const trow_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i += BATCH) {
        trow_t r[BATCH];
        int64_t rc;
        for (size_t k = 0; k < BATCH; k++) {
            r[k] = rows[i + k < n ? i + k : i];
        }
        rc = db_exec(db,
                     "INSERT INTO jobs_jobterm (term, block, n, postings) VALUES " TROW16 ", " TROW16
                     " ON DUPLICATE KEY UPDATE n = VALUES(n), postings = VALUES(postings)",
                     TF16 TF16, R16(0), R16(16));
        if (rc < 0) {
            return (int)rc;
        }
    }
    return ZM_OK;
}

#define S(k) s[k].term, s[k].d
#define S4(k) S(k), S(k + 1), S(k + 2), S(k + 3)
#define S16(k) S4(k), S4(k + 4), S4(k + 8), S4(k + 12)
#define SROW "(?, ?)"
#define SROW4 SROW ", " SROW ", " SROW ", " SROW
#define SROW16 SROW4 ", " SROW4 ", " SROW4 ", " SROW4
#define SF16 "sisisisisisisisisisisisisisisisi"

/* Add d to each term's document frequency; rows sorted by term.  Padding adds 0. */
static int write_stats(db_t *db, const srow_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i += BATCH) {
        srow_t s[BATCH];
        int64_t rc;
        for (size_t k = 0; k < BATCH; k++) {
            s[k] = i + k < n ? rows[i + k] : (srow_t){rows[i].term, 0};
        }
        rc = db_exec(db,
                     "INSERT INTO jobs_termstat (term, df) VALUES " SROW16 ", " SROW16
                     " ON DUPLICATE KEY UPDATE df = GREATEST(0, CAST(df AS SIGNED) + VALUES(df))",
                     SF16 SF16, S16(0), S16(16));
        if (rc < 0) {
            return (int)rc;
        }
    }
    return ZM_OK;
}

/* ---- one job ---- */

#define T(k) t[k]
#define T4(k) T(k), T(k + 1), T(k + 2), T(k + 3)
#define T16(k) T4(k), T4(k + 4), T4(k + 8), T4(k + 12)
#define Q4 "?, ?, ?, ?"
#define Q16 Q4 ", " Q4 ", " Q4 ", " Q4

int terms_index_job(db_t *db, zm_arena_t *a, int64_t job_id, const char *const *old_texts, const char *const *texts,
                    const int *weights, size_t n, int force)
{
    static jslot_t slots[JOB_SLOTS];
    static int used[JOB_MAX_TERMS];
    jtab_t g = {slots, used, 0, 0, 0, 0};
    int64_t block = job_id >> TERMS_BLOCK_SHIFT;
    int low = (int)(job_id & (TERMS_BLOCK_JOBS - 1)), emptied = 0, rc = ZM_OK;
    const char **terms;
    trow_t *rows;
    srow_t *stats;
    size_t nt = 0, ns = 0, nd = 0;

    if (!force && old_texts && texts) {
        size_t i = 0;
        while (i < n && ((old_texts[i] == NULL && texts[i] == NULL) ||
                         (old_texts[i] && texts[i] && strcmp(old_texts[i], texts[i]) == 0))) {
            i++;
        }
        if (i == n) {
            return ZM_OK; /* the indexed texts are unchanged (a salary or status edit) */
        }
    }
    jtab_add(&g, 0, old_texts, weights, n);
    jtab_add(&g, 1, texts, weights, n);
    terms = zm_palloc(a, (g.n + 1) * sizeof(*terms));
    rows = zm_palloc(a, (g.n + 1) * sizeof(*rows));
    stats = zm_palloc(a, (g.n + 1) * sizeof(*stats));
    if (terms == NULL || rows == NULL || stats == NULL) {
        jtab_clear(&g);
        return ZM_ENOMEM;
    }
    for (size_t i = 0; i < g.n; i++) {
        jslot_t *s = &slots[used[i]];
        if (force || s->w[0] != s->w[1]) {
            terms[nt++] = s->t;
        }
    }
    qsort(terms, nt, sizeof(*terms), cmp_term);
    /* read-modify-write the term rows of this job's block, BATCH terms at a time, in term order */
    for (size_t i = 0; rc == ZM_OK && i < nt; i += BATCH) {
        const char *t[BATCH];
        unsigned char w[TERMS_BLOCK_JOBS];
        db_res_t res;
        size_t nb = nt - i < BATCH ? nt - i : BATCH;

        for (size_t k = 0; k < BATCH; k++) {
            t[k] = terms[i + (k < nb ? k : 0)];
        }
        rc = db_query(db, a, &res,
                      "SELECT term, postings FROM jobs_jobterm WHERE block = ? AND term IN (" Q16 ", " Q16
                      ") ORDER BY term FOR UPDATE",
                      "i"
                      "ssssssssssssssss"
                      "ssssssssssssssss",
                      block, T16(0), T16(16));
        for (size_t k = 0; rc == ZM_OK && k < nb; k++) {
            const char *term = t[k], *old = NULL;
            size_t len = strlen(term), si = fnv(term, len) & (JOB_SLOTS - 1);
            int had, now;
            char *post = zm_palloc(a, TERMS_BLOCK_JOBS * 4 + 1);

            if (post == NULL) {
                rc = ZM_ENOMEM;
                break;
            }
            while (!(slots[si].len == len && memcmp(slots[si].t, term, len) == 0)) {
                si = (si + 1) & (JOB_SLOTS - 1);
            }
            for (size_t r = 0; r < res.nrows; r++) {
                if (strcmp(db_val(&res, r, 0), term) == 0) {
                    old = db_val(&res, r, 1);
                }
            }
            terms_postings_decode(old, w);
            had = w[low] != 0;
            w[low] = slots[si].w[1];
            now = w[low] != 0;
            rows[ns] = (trow_t){term, block, postings_encode(w, post), post};
            emptied |= rows[ns].n == 0;
            ns++;
            if (had != now) {
                stats[nd++] = (srow_t){term, now ? 1 : -1};
            }
        }
    }
    if (rc == ZM_OK) {
        rc = write_rows(db, rows, ns);
    }
    if (rc == ZM_OK && emptied) {
        int64_t x = db_exec(db, "DELETE FROM jobs_jobterm WHERE block = ? AND n = 0", "i", block);
        rc = x < 0 ? (int)x : ZM_OK;
    }
    if (rc == ZM_OK) {
        rc = write_stats(db, stats, nd); /* in term order, as the terms were */
    }
    jtab_clear(&g);
    return rc;
}

/* ---- whole blocks ---- */

typedef struct {
    char t[TERMS_MAX_BYTES + 1];
    unsigned char len;
    unsigned char w[TERMS_BLOCK_JOBS];
} bslot_t;

typedef struct {
    bslot_t *s;
    int *used;
    size_t n;
    int low;
} btab_t;

static void btab_put(btab_t *b, const char *term, size_t len, unsigned char w)
{
    size_t i = fnv(term, len) & (BLOCK_SLOTS - 1);

    for (;;) {
        bslot_t *s = &b->s[i];
        if (s->len == 0) {
            if (b->n >= BLOCK_MAX_TERMS) {
                return;
            }
            memcpy(s->t, term, len);
            s->t[len] = '\0';
            s->len = (unsigned char)len;
            memset(s->w, 0, sizeof(s->w));
            b->used[b->n++] = (int)i;
        }
        if (s->len == len && memcmp(s->t, term, len) == 0) {
            s->w[b->low] = w;
            return;
        }
        i = (i + 1) & (BLOCK_SLOTS - 1);
    }
}

static int cmp_trow(const void *x, const void *y)
{
    return strcmp(((const trow_t *)x)->term, ((const trow_t *)y)->term);
}

static int cmp_srow(const void *x, const void *y)
{
    return strcmp(((const srow_t *)x)->term, ((const srow_t *)y)->term);
}

int terms_rebuild_blocks(db_t *db, zm_arena_t *a, int64_t first_block, int64_t last_block, const int *weights,
                         size_t nw)
{
    static bslot_t bslots[BLOCK_SLOTS];
    static int bused[BLOCK_MAX_TERMS];
    static jslot_t slots[JOB_SLOTS];
    static int used[JOB_MAX_TERMS];
    jtab_t g = {slots, used, 0, 1, 0, 0};
    db_res_t jobs, old;
    srow_t *stats;
    size_t nstats = 0, cap;
    int rc;

    /* the read model's open jobs of these blocks, locked: an applier changing one of them waits */
    rc = db_query(db, a, &jobs,
                  "SELECT job_id, name, company, city, education, years_of_working, language, responsibilities, "
                  "requirements, description FROM jobs_openjob WHERE job_id BETWEEN ? AND ? ORDER BY job_id "
                  "FOR UPDATE",
                  "ii", first_block << TERMS_BLOCK_SHIFT, ((last_block + 1) << TERMS_BLOCK_SHIFT) - 1);
    if (rc == ZM_OK) {
        rc = db_query(db, a, &old,
                      "SELECT term, SUM(n) FROM jobs_jobterm WHERE block BETWEEN ? AND ? GROUP BY term ORDER BY term",
                      "ii", first_block, last_block);
    }
    if (rc == ZM_OK) {
        int64_t x = db_exec(db, "DELETE FROM jobs_jobterm WHERE block BETWEEN ? AND ?", "ii", first_block, last_block);
        rc = x < 0 ? (int)x : ZM_OK;
    }
    if (rc != ZM_OK) {
        return rc;
    }
    cap = old.nrows + BLOCK_MAX_TERMS * (size_t)(last_block - first_block + 1) + 1;
    stats = zm_palloc(a, cap * sizeof(*stats));
    if (stats == NULL) {
        return ZM_ENOMEM;
    }
    for (size_t r = 0; r < old.nrows; r++) {
        stats[nstats++] = (srow_t){db_val(&old, r, 0), -db_int(&old, r, 1)};
    }
    for (size_t r = 0; rc == ZM_OK && r < jobs.nrows;) {
        btab_t b = {bslots, bused, 0, 0};
        int64_t block = db_int(&jobs, r, 0) >> TERMS_BLOCK_SHIFT;
        trow_t *rows;

        for (; r < jobs.nrows && (db_int(&jobs, r, 0) >> TERMS_BLOCK_SHIFT) == block; r++) {
            const char *texts[16];
            for (size_t c = 0; c < nw && c < 16; c++) {
                texts[c] = db_val(&jobs, r, (unsigned)c + 1);
            }
            jtab_add(&g, 1, texts, weights, nw < 16 ? nw : 16);
            b.low = (int)(db_int(&jobs, r, 0) & (TERMS_BLOCK_JOBS - 1));
            for (size_t i = 0; i < g.n; i++) {
                jslot_t *s = &slots[used[i]];
                btab_put(&b, s->t, s->len, s->w[1]);
            }
            jtab_clear(&g);
        }
        rows = zm_palloc(a, (b.n + 1) * sizeof(*rows));
        if (rows == NULL) {
            rc = ZM_ENOMEM;
            break;
        }
        for (size_t i = 0; i < b.n; i++) {
            bslot_t *s = &bslots[bused[i]];
            char *post = zm_palloc(a, TERMS_BLOCK_JOBS * 4 + 1);
            if (post == NULL) {
                rc = ZM_ENOMEM;
                break;
            }
            rows[i] = (trow_t){zm_pstrndup(a, s->t, s->len), block, 0, post};
            rows[i].n = postings_encode(s->w, post);
            stats[nstats++] = (srow_t){rows[i].term, rows[i].n};
        }
        for (size_t i = 0; i < b.n; i++) { /* the table is the process's: empty it whatever happened */
            bslots[bused[i]].len = 0;
        }
        if (rc == ZM_OK) {
            qsort(rows, b.n, sizeof(*rows), cmp_trow);
            rc = write_rows(db, rows, b.n);
        }
    }
    if (rc == ZM_OK && nstats > 0) {
        /* merge the deltas per term, then apply them in term order */
        size_t m = 0;
        qsort(stats, nstats, sizeof(*stats), cmp_srow);
        for (size_t i = 0; i < nstats; i++) {
            if (m > 0 && strcmp(stats[m - 1].term, stats[i].term) == 0) {
                stats[m - 1].d += stats[i].d;
            } else {
                stats[m++] = stats[i];
            }
        }
        nstats = 0;
        for (size_t i = 0; i < m; i++) {
            if (stats[i].d != 0) {
                stats[nstats++] = stats[i];
            }
        }
        rc = write_stats(db, stats, nstats);
    }
    return rc;
}
