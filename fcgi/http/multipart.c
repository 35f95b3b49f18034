/*
 * multipart.c -- multipart/form-data (RFC 7578 over RFC 2046), parsed in
 * place.  See multipart.h.
 *
 * The body is scanned once, front to back: each delimiter is found with
 * memmem (linear in glibc, and the needle is at most 74 bytes), and a search
 * never goes back over bytes already passed.  A part's header block is
 * searched only inside a window of MP_MAX_HEADER bytes, and at most
 * MP_MAX_PARTS parts are read, so hostile input costs no more than one pass
 * over the body plus a bounded amount per part.
 *
 * Line endings must be CRLF.  A parser that also took a bare LF would have
 * to decide whether "\n--boundary" inside file data ends the part, and no
 * browser sends bare LF, so it is refused rather than guessed.
 */
#include "multipart.h"

#include <string.h>
#include <strings.h>

#include "http.h"

#define MP_MAX_BOUNDARY 70 /* RFC 2046 §5.1.1 */

/* ---- lexing: tokens, quoted strings, parameters ---- */

typedef struct {
    const char *p, *end;
} mp_cur_t;

/* a parameter value as it appears: a token, or a quoted-string without its quotes */
typedef struct {
    const char *s;
    size_t n;    /* raw bytes between the quotes (or of the token) */
    size_t outn; /* bytes once unescaped */
    int quoted;
} mp_span_t;

/* RFC 7230 tchar */
static int mp_is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return 1;
    }
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 2046 bchars (space is allowed, but not as the last character) */
static int mp_is_bchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        return 1;
    }
    return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

static int mp_ieq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

static void mp_skip_ows(mp_cur_t *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) {
        c->p++;
    }
}

static size_t mp_token(mp_cur_t *c, const char **start)
{
    *start = c->p;
    while (c->p < c->end && mp_is_tchar((unsigned char)*c->p)) {
        c->p++;
    }
    return (size_t)(c->p - *start);
}

/*
 * A token or a quoted-string.  Inside quotes a backslash escapes only '"'
 * and '\\': browsers never escape (the HTML spec has them percent-encode '"'
 * instead), and old IE sends full Windows paths like "C:\Users\x\cv.pdf"
 * with bare backslashes, which must survive for ft_sanitize_name to cut.
 */
static int mp_value(mp_cur_t *c, mp_span_t *v)
{
    memset(v, 0, sizeof(*v));
    if (c->p < c->end && *c->p == '"') {
        const char *q = ++c->p;

        v->quoted = 1;
        v->s = q;
        while (q < c->end && *q != '"') {
            if (*q == '\\' && q + 1 < c->end && (q[1] == '"' || q[1] == '\\')) {
                q++;
            }
            q++;
            v->outn++;
        }
        if (q >= c->end) {
            return ZM_EINVAL; /* unterminated */
        }
        v->n = (size_t)(q - v->s);
        c->p = q + 1;
        return ZM_OK;
    }
    v->n = v->outn = mp_token(c, &v->s);
    return v->n ? ZM_OK : ZM_EINVAL;
}

/* Write v's value, unescaped, to dst (v->outn bytes, no NUL added). */
static void mp_unquote(const mp_span_t *v, char *dst)
{
    const char *q = v->s, *end = v->s + v->n;

    if (!v->quoted) {
        memcpy(dst, v->s, v->n);
        return;
    }
    while (q < end) {
        if (*q == '\\' && q + 1 < end && (q[1] == '"' || q[1] == '\\')) {
            q++;
        }
        *dst++ = *q++;
    }
}

static char *mp_value_dup(zm_arena_t *a, const mp_span_t *v)
{
    char *s = zm_palloc(a, v->outn + 1);

    if (s == NULL) {
        return NULL;
    }
    mp_unquote(v, s);
    s[v->outn] = '\0';
    return s;
}

/*
 * The next "; name=value" of a header value.  1 with *name / *v filled, 0 at
 * the end, ZM_EINVAL when malformed.  Empty parameters (";;", a trailing
 * ';') are skipped: they carry nothing and some clients emit them.
 */
