/*
 * hash.h -- digests as text.
 */
#ifndef ZM_HASH_H
#define ZM_HASH_H

#include <stddef.h>

/** The SHA-256 of data[0..n) as 64 lowercase hex digits and a NUL. */
void zm_sha256_hex(const void *data, size_t n, char out[65]);

#endif
