/*
 * topk.c -- the best K candidates of a run: a min-heap whose root is the
 * worst kept (lowest score; of equal scores the higher scan id), so a full
 * heap admits a candidate only when it beats the root.  Ties go to the
 * lower id, so a run resumed from its checkpoint keeps the same ranking as
 * an uninterrupted one.
 */
#include <stdlib.h>
#include <string.h>

#include "matching.h"

/* is x worse than y? */
static int worse(const match_cand_t *x, const match_cand_t *y)
{
    return x->score < y->score || (x->score == y->score && x->id > y->id);
}

int match_topk_init(zm_arena_t *a, match_topk_t *t, int cap)
{
    t->v = zm_palloc(a, (size_t)(cap > 0 ? cap : 1) * sizeof(match_cand_t));
    t->n = 0;
    t->cap = cap;
    return t->v ? ZM_OK : ZM_ENOMEM;
}

int match_topk_admits(const match_topk_t *t, int score, uint32_t id)
{
    match_cand_t c = {id, (uint8_t)score};

    if (t->cap <= 0) {
        return 0;
    }
    return t->n < t->cap || worse(&t->v[0], &c);
}

static void sift_down(match_cand_t *v, int n, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(&v[l], &v[m])) {
            m = l;
        }
        if (r < n && worse(&v[r], &v[m])) {
            m = r;
        }
        if (m == i) {
            return;
        }
        match_cand_t x = v[i];
        v[i] = v[m];
        v[m] = x;
        i = m;
    }
}

void match_topk_push(match_topk_t *t, int score, uint32_t id)
{
    match_cand_t c = {id, (uint8_t)score};

    if (!match_topk_admits(t, score, id)) {
        return;
    }
    if (t->n < t->cap) {
        int i = t->n++;
        t->v[i] = c;
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!worse(&t->v[i], &t->v[p])) {
                break;
            }
            match_cand_t x = t->v[i];
            t->v[i] = t->v[p];
            t->v[p] = x;
            i = p;
        }
        return;
    }
    t->v[0] = c;
    sift_down(t->v, t->n, 0);
}

static int best_first(const void *x, const void *y)
{
    const match_cand_t *a = x, *b = y;

    if (a->score != b->score) {
        return a->score > b->score ? -1 : 1;
    }
    return a->id < b->id ? -1 : a->id > b->id;
}

void match_topk_sort(match_topk_t *t)
{
    qsort(t->v, (size_t)t->n, sizeof(match_cand_t), best_first);
}

char *match_topk_pack(zm_arena_t *a, const match_topk_t *t, size_t *len)
{
    unsigned char *s = zm_palloc(a, (size_t)t->n * 5 + 1);

    if (s == NULL) {
        return NULL;
    }
    for (int i = 0; i < t->n; i++) {
        uint32_t id = t->v[i].id;
        s[5 * i] = (unsigned char)id;
        s[5 * i + 1] = (unsigned char)(id >> 8);
        s[5 * i + 2] = (unsigned char)(id >> 16);
        s[5 * i + 3] = (unsigned char)(id >> 24);
        s[5 * i + 4] = t->v[i].score;
    }
    *len = (size_t)t->n * 5;
    return (char *)s;
}

int match_topk_unpack(match_topk_t *t, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;

    t->n = 0;
    if (len % 5 != 0) {
        return ZM_EINVAL;
    }
    for (size_t i = 0; i < len / 5; i++) {
        uint32_t id = (uint32_t)p[5 * i] | (uint32_t)p[5 * i + 1] << 8 | (uint32_t)p[5 * i + 2] << 16 |
                      (uint32_t)p[5 * i + 3] << 24;
        if (p[5 * i + 4] > 100) {
            return ZM_EINVAL;
        }
        match_topk_push(t, p[5 * i + 4], id);
    }
    return ZM_OK;
}
