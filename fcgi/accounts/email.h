/*
 * email.h -- one spelling per email address.
 *
 * An address is stored, compared and used as a rate-limit key only in its
 * normal form: Unicode NFKC, lower-cased, surrounding white space removed.
 * The database's utf8mb4_unicode_ci collation already treats many spellings
 * as one ('ſ' and 's', full-width and ASCII letters, trailing spaces), so
 * without one normal form a look-alike spelling reached the same account by
 * a different path (its own rate-limit bucket, say).  Registration then
 * refuses an address whose normal form is not a plain ASCII one.
 *
 * NFKC and lower-casing come from ICU (libicu, already linked by libxml2):
 * the Unicode Consortium's own implementation, updated with Debian.
 */
#ifndef AUTH_EMAIL_H
#define AUTH_EMAIL_H

#include <stddef.h>

#include "arena.h"
#include "db.h"

/* the longest input considered, in bytes; longer input is no address anyway */
#define AUTH_EMAIL_IN_MAX 4096

/**
 * The normal form of in (NUL-terminated UTF-8): NFKC, then lower case (ICU's
 * root locale), then NFKC again (lower-casing can leave a string that is not
 * NFKC), then Unicode white space stripped from both ends.  Idempotent.
 * Returns ZM_OK with out NUL-terminated; ZM_EINVAL for NULL, invalid UTF-8
 * or a failure inside ICU; ZM_ETOOBIG when in exceeds AUTH_EMAIL_IN_MAX
 * bytes or the result does not fit outlen.
 */
int auth_email_normalize(const char *in, char *out, size_t outlen);

/** The normal form in the arena, or NULL (for any failure above). */
char *auth_email_key(zm_arena_t *a, const char *in);

typedef struct {
    long checked;   /* users looked at */
    long changed;   /* users whose stored email (or key) was rewritten */
    long conflicts; /* users left as they were: another user already has their normal form */
} auth_email_migration_t;

/**
 * Rewrite every stored address (auth_user.email, zm_user_profile.email_key)
 * to its normal form, in batches.  A user whose normal form another user
 * already has keeps the stored spelling, loses its email_key (so it cannot
 * block the other's) and is reported on stderr: such pairs are for an
 * operator to resolve; logins reach the user with the exact address.
 * Idempotent; zhimai-migrate runs it before 0005 and as `normalize-emails`.
 * a is scratch space, reset between batches.
 */
int auth_email_migrate(db_t *db, zm_arena_t *a, auth_email_migration_t *stats);

#endif
