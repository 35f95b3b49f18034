-- Issue 17, two additions: the files users attach to feedback and tickets, and per-feature sessions.
--
-- Files users attach (issue 17 items 2 and 3): a feedback's screenshot and a ticket's (or a reply's)
-- attachments, through the upload machinery: the bytes in the storage (fcgi/services/storage.h) under
-- storage_key, the type decided by the content (filetype.h) and served as stored, as an attachment.
-- Exactly one of feedback_id / ticket_id is set; reply_id too when the file came with a reply.
CREATE TABLE IF NOT EXISTS tickets_file (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,                     -- who uploaded it (the owner or a staff member)
    feedback_id BIGINT NULL,
    ticket_id BIGINT NULL,
    reply_id BIGINT NULL,
    file_name VARCHAR(255) NOT NULL,              -- sanitized (ft_sanitize_name)
    content_type VARCHAR(100) NOT NULL,           -- from the content (ft_sniff_image / ft_sniff)
    size INT NOT NULL,
    storage_key VARCHAR(300) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY tickets_file_feedback (feedback_id),
    KEY tickets_file_ticket (ticket_id, id),
    CONSTRAINT tickets_file_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE,
    CONSTRAINT tickets_file_feedback_fk FOREIGN KEY (feedback_id) REFERENCES tickets_feedback (id) ON DELETE CASCADE,
    CONSTRAINT tickets_file_ticket_fk FOREIGN KEY (ticket_id) REFERENCES tickets_ticket (id) ON DELETE CASCADE,
    CONSTRAINT tickets_file_reply_fk FOREIGN KEY (reply_id) REFERENCES tickets_reply (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Time spent per core feature (issue 17 item 6, the seed's 待办 "average session length per core
-- feature"): a user's session in a feature is a run of authenticated requests to its endpoints
-- (fcgi/stats/sessions.c maps route patterns to features) with gaps under 30 minutes, cut at local
-- midnight; one row a session, extended in place (last_at) at most about once a minute.  The daily
-- rollup stats_daily keeps sess_n_<feature> (sessions started that day) and sess_s_<feature> (their
-- seconds, last_at - started_at), written in the same transaction as the row.
CREATE TABLE IF NOT EXISTS stats_session (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    feature VARCHAR(16) NOT NULL,                 -- diagnosis, interview, job_search, resumes, suggestions, mock_interview
    started_at DATETIME NOT NULL,                 -- UTC
    last_at DATETIME NOT NULL,
    KEY stats_session_user (user_id, feature, id),
    CONSTRAINT stats_session_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
