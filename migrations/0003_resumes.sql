-- Resumes and their versions: the seed's Django models (api.Resume, api.ResumeVersion) as
-- Django 3.2 creates them on MySQL: UUIDField -> char(32) hex, DateTimeField -> datetime(6).
CREATE TABLE IF NOT EXISTS api_resume (
    id CHAR(32) NOT NULL PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    user_id VARCHAR(36) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    KEY api_resume_user_id_6c4c0b5e_idx (user_id),
    KEY zm_api_resume_user_created (user_id, created_at)   -- ours: the list, newest first
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS api_resumeversion (
    id CHAR(32) NOT NULL PRIMARY KEY,
    file_path VARCHAR(512) NOT NULL,
    file_name VARCHAR(255) NOT NULL,
    file_size INT(11) NOT NULL,
    -- the seed's max_length=50 cannot hold the DOCX MIME type (71 characters): 100 here, and the
    -- Django model should say max_length=100 (Django itself never checks the column's width)
    file_type VARCHAR(100) NOT NULL,
    comment LONGTEXT NULL,
    created_at DATETIME(6) NOT NULL,
    resume_id CHAR(32) NOT NULL,
    KEY api_resumev_resume__4e1a2a_idx (resume_id),
    KEY zm_api_resumeversion_resume_created (resume_id, created_at),
    CONSTRAINT api_resumeversion_resume_id_2b1a9c44_fk_api_resume_id
        FOREIGN KEY (resume_id) REFERENCES api_resume (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What the product needs beside Django's columns: the owner (for one-query
-- permission checks), the original name, a content hash, the extracted text.
CREATE TABLE IF NOT EXISTS zm_resume_file (
    version_id CHAR(32) NOT NULL PRIMARY KEY,
    user_id INT(11) NOT NULL,
    original_name VARCHAR(1024) NOT NULL,
    sha256 CHAR(64) NOT NULL,
    text_status VARCHAR(16) NOT NULL DEFAULT 'pending',   -- pending, done, failed
    text_error VARCHAR(500) NULL,
    text LONGTEXT NULL,
    text_chars INT NOT NULL DEFAULT 0,
    extracted_at DATETIME(6) NULL,
    KEY zm_resume_file_user (user_id),
    CONSTRAINT zm_resume_file_version_fk FOREIGN KEY (version_id) REFERENCES api_resumeversion (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
