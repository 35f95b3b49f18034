#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zm.h"

struct zm_arena_block_s {
    zm_arena_block_t *next; /* older block */
    size_t size;            /* usable bytes in data */
    size_t used;
    _Alignas(max_align_t) unsigned char data[];
};

struct zm_arena_cleanup_s {
    zm_arena_cleanup_t *next; /* added earlier */
    zm_cleanup_pt fn;
    void *data;
};

#define ALIGN_UP(n) (((n) + (_Alignof(max_align_t) - 1)) & ~(size_t)(_Alignof(max_align_t) - 1))

void zm_arena_init(zm_arena_t *a, size_t block_size, size_t cap)
{
    a->head = NULL;
    a->cleanups = NULL;
    a->block_size = block_size ? block_size : 16384;
    a->cap = cap;
    a->total = 0;
}

static zm_arena_block_t *arena_new_block(zm_arena_t *a, size_t need, int capped)
{
    size_t size = need > a->block_size ? need : a->block_size;
    zm_arena_block_t *b;

    if (capped && a->cap && a->total + size > a->cap) {
        return NULL;
    }
    if (size > SIZE_MAX - sizeof(*b)) {
        return NULL;
    }
    b = zm_xmalloc(sizeof(*b) + size);
    b->size = size;
    b->used = 0;
    b->next = a->head;
    a->head = b;
    a->total += size;
    return b;
}

static void *arena_alloc(zm_arena_t *a, size_t size, int capped)
{
    zm_arena_block_t *b = a->head;
    void *p;

    size = ALIGN_UP(size ? size : 1);
    if (size < size - 1) { /* overflow in ALIGN_UP */
        return NULL;
    }
    if (b == NULL || b->size - b->used < size) {
        b = arena_new_block(a, size, capped);
        if (b == NULL) {
            return NULL;
        }
    }
    p = b->data + b->used;
    b->used += size;
    return p;
}

void *zm_palloc(zm_arena_t *a, size_t size)
{
    return arena_alloc(a, size, 1);
}

void *zm_pcalloc(zm_arena_t *a, size_t size)
{
    void *p = zm_palloc(a, size);

    if (p != NULL) {
        memset(p, 0, size);
    }
    return p;
}

char *zm_pstrndup(zm_arena_t *a, const char *s, size_t n)
{
    char *p;

    if (n == (size_t)-1) {
        return NULL;
    }
    p = zm_palloc(a, n + 1);
    if (p == NULL) {
        return NULL;
    }
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *zm_pstrdup(zm_arena_t *a, const char *s)
{
    return s ? zm_pstrndup(a, s, strlen(s)) : NULL;
}

char *zm_pvsprintf(zm_arena_t *a, const char *fmt, va_list ap)
{
    va_list cp;
    int n;
    char *p;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0) {
        return NULL;
    }
    p = zm_palloc(a, (size_t)n + 1);
    if (p == NULL) {
        return NULL;
    }
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *zm_psprintf(zm_arena_t *a, const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = zm_pvsprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void zm_arena_cleanup_add(zm_arena_t *a, zm_cleanup_pt fn, void *data)
{
    zm_arena_cleanup_t *c = arena_alloc(a, sizeof(*c), 0);

    if (c == NULL) { /* only a size overflow, impossible for this size */
        zm_oom();
    }
    c->fn = fn;
    c->data = data;
    c->next = a->cleanups;
    a->cleanups = c;
}

/* Newest first; a cleanup that adds another gets it run too, before the memory goes. */
static void arena_run_cleanups(zm_arena_t *a)
{
    while (a->cleanups != NULL) {
        zm_arena_cleanup_t *c = a->cleanups;
        a->cleanups = c->next;
        c->fn(c->data);
    }
}

void zm_arena_reset(zm_arena_t *a)
{
    zm_arena_block_t *b, *next;

    arena_run_cleanups(a);
    b = a->head;

    if (b == NULL) {
        return;
    }
    /* keep the oldest block: it is the one of default size */
    while (b->next != NULL) {
        next = b->next;
        a->total -= b->size;
        free(b);
        b = next;
    }
    if (b->size != a->block_size) {
        a->total -= b->size;
        free(b);
        a->head = NULL;
        return;
    }
    b->used = 0;
    a->head = b;
}

void zm_arena_destroy(zm_arena_t *a)
{
    zm_arena_block_t *b, *next;

    arena_run_cleanups(a);
    b = a->head;
    while (b != NULL) {
        next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}
