/*
 * match.c -- the builtin match of a resume against a job description: a
 * 0-100 score from weighted, explained components, strengths, gaps and
 * specific suggestions.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "document.h"

/* ---- the match ---- */

void an_push(json_object *arr, const char *s)
{
    if (s) {
        json_object_array_add(arr, json_object_new_string(s));
    }
}

/* "A、B、C" (and "等 N 项" past max) */
char *an_join(zm_arena_t *a, const int *v, int n, int max)
{
    char *s = zm_pstrdup(a, "");

    for (int k = 0; k < n && k < max && s; k++) {
        s = zm_psprintf(a, "%s%s%s", s, k ? "、" : "", an_dict.skills[v[k]].name);
    }
    if (s && n > max) {
        s = zm_psprintf(a, "%s等 %d 项", s, n);
    }
    return s;
}

const char *an_years_text(zm_arena_t *a, double y)
{
    return y == floor(y) ? zm_psprintf(a, "%d", (int)y) : zm_psprintf(a, "%.1f", y);
}

static void an_component(json_object *arr, const char *key, const char *name, int weight, int score, const char *detail)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "key", json_object_new_string(key));
    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "weight", json_object_new_int(weight));
    json_object_object_add(o, "score", json_object_new_int(score));
    json_object_object_add(o, "detail", json_object_new_string(detail ? detail : ""));
    json_object_array_add(arr, o);
}

/* Up to max weak bullets quoted with what to add: the suggestions' most specific part. */
static void an_quantify_suggestions(zm_arena_t *a, const an_doc_t *d, json_object *arr, int max)
{
    an_bullet_t *b;
    int nb = an_bullets(a, d, &b), k = 0;

    for (int i = 0; i < nb && k < max; i++) {
        if (!b[i].quantified) {
            an_push(arr,
                    zm_psprintf(
                        a, "「%s」没有量化结果，可补充具体数据，例如性能提升的百分比、服务的用户量、节省的时间或金额",
                        an_bullet_text(a, d, &b[i], 60)));
            k++;
        }
    }
}

