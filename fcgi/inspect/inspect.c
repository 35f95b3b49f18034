/*
 * inspect.c -- one reconciliation run: lock, read (orders + ledgers, the
 * bill streamed, WeChat queried), classify, repair the safe findings, store,
 * report, notify.  See inspect.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "inspect.h"
#include "log.h"
#include "messages.h"
#include "payments.h"
#include "points.h"
#include "queue.h"
#include "str.h"
#include "wechatpay.h"

static const struct {
    const char *name, *label, *action;
    int safe; /* --repair fixes it */
} kinds[INSPECT_NKINDS] = {
    [INSPECT_PAID_NOT_CREDITED] = {"paid_not_credited", "已支付未入账",
                                   "credit it once (zhimai-inspect --repair, the callback's own credit)", 1},
    [INSPECT_CREDITED_NOT_PAID] = {"credited_not_paid", "已入账未支付",
                                   "check at the merchant platform; reverse with zhimai-admin ledger-adjust --reason",
                                   0},
    [INSPECT_REFUNDED] = {"refunded", "已退款仍入账",
                          "reverse the points with zhimai-admin ledger-adjust --reason (a compensating row)", 0},
    [INSPECT_AMOUNT_MISMATCH] = {"amount_mismatch", "金额不一致",
                                 "compare order, bill and ledger; correct with zhimai-admin ledger-adjust --reason", 0},
    [INSPECT_DOUBLE_CREDIT] = {"double_credit", "重复入账",
                               "reverse the extra credit with zhimai-admin ledger-adjust --reason", 0},
    [INSPECT_PAID_AFTER_CLOSE] = {"paid_after_close", "关闭后支付",
                                  "refund at the merchant platform, or credit with zhimai-admin recharge-credit", 0},
    [INSPECT_UNKNOWN_BILL_ROW] = {"unknown_bill_row", "账单无对应订单",
                                  "find the payment at the merchant platform; refund it or attach it to a user", 0},
    [INSPECT_BALANCE_MISMATCH] = {"balance_mismatch", "余额与流水不符",
                                  "find the row that was not applied; correct with zhimai-admin ledger-adjust", 0},
    [INSPECT_LEVEL_MISMATCH] = {"level_mismatch", "会员等级与累计充值不符", "recompute (zhimai-inspect --repair)", 1},
    [INSPECT_STUCK_PENDING] = {"stuck_pending", "订单超时未关闭",
                               "close or complete it from WeChat's state (zhimai-inspect --repair)", 1},
};

const char *inspect_kind_name(inspect_kind_t k)
{
    return k < INSPECT_NKINDS ? kinds[k].name : "?";
}

const char *inspect_kind_label(inspect_kind_t k)
{
    return k < INSPECT_NKINDS ? kinds[k].label : "?";
}

/* ---- time ---- */

#define CN_OFFSET (8 * 3600)

int inspect_day_window(const char *date, time_t *start, time_t *end)
{
    struct tm tm;
    char *e;

    memset(&tm, 0, sizeof(tm));
    if (date == NULL || strlen(date) != 10 || (e = strptime(date, "%Y-%m-%d", &tm)) == NULL || *e != '\0' ||
        tm.tm_year < 100 || tm.tm_year > 200) {
        return ZM_EINVAL;
    }
    *start = timegm(&tm) - CN_OFFSET;
    *end = *start + 86400;
    return ZM_OK;
}

void inspect_cn_date(time_t t, char buf[11])
{
    struct tm tm;
    time_t cn = t + CN_OFFSET;

    gmtime_r(&cn, &tm);
    strftime(buf, 11, "%Y-%m-%d", &tm);
}

static char *iso(zm_arena_t *a, time_t t)
{
    char buf[32];
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return zm_pstrdup(a, buf);
}

/* ---- the orders of the run: an array and an open-addressing index by out_trade_no ---- */

enum { ST_PENDING, ST_PAID, ST_CLOSED, ST_FAILED };
enum { W_UNKNOWN = 0, W_SUCCESS, W_REFUND, W_NOTPAY, W_CLOSED, W_NOTEXIST, W_OTHER };
static const char *const wnames[] = {"", "SUCCESS", "REFUND", "NOTPAY", "CLOSED", "ORDER_NOT_EXIST", "OTHER"};

typedef struct {
    char no[33];
    char package[17];
    char transaction_id[65];
    char wname[24];
    int64_t user_id, amount_fen, credit_fen, wechat_fen;
    int credits, pcredits, status, w, in_bill, queried;
    time_t expires_at, paid_at;
} order_t;

typedef struct {
    order_t *v;
    size_t n, cap;
    uint32_t *slots; /* index + 1; 0 empty */
    size_t nslots;
} orders_t;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return h;
}

static void index_put(orders_t *os, size_t i)
{
    size_t m = os->nslots - 1, s = fnv(os->v[i].no) & m;

    while (os->slots[s]) {
        s = (s + 1) & m;
    }
    os->slots[s] = (uint32_t)(i + 1);
}

static order_t *orders_find(const orders_t *os, const char *no)
{
    size_t m, s;

    if (os->nslots == 0) {
        return NULL;
    }
    m = os->nslots - 1;
    for (s = fnv(no) & m; os->slots[s]; s = (s + 1) & m) {
        order_t *o = &os->v[os->slots[s] - 1];
        if (strcmp(o->no, no) == 0) {
            return o;
        }
    }
    return NULL;
}

static order_t *orders_add(orders_t *os)
{
    if (os->n == os->cap) {
        os->cap = os->cap ? 2 * os->cap : 1024;
        os->v = realloc(os->v, os->cap * sizeof(*os->v));
        if (os->v == NULL) {
            zm_oom();
        }
    }
    if (2 * (os->n + 1) > os->nslots) {
        free(os->slots);
        os->nslots = os->nslots ? 2 * os->nslots : 4096;
        os->slots = calloc(os->nslots, sizeof(*os->slots));
        if (os->slots == NULL) {
            zm_oom();
        }
        for (size_t i = 0; i < os->n; i++) {
            index_put(os, i);
        }
    }
    memset(&os->v[os->n], 0, sizeof(os->v[0]));
    return &os->v[os->n++];
}

static void orders_free(orders_t *os)
{
    free(os->v);
    free(os->slots);
    memset(os, 0, sizeof(*os));
}

/* ---- findings ---- */

