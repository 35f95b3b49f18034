/*
 * multipart.h -- multipart/form-data bodies (RFC 7578), parsed in place.
 *
 * The body is already in the request arena (its size capped by
 * http.max_body), so parts point into it: no copies of file data.  Hard
 * caps on the number of parts and on each part's header block keep hostile
 * input from costing more than the body itself.
 */
#ifndef ZM_MULTIPART_H
#define ZM_MULTIPART_H

#include <stddef.h>

#include "arena.h"
#include "zm.h"

#define MP_MAX_PARTS 16
#define MP_MAX_HEADER 8192

typedef struct {
    const char *name;         /* form field name (from Content-Disposition), NUL-terminated in the arena */
    const char *filename;     /* NULL for a plain field; as sent (may be Chinese, may carry a path: sanitize it) */
    const char *content_type; /* the part's Content-Type or NULL */
    const char *data;         /* the part's bytes (points into the body) */
    size_t len;
} mp_part_t;

/**
 * Parse body (len bytes) whose request Content-Type is content_type.
 * ZM_OK with *parts / *nparts; ZM_EINVAL for anything malformed: a missing
 * or bad boundary, a truncated body (no closing delimiter), a part without
 * a name, more than MP_MAX_PARTS parts, a header block over MP_MAX_HEADER.
 */
int mp_parse(zm_arena_t *a, const char *content_type, const char *body, size_t len, mp_part_t **parts, size_t *nparts);

/** The first part named name, or NULL. */
const mp_part_t *mp_find(const mp_part_t *parts, size_t nparts, const char *name);

#endif