static int mp_next_param(mp_cur_t *c, const char **name, size_t *namelen, mp_span_t *v)
{
    for (;;) {
        mp_skip_ows(c);
        if (c->p == c->end) {
            return 0;
        }
        if (*c->p != ';') {
            return ZM_EINVAL;
        }
        c->p++;
        mp_skip_ows(c);
        if (c->p == c->end) {
            return 0;
        }
        if (*c->p != ';') {
            break;
        }
    }
    *namelen = mp_token(c, name);
    if (*namelen == 0) {
        return ZM_EINVAL;
    }
    mp_skip_ows(c);
    if (c->p == c->end || *c->p != '=') {
        return ZM_EINVAL;
    }
    c->p++;
    mp_skip_ows(c);
    return mp_value(c, v) == ZM_OK ? 1 : ZM_EINVAL;
}

/* ---- the request's Content-Type ---- */

/* The boundary of "multipart/form-data; boundary=..." into out (MP_MAX_BOUNDARY bytes). */
static int mp_boundary(const char *ct, char *out, size_t *outlen)
{
    mp_cur_t c = {ct, ct + strlen(ct)};
    const char *tok, *name;
    size_t n, namelen;
    mp_span_t v;
    int found = 0, rc;

    mp_skip_ows(&c);
    n = mp_token(&c, &tok);
    if (!mp_ieq(tok, n, "multipart") || c.p == c.end || *c.p != '/') {
        return ZM_EINVAL;
    }
    c.p++;
    n = mp_token(&c, &tok);
    if (!mp_ieq(tok, n, "form-data")) {
        return ZM_EINVAL;
    }
    while ((rc = mp_next_param(&c, &name, &namelen, &v)) == 1) {
        if (!mp_ieq(name, namelen, "boundary")) {
            continue;
        }
        /* two boundaries: which one a proxy or another parser would pick is anyone's guess */
        if (found || v.outn < 1 || v.outn > MP_MAX_BOUNDARY) {
            return ZM_EINVAL;
        }
        mp_unquote(&v, out);
        *outlen = v.outn;
        found = 1;
    }
    if (rc < 0 || !found) {
        return ZM_EINVAL;
    }
    for (size_t i = 0; i < *outlen; i++) {
        if (!mp_is_bchar((unsigned char)out[i])) {
            return ZM_EINVAL;
        }
    }
    return out[*outlen - 1] == ' ' ? ZM_EINVAL : ZM_OK;
}

/* ---- a part's headers ---- */

/*
 * filename*=charset'lang'pct-encoded (RFC 5987 / 8187), decoded to UTF-8.
 * NULL when it cannot be decoded (unknown charset, bad escape, invalid or
 * NUL-carrying UTF-8); *oom set when the arena ran out.
 */
static char *mp_ext_value(zm_arena_t *a, const mp_span_t *v, int *oom)
{
    char raw[MP_MAX_HEADER + 1];
    const char *q1, *q2, *p, *end;
    char *out, *o;
    int latin1;

    *oom = 0;
    if (v->outn > MP_MAX_HEADER) {
        return NULL;
    }
    mp_unquote(v, raw);
    end = raw + v->outn;
    q1 = memchr(raw, '\'', v->outn);
    q2 = q1 ? memchr(q1 + 1, '\'', (size_t)(end - q1 - 1)) : NULL;
    if (q2 == NULL) {
        return NULL;
    }
    if (mp_ieq(raw, (size_t)(q1 - raw), "UTF-8")) {
        latin1 = 0;
    } else if (mp_ieq(raw, (size_t)(q1 - raw), "ISO-8859-1")) {
        latin1 = 1;
    } else {
        return NULL;
    }
    /* a Latin-1 byte becomes at most two UTF-8 bytes */
    out = o = zm_palloc(a, 2 * (size_t)(end - q2) + 1);
    if (out == NULL) {
        *oom = 1;
        return NULL;
    }
    for (p = q2 + 1; p < end; p++) {
        unsigned char b = (unsigned char)*p;

        if (b == '%') {
            int hi = end - p >= 3 ? zm_hexval((unsigned char)p[1]) : -1;
            int lo = hi >= 0 ? zm_hexval((unsigned char)p[2]) : -1;

            if (lo < 0) {
                return NULL;
            }
            b = (unsigned char)(hi << 4 | lo);
            p += 2;
        }
        if (latin1 && b >= 0x80) {
            *o++ = (char)(0xC0 | b >> 6);
            *o++ = (char)(0x80 | (b & 0x3F));
        } else {
            *o++ = (char)b;
        }
    }
    *o = '\0';
    /* also refuses %00, which would cut the name short in every C string after us */
    return zm_utf8_valid(out, (size_t)(o - out)) ? out : NULL;
}

