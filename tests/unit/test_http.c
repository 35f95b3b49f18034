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

static void release(zm_req_t *r)
{
    for (unsigned i = 0; i < r->nowned; i++) {
        json_object_put(r->owned[i]);
    }
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
    release(r);
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
    release(r);

    r = new_req(&a, json_env, "{\"name\":");
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_EINVAL && r->status == 400);
    ZT_CHECK(strstr(r->out.data, "\"invalid_json\"") != NULL);
    release(r);

    r = new_req(&a, json_env, "{\"a\":1} x");
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_EINVAL && r->status == 400);
    release(r);

    r = new_req(&a, json_env, "[1,2]");
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_EINVAL && r->status == 400);
    release(r);

    r = new_req(&a, json_env, "{\"name\":\"\xff\xfe\"}");
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_EINVAL && r->status == 400);
    ZT_CHECK(strstr(r->out.data, "\"invalid_utf8\"") != NULL);
    release(r);

    r = new_req(&a, text_env, "{}");
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_EINVAL && r->status == 415);
    release(r);

    /* nesting deeper than the cap */
    char deep[200] = "";
    for (int i = 0; i < 60; i++) strcat(deep, "[");
    char wrapped[300];
    snprintf(wrapped, sizeof(wrapped), "{\"a\":%s", deep);
    r = new_req(&a, json_env, wrapped);
    ZT_CHECK(zm_req_json_body(r, &o) == ZM_EINVAL && r->status == 400);
    release(r);
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
    release(r);

    r = new_req(&a, NULL, NULL);
    zm_reply_field_error(r, "email", "邮箱格式不正确");
    ZT_CHECK(r->status == 400);
    ZT_STREQ(r->out.data, "{\"success\":false,\"error\":{\"code\":\"validation_error\",\"message\":\"请求参数有误\","
                          "\"fields\":{\"email\":[\"邮箱格式不正确\"]}}}");
    ZT_CHECK(zm_reply_header(r, "X-Evil", "a\r\nSet-Cookie: x") == ZM_EINVAL);
    release(r);

    r = new_req(&a, NULL, NULL);
    zm_reply_from_rc(r, ZM_EDBDOWN);
    ZT_CHECK(r->status == 503 && strstr(r->headers.data, "Retry-After: 5") != NULL);
    release(r);
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

int main(void)
{
    ZT_RUN(test_utf8);
    ZT_RUN(test_query);
    ZT_RUN(test_json_body);
    ZT_RUN(test_envelope);
    ZT_RUN(test_buf_cap);
    ZT_RUN(test_encoders);
    return zt_done();
}
