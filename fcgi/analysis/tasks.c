/*
 * tasks.c -- the queue side of analyses: a suggestion from a slow
 * (remote-model) provider, and diagnoses / interview predictions with
 * whichever provider an_provider() is.
 */
#include <string.h>

#include "analysis.h"
#include "log.h"
#include "openai.h"
#include "points.h"
#include "provider.h"
#include "queue.h"
#include "registry.h"
#include "resumes.h"
#include "review.h"
#include "uuid.h"

/* A provider's failure: retry later when it may pass (timeouts, 429s), else fail with its reason. */
static int provider_failed(task_ctx_t *ctx, int rc, const char *why, char **error)
{
    *error = zm_psprintf(ctx->a, "分析失败：%s", why ? why : "模型没有给出有效结果");
    return rc == ZM_EAGAIN ? ZM_EAGAIN : ZM_ERR;
}

int rv_task_suggestion(task_ctx_t *ctx, json_object **result, char **error)
{
    const char *resume_id = task_payload_str(ctx, "resume_id"), *jd = task_payload_str(ctx, "job_description");
    an_usage_t usage;
    resume_text_t t;
    an_match_t m;
    char *why = NULL;
    json_object *s;
    int rc;

    if (resume_id == NULL || jd == NULL) {
        *error = "suggestion.generate needs resume_id and job_description";
        return ZM_EINVAL;
    }
    rc = resume_latest_text(ctx->db, ctx->a, ctx->user_id, resume_id, &t);
    if (rc != ZM_OK || t.text == NULL) {
        *error = "简历或其文本已不存在";
        return rc == ZM_EDBDOWN ? rc : ZM_ERR;
    }
    task_progress(ctx, 10);
    rc = an_provider()->match(ctx->a, t.text, jd, &m, &usage, &why);
    if (rc != ZM_OK) {
        return provider_failed(ctx, rc, why, error);
    }
    task_progress(ctx, 90);
    /* written only now: there is a real score */
    rc = rv_store_suggestion(ctx->db, ctx->a, ctx->user_id, t.resume_id, jd, &m, &usage, &s);
    an_openai_match_release(&m);
    if (rc != ZM_OK) {
        return rc;
    }
    *result = s;
    return ZM_OK;
}

int rv_task_analysis(task_ctx_t *ctx, json_object **result, char **error)
{
    const char *id = task_payload_str(ctx, "analysis_id");
    const an_provider_t *p = an_provider();
    an_usage_t usage;
    json_object *out = NULL;
    resume_text_t t;
    db_res_t res;
    char *why = NULL;
    const char *kind, *role, *jd, *provider = p->name, *model = NULL;
    int count, rc;
    int64_t score = -1;

    if (id == NULL) {
        *error = "analysis.run needs analysis_id";
        return ZM_EINVAL;
    }
    rc = db_query(ctx->db, ctx->a, &res,
                  "SELECT kind, resume_id, target_role, job_description, question_count, state FROM zm_analysis "
                  "WHERE id = ?",
                  "s", id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0 || strcmp(db_val(&res, 0, 5), "pending") != 0) {
        *result = json_object_new_object(); /* deleted, or already finished by an earlier attempt */
        return ZM_OK;
    }
    kind = db_val(&res, 0, 0);
    role = db_val(&res, 0, 2);
    jd = db_val(&res, 0, 3);
    count = (int)db_int(&res, 0, 4);
    rc = resume_latest_text(ctx->db, ctx->a, ctx->user_id, db_val(&res, 0, 1), &t);
    if (rc != ZM_OK || t.text == NULL) {
        why = "简历或其文本已不存在";
        rc = ZM_ERR;
        goto failed;
    }
    task_progress(ctx, 20);
    rc = strcmp(kind, "diagnosis") == 0 ? p->diagnose(ctx->a, t.text, role, &out, &usage, &why)
                                        : p->questions(ctx->a, t.text, jd ? jd : role, count, &out, &usage, &why);
    model = usage.llm.model;
    if (rc != ZM_OK) {
        if (rc == ZM_EAGAIN && ctx->attempt < ctx->max_attempts) {
            return provider_failed(ctx, rc, why, error);
        }
        goto failed;
    }
    task_progress(ctx, 90);
    {
        json_object *sc;
        if (json_object_object_get_ex(out, "overall_score", &sc)) {
            score = json_object_get_int64(sc);
        }
    }
    rc = rv_analysis_done(ctx->db, ctx->a, id, out, provider, model, score);
    json_object_put(out);
    if (rc == POINTS_ESHORT) {
        /* the balance went below the price while it ran: marked failed, nothing charged */
        *error = "分析失败：积分不足";
        return ZM_ERR;
    }
    if (rc != ZM_OK) {
        return rc;
    }
    *result = json_object_new_object();
    json_object_object_add(*result, "analysis_id", json_object_new_string(zm_uuid_dashed(ctx->a, id)));
    json_object_object_add(*result, "kind", json_object_new_string(kind));
    json_object_object_add(*result, "state", json_object_new_string("done"));
    return ZM_OK;

failed:
    rc = rv_analysis_failed(ctx->db, id, why ? why : "分析失败", provider);
    if (rc != ZM_OK) {
        return rc;
    }
    *error = zm_psprintf(ctx->a, "分析失败：%s", why ? why : "未知原因");
    return ZM_ERR;
}
