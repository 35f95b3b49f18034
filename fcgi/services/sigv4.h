/*
 * sigv4.h -- AWS Signature Version 4 query signing: the presigned URLs of
 * the S3 backend (storage_s3.c), checked against the AWS test suite
 * (tests/unit/test_sigv4.c, tests/unit/sigv4_tool.c).
 */
#ifndef ZM_SIGV4_H
#define ZM_SIGV4_H

#include <stdint.h>

#include "arena.h"
#include "zm.h"

/* SigV4 query signatures are valid at most 7 days. */
#define SIGV4_EXPIRES_MAX 604800

typedef struct {
    const char *access_key, *secret_key, *session_token; /* session_token may be NULL */
    const char *region, *service;
    const char *method;   /* "GET" */
    const char *host;     /* the Host header value */
    const char *path;     /* the URI path as sent (already percent-encoded for S3 keys) */
    const char *query;    /* other query parameters, raw "a=b&c=d", or NULL */
    const char *amz_date; /* "20150830T123600Z" */
    int64_t expires_s;
    int normalize_path; /* 0 for S3 */
} sigv4_request_t;

/**
 * The presigned query string (canonical order, X-Amz-Signature last) for p;
 * canonical_request and string_to_sign, when not NULL, receive the
 * intermediate texts (for the AWS test suite's expectations).
 */
int sigv4_presign(zm_arena_t *a, const sigv4_request_t *p, char **query, char **canonical_request,
                  char **string_to_sign);

/** Percent-encode s as SigV4 wants (unreserved A-Z a-z 0-9 - _ . ~ kept; keep_slash keeps '/'). */
char *sigv4_uri_encode(zm_arena_t *a, const char *s, int keep_slash);

/** ZM_OK when s may go into the signed text verbatim: printable ASCII without spaces (empty only
 *  with allow_empty). */
int sigv4_field_check(const char *s, int allow_empty);

#endif
