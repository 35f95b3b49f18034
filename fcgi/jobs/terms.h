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

/* The index (index.c): jobs_jobterm holds one row per (term, block of 256 job ids); its postings
 * text lists, for each job of the block with the term, 4 hex digits: the job id's low byte and
 * the term's weight there, ascending.  jobs_termstat: each term's document frequency. */
#define TERMS_BLOCK_SHIFT 8
#define TERMS_BLOCK_JOBS 256

/** A postings text into weights by low byte (0: the job has not the term). */
void terms_postings_decode(const char *s, unsigned char w[TERMS_BLOCK_JOBS]);

/**
 * Move job_id's postings from the terms of old_texts (NULL: it had none) to those of texts (NULL:
 * none now); each term's weight is the sum of the weights of the texts it occurs in.  Unchanged
 * texts do nothing unless force (a repair rewrites every term of the job).  Inside the caller's
 * transaction; locks term rows in term order.
 */
int terms_index_job(db_t *db, zm_arena_t *a, int64_t job_id, const char *const *old_texts, const char *const *texts,
                    const int *weights, size_t n, int force);

/**
 * Rebuild the index rows of blocks first_block..last_block from jobs_openjob's rows (locked),
 * whose columns 1..nw after job_id are the texts weighted by weights; adjusts jobs_termstat.
 * Inside the caller's transaction.
 */
int terms_rebuild_blocks(db_t *db, zm_arena_t *a, int64_t first_block, int64_t last_block, const int *weights,
                         size_t nw);

#endif