typedef struct {
    inspect_kind_t kind;
    char no[33];
    int64_t user_id, order_fen, wechat_fen, ledger_fen; /* -1: none */
    json_object *detail;
    const char *state; /* open, repaired */
    int64_t id;
} finding_t;

typedef struct {
    db_t *db;
    zm_arena_t *a;
    zm_arena_t scratch; /* reset between pages and queries: memory flat in rows */
    const inspect_opts_t *o;
    inspect_result_t *out;
    wxp_client_t *client;
    orders_t orders;
    finding_t *f;
    size_t nf, fcap;
    time_t now;
    int have_bill;
    int rc;
    char why[512];
} run_t;

static finding_t *finding(run_t *r, inspect_kind_t kind, const char *no, int64_t user_id, int64_t order_fen,
                          int64_t wechat_fen, int64_t ledger_fen)
{
    finding_t *f;

    if (r->nf == r->fcap) {
        r->fcap = r->fcap ? 2 * r->fcap : 32;
        r->f = realloc(r->f, r->fcap * sizeof(*r->f));
        if (r->f == NULL) {
            zm_oom();
        }
    }
    f = &r->f[r->nf++];
    memset(f, 0, sizeof(*f));
    f->kind = kind;
    snprintf(f->no, sizeof(f->no), "%s", no ? no : "");
    f->user_id = user_id;
    f->order_fen = order_fen;
    f->wechat_fen = wechat_fen;
    f->ledger_fen = ledger_fen;
    f->state = "open";
    f->detail = json_object_new_object();
    json_object_object_add(f->detail, "action", json_object_new_string(kinds[kind].action));
    return f;
}

static void detail_str(finding_t *f, const char *k, const char *v)
{
    json_object_object_add(f->detail, k, json_object_new_string(v ? v : ""));
}

static void detail_int(finding_t *f, const char *k, int64_t v)
{
    json_object_object_add(f->detail, k, json_object_new_int64(v));
}

static int failf(run_t *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(run_t *r, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->why, sizeof(r->why), fmt, ap);
    va_end(ap);
    r->rc = rc;
    return rc;
}

/* ---- reading: the orders and their credits ---- */

static int status_of(const char *s)
{
    return strcmp(s, "paid") == 0     ? ST_PAID
           : strcmp(s, "closed") == 0 ? ST_CLOSED
           : strcmp(s, "failed") == 0 ? ST_FAILED
                                      : ST_PENDING;
}

/* the recharge credits of an order in one lookup: "<positive rows>:<sum of delta_fen>" (NULL: none) */
#define ORDER_SELECT                                                                                                   \
    "SELECT o.id, o.out_trade_no, o.user_id, o.amount_fen, o.status, COALESCE(o.package, ''), "                        \
    "UNIX_TIMESTAMP(o.expires_at), COALESCE(UNIX_TIMESTAMP(o.paid_at), 0), COALESCE(o.transaction_id, ''), "           \
    "(SELECT CONCAT(SUM(l.delta_fen > 0), ':', SUM(l.delta_fen)) FROM points_recharge_ledger l "                       \
    "WHERE l.ref_kind = 'order' AND l.ref_id = o.out_trade_no), "                                                      \
    "(SELECT COUNT(*) FROM points_ledger p WHERE p.ref_kind = 'order' AND p.ref_id = o.out_trade_no AND p.delta > 0) " \
    "FROM payments_order o "

/* the run's orders: created or paid in the window, and pending ones created up to the lookback before it */
#define ORDER_WINDOW                                                                                                   \
    "((o.created_at >= FROM_UNIXTIME(?) AND o.created_at < FROM_UNIXTIME(?)) OR "                                      \
    "(o.paid_at >= FROM_UNIXTIME(?) AND o.paid_at < FROM_UNIXTIME(?)) OR "                                             \
    "(o.status = 'pending' AND o.created_at >= FROM_UNIXTIME(?) AND o.created_at < FROM_UNIXTIME(?)))"

static void order_row(order_t *o, const db_res_t *res, size_t i)
{
    snprintf(o->no, sizeof(o->no), "%s", db_val(res, i, 1));
    o->user_id = db_int(res, i, 2);
    o->amount_fen = db_int(res, i, 3);
    o->status = status_of(db_val(res, i, 4));
    snprintf(o->package, sizeof(o->package), "%s", db_val(res, i, 5));
    o->expires_at = (time_t)db_int(res, i, 6);
    o->paid_at = (time_t)db_int(res, i, 7);
    snprintf(o->transaction_id, sizeof(o->transaction_id), "%s", db_val(res, i, 8));
    {
        const char *c = db_val(res, i, 9);
        long long n = 0, sum = 0;
        if (c && sscanf(c, "%lld:%lld", &n, &sum) == 2) {
            o->credits = (int)n;
            o->credit_fen = sum;
        }
    }
    o->pcredits = (int)db_int(res, i, 10);
    o->wechat_fen = -1;
}

static int load_orders(run_t *r)
{
    const inspect_opts_t *op = r->o;
    int64_t after = 0, ws = op->window_start, we = op->window_end;
    int64_t back = ws - 86400 * zm_conf_int("inspect.pending_lookback_days");
    db_res_t res;
    int rc;

    for (;;) {
        zm_arena_reset(&r->scratch);
        rc = db_query(r->db, &r->scratch, &res,
                      ORDER_SELECT "WHERE o.id > ? AND " ORDER_WINDOW " ORDER BY o.id LIMIT 5000", "iiiiiii", after, ws,
                      we, ws, we, back, we);
        if (rc != ZM_OK) {
            return failf(r, rc, "reading the orders failed: %s", db_error(r->db));
        }
        for (size_t i = 0; i < res.nrows; i++) {
            if (orders_find(&r->orders, db_val(&res, i, 1)) == NULL) {
                order_row(orders_add(&r->orders), &res, i);
                index_put(&r->orders, r->orders.n - 1);
            }
            after = db_int(&res, i, 0);
        }
        if (res.nrows < 5000) {
            return ZM_OK;
        }
    }
}

