-- Speech (issue 18 item 3, fcgi/speech/): the speech-recognition sessions of the seed's
-- /api/v1/paraformer/start|stop|clear and the audio the browser sends in short POSTs.
-- TTS keeps no rows: its cache is files in storage under speech/tts/<sha256>.<ext>.

-- One recognition session.  asr_id is the public id (32 hex); generation goes up on every
-- clear, so a transcription computed before it never lands after it; audio_bytes is the
-- contiguous audio from seq 0 (what a transcription sends), transcribed_bytes what the stored
-- transcript covers (a late, shorter transcription never replaces a longer one).
CREATE TABLE IF NOT EXISTS speech_asr_session (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    asr_id CHAR(32) NOT NULL,
    user_id INT(11) NOT NULL,
    lang VARCHAR(8) NOT NULL,
    format VARCHAR(8) NOT NULL,                 -- wav | webm | pcm16
    sample_rate INT NOT NULL,
    state VARCHAR(8) NOT NULL DEFAULT 'open',   -- open | stopped
    generation INT NOT NULL DEFAULT 0,
    chunks INT NOT NULL DEFAULT 0,
    audio_bytes BIGINT NOT NULL DEFAULT 0,
    transcribed_bytes BIGINT NOT NULL DEFAULT 0,
    transcript TEXT NOT NULL,
    final TINYINT NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY speech_asr_session_asr_id (asr_id),
    KEY speech_asr_session_user (user_id, id),
    KEY speech_asr_session_updated (updated_at),
    CONSTRAINT speech_asr_session_st CHECK (state IN ('open', 'stopped')),
    CONSTRAINT speech_asr_session_fmt CHECK (format IN ('wav', 'webm', 'pcm16'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The audio, one row a chunk; (session, generation, seq) makes a retried chunk a no-op.
-- Removed with its session (speech.asr_purge_days after its last change).
CREATE TABLE IF NOT EXISTS speech_asr_chunk (
    session_id BIGINT NOT NULL,
    generation INT NOT NULL,
    seq INT NOT NULL,
    data MEDIUMBLOB NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (session_id, generation, seq),
    CONSTRAINT speech_asr_chunk_session FOREIGN KEY (session_id) REFERENCES speech_asr_session (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
