#include <stdint.h>
#include <string.h>

#include "http.h"
#include "zt.h"

static void test_utf8(void)
{
    ZT_CHECK(zm_utf8_valid("hello", 5));
    ZT_CHECK(zm_utf8_valid("职麦 🎉", strlen("职麦 🎉")));
    ZT_CHECK(!zm_utf8_valid("\xff", 1));
    ZT_CHECK(!zm_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    ZT_CHECK(!zm_utf8_valid("\xe0\x80\xaf", 3));     /* overlong */
    ZT_CHECK(!zm_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    ZT_CHECK(!zm_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
    ZT_CHECK(!zm_utf8_valid("\xe8\x81", 2));         /* truncated */
    ZT_CHECK(!zm_utf8_valid("a\0b", 3));             /* NUL */
}

/* zm_utf8_seq_len at the edges of RFC 3629's table */
static void test_utf8_seq_len(void)
{
    static const struct {
        const char *s;
        size_t n, want;
    } cases[] = {
        {"\x7f", 1, 1},
        {"\xc2\x80", 2, 2},         /* U+0080 */
        {"\xc1\xbf", 2, 0},         /* overlong U+007F */
        {"\xc0\xaf", 2, 0},         /* overlong '/' */
        {"\xdf\xbf", 2, 2},         /* U+07FF */
        {"\xe0\xa0\x80", 3, 3},     /* U+0800 */
        {"\xe0\x9f\xbf", 3, 0},     /* overlong U+07FF */
        {"\xe0\x80\xaf", 3, 0},     /* overlong '/' */
        {"\xed\x9f\xbf", 3, 3},     /* U+D7FF */
        {"\xed\xa0\x80", 3, 0},     /* U+D800, a surrogate */
        {"\xed\xbf\xbf", 3, 0},     /* U+DFFF */
        {"\xee\x80\x80", 3, 3},     /* U+E000 */
        {"\xef\xbf\xbf", 3, 3},     /* U+FFFF */
        {"\xf0\x90\x80\x80", 4, 4}, /* U+10000 */
        {"\xf0\x8f\xbf\xbf", 4, 0}, /* overlong U+FFFF */
        {"\xf4\x8f\xbf\xbf", 4, 4}, /* U+10FFFF */
        {"\xf4\x90\x80\x80", 4, 0}, /* U+110000 */
        {"\xf5\x80\x80\x80", 4, 0}, /* F5..FF never start a sequence */
        {"\xf8\x88\x80\x80\x80", 5, 0},
        {"\xff", 1, 0},
        {"\x80", 1, 0},         /* a lone continuation byte */
        {"\xe8\x81", 2, 0},     /* cut short */
        {"\xe8\x81\x8c", 2, 0}, /* cut short by n, not by the bytes */
        {"\xe8\x41\x8c", 3, 0}, /* not a continuation byte */
    };
    for (size_t i = 0; i < ZM_ARRAY_LEN(cases); i++) {
        size_t got = zm_utf8_seq_len((const unsigned char *)cases[i].s, cases[i].n);
        if (got != cases[i].want) {
            fprintf(stderr, "case %zu: zm_utf8_seq_len = %zu, want %zu\n", i, got, cases[i].want);
        }
        ZT_CHECK(got == cases[i].want);
    }
    ZT_CHECK(zm_utf8_chars("职麦 🎉", strlen("职麦 🎉")) == 4);
    ZT_CHECK(zm_utf8_chars("", 0) == 0);
}

static zm_req_t *new_req(zm_arena_t *a, char **env, const char *body)
{
    zm_req_t *r = zm_pcalloc(a, sizeof(*r));
    r->a = a;
    r->envp = env;
    r->query = "";
    r->body = body ? zm_pstrdup(a, body) : NULL;
    r->body_len = body ? strlen(body) : 0;
    return r;
}

static void test_query(void)
{
    zm_arena_t a;
    zm_arena_init(&a, 4096, 0);
    zm_req_t *r = new_req(&a, NULL, NULL);
    int64_t v;
    r->query = "page=2&q=%E8%81%8C%E9%BA%A6+ai&bad=%zz&inv=%ff&flag";
    ZT_STREQ(zm_req_query(r, "page"), "2");
    ZT_STREQ(zm_req_query(r, "q"), "职麦 ai");
    ZT_CHECK(zm_req_query(r, "bad") == NULL);
    ZT_CHECK(zm_req_query(r, "inv") == NULL);
    ZT_STREQ(zm_req_query(r, "flag"), "");
    ZT_CHECK(zm_req_query(r, "pag") == NULL);
    ZT_CHECK(zm_req_query_int(r, "page", 1, 1, 100, &v) == ZM_OK && v == 2);
    ZT_CHECK(zm_req_query_int(r, "missing", 7, 1, 100, &v) == ZM_OK && v == 7);
    ZT_CHECK(zm_req_query_int(r, "q", 1, 1, 100, &v) == ZM_EINVAL && r->status == 400);
    zm_arena_destroy(&a);
}

static void test_json_body(void)
{
    zm_arena_t a;
    char *json_env[] = {"CONTENT_TYPE=application/json; charset=utf-8", NULL};
    char *text_env[] = {"CONTENT_TYPE=text/plain", NULL};
    json_object *o;
    zm_arena_init(&a, 4096, 0);

    zm_req_t *r = new_req(&a, json_env, "{\"name\":\"张三\"}");
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_OK && o != NULL && r->status == 0);

    r = new_req(&a, json_env, "{\"name\":");
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_EINVAL && r->status == 400);
    ZT_CHECK(strstr(r->out.data, "\"invalid_json\"") != NULL);

    r = new_req(&a, json_env, "{\"a\":1} x");
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_EINVAL && r->status == 400);

    r = new_req(&a, json_env, "[1,2]");
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_EINVAL && r->status == 400);

    r = new_req(&a, json_env, "{\"name\":\"\xff\xfe\"}");
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_EINVAL && r->status == 400);
    ZT_CHECK(strstr(r->out.data, "\"invalid_utf8\"") != NULL);

    r = new_req(&a, text_env, "{}");
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_EINVAL && r->status == 415);

    /* valid UTF-8 where JSON has no place for it is malformed JSON, not bad UTF-8 */
    r = new_req(&a, json_env, "\xef\xbb\xbf{\"a\":1}");
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_EINVAL && r->status == 400);
    ZT_CHECK(strstr(r->out.data, "\"invalid_json\"") != NULL);

    /* a pair of surrogate escapes is one character; a backslash escaped is not an escape */
    r = new_req(&a, json_env, "{\"e\":\"\\ud83d\\uDE00\",\"b\":\"\\\\ud800\",\"z\":\"\\u0041\\uffff\"}");
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_OK && r->status == 0);
    if (o != NULL) {
        json_object *v;
        ZT_CHECK(json_object_object_get_ex(o, "e", &v) && strcmp(json_object_get_string(v), "\xf0\x9f\x98\x80") == 0);
        ZT_CHECK(json_object_object_get_ex(o, "b", &v) && strcmp(json_object_get_string(v), "\\ud800") == 0);
        ZT_CHECK(json_object_object_get_ex(o, "z", &v) && strcmp(json_object_get_string(v), "A\xef\xbf\xbf") == 0);
    }

    /* nesting deeper than the cap */
    char deep[200] = "";
    for (int i = 0; i < 60; i++)
        strcat(deep, "[");
    char wrapped[300];
    snprintf(wrapped, sizeof(wrapped), "{\"a\":%s", deep);
    r = new_req(&a, json_env, wrapped);
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_EINVAL && r->status == 400);
    zm_arena_destroy(&a);
}

