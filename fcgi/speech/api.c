/*
 * api.c -- speech's endpoints: parse -> validate -> speech.h -> render.
 *
 *   GET  /api/v1/speech/capabilities     {tts, tts_provider, tts_max_chars, asr, asr_provider, ...}
 *   POST /api/v1/tts/stream              {text, lang: zh|en, voice?, speed?} -> audio, streamed
 *   GET  /api/v1/tts/stream?text=&lang=&voice=&speed=      the same, for <audio src>
 *   POST /api/v1/paraformer/start        {lang, format: wav|webm|pcm16, sample_rate} -> {asr_id, channel, ...}
 *   POST /api/v1/paraformer/{asr_id}/audio?seq=N          raw bytes -> {seq, chunks, audio_bytes, duplicate}
 *   POST /api/v1/paraformer/stop         {asr_id} -> 200 {text, final: true} or 202 {task_id, final: false}
 *   POST /api/v1/paraformer/clear        {asr_id} -> {asr_id, state: open, chunks: 0, text: ""}
 *   GET  /api/v1/paraformer/{asr_id}     the session and its transcript so far
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ratelimit.h"
#include "speech.h"
#include "speech_api.h"

static const zm_error_map_t tts_errors[] = {
    {SPEECH_EOFF, 503, "tts_off", "语音合成未开启"},
    {SPEECH_ETOOLONG, 413, "text_too_long", "文本过长，请缩短后再试"},
    {ZM_EINVAL, 400, "invalid_request", "文本、语音或语速无效"},
    {SPEECH_EPROVIDER, 502, "tts_provider_error", "语音合成服务出错，请稍后重试"},
    {SPEECH_ETIMEOUT, 504, "tts_timeout", "语音合成服务超时，请稍后重试"},
};

static const zm_error_map_t asr_errors[] = {
    {SPEECH_EOFF, 503, "asr_off", "语音识别未开启：请用文字输入，或浏览器自带的语音识别"},
    {ZM_ENOTFOUND, 404, "not_found", "识别会话不存在"},
    {SPEECH_ESTOPPED, 409, "asr_stopped", "识别会话已结束"},
    {SPEECH_ECHUNK, 413, "chunk_too_large", "音频分片过大"},
    {SPEECH_EFULL, 413, "audio_too_long", "录音过长"},
    {SPEECH_ESEQ, 409, "seq_conflict", "该序号的分片已收到不同的内容"},
    {ZM_EINVAL, 400, "invalid_request", "音频分片无效"},
};

static const char *const langs[] = {"zh", "en", NULL};
static const char *const formats[] = {"wav", "webm", "pcm16", NULL};

int speech_api_capabilities(zm_req_t *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "tts", json_object_new_boolean(speech_tts_ready()));
    json_object_object_add(o, "tts_provider", json_object_new_string(speech_tts_provider()));
    json_object_object_add(o, "tts_max_chars", json_object_new_int64(zm_conf_int("speech.tts_max_chars")));
    json_object_object_add(o, "asr", json_object_new_boolean(speech_asr_ready()));
    json_object_object_add(o, "asr_provider", json_object_new_string(speech_asr_provider()));
    json_object_object_add(o, "asr_chunk_max", json_object_new_int64(zm_conf_int("speech.asr_chunk_max")));
    json_object *f = json_object_new_array();
    for (int i = 0; formats[i]; i++) {
        json_object_array_add(f, json_object_new_string(formats[i]));
    }
    json_object_object_add(o, "asr_formats", f);
    return zm_reply_data(r, 200, o);
}

/* ---- TTS ---- */

typedef struct {
    zm_req_t *r;
    int whole; /* a cache hit: one answer with its Content-Length (seekable), not a stream */
} tts_out_t;

static int sink_begin(void *ctx, const char *content_type, int cached)
{
    tts_out_t *o = ctx;
    zm_reply_header(o->r, "X-Cache", cached ? "hit" : "miss");
    /* the same text, voice and speed always sound the same: the browser may keep a whole file; a
     * stream might still be cut short, so not that one (asked again, it is a cache hit here) */
    zm_reply_header(o->r, "Cache-Control", cached ? "private, max-age=86400" : "no-store");
    if (cached) {
        o->whole = 1;
        return zm_reply_raw(o->r, 200, content_type, "", 0) == ZM_OK ? 0 : -1;
    }
    return zm_reply_stream_begin(o->r, 200, content_type) == ZM_OK ? 0 : -1;
}

static int sink_write(void *ctx, const void *data, size_t len)
{
    tts_out_t *o = ctx;
    if (o->whole) {
        return zm_buf_append(o->r->a, &o->r->out, data, len, 0) == ZM_OK ? 0 : -1;
    }
    return zm_reply_stream_write(o->r, data, len) == ZM_OK ? 0 : -1;
}

