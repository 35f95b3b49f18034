#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filetype.h"
#include "hash.h"
#include "str.h"
#include "zt.h"

#ifndef ZM_TEST_FILES
#define ZM_TEST_FILES "tests/data/files"
#endif

static zm_arena_t arena;

/* A whole file, malloc'ed (NULL when it cannot be read). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    *len = 0;
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

static char *fixture(const char *name, size_t *len)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", ZM_TEST_FILES, name);
    return slurp(path, len);
}

static ft_type_t sniff(const char *data, size_t len, const char *name)
{
    const char *mime = NULL;
    ft_type_t t = ft_sniff(data, len, name, &mime);

    /* every answer comes with a MIME type, refused ones included */
    ZT_CHECK(mime != NULL);
    return t;
}

#define SNIFF(lit, name) sniff((lit), sizeof(lit) - 1, (name))

/* ---- a ZIP writer for hand-made archives (stored entries, no compression) ---- */

typedef struct {
    unsigned char buf[4096];
    size_t len;
    unsigned char cd[2048];
    size_t cd_len;
    unsigned entries;
} zipw_t;

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, size_t v)
{
    put16(p, (unsigned)(v & 0xFFFF));
    put16(p + 2, (unsigned)(v >> 16));
}

static void zip_add(zipw_t *z, const char *name, const char *data)
{
    size_t nl = strlen(name), dl = strlen(data), off = z->len;
    unsigned char *l = z->buf + z->len, *c = z->cd + z->cd_len;

    memset(l, 0, 30);
    memcpy(l, "PK\x03\x04", 4);
    put16(l + 4, 20);
    put32(l + 18, dl);
    put32(l + 22, dl);
    put16(l + 26, (unsigned)nl);
    memcpy(l + 30, name, nl);
    memcpy(l + 30 + nl, data, dl);
    z->len += 30 + nl + dl;

    memset(c, 0, 46);
    memcpy(c, "PK\x01\x02", 4);
    put16(c + 4, 20);
    put16(c + 6, 20);
    put32(c + 20, dl);
    put32(c + 24, dl);
    put16(c + 28, (unsigned)nl);
    put32(c + 42, off);
    memcpy(c + 46, name, nl);
    z->cd_len += 46 + nl;
    z->entries++;
}

/* Append the central directory and the EOCD (with comment); the archive's length. */
static size_t zip_finish(zipw_t *z, const char *comment)
{
    size_t cd_off = z->len, cl = strlen(comment);
    unsigned char *e;

    memcpy(z->buf + z->len, z->cd, z->cd_len);
    z->len += z->cd_len;
    e = z->buf + z->len;
    memset(e, 0, 22);
    memcpy(e, "PK\x05\x06", 4);
    put16(e + 8, z->entries);
    put16(e + 10, z->entries);
    put32(e + 12, z->cd_len);
    put32(e + 16, cd_off);
    put16(e + 20, (unsigned)cl);
    memcpy(e + 22, comment, cl);
    z->len += 22 + cl;
    return z->len;
}

static void docx_like(zipw_t *z)
{
    memset(z, 0, sizeof(*z));
    zip_add(z, "[Content_Types].xml", "<Types/>");
    zip_add(z, "_rels/.rels", "<Relationships/>");
    zip_add(z, "word/document.xml", "<w:document/>");
}

/* ---- the tests ---- */

static void test_pdf(void)
{
    size_t len;
    char *pdf = fixture("minimal.pdf", &len);
    const char *mime = NULL;

    ZT_CHECK(pdf != NULL);
    if (pdf == NULL) {
        return;
    }
    ZT_CHECK(ft_sniff(pdf, len, "resume.txt", &mime) == FT_PDF);
    ZT_STREQ(mime, "application/pdf");
    ZT_CHECK(ft_sniff(pdf, len, NULL, NULL) == FT_PDF);
    /* no trailer: cut before %%EOF */
    ZT_CHECK(sniff(pdf, len - 7, "a.pdf") == FT_UNKNOWN);
    /* junk first: readers tolerate it, we do not */
    ZT_CHECK(SNIFF("\xff\x00junk%PDF-1.4\n%%EOF\n", "a.pdf") == FT_UNKNOWN);
    ZT_CHECK(SNIFF("%PDF-1.7\n1 0 obj\n%%EOF", "a.pdf") == FT_PDF);
    ZT_CHECK(SNIFF("%PDF-", "a.pdf") == FT_UNKNOWN);
    free(pdf);

    /* %%EOF further than 1024 bytes from the end does not count */
    {
        char big[4096];
        memset(big, ' ', sizeof(big));
        memcpy(big, "%PDF-1.4\n%%EOF", 14);
        ZT_CHECK(sniff(big, sizeof(big), "a.pdf") == FT_UNKNOWN);
        memcpy(big + sizeof(big) - 1024, "%%EOF", 5);
        ZT_CHECK(sniff(big, sizeof(big), "a.pdf") == FT_PDF);
        memset(big + sizeof(big) - 1024, ' ', 5);
        memcpy(big + sizeof(big) - 1025, "%%EOF", 5);
        ZT_CHECK(sniff(big, sizeof(big), "a.pdf") == FT_UNKNOWN);
    }
}

