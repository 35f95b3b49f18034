/*
 * fuzz_json_body.c -- libFuzzer target for zm_req_json_body, the parser of
 * every JSON request body (fcgi/core/http.c).
 *
 * Input: the body (Content-Type application/json).  Besides memory errors
 * (ASan) and undefined behaviour (UBSan) it checks what handlers and the
 * database rely on, and aborts when a promise is broken:
 *   - a body that is not strictly valid UTF-8 (RFC 3629) is refused with
 *     400 invalid_utf8, one with an unpaired surrogate escape with 400;
 *   - an accepted body is a JSON object whose keys and strings are all valid
 *     UTF-8 (NUL allowed: \u0000), which serializes to valid UTF-8 without
 *     NUL, and which parses back to the same serialization;
 *   - a refused body is answered with the JSON error envelope, 400, in UTF-8;
 *   - on an accepted body, zm_form_id_text of every key gives a positive id or 0, an id only from a
 *     positive integer or a string of digits alone that reads as it, and a ZM_REPLY_SEED route's
 *     form answers 400 with the same message at the top and in the error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define FUZZ_MAX_BODY (1u << 20) /* http.max_body caps it upstream; larger inputs only slow the fuzzer */
#define FUZZ_ARENA_CAP (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *fuzz_env[] = {"CONTENT_TYPE=application/json", NULL};

/* UTF-8 by zm_utf8_seq_len, the decoder the server uses; NUL counts as valid here */
static int fuzz_utf8(const char *s, size_t n)
{
    for (size_t i = 0, k; i < n; i += k) {
        k = zm_utf8_seq_len((const unsigned char *)s + i, n - i);
        if (k == 0) {
            return 0;
        }
    }
    return 1;
}

/* Does s hold a \uD800-\uDFFF escape that is not the high half of a pair followed by the low half?
 * An oracle of its own (it follows strings, the server's check does not need to). */
static int fuzz_lone_surrogate(const char *s, size_t n)
{
    int in_str = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned v = 0, w = 0;

        if (s[i] == '"') {
            in_str = !in_str;
            continue;
        }
        if (!in_str || s[i] != '\\') {
            continue;
        }
        if (i + 5 < n && s[i + 1] == 'u' && sscanf(s + i + 2, "%4x", &v) == 1 && v >= 0xD800 && v <= 0xDFFF) {
            if (v >= 0xDC00 || !(i + 11 < n && s[i + 6] == '\\' && s[i + 7] == 'u' &&
                                 sscanf(s + i + 8, "%4x", &w) == 1 && w >= 0xDC00 && w <= 0xDFFF)) {
                return 1;
            }
            i += 11;
            continue;
        }
        i++; /* the escaped character, a quote or a backslash above all */
    }
    return 0;
}

static void fuzz_walk(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_object: {
        json_object_object_foreach(o, key, val)
        {
            if (!fuzz_utf8(key, strlen(key))) {
                abort();
            }
            fuzz_walk(val);
        }
        break;
    }
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(o); i++) {
            fuzz_walk(json_object_array_get_idx(o, i));
        }
        break;
    case json_type_string:
        if (!fuzz_utf8(json_object_get_string(o), (size_t)json_object_get_string_len(o))) {
            abort();
        }
        break;
    default:
        break;
    }
}

