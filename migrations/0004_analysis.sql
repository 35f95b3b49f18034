-- AI suggestions: the seed's Django models (api.Suggestion, api.SuggestionFeedback) as Django 3.2
-- creates them on MySQL (FloatField -> double, BooleanField -> tinyint(1)).
CREATE TABLE IF NOT EXISTS api_suggestion (
    id CHAR(32) NOT NULL PRIMARY KEY,
    user_id VARCHAR(36) NOT NULL,
    resume_id VARCHAR(36) NOT NULL,
    job_description LONGTEXT NOT NULL,
    score DOUBLE NOT NULL,
    feedback LONGTEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY api_suggest_user_id_1f1a2b_idx (user_id),
    KEY api_suggest_resume__5c3d4e_idx (resume_id),
    KEY zm_api_suggestion_user_created (user_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS api_suggestionfeedback (
    id CHAR(32) NOT NULL PRIMARY KEY,
    is_helpful TINYINT(1) NOT NULL,
    comment LONGTEXT NULL,
    created_at DATETIME(6) NOT NULL,
    suggestion_id CHAR(32) NOT NULL,
    KEY api_suggestionfeedback_suggestion_id_7e5f6a_fk (suggestion_id),
    CONSTRAINT api_suggestionfeedback_suggestion_id_7e5f6a_fk_api_suggestion_id
        FOREIGN KEY (suggestion_id) REFERENCES api_suggestion (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The structured result behind a suggestion (Django's feedback column holds its text form).
CREATE TABLE IF NOT EXISTS zm_suggestion_detail (
    suggestion_id CHAR(32) NOT NULL PRIMARY KEY,
    provider VARCHAR(32) NOT NULL,
    model VARCHAR(128) NOT NULL,
    result JSON NOT NULL,
    prompt_tokens INT NOT NULL DEFAULT 0,
    completion_tokens INT NOT NULL DEFAULT 0,
    CONSTRAINT zm_suggestion_detail_fk FOREIGN KEY (suggestion_id) REFERENCES api_suggestion (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Resume diagnoses and interview question predictions: asynchronous, stored with their history.
CREATE TABLE IF NOT EXISTS zm_analysis (
    id CHAR(32) NOT NULL PRIMARY KEY,
    user_id INT(11) NOT NULL,
    kind VARCHAR(16) NOT NULL,                    -- diagnosis, interview
    resume_id CHAR(32) NOT NULL,
    version_id CHAR(32) NOT NULL,
    target_role VARCHAR(100) NULL,
    job_description LONGTEXT NULL,
    question_count INT NOT NULL DEFAULT 0,
    state VARCHAR(16) NOT NULL DEFAULT 'pending', -- pending, done, failed
    task_id BIGINT NULL,
    provider VARCHAR(32) NULL,
    model VARCHAR(128) NULL,
    score INT NULL,
    result JSON NULL,
    error VARCHAR(500) NULL,
    created_at DATETIME(6) NOT NULL,
    finished_at DATETIME(6) NULL,
    KEY zm_analysis_user_kind (user_id, kind, created_at),
    KEY zm_analysis_task (task_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
