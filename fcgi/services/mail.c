/*
 * mail.c -- render RFC 5322 / MIME messages and deliver them to a directory
 * or an SMTP server.  See mail.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* the char * strerror_r, which is thread-safe */
#endif

#include "mail.h"

#include "buf.h"
#include "clock.h"
#include "hash.h"
#include "str.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* RFC 2047 §2: an encoded-word is at most 75 characters, and a header line
 * holding one is at most 76. */
#define EW_MAX 75
#define LINE_MAX_EW 76
#define EW_PREFIX "=?utf-8?b?"
#define EW_OVERHEAD 12 /* "=?utf-8?b?" + "?=" */
/* Smallest word worth starting on the current line: it carries a 4-byte
 * character, so anything smaller would force an empty word. */
#define EW_MIN (EW_OVERHEAD + 8)
/* RFC 5322 §2.1.1: lines SHOULD stay within 78 characters. */
#define LINE_SOFT 78
/* RFC 2045 §6.8: base64 lines are at most 76 characters = 57 input bytes. */
#define B64_LINE_IN 57
#define LOCAL_MAX 64 /* RFC 5321 §4.5.3.1.1 */
#define DOMAIN_MAX 253
#define LABEL_MAX 63
#define SMTP_TIMEOUT_DEFAULT_MS 30000L

/* ---- input checks ---- */

/* A header value (name, subject): 0, ZM_ETOOBIG past max bytes, ZM_EINVAL
 * for CR or LF (they would end the header and start one the caller did not
 * write) or malformed UTF-8.  *len gets the length. */
static int check_hdr_text(const char *s, size_t max, size_t *len)
{
    size_t n = strnlen(s, max + 1);

    if (n > max) {
        return ZM_ETOOBIG;
    }
    if (memchr(s, '\r', n) != NULL || memchr(s, '\n', n) != NULL) {
        return ZM_EINVAL;
    }
    if (!zm_utf8_valid(s, n)) {
        return ZM_EINVAL;
    }
    *len = n;
    return ZM_OK;
}

static int check_body(const char *s, size_t *len)
{
    size_t n = strnlen(s, MAIL_BODY_MAX + 1);

    if (n > MAIL_BODY_MAX) {
        return ZM_ETOOBIG;
    }
    if (!zm_utf8_valid(s, n)) {
        return ZM_EINVAL;
    }
    *len = n;
    return ZM_OK;
}

static int is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 5322 atext: none of these can end an SMTP path or a header. */
static int is_atext(unsigned char c)
{
    return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* A host name: dot-separated LDH labels, no empty label, no hyphen at either
 * end of a label.  Used for address domains and the Message-ID domain. */
static int check_domain(const char *d, size_t n)
{
    size_t i, label = 0;

    if (n == 0 || n > DOMAIN_MAX) {
        return ZM_EINVAL;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];

        if (c == '.') {
            if (label == 0 || d[i - 1] == '-') {
                return ZM_EINVAL;
            }
            label = 0;
        } else if (is_alnum(c) || c == '-') {
            if (c == '-' && label == 0) {
                return ZM_EINVAL;
            }
            if (++label > LABEL_MAX) {
                return ZM_EINVAL;
            }
        } else {
            return ZM_EINVAL;
        }
    }
    if (label == 0 || d[n - 1] == '-') {
        return ZM_EINVAL;
    }
    return ZM_OK;
}

int mail_check_addr(const char *addr)
{
    const char *at;
    size_t n, local, i;

    if (addr == NULL) {
        return ZM_EINVAL;
    }
    n = strnlen(addr, MAIL_ADDR_MAX + 1);
    if (n == 0 || n > MAIL_ADDR_MAX) {
        return ZM_EINVAL;
    }
    at = memchr(addr, '@', n);
    if (at == NULL) {
        return ZM_EINVAL;
    }
    local = (size_t)(at - addr);
    if (local == 0 || local > LOCAL_MAX) {
        return ZM_EINVAL;
    }
    /* dot-atom: no leading, trailing or doubled dot */
    for (i = 0; i < local; i++) {
        unsigned char c = (unsigned char)addr[i];

        if (c == '.') {
            if (i == 0 || i == local - 1 || addr[i - 1] == '.') {
                return ZM_EINVAL;
            }
        } else if (!is_atext(c)) {
            return ZM_EINVAL;
        }
    }
    /* a second '@' fails the domain check */
    return check_domain(at + 1, n - local - 1);
}

