/*
 * run.c -- one matching run (the matching.run task): scan the candidate
 * pool in match_resume_features.id order from the checkpoint, score each
 * candidate's head (skills, education, years) with the similarity bounded
 * by 0 and 100, read the term vector only of those whose place the
 * similarity can still decide (the top K is not full, or the upper bound
 * beats its worst; or the bounds straddle the matched threshold), and
 * checkpoint after every batch.  With a remote model and
 * matching.rerank_top_k, the best K are then re-scored through it (rerank;
 * a failure keeps the builtin score).  The end switches the job's ranking to
 * this run in one transaction.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h> /* nanosleep */

#include "analysis.h"
#include "clock.h"
#include "conf.h"
#include "log.h"
#include "matching.h"
#include "registry.h"
#include "resumes.h"

/* the pool: features of the current format whose owner is discoverable (kept on the row; matching.h) */
#define POOL_FROM "FROM match_resume_features f WHERE f.id > ? AND f.feat_version = ? AND f.discoverable = 1 "

static double mono_s(void)
{
    return (double)zm_mono_us() / 1e6;
}

static int fail_run(task_ctx_t *ctx, int64_t id, const char *why)
{
    db_exec(ctx->db,
            "UPDATE match_task SET status = 'failed', error_message = ?, running_job = NULL, completed_at = "
            "UTC_TIMESTAMP(6), topk = NULL WHERE id = ? AND status IN ('pending', 'running')",
            "si", why, id);
    return ZM_OK;
}

#define CHUNK 32
#define Q4 "?, ?, ?, ?, "
#define Q32 Q4 Q4 Q4 Q4 Q4 Q4 Q4 "?, ?, ?, ?"
#define V4(b) v[b], v[b + 1], v[b + 2], v[b + 3]
#define V32 V4(0), V4(4), V4(8), V4(12), V4(16), V4(20), V4(24), V4(28)

typedef struct {
    uint32_t id;
    const char *head;
    size_t hlen;
} pend_t;

/* The full scores of pending candidates: their term vectors read CHUNK at a time (ids 0 pad the last
 * query: no row has it), scored, counted and offered to the top K. */
/* one candidate's full score from its term vector; -1 when malformed */
static int score_one(zm_arena_t *tmp, const an_jobvec_t *jv, const pend_t *c, const char *terms, size_t tlen)
{
    an_features_t f;

    /* the head holds the term vector's length (BM25's document length) */
    if (an_features_unpack_head(tmp, c->head, c->hlen, &f) != ZM_OK ||
        an_features_unpack_terms(tmp, terms, tlen, &f) != ZM_OK) {
        return -1;
    }
    return an_jobvec_score_head(jv, c->head, c->hlen, an_jobvec_similarity(jv, &f.terms));
}

/* Many of a batch's candidates pending (a quarter or more): the batch's term vectors in one range read,
 * in id order (sequential in the table), merged with the pending ones. */
static int score_range(task_ctx_t *ctx, zm_arena_t *tmp, const an_jobvec_t *jv, const pend_t *p, size_t n,
                       int64_t after, int thr, match_topk_t *top, int64_t *matched)
{
    db_res_t res;
    size_t k = 0;
    int rc = db_query(ctx->db, tmp, &res,
                      "SELECT feature_id, terms FROM match_resume_terms WHERE feature_id > ? AND feature_id <= ? "
                      "ORDER BY feature_id",
                      "ii", after, (int64_t)p[n - 1].id);

    if (rc != ZM_OK) {
        return rc;
    }
    for (size_t r = 0; r < res.nrows && k < n; r++) {
        uint32_t id = (uint32_t)db_int(&res, r, 0);
        int score;
        while (k < n && p[k].id < id) {
            k++; /* its vector is gone (deleted meanwhile): not a candidate */
        }
        if (k == n || p[k].id != id) {
            continue;
        }
        score = score_one(tmp, jv, &p[k], db_val(&res, r, 1), res.lens[r][1]);
        k++;
        if (score >= 0) {
            *matched += score >= thr;
            match_topk_push(top, score, id);
        }
    }
    return ZM_OK;
}

