/*
 * asr.c -- speech recognition sessions (speech.h): the seed's paraformer/start|stop|clear as a
 * session of short audio POSTs, transcribed by zhimai-worker through an OpenAI-compatible
 * /v1/audio/transcriptions (multipart: file, model, language, response_format json).
 *
 * Alibaba's paraformer real-time API is a WebSocket protocol; it is not implemented (the
 * accepted providers are openai and off).  The paths keep the seed's names.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "live.h"
#include "log.h"
#include "queue.h"
#include "speech.h"
#include "speech_int.h"
#include "str.h"
#include "uuid.h"

#define SEQ_MAX 100000

static const char *const lang_names[] = {"zh", "en"};
static const char *const fmt_names[] = {"wav", "webm", "pcm16"};

const char *speech_asr_provider(void)
{
    return zm_conf_str("speech.asr_provider");
}

int speech_asr_ready(void)
{
    return strcmp(speech_asr_provider(), "openai") == 0 && zm_conf_str("speech.asr_url")[0] != '\0';
}

/* ---- the session row ---- */

typedef struct {
    int64_t id, user_id, generation, chunks, audio_bytes, transcribed_bytes, sample_rate;
    const char *state, *lang, *format, *transcript, *created_at;
    int final;
} session_t;

#define SESSION_COLS                                                                                                   \
    "id, user_id, generation, chunks, audio_bytes, transcribed_bytes, sample_rate, state, lang, format, transcript, "  \
    "final, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ')"

static void session_read(const db_res_t *res, session_t *s)
{
    s->id = db_int(res, 0, 0);
    s->user_id = db_int(res, 0, 1);
    s->generation = db_int(res, 0, 2);
    s->chunks = db_int(res, 0, 3);
    s->audio_bytes = db_int(res, 0, 4);
    s->transcribed_bytes = db_int(res, 0, 5);
    s->sample_rate = db_int(res, 0, 6);
    s->state = db_val(res, 0, 7);
    s->lang = db_val(res, 0, 8);
    s->format = db_val(res, 0, 9);
    s->transcript = db_val(res, 0, 10);
    s->final = (int)db_int(res, 0, 11);
    s->created_at = db_val(res, 0, 12);
}

/* the session asr_id of user_id (0: anyone's, for the worker); lock: FOR UPDATE */
static int session_load(db_t *db, zm_arena_t *a, int64_t user_id, const char *asr_id, int lock, session_t *s)
{
    db_res_t res;
    int rc;
    if (strlen(asr_id) != 32 || strspn(asr_id, "0123456789abcdef") != 32) {
        return ZM_ENOTFOUND; /* not an id this module made */
    }
    rc = db_query(db, a, &res,
                  lock ? "SELECT " SESSION_COLS " FROM speech_asr_session WHERE asr_id = ? FOR UPDATE"
                       : "SELECT " SESSION_COLS " FROM speech_asr_session WHERE asr_id = ?",
                  "s", asr_id);
    if (rc != ZM_OK) {
        return rc;
    }
    if (res.nrows == 0) {
        return ZM_ENOTFOUND;
    }
    session_read(&res, s);
    /* another user's session is as absent as one that never was */
    if (user_id != 0 && s->user_id != user_id) {
        return ZM_ENOTFOUND;
    }
    return ZM_OK;
}