/* an order the bill names outside the run's set: read it alone; NULL when there is none */
static order_t *load_one(run_t *r, const char *no)
{
    db_res_t res;
    order_t *o;

    if (!zm_str_is_token(no, 1, 32)) {
        return NULL;
    }
    if (db_query(r->db, &r->scratch, &res, ORDER_SELECT "WHERE o.out_trade_no = ?", "s", no) != ZM_OK) {
        failf(r, ZM_EDBDOWN, "reading order %s failed: %s", no, db_error(r->db));
        return NULL;
    }
    if (res.nrows == 0) {
        return NULL;
    }
    o = orders_add(&r->orders);
    order_row(o, &res, 0);
    index_put(&r->orders, r->orders.n - 1);
    return o;
}

/* ---- reading: the bill, streamed ---- */

static int bill_row(void *ud, const wxp_bill_row_t *row)
{
    run_t *r = ud;
    order_t *o = orders_find(&r->orders, row->out_trade_no);
    int refund = strcmp(row->trade_state, "REFUND") == 0;
    finding_t *f;

    r->out->bill_rows++;
    if (o == NULL) {
        o = load_one(r, row->out_trade_no);
        if (r->rc != ZM_OK) {
            return r->rc;
        }
    }
    if (o == NULL) {
        f = finding(r, INSPECT_UNKNOWN_BILL_ROW, row->out_trade_no, -1, -1, refund ? row->refund_fen : row->order_fen,
                    -1);
        detail_str(f, "transaction_id", row->transaction_id);
        detail_str(f, "trade_time", row->trade_time);
        detail_str(f, "trade_state", row->trade_state);
        detail_str(f, "mchid", row->mchid);
        return ZM_OK;
    }
    o->in_bill = 1;
    if (refund) {
        o->w = W_REFUND;
    } else if (o->w != W_REFUND) {
        o->w = W_SUCCESS;
        o->wechat_fen = row->order_fen;
        if (!*o->transaction_id) {
            snprintf(o->transaction_id, sizeof(o->transaction_id), "%s", row->transaction_id);
        }
    }
    snprintf(o->wname, sizeof(o->wname), "%s", wnames[o->w]);
    return ZM_OK;
}

static int read_bill(run_t *r)
{
    wxp_api_error_t err;
    wxp_bill_summary_t sum = {0};
    uint64_t len = 0, cap = (uint64_t)zm_conf_int("inspect.max_bill_mb") << 20;
    FILE *f = tmpfile();
    char why[256] = "";
    int rc;

    if (f == NULL) {
        return failf(r, ZM_ERR, "cannot make a temporary file for the bill");
    }
    zm_arena_reset(&r->scratch);
    rc = wxp_trade_bill_download(r->client, &r->scratch, r->o->bill_date, f, cap, &len, &err);
    if (rc == WXP_EAPI && err.code && strcmp(err.code, "NO_STATEMENT_EXIST") == 0) {
        fclose(f);
        r->have_bill = 1; /* no trades that day: an empty bill */
        return ZM_OK;
    }
    if (rc != ZM_OK) {
        fclose(f);
        return failf(r, INSPECT_EUPSTREAM, "trade bill %s: %s (%s%s%s)", r->o->bill_date, wxp_strerror(rc),
                     err.code ? err.code : "", err.code && *err.code ? " " : "", err.message ? err.message : "");
    }
    rc = wxp_parse_bill_stream(f, bill_row, r, cap, &sum, why, sizeof(why));
    fclose(f);
    if (rc != ZM_OK) {
        if (r->rc != ZM_OK) {
            return r->rc;
        }
        return failf(r, INSPECT_EUPSTREAM, "trade bill %s (%llu bytes) refused: %s: %s", r->o->bill_date,
                     (unsigned long long)len, wxp_strerror(rc), why);
    }
    r->have_bill = 1;
    return ZM_OK;
}

/* ---- reading: WeChat's answer for the orders the bill does not settle ---- */

static int needs_query(const run_t *r, const order_t *o)
{
    if (o->status == ST_PENDING) {
        return 1;
    }
    if (!r->have_bill) {
        return 1; /* no bill for this window: every order touched in it is asked about */
    }
    return !o->in_bill && (o->status == ST_PAID || o->credits > 0);
}

static int query_orders(run_t *r)
{
    for (size_t i = 0; i < r->orders.n; i++) {
        order_t *o = &r->orders.v[i];
        wxp_transaction_t tx;
        wxp_api_error_t err;
        int rc;

        if (!needs_query(r, o)) {
            continue;
        }
        zm_arena_reset(&r->scratch);
        rc = wxp_query_order(r->client, &r->scratch, o->no, &tx, &err);
        r->out->queries++;
        o->queried = 1;
        if (rc == WXP_EAPI && err.code && strcmp(err.code, "ORDER_NOT_EXIST") == 0) {
            o->w = W_NOTEXIST;
        } else if (rc != ZM_OK) {
            return failf(r, INSPECT_EUPSTREAM, "querying order %s at WeChat failed: %s (%s%s%s)", o->no,
                         wxp_strerror(rc), err.code ? err.code : "", err.code && *err.code ? " " : "",
                         err.message ? err.message : "");
        } else if (strcmp(tx.trade_state, "SUCCESS") == 0) {
            o->w = W_SUCCESS;
            o->wechat_fen = tx.amount_total;
            if (!*o->transaction_id && tx.transaction_id) {
                snprintf(o->transaction_id, sizeof(o->transaction_id), "%s", tx.transaction_id);
            }
        } else if (strcmp(tx.trade_state, "REFUND") == 0) {
            o->w = W_REFUND;
            o->wechat_fen = tx.amount_total;
        } else if (strcmp(tx.trade_state, "NOTPAY") == 0 || strcmp(tx.trade_state, "USERPAYING") == 0) {
            o->w = W_NOTPAY;
        } else if (strcmp(tx.trade_state, "CLOSED") == 0 || strcmp(tx.trade_state, "REVOKED") == 0) {
            o->w = W_CLOSED;
        } else {
            o->w = W_OTHER;
        }
        snprintf(o->wname, sizeof(o->wname), "%s", o->w == W_OTHER ? tx.trade_state : wnames[o->w]);
    }
    return ZM_OK;
}

/* ---- classifying ---- */

