/*
 * tts.c -- text to speech (speech.h): espeak-ng in process, or an OpenAI-compatible
 * /v1/audio/speech relayed as it arrives; the cache in storage.
 *
 * espeak-ng: espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS) once per process (init_process), a
 * synth callback that hands each buffer of samples (speech.tts_buffer_ms of audio) to the
 * sink as it is made.  The stream is a WAV whose RIFF and data sizes are 0xFFFFFFFF (length
 * unknown while it is made): Chromium's <audio> (FFmpeg's WAV demuxer) and sox read such a file
 * to its end.  The cached copy gets the real sizes, so a cache hit is an ordinary WAV file with
 * the same samples.  A capped text (speech.tts_max_chars) is synthesized in well under a second
 * (espeak-ng's real-time factor is about 0.005 here: tests/bench/tts_bench.py), so the worker
 * that streams it is held no longer than an ordinary request; nginx keeps its buffering on, so
 * a slow browser never holds it either.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <curl/curl.h>
#include <espeak-ng/speak_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "hash.h"
#include "log.h"
#include "speech.h"
#include "speech_int.h"
#include "str.h"

/* the most audio an answer may carry (a 600-character text is about 3 minutes: 8 MB at 22 kHz) */
#define AUDIO_MAX (64u << 20)

static int espeak_rate; /* espeak's sample rate once initialised; 0: not */

const char *speech_tts_provider(void)
{
    return zm_conf_str("speech.tts_provider");
}

int speech_tts_ready(void)
{
    const char *p = speech_tts_provider();
    if (strcmp(p, "espeak") == 0) {
        return espeak_rate > 0;
    }
    if (strcmp(p, "openai") == 0) {
        return zm_conf_str("speech.tts_url")[0] != '\0';
    }
    return 0;
}

/* ---- the process ---- */

int speech_init_process(void)
{
    if (strcmp(speech_tts_provider(), "espeak") != 0 || espeak_rate > 0) {
        return ZM_OK;
    }
    int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, (int)zm_conf_int("speech.tts_buffer_ms"), NULL, 0);
    if (rate <= 0) {
        /* TTS answers 503 (capabilities say tts: false); the rest of the program runs */
        zm_log_error("speech: espeak-ng did not start (espeak_Initialize %d); TTS is off", rate);
        return ZM_OK;
    }
    espeak_rate = rate;
    return ZM_OK;
}

storage_t *speech_storage(void)
{
    static storage_t *st;
    if (st == NULL) {
        st = storage_open();
    }
    return st;
}

CURL *speech_curl(const char *url, long timeout_ms)
{
    CURL *c = curl_easy_init();
    if (c == NULL) {
        return NULL;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "zhimai/1");
    return c;
}

struct curl_slist *speech_auth_header(struct curl_slist *h, const char *key)
{
    char line[600];
    if (key == NULL || key[0] == '\0' || strlen(key) > 512) {
        return h;
    }
    snprintf(line, sizeof(line), "Authorization: Bearer %s", key);
    struct curl_slist *n = curl_slist_append(h, line);
    if (n == NULL) {
        zm_oom();
    }
    return n;
}

const char *speech_reason(zm_arena_t *a, long status, const char *body, size_t len)
{
    char *out = zm_palloc(a, 200);
    size_t n, i;
    if (out == NULL) {
        return "provider error";
    }
    n = (size_t)snprintf(out, 200, "HTTP %ld: ", status);
    for (i = 0; i < len && n < 160; i++) {
        unsigned char ch = (unsigned char)body[i];
        out[n++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : ' ';
    }
    out[n] = '\0';
    return out;
}

/* ---- requests ---- */

static const char *const espeak_voices[] = {"cmn", "en", "en-us", "en-gb", NULL};

int speech_voice_ok(const char *voice)
{
    size_t i, n = strlen(voice);
    if (strcmp(speech_tts_provider(), "espeak") == 0) {
        for (i = 0; espeak_voices[i]; i++) {
            if (strcmp(voice, espeak_voices[i]) == 0) {
                return 1;
            }
        }
        return 0;
    }
    if (n == 0 || n > 32) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        char ch = voice[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')) {
            return 0;
        }
    }
    return 1;
}

static const char *voice_of(const speech_tts_req_t *q)
{
    if (q->voice && q->voice[0]) {
        return q->voice;
    }
    if (strcmp(speech_tts_provider(), "openai") == 0) {
        return zm_conf_str("speech.tts_voice");
    }
    return q->lang == SPEECH_LANG_ZH ? "cmn" : "en";
}

static const char *remote_format(void)
{
    return zm_conf_str("speech.tts_format");
}

