/*
 * api.c -- 经典题库, 职场动态 and 日历事件: parse, validate, call the domain,
 * render.
 */
#include <string.h>

#include "clock.h"
#include "content.h"
#include "content_api.h"
#include "points.h"
#include "points_api.h"
#include "str.h"

static const zm_error_map_t question_errors[] = {
    {ZM_ENOTFOUND, 404, "not_found", "题目不存在"},
};
static const zm_error_map_t news_errors[] = {
    {ZM_ENOTFOUND, 404, "not_found", "动态不存在"},
    {ZM_EDUP, 409, "duplicate_url", "已有相同链接的动态"},
    {ZM_EINVAL, 400, "invalid_feed", "不是可导入的 JSON 动态列表"},
    {ZM_ETOOBIG, 413, "feed_too_large", "动态列表过大"},
};
static const zm_error_map_t event_errors[] = {
    {ZM_ENOTFOUND, 404, "not_found", "事件不存在"},
};

/* ---- field readers the three share ---- */

/* s has no control characters (newlines and tabs allowed when multiline) */
static int clean(const char *s, int multiline)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* a text field: required on create; when present never empty (required or not) nor holding controls */
static const char *text(zm_form_t *f, const char *key, int required, int nonempty, size_t max, int multiline)
{
    const char *s = zm_form_str(f, key, required, max);

    if (s && nonempty && s[0] == '\0') {
        zm_form_error(f, key, "此字段不能为空");
        return NULL;
    }
    if (s && !clean(s, multiline)) {
        zm_form_error(f, key, "不能包含控制字符");
        return NULL;
    }
    return s;
}

static int present(zm_form_t *f, const char *key)
{
    json_object *v;

    return f->body && json_object_object_get_ex(f->body, key, &v);
}

/* an array of strings at key (1..max_items, each 1..max_chars clean characters); NULL when absent */
static const char **string_list(zm_form_t *f, const char *key, int required, int max_items, size_t max_chars, int *n)
{
    json_object *v = NULL;
    const char **out;
    size_t len;

    *n = 0;
    if (f->body == NULL || !json_object_object_get_ex(f->body, key, &v) || v == NULL) {
        if (required) {
            zm_form_error(f, key, "此字段不能为空");
        }
        return NULL;
    }
    if (!json_object_is_type(v, json_type_array) || (len = json_object_array_length(v)) > (size_t)max_items ||
        (required && len == 0)) {
        zm_form_error(f, key,
                      zm_psprintf(f->r->a, "应为 %s%d 个字符串的数组", required ? "1 到 " : "至多 ", max_items));
        return NULL;
    }
    out = zm_pcalloc(f->r->a, (len ? len : 1) * sizeof(*out));
    if (out == NULL) {
        zm_form_error(f, key, "过长");
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        json_object *s = json_object_array_get_idx(v, i);
        const char *t;
        size_t k;
        if (!json_object_is_type(s, json_type_string)) {
            zm_form_error(f, key, "每一项都应为字符串");
            return NULL;
        }
        t = json_object_get_string(s);
        k = (size_t)json_object_get_string_len(s);
        if (k == 0 || strlen(t) != k || zm_utf8_chars(t, k) > max_chars || !clean(t, 0) || strchr(t, ',')) {
            zm_form_error(f, key, zm_psprintf(f->r->a, "每一项 1 到 %zu 个字符，不能含控制字符或逗号", max_chars));
            return NULL;
        }
        out[i] = t;
    }
    *n = (int)len;
    return out;
}

static int64_t time_field(zm_form_t *f, const char *key, int required)
{
    const char *s = zm_form_str(f, key, required, 40);
    int64_t t = 0;

    if (s && content_time_parse(s, &t) != ZM_OK) {
        zm_form_error(f, key, "应为带时区的 ISO 8601 时间（2000–2099 年），如 2030-01-15T09:00:00+08:00");
        return 0;
    }
    return t;
}

/* ---- 经典题库 ---- */

int content_api_questions(zm_req_t *r)
{
    content_qfilter_t f = {zm_req_query(r, "category"), zm_req_query(r, "tag"), zm_req_query(r, "q")};
    json_object *items;
    zm_page_t page;
    int64_t total;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK) {
        return ZM_OK;
    }
    if (f.category && f.category[0] == '\0') {
        f.category = NULL;
    }
    if (f.category && content_category_label(f.category)[0] == '\0') {
        return zm_reply_field_error(r, "category", "只能是 technical、project、behavioral 或 hr");
    }
    if (f.tag && (f.tag[0] == '\0' || zm_utf8_chars(f.tag, strlen(f.tag)) > CONTENT_TAG_MAX)) {
        f.tag = f.tag[0] == '\0' ? NULL : f.tag;
        if (f.tag) {
            return zm_reply_field_error(r, "tag", "最多 64 个字符");
        }
    }
    if (f.q && (f.q[0] == '\0' || zm_utf8_chars(f.q, strlen(f.q)) > 100)) {
        f.q = f.q[0] == '\0' ? NULL : f.q;
        if (f.q) {
            return zm_reply_field_error(r, "q", "最多 100 个字符");
        }
    }
    rc = content_question_list(r->db, r->a, &f, page.page, page.size, &items, &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : zm_reply_from_rc(r, rc);
}

