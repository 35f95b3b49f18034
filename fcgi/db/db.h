/*
 * db.h -- one MySQL/MariaDB connection with a prepared-statement cache.
 *
 * Each process (a FastCGI worker, a task runner, a CLI) owns one db_t,
 * opened after fork.  Every statement is prepared once and kept; bound
 * parameters only, never string-built SQL with values in it.
 *
 * A lost connection (2006/2013, or the server refusing) is reconnected
 * on the next call; a statement that failed because of it is retried once
 * when no transaction is open and the failure came at once (a connection
 * found dead), never after waiting out the read timeout (the server may
 * still run it).  A server that does not answer at all (stopped, frozen,
 * unreachable) costs one call at most the read timeout, or the connect
 * timeout when connecting; while it stays away calls return ZM_EDBDOWN at
 * once (connect attempts are spaced out), and the HTTP layer turns that into
 * 503 + Retry-After.
 *
 * Parameters are described by a format string, one letter each:
 *   s  const char *          (NULL binds SQL NULL)
 *   S  const char *, size_t  (bytes with a length: blobs, non-terminated)
 *   i  int64_t               (cast literals: (int64_t)5)
 *   I  int
 *   d  double
 * Results come back as text (SQL NULL as a NULL pointer), copied into the
 * caller's arena, so they live as long as the request.
 */
#ifndef ZM_DB_H
#define ZM_DB_H

#include <stdint.h>

#include "arena.h"
#include "module.h"
#include "zm.h"

typedef struct db_s db_t;

typedef struct {
    const char *host; /* NULL or "" with socket set: unix socket */
    unsigned port;
    const char *socket;
    const char *user;
    const char *password;
    const char *name;
    unsigned connect_timeout_s; /* 0: 2 */
    unsigned read_timeout_s;    /* 0: 5 */
    unsigned write_timeout_s;   /* 0: 5 */
} db_conf_t;

typedef struct {
    unsigned ncols;
    size_t nrows;
    char ***rows;         /* rows[r][c], NULL for SQL NULL */
    unsigned long **lens; /* lens[r][c] */
} db_res_t;

/** A handle for c (copied); connects lazily, so it succeeds while the server is down. NULL on OOM. */
db_t *db_open(const db_conf_t *c);
void db_close(db_t *db);

/** A handle for the configured database (db.* keys); rw_timeout_s > 0 overrides db.read_timeout and
 *  db.write_timeout (migrations, which may rebuild a large table). */
db_t *db_open_configured(unsigned rw_timeout_s);

/** Count reconnects into *counter (a shared-memory slot for /metrics); may be NULL. */
void db_set_reconnect_counter(db_t *db, uint64_t *counter);

/** ZM_OK when the server answers (connecting if needed), else ZM_EDBDOWN. */
int db_ping(db_t *db);

/** Run a query returning rows.  ZM_OK, or a negative ZM_E* code. */
int db_query(db_t *db, zm_arena_t *a, db_res_t *res, const char *sql, const char *fmt, ...);

/** Run a statement; returns affected rows (>= 0) or a negative ZM_E* code (ZM_EDUP on a unique key). */
int64_t db_exec(db_t *db, const char *sql, const char *fmt, ...);

/** The AUTO_INCREMENT id of the last db_exec INSERT. */
int64_t db_insert_id(db_t *db);

int db_begin(db_t *db);
/**
 * db_begin at READ COMMITTED (this transaction only): a locking read of a key that is not there
 * takes no gap lock, so transactions inserting neighbouring keys (two orders' ledger keys, two jobs'
 * terms) cannot deadlock on each other's gaps; every read sees what has committed.  For writers
 * that serialize on a row lock of their own (the user's account row, the job's row) and let unique
 * keys refuse twins, where REPEATABLE READ's gap locks buy nothing but deadlocks.
 */
int db_begin_read_committed(db_t *db);
int db_commit(db_t *db);
int db_rollback(db_t *db);
int db_in_transaction(db_t *db);

/**
 * Run fn(arg) once the open transaction has committed (db_commit answered ZM_OK), after the
 * hooks added before it; never when it rolls back, is lost with the connection, or a new one
 * begins first.  Outside a transaction (autocommit: the write is already durable) fn runs at
 * once.  For what must not happen before the commit, such as a live message telling of the
 * write (fcgi/tasks/live.h).  arg stays the caller's (an arena's memory lives long enough when
 * the commit comes in the same request or task).
 */
typedef void (*db_hook_pt)(void *arg);
void db_after_commit(db_t *db, db_hook_pt fn, void *arg);

/** Run a plain SQL string without parameters (DDL, migrations; multi-statement allowed). */
int db_exec_script(db_t *db, const char *sql);

/** The last error text, for logs. */
const char *db_error(db_t *db);
/** The server's error number of db_error (ER_*, e.g. 1419), 0 when the last error had none. */
unsigned db_errno(db_t *db);

/** Value helpers for results: row r, column c. */
const char *db_val(const db_res_t *res, size_t r, unsigned c);
int64_t db_int(const db_res_t *res, size_t r, unsigned c);

/* db.*: the connection's configuration */
extern const zm_module_t zm_db_module;

#endif
