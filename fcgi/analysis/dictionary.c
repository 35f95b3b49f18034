/*
 * dictionary.c -- the builtin analyzer's dictionaries: skills with their
 * synonyms (Chinese ones by substring, indexed by their first two bytes,
 * longest first; Latin ones as runs of 1..6 tokens in a hash table, so
 * word boundaries come from the tokenizer), categories and the question
 * bank, loaded once by an_init() from fcgi/analysis/data/ and read-only
 * afterwards, so concurrent requests share them without locks.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "builtin.h"
#include "clock.h"
#include "log.h"

an_dict_t an_dict;

an_lat_t *lat_tab[AN_LAT_BUCKETS];
an_cjk_t *cjk_tab[AN_CJK_BUCKETS];
static int today_y, today_m;

/*
 * The next Latin token at or after *i: [*ts, *te).  Letters and digits;
 * '.' inside ("node.js", "3.5") or before "net" (".NET"); a run of '+'/'#'
 * at the end ("c++", "c#") unless a letter follows it ("java+python" is
 * two tokens).  The same function splits dictionary synonyms, so both
 * sides agree on what a token is.
 */
int an_token(const char *s, size_t len, size_t *i, size_t *ts, size_t *te)
{
    size_t p = *i, st;

    while (p < len) {
        unsigned char c = (unsigned char)s[p];
        if (an_isalnum(c)) {
            break;
        }
        if (c == '.' && p + 3 < len && an_lower((unsigned char)s[p + 1]) == 'n' &&
            an_lower((unsigned char)s[p + 2]) == 'e' && an_lower((unsigned char)s[p + 3]) == 't' &&
            (p + 4 >= len || !an_isalnum((unsigned char)s[p + 4])) &&
            (p == 0 || !an_isalnum((unsigned char)s[p - 1]))) {
            break;
        }
        p++;
    }
    if (p >= len) {
        *i = len;
        return 0;
    }
    st = p;
    if (s[p] == '.') {
        p++;
    }
    for (;;) {
        while (p < len && an_isalnum((unsigned char)s[p])) {
            p++;
        }
        if (p + 1 < len && s[p] == '.' && an_isalnum((unsigned char)s[p + 1])) {
            p++;
            continue;
        }
        if (p < len && (s[p] == '+' || s[p] == '#')) {
            size_t q = p;
            while (q < len && (s[q] == '+' || s[q] == '#')) {
                q++;
            }
            if (q < len && an_isalpha((unsigned char)s[q])) {
                *ts = st, *te = p, *i = q;
                return 1;
            }
            p = q;
            if (q < len && an_isdigit((unsigned char)s[q])) {
                continue;
            }
        }
        break;
    }
    *ts = st, *te = p, *i = p;
    return 1;
}

/* ---- loading ---- */

