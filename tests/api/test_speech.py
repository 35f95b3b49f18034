#!/usr/bin/python3
"""Speech (issue 18 item 3) through nginx, black-box: TTS with espeak-ng and with a fake
OpenAI-compatible /v1/audio/speech, ASR sessions against a fake /v1/audio/transcriptions
(tests/api/fake_speech.py), partial transcripts on the user's live channel (nchan).

    ZM_VAR=/tmp/speechtest /usr/bin/python3 tests/api/test_speech.py [test_name ...]

The first cases run on the stack's own configuration (espeak-ng, ASR off).  The rest restart
zhimai-fcgi and zhimai-worker with ZM_SPEECH_* pointing at the fake, and a `finally:` restarts them
again without (other tests share the stack).  sox measures the audio (RMS amplitude, length).
"""
import http.client
import os
import struct
import subprocess
import tempfile
import time
import uuid

import zmtest
from fake_speech import FakeSpeech
from test_live import Channel
from zmtest import call, data_of, expect_error, new_user, raw, request, restart_daemons, sql, wait_for

OWN_VARS = ("ZM_SPEECH_",)
KEY = "speech-test-key"
FAKE = None
ZH = "你好，请先简单介绍一下你自己，以及你最近做过的一个项目。"
ZH_LONG = ZH + "在这个项目中你承担了什么角色？遇到的最大困难是什么，你又是如何解决的？最后取得了哪些可以量化的成果？"
EN = "Hello, please introduce yourself briefly."
EN_LONG = EN + " Then tell me about a recent project, the role you played, the hardest problem and the results."


def tts(user, body, ip=None):
    return raw("POST", "/api/v1/tts/stream", body=__import__("json").dumps(body).encode(),
               headers={"Content-Type": "application/json"}, token=user["access"], ip=ip)


def sox_stat(data):
    """sox's stat of a WAV: {"length": seconds, "rms": RMS amplitude}."""
    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        f.write(data)
        f.flush()
        p = subprocess.run(["sox", f.name, "-n", "stat"], capture_output=True, text=True, timeout=30)
    out = {}
    for line in p.stderr.splitlines():
        k, _, v = line.partition(":")
        k = k.strip()
        if k == "Length (seconds)":
            out["length"] = float(v)
        elif k == "RMS     amplitude":
            out["rms"] = float(v)
    assert "length" in out and "rms" in out, "sox stat: %s" % p.stderr
    return out


def header(data):
    """(riff size, sample rate, bits, data size) of a 44-byte WAV header."""
    assert data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt " and data[36:40] == b"data", data[:44]
    return (struct.unpack("<I", data[4:8])[0], struct.unpack("<I", data[24:28])[0],
            struct.unpack("<H", data[34:36])[0], struct.unpack("<I", data[40:44])[0])


def unique(text):
    """text made unique to this run (a cold cache), still speakable."""
    return text + " " + " ".join(uuid.uuid4().hex[:4])


# ---- the stack's own configuration: espeak-ng, recognition off -----------------------------


def test_capabilities_default():
    u = new_user("sp")
    d = data_of(call("GET", "/api/v1/speech/capabilities", u), 200, "capabilities")
    assert d["tts"] is True and d["tts_provider"] == "espeak", d
    assert d["asr"] is False and d["asr_provider"] == "off", d
    assert d["tts_max_chars"] == 600 and d["asr_formats"] == ["wav", "webm", "pcm16"], d
    expect_error(request("GET", "/api/v1/speech/capabilities"), 401)
    m = request("GET", "/metrics").body.decode()
    assert 'zhimai_speech_ready{kind="tts"} 1' in m and 'zhimai_speech_ready{kind="asr"} 0' in m, m[-2000:]
    assert 'zhimai_speech_asr_open{what="sessions"}' in m, m[-2000:]


