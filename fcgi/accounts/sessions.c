/*
 * sessions.c -- login, the token pair, refresh, logout, authentication of
 * every request (with its per-worker user cache), password change, and the
 * revocation of all of a user's tokens.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "accounts_shared.h"
#include "clock.h"
#include "conf.h"
#include "email.h"
#include "hash.h"
#include "log.h"
#include "metrics.h"
#include "password.h"
#include "stats.h"
#include "token.h"

/* the module's state, read by acc_init before the fork: only sessions sign, verify and time tokens */
static struct {
    char key[256];
    size_t keylen;
    int64_t access_ttl, refresh_ttl;
    char dummy_hash[AUTH_PASSWORD_HASH_MAX]; /* verified against when the email is unknown */
} acc;

int acc_init(void)
{
    const char *k = zm_conf_str("auth.jwt_secret");

    if (strlen(k) < 32 || strlen(k) >= sizeof(acc.key)) {
        zm_log_error("auth.jwt_secret must be 32 to 255 characters (./dev up generates one)");
        return ZM_ERR;
    }
    snprintf(acc.key, sizeof(acc.key), "%s", k);
    acc.keylen = strlen(acc.key);
    acc.access_ttl = zm_conf_int("auth.access_ttl");
    acc.refresh_ttl = zm_conf_int("auth.refresh_ttl");
    if (auth_password_set_params((unsigned)zm_conf_int("auth.argon2_t"), (unsigned)zm_conf_int("auth.argon2_m_kib"),
                                 (unsigned)zm_conf_int("auth.argon2_p")) != ZM_OK) {
        zm_log_error("auth.argon2_*: parameters out of range");
        return ZM_ERR;
    }
    return auth_password_hash("no user has this password", acc.dummy_hash, sizeof(acc.dummy_hash));
}

/* A token pair carrying the user's current token generation (read in the caller's transaction, so an
 * acc_revoke_all just before in it counts).  A user without a profile is at generation 0. */
static int issue_pair(db_t *db, zm_arena_t *a, int64_t user_id, acc_tokens_t *t)
{
    char jti[33];
    char *access = zm_palloc(a, AUTH_TOKEN_MAX), *refresh = zm_palloc(a, AUTH_TOKEN_MAX);
    int64_t now = zm_now_s(), gen, rc;
    db_res_t res;

    if (access == NULL || refresh == NULL) {
        return ZM_ENOMEM;
    }
    rc = db_query(db, a, &res, "SELECT COALESCE(MAX(token_generation), 0) FROM zm_user_profile WHERE user_id = ?", "i",
                  user_id);
    if (rc != ZM_OK) {
        return (int)rc;
    }
    gen = db_int(&res, 0, 0);
    if (auth_token_issue_gen(acc.key, acc.keylen, AUTH_TOKEN_ACCESS, user_id, gen, now, acc.access_ttl, access,
                             AUTH_TOKEN_MAX, jti) != ZM_OK ||
        auth_token_issue_gen(acc.key, acc.keylen, AUTH_TOKEN_REFRESH, user_id, gen, now, acc.refresh_ttl, refresh,
                             AUTH_TOKEN_MAX, jti) != ZM_OK) {
        return ZM_ERR;
    }
    /* simplejwt's OutstandingToken: every refresh token is on record, so it can be revoked */
    rc = db_exec(db,
                 "INSERT INTO token_blacklist_outstandingtoken (token, created_at, expires_at, user_id, jti) "
                 "VALUES (?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?)",
                 "siiis", refresh, now, now + acc.refresh_ttl, user_id, jti);
    if (rc < 0) {
        return (int)rc;
    }
    t->access = access;
    t->refresh = refresh;
    return ZM_OK;
}

/* Blacklist every refresh token of the user and end every access token issued so far: the generation
 * their "gen" claim must equal moves on.  Tokens without the claim (a Django project's) are refused when
 * issued at or before this second: iat has whole seconds only.  The caller bumps the scoreboard after
 * its commit, and the user must have a profile (acc_ensure_profile). */