static finding_t *order_finding(run_t *r, inspect_kind_t k, const order_t *o)
{
    finding_t *f = finding(r, k, o->no, o->user_id, o->amount_fen, o->wechat_fen, o->credits ? o->credit_fen : -1);
    static const char *const st[] = {"pending", "paid", "closed", "failed"};

    detail_str(f, "order_status", st[o->status]);
    detail_str(f, "wechat_state", *o->wname ? o->wname : "unknown");
    detail_str(f, "wechat_source", o->in_bill ? "bill" : o->queried ? "query" : "none");
    detail_int(f, "credits", o->credits);
    if (*o->transaction_id) {
        detail_str(f, "transaction_id", o->transaction_id);
    }
    if (*o->package) {
        detail_str(f, "package", o->package);
    }
    return f;
}

static void classify_order(run_t *r, const order_t *o)
{
    int paid_w = o->w == W_SUCCESS, unpaid_w = o->w == W_NOTPAY || o->w == W_CLOSED || o->w == W_NOTEXIST;
    int amount_bad = 0;

    if (o->credits > 1 || o->pcredits > 1) {
        finding_t *f = order_finding(r, INSPECT_DOUBLE_CREDIT, o);
        detail_int(f, "points_credits", o->pcredits);
    }
    if ((paid_w && o->wechat_fen >= 0 && o->wechat_fen != o->amount_fen) ||
        (o->credits == 1 && o->credit_fen != o->amount_fen)) {
        amount_bad = 1;
        order_finding(r, INSPECT_AMOUNT_MISMATCH, o);
    }
    if (paid_w && !amount_bad) {
        if (o->status == ST_PENDING || (o->status == ST_PAID && o->credits == 0)) {
            order_finding(r, INSPECT_PAID_NOT_CREDITED, o);
        } else if ((o->status == ST_CLOSED || o->status == ST_FAILED) && o->credits == 0) {
            order_finding(r, INSPECT_PAID_AFTER_CLOSE, o);
        }
    }
    if (o->w == W_REFUND && (o->credits > 0 || o->status == ST_PAID)) {
        order_finding(r, INSPECT_REFUNDED, o);
    }
    if (unpaid_w && (o->credits > 0 || o->status == ST_PAID)) {
        order_finding(r, INSPECT_CREDITED_NOT_PAID, o);
    } else if (o->status == ST_PENDING && o->credits == 0 &&
               ((unpaid_w && o->expires_at + zm_conf_int("inspect.stuck_grace_s") < r->now) || o->w == W_CLOSED)) {
        finding_t *f = order_finding(r, INSPECT_STUCK_PENDING, o);
        detail_int(f, "expired_s_ago", (int64_t)(r->now - o->expires_at));
    }
    if (!paid_w && !unpaid_w && o->w != W_REFUND && o->credits > 0 && o->status != ST_PAID) {
        order_finding(r, INSPECT_CREDITED_NOT_PAID, o);
    }
}

/* the users of the run's orders: balances against their ledgers, level against cumulative recharge (one
 * query: the IN (subquery) is evaluated once, where pages would evaluate it once a page) */
static int check_accounts(run_t *r)
{
    const inspect_opts_t *op = r->o;
    int64_t ws = op->window_start, we = op->window_end;
    int64_t back = ws - 86400 * zm_conf_int("inspect.pending_lookback_days");
    db_res_t res;
    int rc;

    zm_arena_reset(&r->scratch);
    rc = db_query(r->db, &r->scratch, &res,
                  "SELECT a.user_id, a.points, a.recharge_fen, a.recharge_level, "
                  "(SELECT COALESCE(SUM(l.delta), 0) FROM points_ledger l WHERE l.user_id = a.user_id), "
                  "(SELECT COALESCE(SUM(m.delta_fen), 0) FROM points_recharge_ledger m WHERE m.user_id = a.user_id) "
                  "FROM points_account a WHERE a.user_id IN "
                  "(SELECT o.user_id FROM payments_order o WHERE " ORDER_WINDOW ")",
                  "iiiiii", ws, we, ws, we, back, we);
    if (rc != ZM_OK) {
        return failf(r, rc, "reading the accounts failed: %s", db_error(r->db));
    }
    for (size_t i = 0; i < res.nrows; i++) {
        int64_t uid = db_int(&res, i, 0), pts = db_int(&res, i, 1), fen = db_int(&res, i, 2);
        int64_t lvl = db_int(&res, i, 3), sum_pts = db_int(&res, i, 4), sum_fen = db_int(&res, i, 5);
        int want = points_recharge_level(fen);
        finding_t *f;

        if (pts != sum_pts || fen != sum_fen) {
            f = finding(r, INSPECT_BALANCE_MISMATCH, NULL, uid, -1, -1, sum_fen);
            detail_int(f, "points", pts);
            detail_int(f, "points_ledger_sum", sum_pts);
            detail_int(f, "recharge_fen", fen);
            detail_int(f, "recharge_ledger_sum", sum_fen);
        }
        if (lvl != want) {
            f = finding(r, INSPECT_LEVEL_MISMATCH, NULL, uid, -1, -1, fen);
            detail_str(f, "level", points_level_name((int)lvl));
            detail_str(f, "expected_level", points_level_name(want));
            detail_int(f, "recharge_fen", fen);
        }
    }
    zm_arena_reset(&r->scratch);
    return ZM_OK;
}

/* ---- repair: only the safe kinds, only through the callback's own functions ---- */

static const order_t *order_of(run_t *r, const finding_t *f)
{
    return *f->no ? orders_find(&r->orders, f->no) : NULL;
}

