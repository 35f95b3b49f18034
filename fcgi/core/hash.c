/*
 * hash.c -- digests as text (libsodium's SHA-256).
 */
#include "hash.h"

#include <sodium.h>

void zm_sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, data, n);
    sodium_bin2hex(out, 65, h, sizeof(h));
}
