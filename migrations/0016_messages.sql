-- The message center (issue 17, item 1): messages to one user, to a role, or to everyone, written by
-- msg_send() (fcgi/messages/messages.h) for every domain and by the admins' 消息发布.
--
-- A message to a role or to everyone is ONE row (audience 'role' / 'all', user_id NULL); what a
-- user has read is per user: a row in messages_read for each message read one by one, and a
-- watermark (messages_watermark.read_upto) for "read all": every message of theirs with an id up to
-- it is read, whatever its audience, so marking all read writes one row, not one per broadcast.
-- Broadcasts reach the users who had joined when they were sent (auth_user.date_joined).
CREATE TABLE IF NOT EXISTS messages_message (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    audience VARCHAR(8) NOT NULL,                 -- user, role, all
    user_id INT(11) NULL,                         -- audience 'user': the addressee
    role VARCHAR(16) NOT NULL DEFAULT '',         -- audience 'role': seeker, hr, admin
    kind VARCHAR(32) NOT NULL,                    -- application.status, match.invite, admin.post, ...
    title VARCHAR(200) NOT NULL,
    body MEDIUMTEXT NOT NULL,                     -- Markdown (the SPA renders it without raw HTML)
    data LONGTEXT NOT NULL,                       -- a JSON object for the page ({} when none)
    sender_id INT(11) NULL,                       -- the admin who posted it; NULL for the system
    created_at DATETIME(6) NOT NULL,
    KEY messages_message_user (user_id, id),
    KEY messages_message_audience (audience, role, id, created_at), -- covers the broadcast ranges a reader walks
    CONSTRAINT messages_message_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE,
    CONSTRAINT messages_message_sender_fk FOREIGN KEY (sender_id) REFERENCES auth_user (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS messages_read (
    user_id INT(11) NOT NULL,
    message_id BIGINT NOT NULL,
    read_at DATETIME(6) NOT NULL,
    PRIMARY KEY (user_id, message_id),
    KEY messages_read_message (message_id),
    CONSTRAINT messages_read_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE,
    CONSTRAINT messages_read_message_fk FOREIGN KEY (message_id) REFERENCES messages_message (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS messages_watermark (
    user_id INT(11) NOT NULL PRIMARY KEY,
    read_upto BIGINT NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT messages_watermark_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The notifications jobs (0007) and matching (0014) wrote directly become messages to their user,
-- keeping their ids; the read ones get their read row.  Jobs' kinds take the message center's
-- dotted names.  Then the old table goes: msg_send() is the one writer now.
INSERT INTO messages_message (id, audience, user_id, role, kind, title, body, data, sender_id, created_at)
SELECT id, 'user', user_id, '',
       CASE kind WHEN 'application_status' THEN 'application.status'
                 WHEN 'application_closed' THEN 'application.closed' ELSE kind END,
       title, body, CASE WHEN data = '' THEN '{}' ELSE data END, NULL, created_at
FROM notifications_notification;

INSERT INTO messages_read (user_id, message_id, read_at)
SELECT user_id, id, created_at FROM notifications_notification WHERE is_read = 1;

DROP TABLE notifications_notification;