static int repair_one(run_t *r, finding_t *f)
{
    const order_t *o = order_of(r, f);
    const char *result = NULL;
    int rc = ZM_OK;

    zm_arena_reset(&r->scratch);
    switch (f->kind) {
    case INSPECT_PAID_NOT_CREDITED:
        if (o == NULL) {
            return ZM_ENOTFOUND;
        }
        if (o->status == ST_PAID) {
            /* marked paid, never credited: the credit alone (its key makes it once) */
            points_credit_t c;
            rc = points_credit_recharge(r->db, &r->scratch, o->user_id, o->no, o->amount_fen,
                                        *o->package ? o->package : NULL, r->now, &c);
            result = rc == ZM_OK ? (c.duplicate ? "duplicate" : "credited") : NULL;
        } else {
            /* pending: WeChat asked again and the answer settled exactly as the callback settles it */
            rc = payments_reconcile(r->db, &r->scratch, o->no, r->now, &result);
            if (rc == ZM_OK && result && strcmp(result, "credited") != 0 && strcmp(result, "duplicate") != 0) {
                rc = ZM_EAGAIN;
            }
        }
        break;
    case INSPECT_STUCK_PENDING:
        if (o == NULL) {
            return ZM_ENOTFOUND;
        }
        rc = payments_reconcile(r->db, &r->scratch, o->no, r->now, &result);
        if (rc == ZM_OK && result && strcmp(result, "unpaid") == 0) {
            int64_t closed = 0, settled = 0;
            rc = payments_expire(r->db, &r->scratch, r->now, 1000, &closed, &settled);
            result = "closed";
        } else if (rc == WXP_EAPI) { /* never reached WeChat: closed here by the expiry path */
            int64_t closed = 0, settled = 0;
            rc = payments_expire(r->db, &r->scratch, r->now, 1000, &closed, &settled);
            result = "closed";
        }
        if (rc == ZM_OK) {
            db_res_t res;
            rc = db_query(r->db, &r->scratch, &res, "SELECT status FROM payments_order WHERE out_trade_no = ?", "s",
                          o->no);
            if (rc == ZM_OK && (res.nrows == 0 || strcmp(db_val(&res, 0, 0), "pending") == 0)) {
                rc = ZM_EAGAIN;
            }
        }
        break;
    case INSPECT_LEVEL_MISMATCH: {
        int before = 0, after = 0;
        rc = points_level_recompute(r->db, &r->scratch, f->user_id, &before, &after);
        result = "recomputed";
        break;
    }
    default:
        return ZM_EINVAL;
    }
    if (rc == ZM_OK) {
        f->state = "repaired";
        detail_str(f, "repair", result ? result : "done");
        r->out->repaired++;
    } else {
        detail_str(f, "repair_failed", zm_strerror(rc));
        zm_log_warn("inspect: repairing %s %s failed: %s", kinds[f->kind].name, f->no, zm_strerror(rc));
    }
    return rc;
}

static void repair(run_t *r)
{
    for (size_t i = 0; i < r->nf; i++) {
        if (kinds[r->f[i].kind].safe) {
            repair_one(r, &r->f[i]);
        }
    }
}

/* ---- storing ---- */

