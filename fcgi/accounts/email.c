#include "email.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "zm.h"

/* One ICU step into a fresh buffer, grown once when ICU says how much it needs. */
typedef int32_t (*icu_step_t)(const UChar *src, int32_t len, UChar *dst, int32_t cap, UErrorCode *err);

static int32_t step_nfkc(const UChar *src, int32_t len, UChar *dst, int32_t cap, UErrorCode *err)
{
    const UNormalizer2 *n = unorm2_getNFKCInstance(err);

    return U_FAILURE(*err) ? 0 : unorm2_normalize(n, src, len, dst, cap, err);
}

static int32_t step_lower(const UChar *src, int32_t len, UChar *dst, int32_t cap, UErrorCode *err)
{
    /* the root locale: no Turkish or Lithuanian special cases, the same result everywhere */
    return u_strToLower(dst, cap, src, len, "", err);
}

static UChar *run_step(icu_step_t step, const UChar *src, int32_t len, int32_t *outlen)
{
    int32_t cap = len + 16;

    for (int tries = 0; tries < 2; tries++) {
        UErrorCode err = U_ZERO_ERROR;
        UChar *dst = zm_xmalloc((size_t)cap * sizeof(UChar));
        int32_t n;

        n = step(src, len, dst, cap, &err); /* lengths throughout: no NUL needed */
        if (U_SUCCESS(err) && n <= cap) {
            *outlen = n;
            return dst;
        }
        free(dst);
        if (err != U_BUFFER_OVERFLOW_ERROR || n <= cap) {
            return NULL;
        }
        cap = n;
    }
    return NULL;
}

int auth_email_normalize(const char *in, char *out, size_t outlen)
{
    UErrorCode err = U_ZERO_ERROR;
    UChar *u = NULL, *t = NULL;
    int32_t len = 0, n = 0, start, end, written = 0;
    size_t inlen;
    int rc = ZM_EINVAL;

    if (in == NULL || out == NULL || outlen == 0) {
        return ZM_EINVAL;
    }
    inlen = strnlen(in, AUTH_EMAIL_IN_MAX + 1);
    if (inlen > AUTH_EMAIL_IN_MAX) {
        return ZM_ETOOBIG;
    }
    /* UTF-8 never needs more UTF-16 units than it has bytes */
    u = zm_xmalloc((inlen + 1) * sizeof(UChar));
    u_strFromUTF8(u, (int32_t)inlen + 1, &len, in, (int32_t)inlen, &err);
    if (U_FAILURE(err)) {
        goto done; /* invalid UTF-8 */
    }
    {
        static const icu_step_t steps[] = {step_nfkc, step_lower, step_nfkc};
        for (size_t i = 0; i < ZM_ARRAY_LEN(steps); i++) {
            t = run_step(steps[i], u, len, &n);
            if (t == NULL) {
                goto done;
            }
            free(u);
            u = t;
            len = n;
            t = NULL;
        }
    }
    /* white space last: NFKC turns U+3000 and U+00A0 into plain spaces */
    start = 0;
    end = len;
    while (start < end) {
        UChar32 c;
        int32_t i = start;
        U16_NEXT(u, i, end, c);
        if (!u_isUWhiteSpace(c)) {
            break;
        }
        start = i;
    }
    while (end > start) {
        UChar32 c;
        int32_t i = end;
        U16_PREV(u, start, i, c);
        if (!u_isUWhiteSpace(c)) {
            break;
        }
        end = i;
    }
    err = U_ZERO_ERROR;
    u_strToUTF8(out, (int32_t)(outlen > INT32_MAX ? INT32_MAX : outlen), &written, u + start, end - start, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR || err == U_STRING_NOT_TERMINATED_WARNING) {
        rc = ZM_ETOOBIG;
    } else if (U_SUCCESS(err)) {
        rc = ZM_OK;
    }

done:
    free(u);
    free(t);
    if (rc != ZM_OK) {
        out[0] = '\0';
    }
    return rc;
}

char *auth_email_key(zm_arena_t *a, const char *in)
{
    char buf[AUTH_EMAIL_IN_MAX + 1];

    if (auth_email_normalize(in, buf, sizeof(buf)) != ZM_OK) {
        return NULL;
    }
    return zm_pstrdup(a, buf);
}

