/*
 * storage.c -- where uploaded files live: the interface of storage.h, the
 * check of every key, and the dispatch to the backend the configuration
 * names (storage_local.c, storage_s3.c).
 */
#include "storage.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "storage_backend.h"
#include "str.h"
#include "zm.h"

/* S3's own limit on a key, in bytes. */
#define STORAGE_KEY_MAX 1024
#define STORAGE_CTYPE_MAX 255

/*
 * A key both backends accept: relative, '/'-separated, no empty, "." or ".."
 * segment (they would escape the directory or be normalized away by an HTTP
 * client, and S3 keeps them literally: the two backends must agree), no
 * backslash (a separator on other systems), no control byte, valid UTF-8.
 * A NUL cannot occur: it ends the C string.
 */
static int storage_key_check(const char *key)
{
    const unsigned char *k = (const unsigned char *)key;
    size_t n, seg = 0;

    if (key == NULL) {
        return ZM_EINVAL;
    }
    n = strnlen(key, STORAGE_KEY_MAX + 1);
    if (n == 0 || n > STORAGE_KEY_MAX || key[0] == '/') {
        return ZM_EINVAL;
    }
    for (size_t i = 0; i <= n; i++) {
        if (i == n || k[i] == '/') {
            size_t len = i - seg;

            if (len == 0 || (len == 1 && k[seg] == '.') || (len == 2 && k[seg] == '.' && k[seg + 1] == '.')) {
                return ZM_EINVAL;
            }
            seg = i + 1;
            continue;
        }
        if (k[i] < 0x20 || k[i] == 0x7f || k[i] == '\\') {
            return ZM_EINVAL;
        }
    }
    return zm_utf8_valid(key, n) ? ZM_OK : ZM_EINVAL;
}

int storage_ctype_check(const char *ct)
{
    size_t n = strnlen(ct, STORAGE_CTYPE_MAX + 1);

    if (n == 0 || n > STORAGE_CTYPE_MAX) {
        return ZM_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)ct[i] < 0x20 || (unsigned char)ct[i] >= 0x7f) {
            return ZM_EINVAL;
        }
    }
    return ZM_OK;
}

storage_t *storage_open(void)
{
    const char *backend = zm_conf_str("storage.backend");
    storage_t *s = zm_xcalloc(1, sizeof(*s));
    int rc;

    if (strcmp(backend, "local") == 0) {
        s->kind = STORAGE_LOCAL;
        rc = storage_local_open(s);
    } else if (strcmp(backend, "s3") == 0) {
        s->kind = STORAGE_S3;
        rc = storage_s3_open(s);
    } else {
        zm_log_error("storage: storage.backend must be local or s3, not '%s'", backend);
        rc = ZM_EINVAL;
    }
    if (rc != ZM_OK) {
        if (rc == ZM_ENOMEM) {
            zm_log_error("storage: out of memory");
        }
        storage_close(s);
        return NULL;
    }
    return s;
}

void storage_close(storage_t *s)
{
    if (s == NULL) {
        return;
    }
    if (s->kind == STORAGE_S3) {
        storage_s3_close(s);
    }
    free(s->dir);
    free(s);
}

const char *storage_backend(const storage_t *s)
{
    return s->kind == STORAGE_S3 ? "s3" : "local";
}

int storage_put(storage_t *s, zm_arena_t *a, const char *key, const char *data, size_t len, const char *content_type)
{
    if (storage_key_check(key) != ZM_OK || (data == NULL && len > 0)) {
        return ZM_EINVAL;
    }
    if (len > STORAGE_OBJ_MAX) {
        return ZM_ETOOBIG; /* storage_get could never give it back */
    }
    if (s->kind == STORAGE_LOCAL) {
        return storage_local_put(s, a, key, data ? data : "", len);
    }
    if (content_type == NULL || content_type[0] == '\0') {
        content_type = "application/octet-stream";
    }
    if (storage_ctype_check(content_type) != ZM_OK) {
        return ZM_EINVAL;
    }
    return storage_s3_put(s, a, key, data, len, content_type);
}

int storage_get(storage_t *s, zm_arena_t *a, const char *key, char **data, size_t *len)
{
    if (storage_key_check(key) != ZM_OK) {
        return ZM_EINVAL;
    }
    return s->kind == STORAGE_LOCAL ? storage_local_get(s, a, key, data, len) : storage_s3_get(s, a, key, data, len);
}

int storage_delete(storage_t *s, zm_arena_t *a, const char *key)
{
    if (storage_key_check(key) != ZM_OK) {
        return ZM_EINVAL;
    }
    return s->kind == STORAGE_LOCAL ? storage_local_delete(s, a, key) : storage_s3_delete(s, a, key);
}

int storage_redirects(const storage_t *s)
{
    return s->kind == STORAGE_S3 && s->redirect;
}

int storage_presign_get(storage_t *s, zm_arena_t *a, const char *key, int64_t now, int ttl_s, const char *download_name,
                        const char *content_type, char **url)
{
    *url = NULL;
    if (s->kind != STORAGE_S3 || storage_key_check(key) != ZM_OK) {
        return ZM_EINVAL;
    }
    return storage_s3_presign(s, a, key, now, ttl_s, download_name, content_type, url);
}
