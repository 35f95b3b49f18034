/*
 * orders.c -- the order rows: the per-process WeChat Pay client, create,
 * read, list, QR; the query path that settles a pending order.
 */
#include <sodium.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "payments.h"
#include "payments_int.h"
#include "points.h"
#include "wechatpay.h"

static wxp_client_t *client;
static int client_failed;

wxp_client_t *payments_client(void)
{
    wxp_conf_t c;
    char why[256] = "";
    int rc;

    if (client || client_failed) {
        return client;
    }
    wxp_conf_from_conf(&c);
    if (!wxp_conf_configured(&c)) {
        client_failed = 1;
        return NULL;
    }
    rc = wxp_client_new(&c, &client, why, sizeof(why));
    if (rc != ZM_OK) {
        zm_log_error("payments: the WeChat Pay client cannot start: %s (%s)", wxp_strerror(rc), why);
        client = NULL;
        client_failed = 1;
    }
    return client;
}

int payments_available(void)
{
    return payments_client() != NULL;
}

static json_object *iso(time_t t)
{
    char buf[32];
    struct tm tm;

    if (t <= 0) {
        return NULL;
    }
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_object_new_string(buf);
}

json_object *payments_order_json(zm_arena_t *a, const payments_order_t *o)
{
    json_object *j = json_object_new_object();

    json_object_object_add(j, "out_trade_no", json_object_new_string(o->out_trade_no));
    json_object_object_add(j, "kind", json_object_new_string(o->kind));
    json_object_object_add(j, "amount_fen", json_object_new_int64(o->amount_fen));
    json_object_object_add(j, "package", o->package ? json_object_new_string(o->package) : NULL);
    json_object_object_add(j, "status", json_object_new_string(o->status));
    json_object_object_add(j, "code_url", json_object_new_string(o->code_url ? o->code_url : ""));
    json_object_object_add(j, "qr_url",
                           json_object_new_string(zm_psprintf(a, "/api/v1/payment/orders/%s/qr.png", o->out_trade_no)));
    json_object_object_add(j, "expires_at", iso(o->expires_at));
    json_object_object_add(j, "created_at", iso(o->created_at));
    json_object_object_add(j, "paid_at", iso(o->paid_at));
    return j;
}

#define ORDER_COLS                                                                                                     \
    "out_trade_no, user_id, kind, package, amount_fen, status, code_url, transaction_id, "                             \
    "UNIX_TIMESTAMP(expires_at), COALESCE(UNIX_TIMESTAMP(paid_at), 0), UNIX_TIMESTAMP(created_at), "                   \
    "UNIX_TIMESTAMP(updated_at), COALESCE(UNIX_TIMESTAMP(last_queried), 0) "

static void order_from_row(zm_arena_t *a, const db_res_t *res, size_t i, payments_order_t *o)
{
    (void)a;
    o->out_trade_no = db_val(res, i, 0);
    o->user_id = db_int(res, i, 1);
    o->kind = db_val(res, i, 2);
    o->package = db_val(res, i, 3);
    o->amount_fen = db_int(res, i, 4);
    o->status = db_val(res, i, 5);
    o->code_url = db_val(res, i, 6);
    o->transaction_id = db_val(res, i, 7);
    o->expires_at = (time_t)db_int(res, i, 8);
    o->paid_at = (time_t)db_int(res, i, 9);
    o->created_at = (time_t)db_int(res, i, 10);
    o->updated_at = (time_t)db_int(res, i, 11);
    o->last_queried = (time_t)db_int(res, i, 12);
}

int payments_order_load(db_t *db, zm_arena_t *a, const char *no, int64_t user_id, int for_update, payments_order_t *out)
{
    db_res_t res;
    const char *sql = for_update ? "SELECT " ORDER_COLS "FROM payments_order WHERE out_trade_no = ? FOR UPDATE"
                                 : "SELECT " ORDER_COLS "FROM payments_order WHERE out_trade_no = ?";
    int rc = db_query(db, a, &res, sql, "s", no);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0 || (user_id > 0 && db_int(&res, 0, 1) != user_id)) {
        return ZM_ENOTFOUND;
    }
    order_from_row(a, &res, 0, out);
    return ZM_OK;
}