static int enqueue_transcribe(db_t *db, zm_arena_t *a, const session_t *s, const char *asr_id, int final,
                              int64_t bucket, int64_t *task_id)
{
    task_new_t t = {0};
    json_object *p = json_object_new_object();
    json_object_object_add(p, "asr_id", json_object_new_string(asr_id));
    json_object_object_add(p, "generation", json_object_new_int64(s->generation));
    json_object_object_add(p, "final", json_object_new_boolean(final));
    t.type = "speech.transcribe";
    t.payload_json = zm_pstrdup(a, json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
    json_object_put(p);
    t.priority = TASK_PRIO_HIGH;
    t.user_id = s->user_id;
    /* one partial per step of audio, one final per generation */
    t.dedupe_key =
        final ? zm_psprintf(a, "speech.transcribe:%s:%lld:final", asr_id, (long long)s->generation)
              : zm_psprintf(a, "speech.transcribe:%s:%lld:%lld", asr_id, (long long)s->generation, (long long)bucket);
    if (t.payload_json == NULL || t.dedupe_key == NULL) {
        return ZM_ENOMEM;
    }
    return task_enqueue(db, &t, task_id);
}

/* ---- the API ---- */

int speech_asr_start(db_t *db, zm_arena_t *a, int64_t user_id, speech_lang_t lang, speech_format_t fmt, int sample_rate,
                     json_object **out)
{
    char asr_id[33], channel[64];
    int64_t n;

    if (!speech_asr_ready()) {
        return SPEECH_EOFF;
    }
    zm_uuid4(asr_id);
    n = db_exec(db,
                "INSERT INTO speech_asr_session (asr_id, user_id, lang, format, sample_rate, transcript, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, '', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))",
                "sissi", asr_id, user_id, lang_names[lang], fmt_names[fmt], (int64_t)sample_rate);
    if (n < 0) {
        return (int)n;
    }
    if (live_user_channel(user_id, channel, sizeof(channel)) != ZM_OK) {
        return ZM_EINVAL;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "asr_id", json_object_new_string(asr_id));
    json_object_object_add(*out, "channel", json_object_new_string(channel));
    json_object_object_add(*out, "events",
                           json_object_new_string(zm_psprintf(a, "/api/v1/events/users/%lld", (long long)user_id)));
    json_object_object_add(*out, "lang", json_object_new_string(lang_names[lang]));
    json_object_object_add(*out, "format", json_object_new_string(fmt_names[fmt]));
    json_object_object_add(*out, "sample_rate", json_object_new_int(sample_rate));
    json_object_object_add(*out, "chunk_max", json_object_new_int64(zm_conf_int("speech.asr_chunk_max")));
    return ZM_OK;
}

int speech_asr_audio(db_t *db, zm_arena_t *a, int64_t user_id, const char *asr_id, int64_t seq, const char *data,
                     size_t len, json_object **out)
{
    session_t s;
    db_res_t res;
    int64_t step = zm_conf_int("speech.asr_partial_bytes"), task_id = 0;
    int rc, duplicate = 0, queued = 0;

    if (seq < 0 || seq > SEQ_MAX || len == 0) {
        return ZM_EINVAL;
    }
    if (len > (size_t)zm_conf_int("speech.asr_chunk_max")) {
        return SPEECH_ECHUNK;
    }
    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    if ((rc = session_load(db, a, user_id, asr_id, 1, &s)) != ZM_OK) {
        goto fail;
    }
    if (strcmp(s.state, "open") != 0) {
        rc = SPEECH_ESTOPPED;
        goto fail;
    }
    rc = db_query(db, a, &res, "SELECT data FROM speech_asr_chunk WHERE session_id = ? AND generation = ? AND seq = ?",
                  "iii", s.id, s.generation, seq);
    if (rc != ZM_OK) {
        goto fail;
    }
    if (res.nrows > 0) {
        /* a retried POST: the same bytes change nothing; others are a client's mistake */
        if (res.lens[0][0] != len || memcmp(res.rows[0][0], data, len) != 0) {
            rc = SPEECH_ESEQ;
            goto fail;
        }
        duplicate = 1;
    } else {
        if (s.audio_bytes + (int64_t)len > zm_conf_int("speech.asr_max_bytes")) {
            rc = SPEECH_EFULL;
            goto fail;
        }
        int64_t n = db_exec(db,
                            "INSERT INTO speech_asr_chunk (session_id, generation, seq, data, created_at) "
                            "VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))",
                            "iiiS", s.id, s.generation, seq, data, len);
        if (n < 0) {
            rc = (int)n;
            goto fail;
        }
        int64_t before = s.audio_bytes;
        s.audio_bytes += (int64_t)len;
        s.chunks++;
        n = db_exec(db,
                    "UPDATE speech_asr_session SET chunks = ?, audio_bytes = ?, updated_at = UTC_TIMESTAMP(6) "
                    "WHERE id = ?",
                    "iii", s.chunks, s.audio_bytes, s.id);
        if (n < 0) {
            rc = (int)n;
            goto fail;
        }
        /* a partial transcript each time the audio passes another step */
        if (before / step != s.audio_bytes / step) {
            if ((rc = enqueue_transcribe(db, a, &s, asr_id, 0, s.audio_bytes / step, &task_id)) != ZM_OK) {
                goto fail;
            }
            queued = 1;
        }
    }
    if ((rc = db_commit(db)) != ZM_OK) {
        goto fail;
    }
    if (queued) {
        task_wake();
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "asr_id", json_object_new_string(asr_id));
    json_object_object_add(*out, "seq", json_object_new_int64(seq));
    json_object_object_add(*out, "chunks", json_object_new_int64(s.chunks));
    json_object_object_add(*out, "audio_bytes", json_object_new_int64(s.audio_bytes));
    json_object_object_add(*out, "duplicate", json_object_new_boolean(duplicate));
    return ZM_OK;
fail:
    db_rollback(db);
    return rc;
}

static void publish(int64_t user_id, const char *asr_id, const char *text, int final);

static json_object *final_text(const char *asr_id, const char *text)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "asr_id", json_object_new_string(asr_id));
    json_object_object_add(o, "text", json_object_new_string(text ? text : ""));
    json_object_object_add(o, "final", json_object_new_boolean(1));
    return o;
}

