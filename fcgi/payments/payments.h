/*
 * payments.h -- WeChat Pay Native orders (issue 15 items 4-6): create an
 * order, show it (querying WeChat when a pending one is a few seconds old),
 * settle it from a notification or a query, close expired ones.
 *
 * Tables (migrations/0012_payments.sql): payments_order, payments_notification
 * (every notification received), payments_anomaly (for the inspector, issue
 * 16).  Money reaches the points ledgers only through points_credit_recharge
 * (key order:<no>:credit), called in the same transaction that moves the
 * order row (locked FOR UPDATE) from pending to paid: any number of
 * notifications and queries credit once.
 *
 * The WeChat Pay client (services/wechatpay.h) is one per process, made on
 * first use; with no merchant configured every function that needs it answers
 * PAYMENTS_EUNAVAILABLE and the rest of the system works.
 */
#ifndef ZM_PAYMENTS_H
#define ZM_PAYMENTS_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "zm.h"

#define PAYMENTS_EUNAVAILABLE (ZM_ERANGE_PAYMENTS - 0) /* no merchant configured: 503 payment_unavailable */
#define PAYMENTS_EUPSTREAM (ZM_ERANGE_PAYMENTS - 1)    /* WeChat refused or did not answer the order: 502 */
#define PAYMENTS_EAMOUNT (ZM_ERANGE_PAYMENTS - 2)      /* amount below the minimum or above the maximum: 400 */
#define PAYMENTS_EPACKAGE (ZM_ERANGE_PAYMENTS - 3)     /* no such package: 400 */
#define PAYMENTS_ENOTIFY (ZM_ERANGE_PAYMENTS - 4)      /* a notification refused: 400/401 FAIL */
#define PAYMENTS_ETOOMANY (ZM_ERANGE_PAYMENTS - 5)     /* payments.max_pending_orders unpaid ones: 429 */

#define PAYMENTS_CODE_URL_MAX 512 /* what the QR code may encode */

typedef struct {
    const char *out_trade_no;
    int64_t user_id;
    const char *kind;    /* recharge | package */
    const char *package; /* NULL for a recharge */
    int64_t amount_fen;
    const char *status; /* pending | paid | closed | failed */
    const char *code_url;
    const char *transaction_id;                                       /* NULL until paid */
    time_t expires_at, paid_at, created_at, updated_at, last_queried; /* 0: none */
} payments_order_t;

/** 1 when a merchant is configured and its client loads (made once per process). */
int payments_available(void);

/** The order as the API shows it: {out_trade_no, kind, amount_fen, package, status, code_url, qr_url,
 *  expires_at, created_at, paid_at}. */
json_object *payments_order_json(zm_arena_t *a, const payments_order_t *o);

/**
 * Create an order: kind "recharge" with amount_fen (points.min_recharge_fen..points.max_recharge_fen),
 * or "package" with its code (amount = its price).  Stores it pending, asks WeChat for the code_url.
 * PAYMENTS_EUNAVAILABLE, PAYMENTS_EAMOUNT, PAYMENTS_EPACKAGE, PAYMENTS_EUPSTREAM (the order is then failed),
 * PAYMENTS_ETOOMANY (the user has payments.max_pending_orders pending orders not yet expired).
 */
int payments_order_create(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, int64_t amount_fen,
                          const char *package, time_t now, payments_order_t *out);

/** user_id's order no (ZM_ENOTFOUND for another user's).  When pending and older than
 *  payments.query_after_s since creation or the last query, WeChat is asked and the answer settled. */
int payments_order_get(db_t *db, zm_arena_t *a, int64_t user_id, const char *no, time_t now, payments_order_t *out);

/** One page of user_id's orders, newest first: *items (array of payments_order_json) and *total. */
int payments_order_list(db_t *db, zm_arena_t *a, int64_t user_id, int64_t page, int64_t size, json_object **items,
                        int64_t *total);

/** The order's QR code as a PNG (in the arena).  ZM_ENOTFOUND for another user's or one without code_url. */
int payments_order_qr(db_t *db, zm_arena_t *a, int64_t user_id, const char *no, unsigned char **png, size_t *len);

/** A PNG of a QR code of text (at most PAYMENTS_CODE_URL_MAX bytes): ZM_ETOOBIG, ZM_EINVAL, ZM_ERR. */
int payments_qr_png(zm_arena_t *a, const char *text, unsigned char **png, size_t *len);

/** A notification as it arrived (the Wechatpay-* headers, the raw body). */
typedef struct {
    const char *timestamp, *nonce, *signature, *serial, *signature_type, *request_id;
    const char *client_ip;
} payments_notify_in_t;

/**
 * Handle one notification: verify, decrypt, check mchid/appid/order/amount, settle once; log a row in
 * payments_notification either way.  *status is the HTTP status to answer (200, or 400/401 with *message
 * for a refusal; 503 when the database is down so WeChat retries).
 */
int payments_notify(db_t *db, zm_arena_t *a, const payments_notify_in_t *in, const char *body, size_t len, time_t now,
                    int *status, const char **message);

/**
 * Ask WeChat about order no (any user's: for the inspector, issue 16) and act on the answer: a paid
 * order is settled exactly as the callback settles it (credited once; a closed one becomes an anomaly),
 * one closed at WeChat is closed here.  *result: credited, duplicate, anomaly, unpaid, closed.
 * ZM_ENOTFOUND, PAYMENTS_EUNAVAILABLE, or the client's code (WXP_EAPI: ORDER_NOT_EXIST, ...).
 */
int payments_reconcile(db_t *db, zm_arena_t *a, const char *no, time_t now, const char **result);

/** Close pending orders past expires_at (at most limit): /close at WeChat, or settle those it says are paid. */
int payments_expire(db_t *db, zm_arena_t *a, time_t now, int limit, int64_t *closed, int64_t *settled);

#endif
