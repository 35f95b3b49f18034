/*
 * storage.h -- where uploaded files live: one interface, two backends.
 *
 *   local  files under storage.local_dir, written to a temporary name,
 *          fsync'ed and renamed (a reader never sees half a file)
 *   s3     an S3-compatible service (AWS S3, MinIO, OSS/COS in S3 mode),
 *          path-style or virtual-host addressing, requests signed with
 *          libcurl's CURLOPT_AWS_SIGV4; presigned download URLs (SigV4
 *          query signing) are computed by sigv4.c.
 *
 * storage.c checks keys and dispatches; storage_local.c and storage_s3.c are
 * the backends (storage_backend.h, their shared handle).
 *
 * Keys are relative paths such as "resumes/{user_id}/{resume_id}/{version_id}/{file_name}"
 * (UTF-8; '/' separates levels; no "." or ".." segments, no empty segment).
 */
#ifndef ZM_STORAGE_H
#define ZM_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "zm.h"

typedef struct storage_s storage_t;

#define STORAGE_EFULL (ZM_ERANGE_SERVICES - 0) /* no space left: ENOSPC/EDQUOT on the local disk, HTTP 507 from S3 */

/** The backend the configuration names (storage.*).  NULL with a logged reason on a bad configuration. */
storage_t *storage_open(void);
void storage_close(storage_t *s);

/** "local" or "s3". */
const char *storage_backend(const storage_t *s);

/** Store len bytes under key, replacing what was there; atomic: all or nothing (a failed put leaves no
 *  file and no directory made for it).  STORAGE_EFULL when the storage is out of space. */
int storage_put(storage_t *s, zm_arena_t *a, const char *key, const char *data, size_t len, const char *content_type);

/** The bytes under key, copied into the arena.  ZM_ENOTFOUND when there are none. */
int storage_get(storage_t *s, zm_arena_t *a, const char *key, char **data, size_t *len);

/** Remove key; a key that is not there is not an error. */
int storage_delete(storage_t *s, zm_arena_t *a, const char *key);

/** 1 when downloads should be a redirect to storage_presign_get's URL (s3 with storage.s3_download = redirect). */
int storage_redirects(const storage_t *s);

/**
 * A presigned GET URL for key valid ttl_s seconds from now (S3 only; the
 * local backend returns ZM_EINVAL).  download_name and content_type, when
 * not NULL, become response-content-disposition (attachment, RFC 5987
 * filename*) and response-content-type.
 */
int storage_presign_get(storage_t *s, zm_arena_t *a, const char *key, int64_t now, int ttl_s, const char *download_name,
                        const char *content_type, char **url);

/** The text of <tag> in an S3 error document (untrusted), printable ASCII only ('?' for
 * the rest), cut to fit out; "" when absent.  Exposed for its fuzz target. */
void storage_xml_field(const char *xml, const char *tag, char *out, size_t outlen);

#endif
