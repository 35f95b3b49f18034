/*
 * search.c -- job search over the seekers' read model (jobs_openjob and its
 * term index jobs_jobterm), and search sessions (找工作次数, 有效搜索次数).
 *
 * A query's terms (terms.h: Chinese bigrams, words) must all occur in a
 * job; relevance is the sum of the matched terms' weights (a term in the
 * name counts more than one in the description).  The statements have a
 * fixed number of term slots, padded with the first term, so each is
 * prepared once.
 */
#include <string.h>

#include "fields.h"
#include "jobs.h"
#include "terms.h"

#define QUERY_TERMS 16 /* a longer query: its first 16 terms decide */
#define INDEX_SLOTS 8192
#define INDEX_MAX_TERMS 6000

/* ---- the index ---- */

typedef struct {
    char t[TERMS_MAX_BYTES + 1];
    unsigned char len;
    int w, last;
} slot_t;

typedef struct {
    slot_t *s;
    size_t n;
    int cur, cur_w;
} agg_t;

static uint32_t fnv(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    }
    return h;
}

static void agg_emit(void *ctx, const char *term, size_t len)
{
    agg_t *g = ctx;
    size_t i = fnv(term, len) & (INDEX_SLOTS - 1);

    for (;;) {
        slot_t *s = &g->s[i];
        if (s->len == 0) {
            if (g->n >= INDEX_MAX_TERMS) {
                return;
            }
            memcpy(s->t, term, len);
            s->t[len] = '\0';
            s->len = (unsigned char)len;
            s->w = g->cur_w;
            s->last = g->cur;
            g->n++;
            return;
        }
        if (s->len == len && memcmp(s->t, term, len) == 0) {
            if (s->last != g->cur) { /* once per text */
                s->w += g->cur_w;
                s->last = g->cur;
            }
            return;
        }
        i = (i + 1) & (INDEX_SLOTS - 1);
    }
}

#define ROW "(?, ?, ?)"
#define ROWS4 ROW ", " ROW ", " ROW ", " ROW
#define B(k) b[k]->t, job_id, (int64_t)b[k]->w
#define B4(k) B(k), B(k + 1), B(k + 2), B(k + 3)

int terms_index_job(db_t *db, zm_arena_t *a, int64_t job_id, const char *const *texts, const int *weights, size_t n)
{
    /* one table per process, cleared per job: a full resync indexes 100k jobs in one task, and
     * 360 KB from its arena for each would run the arena out (not reentrant: no threads index) */
    static slot_t slots[INDEX_SLOTS];
    agg_t g = {slots, 0, 0, 0};
    const slot_t *b[16];
    size_t nb = 0;
    int64_t rc;

    ZM_UNUSED(a);
    memset(slots, 0, sizeof(slots));
    for (size_t i = 0; i < n; i++) {
        if (texts[i]) {
            g.cur = (int)i + 1;
            g.cur_w = weights[i];
            terms_split(texts[i], strlen(texts[i]), 0, agg_emit, &g);
        }
    }
    rc = db_exec(db, "DELETE FROM jobs_jobterm WHERE job_id = ?", "i", job_id);
    for (size_t i = 0; rc >= 0 && i <= INDEX_SLOTS; i++) {
        if (i < INDEX_SLOTS && g.s[i].len == 0) {
            continue;
        }
        if (i < INDEX_SLOTS) {
            b[nb++] = &g.s[i];
        }
        if (nb == 16 || (i == INDEX_SLOTS && nb > 0)) {
            /* a short batch repeats its first row: the duplicate changes nothing */
            for (size_t k = nb; k < 16; k++) {
                b[k] = b[0];
            }
            rc = db_exec(db,
                         "INSERT INTO jobs_jobterm (term, job_id, weight) VALUES " ROWS4 ", " ROWS4 ", " ROWS4
                         ", " ROWS4 " ON DUPLICATE KEY UPDATE weight = weight",
                         "siisiisiisiisiisiisiisiisiisiisiisiisiisiisiisii", B4(0), B4(4), B4(8), B4(12));
            nb = 0;
        }
    }
    return rc < 0 ? (int)rc : ZM_OK;
}

/* ---- searching ---- */

typedef struct {
    const char *t[QUERY_TERMS];
    size_t n;
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
        q->t[q->n++] = zm_pstrndup(q->a, term, len);
    }
}

