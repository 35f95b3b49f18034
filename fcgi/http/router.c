#include "router.h"

#include <string.h>

#define MAX_SEGS 32

/* Split path into segments in place; returns their count or -1 when too many.
 * A leading and one trailing slash are dropped; "a//b" keeps an empty
 * segment, which matches nothing. */
static int split(char *path, char **segs)
{
    size_t len = strlen(path);
    char *p = path;
    int n = 0;

    if (*p == '/') {
        p++;
    }
    if (len > 1 && path[len - 1] == '/') {
        path[len - 1] = '\0';
    }
    if (*p == '\0') {
        return 0;
    }
    for (;;) {
        char *slash;

        if (n == MAX_SEGS) {
            return -1;
        }
        segs[n++] = p;
        slash = strchr(p, '/');
        if (slash == NULL) {
            return n;
        }
        *slash = '\0';
        p = slash + 1;
    }
}

/* Does pattern match the segments?  Fills params. */
static int match_pattern(const char *pattern, char **segs, int nsegs, zm_route_params_t *params)
{
    const char *p = pattern;
    int i = 0;

    params->n = 0;
    while (*p == '/') {
        p++;
    }
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (i >= nsegs) {
            return 0;
        }
        if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
            if (segs[i][0] == '\0' || params->n == ZM_ROUTE_MAX_PARAMS) {
                return 0;
            }
            params->names[params->n] = p + 1; /* not terminated: see zm_req_param, compares by length */
            params->values[params->n] = segs[i];
            params->n++;
        } else if (strlen(segs[i]) != len || memcmp(segs[i], p, len) != 0) {
            return 0;
        }
        i++;
        p += len;
        while (*p == '/') {
            p++;
        }
    }
    return i == nsegs;
}

int zm_route_match(const zm_route_t *table, size_t n, const char *method, char *path, size_t *idx,
                   zm_route_params_t *params, char *allow, size_t allowlen)
{
    char *segs[MAX_SEGS];
    int nsegs = split(path, segs);
    int path_matched = 0;
    zm_route_params_t tmp;

    if (allow && allowlen) {
        allow[0] = '\0';
    }
    if (nsegs < 0) {
        return ZM_ROUTE_NOT_FOUND;
    }
    for (size_t i = 0; i < n; i++) {
        if (!match_pattern(table[i].pattern, segs, nsegs, &tmp)) {
            continue;
        }
        if (strcmp(table[i].method, method) == 0) {
            *idx = i;
            *params = tmp;
            return ZM_ROUTE_FOUND;
        }
        if (allow && allowlen && !strstr(allow, table[i].method)) {
            size_t used = strlen(allow);
            if (used + strlen(table[i].method) + 3 < allowlen) {
                if (used) {
                    strcat(allow, ", ");
                }
                strcat(allow, table[i].method);
            }
        }
        path_matched = 1;
    }
    return path_matched ? ZM_ROUTE_BAD_METHOD : ZM_ROUTE_NOT_FOUND;
}
