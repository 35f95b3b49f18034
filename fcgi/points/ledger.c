/*
 * ledger.c -- every movement of points and money: one ledger row with a
 * unique key, the balance row updated in the same transaction.
 *
 * The order inside a movement's transaction is always: the user's
 * points_account row (SELECT ... FOR UPDATE: one user's movements queue
 * here), the key (a locking read, so the newest rows, not a snapshot), the
 * lots that expired (written off first, so a charge never counts on them),
 * the lots a debit takes from (FIFO by expiry), the row, the lot a credit
 * makes, the balance.  All reads after the lock are locking reads.
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "conf.h"
#include "log.h"
#include "points.h"

typedef int (*tx_fn)(db_t *db, zm_arena_t *a, void *arg);

/* The user's account row exists (created empty the first time).  ZM_ENOTFOUND: no such user. */
static int ensure_account(db_t *db, int64_t user_id)
{
    int64_t n;

    if (db_in_transaction(db)) {
        /* Inside a transaction the row is locked next (FOR UPDATE).  INSERT IGNORE would leave a shared
         * lock on an existing row, and two transactions of one user upgrading theirs deadlock; the no-op
         * update takes the exclusive lock at once (and a user that does not exist is ZM_ENOTFOUND). */
        n = db_exec(db,
                    "INSERT INTO points_account (user_id, points, recharge_fen, recharge_level, entries, created_at, "
                    "updated_at) VALUES (?, 0, 0, 0, 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)) "
                    "ON DUPLICATE KEY UPDATE user_id = user_id",
                    "i", user_id);
        return n < 0 ? (int)n : ZM_OK;
    }
    /* IGNORE: a concurrent insert of the same row, and (as a warning) a user that does not exist */
    n = db_exec(db,
                "INSERT IGNORE INTO points_account (user_id, points, recharge_fen, recharge_level, entries, "
                "created_at, updated_at) VALUES (?, 0, 0, 0, 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                "i", user_id);
    return n < 0 ? (int)n : ZM_OK;
}

/* Run fn in the caller's transaction, or in one of its own retried on a deadlock. */
static int in_tx(db_t *db, zm_arena_t *a, int64_t user_id, tx_fn fn, void *arg)
{
    int rc = ZM_EAGAIN;

    if (user_id <= 0) {
        return ZM_ENOTFOUND;
    }
    if (db_in_transaction(db)) {
        rc = ensure_account(db, user_id);
        return rc == ZM_OK ? fn(db, a, arg) : rc;
    }
    if ((rc = ensure_account(db, user_id)) != ZM_OK) {
        return rc;
    }
    rc = ZM_EAGAIN;
    for (int attempt = 0; attempt < 5 && rc == ZM_EAGAIN; attempt++) {
        /* READ COMMITTED: the account row's lock serializes the user's movements, and a key read of a
         * movement not made yet then locks no gap another user's new key may fall into */
        if ((rc = db_begin_read_committed(db)) != ZM_OK) {
            return rc;
        }
        rc = fn(db, a, arg);
        if (rc == ZM_OK) {
            rc = db_commit(db);
        }
        if (rc != ZM_OK) {
            db_rollback(db);
        }
    }
    return rc;
}

typedef struct {
    int64_t points, recharge_fen, until, entries;
} account_t;

static int lock_account(db_t *db, zm_arena_t *a, int64_t user_id, account_t *acc)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT points, recharge_fen, COALESCE(UNIX_TIMESTAMP(package_until), 0), entries "
                      "FROM points_account WHERE user_id = ? FOR UPDATE",
                      "i", user_id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    acc->points = db_int(&res, 0, 0);
    acc->recharge_fen = db_int(&res, 0, 1);
    acc->until = db_int(&res, 0, 2);
    acc->entries = db_int(&res, 0, 3);
    return ZM_OK;
}

