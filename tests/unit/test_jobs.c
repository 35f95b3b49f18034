/*
 * test_jobs.c -- the jobs domain's pure parts: the salary text (k/月) and the
 * search terms (Chinese bigrams, folded words).
 */
#include <stdio.h>
#include <string.h>

#include "jobs.h"
#include "terms.h"
#include "zt.h"

static void salary_ok(const char *s, int lo, int hi)
{
    int mn = -2, mx = -2;
    const char *why = NULL;
    int rc = job_salary_parse(s, &mn, &mx, &why);

    ZT_CHECK(rc == ZM_OK);
    if (rc != ZM_OK || mn != lo || mx != hi) {
        fprintf(stderr, "  salary %s: rc %d, %d-%d (want %d-%d)\n", s, rc, mn, mx, lo, hi);
    }
    ZT_CHECK(mn == lo && mx == hi);
}

static void salary_bad(const char *s)
{
    int mn, mx;
    const char *why = NULL;

    ZT_CHECK(job_salary_parse(s, &mn, &mx, &why) == JOBS_EBADSAL);
    ZT_CHECK(why != NULL && why[0] != '\0');
}

static void test_salary(void)
{
    salary_ok("15k-25k", 15, 25);
    salary_ok("15-25K", 15, 25);
    salary_ok(" 15K ~ 25K/月", 15, 25);
    salary_ok("1.5万-2.5万", 15, 25);
    salary_ok("1.5w-2w", 15, 20);
    salary_ok("15000-25000", 15, 25);
    salary_ok("15000元-25000元/月", 15, 25);
    salary_ok("8千至1.2万", 8, 12);
    salary_ok("12.5k-20k", 12, 20);
    salary_ok("20k", 20, 20);
    salary_ok("", -1, -1);
    salary_ok("面议", -1, -1);
    salary_bad("25k-15k");
    salary_bad("abc");
    salary_bad("15k-");
    salary_bad("-5k");
    salary_bad("0k");
    salary_bad("15k-25k·14薪");
    salary_bad("99999k");
    salary_bad("1e9");
    salary_bad("0x10k");
    salary_bad("inf");
    salary_bad("1.2.3k");
    salary_bad("1234567890");
}

typedef struct {
    char all[1024];
    int n;
} collect_t;

static void collect(void *ctx, const char *term, size_t len)
{
    collect_t *c = ctx;
    size_t at = strlen(c->all);

    snprintf(c->all + at, sizeof(c->all) - at, "%s%.*s", c->n++ ? "|" : "", (int)len, term);
}

static const char *split(const char *s, int query)
{
    static collect_t c;

    memset(&c, 0, sizeof(c));
    terms_split(s, strlen(s), query, collect, &c);
    return c.all;
}

static void test_terms(void)
{
    ZT_STREQ(split("Python开发", 0), "python|开|发|开发");
    ZT_STREQ(split("Python开发", 1), "python|开发");
    ZT_STREQ(split("量子计算", 1), "量子|子计|计算");
    ZT_STREQ(split("后端 工程师", 1), "后端|工程|程师");
    ZT_STREQ(split("岗", 1), "岗");
    ZT_STREQ(split("C++/C#，ＰＹＴＨＯＮ３", 1), "c++|c#|python3");
    ZT_STREQ(split("熟悉Django框架。", 1), "熟悉|django|框架");
    ZT_STREQ(split("Ünïcode café", 1), "Ünïcode|café");
    ZT_STREQ(split("a\xff"
                   "b",
                   1),
             "a|b");
    ZT_STREQ(split("", 1), "");
    /* a word longer than a term is cut, never inside a character */
    ZT_STREQ(split("abcdefghijklmnopqrstuvwxyz0123456789", 1), "abcdefghijklmnopqrstuvwxyz012345");
}

/* the index's postings text: 4 hex digits a job (its id's low byte, the weight), ascending */
static void test_postings(void)
{
    unsigned char w[TERMS_BLOCK_JOBS];

    terms_postings_decode("000a0501ff19", w);
    ZT_CHECK(w[0] == 10 && w[5] == 1 && w[255] == 25 && w[1] == 0 && w[254] == 0);
    terms_postings_decode("", w);
    ZT_CHECK(w[0] == 0 && w[255] == 0);
    terms_postings_decode(NULL, w);
    ZT_CHECK(w[0] == 0);
    terms_postings_decode("0a0", w); /* a cut posting is ignored */
    ZT_CHECK(w[10] == 0);
}

int main(void)
{
    ZT_RUN(test_salary);
    ZT_RUN(test_terms);
    ZT_RUN(test_postings);
    return zt_done();
}
