/*
 * str.h -- bytes that arrive from outside: the one UTF-8 decoder of the
 * tree, percent escapes, hex digits.  Nothing here allocates but
 * zm_pct_decode, and that only from the arena it is given.
 */
#ifndef ZM_STR_H
#define ZM_STR_H

#include <stddef.h>

#include "arena.h"

/** Length of the well-formed UTF-8 sequence at s (n > 0 bytes left), or 0 for a malformed
 *  one (overlong, surrogate, past U+10FFFF, cut short). */
size_t zm_utf8_seq_len(const unsigned char *s, size_t n);

/** Is s[0..n) valid UTF-8 (no overlongs, no surrogates, no NUL)? */
int zm_utf8_valid(const char *s, size_t n);

/** Characters (code points) in s[0..n), which must be valid UTF-8: length limits count these, not bytes. */
size_t zm_utf8_chars(const char *s, size_t n);

/** The value of the hex digit c, or -1. */
int zm_hexval(int c);

/** Percent-decode s[0..n) into the arena, NUL-terminated, its length in *outlen (may be NULL).
 *  '+' is a space when plus_is_space (a form), itself otherwise (RFC 3986).  NULL on a bad
 *  escape or when the arena runs out. */
char *zm_pct_decode(zm_arena_t *a, const char *s, size_t n, int plus_is_space, size_t *outlen);

/** Content-Disposition for downloading a file named name (UTF-8): attachment with an ASCII
 *  fallback and RFC 5987's filename*; NULL when the arena runs out. */
char *zm_content_disposition(zm_arena_t *a, const char *name);

#endif