int content_api_question_facets(zm_req_t *r)
{
    json_object *out;
    int rc = content_question_facets(r->db, r->a, &out);

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : zm_reply_from_rc(r, rc);
}

int content_api_question_get(zm_req_t *r)
{
    json_object *out;
    int64_t id;
    int rc = zm_req_param_id(r, "id", &id);

    rc = rc == ZM_OK ? content_question_get(r->db, r->a, id, &out) : ZM_ENOTFOUND;
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, question_errors, rc);
}

static int question_form(zm_req_t *r, int create, content_question_in_t *in)
{
    zm_form_t f;
    int cat;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_EINVAL;
    }
    memset(in, 0, sizeof(*in));
    cat = zm_form_enum(&f, "category", create, content_categories, "只能是 technical、project、behavioral 或 hr");
    in->category = cat >= 0 ? content_categories[cat] : NULL;
    in->tag = text(&f, "tag", 0, 0, CONTENT_TAG_MAX, 0);
    in->question = text(&f, "question", create, 1, CONTENT_QUESTION_MAX, 1);
    in->why = text(&f, "why", 0, 0, CONTENT_WHY_MAX, 1);
    in->outline = string_list(&f, "outline", create, CONTENT_OUTLINE_ITEMS, CONTENT_OUTLINE_ITEM_MAX, &in->noutline);
    if (in->outline && in->noutline == 0) {
        zm_form_error(&f, "outline", "至少一条答题要点");
    }
    return zm_form_done(&f);
}

int content_api_question_create(zm_req_t *r)
{
    content_question_in_t in;
    json_object *out;
    int rc;

    if (question_form(r, 1, &in) != ZM_OK) {
        return ZM_OK;
    }
    rc = content_question_create(r->db, r->a, &in, &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : ZM_REPLY_MAPPED(r, question_errors, rc);
}

int content_api_question_update(zm_req_t *r)
{
    content_question_in_t in;
    json_object *out;
    int64_t id;
    int rc;

    if (zm_req_param_id(r, "id", &id) != ZM_OK) {
        return ZM_REPLY_MAPPED(r, question_errors, ZM_ENOTFOUND);
    }
    if (question_form(r, 0, &in) != ZM_OK) {
        return ZM_OK;
    }
    rc = content_question_update(r->db, r->a, id, &in, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, question_errors, rc);
}

/* ---- 职场动态 ---- */

static int news_page(zm_req_t *r)
{
    json_object *items;
    zm_page_t page;
    int64_t total;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK) {
        return ZM_OK;
    }
    rc = content_news_list(r->db, r->a, page.page, page.size, &items, &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : zm_reply_from_rc(r, rc);
}

int content_api_news_latest(zm_req_t *r)
{
    int need, rc = points_require_benefit(r->db, r->a, r->user_id, POINTS_BENEFIT_NEWS, &need);

    if (rc == POINTS_ELEVEL) {
        return points_reply_level(r, POINTS_BENEFIT_NEWS, need);
    }
    if (rc != ZM_OK) {
        return points_reply_rc(r, rc, NULL, 0);
    }
    return news_page(r);
}

int content_api_admin_news_list(zm_req_t *r)
{
    return news_page(r);
}

static int news_form(zm_req_t *r, int create, content_news_in_t *in)
{
    zm_form_t f;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_EINVAL;
    }
    memset(in, 0, sizeof(*in));
    in->title = text(&f, "title", create, 1, CONTENT_NEWS_TITLE_MAX, 0);
    in->url = text(&f, "url", create, 1, CONTENT_NEWS_URL_MAX, 0);
    if (in->url && !content_url_ok(in->url)) {
        zm_form_error(&f, "url", "应为 http:// 或 https:// 开头的完整链接");
    }
    in->source = text(&f, "source", 0, 0, CONTENT_NEWS_SOURCE_MAX, 0);
    in->summary = text(&f, "summary", 0, 0, CONTENT_NEWS_SUMMARY_MAX, 1);
    in->tags = string_list(&f, "tags", 0, CONTENT_NEWS_TAGS, CONTENT_TAG_MAX, &in->ntags);
    in->published_at = time_field(&f, "published_at", 0);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_EINVAL;
    }
    if (create && in->published_at == 0) {
        in->published_at = zm_now_s();
    }
    return ZM_OK;
}