int points_account_lock(db_t *db, zm_arena_t *a, int64_t user_id)
{
    account_t acc;
    int rc;

    if (!db_in_transaction(db)) {
        return ZM_EINVAL;
    }
    if (user_id <= 0) {
        return ZM_ENOTFOUND;
    }
    rc = ensure_account(db, user_id);
    return rc == ZM_OK ? lock_account(db, a, user_id, &acc) : rc;
}

/* post_locked's flags */
#define POST_KEY_NEW 1    /* the caller proved the key unused under the account lock: no lookup */
#define POST_NO_BALANCE 2 /* the caller writes acc's points and entries to the account row itself */

/* Append one points row and move the balance; acc is the locked account, updated (the row too,
 * unless flags has POST_NO_BALANCE). */
static int append(db_t *db, const points_move_t *m, account_t *acc, int64_t *ledger_id, int flags)
{
    int64_t n, after = acc->points + m->delta;

    n = db_exec(db,
                "INSERT INTO points_ledger (user_id, idem_key, reason, delta, balance_after, ref_kind, ref_id, note, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, LEFT(?, 500), UTC_TIMESTAMP(6))",
                "issiisss", m->user_id, m->key, m->reason, m->delta, after, m->ref_kind ? m->ref_kind : "",
                m->ref_id ? m->ref_id : "", m->note ? m->note : "");
    if (n == ZM_EDUP) {
        return POINTS_ECONFLICT; /* the key exists for another user (ours was checked under the lock) */
    }
    if (n < 0) {
        return (int)n;
    }
    *ledger_id = db_insert_id(db);
    if (flags & POST_NO_BALANCE) {
        acc->points = after;
        acc->entries++;
        return ZM_OK;
    }
    n = db_exec(db,
                "UPDATE points_account SET points = ?, entries = entries + 1, updated_at = UTC_TIMESTAMP(6) "
                "WHERE user_id = ?",
                "ii", after, m->user_id);
    if (n < 0) {
        return (int)n;
    }
    acc->points = after;
    acc->entries++;
    return ZM_OK;
}

/* Write off what is left of the user's lots past their expiry (the account is locked). */
static int expire_locked(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, account_t *acc, int64_t *count)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT id, remaining FROM points_lot WHERE user_id = ? AND expires_at <= FROM_UNIXTIME(?) "
                      "AND remaining > 0 ORDER BY expires_at, id FOR UPDATE",
                      "ii", user_id, (int64_t)now);

    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t r = 0; r < res.nrows; r++) {
        int64_t lot = db_int(&res, r, 0), left = db_int(&res, r, 1), id, n;
        char lot_s[24];
        points_move_t m = {0};

        snprintf(lot_s, sizeof(lot_s), "%lld", (long long)lot);
        m.user_id = user_id;
        m.key = zm_psprintf(a, "lot:%lld:expire", (long long)lot);
        m.reason = "expire";
        m.delta = -(left < acc->points ? left : acc->points); /* never below zero, whatever happened before */
        m.ref_kind = "lot";
        m.ref_id = lot_s;
        m.note = "套餐积分到期作废";
        if (m.delta != 0 && (rc = append(db, &m, acc, &id, 0)) != ZM_OK) {
            return rc;
        }
        n = db_exec(db, "UPDATE points_lot SET remaining = 0 WHERE id = ?", "i", lot);
        if (n < 0) {
            return (int)n;
        }
        if (count) {
            (*count)++;
        }
    }
    return ZM_OK;
}

