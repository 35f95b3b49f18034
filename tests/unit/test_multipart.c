#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "multipart.h"
#include "zt.h"

#define CT "multipart/form-data; boundary=XyZ"
#define CD "Content-Disposition: form-data; "

static zm_arena_t arena;

/* Parse a string literal body (binary-safe: its length is the caller's). */
static int parse_n(const char *ct, const char *body, size_t len, mp_part_t **parts, size_t *n)
{
    zm_arena_reset(&arena);
    return mp_parse(&arena, ct, body, len, parts, n);
}

#define PARSE(ct, lit, parts, n) parse_n((ct), (lit), sizeof(lit) - 1, (parts), (n))

static int data_is(const mp_part_t *p, const char *s, size_t n)
{
    return p != NULL && p->len == n && memcmp(p->data, s, n) == 0;
}

static void test_normal_form(void)
{
    static const char body[] = "--XyZ\r\n" CD "name=\"title\"\r\n"
                               "\r\n"
                               "我的简历\r\n"
                               "--XyZ\r\n" CD "name=lang\r\n"
                               "\r\n"
                               "zh\r\n"
                               "--XyZ\r\n" CD "name=\"resume\"; filename=\"cv.pdf\"\r\n"
                               "Content-Type: application/pdf\r\n"
                               "X-Other: ignored\r\n"
                               "\r\n"
                               "%PDF-\0\r\n\r\nbinary\r\n-- XyZ\r\n"
                               "--XyZ--\r\n";
    static const char file[] = "%PDF-\0\r\n\r\nbinary\r\n-- XyZ";
    mp_part_t *parts;
    size_t n;

    ZT_CHECK(PARSE(CT, body, &parts, &n) == ZM_OK);
    ZT_CHECK(n == 3);
    if (n != 3) {
        return;
    }
    ZT_STREQ(parts[0].name, "title");
    ZT_CHECK(parts[0].filename == NULL);
    ZT_CHECK(parts[0].content_type == NULL);
    ZT_CHECK(data_is(&parts[0], "我的简历", strlen("我的简历")));
    ZT_STREQ(parts[1].name, "lang");
    ZT_CHECK(data_is(&parts[1], "zh", 2));
    ZT_STREQ(parts[2].name, "resume");
    ZT_STREQ(parts[2].filename, "cv.pdf");
    ZT_STREQ(parts[2].content_type, "application/pdf");
    ZT_CHECK(data_is(&parts[2], file, sizeof(file) - 1));
    /* zero copy: the data is the body's own bytes */
    ZT_CHECK(parts[2].data > body && parts[2].data + parts[2].len < body + sizeof(body));
    ZT_CHECK(mp_find(parts, n, "resume") == &parts[2]);
    ZT_CHECK(mp_find(parts, n, "resum") == NULL);
    ZT_CHECK(mp_find(parts, n, "Resume") == NULL);
    ZT_CHECK(mp_find(NULL, 0, "x") == NULL);
}

static void test_header_names_case(void)
{
    static const char body[] = "--XyZ\r\n"
                               "content-disposition: FORM-DATA; NAME=\"f\"; FileName=\"a.txt\"\r\n"
                               "CONTENT-TYPE:text/plain  \r\n"
                               "\r\n"
                               "x\r\n"
                               "--XyZ--";
    mp_part_t *parts;
    size_t n;

    ZT_CHECK(PARSE("Multipart/Form-Data;Boundary=XyZ", body, &parts, &n) == ZM_OK && n == 1);
    if (n == 1) {
        ZT_STREQ(parts[0].name, "f");
        ZT_STREQ(parts[0].filename, "a.txt");
        ZT_STREQ(parts[0].content_type, "text/plain");
    }
}

