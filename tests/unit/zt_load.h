/*
 * zt_load.h -- a unit test's fixture file, read whole into the test's arena (NUL-terminated);
 * a missing file ends the test program with status 2, as a setup failure, not a failed check.
 */
#ifndef ZT_LOAD_H
#define ZT_LOAD_H

#include <stdio.h>
#include <stdlib.h>

#include "arena.h"

static inline char *zt_load(zm_arena_t *a, const char *dir, const char *name)
{
    char path[4096];
    FILE *f;
    long n;
    char *buf;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = zm_palloc(a, (size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        exit(2);
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

#endif