int speech_asr_stop(db_t *db, zm_arena_t *a, int64_t user_id, const char *asr_id, int *final, json_object **out)
{
    session_t s;
    int64_t task_id = 0;
    int rc, queued = 0;

    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    if ((rc = session_load(db, a, user_id, asr_id, 1, &s)) != ZM_OK) {
        goto fail;
    }
    if (s.final || s.audio_bytes == 0 || (s.transcribed_bytes == s.audio_bytes && s.transcript[0])) {
        /* nothing left to transcribe: the transcript is final now */
        int64_t n = db_exec(db,
                            "UPDATE speech_asr_session SET state = 'stopped', final = 1, updated_at = UTC_TIMESTAMP(6) "
                            "WHERE id = ?",
                            "i", s.id);
        if (n < 0) {
            rc = (int)n;
            goto fail;
        }
        *final = 1;
    } else {
        int64_t n = db_exec(db,
                            "UPDATE speech_asr_session SET state = 'stopped', updated_at = UTC_TIMESTAMP(6) "
                            "WHERE id = ?",
                            "i", s.id);
        if (n < 0) {
            rc = (int)n;
            goto fail;
        }
        if ((rc = enqueue_transcribe(db, a, &s, asr_id, 1, 0, &task_id)) != ZM_OK) {
            goto fail;
        }
        *final = 0;
        queued = 1;
    }
    if ((rc = db_commit(db)) != ZM_OK) {
        goto fail;
    }
    if (queued) {
        task_wake();
    }
    if (*final) {
        /* the same final event a transcription would send, for a page that only listens */
        publish(s.user_id, asr_id, s.transcript, 1);
        *out = final_text(asr_id, s.transcript);
    } else {
        *out = json_object_new_object();
        json_object_object_add(*out, "asr_id", json_object_new_string(asr_id));
        json_object_object_add(*out, "task_id", json_object_new_int64(task_id));
        json_object_object_add(*out, "text", json_object_new_string(s.transcript));
        json_object_object_add(*out, "final", json_object_new_boolean(0));
    }
    return ZM_OK;
fail:
    db_rollback(db);
    return rc;
}