int an_builtin_match(zm_arena_t *a, const char *resume_text, const char *job_description, an_match_t *out)
{
    an_doc_t r, j;
    int rc, *jv, nj, *mreq, *xreq, *mpref, *xpref, nmr = 0, nxr = 0, nmp = 0, nxp = 0;
    int s_skill, s_exp, s_edu, s_sim, score;
    char *d_skill, *d_exp, *d_edu, *d_sim;
    json_object *strengths, *gaps, *sugg, *matched, *missing, *comps;

    memset(out, 0, sizeof(*out));
    out->provider = "builtin";
    out->model = "builtin-v1";
    if ((rc = an_read(a, resume_text, &r)) != ZM_OK || (rc = an_read(a, job_description, &j)) != ZM_OK) {
        return rc;
    }
    if ((nj = an_found(a, &j, &jv)) < 0) {
        return ZM_ENOMEM;
    }
    mreq = zm_palloc(a, (size_t)(nj + 1) * sizeof(int) * 4);
    if (mreq == NULL) {
        return ZM_ENOMEM;
    }
    xreq = mreq + nj + 1, mpref = xreq + nj + 1, xpref = mpref + nj + 1;
    /* the job description's order: most mentioned first */
    for (int k = 0; k < nj; k++) {
        int s = jv[k], have = r.count[s] > 0;
        if (j.req[s]) {
            if (have) {
                mreq[nmr++] = s;
            } else {
                xreq[nxr++] = s;
            }
        } else if (have) {
            mpref[nmp++] = s;
        } else {
            xpref[nxp++] = s;
        }
    }

    s_sim = an_similarity(a, &r, &j);
    d_sim = zm_psprintf(a, "简历与岗位描述的用词（中文双字词与英文词，BM25 加权）重合度 %d%%", s_sim);

    if (nj == 0) {
        s_skill = s_sim;
        d_skill = "岗位描述中没有识别出具体技能要求，按文本相似度计分";
    } else {
        s_skill = an_skill_score(2 * nmr + nmp, 2 * (nmr + nxr) + (nmp + nxp));
        d_skill = zm_psprintf(a, "必备技能 %d/%d 项", nmr, nmr + nxr);
        if (nmp + nxp) {
            d_skill = zm_psprintf(a, "%s，加分技能 %d/%d 项（按一半权重计）", d_skill, nmp, nmp + nxp);
        }
        if (nxr) {
            d_skill = zm_psprintf(a, "%s；缺少：%s", d_skill, an_join(a, xreq, nxr, 6));
        }
    }

    s_exp = an_exp_score(r.years, j.years_req);
    if (j.years_req < 0) {
        d_exp = r.years >= 0 ? zm_psprintf(a, "岗位未写明年限；简历约 %s 年经验", an_years_text(a, r.years))
                             : "岗位未写明年限；简历中没有识别出工作年限";
    } else if (r.years < 0) {
        d_exp = zm_psprintf(a, "岗位要求 %s 年以上，简历中没有识别出工作年限", an_years_text(a, j.years_req));
    } else if (r.years >= j.years_req) {
        d_exp = zm_psprintf(a, "约 %s 年经验，满足岗位 %s 年以上的要求", an_years_text(a, r.years),
                            an_years_text(a, j.years_req));
    } else {
        d_exp = zm_psprintf(a, "约 %s 年经验，岗位要求 %s 年以上", an_years_text(a, r.years),
                            an_years_text(a, j.years_req));
    }

    s_edu = an_edu_score(r.edu, j.edu_req);
    if (j.edu_req == 0) {
        d_edu = r.edu ? zm_psprintf(a, "岗位未写明学历要求；简历为%s", an_edu_names[r.edu])
                      : "岗位未写明学历要求；简历中没有识别出学历";
    } else if (r.edu == 0) {
        d_edu = zm_psprintf(a, "岗位要求%s及以上，简历中没有识别出学历", an_edu_names[j.edu_req]);
    } else if (r.edu >= j.edu_req) {
        d_edu = zm_psprintf(a, "%s，满足岗位%s及以上的要求", an_edu_names[r.edu], an_edu_names[j.edu_req]);
    } else {
        d_edu = zm_psprintf(a, "%s，岗位要求%s及以上", an_edu_names[r.edu], an_edu_names[j.edu_req]);
    }

    score = an_total_score(s_skill, s_exp, s_edu, s_sim, r.len == 0);

    comps = json_object_new_array();
    an_component(comps, "skills", "技能匹配", 45, s_skill, d_skill);
    an_component(comps, "experience", "工作经验", 20, s_exp, d_exp);
    an_component(comps, "education", "学历", 15, s_edu, d_edu);
    an_component(comps, "similarity", "文本相似度", 20, s_sim, d_sim);

    matched = json_object_new_array();
    missing = json_object_new_array();
    for (int k = 0; k < nmr; k++) {
        an_push(matched, an_dict.skills[mreq[k]].name);
    }
    for (int k = 0; k < nmp; k++) {
        an_push(matched, an_dict.skills[mpref[k]].name);
    }
    for (int k = 0; k < nxr; k++) {
        an_push(missing, an_dict.skills[xreq[k]].name);
    }
    for (int k = 0; k < nxp; k++) {
        an_push(missing, an_dict.skills[xpref[k]].name);
    }

    strengths = json_object_new_array();
    gaps = json_object_new_array();
    sugg = json_object_new_array();
    if (nmr) {
        an_push(strengths, zm_psprintf(a, "具备岗位要求的技能：%s（%d/%d）", an_join(a, mreq, nmr, 8), nmr, nmr + nxr));
    }
    if (nmp) {
        an_push(strengths, zm_psprintf(a, "具备加分技能：%s", an_join(a, mpref, nmp, 6)));
    }
    if (r.years >= 0 && j.years_req >= 0 && r.years >= j.years_req) {
        an_push(strengths, zm_psprintf(a, "约 %s 年工作经验，满足岗位 %s 年以上的要求", an_years_text(a, r.years),
                                       an_years_text(a, j.years_req)));
    } else if (r.years > 0 && j.years_req < 0) {
        an_push(strengths, zm_psprintf(a, "约 %s 年工作经验", an_years_text(a, r.years)));
    }
    if (r.edu && j.edu_req && r.edu >= j.edu_req) {
        an_push(strengths,
                zm_psprintf(a, "学历（%s）满足岗位要求（%s及以上）", an_edu_names[r.edu], an_edu_names[j.edu_req]));
    }
    if (s_sim >= 60) {
        an_push(strengths, "简历用词与岗位描述高度相关，容易通过关键词筛选");
    }

    if (nxr) {
        an_push(gaps, zm_psprintf(a, "缺少岗位要求的技能：%s", an_join(a, xreq, nxr, 8)));
    }
    if (nxp) {
        an_push(gaps, zm_psprintf(a, "未体现加分技能：%s", an_join(a, xpref, nxp, 6)));
    }
    if (j.years_req >= 0 && r.years >= 0 && r.years < j.years_req) {
        an_push(gaps,
                zm_psprintf(a, "工作年限约 %s 年，岗位要求 %s 年以上，相差约 %s 年", an_years_text(a, r.years),
                            an_years_text(a, j.years_req), an_years_text(a, ceil((j.years_req - r.years) * 10) / 10)));
    } else if (j.years_req >= 0 && r.years < 0) {
        an_push(gaps, zm_psprintf(a, "简历中没有识别出工作年限（岗位要求 %s 年以上）", an_years_text(a, j.years_req)));
    }
    if (j.edu_req && r.edu && r.edu < j.edu_req) {
        an_push(gaps, zm_psprintf(a, "学历为%s，岗位要求%s及以上", an_edu_names[r.edu], an_edu_names[j.edu_req]));
    } else if (j.edu_req && !r.edu) {
        an_push(gaps, zm_psprintf(a, "简历中没有写明学历，岗位要求%s及以上", an_edu_names[j.edu_req]));
    }
    if (s_sim < 30) {
        an_push(gaps, "简历与岗位描述的用词重合度较低，筛选系统可能检索不到");
    }

    if (nxr) {
        an_push(
            sugg,
            zm_psprintf(
                a,
                "如有%s的实际经验，请在工作或项目经历中写明使用场景和成果；如没有，建议优先补齐并做一个可展示的小项目",
                an_join(a, xreq, nxr, 3)));
    }
    {
        static const int need[] = {AN_SEC_WORK, AN_SEC_PROJ, AN_SEC_SKILLS, AN_SEC_EDU};
        static const char *const how[] = {
            "写明公司、职位、起止时间和可量化的工作成果", "写清项目背景、你的职责、使用的技术和可量化的结果",
            "集中列出掌握的技术和工具，便于筛选系统识别", "写明学校、专业、学历和起止时间"};
        for (size_t k = 0; k < ZM_ARRAY_LEN(need); k++) {
            if (!r.sec[need[k]] && r.len > 0) {
                an_push(sugg, zm_psprintf(a, "补充“%s”部分：%s", an_sec_names[need[k]], how[k]));
            }
        }
    }
    if (j.years_req >= 0 && r.years < 0) {
        an_push(sugg, "为每段经历写明起止时间（如 2019.07-至今），便于计算工作年限");
    }
    an_quantify_suggestions(a, &r, sugg, 3);
    if (nmr && nxr == 0) {
        an_push(sugg,
                zm_psprintf(a, "把%s放在专业技能和最近一段经历的前面，并准备相关的项目案例", an_join(a, mreq, nmr, 3)));
    }
    if (json_object_array_length(sugg) == 0) {
        an_push(sugg, "简历与岗位匹配良好，面试前准备 2-3 个与岗位核心技能相关的项目案例");
    }

    {
        const char *level = score >= 80 ? "高" : score >= 60 ? "较高" : score >= 40 ? "一般" : "较低";
        char *sum = zm_psprintf(a, "匹配度 %d 分（%s）", score, level);
        if (nmr + nxr) {
            sum = zm_psprintf(a, "%s：具备 %d/%d 项必备技能", sum, nmr, nmr + nxr);
            if (nxr) {
                sum = zm_psprintf(a, "%s，缺少%s", sum, an_join(a, xreq, nxr, 3));
            }
        }
        sum = zm_psprintf(a, "%s；经验%s，学历%s。", sum,
                          s_exp >= 100  ? "满足要求"
                          : s_exp >= 60 ? "接近要求"
                                        : "不足或未写明",
                          s_edu >= 100  ? "满足要求"
                          : s_edu >= 50 ? "略低或未写明"
                                        : "不满足");
        out->summary = sum ? sum : "";
    }
    out->score = score;
    out->strengths = strengths;
    out->gaps = gaps;
    out->suggestions = sugg;
    out->matched_skills = matched;
    out->missing_skills = missing;
    out->components = comps;
    return ZM_OK;
}

json_object *an_match_json(const an_match_t *m)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "score", json_object_new_int(m->score));
    json_object_object_add(o, "summary", json_object_new_string(m->summary ? m->summary : ""));
    json_object_object_add(o, "strengths", json_object_get(m->strengths));
    json_object_object_add(o, "gaps", json_object_get(m->gaps));
    json_object_object_add(o, "suggestions", json_object_get(m->suggestions));
    json_object_object_add(o, "matched_skills", json_object_get(m->matched_skills));
    json_object_object_add(o, "missing_skills", json_object_get(m->missing_skills));
    json_object_object_add(o, "components", json_object_get(m->components));
    json_object_object_add(o, "provider", json_object_new_string(m->provider ? m->provider : ""));
    json_object_object_add(o, "model", json_object_new_string(m->model ? m->model : ""));
    return o;
}