/* Bodies that are not JSON text (RFC 8259 section 8: UTF-8, and escapes that name characters) are a
 * 400, never passed on: json-c lets overlong and surrogate bytes through (MariaDB refuses them, a 500,
 * or stores them and they go out again as invalid JSON) and turns an unpaired surrogate escape into
 * U+FFFD. */
static void test_json_body_unicode(void)
{
    static const struct {
        const char *body, *code;
    } bad[] = {
        {"{\"email\":\"a\xc0\xaf@x.com\"}", "invalid_utf8"},         /* overlong '/' */
        {"{\"email\":\"a\xe0\x80\xaf@x.com\"}", "invalid_utf8"},     /* overlong '/' */
        {"{\"email\":\"a\xf4\x90\x80\x80@x.com\"}", "invalid_utf8"}, /* U+110000 */
        {"{\"email\":\"a\xf5\x80\x80\x80@x.com\"}", "invalid_utf8"},
        {"{\"email\":\"a\xf8\x88\x80\x80\x80@x.com\"}", "invalid_utf8"},
        {"{\"email\":\"a\xff@x.com\"}", "invalid_utf8"},
        {"{\"name\":\"\xed\xa0\x80\"}", "invalid_utf8"},             /* U+D800 as bytes */
        {"{\"name\":\"\xed\xa0\xbd\xed\xb8\x80\"}", "invalid_utf8"}, /* CESU-8, not UTF-8 */
        {"{\"\xc0\xaf\":1}", "invalid_utf8"},                        /* in a key */
        {"{\"a\":1}\n\xc0\xaf", "invalid_utf8"},                     /* after the value */
        {"{\"a\":\"\\\xc0\xaf\"}", "invalid_utf8"},                  /* after a backslash */
        {"{\"name\":\"\xe8\x81\"}", "invalid_utf8"},                 /* cut short */
        {"{\"a\":\"\\u\xc0\xafzz\"}", "invalid_utf8"},
        {"{\"a\":\"\\ud800\",\"b\":\"\xff\"}", "invalid_utf8"},
        /* bad bytes after a bad escape */          /* in a broken \u escape */
        {"{\"name\":\"\\ud800\"}", "invalid_json"}, /* lone high surrogate */
        {"{\"name\":\"\\udc00\"}", "invalid_json"}, /* lone low surrogate */
        {"{\"name\":\"\\uD800x\"}", "invalid_json"},
        {"{\"name\":\"\\ud800\\u0041\"}", "invalid_json"},
        {"{\"name\":\"\\ud800\\ud800\"}", "invalid_json"},
        {"{\"name\":\"\\ude00\\ud83d\"}", "invalid_json"}, /* the pair reversed */
        {"{\"name\":\"x\\ud83d\"}", "invalid_json"},       /* at the end of the string */
        {"{\"\\udfff\":1}", "invalid_json"},               /* in a key */
        {"{\"a\":\"\\\\\\ud800\"}", "invalid_json"},       /* escaped backslash, then \ud800 */
    };
    char *json_env[] = {"CONTENT_TYPE=application/json", NULL};
    zm_arena_t a;
    json_object *o;

    zm_arena_init(&a, 4096, 0);
    for (size_t i = 0; i < ZM_ARRAY_LEN(bad); i++) {
        zm_req_t *r = new_req(&a, json_env, bad[i].body);
        int rc = zm_req_json_body(r, &o);
        char want[64];

        snprintf(want, sizeof(want), "\"code\":\"%s\"", bad[i].code);
        if (rc != ZM_EINVAL || r->status != 400 || r->out.data == NULL || strstr(r->out.data, want) == NULL) {
            fprintf(stderr, "case %zu: rc %d, status %d, %s\n", i, rc, r->status, r->out.data ? r->out.data : "");
        }
        ZT_CHECK(rc == ZM_EINVAL && o == NULL && r->status == 400);
        ZT_CHECK(r->out.data != NULL && strstr(r->out.data, want) != NULL);
        /* the answer itself is valid UTF-8 */
        ZT_CHECK(r->out.data != NULL && zm_utf8_valid(r->out.data, r->out.len));
    }
    zm_arena_destroy(&a);
}