static int score_pending(task_ctx_t *ctx, zm_arena_t *tmp, const an_jobvec_t *jv, const pend_t *p, size_t n, int thr,
                         match_topk_t *top, int64_t *matched)
{
    for (size_t b = 0; b < n; b += CHUNK) {
        int64_t v[CHUNK] = {0};
        size_t m = n - b < CHUNK ? n - b : CHUNK;
        db_res_t res;
        int rc;

        for (size_t k = 0; k < m; k++) {
            v[k] = p[b + k].id;
        }
        rc = db_query(ctx->db, tmp, &res,
                      "SELECT feature_id, terms FROM match_resume_terms WHERE feature_id IN (" Q32 ")",
                      "iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii", V32);
        if (rc != ZM_OK) {
            return rc;
        }
        for (size_t r = 0; r < res.nrows; r++) {
            uint32_t id = (uint32_t)db_int(&res, r, 0);
            const pend_t *c = NULL;
            int score;
            for (size_t k = 0; k < m; k++) {
                if (p[b + k].id == id) {
                    c = &p[b + k];
                }
            }
            if (c == NULL || (score = score_one(tmp, jv, c, db_val(&res, r, 1), res.lens[r][1])) < 0) {
                continue; /* a malformed vector: not a candidate */
            }
            *matched += score >= thr;
            match_topk_push(top, score, id);
        }
    }
    return ZM_OK;
}

/* The top K once more through the remote model (matching.rerank_top_k, with llm.provider openai),
 * top sorted best first: a candidate's model score replaces the builtin one where the model answered
 * validly within the time left of matching.rerank_timeout_ms; any failure keeps the builtin score
 * (never a made-up one).  Then the list is sorted again by score, ties in their builtin order (a
 * stable sort): the same answers give the same ranking.  ZM_EAGAIN when the lease was lost. */
static int rerank(task_ctx_t *ctx, const char *job_text, match_topk_t *top, int *rescored, int *kept)
{
    int k = (int)zm_conf_int("matching.rerank_top_k");
    int64_t budget = zm_conf_int("matching.rerank_timeout_ms"), t0 = zm_mono_ms();

    k = k < top->n ? k : top->n;
    for (int i = 0; i < k; i++) {
        int64_t left = budget - (zm_mono_ms() - t0);
        resume_extracted_t v;
        zm_arena_t tmp;
        db_res_t res;
        char *why = NULL;
        int score = -1, rc;

        if (left <= 0) {
            *kept += k - i; /* out of time: the rest keep their builtin scores */
            zm_log_warn("matching: re-ranking stopped after %d of %d: out of time", i, k);
            break;
        }
        zm_arena_init(&tmp, 64 * 1024, 0);
        rc = db_query(ctx->db, &tmp, &res, "SELECT version_id FROM match_resume_features WHERE id = ?", "i",
                      (int64_t)top->v[i].id);
        if (rc == ZM_OK && res.nrows) {
            rc = resume_extracted_version(ctx->db, &tmp, db_val(&res, 0, 0), &v);
        } else if (rc == ZM_OK) {
            rc = ZM_ENOTFOUND;
        }
        if (rc == ZM_OK) {
            rc = an_remote_score(&tmp, v.text, job_text, (long)left, &score, &why);
            if (rc == ZM_ENOTFOUND) {
                zm_arena_destroy(&tmp);
                return ZM_OK; /* no remote model configured: the builtin ranking is the ranking */
            }
        }
        if (rc == ZM_OK && score >= 0 && score <= 100) {
            top->v[i].score = (uint8_t)score;
            (*rescored)++;
        } else {
            (*kept)++;
            zm_log_warn("matching: re-ranking candidate %u: %s; its builtin score stays", top->v[i].id,
                        why ? why : zm_strerror(rc));
        }
        zm_arena_destroy(&tmp);
        if (task_progress(ctx, 99) == ZM_ENOTFOUND) {
            return ZM_EAGAIN; /* the lease is someone else's now */
        }
    }
    for (int i = 1; i < top->n; i++) {
        match_cand_t c = top->v[i];
        int j = i;
        while (j > 0 && top->v[j - 1].score < c.score) {
            top->v[j] = top->v[j - 1];
            j--;
        }
        top->v[j] = c;
    }
    return ZM_OK;
}

