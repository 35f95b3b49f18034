/*
 * conf.h -- configuration: typed keys declared by the modules, a file, the
 * environment.
 *
 * Each module (module.h) declares its keys: name, type, default, range or
 * choices, and a line of documentation.  A program registers the modules'
 * keys once at start-up (zm_conf_register), then loads: defaults, then the
 * file of `key = value` lines (`#` starts a comment), then environment
 * variables ZM_<KEY> (upper case, dots as underscores: db.host ->
 * ZM_DB_HOST).  Every value is checked against its key's type when it is
 * loaded, so a typo, an unknown key or an out-of-range number stops
 * start-up (or a reload) with a message naming the file and line -- never a
 * surprise at run time.  `zhimai-fcgi --config-example` prints every key
 * from the same tables (conf/zhimai.conf.example is that output; a test
 * keeps the two equal).
 */
#ifndef ZM_CONF_H
#define ZM_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "module.h"

typedef enum {
    ZM_CONF_STR,    /* any text; max > 0: at most max bytes */
    ZM_CONF_INT,    /* a decimal integer from min to max */
    ZM_CONF_BOOL,   /* 1/0, true/false, yes/no, on/off */
    ZM_CONF_ENUM,   /* one of choices, "a|b|c" */
    ZM_CONF_OCTAL,  /* a file mode, octal digits, from min to max */
    ZM_CONF_NUMBER, /* a decimal number from min to max, or empty (unset) */
} zm_conf_type_t;

typedef struct zm_conf_key_s {
    const char *key;
    zm_conf_type_t type;
    const char *def;
    int64_t min, max;
    const char *choices;
    const char *doc; /* "# ..." lines for the example file */
} zm_conf_key_t;

/* One key of each type, for the modules' tables. */
#define ZM_CONF_S(k, def, doc)                                                                                         \
    {                                                                                                                  \
        (k), ZM_CONF_STR, (def), 0, 0, NULL, (doc)                                                                     \
    }
#define ZM_CONF_I(k, def, lo, hi, doc)                                                                                 \
    {                                                                                                                  \
        (k), ZM_CONF_INT, (def), (lo), (hi), NULL, (doc)                                                               \
    }
#define ZM_CONF_B(k, def, doc)                                                                                         \
    {                                                                                                                  \
        (k), ZM_CONF_BOOL, (def), 0, 1, NULL, (doc)                                                                    \
    }
#define ZM_CONF_E(k, def, choices, doc)                                                                                \
    {                                                                                                                  \
        (k), ZM_CONF_ENUM, (def), 0, 0, (choices), (doc)                                                               \
    }
#define ZM_CONF_O(k, def, lo, hi, doc)                                                                                 \
    {                                                                                                                  \
        (k), ZM_CONF_OCTAL, (def), (lo), (hi), NULL, (doc)                                                             \
    }
#define ZM_CONF_N(k, def, lo, hi, doc)                                                                                 \
    {                                                                                                                  \
        (k), ZM_CONF_NUMBER, (def), (lo), (hi), NULL, (doc)                                                            \
    }

/**
 * Register the keys of modules (NULL-terminated), replacing any registered
 * before.  Checks the tables themselves: well-formed and unique names, a
 * documentation line, defaults valid for their type.  On error writes a
 * message into err and returns ZM_EINVAL: a programming error, found at
 * start-up.
 */
int zm_conf_register(const zm_module_t *const *modules, char *err, size_t errlen);

/** Load defaults, then the file at path (NULL: defaults + environment only), then ZM_* variables.
 *  On error writes "FILE:LINE: ..." (or "ZM_X: ...") into err and returns a negative value;
 *  the configuration loaded before stays. */
int zm_conf_load(const char *path, char *err, size_t errlen);

/** The value of key ("" when empty).  A key no module registered is a programming error: abort. */
const char *zm_conf_str(const char *key);
/** INT, OCTAL (and BOOL as 0/1) keys: the value checked at load. */
int64_t zm_conf_int(const char *key);
int zm_conf_bool(const char *key);

/** The path of the file last loaded, or NULL. */
const char *zm_conf_path(void);

/** Write the documented example configuration: every registered key, module by module. */
void zm_conf_write_example(FILE *f);

#endif
