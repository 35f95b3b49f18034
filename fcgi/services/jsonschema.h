/*
 * jsonschema.h -- a small JSON-schema validator: is this json-c object the
 * shape a caller expects?  Written for model answers (fcgi/analysis/openai.c
 * checks every answer before using it), neutral so any caller can reuse it.
 *
 * A schema is a static table of fields, each with a type, whether it is
 * required, a numeric or length range, a character cap and allowed values;
 * objects nest.  The verdict is one line naming every problem by its path
 * ("score must be an integer 0-100; missing key gaps"), short enough to show
 * to the model that produced the object so it can correct it.
 */
#ifndef ZM_JSONSCHEMA_H
#define ZM_JSONSCHEMA_H

#include <json-c/json.h>
#include <stddef.h>

#include "arena.h"

typedef enum {
    ZM_T_INT,    /* a JSON integer (85.0 passes, 85.5 and "85" do not) */
    ZM_T_NUMBER, /* any finite JSON number */
    ZM_T_STRING,
    ZM_T_BOOL,
    ZM_T_STRING_ARRAY, /* [string, ...] */
    ZM_T_OBJECT,       /* {...} checked against sub */
    ZM_T_OBJECT_ARRAY  /* [{...}, ...] each checked against sub */
} zm_type_t;

typedef struct zm_schema_s zm_schema_t;

typedef struct {
    const char *name;
    zm_type_t type;
    int required;
    /* INT/NUMBER: the value's range, unchecked when both are 0.
     * Arrays: the length's range, max 0 meaning no upper bound. */
    double min, max;
    size_t max_len;            /* STRING and STRING_ARRAY items: most characters (code points), 0 = any */
    const char *const *one_of; /* STRING: allowed values, NULL-terminated; NULL = any */
    const zm_schema_t *sub;    /* OBJECT, OBJECT_ARRAY: the schema of the object(s) */
} zm_field_t;

struct zm_schema_s {
    const zm_field_t *fields;
    size_t nfields;
    /* Optional check of the whole (top-level) object once every field
     * passed: NULL if fine, else a reason in the arena.  For rules across
     * fields, such as a total count. */
    const char *(*check)(zm_arena_t *a, json_object *obj, const void *arg);
    const void *arg;
};

/* Keys not in the schema are ignored; a key whose value is null counts as absent. */

/**
 * Check obj against s.  NULL when it conforms; otherwise every problem
 * found (up to 12), "; "-separated, in the arena, naming the key by its
 * path: "score must be an integer 0-100; missing key gaps;
 * sections[1].present must be a boolean".  Returns "out of memory" when the
 * arena is full.
 */
const char *zm_schema_validate(zm_arena_t *a, const zm_schema_t *s, json_object *obj);

#endif