static void test_envelope(void)
{
    zm_arena_t a;
    zm_arena_init(&a, 4096, 0);
    zm_req_t *r = new_req(&a, NULL, NULL);
    json_object *d = json_object_new_object();
    json_object_object_add(d, "url", json_object_new_string("/a/b"));
    ZT_CHECK(zm_reply_data(r, 201, d) == ZM_OK);
    ZT_CHECK(r->status == 201);
    ZT_STREQ(r->out.data, "{\"success\":true,\"data\":{\"url\":\"/a/b\"}}");

    r = new_req(&a, NULL, NULL);
    zm_reply_field_error(r, "email", "邮箱格式不正确");
    ZT_CHECK(r->status == 400);
    ZT_STREQ(r->out.data, "{\"success\":false,\"error\":{\"code\":\"validation_error\",\"message\":\"请求参数有误\","
                          "\"fields\":{\"email\":[\"邮箱格式不正确\"]}}}");
    ZT_CHECK(zm_reply_header(r, "X-Evil", "a\r\nSet-Cookie: x") == ZM_EINVAL);

    r = new_req(&a, NULL, NULL);
    zm_reply_from_rc(r, ZM_EDBDOWN);
    ZT_CHECK(r->status == 503 && strstr(r->headers.data, "Retry-After: 5") != NULL);
    zm_arena_destroy(&a);
}