int speech_asr_clear(db_t *db, zm_arena_t *a, int64_t user_id, const char *asr_id, json_object **out)
{
    session_t s;
    int64_t n;
    int rc;

    if ((rc = db_begin(db)) != ZM_OK) {
        return rc;
    }
    if ((rc = session_load(db, a, user_id, asr_id, 1, &s)) != ZM_OK) {
        goto fail;
    }
    /* a new generation: a transcription of the old audio still in flight lands nowhere */
    n = db_exec(db, "DELETE FROM speech_asr_chunk WHERE session_id = ?", "i", s.id);
    if (n >= 0) {
        n = db_exec(db,
                    "UPDATE speech_asr_session SET generation = generation + 1, state = 'open', chunks = 0, "
                    "audio_bytes = 0, transcribed_bytes = 0, transcript = '', final = 0, "
                    "updated_at = UTC_TIMESTAMP(6) WHERE id = ?",
                    "i", s.id);
    }
    if (n < 0) {
        rc = (int)n;
        goto fail;
    }
    if ((rc = db_commit(db)) != ZM_OK) {
        goto fail;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "asr_id", json_object_new_string(asr_id));
    json_object_object_add(*out, "state", json_object_new_string("open"));
    json_object_object_add(*out, "chunks", json_object_new_int(0));
    json_object_object_add(*out, "text", json_object_new_string(""));
    return ZM_OK;
fail:
    db_rollback(db);
    return rc;
}

int speech_asr_get(db_t *db, zm_arena_t *a, int64_t user_id, const char *asr_id, json_object **out)
{
    session_t s;
    int rc = session_load(db, a, user_id, asr_id, 0, &s);
    if (rc != ZM_OK) {
        return rc;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "asr_id", json_object_new_string(asr_id));
    json_object_object_add(*out, "state", json_object_new_string(s.state));
    json_object_object_add(*out, "lang", json_object_new_string(s.lang));
    json_object_object_add(*out, "format", json_object_new_string(s.format));
    json_object_object_add(*out, "sample_rate", json_object_new_int64(s.sample_rate));
    json_object_object_add(*out, "chunks", json_object_new_int64(s.chunks));
    json_object_object_add(*out, "audio_bytes", json_object_new_int64(s.audio_bytes));
    json_object_object_add(*out, "text", json_object_new_string(s.transcript));
    json_object_object_add(*out, "final", json_object_new_boolean(s.final));
    json_object_object_add(*out, "created_at", json_object_new_string(s.created_at ? s.created_at : ""));
    return ZM_OK;
}

/* ---- transcription (zhimai-worker) ---- */

int speech_pcm_to_wav(zm_arena_t *a, const char *pcm, size_t len, unsigned rate, char **out, size_t *outlen)
{
    char *w;
    if (len > 0xFFFFFFFFu - 44) {
        return ZM_ETOOBIG;
    }
    w = zm_palloc(a, len + 44);
    if (w == NULL) {
        return ZM_ENOMEM;
    }
    speech_wav_header((unsigned char *)w, rate, (uint32_t)(len & ~(size_t)1));
    memcpy(w + 44, pcm, len);
    *out = w;
    *outlen = len + 44;
    return ZM_OK;
}

int speech_transcript_parse(zm_arena_t *a, const char *body, size_t len, const char **text)
{
    json_tokener *tok;
    json_object *o, *t;
    const char *s;
    size_t n;
    int rc = SPEECH_EPROVIDER;

    if (body == NULL || len == 0 || len > SPEECH_ANSWER_MAX) {
        return SPEECH_EPROVIDER;
    }
    tok = json_tokener_new_ex(16);
    if (tok == NULL) {
        return ZM_ENOMEM;
    }
    o = json_tokener_parse_ex(tok, body, (int)len);
    if (o != NULL && json_tokener_get_error(tok) == json_tokener_success) {
        /* nothing but white space after the object */
        size_t end = json_tokener_get_parse_end(tok);
        while (end < len && (body[end] == ' ' || body[end] == '\n' || body[end] == '\r' || body[end] == '\t')) {
            end++;
        }
        if (end == len && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, "text", &t) &&
            json_object_is_type(t, json_type_string)) {
            s = json_object_get_string(t);
            n = (size_t)json_object_get_string_len(t);
            if (zm_utf8_valid(s, n) && memchr(s, '\0', n) == NULL) {
                n = zm_utf8_cut(s, n, SPEECH_TEXT_MAX);
                *text = zm_pstrndup(a, s, n);
                rc = *text ? ZM_OK : ZM_ENOMEM;
            }
        }
    }
    json_object_put(o);
    json_tokener_free(tok);
    return rc;
}

