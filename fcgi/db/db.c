#include "db.h"

#include <errmsg.h>
#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "conf.h"
#include "log.h"

#define DB_MAX_PARAMS 256
#define DB_MAX_COLS 128
#define DB_CACHE_SIZE 256
#define DB_RECONNECT_SPACING_MS 500
#define DB_SMALL_BUF 64

typedef struct {
    char *sql;
    uint64_t hash;
    MYSQL_STMT *stmt;
} db_cached_t;

/* work for after the commit of the open transaction (db_after_commit), in the order added */
typedef struct db_hook_s {
    struct db_hook_s *next;
    db_hook_pt fn;
    void *arg;
} db_hook_t;

struct db_s {
    db_conf_t conf;
    MYSQL *my;
    int connected;
    int in_txn;
    int64_t last_connect_try_ms;
    int64_t insert_id;
    uint64_t *reconnect_counter;
    db_hook_t *hooks, **hooks_tail;
    int ever_connected;
    size_t ncached;
    db_cached_t cache[DB_CACHE_SIZE];
    char err[512];
    unsigned err_no; /* the server's error number of err, 0 for none */
};

db_t *db_open(const db_conf_t *c)
{
    db_t *db = zm_xcalloc(1, sizeof(*db));

    db->conf = *c;
    db->conf.host = zm_xstrdup(c->host);
    db->conf.socket = zm_xstrdup(c->socket);
    db->conf.user = zm_xstrdup(c->user);
    db->conf.password = zm_xstrdup(c->password);
    db->conf.name = zm_xstrdup(c->name);
    db->last_connect_try_ms = -DB_RECONNECT_SPACING_MS;
    db->hooks_tail = &db->hooks;
    return db;
}

/* Forget the pending hooks (a rollback, a lost transaction, a new one); their args are the callers'. */
static void db_drop_hooks(db_t *db)
{
    db_hook_t *h, *next;

    for (h = db->hooks; h; h = next) {
        next = h->next;
        free(h);
    }
    db->hooks = NULL;
    db->hooks_tail = &db->hooks;
}

/* After a commit: run each hook once, in order; a hook that adds another runs it at once (no transaction). */
static void db_run_hooks(db_t *db)
{
    db_hook_t *h = db->hooks;

    db->hooks = NULL;
    db->hooks_tail = &db->hooks;
    while (h) {
        db_hook_t *next = h->next;
        h->fn(h->arg);
        free(h);
        h = next;
    }
}

static void db_drop_cache(db_t *db)
{
    for (size_t i = 0; i < db->ncached; i++) {
        if (db->cache[i].stmt) {
            mysql_stmt_close(db->cache[i].stmt);
        }
        free(db->cache[i].sql);
    }
    db->ncached = 0;
}

static void db_disconnect(db_t *db)
{
    db_drop_cache(db);
    if (db->my) {
        mysql_close(db->my);
        db->my = NULL;
    }
    db->connected = 0;
    db->in_txn = 0;
    db_drop_hooks(db);
}

db_t *db_open_configured(unsigned rw_timeout_s)
{
    db_conf_t c = {
        .host = zm_conf_str("db.host"),
        .port = (unsigned)zm_conf_int("db.port"),
        .socket = zm_conf_str("db.socket"),
        .user = zm_conf_str("db.user"),
        .password = zm_conf_str("db.password"),
        .name = zm_conf_str("db.name"),
        .connect_timeout_s = (unsigned)zm_conf_int("db.connect_timeout"),
        .read_timeout_s = rw_timeout_s ? rw_timeout_s : (unsigned)zm_conf_int("db.read_timeout"),
        .write_timeout_s = rw_timeout_s ? rw_timeout_s : (unsigned)zm_conf_int("db.write_timeout"),
    };
    return db_open(&c);
}

void db_close(db_t *db)
{
    if (db == NULL) {
        return;
    }
    db_disconnect(db);
    free((char *)db->conf.host);
    free((char *)db->conf.socket);
    free((char *)db->conf.user);
    free((char *)db->conf.password);
    free((char *)db->conf.name);
    free(db);
}