static void test_buf_cap(void)
{
    zm_arena_t a;
    zm_buf_t b = {0};
    zm_arena_init(&a, 4096, 0);
    ZT_CHECK(zm_buf_append(&a, &b, "12345", 5, 8) == ZM_OK);
    ZT_CHECK(zm_buf_append(&a, &b, "6789", 4, 8) == ZM_ETOOBIG);
    ZT_CHECK(b.len == 5);
    zm_arena_destroy(&a);
}

/* the shared encoders: percent-decoding both ways of '+', SHA-256 hex, Content-Disposition */
static void test_encoders(void)
{
    zm_arena_t a;
    size_t n = 0;
    char hex[65];

    zm_arena_init(&a, 4096, 0);
    ZT_STREQ(zm_pct_decode(&a, "a+b%2Fc%e8%81%8c", 16, 1, &n), "a b/c\xe8\x81\x8c");
    ZT_CHECK(n == 8);
    ZT_STREQ(zm_pct_decode(&a, "a+b", 3, 0, NULL), "a+b");
    ZT_CHECK(zm_pct_decode(&a, "%4", 2, 1, NULL) == NULL);
    ZT_CHECK(zm_pct_decode(&a, "%g0", 3, 1, NULL) == NULL);
    ZT_CHECK(zm_hexval('F') == 15 && zm_hexval('a') == 10 && zm_hexval('x') == -1);
    zm_sha256_hex("abc", 3, hex);
    ZT_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ZT_STREQ(zm_content_disposition(&a, "简历 \"v2\".pdf"),
             "attachment; filename=\"__ _v2_.pdf\"; filename*=UTF-8''%E7%AE%80%E5%8E%86%20%22v2%22.pdf");
    zm_arena_destroy(&a);
}

