/*
 * payments_int.h -- between the payments files (not for other domains).
 */
#ifndef ZM_PAYMENTS_INT_H
#define ZM_PAYMENTS_INT_H

#include "payments.h"
#include "wechatpay.h"

/** The process's WeChat Pay client, made on first use; NULL when not configured or unusable. */
wxp_client_t *payments_client(void);

/** Read order no (user_id > 0: only that user's, else ZM_ENOTFOUND); FOR UPDATE when asked. */
int payments_order_load(db_t *db, zm_arena_t *a, const char *no, int64_t user_id, int for_update,
                        payments_order_t *out);

/** Query WeChat about o and settle a SUCCESS answer, close a CLOSED one (source: "query", "expiry",
 *  "reconcile"); *result (may be NULL) as payments_reconcile's. */
int payments_order_sync(db_t *db, zm_arena_t *a, const payments_order_t *o, time_t now, const char *source,
                        const char **result);

typedef struct {
    const char *result; /* credited, duplicate, anomaly, ignored */
    const char *anomaly;
    int64_t user_id;
} payments_settle_result_t;

/** Called by payments_settle with its result, in the settling transaction when there is one (so a
 *  notification's log row commits with the credit), else on its own; a failure rolls the settling back. */
typedef int (*payments_settle_hook_t)(db_t *db, const payments_settle_result_t *r, void *arg);

/**
 * A verified SUCCESS transaction (from a notification or a query).  First a plain indexed read: an
 * order already paid by this transaction is a duplicate, answered without a lock or a transaction.
 * Otherwise, in one transaction: lock the order (FOR UPDATE), check it again against the
 * transaction, mark it paid and credit it (points_credit_recharge); a duplicate changes nothing; a
 * mismatch or a paid-after-close records an anomaly.  hook (may be NULL) runs with the result before
 * the commit.  After the commit the user's live channel hears payment.paid.  ZM_ENOTFOUND for an
 * unknown order (an anomaly recorded).
 */
int payments_settle(db_t *db, zm_arena_t *a, const wxp_transaction_t *tx, time_t now, const char *source,
                    payments_settle_hook_t hook, void *hook_arg, payments_settle_result_t *out);

#endif