void db_set_reconnect_counter(db_t *db, uint64_t *counter)
{
    db->reconnect_counter = counter;
}

const char *db_error(db_t *db)
{
    return db->err;
}

unsigned db_errno(db_t *db)
{
    return db->err_no;
}

static unsigned db_read_timeout_s(const db_t *db)
{
    return db->conf.read_timeout_s ? db->conf.read_timeout_s : 5;
}

static unsigned db_write_timeout_s(const db_t *db)
{
    return db->conf.write_timeout_s ? db->conf.write_timeout_s : 5;
}

/* Did a call that failed, started at t0, wait out a read or write timeout?  Then the server is not
 * answering, or still running the statement: no second try, which would wait as long again (and
 * might run the statement twice). */
static int db_waited_out(const db_t *db, int64_t t0)
{
    unsigned rt = db_read_timeout_s(db), wt = db_write_timeout_s(db);

    return zm_mono_ms() - t0 >= (int64_t)(rt < wt ? rt : wt) * 1000;
}

static int db_connect(db_t *db)
{
    /* What a server that does not answer (stopped, frozen, unreachable) may cost a call: libmariadb
     * waits out the connect timeout for the connection and the greeting, the read timeout once per
     * read (no retries: libmysqlclient's read timeout is applied up to three times, libmariadb's once)
     * and the write timeout once per write; after a timeout it drops the connection, so the calls
     * after it fail at once. */
    unsigned ct = db->conf.connect_timeout_s ? db->conf.connect_timeout_s : 2;
    unsigned rt = db_read_timeout_s(db), wt = db_write_timeout_s(db);
    my_bool off = 0;
    int64_t t = zm_mono_ms();
    const char *host;
    char init[320];

    if (db->connected) {
        return ZM_OK;
    }
    /* Space attempts out: while the server is away every request would
     * otherwise pay a connect attempt. */
    if (t - db->last_connect_try_ms < DB_RECONNECT_SPACING_MS) {
        return ZM_EDBDOWN;
    }
    db->last_connect_try_ms = t;

    db->my = mysql_init(NULL);
    if (db->my == NULL) {
        return ZM_ENOMEM;
    }
    mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_options(db->my, MYSQL_OPT_READ_TIMEOUT, &rt);
    mysql_options(db->my, MYSQL_OPT_WRITE_TIMEOUT, &wt);
    mysql_options(db->my, MYSQL_OPT_RECONNECT, &off); /* we reconnect ourselves, statements included */
    mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    /* A wait for a row lock gives up on the server's side before the read timeout: the statement
     * ends with an error (ZM_EAGAIN) on a live connection, instead of the client walking away from
     * a statement that may still run once the lock is free. */
    snprintf(init, sizeof(init),
             "SET time_zone='+00:00', sql_mode='STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
             "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', innodb_lock_wait_timeout=%u",
             rt > 1 ? rt - 1 : 1);
    mysql_options(db->my, MYSQL_INIT_COMMAND, init);

    host = (db->conf.host && db->conf.host[0]) ? db->conf.host : NULL;
    if (!mysql_real_connect(db->my, host, db->conf.user, db->conf.password, db->conf.name, db->conf.port,
                            host ? NULL : db->conf.socket, CLIENT_MULTI_STATEMENTS | CLIENT_FOUND_ROWS)) {
        snprintf(db->err, sizeof(db->err), "connect: %s", mysql_error(db->my));
        db->err_no = mysql_errno(db->my);
        mysql_close(db->my);
        db->my = NULL;
        db->last_connect_try_ms = zm_mono_ms(); /* the spacing counts from the failure, however long it took */
        return ZM_EDBDOWN;
    }
    db->connected = 1;
    if (db->ever_connected && db->reconnect_counter) {
        (*db->reconnect_counter)++;
    }
    if (db->ever_connected) {
        zm_log_info("db: reconnected");
    }
    db->ever_connected = 1;
    return ZM_OK;
}