/* zm_form_json and the typed readers: every error of a form in one 400, readers' "nothing" on a bad field */
static void test_form_readers(void)
{
    static const char *const colors[] = {"red", "green", NULL};
    char *json_env[] = {"CONTENT_TYPE=application/json", NULL};
    zm_arena_t a;
    zm_form_t f;
    json_object *body;

    zm_arena_init(&a, 4096, 0);
    zm_req_t *r =
        new_req(&a, json_env,
                "{\"s\":\"职麦\",\"b\":true,\"n\":7,\"c\":\"green\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\","
                "\"id\":42,\"nul\":null}");
    ZT_CHECK(zm_form_json(&f, r, &body) == ZM_OK && body != NULL && f.body == body);
    ZT_STREQ(zm_form_str(&f, "s", 1, 2), "职麦");
    ZT_CHECK(zm_form_bool(&f, "b", 1) == 1);
    ZT_CHECK(zm_form_bool(&f, "nul", 0) == -1);
    ZT_CHECK(zm_form_int(&f, "n", 1, 1, 10, 5) == 7);
    ZT_CHECK(zm_form_int(&f, "absent", 0, 1, 10, 5) == 5);
    ZT_CHECK(zm_form_enum(&f, "c", 1, colors, "red or green") == 1);
    ZT_STREQ(zm_form_uuid(&f, "u", 1), "123e4567-e89b-12d3-a456-426614174000");
    ZT_CHECK(zm_form_id(&f, "id", 1) == 42);
    ZT_CHECK(!zm_form_failed(&f));
    ZT_CHECK(zm_form_done(&f) == ZM_OK && r->status == 0);

    r = new_req(&a, json_env,
                "{\"s\":\"abc\",\"b\":1,\"n\":1.0,\"m\":51,\"c\":\"blue\",\"u\":\"123e4567e89b12d3a456426614174000\","
                "\"id\":0}");
    ZT_CHECK(zm_form_json(&f, r, NULL) == ZM_OK);
    ZT_CHECK(zm_form_str(&f, "s", 1, 2) == NULL);
    ZT_CHECK(zm_form_bool(&f, "b", 0) == -1);
    ZT_CHECK(zm_form_bool(&f, "absent_bool", 1) == -1);
    ZT_CHECK(zm_form_int(&f, "n", 0, 1, 50, 10) == 10);
    ZT_CHECK(zm_form_int(&f, "m", 0, 1, 50, 10) == 10);
    ZT_CHECK(zm_form_enum(&f, "c", 0, colors, "red or green") == -1);
    ZT_CHECK(zm_form_uuid(&f, "u", 0) == NULL);
    ZT_CHECK(zm_form_id(&f, "id", 0) == 0);
    ZT_CHECK(zm_form_failed(&f));
    ZT_CHECK(zm_form_done(&f) == ZM_EINVAL && r->status == 400);
    ZT_STREQ(r->out.data,
             "{\"success\":false,\"error\":{\"code\":\"validation_error\",\"message\":\"请求参数有误\","
             "\"fields\":{\"s\":[\"最多 2 个字符\"],\"b\":[\"应为布尔值 true 或 false\"],"
             "\"absent_bool\":[\"此字段为必填项\"],\"n\":[\"应为 1 到 50 的整数\"],"
             "\"m\":[\"应为 1 到 50 的整数\"],\"c\":[\"red or green\"],"
             "\"u\":[\"应为 UUID（如 123e4567-e89b-12d3-a456-426614174000）\"],\"id\":[\"应为正整数 ID\"]}}}");

    /* not JSON: answered, and the form reads nothing */
    char *text_env[] = {"CONTENT_TYPE=text/plain", NULL};
    r = new_req(&a, text_env, "{}");
    ZT_CHECK(zm_form_json(&f, r, &body) == ZM_EINVAL && body == NULL && r->status == 415);
    ZT_CHECK(!zm_req_is_json(r));
    zm_arena_destroy(&a);
}

/* a ZM_REPLY_SEED route: every failure with the message at the top too; a form's 400 says its first
 * field's first message (zm_form_say's wording when the handler gave one); ids as 1 or "1" */
