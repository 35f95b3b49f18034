-- The reconciliation inspector (issue 16, zhimai-inspect): every run and what it found.
--
-- A run compares, for its window, the local orders (payments_order), the ledgers (points_ledger,
-- points_recharge_ledger, points_account) and WeChat Pay (the order query API and the day's trade
-- bill).  Each discrepancy is one inspect_finding row of its kind:
--   paid_not_credited   WeChat took the money, the order was never credited        (repaired: the credit)
--   credited_not_paid   credited here, WeChat says not paid (NOTPAY/CLOSED/none)    (a person)
--   refunded            credited here, refunded at WeChat                           (a person)
--   amount_mismatch     order, bill and ledger amounts differ                       (a person)
--   double_credit       more than one credit for one order                          (a person)
--   paid_after_close    closed here, paid at WeChat                                 (a person: refund or credit)
--   unknown_bill_row    a bill row naming no local order                            (a person)
--   balance_mismatch    points_account differs from the sum of its ledger rows      (a person)
--   level_mismatch      recharge_level differs from the cumulative recharge's       (repaired: recomputed)
--   stuck_pending       pending past its expiry                                     (repaired: closed or settled)
-- state: open, repaired (by the run's --repair), acknowledged (by an admin, with a note).
CREATE TABLE IF NOT EXISTS inspect_run (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    started_at DATETIME(6) NOT NULL,
    finished_at DATETIME(6) NULL,
    window_start DATETIME(6) NOT NULL,
    window_end DATETIME(6) NOT NULL,
    bill_date CHAR(10) NULL,                       -- the trade bill's day (+08:00), NULL when none was read
    origin VARCHAR(16) NOT NULL,                   -- cron | manual | task
    repair TINYINT(1) NOT NULL DEFAULT 0,
    status VARCHAR(16) NOT NULL DEFAULT 'running', -- running | clean | anomalies | failed
    orders_checked INT NOT NULL DEFAULT 0,
    bill_rows INT NOT NULL DEFAULT 0,
    queries INT NOT NULL DEFAULT 0,
    findings INT NOT NULL DEFAULT 0,
    repaired INT NOT NULL DEFAULT 0,
    counts LONGTEXT NOT NULL,                      -- {"<kind>": n, ...}
    duration_ms BIGINT NULL,
    error VARCHAR(500) NOT NULL DEFAULT '',
    host VARCHAR(128) NOT NULL DEFAULT '',
    task_id BIGINT NULL,                           -- the zm_task that ran it (origin task)
    KEY inspect_run_started (started_at),
    KEY inspect_run_status (status, id),
    CONSTRAINT inspect_run_counts CHECK (JSON_VALID(counts)),
    CONSTRAINT inspect_run_status_ck CHECK (status IN ('running', 'clean', 'anomalies', 'failed')),
    CONSTRAINT inspect_run_origin_ck CHECK (origin IN ('cron', 'manual', 'task'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS inspect_finding (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    run_id BIGINT NOT NULL,
    kind VARCHAR(32) NOT NULL,
    out_trade_no VARCHAR(32) NULL,
    user_id INT(11) NULL,
    order_fen BIGINT NULL,                         -- the order's amount
    wechat_fen BIGINT NULL,                        -- what WeChat says (bill or query)
    ledger_fen BIGINT NULL,                        -- what the recharge ledger credited
    detail LONGTEXT NOT NULL,                      -- JSON: the evidence, and what to do about it
    state VARCHAR(16) NOT NULL DEFAULT 'open',     -- open | repaired | acknowledged
    note VARCHAR(500) NOT NULL DEFAULT '',
    acked_by INT(11) NULL,
    acked_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    KEY inspect_finding_run (run_id, id),
    KEY inspect_finding_state (state, id),
    KEY inspect_finding_order (out_trade_no),
    CONSTRAINT inspect_finding_run_fk FOREIGN KEY (run_id) REFERENCES inspect_run (id) ON DELETE CASCADE,
    CONSTRAINT inspect_finding_detail CHECK (JSON_VALID(detail)),
    CONSTRAINT inspect_finding_state_ck CHECK (state IN ('open', 'repaired', 'acknowledged'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
