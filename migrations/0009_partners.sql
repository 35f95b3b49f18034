-- Practice partners (MockPal, seed 004): profiles, the pairs (the seed's `matches`) and the
-- views that count toward the daily limit (the seed's `user_daily_views`).  Django conventions:
-- app "partners", tables <app>_<model>, DateTimeField -> datetime(6), ForeignKey -> <name>_id.
CREATE TABLE IF NOT EXISTS partners_profile (
    -- OneToOneField(User, primary_key=True): only users with a row here take part
    user_id INT(11) NOT NULL PRIMARY KEY,
    experience_level VARCHAR(10) NOT NULL,   -- 应届, 1-3年, 3-5年, 5年以上
    job_type VARCHAR(2) NOT NULL,            -- DA, DS, DE, BA
    technical_interview TINYINT(1) NOT NULL,
    behavioral_interview TINYINT(1) NOT NULL,
    case_analysis TINYINT(1) NOT NULL,
    stats_questions TINYINT(1) NOT NULL,
    contact_email VARCHAR(254) NOT NULL,
    contact_wechat VARCHAR(64) NOT NULL,
    contact_linkedin VARCHAR(200) NOT NULL,
    target_companies LONGTEXT NOT NULL,      -- JSON array of strings
    industry VARCHAR(100) NOT NULL,
    school VARCHAR(100) NOT NULL,
    intro VARCHAR(500) NOT NULL,
    is_active TINYINT(1) NOT NULL,
    -- the order inside a tier: most recently active first (a profile save or an action)
    last_active_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    KEY partners_profile_active_recent (is_active, last_active_at, user_id),
    CONSTRAINT partners_profile_user_id_fk_auth_user_id FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per unordered pair: user1 is whoever acted first (the initiator), user2 the receiver.
-- user_low/user_high are the pair in canonical order; their unique key is what makes (a,b) and
-- (b,a) impossible together, so two concurrent mutual likes end as one accepted row.
CREATE TABLE IF NOT EXISTS partners_match (
    id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user1_id INT(11) NOT NULL,
    user2_id INT(11) NOT NULL,
    action_type VARCHAR(20) NULL,                          -- like, dislike
    status VARCHAR(50) NOT NULL DEFAULT 'pending',         -- pending, accepted, rejected
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    user_low INT(11) GENERATED ALWAYS AS (LEAST(user1_id, user2_id)) STORED,
    user_high INT(11) GENERATED ALWAYS AS (GREATEST(user1_id, user2_id)) STORED,
    UNIQUE KEY partners_match_pair_uniq (user_low, user_high),
    KEY partners_match_user2_status (user2_id, status),
    KEY partners_match_user1_status (user1_id, status),
    CONSTRAINT partners_match_user1_id_fk_auth_user_id FOREIGN KEY (user1_id) REFERENCES auth_user (id) ON DELETE CASCADE,
    CONSTRAINT partners_match_user2_id_fk_auth_user_id FOREIGN KEY (user2_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every like, dislike and answer to an invitation is one row: the count of a user's rows on one
-- America/New_York calendar date is the daily count.  slot 1..4 with the unique key below means the
-- database itself refuses a 5th row for a user and date, whatever runs concurrently.
CREATE TABLE IF NOT EXISTS partners_userdailyview (
    id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    viewed_user_id INT(11) NOT NULL,
    date VARCHAR(10) NOT NULL,               -- YYYY-MM-DD in America/New_York
    slot TINYINT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY partners_userdailyview_slot_uniq (user_id, date, slot),
    KEY partners_userdailyview_user_viewed (user_id, viewed_user_id),
    CONSTRAINT partners_userdailyview_slot_range CHECK (slot BETWEEN 1 AND 4),
    CONSTRAINT partners_userdailyview_user_id_fk_auth_user_id FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE,
    CONSTRAINT partners_userdailyview_viewed_fk_auth_user_id FOREIGN KEY (viewed_user_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
