-- Accounts.  Django's own tables, exactly as Django 3.2's migrations create them on
-- MySQL (contenttypes 0001-0002, auth 0001-0012), so a Django project on this database
-- runs `migrate --fake-initial` and its auth app, admin and createsuperuser just work.
CREATE TABLE IF NOT EXISTS django_content_type (
    id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
    app_label VARCHAR(100) NOT NULL,
    model VARCHAR(100) NOT NULL,
    UNIQUE KEY django_content_type_app_label_model_76bd3d3b_uniq (app_label, model)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS auth_permission (
    id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    content_type_id INT(11) NOT NULL,
    codename VARCHAR(100) NOT NULL,
    UNIQUE KEY auth_permission_content_type_id_codename_01ab375a_uniq (content_type_id, codename),
    CONSTRAINT auth_permission_content_type_id_2f476e4b_fk_django_co
        FOREIGN KEY (content_type_id) REFERENCES django_content_type (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS auth_group (
    id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(150) NOT NULL,
    UNIQUE KEY name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS auth_group_permissions (
    id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
    group_id INT(11) NOT NULL,
    permission_id INT(11) NOT NULL,
    UNIQUE KEY auth_group_permissions_group_id_permission_id_0cd325b0_uniq (group_id, permission_id),
    KEY auth_group_permissio_permission_id_84c5c92e_fk_auth_perm (permission_id),
    CONSTRAINT auth_group_permissio_permission_id_84c5c92e_fk_auth_perm
        FOREIGN KEY (permission_id) REFERENCES auth_permission (id),
    CONSTRAINT auth_group_permissions_group_id_b120cbf9_fk_auth_group_id
        FOREIGN KEY (group_id) REFERENCES auth_group (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS auth_user (
    id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
    password VARCHAR(128) NOT NULL,
    last_login DATETIME(6) NULL,
    is_superuser TINYINT(1) NOT NULL,
    username VARCHAR(150) NOT NULL,
    first_name VARCHAR(150) NOT NULL,
    last_name VARCHAR(150) NOT NULL,
    email VARCHAR(254) NOT NULL,
    is_staff TINYINT(1) NOT NULL,
    is_active TINYINT(1) NOT NULL,
    date_joined DATETIME(6) NOT NULL,
    UNIQUE KEY username (username),
    KEY zm_auth_user_email (email)  -- ours: login looks users up by email
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS auth_user_groups (
    id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    group_id INT(11) NOT NULL,
    UNIQUE KEY auth_user_groups_user_id_group_id_94350c0c_uniq (user_id, group_id),
    KEY auth_user_groups_group_id_97559544_fk_auth_group_id (group_id),
    CONSTRAINT auth_user_groups_group_id_97559544_fk_auth_group_id FOREIGN KEY (group_id) REFERENCES auth_group (id),
    CONSTRAINT auth_user_groups_user_id_6a12ed8b_fk_auth_user_id FOREIGN KEY (user_id) REFERENCES auth_user (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS auth_user_user_permissions (
    id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    permission_id INT(11) NOT NULL,
    UNIQUE KEY auth_user_user_permissions_user_id_permission_id_14a6b632_uniq (user_id, permission_id),
    KEY auth_user_user_permi_permission_id_1fbb5f2c_fk_auth_perm (permission_id),
    CONSTRAINT auth_user_user_permi_permission_id_1fbb5f2c_fk_auth_perm
        FOREIGN KEY (permission_id) REFERENCES auth_permission (id),
    CONSTRAINT auth_user_user_permissions_user_id_a95ead1b_fk_auth_user_id
        FOREIGN KEY (user_id) REFERENCES auth_user (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- djangorestframework-simplejwt's token_blacklist app (migrations 0001-0012)
CREATE TABLE IF NOT EXISTS token_blacklist_outstandingtoken (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    token LONGTEXT NOT NULL,
    created_at DATETIME(6) NULL,
    expires_at DATETIME(6) NOT NULL,
    user_id INT(11) NULL,
    jti VARCHAR(255) NOT NULL,
    UNIQUE KEY token_blacklist_outstandingtoken_jti_hex_d9bdf6f7_uniq (jti),
    KEY token_blacklist_outs_user_id_83bc629a_fk_auth_user (user_id),
    CONSTRAINT token_blacklist_outs_user_id_83bc629a_fk_auth_user FOREIGN KEY (user_id) REFERENCES auth_user (id)
        ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS token_blacklist_blacklistedtoken (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    blacklisted_at DATETIME(6) NOT NULL,
    token_id BIGINT NOT NULL,
    UNIQUE KEY token_id (token_id),
    CONSTRAINT token_blacklist_blacklistedtoken_token_id_3cc7fe56_fk FOREIGN KEY (token_id)
        REFERENCES token_blacklist_outstandingtoken (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What Django's user lacks: role, company, invitations, email verification.
-- Django ignores this table; deleting a user in Django's admin deletes the profile too.
CREATE TABLE IF NOT EXISTS zm_user_profile (
    user_id INT(11) NOT NULL PRIMARY KEY,
    role VARCHAR(16) NOT NULL DEFAULT 'seeker',   -- seeker, hr, admin
    company VARCHAR(200) NOT NULL DEFAULT '',
    invite_code VARCHAR(16) NOT NULL,
    invited_by_id INT(11) NULL,
    email_verified TINYINT(1) NOT NULL DEFAULT 0,
    email_key VARCHAR(254) NULL,                  -- lower-cased email: one account per address
    tokens_valid_after DATETIME(6) NULL,          -- access tokens issued before this are refused
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY zm_user_profile_invite_code (invite_code),
    UNIQUE KEY zm_user_profile_email_key (email_key),
    KEY zm_user_profile_invited_by (invited_by_id),
    CONSTRAINT zm_user_profile_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE,
    CONSTRAINT zm_user_profile_inviter_fk FOREIGN KEY (invited_by_id) REFERENCES auth_user (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Email verification and password reset tokens: only a SHA-256 of the token is stored.
CREATE TABLE IF NOT EXISTS zm_user_token (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    purpose VARCHAR(16) NOT NULL,                 -- verify, reset
    token_hash CHAR(64) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    used_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY zm_user_token_hash (token_hash),
    KEY zm_user_token_user (user_id, purpose),
    KEY zm_user_token_expires (expires_at),
    CONSTRAINT zm_user_token_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Fixed-window counters for abuse limits, shared by every worker and host.
CREATE TABLE IF NOT EXISTS zm_rate_limit (
    bucket VARCHAR(191) NOT NULL,
    window_start BIGINT NOT NULL,                 -- unix seconds, a multiple of the window
    hits INT NOT NULL,
    PRIMARY KEY (bucket, window_start),
    KEY zm_rate_limit_window (window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
