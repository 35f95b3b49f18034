/*
 * settle.c -- a paid transaction meets its order, once: the row locked,
 * checked, marked paid and credited in one transaction; anomalies recorded
 * for the inspector (issue 16); payment.paid published after the commit.
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "live.h"
#include "log.h"
#include "messages.h"
#include "payments.h"
#include "payments_int.h"
#include "points.h"
#include "stats.h"

static int anomaly(db_t *db, const char *kind, const char *no, int64_t user_id, json_object *details, time_t now)
{
    const char *d = json_object_to_json_string_ext(details, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    char key[200];
    int64_t n;

    snprintf(key, sizeof(key), "%s:%s", kind, no ? no : "-");
    n = db_exec(db,
                "INSERT IGNORE INTO payments_anomaly (kind, out_trade_no, user_id, details, state, dedupe_key, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, 'open', ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?))",
                "ssissii", kind, no, user_id > 0 ? user_id : (int64_t)0, d, key, (int64_t)now, (int64_t)now);
    zm_log_warn("payments: anomaly %s for order %s: %s", kind, no ? no : "-", d);
    json_object_put(details);
    return n < 0 ? (int)n : ZM_OK;
}

static json_object *tx_details(const wxp_transaction_t *tx, const char *source)
{
    json_object *j = json_object_new_object();

    json_object_object_add(j, "source", json_object_new_string(source));
    json_object_object_add(j, "transaction_id", json_object_new_string(tx->transaction_id ? tx->transaction_id : ""));
    json_object_object_add(j, "amount_total", json_object_new_int64(tx->amount_total));
    json_object_object_add(j, "payer_total", json_object_new_int64(tx->amount_payer_total));
    json_object_object_add(j, "mchid", json_object_new_string(tx->mchid ? tx->mchid : ""));
    json_object_object_add(j, "appid", json_object_new_string(tx->appid ? tx->appid : ""));
    json_object_object_add(j, "success_time", json_object_new_string(tx->success_time ? tx->success_time : ""));
    return j;
}

typedef struct {
    const wxp_transaction_t *tx;
    time_t now;
    const char *source;
    payments_settle_result_t *out;
    points_credit_t credit;
    payments_order_t order;
    int preread;    /* order holds the plain read made before the transaction */
    int64_t points; /* what the credit brought (order_points), for the receipt and the live hint */
} settle_t;

/* The pending -> paid move; it locks the row.  1 when this call made it, 0 when the order was no
 * longer pending. */
static int64_t mark_paid(db_t *db, const settle_t *s)
{
    return db_exec(db,
                   "UPDATE payments_order SET status = 'paid', transaction_id = ?, paid_at = FROM_UNIXTIME(?), "
                   "updated_at = FROM_UNIXTIME(?) WHERE out_trade_no = ? AND status = 'pending'",
                   "siis", s->tx->transaction_id, (int64_t)s->now, (int64_t)s->now, s->order.out_trade_no);
}

/* The points an order brings: its package's, or points.per_yuan for a recharge. */
static int64_t order_points(const payments_order_t *o)
{
    points_package_t pkg;

    if (o->package) {
        return points_package_find(o->package, &pkg) == ZM_OK ? pkg.points : 0;
    }
    return points_for_fen(o->amount_fen, zm_conf_int("points.per_yuan"));
}

