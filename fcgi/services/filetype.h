/*
 * filetype.h -- what an uploaded file really is, decided by its content
 * (never by its name or the client's Content-Type), and safe file names.
 */
#ifndef ZM_FILETYPE_H
#define ZM_FILETYPE_H

#include <stddef.h>

#include "arena.h"
#include "zm.h"

typedef enum {
    FT_UNKNOWN = 0, /* refused */
    FT_PDF,         /* %PDF- header and an %%EOF trailer */
    FT_DOCX,        /* a ZIP holding [Content_Types].xml and word/document.xml */
    FT_TEXT,        /* valid UTF-8 text (optional BOM), no NUL or other binary control bytes */
    FT_MARKDOWN,    /* text whose name ends in .md/.markdown */
} ft_type_t;

/**
 * Sniff data.  name is only used to tell Markdown from plain text once
 * the content is known to be text.  Returns the type; *mime gets the MIME
 * type to store and serve ("application/pdf",
 * "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
 * "text/plain; charset=utf-8", "text/markdown; charset=utf-8").
 */
ft_type_t ft_sniff(const char *data, size_t len, const char *name, const char **mime);

/**
 * An image a user may attach (a feedback screenshot, a ticket attachment), by its content alone:
 * PNG (signature and an IHDR chunk), JPEG (SOI and a marker), WebP (RIFF....WEBP with a VP8/VP8L/VP8X
 * chunk).  Returns its MIME type ("image/png", "image/jpeg", "image/webp") or NULL for anything else
 * (GIF and SVG included: SVG is script).
 */
const char *ft_sniff_image(const char *data, size_t len);

/** A human word for why a type is refused or what it is ("PDF", "Word (DOCX)", ...). */
const char *ft_name(ft_type_t t);

/**
 * A safe file name from what a client sent: the last path component
 * (both '/' and '\\' separate), control characters and quotes dropped,
 * invalid UTF-8 replaced, leading dots and spaces trimmed, at most 200
 * bytes (never cutting a character), and "resume" when nothing is left.
 * The extension is kept when it fits.
 */
char *ft_sanitize_name(zm_arena_t *a, const char *name);

/**
 * Text a user names or describes something with (a resume's name, a
 * comment, the file name as sent), safe to show: the first n bytes of s
 * without the control and invisible format characters ft_sanitize_name
 * drops (C0/C1 controls, bidi embeddings, overrides and isolates, zero-width
 * characters, BOM...), invalid UTF-8 replaced by U+FFFD.  multiline keeps
 * '\n' and '\t' (a CR is dropped: CRLF becomes LF); otherwise line breaks
 * and tabs become spaces and spaces at both ends are trimmed.  May be "".
 */
char *ft_clean_text(zm_arena_t *a, const char *s, size_t n, int multiline);

#endif