static const char *json_text(zm_arena_t *a, json_object *o)
{
    return zm_pstrdup(a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static json_object *counts_json(const inspect_result_t *out)
{
    json_object *c = json_object_new_object();

    for (int k = 0; k < INSPECT_NKINDS; k++) {
        if (out->counts[k]) {
            json_object_object_add(c, kinds[k].name, json_object_new_int64(out->counts[k]));
        }
    }
    return c;
}

static int store_findings(run_t *r)
{
    for (size_t i = 0; i < r->nf; i++) {
        finding_t *f = &r->f[i];
        int64_t n;

        zm_arena_reset(&r->scratch);
        n = db_exec(r->db,
                    "INSERT INTO inspect_finding (run_id, kind, out_trade_no, user_id, order_fen, wechat_fen, "
                    "ledger_fen, detail, state, created_at) VALUES (?, ?, NULLIF(?, ''), NULLIF(?, -1), NULLIF(?, -1), "
                    "NULLIF(?, -1), NULLIF(?, -1), ?, ?, FROM_UNIXTIME(?))",
                    "issiiiissi", r->out->run_id, kinds[f->kind].name, f->no, f->user_id, f->order_fen, f->wechat_fen,
                    f->ledger_fen, json_text(&r->scratch, f->detail), f->state, (int64_t)r->now);
        if (n < 0) {
            return failf(r, (int)n, "storing a finding failed: %s", db_error(r->db));
        }
        f->id = db_insert_id(r->db);
    }
    return ZM_OK;
}

/* ---- the report ---- */

static json_object *finding_json(const finding_t *f)
{
    json_object *j = json_object_new_object();

    json_object_object_add(j, "id", json_object_new_int64(f->id));
    json_object_object_add(j, "kind", json_object_new_string(kinds[f->kind].name));
    json_object_object_add(j, "label", json_object_new_string(kinds[f->kind].label));
    json_object_object_add(j, "out_trade_no", *f->no ? json_object_new_string(f->no) : NULL);
    json_object_object_add(j, "user_id", f->user_id >= 0 ? json_object_new_int64(f->user_id) : NULL);
    json_object_object_add(j, "order_fen", f->order_fen >= 0 ? json_object_new_int64(f->order_fen) : NULL);
    json_object_object_add(j, "wechat_fen", f->wechat_fen >= 0 ? json_object_new_int64(f->wechat_fen) : NULL);
    json_object_object_add(j, "ledger_fen", f->ledger_fen >= 0 ? json_object_new_int64(f->ledger_fen) : NULL);
    json_object_object_add(j, "state", json_object_new_string(f->state));
    json_object_object_add(j, "detail", json_object_get(f->detail));
    return j;
}

static void tprintf(zm_arena_t *a, zm_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void tprintf(zm_arena_t *a, zm_buf_t *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    zm_buf_puts(a, b, zm_pvsprintf(a, fmt, ap));
    va_end(ap);
}

static void build_report(run_t *r, const char *started)
{
    inspect_result_t *out = r->out;
    const inspect_opts_t *op = r->o;
    json_object *j = json_object_new_object(), *fs = json_object_new_array();
    zm_buf_t t = {0};

    json_object_object_add(j, "run_id", json_object_new_int64(out->run_id));
    json_object_object_add(j, "status", json_object_new_string(out->status));
    json_object_object_add(j, "started_at", json_object_new_string(started));
    json_object_object_add(j, "window_start", json_object_new_string(iso(r->a, op->window_start)));
    json_object_object_add(j, "window_end", json_object_new_string(iso(r->a, op->window_end)));
    json_object_object_add(j, "bill_date", op->bill_date ? json_object_new_string(op->bill_date) : NULL);
    json_object_object_add(j, "origin", json_object_new_string(op->origin));
    json_object_object_add(j, "repair", json_object_new_boolean(op->repair));
    json_object_object_add(j, "orders_checked", json_object_new_int64(out->orders));
    json_object_object_add(j, "bill_rows", json_object_new_int64(out->bill_rows));
    json_object_object_add(j, "queries", json_object_new_int64(out->queries));
    json_object_object_add(j, "findings_total", json_object_new_int64(out->findings));
    json_object_object_add(j, "repaired", json_object_new_int64(out->repaired));
    json_object_object_add(j, "counts", counts_json(out));
    json_object_object_add(j, "duration_ms", json_object_new_int64(out->duration_ms));
    {
        json_object *ph = json_object_new_object();
        static const char *const names[] = {"orders", "bill", "queries", "accounts"};
        for (int i = 0; i < 4; i++) {
            json_object_object_add(ph, names[i], json_object_new_int64(out->phase_ms[i]));
        }
        json_object_object_add(j, "phase_ms", ph); /* elapsed at the end of each phase */
        ph = json_object_new_object();
        for (int i = 0; i < 4; i++) {
            json_object_object_add(ph, names[i], json_object_new_int64(out->phase_rss_kb[i]));
        }
        json_object_object_add(j, "phase_max_rss_kb", ph); /* the process's peak so far */
    }
    json_object_object_add(j, "error", out->error ? json_object_new_string(out->error) : NULL);
    for (size_t i = 0; i < r->nf; i++) {
        json_object_array_add(fs, finding_json(&r->f[i]));
    }
    json_object_object_add(j, "findings", fs);
    out->report = j;

    tprintf(r->a, &t, "zhimai-inspect run %lld: %s\n", (long long)out->run_id, out->status);
    tprintf(r->a, &t, "window %s .. %s, bill %s, repair %s, origin %s\n", iso(r->a, op->window_start),
            iso(r->a, op->window_end), op->bill_date ? op->bill_date : "none", op->repair ? "yes" : "no", op->origin);
    tprintf(r->a, &t, "orders %lld, bill rows %lld, queries %lld, findings %lld, repaired %lld, %lld ms\n",
            (long long)out->orders, (long long)out->bill_rows, (long long)out->queries, (long long)out->findings,
            (long long)out->repaired, (long long)out->duration_ms);
    if (out->error) {
        tprintf(r->a, &t, "error: %s\n", out->error);
    }
    for (size_t i = 0; i < r->nf; i++) {
        const finding_t *f = &r->f[i];
        tprintf(r->a, &t, "- [%s] %s %s user %lld order %lld wechat %lld ledger %lld fen: %s\n", f->state,
                kinds[f->kind].name, *f->no ? f->no : "-", (long long)f->user_id, (long long)f->order_fen,
                (long long)f->wechat_fen, (long long)f->ledger_fen, json_text(r->a, f->detail));
    }
    out->text = t.data ? t.data : "";
}

static const char *write_file(run_t *r, const char *name, const char *data)
{
    const char *dir = r->o->report_dir;
    char *path = zm_psprintf(r->a, "%s/%s", dir, name), *tmp = zm_psprintf(r->a, "%s/.%s.tmp", dir, name);
    FILE *f;

    mkdir(dir, 0750);
    f = fopen(tmp, "w");
    if (f == NULL || fputs(data, f) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        zm_log_warn("inspect: cannot write %s", path);
        return NULL;
    }
    return path;
}

static void write_reports(run_t *r)
{
    if (r->o->report_dir == NULL || !*r->o->report_dir) {
        return;
    }
    r->out->files[0] = write_file(r, zm_psprintf(r->a, "inspect-%lld.txt", (long long)r->out->run_id), r->out->text);
    r->out->files[1] = write_file(
        r, zm_psprintf(r->a, "inspect-%lld.json", (long long)r->out->run_id),
        json_object_to_json_string_ext(r->out->report, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/*
 * The admins hear of a run with open findings: one message to the admin role in the message center
 * (msg_send: one row whatever the number of admins, live on their pages) and a mail each (the mail.send
 * task).  A report too long for a message body is left to the 巡检记录 page the message points to.
 */
static int notify_admins(run_t *r)
{
    const inspect_result_t *out = r->out;
    zm_arena_t *a = &r->scratch;
    int64_t open = out->findings - out->repaired;
    json_object *d;
    const char *title, *body;
    msg_t msg = {0};
    db_res_t res;
    int rc;

    if (open <= 0) {
        return ZM_OK;
    }
    zm_arena_reset(a);
    title = zm_psprintf(a, "充值巡检发现 %lld 项异常", (long long)open);
    body = zm_psprintf(a, "巡检 #%lld（%s）发现 %lld 项异常，已修复 %lld 项。请在「巡检记录」中查看并处理。\n\n%s",
                       (long long)out->run_id, r->o->bill_date ? r->o->bill_date : "", (long long)out->findings,
                       (long long)out->repaired, strlen(out->text) < MSG_BODY_MAX / 2 ? out->text : "");
    d = json_object_new_object();
    json_object_object_add(d, "run_id", json_object_new_int64(out->run_id));
    json_object_object_add(d, "counts", counts_json(out));
    msg.audience = MSG_TO_ROLE;
    msg.role = "admin";
    msg.kind = "inspection.finding";
    msg.title = title;
    msg.body = body;
    msg.data = d;
    rc = msg_send(r->db, a, &msg, NULL);
    json_object_put(d);
    if (rc != ZM_OK) {
        return rc;
    }
    rc = db_query(r->db, a, &res,
                  "SELECT u.email FROM auth_user u JOIN zm_user_profile p ON p.user_id = u.id "
                  "WHERE p.role = 'admin' AND u.is_active = 1",
                  "");
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t i = 0; i < res.nrows; i++) {
        json_object *m = json_object_new_object();
        task_new_t t = {0};

        if (db_val(&res, i, 0) && *db_val(&res, i, 0)) {
            json_object_object_add(m, "to", json_object_new_string(db_val(&res, i, 0)));
            json_object_object_add(m, "subject", json_object_new_string(zm_psprintf(a, "[职麦] %s", title)));
            json_object_object_add(m, "text", json_object_new_string(body));
            t.type = "mail.send";
            t.payload_json = json_text(a, m);
            t.priority = TASK_PRIO_LOW;
            task_enqueue(r->db, &t, NULL);
        }
        json_object_put(m);
    }
    task_wake();
    return ZM_OK;
}

/* ---- the run ---- */

/* this program's peak RSS (VmHWM: it starts afresh at exec, unlike getrusage's maximum, which keeps the
 * forking parent's) */
static int64_t max_rss_kb(void)
{
    char line[128];
    long long kb = 0;
    FILE *f = fopen("/proc/self/status", "r");

    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "VmHWM: %lld kB", &kb) == 1) {
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return kb;
}

static int take_lock(db_t **ldb, zm_arena_t *a)
{
    db_res_t res;
    int rc;

    *ldb = db_open_configured(0);
    if (*ldb == NULL) {
        return ZM_ENOMEM;
    }
    rc = db_query(*ldb, a, &res, "SELECT GET_LOCK(?, 0)", "s", INSPECT_LOCK);
    if (rc != ZM_OK) {
        return rc;
    }
    return res.nrows == 1 && db_val(&res, 0, 0) && strcmp(db_val(&res, 0, 0), "1") == 0 ? ZM_OK : INSPECT_EBUSY;
}

int inspect_run(db_t *db, zm_arena_t *a, const inspect_opts_t *o, inspect_result_t *out)
{
    run_t r;
    db_t *ldb = NULL;
    int64_t t0 = zm_mono_ms();
    char host[128] = "";
    const char *started;
    wxp_conf_t wc;
    char why[256] = "";
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&r, 0, sizeof(r));
    r.db = db;
    r.a = a;
    r.o = o;
    r.out = out;
    r.now = (time_t)zm_now_s();
    out->status = "failed";
    started = iso(a, r.now);
    rc = take_lock(&ldb, a);
    if (rc != ZM_OK) {
        db_close(ldb);
        out->error = rc == INSPECT_EBUSY ? "another zhimai-inspect run holds the lock (GET_LOCK('zhimai-inspect'))"
                                         : zm_psprintf(a, "cannot take the lock: %s", zm_strerror(rc));
        return rc;
    }
    zm_arena_init(&r.scratch, 64 * 1024, 0);
    gethostname(host, sizeof(host) - 1);
    if (db_exec(db,
                "INSERT INTO inspect_run (started_at, window_start, window_end, bill_date, origin, repair, status, "
                "counts, host, task_id) VALUES (FROM_UNIXTIME(?), FROM_UNIXTIME(?), FROM_UNIXTIME(?), ?, ?, ?, "
                "'running', '{}', ?, NULLIF(?, 0))",
                "iiissIsi", (int64_t)r.now, (int64_t)o->window_start, (int64_t)o->window_end, o->bill_date, o->origin,
                o->repair ? 1 : 0, host, o->task_id) < 0) {
        failf(&r, ZM_EDBDOWN, "cannot store the run: %s", db_error(db));
    } else {
        out->run_id = db_insert_id(db);
    }
    if (r.rc == ZM_OK) {
        wxp_conf_from_conf(&wc);
        if (!wxp_conf_configured(&wc)) {
            failf(&r, INSPECT_ECONF, "no WeChat Pay merchant configured (wechatpay.*)");
        } else if ((rc = wxp_client_new(&wc, &r.client, why, sizeof(why))) != ZM_OK) {
            failf(&r, INSPECT_ECONF, "the WeChat Pay client cannot start: %s (%s)", wxp_strerror(rc), why);
        }
    }
    /* reads first: nothing changes unless every read succeeded */
    if (r.rc == ZM_OK) {
        load_orders(&r);
    }
    out->phase_ms[0] = zm_mono_ms() - t0;
    out->phase_rss_kb[0] = max_rss_kb();
    if (r.rc == ZM_OK && o->bill_date) {
        read_bill(&r);
    }
    out->phase_ms[1] = zm_mono_ms() - t0;
    out->phase_rss_kb[1] = max_rss_kb();
    if (r.rc == ZM_OK) {
        query_orders(&r);
    }
    out->phase_ms[2] = zm_mono_ms() - t0;
    out->phase_rss_kb[2] = max_rss_kb();
    if (r.rc == ZM_OK) {
        for (size_t i = 0; i < r.orders.n; i++) {
            classify_order(&r, &r.orders.v[i]);
        }
        check_accounts(&r);
    }
    out->phase_ms[3] = zm_mono_ms() - t0;
    out->phase_rss_kb[3] = max_rss_kb();
    out->orders = (int64_t)r.orders.n;
    if (r.rc == ZM_OK && o->repair) {
        repair(&r);
    }
    if (r.rc != ZM_OK) {
        /* a failed run reports no findings: what it saw is incomplete */
        for (size_t i = 0; i < r.nf; i++) {
            json_object_put(r.f[i].detail);
        }
        r.nf = 0;
        out->repaired = 0;
    }
    out->findings = (int64_t)r.nf;
    for (size_t i = 0; i < r.nf; i++) {
        out->counts[r.f[i].kind]++;
    }
    if (r.rc == ZM_OK && out->run_id) {
        store_findings(&r);
    }
    out->status = r.rc != ZM_OK ? "failed" : r.nf ? "anomalies" : "clean";
    out->error = r.rc != ZM_OK ? zm_pstrdup(a, r.why) : NULL;
    out->duration_ms = zm_mono_ms() - t0;
    if (out->run_id) {
        json_object *c = counts_json(out);
        db_exec(
            db,
            "UPDATE inspect_run SET finished_at = UTC_TIMESTAMP(6), status = ?, orders_checked = ?, bill_rows = ?, "
            "queries = ?, findings = ?, repaired = ?, counts = ?, duration_ms = ?, error = LEFT(?, 500) WHERE id = ?",
            "siiiiisisi", out->status, out->orders, out->bill_rows, out->queries, out->findings, out->repaired,
            json_text(a, c), out->duration_ms, out->error ? out->error : "", out->run_id);
        json_object_put(c);
    }
    build_report(&r, started);
    write_reports(&r);
    if (r.rc == ZM_OK && o->notify) {
        notify_admins(&r);
    }
    if (r.rc != ZM_OK) {
        zm_log_error("inspect: run %lld failed: %s", (long long)out->run_id, r.why);
    } else {
        zm_log_info("inspect: run %lld %s: %lld orders, %lld bill rows, %lld findings, %lld repaired, %lld ms",
                    (long long)out->run_id, out->status, (long long)out->orders, (long long)out->bill_rows,
                    (long long)out->findings, (long long)out->repaired, (long long)out->duration_ms);
    }
    for (size_t i = 0; i < r.nf; i++) {
        json_object_put(r.f[i].detail);
    }
    free(r.f);
    orders_free(&r.orders);
    wxp_client_free(r.client);
    zm_arena_destroy(&r.scratch);
    {
        db_res_t res;
        zm_arena_t la;
        zm_arena_init(&la, 4096, 0);
        db_query(ldb, &la, &res, "SELECT RELEASE_LOCK(?)", "s", INSPECT_LOCK);
        zm_arena_destroy(&la);
    }
    db_close(ldb);
    return r.rc;
}

/* ---- the admin API's reads and writes ---- */

#define ISO(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s.%fZ')"
#define RUN_COLS                                                                                                       \
    "id, " ISO("started_at") ", " ISO("finished_at") ", " ISO("window_start") ", " ISO(                                \
        "window_end") ", bill_date, "                                                                                  \
                      "origin, repair, status, orders_checked, bill_rows, queries, findings, repaired, counts, "       \
                      "duration_ms, error, "                                                                           \
                      "host, task_id, (SELECT COUNT(*) FROM inspect_finding f WHERE f.run_id = inspect_run.id AND "    \
                      "f.state = 'open') "

static json_object *jstr(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *run_json(const db_res_t *res, size_t i)
{
    json_object *j = json_object_new_object(), *c = NULL;
    static const char *const names[] = {"id",          "started_at", "finished_at", "window_start", "window_end",
                                        "bill_date",   "origin",     "repair",      "status",       "orders_checked",
                                        "bill_rows",   "queries",    "findings",    "repaired",     "counts",
                                        "duration_ms", "error",      "host",        "task_id",      "open_findings"};

    for (unsigned k = 0; k < ZM_ARRAY_LEN(names); k++) {
        const char *v = db_val(res, i, k);
        if (k == 14) {
            c = v ? json_tokener_parse(v) : NULL;
            json_object_object_add(j, names[k], c ? c : json_object_new_object());
        } else if (k == 7) {
            json_object_object_add(j, names[k], json_object_new_boolean(v && strcmp(v, "1") == 0));
        } else if (k == 0 || (k >= 9 && k <= 13) || k == 15 || k == 18 || k == 19) {
            json_object_object_add(j, names[k], v ? json_object_new_int64(db_int(res, i, k)) : NULL);
        } else {
            json_object_object_add(j, names[k], jstr(v));
        }
    }
    return j;
}

int inspect_runs_list(db_t *db, zm_arena_t *a, int64_t page, int64_t size, json_object **items, int64_t *total)
{
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT COUNT(*) FROM inspect_run", "");

    if (rc != ZM_OK) {
        return rc;
    }
    *total = db_int(&res, 0, 0);
    rc = db_query(db, a, &res, "SELECT " RUN_COLS "FROM inspect_run ORDER BY id DESC LIMIT ? OFFSET ?", "ii", size,
                  (page - 1) * size);
    if (rc != ZM_OK) {
        return rc;
    }
    *items = json_object_new_array();
    for (size_t i = 0; i < res.nrows; i++) {
        json_object_array_add(*items, run_json(&res, i));
    }
    return ZM_OK;
}

#define FINDING_COLS                                                                                                   \
    "id, run_id, kind, out_trade_no, user_id, order_fen, wechat_fen, ledger_fen, detail, state, note, acked_by, "      \
    "" ISO("acked_at") ", " ISO("created_at") " "

static json_object *finding_row_json(const db_res_t *res, size_t i)
{
    json_object *j = json_object_new_object(), *d;
    const char *kind = db_val(res, i, 2);
    static const char *const names[] = {"id",        "run_id",     "kind",       "out_trade_no", "user_id",
                                        "order_fen", "wechat_fen", "ledger_fen", "detail",       "state",
                                        "note",      "acked_by",   "acked_at",   "created_at"};

    for (unsigned k = 0; k < ZM_ARRAY_LEN(names); k++) {
        const char *v = db_val(res, i, k);
        if (k == 8) {
            d = v ? json_tokener_parse(v) : NULL;
            json_object_object_add(j, names[k], d ? d : json_object_new_object());
        } else if (k <= 1 || (k >= 4 && k <= 7) || k == 11) {
            json_object_object_add(j, names[k], v ? json_object_new_int64(db_int(res, i, k)) : NULL);
        } else {
            json_object_object_add(j, names[k], jstr(v));
        }
    }
    for (int k = 0; k < INSPECT_NKINDS; k++) {
        if (kind && strcmp(kind, kinds[k].name) == 0) {
            json_object_object_add(j, "label", json_object_new_string(kinds[k].label));
            json_object_object_add(j, "repairable", json_object_new_boolean(kinds[k].safe));
        }
    }
    return j;
}

int inspect_run_get(db_t *db, zm_arena_t *a, int64_t id, json_object **out)
{
    json_object *fs;
    db_res_t res;
    int rc = db_query(db, a, &res, "SELECT " RUN_COLS "FROM inspect_run WHERE id = ?", "i", id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *out = run_json(&res, 0);
    rc = db_query(db, a, &res, "SELECT " FINDING_COLS "FROM inspect_finding WHERE run_id = ? ORDER BY id LIMIT 1000",
                  "i", id);
    if (rc != ZM_OK) {
        json_object_put(*out);
        return rc;
    }
    fs = json_object_new_array();
    for (size_t i = 0; i < res.nrows; i++) {
        json_object_array_add(fs, finding_row_json(&res, i));
    }
    json_object_object_add(*out, "findings", fs);
    return ZM_OK;
}

int inspect_finding_ack(db_t *db, zm_arena_t *a, int64_t id, int64_t admin_id, const char *note, json_object **out)
{
    db_res_t res;
    int64_t n = db_exec(db,
                        "UPDATE inspect_finding SET state = 'acknowledged', note = ?, acked_by = ?, "
                        "acked_at = UTC_TIMESTAMP(6) WHERE id = ?",
                        "sii", note ? note : "", admin_id, id);
    int rc;

    if (n < 0) {
        return (int)n;
    }
    rc = db_query(db, a, &res, "SELECT " FINDING_COLS "FROM inspect_finding WHERE id = ?", "i", id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *out = finding_row_json(&res, 0);
    return ZM_OK;
}

int inspect_enqueue(db_t *db, int64_t admin_id, int repair, int64_t *task_id)
{
    task_new_t t = {0};
    int rc;

    t.type = "inspect.run";
    t.payload_json = repair ? "{\"repair\":true}" : "{\"repair\":false}";
    t.priority = TASK_PRIO_NORMAL;
    t.max_attempts = 1;
    t.user_id = admin_id;
    rc = task_enqueue(db, &t, task_id);
    if (rc == ZM_OK) {
        task_wake();
    }
    return rc;
}