static int tts_limited(zm_req_t *r)
{
    char bucket[64];
    int retry = 0;
    snprintf(bucket, sizeof(bucket), "tts:%lld", (long long)r->user_id);
    int rc = rl_hit(r->db, bucket, (int)zm_conf_int("speech.tts_per_minute"), 60, &retry);
    if (rc == RL_LIMITED) {
        zm_reply_limited(r, retry, "语音合成请求过于频繁，请稍后再试");
        return 1;
    }
    return rc == ZM_OK ? 0 : (zm_reply_from_rc(r, rc), 1);
}

static int tts_speak(zm_req_t *r, speech_tts_req_t *q)
{
    tts_out_t o = {r, 0};
    speech_sink_t sink = {sink_begin, sink_write, &o};
    const char *detail = NULL;
    int rc;

    if (tts_limited(r)) {
        return ZM_OK;
    }
    rc = speech_tts(r->a, q, &sink, &detail);
    if (r->streamed || (o.whole && rc == ZM_OK)) {
        return ZM_OK; /* answered; a failure past the head only cut the audio short */
    }
    if (o.whole) {
        r->status = 0; /* the cached file could not be sent whole: answer an error instead */
        r->out.len = 0;
    }
    if (rc == SPEECH_EPROVIDER || rc == SPEECH_ETIMEOUT) {
        json_object *fields = json_object_new_object();
        json_object *why = json_object_new_array();
        json_object_array_add(why, json_object_new_string(detail ? detail : ""));
        json_object_object_add(fields, "provider", why);
        const zm_error_map_t *e = rc == SPEECH_EPROVIDER ? &tts_errors[3] : &tts_errors[4];
        return zm_reply_error(r, e->status, e->error, e->message, fields);
    }
    return ZM_REPLY_MAPPED(r, tts_errors, rc == ZM_OK ? ZM_ERR : rc);
}

/* lang and voice: a voice alone picks its language (cmn: zh) */
static speech_lang_t lang_of(int lang, const char *voice)
{
    if (lang >= 0) {
        return (speech_lang_t)lang;
    }
    return voice && strncmp(voice, "en", 2) == 0 ? SPEECH_LANG_EN : SPEECH_LANG_ZH;
}

int speech_api_tts(zm_req_t *r)
{
    speech_tts_req_t q = {.speed = 1.0};
    json_object *body, *v;
    zm_form_t f;

    if (zm_form_json(&f, r, &body) != ZM_OK) {
        return ZM_OK;
    }
    /* the length cap is the domain's (413), not the form's */
    q.text = zm_form_str(&f, "text", 1, 1000000);
    int lang = zm_form_enum(&f, "lang", 0, langs, "lang 应为 zh 或 en");
    q.voice = zm_form_str(&f, "voice", 0, 32);
    if (json_object_object_get_ex(body, "speed", &v) && v != NULL) {
        if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)) {
            zm_form_error(&f, "speed", "speed 应为 0.5 到 2 之间的数");
        } else {
            q.speed = json_object_get_double(v);
            if (!(q.speed >= 0.5 && q.speed <= 2.0)) {
                zm_form_error(&f, "speed", "speed 应为 0.5 到 2 之间的数");
            }
        }
    }
    if (q.voice && !speech_voice_ok(q.voice)) {
        zm_form_error(&f, "voice", "不支持该语音");
    }
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    q.lang = lang_of(lang, q.voice);
    return tts_speak(r, &q);
}

int speech_api_tts_get(zm_req_t *r)
{
    speech_tts_req_t q = {.speed = 1.0};
    const char *lang = zm_req_query(r, "lang"), *speed = zm_req_query(r, "speed");
    int li = -1;

    q.text = zm_req_query(r, "text");
    q.voice = zm_req_query(r, "voice");
    if (q.text == NULL || q.text[0] == '\0') {
        return zm_reply_field_error(r, "text", "text 不能为空");
    }
    if (lang) {
        li = strcmp(lang, "zh") == 0 ? 0 : strcmp(lang, "en") == 0 ? 1 : -2;
        if (li == -2) {
            return zm_reply_field_error(r, "lang", "lang 应为 zh 或 en");
        }
    }
    if (speed) {
        char *end;
        q.speed = strtod(speed, &end);
        if (end == speed || *end != '\0' || !(q.speed >= 0.5 && q.speed <= 2.0)) {
            return zm_reply_field_error(r, "speed", "speed 应为 0.5 到 2 之间的数");
        }
    }
    if (q.voice && !speech_voice_ok(q.voice)) {
        return zm_reply_field_error(r, "voice", "不支持该语音");
    }
    q.lang = lang_of(li, q.voice);
    return tts_speak(r, &q);
}

