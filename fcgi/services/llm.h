/*
 * llm.h -- a client for OpenAI-compatible chat completions (OpenAI,
 * DeepSeek, Qwen/DashScope, a local vLLM or Ollama) over libcurl: messages
 * in, the answer's text and what it cost out, whole (llm_chat) or as it is
 * generated (llm_chat_stream).  It knows nothing of what the text means:
 * fcgi/analysis/openai.c builds resume analyses on it, and a caller that
 * wants to show tokens as they come (the mock interview) streams.
 *
 * One call = POST {base_url}/chat/completions, optionally with
 * response_format json_object.  Transport: HTTP 429/500/502/503/504/408 and
 * connection failures are retried with exponential backoff (0.5 s, 1 s, 2 s
 * ... capped at 8 s; a Retry-After or retry-after-ms from the server is
 * obeyed instead, and one over 30 s ends the call with ZM_EAGAIN);
 * 400/401/403/404 and other 4xx fail at once with the API's own error
 * message; a request that times out is not retried here but returned as
 * ZM_EAGAIN, so a task queue can try again later.
 *
 * Return codes:
 *   ZM_OK          *ans filled
 *   ZM_EINVAL      bad arguments or configuration (no base_url, no model ...)
 *   ZM_ERR         permanent: the API refused (4xx), or an unusable response
 *   ZM_EAGAIN      transient: timed out, 429/5xx/connection errors outlasted
 *                  max_retries, or a stream broke off -- worth retrying later
 *   ZM_ENOMEM      arena or malloc exhausted
 *   LLM_ECANCELED  (streaming) the caller's on_delta asked to stop
 * and on any failure *error (when error is not NULL) is a one-line reason in
 * the arena, e.g. "timed out after 30000 ms", "HTTP 401: Incorrect API key
 * provided".
 *
 * Call llm_init() once per process before any thread makes a call
 * (curl_global_init() must not race).  Calls block for up to about
 * (max_retries + 1) * timeout_ms plus backoff; run them from a task, not a
 * request handler.
 */
#ifndef ZM_LLM_H
#define ZM_LLM_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "zm.h"

#define LLM_ECANCELED (ZM_ERANGE_SERVICES - 1) /* on_delta returned non-zero: the transfer was stopped */

/* ---- configuration ---- */

typedef struct {
    const char *base_url; /* https://api.openai.com/v1, http://127.0.0.1:11434/v1 ...; a trailing / is fine */
    const char *model;    /* gpt-4o-mini, deepseek-chat, qwen-plus ... */
    const char *api_key;  /* NULL or "": no Authorization header (local servers) */
    long timeout_ms;      /* one HTTP request, connect to last byte; <= 0 means 60000 */
    int max_retries;      /* extra requests on 429/5xx/connection errors; < 0 means 0 */
    double temperature;   /* < 0: not sent (some reasoning models accept only their default) */
} llm_conf_t;

/**
 * Fill c from the configuration keys llm.base_url, llm.model, llm.api_key,
 * llm.timeout_ms, llm.max_retries and llm.temperature.  The strings point
 * into the loaded configuration: valid until the next zm_conf_load().
 */
void llm_conf_from_conf(llm_conf_t *c);

/** curl_global_init(); once per process, before threads.  0 or ZM_ERR. */
int llm_init(void);

/** curl_global_cleanup(), at process exit. */
void llm_cleanup(void);

/* ---- a call ---- */

typedef struct {
    const char *role; /* "system", "user", "assistant" */
    const char *content;
} llm_message_t;

enum {
    LLM_JSON_OBJECT = 1 /* response_format {"type": "json_object"}: the prompt must say "JSON" */
};

typedef struct {
    long prompt_tokens; /* as the server counted them, summed over every answered request */
    long completion_tokens;
    long total_tokens;
    int attempts;      /* HTTP requests sent, retried ones included */
    long elapsed_ms;   /* wall clock, backoff included */
    const char *model; /* the model the server says answered (arena), or NULL */
} llm_usage_t;

typedef struct {
    char *text;                /* the content (arena), NULL when the model gave none */
    size_t len;                /* its bytes */
    const char *finish_reason; /* "stop", "length", ... (arena) or NULL */
    const char *refusal;       /* the model's refusal (arena), NULL when it did not refuse */
} llm_answer_t;

/**
 * Send the conversation msgs[0..n), wait for the whole answer.  flags:
 * LLM_JSON_OBJECT or 0.  usage (may be NULL) gets this call's requests,
 * tokens and time ADDED, so the calls of one conversation sum up: zero it
 * before the first.  An answer with no text (empty, refused) is ZM_OK:
 * what it means is the caller's to judge.
 */