static const char *format_of(void)
{
    return strcmp(speech_tts_provider(), "openai") == 0 ? remote_format() : "wav";
}

static const char *content_type_of(const char *fmt)
{
    if (strcmp(fmt, "mp3") == 0) {
        return "audio/mpeg";
    }
    if (strcmp(fmt, "opus") == 0) {
        return "audio/ogg";
    }
    if (strcmp(fmt, "aac") == 0) {
        return "audio/aac";
    }
    if (strcmp(fmt, "flac") == 0) {
        return "audio/flac";
    }
    return "audio/wav";
}

const char *speech_tts_cache_key(zm_arena_t *a, const speech_tts_req_t *q)
{
    const char *prov = speech_tts_provider();
    const char *model = strcmp(prov, "openai") == 0 ? zm_conf_str("speech.tts_model") : "";
    zm_buf_t b = {0};
    char hex[65];

    /* every field on its own line: no two requests share a key by moving a separator */
    if (zm_buf_puts(a, &b, prov) || zm_buf_puts(a, &b, "\n") || zm_buf_puts(a, &b, voice_of(q)) ||
        zm_buf_puts(a, &b, "\n") || zm_buf_puts(a, &b, model) || zm_buf_puts(a, &b, "\n") ||
        zm_buf_puts(a, &b, format_of()) || zm_buf_puts(a, &b, "\n")) {
        return NULL;
    }
    char speed[32];
    snprintf(speed, sizeof(speed), "%.2f\n", q->speed);
    if (zm_buf_puts(a, &b, speed) || zm_buf_puts(a, &b, q->text)) {
        return NULL;
    }
    zm_sha256_hex(b.data, b.len, hex);
    return zm_psprintf(a, "speech/tts/%s.%s", hex, format_of());
}

void speech_wav_header(unsigned char h[44], unsigned rate, uint32_t data_bytes)
{
    uint32_t riff = data_bytes == 0xFFFFFFFFu ? 0xFFFFFFFFu : data_bytes + 36;
    uint32_t byte_rate = rate * 2;
#define LE32(p, v)                                                                                                     \
    do {                                                                                                               \
        (p)[0] = (unsigned char)(v);                                                                                   \
        (p)[1] = (unsigned char)((v) >> 8);                                                                            \
        (p)[2] = (unsigned char)((v) >> 16);                                                                           \
        (p)[3] = (unsigned char)((v) >> 24);                                                                           \
    } while (0)
    memcpy(h, "RIFF", 4);
    LE32(h + 4, riff);
    memcpy(h + 8, "WAVEfmt ", 8);
    LE32(h + 16, 16u);
    h[20] = 1; /* PCM */
    h[21] = 0;
    h[22] = 1; /* mono */
    h[23] = 0;
    LE32(h + 24, rate);
    LE32(h + 28, byte_rate);
    h[32] = 2; /* block align */
    h[33] = 0;
    h[34] = 16; /* bits */
    h[35] = 0;
    memcpy(h + 36, "data", 4);
    LE32(h + 40, data_bytes);
#undef LE32
}

/* ---- espeak-ng ---- */

typedef struct {
    const speech_sink_t *sink;
    zm_buf_t audio; /* heap: the whole file for the cache */
    int failed;
} espeak_job_t;

static espeak_job_t *espeak_current; /* espeak calls back synchronously, one synthesis at a time */

static int espeak_cb(short *wav, int numsamples, espeak_EVENT *events)
{
    espeak_job_t *j = espeak_current;
    size_t n;
    (void)events;
    if (j == NULL || j->failed) {
        return 1; /* stop */
    }
    if (wav == NULL || numsamples <= 0) {
        return 0;
    }
    n = (size_t)numsamples * sizeof(short);
    if (zm_buf_append(NULL, &j->audio, (const char *)wav, n, AUDIO_MAX) != ZM_OK ||
        j->sink->write(j->sink->ctx, wav, n) != 0) {
        j->failed = 1;
        return 1;
    }
    return 0;
}

/* espeak-ng's Mandarin voice writes "No envelope" to stderr for every few syllables of a clause
 * longer than about 150 characters (the log of a worker would fill at a user's will): a pause goes
 * in after every ESPEAK_RUN characters without one */
#define ESPEAK_RUN 80

static int is_pause(const char *p, size_t len)
{
    static const char *const wide[] = {"，", "。", "！", "？", "；", "：", "、", NULL};
    if (len == 1) {
        return strchr(" ,.!?;:\n\t", *p) != NULL;
    }
    for (int i = 0; wide[i]; i++) {
        if (len == strlen(wide[i]) && memcmp(p, wide[i], len) == 0) {
            return 1;
        }
    }
    return 0;
}

