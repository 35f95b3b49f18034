/*
 * diagnose.c -- the builtin diagnosis of a resume: sections, skills by
 * category, gaps for a target role, rewrites of weak bullets.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "document.h"

/* ---- the diagnosis ---- */

typedef struct {
    const char *word;
    const char *cat;
} an_role_kw_t;

static const an_role_kw_t an_role_kws[] = {
    {"后端", "backend,database,devops"},
    {"服务端", "backend,database,devops"},
    {"backend", "backend,database,devops"},
    {"前端", "frontend"},
    {"frontend", "frontend"},
    {"web", "frontend"},
    {"android", "mobile"},
    {"ios", "mobile"},
    {"移动端", "mobile"},
    {"客户端", "mobile"},
    {"数据分析", "data"},
    {"大数据", "data"},
    {"数据", "data"},
    {"data", "data"},
    {"算法", "ai"},
    {"机器学习", "ai"},
    {"machine learning", "ai"},
    {"运维", "devops"},
    {"devops", "devops"},
    {"sre", "devops"},
    {"测试", "testing"},
    {"qa", "testing"},
    {"安全", "security"},
    {"嵌入式", "embedded"},
    {"硬件", "embedded"},
    {"产品", "product"},
    {"product", "product"},
    {"设计", "design"},
    {"designer", "design"},
    {"运营", "operations"},
    {"市场", "marketing"},
    {"营销", "marketing"},
    {"marketing", "marketing"},
    {"销售", "sales"},
    {"商务", "sales"},
    {"sales", "sales"},
    {"财务", "finance"},
    {"会计", "finance"},
    {"金融", "finance"},
    {"finance", "finance"},
    {"人力", "hr"},
    {"招聘", "hr"},
    {"hr", "hr"},
};

/* Frameworks tied to one language: not suggested to someone who neither has nor wants that language. */
static const struct {
    const char *framework, *lang;
} an_fw_lang[] = {
    {"Spring Boot", "Java"},   {"Spring Cloud", "Java"},  {"Spring", "Java"},     {"MyBatis", "Java"},
    {"Hibernate", "Java"},     {"Java Web", "Java"},      {"Dubbo", "Java"},      {"Netty", "Java"},
    {"JVM", "Java"},           {"Maven", "Java"},         {"Gradle", "Java"},     {"Tomcat", "Java"},
    {"Django", "Python"},      {"Flask", "Python"},       {"FastAPI", "Python"},  {"Tornado", "Python"},
    {"Celery", "Python"},      {"SQLAlchemy", "Python"},  {"Gunicorn", "Python"}, {"Gin", "Go"},
    {"go-zero", "Go"},         {"Laravel", "PHP"},        {"ThinkPHP", "PHP"},    {".NET", "C#"},
    {"Ruby on Rails", "Ruby"}, {"Express", "JavaScript"}, {"Koa", "JavaScript"},  {"NestJS", "TypeScript"},
};

static int an_fw_unwanted(const an_doc_t *r, const an_doc_t *role, int s)
{
    for (size_t k = 0; k < ZM_ARRAY_LEN(an_fw_lang); k++) {
        if (strcmp(an_dict.skills[s].name, an_fw_lang[k].framework) == 0) {
            int l = an_skill_find(an_fw_lang[k].lang), role_lang = 0;
            if (l < 0) {
                return 0;
            }
            /* a role that names its language ("Python后端") decides; else the resume's languages do */
            for (int x = 0; role && role->count && x < an_dict.nskills; x++) {
                role_lang |= role->count[x] && !strcmp(an_dict.cats[an_dict.skills[x].cat].key, "lang");
            }
            return role_lang ? !role->count[l] : !r->count[l];
        }
    }
    return 0;
}

static int an_cat_find(const char *key)
{
    for (int c = 0; c < an_dict.ncats; c++) {
        if (strcmp(an_dict.cats[c].key, key) == 0) {
            return c;
        }
    }
    return -1;
}

