-- Matching reads accounts only through accounts.h (issue 13): whether a candidate's owner is
-- discoverable (their job_status, zm_user_profile) is kept on the features row, set when the
-- features are stored and by accounts' hook in the transaction that changes job_status, so a run's
-- scan and the results page read matching's own tables.  Filled once here from the profiles.
ALTER TABLE match_resume_features
    ADD COLUMN discoverable TINYINT NOT NULL DEFAULT 0 AFTER user_id;

UPDATE match_resume_features f JOIN zm_user_profile p ON p.user_id = f.user_id
    SET f.discoverable = 1
    WHERE p.job_status <> '在职，暂无跳槽打算';

-- The same on a ranking's rows, with the owner: the results page reads one index of match_result
-- (task, visible, rank: covering) for a page and (task, visible, score) for the count, without joining the
-- features of every ranked candidate; accounts' hook sets both tables.  Ranks are unique within a
-- run (kept dense), so the rank alone orders a page.  A deleted resume leaves the rankings with its
-- rows (the foreign key; before, the join with its features hid them).
DELETE r FROM match_result r LEFT JOIN api_resume a ON a.id = r.resume_id WHERE a.id IS NULL;

ALTER TABLE match_result
    ADD COLUMN user_id INT(11) NULL AFTER resume_id,
    ADD COLUMN visible TINYINT NOT NULL DEFAULT 1 AFTER match_score,
    ADD KEY match_result_page (task_id, visible, rank_position, match_score, resume_id, user_id),
    ADD KEY match_result_count (task_id, visible, match_score),
    ADD KEY match_result_user (user_id),
    ADD CONSTRAINT match_result_resume_fk FOREIGN KEY (resume_id) REFERENCES api_resume (id) ON DELETE CASCADE;

UPDATE match_result r JOIN match_resume_features f ON f.resume_id = r.resume_id
    SET r.user_id = f.user_id, r.visible = f.discoverable;