static void test_seed_envelope(void)
{
    static const char *const prios[] = {"high", "normal", "low", NULL};
    static const zm_route_t seed = {"POST", "/match/start/{job_id}",    NULL, ZM_AUTH_HR,
                                    NULL,   ZM_BODY_ANY | ZM_REPLY_SEED};
    char *json_env[] = {"CONTENT_TYPE=application/json", NULL};
    zm_arena_t a;
    zm_form_t f;

    zm_arena_init(&a, 4096, 0);
    zm_req_t *r = new_req(&a, json_env, "{\"job_id\":\"7\",\"n\":7,\"priority\":1}");
    r->route = &seed;
    ZT_CHECK(zm_form_json(&f, r, NULL) == ZM_OK);
    ZT_CHECK(zm_form_id_text(&f, "job_id", 1) == 7 && zm_form_id_text(&f, "n", 1) == 7);
    zm_form_say(&f, "priority", "priority 应为 high、normal 或 low");
    ZT_CHECK(zm_form_enum(&f, "priority", 0, prios, "priority 应为 high、normal 或 low") == -1);
    ZT_CHECK(zm_form_done(&f) == ZM_EINVAL && r->status == 400);
    ZT_STREQ(r->out.data, "{\"success\":false,\"message\":\"priority 应为 high、normal 或 low\",\"error\":{\"code\":"
                          "\"validation_error\",\"message\":\"priority 应为 high、normal 或 low\",\"fields\":{"
                          "\"priority\":[\"priority 应为 high、normal 或 low\"]}}}");

    r = new_req(&a, json_env, "{\"a\":\"07x\",\"b\":\"0\",\"c\":-1,\"d\":\"\"}");
    r->route = &seed;
    ZT_CHECK(zm_form_json(&f, r, NULL) == ZM_OK);
    ZT_CHECK(zm_form_id_text(&f, "a", 0) == 0 && zm_form_id_text(&f, "b", 0) == 0);
    ZT_CHECK(zm_form_id_text(&f, "c", 0) == 0 && zm_form_id_text(&f, "d", 0) == 0);
    ZT_CHECK(zm_form_id_text(&f, "absent", 0) == 0);
    ZT_CHECK(zm_form_done(&f) == ZM_EINVAL);
    ZT_CHECK(strstr(r->out.data, "{\"success\":false,\"message\":\"应为正整数 ID\",") == r->out.data);
    ZT_CHECK(strstr(r->out.data, "\"d\":[\"应为正整数 ID\"]") != NULL && strstr(r->out.data, "absent") == NULL);

    /* mapped codes too; a route without the flag keeps the tree's envelope */
    static const zm_error_map_t errs[] = {{ZM_ENOTFOUND, 404, "not_found", "职位不存在"}};
    r = new_req(&a, NULL, NULL);
    r->route = &seed;
    ZT_CHECK(ZM_REPLY_MAPPED(r, errs, ZM_ENOTFOUND) == ZM_OK && r->status == 404);
    ZT_STREQ(r->out.data, "{\"success\":false,\"message\":\"职位不存在\",\"error\":{\"code\":\"not_found\","
                          "\"message\":\"职位不存在\"}}");
    static const zm_route_t tree = {"GET", "/x", NULL, ZM_AUTH_HR, NULL, ZM_BODY_ANY};
    r = new_req(&a, NULL, NULL);
    r->route = &tree;
    ZT_CHECK(ZM_REPLY_MAPPED(r, errs, ZM_ENOTFOUND) == ZM_OK);
    ZT_STREQ(r->out.data, "{\"success\":false,\"error\":{\"code\":\"not_found\",\"message\":\"职位不存在\"}}");
    zm_arena_destroy(&a);
}

