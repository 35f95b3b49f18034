/*
 * test_mail.c -- mail_build rendering, header-injection refusal, and the
 * file transport.  SMTP is exercised end to end by tests/api/test_smtp.py.
 */
#include "mail.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zt.h"

#define SUBJECT "【职麦】请验证您的邮箱地址"
#define FROM_NAME "职麦"
#define FROM_ADDR "noreply@zhimai.cn"
#define TO_ADDR "zhang.san@example.com"
#define TEXT "您好：\n\n请点击以下链接验证您的邮箱地址：\nhttps://zhimai.cn/verify?t=abc\n\n职麦团队\n"
#define NOW INT64_C(1700000000) /* Tue, 14 Nov 2023 22:13:20 +0000 */

static zm_arena_t arena;

static mail_msg_t base_msg(void)
{
    mail_msg_t m = {
        .from_addr = FROM_ADDR,
        .from_name = FROM_NAME,
        .to_addr = TO_ADDR,
        .subject = SUBJECT,
        .text = TEXT,
    };
    return m;
}

static int utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0, k, j;

    while (i < n) {
        if (s[i] < 0x80) {
            k = 1;
        } else if ((s[i] & 0xe0) == 0xc0) {
            k = 2;
        } else if ((s[i] & 0xf0) == 0xe0) {
            k = 3;
        } else if ((s[i] & 0xf8) == 0xf0) {
            k = 4;
        } else {
            return 0;
        }
        if (i + k > n) {
            return 0;
        }
        for (j = 1; j < k; j++) {
            if ((s[i + j] & 0xc0) != 0x80) {
                return 0;
            }
        }
        i += k;
    }
    return 1;
}

/* The header block: everything before the first empty line. */
static size_t header_len(const char *msg)
{
    const char *end = msg ? strstr(msg, "\r\n\r\n") : NULL;

    return end ? (size_t)(end - msg) + 2 : 0;
}

/* Unfolded value of header name (arena), or NULL. */
static char *header(const char *msg, const char *name)
{
    size_t hl = header_len(msg), nl = strlen(name), i, k = 0;
    const char *p = msg, *end;
    char *out;

    if (hl == 0) {
        return NULL;
    }
    end = msg + hl;
    while (p < end) {
        const char *eol = strstr(p, "\r\n");

        if (strncmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1, *q = v;

            /* extend over continuation lines */
            while (eol != NULL && (eol[2] == ' ' || eol[2] == '\t')) {
                eol = strstr(eol + 2, "\r\n");
            }
            if (eol == NULL) {
                return NULL;
            }
            out = zm_palloc(&arena, (size_t)(eol - v) + 1);
            for (q = v; q < eol; q++) {
                if (*q != '\r' && *q != '\n') {
                    out[k++] = *q;
                }
            }
            out[k] = '\0';
            /* drop the one space after the colon */
            i = out[0] == ' ' ? 1 : 0;
            return out + i;
        }
        p = eol + 2;
    }
    return NULL;
}

/* Decode a value made only of =?utf-8?b?...?= words separated by spaces;
 * each word must be <= 75 chars and hold whole UTF-8 characters.  Returns
 * the decoded text (arena) or NULL; *words gets the word count. */
static char *decode_words(const char *v, int *words)
{
    size_t cap = strlen(v) + 1, len = 0, blen;
    char *out = zm_palloc(&arena, cap);
    const char *p = v;

    *words = 0;
    while (*p != '\0') {
        const char *end;

        while (*p == ' ') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        if (strncmp(p, "=?utf-8?b?", 10) != 0) {
            return NULL;
        }
        end = strstr(p + 10, "?=");
        if (end == NULL || (size_t)(end + 2 - p) > 75) {
            return NULL;
        }
        if (sodium_base642bin((unsigned char *)out + len, cap - len, p + 10, (size_t)(end - p - 10), NULL, &blen, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0) {
            return NULL;
        }
        if (!utf8_ok((unsigned char *)out + len, blen)) {
            return NULL;
        }
        len += blen;
        (*words)++;
        p = end + 2;
    }
    out[len] = '\0';
    return out;
}

/* Every CR is followed by LF and every LF preceded by CR. */
static int crlf_only(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n')) {
            return 0;
        }
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) {
            return 0;
        }
    }
    return n >= 2 && s[n - 2] == '\r' && s[n - 1] == '\n';
}

