/*
 * questions.c -- 经典题库: the analyzer's Chinese question bank, browsable,
 * with answer outlines; admins add and edit.
 *
 * The bank's questions come from fcgi/analysis/data/questions.tsv (as the
 * analyzer loaded it): content.load_questions inserts each one not stored
 * yet, keyed by the SHA-256 of its text, so a second run (or two at once)
 * adds nothing and an admin's edit is never overwritten.  The bank's
 * placeholders read as plain words here ({skill} the question's own skill).
 */
#include <string.h>

#include "analysis.h"
#include "content.h"
#include "hash.h"

const char *const content_categories[] = {"technical", "project", "behavioral", "hr", NULL};
static const char *const category_labels[] = {"技术题", "项目题", "行为题", "HR 题"};

const char *content_category_label(const char *category)
{
    for (int i = 0; content_categories[i]; i++) {
        if (category && strcmp(category, content_categories[i]) == 0) {
            return category_labels[i];
        }
    }
    return "";
}

#define Q_COLS "id, category, tag, question, why, outline, bank_key IS NOT NULL"

static json_object *question_json(const db_res_t *res, size_t i)
{
    json_object *o = json_object_new_object(), *ol = json_object_new_array();
    const char *outline = db_val(res, i, 5);

    json_object_object_add(o, "id", json_object_new_int64(db_int(res, i, 0)));
    json_object_object_add(o, "category", json_object_new_string(db_val(res, i, 1)));
    json_object_object_add(o, "category_label", json_object_new_string(content_category_label(db_val(res, i, 1))));
    json_object_object_add(o, "tag", json_object_new_string(db_val(res, i, 2)));
    json_object_object_add(o, "question", json_object_new_string(db_val(res, i, 3)));
    json_object_object_add(o, "why", json_object_new_string(db_val(res, i, 4)));
    while (outline && *outline) {
        size_t n = strcspn(outline, "\n");
        if (n > 0) {
            json_object_array_add(ol, json_object_new_string_len(outline, (int)n));
        }
        outline += n + (outline[n] == '\n');
    }
    json_object_object_add(o, "outline", ol);
    json_object_object_add(o, "source", json_object_new_string(db_int(res, i, 6) ? "bank" : "admin"));
    return o;
}

/* "%word%" with LIKE's own characters escaped by '!' (ESCAPE '!': the same under any sql_mode) */
static char *like_pattern(zm_arena_t *a, const char *s)
{
    size_t n = strlen(s);
    char *out = zm_palloc(a, 2 * n + 3), *p = out;

    if (out == NULL) {
        return NULL;
    }
    *p++ = '%';
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '!') {
            *p++ = '!';
        }
        *p++ = *s;
    }
    *p++ = '%';
    *p = '\0';
    return out;
}

int content_question_list(db_t *db, zm_arena_t *a, const content_qfilter_t *f, int64_t page, int64_t size,
                          json_object **items, int64_t *total)
{
    /* one statement each way: NULL filters pass as "? IS NULL" */
    const char *where = " WHERE (? IS NULL OR category = ?) AND (? IS NULL OR tag = ?) AND "
                        "(? IS NULL OR question LIKE ? ESCAPE '!' OR why LIKE ? ESCAPE '!')";
    const char *like = f->q ? like_pattern(a, f->q) : NULL;
    db_res_t res;
    int rc;

    if (f->q && like == NULL) {
        return ZM_ENOMEM;
    }
    rc = db_query(db, a, &res, zm_psprintf(a, "SELECT COUNT(*) FROM content_question%s", where), "sssssss", f->category,
                  f->category, f->tag, f->tag, like, like, like);
    if (rc != ZM_OK) {
        return rc;
    }
    *total = db_int(&res, 0, 0);
    rc = db_query(db, a, &res,
                  zm_psprintf(a, "SELECT " Q_COLS " FROM content_question%s ORDER BY id LIMIT ? OFFSET ?", where),
                  "sssssssii", f->category, f->category, f->tag, f->tag, like, like, like, size, (page - 1) * size);
    if (rc != ZM_OK) {
        return rc;
    }
    *items = json_object_new_array();
    for (size_t i = 0; i < res.nrows; i++) {
        json_object_array_add(*items, question_json(&res, i));
    }
    return ZM_OK;
}

int content_question_facets(db_t *db, zm_arena_t *a, json_object **out)
{
    json_object *cats = json_object_new_array(), *tags;
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT category, COUNT(*) FROM content_question GROUP BY category", "");

    if (rc != ZM_OK) {
        json_object_put(cats);
        return rc;
    }
    for (int c = 0; content_categories[c]; c++) {
        json_object *o = json_object_new_object();
        int64_t n = 0;
        for (size_t i = 0; i < res.nrows; i++) {
            if (strcmp(db_val(&res, i, 0), content_categories[c]) == 0) {
                n = db_int(&res, i, 1);
            }
        }
        json_object_object_add(o, "code", json_object_new_string(content_categories[c]));
        json_object_object_add(o, "label", json_object_new_string(category_labels[c]));
        json_object_object_add(o, "count", json_object_new_int64(n));
        json_object_array_add(cats, o);
    }
    rc = db_query(db, a, &res,
                  "SELECT tag, COUNT(*) FROM content_question WHERE tag <> '' GROUP BY tag ORDER BY COUNT(*) DESC, tag "
                  "LIMIT 200",
                  "");
    if (rc != ZM_OK) {
        json_object_put(cats);
        return rc;
    }
    tags = json_object_new_array();
    for (size_t i = 0; i < res.nrows; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "tag", json_object_new_string(db_val(&res, i, 0)));
        json_object_object_add(o, "count", json_object_new_int64(db_int(&res, i, 1)));
        json_object_array_add(tags, o);
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "categories", cats);
    json_object_object_add(*out, "tags", tags);
    return ZM_OK;
}