int acc_revoke_all(db_t *db, int64_t user_id)
{
    int64_t rc;

    rc = db_exec(db,
                 "INSERT INTO token_blacklist_blacklistedtoken (blacklisted_at, token_id) "
                 "SELECT UTC_TIMESTAMP(6), o.id FROM token_blacklist_outstandingtoken o "
                 "LEFT JOIN token_blacklist_blacklistedtoken b ON b.token_id = o.id "
                 "WHERE o.user_id = ? AND b.id IS NULL AND o.expires_at > UTC_TIMESTAMP(6)",
                 "i", user_id);
    if (rc < 0) {
        return (int)rc;
    }
    rc = db_exec(db,
                 "UPDATE zm_user_profile SET token_generation = token_generation + 1, "
                 "tokens_valid_after = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6) WHERE user_id = ?",
                 "i", user_id);
    return rc < 0 ? (int)rc : ZM_OK;
}

int acc_login(db_t *db, zm_arena_t *a, const char *email, const char *password, acc_user_t *user, acc_tokens_t *t)
{
    const char *hash = NULL, *key = auth_email_key(a, email);
    int needs_rehash = 0, rc;

    rc = key ? acc_find_by_key(db, a, key, user, &hash) : ZM_ENOTFOUND;
    if (rc == ZM_ENOTFOUND) {
        /* same work as a real check, so timing does not tell whether the email exists */
        auth_password_verify(password, acc.dummy_hash, &needs_rehash);
        return ACC_EBADCRED;
    }
    if (rc != ZM_OK) {
        return rc;
    }
    if (auth_password_verify(password, hash ? hash : "!", &needs_rehash) != ZM_OK || !user->is_active) {
        return ACC_EBADCRED;
    }
    rc = db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    if (needs_rehash) {
        /* a Django pbkdf2 or argon2 hash with other parameters: upgrade it now we know the password */
        rc = acc_set_password(db, user->id, password);
    }
    if (rc == ZM_OK) {
        int64_t n = db_exec(db, "UPDATE auth_user SET last_login = UTC_TIMESTAMP(6) WHERE id = ?", "i", user->id);
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc == ZM_OK) {
        rc = acc_ensure_profile(db, user);
    }
    if (rc == ZM_OK) {
        rc = issue_pair(db, a, user->id, t);
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    if (rc != ZM_OK) {
        return rc;
    }
    return acc_get_user(db, a, user->id, user);
}

/* What authentication needs to know of a user, remembered per worker: most
 * requests then cost no database round trip for it.  An entry is good while
 * it is younger than auth.user_cache_ms and no change to users was made on
 * this host since it was read (the scoreboard's generation): a logout, a
 * password change or reset, an admin's change bump it. */
#define USER_CACHE_SLOTS 512
/* access tokens revoked one by one (logout) and not yet expired, kept per entry; a user with more
 * (many logouts within one access lifetime) has the rest looked up per request */
#define USER_REVOKED_MAX 8

typedef struct {
    int64_t user_id;
    int active, role;
    int64_t valid_after; /* unix second of the last acc_revoke_all, 0 = never: for tokens without "gen" */
    int64_t token_gen;   /* the "gen" a token must carry */
    int nrevoked;        /* entries in revoked; USER_REVOKED_MAX + 1 = more than fit */
    char revoked[USER_REVOKED_MAX][33];
    uint64_t generation;
    int64_t read_ms;
} user_cache_t;

static user_cache_t user_cache[USER_CACHE_SLOTS];

/* The user's facts, from this worker's cache when allowed and current. */
static int user_facts(db_t *db, zm_arena_t *a, int64_t user_id, int cached, user_cache_t *out)
{
    user_cache_t *slot = &user_cache[(uint64_t)user_id % USER_CACHE_SLOTS];
    uint64_t gen = zm_metrics_auth_generation(); /* read before the query: a change during it invalidates */
    int64_t now = zm_mono_ms(), ttl = zm_conf_int("auth.user_cache_ms");
    const char *r;
    db_res_t res;
    int rc;

    if (cached && ttl > 0 && slot->user_id == user_id && slot->generation == gen && now - slot->read_ms < ttl) {
        *out = *slot;
        return ZM_OK;
    }
    /* one row per live revoked access token (at least one row): the user's facts repeat on each */
    rc = db_query(db, a, &res,
                  "SELECT u.is_active, u.is_superuser, p.role, UNIX_TIMESTAMP(p.tokens_valid_after), "
                  "COALESCE(p.token_generation, 0), r.jti "
                  "FROM auth_user u LEFT JOIN zm_user_profile p ON p.user_id = u.id "
                  "LEFT JOIN zm_revoked_access r ON r.user_id = u.id AND r.expires_at > UTC_TIMESTAMP(6) "
                  "WHERE u.id = ? ORDER BY r.expires_at DESC LIMIT ?",
                  "iI", user_id, USER_REVOKED_MAX + 1);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        slot->user_id = 0;
        return ZM_ENOTFOUND;
    }
    memset(out, 0, sizeof(*out));
    out->user_id = user_id;
    out->active = db_int(&res, 0, 0) != 0;
    r = db_val(&res, 0, 2);
    /* no profile yet (a user Django made): its flags decide, as in user_from_row */
    out->role = r ? acc_role_parse(r) : (db_int(&res, 0, 1) ? ZM_ROLE_ADMIN : ZM_ROLE_SEEKER);
    if (out->role == 0) {
        out->role = ZM_ROLE_SEEKER;
    }
    out->valid_after = db_int(&res, 0, 3); /* whole seconds: strtoll stops at the fraction */
    out->token_gen = db_int(&res, 0, 4);
    for (size_t i = 0; i < res.nrows; i++) {
        const char *jti = db_val(&res, i, 5);
        if (jti == NULL) {
            break;
        }
        if (out->nrevoked == USER_REVOKED_MAX) {
            out->nrevoked++; /* more than fit: access_revoked() asks the database for the rest */
            break;
        }
        snprintf(out->revoked[out->nrevoked++], sizeof(out->revoked[0]), "%s", jti);
    }
    out->generation = gen;
    out->read_ms = now;
    *slot = *out;
    return ZM_OK;
}