/* A debit's share of the expiring lots, soonest first. */
static int take_lots(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, int64_t amount)
{
    db_res_t res;
    points_lot_t *lots;
    int64_t *take;
    int rc = db_query(db, a, &res,
                      "SELECT id, remaining FROM points_lot WHERE user_id = ? AND expires_at > FROM_UNIXTIME(?) "
                      "AND remaining > 0 ORDER BY expires_at, id FOR UPDATE",
                      "ii", user_id, (int64_t)now);

    if (rc != ZM_OK || res.nrows == 0) {
        return rc;
    }
    lots = zm_palloc(a, res.nrows * sizeof(*lots));
    take = zm_palloc(a, res.nrows * sizeof(*take));
    if (lots == NULL || take == NULL) {
        return ZM_ENOMEM;
    }
    for (size_t r = 0; r < res.nrows; r++) {
        lots[r].id = db_int(&res, r, 0);
        lots[r].remaining = db_int(&res, r, 1);
    }
    points_fifo_take(lots, res.nrows, amount, take);
    for (size_t r = 0; r < res.nrows && take[r] > 0; r++) {
        int64_t n =
            db_exec(db, "UPDATE points_lot SET remaining = remaining - ? WHERE id = ?", "ii", take[r], lots[r].id);
        if (n < 0) {
            return (int)n;
        }
    }
    return ZM_OK;
}

/* The movement, with the account locked by the caller of this function (flags: POST_*). */
static int post_locked(db_t *db, zm_arena_t *a, const points_move_t *m, account_t *acc, int flags, points_result_t *out)
{
    time_t now = (time_t)zm_now_s();
    db_res_t res;
    int rc;

    memset(out, 0, sizeof(*out));
    if (m->delta == 0 || m->key == NULL || m->key[0] == '\0') {
        return ZM_EINVAL;
    }
    res.nrows = 0;
    if (!(flags & POST_KEY_NEW) &&
        (rc = db_query(db, a, &res, "SELECT id, user_id, delta FROM points_ledger WHERE idem_key = ? FOR UPDATE", "s",
                       m->key)) != ZM_OK) {
        return rc;
    }
    if (res.nrows > 0) {
        if (db_int(&res, 0, 1) != m->user_id || db_int(&res, 0, 2) != m->delta) {
            zm_log_warn("points: key %s reused for another movement (user %lld, delta %lld)", m->key,
                        (long long)m->user_id, (long long)m->delta);
            return POINTS_ECONFLICT;
        }
        out->duplicate = 1;
        out->ledger_id = db_int(&res, 0, 0);
        out->balance = acc->points;
        return ZM_OK;
    }
    if ((rc = expire_locked(db, a, m->user_id, now, acc, NULL)) != ZM_OK) {
        return rc;
    }
    if (m->delta < 0) {
        if (acc->points + m->delta < 0) {
            out->shortfall = -(acc->points + m->delta);
            out->balance = acc->points;
            return POINTS_ESHORT;
        }
        if ((rc = take_lots(db, a, m->user_id, now, -m->delta)) != ZM_OK) {
            return rc;
        }
    }
    if ((rc = append(db, m, acc, &out->ledger_id, flags)) != ZM_OK) {
        return rc;
    }
    if (m->delta > 0 && m->expires_at > now) {
        int64_t n = db_exec(db,
                            "INSERT INTO points_lot (user_id, ledger_id, amount, remaining, expires_at, created_at) "
                            "VALUES (?, ?, ?, ?, FROM_UNIXTIME(?), UTC_TIMESTAMP(6))",
                            "iiiii", m->user_id, out->ledger_id, m->delta, m->delta, (int64_t)m->expires_at);
        if (n < 0) {
            return (int)n;
        }
    }
    out->balance = acc->points;
    return ZM_OK;
}

typedef struct {
    const points_move_t *m;
    points_result_t *out;
} post_arg_t;

static int post_tx(db_t *db, zm_arena_t *a, void *arg)
{
    post_arg_t *p = arg;
    account_t acc;
    int rc = lock_account(db, a, p->m->user_id, &acc);

    return rc == ZM_OK ? post_locked(db, a, p->m, &acc, 0, p->out) : rc;
}

int points_post(db_t *db, zm_arena_t *a, const points_move_t *m, points_result_t *out)
{
    post_arg_t p = {m, out};

    /* a refused charge rolls back; out keeps the numbers it was refused with */
    return in_tx(db, a, m->user_id, post_tx, &p);
}

