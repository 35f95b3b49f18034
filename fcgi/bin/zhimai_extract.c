/*
 * zhimai-extract -- the parsing half of the text extractor (extract.c runs it).
 *
 *   zhimai-extract pdf|docx BUDGET MEM_MB  <file >text 3>reason
 *
 * Reads a PDF (poppler-glib) or a DOCX (libzip + libxml2) from standard
 * input and writes its text to standard output as UTF-8: runs of spaces and
 * tabs collapsed, at most one blank line in a row, PDF lines and DOCX
 * paragraphs and line breaks as newlines, DOCX tabs as tabs, stopping after
 * BUDGET bytes (never in the middle of a character).  extract.c normalises
 * the text once more: this program's output is not trusted.
 *
 * Exit status: 0 done; 2 the file is refused, with a short reason on fd 3
 * ("not a valid PDF", "encrypted PDF", ...); 3 out of memory; 4 a part is
 * over its cap (a zip bomb), reason on fd 3; 64 bad usage.
 *
 * It runs as its own program, not as a fork of the worker: see extract.c.
 * The worker sets its resource limits before exec; MEM_MB only scales the
 * cap on a DOCX's text part.  Run by hand for debugging:
 *   zhimai-extract pdf 100000 512 <cv.pdf 3>&2
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <poppler.h>
#include <zip.h>

#define EXIT_REFUSED 2
#define EXIT_NOMEM 3
#define EXIT_TOOBIG 4
#define EXIT_USAGE 64

#define REASON_FD 3
#define DOCX_PART "word/document.xml"
#define DOCX_CAP ((size_t)50 << 20) /* most bytes of document.xml we inflate */
#define INPUT_CAP ((size_t)1 << 30) /* a pipe on stdin (manual runs) is read up to this */

#define NS_W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_W_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"
#define NS_MC "http://schemas.openxmlformats.org/markup-compatibility/2006"

#if defined(__SANITIZE_ADDRESS__)
/* glib's type system and poppler's globals live until exit by design */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}
#endif

/* ---- output ---------------------------------------------------------------- */

static struct {
    char buf[64 * 1024];
    size_t used;
    size_t total;  /* bytes written or buffered */
    size_t budget; /* most bytes to write */
    char hspace;   /* pending ' ' or '\t' */
    int nl;        /* pending newlines (at most 2) */
    int started;   /* anything visible written yet */
    int full;      /* budget reached: stop parsing */
} extract_out;

static void extract_flush(void)
{
    size_t off = 0;

    while (off < extract_out.used) {
        ssize_t n = write(STDOUT_FILENO, extract_out.buf + off, extract_out.used - off);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            /* the worker stopped listening: nothing left to do */
            _exit(1);
        }
        off += (size_t)n;
    }
    extract_out.used = 0;
}

static void extract_byte(char c)
{
    if (extract_out.used == sizeof(extract_out.buf)) {
        extract_flush();
    }
    extract_out.buf[extract_out.used++] = c;
    extract_out.total++;
}

/* Append text, collapsing whitespace as it goes, so that a document made of
 * spaces cannot use up the budget before its words. */
static void extract_put(const char *s, size_t n)
{
    for (size_t i = 0; i < n && !extract_out.full; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == ' ' || c == '\t') {
            if (extract_out.nl == 0 && extract_out.hspace != '\t') {
                extract_out.hspace = (char)c;
            }
            continue;
        }
        if (c == '\n') {
            extract_out.hspace = 0;
            if (extract_out.nl < 2) {
                extract_out.nl++;
            }
            continue;
        }
        if (c == '\0') {
            continue;
        }
        if ((c & 0xc0) != 0x80) {
            /* a character starts: it, and what is pending, must fit whole */
            size_t need = 4 + (size_t)extract_out.nl + (extract_out.hspace != 0);

            if (extract_out.total + need > extract_out.budget) {
                extract_out.full = 1;
                return;
            }
            if (extract_out.started) {
                for (int k = 0; k < extract_out.nl; k++) {
                    extract_byte('\n');
                }
                if (extract_out.nl == 0 && extract_out.hspace) {
                    extract_byte(extract_out.hspace);
                }
            }
            extract_out.nl = 0;
            extract_out.hspace = 0;
            extract_out.started = 1;
        }
        extract_byte((char)c);
    }
}

static void extract_puts(const char *s)
{
    extract_put(s, strlen(s));
}

/* ---- failures -------------------------------------------------------------- */

static void extract_reason(const char *msg)
{
    size_t n = strlen(msg);

    /* fd 3 is the worker's pipe; by hand it may be missing: then stderr */
    if (write(REASON_FD, msg, n) < 0) {
        fprintf(stderr, "zhimai-extract: %s\n", msg);
    }
}