static size_t collect(char *p, size_t size, size_t nmemb, void *arg)
{
    zm_buf_t *b = arg;
    size_t n = size * nmemb;
    return zm_buf_append(NULL, b, p, n, SPEECH_ANSWER_MAX) == ZM_OK ? n : 0;
}

/* the provider's text for file; ZM_EAGAIN for what a retry may fix */
static int transcribe_remote(zm_arena_t *a, const char *file, size_t len, const char *fmt, const char *lang,
                             const char **text, const char **detail)
{
    const char *url = zm_psprintf(a, "%s/audio/transcriptions", zm_conf_str("speech.asr_url"));
    zm_buf_t body = {0};
    struct curl_slist *h = NULL;
    curl_mimepart *part;
    curl_mime *mime;
    CURLcode cc;
    long status = 0;
    CURL *c;
    int rc;

    if (url == NULL || (c = speech_curl(url, (long)zm_conf_int("speech.asr_timeout_ms"))) == NULL) {
        return ZM_ENOMEM;
    }
    mime = curl_mime_init(c);
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "file");
    curl_mime_data(part, file, len);
    if (strcmp(fmt, "webm") == 0) {
        curl_mime_filename(part, "audio.webm");
        curl_mime_type(part, "audio/webm");
    } else {
        curl_mime_filename(part, "audio.wav");
        curl_mime_type(part, "audio/wav");
    }
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "model");
    curl_mime_data(part, zm_conf_str("speech.asr_model"), CURL_ZERO_TERMINATED);
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "language");
    curl_mime_data(part, lang, CURL_ZERO_TERMINATED);
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "response_format");
    curl_mime_data(part, "json", CURL_ZERO_TERMINATED);

    h = speech_auth_header(h, zm_conf_str("speech.asr_key"));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    curl_mime_free(mime);
    curl_slist_free_all(h);

    if (cc == CURLE_WRITE_ERROR) {
        *detail = "the provider's answer is too large";
        rc = SPEECH_EPROVIDER;
    } else if (cc != CURLE_OK) {
        *detail = zm_pstrdup(a, curl_easy_strerror(cc));
        rc = ZM_EAGAIN;
    } else if (status != 200) {
        *detail = speech_reason(a, status, body.data ? body.data : "", body.len);
        rc = (status == 429 || status >= 500) ? ZM_EAGAIN : SPEECH_EPROVIDER;
    } else if ((rc = speech_transcript_parse(a, body.data, body.len, text)) != ZM_OK) {
        *detail = "the provider's answer has no text";
    }
    zm_buf_free(NULL, &body);
    return rc;
}

static void publish_error(int64_t user_id, const char *asr_id, const char *text, int final, const char *error)
{
    json_object *m = json_object_new_object();
    json_object_object_add(m, "asr_id", json_object_new_string(asr_id));
    json_object_object_add(m, "text", json_object_new_string(text ? text : ""));
    json_object_object_add(m, "final", json_object_new_boolean(final));
    if (error) {
        json_object_object_add(m, "error", json_object_new_string(error));
    }
    live_user_publish(user_id, "asr.partial", m);
    json_object_put(m);
}

static void publish(int64_t user_id, const char *asr_id, const char *text, int final)
{
    publish_error(user_id, asr_id, text, final, NULL);
}

void speech_asr_final_failed(db_t *db, zm_arena_t *a, const char *asr_id, const char *detail)
{
    session_t s;

    if (session_load(db, a, 0, asr_id, 0, &s) == ZM_OK) {
        publish_error(s.user_id, asr_id, s.transcript, 1, detail ? detail : "transcription failed");
    }
}

