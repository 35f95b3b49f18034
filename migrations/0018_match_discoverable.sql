-- Matching reads accounts only through accounts.h (issue 13): whether a candidate's owner is
-- discoverable (their job_status, zm_user_profile) is kept on the features row, set when the
-- features are stored and by accounts' hook in the transaction that changes job_status, so a run's
-- scan and the results page read matching's own tables.  Filled once here from the profiles.
ALTER TABLE match_resume_features
    ADD COLUMN discoverable TINYINT NOT NULL DEFAULT 0 AFTER user_id;

UPDATE match_resume_features f JOIN zm_user_profile p ON p.user_id = f.user_id
    SET f.discoverable = 1
    WHERE p.job_status <> '在职，暂无跳槽打算';
