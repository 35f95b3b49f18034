-- The search index's version (issue 12's search target): each zhimai-fcgi worker keeps recent
-- searches' results (fcgi/jobs/search.c) and serves them again only while this number is what it was
-- when they were computed.  Every transaction that changes the seekers' read model of jobs
-- (jobs_openjob, jobs_jobterm, jobs_termstat: fcgi/jobs/sync.c) adds one to it as its last statement
-- before committing, so a search that reads it first never keeps results older than it.
CREATE TABLE IF NOT EXISTS jobs_searchversion (
    id TINYINT NOT NULL PRIMARY KEY,
    v BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO jobs_searchversion (id, v) VALUES (1, 1);