static char *an_read_file(const char *dir, const char *name)
{
    char path[4096];
    FILE *f;
    long n;
    char *buf;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (f == NULL) {
        zm_log_error("analysis: cannot open %s", path);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = zm_xmalloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Split s in place at '\t' into at most max fields; the count. */
static int an_fields(char *s, char **f, int max)
{
    int n = 0;

    f[n++] = s;
    while (n < max && (s = strchr(s, '\t')) != NULL) {
        *s++ = '\0';
        f[n++] = s;
    }
    return n;
}

static void an_add_lat(const char *key, const char *orig, int skill, int cs)
{
    uint32_t b = an_hash(key, strlen(key)) & (AN_LAT_BUCKETS - 1);
    an_lat_t *e;

    /* first spelling wins: the dictionary lists the more specific skill first */
    for (e = lat_tab[b]; e; e = e->next) {
        if (strcmp(e->key, key) == 0 && e->cs == cs && (!cs || strcmp(e->orig, orig) == 0)) {
            return;
        }
    }
    e = zm_xcalloc(1, sizeof(*e));
    e->key = zm_xstrdup(key);
    e->orig = zm_xstrdup(orig);
    e->skill = skill;
    e->cs = cs;
    /* case-sensitive spellings first: "LoRA" (fine-tuning) before "lora" (IoT) */
    if (cs || lat_tab[b] == NULL || !lat_tab[b]->cs) {
        e->next = lat_tab[b];
        lat_tab[b] = e;
    } else {
        an_lat_t *p = lat_tab[b];
        while (p->next && p->next->cs) {
            p = p->next;
        }
        e->next = p->next;
        p->next = e;
    }
}

static void an_add_cjk(const char *syn, int skill, int cs)
{
    size_t len = strlen(syn);
    uint32_t b;
    an_cjk_t *e, **pp;

    if (len < 2) {
        return;
    }
    e = zm_xcalloc(1, sizeof(*e));
    e->key = zm_xstrdup(syn);
    for (size_t i = 0; !cs && i < len; i++) {
        e->key[i] = (char)an_lower((unsigned char)e->key[i]);
    }
    e->len = len;
    e->skill = skill;
    e->cs = cs;
    e->lat_start = an_isalnum((unsigned char)syn[0]);
    e->lat_end = an_isalnum((unsigned char)syn[len - 1]);
    b = an_cjk_bucket((unsigned char)e->key[0], (unsigned char)e->key[1]);
    /* longest first, so "新媒体运营" wins over "运营" at the same place */
    for (pp = &cjk_tab[b]; *pp && (*pp)->len >= len; pp = &(*pp)->next) {
        if ((*pp)->len == len && memcmp((*pp)->key, e->key, len) == 0 && (*pp)->cs == cs) {
            free(e->key);
            free(e);
            return;
        }
    }
    e->next = *pp;
    *pp = e;
}

static void an_add_syn(const char *syn, int skill)
{
    int cs = syn[0] == '=';
    size_t ts[AN_MAX_NTOK + 1], te[AN_MAX_NTOK + 1];
    size_t i = 0, len, n = 0;
    char key[256], orig[256], ckey[256], corig[256];
    size_t kl = 0, cl = 0;

    if (cs) {
        syn++;
    }
    len = strlen(syn);
    if (len == 0 || len > 120) {
        return;
    }
    for (size_t k = 0; k < len; k++) {
        if ((unsigned char)syn[k] >= 0x80) {
            an_add_cjk(syn, skill, cs);
            return;
        }
    }
    while (an_token(syn, len, &i, &ts[n], &te[n])) {
        if (++n > AN_MAX_NTOK) {
            return;
        }
    }
    if (n == 0) {
        return;
    }
    for (size_t k = 0; k < n; k++) {
        size_t tl = te[k] - ts[k];
        if (k) {
            key[kl] = orig[kl] = ' ';
            kl++;
        }
        for (size_t j = 0; j < tl; j++) {
            orig[kl] = syn[ts[k] + j];
            key[kl] = (char)an_lower((unsigned char)syn[ts[k] + j]);
            corig[cl] = orig[kl];
            ckey[cl] = key[kl];
            kl++, cl++;
        }
    }
    key[kl] = orig[kl] = ckey[cl] = corig[cl] = '\0';
    an_add_lat(key, orig, skill, cs);
    if ((int)n > an_dict.maxtok) {
        an_dict.maxtok = (int)n;
    }
    /* "Spring Boot" also as "SpringBoot" */
    if (n > 1) {
        an_add_lat(ckey, corig, skill, cs);
    }
}

static int an_load_skills(const char *dir)
{
    char *buf = an_read_file(dir, "skills.tsv"), *line, *save = NULL;
    int cap_s = 256, cap_c = 32;

    if (buf == NULL) {
        return ZM_ERR;
    }
    /* the dictionary's version: features computed with another one are rebuilt */
    an_dict.version = an_hash(buf, strlen(buf));
    an_dict.skills = zm_xcalloc((size_t)cap_s, sizeof(an_skill_t));
    an_dict.cats = zm_xcalloc((size_t)cap_c, sizeof(an_cat_t));
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[3], *syn, *sv = NULL;
        int nf, cat = -1, have_canon_cs = 0;

        line[strcspn(line, "\r")] = '\0';
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        nf = an_fields(line, f, 3);
        if (line[0] == '@') {
            if (nf < 2) {
                continue;
            }
            if (an_dict.ncats == cap_c) {
                cap_c *= 2;
                an_dict.cats = zm_xrealloc(an_dict.cats, (size_t)cap_c * sizeof(an_cat_t));
            }
            an_dict.cats[an_dict.ncats].key = f[0] + 1;
            an_dict.cats[an_dict.ncats].label = f[1];
            an_dict.ncats++;
            continue;
        }
        if (nf < 2) {
            zm_log_warn("analysis: skills.tsv: no category for \"%s\"", f[0]);
            continue;
        }
        for (int c = 0; c < an_dict.ncats; c++) {
            if (strcmp(an_dict.cats[c].key, f[1]) == 0) {
                cat = c;
            }
        }
        if (cat < 0) {
            zm_log_warn("analysis: skills.tsv: unknown category \"%s\" for \"%s\"", f[1], f[0]);
            continue;
        }
        if (an_dict.nskills == cap_s) {
            cap_s *= 2;
            an_dict.skills = zm_xrealloc(an_dict.skills, (size_t)cap_s * sizeof(an_skill_t));
        }
        an_dict.skills[an_dict.nskills].name = f[0];
        an_dict.skills[an_dict.nskills].cat = cat;
        if (nf == 3) {
            for (syn = strtok_r(f[2], "|", &sv); syn; syn = strtok_r(NULL, "|", &sv)) {
                if ((syn[0] == '=' || syn[0] == '-') && strcasecmp(syn + 1, f[0]) == 0) {
                    have_canon_cs = 1;
                }
                if (syn[0] != '-') {
                    an_add_syn(syn, an_dict.nskills);
                }
            }
        }
        /* the canonical name is a synonym too, unless a case-sensitive one spells it ("=Go")
         * or "-name" keeps it a label only (招聘 is also the verb of "招聘后端工程师") */
        if (!have_canon_cs) {
            an_add_syn(f[0], an_dict.nskills);
        }
        an_dict.nskills++;
    }
    return an_dict.nskills > 0 ? ZM_OK : ZM_ERR;
}

static int an_qcat(const char *s)
{
    static const char *names[] = {"technical", "project", "behavioral", "hr"};

    for (int i = 0; i < AN_QCATS; i++) {
        if (strcmp(s, names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

static int an_load_questions(const char *dir)
{
    char *buf = an_read_file(dir, "questions.tsv"), *line, *save = NULL;
    int cap = 256;

    if (buf == NULL) {
        return ZM_ERR;
    }
    an_dict.qs = zm_xcalloc((size_t)cap, sizeof(an_q_t));
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[5], *o, *sv = NULL;
        an_q_t *q;
        int cat;

        line[strcspn(line, "\r")] = '\0';
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        if (an_fields(line, f, 5) < 5 || (cat = an_qcat(f[0])) < 0) {
            zm_log_warn("analysis: questions.tsv: bad line \"%.40s\"", line);
            continue;
        }
        if (an_dict.nqs == cap) {
            cap *= 2;
            an_dict.qs = zm_xrealloc(an_dict.qs, (size_t)cap * sizeof(an_q_t));
        }
        q = &an_dict.qs[an_dict.nqs];
        memset(q, 0, sizeof(*q));
        q->cat = cat;
        q->skill = -1;
        if (strcmp(f[1], "*") != 0) {
            q->skill = an_skill_find(f[1]);
            if (q->skill < 0) {
                zm_log_warn("analysis: questions.tsv: unknown skill \"%s\"", f[1]);
                continue;
            }
        }
        q->question = f[2];
        q->why = f[3];
        for (o = strtok_r(f[4], "|", &sv); o && q->nout < AN_MAX_OUTLINE; o = strtok_r(NULL, "|", &sv)) {
            q->outline[q->nout++] = o;
        }
        an_dict.nqs++;
    }
    return ZM_OK;
}

int an_bank_question(int i, an_bank_q_t *out)
{
    static const char *names[] = {"technical", "project", "behavioral", "hr"};
    const an_q_t *q;

    if (i < 0 || i >= an_dict.nqs) {
        return ZM_ENOTFOUND;
    }
    q = &an_dict.qs[i];
    out->category = names[q->cat];
    out->skill = q->skill >= 0 ? an_dict.skills[q->skill].name : NULL;
    out->question = q->question;
    out->why = q->why;
    out->outline = (const char *const *)q->outline;
    out->noutline = q->nout;
    return ZM_OK;
}

int an_skill_find(const char *name)
{
    for (int i = 0; i < an_dict.nskills; i++) {
        if (strcmp(an_dict.skills[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

int an_init(const char *data_dir)
{
    int rc;

    if (an_dict.ready) {
        return ZM_OK;
    }
    if (data_dir == NULL || data_dir[0] == '\0') {
        data_dir = "fcgi/analysis/data";
    }
    rc = an_load_skills(data_dir);
    if (rc == ZM_OK) {
        rc = an_load_questions(data_dir);
    }
    if (rc != ZM_OK) {
        zm_log_error("analysis: cannot load the dictionaries from %s", data_dir);
        return rc;
    }
    if (an_dict.nskills > AN_MAX_SKILLS) {
        zm_log_error("analysis: %d skills in %s: job matching's features hold at most %d", an_dict.nskills, data_dir,
                     AN_MAX_SKILLS);
        return ZM_EINVAL;
    }
    an_dict.ready = 1;
    return ZM_OK;
}

void an_set_today(int year, int month)
{
    today_y = year;
    today_m = month;
}

/* months since year 0 of "now": the end of a range that runs 至今 */
int an_today(void)
{
    if (today_y <= 0) {
        time_t t = (time_t)zm_now_s();
        struct tm tm;
        localtime_r(&t, &tm);
        return (tm.tm_year + 1900) * 12 + tm.tm_mon;
    }
    return today_y * 12 + (today_m >= 1 && today_m <= 12 ? today_m - 1 : 0);
}