int points_award(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, const char *key, int64_t amount,
                 const char *note, points_result_t *out)
{
    points_move_t m = {0};

    if (amount <= 0) {
        return ZM_EINVAL;
    }
    m.user_id = user_id;
    m.key = key;
    m.reason = kind;
    m.delta = amount;
    m.ref_kind = kind;
    m.ref_id = key;
    m.note = note;
    return points_post(db, a, &m, out);
}

int points_charge(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, const char *key, int64_t amount,
                  const char *ref_kind, const char *ref_id, points_result_t *out)
{
    points_move_t m = {0};

    if (amount < 0) {
        return ZM_EINVAL;
    }
    if (amount == 0) {
        memset(out, 0, sizeof(*out));
        return ZM_OK; /* free: no row (a ledger row never moves nothing) */
    }
    m.user_id = user_id;
    m.key = key;
    m.reason = kind;
    m.delta = -amount;
    m.ref_kind = ref_kind;
    m.ref_id = ref_id;
    return points_post(db, a, &m, out);
}

int points_adjust(db_t *db, zm_arena_t *a, int64_t user_id, int64_t points, const char *key, const char *reason,
                  points_result_t *out)
{
    points_move_t m = {0};

    if (points == 0 || key == NULL || key[0] == '\0' || reason == NULL || reason[0] == '\0') {
        return ZM_EINVAL;
    }
    m.user_id = user_id;
    m.key = zm_psprintf(a, "admin:%s", key);
    m.reason = "adjust";
    m.delta = points;
    m.ref_kind = "admin";
    m.ref_id = key;
    m.note = reason;
    return points_post(db, a, &m, out);
}

/* ---- recharge credits ---- */

typedef struct {
    int64_t user_id, amount_fen;
    const char *order_no, *package;
    time_t now;
    points_credit_t *out;
} credit_arg_t;