/* the end: results under this run, the job's pointer switched, the old run's results gone; one transaction */
static int finish(task_ctx_t *ctx, int64_t id, int64_t job_id, match_topk_t *top, int64_t scanned, int64_t matched,
                  double secs, int *cancelled)
{
    db_res_t old;
    int rc;

    if ((rc = db_begin(ctx->db)) != ZM_OK) {
        return rc;
    }
    int64_t n = db_exec(ctx->db,
                        "UPDATE match_task SET status = 'completed', progress = 100, completed_at = UTC_TIMESTAMP(6), "
                        "running_job = NULL, topk = NULL, scanned = ?, total_candidates = ?, matched_count = ?, "
                        "run_seconds = ? WHERE id = ? AND status = 'running'",
                        "iiidi", scanned, scanned, matched, secs, id);
    if (n <= 0) {
        db_rollback(ctx->db);
        *cancelled = n == 0;
        return n < 0 ? (int)n : ZM_OK;
    }
    rc = db_exec(ctx->db, "DELETE FROM match_result WHERE task_id = ?", "i", id) < 0 ? ZM_EAGAIN : ZM_OK;
    for (int i = 0; rc == ZM_OK && i < top->n; i++) {
        n = db_exec(ctx->db,
                    "INSERT INTO match_result (job_id, resume_id, user_id, match_score, visible, rank_position, "
                    "created_at, task_id) SELECT ?, resume_id, user_id, ?, discoverable, ?, UTC_TIMESTAMP(6), ? FROM "
                    "match_resume_features WHERE id = ?",
                    "iIIii", job_id, (int)top->v[i].score, i + 1, id, (int64_t)top->v[i].id);
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc == ZM_OK) {
        rc = db_query(ctx->db, ctx->a, &old, "SELECT task_id FROM match_job WHERE job_id = ? FOR UPDATE", "i", job_id);
    }
    if (rc == ZM_OK) {
        n = db_exec(ctx->db,
                    "INSERT INTO match_job (job_id, task_id, updated_at) VALUES (?, ?, UTC_TIMESTAMP(6)) "
                    "ON DUPLICATE KEY UPDATE task_id = VALUES(task_id), updated_at = VALUES(updated_at)",
                    "ii", job_id, id);
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc == ZM_OK && old.nrows && db_int(&old, 0, 0) != id) {
        n = db_exec(ctx->db, "DELETE FROM match_result WHERE task_id = ?", "i", db_int(&old, 0, 0));
        rc = n < 0 ? (int)n : ZM_OK;
    }
    if (rc != ZM_OK) {
        db_rollback(ctx->db);
        return rc;
    }
    return db_commit(ctx->db);
}

enum { M_JOB, M_STATUS, M_LAST, M_SCANNED, M_MATCHED, M_TOTAL, M_TOPK, M_SECS, M_PROGRESS };

