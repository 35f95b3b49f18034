/*
 * inspect.h -- the reconciliation inspector (issue 16): local orders
 * (payments_order) against the ledgers (points_*) against WeChat Pay (the
 * order query API and the day's trade bill, streamed).
 *
 * inspect_run() is the whole run; zhimai-inspect (cron, the systemd timer)
 * and the inspect.run task (the admin page's button) both call it.  One run
 * at a time across hosts: GET_LOCK('zhimai-inspect', 0) on a connection of
 * its own, held for the run.  Everything is read first (orders, ledgers,
 * queries, the bill checked by its SHA1 and parsed to its end); only then,
 * and only with repair, are the safe findings repaired -- through the same
 * idempotent functions the payment callback uses (payments_reconcile,
 * points_credit_recharge), so repair racing a late callback still credits
 * once.  A run that cannot finish its reads (WeChat unreachable, the bill
 * malformed, oversized or not matching its hash) changes nothing and is
 * stored as failed.
 *
 * Tables: migrations/0015_inspect.sql (inspect_run, inspect_finding; the
 * finding kinds are listed there).
 */
#ifndef ZM_INSPECT_H
#define ZM_INSPECT_H

#include <json-c/json.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "zm.h"

#define INSPECT_EBUSY (ZM_ERANGE_INSPECT - 0)     /* another run holds the lock */
#define INSPECT_EUPSTREAM (ZM_ERANGE_INSPECT - 1) /* WeChat unreachable or refusing, the bill unusable */
#define INSPECT_ECONF (ZM_ERANGE_INSPECT - 2)     /* no merchant configured */

#define INSPECT_LOCK "zhimai-inspect"

typedef enum {
    INSPECT_PAID_NOT_CREDITED = 0,
    INSPECT_CREDITED_NOT_PAID,
    INSPECT_REFUNDED,
    INSPECT_AMOUNT_MISMATCH,
    INSPECT_DOUBLE_CREDIT,
    INSPECT_PAID_AFTER_CLOSE,
    INSPECT_UNKNOWN_BILL_ROW,
    INSPECT_BALANCE_MISMATCH,
    INSPECT_LEVEL_MISMATCH,
    INSPECT_STUCK_PENDING,
    INSPECT_NKINDS
} inspect_kind_t;

/** "paid_not_credited", ... (the stored names). */
const char *inspect_kind_name(inspect_kind_t k);
/** 已支付未入账, ... */
const char *inspect_kind_label(inspect_kind_t k);

typedef struct {
    time_t window_start, window_end; /* UTC; orders created or paid in [start, end) */
    const char *bill_date;           /* "YYYY-MM-DD" (+08:00) whose trade bill is read; NULL: none */
    int repair;                      /* repair the safe findings */
    const char *origin;              /* cron | manual | task */
    int64_t task_id;                 /* origin task: the task's id */
    const char *report_dir;          /* write inspect-<id>.txt and .json there; NULL: no files */
    int notify;                      /* findings notify the admins (message + mail) */
} inspect_opts_t;

typedef struct {
    int64_t run_id; /* 0 when not even the run row could be written */
    const char *status;
    int64_t orders, bill_rows, queries, findings, repaired;
    int64_t counts[INSPECT_NKINDS];
    int64_t duration_ms;
    int64_t phase_ms[4];     /* elapsed at the end of: orders read, bill read, queries, accounts checked */
    int64_t phase_rss_kb[4]; /* the process's maximum RSS at the same points */
    const char *error;       /* failed: why, one line */
    json_object *report;     /* the run as JSON (the caller puts it); NULL when busy */
    const char *text;        /* the run as text (in the arena) */
    const char *files[2];    /* the report files written, or NULL */
} inspect_result_t;

/**
 * One run.  ZM_OK when it finished (out->status clean or anomalies), INSPECT_EBUSY when another run
 * holds the lock (nothing stored), INSPECT_EUPSTREAM / INSPECT_ECONF / a db code when it could not run
 * (out->status failed, out->error; the run row stored as failed when the database allows).
 */
int inspect_run(db_t *db, zm_arena_t *a, const inspect_opts_t *o, inspect_result_t *out);

/** The window of day YYYY-MM-DD in +08:00 (WeChat's bill day) as UTC [start, end); ZM_EINVAL. */
int inspect_day_window(const char *date, time_t *start, time_t *end);
/** The +08:00 date of t as YYYY-MM-DD into buf[11]. */
void inspect_cn_date(time_t t, char buf[11]);

/* ---- for the admin API ---- */

/** One page of runs, newest first: [{id, started_at, ..., counts}] and the total. */
int inspect_runs_list(db_t *db, zm_arena_t *a, int64_t page, int64_t size, json_object **items, int64_t *total);
/** A run with its findings; ZM_ENOTFOUND. */
int inspect_run_get(db_t *db, zm_arena_t *a, int64_t id, json_object **out);
/** Acknowledge an open (or repaired) finding with a note; ZM_ENOTFOUND; *out the finding after. */
int inspect_finding_ack(db_t *db, zm_arena_t *a, int64_t id, int64_t admin_id, const char *note, json_object **out);
/** Queue an on-demand run (task inspect.run, owned by admin_id so GET /api/v1/tasks/{id} follows it). */
int inspect_enqueue(db_t *db, int64_t admin_id, int repair, int64_t *task_id);

#endif
