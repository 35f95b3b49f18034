/*
 * str.c -- bytes that arrive from outside: UTF-8, percent escapes, hex digits.
 */
#include "str.h"

#include <string.h>

int zm_str_is_token(const char *s, size_t min, size_t max)
{
    size_t n = s != NULL ? strlen(s) : 0;

    return n >= min && n <= max && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

int zm_hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

char *zm_pct_decode(zm_arena_t *a, const char *s, size_t n, int plus_is_space, size_t *outlen)
{
    char *out = zm_palloc(a, n + 1), *o = out;

    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int h, l;
            if (i + 2 >= n) {
                return NULL;
            }
            h = zm_hexval((unsigned char)s[i + 1]);
            l = zm_hexval((unsigned char)s[i + 2]);
            if (h < 0 || l < 0) {
                return NULL;
            }
            *o++ = (char)(h * 16 + l);
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            *o++ = ' ';
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    if (outlen) {
        *outlen = (size_t)(o - out);
    }
    return out;
}

size_t zm_utf8_chars(const char *s, size_t n)
{
    size_t c = 0;

    /* a malformed byte (the caller's promise broken) counts as one character */
    for (size_t i = 0, k; i < n; i += k ? k : 1, c++) {
        k = zm_utf8_seq_len((const unsigned char *)s + i, n - i);
    }
    return c;
}

size_t zm_utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];

    if (c < 0x80) {
        return 1;
    }
    if (c < 0xc2) {
        return 0;
    }
    if (c < 0xe0) {
        return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    }
    if (c < 0xf0) {
        if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80) {
            return 0;
        }
        if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0)) {
            return 0;
        }
        return 3;
    }
    if (c < 0xf5) {
        if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80) {
            return 0;
        }
        if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90)) {
            return 0;
        }
        return 4;
    }
    return 0;
}

int32_t zm_utf8_next(const char *str, size_t n, size_t *i)
{
    const unsigned char *s = (const unsigned char *)str + *i;
    size_t left = n - *i, k = zm_utf8_seq_len(s, left);
    int32_t cp;

    if (k == 0) {
        /* cut short: a lead byte and nothing but continuation bytes up to the end */
        size_t need = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
                      : s[0] >= 0xe0 && s[0] <= 0xef ? 3
                      : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                                     : 0;
        size_t j = 1;

        while (j < left && (s[j] & 0xc0) == 0x80) {
            j++;
        }
        (*i)++;
        return need > left && j == left ? ZM_UTF8_SHORT : ZM_UTF8_BAD;
    }
    cp = k == 1 ? s[0] : k == 2 ? s[0] & 0x1f : k == 3 ? s[0] & 0x0f : s[0] & 0x07;
    for (size_t j = 1; j < k; j++) {
        cp = (cp << 6) | (s[j] & 0x3f);
    }
    *i += k;
    return cp;
}

size_t zm_utf8_put(char *out, int32_t c)
{
    if (c < 0x80) {
        if (out) {
            out[0] = (char)c;
        }
        return 1;
    }
    if (c < 0x800) {
        if (out) {
            out[0] = (char)(0xc0 | (c >> 6));
            out[1] = (char)(0x80 | (c & 0x3f));
        }
        return 2;
    }
    if (c < 0x10000) {
        if (out) {
            out[0] = (char)(0xe0 | (c >> 12));
            out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
            out[2] = (char)(0x80 | (c & 0x3f));
        }
        return 3;
    }
    if (out) {
        out[0] = (char)(0xf0 | (c >> 18));
        out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[3] = (char)(0x80 | (c & 0x3f));
    }
    return 4;
}

size_t zm_utf8_clip(const char *s, size_t n, size_t max_chars)
{
    size_t i = 0, k;

    for (size_t c = 0; i < n && c < max_chars; c++) {
        k = zm_utf8_seq_len((const unsigned char *)s + i, n - i);
        i += k ? k : 1;
    }
    return i;
}

size_t zm_utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max) {
        return n;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80) {
        max--;
    }
    return max;
}

int zm_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, k;

    while (i < n) {
        k = s[i] == 0 ? 0 : zm_utf8_seq_len(s + i, n - i);
        if (k == 0) {
            return 0;
        }
        i += k;
    }
    return 1;
}

char *zm_content_disposition(zm_arena_t *a, const char *name)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t n = strlen(name), fo = 0;
    char *fallback = zm_palloc(a, n + 1), *enc = zm_palloc(a, n * 3 + 1), *o = enc;

    if (fallback == NULL || enc == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];

        /* one '_' per non-ASCII character, not per byte */
        if (c >= 0x80) {
            if ((c & 0xC0) != 0x80) {
                fallback[fo++] = '_';
            }
        } else {
            fallback[fo++] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ? '_' : (char)c;
        }
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            (c != '\0' && strchr("!#$&+-.^_`|~", c) != NULL)) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = digits[c >> 4];
            *o++ = digits[c & 15];
        }
    }
    fallback[fo] = '\0';
    *o = '\0';
    return zm_psprintf(a, "attachment; filename=\"%s\"; filename*=UTF-8''%s", fallback, enc);
}
