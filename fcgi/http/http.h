/*
 * http.h -- one request inside a FastCGI worker, and its response.
 *
 * A request's memory comes from r->a; JSON objects it creates are released
 * when the request ends (zm_req_own: a cleanup on the arena).  Handlers read
 * like the endpoint's documentation:
 *
 *     static const zm_error_map_t thing_errors[] = {
 *         {ZM_ENOTFOUND, 404, "not_found", "简历不存在"},
 *         {THING_ETAKEN, 409, "name_taken", "该名称已被使用"},
 *     };
 *
 *     int thing_api_create(zm_req_t *r) {
 *         json_object *out;
 *         zm_form_t f;
 *         if (zm_form_json(&f, r, NULL) != ZM_OK) return ZM_OK;  // 415/400 answered
 *         const char *name = zm_form_str(&f, "name", 1, 255);
 *         int64_t n = zm_form_int(&f, "count", 0, 1, 50, 10);
 *         if (zm_form_done(&f) != ZM_OK) return ZM_OK;           // 400 with every field's errors
 *         int rc = thing_create(r->db, r->a, r->user_id, name, n, &out);
 *         return rc == ZM_OK ? zm_reply_data(r, 201, out) : ZM_REPLY_MAPPED(r, thing_errors, rc);
 *     }
 *
 * The one rule for what a handler returns: ZM_OK once it has answered,
 * whatever the answer (2xx or 4xx); a negative ZM_E* code only when it has
 * not, and the server answers from it with zm_reply_from_rc() (ZM_EDBDOWN
 * 503 + Retry-After, ZM_ENOTFOUND 404, ZM_ETOOBIG 413, anything else 500).
 * Every zm_reply_* returns ZM_OK once it answered (a negative code when it
 * could not build the answer), so `return zm_reply_...(...)` keeps the rule.
 * The readers that answer a bad request themselves (zm_req_json_body,
 * zm_form_json, zm_form_done, zm_req_page, zm_req_query_int) return
 * ZM_EINVAL after answering: the handler then returns ZM_OK.
 */
#ifndef ZM_HTTP_H
#define ZM_HTTP_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "db.h"
#include "hash.h"
#include "router.h"
#include "str.h"
#include "zm.h"

typedef struct zm_req_s {
    zm_arena_t *a;
    db_t *db;
    void *fcgi;  /* FCGX_Request *, for the server only */
    char **envp; /* FastCGI params */

    const char *method;
    const char *path;  /* decoded path, as nginx normalized it */
    const char *query; /* raw query string, "" when none */
    const char *request_id;
    const char *client_ip; /* REMOTE_ADDR: as nginx decided it (real_ip), never a header */

    char *body; /* NUL-terminated copy; body_len bytes */
    size_t body_len;

    const zm_route_t *route;
    zm_route_params_t params;

    int64_t user_id; /* 0 when anonymous */
    int role;        /* ZM_ROLE_* once authenticated */

    int status;       /* 0 until answered */
    zm_buf_t headers; /* extra response header lines */
    zm_buf_t out;     /* response body */
    const char *content_type;
    int streamed; /* 1 once zm_reply_stream_begin sent the head: the body went out as written */
} zm_req_t;

/* a page of a list: ?page=1&page_size=20 */
typedef struct {
    int64_t page; /* from 1 */
    int64_t size; /* items a page */
} zm_page_t;

/* how a module's own failure codes answer: zm_reply_mapped() */
typedef struct {
    int rc;
    int status;
    const char *error; /* the error's "code" */
    const char *message;
} zm_error_map_t;

/* ---- reading the request ---- */

/** A FastCGI param (CONTENT_TYPE, HTTP_AUTHORIZATION, ...), or NULL. */
const char *zm_req_env(zm_req_t *r, const char *name);

/** A path parameter by name ("id" for "{id}"), or NULL. */
const char *zm_req_param(zm_req_t *r, const char *name);

/**
 * A path parameter as an id: a positive decimal int64 (digits only).  ZM_OK,
 * or ZM_EINVAL without answering: each endpoint words its own 404.
 */
