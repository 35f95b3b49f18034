-- Mock interview (模拟面试) and meeting assistant (会议助手), issue 18 (fcgi/interview/).

-- One session: a mock interview or a meeting.  status 'active' while it runs, 'ended' once ended
-- (by the user, time up, points exhausted, abandoned); report is NULL until zhimai-worker's
-- interview.end has written it.  config and plan are JSON documents the module writes.
CREATE TABLE IF NOT EXISTS interview_session (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    kind VARCHAR(16) NOT NULL,                   -- mock_interview | meeting
    status VARCHAR(12) NOT NULL DEFAULT 'active', -- active | ended
    config LONGTEXT NOT NULL,
    plan LONGTEXT NOT NULL,
    provider VARCHAR(16) NOT NULL,               -- builtin | openai
    started_at DATETIME(6) NOT NULL,
    last_active_at DATETIME(6) NOT NULL,
    ended_at DATETIME(6) NULL,
    end_reason VARCHAR(16) NULL,                 -- user | completed | time | points | idle
    charged_minutes INT NOT NULL DEFAULT 0,
    charged_points INT NOT NULL DEFAULT 0,
    overall_score INT NULL,
    report LONGTEXT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    KEY interview_session_user (user_id, kind, id),
    KEY interview_session_idle (status, last_active_at),
    CONSTRAINT interview_session_kind CHECK (kind IN ('mock_interview', 'meeting')),
    CONSTRAINT interview_session_st CHECK (status IN ('active', 'ended'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The transcript: one row a message, in seq order.  The interviewer's (or the meeting assistant's)
-- turn is inserted 'pending' with the candidate's answer it replies to and written by the worker's
-- interview.turn task: a retried task rewrites the same row (session, seq), never adds one.
-- client_key makes a candidate's POST idempotent.
CREATE TABLE IF NOT EXISTS interview_turn (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    session_id BIGINT NOT NULL,
    seq INT NOT NULL,
    role VARCHAR(12) NOT NULL,                   -- interviewer | candidate (meeting: assistant | transcript)
    kind VARCHAR(12) NOT NULL,                   -- question | followup | answer | closing | line | update
    question_index INT NOT NULL DEFAULT -1,
    text MEDIUMTEXT NOT NULL,
    state VARCHAR(12) NOT NULL DEFAULT 'done',   -- pending | streaming | done | failed
    error VARCHAR(500) NULL,
    client_key VARCHAR(64) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY interview_turn_seq (session_id, seq),
    UNIQUE KEY interview_turn_key (session_id, client_key),
    CONSTRAINT interview_turn_session FOREIGN KEY (session_id) REFERENCES interview_session (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What a user gives an interview to work from besides a resume: a job description or notes.
CREATE TABLE IF NOT EXISTS interview_material (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id INT(11) NOT NULL,
    kind VARCHAR(8) NOT NULL,                    -- jd | notes
    name VARCHAR(255) NOT NULL,
    text MEDIUMTEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY interview_material_user (user_id, id),
    CONSTRAINT interview_material_kind CHECK (kind IN ('jd', 'notes'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
