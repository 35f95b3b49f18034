/*
 * password.h -- password hashes that Django can read and Zhimai can read
 * back from Django.
 *
 * New hashes are argon2id in Django's Argon2PasswordHasher layout:
 *
 *   argon2$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt b64>$<hash b64>
 *
 * (standard base64 alphabet, padding stripped, 16-byte hash as argon2-cffi
 * makes by default).  Verification also takes Django's argon2i hashes, its
 * pbkdf2_sha256 / pbkdf2_sha1 hashes, and refuses unusable ("!...") ones.
 * Every cost a stored hash names is capped so that a hostile row in the
 * user table cannot pin a worker for minutes.
 *
 * Needs libargon2 (any lane count; libsodium only does p=1), libsodium
 * (salt, base64, constant-time compare) and OpenSSL (PBKDF2).
 */
#ifndef AUTH_PASSWORD_H
#define AUTH_PASSWORD_H

#include <stddef.h>

/* A buffer this size always holds auth_password_hash()'s output, which also
 * always fits Django's auth_user.password varchar(128). */
#define AUTH_PASSWORD_HASH_MAX 128

/* Longest password accepted, in bytes (longer never hashes or verifies). */
#define AUTH_PASSWORD_MAX 4096

/* Defaults for new hashes: 24 MiB, 4 passes, 1 lane -- a median 55 ms
 * (46-80 ms) per hash on one core of the development VM (AMD EPYC, 2 vCPU).
 * Memory past 32 MiB got disproportionately slow there, so the cost is in
 * passes rather than memory.  OWASP's floor for argon2id is m=19 MiB, t=2. */
#define AUTH_PASSWORD_DEFAULT_T 4
#define AUTH_PASSWORD_DEFAULT_M_KIB 24576
#define AUTH_PASSWORD_DEFAULT_P 1

/* Caps on what a stored hash may ask of us; the same caps bound the
 * parameters auth_password_set_params() takes. */
#define AUTH_PASSWORD_MAX_T 100
#define AUTH_PASSWORD_MAX_M_KIB (1024u * 1024u) /* 1 GiB */
#define AUTH_PASSWORD_MAX_P 64
#define AUTH_PASSWORD_MAX_WORK_KIB (1024u * 1024u) /* m * t: 1 GiB x 1 pass, ~5 s */
#define AUTH_PASSWORD_MAX_PBKDF2_ITER 10000000u

/**
 * Set the argon2id cost of new hashes: t_cost passes over m_cost_kib KiB in
 * `parallelism` lanes.  Call once at startup, before workers hash anything
 * (it is not synchronised).  Returns ZM_OK, or ZM_EINVAL and keeps the old
 * parameters when a value is outside the caps above or m_cost_kib is below
 * argon2's minimum of 8 * parallelism.  Hashes made with other parameters
 * still verify; they report needs_rehash.
 */
int auth_password_set_params(unsigned t_cost, unsigned m_cost_kib, unsigned parallelism);

/**
 * Hash password (NUL-terminated UTF-8, at most AUTH_PASSWORD_MAX bytes) with
 * argon2id, the current parameters and a fresh random salt, and write the
 * Django-encoded result to out (outlen >= AUTH_PASSWORD_HASH_MAX always
 * suffices).  Returns ZM_OK; ZM_EINVAL for NULL arguments; ZM_ETOOBIG when
 * the password is too long or out too small; ZM_ENOMEM when argon2 cannot
 * get its memory; ZM_ERR otherwise.
 */
int auth_password_hash(const char *password, char *out, size_t outlen);

/**
 * Check password against a stored Django hash (argon2$argon2id$...,
 * argon2$argon2i$..., argon2$argon2d$..., pbkdf2_sha256$..., pbkdf2_sha1$...).
 * Returns ZM_OK when it matches and ZM_ERR otherwise: wrong password,
 * unusable ("!..."), unknown or malformed encoding, costs over the caps,
 * oversized input.  When needs_rehash is not NULL it is set on a match: 1
 * unless the hash is argon2id v=19 with the current parameters and a 16-byte
 * hash, so the caller should store auth_password_hash() of the password.
 */
int auth_password_verify(const char *password, const char *encoded, int *needs_rehash);

#endif