static int credit_tx(db_t *db, zm_arena_t *a, void *arg)
{
    credit_arg_t *c = arg;
    const char *key = zm_psprintf(a, "order:%s:credit", c->order_no);
    points_package_t pkg;
    points_move_t m = {0};
    account_t acc;
    db_res_t res;
    int64_t n, points;
    time_t start = 0, ends = 0;
    int rc;

    memset(c->out, 0, sizeof(*c->out));
    /* lock_account's read and the key's, in one statement and the same order: the account row (the
     * outer table), then the key's ledger row (its gap too, unless the transaction is READ COMMITTED as
     * payments_settle's is: neighbouring order numbers' credits deadlocked on each other's gaps) */
    rc = db_query(db, a, &res,
                  "SELECT a.points, a.recharge_fen, COALESCE(UNIX_TIMESTAMP(a.package_until), 0), a.entries, "
                  "r.user_id, r.delta_fen, COALESCE(r.package, '') FROM points_account a "
                  "LEFT JOIN points_recharge_ledger r ON r.idem_key = ? WHERE a.user_id = ? FOR UPDATE",
                  "si", key, c->user_id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    acc.points = db_int(&res, 0, 0);
    acc.recharge_fen = db_int(&res, 0, 1);
    acc.until = db_int(&res, 0, 2);
    acc.entries = db_int(&res, 0, 3);
    if (db_val(&res, 0, 4) != NULL) {
        if (db_int(&res, 0, 4) != c->user_id || db_int(&res, 0, 5) != c->amount_fen ||
            strcmp(db_val(&res, 0, 6), c->package ? c->package : "") != 0) {
            zm_log_warn("points: order %s credited before with another user, amount or package", c->order_no);
            return POINTS_ECONFLICT;
        }
        c->out->duplicate = 1;
        c->out->points.duplicate = 1;
        c->out->points.balance = acc.points;
        c->out->recharge_fen = acc.recharge_fen;
        c->out->level = points_recharge_level(acc.recharge_fen);
        return ZM_OK;
    }
    if (c->package) {
        if ((rc = points_package_find(c->package, &pkg)) != ZM_OK) {
            return rc;
        }
        start = points_package_start(c->now, (time_t)acc.until);
        ends = start + (time_t)pkg.days * 86400;
        n = db_exec(db,
                    "INSERT INTO points_package_period (user_id, idem_key, package, level, starts_at, ends_at, "
                    "created_at) VALUES (?, ?, ?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?), UTC_TIMESTAMP(6))",
                    "issIii", c->user_id, zm_psprintf(a, "order:%s:package", c->order_no), pkg.code, pkg.level,
                    (int64_t)start, (int64_t)ends);
        if (n < 0) {
            return n == ZM_EDUP ? POINTS_ECONFLICT : (int)n;
        }
        points = pkg.points;
    } else {
        points = points_for_fen(c->amount_fen, zm_conf_int("points.per_yuan"));
    }
    n = db_exec(db,
                "INSERT INTO points_recharge_ledger (user_id, idem_key, reason, delta_fen, balance_after_fen, package, "
                "ref_kind, ref_id, created_at) VALUES (?, ?, ?, ?, ?, ?, 'order', ?, UTC_TIMESTAMP(6))",
                "issiiss", c->user_id, key, c->package ? "package" : "recharge", c->amount_fen,
                acc.recharge_fen + c->amount_fen, c->package, c->order_no);
    if (n < 0) {
        return n == ZM_EDUP ? POINTS_ECONFLICT : (int)n;
    }
    acc.recharge_fen += c->amount_fen;
    if (points > 0) {
        m.user_id = c->user_id;
        m.key = key;
        m.reason = c->package ? "package" : "recharge";
        m.delta = points;
        m.ref_kind = "order";
        m.ref_id = c->order_no;
        m.expires_at = ends;
        m.note = c->package ? zm_psprintf(a, "%s赠送积分，%s", pkg.label, "套餐到期作废") : "充值";
        /* the same key is new in points_ledger: both rows are written together, under this lock (and
         * the unique key would refuse a twin); the account row is written once, below */
        if ((rc = post_locked(db, a, &m, &acc, POST_KEY_NEW | POST_NO_BALANCE, &c->out->points)) != ZM_OK) {
            return rc;
        }
    } else {
        c->out->points.balance = acc.points;
    }
    n = db_exec(db,
                "UPDATE points_account SET points = ?, entries = ?, recharge_fen = ?, recharge_level = ?, "
                "package_until = IF(? > 0, FROM_UNIXTIME(?), package_until), updated_at = UTC_TIMESTAMP(6) "
                "WHERE user_id = ?",
                "iiiIiii", acc.points, acc.entries, acc.recharge_fen, points_recharge_level(acc.recharge_fen),
                (int64_t)ends, (int64_t)ends, c->user_id);
    if (n < 0) {
        return (int)n;
    }
    c->out->recharge_fen = acc.recharge_fen;
    c->out->package_ends = ends;
    c->out->level = points_recharge_level(acc.recharge_fen);
    if (c->package && pkg.level > c->out->level && start <= c->now) {
        c->out->level = pkg.level;
    }
    return ZM_OK;
}

int points_credit_recharge(db_t *db, zm_arena_t *a, int64_t user_id, const char *order_no, int64_t amount_fen,
                           const char *package, time_t now, points_credit_t *out)
{
    credit_arg_t c = {user_id, amount_fen, order_no, package, now, out};
    points_package_t pkg;

    if (order_no == NULL || order_no[0] == '\0' || strlen(order_no) > 64 || amount_fen <= 0) {
        return ZM_EINVAL;
    }
    if (package && points_package_find(package, &pkg) != ZM_OK) {
        return POINTS_EPACKAGE;
    }
    return in_tx(db, a, user_id, credit_tx, &c);
}

/* ---- sessions billed by the minute ---- */

typedef struct {
    int64_t user_id, seconds, price;
    const char *kind, *session;
    int64_t *minutes, *charged;
    points_result_t *out;
} duration_arg_t;

static int duration_tx(db_t *db, zm_arena_t *a, void *arg)
{
    duration_arg_t *d = arg;
    int64_t want = (d->seconds + 59) / 60, done;
    account_t acc;
    db_res_t res;
    int rc;

    memset(d->out, 0, sizeof(*d->out));
    *d->charged = 0; /* again on a retried attempt */
    if ((rc = lock_account(db, a, d->user_id, &acc)) != ZM_OK) {
        return rc;
    }
    /* minutes are charged in order, so the count of this session's rows is the last one charged */
    rc = db_query(db, a, &res,
                  "SELECT COUNT(*) FROM points_ledger WHERE ref_kind = 'session' AND ref_id = ? AND user_id = ? "
                  "LOCK IN SHARE MODE",
                  "si", d->session, d->user_id);
    if (rc != ZM_OK) {
        return rc;
    }
    done = db_int(&res, 0, 0);
    *d->minutes = want;
    d->out->balance = acc.points;
    if (want <= done) {
        d->out->duplicate = 1;
        return ZM_OK;
    }
    if (acc.points < (want - done) * d->price) {
        /* a refusal writes nothing, not even the minutes that would fit */
        d->out->shortfall = (want - done) * d->price - acc.points;
        return POINTS_ESHORT;
    }
    for (int64_t n = done + 1; n <= want; n++) {
        points_move_t m = {0};

        m.user_id = d->user_id;
        m.key = zm_psprintf(a, "session:%s:min:%lld", d->session, (long long)n);
        m.reason = d->kind;
        m.delta = -d->price;
        m.ref_kind = "session";
        m.ref_id = d->session;
        m.note = zm_psprintf(a, "第 %lld 分钟", (long long)n);
        if ((rc = post_locked(db, a, &m, &acc, 0, d->out)) != ZM_OK) {
            return rc;
        }
        *d->charged += d->price;
    }
    return ZM_OK;
}

int points_consume_duration(db_t *db, zm_arena_t *a, int64_t user_id, const char *kind, const char *session_id,
                            int64_t seconds, int64_t *minutes, int64_t *charged, points_result_t *out)
{
    duration_arg_t d = {user_id, seconds, points_price(kind), kind, session_id, minutes, charged, out};
    int rc;

    memset(out, 0, sizeof(*out));
    *minutes = 0;
    *charged = 0;
    if (d.price < 0 || seconds <= 0 || session_id == NULL || session_id[0] == '\0') {
        return ZM_EINVAL;
    }
    if (d.price == 0) {
        *minutes = (seconds + 59) / 60;
        return ZM_OK; /* free: nothing to write */
    }
    rc = in_tx(db, a, user_id, duration_tx, &d);
    if (rc != ZM_OK) {
        *charged = 0; /* rolled back */
    }
    return rc;
}

/* ---- expiry ---- */

typedef struct {
    int64_t user_id;
    time_t now;
    int64_t *n;
} expire_arg_t;

static int expire_tx(db_t *db, zm_arena_t *a, void *arg)
{
    expire_arg_t *e = arg;
    account_t acc;
    int rc = lock_account(db, a, e->user_id, &acc);

    return rc == ZM_OK ? expire_locked(db, a, e->user_id, e->now, &acc, e->n) : rc;
}

int points_expire(db_t *db, zm_arena_t *a, int64_t user_id, time_t now, int64_t *n)
{
    db_res_t res;
    int rc;

    *n = 0;
    if (user_id > 0) {
        expire_arg_t e = {user_id, now, n};
        return in_tx(db, a, user_id, expire_tx, &e);
    }
    rc = db_query(db, a, &res,
                  "SELECT DISTINCT user_id FROM points_lot WHERE expires_at <= FROM_UNIXTIME(?) AND remaining > 0 "
                  "LIMIT 1000",
                  "i", (int64_t)now);
    for (size_t r = 0; rc == ZM_OK && r < res.nrows; r++) {
        expire_arg_t e = {db_int(&res, r, 0), now, n};
        rc = in_tx(db, a, e.user_id, expire_tx, &e);
    }
    return rc;
}