/* ---- output buffer ---- */

/* zm_buf with out-of-memory sticky, so the renderer can append freely
 * and check once at the end. */
typedef struct {
    zm_arena_t *a;
    zm_buf_t z;
    int err;
} buf_t;

/* Growing strands the old copy in the arena until reset, which is why
 * mail_build sizes the buffer up front. */
static void buf_init(buf_t *b, zm_arena_t *a, size_t cap)
{
    b->a = a;
    b->z = (zm_buf_t){0};
    b->err = zm_buf_reserve(a, &b->z, cap);
    if (b->err == ZM_OK) {
        b->z.data[0] = '\0';
    }
}

/* Room for n more bytes and a NUL. */
static char *buf_room(buf_t *b, size_t n)
{
    if (b->err != ZM_OK) {
        return NULL;
    }
    if (zm_buf_reserve(b->a, &b->z, n) != ZM_OK) {
        b->err = ZM_ENOMEM;
        return NULL;
    }
    return b->z.data + b->z.len;
}

static void buf_add(buf_t *b, const char *s, size_t n)
{
    if (b->err == ZM_OK && zm_buf_append(b->a, &b->z, s, n, 0) != ZM_OK) {
        b->err = ZM_ENOMEM;
    }
}

static void buf_adds(buf_t *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

/* Base64 of n bytes, unwrapped. */
static void buf_b64(buf_t *b, const void *src, size_t n)
{
    size_t enc = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL); /* with NUL */
    char *d = buf_room(b, enc - 1);

    if (d == NULL) {
        return;
    }
    sodium_bin2base64(d, enc, src, n, sodium_base64_VARIANT_ORIGINAL);
    b->z.len += enc - 1;
}

/* A base64 body in CRLF-terminated lines of 76. */
static void buf_b64_lines(buf_t *b, const char *s, size_t n)
{
    size_t off, k;

    for (off = 0; off < n; off += k) {
        k = n - off < B64_LINE_IN ? n - off : B64_LINE_IN;
        buf_b64(b, s + off, k);
        buf_add(b, "\r\n", 2);
    }
}

static size_t b64_lines_len(size_t n)
{
    return (n + B64_LINE_IN - 1) / B64_LINE_IN * 78;
}

/* ---- headers ---- */

/* One header being written, tracking the column so it can fold. */
typedef struct {
    buf_t *b;
    size_t col;
    int fresh; /* nothing written after "Name:" yet */
} hdr_t;

static void hdr_begin(hdr_t *h, buf_t *b, const char *name)
{
    h->b = b;
    h->col = strlen(name) + 1;
    h->fresh = 1;
    buf_adds(b, name);
    buf_add(b, ":", 1);
}

/* The space before a token of next characters, folding (CRLF + space)
 * first when the token would push the line past 76.  Never before the
 * first token: a header with an empty first line confuses some parsers. */
static void hdr_sep(hdr_t *h, size_t next)
{
    if (!h->fresh && h->col + 1 + next > LINE_MAX_EW) {
        buf_add(h->b, "\r\n ", 3);
        h->col = 1;
    } else {
        buf_add(h->b, " ", 1);
        h->col++;
    }
    h->fresh = 0;
}

static void hdr_token(hdr_t *h, const char *s, size_t n)
{
    if (n == 0) {
        return;
    }
    hdr_sep(h, n);
    buf_add(h->b, s, n);
    h->col += n;
}

static void hdr_end(hdr_t *h)
{
    buf_add(h->b, "\r\n", 2);
}

/* s (valid UTF-8) as RFC 2047 B encoded-words.  Each word is cut at a
 * character boundary, since a word must decode on its own (RFC 2047 §5),
 * and sized to what is left of the current line, or to a whole continuation
 * line when too little is left.  Decoders drop the folding whitespace
 * between adjacent encoded-words, so the split does not show. */