static void test_chinese_filenames(void)
{
    static const char raw[] = "--XyZ\r\n" CD "name=\"f\"; filename=\"简历 张三.pdf\"\r\n\r\nx\r\n--XyZ--\r\n";
    static const char ext[] = "--XyZ\r\n" CD "name=\"f\"; filename=\"fallback.pdf\"; "
                              "filename*=UTF-8''%E7%AE%80%E5%8E%86%20v2.pdf\r\n\r\nx\r\n--XyZ--\r\n";
    static const char ext_first[] = "--XyZ\r\n" CD "name=\"f\"; filename*=utf-8'zh-CN'%E7%AE%80%E5%8E%86.pdf; "
                                    "filename=\"fallback.pdf\"\r\n\r\nx\r\n--XyZ--\r\n";
    static const char ext_only[] = "--XyZ\r\n" CD "name=\"f\"; filename*=UTF-8''%e7%ae%80.txt\r\n\r\nx\r\n--XyZ--\r\n";
    static const char latin1[] = "--XyZ\r\n" CD "name=\"f\"; filename*=iso-8859-1''caf%E9.txt\r\n\r\nx\r\n--XyZ--\r\n";
    static const char bad_fallback[] = "--XyZ\r\n" CD "name=\"f\"; filename=\"ok.pdf\"; "
                                       "filename*=UTF-8''%FF.pdf\r\n\r\nx\r\n--XyZ--\r\n";
    static const char bad_alone[] = "--XyZ\r\n" CD "name=\"f\"; filename*=UTF-8''%E7%AE.pdf\r\n\r\nx\r\n--XyZ--\r\n";
    static const char nul[] = "--XyZ\r\n" CD "name=\"f\"; filename*=UTF-8''a%00.pdf\r\n\r\nx\r\n--XyZ--\r\n";
    static const char short_pct[] = "--XyZ\r\n" CD "name=\"f\"; filename*=UTF-8''a%4\r\n\r\nx\r\n--XyZ--\r\n";
    static const char charset[] = "--XyZ\r\n" CD "name=\"f\"; filename*=GBK''%BC%F2.pdf\r\n\r\nx\r\n--XyZ--\r\n";
    mp_part_t *parts;
    size_t n;

    ZT_CHECK(PARSE(CT, raw, &parts, &n) == ZM_OK && n == 1);
    ZT_STREQ(n == 1 ? parts[0].filename : NULL, "简历 张三.pdf");
    ZT_CHECK(PARSE(CT, ext, &parts, &n) == ZM_OK && n == 1);
    ZT_STREQ(n == 1 ? parts[0].filename : NULL, "简历 v2.pdf");
    ZT_CHECK(PARSE(CT, ext_first, &parts, &n) == ZM_OK && n == 1);
    ZT_STREQ(n == 1 ? parts[0].filename : NULL, "简历.pdf");
    ZT_CHECK(PARSE(CT, ext_only, &parts, &n) == ZM_OK && n == 1);
    ZT_STREQ(n == 1 ? parts[0].filename : NULL, "简.txt");
    ZT_CHECK(PARSE(CT, latin1, &parts, &n) == ZM_OK && n == 1);
    ZT_STREQ(n == 1 ? parts[0].filename : NULL, "café.txt");
    /* a filename* that cannot be decoded gives way to filename, and alone is refused */
    ZT_CHECK(PARSE(CT, bad_fallback, &parts, &n) == ZM_OK && n == 1);
    ZT_STREQ(n == 1 ? parts[0].filename : NULL, "ok.pdf");
    ZT_CHECK(PARSE(CT, bad_alone, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, nul, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, short_pct, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, charset, &parts, &n) == ZM_EINVAL);
}