/* zm_form_id_text over every key of o, on a seed route; the answer's two messages agree */
static void fuzz_form_ids(zm_req_t *r, json_object *o)
{
    static const zm_route_t seed = {"POST", "/x", NULL, ZM_AUTH_NONE, NULL, ZM_BODY_JSON | ZM_REPLY_SEED};
    zm_form_t f;

    r->route = &seed;
    zm_form_init(&f, r);
    f.body = o;
    json_object_object_foreach(o, key, val)
    {
        int64_t id = zm_form_id_text(&f, key, 0);
        if (id < 0 || (id > 0 && !(json_object_is_type(val, json_type_int) && json_object_get_int64(val) == id) &&
                       !(json_object_is_type(val, json_type_string) &&
                         strspn(json_object_get_string(val), "0123456789") == strlen(json_object_get_string(val)) &&
                         strtoll(json_object_get_string(val), NULL, 10) == id))) {
            abort();
        }
    }
    if (zm_form_done(&f) != ZM_OK) {
        json_object *ans = json_tokener_parse(r->out.data), *m, *e, *em;
        if (r->status != 400 || ans == NULL || !json_object_object_get_ex(ans, "message", &m) ||
            !json_object_object_get_ex(ans, "error", &e) || !json_object_object_get_ex(e, "message", &em) ||
            strcmp(json_object_get_string(m), json_object_get_string(em)) != 0) {
            abort();
        }
        json_object_put(ans);
    }
}

/* A request for body[0..n), as the server builds it: a NUL-terminated copy in the arena. */
static zm_req_t *fuzz_req(zm_arena_t *a, const char *body, size_t n)
{
    zm_req_t *r = zm_pcalloc(a, sizeof(*r));
    char *copy = zm_palloc(a, n + 1);

    if (r == NULL || copy == NULL) {
        abort();
    }
    memcpy(copy, body, n);
    copy[n] = '\0';
    r->a = a;
    r->envp = fuzz_env;
    r->query = "";
    r->body = copy;
    r->body_len = n;
    return r;
}

/* The answer to a refused body: {"success":false,"error":{"code":...}} with 400, in UTF-8. */
static const char *fuzz_error_code(zm_req_t *r)
{
    json_object *o, *err, *code;
    const char *c;
    static char out[32];

    if (r->status != 400 || r->out.data == NULL || !zm_utf8_valid(r->out.data, r->out.len)) {
        abort();
    }
    o = json_tokener_parse(r->out.data);
    if (o == NULL || !json_object_object_get_ex(o, "error", &err) || !json_object_object_get_ex(err, "code", &code) ||
        (c = json_object_get_string(code)) == NULL) {
        abort();
    }
    snprintf(out, sizeof(out), "%s", c);
    json_object_put(o);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zm_arena_t a;
    zm_req_t *r;
    json_object *o;
    int rc;

    if (size > FUZZ_MAX_BODY) {
        return 0;
    }
    zm_arena_init(&a, 16384, FUZZ_ARENA_CAP);
    r = fuzz_req(&a, (const char *)data, size);
    rc = zm_req_json_body(r, &o);
    if (rc == ZM_OK) {
        const char *s;
        size_t len;
        zm_req_t *again;
        json_object *o2;

        if (o == NULL || !json_object_is_type(o, json_type_object) || r->status != 0 ||
            !fuzz_utf8(r->body, r->body_len) || fuzz_lone_surrogate(r->body, r->body_len)) {
            abort();
        }
        fuzz_walk(o);
        fuzz_form_ids(fuzz_req(&a, "", 0), o);
        s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
        if (s == NULL || !zm_utf8_valid(s, len)) {
            abort();
        }
        /* what we would send out is accepted again, unchanged */
        again = fuzz_req(&a, s, len);
        if (zm_req_json_body(again, &o2) != ZM_OK) {
            abort();
        }
        {
            size_t len2;
            const char *s2 =
                json_object_to_json_string_length(o2, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len2);
            if (s2 == NULL || len2 != len || memcmp(s, s2, len) != 0) {
                abort();
            }
        }
    } else if (rc == ZM_EINVAL) {
        const char *code = fuzz_error_code(r);

        if (o != NULL) {
            abort();
        }
        if (!fuzz_utf8(r->body, r->body_len) ? strcmp(code, "invalid_utf8") != 0 : strcmp(code, "invalid_json") != 0) {
            abort();
        }
    } else if (rc != ZM_ENOMEM) {
        abort();
    }
    zm_arena_destroy(&a); /* releases the requests' JSON objects, as the server's reset does */
    return 0;
}