/* The user's receipt in the message center, in the crediting transaction (one credit, one message). */
static int tell_paid(db_t *db, zm_arena_t *a, const settle_t *s)
{
    const payments_order_t *o = &s->order;
    json_object *d = json_object_new_object();
    msg_t m = {0};
    int rc;

    json_object_object_add(d, "out_trade_no", json_object_new_string(o->out_trade_no));
    json_object_object_add(d, "amount_fen", json_object_new_int64(o->amount_fen));
    json_object_object_add(d, "points", json_object_new_int64(s->points));
    m.audience = MSG_TO_USER;
    m.user_id = o->user_id;
    m.kind = "payment.succeeded";
    m.title =
        zm_psprintf(a, "支付成功：¥%lld.%02lld", (long long)(o->amount_fen / 100), (long long)(o->amount_fen % 100));
    m.body =
        zm_psprintf(a, "订单 %s 已支付，获得 %lld 积分，当前积分 %lld，会员等级：%s。", o->out_trade_no,
                    (long long)s->points, (long long)s->credit.points.balance, points_level_label(s->credit.level));
    m.data = d;
    rc = msg_send(db, a, &m, NULL);
    json_object_put(d);
    return rc;
}

static int credit(db_t *db, zm_arena_t *a, settle_t *s)
{
    const payments_order_t *o = &s->order;
    int rc = points_credit_recharge(db, a, o->user_id, o->out_trade_no, o->amount_fen, o->package, s->now, &s->credit);

    rc = rc == ZM_OK && !s->credit.duplicate ? stats_record(db, o->user_id, "payment", o->amount_fen) : rc;
    if (rc != ZM_OK) {
        return rc;
    }
    s->out->result = s->credit.duplicate ? "duplicate" : "credited";
    if (s->credit.duplicate) {
        return ZM_OK;
    }
    s->points = order_points(o);
    return tell_paid(db, a, s);
}

static int amount_ok(const wxp_transaction_t *tx, const payments_order_t *o)
{
    return tx->amount_total == o->amount_fen && tx->amount_payer_total <= tx->amount_total;
}

static int settle_once(db_t *db, zm_arena_t *a, settle_t *s)
{
    const wxp_transaction_t *tx = s->tx;
    payments_order_t *o = &s->order;
    json_object *d;
    int64_t n;
    int rc;

    if (s->preread && strcmp(o->status, "pending") == 0 && amount_ok(tx, o)) {
        /* the usual first notification: the move itself takes the row's lock (what the read saw of the
         * order's user, amount and package never changes); an order no longer pending takes the
         * locked path below, which reads it again */
        n = mark_paid(db, s);
        if (n < 0) {
            return (int)n;
        }
        if (n == 1) {
            s->out->user_id = o->user_id;
            return credit(db, a, s);
        }
    }
    rc = payments_order_load(db, a, tx->out_trade_no, 0, 1, o);
    if (rc == ZM_ENOTFOUND) {
        s->out->result = "anomaly";
        s->out->anomaly = "unknown_order";
        rc = anomaly(db, "unknown_order", tx->out_trade_no, 0, tx_details(tx, s->source), s->now);
        return rc == ZM_OK ? ZM_ENOTFOUND : rc;
    }
    if (rc != ZM_OK) {
        return rc;
    }
    s->out->user_id = o->user_id;
    if (strcmp(o->status, "paid") == 0) {
        if (o->transaction_id && tx->transaction_id && strcmp(o->transaction_id, tx->transaction_id) != 0) {
            s->out->result = "anomaly";
            s->out->anomaly = "second_payment";
            d = tx_details(tx, s->source);
            json_object_object_add(d, "credited_transaction_id", json_object_new_string(o->transaction_id));
            return anomaly(db, "second_payment", o->out_trade_no, o->user_id, d, s->now);
        }
        s->out->result = "duplicate";
        return ZM_OK;
    }
    if (!amount_ok(tx, o)) {
        s->out->result = "anomaly";
        s->out->anomaly = "amount_mismatch";
        d = tx_details(tx, s->source);
        json_object_object_add(d, "order_amount_fen", json_object_new_int64(o->amount_fen));
        return anomaly(db, "amount_mismatch", o->out_trade_no, o->user_id, d, s->now);
    }
    if (strcmp(o->status, "pending") != 0) {
        /* closed (expired) or failed here, paid at WeChat: the inspector decides (repair or refund) */
        s->out->result = "anomaly";
        s->out->anomaly = "paid_after_close";
        d = tx_details(tx, s->source);
        json_object_object_add(d, "order_status", json_object_new_string(o->status));
        json_object_object_add(d, "order_amount_fen", json_object_new_int64(o->amount_fen));
        return anomaly(db, "paid_after_close", o->out_trade_no, o->user_id, d, s->now);
    }
    n = mark_paid(db, s);
    if (n < 0) {
        return (int)n;
    }
    if (n != 1) {
        return ZM_EAGAIN;
    }
    return credit(db, a, s);
}

