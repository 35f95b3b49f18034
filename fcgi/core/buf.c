/*
 * buf.c -- the one growth buffer.  See buf.h.
 */
#include "buf.h"

#include <string.h>

#include "zm.h"

int zm_buf_append(zm_arena_t *a, zm_buf_t *b, const char *data, size_t len, size_t cap)
{
    if (cap && b->len + len > cap) {
        return ZM_ETOOBIG;
    }
    if (b->len + len + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 1024;
        char *nd;
        while (ncap < b->len + len + 1) {
            ncap *= 2;
        }
        nd = zm_palloc(a, ncap);
        if (nd == NULL) {
            return ZM_ENOMEM;
        }
        if (b->len) {
            memcpy(nd, b->data, b->len);
        }
        b->data = nd;
        b->cap = ncap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return ZM_OK;
}

int zm_buf_puts(zm_arena_t *a, zm_buf_t *b, const char *s)
{
    return zm_buf_append(a, b, s, strlen(s), 0);
}