static const char *espeak_text(zm_arena_t *a, const char *text)
{
    size_t n = strlen(text), i = 0, run = 0, len;
    zm_buf_t b = {0};

    while (i < n) {
        len = zm_utf8_seq_len((const unsigned char *)text + i, n - i);
        if (len == 0) {
            len = 1; /* not reached: the text was checked as UTF-8 */
        }
        if (zm_buf_append(a, &b, text + i, len, 0) != ZM_OK) {
            return NULL;
        }
        run = is_pause(text + i, len) ? 0 : run + 1;
        if (run >= ESPEAK_RUN) {
            if (zm_buf_puts(a, &b, "，") != ZM_OK) {
                return NULL;
            }
            run = 0;
        }
        i += len;
    }
    return b.data ? b.data : "";
}

static int tts_espeak(zm_arena_t *a, const speech_tts_req_t *q, const speech_sink_t *sink, const char *key)
{
    espeak_job_t j = {.sink = sink};
    unsigned char head[44];
    int rc = ZM_OK;
    espeak_ERROR er;

    if (espeak_rate <= 0) {
        return SPEECH_EOFF;
    }
    espeak_VOICE v = {.languages = voice_of(q)};
    /* by language (cmn, en, en-gb): the voice's file name differs from its language code */
    if (espeak_SetVoiceByProperties(&v) != EE_OK) {
        zm_log_error("speech: espeak-ng has no voice %s", voice_of(q));
        return SPEECH_EOFF;
    }
    espeak_SetParameter(espeakRATE, (int)(175 * q->speed + 0.5), 0);
    espeak_SetSynthCallback(espeak_cb);

    speech_wav_header(head, (unsigned)espeak_rate, 0xFFFFFFFFu);
    if (sink->begin(sink->ctx, "audio/wav", 0) != 0 || sink->write(sink->ctx, head, sizeof(head)) != 0) {
        return ZM_ERR;
    }
    if (zm_buf_append(NULL, &j.audio, (const char *)head, sizeof(head), 0) != ZM_OK) {
        return ZM_ERR;
    }
    const char *text = espeak_text(a, q->text);
    if (text == NULL) {
        zm_buf_free(NULL, &j.audio);
        return ZM_ERR;
    }
    espeak_current = &j;
    er = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL);
    if (er == EE_OK) {
        er = espeak_Synchronize();
    }
    espeak_current = NULL;
    if (er != EE_OK || j.failed) {
        zm_log_warn("speech: espeak-ng synthesis stopped (%d%s)", (int)er, j.failed ? ", output refused" : "");
        rc = ZM_ERR;
    } else if (key != NULL && speech_storage() != NULL) {
        /* the cached file is an ordinary WAV: the real sizes */
        speech_wav_header(head, (unsigned)espeak_rate, (uint32_t)(j.audio.len - 44));
        memcpy(j.audio.data, head, sizeof(head));
        if (storage_put(speech_storage(), a, key, j.audio.data, j.audio.len, "audio/wav") != ZM_OK) {
            zm_log_warn("speech: could not cache %s", key);
        }
    }
    zm_buf_free(NULL, &j.audio);
    return rc;
}

/* ---- OpenAI-compatible /v1/audio/speech ---- */

typedef struct {
    CURL *c;
    const speech_sink_t *sink;
    const char *ctype;
    zm_buf_t audio; /* heap: the whole file for the cache */
    zm_buf_t err;   /* heap: an error body */
    int began, refused;
} remote_job_t;

static size_t remote_cb(char *p, size_t size, size_t nmemb, void *arg)
{
    remote_job_t *j = arg;
    size_t n = size * nmemb;
    long status = 0;

    curl_easy_getinfo(j->c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        /* an error's body is kept for its reason; the browser gets JSON, not this */
        size_t room = j->err.len < 4096 ? 4096 - j->err.len : 0;
        zm_buf_append(NULL, &j->err, p, n < room ? n : room, 4096);
        return n;
    }
    if (!j->began) {
        /* the head goes out with the first byte of audio: a failure before it is a clean JSON error */
        if (j->sink->begin(j->sink->ctx, j->ctype, 0) != 0) {
            j->refused = 1;
            return 0;
        }
        j->began = 1;
    }
    if (zm_buf_append(NULL, &j->audio, p, n, AUDIO_MAX) != ZM_OK || j->sink->write(j->sink->ctx, p, n) != 0) {
        j->refused = 1;
        return 0;
    }
    return n;
}

