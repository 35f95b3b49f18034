-- Feedback (意见收集) and work orders (工单), issue 17 items 2 and 3 (fcgi/tickets/).

-- 意见收集: a user's suggestion or complaint; admins adopt it (the ledger credits the
-- points once, key feedback:<id>:adopt) or decline it, with a reply.  A review moves
-- status from 'pending' once: the row is locked FOR UPDATE while it is decided.
CREATE TABLE IF NOT EXISTS tickets_feedback (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    category VARCHAR(16) NOT NULL,               -- suggestion | bug | content | other
    body TEXT NOT NULL,
    status VARCHAR(12) NOT NULL DEFAULT 'pending', -- pending | adopted | declined
    reply TEXT NOT NULL,
    reviewer_id INT(11) NULL,
    points_awarded INT NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL,
    reviewed_at DATETIME(6) NULL,
    KEY tickets_feedback_user (user_id, id),
    KEY tickets_feedback_status (status, id),
    CONSTRAINT tickets_feedback_st CHECK (status IN ('pending', 'adopted', 'declined'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 工单.  first_response_due: created_at + tickets.first_response_hours_<priority> (the SLA
-- clock staff see); first_response_at: the first staff reply.  done_at: when it last became
-- resolved or closed (the owner may reopen within 7 days of it).
CREATE TABLE IF NOT EXISTS tickets_ticket (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    category VARCHAR(16) NOT NULL,               -- account | payment | technical | other
    subject VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'open',  -- open | in_progress | waiting_user | resolved | closed
    priority VARCHAR(8) NOT NULL DEFAULT 'normal', -- low | normal | high | urgent
    assignee_id INT(11) NULL,
    first_response_due DATETIME(6) NOT NULL,
    first_response_at DATETIME(6) NULL,
    done_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    KEY tickets_ticket_user (user_id, id),
    KEY tickets_ticket_status (status, id),
    KEY tickets_ticket_assignee (assignee_id, id),
    CONSTRAINT tickets_ticket_st CHECK (status IN ('open', 'in_progress', 'waiting_user', 'resolved', 'closed')),
    CONSTRAINT tickets_ticket_pr CHECK (priority IN ('low', 'normal', 'high', 'urgent'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The thread: the owner's and staff's replies, oldest first.
CREATE TABLE IF NOT EXISTS tickets_reply (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ticket_id BIGINT NOT NULL,
    author_id INT(11) NOT NULL,
    staff TINYINT(1) NOT NULL,
    body TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY tickets_reply_ticket (ticket_id, id),
    CONSTRAINT tickets_reply_ticket_fk FOREIGN KEY (ticket_id) REFERENCES tickets_ticket (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
