/*
 * matching_bench.c -- job matching's scorer on one core, and the synthetic
 * candidates the end-to-end bench loads (tests/bench/matching_bench.py).
 *
 *   matching_bench <data dir> score [candidates]      (default 1000000)
 *   matching_bench <data dir> gen <count> <first> <user_id,...> [id base]   SQL on stdout
 *
 * Synthetic candidates: resume texts generated from a seeded PRNG (a name,
 * 2-9 skills from a list of 60 across backend, frontend, data, finance,
 * design, sales; years, an education, duty phrases), 20000 distinct ones
 * whose features are computed by the real an_features(); candidate i takes
 * template i % 20000 with its years and education redrawn in the packed
 * head.  "score" packs them into one buffer and times, per core:
 *   - bounds only: the head scored twice (similarity 0 and 100);
 *   - the run's loop: bounds, term vectors only where they decide, a top 1000;
 *   - full: every candidate's term vector scored;
 *   - the baseline: one-by-one builtin matches (an_builtin_match) of the texts.
 * and prints the peak RSS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "analysis.h"
#include "matching.h"

#define TEMPLATES 20000

static const char *const skills[] = {
    "Python",     "Django",   "Flask",      "FastAPI",      "MySQL",       "Redis",        "Kafka",       "Docker",
    "Kubernetes", "Linux",    "Go",         "Java",         "Spring Boot", "Spring Cloud", "MyBatis",     "C++",
    "Rust",       "Node.js",  "JavaScript", "TypeScript",   "React",       "Vue",          "Webpack",     "CSS",
    "HTML",       "Android",  "iOS",        "Swift",        "Kotlin",      "SQL",          "Hive",        "Spark",
    "Hadoop",     "Tableau",  "Excel",      "PowerBI",      "机器学习",    "深度学习",     "PyTorch",     "TensorFlow",
    "数据分析",   "财务报表", "审计",       "税务",         "会计",        "Photoshop",    "Illustrator", "Figma",
    "Sketch",     "销售",     "客户关系",   "谈判",         "项目管理",    "Scrum",        "Jenkins",     "Git",
    "Nginx",      "MongoDB",  "PostgreSQL", "Elasticsearch"};
static const char *const edus[] = {"大专", "本科", "硕士", "博士"};
static const char *const duties[] = {"负责后端服务的设计与开发，接口响应时间降低 40%",
                                     "参与高并发系统架构设计，支撑日均千万次请求",
                                     "负责前端页面开发与性能优化，首屏时间缩短一半",
                                     "负责数据报表与指标体系建设，支持业务决策",
                                     "负责月度结账与财务报表编制，协助年度审计",
                                     "负责品牌视觉设计与海报制作",
                                     "负责大客户销售与渠道拓展，年销售额 3000 万",
                                     "负责机器学习模型训练与上线，点击率提升 8%",
                                     "维护线上服务稳定性，搭建监控告警",
                                     "编写单元测试，覆盖率提升到 80%"};
static const char *const jd =
    "Python后端开发工程师\n学历要求：本科\n工作经验：3年以上\n岗位职责：\n负责Python后端服务的设计与开发\n"
    "参与高并发系统架构设计\n任职要求：\n3年以上Python后端开发经验\n熟悉Django或Flask框架\n熟悉MySQL、Redis\n"
    "熟悉Linux，了解Docker者优先\n招聘Python后端开发工程师，负责订单与支付后端服务。\n";

static uint64_t rng = 88172645463325252ULL;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *gen_text(zm_arena_t *a)
{
    int years = (int)rnd(16), ns = 2 + (int)rnd(8), cluster = (int)rnd(6) * 10;
    char *s = zm_psprintf(a, "候选人%u\n个人简介\n%d年工作经验。\n教育经历\n2010.09-2014.06 某某大学 %s\n工作经历\n",
                          rnd(100000), years, edus[rnd(4)]);
    for (int i = 0; i < 2; i++) {
        s = zm_psprintf(a, "%s- %s\n", s, duties[rnd(ZM_ARRAY_LEN(duties))]);
    }
    s = zm_psprintf(a, "%s专业技能\n", s);
    for (int i = 0; i < ns; i++) {
        /* mostly one cluster of related skills, sometimes any */
        int k = rnd(4) ? (cluster + (int)rnd(10)) % (int)ZM_ARRAY_LEN(skills) : (int)rnd(ZM_ARRAY_LEN(skills));
        s = zm_psprintf(a, "%s%s%s", s, i ? ", " : "", skills[k]);
    }
    return zm_psprintf(a, "%s\n", s);
}