__attribute__((noreturn)) static void extract_refuse(const char *msg)
{
    extract_reason(msg);
    exit(EXIT_REFUSED);
}

__attribute__((noreturn)) static void extract_too_big(const char *msg)
{
    extract_reason(msg);
    exit(EXIT_TOOBIG);
}

__attribute__((noreturn)) static void extract_nomem(void)
{
    extract_reason("out of memory");
    exit(EXIT_NOMEM);
}

/* ---- input ----------------------------------------------------------------- */

static const char *extract_input(size_t *len)
{
    struct stat st;
    char *buf = NULL;
    size_t n = 0, size = 0;

    /* the worker hands over a memfd: map it, no copy */
    if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, STDIN_FILENO, 0);

        if (p == MAP_FAILED) {
            if (errno == ENOMEM) {
                extract_nomem();
            }
            extract_refuse("cannot read the file");
        }
        *len = (size_t)st.st_size;
        return p;
    }
    for (;;) {
        ssize_t r;

        if (n == size) {
            char *nb;

            if (size >= INPUT_CAP) {
                extract_too_big("file too large");
            }
            size = size ? size * 2 : 1 << 20;
            nb = realloc(buf, size);
            if (nb == NULL) {
                extract_nomem();
            }
            buf = nb;
        }
        r = read(STDIN_FILENO, buf + n, size - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            extract_refuse("cannot read the file");
        }
        if (r == 0) {
            break;
        }
        n += (size_t)r;
    }
    *len = n;
    return buf ? buf : "";
}

/* ---- PDF ------------------------------------------------------------------- */

static void extract_pdf(const char *data, size_t len)
{
    GBytes *bytes = g_bytes_new_static(data, len);
    GError *err = NULL;
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
    int pages;

    if (doc == NULL) {
        int encrypted = err != NULL && g_error_matches(err, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED);

        extract_refuse(encrypted ? "encrypted PDF" : "not a valid PDF");
    }
    pages = poppler_document_get_n_pages(doc);
    for (int i = 0; i < pages && !extract_out.full; i++) {
        PopplerPage *page = poppler_document_get_page(doc, i);
        char *text;

        if (page == NULL) {
            continue;
        }
        text = poppler_page_get_text(page);
        if (text != NULL) {
            extract_puts(text);
            g_free(text);
        }
        /* a page break is a paragraph break */
        extract_puts("\n\n");
        g_object_unref(page);
    }
    g_object_unref(doc);
    g_bytes_unref(bytes);
}

/* ---- DOCX ------------------------------------------------------------------ */

/* word/document.xml, inflated: never more than cap bytes, whatever the ZIP
 * directory claims (a bomb may declare a small size). */
static char *extract_docx_part(zip_t *z, size_t cap, size_t *len)
{
    zip_stat_t st;
    zip_file_t *f;
    char *buf;
    size_t n = 0, size;

    zip_stat_init(&st);
    if (zip_stat(z, DOCX_PART, 0, &st) != 0) {
        extract_refuse("DOCX without word/document.xml");
    }
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
        extract_refuse("encrypted DOCX");
    }
    if ((st.valid & ZIP_STAT_SIZE) && st.size > cap) {
        extract_too_big("DOCX text part too large (zip bomb?)");
    }
    f = zip_fopen(z, DOCX_PART, 0);
    if (f == NULL) {
        extract_refuse("damaged DOCX");
    }
    size = (st.valid & ZIP_STAT_SIZE) ? (size_t)st.size + 1 : 1 << 20;
    if (size < 4096) {
        size = 4096;
    }
    buf = malloc(size);
    if (buf == NULL) {
        extract_nomem();
    }
    for (;;) {
        zip_int64_t r;

        if (n == size) {
            char *nb;

            if (size > cap) {
                extract_too_big("DOCX text part too large (zip bomb?)");
            }
            size = size * 2 > cap + 1 ? cap + 1 : size * 2;
            nb = realloc(buf, size);
            if (nb == NULL) {
                extract_nomem();
            }
            buf = nb;
        }
        r = zip_fread(f, buf + n, size - n);
        if (r < 0) {
            int ze = zip_error_code_zip(zip_file_get_error(f));

            if (ze == ZIP_ER_MEMORY) {
                extract_nomem();
            }
            extract_refuse("damaged DOCX");
        }
        if (r == 0) {
            break;
        }
        n += (size_t)r;
    }
    if (n > cap) {
        extract_too_big("DOCX text part too large (zip bomb?)");
    }
    zip_fclose(f);
    *len = n;
    return buf;
}

static int extract_is(const xmlChar *ns, const xmlChar *local, const char *want)
{
    if (ns == NULL || local == NULL || strcmp((const char *)local, want) != 0) {
        return 0;
    }
    return strcmp((const char *)ns, NS_W) == 0 || strcmp((const char *)ns, NS_W_STRICT) == 0;
}