static void hdr_words(hdr_t *h, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t off = 0, room, raw, take, k, wlen;

    while (off < n) {
        room = h->col + 1 < LINE_MAX_EW ? LINE_MAX_EW - h->col - 1 : 0;
        if (room < EW_MIN) {
            room = h->fresh ? EW_MIN : LINE_MAX_EW - 1; /* hdr_sep will fold */
        }
        if (room > EW_MAX) {
            room = EW_MAX;
        }
        raw = (room - EW_OVERHEAD) / 4 * 3;
        take = 0;
        while (off + take < n) {
            k = zm_utf8_seq_len(p + off + take, n - off - take);
            if (k == 0 || take + k > raw) {
                break;
            }
            take += k;
        }
        if (take == 0) { /* cannot happen for validated input; never loop */
            h->b->err = ZM_EINVAL;
            return;
        }
        wlen = EW_OVERHEAD + (take + 2) / 3 * 4;
        hdr_sep(h, wlen);
        buf_add(h->b, EW_PREFIX, sizeof(EW_PREFIX) - 1);
        buf_b64(h->b, s + off, take);
        buf_add(h->b, "?=", 2);
        h->col += wlen;
        off += take;
    }
}

/* Printable ASCII without "=?" can go out as is (quoted, for a name).  The
 * "=?" test matters because lenient decoders, Python's among them, decode
 * encoded-words even inside quoted strings. */
static int plain_ascii(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e) {
            return 0;
        }
        if (s[i] == '=' && i + 1 < n && s[i + 1] == '?') {
            return 0;
        }
    }
    return 1;
}

/* "Name" <addr>, =?utf-8?b?...?= <addr>, or a bare addr. */
static void hdr_mailbox(hdr_t *h, const char *name, size_t nlen, const char *addr)
{
    size_t alen = strlen(addr), qlen = nlen + 2, i;
    char *q, *d;

    if (nlen == 0) {
        hdr_token(h, addr, alen);
        return;
    }
    for (i = 0; i < nlen; i++) {
        qlen += name[i] == '"' || name[i] == '\\';
    }
    /* a quoted-string, so specials like , ; < in the name stay inert; a
     * name too long for the line goes as encoded-words, which fold */
    if (plain_ascii(name, nlen) && h->col + 1 + qlen <= LINE_SOFT) {
        d = q = zm_palloc(h->b->a, qlen);
        if (q == NULL) {
            h->b->err = ZM_ENOMEM;
            return;
        }
        *d++ = '"';
        for (i = 0; i < nlen; i++) {
            if (name[i] == '"' || name[i] == '\\') {
                *d++ = '\\';
            }
            *d++ = name[i];
        }
        *d++ = '"';
        hdr_token(h, q, qlen);
    } else {
        hdr_words(h, name, nlen);
    }
    hdr_sep(h, alen + 2);
    buf_add(h->b, "<", 1);
    buf_add(h->b, addr, alen);
    buf_add(h->b, ">", 1);
    h->col += alen + 2;
}

/* ---- rendering ---- */

static int random_hex(zm_arena_t *a, size_t nbytes, char **out)
{
    unsigned char rnd[32];
    char *hex;

    if (nbytes > sizeof(rnd)) {
        return ZM_EINVAL;
    }
    hex = zm_palloc(a, nbytes * 2 + 1);
    if (hex == NULL) {
        return ZM_ENOMEM;
    }
    randombytes_buf(rnd, nbytes);
    sodium_bin2hex(hex, nbytes * 2 + 1, rnd, nbytes);
    *out = hex;
    return ZM_OK;
}

/* RFC 5322 §3.3 date-time in UTC.  English names by hand: strftime's %a
 * and %b follow the locale. */