static void test_quoted_values(void)
{
    /* old IE sends whole Windows paths with bare backslashes: they must survive for the sanitizer */
    static const char path[] = "--XyZ\r\n" CD "name=\"f\"; filename=\"C:\\Users\\x\\简历.pdf\"\r\n\r\nx\r\n--XyZ--";
    static const char esc[] = "--XyZ\r\n" CD "name=\"a\\\"b\"; filename=\"q\\\"uote\\\\.txt\"\r\n\r\nx\r\n--XyZ--";
    static const char semi[] = "--XyZ\r\n" CD "name=\"a;b\"; filename=\"x; name=y.pdf\"\r\n\r\nx\r\n--XyZ--";
    static const char open[] = "--XyZ\r\n" CD "name=\"f\"; filename=\"a.pdf\r\n\r\nx\r\n--XyZ--";
    static const char empty_name[] = "--XyZ\r\n" CD "name=\"\"\r\n\r\nx\r\n--XyZ--";
    static const char dup_name[] = "--XyZ\r\n" CD "name=\"a\"; name=\"b\"\r\n\r\nx\r\n--XyZ--";
    static const char dup_file[] = "--XyZ\r\n" CD "name=\"a\"; filename=a; filename=b\r\n\r\nx\r\n--XyZ--";
    static const char attach[] = "--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--XyZ--";
    static const char noeq[] = "--XyZ\r\n" CD "name\r\n\r\nx\r\n--XyZ--";
    static const char extra[] = "--XyZ\r\n" CD "name=\"a\";; foo=bar;\r\n\r\nx\r\n--XyZ--";
    mp_part_t *parts;
    size_t n;

    ZT_CHECK(PARSE(CT, path, &parts, &n) == ZM_OK && n == 1);
    ZT_STREQ(n == 1 ? parts[0].filename : NULL, "C:\\Users\\x\\简历.pdf");
    ZT_CHECK(PARSE(CT, esc, &parts, &n) == ZM_OK && n == 1);
    ZT_STREQ(n == 1 ? parts[0].name : NULL, "a\"b");
    ZT_STREQ(n == 1 ? parts[0].filename : NULL, "q\"uote\\.txt");
    ZT_CHECK(PARSE(CT, semi, &parts, &n) == ZM_OK && n == 1);
    ZT_STREQ(n == 1 ? parts[0].name : NULL, "a;b");
    ZT_STREQ(n == 1 ? parts[0].filename : NULL, "x; name=y.pdf");
    ZT_CHECK(PARSE(CT, open, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, empty_name, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, dup_name, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, dup_file, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, attach, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, noeq, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, extra, &parts, &n) == ZM_OK && n == 1);
}

