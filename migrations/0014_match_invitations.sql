-- Invitations to apply (issue 13, item 7): HR invites a candidate of a job's current ranking to apply
-- for the job; the candidate gets a notification (notifications_notification, kind 'match.invite')
-- written in the same transaction.  One invitation per (job, resume): the unique key turns a second
-- one, however many arrive at once, into a 409 with nothing written.  user_id is the candidate (the
-- resume's owner), invited_by the HR user (or admin) who sent it.
CREATE TABLE IF NOT EXISTS match_invitation (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    job_id INT(11) NOT NULL,
    resume_id CHAR(32) NOT NULL,
    user_id INT(11) NOT NULL,
    invited_by INT(11) NOT NULL,
    message VARCHAR(500) NOT NULL DEFAULT '',   -- at most 500 characters (the API checks them too)
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY match_invitation_job_resume (job_id, resume_id),
    KEY match_invitation_user (user_id),
    CONSTRAINT match_invitation_job_fk FOREIGN KEY (job_id) REFERENCES jobs_jobposition (id) ON DELETE CASCADE,
    CONSTRAINT match_invitation_resume_fk FOREIGN KEY (resume_id) REFERENCES api_resume (id) ON DELETE CASCADE,
    CONSTRAINT match_invitation_user_fk FOREIGN KEY (user_id) REFERENCES auth_user (id) ON DELETE CASCADE,
    CONSTRAINT match_invitation_by_fk FOREIGN KEY (invited_by) REFERENCES auth_user (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
