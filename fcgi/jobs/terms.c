#include "terms.h"

#include <string.h>

#include "str.h"

enum { C_SEP, C_WORD, C_CJK };

/* The next code point at s[0..n): its value and length; *len = 1 and -1 for a bad byte (str.h's decoder). */
static long next_cp(const unsigned char *s, size_t n, size_t *len)
{
    size_t j = 0;
    int32_t cp = zm_utf8_next((const char *)s, n, &j);

    *len = j;
    return cp < 0 ? -1 : cp;
}

static int is_cjk(long cp)
{
    return (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) ||
           (cp >= 0x20000 && cp <= 0x3134f);
}

/* ASCII for full-width letters and digits (ｐｙｔｈｏｎ, ５), lower case; else cp */
static long fold(long cp)
{
    if (cp >= 0xff10 && cp <= 0xff19) {
        cp = '0' + (cp - 0xff10);
    } else if (cp >= 0xff21 && cp <= 0xff3a) {
        cp = 'a' + (cp - 0xff21);
    } else if (cp >= 0xff41 && cp <= 0xff5a) {
        cp = 'a' + (cp - 0xff41);
    }
    if (cp >= 'A' && cp <= 'Z') {
        cp += 'a' - 'A';
    }
    return cp;
}

static int class_of(long cp)
{
    if (cp < 0) {
        return C_SEP;
    }
    if (cp < 0x80) {
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || cp == '+' || cp == '#' ? C_WORD : C_SEP;
    }
    if (is_cjk(cp)) {
        return C_CJK;
    }
    /* general punctuation, CJK symbols and punctuation, full-width forms left after fold() */
    if ((cp >= 0x2000 && cp <= 0x2bff) || (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
        (cp >= 0xff00 && cp <= 0xffef) || cp == 0xa0 || (cp >= 0xa1 && cp <= 0xbf) || cp == 0xd7 || cp == 0xf7) {
        return C_SEP;
    }
    return C_WORD; /* letters of other scripts: part of a word, as they are */
}

void terms_split(const char *s, size_t n, int query, terms_emit_pt emit, void *ctx)
{
    const unsigned char *u = (const unsigned char *)s;
    char word[TERMS_MAX_BYTES + 4];
    size_t wlen = 0, i = 0, len = 1;
    /* the Chinese run so far: the previous character and how many there were */
    char prev[4];
    size_t prevlen = 0, run = 0;

    while (i <= n) {
        long cp = i < n ? fold(next_cp(u + i, n - i, &len)) : -1;
        int c = i < n ? class_of(cp) : C_SEP;
        char cur[4];
        size_t curlen = 0;

        if (i == n) {
            len = 1;
        }
        if (c != C_WORD && wlen > 0) {
            emit(ctx, word, wlen);
            wlen = 0;
        }
        if (c != C_CJK && run > 0) {
            if (run == 1 && query) {
                emit(ctx, prev, prevlen);
            }
            run = 0;
        }
        if (c == C_WORD) {
            char tmp[4];
            size_t l = zm_utf8_put(tmp, (int32_t)cp);
            if (wlen + l <= TERMS_MAX_BYTES) {
                memcpy(word + wlen, tmp, l);
                wlen += l;
            }
        } else if (c == C_CJK) {
            curlen = zm_utf8_put(cur, (int32_t)cp);
            if (!query) {
                emit(ctx, cur, curlen);
            }
            if (run > 0) {
                char pair[8];
                memcpy(pair, prev, prevlen);
                memcpy(pair + prevlen, cur, curlen);
                emit(ctx, pair, prevlen + curlen);
            }
            memcpy(prev, cur, curlen);
            prevlen = curlen;
            run++;
        }
        i += len;
    }
}
