/*
 * jsonschema.c -- the JSON-schema validator of jsonschema.h: walks a json-c
 * object along a static field table and collects every problem, by path, in
 * one line.  Kept apart from any caller so model answers, and later other
 * JSON from outside, are checked the same way.
 */
#include "jsonschema.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "hash.h"
#include "str.h"

#define MAX_PROBLEMS 12

typedef struct {
    zm_arena_t *a;
    char *text; /* "; "-joined problems, NULL while none */
    int n;
    int oom;
} problems_t;

static void problem(problems_t *pr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(problems_t *pr, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (pr->oom) {
        return;
    }
    pr->n++;
    if (pr->n > MAX_PROBLEMS) {
        /* the model needs its first mistakes, not an essay */
        if (pr->n == MAX_PROBLEMS + 1) {
            msg = zm_psprintf(pr->a, "%s; ...", pr->text);
            pr->oom = msg == NULL;
            pr->text = msg;
        }
        return;
    }
    va_start(ap, fmt);
    msg = zm_pvsprintf(pr->a, fmt, ap);
    va_end(ap);
    if (msg != NULL && pr->text != NULL) {
        msg = zm_psprintf(pr->a, "%s; %s", pr->text, msg);
    }
    if (msg == NULL) {
        pr->oom = 1;
        return;
    }
    pr->text = msg;
}

static int has_range(const zm_field_t *f)
{
    return f->min != 0 || f->max != 0;
}

static const char *one_of_list(zm_arena_t *a, const char *const *v)
{
    const char *s = "";

    for (size_t i = 0; v[i] != NULL && s != NULL; i++) {
        s = zm_psprintf(a, "%s%s%s", s, i ? ", " : "", v[i]);
    }
    return s != NULL ? s : "?";
}

static void check_object(problems_t *pr, const zm_schema_t *s, json_object *obj, const char *prefix);

/* A string value against f's length and allowed values. */
static void check_string(problems_t *pr, const zm_field_t *f, json_object *v, const char *path)
{
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);

    if (f->max_len > 0 && zm_utf8_chars(s, n) > f->max_len) {
        problem(pr, "%s must be at most %zu characters", path, f->max_len);
        return;
    }
    if (f->one_of == NULL) {
        return;
    }
    for (size_t i = 0; f->one_of[i] != NULL; i++) {
        if (strcmp(s, f->one_of[i]) == 0) {
            return;
        }
    }
    problem(pr, "%s must be one of %s", path, one_of_list(pr->a, f->one_of));
}

static void check_length(problems_t *pr, const zm_field_t *f, size_t len, const char *path)
{
    if ((double)len < f->min) {
        problem(pr, "%s must have at least %.0f item%s", path, f->min, f->min == 1 ? "" : "s");
    } else if (f->max > 0 && (double)len > f->max) {
        problem(pr, "%s must have at most %.0f item%s", path, f->max, f->max == 1 ? "" : "s");
    }
}

static void check_number(problems_t *pr, const zm_field_t *f, json_object *v, const char *path)
{
    const char *what = f->type == ZM_T_INT ? "an integer" : "a number";
    json_type t = json_object_get_type(v);
    double d;

    if (t != json_type_int && t != json_type_double) {
        goto bad;
    }
    d = json_object_get_double(v);
    /* json-c takes NaN and Infinity; so do not we */
    if (!isfinite(d)) {
        goto bad;
    }
    /* 85.0 is the integer 85 in JSON's number model; 85.5 is not */
    if (f->type == ZM_T_INT && t == json_type_double && d != floor(d)) {
        goto bad;
    }
    if (has_range(f) && (d < f->min || d > f->max)) {
        goto bad;
    }
    return;

bad:
    if (has_range(f)) {
        problem(pr, "%s must be %s %g-%g", path, what, f->min, f->max);
    } else {
        problem(pr, "%s must be %s", path, what);
    }
}

static void check_field(problems_t *pr, const zm_field_t *f, json_object *v, const char *path)
{
    size_t len;

    switch (f->type) {
    case ZM_T_INT:
    case ZM_T_NUMBER:
        check_number(pr, f, v, path);
        return;
    case ZM_T_STRING:
        if (!json_object_is_type(v, json_type_string)) {
            problem(pr, "%s must be a string", path);
            return;
        }
        check_string(pr, f, v, path);
        return;
    case ZM_T_BOOL:
        if (!json_object_is_type(v, json_type_boolean)) {
            problem(pr, "%s must be a boolean (true or false)", path);
        }
        return;
    case ZM_T_OBJECT:
        if (!json_object_is_type(v, json_type_object)) {
            problem(pr, "%s must be an object", path);
            return;
        }
        if (f->sub != NULL) {
            check_object(pr, f->sub, v, path);
        }
        return;
    case ZM_T_STRING_ARRAY:
    case ZM_T_OBJECT_ARRAY: {
        /* each item is checked as a field of the item's type, under the same limits */
        zm_field_t item = *f;

        item.type = f->type == ZM_T_STRING_ARRAY ? ZM_T_STRING : ZM_T_OBJECT;
        if (!json_object_is_type(v, json_type_array)) {
            problem(pr, "%s must be an array of %s", path, item.type == ZM_T_STRING ? "strings" : "objects");
            return;
        }
        len = json_object_array_length(v);
        check_length(pr, f, len, path);
        for (size_t i = 0; i < len; i++) {
            char *ip = zm_psprintf(pr->a, "%s[%zu]", path, i);

            if (ip == NULL) {
                pr->oom = 1;
                return;
            }
            check_field(pr, &item, json_object_array_get_idx(v, i), ip);
        }
        return;
    }
    }
    problem(pr, "%s has a schema type this validator does not know", path);
}

static void check_object(problems_t *pr, const zm_schema_t *s, json_object *obj, const char *prefix)
{
    for (size_t i = 0; i < s->nfields && !pr->oom; i++) {
        const zm_field_t *f = &s->fields[i];
        json_object *v = NULL;
        char *path = prefix ? zm_psprintf(pr->a, "%s.%s", prefix, f->name) : (char *)f->name;

        if (path == NULL) {
            pr->oom = 1;
            return;
        }
        /* null is what a model writes when it has nothing: the same as absent */
        if (!json_object_object_get_ex(obj, f->name, &v) || v == NULL) {
            if (f->required) {
                problem(pr, "missing key %s", path);
            }
            continue;
        }
        check_field(pr, f, v, path);
    }
}

const char *zm_schema_validate(zm_arena_t *a, const zm_schema_t *s, json_object *obj)
{
    problems_t pr = {a, NULL, 0, 0};

    if (!json_object_is_type(obj, json_type_object)) {
        return "the answer must be a JSON object";
    }
    check_object(&pr, s, obj, NULL);
    if (pr.oom) {
        return "out of memory";
    }
    if (pr.text == NULL && s->check != NULL) {
        return s->check(a, obj, s->arg);
    }
    return pr.text;
}