static void publish_paid(const settle_t *s)
{
    const payments_order_t *o = &s->order;
    json_object *m = json_object_new_object();

    json_object_object_add(m, "out_trade_no", json_object_new_string(o->out_trade_no));
    json_object_object_add(m, "amount_fen", json_object_new_int64(o->amount_fen));
    json_object_object_add(m, "points", json_object_new_int64(s->points));
    json_object_object_add(m, "balance", json_object_new_int64(s->credit.points.balance));
    json_object_object_add(m, "level", json_object_new_string(points_level_name(s->credit.level)));
    json_object_object_add(m, "level_label", json_object_new_string(points_level_label(s->credit.level)));
    live_user_publish(o->user_id, "payment.paid", m);
    json_object_put(m);
}

/* The order by a plain indexed read (no lock, no transaction).  An order this transaction already paid
 * is final (a paid order never changes again): 1, a duplicate answered without locks.  0: take the
 * transaction, with s->order as the read saw it (s->preread) when it was found. */
static int already_paid(db_t *db, zm_arena_t *a, settle_t *s)
{
    const wxp_transaction_t *tx = s->tx;
    payments_order_t *o = &s->order;

    if (payments_order_load(db, a, tx->out_trade_no, 0, 0, o) != ZM_OK) {
        return 0;
    }
    s->preread = 1;
    if (strcmp(o->status, "paid") != 0 || !o->transaction_id || !tx->transaction_id ||
        strcmp(o->transaction_id, tx->transaction_id) != 0) {
        return 0;
    }
    s->out->result = "duplicate";
    s->out->user_id = o->user_id;
    return 1;
}

int payments_settle(db_t *db, zm_arena_t *a, const wxp_transaction_t *tx, time_t now, const char *source,
                    payments_settle_hook_t hook, void *hook_arg, payments_settle_result_t *out)
{
    settle_t s;
    int rc = ZM_EAGAIN;

    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    s.tx = tx;
    s.now = now;
    s.source = source;
    s.out = out;
    if (db_in_transaction(db)) {
        return ZM_EINVAL;
    }
    if (already_paid(db, a, &s)) {
        return hook ? hook(db, out, hook_arg) : ZM_OK;
    }
    for (int attempt = 0; attempt < 5 && rc == ZM_EAGAIN; attempt++) {
        memset(out, 0, sizeof(*out));
        /* READ COMMITTED: the key reads under the account lock (points_credit_recharge) take no gap
         * lock, which two credits of neighbouring order numbers deadlocked on */
        if ((rc = db_begin_read_committed(db)) != ZM_OK) {
            return rc;
        }
        rc = settle_once(db, a, &s);
        if ((rc == ZM_OK || rc == ZM_ENOTFOUND) && hook) {
            int hrc = hook(db, out, hook_arg);
            rc = hrc == ZM_OK ? rc : hrc;
        }
        if (rc == ZM_OK || rc == ZM_ENOTFOUND) {
            int crc = db_commit(db);
            if (crc != ZM_OK) {
                db_rollback(db);
                rc = crc;
            }
        } else {
            db_rollback(db);
        }
    }
    if (rc == ZM_OK && out->result && strcmp(out->result, "credited") == 0) {
        zm_log_info("payments: order %s paid (%s), %lld fen credited", s.order.out_trade_no, source,
                    (long long)s.order.amount_fen);
        publish_paid(&s);
    }
    return rc;
}
