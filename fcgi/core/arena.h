/*
 * arena.h -- per-request bump allocator.
 *
 * Everything a request allocates comes from its arena and dies with
 * zm_arena_reset() at the end of the request: handlers never free.  The
 * first block is kept across resets so a steady-state request does not
 * touch malloc.  An arena has a hard cap; past it allocation returns NULL
 * and the request fails instead of growing memory without bound (a failed
 * malloc below the cap is fatal: zm.h's out-of-memory policy).
 *
 * What the arena cannot hold itself (a json-c object, a file) is tied to it
 * with zm_arena_cleanup_add(): reset and destroy run the cleanups, newest
 * first, before the memory goes.
 */
#ifndef ZM_ARENA_H
#define ZM_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct zm_arena_block_s zm_arena_block_t;
typedef struct zm_arena_cleanup_s zm_arena_cleanup_t;
typedef void (*zm_cleanup_pt)(void *data);

typedef struct {
    zm_arena_block_t *head;       /* current block (newest) */
    zm_arena_cleanup_t *cleanups; /* newest first */
    size_t block_size;            /* default size of a new block */
    size_t cap;                   /* most bytes the arena may hold, 0 = none */
    size_t total;                 /* bytes held in blocks now */
} zm_arena_t;

/** Prepare an arena whose blocks are block_size bytes, capped at cap bytes (0 = no cap). */
void zm_arena_init(zm_arena_t *a, size_t block_size, size_t cap);

/** size bytes aligned for any type, or NULL past the cap or on OOM. */
void *zm_palloc(zm_arena_t *a, size_t size);

/** Like zm_palloc, zero-filled. */
void *zm_pcalloc(zm_arena_t *a, size_t size);

/** A NUL-terminated copy of the first n bytes of s. */
char *zm_pstrndup(zm_arena_t *a, const char *s, size_t n);

/** A NUL-terminated copy of s (NULL stays NULL). */
char *zm_pstrdup(zm_arena_t *a, const char *s);

/** printf into the arena. */
char *zm_psprintf(zm_arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *zm_pvsprintf(zm_arena_t *a, const char *fmt, va_list ap);

/**
 * Call fn(data) when the arena is next reset or destroyed, after the
 * cleanups added later.  Never fails: the record does not count against the
 * cap (releasing must not fail for want of memory; records are added by code,
 * a handful a request, not by what a client sends).
 */
void zm_arena_cleanup_add(zm_arena_t *a, zm_cleanup_pt fn, void *data);

/** Run the cleanups, free every block but the first one, and empty that one. */
void zm_arena_reset(zm_arena_t *a);

/** Run the cleanups and free every block. */
void zm_arena_destroy(zm_arena_t *a);

#endif