/* ZM + UTC yyyymmddHHMMSS + 14 random [0-9A-Z]: 30 characters, within WeChat's 6..32 [0-9A-Za-z_-|*] */
static char *new_trade_no(zm_arena_t *a, time_t now)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    char buf[40];
    struct tm tm;
    size_t n;

    gmtime_r(&now, &tm);
    n = strftime(buf, sizeof(buf), "ZM%Y%m%d%H%M%S", &tm);
    for (int i = 0; i < 14; i++) {
        buf[n++] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    }
    buf[n] = '\0';
    return zm_pstrdup(a, buf);
}

static char *rfc3339(zm_arena_t *a, time_t t)
{
    char buf[40];
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    return zm_pstrdup(a, buf);
}

/*
 * The order row, pending, unless the user has payments.max_pending_orders unpaid ones that have not
 * expired (PAYMENTS_ETOOMANY).  Race-free: the user's points_account row is locked first (FOR UPDATE),
 * so one user's creations run one at a time; the count is a consistent read at READ COMMITTED after
 * the lock, so it sees every order committed before, settled ones included; SQL_NO_CACHE because a
 * test once saw 429 just after a payment's notification had been answered, and MariaDB's query cache
 * is the one reader that could answer from before it.  (A locking count would take the order rows'
 * locks after the account's, the reverse of settling's order: a deadlock.)
 */
static int insert_pending(db_t *db, zm_arena_t *a, int64_t user_id, const char *no, const char *kind,
                          const char *package, int64_t amount_fen, time_t expires, time_t now)
{
    db_res_t res;
    int64_t n;
    int rc = points_account_lock(db, a, user_id);

    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_query(db, a, &res,
                  "SELECT SQL_NO_CACHE COUNT(*) FROM payments_order WHERE user_id = ? AND status = 'pending' "
                  "AND expires_at > FROM_UNIXTIME(?)",
                  "ii", user_id, (int64_t)now);
    if (rc != ZM_OK) {
        return rc;
    }
    if (db_int(&res, 0, 0) >= zm_conf_int("payments.max_pending_orders")) {
        return PAYMENTS_ETOOMANY;
    }
    n = db_exec(db,
                "INSERT INTO payments_order (out_trade_no, user_id, kind, package, amount_fen, status, expires_at, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', FROM_UNIXTIME(?), FROM_UNIXTIME(?), "
                "FROM_UNIXTIME(?))",
                "sissiiii", no, user_id, kind, package, amount_fen, (int64_t)expires, (int64_t)now, (int64_t)now);
    return n < 0 ? (int)n : ZM_OK;
}

