/*
 * uuid.c -- the one UUID helper.  See uuid.h.
 */
#include "uuid.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

#include "zm.h"

void zm_uuid4(char out[33])
{
    unsigned char b[16];

    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    sodium_bin2hex(out, 33, b, sizeof(b));
}

int zm_uuid_parse(const char *s, char out[33])
{
    size_t n = 0, len;

    if (s == NULL) {
        return ZM_EINVAL;
    }
    len = strlen(s);
    for (size_t i = 0; s[i]; i++) {
        char c = s[i];
        if (c == '-' && (i == 8 || i == 13 || i == 18 || i == 23) && len == 36) {
            continue;
        }
        if (!isxdigit((unsigned char)c) || n == 32) {
            return ZM_EINVAL;
        }
        out[n++] = (char)tolower((unsigned char)c);
    }
    if (n != 32) {
        return ZM_EINVAL;
    }
    out[32] = '\0';
    return ZM_OK;
}

int zm_uuid_valid(const char *s)
{
    char hex[33];

    return zm_uuid_parse(s, hex) == ZM_OK;
}

const char *zm_uuid_dashed(zm_arena_t *a, const char *hex)
{
    if (hex == NULL || strlen(hex) != 32) {
        return hex;
    }
    return zm_psprintf(a, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}
