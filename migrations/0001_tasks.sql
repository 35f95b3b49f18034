-- The task queue shared by zhimai-fcgi (enqueue) and zhimai-worker (claim, run).
CREATE TABLE IF NOT EXISTS zm_task (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    type VARCHAR(64) NOT NULL,
    payload JSON NOT NULL,
    priority TINYINT NOT NULL DEFAULT 1,          -- 0 high, 1 normal, 2 low
    state VARCHAR(16) NOT NULL DEFAULT 'queued',  -- queued, running, done, failed
    attempts INT NOT NULL DEFAULT 0,
    max_attempts INT NOT NULL DEFAULT 5,
    run_after DATETIME(6) NOT NULL,
    lease_owner VARCHAR(128) NULL,
    lease_expires DATETIME(6) NULL,
    progress TINYINT NOT NULL DEFAULT 0,
    result JSON NULL,
    error JSON NULL,
    user_id BIGINT NULL,                          -- the owner, for GET /api/v1/tasks/{id}
    dedupe_key VARCHAR(191) NULL,                 -- enqueue is idempotent per key
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    started_at DATETIME(6) NULL,
    finished_at DATETIME(6) NULL,
    UNIQUE KEY zm_task_dedupe (dedupe_key),
    KEY zm_task_claim (state, priority, run_after),
    KEY zm_task_lease (state, lease_expires),
    KEY zm_task_user (user_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