static int is_conn_error(unsigned e)
{
    return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST || e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR ||
           e == ER_CONNECTION_KILLED || e == 4031 /* MySQL 8: idle disconnect */ || e == ER_SERVER_SHUTDOWN ||
           e == CR_SERVER_LOST_EXTENDED;
}

static int map_error(db_t *db, unsigned e, const char *msg)
{
    snprintf(db->err, sizeof(db->err), "%u: %s", e, msg);
    db->err_no = e;
    if (is_conn_error(e)) {
        zm_log_warn("db: connection lost (%s)", db->err);
        db_disconnect(db);
        /* no new connection for a moment: a request's next calls fail at once rather than each
         * waiting on a server that did not answer (a retry of a connection found dead resets this) */
        db->last_connect_try_ms = zm_mono_ms();
        return ZM_EDBDOWN;
    }
    switch (e) {
    case ER_DUP_ENTRY:
    case ER_DUP_ENTRY_WITH_KEY_NAME:
        return ZM_EDUP;
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
        return ZM_EAGAIN;
    case ER_NO_REFERENCED_ROW_2:
    case ER_NO_REFERENCED_ROW:
        return ZM_ENOTFOUND;
    case ER_DATA_TOO_LONG:
    case ER_TRUNCATED_WRONG_VALUE:
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
    case ER_WARN_DATA_OUT_OF_RANGE:
        /* input should have been validated before it got here: a bug to see in the log */
        zm_log_error("db: %s", db->err);
        return ZM_ERR;
    default:
        zm_log_error("db: %s", db->err);
        return ZM_ERR;
    }
}

int db_ping(db_t *db)
{
    int rc = db_connect(db);
    int64_t t0 = zm_mono_ms();

    if (rc != ZM_OK) {
        return rc;
    }
    if (mysql_ping(db->my) != 0) {
        map_error(db, mysql_errno(db->my), mysql_error(db->my));
        db_disconnect(db);
        if (db_waited_out(db, t0)) {
            return ZM_EDBDOWN;
        }
        /* a connection found dead (the server restarted): a fresh one at once */
        db->last_connect_try_ms = -DB_RECONNECT_SPACING_MS;
        return db_connect(db);
    }
    return ZM_OK;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ULL;
    }
    return h;
}

static MYSQL_STMT *db_prepare(db_t *db, const char *sql, int *rc)
{
    uint64_t h = fnv1a(sql);
    MYSQL_STMT *st;

    for (size_t i = 0; i < db->ncached; i++) {
        if (db->cache[i].hash == h && strcmp(db->cache[i].sql, sql) == 0) {
            return db->cache[i].stmt;
        }
    }
    if (db->ncached == DB_CACHE_SIZE) {
        /* a full cache means dynamic SQL is being generated; start over rather than grow */
        db_drop_cache(db);
    }
    st = mysql_stmt_init(db->my);
    if (st == NULL) {
        *rc = ZM_ENOMEM;
        return NULL;
    }
    if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
        *rc = map_error(db, mysql_stmt_errno(st), mysql_stmt_error(st));
        mysql_stmt_close(st);
        return NULL;
    }
    {
        my_bool one = 1;
        mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &one);
    }
    db->cache[db->ncached].sql = zm_xstrdup(sql);
    db->cache[db->ncached].hash = h;
    db->cache[db->ncached].stmt = st;
    db->ncached++;
    return st;
}

typedef struct {
    MYSQL_BIND bind[DB_MAX_PARAMS];
    long long ints[DB_MAX_PARAMS];
    double dbls[DB_MAX_PARAMS];
    unsigned long lens[DB_MAX_PARAMS];
    my_bool nulls[DB_MAX_PARAMS];
    unsigned n;
} db_params_t;