int content_api_admin_news_create(zm_req_t *r)
{
    content_news_in_t in;
    json_object *out;
    int rc;

    if (news_form(r, 1, &in) != ZM_OK) {
        return ZM_OK;
    }
    rc = content_news_create(r->db, r->a, &in, "admin", &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : ZM_REPLY_MAPPED(r, news_errors, rc);
}

int content_api_admin_news_update(zm_req_t *r)
{
    content_news_in_t in;
    json_object *out;
    int64_t id;
    int rc;

    if (zm_req_param_id(r, "id", &id) != ZM_OK) {
        return ZM_REPLY_MAPPED(r, news_errors, ZM_ENOTFOUND);
    }
    if (news_form(r, 0, &in) != ZM_OK) {
        return ZM_OK;
    }
    rc = content_news_update(r->db, r->a, id, &in, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, news_errors, rc);
}

int content_api_admin_news_delete(zm_req_t *r)
{
    int64_t id;
    int rc = zm_req_param_id(r, "id", &id);

    rc = rc == ZM_OK ? content_news_delete(r->db, id) : ZM_ENOTFOUND;
    return rc == ZM_OK ? zm_reply_no_content(r) : ZM_REPLY_MAPPED(r, news_errors, rc);
}

/* the body is a feed, as the scheduled import reads one (content_feed_parse) */
int content_api_admin_news_import(zm_req_t *r)
{
    content_import_t res;
    json_object *out;
    int rc;

    if (!zm_req_is_json(r)) {
        return zm_reply_not_json(r);
    }
    rc = content_news_import(r->db, r->a, r->body ? r->body : "", r->body_len, zm_now_s(), &res);
    if (rc != ZM_OK) {
        return ZM_REPLY_MAPPED(r, news_errors, rc);
    }
    out = json_object_new_object();
    json_object_object_add(out, "inserted", json_object_new_int64(res.inserted));
    json_object_object_add(out, "duplicates", json_object_new_int64(res.duplicates));
    json_object_object_add(out, "invalid", json_object_new_int64(res.invalid));
    return zm_reply_data(r, 200, out);
}

/* ---- 日历事件 ---- */

static int query_time(zm_req_t *r, const char *name, int64_t *out)
{
    const char *s = zm_req_query(r, name);

    *out = 0;
    if (s && s[0] && content_time_parse(s, out) != ZM_OK) {
        zm_reply_field_error(r, name, "应为带时区的 ISO 8601 时间，如 2030-01-15T00:00:00+08:00");
        return ZM_EINVAL;
    }
    return ZM_OK;
}

int content_api_events(zm_req_t *r)
{
    json_object *items;
    zm_page_t page;
    int64_t total, from, to;
    int rc;

    if (zm_req_page(r, ZM_PAGE_MAX, &page) != ZM_OK || query_time(r, "from", &from) != ZM_OK ||
        query_time(r, "to", &to) != ZM_OK) {
        return ZM_OK;
    }
    rc = content_event_list(r->db, r->a, r->user_id, from, to, page.page, page.size, &items, &total);
    return rc == ZM_OK ? zm_reply_page(r, &page, total, items) : zm_reply_from_rc(r, rc);
}

static int event_form(zm_req_t *r, int create, content_event_in_t *in)
{
    zm_form_t f;
    int kind;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_EINVAL;
    }
    memset(in, 0, sizeof(*in));
    in->remind_mins = -1;
    in->title = text(&f, "title", create, 1, CONTENT_EVENT_TITLE_MAX, 0);
    kind = zm_form_enum(&f, "kind", create, content_event_kinds, "只能是 interview、deadline 或 other");
    in->kind = kind >= 0 ? content_event_kinds[kind] : NULL;
    in->starts_at = time_field(&f, "starts_at", create);
    in->notes = text(&f, "notes", 0, 0, CONTENT_EVENT_NOTES_MAX, 1);
    in->set_remind = present(&f, "remind_before_minutes");
    in->remind_mins = zm_form_int(&f, "remind_before_minutes", 0, 0, CONTENT_REMIND_MAX_MINUTES, -1);
    return zm_form_done(&f);
}

int content_api_event_create(zm_req_t *r)
{
    content_event_in_t in;
    json_object *out;
    int rc;

    if (event_form(r, 1, &in) != ZM_OK) {
        return ZM_OK;
    }
    rc = content_event_create(r->db, r->a, r->user_id, &in, &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : ZM_REPLY_MAPPED(r, event_errors, rc);
}

int content_api_event_update(zm_req_t *r)
{
    content_event_in_t in;
    json_object *out;
    int64_t id;
    int rc;

    if (zm_req_param_id(r, "id", &id) != ZM_OK) {
        return ZM_REPLY_MAPPED(r, event_errors, ZM_ENOTFOUND);
    }
    if (event_form(r, 0, &in) != ZM_OK) {
        return ZM_OK;
    }
    rc = content_event_update(r->db, r->a, r->user_id, id, &in, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, event_errors, rc);
}

int content_api_event_delete(zm_req_t *r)
{
    int64_t id;
    int rc = zm_req_param_id(r, "id", &id);

    rc = rc == ZM_OK ? content_event_delete(r->db, r->user_id, id) : ZM_ENOTFOUND;
    return rc == ZM_OK ? zm_reply_no_content(r) : ZM_REPLY_MAPPED(r, event_errors, rc);
}

int content_api_dashboard(zm_req_t *r)
{
    json_object *out;
    int rc = content_dashboard(r->db, r->a, r->user_id, zm_now_s(), &out);

    return rc == ZM_OK ? zm_reply_data(r, 200, out) : zm_reply_from_rc(r, rc);
}