static int format_date(int64_t now, char *out, size_t outsz)
{
    static const char wday[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char mon[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t;
    struct tm tm;

    /* 0 .. 9999-12-31T23:59:59Z: the year must fit in four digits */
    if (now < 0 || now > INT64_C(253402300799)) {
        return ZM_EINVAL;
    }
    t = (time_t)now;
    if (gmtime_r(&t, &tm) == NULL) {
        return ZM_EINVAL;
    }
    snprintf(out, outsz, "%s, %02d %s %04d %02d:%02d:%02d +0000", wday[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return ZM_OK;
}

static void part_headers(buf_t *b, const char *subtype)
{
    buf_adds(b, "Content-Type: text/");
    buf_adds(b, subtype);
    buf_adds(b, "; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n");
}

int mail_build(zm_arena_t *a, const mail_msg_t *m, const char *message_id_domain, int64_t now, char **out,
               size_t *outlen)
{
    size_t from_nlen = 0, to_nlen = 0, subj_len = 0, text_len = 0, html_len = 0, est;
    const char *domain;
    char date[64], *msgid_rnd, *boundary = NULL;
    buf_t b;
    hdr_t h;
    int rc;

    if (out != NULL) {
        *out = NULL;
    }
    if (outlen != NULL) {
        *outlen = 0;
    }
    if (a == NULL || m == NULL || out == NULL || outlen == NULL || m->subject == NULL || m->text == NULL) {
        return ZM_EINVAL;
    }
    if (mail_check_addr(m->from_addr) != ZM_OK || mail_check_addr(m->to_addr) != ZM_OK) {
        return ZM_EINVAL;
    }
    if (m->from_name != NULL && (rc = check_hdr_text(m->from_name, MAIL_NAME_MAX, &from_nlen)) != ZM_OK) {
        return rc;
    }
    if (m->to_name != NULL && (rc = check_hdr_text(m->to_name, MAIL_NAME_MAX, &to_nlen)) != ZM_OK) {
        return rc;
    }
    if ((rc = check_hdr_text(m->subject, MAIL_SUBJECT_MAX, &subj_len)) != ZM_OK) {
        return rc;
    }
    if ((rc = check_body(m->text, &text_len)) != ZM_OK) {
        return rc;
    }
    if (m->html != NULL && (rc = check_body(m->html, &html_len)) != ZM_OK) {
        return rc;
    }
    domain = message_id_domain != NULL ? message_id_domain : strchr(m->from_addr, '@') + 1;
    if (check_domain(domain, strnlen(domain, DOMAIN_MAX + 1)) != ZM_OK) {
        return ZM_EINVAL;
    }
    if ((rc = format_date(now, date, sizeof(date))) != ZM_OK) {
        return rc;
    }
    /* idempotent after the first call; randombytes needs it */
    if (sodium_init() < 0) {
        return ZM_ERR;
    }
    if ((rc = random_hex(a, 16, &msgid_rnd)) != ZM_OK) {
        return rc;
    }
    if (m->html != NULL && (rc = random_hex(a, 16, &boundary)) != ZM_OK) {
        return rc;
    }

    /* Encoded headers grow under 2x (4/3 base64 plus word overhead and
     * folding), bodies by exactly b64_lines_len: one allocation suffices. */
    est = 1024 + 2 * (subj_len + from_nlen + to_nlen) + 2 * MAIL_ADDR_MAX + strlen(domain) + b64_lines_len(text_len) +
          b64_lines_len(html_len);
    buf_init(&b, a, est);

    buf_adds(&b, "Date: ");
    buf_adds(&b, date);
    buf_add(&b, "\r\n", 2);

    hdr_begin(&h, &b, "From");
    hdr_mailbox(&h, m->from_name, from_nlen, m->from_addr);
    hdr_end(&h);

    hdr_begin(&h, &b, "To");
    hdr_mailbox(&h, m->to_name, to_nlen, m->to_addr);
    hdr_end(&h);

    hdr_begin(&h, &b, "Subject");
    /* a plain subject that fits one line goes as is; anything else as
     * encoded-words, which also fold cleanly */
    if (plain_ascii(m->subject, subj_len) && h.col + 1 + subj_len <= LINE_SOFT) {
        hdr_token(&h, m->subject, subj_len);
    } else {
        hdr_words(&h, m->subject, subj_len);
    }
    hdr_end(&h);

    buf_adds(&b, "Message-ID: <");
    buf_adds(&b, msgid_rnd);
    buf_add(&b, "@", 1);
    buf_adds(&b, domain);
    buf_adds(&b, ">\r\nMIME-Version: 1.0\r\n");

    if (m->html == NULL) {
        part_headers(&b, "plain");
        buf_add(&b, "\r\n", 2);
        buf_b64_lines(&b, m->text, text_len);
    } else {
        /* base64 lines never start with "--", so a boundary cannot occur
         * in the parts; the random part is against nested forwards */
        buf_adds(&b, "Content-Type: multipart/alternative;\r\n boundary=\"=_zm_");
        buf_adds(&b, boundary);
        buf_adds(&b, "\"\r\n\r\n");
        /* RFC 2046 §5.1.1: the CRLF before a delimiter belongs to it, so an
         * empty part still needs a line of its own */
        buf_adds(&b, "--=_zm_");
        buf_adds(&b, boundary);
        buf_add(&b, "\r\n", 2);
        part_headers(&b, "plain");
        buf_add(&b, "\r\n", 2);
        buf_b64_lines(&b, m->text, text_len);
        if (text_len == 0) {
            buf_add(&b, "\r\n", 2);
        }
        buf_adds(&b, "--=_zm_");
        buf_adds(&b, boundary);
        buf_add(&b, "\r\n", 2);
        part_headers(&b, "html");
        buf_add(&b, "\r\n", 2);
        buf_b64_lines(&b, m->html, html_len);
        if (html_len == 0) {
            buf_add(&b, "\r\n", 2);
        }
        buf_adds(&b, "--=_zm_");
        buf_adds(&b, boundary);
        buf_adds(&b, "--\r\n");
    }
    if (b.err != ZM_OK) {
        return b.err;
    }
    *out = b.z.data;
    *outlen = b.z.len;
    return ZM_OK;
}

/* ---- file transport ---- */

static char *errno_text(zm_arena_t *a, const char *what, const char *path, int err)
{
    char tmp[128];

    return zm_psprintf(a, "%s %s: %s", what, path, strerror_r(err, tmp, sizeof(tmp)));
}

/* A full disk may clear up; anything else needs a human. */
static int file_rc(int err)
{
    return err == ENOSPC || err == EDQUOT ? ZM_EAGAIN : ZM_ERR;
}

/* mkdir -p with 0700 for what it creates: the messages hold live tokens. */
static int file_mkdirs(zm_arena_t *a, const char *dir, int *err)
{
    char *p, *s = zm_pstrdup(a, dir);

    if (s == NULL) {
        *err = ENOMEM;
        return -1;
    }
    for (p = s + 1; *p != '\0'; p++) {
        if (*p != '/') {
            continue;
        }
        *p = '\0';
        if (mkdir(s, 0700) != 0 && errno != EEXIST) {
            *err = errno;
            return -1;
        }
        *p = '/';
    }
    if (mkdir(s, 0700) != 0 && errno != EEXIST) {
        *err = errno;
        return -1;
    }
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    ssize_t w;

    while (n > 0) {
        w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Write to a hidden temp name, fsync, rename: a reader (or a crash) sees
 * either no file or the whole message, never a torn one. */
static int file_deliver(zm_arena_t *a, const char *dir, const char *data, size_t len, char **detail)
{
    char stamp[32], *hex, *path, *tmp;
    struct tm tm;
    time_t t = (time_t)zm_now_s();
    int fd, err = 0, rc;

    if ((rc = random_hex(a, 8, &hex)) != ZM_OK) {
        return rc;
    }
    if (gmtime_r(&t, &tm) == NULL || strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm) == 0) {
        return ZM_ERR;
    }
    path = zm_psprintf(a, "%s/%s-%s.eml", dir, stamp, hex);
    tmp = zm_psprintf(a, "%s/.%s-%s.eml.tmp", dir, stamp, hex);
    if (path == NULL || tmp == NULL) {
        return ZM_ENOMEM;
    }
    if (file_mkdirs(a, dir, &err) != 0) {
        *detail = errno_text(a, "mkdir", dir, err);
        return file_rc(err);
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        err = errno;
        *detail = errno_text(a, "open", tmp, err);
        return file_rc(err);
    }
    /* the umask may have taken bits from 0600; the exact mode is promised */
    if (fchmod(fd, 0600) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        err = errno;
        close(fd);
        unlink(tmp);
        *detail = errno_text(a, "write", tmp, err);
        return file_rc(err);
    }
    if (close(fd) != 0) {
        err = errno;
        unlink(tmp);
        *detail = errno_text(a, "close", tmp, err);
        return file_rc(err);
    }
    if (rename(tmp, path) != 0) {
        err = errno;
        unlink(tmp);
        *detail = errno_text(a, "rename", path, err);
        return file_rc(err);
    }
    /* make the rename durable; some file systems refuse fsync on a
     * directory, and the file is complete either way, so errors are moot */
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    *detail = path;
    return ZM_OK;
}

/* ---- SMTP transport ---- */

typedef struct {
    const char *p;
    size_t left;
} smtp_src_t;

static size_t smtp_read(char *buf, size_t size, size_t nitems, void *ud)
{
    smtp_src_t *src = ud;
    size_t n = size * nitems;

    if (n > src->left) {
        n = src->left;
    }
    memcpy(buf, src->p, n);
    src->p += n;
    src->left -= n;
    return n;
}

/* The server's last error reply line (4xx/5xx), kept for *detail: libcurl's
 * own message says only "RCPT failed: 550". */
typedef struct {
    char line[160];
} smtp_reply_t;

static size_t smtp_header(char *buf, size_t size, size_t nitems, void *ud)
{
    smtp_reply_t *r = ud;
    size_t n = size * nitems, i, k = 0;

    if (n < 3 || (buf[0] != '4' && buf[0] != '5')) {
        return n;
    }
    /* printable ASCII only: the text ends up in logs and the task table */
    for (i = 0; i < n && k < sizeof(r->line) - 1; i++) {
        unsigned char c = (unsigned char)buf[i];

        if (c == '\r' || c == '\n') {
            break;
        }
        r->line[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    r->line[k] = '\0';
    return n;
}

/* Reply codes decide first (RFC 5321 §4.2.1: 4yz transient, 5yz
 * permanent); without one, only configuration faults are permanent, and
 * everything network-shaped is worth another try. */
static int smtp_rc(CURLcode res, long code)
{
    if (code >= 500 && code <= 599) {
        return ZM_ERR;
    }
    if (code >= 400 && code <= 499) {
        return ZM_EAGAIN;
    }
    switch (res) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED: /* STARTTLS required, server lacks it */
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
        return ZM_ERR;
    default:
        return ZM_EAGAIN;
    }
}

static int smtp_deliver(zm_arena_t *a, const mail_conf_t *c, const char *from, const char *to, const char *data,
                        size_t len, char **detail)
{
    char errbuf[CURL_ERROR_SIZE] = "", *mail_from, *rcpt;
    smtp_src_t src = {data, len};
    smtp_reply_t reply = {""};
    struct curl_slist *rcpts = NULL, *tmp;
    const char *url = c->smtp_url;
    int tls, rc;
    long code = 0;
    CURLcode res = CURLE_OK;
    CURL *curl;

    /* the URL is passed verbatim to libcurl: no control bytes, smtp only */
    if (url == NULL || strpbrk(url, "\r\n") != NULL ||
        (strncasecmp(url, "smtp://", 7) != 0 && strncasecmp(url, "smtps://", 8) != 0)) {
        *detail = zm_pstrdup(a, "smtp_url must be smtp://host:port or smtps://host:port");
        return ZM_EINVAL;
    }
    tls = c->smtp_starttls || strncasecmp(url, "smtps://", 8) == 0;
    mail_from = zm_psprintf(a, "<%s>", from);
    rcpt = zm_psprintf(a, "<%s>", to);
    if (mail_from == NULL || rcpt == NULL) {
        return ZM_ENOMEM;
    }
    curl = curl_easy_init();
    if (curl == NULL) {
        *detail = zm_pstrdup(a, "smtp: curl_easy_init failed");
        return ZM_ENOMEM;
    }
    tmp = curl_slist_append(rcpts, rcpt);
    if (tmp == NULL) {
        curl_easy_cleanup(curl);
        return ZM_ENOMEM;
    }
    rcpts = tmp;

    /* |= collects a failed setopt (an unknown option, OOM) into one test */
    res |= curl_easy_setopt(curl, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
    res |= curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
    res |= curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
    res |= curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from);
    res |= curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
    res |= curl_easy_setopt(curl, CURLOPT_READFUNCTION, smtp_read);
    res |= curl_easy_setopt(curl, CURLOPT_READDATA, &src);
    res |= curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    res |= curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    res |= curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, smtp_header);
    res |= curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply);
    res |= curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    res |= curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->timeout_ms > 0 ? c->timeout_ms : SMTP_TIMEOUT_DEFAULT_MS);
    /* no SIGALRM for DNS timeouts: this runs inside a threaded server */
    res |= curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (tls) {
        /* fail rather than fall back to plain text if STARTTLS is missing */
        res |= curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    }
    if (c->smtp_user != NULL && c->smtp_user[0] != '\0') {
        res |= curl_easy_setopt(curl, CURLOPT_USERNAME, c->smtp_user);
        res |= curl_easy_setopt(curl, CURLOPT_PASSWORD, c->smtp_password != NULL ? c->smtp_password : "");
    }
    if (res != CURLE_OK) {
        curl_slist_free_all(rcpts);
        curl_easy_cleanup(curl);
        *detail = zm_pstrdup(a, "smtp: curl_easy_setopt failed");
        return ZM_ERR;
    }

    res = curl_easy_perform(curl);
    if (res != CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
        rc = smtp_rc(res, code);
        if (reply.line[0] != '\0') {
            *detail = zm_psprintf(a, "smtp %s", reply.line);
        } else {
            *detail = zm_psprintf(a, "smtp: %s", errbuf[0] ? errbuf : curl_easy_strerror(res));
        }
    } else {
        rc = ZM_OK;
    }
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(curl);
    return rc;
}

/* ---- public ---- */

int mail_init(void)
{
    if (sodium_init() < 0) {
        return ZM_ERR;
    }
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? ZM_OK : ZM_ERR;
}

void mail_cleanup(void)
{
    curl_global_cleanup();
}

int mail_deliver(zm_arena_t *a, const mail_conf_t *c, const char *from_addr, const char *to_addr, const char *data,
                 size_t len, char **detail)
{
    char *ignored = NULL;

    /* callers that do not care still get a place for the text */
    if (detail == NULL) {
        detail = &ignored;
    }
    *detail = NULL;
    if (a == NULL || c == NULL || data == NULL || c->transport == NULL) {
        return ZM_EINVAL;
    }
    /* envelope addresses go into SMTP commands: same rules as headers */
    if (mail_check_addr(from_addr) != ZM_OK || mail_check_addr(to_addr) != ZM_OK) {
        *detail = zm_pstrdup(a, "invalid envelope address");
        return ZM_EINVAL;
    }
    if (sodium_init() < 0) {
        return ZM_ERR;
    }
    if (strcmp(c->transport, "file") == 0) {
        if (c->file_dir == NULL || c->file_dir[0] == '\0') {
            *detail = zm_pstrdup(a, "file transport needs file_dir");
            return ZM_EINVAL;
        }
        return file_deliver(a, c->file_dir, data, len, detail);
    }
    if (strcmp(c->transport, "smtp") == 0) {
        return smtp_deliver(a, c, from_addr, to_addr, data, len, detail);
    }
    *detail = zm_psprintf(a, "unknown mail transport");
    return ZM_EINVAL;
}

int mail_send(zm_arena_t *a, const mail_conf_t *c, const mail_msg_t *m, char **detail)
{
    static const char *const why[] = {
        [-ZM_EINVAL] = "message rejected: missing or invalid field",
        [-ZM_ETOOBIG] = "message rejected: field over its size cap",
        [-ZM_ENOMEM] = "out of memory rendering message",
    };
    mail_msg_t mm;
    char *data, *ignored = NULL;
    size_t len;
    int rc;

    if (detail == NULL) {
        detail = &ignored;
    }
    *detail = NULL;
    if (a == NULL || c == NULL || m == NULL) {
        return ZM_EINVAL;
    }
    mm = *m;
    /* like Django's DEFAULT_FROM_EMAIL: the configured sender by default */
    if (mm.from_addr == NULL || mm.from_addr[0] == '\0') {
        mm.from_addr = c->from_addr;
        mm.from_name = c->from_name;
    }
    rc = mail_build(a, &mm, NULL, zm_now_s(), &data, &len);
    if (rc != ZM_OK) {
        if (rc < 0 && (size_t)-rc < ZM_ARRAY_LEN(why) && why[-rc] != NULL) {
            *detail = zm_pstrdup(a, why[-rc]);
        } else {
            *detail = zm_pstrdup(a, "could not render message");
        }
        return rc;
    }
    return mail_deliver(a, c, mm.from_addr, mm.to_addr, data, len, detail);
}
