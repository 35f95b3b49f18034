/*
 * buf.c -- the one growth buffer.  See buf.h.
 */
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zm.h"

int zm_buf_reserve(zm_arena_t *a, zm_buf_t *b, size_t n)
{
    size_t ncap;
    char *nd;

    if (n > SIZE_MAX / 4 - b->len) {
        return ZM_ENOMEM;
    }
    if (b->len + n + 1 <= b->cap) {
        return ZM_OK;
    }
    /* doubling keeps appends amortised O(1); a big one gets just what it needs */
    ncap = b->cap ? b->cap * 2 : 1024;
    if (ncap < b->len + n + 1) {
        ncap = b->len + n + 1;
    }
    if (a == NULL) {
        nd = zm_xrealloc(b->data, ncap);
    } else {
        /* the old copy stays in the arena until it is reset */
        nd = zm_palloc(a, ncap);
        if (nd != NULL && b->len) {
            memcpy(nd, b->data, b->len);
        }
    }
    if (nd == NULL) {
        return ZM_ENOMEM;
    }
    b->data = nd;
    b->cap = ncap;
    return ZM_OK;
}

int zm_buf_append(zm_arena_t *a, zm_buf_t *b, const char *data, size_t len, size_t cap)
{
    if (cap && b->len + len > cap) {
        return ZM_ETOOBIG;
    }
    if (zm_buf_reserve(a, b, len) != ZM_OK) {
        return ZM_ENOMEM;
    }
    if (len) {
        memcpy(b->data + b->len, data, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
    return ZM_OK;
}

int zm_buf_puts(zm_arena_t *a, zm_buf_t *b, const char *s)
{
    return zm_buf_append(a, b, s, strlen(s), 0);
}

void zm_buf_free(zm_arena_t *a, zm_buf_t *b)
{
    if (a == NULL) {
        free(b->data);
    }
    memset(b, 0, sizeof(*b));
}