def test_tts_espeak_is_speech_of_plausible_length():
    """zh and en, a short and a longer text: streamed WAV (sizes unknown while made), speech that
    sox hears (RMS well above silence), a length that grows with the text."""
    u = new_user("sp")
    for lang, short, long_, per_char in (("zh", ZH, ZH_LONG, (0.1, 0.6)), ("en", EN, EN_LONG, (0.03, 0.15))):
        lengths = []
        for text in (short, long_):
            text = unique(text)
            r = tts(u, {"text": text, "lang": lang})
            assert r.status == 200, "tts %s: %r" % (lang, r)
            assert r.headers.get("Content-Type") == "audio/wav", r.headers
            assert r.headers.get("X-Cache") == "miss", r.headers
            assert r.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in r.headers, \
                "a stream: chunked, no length: %s" % dict(r.headers)
            riff, rate, bits, size = header(r.body)
            assert riff == 0xFFFFFFFF and size == 0xFFFFFFFF, "length unknown while streaming: %x %x" % (riff, size)
            assert rate in (16000, 22050, 24000) and bits == 16, (rate, bits)
            st = sox_stat(r.body)
            assert st["rms"] > 0.03, "%s: speech, not silence: %r" % (lang, st)
            chars = len(text)
            lo, hi = per_char
            assert lo * chars < st["length"] < hi * chars, "%s: %.2f s for %d characters" % (
                lang, st["length"], chars)
            lengths.append(st["length"])
        assert lengths[1] > 1.5 * lengths[0], "%s: a longer text speaks longer: %r" % (lang, lengths)


def test_tts_cache_hit():
    """The same text, voice and speed again: from the cache (X-Cache: hit), the same samples, an
    ordinary WAV with its real sizes and a Content-Length."""
    u = new_user("sp")
    body = {"text": unique(EN), "lang": "en", "speed": 1.25}
    a = tts(u, body)
    b = tts(u, body)
    assert a.status == 200 and b.status == 200, (a, b)
    assert a.headers["X-Cache"] == "miss" and b.headers["X-Cache"] == "hit", (a.headers, b.headers)
    # a stream might have been cut short: the browser keeps only the whole file
    assert a.headers["Cache-Control"] == "no-store" and b.headers["Cache-Control"] == "private, max-age=86400", \
        (a.headers, b.headers)
    assert a.body[44:] == b.body[44:], "the same samples"
    riff, rate, _, size = header(b.body)
    assert size == len(b.body) - 44 and riff == size + 36, "real sizes in the cached file"
    assert b.headers.get("Content-Length") == str(len(b.body)), b.headers
    # another speed is another sound: not the cached one
    c = tts(u, dict(body, speed=1.0))
    assert c.headers["X-Cache"] == "miss" and sox_stat(c.body)["length"] > sox_stat(a.body)["length"]
    # GET with query parameters (for <audio src>) shares the cache
    g = raw("GET", "/api/v1/tts/stream?" + __import__("urllib.parse").parse.urlencode(
        {"text": body["text"], "lang": "en", "speed": "1.25"}), token=u["access"])
    assert g.status == 200 and g.headers["X-Cache"] == "hit" and g.body == b.body, g


def test_tts_refusals():
    u = new_user("sp")
    r = tts(u, {"text": "好" * 601, "lang": "zh"})
    expect_error(r, 413, "text_too_long")
    assert tts(u, {"text": "好" * 600, "lang": "zh"}).status == 200, "600 characters is the cap, not over it"
    expect_error(tts(u, {"text": "", "lang": "zh"}), 400)
    expect_error(tts(u, {"lang": "zh"}), 400)
    expect_error(tts(u, {"text": "hi", "lang": "fr"}), 400)
    expect_error(tts(u, {"text": "hi", "speed": 3}), 400)
    expect_error(tts(u, {"text": "hi", "speed": "fast"}), 400)
    expect_error(tts(u, {"text": "hi", "voice": "../../etc/passwd"}), 400)
    expect_error(raw("POST", "/api/v1/tts/stream", body=b"text=hi", token=u["access"],
                     headers={"Content-Type": "application/x-www-form-urlencoded"}), 415)
    expect_error(raw("POST", "/api/v1/tts/stream", body=b'{"text":"hi"}',
                     headers={"Content-Type": "application/json"}), 401)
    expect_error(raw("GET", "/api/v1/tts/stream?lang=zh", token=u["access"]), 400)
    # a voice alone picks its language
    r = tts(u, {"text": unique(EN), "voice": "en-gb"})
    assert r.status == 200 and sox_stat(r.body)["rms"] > 0.03, r


