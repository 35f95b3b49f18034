/*
 * str.h -- bytes that arrive from outside: the one UTF-8 decoder of the
 * tree, percent escapes, hex digits.  Nothing here allocates but
 * zm_pct_decode, and that only from the arena it is given.
 */
#ifndef ZM_STR_H
#define ZM_STR_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* zm_utf8_next's answers that are not a code point; either way *i moved one byte on */
#define ZM_UTF8_BAD (-1)   /* a malformed sequence */
#define ZM_UTF8_SHORT (-2) /* a sequence the end of the input cut short */

/** Length of the well-formed UTF-8 sequence at s (n > 0 bytes left), or 0 for a malformed
 *  one (overlong, surrogate, past U+10FFFF, cut short). */
size_t zm_utf8_seq_len(const unsigned char *s, size_t n);

/** Is s[0..n) valid UTF-8 (no overlongs, no surrogates, no NUL)? */
int zm_utf8_valid(const char *s, size_t n);

/** Characters (code points) in s[0..n), which must be valid UTF-8: length limits count these, not bytes. */
size_t zm_utf8_chars(const char *s, size_t n);

/** The code point at s[*i] (s holds n bytes, *i < n), moving *i past it; ZM_UTF8_BAD or
 *  ZM_UTF8_SHORT (both negative) with *i moved one byte on when there is no well-formed one. */
int32_t zm_utf8_next(const char *s, size_t n, size_t *i);

/** Encode cp (at most U+10FFFF) at out, NULL only to measure; the bytes it takes (1 to 4). */
size_t zm_utf8_put(char *out, int32_t cp);

/** The bytes of s[0..n) that hold its first max_chars characters (a malformed byte counts as one). */
size_t zm_utf8_clip(const char *s, size_t n, size_t max_chars);

/** The bytes of s[0..n) that fit in max bytes without splitting a character (s is valid UTF-8). */
size_t zm_utf8_cut(const char *s, size_t n, size_t max);

/** 1 when s (may be NULL) is min..max characters of [A-Za-z0-9_-], the charset of the ids clients
 *  and partners hand us (request ids, session ids, out_trade_no), else 0. */
int zm_str_is_token(const char *s, size_t min, size_t max);

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
