-- Content (issue 17 items 4, 5, 7): the classic question bank, workplace news (职场动态) and the
-- users' calendar events (仪表盘 添加事件) with gold members' e-mail reminders.

-- 经典题库.  bank_key is the SHA-256 (hex) of a question the analyzer ships in its
-- questions.tsv: the loader (content.load_questions) inserts each once, race-free by the unique key,
-- and never overwrites a row an admin edited.  Questions admins add have no bank_key.
-- outline: the answer outline, one point a line.
CREATE TABLE IF NOT EXISTS content_question (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    bank_key CHAR(64) CHARACTER SET ascii NULL,
    category VARCHAR(16) NOT NULL,          -- technical | project | behavioral | hr
    tag VARCHAR(64) NOT NULL DEFAULT '',    -- a skill ("Python"), '' for none
    question VARCHAR(1000) NOT NULL,
    why VARCHAR(1000) NOT NULL DEFAULT '',
    outline TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY content_question_bank (bank_key),
    KEY content_question_category (category, id),
    KEY content_question_tag (tag, id),
    CONSTRAINT content_question_cat CHECK (category IN ('technical', 'project', 'behavioral', 'hr'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 职场动态.  One row a URL: url_sha (SHA-256 hex of the URL) is unique, so an import that meets a
-- URL already stored (by an admin, an earlier import, or a parallel one) skips it.
-- tags: a JSON array of strings, as the API takes and gives it.
CREATE TABLE IF NOT EXISTS content_news (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    url VARCHAR(2048) NOT NULL,
    url_sha CHAR(64) CHARACTER SET ascii NOT NULL,
    title VARCHAR(300) NOT NULL,
    source VARCHAR(100) NOT NULL DEFAULT '',
    summary VARCHAR(2000) NOT NULL DEFAULT '',
    tags VARCHAR(1000) NOT NULL DEFAULT '[]',
    origin VARCHAR(8) NOT NULL DEFAULT 'admin',  -- admin | feed
    published_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY content_news_url (url_sha),
    KEY content_news_published (published_at, id),
    CONSTRAINT content_news_origin CHECK (origin IN ('admin', 'feed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The feed import's schedule: one row; content.news_import claims a run by moving last_run_at
-- forward (an UPDATE whose affected rows say who won), so one import runs per interval fleet-wide.
CREATE TABLE IF NOT EXISTS content_feed_state (
    id TINYINT NOT NULL PRIMARY KEY,
    last_run_at DATETIME(6) NULL,
    last_result VARCHAR(500) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO content_feed_state (id) SELECT 1 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM content_feed_state WHERE id = 1);

-- 添加事件: a user's own calendar items.  remind_at = starts_at - remind_before_minutes (NULL: no
-- reminder).  content.remind claims each due row with UPDATE ... SET reminded_at WHERE reminded_at IS
-- NULL (affected rows 1 wins) in the transaction that queues its mail, so each arming sends once;
-- changing starts_at or the lead time sets reminded_at back to NULL (re-armed).
-- remind_state: sent | not_member (not 黄金会员 when due) | late (due only after the start).
CREATE TABLE IF NOT EXISTS content_event (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    title VARCHAR(200) NOT NULL,
    kind VARCHAR(16) NOT NULL,              -- interview | deadline | other
    starts_at DATETIME(6) NOT NULL,
    notes VARCHAR(2000) NOT NULL DEFAULT '',
    remind_before_minutes INT NULL,
    remind_at DATETIME(6) NULL,
    reminded_at DATETIME(6) NULL,
    remind_state VARCHAR(16) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    KEY content_event_user (user_id, starts_at, id),
    KEY content_event_due (reminded_at, remind_at),
    CONSTRAINT content_event_kind CHECK (kind IN ('interview', 'deadline', 'other')),
    CONSTRAINT content_event_lead CHECK (remind_before_minutes IS NULL OR remind_before_minutes BETWEEN 0 AND 40320),
    CONSTRAINT content_event_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
