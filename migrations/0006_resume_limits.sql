-- Per-user resume limits (resumes.quota_bytes, max_resumes, max_versions).  Every upload locks its
-- user's row here (SELECT ... FOR UPDATE) in the transaction that inserts the version, then counts
-- the user's resumes, versions and bytes from their rows: two uploads of one user pass that check
-- one after the other, never both on the same count.  The usage itself is not stored, so a delete
-- (ours, a cascade, Django's admin) frees quota at once and there is no counter to drift.
-- Rows are made on a user's first upload (INSERT IGNORE); they go with the user.
CREATE TABLE IF NOT EXISTS zm_resume_usage (
    user_id INT(11) NOT NULL PRIMARY KEY,
    CONSTRAINT zm_resume_usage_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