def test_asr_off():
    u = new_user("sp")
    r = call("POST", "/api/v1/paraformer/start", u, {"lang": "zh", "format": "pcm16", "sample_rate": 16000})
    expect_error(r, 503, "asr_off")


# ---- against the fake: remote TTS, recognition ---------------------------------------------


def fake_tts_cases():
    u = new_user("sp")
    # a whole answer: relayed, then cached (the fake is asked once)
    FAKE.script()
    body = {"text": unique(ZH), "lang": "zh"}
    a = tts(u, body)
    assert a.status == 200 and a.headers["X-Cache"] == "miss", a
    assert a.headers["Content-Type"] == "audio/wav", a.headers
    st = sox_stat(a.body)
    assert st["rms"] > 0.03 and abs(st["length"] - 0.08 * len(body["text"])) < 0.1, st
    b = tts(u, body)
    assert b.status == 200 and b.headers["X-Cache"] == "hit" and b.body == a.body, b
    reqs = FAKE.requests("/v1/audio/speech")
    assert len(reqs) == 1, "one call to the provider, then the cache: %d" % len(reqs)
    q = reqs[0]
    assert q["headers"].get("authorization") == "Bearer " + KEY, q["headers"]
    assert q["body"]["model"] == "tts-fake" and q["body"]["voice"] == "nova" and q["body"]["input"] == body["text"]
    assert q["body"]["response_format"] == "wav", q["body"]
    # a voice named by the request goes to the provider
    FAKE.script()
    r = tts(u, {"text": unique(EN), "lang": "en", "voice": "echo"})
    assert r.status == 200 and FAKE.requests("/v1/audio/speech")[0]["body"]["voice"] == "echo"

    # failures: a clean JSON error, nothing cached (the next request asks the provider again)
    for step, status, code in (({"status": 500}, 502, "tts_provider_error"),
                               ({"status": 429}, 502, "tts_provider_error"),
                               ({"sleep": 3}, 504, "tts_timeout")):
        text = unique(EN)
        FAKE.script(speech=[step])
        r = tts(u, {"text": text, "lang": "en"})
        j = expect_error(r, status, code)
        why = j["error"]["fields"]["provider"]
        assert isinstance(why, list) and why[0], j
        if "status" in step:
            assert why[0].startswith("HTTP %d: " % step["status"]) and "scripted failure" in why[0], j
        FAKE.script()
        r = tts(u, {"text": text, "lang": "en"})
        assert r.status == 200 and r.headers["X-Cache"] == "miss", "%r: not cached after the failure: %r" % (step, r)
    # cut mid-body: the audio already began, so there is no JSON to give: it ends short (nginx 1.22
    # ends a FastCGI answer whose connection closed early as if it were whole) and is not cached
    text = unique(EN_LONG)
    FAKE.script(speech=[{"cut_after": 10000}])
    try:
        r = tts(u, {"text": text, "lang": "en"})
        assert r.status == 200 and len(r.body) <= 10000, "cut short: %d bytes" % len(r.body)
    except http.client.IncompleteRead as e:  # what a newer nginx may do
        assert len(e.partial) <= 10000, len(e.partial)
    FAKE.script()
    r = tts(u, {"text": text, "lang": "en"})
    assert r.status == 200 and r.headers["X-Cache"] == "miss" and len(r.body) > 10000, r
    # the rate limit (speech.tts_per_minute = 12 here): a fresh user, cache hits count too
    v = new_user("sp")
    FAKE.script()
    body = {"text": unique(EN), "lang": "en"}
    got = [tts(v, body).status for _ in range(14)]
    assert got[:12] == [200] * 12 and got[12:] == [429, 429], got


