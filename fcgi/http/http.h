/*
 * http.h -- one request inside a FastCGI worker, and its response.
 *
 * A request's memory comes from r->a; JSON objects it creates are released
 * when the request ends.  Handlers read like the endpoint's documentation:
 *
 *     static int handle_thing(zm_req_t *r) {
 *         json_object *body;
 *         int rc = zm_req_json_body(r, &body);   // 415/400 already answered
 *         if (rc != ZM_OK) return rc;
 *         ... validate, call the domain function ...
 *         return zm_reply_data(r, 201, obj);
 *     }
 *
 * A handler returns ZM_OK once it has answered.  A negative return without
 * an answer becomes a JSON error: ZM_EDBDOWN 503 + Retry-After,
 * ZM_ENOTFOUND 404, ZM_ETOOBIG 413, anything else 500.
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

    json_object *owned[16]; /* released at the end of the request */
    unsigned nowned;
} zm_req_t;

/* ---- reading the request ---- */

/** A FastCGI param (CONTENT_TYPE, HTTP_AUTHORIZATION, ...), or NULL. */
const char *zm_req_env(zm_req_t *r, const char *name);

/** A path parameter by name ("id" for "{id}"), or NULL. */
const char *zm_req_param(zm_req_t *r, const char *name);

/** A query-string parameter, percent-decoded into the arena; NULL when absent or not valid UTF-8. */
const char *zm_req_query(zm_req_t *r, const char *name);

/** A query parameter as an integer in [min, max]; def when absent.  ZM_EINVAL (400 answered) when bad. */
int zm_req_query_int(zm_req_t *r, const char *name, int64_t def, int64_t min, int64_t max, int64_t *out);

/**
 * Parse the body as a JSON object.  On failure answers the request (415 when
 * the content type is not JSON, 400 for malformed JSON, UTF-8 that is not
 * strictly valid, an unpaired surrogate escape such as \ud800, or not an
 * object) and returns ZM_EINVAL.  Every string in the object is then valid
 * UTF-8 (it may hold NUL from \u0000).  The object belongs to the request.
 */
int zm_req_json_body(zm_req_t *r, json_object **obj);

/** Keep o alive until the request ends (then json_object_put). */
json_object *zm_req_own(zm_req_t *r, json_object *o);

/* ---- answering ---- */

/** Add a response header line ("Name: value"); CR/LF in either is refused. */
int zm_reply_header(zm_req_t *r, const char *name, const char *value);

/** {"success":true,"data":data} with status; takes data's reference (NULL -> null). */
int zm_reply_data(zm_req_t *r, int status, json_object *data);

/** {"success":false,"error":{"code","message","fields"?}}; takes fields' reference (may be NULL). */
int zm_reply_error(zm_req_t *r, int status, const char *code, const char *message, json_object *fields);

/** One-field validation error: 400 with fields {field: [message]}. */
int zm_reply_field_error(zm_req_t *r, const char *field, const char *message);

/** A body that is not JSON (metrics text, file downloads). */
int zm_reply_raw(zm_req_t *r, int status, const char *content_type, const char *body, size_t len);

/** 204 No Content. */
int zm_reply_no_content(zm_req_t *r);

/** Answer from a negative ZM_E* code (503 for ZM_EDBDOWN, ...). */
int zm_reply_from_rc(zm_req_t *r, int rc);

/* ---- validating a JSON body, field by field ---- */

/** Collects per-field errors; zm_form_done() answers 400 with all of them at once. */
typedef struct {
    zm_req_t *r;
    json_object *fields; /* {"field": ["message", ...]}, NULL while all is well */
} zm_form_t;

void zm_form_init(zm_form_t *f, zm_req_t *r);

/** Add an error message for key. */
void zm_form_error(zm_form_t *f, const char *key, const char *message);

/**
 * The string at key: NULL when absent or null (an error if required), or
 * when not a string, longer than max_chars characters, or holding a NUL.
 */
const char *zm_form_str(zm_form_t *f, json_object *body, const char *key, int required, size_t max_chars);

/** A boolean at key: 1/0, or -1 when absent (an error if not a boolean). */
int zm_form_bool(zm_form_t *f, json_object *body, const char *key);

/** ZM_OK when no field had an error; else answers 400 validation_error and returns ZM_EINVAL. */
int zm_form_done(zm_form_t *f);

/* ---- small helpers every module uses ---- */

/** Reason phrase for an HTTP status. */
const char *zm_http_reason(int status);

#endif
