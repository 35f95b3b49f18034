/*
 * storage_backend.h -- the storage handle and what each backend gives
 * storage.c's dispatch: storage_local.c (a directory) and storage_s3.c (an
 * S3-compatible service).  storage.c has checked the key (and the content
 * type) before a backend sees it.  Nothing outside services/ includes it.
 */
#ifndef ZM_STORAGE_BACKEND_H
#define ZM_STORAGE_BACKEND_H

#include <curl/curl.h>
#include <sys/types.h>

#include "storage.h"

/* Largest object stored or fetched: a download is held in the request's arena. */
#define STORAGE_OBJ_MAX ((size_t)64 * 1024 * 1024)

enum { STORAGE_LOCAL = 0, STORAGE_S3 };

struct storage_s {
    int kind;
    /* local */
    char *dir;
    /* s3 */
    char *scheme; /* "http" or "https" */
    char *host;   /* the endpoint's host[:port], a default port dropped (as a browser sends Host) */
    char *region, *bucket, *access_key, *secret_key;
    char *sigv4; /* "aws:amz:<region>:s3" for CURLOPT_AWS_SIGV4 */
    int path_style;
    int redirect;
    long timeout_ms;
    int curl_global; /* curl_global_init() done, to be balanced on close */
    CURL *curl;      /* kept between requests so connections are reused */
    pid_t curl_pid;  /* the process that made curl */
};

/** A header value we pass on: printable ASCII, so it cannot end the header or start another. */
int storage_ctype_check(const char *ct);

/* storage_local.c */
int storage_local_open(storage_t *s);
int storage_local_put(storage_t *s, zm_arena_t *a, const char *key, const char *data, size_t len);
int storage_local_get(storage_t *s, zm_arena_t *a, const char *key, char **data, size_t *len);
int storage_local_delete(storage_t *s, zm_arena_t *a, const char *key);

/* storage_s3.c */
int storage_s3_open(storage_t *s);
/** Release what storage_s3_open took (the curl handle, the keys), however far it got. */
void storage_s3_close(storage_t *s);
int storage_s3_put(storage_t *s, zm_arena_t *a, const char *key, const char *data, size_t len, const char *ctype);
int storage_s3_get(storage_t *s, zm_arena_t *a, const char *key, char **data, size_t *len);
int storage_s3_delete(storage_t *s, zm_arena_t *a, const char *key);
int storage_s3_presign(storage_t *s, zm_arena_t *a, const char *key, int64_t now, int ttl_s, const char *download_name,
                       const char *content_type, char **url);

#endif
