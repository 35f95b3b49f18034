/*
 * accounts_shared.h -- what users.c, sessions.c, links.c and mail_text.c
 * call of each other beyond accounts.h: reading a user with its password
 * hash, the profile, the password, revoking every token of a user, the mail
 * to the owner of an address registered again.  Nothing outside accounts/
 * includes it.
 */
#ifndef ZM_ACCOUNTS_SHARED_H
#define ZM_ACCOUNTS_SHARED_H

#include "accounts.h"

/* users.c */

/** acc_get_user, with the stored password hash in *hash (may be NULL) for a check. */
int acc_load_user(db_t *db, zm_arena_t *a, int64_t id, acc_user_t *out, const char **hash);

/** The user whose address has the normal form key (email.h), with *hash as acc_load_user's. */
int acc_find_by_key(db_t *db, zm_arena_t *a, const char *key, acc_user_t *out, const char **hash);

/** A profile for a user that has none (made by Django, say); a no-op otherwise. */
int acc_ensure_profile(db_t *db, const acc_user_t *u);

/** Store an argon2id hash of pw as the user's password. */
int acc_set_password(db_t *db, int64_t user_id, const char *pw);

/* sessions.c */

/** End every token of the user (in the caller's transaction); the user must have a profile. */
int acc_revoke_all(db_t *db, int64_t user_id);

/* mail_text.c */

/** To the owner of an address someone tried to register again. */
int acc_mail_taken(db_t *db, zm_arena_t *a, const acc_user_t *u);

#endif
