-- Jobs' search index as posting blocks (issue 12's search target: 100k open jobs, p99 in ms).
-- 0007's row-per-posting index is replaced; the seeker read model is emptied so that the
-- periodic consistency check (jobs.check) or a force_sync rebuilds it, terms and all, from
-- jobs_jobposition, the source of truth.

DROP TABLE IF EXISTS jobs_jobterm;

-- The search index over jobs_openjob: Chinese character bigrams (and single characters), English
-- words in lower case (fcgi/jobs/terms.h), as posting blocks: one row per (term, block of 256 job
-- ids, job_id DIV 256); postings lists the block's jobs that have the term, 4 hex digits each (the
-- job id's low byte, then the term's weight there: the sum of the weights of the fields it occurs
-- in, the name counting most), ascending; n counts them.  A row per posting was ~100 rows a job.
CREATE TABLE jobs_jobterm (
    term VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    block INT NOT NULL,
    n SMALLINT NOT NULL,
    postings VARCHAR(1024) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (term, block),
    KEY jobs_jobterm_block (block)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Each term's document frequency (open jobs having it): the search starts from a query's rarest term.
CREATE TABLE IF NOT EXISTS jobs_termstat (
    term VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
    df INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE jobs_openjob ADD KEY jobs_openjob_city_id (city, job_id);

DELETE FROM jobs_openjob;
