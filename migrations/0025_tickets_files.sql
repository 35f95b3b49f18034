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