int payments_order_create(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, int64_t amount_fen,
                          const char *package, time_t now, payments_order_t *out)
{
    wxp_client_t *c;
    wxp_api_error_t err;
    points_package_t pkg;
    char *no, *code_url = NULL, *desc;
    time_t expires;
    int64_t n;
    int rc;

    if (strcmp(kind, "package") == 0) {
        if (!package || points_package_find(package, &pkg) != ZM_OK) {
            return PAYMENTS_EPACKAGE;
        }
        amount_fen = pkg.price_fen;
        desc = zm_psprintf(a, "职麦%s", pkg.label);
    } else {
        package = NULL;
        if (amount_fen < points_min_recharge_fen() || amount_fen > zm_conf_int("points.max_recharge_fen")) {
            return PAYMENTS_EAMOUNT;
        }
        desc = zm_psprintf(a, "职麦充值 %lld.%02lld 元", (long long)(amount_fen / 100), (long long)(amount_fen % 100));
    }
    if ((c = payments_client()) == NULL) {
        return PAYMENTS_EUNAVAILABLE;
    }
    no = new_trade_no(a, now);
    expires = now + (time_t)zm_conf_int("payments.order_ttl_s");
    rc = ZM_EAGAIN;
    for (int attempt = 0; attempt < 5 && rc == ZM_EAGAIN; attempt++) {
        if ((rc = db_begin_read_committed(db)) != ZM_OK) {
            return rc;
        }
        rc = insert_pending(db, a, user_id, no, kind, package, amount_fen, expires, now);
        if (rc == ZM_OK) {
            rc = db_commit(db);
        }
        if (rc != ZM_OK) {
            db_rollback(db);
        }
    }
    if (rc != ZM_OK) {
        return rc;
    }
    memset(&err, 0, sizeof(err));
    rc = wxp_native_order(c, a, no, desc, amount_fen, rfc3339(a, expires), &code_url, &err);
    if (rc != ZM_OK || !code_url || strlen(code_url) > PAYMENTS_CODE_URL_MAX) {
        zm_log_warn("payments: native order %s failed: %s (status %ld, %s %s)", no, wxp_strerror(rc), err.status,
                    err.code ? err.code : "", err.message ? err.message : "");
        db_exec(db,
                "UPDATE payments_order SET status = 'failed', updated_at = FROM_UNIXTIME(?) "
                "WHERE out_trade_no = ? AND status = 'pending'",
                "is", (int64_t)now, no);
        return PAYMENTS_EUPSTREAM;
    }
    n = db_exec(db, "UPDATE payments_order SET code_url = ?, updated_at = FROM_UNIXTIME(?) WHERE out_trade_no = ?",
                "sis", code_url, (int64_t)now, no);
    if (n < 0) {
        return (int)n;
    }
    /* the row as written (no read back) */
    memset(out, 0, sizeof(*out));
    out->out_trade_no = no;
    out->user_id = user_id;
    out->kind = zm_pstrdup(a, kind);
    out->package = package ? zm_pstrdup(a, package) : NULL;
    out->amount_fen = amount_fen;
    out->status = "pending";
    out->code_url = code_url;
    out->expires_at = expires;
    out->created_at = out->updated_at = now;
    return ZM_OK;
}

/* Ask WeChat about a pending order and act on the answer (settle, or mark closed). */
int payments_order_sync(db_t *db, zm_arena_t *a, const payments_order_t *o, time_t now, const char *source,
                        const char **result)
{
    wxp_client_t *c = payments_client();
    wxp_transaction_t tx;
    wxp_api_error_t err;
    int rc;

    if (!c) {
        return PAYMENTS_EUNAVAILABLE;
    }
    db_exec(db, "UPDATE payments_order SET last_queried = FROM_UNIXTIME(?) WHERE out_trade_no = ?", "is", (int64_t)now,
            o->out_trade_no);
    memset(&err, 0, sizeof(err));
    rc = wxp_query_order(c, a, o->out_trade_no, &tx, &err);
    if (rc != ZM_OK) {
        zm_log_warn("payments: query %s failed: %s (%s)", o->out_trade_no, wxp_strerror(rc), err.code ? err.code : "");
        return rc;
    }
    if (result) {
        *result = "unpaid";
    }
    if (strcmp(tx.trade_state, "SUCCESS") == 0) {
        payments_settle_result_t sr;
        rc = payments_settle(db, a, &tx, now, source, NULL, NULL, &sr);
        if (result && rc == ZM_OK) {
            *result = sr.result ? sr.result : "ignored";
        }
        return rc;
    }
    if (strcmp(tx.trade_state, "CLOSED") == 0 || strcmp(tx.trade_state, "REVOKED") == 0) {
        /* closed at WeChat (by us, or the order's time_expire passed): closed here too */
        db_exec(db,
                "UPDATE payments_order SET status = 'closed', updated_at = FROM_UNIXTIME(?) "
                "WHERE out_trade_no = ? AND status = 'pending'",
                "is", (int64_t)now, o->out_trade_no);
        if (result) {
            *result = "closed";
        }
    }
    return ZM_OK;
}

int payments_reconcile(db_t *db, zm_arena_t *a, const char *no, time_t now, const char **result)
{
    payments_order_t o;
    int rc = payments_order_load(db, a, no, 0, 0, &o);

    if (rc != ZM_OK) {
        return rc;
    }
    return payments_order_sync(db, a, &o, now, "reconcile", result);
}