#define OUT_COLS                                                                                                       \
    "o.job_id, o.name, o.company, o.city, o.salary, o.salary_min, o.salary_max, o.education, o.years_of_working, "     \
    "o.language, " ISO("o.published_at")
#define MATCHED                                                                                                        \
    "(SELECT job_id, SUM(weight) AS score FROM jobs_jobterm WHERE term IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " \
    "?, ?) GROUP BY job_id "                                                                                           \
    "HAVING COUNT(*) >= ?) t JOIN jobs_openjob o ON o.job_id = t.job_id "
#define FILTERS                                                                                                        \
    "WHERE (? IS NULL OR o.city = ?) AND (? IS NULL OR o.education = ?) AND (? IS NULL OR o.years_of_working = ?) "    \
    "AND (? IS NULL OR o.language = ?) AND (? < 0 OR o.salary_max >= ?) AND (? < 0 OR o.salary_min <= ?) "
#define TERM_ARGS                                                                                                      \
    T[0], T[1], T[2], T[3], T[4], T[5], T[6], T[7], T[8], T[9], T[10], T[11], T[12], T[13], T[14], T[15], (int64_t)qt.n
#define TERM_FMT "ssssssssssssssssi"
#define FILTER_FMT "ssssssssiiii"
#define FILTER_ARGS                                                                                                    \
    q->city, q->city, q->education, q->education, q->experience, q->experience, q->language, q->language,              \
        q->salary_min, q->salary_min, q->salary_max, q->salary_max

static json_object *hit_json(const db_res_t *res, size_t r)
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
    json_object_object_add(o, "score", json_object_new_int64(db_int(res, r, 11)));
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
    return ZM_OK;
}

int job_search(db_t *db, zm_arena_t *a, int64_t user_id, const job_search_t *q, json_object **out)
{
    qterms_t qt = {{0}, 0, a};
    const char *T[QUERY_TERMS];
    int64_t off = (q->page - 1) * q->page_size, total, session = 0;
    db_res_t res, cnt;
    json_object *items;
    int rc;

    if (q->q) {
        terms_split(q->q, strlen(q->q), 1, q_emit, &qt);
    }
    for (size_t i = 0; i < QUERY_TERMS; i++) {
        T[i] = i < qt.n ? qt.t[i] : qt.t[0];
    }
    if (qt.n > 0) {
        rc =
            db_query(db, a, &cnt, "SELECT COUNT(*) FROM " MATCHED FILTERS, TERM_FMT FILTER_FMT, TERM_ARGS, FILTER_ARGS);
        if (rc == ZM_OK) {
            rc = db_query(db, a, &res,
                          q->newest ? "SELECT " OUT_COLS ", t.score FROM " MATCHED FILTERS
                                      "ORDER BY o.published_at DESC, o.job_id DESC LIMIT ? OFFSET ?"
                                    : "SELECT " OUT_COLS ", t.score FROM " MATCHED FILTERS
                                      "ORDER BY t.score DESC, o.published_at DESC, o.job_id DESC LIMIT ? OFFSET ?",
                          TERM_FMT FILTER_FMT "ii", TERM_ARGS, FILTER_ARGS, q->page_size, off);
        }
    } else {
        rc = db_query(db, a, &cnt, "SELECT COUNT(*) FROM jobs_openjob o " FILTERS, FILTER_FMT, FILTER_ARGS);
        if (rc == ZM_OK) {
            rc = db_query(db, a, &res,
                          "SELECT " OUT_COLS ", 0 FROM jobs_openjob o " FILTERS
                          "ORDER BY o.published_at DESC, o.job_id DESC LIMIT ? OFFSET ?",
                          FILTER_FMT "ii", FILTER_ARGS, q->page_size, off);
        }
    }
    if (rc != ZM_OK) {
        return rc;
    }
    total = db_int(&cnt, 0, 0);
    /* a new search, not the next page of one, is a 找工作 session */
    if (user_id > 0 && q->page == 1 && (rc = record_session(db, a, user_id, q, total, &session)) != ZM_OK) {
        return rc;
    }
    items = json_object_new_array();
    for (size_t r = 0; r < res.nrows; r++) {
        json_object_array_add(items, hit_json(&res, r));
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "items", items);
    json_object_object_add(*out, "total", json_object_new_int64(total));
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