/* Header lines: ASCII, no control bytes; <= 78, or <= 76 when they carry an
 * encoded-word (RFC 2047 §2). */
static int headers_clean(const char *msg)
{
    size_t hl = header_len(msg), i, col = 0, start = 0;
    int ew = 0;

    if (hl == 0) {
        return 0;
    }
    for (i = 0; i < hl; i++) {
        unsigned char c = (unsigned char)msg[i];

        if (c == '\r') {
            continue;
        }
        if (c == '\n') {
            col = i - 1 - start;
            if (col > 78 || (ew && col > 76)) {
                fprintf(stderr, "long header line (%zu): %.*s\n", col, (int)col, msg + start);
                return 0;
            }
            start = i + 1;
            ew = 0;
            continue;
        }
        if (c >= 0x80 || (c < 0x20 && c != '\t')) {
            return 0;
        }
        if (c == '=' && msg[i + 1] == '?') {
            ew = 1;
        }
    }
    return 1;
}

/* The base64 body after the headers, decoded (arena). */
static char *decode_body(const char *body_start, const char *body_end)
{
    size_t cap = (size_t)(body_end - body_start) + 1, blen;
    char *out = zm_palloc(&arena, cap);
    const char *p = body_start;

    /* lines of at most 76 */
    while (p < body_end) {
        const char *eol = strstr(p, "\r\n");

        if (eol == NULL || eol - p > 76) {
            return NULL;
        }
        p = eol + 2;
    }
    if (sodium_base642bin((unsigned char *)out, cap, body_start, (size_t)(body_end - body_start), "\r\n", &blen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        return NULL;
    }
    out[blen] = '\0';
    return out;
}

static void test_chinese_message(void)
{
    mail_msg_t m = base_msg();
    char *out = NULL, *out2 = NULL, *v, *v2, *dec;
    size_t len = 0, len2 = 0;
    int words = 0;
    const char *body;
    const size_t tail = strlen(" <" FROM_ADDR ">");

    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_OK);
    if (out == NULL) {
        return;
    }
    ZT_CHECK(strlen(out) == len);
    ZT_CHECK(crlf_only(out, len));
    ZT_CHECK(headers_clean(out));

    ZT_STREQ(header(out, "Date"), "Tue, 14 Nov 2023 22:13:20 +0000");
    ZT_STREQ(header(out, "MIME-Version"), "1.0");
    ZT_STREQ(header(out, "Content-Type"), "text/plain; charset=\"utf-8\"");
    ZT_STREQ(header(out, "Content-Transfer-Encoding"), "base64");
    ZT_STREQ(header(out, "To"), TO_ADDR);

    v = header(out, "Subject");
    ZT_CHECK(v != NULL && strncmp(v, "=?utf-8?b?", 10) == 0);
    dec = v ? decode_words(v, &words) : NULL;
    ZT_STREQ(dec, SUBJECT);
    ZT_CHECK(words >= 1);

    v = header(out, "From");
    ZT_CHECK(v != NULL && strlen(v) > tail && strcmp(v + strlen(v) - tail, " <" FROM_ADDR ">") == 0);
    if (v != NULL && strlen(v) > tail) {
        v[strlen(v) - tail] = '\0';
        ZT_STREQ(decode_words(v, &words), FROM_NAME);
    }

    v = header(out, "Message-ID");
    ZT_CHECK(v != NULL && v[0] == '<' && strstr(v, "@zhimai.cn>") != NULL);
    /* random, so a second rendering differs */
    ZT_CHECK(mail_build(&arena, &m, "mail.zhimai.cn", NOW, &out2, &len2) == ZM_OK);
    v2 = header(out2, "Message-ID");
    ZT_CHECK(v2 != NULL && strstr(v2, "@mail.zhimai.cn>") != NULL);
    ZT_CHECK(v2 != NULL && v != NULL && strcmp(v2, v) != 0);

    body = strstr(out, "\r\n\r\n") + 4;
    ZT_STREQ(decode_body(body, out + len), TEXT);
}