int zm_req_param_id(zm_req_t *r, const char *name, int64_t *id);

/** A query-string parameter, percent-decoded into the arena; NULL when absent or not valid UTF-8. */
const char *zm_req_query(zm_req_t *r, const char *name);

/** A query parameter as an integer in [min, max]; def when absent.  ZM_EINVAL (400 answered) when bad. */
int zm_req_query_int(zm_req_t *r, const char *name, int64_t def, int64_t min, int64_t max, int64_t *out);

/** ?page= (default 1, at most 1000000) and ?page_size= (default 20, 1..max_size; ZM_PAGE_MAX the
 *  usual 100).  ZM_EINVAL (400 answered) when bad. */
#define ZM_PAGE_MAX 100
int zm_req_page(zm_req_t *r, int64_t max_size, zm_page_t *page);

/** Is the body declared JSON (Content-Type: application/json, parameters allowed)? */
int zm_req_is_json(zm_req_t *r);

/**
 * Parse the body as a JSON object.  On failure answers the request (415 when
 * the content type is not JSON, 400 for malformed JSON, UTF-8 that is not
 * strictly valid, an unpaired surrogate escape such as \ud800, or not an
 * object) and returns ZM_EINVAL.  Every string in the object is then valid
 * UTF-8 (it may hold NUL from \u0000).  The object belongs to the request.
 */
int zm_req_json_body(zm_req_t *r, json_object **obj);

/** Keep o alive until the request ends: json_object_put as a cleanup of r->a.  Returns o. */
json_object *zm_req_own(zm_req_t *r, json_object *o);

/* ---- answering ---- */

/** Add a response header line ("Name: value"); CR/LF in either is refused. */
int zm_reply_header(zm_req_t *r, const char *name, const char *value);

/** {"success":true,"data":data} with status; takes data's reference (NULL -> null). */
int zm_reply_data(zm_req_t *r, int status, json_object *data);

/** {"success":false,"error":{"code","message","fields"?}}; takes fields' reference (may be NULL).
 *  A ZM_REPLY_SEED route's (router.h): {"success":false,"message","error":{...}}. */
int zm_reply_error(zm_req_t *r, int status, const char *code, const char *message, json_object *fields);

/** One-field validation error: 400 with fields {field: [message]}. */
int zm_reply_field_error(zm_req_t *r, const char *field, const char *message);

/** 415 unsupported_media_type: the body must be JSON (what zm_req_json_body and JSON routes answer). */
int zm_reply_not_json(zm_req_t *r);

/** {"items": items, "total", "page", "page_size"} with 200; takes items' reference. */
int zm_reply_page(zm_req_t *r, const zm_page_t *page, int64_t total, json_object *items);

/** 429 rate_limited with Retry-After: retry_after seconds. */
int zm_reply_limited(zm_req_t *r, int retry_after, const char *message);

/**
 * Answer rc (< 0) from table[0..n): the entry with that rc gives status, code
 * and message; an rc not in the table answers as zm_reply_from_rc().
 */
int zm_reply_mapped(zm_req_t *r, const zm_error_map_t *table, size_t n, int rc);
#define ZM_REPLY_MAPPED(r, table, rc) zm_reply_mapped((r), (table), ZM_ARRAY_LEN(table), (rc))

/** A JSON body as it is, for an envelope of another shape (the seed's start: task_id and message at
 *  the top); takes root's reference. */
int zm_reply_json(zm_req_t *r, int status, json_object *root);

/** A body that is not JSON (metrics text, file downloads). */
int zm_reply_raw(zm_req_t *r, int status, const char *content_type, const char *body, size_t len);

/**
 * A body sent as it is produced (audio as a synthesizer makes it): the head goes out now with
 * status, content_type and the extra headers (no Content-Length: nginx chunks it); each
 * zm_reply_stream_write() sends its bytes and flushes them to nginx.  nginx keeps its buffering on
 * (nginx-fastcgi.conf: 16 x 16k, then a temporary file), so it passes the pieces on as its buffers
 * fill while the worker never waits on a slow browser.  The request counts as answered from here
 * on: a failure later can only cut the body short.  Keep it short: a handler streams what it makes
 * in well under a second, never what waits on a person.  Without a FastCGI request (unit tests)
 * the bytes go to r->out.  ZM_ERR when nginx went away (stop producing).
 */
