/*
 * points.h -- points, membership, packages and the recharge ledger (issue 15,
 * seed 003 充值升级, 会员等级/套餐/权益, 积分体系/用途/须知).
 *
 * Tables (migrations/0011_points.sql): points_account (one row a user: the
 * balances, updated with each movement), points_ledger and
 * points_recharge_ledger (append-only: triggers refuse UPDATE and DELETE),
 * points_package_period (one per package bought), points_lot (what is left of
 * points that expire with a package).
 *
 * Every movement is one ledger row with a unique idempotency key: posting the
 * same key again changes nothing and reports `duplicate` (a key reused for a
 * different user or amount is POINTS_ECONFLICT).  A movement locks the user's
 * points_account row first (SELECT ... FOR UPDATE), so one user's movements
 * run one at a time and every read after the lock is the newest.
 *
 * The posting functions join the caller's transaction when one is open (the
 * analysis result and its charge, an email verification and its referral
 * reward) and otherwise run their own, retried on a deadlock.  Inside a
 * caller's transaction a refusal (POINTS_ESHORT, ...) leaves the caller to
 * roll back.
 */
#ifndef ZM_POINTS_H
#define ZM_POINTS_H

#include <json-c/json.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "zm.h"

#define POINTS_ESHORT (ZM_ERANGE_POINTS - 0)    /* the balance is below the charge: 402, with the shortfall */
#define POINTS_ELEVEL (ZM_ERANGE_POINTS - 1)    /* the benefit needs a higher level: 403, with the level */
#define POINTS_ECONFLICT (ZM_ERANGE_POINTS - 2) /* an idempotency key reused for another movement: 409 */
#define POINTS_EPACKAGE (ZM_ERANGE_POINTS - 3)  /* no such package: 400 */

/* ---- levels and benefits (rules.c) ---- */

enum {
    POINTS_LEVEL_NORMAL = 0, /* 普通会员 */
    POINTS_LEVEL_BRONZE,     /* 青铜会员 */
    POINTS_LEVEL_SILVER,     /* 白银会员 */
    POINTS_LEVEL_GOLD,       /* 黄金会员 */
    POINTS_LEVEL_PLATINUM,   /* 铂金会员: reserved, nothing grants it yet */
    POINTS_LEVEL_DIAMOND,    /* 钻石会员: reserved */
    POINTS_NLEVELS
};

typedef enum {
    POINTS_BENEFIT_BASIC = 0,       /* 基础服务: diagnosis, interview prediction (everyone) */
    POINTS_BENEFIT_NEWS,            /* 职场动态 */
    POINTS_BENEFIT_REPORT_VIEW,     /* 查看报告 */
    POINTS_BENEFIT_REPORT_DOWNLOAD, /* 下载报告: 2 points for 青铜, free above (points_download_price) */
    POINTS_BENEFIT_MOCK_INTERVIEW,  /* 模拟面试 */
    POINTS_BENEFIT_MEETING,         /* 会议助手 */
    POINTS_BENEFIT_CALENDAR_MAIL,   /* 日历邮件提醒 */
    POINTS_BENEFIT_LOTTERY,         /* 抽奖活动, 新功能优先体验 */
    POINTS_NBENEFITS
} points_benefit_t;

/** "normal", "bronze", ... (the API's names). */
const char *points_level_name(int level);
/** 普通会员, 青铜会员, ... */
const char *points_level_label(int level);
/** The level for a name, -1 for none. */
int points_level_parse(const char *name);
/** "news", "report_view", ... and its Chinese label. */
const char *points_benefit_name(points_benefit_t b);
const char *points_benefit_label(points_benefit_t b);
/** The lowest level that has benefit b (the seed's table). */
int points_benefit_level(points_benefit_t b);

/** The level cumulative recharge fen reaches under thresholds[0..2] (fen for 青铜, 白银, 黄金). */
int points_level_for(int64_t fen, const int64_t thresholds[3]);
/** The same under the configured thresholds (points.level_*_fen). */
int points_recharge_level(int64_t fen);
/** The configured threshold (fen) of level 1..3; -1 for the others. */
int64_t points_level_threshold(int level);