/* Skills a resume for this role usually lists and this one lacks: the first ones of the role's categories. */
static int an_role_gaps(zm_arena_t *a, const an_doc_t *r, const char *role, int *out, int max)
{
    an_doc_t rd;
    const an_doc_t *role_doc = NULL;
    int cats[8], nc = 0, n = 0;

    if (role && role[0] && an_read(a, role, &rd) == ZM_OK) {
        role_doc = &rd;
        /* the role's own skills first: "Python后端工程师" wants Python */
        for (int s = 0; s < an_dict.nskills && n < max; s++) {
            if (rd.count[s] && !r->count[s]) {
                out[n++] = s;
            }
            if (rd.count[s] && nc < 8) {
                int c = an_dict.skills[s].cat, k;
                for (k = 0; k < nc && cats[k] != c; k++) {
                }
                /* a language says little about its neighbours: Python does not call for C# */
                if (k == nc && strcmp(an_dict.cats[c].key, "soft") != 0 && strcmp(an_dict.cats[c].key, "lang") != 0) {
                    cats[nc++] = c;
                }
            }
        }
        /* the role's words name its fields ("后端": backend, databases, ops): those come first */
        int kc[8], nk = 0;
        for (size_t k = 0; k < ZM_ARRAY_LEN(an_role_kws) && nk < 8; k++) {
            if (!memmem(rd.low, rd.len, an_role_kws[k].word, strlen(an_role_kws[k].word))) {
                continue;
            }
            for (const char *p = an_role_kws[k].cat; *p && nk < 8;) {
                char key[32];
                size_t l = strcspn(p, ",");
                int c, x;
                snprintf(key, sizeof(key), "%.*s", (int)l, p);
                p += l + (p[l] == ',');
                c = an_cat_find(key);
                for (x = 0; x < nk && kc[x] != c; x++) {
                }
                if (c >= 0 && x == nk) {
                    kc[nk++] = c;
                }
            }
        }
        if (nk) {
            memcpy(cats, kc, (size_t)nk * sizeof(int));
            nc = nk;
        }
    }
    if (nc == 0) {
        /* no role: the resume's own main field */
        int *per = zm_pcalloc(a, (size_t)an_dict.ncats * sizeof(int)), best = -1;
        if (per == NULL) {
            return n;
        }
        for (int s = 0; s < an_dict.nskills; s++) {
            if (r->count[s]) {
                per[an_dict.skills[s].cat]++;
            }
        }
        for (int c = 0; c < an_dict.ncats; c++) {
            const char *k = an_dict.cats[c].key;
            if (strcmp(k, "soft") && strcmp(k, "language") && strcmp(k, "office") && strcmp(k, "cert") && per[c] > 0 &&
                (best < 0 || per[c] > per[best])) {
                best = c;
            }
        }
        if (best >= 0) {
            cats[nc++] = best;
        }
    }
    for (int k = 0; k < nc && n < max; k++) {
        int took = 0;
        for (int s = 0; s < an_dict.nskills && n < max && took < 3; s++) {
            if (an_dict.skills[s].cat == cats[k] && !r->count[s] && !an_fw_unwanted(r, role_doc, s)) {
                int x;
                for (x = 0; x < n && out[x] != s; x++) {
                }
                if (x == n) {
                    out[n++] = s;
                    took++;
                }
            }
        }
    }
    return n;
}

static const char *an_bullet_hint(const an_doc_t *d, const an_bullet_t *b)
{
    const char *cat = "";

    for (size_t h = 0; h < d->nhits; h++) {
        if (d->hits[h].pos >= b->s && d->hits[h].pos < b->e) {
            cat = an_dict.cats[an_dict.skills[d->hits[h].skill].cat].key;
            break;
        }
    }
    if (!strcmp(cat, "backend") || !strcmp(cat, "database") || !strcmp(cat, "devops") || !strcmp(cat, "lang") ||
        !strcmp(cat, "cs")) {
        return "使接口平均响应时间从 X ms 降至 Y ms，支撑日均 N 万次请求";
    }
    if (!strcmp(cat, "frontend") || !strcmp(cat, "mobile")) {
        return "使首屏加载时间缩短 X%，覆盖 N 万日活用户";
    }
    if (!strcmp(cat, "data") || !strcmp(cat, "ai")) {
        return "基于 N 万条数据，使关键指标（如准确率、转化率）提升 X%";
    }
    if (!strcmp(cat, "operations") || !strcmp(cat, "marketing")) {
        return "在 N 个月内使粉丝量或转化率增长 X%";
    }
    if (!strcmp(cat, "sales")) {
        return "完成销售额 X 万元，目标达成率 Y%，新增客户 N 家";
    }
    if (!strcmp(cat, "finance")) {
        return "将月结周期从 N 天缩短到 M 天，差错率降低 X%";
    }
    if (!strcmp(cat, "hr")) {
        return "完成 N 个岗位的招聘，平均到岗周期缩短 X 天";
    }
    if (!strcmp(cat, "testing")) {
        return "发现并推动修复 N 个缺陷，回归测试时间缩短 X%";
    }
    return "带来的结果，如效率提升 X%、覆盖 N 名用户或节省 N 小时";
}

