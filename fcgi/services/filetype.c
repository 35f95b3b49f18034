/*
 * filetype.c -- what an uploaded file really is, and a name safe to keep.
 * See filetype.h.
 *
 * The type comes from the bytes alone: a client's file name and MIME type
 * are whatever it says they are.  Every check reads a bounded amount or
 * scans the data once; the ZIP check walks the central directory with every
 * offset and size checked against the data, and decompresses nothing.
 */
#include "filetype.h"

#include <string.h>
#include <strings.h>

#include "hash.h"
#include "str.h"

#define FT_PDF_TAIL 1024 /* %%EOF must be this close to the end */
#define FT_NAME_MAX 200  /* bytes of a sanitized name */
#define FT_EXT_MAX 16    /* longest extension (with its dot) kept when a name is cut */
#define FT_FALLBACK "resume"

#define FT_MIME_PDF "application/pdf"
#define FT_MIME_DOCX "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#define FT_MIME_TEXT "text/plain; charset=utf-8"
#define FT_MIME_MARKDOWN "text/markdown; charset=utf-8"
#define FT_MIME_UNKNOWN "application/octet-stream"

/* ---- ZIP (APPNOTE.TXT 4.3) ---- */

#define ZIP_LOCAL_SIG "PK\x03\x04"
#define ZIP_CENTRAL_SIG "PK\x01\x02"
#define ZIP_EOCD_SIG "PK\x05\x06"
#define ZIP_LOCAL_LEN 30
#define ZIP_CENTRAL_LEN 46
#define ZIP_EOCD_LEN 22
#define ZIP_COMMENT_MAX 0xFFFF