static int tts_openai(zm_arena_t *a, const speech_tts_req_t *q, const speech_sink_t *sink, const char *key,
                      const char **detail)
{
    const char *base = zm_conf_str("speech.tts_url");
    remote_job_t j = {.sink = sink, .ctype = content_type_of(remote_format())};
    struct curl_slist *h = NULL;
    json_object *body;
    CURLcode cc;
    long status = 0;
    int rc;

    if (base[0] == '\0') {
        return SPEECH_EOFF;
    }
    body = json_object_new_object();
    json_object_object_add(body, "model", json_object_new_string(zm_conf_str("speech.tts_model")));
    json_object_object_add(body, "input", json_object_new_string(q->text));
    json_object_object_add(body, "voice", json_object_new_string(voice_of(q)));
    json_object_object_add(body, "response_format", json_object_new_string(remote_format()));
    json_object_object_add(body, "speed", json_object_new_double(q->speed));
    const char *js = zm_pstrdup(a, json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
    json_object_put(body);
    const char *url = zm_psprintf(a, "%s/audio/speech", base);
    if (js == NULL || url == NULL) {
        return ZM_ENOMEM;
    }

    j.c = speech_curl(url, (long)zm_conf_int("speech.tts_timeout_ms"));
    if (j.c == NULL) {
        return ZM_ENOMEM;
    }
    h = curl_slist_append(h, "Content-Type: application/json");
    h = speech_auth_header(h, zm_conf_str("speech.tts_key"));
    curl_easy_setopt(j.c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(j.c, CURLOPT_POSTFIELDS, js);
    curl_easy_setopt(j.c, CURLOPT_WRITEFUNCTION, remote_cb);
    curl_easy_setopt(j.c, CURLOPT_WRITEDATA, &j);
    cc = curl_easy_perform(j.c);
    curl_easy_getinfo(j.c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(j.c);
    curl_slist_free_all(h);

    if (cc == CURLE_OK && status == 200 && j.began) {
        if (key != NULL && speech_storage() != NULL &&
            storage_put(speech_storage(), a, key, j.audio.data, j.audio.len, j.ctype) != ZM_OK) {
            zm_log_warn("speech: could not cache %s", key);
        }
        rc = ZM_OK;
    } else if (j.began) {
        /* cut mid-body: the browser's audio ends early; nothing is cached */
        zm_log_warn("speech: remote TTS broke off after %zu bytes (%s)", j.audio.len, curl_easy_strerror(cc));
        rc = ZM_ERR;
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        *detail = "timeout";
        rc = SPEECH_ETIMEOUT;
    } else if (cc != CURLE_OK && status == 0) {
        *detail = zm_pstrdup(a, curl_easy_strerror(cc));
        rc = SPEECH_EPROVIDER;
    } else {
        *detail = speech_reason(a, status, j.err.data ? j.err.data : "", j.err.len);
        zm_log_warn("speech: remote TTS refused: %s", *detail);
        rc = SPEECH_EPROVIDER;
    }
    zm_buf_free(NULL, &j.audio);
    zm_buf_free(NULL, &j.err);
    return rc;
}

/* ---- the cache, then the provider ---- */

int speech_tts(zm_arena_t *a, const speech_tts_req_t *q, const speech_sink_t *sink, const char **detail)
{
    const char *prov = speech_tts_provider();
    size_t len = q->text ? strlen(q->text) : 0;
    const char *key;
    char *data;
    size_t n;

    *detail = NULL;
    if (strcmp(prov, "off") == 0 || !speech_tts_ready()) {
        return SPEECH_EOFF;
    }
    if (len == 0 || !zm_utf8_valid(q->text, len) || !(q->speed >= 0.5 && q->speed <= 2.0) ||
        (q->voice && q->voice[0] && !speech_voice_ok(q->voice))) {
        return ZM_EINVAL;
    }
    if (zm_utf8_chars(q->text, len) > (size_t)zm_conf_int("speech.tts_max_chars")) {
        return SPEECH_ETOOLONG;
    }
    key = speech_tts_cache_key(a, q);
    if (key == NULL) {
        return ZM_ENOMEM;
    }
    if (speech_storage() != NULL && storage_get(speech_storage(), a, key, &data, &n) == ZM_OK) {
        if (sink->begin(sink->ctx, content_type_of(format_of()), 1) != 0 || sink->write(sink->ctx, data, n) != 0) {
            return ZM_ERR;
        }
        return ZM_OK;
    }
    if (strcmp(prov, "espeak") == 0) {
        return tts_espeak(a, q, sink, key);
    }
    return tts_openai(a, q, sink, key, detail);
}
