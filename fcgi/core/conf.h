/*
 * conf.h -- configuration: one table of known keys, a file, the environment.
 *
 * The file is `key = value` lines (`#` starts a comment).  Every key has a
 * default and a line of documentation in conf.c's table, which is also what
 * `zhimai-fcgi --config-example` prints (conf/zhimai.conf.example is that
 * output, and a test keeps the two equal).  An environment variable ZM_<KEY>
 * (upper case, dots as underscores: db.host -> ZM_DB_HOST) overrides the file.
 * An unknown key in the file is an error: a typo must not pass silently.
 */
#ifndef ZM_CONF_H
#define ZM_CONF_H

#include <stdint.h>
#include <stdio.h>

/** Load defaults, then the file at path (NULL: defaults + environment only), then ZM_* variables.
 *  On error writes a message into err and returns a negative value; the old configuration stays. */
int zm_conf_load(const char *path, char *err, size_t errlen);

/** The value of key ("" when empty).  Aborts on a key missing from the table: that is a programming error. */
const char *zm_conf_str(const char *key);
int64_t zm_conf_int(const char *key);
int zm_conf_bool(const char *key);

/** The path of the file last loaded, or NULL. */
const char *zm_conf_path(void);

/** Write the documented example configuration. */
void zm_conf_write_example(FILE *f);

#endif