int zm_reply_stream_begin(zm_req_t *r, int status, const char *content_type);
int zm_reply_stream_write(zm_req_t *r, const void *data, size_t len);

/** 204 No Content. */
int zm_reply_no_content(zm_req_t *r);

/** Answer from a negative ZM_E* code (503 for ZM_EDBDOWN, ...). */
int zm_reply_from_rc(zm_req_t *r, int rc);

/* ---- validating a JSON body, field by field ---- */

/**
 * Collects per-field errors; zm_form_done() answers 400 with all of them at
 * once.  Each reader returns what it read, or its "nothing" (NULL, -1, def)
 * with an error recorded for the field when the value was there but wrong,
 * or absent and required.  Absent and null are the same.
 */
typedef struct {
    zm_req_t *r;
    json_object *body;   /* the JSON object the readers read; NULL for a multipart form */
    json_object *fields; /* {"field": ["message", ...]}, NULL while all is well */
    json_object *say;    /* {"field": "message"}: zm_form_say's wording, NULL when none */
} zm_form_t;

/** A form for fields that are not JSON (multipart): only zm_form_error and zm_form_done apply. */
void zm_form_init(zm_form_t *f, zm_req_t *r);

/** Parse the body (zm_req_json_body) and bind the form to it; body, if not NULL, gets the object.
 *  ZM_EINVAL when the request was answered (415/400). */
int zm_form_json(zm_form_t *f, zm_req_t *r, json_object **body);

/** Add an error message for key. */
void zm_form_error(zm_form_t *f, const char *key, const char *message);

/** Word every error at key (a reader's, or zm_form_error's) as message instead: the endpoint's own
 *  sentence for a field ("priority 应为 high、normal 或 low"), as a seed's envelope shows it. */
void zm_form_say(zm_form_t *f, const char *key, const char *message);

/** Has any field an error yet? */
int zm_form_failed(const zm_form_t *f);

/**
 * The string at key: NULL when absent or null (an error if required), or
 * when not a string, longer than max_chars characters, holding a NUL, or
 * empty and required.
 */
const char *zm_form_str(zm_form_t *f, const char *key, int required, size_t max_chars);

/** A boolean at key: 1/0, or -1 when absent (an error if required) or not a boolean. */
int zm_form_bool(zm_form_t *f, const char *key, int required);

/** An integer (a JSON integer, not 1.0) in [min, max] at key; def when absent (an error if required) or bad. */
int64_t zm_form_int(zm_form_t *f, const char *key, int required, int64_t min, int64_t max, int64_t def);

/**
 * The index in allowed (NULL-terminated) of the string at key; -1 when
 * absent (an error if required), not a string, or none of them (message).
 */
int zm_form_enum(zm_form_t *f, const char *key, int required, const char *const *allowed, const char *message);

/** A canonical UUID (36 characters, 8-4-4-4-12 hex digits) at key, or NULL (absent: an error if required). */
const char *zm_form_uuid(zm_form_t *f, const char *key, int required);

/** An id (a positive JSON integer) at key, or 0 (absent: an error if required). */
int64_t zm_form_id(zm_form_t *f, const char *key, int required);

/** An id as zm_form_id, or as a string of its decimal digits ("1", as the seed's clients send). */
int64_t zm_form_id_text(zm_form_t *f, const char *key, int required);

/** ZM_OK when no field had an error; else answers 400 validation_error and returns ZM_EINVAL (a
 *  ZM_REPLY_SEED route's message: the first field's first message). */
int zm_form_done(zm_form_t *f);

/* ---- small helpers every module uses ---- */

/** Reason phrase for an HTTP status. */
const char *zm_http_reason(int status);

#endif