static void test_docx(void)
{
    size_t len, zlen;
    char *docx = fixture("minimal.docx", &len), *zip = fixture("plain.zip", &zlen);
    char *bigger;
    const char *mime = NULL;

    ZT_CHECK(docx != NULL && zip != NULL);
    if (docx == NULL || zip == NULL) {
        free(docx);
        free(zip);
        return;
    }
    ZT_CHECK(ft_sniff(docx, len, "简历.pdf", &mime) == FT_DOCX);
    ZT_STREQ(mime, "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    /* an ordinary zip, even named .docx */
    ZT_CHECK(sniff(zip, zlen, "resume.docx") == FT_UNKNOWN);
    /* truncated anywhere in the central directory or its end record */
    for (size_t cut = 1; cut <= 120; cut++) {
        ZT_CHECK(sniff(docx, len - cut, "a.docx") == FT_UNKNOWN);
    }
    /* bytes after the end record: the record no longer reaches the end */
    bigger = malloc(len + 4);
    memcpy(bigger, docx, len);
    memcpy(bigger + len, "junk", 4);
    ZT_CHECK(sniff(bigger, len + 4, "a.docx") == FT_UNKNOWN);
    free(bigger);
    free(docx);
    free(zip);
}

static void test_handmade_zips(void)
{
    zipw_t z;
    size_t len;

    docx_like(&z);
    len = zip_finish(&z, "");
    ZT_CHECK(sniff((char *)z.buf, len, NULL) == FT_DOCX);

    /* a comment holding a fake end record: still the real one */
    docx_like(&z);
    len = zip_finish(&z, "PK\x05\x06 not a record");
    ZT_CHECK(sniff((char *)z.buf, len, NULL) == FT_DOCX);

    /* a macro-enabled document (.docm) */
    docx_like(&z);
    zip_add(&z, "word/vbaProject.bin", "macro");
    len = zip_finish(&z, "");
    ZT_CHECK(sniff((char *)z.buf, len, NULL) == FT_UNKNOWN);

    /* only one of the two names */
    memset(&z, 0, sizeof(z));
    zip_add(&z, "[Content_Types].xml", "<Types/>");
    zip_add(&z, "word/document.xml.bak", "x");
    len = zip_finish(&z, "");
    ZT_CHECK(sniff((char *)z.buf, len, NULL) == FT_UNKNOWN);

    /* more entries claimed than the directory holds */
    docx_like(&z);
    len = zip_finish(&z, "");
    put16(z.buf + len - 22 + 8, 4);
    put16(z.buf + len - 22 + 10, 4);
    ZT_CHECK(sniff((char *)z.buf, len, NULL) == FT_UNKNOWN);

    /* a directory size running past the end record */
    docx_like(&z);
    len = zip_finish(&z, "");
    put32(z.buf + len - 22 + 12, 0x7FFFFFF0);
    ZT_CHECK(sniff((char *)z.buf, len, NULL) == FT_UNKNOWN);

    /* a directory offset past the end */
    docx_like(&z);
    len = zip_finish(&z, "");
    put32(z.buf + len - 22 + 16, 0xFFFFFF00);
    ZT_CHECK(sniff((char *)z.buf, len, NULL) == FT_UNKNOWN);

    /* a name length running out of the directory (the last entry is word/document.xml) */
    docx_like(&z);
    len = zip_finish(&z, "");
    put16(z.buf + len - 22 - (46 + 17) + 28, 0xFFFF);
    ZT_CHECK(sniff((char *)z.buf, len, NULL) == FT_UNKNOWN);

    /* an entry whose local header is not there */
    docx_like(&z);
    len = zip_finish(&z, "");
    put32(z.buf + len - 22 - (46 + 17) + 42, 5);
    ZT_CHECK(sniff((char *)z.buf, len, NULL) == FT_UNKNOWN);

    /* ZIP64 markers */
    docx_like(&z);
    len = zip_finish(&z, "");
    put32(z.buf + len - 22 + 16, 0xFFFFFFFF);
    ZT_CHECK(sniff((char *)z.buf, len, NULL) == FT_UNKNOWN);

    /* a multi-disk archive */
    docx_like(&z);
    len = zip_finish(&z, "");
    put16(z.buf + len - 22 + 4, 1);
    ZT_CHECK(sniff((char *)z.buf, len, NULL) == FT_UNKNOWN);

    /* an end record without the local header magic at the start (an appended zip) */
    docx_like(&z);
    len = zip_finish(&z, "");
    z.buf[0] = 'X';
    ZT_CHECK(sniff((char *)z.buf, len, NULL) == FT_UNKNOWN);

    /* tiny ZIP-looking inputs */
    ZT_CHECK(SNIFF("PK\x03\x04", NULL) == FT_UNKNOWN);
    ZT_CHECK(SNIFF("PK\x03\x04PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", NULL) == FT_UNKNOWN);
}

static void test_spoofing(void)
{
    size_t len;
    char *elf = slurp("/bin/true", &len);
    const char *mime = NULL;

    ZT_CHECK(elf != NULL && len > 4);
    if (elf != NULL) {
        ZT_CHECK(ft_sniff(elf, len, "resume.pdf", &mime) == FT_UNKNOWN);
        ZT_STREQ(mime, "application/octet-stream");
        ZT_CHECK(sniff(elf, len, "resume.md") == FT_UNKNOWN);
        free(elf);
    }
    ZT_CHECK(SNIFF("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "photo.pdf") == FT_UNKNOWN);
    ZT_CHECK(SNIFF("\xff\xd8\xff\xe0\0\x10JFIF", "photo.txt") == FT_UNKNOWN);
    /* GIF and WebP headers are printable: refused even when the rest is text */
    ZT_CHECK(SNIFF("GIF89a text after the header", "a.txt") == FT_UNKNOWN);
    ZT_CHECK(SNIFF("RIFF1234WEBPVP8 text", "a.txt") == FT_UNKNOWN);
    ZT_CHECK(SNIFF("MZ\x90\0\x03\0\0\0", "a.pdf") == FT_UNKNOWN);
    ZT_CHECK(SNIFF("\xfe\xed\xfa\xcf\x07\0\0\x01", "a.pdf") == FT_UNKNOWN);
    ZT_CHECK(SNIFF("#!/bin/sh\nrm -rf /\n", "resume.txt") == FT_UNKNOWN);
    ZT_CHECK(SNIFF("\xef\xbb\xbf#!/usr/bin/env python3\n", "resume.md") == FT_UNKNOWN);
    /* a legacy Word document (OLE2): refused, and the refusal says what to do */
    ZT_CHECK(SNIFF("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0\0\0", "resume.doc") == FT_UNKNOWN);
    ZT_CHECK(strstr(ft_name(FT_UNKNOWN), ".doc") != NULL);
    ZT_CHECK(strstr(ft_name(FT_UNKNOWN), ".docx") != NULL);
}

static void test_text(void)
{
    const char *mime = NULL;
    static const char zh[] = "张三\n求职意向：后端工程师\r\n\t技能：C、Go\f";

    ZT_CHECK(ft_sniff(zh, sizeof(zh) - 1, "简历.txt", &mime) == FT_TEXT);
    ZT_STREQ(mime, "text/plain; charset=utf-8");
    ZT_CHECK(ft_sniff(zh, sizeof(zh) - 1, "简历.MD", &mime) == FT_MARKDOWN);
    ZT_STREQ(mime, "text/markdown; charset=utf-8");
    ZT_CHECK(SNIFF("# 张三\n", "cv.Markdown") == FT_MARKDOWN);
    ZT_CHECK(SNIFF("# 张三\n", "cv.md.txt") == FT_TEXT);
    ZT_CHECK(SNIFF("# 张三\n", "md") == FT_TEXT);
    ZT_CHECK(SNIFF("# 张三\n", NULL) == FT_TEXT);
    ZT_CHECK(SNIFF("\xef\xbb\xbfwith a BOM", "a.txt") == FT_TEXT);
    ZT_CHECK(SNIFF("MZ is where I studied", "a.txt") == FT_TEXT);
    ZT_CHECK(SNIFF("x", "a.txt") == FT_TEXT);

    /* not UTF-8 text */
    ZT_CHECK(SNIFF("caf\xe9 cr\xe8me", "a.txt") == FT_UNKNOWN);                  /* Latin-1 */
    ZT_CHECK(SNIFF("\xd5\xc5\xc8\xfd \xbc\xf2\xc0\xfa", "a.txt") == FT_UNKNOWN); /* GBK */
    ZT_CHECK(SNIFF("\xff\xfeh\0i\0", "a.txt") == FT_UNKNOWN);                    /* UTF-16 */
    ZT_CHECK(SNIFF("a\0b", "a.txt") == FT_UNKNOWN);
    ZT_CHECK(SNIFF("colour \x1b[31mred", "a.txt") == FT_UNKNOWN);
    ZT_CHECK(SNIFF("del \x7f", "a.txt") == FT_UNKNOWN);
    ZT_CHECK(SNIFF("\xed\xa0\x80", "a.txt") == FT_UNKNOWN); /* surrogate */
    ZT_CHECK(SNIFF("\xef\xbb\xbf", "a.txt") == FT_UNKNOWN); /* a BOM and nothing */
    ZT_CHECK(sniff("", 0, "a.txt") == FT_UNKNOWN);
    ZT_CHECK(sniff(NULL, 0, "a.txt") == FT_UNKNOWN);
}

static void test_names(void)
{
    ZT_STREQ(ft_name(FT_PDF), "PDF");
    ZT_STREQ(ft_name(FT_DOCX), "Word (DOCX)");
    ZT_CHECK(strlen(ft_name(FT_TEXT)) > 0);
    ZT_STREQ(ft_name(FT_MARKDOWN), "Markdown");
    ZT_CHECK(zm_utf8_valid(ft_name(FT_UNKNOWN), strlen(ft_name(FT_UNKNOWN))));
}

static const char *clean(const char *name)
{
    char *s = ft_sanitize_name(&arena, name);

    ZT_CHECK(s != NULL && zm_utf8_valid(s, strlen(s)) && strlen(s) <= 200);
    return s;
}

static void test_sanitize(void)
{
    char big[700], *s;
    size_t n;

    ZT_STREQ(clean("简历.pdf"), "简历.pdf");
    ZT_STREQ(clean("../../etc/passwd"), "passwd");
    ZT_STREQ(clean("C:\\Users\\x\\简历.pdf"), "简历.pdf");
    ZT_STREQ(clean("/abs/dir/"), "resume");
    ZT_STREQ(clean("a/..\\.."), "resume");
    ZT_STREQ(clean("dir\\..hidden.txt"), "hidden.txt");
    ZT_STREQ(clean("a\tb\nc\rd\x01\x7f.pdf"), "abcd.pdf");
    ZT_STREQ(clean("\xc2\x85next\xc2\x9f.pdf"), "next.pdf"); /* C1 controls */
    ZT_STREQ(clean("say \"hi\".txt"), "say hi.txt");
    ZT_STREQ(clean("it's ok.pdf"), "it's ok.pdf");
    ZT_STREQ(clean(""), "resume");
    ZT_STREQ(clean("..."), "resume");
    ZT_STREQ(clean(" . . "), "resume");
    ZT_STREQ(clean(".bashrc"), "bashrc");
    ZT_STREQ(clean("  report.pdf  "), "report.pdf");
    ZT_STREQ(clean(NULL), "resume");
    ZT_STREQ(clean("CON"), "CON");
    ZT_STREQ(clean("NUL.txt"), "NUL.txt");
    /* invalid UTF-8 becomes U+FFFD, never a separator */
    ZT_STREQ(clean("a\xff"
                   "b.pdf"),
             "a\xef\xbf\xbd"
             "b.pdf");
    ZT_STREQ(clean("x\xc0\xaf..\xc0\xafy"), "x\xef\xbf\xbd\xef\xbf\xbd..\xef\xbf\xbd\xef\xbf\xbdy");
    ZT_STREQ(clean("\xe7\xae"), "\xef\xbf\xbd\xef\xbf\xbd");
    /* invisible characters that disguise an extension */
    ZT_STREQ(clean("resume\xe2\x80\xae"
                   "fdp.exe"),
             "resumefdp.exe"); /* U+202E RLO */
    ZT_STREQ(clean("\xe2\x81\xa6"
                   "cv\xe2\x81\xa9.pdf"),
             "cv.pdf");                                           /* U+2066, U+2069 */
    ZT_STREQ(clean("cv\xe2\x80\x8b.pdf\xe2\x80\x8d"), "cv.pdf");  /* U+200B, U+200D */
    ZT_STREQ(clean("\xef\xbb\xbf\xe2\x80\x8e.hidden"), "hidden"); /* BOM, LRM, then a dot */
    ZT_STREQ(clean("a\xe2\x80\xa8"
                   "b\xc2\xad"
                   "c\xf3\xa0\x80\x81.pdf"),
             "abc.pdf"); /* U+2028, SHY, tag */

    /* 600 bytes of Chinese: cut to 200 bytes on a character boundary, extension kept */
    n = 0;
    while (n + 3 <= 600) {
        memcpy(big + n, "简", 3);
        n += 3;
    }
    memcpy(big + n, ".pdf", 5);
    s = (char *)clean(big);
    n = s ? strlen(s) : 0;
    ZT_CHECK(n <= 200 && n >= 195);
    ZT_CHECK(n >= 4 && strcmp(s + n - 4, ".pdf") == 0);
    ZT_CHECK(s != NULL && memcmp(s, "简简简", 9) == 0);

    /* a long name without an extension, and with one too long to be one */
    memset(big, 'a', 600);
    big[600] = '\0';
    ZT_CHECK(strlen(clean(big)) == 200);
    memcpy(big + 300, ".", 1);
    s = (char *)clean(big);
    ZT_CHECK(s != NULL && strlen(s) == 200 && strchr(s, '.') == NULL);
    /* 4-byte characters at the cut */
    n = 0;
    while (n + 4 <= 600) {
        memcpy(big + n, "\xf0\x9f\x93\x84", 4);
        n += 4;
    }
    memcpy(big + n, ".docx", 6);
    s = (char *)clean(big);
    n = s ? strlen(s) : 0;
    ZT_CHECK(n <= 200 && n > 190 && strcmp(s + n - 5, ".docx") == 0);
}

static const char *text(const char *s, int multiline)
{
    char *t = ft_clean_text(&arena, s, strlen(s), multiline);

    ZT_CHECK(t != NULL && zm_utf8_valid(t, strlen(t)));
    return t;
}

/* names and comments: shown as typed, minus what hides or reorders text */
static void test_clean_text(void)
{
    ZT_STREQ(text("张三的简历 (2024)", 0), "张三的简历 (2024)");
    ZT_STREQ(text("say \"hi\" / it's", 0), "say \"hi\" / it's"); /* quotes and slashes are fine in a name */
    ZT_STREQ(text("  a\tb\nc  ", 0), "a b c");
    ZT_STREQ(text("bad\x01\x1b[31mname\x7f", 0), "bad[31mname");
    ZT_STREQ(text("\xc2\x85next\xc2\x9f", 0), "next"); /* C1 controls */
    ZT_STREQ(text("invoice\xe2\x80\xae"
                  "fdp.exe",
                  0),
             "invoicefdp.exe"); /* U+202E RLO */
    ZT_STREQ(text("\xe2\x81\xa6"
                  "a\xe2\x81\xa7"
                  "b\xe2\x81\xa8"
                  "c\xe2\x81\xa9",
                  0),
             "abc"); /* U+2066..U+2069 isolates */
    ZT_STREQ(text("l\xe2\x80\x8er\xe2\x80\x8fz\xe2\x80\x8bw\xe2\x80\x8d\xef\xbb\xbf", 0),
             "lrzw"); /* LRM, RLM, ZWSP, ZWJ, BOM */
    ZT_STREQ(text("\xe2\x80\xae \xe2\x80\x8b", 0), "");
    ZT_STREQ(text("a\xff"
                  "b",
                  0),
             "a\xef\xbf\xbd"
             "b");
    /* a comment keeps its lines and tabs; CRLF becomes LF */
    ZT_STREQ(text("第一行\r\n\t第二行\xe2\x80\xae\x07\n", 1), "第一行\n\t第二行\n");
    ZT_STREQ(text("  indented", 1), "  indented");
}

int main(void)
{
    zm_arena_init(&arena, 16384, 0);
    ZT_RUN(test_pdf);
    ZT_RUN(test_docx);
    ZT_RUN(test_handmade_zips);
    ZT_RUN(test_spoofing);
    ZT_RUN(test_text);
    ZT_RUN(test_names);
    ZT_RUN(test_sanitize);
    ZT_RUN(test_clean_text);
    zm_arena_destroy(&arena);
    return zt_done();
}