def pcm(seconds, rate=16000, freq=300):
    """seconds of a tone as 16-bit mono PCM."""
    import math
    n = int(seconds * rate)
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / rate))) for i in range(n))


def audio(u, asr_id, seq, data, ip=None):
    return raw("POST", "/api/v1/paraformer/%s/audio?seq=%d" % (asr_id, seq), body=data,
               headers={"Content-Type": "application/octet-stream"}, token=u["access"], ip=ip)


def fake_asr_cases():
    u = new_user("sp")
    FAKE.script()
    d = data_of(call("GET", "/api/v1/speech/capabilities", u), 200, "capabilities")
    assert d["asr"] is True and d["asr_provider"] == "openai" and d["tts_provider"] == "openai", d
    ch = Channel(u["id"], token=u["access"], timeout=60)
    assert ch.status == 200, ch.status
    try:
        s = data_of(call("POST", "/api/v1/paraformer/start", u, {"lang": "zh", "format": "pcm16",
                                                                 "sample_rate": 16000}), 201, "start")
        asr_id = s["asr_id"]
        assert len(asr_id) == 32 and s["channel"] == "user_%s" % u["id"] and s["chunk_max"] == 65536, s
        half = pcm(0.5)  # 16000 bytes
        for seq in range(6):  # 3 s in all; a partial every 32000 bytes (1 s)
            r = audio(u, asr_id, seq, half)
            c = data_of(r, 200, "chunk %d" % seq)
            assert c["chunks"] == seq + 1 and c["audio_bytes"] == 16000 * (seq + 1) and not c["duplicate"], c
        # a retried chunk changes nothing; the same seq with other bytes is refused
        c = data_of(audio(u, asr_id, 2, half), 200, "retried chunk")
        assert c["duplicate"] is True and c["chunks"] == 6 and c["audio_bytes"] == 96000, c
        expect_error(audio(u, asr_id, 2, pcm(0.5, freq=500)), 409, "seq_conflict")
        # partial transcripts arrive on the user's live channel
        e = ch.wait_event(lambda e: e.get("type") == "asr.partial" and e.get("asr_id") == asr_id,
                          "a partial transcript", timeout=30)
        assert e["final"] is False and e["text"].startswith("audio "), e
        # bad chunks
        expect_error(audio(u, asr_id, 6, b"\0" * 65537), 413, "chunk_too_large")
        expect_error(audio(u, asr_id, 6, b""), 400)
        expect_error(raw("POST", "/api/v1/paraformer/%s/audio" % asr_id, body=half,
                         headers={"Content-Type": "application/octet-stream"}, token=u["access"]), 400)
        # another user's session is not there
        o = new_user("sp")
        for r in (audio(o, asr_id, 6, half), call("POST", "/api/v1/paraformer/stop", o, {"asr_id": asr_id}),
                  call("POST", "/api/v1/paraformer/clear", o, {"asr_id": asr_id}),
                  call("GET", "/api/v1/paraformer/%s" % asr_id, o)):
            expect_error(r, 404, "not_found")
        expect_error(call("POST", "/api/v1/paraformer/stop", u, {"asr_id": "nope"}), 404)
        # stop: the final transcript of all 3 s, published and stored
        r = call("POST", "/api/v1/paraformer/stop", u, {"asr_id": asr_id})
        assert r.status in (200, 202), r
        e = ch.wait_event(lambda e: e.get("type") == "asr.partial" and e.get("asr_id") == asr_id and e["final"],
                          "the final transcript", timeout=30)
        assert e["text"] == "audio 3.00 s", e
        g = data_of(call("GET", "/api/v1/paraformer/%s" % asr_id, u), 200, "the session")
        assert g["final"] is True and g["text"] == "audio 3.00 s" and g["state"] == "stopped", g
        expect_error(audio(u, asr_id, 6, half), 409, "asr_stopped")
        # stopped twice: the same final text, at once
        d = data_of(call("POST", "/api/v1/paraformer/stop", u, {"asr_id": asr_id}), 200, "stop again")
        assert d == {"asr_id": asr_id, "text": "audio 3.00 s", "final": True}, d
        # what the provider got: WAV files (the PCM wrapped), the model, the language, json
        reqs = FAKE.requests("/v1/audio/transcriptions")
        assert reqs, "the provider was asked"
        for q in reqs:
            assert q["headers"].get("authorization") == "Bearer " + KEY, q["headers"]
            assert q["fields"] == {"model": "asr-fake", "language": "zh", "response_format": "json"}, q["fields"]
            assert q["file"]["name"] == "audio.wav" and q["file"]["type"] == "audio/wav", q["file"]
            assert q["file"]["duration"] is not None and q["file"]["bytes"] == q["file"]["duration"] * 32000 + 44
        assert max(q["file"]["duration"] for q in reqs) == 3.0, [q["file"] for q in reqs]

        # clear: the audio and the transcript go, the session records again from seq 0
        d = data_of(call("POST", "/api/v1/paraformer/clear", u, {"asr_id": asr_id}), 200, "clear")
        assert d["text"] == "" and d["chunks"] == 0 and d["state"] == "open", d
        g = data_of(call("GET", "/api/v1/paraformer/%s" % asr_id, u), 200, "after clear")
        assert g["text"] == "" and g["audio_bytes"] == 0 and g["final"] is False, g
        rows = sql("SELECT COUNT(*) FROM speech_asr_chunk c JOIN speech_asr_session s ON s.id = c.session_id "
                   "WHERE s.asr_id = '%s'" % asr_id)
        assert rows[0][0] == "0", "the audio is gone: %r" % rows
        FAKE.script(transcriptions=[{"text": "重新开始"}])
        data_of(audio(u, asr_id, 0, half), 200, "seq 0 again after clear")
        r = call("POST", "/api/v1/paraformer/stop", u, {"asr_id": asr_id})
        assert r.status == 202, r
        ch.wait_event(lambda e: e.get("asr_id") == asr_id and e["final"] and e["text"] == "重新开始",
                      "the final transcript after clear", timeout=30)

        # a session's chunks are rate limited (speech.asr_chunks_per_minute = 40 here)
        s = data_of(call("POST", "/api/v1/paraformer/start", u, {"format": "pcm16"}), 201, "start for the limit")
        got = [audio(u, s["asr_id"], seq, b"\1\2" * 50).status for seq in range(42)]
        assert got[:40] == [200] * 40 and got[40:] == [429, 429], got

        # a provider's 429 is retried by the task queue; the transcript still comes
        s = data_of(call("POST", "/api/v1/paraformer/start", u, {"lang": "en", "format": "wav"}), 201, "start 2")
        FAKE.script(transcriptions=[{"status": 429}, {"text": "after a retry"}])
        wav = bytes(tone_header(16000, 32000)) + pcm(1.0)
        data_of(audio(u, s["asr_id"], 0, wav[:20000]), 200, "wav 0")
        data_of(audio(u, s["asr_id"], 1, wav[20000:]), 200, "wav 1")
        call("POST", "/api/v1/paraformer/stop", u, {"asr_id": s["asr_id"]})
        ch.wait_event(lambda e: e.get("asr_id") == s["asr_id"] and e["final"] and e["text"] == "after a retry",
                      "the final transcript after a 429", timeout=60)
        fields = [q["fields"]["language"] for q in FAKE.requests("/v1/audio/transcriptions")]
        assert "en" in fields, fields

        # the provider refuses the final transcription (a 400 is not retried): the page waiting for the
        # final text hears it failed, with the transcript so far (none here)
        s = data_of(call("POST", "/api/v1/paraformer/start", u, {"format": "pcm16"}), 201, "start 3")
        FAKE.script(transcriptions=[{"status": 400, "message": "unsupported audio"}])
        data_of(audio(u, s["asr_id"], 0, half), 200, "pcm 0")
        assert call("POST", "/api/v1/paraformer/stop", u, {"asr_id": s["asr_id"]}).status == 202
        e = ch.wait_event(lambda e: e.get("asr_id") == s["asr_id"] and e["final"], "the failed final", timeout=60)
        assert e["text"] == "" and e.get("error"), e
    finally:
        ch.close()