int match_run(task_ctx_t *ctx, int64_t id, json_object **result, char **error)
{
    jobs_actor_t admin = {0, 1};
    json_object *job = NULL;
    an_jobvec_t *jv;
    const char *job_text;
    int rescored = 0, kept = 0;
    match_topk_t top;
    db_res_t res;
    int rc, cancelled = 0, progress;
    int64_t job_id, last, scanned, matched, total, fver = an_features_version();
    int k = (int)zm_conf_int("matching.top_k"), thr = (int)zm_conf_int("matching.threshold");
    int64_t batch_max = zm_conf_int("matching.batch"), pace_ms = 0, batch;
    double secs, t0, qsecs = 0, tsecs = 0;
    int64_t terms_read = 0;
    zm_arena_t tmpa, *tmp = &tmpa;

    rc = db_query(ctx->db, ctx->a, &res,
                  "SELECT job_id, status, last_key, scanned, matched_count, total_candidates, topk, run_seconds, "
                  "progress FROM match_task WHERE id = ?",
                  "i", id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0 ||
        (strcmp(db_val(&res, 0, M_STATUS), "pending") != 0 && strcmp(db_val(&res, 0, M_STATUS), "running") != 0)) {
        *result = json_object_new_object();
        json_object_object_add(*result, "skipped",
                               json_object_new_string(res.nrows ? db_val(&res, 0, M_STATUS) : "gone"));
        return ZM_OK;
    }
    job_id = db_int(&res, 0, M_JOB);
    last = db_int(&res, 0, M_LAST);
    scanned = db_int(&res, 0, M_SCANNED);
    matched = db_int(&res, 0, M_MATCHED);
    total = db_int(&res, 0, M_TOTAL);
    secs = atof(db_val(&res, 0, M_SECS) ? db_val(&res, 0, M_SECS) : "0");
    progress = (int)db_int(&res, 0, M_PROGRESS);
    if (match_topk_init(ctx->a, &top, k) != ZM_OK) {
        return ZM_ENOMEM;
    }
    if (db_val(&res, 0, M_TOPK) && match_topk_unpack(&top, db_val(&res, 0, M_TOPK), res.lens[0][M_TOPK]) != ZM_OK) {
        fail_run(ctx, id, "检查点数据损坏");
        *error = "bad checkpoint";
        return ZM_EINVAL;
    }
    if (zm_conf_int("tasks.test_handlers") && ctx->payload) {
        /* tests only: a slow run, to be killed in the middle */
        json_object *v;
        if (json_object_object_get_ex(ctx->payload, "test_pace_ms", &v)) {
            pace_ms = json_object_get_int64(v);
        }
        if (json_object_object_get_ex(ctx->payload, "test_batch", &v) && json_object_get_int64(v) > 0) {
            batch_max = json_object_get_int64(v);
        }
    }
    if ((rc = job_get(ctx->db, ctx->a, &admin, job_id, &job)) != ZM_OK) {
        if (rc == ZM_ENOTFOUND) {
            fail_run(ctx, id, "职位不存在");
            *error = "job not found";
            return ZM_EINVAL;
        }
        return rc;
    }
    job_text = match_job_text(ctx->a, job);
    rc = an_jobvec(ctx->a, job_text, &jv);
    json_object_put(job);
    if (rc != ZM_OK) {
        return rc;
    }
    if (db_exec(ctx->db,
                "UPDATE match_task SET status = 'running', started_at = COALESCE(started_at, UTC_TIMESTAMP(6)) "
                "WHERE id = ? AND status IN ('pending', 'running')",
                "i", id) <= 0) {
        return ZM_EAGAIN;
    }
    if (last == 0 || total == 0) {
        /* the pool's size, for progress and the ETA (what is added during the run is scanned too) */
        rc = db_query(ctx->db, ctx->a, &res, "SELECT COUNT(*) " POOL_FROM, "ii", (int64_t)0, fver);
        if (rc != ZM_OK) {
            return rc;
        }
        total = db_int(&res, 0, 0);
        db_exec(ctx->db, "UPDATE match_task SET total_candidates = ? WHERE id = ?", "ii", total, id);
    }
    /* at least 50 batches: progress moves by 2% or less */
    batch = total / 50;
    if (batch < 200) {
        batch = 200;
    }
    if (batch > batch_max) {
        batch = batch_max;
    }
    zm_arena_init(tmp, 1 << 20, 0);
    for (;;) {
        t0 = mono_s();
        zm_arena_reset(tmp);
        rc = db_query(ctx->db, tmp, &res, "SELECT f.id, f.head " POOL_FROM "ORDER BY f.id LIMIT ?", "iii", last, fver,
                      batch);
        qsecs += mono_s() - t0;
        if (rc != ZM_OK) {
            break;
        }
        /* the heads first: what they decide is done; the rest waits for its term vector.  The top K
         * only improves meanwhile, so a head judged out stays out, and the K best do not depend on
         * the order they were offered in (ties go to the lower id). */
        pend_t *pend = zm_palloc(tmp, (res.nrows + 1) * sizeof(pend_t));
        size_t np = 0;
        if (pend == NULL) {
            rc = ZM_ENOMEM;
            break;
        }
        for (size_t i = 0; i < res.nrows; i++) {
            uint32_t cid = (uint32_t)db_int(&res, i, 0);
            const char *head = res.rows[i][1];
            size_t hlen = res.lens[i][1];
            int lo = an_jobvec_score_head(jv, head, hlen, 0), hi;

            if (lo < 0) {
                continue; /* a malformed head: not a candidate */
            }
            hi = an_jobvec_score_head(jv, head, hlen, 100);
            if (lo == hi) {
                matched += lo >= thr;
                match_topk_push(&top, lo, cid);
            } else if (!match_topk_admits(&top, hi, cid) && (lo >= thr || hi < thr)) {
                matched += lo >= thr; /* the similarity cannot change where it goes */
            } else {
                pend[np].id = cid;
                pend[np].head = head;
                pend[np].hlen = hlen;
                np++;
            }
        }
        double t1 = mono_s();
        if (np > 0 && np * 4 >= res.nrows) {
            rc = score_range(ctx, tmp, jv, pend, np, last, thr, &top, &matched);
        } else {
            rc = score_pending(ctx, tmp, jv, pend, np, thr, &top, &matched);
        }
        tsecs += mono_s() - t1;
        terms_read += (int64_t)np;
        if (rc != ZM_OK) {
            break;
        }
        scanned += (int64_t)res.nrows;
        if (res.nrows) {
            last = db_int(&res, res.nrows - 1, 0);
        }
        if (pace_ms > 0) {
            struct timespec ts = {pace_ms / 1000, (pace_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        secs += mono_s() - t0;
        if (res.nrows < (size_t)batch) {
            break;
        }
        int pct = total > 0 ? (int)(scanned * 100 / total) : 0;
        if (pct > 99) {
            pct = 99;
        }
        size_t tlen = 0;
        char *tk = match_topk_pack(tmp, &top, &tlen);
        int64_t n = db_exec(ctx->db,
                            "UPDATE match_task SET last_key = ?, scanned = ?, matched_count = ?, topk = ?, progress = "
                            "?, run_seconds = ? WHERE id = ? AND status = 'running'",
                            "iiiSIdi", last, scanned, matched, tk, tlen, pct, secs, id);
        if (n == 0) {
            cancelled = 1;
            break;
        }
        if (pct != progress) {
            progress = pct;
            if (task_progress(ctx, pct) == ZM_ENOTFOUND) {
                rc = ZM_EAGAIN; /* the lease is someone else's now: they go on from the checkpoint */
                break;
            }
        }
    }
    zm_arena_destroy(tmp);
    if (rc != ZM_OK) {
        *error = "matching run interrupted";
        return rc == ZM_EDBDOWN ? rc : ZM_EAGAIN;
    }
    if (!cancelled) {
        match_topk_sort(&top);
        if (rerank(ctx, job_text, &top, &rescored, &kept) != ZM_OK) {
            *error = "matching run interrupted while re-ranking";
            return ZM_EAGAIN;
        }
        rc = finish(ctx, id, job_id, &top, scanned, matched, secs, &cancelled);
        if (rc != ZM_OK) {
            *error = "could not store the ranking";
            return ZM_EAGAIN;
        }
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "match_task_id", json_object_new_int64(id));
    json_object_object_add(*result, "status", json_object_new_string(cancelled ? "cancelled" : "completed"));
    json_object_object_add(*result, "scanned", json_object_new_int64(scanned));
    json_object_object_add(*result, "matched_count", json_object_new_int64(matched));
    json_object_object_add(*result, "seconds", json_object_new_double(secs));
    json_object_object_add(*result, "query_seconds", json_object_new_double(qsecs));
    json_object_object_add(*result, "terms_read", json_object_new_int64(terms_read));
    json_object_object_add(*result, "terms_seconds", json_object_new_double(tsecs));
    /* the remote re-ranking of the top K: scores the model gave, and builtin scores kept on a failure */
    json_object_object_add(*result, "rescored", json_object_new_int(rescored));
    json_object_object_add(*result, "rescore_failed", json_object_new_int(kept));
    return ZM_OK;
}
