#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "str.h"

#define JSON_MAX_DEPTH 32

const char *zm_req_env(zm_req_t *r, const char *name)
{
    size_t n = strlen(name);

    for (char **e = r->envp; e && *e; e++) {
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=') {
            return *e + n + 1;
        }
    }
    return NULL;
}

const char *zm_req_param(zm_req_t *r, const char *name)
{
    size_t n = strlen(name);

    for (unsigned i = 0; i < r->params.n; i++) {
        /* names point into the pattern: "id}/versions" */
        if (strncmp(r->params.names[i], name, n) == 0 && r->params.names[i][n] == '}') {
            return r->params.values[i];
        }
    }
    return NULL;
}

/* A positive decimal int64 in s: digits only (no sign, space or 0x), no overflow. */
static int parse_id(const char *s, int64_t *id)
{
    char *end;
    long long v;

    if (s == NULL || !isdigit((unsigned char)s[0])) {
        return ZM_EINVAL;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v <= 0) {
        return ZM_EINVAL;
    }
    *id = v;
    return ZM_OK;
}

int zm_req_param_id(zm_req_t *r, const char *name, int64_t *id)
{
    return parse_id(zm_req_param(r, name), id);
}

const char *zm_req_query(zm_req_t *r, const char *name)
{
    const char *q = r->query;
    size_t nlen = strlen(name);

    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        size_t klen = eq ? (size_t)(eq - q) : len;

        if (klen == nlen && memcmp(q, name, nlen) == 0) {
            size_t vlen = 0;
            const char *v = eq ? eq + 1 : q + len;
            char *d = zm_pct_decode(r->a, v, (size_t)(q + len - v), 1, &vlen);
            if (d == NULL || !zm_utf8_valid(d, vlen)) {
                return NULL;
            }
            return d;
        }
        q = amp ? amp + 1 : NULL;
    }
    return NULL;
}

int zm_req_query_int(zm_req_t *r, const char *name, int64_t def, int64_t min, int64_t max, int64_t *out)
{
    const char *v = zm_req_query(r, name);
    char *end;
    long long x;

    if (v == NULL || *v == '\0') {
        *out = def;
        return ZM_OK;
    }
    x = strtoll(v, &end, 10);
    if (*end != '\0' || x < min || x > max) {
        char *msg = zm_psprintf(r->a, "must be an integer from %lld to %lld", (long long)min, (long long)max);
        zm_reply_field_error(r, name, msg ? msg : "invalid");
        return ZM_EINVAL;
    }
    *out = x;
    return ZM_OK;
}

int zm_req_page(zm_req_t *r, int64_t max_size, zm_page_t *page)
{
    if (zm_req_query_int(r, "page", 1, 1, 1000000, &page->page) != ZM_OK ||
        zm_req_query_int(r, "page_size", 20, 1, max_size, &page->size) != ZM_OK) {
        return ZM_EINVAL;
    }
    return ZM_OK;
}

static void json_put(void *o)
{
    json_object_put(o);
}

json_object *zm_req_own(zm_req_t *r, json_object *o)
{
    if (o != NULL) {
        zm_arena_cleanup_add(r->a, json_put, o);
    }
    return o;
}

/* The value of the four hex digits at s (n bytes left), or -1. */
static long json_hex4(const char *s, size_t n)
{
    long v = 0;

    if (n < 4) {
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        int h = zm_hexval((unsigned char)s[i]);
        if (h < 0) {
            return -1;
        }
        v = v * 16 + h;
    }
    return v;
}

enum { JSON_TEXT_OK, JSON_TEXT_BAD_UTF8, JSON_TEXT_LONE_SURROGATE };

/*
 * Is s[0..n) JSON text as RFC 8259 section 8 has it: UTF-8 (strictly, RFC 3629: no overlong
 * forms, surrogates or code points past U+10FFFF), with \u escapes of surrogates only in
 * high-low pairs?  json-c checks neither: its UTF-8 check passes overlong and surrogate bytes
 * (MariaDB then refuses them, or stores them and they go out again as invalid JSON), and it
 * turns an unpaired surrogate escape into U+FFFD.  Backslashes occur only inside strings in
 * valid JSON, so escapes are found without tracking strings; anything else wrong is the
 * parser's to find.
 */