static void extract_docx_xml(const char *xml, size_t len)
{
    /* no XML_PARSE_NOENT, DTDLOAD or HUGE: entities stay unexpanded, nothing
     * is fetched, and libxml2's default size and depth limits hold */
    xmlTextReaderPtr r =
        xmlReaderForMemory(xml, (int)len, DOCX_PART, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    int in_t = 0, skip = -1, rc;

    if (r == NULL) {
        extract_nomem();
    }
    while (!extract_out.full && (rc = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
        const xmlChar *ns = xmlTextReaderConstNamespaceUri(r), *local = xmlTextReaderConstLocalName(r);

        if (skip >= 0) {
            if (type == XML_READER_TYPE_END_ELEMENT && depth == skip) {
                skip = -1;
            }
            continue;
        }
        switch (type) {
        case XML_READER_TYPE_ELEMENT: {
            int empty = xmlTextReaderIsEmptyElement(r);

            /* Word writes text boxes twice (DrawingML and a VML fallback):
             * read the first only */
            if (!empty && ns && local && strcmp((const char *)ns, NS_MC) == 0 &&
                strcmp((const char *)local, "Fallback") == 0) {
                skip = depth;
            } else if (extract_is(ns, local, "t")) {
                in_t = !empty;
            } else if (extract_is(ns, local, "tab")) {
                extract_puts("\t");
            } else if (extract_is(ns, local, "br") || extract_is(ns, local, "cr")) {
                extract_puts("\n");
            } else if (extract_is(ns, local, "noBreakHyphen")) {
                extract_puts("-");
            } else if (empty && extract_is(ns, local, "p")) {
                extract_puts("\n");
            }
            break;
        }
        case XML_READER_TYPE_END_ELEMENT:
            if (extract_is(ns, local, "t")) {
                in_t = 0;
            } else if (extract_is(ns, local, "p")) {
                extract_puts("\n");
            }
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            if (in_t) {
                const xmlChar *v = xmlTextReaderConstValue(r);

                if (v != NULL) {
                    extract_puts((const char *)v);
                }
            }
            break;
        default: /* entity references stay unexpanded: skipped */
            break;
        }
    }
    if (!extract_out.full && rc < 0) {
        extract_refuse("damaged DOCX (bad XML)");
    }
    xmlFreeTextReader(r);
}

static void extract_docx(const char *data, size_t len, size_t cap)
{
    zip_error_t ze;
    zip_source_t *src;
    zip_t *z;
    char *xml;
    size_t xml_len;

    zip_error_init(&ze);
    src = zip_source_buffer_create(data, len, 0, &ze);
    if (src == NULL) {
        extract_nomem();
    }
    z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (z == NULL) {
        if (zip_error_code_zip(&ze) == ZIP_ER_MEMORY) {
            extract_nomem();
        }
        extract_refuse("not a valid DOCX");
    }
    xml = extract_docx_part(z, cap, &xml_len);
    extract_docx_xml(xml, xml_len);
    free(xml);
    zip_discard(z);
}

int main(int argc, char **argv)
{
    const char *data;
    size_t len, cap;
    unsigned long long budget;
    unsigned long mem_mb;
    char *end;

    if (argc != 4 || (strcmp(argv[1], "pdf") != 0 && strcmp(argv[1], "docx") != 0)) {
        fprintf(stderr, "usage: zhimai-extract pdf|docx BUDGET MEM_MB <file >text 3>reason\n");
        return EXIT_USAGE;
    }
    errno = 0;
    budget = strtoull(argv[2], &end, 10);
    if (errno || *end || budget == 0) {
        fprintf(stderr, "zhimai-extract: bad BUDGET '%s'\n", argv[2]);
        return EXIT_USAGE;
    }
    mem_mb = strtoul(argv[3], &end, 10);
    if (errno || *end) {
        fprintf(stderr, "zhimai-extract: bad MEM_MB '%s'\n", argv[3]);
        return EXIT_USAGE;
    }
    extract_out.budget = (size_t)budget;
    /* the inflated XML and libxml2's copies of its text must fit under the
     * address-space limit with the libraries: a quarter of it at most */
    cap = DOCX_CAP;
    if (mem_mb > 0 && ((size_t)mem_mb << 20) / 4 < cap) {
        cap = ((size_t)mem_mb << 20) / 4;
    }

    data = extract_input(&len);
    if (strcmp(argv[1], "pdf") == 0) {
        extract_pdf(data, len);
    } else {
        xmlInitParser();
        extract_docx(data, len, cap);
    }
    extract_flush();
    return 0;
}