static unsigned ft_le16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static size_t ft_le32(const unsigned char *p)
{
    return (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
}

/*
 * The End Of Central Directory record: the last "PK\5\6" whose comment
 * length reaches exactly to the end of the data.  Searching back from the
 * end and insisting on that length means a fake record inside a comment
 * is skipped.  -1 when there is none.
 */
static long ft_zip_eocd(const unsigned char *d, size_t len)
{
    size_t lowest;

    if (len < ZIP_EOCD_LEN) {
        return -1;
    }
    lowest = len - ZIP_EOCD_LEN > ZIP_COMMENT_MAX ? len - ZIP_EOCD_LEN - ZIP_COMMENT_MAX : 0;
    for (size_t i = len - ZIP_EOCD_LEN + 1; i-- > lowest;) {
        if (memcmp(d + i, ZIP_EOCD_SIG, 4) == 0 && i + ZIP_EOCD_LEN + ft_le16(d + i + 20) == len) {
            return (long)i;
        }
    }
    return -1;
}

/* Does the local header a central entry points to exist, before the central directory? */
static int ft_zip_local_ok(const unsigned char *d, size_t cd_off, size_t local_off)
{
    return local_off <= cd_off && cd_off - local_off >= ZIP_LOCAL_LEN && memcmp(d + local_off, ZIP_LOCAL_SIG, 4) == 0;
}

/*
 * A Word document: a ZIP whose central directory names both
 * [Content_Types].xml and word/document.xml.  A macro project
 * (word/vbaProject.bin) makes it a .docm, which is refused: the
 * service never needs macros, and a file it keeps may be downloaded by others.
 */
static int ft_is_docx(const unsigned char *d, size_t len)
{
    long eocd = ft_zip_eocd(d, len);
    const unsigned char *e;
    size_t entries, cd_size, cd_off, p, cd_end;
    int types = 0, doc = 0;

    if (eocd < 0) {
        return 0;
    }
    e = d + eocd;
    entries = ft_le16(e + 10);
    cd_size = ft_le32(e + 12);
    cd_off = ft_le32(e + 16);
    /* one disk only; 0xFFFF / 0xFFFFFFFF would mean ZIP64, which no file under the upload cap needs */
    if (ft_le16(e + 4) != 0 || ft_le16(e + 6) != 0 || ft_le16(e + 8) != entries || entries == 0xFFFF ||
        cd_size == 0xFFFFFFFF || cd_off == 0xFFFFFFFF) {
        return 0;
    }
    if (cd_off > (size_t)eocd || cd_size > (size_t)eocd - cd_off) {
        return 0;
    }
    cd_end = cd_off + cd_size;
    p = cd_off;
    /* each entry is checked against cd_end: the loop ends after at most cd_size / 46 rounds */
    for (size_t i = 0; i < entries; i++) {
        size_t name_len, entry_len, local_off;
        const char *name;

        if (cd_end - p < ZIP_CENTRAL_LEN || memcmp(d + p, ZIP_CENTRAL_SIG, 4) != 0) {
            return 0;
        }
        name_len = ft_le16(d + p + 28);
        entry_len = ZIP_CENTRAL_LEN + name_len + ft_le16(d + p + 30) + ft_le16(d + p + 32);
        if (entry_len > cd_end - p) {
            return 0;
        }
        name = (const char *)d + p + ZIP_CENTRAL_LEN;
        local_off = ft_le32(d + p + 42);
        if (name_len == 19 && memcmp(name, "[Content_Types].xml", 19) == 0) {
            if (!ft_zip_local_ok(d, cd_off, local_off)) {
                return 0;
            }
            types = 1;
        } else if (name_len == 17 && memcmp(name, "word/document.xml", 17) == 0) {
            if (!ft_zip_local_ok(d, cd_off, local_off)) {
                return 0;
            }
            doc = 1;
        } else if (name_len == 19 && memcmp(name, "word/vbaProject.bin", 19) == 0) {
            return 0;
        }
        p += entry_len;
    }
    return types && doc;
}

/* ---- PDF ---- */

static int ft_is_pdf(const char *d, size_t len)
{
    size_t tail = len < FT_PDF_TAIL ? len : FT_PDF_TAIL;

    /* at offset 0 only: readers tolerate junk first, which is how PDF polyglots are made */
    return len >= 5 && memcmp(d, "%PDF-", 5) == 0 && memmem(d + len - tail, tail, "%%EOF", 5) != NULL;
}

/* ---- text ---- */

/*
 * UTF-8 text: at least one byte after an optional BOM, no NUL, and no
 * control bytes but TAB, LF, CR and FF.  DEL is refused too: no text
 * editor writes it, and binary formats are full of it.
 */
static int ft_is_text(const char *d, size_t len)
{
    if (len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0) {
        d += 3;
        len -= 3;
    }
    if (len == 0) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)d[i];

        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F) {
            return 0;
        }
    }
    /* a script is text, but not a résumé, and "#!" says what it is for */
    if (len >= 2 && d[0] == '#' && d[1] == '!') {
        return 0;
    }
    return zm_utf8_valid(d, len);
}

/*
 * Formats that are refused even if their bytes happened to pass as text:
 * GIF's and WebP's headers are printable ASCII, and a crafted image could
 * be valid UTF-8 after them.
 */
static int ft_is_refused_magic(const char *d, size_t len)
{
    static const struct {
        const char *magic;
        size_t len;
    } magics[] = {
        {"\x7F\x45LF", 4},       /* ELF */
        {"MZ", 2},               /* PE / DOS executable */
        {"\xFE\xED\xFA\xCE", 4}, /* Mach-O */
        {"\xFE\xED\xFA\xCF", 4},
        {"\xCE\xFA\xED\xFE", 4},
        {"\xCF\xFA\xED\xFE", 4},
        {"\xCA\xFE\xBA\xBE", 4},  /* Mach-O universal (and Java class) */
        {"\x89PNG\r\n\x1A\n", 8}, /* PNG */
        {"\xFF\xD8\xFF", 3},      /* JPEG */
        {"GIF87a", 6},            /* GIF */
        {"GIF89a", 6},
        {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8}, /* OLE2: legacy .doc, .xls, .msi */
    };

    for (size_t i = 0; i < ZM_ARRAY_LEN(magics); i++) {
        if (len >= magics[i].len && memcmp(d, magics[i].magic, magics[i].len) == 0) {
            /* "MZ" alone is two letters a text may start with: an executable has binary bytes next */
            if (magics[i].len == 2 && ft_is_text(d, len)) {
                continue;
            }
            return 1;
        }
    }
    /* WebP: RIFF, a 32-bit size, WEBP */
    return len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0;
}

