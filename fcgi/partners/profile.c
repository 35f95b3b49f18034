/*
 * profile.c -- a partner profile: the seed's enums, the contact checks, and
 * the row in partners_profile.  Contacts leave this file only through
 * partners_profile_get (the owner) and partners_matches (an accepted pair).
 */
#include <ctype.h>
#include <string.h>

#include "partners.h"

static const char *const experiences[] = {"应届", "1-3年", "3-5年", "5年以上"};
static const char *const jobs[] = {"DA", "DS", "DE", "BA"};
static const struct {
    const char *name, *label;
    int bit;
} practices[] = {
    {"technical", "技术面", PARTNERS_TECHNICAL},
    {"behavioral", "行为面", PARTNERS_BEHAVIORAL},
    {"case", "案例分析", PARTNERS_CASE},
    {"statistics", "统计题", PARTNERS_STATISTICS},
};

int partners_experience_ok(const char *s)
{
    for (size_t i = 0; s && i < ZM_ARRAY_LEN(experiences); i++) {
        if (strcmp(s, experiences[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

int partners_job_ok(const char *s)
{
    for (size_t i = 0; s && i < ZM_ARRAY_LEN(jobs); i++) {
        if (strcmp(s, jobs[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

int partners_practice_bit(const char *s)
{
    for (size_t i = 0; s && i < ZM_ARRAY_LEN(practices); i++) {
        if (strcmp(s, practices[i].name) == 0) {
            return practices[i].bit;
        }
    }
    return 0;
}

const char *partners_practice_label(int bit)
{
    for (size_t i = 0; i < ZM_ARRAY_LEN(practices); i++) {
        if (practices[i].bit == bit) {
            return practices[i].label;
        }
    }
    return "";
}

json_object *partners_practice_json(int mask)
{
    json_object *arr = json_object_new_array();

    for (size_t i = 0; i < ZM_ARRAY_LEN(practices); i++) {
        if (mask & practices[i].bit) {
            json_object_array_add(arr, json_object_new_string(practices[i].name));
        }
    }
    return arr;
}

/* local@domain.tld in printable ASCII: enough to catch a wechat id typed into the email box */
const char *partners_email_error(const char *s)
{
    const char *at = strchr(s, '@'), *dot;

    if (strlen(s) > 254) {
        return "邮箱最多 254 个字符";
    }
    for (const char *c = s; *c; c++) {
        if (*c <= ' ' || *c >= 0x7f) {
            return "邮箱格式不正确";
        }
    }
    if (at == NULL || at == s || strchr(at + 1, '@') || (dot = strrchr(at + 1, '.')) == NULL || dot == at + 1 ||
        dot[1] == '\0') {
        return "邮箱格式不正确";
    }
    return NULL;
}

/* WeChat's own rule for an id: 6-20 characters, a letter first, then letters, digits, - and _ */
const char *partners_wechat_error(const char *s)
{
    size_t n = strlen(s);

    if (n < 6 || n > 20 || !isalpha((unsigned char)s[0])) {
        return "微信号为 6-20 位，以字母开头，可含字母、数字、-、_";
    }
    for (size_t i = 0; i < n; i++) {
        if (!(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_')) {
            return "微信号为 6-20 位，以字母开头，可含字母、数字、-、_";
        }
    }
    return NULL;
}

/* a public profile address: [https://][www.|xx.]linkedin.com/in/<handle> */
const char *partners_linkedin_error(const char *s)
{
    const char *p = s;
    size_t n;

    if (strncmp(p, "https://", 8) == 0) {
        p += 8;
    } else if (strncmp(p, "http://", 7) == 0) {
        p += 7;
    }
    if (strncmp(p, "www.", 4) == 0) {
        p += 4;
    } else if (islower((unsigned char)p[0]) && islower((unsigned char)p[1]) && p[2] == '.') {
        p += 3; /* cn.linkedin.com */
    }
    if (strncmp(p, "linkedin.com/in/", 16) != 0 || strlen(s) > 200) {
        return "请填写 LinkedIn 个人主页地址，如 https://www.linkedin.com/in/yourname";
    }
    p += 16;
    n = strcspn(p, "/?#");
    if (n == 0 || n > 100 || (p[n] != '\0' && strcmp(p + n, "/") != 0)) {
        return "请填写 LinkedIn 个人主页地址，如 https://www.linkedin.com/in/yourname";
    }
    for (size_t i = 0; i < n; i++) {
        if (!(isalnum((unsigned char)p[i]) || p[i] == '-' || p[i] == '_' || p[i] == '%')) {
            return "请填写 LinkedIn 个人主页地址，如 https://www.linkedin.com/in/yourname";
        }
    }
    return NULL;
}

static json_object *str_or_null(const char *s)
{
    return s && s[0] ? json_object_new_string(s) : NULL;
}

json_object *partners_contacts_json(const char *email, const char *wechat, const char *linkedin)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "email", str_or_null(email));
    json_object_object_add(o, "wechat", str_or_null(wechat));
    json_object_object_add(o, "linkedin", str_or_null(linkedin));
    return o;
}

json_object *partners_public_json(zm_arena_t *a, const db_res_t *res, size_t r, unsigned c)
{
    json_object *o = json_object_new_object(), *companies = json_tokener_parse(db_val(res, r, c + 4));

    ZM_UNUSED(a);
    if (companies == NULL || !json_object_is_type(companies, json_type_array)) {
        json_object_put(companies);
        companies = json_object_new_array();
    }
    json_object_object_add(o, "user_id", json_object_new_int64(db_int(res, r, c)));
    json_object_object_add(o, "experience_level", json_object_new_string(db_val(res, r, c + 1)));
    json_object_object_add(o, "job_type", json_object_new_string(db_val(res, r, c + 2)));
    json_object_object_add(o, "practice", partners_practice_json((int)db_int(res, r, c + 3)));
    json_object_object_add(o, "target_companies", companies);
    json_object_object_add(o, "industry", json_object_new_string(db_val(res, r, c + 5)));
    json_object_object_add(o, "school", json_object_new_string(db_val(res, r, c + 6)));
    json_object_object_add(o, "intro", json_object_new_string(db_val(res, r, c + 7)));
    json_object_object_add(o, "is_active", json_object_new_boolean(db_int(res, r, c + 8) != 0));
    return o;
}

int partners_profile_get(db_t *db, zm_arena_t *a, int64_t user_id, json_object **out)
{
    db_res_t res;
    int rc = db_query(db, a, &res,
                      "SELECT " PARTNERS_PUBLIC_COLS ", p.contact_email, p.contact_wechat, p.contact_linkedin, "
                      "DATE_FORMAT(p.updated_at, '%Y-%m-%dT%H:%i:%sZ') FROM partners_profile p WHERE p.user_id = ?",
                      "i", user_id);

    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    *out = partners_public_json(a, &res, 0, 0);
    json_object_object_add(*out, "contacts",
                           partners_contacts_json(db_val(&res, 0, PARTNERS_NPUBLIC),
                                                  db_val(&res, 0, PARTNERS_NPUBLIC + 1),
                                                  db_val(&res, 0, PARTNERS_NPUBLIC + 2)));
    json_object_object_add(*out, "updated_at", json_object_new_string(db_val(&res, 0, PARTNERS_NPUBLIC + 3)));
    return ZM_OK;
}

int partners_profile_put(db_t *db, zm_arena_t *a, int64_t user_id, const partners_profile_t *p, time_t now,
                         json_object **out)
{
    char ts[27];
    const char *companies =
        p->target_companies ? json_object_to_json_string_ext(p->target_companies, JSON_C_TO_STRING_PLAIN) : "[]";
    int64_t n;

    partners_sql_time(now, ts);
    /* one statement: a first save and a replace race to the same primary key, never to two rows */
    n = db_exec(db,
                "INSERT INTO partners_profile (user_id, experience_level, job_type, technical_interview, "
                "behavioral_interview, case_analysis, stats_questions, contact_email, contact_wechat, "
                "contact_linkedin, target_companies, industry, school, intro, is_active, last_active_at, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON DUPLICATE KEY UPDATE experience_level = VALUES(experience_level), job_type = VALUES(job_type), "
                "technical_interview = VALUES(technical_interview), "
                "behavioral_interview = VALUES(behavioral_interview), case_analysis = VALUES(case_analysis), "
                "stats_questions = VALUES(stats_questions), contact_email = VALUES(contact_email), "
                "contact_wechat = VALUES(contact_wechat), contact_linkedin = VALUES(contact_linkedin), "
                "target_companies = VALUES(target_companies), industry = VALUES(industry), "
                "school = VALUES(school), intro = VALUES(intro), is_active = VALUES(is_active), "
                "last_active_at = VALUES(last_active_at), updated_at = VALUES(updated_at)",
                "issIIIIsssssssIsss", user_id, p->experience_level, p->job_type, !!(p->practice & PARTNERS_TECHNICAL),
                !!(p->practice & PARTNERS_BEHAVIORAL), !!(p->practice & PARTNERS_CASE),
                !!(p->practice & PARTNERS_STATISTICS), p->email, p->wechat, p->linkedin, companies, p->industry,
                p->school, p->intro, p->is_active, ts, ts, ts);
    if (n < 0) {
        return (int)n;
    }
    return partners_profile_get(db, a, user_id, out);
}
