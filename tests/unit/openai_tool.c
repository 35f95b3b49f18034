/*
 * openai_tool.c -- run one openai-provider analysis from the command line;
 * the C half of tests/api/test_openai.py, and handy against a real endpoint.
 *
 *   openai_tool match     BASE_URL MODEL KEY TIMEOUT_MS RESUME_FILE JD_FILE
 *   openai_tool diagnose  BASE_URL MODEL KEY TIMEOUT_MS RESUME_FILE [TARGET_ROLE]
 *   openai_tool questions BASE_URL MODEL KEY TIMEOUT_MS RESUME_FILE JOB_FILE COUNT
 *
 * KEY "" sends no Authorization header.  OPENAI_TOOL_MAX_RETRIES (default 2)
 * and OPENAI_TOOL_TEMPERATURE (default 0.2, negative = not sent) set the rest
 * of the configuration.
 *
 * stdout is one JSON object: {"result": ..., "usage": ...} on success,
 * {"error": reason, "usage": ...} on failure (no result, so no score).
 * Exit 0 ok; 1 failed (reason on stderr); 2 failed but worth retrying
 * later (ZM_EAGAIN: timeout, rate limit, server errors); 64 bad usage.
 */
#include "openai.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define EXIT_RETRY 2
#define EXIT_USAGE 64

static void usage(void)
{
    fprintf(stderr, "usage: openai_tool match BASE_URL MODEL KEY TIMEOUT_MS RESUME_FILE JD_FILE\n"
                    "       openai_tool diagnose BASE_URL MODEL KEY TIMEOUT_MS RESUME_FILE [TARGET_ROLE]\n"
                    "       openai_tool questions BASE_URL MODEL KEY TIMEOUT_MS RESUME_FILE JOB_FILE COUNT\n");
}

/* A whole file into the arena, NUL-terminated. */
static char *slurp(zm_arena_t *a, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL) {
        perror(path);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = zm_palloc(a, (size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* The API shape of a match.  analysis.h's an_match_json() is the builtin
 * side's; until it is linked here this mirrors it key for key. */
static json_object *match_json(const an_match_t *m)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "score", json_object_new_int(m->score));
    json_object_object_add(o, "summary", json_object_new_string(m->summary));
    json_object_object_add(o, "strengths", json_object_get(m->strengths));
    json_object_object_add(o, "gaps", json_object_get(m->gaps));
    json_object_object_add(o, "suggestions", json_object_get(m->suggestions));
    json_object_object_add(o, "matched_skills", json_object_get(m->matched_skills));
    json_object_object_add(o, "missing_skills", json_object_get(m->missing_skills));
    json_object_object_add(o, "components", json_object_get(m->components));
    json_object_object_add(o, "provider", json_object_new_string(m->provider));
    json_object_object_add(o, "model", json_object_new_string(m->model));
    return o;
}

static json_object *usage_json(const an_usage_t *u)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "prompt_tokens", json_object_new_int64(u->llm.prompt_tokens));
    json_object_object_add(o, "completion_tokens", json_object_new_int64(u->llm.completion_tokens));
    json_object_object_add(o, "total_tokens", json_object_new_int64(u->llm.total_tokens));
    json_object_object_add(o, "attempts", json_object_new_int(u->llm.attempts));
    json_object_object_add(o, "invalid", json_object_new_int(u->invalid));
    json_object_object_add(o, "elapsed_ms", json_object_new_int64(u->llm.elapsed_ms));
    json_object_object_add(o, "model", u->llm.model ? json_object_new_string(u->llm.model) : NULL);
    return o;
}

int main(int argc, char **argv)
{
    llm_conf_t c = {0};
    an_usage_t u = {0};
    an_match_t m = {0};
    zm_arena_t a;
    json_object *out = NULL, *result = NULL;
    const char *cmd, *env;
    char *resume, *second = NULL, *error = NULL, *end;
    int rc, count = 0;

    if (argc < 7) {
        usage();
        return EXIT_USAGE;
    }
    cmd = argv[1];
    if (!((strcmp(cmd, "match") == 0 && argc == 8) || (strcmp(cmd, "diagnose") == 0 && argc <= 8) ||
          (strcmp(cmd, "questions") == 0 && argc == 9))) {
        usage();
        return EXIT_USAGE;
    }
    c.base_url = argv[2];
    c.model = argv[3];
    c.api_key = argv[4];
    c.timeout_ms = strtol(argv[5], &end, 10);
    if (*end != '\0' || c.timeout_ms <= 0) {
        usage();
        return EXIT_USAGE;
    }
    env = getenv("OPENAI_TOOL_MAX_RETRIES");
    c.max_retries = env ? atoi(env) : 2;
    env = getenv("OPENAI_TOOL_TEMPERATURE");
    c.temperature = env ? strtod(env, NULL) : 0.2;

    zm_arena_init(&a, 65536, 64u << 20);
    if (llm_init() != ZM_OK) {
        fprintf(stderr, "openai_tool: curl_global_init failed\n");
        return 1;
    }
    resume = slurp(&a, argv[6]);
    if (resume == NULL) {
        return 1;
    }
    if (strcmp(cmd, "diagnose") != 0 || argc == 8) {
        second = strcmp(cmd, "diagnose") == 0 ? argv[7] : slurp(&a, argv[7]);
        if (second == NULL) {
            return 1;
        }
    }

    if (strcmp(cmd, "match") == 0) {
        rc = an_openai_match(&a, &c, resume, second, &m, &u, &error);
        if (rc == ZM_OK) {
            result = match_json(&m);
        }
        an_openai_match_release(&m);
    } else if (strcmp(cmd, "diagnose") == 0) {
        rc = an_openai_diagnose(&a, &c, resume, second, &out, &u, &error);
        result = out;
    } else {
        count = (int)strtol(argv[8], &end, 10);
        if (*end != '\0') {
            usage();
            return EXIT_USAGE;
        }
        rc = an_openai_questions(&a, &c, resume, second, count, &out, &u, &error);
        result = out;
    }

    out = json_object_new_object();
    if (rc == ZM_OK) {
        json_object_object_add(out, "result", result);
    } else {
        json_object_object_add(out, "error", json_object_new_string(error ? error : zm_strerror(rc)));
        json_object_object_add(out, "rc", json_object_new_string(zm_strerror(rc)));
        fprintf(stderr, "openai_tool: %s: %s\n", zm_strerror(rc), error ? error : "(no reason)");
    }
    json_object_object_add(out, "usage", usage_json(&u));
    printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(out);
    zm_arena_destroy(&a);
    llm_cleanup();
    if (rc == ZM_OK) {
        return 0;
    }
    return rc == ZM_EAGAIN ? EXIT_RETRY : 1;
}
