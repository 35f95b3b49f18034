-- Statistics (issue 17 items 4 and 6): daily and per-user monthly rollups kept by stats_record() in the
-- writer's own transaction, so every answer reads a few rows whatever the history; the heartbeat's
-- tables (online now, active days) are sources themselves.  The stats.rebuild task recomputes the
-- rollups from the source tables (backfill).  A day is a local calendar day (stats.utc_offset_min).

-- One counter per metric and day: new_users, invited_users, revenue_fen, payments, paying_users,
-- active_users, active_minutes, the usage metrics (search, search_effective, diagnosis, interview,
-- mock_interview, application), and retained_d1/d7/d30 keyed by the registration (cohort) day.
CREATE TABLE IF NOT EXISTS stats_daily (
    metric VARCHAR(32) NOT NULL,
    day DATE NOT NULL,
    value BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (metric, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The dashboard's numbers (GET /api/v1/monthly-stats): a user's usage metrics a month (month = its first day).
CREATE TABLE IF NOT EXISTS stats_user_monthly (
    user_id INT(11) NOT NULL,
    month DATE NOT NULL,
    metric VARCHAR(32) NOT NULL,
    value BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, month, metric)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Who has paid: the row's insert is what makes a user a paying user, once (the primary key decides
-- between two concurrent first payments).
CREATE TABLE IF NOT EXISTS stats_payer (
    user_id INT(11) NOT NULL PRIMARY KEY,
    first_day DATE NOT NULL,
    payments INT NOT NULL DEFAULT 1
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The heartbeat: a user's last authenticated request, written at most about once a minute.
-- Online now = the rows seen in the last 5 minutes (a range of the last_seen index).
CREATE TABLE IF NOT EXISTS stats_online (
    user_id INT(11) NOT NULL PRIMARY KEY,
    last_seen DATETIME NOT NULL,
    KEY stats_online_seen (last_seen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A user's active days and the minutes with a request on each: the source of active_users,
-- active_minutes and retention.
CREATE TABLE IF NOT EXISTS stats_active (
    day DATE NOT NULL,
    user_id INT(11) NOT NULL,
    minutes INT NOT NULL DEFAULT 1,
    PRIMARY KEY (day, user_id),
    KEY stats_active_user (user_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