int content_question_get(db_t *db, zm_arena_t *a, int64_t id, json_object **out)
{
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT " Q_COLS " FROM content_question WHERE id = ?", "i", id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *out = question_json(&res, 0);
    return ZM_OK;
}

static char *join_outline(zm_arena_t *a, const char *const *items, int n)
{
    size_t len = 1;
    char *out, *p;

    for (int i = 0; i < n; i++) {
        len += strlen(items[i]) + 1;
    }
    if ((out = zm_palloc(a, len)) == NULL) {
        return NULL;
    }
    p = out;
    for (int i = 0; i < n; i++) {
        size_t k = strlen(items[i]);
        memcpy(p, items[i], k);
        p += k;
        if (i + 1 < n) {
            *p++ = '\n';
        }
    }
    *p = '\0';
    return out;
}

int content_question_create(db_t *db, zm_arena_t *a, const content_question_in_t *in, json_object **out)
{
    char *outline = join_outline(a, in->outline, in->noutline);
    int64_t rc;

    if (outline == NULL) {
        return ZM_ENOMEM;
    }
    rc = db_exec(db,
                 "INSERT INTO content_question (category, tag, question, why, outline, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                 "sssss", in->category, in->tag ? in->tag : "", in->question, in->why ? in->why : "", outline);
    if (rc < 0) {
        return (int)rc;
    }
    return content_question_get(db, a, db_insert_id(db), out);
}

int content_question_update(db_t *db, zm_arena_t *a, int64_t id, const content_question_in_t *in, json_object **out)
{
    char *outline = in->outline ? join_outline(a, in->outline, in->noutline) : NULL;
    db_res_t res;
    int64_t rc;

    if (in->outline && outline == NULL) {
        return ZM_ENOMEM;
    }
    /* affected rows are 0 for an update that changes nothing: existence is the SELECT's */
    rc = db_exec(db,
                 "UPDATE content_question SET category = COALESCE(?, category), tag = COALESCE(?, tag), "
                 "question = COALESCE(?, question), why = COALESCE(?, why), outline = COALESCE(?, outline), "
                 "updated_at = UTC_TIMESTAMP(6) WHERE id = ?",
                 "sssssi", in->category, in->tag, in->question, in->why, outline, id);
    if (rc < 0) {
        return (int)rc;
    }
    rc = db_query(db, a, &res, "SELECT 1 FROM content_question WHERE id = ?", "i", id);
    if (rc != ZM_OK) {
        return (int)rc;
    }
    return res.nrows == 0 ? ZM_ENOTFOUND : content_question_get(db, a, id, out);
}

/* the bank's placeholders as words a reader understands out of context */
static char *fill(zm_arena_t *a, const char *s, const char *skill)
{
    static const char *const from[] = {"{skill}", "{project}", "{role}"};
    const char *to[] = {skill ? skill : "你最熟悉的技术", "你的代表项目", "目标岗位"};
    size_t cap = strlen(s) * 2 + 128, n = 0;
    char *out = zm_palloc(a, cap);

    if (out == NULL) {
        return NULL;
    }
    while (*s) {
        int hit = 0;
        for (int k = 0; k < 3; k++) {
            size_t fl = strlen(from[k]), tl = strlen(to[k]);
            if (strncmp(s, from[k], fl) == 0) {
                if (n + tl + 1 >= cap) {
                    return NULL;
                }
                memcpy(out + n, to[k], tl);
                n += tl;
                s += fl;
                hit = 1;
                break;
            }
        }
        if (!hit) {
            if (n + 2 >= cap) {
                return NULL;
            }
            out[n++] = *s++;
        }
    }
    out[n] = '\0';
    return out;
}

int content_questions_load(db_t *db, zm_arena_t *a, int64_t *inserted)
{
    an_bank_q_t q;

    *inserted = 0;
    for (int i = 0; an_bank_question(i, &q) == ZM_OK; i++) {
        const char *items[CONTENT_OUTLINE_ITEMS];
        char key[65], *text = fill(a, q.question, q.skill), *why = fill(a, q.why, q.skill), *outline;
        int n = q.noutline < CONTENT_OUTLINE_ITEMS ? q.noutline : CONTENT_OUTLINE_ITEMS;
        int64_t rc;

        if (text == NULL || why == NULL) {
            return ZM_ENOMEM;
        }
        for (int k = 0; k < n; k++) {
            if ((items[k] = fill(a, q.outline[k], q.skill)) == NULL) {
                return ZM_ENOMEM;
            }
        }
        if ((outline = join_outline(a, items, n)) == NULL) {
            return ZM_ENOMEM;
        }
        zm_sha256_hex(q.question, strlen(q.question), key);
        rc = db_exec(db,
                     "INSERT INTO content_question (bank_key, category, tag, question, why, outline, created_at, "
                     "updated_at) SELECT ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM DUAL "
                     "WHERE NOT EXISTS (SELECT 1 FROM content_question WHERE bank_key = ?)",
                     "sssssss", key, q.category, q.skill ? q.skill : "", text, why, outline, key);
        if (rc == ZM_EDUP) {
            continue; /* a parallel load got there first */
        }
        if (rc < 0) {
            return (int)rc;
        }
        *inserted += rc;
    }
    return ZM_OK;
}