static int json_text_check(const char *s, size_t n)
{
    size_t i = 0;
    int lone = 0;

    /* bad UTF-8 anywhere wins over a bad escape before it: the answer names the worse fault */
    while (i < n) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x80) {
            size_t k = zm_utf8_seq_len((const unsigned char *)s + i, n - i);
            if (k == 0) {
                return JSON_TEXT_BAD_UTF8;
            }
            i += k;
        } else if (c != '\\') {
            i++;
        } else if (i + 1 < n && s[i + 1] == 'u') {
            long hi = json_hex4(s + i + 2, n - i - 2), lo;

            if (hi < 0) {
                i += 2; /* not an escape: the parser refuses it */
                continue;
            }
            i += 6;
            if (hi >= 0xDC00 && hi <= 0xDFFF) {
                lone = 1;
            } else if (hi >= 0xD800 && hi <= 0xDBFF) {
                lo = i + 1 < n && s[i] == '\\' && s[i + 1] == 'u' ? json_hex4(s + i + 2, n - i - 2) : -1;
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    i += 6;
                } else {
                    lone = 1;
                }
            }
        } else {
            /* the escaped character: skipped when ASCII ('\\' above all), else checked as UTF-8 */
            i += i + 1 < n && (unsigned char)s[i + 1] < 0x80 ? 2 : 1;
        }
    }
    return lone ? JSON_TEXT_LONE_SURROGATE : JSON_TEXT_OK;
}

int zm_req_is_json(zm_req_t *r)
{
    const char *ct = zm_req_env(r, "CONTENT_TYPE");

    return ct != NULL && strncasecmp(ct, "application/json", 16) == 0 && (ct[16] == '\0' || ct[16] == ';');
}

int zm_req_json_body(zm_req_t *r, json_object **obj)
{
    json_tokener *tok;
    json_object *o;
    enum json_tokener_error jerr;

    *obj = NULL;
    if (!zm_req_is_json(r)) {
        zm_reply_not_json(r);
        return ZM_EINVAL;
    }
    if (r->body_len == 0) {
        zm_reply_error(r, 400, "invalid_json", "请求体为空，需要一个 JSON 对象", NULL);
        return ZM_EINVAL;
    }
    switch (json_text_check(r->body, r->body_len)) {
    case JSON_TEXT_BAD_UTF8:
        zm_reply_error(r, 400, "invalid_utf8", "请求体不是有效的 UTF-8", NULL);
        return ZM_EINVAL;
    case JSON_TEXT_LONE_SURROGATE:
        zm_reply_error(r, 400, "invalid_json", "JSON 格式错误: 字符串中有不成对的代理项转义 (\\uD800-\\uDFFF)", NULL);
        return ZM_EINVAL;
    }
    tok = json_tokener_new_ex(JSON_MAX_DEPTH);
    if (tok == NULL) {
        return ZM_ENOMEM;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    o = json_tokener_parse_ex(tok, r->body, (int)r->body_len);
    jerr = json_tokener_get_error(tok);
    /* all of the body must be one value: trailing bytes other than white space are an error */
    if (o != NULL && jerr == json_tokener_success) {
        size_t off = json_tokener_get_parse_end(tok);
        for (; off < r->body_len; off++) {
            char c = r->body[off];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                jerr = json_tokener_error_parse_unexpected;
                break;
            }
        }
    } else if (jerr == json_tokener_continue) {
        jerr = json_tokener_error_parse_eof;
    }
    json_tokener_free(tok);
    if (jerr != json_tokener_success || o == NULL) {
        json_object_put(o);
        /* the body is UTF-8 (checked above): json-c's UTF-8 error means a non-ASCII byte outside a
         * string (a byte order mark, say) */
        const char *why =
            jerr == json_tokener_error_parse_utf8_string ? "unexpected character" : json_tokener_error_desc(jerr);
        char *msg = zm_psprintf(r->a, "JSON 格式错误: %s", why);
        zm_reply_error(r, 400, "invalid_json", msg ? msg : "JSON 格式错误", NULL);
        return ZM_EINVAL;
    }
    zm_req_own(r, o);
    if (!json_object_is_type(o, json_type_object)) {
        zm_reply_error(r, 400, "invalid_json", "请求体必须是一个 JSON 对象", NULL);
        return ZM_EINVAL;
    }
    *obj = o;
    return ZM_OK;
}

