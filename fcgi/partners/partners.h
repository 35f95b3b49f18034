/*
 * partners.h -- practice partners (MockPal, seed 004): profiles, the five-tier
 * recommendations in two browsing rounds, likes and invitations, four actions
 * a day in America/New_York.
 *
 * Tables (migrations/0009_partners.sql): partners_profile, partners_match (one
 * row per unordered pair, unique on LEAST/GREATEST), partners_userdailyview
 * (one row per counted action, unique on (user, NY date, slot 1..4)).
 *
 * Every counted action runs in one transaction that first locks the profile
 * rows of both users (in id order, so two users acting on each other queue up
 * instead of deadlocking), then reads the pair, counts today's views with a
 * locking read, and writes the pair and the view with slot = count + 1.  The
 * unique slot key is the last word: a 5th view for a user and date cannot be
 * stored, whatever runs concurrently.
 */
#ifndef ZM_PARTNERS_H
#define ZM_PARTNERS_H

#include <json-c/json.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"

#define PARTNERS_ELIMIT (ZM_ERANGE_PARTNERS - 0)     /* today's 4 actions are used: 429 until New York midnight */
#define PARTNERS_ECONFLICT (ZM_ERANGE_PARTNERS - 1)  /* the pair is not in a state this action applies to: 409 */
#define PARTNERS_ENOPROFILE (ZM_ERANGE_PARTNERS - 2) /* the acting user has no profile yet: 400 */
#define PARTNERS_ESELF (ZM_ERANGE_PARTNERS - 3)      /* acting on oneself: 400 */

#define PARTNERS_DAILY_LIMIT 4
#define PARTNERS_LIMIT_MESSAGE "今日浏览次数已达上限，明天再来吧！"

/* practice kinds, as bits of a mask */
enum { PARTNERS_TECHNICAL = 1, PARTNERS_BEHAVIORAL = 2, PARTNERS_CASE = 4, PARTNERS_STATISTICS = 8 };

/* ---- the clock (clock.c) ---- */

/** The America/New_York UTC offset in seconds at t (-14400 in daylight time, -18000 otherwise; the US
 *  rule since 2007: from the second Sunday of March 02:00 to the first Sunday of November 02:00). */
int partners_ny_offset(time_t t);

/** The New York calendar date of t as YYYY-MM-DD. */
void partners_ny_date(time_t t, char out[11]);

/** The instant (UTC) of the next New York midnight after t: when the daily count starts again. */
time_t partners_ny_next_midnight(time_t t);

/** t as a DATETIME(6) literal in UTC ("2026-12-02 05:30:13.000000"). */
void partners_sql_time(time_t t, char out[27]);

/** t as the API shows times, in UTC ("2026-12-03T05:00:00Z"). */
void partners_iso_time(time_t t, char out[21]);

/* ---- profiles (profile.c) ---- */

typedef struct {
    const char *experience_level;          /* one of partners_experience_ok() */
    const char *job_type;                  /* one of partners_job_ok() */
    int practice;                          /* PARTNERS_* bits, non-zero */
    const char *email, *wechat, *linkedin; /* "" when not given; at least one non-empty */
    json_object *target_companies;         /* array of strings (NULL: []) */
    const char *industry, *school, *intro; /* "" when not given */
    int is_active;
} partners_profile_t;

int partners_experience_ok(const char *s);
int partners_job_ok(const char *s);
/** The bit of a practice name ("technical", ...), 0 for none. */
int partners_practice_bit(const char *s);
/** The Chinese label of one practice bit (技术面, 行为面, 案例分析, 统计题). */
const char *partners_practice_label(int bit);
/** Contact checks: NULL when s is acceptable, else the message for the field. */
const char *partners_email_error(const char *s);
const char *partners_wechat_error(const char *s);
const char *partners_linkedin_error(const char *s);

/** The caller's profile with contacts; ZM_ENOTFOUND before the first save. */
int partners_profile_get(db_t *db, zm_arena_t *a, int64_t user_id, json_object **out);

/** Create or replace the caller's profile (already validated); *out as partners_profile_get. */
int partners_profile_put(db_t *db, zm_arena_t *a, int64_t user_id, const partners_profile_t *p, time_t now,
                         json_object **out);

/* ---- actions (actions.c) ---- */

typedef enum {
    PARTNERS_LIKE,
    PARTNERS_DISLIKE,
    PARTNERS_CANCEL, /* the initiator withdraws a pending like: the row goes, no count */
    PARTNERS_ACCEPT, /* the receiver of a pending like */
    PARTNERS_REJECT,
} partners_action_t;

/**
 * user_id acts on other_id at now.  *out: {"status": pending|accepted|rejected|cancelled,
 * "today_count", "limit"}.  ZM_ENOTFOUND (no such user or profile, or no pending like addressed
 * to the caller for accept/reject, none sent by the caller for cancel), PARTNERS_ESELF,
 * PARTNERS_ENOPROFILE, PARTNERS_ECONFLICT (a second like, ...), PARTNERS_ELIMIT: nothing written.
 */
int partners_act(db_t *db, zm_arena_t *a, int64_t user_id, int64_t other_id, partners_action_t act, time_t now,
                 json_object **out);

/** Actions user_id took on the New York date of now. */
int partners_today_count(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, int64_t *count);

/* ---- recommendations (recommend.c) ---- */

/**
 * Today's cards, exactly the seed's algorithm: {"items": [{user_id, tier, reason, overlap, invited,
 * ...profile without contacts}], "round", "today_count", "limit", "limit_reached", "message"?}.
 * Within a tier: most recently active first (last_active_at descending), then user_id ascending.
 * PARTNERS_ENOPROFILE when the caller has none.
 */
int partners_recommend(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, json_object **out);

/* ---- matches (matches.c) ---- */

/** {"accepted": [profile with contacts + matched_at], "sent": [...], "received": [...]} (the pending
 *  ones without contacts). */
int partners_matches(db_t *db, zm_arena_t *a, int64_t user_id, json_object **out);

/** The public part of a profile row (no contacts): columns PARTNERS_PUBLIC_COLS from offset c. */
json_object *partners_public_json(zm_arena_t *a, const db_res_t *res, size_t r, unsigned c);

/* columns partners_public_json reads, prefix p. */
#define PARTNERS_PUBLIC_COLS                                                                                           \
    "p.user_id, p.experience_level, p.job_type, p.technical_interview + 2 * p.behavioral_interview + 4 * "             \
    "p.case_analysis + 8 * p.stats_questions, p.target_companies, p.industry, p.school, p.intro, p.is_active "
#define PARTNERS_NPUBLIC 9
/* the practice mask of p as an SQL expression */
#define PARTNERS_MASK_SQL                                                                                              \
    "(p.technical_interview + 2 * p.behavioral_interview + 4 * p.case_analysis + 8 * p.stats_questions)"

/** The practice names of a mask as a JSON array. */
json_object *partners_practice_json(int mask);

/** Contacts of a profile row as {email, wechat, linkedin} (empty ones null). */
json_object *partners_contacts_json(const char *email, const char *wechat, const char *linkedin);

#endif