int llm_chat(zm_arena_t *a, const llm_conf_t *c, const llm_message_t *msgs, size_t n, int flags, llm_answer_t *ans,
             llm_usage_t *usage, char **error);

/**
 * Called with each piece of the answer's text as it arrives (len > 0, not
 * NUL-terminated, UTF-8 as the server sent it).  Non-zero stops the
 * transfer: the call returns LLM_ECANCELED.
 */
typedef int (*llm_delta_fn)(void *ud, const char *text, size_t len);

/**
 * llm_chat with "stream": true (and stream_options include_usage): on_delta
 * gets the text as Server-Sent Events bring it, *ans the whole of it at the
 * end.  The stream is complete at "data: [DONE]" (or, from a server that
 * never sends it, once a finish_reason came and the connection closed
 * cleanly).  A failure before the first delta (an error status, a refused
 * connection, a stream cut short) is retried like llm_chat's; after it
 * nothing is retried (the caller has shown the text): a stream that breaks
 * off is ZM_EAGAIN.  An error event in the stream is ZM_ERR wherever it
 * comes.  On failure *ans holds what arrived.  A server that ignores
 * "stream" and answers one JSON body is read as llm_chat would, its text
 * handed to on_delta in one piece.
 */
int llm_chat_stream(zm_arena_t *a, const llm_conf_t *c, const llm_message_t *msgs, size_t n, int flags,
                    llm_delta_fn on_delta, void *ud, llm_answer_t *ans, llm_usage_t *usage, char **error);

/* ---- pure parsers (no network; exposed for tests and fuzzing) ---- */

/**
 * A Retry-After header value in milliseconds: delta-seconds or, unless
 * is_ms, an HTTP date (relative to now, 0 when past); with is_ms (OpenAI's
 * and Azure's retry-after-ms) milliseconds.  Leading blanks and a trailing
 * CR/LF are fine.  -1 when unreadable; never more than 86400000 s.
 */
long llm_retry_after_ms(const char *value, int is_ms);

/**
 * An incremental Server-Sent Events parser (the WHATWG rules): feed it the
 * bytes as they arrive, split anywhere; it calls on_event once per complete
 * event.  Lines end in LF, CRLF or CR; a line starting with ":" is a comment
 * (keep-alive); "data:" lines are joined with "\n"; "event:" names the
 * event ("message" when not named); "id:", "retry:" and unknown fields are
 * ignored; a blank line ends an event, and one without data is no event;
 * a UTF-8 BOM at the start is dropped; an unfinished event at the end of
 * the stream is dropped.  The same bytes give the same events however they
 * are split.
 */
#define LLM_SSE_MAX (1u << 20) /* most bytes of one line plus its event's data */

typedef int (*llm_sse_event_fn)(void *ud, const char *event, const char *data, size_t len);

typedef struct {
    /* private: use the functions below */
    llm_sse_event_fn on_event;
    void *ud;
    zm_buf_t line; /* the line being read (on the heap) */
    zm_buf_t data; /* the event's data so far, each line followed by "\n" (on the heap) */
    int has_data;
    char event[64]; /* the event's name, cut to 63 bytes */
    int after_cr;   /* the last byte was a CR: an LF right after it ends nothing */
    int started;    /* a line was read: a BOM can only be in front of the first */
    int rc;         /* sticky: the error that stopped the parser */
} llm_sse_t;

void llm_sse_init(llm_sse_t *s, llm_sse_event_fn on_event, void *ud);

/**
 * Parse len more bytes.  0, or the first non-zero value on_event returned,
 * or ZM_ETOOBIG (a line and its event over LLM_SSE_MAX) or ZM_ENOMEM; after
 * a non-zero return every later call returns the same without parsing.
 * data passed to on_event is NUL-terminated (len excludes the NUL) and
 * valid only during the call.
 */
int llm_sse_feed(llm_sse_t *s, const char *buf, size_t len);

/** 1 when bytes of an unfinished line or event are pending (a stream cut there lost them). */
int llm_sse_pending(const llm_sse_t *s);

void llm_sse_free(llm_sse_t *s);

/* ---- text ---- */

/**
 * A copy of s (arena) of at most max_chars characters, cut on a UTF-8
 * character boundary; malformed UTF-8 becomes U+FFFD so a request body
 * stays valid JSON.  *truncated (may be NULL) tells whether it was cut.
 */
char *llm_clip_utf8(zm_arena_t *a, const char *s, size_t max_chars, int *truncated);

#endif
