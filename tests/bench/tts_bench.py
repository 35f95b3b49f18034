#!/usr/bin/python3
"""TTS (issue 18 item 3): espeak-ng's real-time factor, and POST /api/v1/tts/stream through nginx,
cold (a new text: synthesized and streamed as it is made, then cached) against cached (the same text
again: read from storage), with GET /healthz in the same run as the baseline.

    ZM_VAR=build/benchstack ./dev up
    ZM_VAR=build/benchstack /usr/bin/python3 tests/bench/tts_bench.py [requests]   (default 50)

The real-time factor comes from tts_rtf_bench (tests/bench/tts_rtf_bench.c, in the stack's build):
espeak-ng in process as fcgi/speech/tts.c runs it; synthesis time / audio duration, best of 20.
Through nginx, one request after another (the stack's speech.tts_provider must be espeak): time to
the first byte of audio and to the last, p50 and p95, for a Mandarin interviewer's sentence (about 6
s of audio, 260 KB).  The first 5 of each kind are warm-up.  Then 5 texts of speech.tts_max_chars
characters (the longest a request may speak, about 4 minutes of audio, 10 MB), the median.  No target: the figures say how much of
a worker one spoken turn costs (cold) and what the cache saves.  Measured (Release, 2 shared
cores, load average ~11): real-time factor 0.0010 zh / 0.0012 en; /healthz p50 0.70 ms, cold p50
24 ms to the last byte (3.2 ms to the first), cached 1.8 ms (13x); 600 characters: first byte 3-5
ms, last 0.36-0.46 s (9.9 MB, the cache write included).
"""
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
import zmtest  # noqa: E402
from zmtest import new_user  # noqa: E402

zmtest.IP_RANGES.setdefault("tts_bench.py", "127.37.")
SENTENCE = "你好，请先简单介绍一下你自己，以及你最近做过的一个项目。"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def timed(method, path, body=None, token=None):
    """(status, ms to the first body byte, ms to the last, bytes, X-Cache)."""
    u = urllib.parse.urlsplit(zmtest.URL)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    hdrs = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        hdrs["Authorization"] = "Bearer " + token
    t0 = time.perf_counter()
    c.request(method, path, body=body, headers=hdrs)
    r = c.getresponse()
    first = r.read(1)
    t1 = time.perf_counter()
    rest = r.read()
    t2 = time.perf_counter()
    c.close()
    return r.status, (t1 - t0) * 1000, (t2 - t0) * 1000, len(first) + len(rest), r.getheader("X-Cache")


def series(n, make):
    first, last, size = [], [], 0
    for i in range(n + 5):
        st, f, l_, size, _ = make(i)
        assert st == 200, st
        if i >= 5:
            first.append(f)
            last.append(l_)
    return first, last, size


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    rtf = os.path.join(zmtest.ROOT, zmtest.ENV["ZM_BUILD"], "tts_rtf_bench")
    if os.path.exists(rtf):
        subprocess.run([rtf, "20"], check=False)
    else:
        print("(no %s: build the tts_rtf_bench target for the real-time factor)" % rtf)

    # one user per series: speech.tts_per_minute (60) is per user
    u, u2 = new_user("ttsb"), new_user("ttsb")
    caps = zmtest.call("GET", "/api/v1/speech/capabilities", u).json["data"]
    if caps["tts_provider"] != "espeak" or not caps["tts"]:
        print("tts_bench: the stack's TTS is %s (ready: %s); espeak is measured" % (caps["tts_provider"], caps["tts"]))
        return 1
    run = uuid.uuid4().hex[:6]

    def cold(i):
        body = json.dumps({"text": "%s %s %d" % (SENTENCE, run, i), "lang": "zh"})
        r = timed("POST", "/api/v1/tts/stream", body.encode(), u["access"])
        assert r[4] == "miss", r
        return r

    fixed = json.dumps({"text": SENTENCE + " " + run, "lang": "zh"}).encode()

    def cached(i):
        r = timed("POST", "/api/v1/tts/stream", fixed, u2["access"])
        assert i == 0 or r[4] == "hit", r
        return r

    def healthz(i):
        return timed("GET", "/healthz")

    hf, hl, _ = series(n, healthz)
    cf, cl, csize = series(n, cold)
    kf, kl, ksize = series(n, cached)
    print("POST /api/v1/tts/stream through nginx, %d requests each, serial (ms):" % n)
    print("  %-24s first byte p50 %6.2f p95 %6.2f   last byte p50 %6.2f p95 %6.2f" % (
        "GET /healthz (baseline)", pct(hf, .5), pct(hf, .95), pct(hl, .5), pct(hl, .95)))
    print("  %-24s first byte p50 %6.2f p95 %6.2f   last byte p50 %6.2f p95 %6.2f   %d bytes" % (
        "cold (espeak-ng)", pct(cf, .5), pct(cf, .95), pct(cl, .5), pct(cl, .95), csize))
    print("  %-24s first byte p50 %6.2f p95 %6.2f   last byte p50 %6.2f p95 %6.2f   %d bytes" % (
        "cached (storage)", pct(kf, .5), pct(kf, .95), pct(kl, .5), pct(kl, .95), ksize))
    # the longest text a request may speak: what bounds how long a worker streams
    longest, u3 = [], new_user("ttsb")
    for i in range(5):
        text = (SENTENCE * 20)[:caps["tts_max_chars"] - 8] + " %s%d" % (run, i)
        st, f, l_, size, _ = timed("POST", "/api/v1/tts/stream", json.dumps({"text": text, "lang": "zh"}).encode(),
                                   u3["access"])
        assert st == 200, st
        longest.append((f, l_, size))
    longest.sort(key=lambda x: x[1])
    f, l_, size = longest[len(longest) // 2]
    print("  %-24s first byte %6.2f   last byte %7.2f (median of 5)   %d bytes" % (
        "cold, %d characters" % caps["tts_max_chars"], f, l_, size))
    print("  ratios: cold / cached (last byte p50) %.2f; cold / healthz %.1f; cached / healthz %.1f" % (
        pct(cl, .5) / pct(kl, .5), pct(cl, .5) / pct(hl, .5), pct(kl, .5) / pct(hl, .5)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
