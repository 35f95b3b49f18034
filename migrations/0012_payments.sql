-- Payments: WeChat Pay Native orders, every notification received, and anomalies (issue 15 items 4-6;
-- the reconciliation inspector, issue 16, reads payments_anomaly and compares payments_order with the
-- points ledgers and WeChat's trade bill).
--
-- An order is credited through points_credit_recharge (key order:<out_trade_no>:credit) in the same
-- transaction that moves it from pending to paid (the order row locked FOR UPDATE first), so
-- "status = paid" and "one recharge ledger row with ref ('order', out_trade_no)" hold together.
CREATE TABLE IF NOT EXISTS payments_order (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    out_trade_no VARCHAR(32) NOT NULL,
    user_id INT(11) NOT NULL,
    kind VARCHAR(16) NOT NULL,                  -- recharge | package
    package VARCHAR(16) NULL,                   -- week | month | quarter for kind = package
    amount_fen BIGINT NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'pending', -- pending | paid | closed | failed
    code_url VARCHAR(512) NOT NULL DEFAULT '',
    transaction_id VARCHAR(64) NULL,
    expires_at DATETIME(6) NOT NULL,
    paid_at DATETIME(6) NULL,
    last_queried DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY payments_order_no (out_trade_no),
    KEY payments_order_user (user_id, id),
    KEY payments_order_pending (status, expires_at),
    CONSTRAINT payments_order_kind CHECK (kind IN ('recharge', 'package')),
    CONSTRAINT payments_order_status CHECK (status IN ('pending', 'paid', 'closed', 'failed')),
    CONSTRAINT payments_order_amount CHECK (amount_fen > 0),
    CONSTRAINT payments_order_package CHECK ((kind = 'package') = (package IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every notification that reached POST /api/v1/payment/wechat/notify, verified or not.
-- result: credited, duplicate, anomaly, ignored, refused; error: why it was refused (no secrets).
CREATE TABLE IF NOT EXISTS payments_notification (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    received_at DATETIME(6) NOT NULL,
    out_trade_no VARCHAR(32) NULL,
    notification_id VARCHAR(64) NULL,
    event_type VARCHAR(64) NULL,
    serial VARCHAR(64) NULL,
    verified TINYINT NOT NULL DEFAULT 0,
    result VARCHAR(16) NOT NULL,
    http_status SMALLINT NOT NULL,
    error VARCHAR(255) NOT NULL DEFAULT '',
    client_ip VARCHAR(64) NOT NULL DEFAULT '',
    body_len INT NOT NULL DEFAULT 0,
    KEY payments_notification_order (out_trade_no, id),
    KEY payments_notification_time (received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What needs a person (or the inspector's repair): kind amount_mismatch, paid_after_close,
-- unknown_order, merchant_mismatch, credit_failed; once per (kind, out_trade_no) through dedupe_key.
CREATE TABLE IF NOT EXISTS payments_anomaly (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind VARCHAR(32) NOT NULL,
    out_trade_no VARCHAR(32) NULL,
    user_id INT(11) NULL,
    details LONGTEXT NOT NULL,
    state VARCHAR(16) NOT NULL DEFAULT 'open',  -- open | resolved | ignored (the inspector's)
    dedupe_key VARCHAR(191) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY payments_anomaly_dedupe (dedupe_key),
    KEY payments_anomaly_state (state, id),
    KEY payments_anomaly_order (out_trade_no),
    CONSTRAINT payments_anomaly_details CHECK (JSON_VALID(details)),
    CONSTRAINT payments_anomaly_state_ck CHECK (state IN ('open', 'resolved', 'ignored'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