/* attachment; filename="<ASCII fallback>"; filename*=UTF-8''<RFC 5987 encoding> (RFC 6266 §4.3:
 * the fallback first, for agents that know only filename). */
int zm_reply_header(zm_req_t *r, const char *name, const char *value)
{
    if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) {
        return ZM_EINVAL;
    }
    if (zm_buf_append(r->a, &r->headers, name, strlen(name), 0) != ZM_OK ||
        zm_buf_append(r->a, &r->headers, ": ", 2, 0) != ZM_OK ||
        zm_buf_append(r->a, &r->headers, value, strlen(value), 0) != ZM_OK ||
        zm_buf_append(r->a, &r->headers, "\r\n", 2, 0) != ZM_OK) {
        return ZM_ENOMEM;
    }
    return ZM_OK;
}

static int reply_json_object(zm_req_t *r, int status, json_object *root)
{
    size_t len;
    const char *s;

    zm_req_own(r, root);
    s = json_object_to_json_string_length(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    r->out.len = 0;
    if (s == NULL || zm_buf_append(r->a, &r->out, s, len, 0) != ZM_OK) {
        return ZM_ENOMEM;
    }
    r->status = status;
    r->content_type = "application/json; charset=utf-8";
    return ZM_OK;
}

int zm_reply_data(zm_req_t *r, int status, json_object *data)
{
    json_object *root = json_object_new_object();

    if (root == NULL) {
        json_object_put(data);
        return ZM_ENOMEM;
    }
    json_object_object_add(root, "success", json_object_new_boolean(1));
    json_object_object_add(root, "data", data);
    return reply_json_object(r, status, root);
}

int zm_reply_error(zm_req_t *r, int status, const char *code, const char *message, json_object *fields)
{
    json_object *root = json_object_new_object(), *err = json_object_new_object();

    if (root == NULL || err == NULL) {
        json_object_put(root);
        json_object_put(err);
        json_object_put(fields);
        return ZM_ENOMEM;
    }
    json_object_object_add(err, "code", json_object_new_string(code));
    json_object_object_add(err, "message", json_object_new_string(message));
    if (fields) {
        json_object_object_add(err, "fields", fields);
    }
    json_object_object_add(root, "success", json_object_new_boolean(0));
    if (r->route && (r->route->body & ZM_REPLY_SEED)) {
        json_object_object_add(root, "message", json_object_new_string(message));
    }
    json_object_object_add(root, "error", err);
    return reply_json_object(r, status, root);
}

int zm_reply_json(zm_req_t *r, int status, json_object *root)
{
    return root ? reply_json_object(r, status, root) : ZM_ENOMEM;
}

int zm_reply_field_error(zm_req_t *r, const char *field, const char *message)
{
    json_object *fields = json_object_new_object(), *list = json_object_new_array();

    json_object_array_add(list, json_object_new_string(message));
    json_object_object_add(fields, field, list);
    return zm_reply_error(r, 400, "validation_error", "请求参数有误", fields);
}

int zm_reply_not_json(zm_req_t *r)
{
    return zm_reply_error(r, 415, "unsupported_media_type", "请求体必须是 JSON (Content-Type: application/json)", NULL);
}

int zm_reply_page(zm_req_t *r, const zm_page_t *page, int64_t total, json_object *items)
{
    json_object *d = json_object_new_object();

    json_object_object_add(d, "items", items);
    json_object_object_add(d, "total", json_object_new_int64(total));
    json_object_object_add(d, "page", json_object_new_int64(page->page));
    json_object_object_add(d, "page_size", json_object_new_int64(page->size));
    return zm_reply_data(r, 200, d);
}

int zm_reply_limited(zm_req_t *r, int retry_after, const char *message)
{
    char secs[16];

    snprintf(secs, sizeof(secs), "%d", retry_after);
    zm_reply_header(r, "Retry-After", secs);
    return zm_reply_error(r, 429, "rate_limited", message, NULL);
}

int zm_reply_mapped(zm_req_t *r, const zm_error_map_t *table, size_t n, int rc)
{
    for (size_t i = 0; i < n; i++) {
        if (table[i].rc == rc) {
            return zm_reply_error(r, table[i].status, table[i].error, table[i].message, NULL);
        }
    }
    return zm_reply_from_rc(r, rc);
}

int zm_reply_raw(zm_req_t *r, int status, const char *content_type, const char *body, size_t len)
{
    r->out.len = 0;
    if (zm_buf_append(r->a, &r->out, body, len, 0) != ZM_OK) {
        return ZM_ENOMEM;
    }
    r->status = status;
    r->content_type = content_type;
    return ZM_OK;
}

int zm_reply_no_content(zm_req_t *r)
{
    r->out.len = 0;
    r->status = 204;
    r->content_type = NULL;
    return ZM_OK;
}

int zm_reply_from_rc(zm_req_t *r, int rc)
{
    switch (rc) {
    case ZM_EDBDOWN:
        zm_reply_header(r, "Retry-After", "5");
        return zm_reply_error(r, 503, "service_unavailable", "服务暂时不可用（数据库连接中断），请稍后重试", NULL);
    case ZM_ENOTFOUND:
        return zm_reply_error(r, 404, "not_found", "资源不存在", NULL);
    case ZM_ETOOBIG:
        return zm_reply_error(r, 413, "payload_too_large", "请求体过大", NULL);
    case ZM_EDUP:
        return zm_reply_error(r, 409, "conflict", "资源已存在", NULL);
    case ZM_EAGAIN:
        zm_reply_header(r, "Retry-After", "1");
        return zm_reply_error(r, 503, "busy", "服务繁忙，请稍后重试", NULL);
    case ZM_EINVAL:
        return zm_reply_error(r, 400, "bad_request", "请求无效", NULL);
    default:
        return zm_reply_error(r, 500, "internal_error", "服务器内部错误", NULL);
    }
}

void zm_form_init(zm_form_t *f, zm_req_t *r)
{
    f->r = r;
    f->body = NULL;
    f->fields = NULL;
    f->say = NULL;
}

int zm_form_json(zm_form_t *f, zm_req_t *r, json_object **body)
{
    int rc;

    zm_form_init(f, r);
    rc = zm_req_json_body(r, &f->body);
    if (body) {
        *body = f->body;
    }
    return rc;
}

void zm_form_say(zm_form_t *f, const char *key, const char *message)
{
    if (f->say == NULL) {
        f->say = zm_req_own(f->r, json_object_new_object());
    }
    json_object_object_add(f->say, key, json_object_new_string(message));
}

void zm_form_error(zm_form_t *f, const char *key, const char *message)
{
    json_object *list, *said;

    if (f->say && json_object_object_get_ex(f->say, key, &said)) {
        message = json_object_get_string(said);
    }
    if (f->fields == NULL) {
        f->fields = zm_req_own(f->r, json_object_new_object());
    }
    if (!json_object_object_get_ex(f->fields, key, &list)) {
        list = json_object_new_array();
        json_object_object_add(f->fields, key, list);
    }
    json_object_array_add(list, json_object_new_string(message));
}

int zm_form_failed(const zm_form_t *f)
{
    return f->fields != NULL;
}

/* The value at key, or NULL when absent or null (an error if required). */
static json_object *form_value(zm_form_t *f, const char *key, int required)
{
    json_object *v = NULL;

    if (f->body == NULL || !json_object_object_get_ex(f->body, key, &v) || v == NULL) {
        if (required) {
            zm_form_error(f, key, "此字段为必填项");
        }
        return NULL;
    }
    return v;
}

/* The string value v (at key) when it is one without a NUL, else NULL with an error. */
static const char *form_string(zm_form_t *f, const char *key, json_object *v, size_t *len)
{
    const char *s;

    if (!json_object_is_type(v, json_type_string)) {
        zm_form_error(f, key, "应为字符串");
        return NULL;
    }
    s = json_object_get_string(v);
    *len = (size_t)json_object_get_string_len(v);
    if (strlen(s) != *len) {
        zm_form_error(f, key, "不能包含 NUL 字符");
        return NULL;
    }
    return s;
}

const char *zm_form_str(zm_form_t *f, const char *key, int required, size_t max_chars)
{
    json_object *v = form_value(f, key, required);
    const char *s;
    size_t len;

    if (v == NULL || (s = form_string(f, key, v, &len)) == NULL) {
        return NULL;
    }
    if (required && len == 0) {
        zm_form_error(f, key, "此字段不能为空");
        return NULL;
    }
    if (zm_utf8_chars(s, len) > max_chars) {
        char *msg = zm_psprintf(f->r->a, "最多 %zu 个字符", max_chars);
        zm_form_error(f, key, msg ? msg : "过长");
        return NULL;
    }
    return s;
}

int zm_form_bool(zm_form_t *f, const char *key, int required)
{
    json_object *v = form_value(f, key, required);

    if (v == NULL) {
        return -1;
    }
    if (!json_object_is_type(v, json_type_boolean)) {
        zm_form_error(f, key, "应为布尔值 true 或 false");
        return -1;
    }
    return json_object_get_boolean(v) ? 1 : 0;
}

int64_t zm_form_int(zm_form_t *f, const char *key, int required, int64_t min, int64_t max, int64_t def)
{
    json_object *v = form_value(f, key, required);
    int64_t x;

    if (v == NULL) {
        return def;
    }
    /* json-c saturates an integer past int64 at the limits: outside any sane [min, max] */
    x = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
    if (!json_object_is_type(v, json_type_int) || x < min || x > max) {
        char *msg = zm_psprintf(f->r->a, "应为 %lld 到 %lld 的整数", (long long)min, (long long)max);
        zm_form_error(f, key, msg ? msg : "应为整数");
        return def;
    }
    return x;
}

int zm_form_enum(zm_form_t *f, const char *key, int required, const char *const *allowed, const char *message)
{
    json_object *v = form_value(f, key, required);
    const char *s;
    size_t len;

    if (v == NULL || (s = form_string(f, key, v, &len)) == NULL) {
        return -1;
    }
    for (int i = 0; allowed[i] != NULL; i++) {
        if (strcmp(allowed[i], s) == 0) {
            return i;
        }
    }
    zm_form_error(f, key, message);
    return -1;
}

const char *zm_form_uuid(zm_form_t *f, const char *key, int required)
{
    json_object *v = form_value(f, key, required);
    const char *s;
    size_t len;

    if (v == NULL || (s = form_string(f, key, v, &len)) == NULL) {
        return NULL;
    }
    for (size_t i = 0; len == 36 && i < len; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i])) {
            len = 0;
        }
    }
    if (len != 36) {
        zm_form_error(f, key, "应为 UUID（如 123e4567-e89b-12d3-a456-426614174000）");
        return NULL;
    }
    return s;
}