/* Many lengths and character widths: every split must fall on a character
 * boundary, every word and line stay within RFC 2047's limits. */
static void test_long_subjects(void)
{
    static const char *const pieces[] = {"职", "a", "😀", "é", " ", "麦"};
    char subj[MAIL_SUBJECT_MAX + 1];
    int i, j, bad = 0, multi = 0;

    for (i = 1; i <= 200; i++) {
        mail_msg_t m = base_msg();
        char *out = NULL, *dec;
        size_t len, n = 0;
        int words = 0;

        for (j = 0; j < i; j++) {
            const char *p = pieces[(i * 7 + j * (i % 5 + 1)) % ZM_ARRAY_LEN(pieces)];

            memcpy(subj + n, p, strlen(p));
            n += strlen(p);
        }
        subj[n] = '\0';
        m.subject = subj;
        m.from_name = i % 2 ? subj : FROM_NAME; /* long names fold too */
        if (strlen(subj) > MAIL_NAME_MAX) {
            m.from_name = FROM_NAME;
        }
        zm_arena_reset(&arena);
        if (mail_build(&arena, &m, NULL, NOW, &out, &len) != ZM_OK) {
            bad++;
            continue;
        }
        if (!headers_clean(out) || !crlf_only(out, len)) {
            bad++;
            continue;
        }
        dec = header(out, "Subject");
        if (dec != NULL && strncmp(dec, "=?", 2) == 0) {
            dec = decode_words(dec, &words);
        }
        if (dec == NULL || strcmp(dec, subj) != 0) {
            fprintf(stderr, "subject %d did not round-trip\n", i);
            bad++;
        }
        multi += words > 1;
    }
    ZT_CHECK(bad == 0);
    ZT_CHECK(multi > 100); /* the long ones really were split */
}

static void test_ascii_headers(void)
{
    mail_msg_t m = base_msg();
    char *out = NULL;
    size_t len;

    m.subject = "Welcome to Zhimai";
    m.from_name = "Zhimai \"Team\", HR";
    m.to_name = "Zhang San";
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_OK);
    ZT_CHECK(out != NULL && strstr(out, "\r\nSubject: Welcome to Zhimai\r\n") != NULL);
    ZT_STREQ(header(out, "From"), "\"Zhimai \\\"Team\\\", HR\" <" FROM_ADDR ">");
    ZT_STREQ(header(out, "To"), "\"Zhang San\" <" TO_ADDR ">");

    /* "=?" in plain text would be decoded by lenient readers: encode it */
    m.subject = "=?utf-8?b?5pS75Ye7?=";
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_OK);
    {
        int words;
        char *v = header(out, "Subject");

        ZT_CHECK(v != NULL && strcmp(v, m.subject) != 0);
        ZT_STREQ(v ? decode_words(v, &words) : NULL, m.subject);
    }

    /* an empty subject is allowed */
    m.subject = "";
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_OK);
    ZT_CHECK(out != NULL && strstr(out, "\r\nSubject:\r\n") != NULL);
}

static void test_html_alternative(void)
{
    mail_msg_t m = base_msg();
    char *out = NULL, *ct, *delim, *p, *end;
    size_t len;
    const char *html = "<p>您好，请<a href=\"https://zhimai.cn/v\">验证</a>。</p>\n";

    m.html = html;
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_OK);
    if (out == NULL) {
        return;
    }
    ZT_CHECK(crlf_only(out, len));
    ZT_CHECK(headers_clean(out));
    ct = header(out, "Content-Type");
    ZT_CHECK(ct != NULL && strncmp(ct, "multipart/alternative; boundary=\"", 33) == 0);
    if (ct == NULL || strlen(ct) < 35) {
        return;
    }
    delim = zm_psprintf(&arena, "\r\n--%.*s", (int)(strlen(ct) - 34), ct + 33);
    /* part 1: text/plain */
    p = strstr(out, delim);
    ZT_CHECK(p != NULL);
    if (p == NULL) {
        return;
    }
    p += strlen(delim) + 2;
    ZT_CHECK(strncmp(p, "Content-Type: text/plain; charset=\"utf-8\"\r\n", 43) == 0);
    p = strstr(p, "\r\n\r\n");
    end = p ? strstr(p + 4, delim) : NULL;
    ZT_CHECK(end != NULL);
    if (end == NULL) {
        return;
    }
    ZT_STREQ(decode_body(p + 4, end + 2), TEXT);
    /* part 2: text/html */
    p = end + strlen(delim) + 2;
    ZT_CHECK(strncmp(p, "Content-Type: text/html; charset=\"utf-8\"\r\n", 42) == 0);
    p = strstr(p, "\r\n\r\n");
    end = p ? strstr(p + 4, delim) : NULL;
    ZT_CHECK(end != NULL);
    if (end == NULL) {
        return;
    }
    ZT_STREQ(decode_body(p + 4, end + 2), html);
    ZT_CHECK(strcmp(end + strlen(delim), "--\r\n") == 0);
}