/* ---- ASR ---- */

int speech_api_asr_start(zm_req_t *r)
{
    json_object *out;
    zm_form_t f;

    if (zm_form_json(&f, r, NULL) != ZM_OK) {
        return ZM_OK;
    }
    int lang = zm_form_enum(&f, "lang", 0, langs, "lang 应为 zh 或 en");
    int fmt = zm_form_enum(&f, "format", 0, formats, "format 应为 wav、webm 或 pcm16");
    int64_t rate = zm_form_int(&f, "sample_rate", 0, 8000, 48000, 16000);
    if (zm_form_done(&f) != ZM_OK) {
        return ZM_OK;
    }
    char bucket[64];
    int retry = 0;
    snprintf(bucket, sizeof(bucket), "asrstart:%lld", (long long)r->user_id);
    int rc = rl_hit(r->db, bucket, (int)zm_conf_int("speech.asr_starts_per_minute"), 60, &retry);
    if (rc == RL_LIMITED) {
        return zm_reply_limited(r, retry, "语音识别会话创建过于频繁，请稍后再试");
    }
    if (rc != ZM_OK) {
        return rc;
    }
    rc = speech_asr_start(r->db, r->a, r->user_id, lang < 0 ? SPEECH_LANG_ZH : (speech_lang_t)lang,
                          fmt < 0 ? SPEECH_FMT_WAV : (speech_format_t)fmt, (int)rate, &out);
    return rc == ZM_OK ? zm_reply_data(r, 201, out) : ZM_REPLY_MAPPED(r, asr_errors, rc);
}

int speech_api_asr_audio(zm_req_t *r)
{
    const char *asr_id = zm_req_param(r, "asr_id");
    json_object *out;
    int64_t seq;
    char bucket[96];
    int retry = 0, rc;

    if (zm_req_query_int(r, "seq", -1, 0, 100000, &seq) != ZM_OK) {
        return ZM_OK;
    }
    if (seq < 0) {
        return zm_reply_field_error(r, "seq", "缺少 seq（分片序号，从 0 开始）");
    }
    if (r->body_len > (size_t)zm_conf_int("speech.asr_chunk_max")) {
        return ZM_REPLY_MAPPED(r, asr_errors, SPEECH_ECHUNK);
    }
    if (r->body_len == 0) {
        return zm_reply_field_error(r, "body", "音频分片为空");
    }
    snprintf(bucket, sizeof(bucket), "asr:%lld:%.40s", (long long)r->user_id, asr_id ? asr_id : "");
    rc = rl_hit(r->db, bucket, (int)zm_conf_int("speech.asr_chunks_per_minute"), 60, &retry);
    if (rc == RL_LIMITED) {
        return zm_reply_limited(r, retry, "音频分片发送过于频繁");
    }
    if (rc != ZM_OK) {
        return rc;
    }
    rc = speech_asr_audio(r->db, r->a, r->user_id, asr_id, seq, r->body, r->body_len, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, asr_errors, rc);
}

static const char *asr_id_of(zm_req_t *r, zm_form_t *f)
{
    if (zm_form_json(f, r, NULL) != ZM_OK) {
        return NULL;
    }
    const char *id = zm_form_str(f, "asr_id", 1, 64);
    return zm_form_done(f) == ZM_OK ? id : NULL;
}

int speech_api_asr_stop(zm_req_t *r)
{
    json_object *out;
    zm_form_t f;
    int final = 0;
    const char *id = asr_id_of(r, &f);
    if (id == NULL) {
        return ZM_OK;
    }
    int rc = speech_asr_stop(r->db, r->a, r->user_id, id, &final, &out);
    return rc == ZM_OK ? zm_reply_data(r, final ? 200 : 202, out) : ZM_REPLY_MAPPED(r, asr_errors, rc);
}

int speech_api_asr_clear(zm_req_t *r)
{
    json_object *out;
    zm_form_t f;
    const char *id = asr_id_of(r, &f);
    if (id == NULL) {
        return ZM_OK;
    }
    int rc = speech_asr_clear(r->db, r->a, r->user_id, id, &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, asr_errors, rc);
}

int speech_api_asr_get(zm_req_t *r)
{
    json_object *out;
    int rc = speech_asr_get(r->db, r->a, r->user_id, zm_req_param(r, "asr_id"), &out);
    return rc == ZM_OK ? zm_reply_data(r, 200, out) : ZM_REPLY_MAPPED(r, asr_errors, rc);
}