/* Was this access token revoked by itself (a logout)?  1, 0, or a negative error. */
static int access_revoked(db_t *db, zm_arena_t *a, const user_cache_t *u, const char *jti)
{
    db_res_t res;
    int n = u->nrevoked < USER_REVOKED_MAX ? u->nrevoked : USER_REVOKED_MAX, rc;

    for (int i = 0; i < n; i++) {
        if (strcmp(u->revoked[i], jti) == 0) {
            return 1;
        }
    }
    if (u->nrevoked <= USER_REVOKED_MAX) {
        return 0; /* the list is complete: the usual case costs no query */
    }
    rc = db_query(db, a, &res, "SELECT 1 FROM zm_revoked_access WHERE jti = ?", "s", jti);
    return rc != ZM_OK ? rc : res.nrows > 0;
}

/* The user behind a token must still exist and be active, and the token must not be revoked: it
 * carries the user's current generation (one without "gen" was issued after the second of the last
 * revocation), and an access token was not logged out by itself.  cached: the per-worker cache may
 * answer (every request); without, the database does (a refresh, which mints new tokens: a fact up to
 * auth.user_cache_ms old on another host must not let a revoked token buy fresh ones). */
static int check_user(db_t *db, zm_arena_t *a, const auth_token_claims_t *c, int cached, int *role)
{
    user_cache_t u;
    int rc = user_facts(db, a, c->user_id, cached, &u);

    if (rc == ZM_ENOTFOUND) {
        return ACC_ETOKEN;
    }
    if (rc != ZM_OK) {
        return rc;
    }
    if (!u.active) {
        return ACC_ETOKEN;
    }
    if (c->gen != AUTH_TOKEN_NO_GEN ? c->gen != u.token_gen : (u.valid_after && c->iat <= u.valid_after)) {
        return ACC_ETOKEN;
    }
    if (c->type == AUTH_TOKEN_ACCESS) {
        rc = access_revoked(db, a, &u, c->jti);
        if (rc != 0) {
            return rc > 0 ? ACC_ETOKEN : rc;
        }
    }
    if (role) {
        *role = u.role;
    }
    return ZM_OK;
}