static int ft_ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

ft_type_t ft_sniff(const char *data, size_t len, const char *name, const char **mime)
{
    const char *dummy;

    if (mime == NULL) {
        mime = &dummy;
    }
    *mime = FT_MIME_UNKNOWN;
    if (data == NULL || len == 0) {
        return FT_UNKNOWN;
    }
    /* a file that claims a format by its first bytes is that format or nothing: never text */
    if (len >= 5 && memcmp(data, "%PDF-", 5) == 0) {
        if (!ft_is_pdf(data, len)) {
            return FT_UNKNOWN;
        }
        *mime = FT_MIME_PDF;
        return FT_PDF;
    }
    if (len >= 4 && memcmp(data, ZIP_LOCAL_SIG, 4) == 0) {
        if (!ft_is_docx((const unsigned char *)data, len)) {
            return FT_UNKNOWN;
        }
        *mime = FT_MIME_DOCX;
        return FT_DOCX;
    }
    if (ft_is_refused_magic(data, len) || !ft_is_text(data, len)) {
        return FT_UNKNOWN;
    }
    if (name != NULL && (ft_ends_with_ci(name, ".md") || ft_ends_with_ci(name, ".markdown"))) {
        *mime = FT_MIME_MARKDOWN;
        return FT_MARKDOWN;
    }
    *mime = FT_MIME_TEXT;
    return FT_TEXT;
}

const char *ft_name(ft_type_t t)
{
    switch (t) {
    case FT_PDF:
        return "PDF";
    case FT_DOCX:
        return "Word (DOCX)";
    case FT_TEXT:
        return "纯文本 (TXT)";
    case FT_MARKDOWN:
        return "Markdown";
    case FT_UNKNOWN:
        break;
    }
    /* the one sentence a user sees when a file is refused: say what would work */
    return "不支持的文件类型：请上传 PDF、Word (.docx)、TXT 或 Markdown 文件"
           "（旧版 Word (.doc) 暂不支持，请另存为 .docx 或 PDF；图片暂不支持）";
}

/* ---- file names ---- */

/*
 * Characters dropped from names: controls, the double quote (it ends a
 * quoted header value), and invisible format characters that can make
 * "cv\u202Efdp.exe" display as "cvexe.pdf" or hide what an extension is:
 * bidi embeddings, overrides and isolates, zero-width characters, soft
 * hyphen, line and paragraph separators, BOM, interlinear annotations and
 * tag characters.
 */
static int ft_invisible(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0x61C || cp == 0x180E ||
           (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) ||
           cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE0000 && cp <= 0xE007F);
}

static int ft_dropped(unsigned cp)
{
    return cp == '"' || ft_invisible(cp);
}

/* how ft_filter treats whitespace controls and '"' */
enum { FT_NAME, FT_LINE, FT_LINES };

/*
 * s[0..n) into out (3n bytes: an invalid byte becomes U+FFFD) without the
 * invisible characters; returns the bytes written.  FT_NAME also drops '"'
 * and line breaks; FT_LINE turns tabs and line breaks into spaces; FT_LINES
 * keeps '\n' and '\t'.
 */