int64_t zm_form_id(zm_form_t *f, const char *key, int required)
{
    json_object *v = form_value(f, key, required);

    if (v == NULL) {
        return 0;
    }
    if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) <= 0 ||
        json_object_get_int64(v) == INT64_MAX) {
        zm_form_error(f, key, "应为正整数 ID");
        return 0;
    }
    return json_object_get_int64(v);
}

int64_t zm_form_id_text(zm_form_t *f, const char *key, int required)
{
    json_object *v = form_value(f, key, required);
    const char *s;
    char *end;
    long long x;

    if (v == NULL || !json_object_is_type(v, json_type_string)) {
        return v == NULL ? 0 : zm_form_id(f, key, required);
    }
    s = json_object_get_string(v);
    x = *s >= '0' && *s <= '9' ? strtoll(s, &end, 10) : 0;
    if (x <= 0 || x == LLONG_MAX || *end != '\0') {
        zm_form_error(f, key, "应为正整数 ID");
        return 0;
    }
    return x;
}

int zm_form_done(zm_form_t *f)
{
    if (f->fields == NULL) {
        return ZM_OK;
    }
    if (f->r->route && (f->r->route->body & ZM_REPLY_SEED)) {
        /* the seed's clients show one message: the first field's first */
        json_object_object_foreach(f->fields, key, list)
        {
            (void)key;
            zm_reply_error(f->r, 400, "validation_error", json_object_get_string(json_object_array_get_idx(list, 0)),
                           json_object_get(f->fields));
            return ZM_EINVAL;
        }
    }
    /* the reply takes a reference of its own: the form's copy stays owned by the request */
    zm_reply_error(f->r, 400, "validation_error", "请求参数有误", json_object_get(f->fields));
    return ZM_EINVAL;
}

const char *zm_http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 402:
        return "Payment Required";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Unknown";
    }
}
