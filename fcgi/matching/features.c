/*
 * features.c -- each resume's features for matching: computed from its
 * latest extracted version right after extraction (resumes.h's hook) or by
 * the matching.features backfill (versions without features, or with
 * features of another format or dictionary), stored in
 * match_resume_features, and scored at once against the current ranking of
 * every job that has one (incremental: no full re-run).
 */
#include <string.h>

#include "analysis.h"
#include "conf.h"
#include "log.h"
#include "matching.h"

#include <stdio.h>

#include "accounts.h"
#include "resumes.h"

/* the new score s of resume_id in run task_id: replace its row, keep ranks dense, keep at most top_k */
static int rank_into(db_t *db, int64_t job_id, int64_t task_id, const char *resume_id, int64_t user_id, int s, int thr,
                     int isnew)
{
    db_res_t res;
    zm_arena_t a;
    int rc;
    int64_t n;

    zm_arena_init(&a, 4096, 0);
    if ((rc = db_begin(db)) != ZM_OK) {
        zm_arena_destroy(&a);
        return rc;
    }
    /* lock the run's pointer: a run finishing now waits, or has switched already */
    rc = db_query(db, &a, &res, "SELECT task_id FROM match_job WHERE job_id = ? AND task_id = ? FOR UPDATE", "ii",
                  job_id, task_id);
    if (rc == ZM_OK && res.nrows == 0) {
        db_rollback(db);
        zm_arena_destroy(&a);
        return ZM_OK;
    }
    if (rc == ZM_OK) {
        rc = db_query(db, &a, &res, "SELECT rank_position FROM match_result WHERE task_id = ? AND resume_id = ?", "is",
                      task_id, resume_id);
    }
    if (rc == ZM_OK && res.nrows) {
        int64_t old = db_int(&res, 0, 0);
        n = db_exec(db, "DELETE FROM match_result WHERE task_id = ? AND resume_id = ?", "is", task_id, resume_id);
        if (n >= 0) {
            n = db_exec(db,
                        "UPDATE match_result SET rank_position = rank_position - 1 WHERE task_id = ? AND "
                        "rank_position > ? ORDER BY rank_position",
                        "ii", task_id, old);
        }
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc == ZM_OK) {
        rc = db_query(db, &a, &res, "SELECT COUNT(*) FROM match_result WHERE task_id = ? AND match_score >= ?", "iI",
                      task_id, s);
    }
    if (rc == ZM_OK) {
        int64_t pos = db_int(&res, 0, 0) + 1;
        n = db_exec(db,
                    "UPDATE match_result SET rank_position = rank_position + 1 WHERE task_id = ? AND "
                    "rank_position >= ? ORDER BY rank_position DESC",
                    "ii", task_id, pos);
        if (n >= 0) {
            n = db_exec(db,
                        "INSERT INTO match_result (job_id, resume_id, user_id, match_score, visible, rank_position, "
                        "created_at, task_id) SELECT ?, resume_id, ?, ?, discoverable, ?, UTC_TIMESTAMP(6), ? FROM "
                        "match_resume_features WHERE resume_id = ?",
                        "iiIiis", job_id, user_id, s, pos, task_id, resume_id);
        }
        if (n >= 0) {
            n = db_exec(db, "DELETE FROM match_result WHERE task_id = ? AND rank_position > ?", "ii", task_id,
                        zm_conf_int("matching.top_k"));
        }
        if (n >= 0 && isnew) {
            n = db_exec(db,
                        "UPDATE match_task SET total_candidates = total_candidates + 1, matched_count = matched_count "
                        "+ ? WHERE id = ?",
                        "Ii", s >= thr ? 1 : 0, task_id);
        }
        rc = n < 0 ? (int)n : ZM_OK;
    }
    zm_arena_destroy(&a);
    if (rc != ZM_OK) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db);
}

/* score f of resume_id against every job's current run */
static int score_incremental(db_t *db, zm_arena_t *a, const char *resume_id, int64_t user_id, const an_features_t *f,
                             int isnew)
{
    jobs_actor_t admin = {0, 1};
    db_res_t runs;
    int rc, thr = (int)zm_conf_int("matching.threshold");

    rc = db_query(db, a, &runs, "SELECT j.job_id, j.task_id FROM match_job j ORDER BY j.job_id", "");
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t i = 0; i < runs.nrows; i++) {
        json_object *job = NULL;
        an_jobvec_t *jv;
        int64_t job_id = db_int(&runs, i, 0);
        if (job_get(db, a, &admin, job_id, &job) != ZM_OK) {
            continue;
        }
        rc = an_jobvec(a, match_job_text(a, job), &jv);
        json_object_put(job);
        if (rc != ZM_OK) {
            return rc;
        }
        rc = rank_into(db, job_id, db_int(&runs, i, 1), resume_id, user_id, an_jobvec_score(jv, f), thr, isnew);
        if (rc != ZM_OK) {
            return rc;
        }
    }
    return ZM_OK;
}