def tone_header(rate, data_bytes):
    """A 44-byte WAV header, as a browser's recorder writes it."""
    return (b"RIFF" + struct.pack("<I", data_bytes + 36) + b"WAVEfmt " +
            struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", data_bytes))


def asr_purge_case():
    """An abandoned session goes with its audio after speech.asr_purge_days."""
    u = new_user("sp")
    s = data_of(call("POST", "/api/v1/paraformer/start", u, {"format": "pcm16"}), 201, "start")
    data_of(audio(u, s["asr_id"], 0, pcm(0.1)), 200, "a chunk")
    sql("UPDATE speech_asr_session SET updated_at = UTC_TIMESTAMP(6) - INTERVAL 3 DAY WHERE asr_id = '%s'"
        % s["asr_id"])
    out = subprocess.run([os.path.join(zmtest.ROOT, zmtest.ENV["ZM_BUILD"], "zhimai-worker"), "-c", zmtest.ENV["ZM_CONF"],
                          "enqueue", "maintenance.purge", "{}"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    wait_for(lambda: sql("SELECT COUNT(*) FROM speech_asr_session WHERE asr_id = '%s'" % s["asr_id"])[0][0] == "0",
             timeout=30, what="the purge")
    expect_error(call("GET", "/api/v1/paraformer/%s" % s["asr_id"], u), 404)


def test_against_the_fakes():
    global FAKE
    FAKE = FakeSpeech(KEY)
    try:
        restart_daemons(OWN_VARS, {
            "ZM_SPEECH_TTS_PROVIDER": "openai", "ZM_SPEECH_TTS_URL": FAKE.base, "ZM_SPEECH_TTS_KEY": KEY,
            "ZM_SPEECH_TTS_MODEL": "tts-fake", "ZM_SPEECH_TTS_VOICE": "nova", "ZM_SPEECH_TTS_FORMAT": "wav",
            "ZM_SPEECH_TTS_TIMEOUT_MS": "1500", "ZM_SPEECH_TTS_PER_MINUTE": "12",
            "ZM_SPEECH_ASR_PROVIDER": "openai", "ZM_SPEECH_ASR_URL": FAKE.base, "ZM_SPEECH_ASR_KEY": KEY,
            "ZM_SPEECH_ASR_MODEL": "asr-fake", "ZM_SPEECH_ASR_PARTIAL_BYTES": "32000",
            "ZM_SPEECH_ASR_CHUNK_MAX": "65536", "ZM_SPEECH_ASR_CHUNKS_PER_MINUTE": "40", "ZM_TASKS_BACKOFF_S": "1",
        })
        t0 = time.time()
        fake_tts_cases()
        print("  remote TTS (%.1fs)" % (time.time() - t0), flush=True)
        t0 = time.time()
        fake_asr_cases()
        print("  recognition sessions (%.1fs)" % (time.time() - t0), flush=True)
        asr_purge_case()
        print("  purge", flush=True)
    finally:
        try:
            restart_daemons(OWN_VARS, None)
        finally:
            FAKE.stop()


if __name__ == "__main__":
    zmtest.main(globals())