/* Content-Disposition: form-data; name="..."; filename="..."; filename*=... */
static int mp_disposition(zm_arena_t *a, const char *s, const char *end, mp_part_t *part)
{
    mp_cur_t c = {s, end};
    const char *tok, *pname;
    size_t n, pnamelen;
    mp_span_t v, fname = {0}, fnamex = {0};
    int rc, have_name = 0, have_fname = 0, have_fnamex = 0, oom;

    n = mp_token(&c, &tok);
    if (!mp_ieq(tok, n, "form-data")) {
        return ZM_EINVAL;
    }
    while ((rc = mp_next_param(&c, &pname, &pnamelen, &v)) == 1) {
        /* a repeated parameter is refused: another reader may take the other copy */
        if (mp_ieq(pname, pnamelen, "name")) {
            if (have_name++ || v.outn == 0) {
                return ZM_EINVAL;
            }
            part->name = mp_value_dup(a, &v);
            if (part->name == NULL) {
                return ZM_ENOMEM;
            }
        } else if (mp_ieq(pname, pnamelen, "filename")) {
            if (have_fname++) {
                return ZM_EINVAL;
            }
            fname = v;
        } else if (mp_ieq(pname, pnamelen, "filename*")) {
            if (have_fnamex++) {
                return ZM_EINVAL;
            }
            fnamex = v;
        }
    }
    if (rc < 0 || !have_name) {
        return ZM_EINVAL;
    }
    /* RFC 7578 §4.2 / RFC 6266 §4.3: filename* wins when it can be decoded */
    if (have_fnamex) {
        part->filename = mp_ext_value(a, &fnamex, &oom);
        if (oom) {
            return ZM_ENOMEM;
        }
        if (part->filename != NULL) {
            return ZM_OK;
        }
        if (!have_fname) {
            return ZM_EINVAL;
        }
    }
    if (have_fname) {
        /* kept even when empty: filename="" is what a browser sends for a file input left empty */
        part->filename = mp_value_dup(a, &fname);
        if (part->filename == NULL) {
            return ZM_ENOMEM;
        }
    }
    return ZM_OK;
}

/* The header block [p, end): header lines, each ending in CRLF. */
static int mp_headers(zm_arena_t *a, const char *p, const char *end, mp_part_t *part)
{
    int have_cd = 0, rc;

    /* CR and LF only as CRLF, and no NUL.  Other control bytes pass: browsers send a file's
     * name raw (escaping only '"', CR and LF), and ft_sanitize_name drops them from it */
    for (const char *q = p; q < end; q++) {
        unsigned char b = (unsigned char)*q;

        if (b == '\r' && q + 1 < end && q[1] == '\n') {
            q++;
            continue;
        }
        if (b == 0 || b == '\r' || b == '\n') {
            return ZM_EINVAL;
        }
    }
    while (p < end) {
        const char *eol = memchr(p, '\r', (size_t)(end - p)); /* the line's CRLF: checked above */
        const char *colon, *v, *ve;
        size_t namelen;

        if (eol == NULL) {
            return ZM_EINVAL;
        }
        /* obsolete line folding (RFC 7230 §3.2.4) is not accepted */
        if (*p == ' ' || *p == '\t') {
            return ZM_EINVAL;
        }
        colon = memchr(p, ':', (size_t)(eol - p));
        if (colon == NULL || colon == p) {
            return ZM_EINVAL;
        }
        namelen = (size_t)(colon - p);
        for (size_t i = 0; i < namelen; i++) {
            if (!mp_is_tchar((unsigned char)p[i])) {
                return ZM_EINVAL;
            }
        }
        v = colon + 1;
        ve = eol;
        while (v < ve && (*v == ' ' || *v == '\t')) {
            v++;
        }
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) {
            ve--;
        }
        if (mp_ieq(p, namelen, "Content-Disposition")) {
            if (have_cd++) {
                return ZM_EINVAL;
            }
            rc = mp_disposition(a, v, ve, part);
            if (rc != ZM_OK) {
                return rc;
            }
        } else if (mp_ieq(p, namelen, "Content-Type")) {
            if (part->content_type != NULL) {
                return ZM_EINVAL;
            }
            if (ve > v) {
                part->content_type = zm_pstrndup(a, v, (size_t)(ve - v));
                if (part->content_type == NULL) {
                    return ZM_ENOMEM;
                }
            }
        }
        p = eol + 2;
    }
    return part->name ? ZM_OK : ZM_EINVAL;
}

/* ---- the body ---- */