static json_object *an_rewrite(zm_arena_t *a, const an_doc_t *d, const an_bullet_t *b)
{
    json_object *o = json_object_new_object();
    const char *text = an_bullet_text(a, d, b, 200), *rest = text, *verb = "主导";
    char *why = zm_pstrdup(a, ""), *sugg;
    int zh = 0;

    for (size_t i = 0; text[i]; i++) {
        zh |= (unsigned char)text[i] >= 0x80;
    }
    if (b->weak_start) {
        static const struct {
            const char *w, *v;
        } verbs[] = {{"负责", "主导"},
                     {"参与", "作为核心成员完成"},
                     {"协助", "协同完成"},
                     {"帮助", "协同完成"},
                     {"配合", "协同完成"},
                     {"跟进", "推进"},
                     {"responsible for ", "Led "},
                     {"worked on ", "Built "},
                     {"helped ", "Delivered "},
                     {"assisted ", "Delivered "},
                     {"participated in ", "Drove "},
                     {"involved in ", "Drove "},
                     {"in charge of ", "Led "}};
        for (size_t k = 0; k < ZM_ARRAY_LEN(verbs); k++) {
            if (strncasecmp(text, verbs[k].w, strlen(verbs[k].w)) == 0) {
                rest = text + strlen(verbs[k].w);
                verb = verbs[k].v;
                break;
            }
        }
        int vl = (int)(rest - text);
        while (vl > 0 && text[vl - 1] == ' ') {
            vl--;
        }
        why = zm_psprintf(a, "以“%.*s”开头只说明了职责，没有说明你做成了什么", vl, text);
    } else {
        verb = "";
    }
    if (!b->quantified) {
        why = zm_psprintf(a, "%s%s没有数字，看不出工作的规模和成果", why, why[0] ? "；" : "");
    }
    if (b->short_line) {
        why = zm_psprintf(a, "%s%s描述过短，缺少背景、行动和结果", why, why[0] ? "；" : "");
    }
    if (zh) {
        sugg = zm_psprintf(a, "%s%s，%s（用真实数字替换 X、Y、N）", verb, rest, an_bullet_hint(d, b));
    } else {
        sugg = zm_psprintf(a, "%s%s, resulting in [a measurable outcome: e.g. X%% faster, N users, $N saved]",
                           verb[0] ? verb : "", rest);
    }
    json_object_object_add(o, "original", json_object_new_string(text));
    json_object_object_add(o, "suggestion", json_object_new_string(sugg ? sugg : text));
    json_object_object_add(o, "why", json_object_new_string(why ? why : ""));
    return o;
}

static json_object *an_section(const char *name, int present)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(name));
    json_object_object_add(o, "present", json_object_new_boolean(present));
    json_object_object_add(o, "findings", json_object_new_array());
    return o;
}

static void an_finding(json_object *sec, const char *text)
{
    json_object *f;

    if (text && json_object_object_get_ex(sec, "findings", &f)) {
        json_object_array_add(f, json_object_new_string(text));
    }
}