static int db_bind_params(db_params_t *p, const char *fmt, va_list ap)
{
    memset(p->bind, 0, sizeof(p->bind));
    p->n = 0;
    for (const char *f = fmt ? fmt : ""; *f; f++) {
        unsigned i = p->n;
        MYSQL_BIND *b = &p->bind[i];

        if (i == DB_MAX_PARAMS) {
            return ZM_EINVAL;
        }
        switch (*f) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            b->buffer_type = MYSQL_TYPE_STRING;
            p->nulls[i] = s == NULL;
            b->is_null = &p->nulls[i];
            b->buffer = (void *)s;
            p->lens[i] = s ? strlen(s) : 0;
            b->length = &p->lens[i];
            break;
        }
        case 'S': {
            const char *s = va_arg(ap, const char *);
            size_t n = va_arg(ap, size_t);
            b->buffer_type = MYSQL_TYPE_BLOB;
            p->nulls[i] = s == NULL;
            b->is_null = &p->nulls[i];
            b->buffer = (void *)s;
            p->lens[i] = n;
            b->length = &p->lens[i];
            break;
        }
        case 'i':
            p->ints[i] = va_arg(ap, int64_t);
            b->buffer_type = MYSQL_TYPE_LONGLONG;
            b->buffer = &p->ints[i];
            break;
        case 'I':
            p->ints[i] = va_arg(ap, int);
            b->buffer_type = MYSQL_TYPE_LONGLONG;
            b->buffer = &p->ints[i];
            break;
        case 'd':
            p->dbls[i] = va_arg(ap, double);
            b->buffer_type = MYSQL_TYPE_DOUBLE;
            b->buffer = &p->dbls[i];
            break;
        default:
            return ZM_EINVAL;
        }
        p->n++;
    }
    return ZM_OK;
}

/* Fetch every row of an executed statement into the arena as text. */
static int db_fetch_all(db_t *db, MYSQL_STMT *st, zm_arena_t *a, db_res_t *res)
{
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    MYSQL_BIND bind[DB_MAX_COLS];
    unsigned long lens[DB_MAX_COLS];
    my_bool nulls[DB_MAX_COLS], errs[DB_MAX_COLS];
    char small[DB_MAX_COLS][DB_SMALL_BUF];
    unsigned nc;
    size_t cap = 0;
    int rc = ZM_OK;

    memset(res, 0, sizeof(*res));
    if (meta == NULL) {
        return ZM_OK; /* not a SELECT */
    }
    nc = mysql_num_fields(meta);
    mysql_free_result(meta);
    if (nc > DB_MAX_COLS) {
        return ZM_EINVAL;
    }
    if (mysql_stmt_store_result(st) != 0) {
        return map_error(db, mysql_stmt_errno(st), mysql_stmt_error(st));
    }
    memset(bind, 0, sizeof(bind[0]) * nc);
    for (unsigned c = 0; c < nc; c++) {
        bind[c].buffer_type = MYSQL_TYPE_STRING;
        bind[c].buffer = small[c];
        bind[c].buffer_length = DB_SMALL_BUF;
        bind[c].length = &lens[c];
        bind[c].is_null = &nulls[c];
        bind[c].error = &errs[c];
    }
    if (mysql_stmt_bind_result(st, bind) != 0) {
        rc = map_error(db, mysql_stmt_errno(st), mysql_stmt_error(st));
        mysql_stmt_free_result(st);
        return rc;
    }
    res->ncols = nc;
    cap = mysql_stmt_num_rows(st);
    res->rows = zm_palloc(a, sizeof(char **) * (cap ? cap : 1));
    res->lens = zm_palloc(a, sizeof(unsigned long *) * (cap ? cap : 1));
    if (res->rows == NULL || res->lens == NULL) {
        mysql_stmt_free_result(st);
        return ZM_ENOMEM;
    }
    for (;;) {
        int f = mysql_stmt_fetch(st);
        char **row;
        unsigned long *rl;

        if (f == MYSQL_NO_DATA) {
            break;
        }
        if (f == 1) {
            rc = map_error(db, mysql_stmt_errno(st), mysql_stmt_error(st));
            break;
        }
        if (res->nrows == cap) {
            break;
        }
        row = zm_palloc(a, sizeof(char *) * (nc ? nc : 1));
        rl = zm_palloc(a, sizeof(unsigned long) * (nc ? nc : 1));
        if (row == NULL || rl == NULL) {
            rc = ZM_ENOMEM;
            break;
        }
        for (unsigned c = 0; c < nc; c++) {
            rl[c] = nulls[c] ? 0 : lens[c];
            if (nulls[c]) {
                row[c] = NULL;
                continue;
            }
            row[c] = zm_palloc(a, lens[c] + 1);
            if (row[c] == NULL) {
                rc = ZM_ENOMEM;
                break;
            }
            if (lens[c] <= DB_SMALL_BUF) {
                memcpy(row[c], small[c], lens[c]);
            } else {
                MYSQL_BIND big;
                memset(&big, 0, sizeof(big));
                big.buffer_type = MYSQL_TYPE_STRING;
                big.buffer = row[c];
                big.buffer_length = lens[c] + 1;
                if (mysql_stmt_fetch_column(st, &big, c, 0) != 0) {
                    rc = map_error(db, mysql_stmt_errno(st), mysql_stmt_error(st));
                    break;
                }
            }
            row[c][lens[c]] = '\0';
        }
        if (rc != ZM_OK) {
            break;
        }
        res->rows[res->nrows] = row;
        res->lens[res->nrows] = rl;
        res->nrows++;
    }
    mysql_stmt_free_result(st);
    return rc;
}

