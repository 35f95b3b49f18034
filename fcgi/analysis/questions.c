/*
 * questions.c -- likely interview questions from the question bank, filled
 * with the resume's own skills, projects and target role.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "document.h"

/* ---- interview questions ---- */

static const char *const an_qcat_keys[] = {"technical", "project", "behavioral", "hr"};
static const char *const an_qcat_labels[] = {"技术问题", "项目深挖", "行为面试", "HR 面试"};

/* s with {skill}, {project} and {role} filled in */
static char *an_fill(zm_arena_t *a, const char *s, const char *skill, const char *project, const char *role)
{
    char *out = zm_pstrdup(a, "");
    const char *p = s;

    while (out && *p) {
        const char *b = strchr(p, '{');
        const char *v = NULL;
        size_t skip = 0;
        if (b == NULL) {
            return zm_psprintf(a, "%s%s", out, p);
        }
        if (strncmp(b, "{skill}", 7) == 0) {
            v = skill, skip = 7;
        } else if (strncmp(b, "{project}", 9) == 0) {
            v = project, skip = 9;
        } else if (strncmp(b, "{role}", 6) == 0) {
            v = role, skip = 6;
        }
        if (skip == 0) {
            out = zm_psprintf(a, "%s%.*s", out, (int)(b - p + 1), p);
            p = b + 1;
            continue;
        }
        out = zm_psprintf(a, "%s%.*s%s", out, (int)(b - p), p, v ? v : "");
        p = b + skip;
    }
    return out;
}

static json_object *an_question(zm_arena_t *a, const an_q_t *q, const char *skill, const char *project,
                                const char *role, const char *why_prefix)
{
    json_object *o = json_object_new_object(), *ol = json_object_new_array();
    const char *why = an_fill(a, q->why, skill, project, role);

    json_object_object_add(o, "question", json_object_new_string(an_fill(a, q->question, skill, project, role)));
    if (why_prefix && why_prefix[0]) {
        why = zm_psprintf(a, "%s；%s", why_prefix, why);
    }
    json_object_object_add(o, "why", json_object_new_string(why ? why : ""));
    for (int k = 0; k < q->nout; k++) {
        an_push(ol, an_fill(a, q->outline[k], skill, project, role));
    }
    json_object_object_add(o, "outline", ol);
    if (skill && q->cat == 0) {
        json_object_object_add(o, "skill", json_object_new_string(skill));
    }
    return o;
}

