/*
 * speech_int.h -- what the speech folder's files share: the process's start-up, its storage
 * handle and the curl options every provider call takes.
 */
#ifndef ZM_SPEECH_INT_H
#define ZM_SPEECH_INT_H

#include <curl/curl.h>

#include "buf.h"
#include "db.h"
#include "storage.h"

/** espeak-ng in this process, when speech.tts_provider = espeak (module.c's init_process). */
int speech_init_process(void);

/** This process's storage handle, opened on first use (NULL with a logged reason). */
storage_t *speech_storage(void);

/** A curl handle for url with the common options (protocols, timeouts, no signals); NULL on OOM. */
CURL *speech_curl(const char *url, long timeout_ms);

/** "Authorization: Bearer <key>" appended to h when key is not empty. */
struct curl_slist *speech_auth_header(struct curl_slist *h, const char *key);

/** A provider's error text, cut to a short printable reason in the arena. */
const char *speech_reason(zm_arena_t *a, long status, const char *body, size_t len);

/** GET /metrics: whether TTS and ASR can run here, open recognition sessions and their audio. */
int speech_metrics(db_t *db, zm_arena_t *a, zm_buf_t *out);

#endif
