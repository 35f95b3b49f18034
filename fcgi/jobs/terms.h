/*
 * terms.h -- the search index's terms: Chinese text as single characters
 * and character bigrams (no dictionary needed, and every 2-character word
 * of a query is found exactly), other text as words folded to lower case
 * (full-width letters and digits as ASCII).
 */
#ifndef ZM_JOBS_TERMS_H
#define ZM_JOBS_TERMS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

#define TERMS_MAX_BYTES 32 /* jobs_jobterm.term is VARCHAR(32): longer words are cut (on a character) */

typedef void (*terms_emit_pt)(void *ctx, const char *term, size_t len);

/**
 * Split UTF-8 text s[0..n) into terms.  For the index (query = 0) a run of
 * Chinese characters gives each character and each adjacent pair; for a
 * query (query = 1) only the pairs, or the character when it stands alone,
 * so every term of a query must occur in a matching job.  Invalid UTF-8
 * bytes separate terms.
 */
void terms_split(const char *s, size_t n, int query, terms_emit_pt emit, void *ctx);

/**
 * Replace job_id's rows in jobs_jobterm with the terms of its texts (search.c): each term's
 * weight is the sum of the weights of the texts it occurs in.  Inside the caller's transaction.
 */
int terms_index_job(db_t *db, zm_arena_t *a, int64_t job_id, const char *const *texts, const int *weights, size_t n);

#endif
