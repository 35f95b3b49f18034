/*
 * notify.c -- POST /api/v1/payment/wechat/notify's rules: verify and decrypt
 * (services/wechatpay.h), check the merchant, settle, and log every
 * notification (payments_notification) whatever became of it.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "payments.h"
#include "payments_int.h"

static int64_t log_row(db_t *db, const payments_notify_in_t *in, const wxp_notification_t *n, int verified,
                       const char *result, int status, const char *error, size_t len, time_t now)
{
    const char *no = n && n->has_tx ? n->tx.out_trade_no : NULL;
    char err[256];

    snprintf(err, sizeof(err), "%s", error ? error : "");
    return db_exec(
        db,
        "INSERT INTO payments_notification (received_at, out_trade_no, notification_id, event_type, serial, "
        "verified, result, http_status, error, client_ip, body_len) "
        "VALUES (FROM_UNIXTIME(?), LEFT(?, 32), LEFT(?, 64), LEFT(?, 64), LEFT(?, 64), ?, ?, ?, ?, LEFT(?, 64), ?)",
        "issssIsIssi", (int64_t)now, no, n ? n->id : NULL, n ? n->event_type : NULL, in->serial, verified, result,
        status, err, in->client_ip ? in->client_ip : "", (int64_t)len);
}

typedef struct {
    const payments_notify_in_t *in;
    const wxp_notification_t *n;
    size_t len;
    time_t now;
} log_arg_t;

/* payments_settle's hook: the notification's row, in the settling transaction (one commit for both) */
static int log_settled(db_t *db, const payments_settle_result_t *r, void *arg)
{
    const log_arg_t *l = arg;
    int unknown = r->anomaly && strcmp(r->anomaly, "unknown_order") == 0;
    const char *result = unknown ? "anomaly" : r->result ? r->result : "ignored";
    const char *error = unknown ? "unknown out_trade_no" : r->anomaly;
    int64_t n = log_row(db, l->in, l->n, 1, result, unknown ? 400 : 200, error, l->len, l->now);

    return n < 0 ? (int)n : ZM_OK;
}

int payments_notify(db_t *db, zm_arena_t *a, const payments_notify_in_t *in, const char *body, size_t len, time_t now,
                    int *status, const char **message)
{
    wxp_client_t *c = payments_client();
    wxp_headers_t h;
    wxp_notification_t n;
    wxp_conf_t conf;
    payments_settle_result_t sr;
    log_arg_t la;
    char *why = NULL;
    int rc;

    *status = 200;
    *message = "成功";
    memset(&n, 0, sizeof(n));
    if (!c) {
        *status = 503;
        *message = "payments not configured";
        log_row(db, in, NULL, 0, "refused", *status, *message, len, now);
        return PAYMENTS_EUNAVAILABLE;
    }
    h.timestamp = in->timestamp;
    h.nonce = in->nonce;
    h.signature = in->signature;
    h.serial = in->serial;
    h.signature_type = in->signature_type;
    h.request_id = in->request_id;
    if (in->serial && *in->serial) {
        wxp_ensure_serial(c, a, in->serial); /* certificate mode: an unknown serial refreshes (rate-limited) */
    }
    rc = wxp_parse_notification(c, a, &h, body, len, now, &n, &why);
    if (rc != ZM_OK) {
        *status = (rc == WXP_EJSON || rc == WXP_EFIELD || rc == ZM_ETOOBIG || rc == WXP_ETRUNCATED || rc == WXP_ETAG ||
                   rc == WXP_EALGORITHM)
                      ? 400
                      : 401;
        *message = zm_psprintf(a, "%s", wxp_strerror(rc));
        zm_log_warn("payments: notification from %s refused: %s (%s)", in->client_ip ? in->client_ip : "-",
                    wxp_strerror(rc), why ? why : "");
        log_row(db, in, NULL, rc == WXP_ETAG || rc == WXP_EJSON || rc == WXP_EFIELD ? 1 : 0, "refused", *status,
                zm_psprintf(a, "%s: %s", wxp_strerror(rc), why ? why : ""), len, now);
        return PAYMENTS_ENOTIFY;
    }
    if (!n.has_tx || !n.event_type || strcmp(n.event_type, "TRANSACTION.SUCCESS") != 0 ||
        strcmp(n.tx.trade_state, "SUCCESS") != 0) {
        log_row(db, in, &n, 1, "ignored", 200, n.event_type, len, now);
        return ZM_OK;
    }
    wxp_conf_from_conf(&conf);
    if (strcmp(n.tx.mchid, conf.mchid) != 0 || (conf.appid && *conf.appid && strcmp(n.tx.appid, conf.appid) != 0)) {
        *status = 400;
        *message = "mchid or appid mismatch";
        zm_log_warn("payments: notification for %s names mchid %s appid %s: refused", n.tx.out_trade_no, n.tx.mchid,
                    n.tx.appid);
        log_row(db, in, &n, 1, "refused", *status, *message, len, now);
        return PAYMENTS_ENOTIFY;
    }
    la.in = in;
    la.n = &n;
    la.len = len;
    la.now = now;
    rc = payments_settle(db, a, &n.tx, now, "notify", log_settled, &la, &sr);
    if (rc == ZM_ENOTFOUND) {
        *status = 400;
        *message = "unknown out_trade_no";
        return PAYMENTS_ENOTIFY;
    }
    if (rc != ZM_OK) {
        /* the database or the ledger failed: WeChat retries later */
        *status = 500;
        *message = "temporarily unavailable";
        zm_log_error("payments: settling %s failed: %s", n.tx.out_trade_no, zm_strerror(rc));
        log_row(db, in, &n, 1, "error", *status, zm_strerror(rc), len, now);
        return rc;
    }
    return ZM_OK;
}
