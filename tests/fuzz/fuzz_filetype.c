/*
 * fuzz_filetype.c -- libFuzzer target for ft_sniff (its ZIP central
 * directory walk above all) and ft_sanitize_name.
 *
 * The whole input is the file; its first 255 bytes, up to a NUL, are also
 * used as the file name.  Aborts when an answer breaks a promise: an
 * accepted type without its MIME type, a DOCX that does not start like a
 * ZIP, a bad sanitized name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filetype.h"
#include "hash.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t name_len = size < 255 ? size : 255;
    char name[256], *s;
    const char *mime = NULL;
    zm_arena_t a;
    ft_type_t t;

    memcpy(name, data, name_len);
    name[name_len] = '\0';
    t = ft_sniff((const char *)data, size, name, &mime);
    if (mime == NULL || (t != FT_UNKNOWN && ft_name(t) == NULL)) {
        abort();
    }
    if (t == FT_DOCX && (size < 4 || memcmp(data, "PK\x03\x04", 4) != 0)) {
        abort();
    }
    if ((t == FT_TEXT || t == FT_MARKDOWN) && memchr(data, '\0', size) != NULL) {
        abort();
    }
    mime = ft_sniff_image((const char *)data, size);
    if (mime != NULL && strncmp(mime, "image/", 6) != 0) {
        abort();
    }
    zm_arena_init(&a, 4096, 1u << 20);
    s = ft_sanitize_name(&a, name);
    if (s == NULL || strlen(s) == 0 || strlen(s) > 200 || !zm_utf8_valid(s, strlen(s)) || strchr(s, '/')) {
        abort();
    }
    zm_arena_destroy(&a);
    return 0;
}