static size_t ft_filter(const char *s, size_t n, char *out, int mode)
{
    size_t o = 0;

    for (size_t i = 0; i < n;) {
        size_t at = i;
        int32_t cp = zm_utf8_next(s, n, &i);

        if (cp < 0) {
            o += zm_utf8_put(out + o, 0xfffd);
        } else if (mode == FT_NAME && ft_dropped((unsigned)cp)) {
            continue;
        } else if (mode == FT_LINES && (cp == '\n' || cp == '\t')) {
            out[o++] = (char)cp;
        } else if (mode == FT_LINE && (cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f')) {
            out[o++] = ' '; /* a line break inside a name separates words: keep them apart */
        } else if (!ft_invisible((unsigned)cp)) {
            memcpy(out + o, s + at, i - at);
            o += i - at;
        }
    }
    return o;
}

char *ft_sanitize_name(zm_arena_t *a, const char *name)
{
    const char *base, *ext;
    size_t n, o = 0, start, end, ext_len, stem_len;
    char *buf, *out;

    if (name == NULL) {
        return zm_pstrdup(a, FT_FALLBACK);
    }
    /* the last path component: '/' and '\\' never occur inside a UTF-8 sequence */
    base = name;
    for (const char *p = name; *p; p++) {
        if (*p == '/' || *p == '\\') {
            base = p + 1;
        }
    }
    n = strlen(base);
    /* an invalid byte becomes U+FFFD: three bytes for one */
    if (n > (((size_t)-1) - 1) / 3) {
        return NULL;
    }
    buf = zm_palloc(a, 3 * n + 1);
    if (buf == NULL) {
        return NULL;
    }
    o = ft_filter(base, n, buf, FT_NAME);
    /* leading dots and spaces: no hidden files, no "..", no name that is only an extension's dot */
    start = 0;
    while (start < o && (buf[start] == '.' || buf[start] == ' ')) {
        start++;
    }
    end = o;
    while (end > start && buf[end - 1] == ' ') {
        end--;
    }
    if (end == start) {
        return zm_pstrdup(a, FT_FALLBACK);
    }
    out = buf + start;
    n = end - start;
    if (n <= FT_NAME_MAX) {
        out[n] = '\0';
        return out;
    }
    /* too long: cut the stem, keep a short extension */
    ext = memrchr(out, '.', n);
    ext_len = ext ? n - (size_t)(ext - out) : 0;
    if (ext_len > FT_EXT_MAX) {
        ext_len = 0;
    }
    stem_len = zm_utf8_cut(out, n - ext_len, FT_NAME_MAX - ext_len);
    memmove(out + stem_len, out + n - ext_len, ext_len);
    n = stem_len + ext_len;
    out[n] = '\0';
    return out;
}

char *ft_clean_text(zm_arena_t *a, const char *s, size_t n, int multiline)
{
    size_t o = 0, start = 0;
    char *buf;

    if (n > (((size_t)-1) - 1) / 3) {
        return NULL;
    }
    buf = zm_palloc(a, 3 * n + 1);
    if (buf == NULL) {
        return NULL;
    }
    o = ft_filter(s, n, buf, multiline ? FT_LINES : FT_LINE);
    if (!multiline) {
        while (start < o && buf[start] == ' ') {
            start++;
        }
        while (o > start && buf[o - 1] == ' ') {
            o--;
        }
    }
    buf[o] = '\0';
    return buf + start;
}

const char *ft_sniff_image(const char *data, size_t len)
{
    const unsigned char *d = (const unsigned char *)data;

    if (d == NULL) {
        return NULL;
    }
    if (len >= 24 && memcmp(d, "\x89PNG\r\n\x1A\n", 8) == 0 && memcmp(d + 12, "IHDR", 4) == 0) {
        return "image/png";
    }
    if (len >= 4 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF && d[3] >= 0xC0 && d[3] != 0xFF) {
        return "image/jpeg";
    }
    if (len >= 16 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0 &&
        (memcmp(d + 12, "VP8 ", 4) == 0 || memcmp(d + 12, "VP8L", 4) == 0 || memcmp(d + 12, "VP8X", 4) == 0)) {
        return "image/webp";
    }
    return NULL;
}
