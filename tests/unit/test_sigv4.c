/*
 * test_sigv4.c -- sigv4_presign against the AWS SigV4 test suite
 * (query-string signing) and sigv4_uri_encode.
 *
 *   test_sigv4 DIR    DIR = tests/data/aws-sigv4 (one directory per case)
 *
 * Each case's request.txt is turned into a sigv4_request_t; the canonical
 * request, string to sign and signature must equal the suite's files byte
 * for byte.  Cases that sign headers other than Host or a body are skipped
 * with the reason printed (sigv4.c signs only Host: presigned S3 GETs).
 */
#include "sigv4.h"

#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zt.h"

static zm_arena_t arena;
static int cases_ran, cases_passed, cases_skipped;

/* The whole file dir/name/file, trailing CR/LF dropped; NULL if unreadable. */
static char *read_text(const char *dir, const char *name, const char *file)
{
    char *path = zm_psprintf(&arena, "%s/%s/%s", dir, name, file), *buf;
    long size;
    size_t len;
    FILE *f;

    if (path == NULL || (f = fopen(path, "rb")) == NULL) {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = zm_palloc(&arena, (size_t)size + 1);
    if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        return NULL;
    }
    fclose(f);
    len = (size_t)size;
    buf[len] = '\0';
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) {
        buf[--len] = '\0';
    }
    return buf;
}

static const char *json_str(json_object *o, const char *k1, const char *k2)
{
    json_object *v;

    if (!json_object_object_get_ex(o, k1, &v)) {
        return NULL;
    }
    if (k2 != NULL && !json_object_object_get_ex(v, k2, &v)) {
        return NULL;
    }
    return json_object_get_string(v);
}

static int json_flag(json_object *o, const char *k)
{
    json_object *v;

    return json_object_object_get_ex(o, k, &v) && json_object_get_boolean(v);
}

