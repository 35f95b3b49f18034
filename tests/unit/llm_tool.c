/*
 * llm_tool.c -- one chat with an OpenAI-compatible endpoint from the command
 * line, whole or streamed: the C half of the streaming cases in
 * tests/api/test_openai.py, and handy against a real endpoint.
 *
 *   llm_tool chat|stream BASE_URL MODEL KEY TIMEOUT_MS PROMPT
 *
 * KEY "" sends no Authorization header.  The environment sets the rest:
 * LLM_TOOL_MAX_RETRIES (default 2), LLM_TOOL_TEMPERATURE (default 0.2,
 * negative = not sent), LLM_TOOL_JSON=1 (response_format json_object),
 * LLM_TOOL_SYSTEM (a system message first), LLM_TOOL_STOP_AFTER=N (the
 * delta callback asks to stop at the N-th delta).
 *
 * stdout is one JSON object: {"rc", "error", "text", "deltas": [each piece
 * on_delta got], "finish_reason", "refusal", "usage"}.  Exit 0 ok; 1 failed;
 * 2 failed but worth retrying later (ZM_EAGAIN); 3 stopped by the callback
 * (LLM_ECANCELED); 64 bad usage.
 */
#include "llm.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define EXIT_RETRY 2
#define EXIT_CANCELED 3
#define EXIT_USAGE 64

typedef struct {
    json_object *deltas;
    int stop_after;
} deltas_t;

static int on_delta(void *ud, const char *text, size_t len)
{
    deltas_t *d = ud;

    json_object_array_add(d->deltas, json_object_new_string_len(text, (int)len));
    return d->stop_after > 0 && (int)json_object_array_length(d->deltas) >= d->stop_after;
}

static json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

int main(int argc, char **argv)
{
    llm_conf_t c = {0};
    llm_usage_t u = {0};
    llm_answer_t ans = {0};
    llm_message_t msgs[2];
    deltas_t d = {NULL, 0};
    zm_arena_t a;
    json_object *out, *uo;
    const char *env;
    char *error = NULL, *end;
    size_t n = 0;
    int rc, stream;

    if (argc != 7 || (strcmp(argv[1], "chat") != 0 && strcmp(argv[1], "stream") != 0)) {
        fprintf(stderr, "usage: llm_tool chat|stream BASE_URL MODEL KEY TIMEOUT_MS PROMPT\n");
        return EXIT_USAGE;
    }
    stream = strcmp(argv[1], "stream") == 0;
    c.base_url = argv[2];
    c.model = argv[3];
    c.api_key = argv[4];
    c.timeout_ms = strtol(argv[5], &end, 10);
    if (*end != '\0' || c.timeout_ms <= 0) {
        fprintf(stderr, "llm_tool: bad TIMEOUT_MS\n");
        return EXIT_USAGE;
    }
    env = getenv("LLM_TOOL_MAX_RETRIES");
    c.max_retries = env ? atoi(env) : 2;
    env = getenv("LLM_TOOL_TEMPERATURE");
    c.temperature = env ? strtod(env, NULL) : 0.2;
    env = getenv("LLM_TOOL_STOP_AFTER");
    d.stop_after = env ? atoi(env) : 0;
    env = getenv("LLM_TOOL_SYSTEM");
    if (env != NULL) {
        msgs[n++] = (llm_message_t){"system", env};
    }
    msgs[n++] = (llm_message_t){"user", argv[6]};
    env = getenv("LLM_TOOL_JSON");

    zm_arena_init(&a, 65536, 64u << 20);
    if (llm_init() != ZM_OK) {
        fprintf(stderr, "llm_tool: curl_global_init failed\n");
        return 1;
    }
    d.deltas = json_object_new_array();
    if (stream) {
        rc = llm_chat_stream(&a, &c, msgs, n, env && strcmp(env, "1") == 0 ? LLM_JSON_OBJECT : 0, on_delta, &d, &ans,
                             &u, &error);
    } else {
        rc = llm_chat(&a, &c, msgs, n, env && strcmp(env, "1") == 0 ? LLM_JSON_OBJECT : 0, &ans, &u, &error);
    }

    out = json_object_new_object();
    json_object_object_add(out, "rc", json_object_new_string(rc == LLM_ECANCELED ? "ECANCELED" : zm_strerror(rc)));
    json_object_object_add(out, "error", str_or_null(error));
    json_object_object_add(out, "text", ans.text ? json_object_new_string_len(ans.text, (int)ans.len) : NULL);
    json_object_object_add(out, "deltas", d.deltas);
    json_object_object_add(out, "finish_reason", str_or_null(ans.finish_reason));
    json_object_object_add(out, "refusal", str_or_null(ans.refusal));
    uo = json_object_new_object();
    json_object_object_add(uo, "prompt_tokens", json_object_new_int64(u.prompt_tokens));
    json_object_object_add(uo, "completion_tokens", json_object_new_int64(u.completion_tokens));
    json_object_object_add(uo, "total_tokens", json_object_new_int64(u.total_tokens));
    json_object_object_add(uo, "attempts", json_object_new_int(u.attempts));
    json_object_object_add(uo, "elapsed_ms", json_object_new_int64(u.elapsed_ms));
    json_object_object_add(uo, "model", str_or_null(u.model));
    json_object_object_add(out, "usage", uo);
    printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    if (rc != ZM_OK) {
        fprintf(stderr, "llm_tool: %s: %s\n", rc == LLM_ECANCELED ? "ECANCELED" : zm_strerror(rc),
                error ? error : "(no reason)");
    }
    json_object_put(out);
    zm_arena_destroy(&a);
    llm_cleanup();
    if (rc == ZM_OK) {
        return 0;
    }
    return rc == ZM_EAGAIN ? EXIT_RETRY : rc == LLM_ECANCELED ? EXIT_CANCELED : 1;
}
