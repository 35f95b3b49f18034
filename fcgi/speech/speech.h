/*
 * speech.h -- text to speech and speech recognition (issue 18 item 3), for the interview
 * domain and any other that wants a voice.  No HTTP types: the handlers are api.c.
 *
 * TTS (tts.c): speech_tts() speaks a capped text with the configured provider
 * (speech.tts_provider): espeak-ng in process through libespeak-ng (Mandarin "cmn", English
 * "en"), or an OpenAI-compatible /v1/audio/speech whose body is relayed as it arrives.  Audio
 * goes to a sink as it is produced; the finished file is cached in storage under
 * speech/tts/<sha256 of provider, voice, speed, format, model and text>.<ext> and a cache hit is
 * read from there.  The text cap (speech.tts_max_chars) keeps an espeak synthesis well under a
 * second (tests/bench/tts_bench.py measures it), so the FastCGI worker that streams it is held
 * no longer than any other request.
 *
 * ASR (asr.c): a session per recording.  The browser sends its audio in short POSTs (chunks,
 * numbered from 0, stored in speech_asr_chunk); zhimai-worker's speech.transcribe (tasks.c)
 * sends the contiguous audio so far to the provider (speech.asr_provider: an OpenAI-compatible
 * /v1/audio/transcriptions) and publishes each transcript to the user's live channel:
 *     {"type": "asr.partial", "asr_id": "...", "text": "...", "final": false|true}
 * Stop queues the last transcription (final: true); clear drops the audio and the transcript.
 */
#ifndef ZM_SPEECH_H
#define ZM_SPEECH_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "zm.h"

#define SPEECH_EOFF (ZM_ERANGE_SPEECH - 0)      /* the provider is off (or could not start) */
#define SPEECH_ETOOLONG (ZM_ERANGE_SPEECH - 1)  /* text over speech.tts_max_chars */
#define SPEECH_EPROVIDER (ZM_ERANGE_SPEECH - 2) /* the remote provider refused or failed */
#define SPEECH_ETIMEOUT (ZM_ERANGE_SPEECH - 3)  /* the remote provider did not answer in time */
#define SPEECH_ESTOPPED (ZM_ERANGE_SPEECH - 4)  /* the ASR session is stopped */
#define SPEECH_ECHUNK (ZM_ERANGE_SPEECH - 5)    /* an audio chunk over speech.asr_chunk_max */
#define SPEECH_EFULL (ZM_ERANGE_SPEECH - 6)     /* a session's audio over speech.asr_max_bytes */
#define SPEECH_ESEQ (ZM_ERANGE_SPEECH - 7)      /* a seq already used with other bytes */

/* ---- capabilities ---- */

/** "espeak", "openai" or "off": the configured TTS provider. */
const char *speech_tts_provider(void);
/** 1 when TTS can speak (espeak initialised, or the remote provider configured). */
int speech_tts_ready(void);
/** "openai" or "off". */
const char *speech_asr_provider(void);
int speech_asr_ready(void);

/** The languages a request may ask for. */
typedef enum { SPEECH_LANG_ZH = 0, SPEECH_LANG_EN = 1 } speech_lang_t;

/* ---- TTS ---- */

/** Where audio goes as it is produced.  begin is called once, before the first write, with the
 *  content type and whether it comes from the cache; a non-zero return from either stops. */
typedef struct {
    int (*begin)(void *ctx, const char *content_type, int cached);
    int (*write)(void *ctx, const void *data, size_t len);
    void *ctx;
} speech_sink_t;

typedef struct {
    const char *text; /* UTF-8, at most speech.tts_max_chars characters */
    speech_lang_t lang;
    const char *voice; /* NULL: the language's (espeak) or speech.tts_voice (openai) */
    double speed;      /* 0.5 .. 2.0, 1 normal */
} speech_tts_req_t;

/** An espeak voice a request may name (cmn, en, en-us, en-gb), or a remote voice name
 *  ([a-z0-9_-], at most 32): 1 when acceptable for the configured provider. */
int speech_voice_ok(const char *voice);

/**
 * Speak q into sink.  ZM_OK when the whole audio went out.  Before sink->begin: SPEECH_EOFF,
 * SPEECH_ETOOLONG, ZM_EINVAL (empty text, bad voice or speed), SPEECH_EPROVIDER /
 * SPEECH_ETIMEOUT (remote: *detail a short reason), ZM_ERR; nothing was sent.  After begin:
 * ZM_ERR when the audio was cut short (the sink refused, or the remote body broke off): the
 * cache is not written.
 */