static int db_run(db_t *db, zm_arena_t *a, db_res_t *res, int64_t *affected, const char *sql, const char *fmt,
                  va_list ap)
{
    db_params_t p;
    int rc;

    for (int attempt = 0; attempt < 2; attempt++) {
        MYSQL_STMT *st;
        va_list cp;
        int64_t t0;

        rc = db_connect(db);
        if (rc != ZM_OK) {
            return rc;
        }
        t0 = zm_mono_ms();
        st = db_prepare(db, sql, &rc);
        if (st == NULL) {
            if (rc == ZM_EDBDOWN && !db->in_txn && attempt == 0 && !db_waited_out(db, t0)) {
                db->last_connect_try_ms = -DB_RECONNECT_SPACING_MS;
                continue;
            }
            return rc;
        }
        va_copy(cp, ap);
        rc = db_bind_params(&p, fmt, cp);
        va_end(cp);
        if (rc != ZM_OK) {
            return rc;
        }
        if (p.n != mysql_stmt_param_count(st)) {
            snprintf(db->err, sizeof(db->err), "parameter count %u != %lu for: %.200s", p.n, mysql_stmt_param_count(st),
                     sql);
            db->err_no = 0;
            zm_log_error("db: %s", db->err);
            return ZM_EINVAL;
        }
        if ((p.n && mysql_stmt_bind_param(st, p.bind) != 0) || mysql_stmt_execute(st) != 0) {
            int in_txn = db->in_txn;
            rc = map_error(db, mysql_stmt_errno(st), mysql_stmt_error(st));
            if (rc == ZM_EDBDOWN && !in_txn && attempt == 0 && !db_waited_out(db, t0)) {
                /* the connection died under us: one fresh try, outside a transaction only */
                db->last_connect_try_ms = -DB_RECONNECT_SPACING_MS;
                continue;
            }
            if (rc == ZM_EDBDOWN && in_txn) {
                db->in_txn = 0;
                db_drop_hooks(db);
            }
            return rc;
        }
        if (affected) {
            *affected = (int64_t)mysql_stmt_affected_rows(st);
            db->insert_id = (int64_t)mysql_stmt_insert_id(st);
        }
        if (res) {
            return db_fetch_all(db, st, a, res);
        }
        mysql_stmt_free_result(st);
        return ZM_OK;
    }
    return rc;
}

int db_query(db_t *db, zm_arena_t *a, db_res_t *res, const char *sql, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = db_run(db, a, res, NULL, sql, fmt, ap);
    va_end(ap);
    return rc;
}