/* Access tokens this worker has verified: the signature check and the claims' parsing are done once
 * per token (a token's bytes say the same claims for as long as the key, read before the fork, is the
 * same).  What can change is still checked on every request: the expiry here, the user, their
 * generation and a logout in check_user.  Keyed by the token's SHA-256, compared in constant time. */
#define TOKEN_CACHE_SLOTS 512

typedef struct {
    char digest[65]; /* hex; "" when free */
    auth_token_claims_t c;
} token_slot_t;

static token_slot_t token_cache[TOKEN_CACHE_SLOTS];

static int verify_access(const char *access, int64_t now, auth_token_claims_t *c)
{
    size_t len = strnlen(access, AUTH_TOKEN_MAX + 1);
    token_slot_t *s;
    unsigned slot = 0;
    char d[65];
    int rc;

    if (len > AUTH_TOKEN_MAX) {
        return AUTH_TOKEN_INVALID;
    }
    zm_sha256_hex(access, len, d);
    for (int i = 0; i < 3; i++) { /* the slot: the digest's first 12 bits */
        slot = slot * 16 + (unsigned)(d[i] <= '9' ? d[i] - '0' : d[i] - 'a' + 10);
    }
    s = &token_cache[slot % TOKEN_CACHE_SLOTS];
    if (s->digest[0] && CRYPTO_memcmp(s->digest, d, 64) == 0) {
        if (s->c.exp <= now) {
            return AUTH_TOKEN_EXPIRED; /* as auth_token_verify says once the rest is right */
        }
        *c = s->c;
        return ZM_OK;
    }
    rc = auth_token_verify(acc.key, acc.keylen, access, AUTH_TOKEN_ACCESS, now, c);
    if (rc == ZM_OK) {
        memcpy(s->digest, d, sizeof(d));
        s->c = *c;
    }
    return rc;
}

int acc_authenticate(db_t *db, zm_arena_t *a, const char *access, int64_t *user_id, int *role)
{
    auth_token_claims_t c;
    int rc = verify_access(access, zm_now_s(), &c);

    if (rc == AUTH_TOKEN_EXPIRED) {
        return ACC_EEXPIRED;
    }
    if (rc != ZM_OK) {
        return ACC_ETOKEN;
    }
    rc = check_user(db, a, &c, 1, role);
    if (rc == ZM_OK) {
        *user_id = c.user_id;
        stats_seen(db, c.user_id); /* online now, active days: at most a write a minute */
    }
    return rc;
}

/* Blacklist the refresh token with this jti (recording it first if it was issued elsewhere).
 * ACC_ETOKEN when it already was: each refresh token is used once. */