/*
 * Does a "--boundary" ending at q end a delimiter line?  It does when
 * followed by "--" (the close delimiter) or by optional whitespace and
 * CRLF.  *after is then the first byte past it and *close says which.
 * Anything else is data that happens to look like a boundary (RFC 2046
 * forbids it, but refusing would not make the body any less ambiguous).
 */
static int mp_delim_end(const char *q, const char *end, const char **after, int *close)
{
    if (end - q >= 2 && q[0] == '-' && q[1] == '-') {
        *after = q + 2;
        *close = 1;
        return 1;
    }
    while (q < end && (*q == ' ' || *q == '\t')) {
        q++;
    }
    if (end - q >= 2 && q[0] == '\r' && q[1] == '\n') {
        *after = q + 2;
        *close = 0;
        return 1;
    }
    return 0;
}

/* The next delimiter "\r\n--boundary..." at or after from; NULL when there is none (a truncated body). */
static const char *mp_next_delim(const char *from, const char *end, const char *delim, size_t dlen, const char **after,
                                 int *close)
{
    while (end - from >= (ptrdiff_t)dlen) {
        const char *d = memmem(from, (size_t)(end - from), delim, dlen);

        if (d == NULL) {
            return NULL;
        }
        if (mp_delim_end(d + dlen, end, after, close)) {
            return d;
        }
        from = d + 1; /* forward only: the scan stays linear */
    }
    return NULL;
}

int mp_parse(zm_arena_t *a, const char *content_type, const char *body, size_t len, mp_part_t **parts, size_t *nparts)
{
    char delim[4 + MP_MAX_BOUNDARY] = "\r\n--";
    size_t blen = 0, dlen, n = 0;
    const char *end, *cur;
    mp_part_t *out;
    int close = 0, rc;

    if (parts == NULL || nparts == NULL) {
        return ZM_EINVAL;
    }
    *parts = NULL;
    *nparts = 0;
    if (a == NULL || content_type == NULL || (body == NULL && len > 0)) {
        return ZM_EINVAL;
    }
    if (mp_boundary(content_type, delim + 4, &blen) != ZM_OK) {
        return ZM_EINVAL;
    }
    if (body == NULL) {
        return ZM_EINVAL; /* empty: not even a close delimiter */
    }
    dlen = 4 + blen;
    end = body + len;

    /* the first delimiter may open the body without the CRLF before it (no preamble) */
    if (!(len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0 &&
          mp_delim_end(body + dlen - 2, end, &cur, &close))) {
        if (mp_next_delim(body, end, delim, dlen, &cur, &close) == NULL) {
            return ZM_EINVAL;
        }
    }
    out = zm_pcalloc(a, MP_MAX_PARTS * sizeof(*out));
    if (out == NULL) {
        return ZM_ENOMEM;
    }
    /* each round: cur is just past a delimiter line that opens a part */
    while (!close) {
        mp_part_t *part;
        const char *data, *next;

        if (n == MP_MAX_PARTS) {
            return ZM_EINVAL;
        }
        part = &out[n];
        if (end - cur >= 2 && cur[0] == '\r' && cur[1] == '\n') {
            data = cur + 2; /* no headers at all: refused below for want of a name */
            rc = mp_headers(a, cur, cur, part);
        } else {
            /* the blank line must come within MP_MAX_HEADER bytes: the block plus its last CRLF */
            size_t win = (size_t)(end - cur) < MP_MAX_HEADER + 2 ? (size_t)(end - cur) : MP_MAX_HEADER + 2;
            const char *blank = memmem(cur, win, "\r\n\r\n", 4);

            if (blank == NULL) {
                return ZM_EINVAL; /* oversized header block, or truncated */
            }
            data = blank + 4;
            rc = mp_headers(a, cur, blank + 2, part);
        }
        if (rc != ZM_OK) {
            return rc;
        }
        /* an empty part's delimiter starts right at data: its CRLF is not the blank line's */
        next = mp_next_delim(data, end, delim, dlen, &cur, &close);
        if (next == NULL) {
            return ZM_EINVAL; /* truncated: no delimiter after this part */
        }
        part->data = data;
        part->len = (size_t)(next - data);
        n++;
    }
    *parts = out;
    *nparts = n;
    return ZM_OK;
}

const mp_part_t *mp_find(const mp_part_t *parts, size_t nparts, const char *name)
{
    if (parts == NULL || name == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < nparts; i++) {
        if (parts[i].name != NULL && strcmp(parts[i].name, name) == 0) {
            return &parts[i];
        }
    }
    return NULL;
}