/** Points for fen paid at per_yuan points a yuan (floored: 9.99 yuan at 2 a yuan is 19). */
int64_t points_for_fen(int64_t fen, int64_t per_yuan);

/** When a package of days bought at now starts: at now, or after the end of the periods already
 *  bought (the seed's "no stacking": they run one after the other). */
time_t points_package_start(time_t now, time_t current_end);

/** Report download price for a user at level (2 for 青铜 by default, 0 above; the benefit decides who may). */
int64_t points_download_price(int level);

/* ---- packages (rules.c; points.package_<code>_*) ---- */

typedef struct {
    const char *code;  /* week, month, quarter */
    const char *label; /* 周套餐 ... */
    int64_t price_fen;
    int64_t days;
    int level;      /* the level it grants for its period */
    int64_t points; /* points that come with it, expiring at its end */
} points_package_t;

/** The package named code, ZM_OK or POINTS_EPACKAGE. */
int points_package_find(const char *code, points_package_t *out);
/** All of them as JSON: [{code, label, price_fen, days, level, level_label, points}]. */
json_object *points_packages_json(void);

/** The configured minimum plain recharge, in fen (points.min_recharge_fen), for the payments module. */
int64_t points_min_recharge_fen(void);

/* ---- the FIFO (rules.c): which lots a debit takes from ---- */

typedef struct {
    int64_t id;
    int64_t remaining;
} points_lot_t;

/** Take amount from lots (already in expiry order) first, the rest from the points that never expire:
 *  take[i] is what comes out of lots[i]; returns what comes out of the non-expiring part. */
int64_t points_fifo_take(const points_lot_t *lots, size_t n, int64_t amount, int64_t *take);

/* ---- movements (ledger.c) ---- */

typedef struct {
    int64_t balance;   /* points after (or, for a duplicate, now) */
    int64_t ledger_id; /* the row written (or found) */
    int64_t shortfall; /* POINTS_ESHORT: how many more points the charge needs */
    int duplicate;     /* the key was already posted: nothing written */
} points_result_t;

typedef struct {
    int64_t user_id;
    const char *key;    /* idempotency key */
    const char *reason; /* recharge, package, referral, feedback, analysis, download, session, expire, adjust */
    int64_t delta;      /* != 0 */
    const char *ref_kind, *ref_id;
    const char *note;  /* NULL: "" */
    time_t expires_at; /* a credit that expires: a lot ending then; 0 never */
} points_move_t;

/** Post one movement (the general form of the functions below).  A debit takes expiring points first;
 *  beyond the balance it is POINTS_ESHORT with out->shortfall and nothing is written. */
int points_post(db_t *db, zm_arena_t *a, const points_move_t *m, points_result_t *out);

/** In the caller's transaction: the user's points_account row, created when missing, locked FOR UPDATE
 *  (what one user's movements queue on).  Payments holds it to count a user's pending orders race-free.
 *  ZM_EINVAL outside a transaction, ZM_ENOTFOUND for no such user. */
int points_account_lock(db_t *db, zm_arena_t *a, int64_t user_id);

/** Award points for kind (reason: "feedback" for an adopted suggestion, issue 17; "referral"; ...). */
int points_award(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, const char *key, int64_t amount,
                 const char *note, points_result_t *out);

/** Charge amount (> 0; 0 is a no-op that still checks nothing) for kind, referring to ref_kind/ref_id. */
int points_charge(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, const char *key, int64_t amount,
                  const char *ref_kind, const char *ref_id, points_result_t *out);

typedef struct {
    points_result_t points; /* the points credited (none for a free amount) */
    int64_t recharge_fen;   /* cumulative recharge after */
    int level;              /* effective level after */
    time_t package_ends;    /* the new package period's end (0: not a package) */
    int duplicate;          /* the order was already credited: nothing written */
} points_credit_t;