static void test_page_and_ids(void)
{
    zm_arena_t a;
    zm_page_t page;
    int64_t id = -1;

    zm_arena_init(&a, 4096, 0);
    zm_req_t *r = new_req(&a, NULL, NULL);
    ZT_CHECK(zm_req_page(r, ZM_PAGE_MAX, &page) == ZM_OK && page.page == 1 && page.size == 20);
    ZT_CHECK(zm_reply_page(r, &page, 3, json_object_new_array()) == ZM_OK && r->status == 200);
    ZT_STREQ(r->out.data, "{\"success\":true,\"data\":{\"items\":[],\"total\":3,\"page\":1,\"page_size\":20}}");
    r = new_req(&a, NULL, NULL);
    r->query = "page=2&page_size=100";
    ZT_CHECK(zm_req_page(r, ZM_PAGE_MAX, &page) == ZM_OK && page.page == 2 && page.size == 100);
    r->query = "page_size=101";
    ZT_CHECK(zm_req_page(r, ZM_PAGE_MAX, &page) == ZM_EINVAL && r->status == 400);
    /* a list with a smaller largest page */
    r = new_req(&a, NULL, NULL);
    r->query = "page_size=50";
    ZT_CHECK(zm_req_page(r, 50, &page) == ZM_OK && page.size == 50);
    r = new_req(&a, NULL, NULL);
    r->query = "page_size=51";
    ZT_CHECK(zm_req_page(r, 50, &page) == ZM_EINVAL && r->status == 400);

    /* path ids: what the router hands over ("id}" is how a name looks inside its pattern) */
    static const struct {
        const char *v;
        int ok;
        int64_t want;
    } ids[] = {
        {"1", 1, 1},  {"007", 1, 7}, {"9223372036854775807", 1, INT64_MAX}, {"0", 0, 0}, {"-1", 0, 0},   {"+1", 0, 0},
        {" 1", 0, 0}, {"1x", 0, 0},  {"9223372036854775808", 0, 0},         {"", 0, 0},  {"0x10", 0, 0}, {"１", 0, 0}};
    for (size_t i = 0; i < ZM_ARRAY_LEN(ids); i++) {
        r = new_req(&a, NULL, NULL);
        r->params.n = 1;
        r->params.names[0] = "id}";
        r->params.values[0] = ids[i].v;
        id = -1;
        int rc = zm_req_param_id(r, "id", &id);
        if ((rc == ZM_OK) != ids[i].ok || (ids[i].ok && id != ids[i].want)) {
            fprintf(stderr, "id case %zu (%s): rc %d, id %lld\n", i, ids[i].v, rc, (long long)id);
        }
        ZT_CHECK((rc == ZM_OK) == ids[i].ok && (!ids[i].ok || id == ids[i].want));
        ZT_CHECK(r->status == 0); /* never answered: each endpoint words its 404 */
    }
    r = new_req(&a, NULL, NULL);
    ZT_CHECK(zm_req_param_id(r, "id", &id) == ZM_EINVAL);
    zm_arena_destroy(&a);
}

static void test_mapped_and_limited(void)
{
    static const zm_error_map_t errors[] = {
        {-41, 409, "last_version", "唯一的版本"},
        {ZM_ENOTFOUND, 404, "not_found", "简历不存在"},
    };
    zm_arena_t a;

    zm_arena_init(&a, 4096, 0);
    zm_req_t *r = new_req(&a, NULL, NULL);
    ZT_CHECK(ZM_REPLY_MAPPED(r, errors, -41) == ZM_OK && r->status == 409);
    ZT_STREQ(r->out.data, "{\"success\":false,\"error\":{\"code\":\"last_version\",\"message\":\"唯一的版本\"}}");
    r = new_req(&a, NULL, NULL);
    ZT_CHECK(ZM_REPLY_MAPPED(r, errors, ZM_ENOTFOUND) == ZM_OK && r->status == 404);
    ZT_CHECK(strstr(r->out.data, "简历不存在") != NULL);
    /* not in the table: as zm_reply_from_rc */
    r = new_req(&a, NULL, NULL);
    ZT_CHECK(ZM_REPLY_MAPPED(r, errors, ZM_EDBDOWN) == ZM_OK && r->status == 503);
    ZT_CHECK(strstr(r->headers.data, "Retry-After: 5") != NULL);
    r = new_req(&a, NULL, NULL);
    ZT_CHECK(ZM_REPLY_MAPPED(r, errors, -42) == ZM_OK && r->status == 500);

    r = new_req(&a, NULL, NULL);
    ZT_CHECK(zm_reply_limited(r, 42, "慢一点") == ZM_OK && r->status == 429);
    ZT_STREQ(r->headers.data, "Retry-After: 42\r\n");
    ZT_STREQ(r->out.data, "{\"success\":false,\"error\":{\"code\":\"rate_limited\",\"message\":\"慢一点\"}}");
    zm_arena_destroy(&a);
}

int main(void)
{
    ZT_RUN(test_utf8);
    ZT_RUN(test_form_readers);
    ZT_RUN(test_seed_envelope);
    ZT_RUN(test_page_and_ids);
    ZT_RUN(test_mapped_and_limited);
    ZT_RUN(test_utf8_seq_len);
    ZT_RUN(test_query);
    ZT_RUN(test_json_body);
    ZT_RUN(test_json_body_unicode);
    ZT_RUN(test_envelope);
    ZT_RUN(test_buf_cap);
    ZT_RUN(test_encoders);
    return zt_done();
}
