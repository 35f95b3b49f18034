/*
 * news.c -- 职场动态: items admins manage and the feed import adds, one per
 * URL (content_news.url_sha unique: an import meeting a stored URL skips it,
 * however many imports run at once).
 */
#include <string.h>

#include "content.h"
#include "hash.h"

#define NEWS_COLS "id, title, source, url, summary, tags, DATE_FORMAT(published_at, '%Y-%m-%dT%H:%i:%sZ'), origin"

static json_object *news_json(const db_res_t *res, size_t i)
{
    json_object *o = json_object_new_object(), *tags = json_tokener_parse(db_val(res, i, 5));

    if (tags == NULL || !json_object_is_type(tags, json_type_array)) {
        json_object_put(tags);
        tags = json_object_new_array();
    }
    json_object_object_add(o, "id", json_object_new_int64(db_int(res, i, 0)));
    json_object_object_add(o, "title", json_object_new_string(db_val(res, i, 1)));
    json_object_object_add(o, "source", json_object_new_string(db_val(res, i, 2)));
    json_object_object_add(o, "url", json_object_new_string(db_val(res, i, 3)));
    json_object_object_add(o, "summary", json_object_new_string(db_val(res, i, 4)));
    json_object_object_add(o, "tags", tags);
    json_object_object_add(o, "published_at", json_object_new_string(db_val(res, i, 6)));
    return o;
}

static const char *tags_text(zm_arena_t *a, const char *const *tags, int n)
{
    json_object *arr = json_object_new_array();
    const char *s;

    for (int i = 0; i < n; i++) {
        json_object_array_add(arr, json_object_new_string(tags[i]));
    }
    s = zm_pstrdup(a, json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(arr);
    return s;
}

int content_news_list(db_t *db, zm_arena_t *a, int64_t page, int64_t size, json_object **items, int64_t *total)
{
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT COUNT(*) FROM content_news", "");

    if (rc != ZM_OK) {
        return rc;
    }
    *total = db_int(&res, 0, 0);
    rc = db_query(db, a, &res,
                  "SELECT " NEWS_COLS " FROM content_news ORDER BY published_at DESC, id DESC LIMIT ? OFFSET ?", "ii",
                  size, (page - 1) * size);
    if (rc != ZM_OK) {
        return rc;
    }
    *items = json_object_new_array();
    for (size_t i = 0; i < res.nrows; i++) {
        json_object_array_add(*items, news_json(&res, i));
    }
    return ZM_OK;
}

static int news_get(db_t *db, zm_arena_t *a, int64_t id, json_object **out)
{
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT " NEWS_COLS " FROM content_news WHERE id = ?", "i", id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *out = news_json(&res, 0);
    return ZM_OK;
}

static int64_t news_insert(db_t *db, zm_arena_t *a, const content_news_in_t *in, const char *origin)
{
    const char *tags = tags_text(a, in->tags, in->tags ? in->ntags : 0);
    char sha[65];

    if (tags == NULL) {
        return ZM_ENOMEM;
    }
    zm_sha256_hex(in->url, strlen(in->url), sha);
    return db_exec(db,
                   "INSERT INTO content_news (url, url_sha, title, source, summary, tags, origin, published_at, "
                   "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, FROM_UNIXTIME(?), UTC_TIMESTAMP(6), "
                   "UTC_TIMESTAMP(6))",
                   "sssssssi", in->url, sha, in->title, in->source ? in->source : "", in->summary ? in->summary : "",
                   tags, origin, in->published_at);
}

int content_news_create(db_t *db, zm_arena_t *a, const content_news_in_t *in, const char *origin, json_object **out)
{
    int64_t rc = news_insert(db, a, in, origin);

    if (rc < 0) {
        return (int)rc;
    }
    return news_get(db, a, db_insert_id(db), out);
}

int content_news_update(db_t *db, zm_arena_t *a, int64_t id, const content_news_in_t *in, json_object **out)
{
    const char *tags = in->tags ? tags_text(a, in->tags, in->ntags) : NULL;
    char sha[65];
    db_res_t res;
    int64_t rc;

    if (in->tags && tags == NULL) {
        return ZM_ENOMEM;
    }
    if (in->url) {
        zm_sha256_hex(in->url, strlen(in->url), sha);
    }
    rc = db_exec(db,
                 "UPDATE content_news SET url = COALESCE(?, url), url_sha = COALESCE(?, url_sha), "
                 "title = COALESCE(?, title), source = COALESCE(?, source), summary = COALESCE(?, summary), "
                 "tags = COALESCE(?, tags), published_at = IF(? > 0, FROM_UNIXTIME(?), published_at), "
                 "updated_at = UTC_TIMESTAMP(6) WHERE id = ?",
                 "ssssssiii", in->url, in->url ? sha : NULL, in->title, in->source, in->summary, tags, in->published_at,
                 in->published_at, id);
    if (rc < 0) {
        return (int)rc;
    }
    rc = db_query(db, a, &res, "SELECT 1 FROM content_news WHERE id = ?", "i", id);
    if (rc != ZM_OK) {
        return (int)rc;
    }
    return res.nrows == 0 ? ZM_ENOTFOUND : news_get(db, a, id, out);
}

int content_news_delete(db_t *db, int64_t id)
{
    int64_t rc = db_exec(db, "DELETE FROM content_news WHERE id = ?", "i", id);

    return rc < 0 ? (int)rc : rc == 0 ? ZM_ENOTFOUND : ZM_OK;
}

int content_news_import(db_t *db, zm_arena_t *a, const char *data, size_t len, int64_t now, content_import_t *res)
{
    content_feed_t feed;
    int rc = content_feed_parse(a, data, len, now, &feed);

    memset(res, 0, sizeof(*res));
    if (rc != ZM_OK) {
        return rc;
    }
    res->invalid = (int64_t)feed.invalid;
    for (size_t i = 0; i < feed.n; i++) {
        int64_t k = news_insert(db, a, &feed.items[i], "feed");
        if (k == ZM_EDUP) {
            res->duplicates++;
        } else if (k < 0) {
            return (int)k;
        } else {
            res->inserted++;
        }
    }
    return ZM_OK;
}

int content_feed_claim(db_t *db, int64_t now, int64_t interval_s, int force)
{
    int64_t rc = db_exec(db,
                         "UPDATE content_feed_state SET last_run_at = FROM_UNIXTIME(?) WHERE id = 1 AND "
                         "(? OR last_run_at IS NULL OR last_run_at <= FROM_UNIXTIME(?))",
                         "iIi", now, force, now - interval_s);

    return rc < 0 ? (int)rc : rc > 0;
}

int content_feed_record(db_t *db, const char *result)
{
    int64_t rc = db_exec(db, "UPDATE content_feed_state SET last_result = ? WHERE id = 1", "s", result);

    return rc < 0 ? (int)rc : ZM_OK;
}
