-- Accounts hardening: revocation to the token, and logout of one session.
--
-- token_generation: every token issued here carries it as its "gen" claim; a password change or
-- reset and a deactivation add one, which ends all the user's tokens at once, including those issued
-- in the same second (iat has whole seconds only).  tokens_valid_after stays, for tokens without the
-- claim (a Django project's on the same key): they are refused when issued at or before its second.
ALTER TABLE zm_user_profile
    ADD COLUMN token_generation BIGINT NOT NULL DEFAULT 0 AFTER tokens_valid_after;

-- Access tokens ended one at a time (a logout), until they would have expired anyway.  The
-- per-worker user cache holds a user's live ones, so checking them costs no query per request.
CREATE TABLE IF NOT EXISTS zm_revoked_access (
    jti CHAR(32) NOT NULL PRIMARY KEY,
    user_id INT(11) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    revoked_at DATETIME(6) NOT NULL,
    KEY zm_revoked_access_user (user_id, expires_at),
    KEY zm_revoked_access_expires (expires_at),
    CONSTRAINT zm_revoked_access_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Stored email addresses are rewritten to their normal form (NFKC, lower case, trimmed) by
-- zhimai-migrate itself just before this file runs: SQL has no NFKC.