static void test_boundary_param(void)
{
    static const char body[] = "--a b:c?\r\n" CD "name=\"f\"\r\n\r\nv\r\n--a b:c?--\r\n";
    static const char plain[] = "--XyZ\r\n" CD "name=\"f\"\r\n\r\nv\r\n--XyZ--\r\n";
    char b70[128], ct[160];
    mp_part_t *parts;
    size_t n;

    ZT_CHECK(PARSE("multipart/form-data; charset=utf-8; BOUNDARY=\"a b:c?\"", body, &parts, &n) == ZM_OK && n == 1);
    ZT_CHECK(n == 1 && data_is(&parts[0], "v", 1));
    ZT_CHECK(PARSE("multipart/form-data;boundary=\"XyZ\";charset=\"utf-8\"", plain, &parts, &n) == ZM_OK && n == 1);
    ZT_CHECK(PARSE("  multipart/form-data ;  boundary=XyZ  ", plain, &parts, &n) == ZM_OK && n == 1);
    /* the boundary is case-sensitive even though the parameter name is not */
    ZT_CHECK(PARSE("multipart/form-data; boundary=xyz", plain, &parts, &n) == ZM_EINVAL);

    /* missing or bad boundaries */
    ZT_CHECK(PARSE("multipart/form-data", plain, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(parts == NULL && n == 0);
    ZT_CHECK(PARSE("multipart/form-data; boundary=", plain, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE("multipart/form-data; boundary=\"\"", plain, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE("multipart/form-data; boundary=\"XyZ", plain, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE("multipart/form-data; boundary=\"XyZ \"", plain, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE("multipart/form-data; boundary=\"Xy@Z\"", plain, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE("multipart/form-data; boundary=XyZ; boundary=XyZ", plain, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE("multipart/form-data; boundary XyZ", plain, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE("multipart/mixed; boundary=XyZ", plain, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE("application/json; boundary=XyZ", plain, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE("multipart/form-data; boundaryx=XyZ", plain, &parts, &n) == ZM_EINVAL);
    zm_arena_reset(&arena);
    ZT_CHECK(mp_parse(&arena, NULL, plain, sizeof(plain) - 1, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(mp_parse(&arena, CT, NULL, 0, &parts, &n) == ZM_EINVAL);

    /* 70 characters is the most RFC 2046 allows */
    memset(b70, 'b', 70);
    b70[70] = '\0';
    snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", b70);
    {
        char body70[400];
        int len = snprintf(body70, sizeof(body70), "--%s\r\n" CD "name=\"f\"\r\n\r\nv\r\n--%s--", b70, b70);
        ZT_CHECK(parse_n(ct, body70, (size_t)len, &parts, &n) == ZM_OK && n == 1);
        strcat(ct, "b");
        ZT_CHECK(parse_n(ct, body70, (size_t)len, &parts, &n) == ZM_EINVAL);
    }
}

static void test_preamble_epilogue(void)
{
    static const char body[] = "This is the preamble.\r\n--XyZ is not it\r\n"
                               "--XyZ\r\n" CD "name=\"a\"\r\n\r\n1\r\n"
                               "--XyZ \t\r\n" CD "name=\"b\"\r\n\r\n2\r\n"
                               "--XyZ--\r\nThis is the epilogue.\r\n--XyZ\r\nnot a part\r\n";
    static const char leading_crlf[] = "\r\n--XyZ\r\n" CD "name=\"a\"\r\n\r\n1\r\n--XyZ--";
    static const char no_parts[] = "--XyZ--\r\n";
    mp_part_t *parts;
    size_t n;

    ZT_CHECK(PARSE(CT, body, &parts, &n) == ZM_OK && n == 2);
    ZT_CHECK(n == 2 && data_is(&parts[0], "1", 1) && data_is(&parts[1], "2", 1));
    ZT_CHECK(PARSE(CT, leading_crlf, &parts, &n) == ZM_OK && n == 1);
    ZT_CHECK(PARSE(CT, no_parts, &parts, &n) == ZM_OK && n == 0);
}

static void test_truncated(void)
{
    static const char body[] = "--XyZ\r\n" CD "name=\"f\"; filename=\"a.pdf\"\r\n"
                               "Content-Type: application/pdf\r\n\r\n"
                               "%PDF-1.4 data\r\n--XyZ\r\n" CD "name=\"g\"\r\n\r\nv\r\n--XyZ--";
    mp_part_t *parts;
    size_t n;

    ZT_CHECK(PARSE(CT, body, &parts, &n) == ZM_OK && n == 2);
    /* every proper prefix is a truncated body: no closing delimiter */
    for (size_t len = 0; len < sizeof(body) - 1; len++) {
        int rc = parse_n(CT, body, len, &parts, &n);
        ZT_CHECK(rc == ZM_EINVAL);
        if (rc != ZM_EINVAL) {
            fprintf(stderr, "  prefix of %zu bytes accepted\n", len);
        }
    }
}

static void test_malformed(void)
{
    static const char no_name[] = "--XyZ\r\n" CD "filename=\"a.pdf\"\r\n\r\nx\r\n--XyZ--";
    static const char no_cd[] = "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--";
    static const char no_headers[] = "--XyZ\r\n\r\nx\r\n--XyZ--";
    static const char nul[] = "--XyZ\r\n" CD "name=\"a\0b\"\r\n\r\nx\r\n--XyZ--";
    static const char ctl[] = "--XyZ\r\n" CD "name=\"a\x1b\"\r\n\r\nx\r\n--XyZ--";
    static const char lf[] = "--XyZ\n" CD "name=\"a\"\n\nx\n--XyZ--\n";
    static const char lf_header[] = "--XyZ\r\n" CD "name=\"a\"\nX: y\r\n\r\nx\r\n--XyZ--";
    static const char cr_header[] = "--XyZ\r\n" CD "name=\"a\"\rX: y\r\n\r\nx\r\n--XyZ--";
    static const char fold[] = "--XyZ\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nx\r\n--XyZ--";
    static const char no_colon[] = "--XyZ\r\n" CD "name=\"a\"\r\nbogus\r\n\r\nx\r\n--XyZ--";
    static const char space_name[] = "--XyZ\r\n" CD "name=\"a\"\r\nX Y: z\r\n\r\nx\r\n--XyZ--";
    static const char dup_cd[] = "--XyZ\r\n" CD "name=\"a\"\r\n" CD "name=\"b\"\r\n\r\nx\r\n--XyZ--";
    static const char dup_ct[] =
        "--XyZ\r\n" CD "name=\"a\"\r\nContent-Type: a/b\r\nContent-Type: c/d\r\n\r\nx\r\n--XyZ--";
    static const char garbage[] = "garbage only, no delimiter at all";
    static const char second_bad[] = "--XyZ\r\n" CD "name=\"a\"\r\n\r\nx\r\n--XyZ\r\n\r\ny\r\n--XyZ--";
    mp_part_t *parts;
    size_t n;

    ZT_CHECK(PARSE(CT, no_name, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, no_cd, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, no_headers, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, nul, &parts, &n) == ZM_EINVAL);
    /* control bytes other than NUL/CR/LF pass (browsers send file names raw; the sanitizer drops them) */
    ZT_CHECK(PARSE(CT, ctl, &parts, &n) == ZM_OK);
    ZT_CHECK(PARSE(CT, lf, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, lf_header, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, cr_header, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, fold, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, no_colon, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, space_name, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, dup_cd, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, dup_ct, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, garbage, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(PARSE(CT, second_bad, &parts, &n) == ZM_EINVAL);
    ZT_CHECK(parts == NULL && n == 0);
}

/* A body of count parts named p0, p1, ... */
static size_t many_parts(char *buf, size_t cap, int count)
{
    size_t o = 0;

    for (int i = 0; i < count; i++) {
        o += (size_t)snprintf(buf + o, cap - o, "--XyZ\r\n" CD "name=\"p%d\"\r\n\r\nv%d\r\n", i, i);
    }
    o += (size_t)snprintf(buf + o, cap - o, "--XyZ--\r\n");
    return o;
}

static void test_too_many_parts(void)
{
    char buf[8192];
    mp_part_t *parts;
    size_t n, len;

    len = many_parts(buf, sizeof(buf), MP_MAX_PARTS);
    ZT_CHECK(parse_n(CT, buf, len, &parts, &n) == ZM_OK && n == MP_MAX_PARTS);
    ZT_CHECK(n == MP_MAX_PARTS && strcmp(parts[MP_MAX_PARTS - 1].name, "p15") == 0);
    len = many_parts(buf, sizeof(buf), MP_MAX_PARTS + 1);
    ZT_CHECK(parse_n(CT, buf, len, &parts, &n) == ZM_EINVAL);
}

/* A part whose header block (through its last CRLF) is exactly block bytes. */
static size_t header_of(char *buf, size_t block)
{
    static const char head[] = CD "name=\"f\"\r\nX-Pad: ";
    size_t o = 0, pad = block - (sizeof(head) - 1) - 2;

    o += (size_t)sprintf(buf, "--XyZ\r\n%s", head);
    memset(buf + o, 'a', pad);
    o += pad;
    o += (size_t)sprintf(buf + o, "\r\n\r\ndata\r\n--XyZ--");
    return o;
}

static void test_oversized_header(void)
{
    char *buf = malloc(3 * MP_MAX_HEADER);
    mp_part_t *parts;
    size_t n, len;

    len = header_of(buf, MP_MAX_HEADER);
    ZT_CHECK(parse_n(CT, buf, len, &parts, &n) == ZM_OK && n == 1);
    ZT_CHECK(n == 1 && data_is(&parts[0], "data", 4));
    len = header_of(buf, MP_MAX_HEADER + 1);
    ZT_CHECK(parse_n(CT, buf, len, &parts, &n) == ZM_EINVAL);
    len = header_of(buf, 2 * MP_MAX_HEADER);
    ZT_CHECK(parse_n(CT, buf, len, &parts, &n) == ZM_EINVAL);
    free(buf);
}

static void test_boundary_lookalikes(void)
{
    /* the boundary inside data without the CRLF-- before it, or with something other
     * than CRLF / "--" after it, is data */
    static const char body[] = "--XyZ\r\n" CD "name=\"f\"; filename=\"x.txt\"\r\n\r\n"
                               "XyZ --XyZ\r\n-XyZ\n--XyZ\r\r\n--XyZX\r\n--XyZ -\r\n--Xy\r\n--"
                               "\r\n--XyZ--\r\n";
    static const char expect[] = "XyZ --XyZ\r\n-XyZ\n--XyZ\r\r\n--XyZX\r\n--XyZ -\r\n--Xy\r\n--";
    mp_part_t *parts;
    size_t n;

    ZT_CHECK(PARSE(CT, body, &parts, &n) == ZM_OK && n == 1);
    ZT_CHECK(n == 1 && data_is(&parts[0], expect, sizeof(expect) - 1));
}

static void test_empty_parts(void)
{
    static const char body[] = "--XyZ\r\n" CD "name=\"file\"; filename=\"\"\r\n"
                               "Content-Type: application/octet-stream\r\n\r\n"
                               "\r\n--XyZ\r\n" CD "name=\"empty.txt\"; filename=\"empty.txt\"\r\n\r\n"
                               "\r\n--XyZ\r\n" CD "name=\"v\"\r\n\r\n"
                               "\r\n--XyZ--";
    mp_part_t *parts;
    size_t n;

    ZT_CHECK(PARSE(CT, body, &parts, &n) == ZM_OK && n == 3);
    if (n != 3) {
        return;
    }
    ZT_STREQ(parts[0].filename, "");
    ZT_CHECK(parts[0].len == 0 && parts[0].data != NULL);
    ZT_STREQ(parts[1].filename, "empty.txt");
    ZT_CHECK(parts[1].len == 0);
    ZT_CHECK(parts[2].filename == NULL && parts[2].len == 0);
}

static void test_arena_exhausted(void)
{
    static const char body[] = "--XyZ\r\n" CD "name=\"f\"\r\n\r\nx\r\n--XyZ--";
    zm_arena_t small;
    mp_part_t *parts;
    size_t n;

    zm_arena_init(&small, 64, 64);
    ZT_CHECK(mp_parse(&small, CT, body, sizeof(body) - 1, &parts, &n) == ZM_ENOMEM);
    zm_arena_destroy(&small);
}

/* Hostile 10 MB bodies full of near-delimiters: one linear pass each, not quadratic. */
static void test_hostile_large(void)
{
    static const char head[] = "--%s\r\n" CD "name=\"f\"\r\n\r\n";
    const size_t size = 10 * 1024 * 1024;
    char boundary[71], ct[128], *body = malloc(size + 256);
    size_t o;
    clock_t t0 = clock();
    double secs;
    mp_part_t *parts;
    size_t n;

    memset(boundary, 'q', 70);
    boundary[70] = '\0';
    snprintf(ct, sizeof(ct), "multipart/form-data; boundary=\"%s\"", boundary);

    /* the delimiter almost matching, again and again: only its last byte differs */
    o = (size_t)sprintf(body, head, boundary);
    while (o + 74 < size) {
        memcpy(body + o, "\r\n--", 4);
        memset(body + o + 4, 'q', 69);
        body[o + 73] = 'Z';
        o += 74;
    }
    o += (size_t)sprintf(body + o, "\r\n--%s--", boundary);
    ZT_CHECK(parse_n(ct, body, o, &parts, &n) == ZM_OK && n == 1);
    /* the same without the close delimiter: truncated */
    ZT_CHECK(parse_n(ct, body, o - 2, &parts, &n) == ZM_EINVAL);

    /* full delimiters followed by bytes that make them data */
    o = (size_t)sprintf(body, head, boundary);
    while (o + 75 < size) {
        o += (size_t)sprintf(body + o, "\r\n--%sx", boundary);
    }
    ZT_CHECK(parse_n(ct, body, o, &parts, &n) == ZM_EINVAL);

    /* a header block that never ends, and CRLFs everywhere */
    o = (size_t)sprintf(body, "--%s\r\n", boundary);
    while (o + 2 < size) {
        body[o++] = '\r';
        body[o++] = '\n';
    }
    ZT_CHECK(parse_n(ct, body, o, &parts, &n) == ZM_EINVAL);

    secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("hostile 10 MB bodies: %.2f s CPU\n", secs);
    /* linear work is well under a second; quadratic would be hours */
    ZT_CHECK(secs < 10.0);
    free(body);
}

int main(void)
{
    zm_arena_init(&arena, 16384, 1 << 20);
    ZT_RUN(test_normal_form);
    ZT_RUN(test_header_names_case);
    ZT_RUN(test_chinese_filenames);
    ZT_RUN(test_quoted_values);
    ZT_RUN(test_boundary_param);
    ZT_RUN(test_preamble_epilogue);
    ZT_RUN(test_truncated);
    ZT_RUN(test_malformed);
    ZT_RUN(test_too_many_parts);
    ZT_RUN(test_oversized_header);
    ZT_RUN(test_boundary_lookalikes);
    ZT_RUN(test_empty_parts);
    ZT_RUN(test_arena_exhausted);
    ZT_RUN(test_hostile_large);
    zm_arena_destroy(&arena);
    return zt_done();
}
