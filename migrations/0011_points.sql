-- Points, membership and recharge (issue 15; seed 003 充值升级, 会员等级/套餐/权益, 积分体系).
--
-- Money and points move only through two append-only ledgers (points_ledger in integer points,
-- points_recharge_ledger in integer fen).  Every row has a unique idempotency key
-- (order:<no>:credit, analysis:<id>:charge, referral:<invitee>:verified, session:<id>:min:<n>,
-- lot:<id>:expire, admin keys), a reason, the delta, the balance after it and a reference (kind + id)
-- to what caused it.  points_account holds each user's balances, updated in the same transaction
-- as the row (SELECT ... FOR UPDATE on it serializes a user's movements), so reads are one row.
--
-- What the reconciliation inspector (issue 16) can check from these tables alone:
--   points_account.points       = SUM(points_ledger.delta)           for the user
--   points_account.recharge_fen = SUM(points_recharge_ledger.delta_fen) for the user
--   points_account.recharge_level = the level of recharge_fen under the configured thresholds
--   credited more than once: more than one recharge row per (ref_kind, ref_id) = ('order', no)
--   the balance_after of each row = the previous row's balance_after + delta (ordered by id)
CREATE TABLE IF NOT EXISTS points_account (
    user_id INT(11) NOT NULL PRIMARY KEY,
    points BIGINT NOT NULL DEFAULT 0,            -- = SUM(points_ledger.delta); includes unexpired lots
    recharge_fen BIGINT NOT NULL DEFAULT 0,      -- cumulative paid recharge and packages, in fen
    recharge_level TINYINT NOT NULL DEFAULT 0,   -- 0 普通 1 青铜 2 白银 3 黄金 (4 铂金 5 钻石 reserved), at the last credit
    package_until DATETIME(6) NULL,              -- the end of the last package period bought
    entries BIGINT NOT NULL DEFAULT 0,           -- = COUNT(points_ledger rows): the history's total, read in O(1)
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT points_account_points_nonneg CHECK (points >= 0),
    CONSTRAINT points_account_recharge_nonneg CHECK (recharge_fen >= 0),
    CONSTRAINT points_account_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- (The ledgers carry no foreign key to auth_user: money records outlive a deleted account, and a
-- cascade would be a DELETE the triggers below exist to refuse.)
-- The points ledger.  reason: recharge, package, referral, feedback, analysis, download, session,
-- expire, adjust.  A page of history reads (user_id, id) backwards: one index range.
CREATE TABLE IF NOT EXISTS points_ledger (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    idem_key VARCHAR(191) NOT NULL,
    reason VARCHAR(32) NOT NULL,
    delta BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    ref_kind VARCHAR(32) NOT NULL,
    ref_id VARCHAR(64) NOT NULL,
    note VARCHAR(500) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY points_ledger_key (idem_key),
    KEY points_ledger_user (user_id, id),
    KEY points_ledger_user_reason (user_id, reason, created_at),
    KEY points_ledger_ref (ref_kind, ref_id),
    CONSTRAINT points_ledger_delta_nonzero CHECK (delta <> 0),
    CONSTRAINT points_ledger_balance_nonneg CHECK (balance_after >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The money ledger: paid recharges and packages in fen (reason recharge, package, adjust).
-- balance_after_fen is the user's cumulative recharge after the row: what membership is computed from.
CREATE TABLE IF NOT EXISTS points_recharge_ledger (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    idem_key VARCHAR(191) NOT NULL,
    reason VARCHAR(32) NOT NULL,
    delta_fen BIGINT NOT NULL,
    balance_after_fen BIGINT NOT NULL,
    package VARCHAR(16) NULL,                    -- week, month, quarter; NULL for a plain recharge
    ref_kind VARCHAR(32) NOT NULL,               -- order, admin
    ref_id VARCHAR(64) NOT NULL,                 -- the order's out_trade_no, ...
    note VARCHAR(500) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY points_recharge_ledger_key (idem_key),
    KEY points_recharge_ledger_user (user_id, id),
    KEY points_recharge_ledger_ref (ref_kind, ref_id),
    CONSTRAINT points_recharge_ledger_delta_nonzero CHECK (delta_fen <> 0),
    CONSTRAINT points_recharge_ledger_balance_nonneg CHECK (balance_after_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Package periods, one per package bought: a period starts when the previous one ends (the seed's
-- "no stacking": a second week bought during the first runs after it).  The level a period grants
-- holds from starts_at to ends_at.
CREATE TABLE IF NOT EXISTS points_package_period (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    idem_key VARCHAR(191) NOT NULL,
    package VARCHAR(16) NOT NULL,
    level TINYINT NOT NULL,
    starts_at DATETIME(6) NOT NULL,
    ends_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY points_package_period_key (idem_key),
    KEY points_package_period_user (user_id, ends_at),
    CONSTRAINT points_package_period_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Points that expire (those that came with a package): what is left of each.  The only mutable part
-- of the points: a charge takes from the lot expiring first, then from the points that never expire
-- (points_account.points - SUM(remaining)); an expired lot's remainder leaves through a ledger row
-- (reason expire, key lot:<id>:expire).
CREATE TABLE IF NOT EXISTS points_lot (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    ledger_id BIGINT NOT NULL,                   -- the credit that made it
    amount BIGINT NOT NULL,
    remaining BIGINT NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY points_lot_user (user_id, expires_at),
    KEY points_lot_due (expires_at, remaining),
    CONSTRAINT points_lot_remaining CHECK (remaining >= 0 AND remaining <= amount),
    CONSTRAINT points_lot_ledger_fk FOREIGN KEY (ledger_id) REFERENCES points_ledger (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only, enforced by the database: any UPDATE or DELETE of a ledger row fails (single-statement
-- trigger bodies, so the migration needs no DELIMITER; the same text runs on MariaDB and MySQL 8).
-- Corrections are new compensating rows (zhimai-admin ledger-adjust).
DROP TRIGGER IF EXISTS points_ledger_no_update;
CREATE TRIGGER points_ledger_no_update BEFORE UPDATE ON points_ledger FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'points_ledger is append-only';
DROP TRIGGER IF EXISTS points_ledger_no_delete;
CREATE TRIGGER points_ledger_no_delete BEFORE DELETE ON points_ledger FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'points_ledger is append-only';
DROP TRIGGER IF EXISTS points_recharge_ledger_no_update;
CREATE TRIGGER points_recharge_ledger_no_update BEFORE UPDATE ON points_recharge_ledger FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'points_recharge_ledger is append-only';
DROP TRIGGER IF EXISTS points_recharge_ledger_no_delete;
CREATE TRIGGER points_recharge_ledger_no_delete BEFORE DELETE ON points_recharge_ledger FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'points_recharge_ledger is append-only';
