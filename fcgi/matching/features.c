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

#define NOT_DISCOVERABLE "在职，暂无跳槽打算"

/* the new score s of resume_id in run task_id: replace its row, keep ranks dense, keep at most top_k */
static int rank_into(db_t *db, int64_t job_id, int64_t task_id, const char *resume_id, int s, int thr, int isnew)
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
                        "INSERT INTO match_result (job_id, resume_id, match_score, rank_position, created_at, task_id) "
                        "VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6), ?)",
                        "isIii", job_id, resume_id, s, pos, task_id);
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
static int score_incremental(db_t *db, zm_arena_t *a, const char *resume_id, const an_features_t *f, int isnew)
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
        rc = rank_into(db, job_id, db_int(&runs, i, 1), resume_id, an_jobvec_score(jv, f), thr, isnew);
        if (rc != ZM_OK) {
            return rc;
        }
    }
    return ZM_OK;
}

enum { V_RESUME, V_USER, V_TEXT, V_LATEST, V_HAD, V_DISC };

int match_index_version(db_t *db, zm_arena_t *a, const char *version_id)
{
    an_features_t f;
    db_res_t res;
    char *head, *terms;
    size_t hlen, tlen;
    int rc;
    int64_t n;

    /* the version, whether it is its resume's latest extracted one, whether features existed, and
     * whether the owner is discoverable */
    rc = db_query(
        db, a, &res,
        "SELECT v.resume_id, rf.user_id, rf.text, v.id = (SELECT v2.id FROM api_resumeversion v2 JOIN "
        "zm_resume_file f2 ON f2.version_id = v2.id WHERE v2.resume_id = v.resume_id AND f2.text_status = "
        "'done' ORDER BY v2.created_at DESC, v2.id DESC LIMIT 1), "
        "(SELECT COUNT(*) FROM match_resume_features m WHERE m.resume_id = v.resume_id), "
        "(SELECT COUNT(*) FROM zm_user_profile p WHERE p.user_id = rf.user_id AND p.job_status <> '" NOT_DISCOVERABLE
        "') "
        "FROM api_resumeversion v JOIN zm_resume_file rf ON rf.version_id = v.id "
        "WHERE v.id = ? AND rf.text_status = 'done'",
        "s", version_id);
    if (rc != ZM_OK || res.nrows == 0 || db_int(&res, 0, V_LATEST) != 1) {
        return rc;
    }
    if ((rc = an_features(a, db_val(&res, 0, V_TEXT), &f)) != ZM_OK ||
        (rc = an_features_pack(a, &f, &head, &hlen, &terms, &tlen)) != ZM_OK) {
        return rc;
    }
    /* the head and the term vector together; the id (LAST_INSERT_ID) whether inserted or updated */
    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    n = db_exec(db,
                "INSERT INTO match_resume_features (resume_id, version_id, user_id, feat_version, head, updated_at) "
                "VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(6)) ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), "
                "version_id = VALUES(version_id), user_id = VALUES(user_id), feat_version = VALUES(feat_version), "
                "head = VALUES(head), updated_at = VALUES(updated_at)",
                "ssiiS", db_val(&res, 0, V_RESUME), version_id, db_int(&res, 0, V_USER), an_features_version(), head,
                hlen);
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
    if (db_int(&res, 0, V_DISC) == 0) {
        return ZM_OK; /* not in the pool: no ranking to join */
    }
    return score_incremental(db, a, db_val(&res, 0, V_RESUME), &f, db_int(&res, 0, V_HAD) == 0);
}

int match_backfill(db_t *db, zm_arena_t *a, int limit, int *done)
{
    db_res_t res;
    int rc;

    *done = 0;
    rc =
        db_query(db, a, &res,
                 "SELECT v.id FROM api_resumeversion v JOIN zm_resume_file rf ON rf.version_id = v.id "
                 "LEFT JOIN match_resume_features m ON m.resume_id = v.resume_id "
                 "WHERE rf.text_status = 'done' AND (m.id IS NULL OR m.feat_version <> ? OR m.version_id <> v.id) "
                 "AND v.id = (SELECT v2.id FROM api_resumeversion v2 JOIN zm_resume_file f2 ON f2.version_id = v2.id "
                 "WHERE v2.resume_id = v.resume_id AND f2.text_status = 'done' ORDER BY v2.created_at DESC, v2.id DESC "
                 "LIMIT 1) LIMIT ?",
                 "iI", an_features_version(), limit);
    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t i = 0; i < res.nrows; i++) {
        zm_arena_t one;
        zm_arena_init(&one, 64 * 1024, 0);
        rc = match_index_version(db, &one, db_val(&res, i, 0));
        zm_arena_destroy(&one);
        if (rc != ZM_OK) {
            zm_log_warn("matching: features of version %s: %s", db_val(&res, i, 0), zm_strerror(rc));
            return rc;
        }
        (*done)++;
    }
    return ZM_OK;
}