int an_builtin_diagnose(zm_arena_t *a, const char *resume_text, const char *target_role, json_object **report)
{
    an_doc_t r;
    an_bullet_t *b;
    int rc, nb, nq = 0, nweak = 0, *v, n, gaps[8], ng, np, score;
    char *projects[3];
    json_object *out, *secs, *s, *skills, *found, *bycat, *rewrites;
    double ratio;

    *report = NULL;
    if ((rc = an_read(a, resume_text, &r)) != ZM_OK) {
        return rc;
    }
    if ((nb = an_bullets(a, &r, &b)) < 0 || (n = an_found(a, &r, &v)) < 0) {
        return ZM_ENOMEM;
    }
    np = an_projects(a, &r, projects, 3);
    ng = an_role_gaps(a, &r, target_role, gaps, 5);
    for (int i = 0; i < nb; i++) {
        nq += b[i].quantified;
        nweak += !b[i].quantified || b[i].weak_start || b[i].short_line;
    }
    ratio = nb ? (double)nq / nb : 0;

    out = json_object_new_object();
    secs = json_object_new_array();

    s = an_section(an_sec_names[AN_SEC_EDU], r.sec[AN_SEC_EDU]);
    if (r.edu) {
        an_finding(s, zm_psprintf(a, "最高学历：%s", an_edu_names[r.edu]));
    } else {
        an_finding(s, "没有识别出学历层次，请写明“本科”“硕士”等");
    }
    if (!r.sec[AN_SEC_EDU]) {
        an_finding(s, "缺少“教育经历”部分：写明学校、专业、学历和起止时间");
    }
    json_object_array_add(secs, s);

    s = an_section(an_sec_names[AN_SEC_WORK], r.sec[AN_SEC_WORK]);
    if (!r.sec[AN_SEC_WORK]) {
        an_finding(s, "缺少“工作经历”部分：应届生也可以写实习、兼职或校园工作，写明公司、职位和起止时间");
    }
    if (r.years >= 0) {
        an_finding(s, zm_psprintf(a, "识别到约 %s 年工作经验", an_years_text(a, r.years)));
    } else {
        an_finding(s, "没能识别出工作年限：为每段经历写明起止时间（如 2019.07-至今）");
    }
    if (nb) {
        an_finding(s, zm_psprintf(a, "%d 条经历描述中 %d 条包含数字或量化结果", nb, nq));
        if (ratio < 0.5) {
            an_finding(s, "量化不足：用数字说明规模和结果（用户量、性能提升、金额、效率），比罗列职责更有说服力");
        }
    }
    json_object_array_add(secs, s);

    s = an_section(an_sec_names[AN_SEC_PROJ], r.sec[AN_SEC_PROJ]);
    if (np) {
        char *list = zm_pstrdup(a, "");
        for (int k = 0; k < np && list; k++) {
            list = zm_psprintf(a, "%s%s“%s”", list, k ? "、" : "", projects[k]);
        }
        an_finding(s, zm_psprintf(a, "识别到项目：%s", list));
    }
    if (!r.sec[AN_SEC_PROJ]) {
        an_finding(s, "缺少“项目经历”部分：补充 1-3 个与目标岗位相关的项目，写清背景、你的职责、使用的技术和结果");
    }
    json_object_array_add(secs, s);

    s = an_section(an_sec_names[AN_SEC_SKILLS], r.sec[AN_SEC_SKILLS]);
    an_finding(s, n ? zm_psprintf(a, "识别到 %d 项技能：%s", n, an_join(a, v, n, 8)) : "没有识别出具体技能");
    if (!r.sec[AN_SEC_SKILLS]) {
        an_finding(s, "缺少“专业技能”部分：把掌握的技术和工具集中列出，便于筛选系统识别");
    }
    if (n > 0 && n < 5) {
        an_finding(s, "列出的技能较少，补充实际用过的工具、框架和方法");
    }
    if (ng) {
        an_finding(s, zm_psprintf(a, "%s常见但简历中没有的技能：%s",
                                  target_role && target_role[0] ? "目标岗位" : "同方向岗位", an_join(a, gaps, ng, 5)));
    }
    json_object_array_add(secs, s);

    s = an_section(an_sec_names[AN_SEC_SUMMARY], r.sec[AN_SEC_SUMMARY]);
    an_finding(s, r.sec[AN_SEC_SUMMARY] ? "有自我评价：确保每句都有经历或数据支撑，避免“吃苦耐劳”“学习能力强”等空话"
                                        : "可以增加 2-3 句自我评价，突出与目标岗位最相关的优势和成果");
    json_object_array_add(secs, s);

    s = an_section(an_sec_names[AN_SEC_CONTACT], r.sec[AN_SEC_CONTACT]);
    if (r.email || r.phone) {
        an_finding(s, zm_psprintf(a, "识别到%s%s%s", r.phone ? "手机号" : "", r.phone && r.email ? "和" : "",
                                  r.email ? "邮箱" : ""));
    }
    if (!r.phone || !r.email) {
        an_finding(s, zm_psprintf(a, "没有识别到%s%s%s，HR 可能无法联系你", !r.phone ? "手机号" : "",
                                  !r.phone && !r.email ? "和" : "", !r.email ? "邮箱" : ""));
    }
    json_object_array_add(secs, s);

    skills = json_object_new_object();
    found = json_object_new_array();
    bycat = json_object_new_object();
    for (int k = 0; k < n; k++) {
        const char *label = an_dict.cats[an_dict.skills[v[k]].cat].label;
        json_object *arr;
        an_push(found, an_dict.skills[v[k]].name);
        if (!json_object_object_get_ex(bycat, label, &arr)) {
            arr = json_object_new_array();
            json_object_object_add(bycat, label, arr);
        }
        an_push(arr, an_dict.skills[v[k]].name);
    }
    json_object_object_add(skills, "found", found);
    json_object_object_add(skills, "by_category", bycat);
    {
        json_object *sg = json_object_new_array();
        for (int k = 0; k < ng; k++) {
            an_push(sg, an_dict.skills[gaps[k]].name);
        }
        json_object_object_add(skills, "suggested", sg);
    }

    rewrites = json_object_new_array();
    for (int i = 0, k = 0; i < nb && k < 5; i++) {
        if (!b[i].quantified || b[i].weak_start || b[i].short_line) {
            json_object_array_add(rewrites, an_rewrite(a, &r, &b[i]));
            k++;
        }
    }

    /* completeness 30, quantified bullets 25, skills 20, length 15, education and years readable 10 */
    {
        static const int wsec[AN_SEC_N] = {0, 6, 8, 6, 5, 2, 3};
        double sc = 0;
        size_t chars = 0, k2;
        for (int k = 1; k < AN_SEC_N; k++) {
            sc += r.sec[k] ? wsec[k] : 0;
        }
        sc += 25 * ratio;
        sc += 20 * (n >= 8 ? 1 : n / 8.0);
        for (size_t i = 0; i < r.len; i += k2) {
            an_utf8(r.low, r.len, i, &k2);
            chars++;
        }
        sc += chars >= 400 && chars <= 6000 ? 15 : chars < 400 ? 15 * chars / 400.0 : 10;
        sc += (r.edu ? 5 : 0) + (r.years >= 0 ? 5 : 0);
        score = r.len ? (int)(sc + 0.5) : 0;
        if (score > 100) {
            score = 100;
        }
    }

    {
        int missing = 0;
        char *miss = zm_pstrdup(a, "");
        for (int k = 1; k < AN_SEC_N && miss; k++) {
            if (!r.sec[k]) {
                miss = zm_psprintf(a, "%s%s“%s”", miss, missing++ ? "、" : "", an_sec_names[k]);
            }
        }
        char *sum = zm_psprintf(a, "简历综合评分 %d 分。", score);
        if (missing) {
            sum = zm_psprintf(a, "%s缺少%s部分；", sum, miss);
        }
        if (nb) {
            sum = zm_psprintf(a, "%s%d 条经历描述中 %d 条有量化结果", sum, nb, nq);
            sum = zm_psprintf(a, "%s%s", sum, nweak ? zm_psprintf(a, "，%d 条建议改写；", nweak) : "；");
        }
        sum = zm_psprintf(a, "%s识别到 %d 项技能", sum, n);
        if (ng) {
            sum = zm_psprintf(a, "%s，可补充%s", sum, an_join(a, gaps, ng, 3));
        }
        sum = zm_psprintf(a, "%s。", sum);
        json_object_object_add(out, "overall_score", json_object_new_int(score));
        json_object_object_add(out, "summary", json_object_new_string(sum ? sum : ""));
    }
    json_object_object_add(out, "sections", secs);
    json_object_object_add(out, "skills", skills);
    json_object_object_add(out, "rewrites", rewrites);
    json_object_object_add(out, "education", json_object_new_string(an_edu_names[r.edu]));
    json_object_object_add(out, "years", r.years >= 0 ? json_object_new_double(r.years) : NULL);
    json_object_object_add(out, "quantified_ratio", json_object_new_double(floor(ratio * 100 + 0.5) / 100));
    if (target_role && target_role[0]) {
        json_object_object_add(out, "target_role", json_object_new_string(target_role));
    }
    *report = out;
    return ZM_OK;
}