int an_builtin_questions(zm_arena_t *a, const char *resume_text, const char *job, int count, json_object **out)
{
    an_doc_t r, j;
    int rc, *rv, nr, *jv, nj = 0, *sk, nsk = 0, quota[AN_QCATS], supply[AN_QCATS], ngen = 0, *gen,
                          nbank[AN_QCATS] = {0};
    char *projects[3];
    int np;
    const char *role = "目标岗位";
    json_object *groups, *g[AN_QCATS];

    *out = NULL;
    if (count < 1) {
        count = 1;
    }
    if (count > 50) {
        count = 50;
    }
    if ((rc = an_read(a, resume_text, &r)) != ZM_OK) {
        return rc;
    }
    memset(&j, 0, sizeof(j));
    if (job && job[0]) {
        if ((rc = an_read(a, job, &j)) != ZM_OK) {
            return rc;
        }
        if ((nj = an_found(a, &j, &jv)) < 0) {
            return ZM_ENOMEM;
        }
        /* a short "job" is a role name: use it in the questions */
        if (strlen(job) <= 60 && !memchr(job, '\n', strlen(job))) {
            role = zm_psprintf(a, "“%s”岗位", job);
        }
    }
    if ((nr = an_found(a, &r, &rv)) < 0) {
        return ZM_ENOMEM;
    }
    np = an_projects(a, &r, projects, 3);
    sk = zm_palloc(a, (size_t)(nr + nj + 1) * sizeof(int));
    gen = zm_palloc(a, (size_t)(an_dict.nqs + 1) * sizeof(int));
    if (sk == NULL || gen == NULL) {
        return ZM_ENOMEM;
    }
    /* what the interviewer will probe: skills both name, then the job's, then the resume's; never soft skills */
    for (int pass = 0; pass < 3; pass++) {
        int *v = pass < 2 ? jv : rv, n = pass < 2 ? nj : nr;
        for (int k = 0; k < n; k++) {
            int s = v[k], x, in_r = r.count[s] > 0;
            if ((pass == 0 && !in_r) || (pass == 1 && in_r)) {
                continue;
            }
            const char *ck = an_dict.cats[an_dict.skills[s].cat].key;
            if (!strcmp(ck, "soft") || !strcmp(ck, "language") || !strcmp(ck, "cert")) {
                continue;
            }
            for (x = 0; x < nsk && sk[x] != s; x++) {
            }
            if (x == nsk) {
                sk[nsk++] = s;
            }
        }
    }
    for (int q = 0; q < an_dict.nqs; q++) {
        if (an_dict.qs[q].skill < 0) {
            nbank[an_dict.qs[q].cat]++;
            if (an_dict.qs[q].cat == 0) {
                gen[ngen++] = q;
            }
        }
    }

    /* how many of each: technical 40%, project 25%, behavioral 20%, HR 15%; one each first when count allows */
    {
        static const double w[AN_QCATS] = {0.40, 0.25, 0.20, 0.15};
        int given = 0;
        double rem[AN_QCATS];
        for (int c = 0; c < AN_QCATS; c++) {
            quota[c] = count >= AN_QCATS ? 1 : c < count;
            given += quota[c];
        }
        int left = count - given;
        for (int c = 0; c < AN_QCATS; c++) {
            double x = left * w[c];
            quota[c] += (int)x;
            given += (int)x;
            rem[c] = x - (int)x;
        }
        while (given < count) {
            int best = 0;
            for (int c = 1; c < AN_QCATS; c++) {
                if (rem[c] > rem[best]) {
                    best = c;
                }
            }
            quota[best]++;
            rem[best] = -1;
            given++;
        }
        supply[0] = ngen * (nsk ? nsk : 1);
        for (int q = 0; q < an_dict.nqs; q++) {
            supply[0] += an_dict.qs[q].skill >= 0 && an_dict.qs[q].cat == 0 &&
                         r.count[an_dict.qs[q].skill] + (nj ? j.count[an_dict.qs[q].skill] : 0);
        }
        supply[1] = nbank[1] * (np ? np : 1);
        supply[2] = nbank[2];
        supply[3] = nbank[3];
        /* a group the bank cannot fill hands its share to the others */
        int spare = 0;
        for (int c = 0; c < AN_QCATS; c++) {
            if (quota[c] > supply[c]) {
                spare += quota[c] - supply[c];
                quota[c] = supply[c];
            }
        }
        for (int c = 0; c < AN_QCATS && spare; c++) {
            int room = supply[c] - quota[c];
            int t = room < spare ? room : spare;
            quota[c] += t;
            spare -= t;
        }
    }

    for (int c = 0; c < AN_QCATS; c++) {
        g[c] = json_object_new_array();
    }

    /* technical: each skill's own bank questions round-robin, then generic ones filled with the skills */
    {
        int got = 0;
        for (int round = 0; got < quota[0] && round < 16; round++) {
            int any = 0;
            for (int k = 0; k < nsk && got < quota[0]; k++) {
                int seen = 0;
                for (int q = 0; q < an_dict.nqs; q++) {
                    if (an_dict.qs[q].cat != 0 || an_dict.qs[q].skill != sk[k]) {
                        continue;
                    }
                    if (seen++ == round) {
                        const char *name = an_dict.skills[sk[k]].name;
                        int in_r = r.count[sk[k]] > 0, in_j = nj && j.count[sk[k]] > 0;
                        const char *pre = in_r && in_j ? zm_psprintf(a, "简历和岗位要求都提到了%s", name)
                                          : in_j ? zm_psprintf(a, "岗位要求%s，简历中没有体现，面试官可能会考察", name)
                                                 : zm_psprintf(a, "简历中写了%s（出现 %d 次）", name, r.count[sk[k]]);
                        json_object_array_add(g[0], an_question(a, &an_dict.qs[q], name, NULL, role, pre));
                        got++;
                        any = 1;
                        break;
                    }
                }
            }
            if (!any) {
                break;
            }
        }
        for (int round = 0; got < quota[0] && ngen && round < ngen; round++) {
            for (int k = 0; k < (nsk ? nsk : 1) && got < quota[0]; k++) {
                const an_q_t *q = &an_dict.qs[gen[(k + round) % ngen]];
                const char *name = nsk ? an_dict.skills[sk[k]].name : "你最熟悉的技术";
                json_object_array_add(
                    g[0], an_question(a, q, name, NULL, role, nsk ? zm_psprintf(a, "简历或岗位涉及%s", name) : NULL));
                got++;
            }
        }
    }
    /* project deep-dives: the bank's templates, filled with the resume's projects in turn */
    for (int q = 0, got = 0, k = 0; q < an_dict.nqs * 3 && got < quota[1]; q++) {
        const an_q_t *t = &an_dict.qs[q % an_dict.nqs];
        if (t->cat != 1 || q / an_dict.nqs >= (np ? np : 1)) {
            continue;
        }
        /* a named project is quoted in the question; the stand-in phrase is not */
        const char *proj = np ? projects[(k + q / an_dict.nqs) % np] : NULL;
        const char *pre =
            np ? zm_psprintf(a, "简历的项目经历中有“%s”", proj) : "简历没有单列项目，面试官通常会追问工作中的具体项目";
        json_object_array_add(g[1],
                              an_question(a, t, nsk ? an_dict.skills[sk[0]].name : "核心技术",
                                          proj ? zm_psprintf(a, "“%s”", proj) : "你简历中最有代表性的项目", role, pre));
        got++;
        k++;
    }
    for (int c = 2; c < AN_QCATS; c++) {
        for (int q = 0, got = 0; q < an_dict.nqs && got < quota[c]; q++) {
            if (an_dict.qs[q].cat == c) {
                json_object_array_add(
                    g[c], an_question(a, &an_dict.qs[q], nsk ? an_dict.skills[sk[0]].name : "专业技能",
                                      np ? zm_psprintf(a, "“%s”", projects[0]) : "你最近的项目", role, NULL));
                got++;
            }
        }
    }

    groups = json_object_new_array();
    int total = 0;
    for (int c = 0; c < AN_QCATS; c++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "category", json_object_new_string(an_qcat_keys[c]));
        json_object_object_add(o, "label", json_object_new_string(an_qcat_labels[c]));
        total += (int)json_object_array_length(g[c]);
        json_object_object_add(o, "questions", g[c]);
        json_object_array_add(groups, o);
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "groups", groups);
    json_object_object_add(*out, "count", json_object_new_int(total));
    return ZM_OK;
}