int speech_asr_transcribe(db_t *db, zm_arena_t *a, const char *asr_id, int64_t generation, int final,
                          const char **detail)
{
    session_t s;
    db_res_t res;
    zm_buf_t audio = {0};
    const char *text = NULL;
    char *file;
    size_t flen, i;
    int64_t n;
    int rc;

    rc = session_load(db, a, 0, asr_id, 0, &s);
    if (rc == ZM_ENOTFOUND || (rc == ZM_OK && s.generation != generation)) {
        return ZM_OK; /* purged, or cleared since: nothing to do */
    }
    if (rc != ZM_OK) {
        return rc;
    }
    if (!speech_asr_ready()) {
        *detail = "speech recognition is off";
        return SPEECH_EOFF;
    }
    rc = db_query(db, a, &res,
                  "SELECT seq, data FROM speech_asr_chunk WHERE session_id = ? AND generation = ? ORDER BY seq", "ii",
                  s.id, generation);
    if (rc != ZM_OK) {
        return rc;
    }
    /* the contiguous audio from seq 0: a chunk still on its way ends it */
    for (i = 0; i < res.nrows && db_int(&res, i, 0) == (int64_t)i; i++) {
        if (zm_buf_append(a, &audio, res.rows[i][1], res.lens[i][1], 0) != ZM_OK) {
            return ZM_ENOMEM;
        }
    }
    if (!final && (int64_t)audio.len <= s.transcribed_bytes) {
        return ZM_OK; /* a later transcription covered this already */
    }
    if (audio.len == 0 || (final && (int64_t)audio.len == s.transcribed_bytes)) {
        text = s.transcript;
    } else {
        if (strcmp(s.format, "pcm16") == 0) {
            rc = speech_pcm_to_wav(a, audio.data, audio.len, (unsigned)s.sample_rate, &file, &flen);
            if (rc != ZM_OK) {
                return rc;
            }
        } else {
            file = audio.data;
            flen = audio.len;
        }
        rc = transcribe_remote(a, file, flen, s.format, s.lang, &text, detail);
        if (rc != ZM_OK) {
            return rc;
        }
    }
    /* a shorter transcription that finishes late never replaces a longer one */
    n = db_exec(db,
                "UPDATE speech_asr_session SET transcript = ?, transcribed_bytes = ?, final = GREATEST(final, ?), "
                "updated_at = UTC_TIMESTAMP(6) WHERE id = ? AND generation = ? AND (transcribed_bytes < ? OR ? = 1)",
                "siiiiiI", text, (int64_t)audio.len, (int64_t) final, s.id, generation, (int64_t)audio.len, final);
    if (n < 0) {
        return (int)n;
    }
    if (n > 0 || final) {
        publish(s.user_id, asr_id, text, final);
    }
    return ZM_OK;
}

int speech_metrics(db_t *db, zm_arena_t *a, zm_buf_t *out)
{
    db_res_t res;
    const char *m;

    m = zm_psprintf(a,
                    "# HELP zhimai_speech_ready Whether this process can speak (TTS) and hand audio to a recognizer "
                    "(ASR).\n"
                    "# TYPE zhimai_speech_ready gauge\n"
                    "zhimai_speech_ready{kind=\"tts\"} %d\nzhimai_speech_ready{kind=\"asr\"} %d\n",
                    speech_tts_ready(), speech_asr_ready());
    if (m == NULL || zm_buf_puts(a, out, m) != ZM_OK) {
        return ZM_ENOMEM;
    }
    if (db_query(db, a, &res,
                 "SELECT COUNT(*), COALESCE(SUM(audio_bytes), 0) FROM speech_asr_session WHERE state = 'open'",
                 NULL) != ZM_OK) {
        return ZM_OK; /* the tasks module says zhimai_db_up 0 */
    }
    m = zm_psprintf(a,
                    "# HELP zhimai_speech_asr_open Recognition sessions still open, and the audio they hold.\n"
                    "# TYPE zhimai_speech_asr_open gauge\n"
                    "zhimai_speech_asr_open{what=\"sessions\"} %s\nzhimai_speech_asr_open{what=\"bytes\"} %s\n",
                    db_val(&res, 0, 0), db_val(&res, 0, 1));
    return m ? zm_buf_puts(a, out, m) : ZM_ENOMEM;
}