typedef struct {
    char *head, *terms;
    size_t hlen, tlen;
    char *text;
} tmpl_t;

static tmpl_t *templates(zm_arena_t *a)
{
    tmpl_t *t = zm_palloc(a, TEMPLATES * sizeof(tmpl_t));
    for (int i = 0; i < TEMPLATES; i++) {
        an_features_t f;
        t[i].text = gen_text(a);
        if (an_features(a, t[i].text, &f) != ZM_OK ||
            an_features_pack(a, &f, &t[i].head, &t[i].hlen, &t[i].terms, &t[i].tlen) != ZM_OK) {
            fprintf(stderr, "features failed\n");
            exit(1);
        }
    }
    return t;
}

/* years and education redrawn in a copy of the head */
static void perturb(unsigned char *h)
{
    double y = rnd(5) ? (double)rnd(150) / 10 : -1;
    h[1] = (unsigned char)(rnd(6));
    memcpy(h + 8, &y, 8); /* little-endian machines: the head's byte order */
}

static void hex(const char *s, size_t n)
{
    static const char d[] = "0123456789abcdef";
    putchar('0');
    putchar('x');
    for (size_t i = 0; i < n; i++) {
        putchar(d[(unsigned char)s[i] >> 4]);
        putchar(d[(unsigned char)s[i] & 15]);
    }
    if (n == 0) {
        fputs("00", stdout); /* never used: every text has terms */
    }
}

/* ids from base + first: above every real row (the bench passes base) */
static int gen(zm_arena_t *a, long count, long first, long base, const char *users)
{
    tmpl_t *t = templates(a);
    long nu = 0, uid[256];
    char *u = strdup(users), *save = NULL;
    for (char *p = strtok_r(u, ",", &save); p && nu < 256; p = strtok_r(NULL, ",", &save)) {
        uid[nu++] = atol(p);
    }
    free(u);
    printf("SET unique_checks = 0; SET foreign_key_checks = 0;\n");
    for (long i = 0; i < count; i += 1000) {
        long n = count - i < 1000 ? count - i : 1000;
        printf("INSERT INTO api_resume (id, name, user_id, created_at, updated_at) VALUES ");
        for (long k = 0; k < n; k++) {
            printf("%s('b%031lx','synthetic','%ld',UTC_TIMESTAMP(6),UTC_TIMESTAMP(6))", k ? "," : "", first + i + k,
                   uid[(first + i + k) % nu]);
        }
        printf(";\nINSERT INTO match_resume_features (id, resume_id, version_id, user_id, discoverable, feat_version, "
               "head, "
               "updated_at) VALUES ");
        for (long k = 0; k < n; k++) {
            long id = first + i + k;
            tmpl_t *m = &t[id % TEMPLATES];
            unsigned char h[AN_HEAD_MAX];
            memcpy(h, m->head, m->hlen);
            perturb(h);
            printf("%s(%ld,'b%031lx','b%031lx',%ld,1,%lld,", k ? "," : "", base + id, id, id, uid[id % nu],
                   (long long)an_features_version());
            hex((char *)h, m->hlen);
            printf(",UTC_TIMESTAMP(6))");
        }
        printf(";\nINSERT INTO match_resume_terms (feature_id, terms) VALUES ");
        for (long k = 0; k < n; k++) {
            long id = first + i + k;
            tmpl_t *m = &t[id % TEMPLATES];
            printf("%s(%ld,", k ? "," : "", base + id);
            hex(m->terms, m->tlen);
            putchar(')');
        }
        printf(";\n");
    }
    return 0;
}

