-- Job <-> resume matching (issue 13, seed 000's match module).
--
-- A seeker's job-seeking status (求职状态): the original match module's four values; the first three
-- make the seeker discoverable (their latest extracted resume enters HR's matching).  The default is
-- the fourth, not discoverable, until the seeker opts in.
ALTER TABLE zm_user_profile
    ADD COLUMN job_status VARCHAR(20) NOT NULL DEFAULT '在职，暂无跳槽打算' AFTER company;

-- Each resume's features, from its latest extracted version (fcgi/analysis/features.c): head is
-- what every run reads (education, years, skill ids: a few dozen bytes), so the scanned rows stay
-- small and the table's clustered index fits in memory; the term vector is in its own table, read
-- only for the candidates whose place the similarity component can still change.  feat_version is
-- the format and the dictionary's version: other versions are rebuilt by the matching.features
-- task.  id is the scan key: stable and ascending, a run's checkpoint.
CREATE TABLE IF NOT EXISTS match_resume_features (
    id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
    resume_id CHAR(32) NOT NULL,
    version_id CHAR(32) NOT NULL,
    user_id INT(11) NOT NULL,
    feat_version BIGINT NOT NULL,
    head VARBINARY(4200) NOT NULL,     -- at most AN_HEAD_MAX bytes
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY match_resume_features_resume (resume_id),
    KEY match_resume_features_user (user_id),
    CONSTRAINT match_resume_features_resume_fk FOREIGN KEY (resume_id) REFERENCES api_resume (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS match_resume_terms (
    feature_id INT(11) NOT NULL PRIMARY KEY,
    terms MEDIUMBLOB NOT NULL,    -- n x (u32 term key, u16 count), keys ascending
    CONSTRAINT match_resume_terms_feature_fk FOREIGN KEY (feature_id) REFERENCES match_resume_features (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A matching run (the seed's MatchTask) with its checkpoint: the last match_resume_features.id
-- scanned (ascending), how many candidates were scanned and counted, and the top K so far.
-- running_job is job_id while the run is pending or running, NULL afterwards: the unique key lets
-- one run per job through, however many start at once.
CREATE TABLE IF NOT EXISTS match_task (
    id INT(11) NOT NULL AUTO_INCREMENT PRIMARY KEY,
    job_id INT(11) NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'pending',  -- pending, running, completed, failed, cancelled
    progress INT NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL,
    started_at DATETIME(6) NULL,
    completed_at DATETIME(6) NULL,
    error_message LONGTEXT NULL,
    requested_by INT(11) NOT NULL,
    priority VARCHAR(8) NOT NULL DEFAULT 'normal',
    queue_task_id BIGINT NULL,             -- the zm_task that runs it
    running_job INT(11) NULL,
    job_updated_at DATETIME(6) NOT NULL,   -- the job as it was scored: a later edit makes the ranking stale
    total_candidates INT NOT NULL DEFAULT 0,
    scanned INT NOT NULL DEFAULT 0,
    matched_count INT NOT NULL DEFAULT 0,
    last_key INT NOT NULL DEFAULT 0,
    topk LONGBLOB NULL,                    -- checkpoint: the best K so far (id u32, score u8)
    run_seconds DOUBLE NOT NULL DEFAULT 0, -- time spent scanning (all attempts): the throughput behind the ETA
    UNIQUE KEY match_task_running_job (running_job),
    KEY match_task_job (job_id, id),
    CONSTRAINT match_task_job_fk FOREIGN KEY (job_id) REFERENCES jobs_jobposition (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The seed's MatchResult, under the run that wrote it (task_id): readers read the run match_job
-- points to, and a finished run switches the pointer in one transaction, so a ranking is never
-- seen half-written.  resume_id is this system's resume id.
CREATE TABLE IF NOT EXISTS match_result (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    job_id INT(11) NOT NULL,
    resume_id CHAR(32) NOT NULL,
    match_score DECIMAL(5,2) NOT NULL,
    rank_position INT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    task_id INT(11) NOT NULL,
    UNIQUE KEY match_result_task_resume (task_id, resume_id),
    KEY match_result_task_rank (task_id, rank_position),
    CONSTRAINT match_result_task_fk FOREIGN KEY (task_id) REFERENCES match_task (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A job's current ranking: the completed run readers see.
CREATE TABLE IF NOT EXISTS match_job (
    job_id INT(11) NOT NULL PRIMARY KEY,
    task_id INT(11) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    CONSTRAINT match_job_job_fk FOREIGN KEY (job_id) REFERENCES jobs_jobposition (id) ON DELETE CASCADE,
    CONSTRAINT match_job_task_fk FOREIGN KEY (task_id) REFERENCES match_task (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