/* "2015-08-30T12:36:00Z" -> "20150830T123600Z" */
static char *amz_date(const char *iso)
{
    char *out = zm_palloc(&arena, 17);
    size_t o = 0;

    if (out == NULL || iso == NULL) {
        return NULL;
    }
    for (const char *p = iso; *p && o < 16; p++) {
        if (*p != '-' && *p != ':') {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    return o == 16 ? out : NULL;
}

/*
 * request.txt: "METHOD target HTTP/1.1", header lines, a blank line, a body.
 * The target may hold spaces ("/example space/"), so the version is found
 * from the right.  Returns NULL (and a reason) when the case is not one
 * query signing of Host alone can represent.
 */
static const char *parse_request(char *req, char **method, char **target, char **host)
{
    char *line = req, *nl, *sp, *ver;
    int first = 1;

    *host = NULL;
    while (line != NULL && *line != '\0') {
        nl = strchr(line, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        if (nl != NULL && nl > line && nl[-1] == '\r') {
            nl[-1] = '\0';
        }
        if (first) {
            sp = strchr(line, ' ');
            ver = strstr(line, " HTTP/");
            if (sp == NULL || ver == NULL || ver <= sp) {
                return "malformed request line";
            }
            *sp = '\0';
            *ver = '\0';
            *method = line;
            *target = sp + 1;
            first = 0;
        } else if (line[0] == ' ' || line[0] == '\t') {
            return "signs a header other than Host (a folded value)";
        } else if (strncasecmp(line, "host:", 5) == 0) {
            char *v = line + 5;

            while (*v == ' ') {
                v++;
            }
            *host = v;
        } else {
            return "signs a header other than Host";
        }
        if (nl == NULL) {
            break;
        }
        line = nl + 1;
        if (*line == '\n' || (*line == '\r' && line[1] == '\n')) {
            /* the blank line: anything after it (read_text dropped the final newlines) is a body */
            if (line[*line == '\r' ? 2 : 1] != '\0') {
                return "signs a request body";
            }
            break;
        }
    }
    return *host ? NULL : "no Host header";
}

static void run_case(const char *dir, const char *name)
{
    char *ctx_text, *req, *exp_creq, *exp_sts, *exp_sig, *signed_req;
    char *method, *target, *host, *path, *q, *query = NULL, *creq = NULL, *sts = NULL, *sig;
    const char *why, *token;
    sigv4_request_t p = {0};
    json_object *ctx;
    int rc, ok;

    zm_arena_reset(&arena);
    ctx_text = read_text(dir, name, "context.json");
    req = read_text(dir, name, "request.txt");
    exp_creq = read_text(dir, name, "query-canonical-request.txt");
    exp_sts = read_text(dir, name, "query-string-to-sign.txt");
    exp_sig = read_text(dir, name, "query-signature.txt");
    signed_req = read_text(dir, name, "query-signed-request.txt");
    if (ctx_text == NULL || req == NULL || exp_creq == NULL || exp_sts == NULL || exp_sig == NULL) {
        printf("skip %s: missing query-signing files\n", name);
        cases_skipped++;
        return;
    }
    ctx = json_tokener_parse(ctx_text);
    ZT_CHECK(ctx != NULL);
    if (ctx == NULL) {
        return;
    }
    if (json_flag(ctx, "sign_body")) {
        printf("skip %s: signs a request body\n", name);
        cases_skipped++;
        json_object_put(ctx);
        return;
    }
    why = parse_request(req, &method, &target, &host);
    if (why != NULL) {
        printf("skip %s: %s\n", name, why);
        cases_skipped++;
        json_object_put(ctx);
        return;
    }

    /* the suite's paths are raw; what we sign is the path as sent, percent-encoded once */
    q = strchr(target, '?');
    if (q != NULL) {
        *q++ = '\0';
    }
    path = sigv4_uri_encode(&arena, target, 1);
    token = json_str(ctx, "credentials", "token");
    p.access_key = json_str(ctx, "credentials", "access_key_id");
    p.secret_key = json_str(ctx, "credentials", "secret_access_key");
    /* omit_session_token: the token is added to the URL after signing, so it is not signed */
    p.session_token = json_flag(ctx, "omit_session_token") ? NULL : token;
    p.region = json_str(ctx, "region", NULL);
    p.service = json_str(ctx, "service", NULL);
    p.method = method;
    p.host = host;
    p.path = path;
    p.query = q;
    p.amz_date = amz_date(json_str(ctx, "timestamp", NULL));
    p.expires_s = json_object_get_int64(json_object_object_get(ctx, "expiration_in_seconds"));
    p.normalize_path = json_flag(ctx, "normalize");

    cases_ran++;
    rc = sigv4_presign(&arena, &p, &query, &creq, &sts);
    ZT_CHECK(rc == ZM_OK);
    if (rc != ZM_OK) {
        fprintf(stderr, "%s: sigv4_presign = %d\n", name, rc);
        json_object_put(ctx);
        return;
    }
    sig = strstr(query, "&X-Amz-Signature=");
    ok = strcmp(creq, exp_creq) == 0 && strcmp(sts, exp_sts) == 0 && sig != NULL && strcmp(sig + 17, exp_sig) == 0 &&
         strchr(sig + 1, '&') == NULL;
    ZT_STREQ(creq, exp_creq);
    ZT_STREQ(sts, exp_sts);
    ZT_STREQ(sig ? sig + 17 : NULL, exp_sig);

    /* every auth parameter of the suite's presigned request is in ours, value for value */
    if (signed_req != NULL) {
        char *sq = strchr(signed_req, '?'), *end = sq ? strstr(sq, " HTTP/") : NULL;

        ZT_CHECK(sq != NULL && end != NULL);
        if (sq != NULL && end != NULL) {
            char *tok, *save = NULL;

            *end = '\0';
            for (tok = strtok_r(sq + 1, "&", &save); tok != NULL; tok = strtok_r(NULL, "&", &save)) {
                char *needle;

                /* with omit_session_token the token is appended after signing, outside sigv4.c */
                if (strncmp(tok, "X-Amz-", 6) != 0 ||
                    (p.session_token == NULL && strncmp(tok, "X-Amz-Security-Token=", 21) == 0)) {
                    continue;
                }
                needle = zm_psprintf(&arena, "&%s", tok);
                if (!(strncmp(query, tok, strlen(tok)) == 0 && query[strlen(tok)] == '&') &&
                    strstr(query, needle) == NULL) {
                    fprintf(stderr, "%s: %s missing from %s\n", name, tok, query);
                    ok = 0;
                    zt_failed++;
                }
            }
        }
    }
    printf("%s %s\n", ok ? "ok" : "FAIL", name);
    cases_passed += ok;
    json_object_put(ctx);
}

static int name_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void test_suite(const char *dir)
{
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    DIR *d = opendir(dir);

    ZT_CHECK(d != NULL);
    if (d == NULL) {
        fprintf(stderr, "cannot open %s\n", dir);
        return;
    }
    while ((de = readdir(d)) != NULL && n < ZM_ARRAY_LEN(names)) {
        if (de->d_name[0] != '.' && de->d_type == DT_DIR) {
            names[n++] = strdup(de->d_name);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), name_cmp);
    for (size_t i = 0; i < n; i++) {
        run_case(dir, names[i]);
        free(names[i]);
    }
    printf("aws-sigv4 query signing: %d cases ran, %d passed, %d skipped\n", cases_ran, cases_passed, cases_skipped);
    /* a data directory that lost its cases must not pass quietly */
    ZT_CHECK(cases_ran >= 30);
    ZT_CHECK(cases_passed == cases_ran);
}

static void test_uri_encode(void)
{
    zm_arena_reset(&arena);
    ZT_STREQ(sigv4_uri_encode(&arena, "AZaz09-_.~", 0), "AZaz09-_.~");
    ZT_STREQ(sigv4_uri_encode(&arena, "a/b c+d=e&f%", 0), "a%2Fb%20c%2Bd%3De%26f%25");
    ZT_STREQ(sigv4_uri_encode(&arena, "a/b c+d", 1), "a/b%20c%2Bd");
    ZT_STREQ(sigv4_uri_encode(&arena, "简历.pdf", 1), "%E7%AE%80%E5%8E%86.pdf");
    ZT_STREQ(sigv4_uri_encode(&arena, "!*'();:@$,?#[]", 1), "%21%2A%27%28%29%3B%3A%40%24%2C%3F%23%5B%5D");
    ZT_STREQ(sigv4_uri_encode(&arena, "", 1), "");
    ZT_CHECK(sigv4_uri_encode(&arena, NULL, 1) == NULL);
}

/* AWS's own S3 presigned-URL example (S3 API reference, "Authenticating Requests: Using Query
 * Parameters"): S3 signs UNSIGNED-PAYLOAD in place of a body hash. */
static void test_s3_example(void)
{
    sigv4_request_t p = {
        .access_key = "AKIAIOSFODNN7EXAMPLE",
        .secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        .region = "us-east-1",
        .service = "s3",
        .method = "GET",
        .host = "examplebucket.s3.amazonaws.com",
        .path = "/test.txt",
        .amz_date = "20130524T000000Z",
        .expires_s = 86400,
    };
    char *query = NULL, *creq = NULL, *sts = NULL;

    zm_arena_reset(&arena);
    ZT_CHECK(sigv4_presign(&arena, &p, &query, &creq, &sts) == ZM_OK);
    ZT_STREQ(creq, "GET\n/test.txt\n"
                   "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%"
                   "2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n"
                   "host:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD");
    ZT_STREQ(sts, "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                  "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
    ZT_STREQ(query, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%"
                    "2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&"
                    "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

/* S3 keys: no normalization, no second encoding, caller parameters sorted in. */
static void test_s3_keys(void)
{
    sigv4_request_t p = {
        .access_key = "AKID",
        .secret_key = "SECRET",
        .region = "cn-north-1",
        .service = "s3",
        .method = "GET",
        .host = "127.0.0.1:9000",
        .amz_date = "20240102T030405Z",
        .expires_s = 300,
    };
    char *query = NULL, *creq = NULL;

    zm_arena_reset(&arena);
    p.path = zm_psprintf(&arena, "/bucket/%s", sigv4_uri_encode(&arena, "resumes/1/2/3/我的 简历(1).pdf", 1));
    p.query = "response-content-type=application%2Fpdf&response-content-disposition=attachment";
    ZT_CHECK(sigv4_presign(&arena, &p, &query, &creq, NULL) == ZM_OK);
    ZT_CHECK(creq != NULL && strncmp(creq,
                                     "GET\n/bucket/resumes/1/2/3/%E6%88%91%E7%9A%84%20%E7%AE%80%E5%8E%86%281%29.pdf\n"
                                     "X-Amz-Algorithm=",
                                     strlen("GET\n/bucket/resumes/1/2/3/%E6%88%91%E7%9A%84%20%E7%AE%80%E5%8E%86%281%"
                                            "29.pdf\nX-Amz-Algorithm=")) == 0);
    ZT_CHECK(query != NULL && strstr(query, "X-Amz-SignedHeaders=host&response-content-disposition=attachment&"
                                            "response-content-type=application%2Fpdf&X-Amz-Signature=") != NULL);

    /* a path with dot segments is signed as sent when not normalizing (S3) */
    p.path = "/bucket/a/./b/../c";
    p.query = NULL;
    ZT_CHECK(sigv4_presign(&arena, &p, &query, &creq, NULL) == ZM_OK);
    ZT_CHECK(creq != NULL && strncmp(creq, "GET\n/bucket/a/./b/../c\n", 23) == 0);
    p.normalize_path = 1;
    ZT_CHECK(sigv4_presign(&arena, &p, &query, &creq, NULL) == ZM_OK);
    ZT_CHECK(creq != NULL && strncmp(creq, "GET\n/bucket/a/c\n", 16) == 0);
}

static void test_refusals(void)
{
    sigv4_request_t good = {
        .access_key = "AKID",
        .secret_key = "SECRET",
        .region = "us-east-1",
        .service = "s3",
        .method = "GET",
        .host = "example.com",
        .path = "/b/k",
        .amz_date = "20240102T030405Z",
        .expires_s = 300,
    };
    sigv4_request_t p;
    char *query;

    zm_arena_reset(&arena);
    p = good;
    ZT_CHECK(sigv4_presign(&arena, &p, &query, NULL, NULL) == ZM_OK);
    p = good;
    p.expires_s = 0;
    ZT_CHECK(sigv4_presign(&arena, &p, &query, NULL, NULL) == ZM_EINVAL);
    p.expires_s = 604801;
    ZT_CHECK(sigv4_presign(&arena, &p, &query, NULL, NULL) == ZM_EINVAL);
    p.expires_s = 604800;
    ZT_CHECK(sigv4_presign(&arena, &p, &query, NULL, NULL) == ZM_OK);
    p = good;
    p.amz_date = "2024-01-02T03:04:05Z";
    ZT_CHECK(sigv4_presign(&arena, &p, &query, NULL, NULL) == ZM_EINVAL);
    p = good;
    p.path = "/b/简历"; /* not encoded: a server would not see what was signed */
    ZT_CHECK(sigv4_presign(&arena, &p, &query, NULL, NULL) == ZM_EINVAL);
    p.path = "/b/a b";
    ZT_CHECK(sigv4_presign(&arena, &p, &query, NULL, NULL) == ZM_EINVAL);
    p = good;
    p.host = "example.com\r\nx-evil: 1";
    ZT_CHECK(sigv4_presign(&arena, &p, &query, NULL, NULL) == ZM_EINVAL);
    p = good;
    p.query = "a=%zz";
    ZT_CHECK(sigv4_presign(&arena, &p, &query, NULL, NULL) == ZM_EINVAL);
    p = good;
    p.secret_key = "";
    ZT_CHECK(sigv4_presign(&arena, &p, &query, NULL, NULL) == ZM_EINVAL);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_sigv4 DIR (tests/data/aws-sigv4)\n");
        return 2;
    }
    zm_arena_init(&arena, 65536, 0);
    ZT_RUN(test_uri_encode);
    ZT_RUN(test_s3_example);
    ZT_RUN(test_s3_keys);
    ZT_RUN(test_refusals);
    test_suite(argv[1]);
    zt_tests++;
    zm_arena_destroy(&arena);
    return zt_done();
}