/* ---- existing rows ---- */

#define MIGRATE_BATCH 500

/* Another user whose address already has this normal form (an exact spelling first), or 0. */
static int64_t owner_of(db_t *db, zm_arena_t *a, const char *norm, int64_t self, int *rc)
{
    db_res_t res;
    char buf[AUTH_EMAIL_IN_MAX + 1];

    /* the collation finds every spelling it takes for the same (and some more), using the index */
    *rc = db_query(db, a, &res, "SELECT id, email FROM auth_user WHERE email = ? AND id <> ? ORDER BY id LIMIT 50",
                   "si", norm, self);
    if (*rc != ZM_OK) {
        return 0;
    }
    for (size_t r = 0; r < res.nrows; r++) {
        const char *e = db_val(&res, r, 1);
        if (e && auth_email_normalize(e, buf, sizeof(buf)) == ZM_OK && strcmp(buf, norm) == 0) {
            return db_int(&res, r, 0);
        }
    }
    return 0;
}

int auth_email_migrate(db_t *db, zm_arena_t *a, auth_email_migration_t *st)
{
    int64_t last = 0;
    int rc;

    memset(st, 0, sizeof(*st));
    for (;;) {
        db_res_t res;

        zm_arena_reset(a);
        rc = db_query(db, a, &res,
                      "SELECT u.id, u.email, p.user_id, p.email_key FROM auth_user u "
                      "LEFT JOIN zm_user_profile p ON p.user_id = u.id WHERE u.id > ? ORDER BY u.id LIMIT ?",
                      "iI", last, MIGRATE_BATCH);
        if (rc != ZM_OK) {
            return rc;
        }
        for (size_t r = 0; r < res.nrows; r++) {
            int64_t id = db_int(&res, r, 0), other;
            const char *email = db_val(&res, r, 1), *key = db_val(&res, r, 3);
            int has_profile = db_val(&res, r, 2) != NULL;
            char norm[AUTH_EMAIL_IN_MAX + 1];
            int64_t n;

            last = id;
            st->checked++;
            if (email == NULL || auth_email_normalize(email, norm, sizeof(norm)) != ZM_OK || strlen(norm) > 254) {
                fprintf(stderr, "normalize-emails: user %lld: address %s has no usable normal form; left as it is\n",
                        (long long)id, email ? email : "(null)");
                continue;
            }
            if (strcmp(norm, email) == 0 && (!has_profile || (key && strcmp(key, norm) == 0))) {
                continue; /* already normal: most rows */
            }
            other = owner_of(db, a, norm, id, &rc);
            if (rc != ZM_OK) {
                return rc;
            }
            if (other) {
                st->conflicts++;
                fprintf(stderr,
                        "normalize-emails: user %lld <%s> and user %lld are the same address %s: "
                        "left as it is, without an email key (resolve by hand)\n",
                        (long long)id, email, (long long)other, norm);
                if (has_profile && key) {
                    n = db_exec(db, "UPDATE zm_user_profile SET email_key = NULL WHERE user_id = ?", "i", id);
                    if (n < 0) {
                        return (int)n;
                    }
                }
                continue;
            }
            n = db_exec(db, "UPDATE auth_user SET email = ? WHERE id = ?", "si", norm, id);
            if (n >= 0 && has_profile) {
                n = db_exec(db, "UPDATE zm_user_profile SET email_key = ? WHERE user_id = ?", "si", norm, id);
                if (n == ZM_EDUP) {
                    /* a key the collation takes for this one but whose address normalises differently ('ß'
                     * against "ss"): two addresses, one key slot; this user goes without */
                    fprintf(stderr, "normalize-emails: user %lld <%s>: email key taken by another user's address\n",
                            (long long)id, norm);
                    n = db_exec(db, "UPDATE zm_user_profile SET email_key = NULL WHERE user_id = ?", "i", id);
                }
            }
            if (n < 0) {
                return (int)n;
            }
            st->changed++;
        }
        if (res.nrows < MIGRATE_BATCH) {
            return ZM_OK;
        }
    }
}