int match_index_version(db_t *db, zm_arena_t *a, const char *version_id)
{
    resume_extracted_t v;
    an_features_t f;
    db_res_t res;
    char *head, *terms;
    size_t hlen, tlen;
    int rc, disc = 0, had;
    int64_t n;

    /* the version (resumes.h): only its resume's latest extracted one has features */
    rc = resume_extracted_version(db, a, version_id, &v);
    if (rc == ZM_ENOTFOUND || (rc == ZM_OK && !v.latest)) {
        return ZM_OK;
    }
    if (rc != ZM_OK) {
        return rc;
    }
    if ((rc = an_features(a, v.text, &f)) != ZM_OK ||
        (rc = an_features_pack(a, &f, &head, &hlen, &terms, &tlen)) != ZM_OK) {
        return rc;
    }
    if ((rc = db_query(db, a, &res, "SELECT COUNT(*) FROM match_resume_features WHERE resume_id = ?", "s",
                       v.resume_id)) != ZM_OK) {
        return rc;
    }
    had = db_int(&res, 0, 0) != 0;
    /* the head and the term vector together; the id (LAST_INSERT_ID) whether inserted or updated */
    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    /* the owner's discoverability, locked until the commit: a job_status change meanwhile waits,
     * then its hook sets the row this writes */
    rc = acc_user_discoverable(db, v.user_id, 1, &disc);
    n = rc != ZM_OK ? rc
                    : db_exec(db,
                              "INSERT INTO match_resume_features (resume_id, version_id, user_id, discoverable, "
                              "feat_version, head, updated_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6)) ON "
                              "DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), version_id = VALUES(version_id), user_id "
                              "= VALUES(user_id), discoverable = VALUES(discoverable), feat_version = "
                              "VALUES(feat_version), head = VALUES(head), updated_at = VALUES(updated_at)",
                              "ssiIiS", v.resume_id, v.version_id, v.user_id, disc, an_features_version(), head, hlen);
    if (n >= 0) {
        n = db_exec(db,
                    "INSERT INTO match_resume_terms (feature_id, terms) VALUES (?, ?) ON DUPLICATE KEY UPDATE terms = "
                    "VALUES(terms)",
                    "iS", db_insert_id(db), terms, tlen);
    }
    if (n < 0) {
        db_rollback(db);
        return (int)n;
    }
    if ((rc = db_commit(db)) != ZM_OK) {
        return rc;
    }
    if (!disc) {
        return ZM_OK; /* not in the pool: no ranking to join */
    }
    return score_incremental(db, a, v.resume_id, v.user_id, &f, !had);
}

int match_discoverable_changed(db_t *db, int64_t user_id, int discoverable)
{
    /* the pool's rows, and the rows of the rankings that show them */
    int64_t n =
        db_exec(db, "UPDATE match_resume_features SET discoverable = ? WHERE user_id = ?", "Ii", discoverable, user_id);

    if (n >= 0) {
        n = db_exec(db, "UPDATE match_result SET visible = ? WHERE user_id = ?", "Ii", discoverable, user_id);
    }
    return n < 0 ? (int)n : ZM_OK;
}

#define SCAN 2000 /* resumes a query of the backfill's scan */

int match_backfill(db_t *db, zm_arena_t *a, int limit, char *after, int *done)
{
    resume_extracted_t *v = zm_palloc(a, SCAN * sizeof(*v));
    int64_t fver = an_features_version();
    size_t n = SCAN;
    int rc = ZM_OK;

    *done = 0;
    if (v == NULL) {
        return ZM_ENOMEM;
    }
    /* resumes' latest extracted versions a batch at a time (resumes.h), merged with the features of
     * the same resume id range: what has none, or of another version or format, is (re)built */
    while (*done < limit && n == SCAN) {
        db_res_t have;
        size_t k = 0;
        if ((rc = resume_latest_extracted(db, a, after, SCAN, v, &n)) != ZM_OK) {
            return rc;
        }
        if (n == 0) {
            break;
        }
        rc = db_query(db, a, &have,
                      "SELECT resume_id, version_id, feat_version FROM match_resume_features WHERE resume_id > ? "
                      "AND resume_id <= ? ORDER BY resume_id",
                      "ss", after, v[n - 1].resume_id);
        if (rc != ZM_OK) {
            return rc;
        }
        for (size_t i = 0; i < n && *done < limit; i++) {
            int fresh = 0;
            while (k < have.nrows && strcmp(db_val(&have, k, 0), v[i].resume_id) < 0) {
                k++;
            }
            if (k < have.nrows && strcmp(db_val(&have, k, 0), v[i].resume_id) == 0) {
                fresh = db_int(&have, k, 2) == fver && strcmp(db_val(&have, k, 1), v[i].version_id) == 0;
            }
            snprintf(after, 33, "%s", v[i].resume_id);
            if (fresh) {
                continue;
            }
            zm_arena_t one;
            zm_arena_init(&one, 64 * 1024, 0);
            rc = match_index_version(db, &one, v[i].version_id);
            zm_arena_destroy(&one);
            if (rc != ZM_OK) {
                zm_log_warn("matching: features of version %s: %s", v[i].version_id, zm_strerror(rc));
                return rc;
            }
            (*done)++;
        }
    }
    if (n < SCAN && *done < limit) {
        after[0] = '\0'; /* the end: the next scan starts from the first resume */
    }
    return ZM_OK;
}
