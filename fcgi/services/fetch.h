/*
 * fetch.h -- one bounded GET over libcurl, for data a domain reads from a
 * URL an operator configured (a news feed).  http and https only (redirects
 * too, at most 3), the answer capped, the whole call timed.
 */
#ifndef ZM_FETCH_H
#define ZM_FETCH_H

#include <stddef.h>

#include "arena.h"
#include "zm.h"

/**
 * GET url: ZM_OK with *body (NUL-terminated, in a) and *len for a 2xx answer; ZM_ETOOBIG past max
 * bytes; ZM_EAGAIN for a connection failure, a timeout or a 5xx/429 (worth retrying later); ZM_ERR
 * for another status; ZM_EINVAL for a URL that is not http(s).  *error (may be NULL) says why.
 */
int fetch_get(zm_arena_t *a, const char *url, long timeout_ms, size_t max, char **body, size_t *len,
              const char **error);

#endif