int64_t db_exec(db_t *db, const char *sql, const char *fmt, ...)
{
    va_list ap;
    int64_t affected = 0;
    int rc;

    va_start(ap, fmt);
    rc = db_run(db, NULL, NULL, &affected, sql, fmt, ap);
    va_end(ap);
    return rc < 0 ? rc : affected;
}

int64_t db_insert_id(db_t *db)
{
    return db->insert_id;
}

static int db_simple(db_t *db, const char *sql)
{
    int rc = db_connect(db);

    if (rc != ZM_OK) {
        return rc;
    }
    if (mysql_real_query(db->my, sql, strlen(sql)) != 0) {
        return map_error(db, mysql_errno(db->my), mysql_error(db->my));
    }
    return ZM_OK;
}

/* START TRANSACTION, after SET TRANSACTION ISOLATION LEVEL READ COMMITTED when read_committed (the
 * SET applies to the next transaction only, so it must reach the same connection just before). */
static int begin_on(db_t *db, int read_committed)
{
    int rc = read_committed ? db_simple(db, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED") : ZM_OK;

    return rc == ZM_OK ? db_simple(db, "START TRANSACTION") : rc;
}

static int begin(db_t *db, int read_committed)
{
    int64_t t0;
    int rc;

    if (!db->connected) {
        rc = db_connect(db);
        if (rc != ZM_OK) {
            return rc;
        }
    }
    t0 = zm_mono_ms();
    rc = begin_on(db, read_committed);
    if (rc == ZM_EDBDOWN && !db_waited_out(db, t0)) {
        /* a stale connection found out here: nothing ran yet, so try once more */
        db->last_connect_try_ms = -DB_RECONNECT_SPACING_MS;
        rc = begin_on(db, read_committed);
    }
    db_drop_hooks(db);
    if (rc == ZM_OK) {
        db->in_txn = 1;
    }
    return rc;
}

int db_begin(db_t *db)
{
    return begin(db, 0);
}

int db_begin_read_committed(db_t *db)
{
    return begin(db, 1);
}

int db_commit(db_t *db)
{
    int rc = db->connected ? db_simple(db, "COMMIT") : ZM_EDBDOWN;

    db->in_txn = 0;
    if (rc == ZM_OK) {
        db_run_hooks(db);
    } else {
        db_drop_hooks(db);
    }
    return rc;
}

int db_rollback(db_t *db)
{
    int rc = db->connected ? db_simple(db, "ROLLBACK") : ZM_EDBDOWN;

    db->in_txn = 0;
    db_drop_hooks(db);
    return rc;
}

void db_after_commit(db_t *db, db_hook_pt fn, void *arg)
{
    db_hook_t *h;

    if (!db->in_txn) {
        fn(arg);
        return;
    }
    h = zm_xcalloc(1, sizeof(*h));
    h->fn = fn;
    h->arg = arg;
    *db->hooks_tail = h;
    db->hooks_tail = &h->next;
}

int db_in_transaction(db_t *db)
{
    return db->in_txn;
}

int db_exec_script(db_t *db, const char *sql)
{
    int rc = db_simple(db, sql);
    int status;

    if (rc != ZM_OK) {
        return rc;
    }
    /* drain every result of a multi-statement script, stopping at the first error */
    do {
        MYSQL_RES *r = mysql_store_result(db->my);
        if (r) {
            mysql_free_result(r);
        } else if (mysql_field_count(db->my) != 0) {
            return map_error(db, mysql_errno(db->my), mysql_error(db->my));
        }
        status = mysql_next_result(db->my);
        if (status > 0) {
            return map_error(db, mysql_errno(db->my), mysql_error(db->my));
        }
    } while (status == 0);
    return ZM_OK;
}

const char *db_val(const db_res_t *res, size_t r, unsigned c)
{
    if (r >= res->nrows || c >= res->ncols) {
        return NULL;
    }
    return res->rows[r][c];
}

int64_t db_int(const db_res_t *res, size_t r, unsigned c)
{
    const char *v = db_val(res, r, c);

    return v ? strtoll(v, NULL, 10) : 0;
}
