/*
 * fuzz_multipart.c -- libFuzzer target for mp_parse, and for ft_sniff and
 * ft_sanitize_name on what it yields.
 *
 * Input: the request's Content-Type up to the first '\n', the body after it
 * (an input without '\n' is all Content-Type and an empty body).  Besides
 * memory errors (ASan) and undefined behaviour (UBSan) it checks what the
 * callers rely on, and aborts when a promise is broken: parts point into
 * the body, at most MP_MAX_PARTS, every name NUL-terminated and non-empty,
 * sanitized names valid UTF-8 of at most 200 bytes without a path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filetype.h"
#include "http.h"
#include "multipart.h"

#define FUZZ_CT_MAX 4096
#define FUZZ_ARENA_CAP (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_name(zm_arena_t *a, const char *name)
{
    char *s = ft_sanitize_name(a, name);
    size_t n;

    if (s == NULL) {
        abort();
    }
    n = strlen(s);
    if (n == 0 || n > 200 || !zm_utf8_valid(s, n) || strchr(s, '/') || strchr(s, '\\') || s[0] == '.' ||
        strchr(s, '"')) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t ct_len = nl ? (size_t)(nl - data) : size;
    const char *body = nl ? (const char *)nl + 1 : NULL;
    size_t body_len = nl ? size - ct_len - 1 : 0;
    char *ct;
    zm_arena_t a;
    mp_part_t *parts = NULL;
    size_t nparts = 0;
    int rc;

    if (ct_len > FUZZ_CT_MAX) {
        return 0;
    }
    /* a copy of its own so ASan sees a read past the Content-Type's NUL */
    ct = malloc(ct_len + 1);
    if (ct == NULL) {
        return 0;
    }
    memcpy(ct, data, ct_len);
    ct[ct_len] = '\0';

    zm_arena_init(&a, 16384, FUZZ_ARENA_CAP);
    rc = mp_parse(&a, ct, body, body_len, &parts, &nparts);
    if (rc != ZM_OK && (parts != NULL || nparts != 0)) {
        abort();
    }
    if (rc != ZM_OK && rc != ZM_EINVAL && rc != ZM_ENOMEM) {
        abort();
    }
    if (nparts > MP_MAX_PARTS) {
        abort();
    }
    for (size_t i = 0; i < nparts; i++) {
        const mp_part_t *p = &parts[i];
        const char *mime = NULL;

        if (p->name == NULL || p->name[0] == '\0' || p->data < body || p->len > body_len ||
            p->data + p->len > body + body_len) {
            abort();
        }
        if (mp_find(parts, nparts, p->name) == NULL) {
            abort();
        }
        (void)strlen(p->content_type ? p->content_type : "");
        ft_sniff(p->data, p->len, p->filename, &mime);
        if (mime == NULL) {
            abort();
        }
        fuzz_check_name(&a, p->filename);
        fuzz_check_name(&a, p->name);
    }
    zm_arena_destroy(&a);
    free(ct);
    return 0;
}