static void test_injection_refused(void)
{
    static const char *const bad_addrs[] = {
        "a@zhimai.cn\r\nBcc: victim@example.com",
        "a@zhimai.cn\nBcc: victim@example.com",
        "a@zhimai.cn\r",
        "a@zhimai.cn>\r\nRCPT TO:<x@y.cn",
        "no-at-sign",
        "@zhimai.cn",
        "a@",
        "a@@zhimai.cn",
        "a@b@zhimai.cn",
        "a b@zhimai.cn",
        "<a@zhimai.cn>",
        "\"quoted\"@zhimai.cn",
        ".a@zhimai.cn",
        "a.@zhimai.cn",
        "a..b@zhimai.cn",
        "a@zhimai..cn",
        "a@.zhimai.cn",
        "a@zhimai.cn.",
        "a@-zhimai.cn",
        "a@zhimai-.cn",
        "a@[127.0.0.1]",
        "张三@zhimai.cn",
        "a@职麦.cn",
        "",
    };
    mail_msg_t m;
    char *out, *detail = NULL, big[400];
    size_t len, i;
    mail_conf_t c = {.transport = "file", .file_dir = "/nonexistent/never"};

    for (i = 0; i < ZM_ARRAY_LEN(bad_addrs); i++) {
        int r1, r2;

        ZT_CHECK(mail_check_addr(bad_addrs[i]) == ZM_EINVAL);
        m = base_msg();
        m.to_addr = bad_addrs[i];
        r1 = mail_build(&arena, &m, NULL, NOW, &out, &len);
        m = base_msg();
        m.from_addr = bad_addrs[i];
        r2 = mail_build(&arena, &m, NULL, NOW, &out, &len);
        if (r1 != ZM_EINVAL || r2 != ZM_EINVAL) {
            fprintf(stderr, "accepted address #%zu\n", i);
        }
        ZT_CHECK(r1 == ZM_EINVAL && r2 == ZM_EINVAL);
        ZT_CHECK(out == NULL && len == 0);
        /* the envelope too: these would become SMTP commands */
        ZT_CHECK(mail_deliver(&arena, &c, FROM_ADDR, bad_addrs[i], "x", 1, &detail) == ZM_EINVAL);
        ZT_CHECK(mail_deliver(&arena, &c, bad_addrs[i], TO_ADDR, "x", 1, &detail) == ZM_EINVAL);
    }
    ZT_CHECK(mail_check_addr(NULL) == ZM_EINVAL);
    ZT_CHECK(mail_check_addr("zhang.san+jobs@mail.example.com") == ZM_OK);
    ZT_CHECK(mail_check_addr("a!#$%&'*+-/=?^_`{|}~@x-1.cn") == ZM_OK);

    /* 254 bytes is the cap, 255 is over it; local part over 64 */
    memset(big, 'a', sizeof(big));
    memcpy(big, "u@", 2);
    for (i = 2 + 63; i < 254; i += 64) {
        big[i] = '.';
    }
    big[254] = '\0';
    ZT_CHECK(mail_check_addr(big) == ZM_OK);
    big[254] = 'a';
    big[255] = '\0';
    ZT_CHECK(mail_check_addr(big) == ZM_EINVAL);
    memset(big, 'a', 65);
    strcpy(big + 65, "@zhimai.cn");
    ZT_CHECK(mail_check_addr(big) == ZM_EINVAL);

    m = base_msg();
    m.subject = "验证\r\nBcc: victim@example.com";
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_EINVAL);
    m.subject = "hi\nBcc: victim@example.com";
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_EINVAL);
    m.subject = "hi\r";
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_EINVAL);
    m = base_msg();
    m.from_name = "职麦\r\nBcc: victim@example.com";
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_EINVAL);
    m = base_msg();
    m.to_name = "x\ny";
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_EINVAL);
    m = base_msg();
    ZT_CHECK(mail_build(&arena, &m, "zhimai.cn>\r\nBcc: v@x.cn", NOW, &out, &len) == ZM_EINVAL);
    ZT_CHECK(mail_build(&arena, &m, "", NOW, &out, &len) == ZM_EINVAL);

    /* malformed UTF-8 would be mislabelled charset=utf-8 */
    m = base_msg();
    m.subject = "\xe8\x81";
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_EINVAL);
    m.subject = "\xc0\xaf"; /* overlong "/" */
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_EINVAL);
    m = base_msg();
    m.text = "\xff";
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_EINVAL);

    /* required fields, caps, date range */
    m = base_msg();
    m.text = NULL;
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_EINVAL);
    m = base_msg();
    m.subject = NULL;
    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_EINVAL);
    m = base_msg();
    ZT_CHECK(mail_build(&arena, &m, NULL, -1, &out, &len) == ZM_EINVAL);
    ZT_CHECK(mail_build(NULL, &m, NULL, NOW, &out, &len) == ZM_EINVAL);
    {
        char *s = zm_palloc(&arena, MAIL_SUBJECT_MAX + 2);

        memset(s, 'x', MAIL_SUBJECT_MAX + 1);
        s[MAIL_SUBJECT_MAX + 1] = '\0';
        m.subject = s;
        ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_ETOOBIG);
    }

    /* mail_send says why */
    m = base_msg();
    m.subject = "a\r\nb";
    ZT_CHECK(mail_send(&arena, &c, &m, &detail) == ZM_EINVAL);
    ZT_CHECK(detail != NULL && strstr(detail, "invalid") != NULL);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (d == NULL) {
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            n++;
        }
    }
    closedir(d);
    return n;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = zm_palloc(&arena, (size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void test_file_transport(void)
{
    char root[] = "/tmp/zm_mail_test.XXXXXX", *dir, *out = NULL, *path = NULL, *got, *base;
    mail_conf_t c = {.transport = "file", .from_addr = FROM_ADDR, .from_name = FROM_NAME};
    mail_msg_t m = base_msg();
    struct stat st;
    size_t len = 0, glen = 0;
    mode_t old;

    if (mkdtemp(root) == NULL) {
        ZT_CHECK(!"mkdtemp");
        return;
    }
    dir = zm_psprintf(&arena, "%s/outbox/dev", root); /* two levels to create */
    c.file_dir = dir;
    /* a lax umask must not widen the file, a strict one not narrow it */
    old = umask(0);

    ZT_CHECK(mail_build(&arena, &m, NULL, NOW, &out, &len) == ZM_OK);
    ZT_CHECK(mail_deliver(&arena, &c, FROM_ADDR, TO_ADDR, out, len, &path) == ZM_OK);
    ZT_CHECK(path != NULL);
    if (path == NULL) {
        umask(old);
        return;
    }
    ZT_CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600 && S_ISREG(st.st_mode));
    ZT_CHECK(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700 && S_ISDIR(st.st_mode));
    got = slurp(path, &glen);
    ZT_CHECK(got != NULL && glen == len && memcmp(got, out, len) == 0);
    /* <yyyymmdd-HHMMSS>-<16 hex>.eml, and no temp file left behind */
    base = strrchr(path, '/') + 1;
    ZT_CHECK(strncmp(path, dir, strlen(dir)) == 0);
    ZT_CHECK(strlen(base) == 15 + 1 + 16 + 4 && base[8] == '-' && base[15] == '-' && strcmp(base + 32, ".eml") == 0);
    ZT_CHECK(count_entries(dir) == 1);
    unlink(path);

    /* mail_send: the configured sender stands in for a missing one */
    umask(077);
    m.from_addr = NULL;
    m.from_name = NULL;
    path = NULL;
    ZT_CHECK(mail_send(&arena, &c, &m, &path) == ZM_OK);
    ZT_CHECK(path != NULL && stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
    got = path ? slurp(path, &glen) : NULL;
    ZT_CHECK(got != NULL && strstr(got, "\r\nFrom: =?utf-8?b?") != NULL);
    ZT_CHECK(got != NULL && strstr(got, " <" FROM_ADDR ">\r\n") != NULL);
    ZT_CHECK(got != NULL && strstr(got, "@zhimai.cn>\r\n") != NULL); /* Message-ID domain */
    ZT_CHECK(count_entries(dir) == 1);
    if (path != NULL) {
        unlink(path);
    }
    umask(old);

    /* a file where the directory should be */
    {
        char *file = zm_psprintf(&arena, "%s/plainfile", root);
        FILE *f = fopen(file, "w");

        if (f != NULL) {
            fclose(f);
        }
        c.file_dir = file;
        path = NULL;
        ZT_CHECK(mail_deliver(&arena, &c, FROM_ADDR, TO_ADDR, out, len, &path) == ZM_ERR);
        ZT_CHECK(path != NULL && strstr(path, "plainfile") != NULL);
        unlink(file);
    }

    rmdir(dir);
    rmdir(zm_psprintf(&arena, "%s/outbox", root));
    rmdir(root);
}

/* A port with nothing listening: bind, read the port, close. */
static int closed_port(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t sl = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        return -1;
    }
    port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

static void test_transport_config(void)
{
    mail_msg_t m = base_msg();
    mail_conf_t c = {.transport = "smtp", .smtp_url = "http://127.0.0.1/", .timeout_ms = 2000};
    char *detail = NULL;
    int port = closed_port();
    struct timespec t0, t1;

    ZT_CHECK(mail_send(&arena, &c, &m, &detail) == ZM_EINVAL);
    ZT_CHECK(detail != NULL && strstr(detail, "smtp_url") != NULL);
    c.smtp_url = "smtp://127.0.0.1:25/\r\nQUIT";
    ZT_CHECK(mail_send(&arena, &c, &m, &detail) == ZM_EINVAL);
    c.smtp_url = NULL;
    ZT_CHECK(mail_send(&arena, &c, &m, &detail) == ZM_EINVAL);
    c.transport = "pigeon";
    ZT_CHECK(mail_send(&arena, &c, &m, &detail) == ZM_EINVAL);
    c.transport = NULL;
    ZT_CHECK(mail_send(&arena, &c, &m, NULL) == ZM_EINVAL);
    c.transport = "file";
    ZT_CHECK(mail_send(&arena, &c, &m, &detail) == ZM_EINVAL); /* no file_dir */

    /* refused connection: transient, and fast */
    ZT_CHECK(port > 0);
    c.transport = "smtp";
    c.smtp_url = zm_psprintf(&arena, "smtp://127.0.0.1:%d", port);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ZT_CHECK(mail_send(&arena, &c, &m, &detail) == ZM_EAGAIN);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ZT_CHECK(t1.tv_sec - t0.tv_sec < 2);
    ZT_CHECK(detail != NULL && strncmp(detail, "smtp: ", 6) == 0);
}

int main(void)
{
    if (mail_init() != ZM_OK) {
        fprintf(stderr, "mail_init failed\n");
        return 1;
    }
    zm_arena_init(&arena, 1 << 16, 64u << 20);
    ZT_RUN(test_chinese_message);
    ZT_RUN(test_long_subjects);
    ZT_RUN(test_ascii_headers);
    ZT_RUN(test_html_alternative);
    ZT_RUN(test_injection_refused);
    ZT_RUN(test_file_transport);
    ZT_RUN(test_transport_config);
    zm_arena_destroy(&arena);
    mail_cleanup();
    return zt_done();
}
