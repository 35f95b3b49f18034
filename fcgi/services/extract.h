/*
 * extract.h -- plain text out of PDF (poppler), DOCX (libzip + libxml2)
 * and text files, for AI analysis and matching.
 *
 * The parsing runs in a child process with CPU (extract.cpu_s), memory
 * (extract.mem_mb) and wall-clock (extract.timeout_s) limits, so a hostile
 * file can cost a bounded amount and never take the caller down.
 */
#ifndef ZM_EXTRACT_H
#define ZM_EXTRACT_H

#include <stddef.h>

#include "arena.h"
#include "filetype.h"
#include "zm.h"

typedef struct {
    unsigned cpu_s, mem_mb, timeout_s;
    size_t max_chars;
} extract_limits_t;

/** Limits from the configuration. */
void extract_limits_from_conf(extract_limits_t *l);

/**
 * Extract the text of data (of type t) into the arena: UTF-8, whitespace
 * runs collapsed, paragraphs kept as newlines, cut at max_chars characters.
 * ZM_OK, or a negative code with *error a short reason ("killed: CPU limit",
 * "not a valid PDF", "timed out after 20 s", ...).
 */
int extract_text(zm_arena_t *a, const extract_limits_t *l, ft_type_t t, const char *data, size_t len, char **text,
                 size_t *text_len, char **error);

#endif