int speech_tts(zm_arena_t *a, const speech_tts_req_t *q, const speech_sink_t *sink, const char **detail);

/** The storage key of q's cached audio ("speech/tts/<hex>.<ext>") into the arena. */
const char *speech_tts_cache_key(zm_arena_t *a, const speech_tts_req_t *q);

/** The 44-byte RIFF/WAVE header of 16-bit mono PCM at rate; data_bytes 0xFFFFFFFF: unknown length
 *  (a stream), the RIFF size then 0xFFFFFFFF too. */
void speech_wav_header(unsigned char out[44], unsigned rate, uint32_t data_bytes);

/* ---- ASR ---- */

typedef enum { SPEECH_FMT_WAV = 0, SPEECH_FMT_WEBM = 1, SPEECH_FMT_PCM16 = 2 } speech_format_t;

/** Open a session for user_id: *out {asr_id, channel, lang, format, sample_rate, chunk_max}.
 *  SPEECH_EOFF when recognition is off. */
int speech_asr_start(db_t *db, zm_arena_t *a, int64_t user_id, speech_lang_t lang, speech_format_t fmt, int sample_rate,
                     json_object **out);

/**
 * Add chunk seq (from 0) of asr_id's audio.  A seq already stored with the same bytes is a
 * no-op (a retried POST); with other bytes SPEECH_ESEQ.  ZM_ENOTFOUND for another user's or an
 * unknown session, SPEECH_ESTOPPED, SPEECH_ECHUNK, SPEECH_EFULL.  Queues a partial transcription
 * each time the contiguous audio grows by speech.asr_partial_bytes.  *out {asr_id, seq, chunks,
 * audio_bytes, duplicate}.
 */
int speech_asr_audio(db_t *db, zm_arena_t *a, int64_t user_id, const char *asr_id, int64_t seq, const char *data,
                     size_t len, json_object **out);

/** Stop: no more audio.  *final 1 with *out {asr_id, text, final: true} when the transcript
 *  already covers the audio; else 0 and *out {asr_id, task_id, final: false}: the last
 *  transcription is queued and publishes asr.partial with final true.  Stopping twice answers
 *  the same. */
int speech_asr_stop(db_t *db, zm_arena_t *a, int64_t user_id, const char *asr_id, int *final, json_object **out);

/** Drop the buffered audio and the transcript; the session stays open, seq starts again at 0. */
int speech_asr_clear(db_t *db, zm_arena_t *a, int64_t user_id, const char *asr_id, json_object **out);

/** The session as it is: {asr_id, state, chunks, audio_bytes, text, final}. */
int speech_asr_get(db_t *db, zm_arena_t *a, int64_t user_id, const char *asr_id, json_object **out);

/**
 * One transcription of session (its internal id) at generation: the contiguous audio to the
 * provider, the transcript stored when it covers more than the stored one, then published.
 * final: after stop.  For the speech.transcribe task.  ZM_EAGAIN for a provider's 429/5xx or a
 * timeout (retried), SPEECH_EPROVIDER for a refusal.
 */
int speech_asr_transcribe(db_t *db, zm_arena_t *a, const char *asr_id, int64_t generation, int final,
                          const char **detail);

/** The final transcription of asr_id failed for good (detail: why): the listener is told, with the
 *  transcript so far, {"type": "asr.partial", "asr_id", "text", "final": true, "error": detail}, so a
 *  page waiting for the final text stops waiting.  Best effort, like every live message. */
void speech_asr_final_failed(db_t *db, zm_arena_t *a, const char *asr_id, const char *detail);

#define SPEECH_ANSWER_MAX (1u << 20) /* a transcription provider's answer, bytes */
#define SPEECH_TEXT_MAX 65536        /* a transcript, bytes (cut at a character) */

/**
 * The text of a transcription provider's answer ({"text": "..."}, untrusted): into the arena, valid
 * UTF-8 without NUL, at most SPEECH_TEXT_MAX bytes.  SPEECH_EPROVIDER for anything else (not JSON,
 * trailing bytes, nesting past 16, no string "text", NUL or bad UTF-8 in it, an answer over
 * SPEECH_ANSWER_MAX).  Exposed for its fuzz target.
 */
int speech_transcript_parse(zm_arena_t *a, const char *body, size_t len, const char **text);

/** The WAV file of pcm (16-bit little-endian mono at rate) into the arena: header + bytes. */
int speech_pcm_to_wav(zm_arena_t *a, const char *pcm, size_t len, unsigned rate, char **out, size_t *outlen);

#endif