static int score(zm_arena_t *a, long n)
{
    tmpl_t *t = templates(a);
    an_jobvec_t *jv;
    size_t total = 0;
    char *buf;
    size_t *off;
    double t0, dt;
    long i, need = 0;
    int chk = 0;
    match_topk_t top;

    if (an_jobvec(a, jd, &jv) != ZM_OK) {
        return 1;
    }
    for (i = 0; i < n; i++) {
        total += t[i % TEMPLATES].hlen;
    }
    buf = malloc(total);
    off = malloc((size_t)(n + 1) * sizeof(size_t));
    total = 0;
    for (i = 0; i < n; i++) {
        tmpl_t *m = &t[i % TEMPLATES];
        off[i] = total;
        memcpy(buf + total, m->head, m->hlen);
        perturb((unsigned char *)buf + total);
        total += m->hlen;
    }
    off[n] = total;
    /* term vectors unpacked once per template (a run reads them from the database instead) */
    an_features_t *tf = zm_palloc(a, TEMPLATES * sizeof(an_features_t));
    for (i = 0; i < TEMPLATES; i++) {
        an_features_unpack_head(a, t[i].head, t[i].hlen, &tf[i]);
        an_features_unpack_terms(a, t[i].terms, t[i].tlen, &tf[i]);
    }
    printf("%ld synthetic candidates, heads %.1f MB (%.1f bytes each)\n", n, total / 1e6, (double)total / n);

    t0 = now();
    for (i = 0; i < n; i++) {
        chk += an_jobvec_score_head(jv, buf + off[i], off[i + 1] - off[i], 0);
        chk += an_jobvec_score_head(jv, buf + off[i], off[i + 1] - off[i], 100);
    }
    dt = now() - t0;
    printf("bounds only (head scored twice):      %8.2f M candidates/s/core\n", n / dt / 1e6);

    match_topk_init(a, &top, 1000);
    t0 = now();
    for (i = 0; i < n; i++) {
        const char *h = buf + off[i];
        size_t hl = off[i + 1] - off[i];
        int lo = an_jobvec_score_head(jv, h, hl, 0), hi = an_jobvec_score_head(jv, h, hl, 100), s;
        if (lo == hi || !match_topk_admits(&top, hi, (uint32_t)i)) {
            s = lo;
            if (lo != hi) {
                continue;
            }
        } else {
            need++;
            s = an_jobvec_score_head(jv, h, hl, an_jobvec_similarity(jv, &tf[i % TEMPLATES].terms));
        }
        match_topk_push(&top, s, (uint32_t)i);
    }
    dt = now() - t0;
    printf("the run's loop (bounds, top 1000):    %8.2f M candidates/s/core  (term vectors read for %.2f%%)\n",
           n / dt / 1e6, 100.0 * need / n);
    match_topk_sort(&top);
    printf("  best: score %d, 1000th: %d\n", top.v[0].score, top.v[top.n - 1].score);

    long m = n < 2000000 ? n : 2000000;
    t0 = now();
    for (i = 0; i < m; i++) {
        const char *h = buf + off[i];
        chk += an_jobvec_score_head(jv, h, off[i + 1] - off[i], an_jobvec_similarity(jv, &tf[i % TEMPLATES].terms));
    }
    dt = now() - t0;
    printf("full score (term vector every time):  %8.2f M candidates/s/core\n", m / dt / 1e6);

    zm_arena_t one;
    zm_arena_init(&one, 256 * 1024, 0);
    long k = 0;
    t0 = now();
    while ((dt = now() - t0) < 2.0) {
        an_match_t r;
        an_builtin_match(&one, t[k % TEMPLATES].text, jd, &r);
        json_object_put(r.strengths);
        json_object_put(r.gaps);
        json_object_put(r.suggestions);
        json_object_put(r.matched_skills);
        json_object_put(r.missing_skills);
        json_object_put(r.components);
        zm_arena_reset(&one);
        k++;
    }
    printf("baseline, one-by-one builtin match:   %8.4f M candidates/s/core  (%.0f /s; 1M would take %.0f s)\n",
           k / dt / 1e6, k / dt, 1e6 / (k / dt));
    zm_arena_destroy(&one);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS %.0f MB (checksum %d)\n", ru.ru_maxrss / 1024.0, chk & 1);
    free(buf);
    free(off);
    return 0;
}

int main(int argc, char **argv)
{
    zm_arena_t a;
    int rc;

    if (argc < 3) {
        fprintf(stderr, "usage: %s <data dir> score [n] | gen <count> <first> <user_id,...>\n", argv[0]);
        return 2;
    }
    if (an_init(argv[1]) != ZM_OK) {
        return 1;
    }
    zm_arena_init(&a, 1 << 20, 0);
    if (strcmp(argv[2], "gen") == 0 && argc >= 6) {
        rc = gen(&a, atol(argv[3]), atol(argv[4]), argc > 6 ? atol(argv[6]) : 1000000, argv[5]);
    } else {
        rc = score(&a, argc > 3 ? atol(argv[3]) : 1000000);
    }
    zm_arena_destroy(&a);
    return rc;
}
