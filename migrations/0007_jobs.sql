-- Jobs, applications and the HR <-> job-seeker sync (issue 12, seeds 000 and 002).
--
-- Source of truth: jobs_jobposition (HR writes), jobs_application (both sides write).  Each write
-- appends a row to jobs_syncevent in the same transaction (an outbox); the jobs.sync task applies
-- them to the other side's read model (jobs_openjob + jobs_jobterm for seekers' search,
-- jobs_seekerapplication for seekers' lists, jobs_candidateresume for HR's view of resumes) and
-- stamps last_synced.  Django conventions: <app>_<model>, INT(11) ids, DATETIME(6), JSON lists in
-- LONGTEXT (what Django's JSONField makes on MariaDB).
CREATE TABLE IF NOT EXISTS jobs_jobposition (
    id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    company VARCHAR(200) NOT NULL,
    city VARCHAR(100) NOT NULL DEFAULT '',
    salary VARCHAR(50) NOT NULL DEFAULT '',
    salary_min INT NULL,           -- k/月, parsed from salary
    salary_max INT NULL,
    education VARCHAR(50) NOT NULL DEFAULT '',
    years_of_working VARCHAR(50) NOT NULL DEFAULT '',
    language VARCHAR(50) NOT NULL DEFAULT '',
    responsibilities LONGTEXT NOT NULL,   -- JSON array of strings
    requirements LONGTEXT NOT NULL,       -- JSON array of strings
    description LONGTEXT NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'draft',  -- draft, open, closed; deleted (kept for applications)
    owner_id INT(11) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    last_synced DATETIME(6) NULL,
    KEY jobs_jobposition_owner_created (owner_id, created_at),
    KEY jobs_jobposition_status (status),
    CONSTRAINT jobs_jobposition_owner_id_fk_auth_user_id FOREIGN KEY (owner_id) REFERENCES auth_user (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One application per (user, job), decided by the unique key.  The resume version applied with is
-- a snapshot: its id, the resume's name then, and its extracted text then.
CREATE TABLE IF NOT EXISTS jobs_application (
    id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
    job_id INT(11) NOT NULL,
    user_id INT(11) NOT NULL,
    resume_id CHAR(32) NOT NULL,
    resume_version_id CHAR(32) NOT NULL,
    resume_name VARCHAR(255) NOT NULL,
    resume_file_name VARCHAR(255) NOT NULL,
    resume_text LONGTEXT NULL,
    status VARCHAR(16) NOT NULL,   -- submitted, viewed, interviewing, offered, rejected, withdrawn, closed
    close_reason VARCHAR(200) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    last_synced DATETIME(6) NULL,
    UNIQUE KEY jobs_application_user_id_job_id_uniq (user_id, job_id),
    KEY jobs_application_job_created (job_id, created_at),
    CONSTRAINT jobs_application_job_id_fk_jobs_jobposition_id FOREIGN KEY (job_id) REFERENCES jobs_jobposition (id)
        ON DELETE CASCADE,
    CONSTRAINT jobs_application_user_id_fk_auth_user_id FOREIGN KEY (user_id) REFERENCES auth_user (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every attempt to change an application's status, refused ones too (a race's loser is logged).
CREATE TABLE IF NOT EXISTS jobs_applicationlog (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    application_id INT(11) NOT NULL,
    actor_id INT(11) NOT NULL,
    from_status VARCHAR(16) NULL,
    to_status VARCHAR(16) NOT NULL,
    outcome VARCHAR(16) NOT NULL,   -- applied, refused
    created_at DATETIME(6) NOT NULL,
    KEY jobs_applicationlog_app (application_id, id),
    CONSTRAINT jobs_applicationlog_app_fk FOREIGN KEY (application_id) REFERENCES jobs_application (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The outbox.  entity: job, application, user; status: pending, applied, dead (dead-letter).
-- owner_id: the HR user whose data it is (NULL: admins only), for the scoped dashboard and logs.
CREATE TABLE IF NOT EXISTS jobs_syncevent (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    entity VARCHAR(16) NOT NULL,
    entity_id INT(11) NOT NULL,
    action VARCHAR(16) NOT NULL,    -- create, update, close, delete, status, withdraw, resync
    payload LONGTEXT NOT NULL,
    owner_id INT(11) NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'pending',
    attempts INT NOT NULL DEFAULT 0,
    error VARCHAR(500) NULL,
    created_at DATETIME(6) NOT NULL,
    applied_at DATETIME(6) NULL,
    KEY jobs_syncevent_entity (entity, entity_id, status, id),
    KEY jobs_syncevent_status (status, id),
    KEY jobs_syncevent_owner (owner_id, id),
    KEY jobs_syncevent_applied (applied_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Seeker-side read model: open jobs only, as the sync engine last applied them.
CREATE TABLE IF NOT EXISTS jobs_openjob (
    job_id INT(11) NOT NULL PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    company VARCHAR(200) NOT NULL,
    city VARCHAR(100) NOT NULL,
    salary VARCHAR(50) NOT NULL,
    salary_min INT NULL,
    salary_max INT NULL,
    education VARCHAR(50) NOT NULL,
    years_of_working VARCHAR(50) NOT NULL,
    language VARCHAR(50) NOT NULL,
    responsibilities LONGTEXT NOT NULL,
    requirements LONGTEXT NOT NULL,
    description LONGTEXT NOT NULL,
    published_at DATETIME(6) NOT NULL,
    synced_at DATETIME(6) NOT NULL,
    KEY jobs_openjob_published (published_at, job_id),
    KEY jobs_openjob_city (city, published_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The search index over jobs_openjob: Chinese character bigrams (and single characters), English
-- words in lower case; weight sums the fields a term occurs in (name counts most).
CREATE TABLE IF NOT EXISTS jobs_jobterm (
    term VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    job_id INT(11) NOT NULL,
    weight INT NOT NULL,
    PRIMARY KEY (term, job_id),
    KEY jobs_jobterm_job (job_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Seeker-side read model of their applications.
CREATE TABLE IF NOT EXISTS jobs_seekerapplication (
    application_id INT(11) NOT NULL PRIMARY KEY,
    user_id INT(11) NOT NULL,
    job_id INT(11) NOT NULL,
    job_name VARCHAR(200) NOT NULL,
    company VARCHAR(200) NOT NULL,
    city VARCHAR(100) NOT NULL,
    salary VARCHAR(50) NOT NULL,
    resume_id CHAR(32) NOT NULL,
    status VARCHAR(16) NOT NULL,
    close_reason VARCHAR(200) NULL,
    applied_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    synced_at DATETIME(6) NOT NULL,
    KEY jobs_seekerapplication_user (user_id, applied_at),
    KEY jobs_seekerapplication_job (job_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- HR-side read model of applicants' resumes: the latest version, so HR sees "resume updated".
CREATE TABLE IF NOT EXISTS jobs_candidateresume (
    resume_id CHAR(32) NOT NULL PRIMARY KEY,
    user_id INT(11) NOT NULL,
    name VARCHAR(255) NOT NULL,
    latest_version_id CHAR(32) NULL,
    latest_at DATETIME(6) NULL,
    synced_at DATETIME(6) NOT NULL,
    KEY jobs_candidateresume_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- User.cv_last_synced of the seed: when the HR side last reflected the user's resumes.
CREATE TABLE IF NOT EXISTS jobs_candidate (
    user_id INT(11) NOT NULL PRIMARY KEY,
    cv_last_synced DATETIME(6) NULL,
    CONSTRAINT jobs_candidate_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- 找工作: each search a user makes; effective once a job view or an application follows it.
CREATE TABLE IF NOT EXISTS jobs_searchsession (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    query VARCHAR(200) NOT NULL,
    filters LONGTEXT NOT NULL,
    results INT NOT NULL DEFAULT 0,
    effective TINYINT(1) NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL,
    KEY jobs_searchsession_user (user_id, id),
    CONSTRAINT jobs_searchsession_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The message center's notifications (issue: message center surfaces them); jobs writes the first.
CREATE TABLE IF NOT EXISTS notifications_notification (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    kind VARCHAR(32) NOT NULL,
    title VARCHAR(200) NOT NULL,
    body LONGTEXT NOT NULL,
    data LONGTEXT NOT NULL,
    is_read TINYINT(1) NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL,
    KEY notifications_notification_user (user_id, is_read, id),
    CONSTRAINT notifications_notification_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