int payments_order_get(db_t *db, zm_arena_t *a, int64_t user_id, const char *no, time_t now, payments_order_t *out)
{
    int64_t after = zm_conf_int("payments.query_after_s");
    int rc = payments_order_load(db, a, no, user_id, 0, out);

    if (rc != ZM_OK) {
        return rc;
    }
    if (strcmp(out->status, "pending") == 0 && now - out->created_at >= after &&
        (out->last_queried == 0 || now - out->last_queried >= after) && payments_client()) {
        if (payments_order_sync(db, a, out, now, "query", NULL) == ZM_OK) {
            rc = payments_order_load(db, a, no, user_id, 0, out);
        }
    }
    return rc;
}

int payments_order_list(db_t *db, zm_arena_t *a, int64_t user_id, int64_t page, int64_t size, json_object **items,
                        int64_t *total)
{
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT COUNT(*) FROM payments_order WHERE user_id = ?", "i", user_id);

    if (rc != ZM_OK) {
        return rc;
    }
    *total = db_int(&res, 0, 0);
    rc = db_query(db, a, &res,
                  "SELECT " ORDER_COLS "FROM payments_order WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?", "iii",
                  user_id, size, (page - 1) * size);
    if (rc != ZM_OK) {
        return rc;
    }
    *items = json_object_new_array();
    for (size_t i = 0; i < res.nrows; i++) {
        payments_order_t o;
        order_from_row(a, &res, i, &o);
        json_object_array_add(*items, payments_order_json(a, &o));
    }
    return ZM_OK;
}

int payments_order_qr(db_t *db, zm_arena_t *a, int64_t user_id, const char *no, unsigned char **png, size_t *len)
{
    payments_order_t o;
    int rc = payments_order_load(db, a, no, user_id, 0, &o);

    if (rc != ZM_OK) {
        return rc;
    }
    if (!o.code_url || !*o.code_url) {
        return ZM_ENOTFOUND;
    }
    return payments_qr_png(a, o.code_url, png, len);
}

int payments_expire(db_t *db, zm_arena_t *a, time_t now, int limit, int64_t *closed, int64_t *settled)
{
    wxp_client_t *c = payments_client();
    db_res_t res;
    int rc;

    *closed = *settled = 0;
    rc =
        db_query(db, a, &res,
                 "SELECT " ORDER_COLS "FROM payments_order WHERE status = 'pending' AND expires_at <= FROM_UNIXTIME(?) "
                 "ORDER BY expires_at LIMIT ?",
                 "iI", (int64_t)now, limit);
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t i = 0; i < res.nrows; i++) {
        payments_order_t o;
        wxp_api_error_t err;
        int64_t n;

        order_from_row(a, &res, i, &o);
        if (c && *o.code_url) {
            const char *what = NULL;
            /* ask first: "already paid" is told by the order's state, not by the close's error code */
            if (payments_order_sync(db, a, &o, now, "expiry", &what) == ZM_OK && what && strcmp(what, "unpaid") != 0) {
                (*(strcmp(what, "closed") == 0 ? closed : settled))++;
                continue;
            }
            memset(&err, 0, sizeof(err));
            rc = wxp_close_order(c, a, o.out_trade_no, &err);
            if (rc != ZM_OK && !(rc == WXP_EAPI && err.code && strcmp(err.code, "ORDER_NOT_EXIST") == 0)) {
                /* paid in between (ORDER_PAID), or WeChat unreachable: ask again, else the next run retries */
                what = NULL;
                if (payments_order_sync(db, a, &o, now, "expiry", &what) == ZM_OK && what &&
                    strcmp(what, "unpaid") != 0) {
                    (*(strcmp(what, "closed") == 0 ? closed : settled))++;
                } else {
                    zm_log_warn("payments: close %s failed: %s", o.out_trade_no, wxp_strerror(rc));
                }
                continue;
            }
        }
        n = db_exec(db,
                    "UPDATE payments_order SET status = 'closed', updated_at = FROM_UNIXTIME(?) "
                    "WHERE out_trade_no = ? AND status = 'pending'",
                    "is", (int64_t)now, o.out_trade_no);
        if (n > 0) {
            (*closed)++;
        }
    }
    return ZM_OK;
}