/**
 * Credit a paid order once: key order:<no>:credit in both ledgers.  amount_fen > 0 is what was
 * paid; package NULL for a plain recharge (points at points.per_yuan, never expiring), else its
 * code: a package period appended after the current one (its level for its length) and its points
 * expiring at the period's end.  The cumulative recharge grows by amount_fen either way.  The callback,
 * the order query and the inspector's repair all call this: any number of calls credit once.
 * POINTS_ECONFLICT when the order was credited with another amount or user; POINTS_EPACKAGE.
 */
int points_credit_recharge(db_t *db, zm_arena_t *a, int64_t user_id, const char *order_no, int64_t amount_fen,
                           const char *package, time_t now, points_credit_t *out);

/** An operator's compensating movement (zhimai-admin ledger-adjust): points (+/-) with reason text. */
int points_adjust(db_t *db, zm_arena_t *a, int64_t user_id, int64_t points, const char *key, const char *reason,
                  points_result_t *out);

/** Charge minutes 1..ceil(seconds/60) of a session not yet charged (key session:<id>:min:<n>) at the
 *  per-minute price of kind ("mock_interview" or "meeting"); *charged is what this call took. */
int points_consume_duration(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, const char *session_id,
                            int64_t seconds, int64_t *minutes, int64_t *charged, points_result_t *out);

/** Write off the remainders of lots past their expiry (all users when user_id is 0); *n the lots. */
int points_expire(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, int64_t *n);

/* ---- reads (account.c) ---- */

typedef struct {
    int64_t points;          /* spendable now (lots past expiry not counted) */
    int64_t recharge_fen;    /* cumulative */
    int recharge_level;      /* from recharge_fen under the configured thresholds */
    int package_level;       /* the level of the package period running now, 0 none */
    const char *package;     /* its code, NULL none */
    time_t package_ends;     /* the running period's end, 0 none */
    time_t package_until;    /* the end of every period bought, 0 none */
    int level;               /* effective: the higher of recharge_level and package_level */
    int64_t expiring_points; /* of points, how many expire (with a package) */
    time_t next_expiry;      /* when the first of them do, 0 none */
} points_status_t;

int points_status(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, points_status_t *out);

/** Set points_account.recharge_level to the level of its recharge_fen under the configured thresholds
 *  (the inspector's repair of a level that disagrees); *before and *after the levels.  ZM_ENOTFOUND. */
int points_level_recompute(db_t *db, zm_arena_t *a, int64_t user_id, int *before, int *after);

/** The effective level of user_id now. */
int points_level(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, int *level);

/** May user_id use benefit?  ZM_OK, or POINTS_ELEVEL with *needed_level set.  Every feature calls this. */
int points_require_benefit(db_t *db, zm_arena_t *a, int64_t user_id, points_benefit_t benefit, int *needed_level);

/** GET /payment/subscription/'s data: level, package and end, cumulative recharge, progress, benefits. */
int points_subscription(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, json_object **out);

/** One page of the points ledger, newest first: *items (an array) and *total (all rows). */
int points_history(db_t *db, zm_arena_t *a, int64_t user_id, int64_t page, int64_t size, json_object **items,
                   int64_t *total);

/** The configured price (points) of a consumption: "diagnosis", "interview", "report_download",
 *  "mock_interview" (a minute), "meeting" (a minute); -1 for an unknown kind. */
int64_t points_price(const char *kind);

/* ---- referral rewards (referral.c) ---- */

/** The invitee verified their email: inviter earns points.referral_reward once (key
 *  referral:<invitee>:verified), unless points.referral_daily_cap rewards were already paid today.
 *  *awarded the points given (0 when capped or already given).  Usually inside the verification's
 *  transaction. */
int points_referral_verified(db_t *db, zm_arena_t *a, int64_t inviter, int64_t invitee, int64_t *awarded);

#endif
