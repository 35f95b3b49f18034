/*
 * buf.h -- the one growth buffer: bytes appended in an arena, with a cap.
 *
 * Response bodies, header lines, metrics text and SQL built piece by piece
 * all grow through zm_buf_append.  The data is always NUL-terminated (the
 * NUL is not counted in len).  A NULL arena puts the bytes on the heap
 * instead, for buffers that outlive a request (a child's output, an HTTP
 * response being received): zm_buf_free releases those.  A buffer keeps to
 * one mode; start it zeroed.
 */
#ifndef ZM_BUF_H
#define ZM_BUF_H

#include <stddef.h>

#include "arena.h"

typedef struct zm_buf_s {
    char *data;
    size_t len, cap;
} zm_buf_t;

/** Append len bytes; ZM_ETOOBIG past cap bytes in all (0: no cap), ZM_ENOMEM when the arena is full. */
int zm_buf_append(zm_arena_t *a, zm_buf_t *b, const char *data, size_t len, size_t cap);

/** Append a NUL-terminated string, uncapped. */
int zm_buf_puts(zm_arena_t *a, zm_buf_t *b, const char *s);

/** Room for n more bytes and the NUL (to read into data + len, then add to len); ZM_ENOMEM. */
int zm_buf_reserve(zm_arena_t *a, zm_buf_t *b, size_t n);

/** Release a heap buffer (NULL arena) and zero it; an arena buffer just forgets its bytes. */
void zm_buf_free(zm_arena_t *a, zm_buf_t *b);

#endif