static int blacklist_jti(db_t *db, zm_arena_t *a, const auth_token_claims_t *c, const char *token)
{
    db_res_t res;
    int64_t rc, token_id;

    rc = db_query(db, a, &res,
                  "SELECT o.id, o.user_id, b.id FROM token_blacklist_outstandingtoken o "
                  "LEFT JOIN token_blacklist_blacklistedtoken b ON b.token_id = o.id WHERE o.jti = ? FOR UPDATE",
                  "s", c->jti);
    if (rc != ZM_OK) {
        return (int)rc;
    }
    if (res.nrows == 0) {
        /* signed with our key but not on record (a Django service issued it): record it, as simplejwt does */
        rc = db_exec(db,
                     "INSERT INTO token_blacklist_outstandingtoken (token, created_at, expires_at, user_id, jti) "
                     "VALUES (?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?)",
                     "siiis", token, c->iat, c->exp, c->user_id, c->jti);
        if (rc < 0) {
            return rc == ZM_EDUP ? ACC_ETOKEN : (int)rc;
        }
        token_id = db_insert_id(db);
    } else {
        if (db_val(&res, 0, 2) != NULL || db_int(&res, 0, 1) != c->user_id) {
            return ACC_ETOKEN;
        }
        token_id = db_int(&res, 0, 0);
    }
    rc = db_exec(db,
                 "INSERT INTO token_blacklist_blacklistedtoken (blacklisted_at, token_id) VALUES (UTC_TIMESTAMP(6), ?)",
                 "i", token_id);
    if (rc == ZM_EDUP) {
        return ACC_ETOKEN; /* a concurrent refresh with the same token won */
    }
    return rc < 0 ? (int)rc : ZM_OK;
}

static int verify_refresh(const char *refresh, auth_token_claims_t *c)
{
    int rc = auth_token_verify(acc.key, acc.keylen, refresh, AUTH_TOKEN_REFRESH, zm_now_s(), c);

    return rc == ZM_OK ? ZM_OK : ACC_ETOKEN;
}

int acc_refresh(db_t *db, zm_arena_t *a, const char *refresh, acc_tokens_t *t)
{
    auth_token_claims_t c;
    int rc = verify_refresh(refresh, &c);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = check_user(db, a, &c, 0, NULL);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = blacklist_jti(db, a, &c, refresh);
    if (rc == ZM_OK) {
        rc = issue_pair(db, a, c.user_id, t);
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db);
}

int acc_logout(db_t *db, zm_arena_t *a, const char *access, const char *refresh)
{
    auth_token_claims_t c, ac;
    int64_t n;
    int rc = verify_refresh(refresh, &c);

    if (rc != ZM_OK) {
        return rc;
    }
    if (auth_token_verify(acc.key, acc.keylen, access, AUTH_TOKEN_ACCESS, zm_now_s(), &ac) != ZM_OK ||
        c.user_id != ac.user_id) {
        return ACC_ETOKEN;
    }
    rc = db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = blacklist_jti(db, a, &c, refresh);
    if (rc == ZM_OK) {
        /* this session's access token ends too; kept until it would have expired anyway */
        n = db_exec(db,
                    "INSERT INTO zm_revoked_access (jti, user_id, expires_at, revoked_at) "
                    "VALUES (?, ?, FROM_UNIXTIME(?), UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE jti = jti",
                    "sii", ac.jti, ac.user_id, ac.exp);
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    if (rc == ZM_OK) {
        zm_metrics_auth_bump(); /* every worker of this host reads the user's revoked tokens again */
    }
    return rc;
}

int acc_change_password(db_t *db, zm_arena_t *a, int64_t user_id, const char *old_pw, const char *new_pw,
                        acc_tokens_t *t)
{
    acc_user_t u;
    const char *hash = NULL;
    int needs_rehash, rc;

    rc = acc_load_user(db, a, user_id, &u, &hash);
    if (rc != ZM_OK) {
        return rc;
    }
    if (auth_password_verify(old_pw, hash ? hash : "!", &needs_rehash) != ZM_OK) {
        return ACC_EBADCRED;
    }
    if (acc_check_password(new_pw, u.email) != NULL) {
        return ACC_EWEAK;
    }
    rc = db_begin(db);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = acc_ensure_profile(db, &u);
    if (rc == ZM_OK) {
        rc = acc_set_password(db, user_id, new_pw);
    }
    if (rc == ZM_OK) {
        rc = acc_revoke_all(db, user_id);
    }
    if (rc == ZM_OK) {
        rc = issue_pair(db, a, user_id, t);
    }
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    zm_metrics_auth_bump(); /* older access tokens are refused from now on, in every worker */
    return rc;
}
