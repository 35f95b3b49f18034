#!/usr/bin/python3
"""The mock interview under load (issue 18: 50 concurrent builtin sessions; p95 from the candidate's
answer to the interviewer's first streamed token <= 200 ms; FastCGI busy time per turn).

Against a running stack (tests/bench/run.sh runs it on its own stack):

    ZM_VAR=build/benchstack /usr/bin/python3 tests/bench/interview_bench.py [sessions] [answers]
    (defaults 50, 4)

`sessions` users at 青铜 (zhimai-admin recharge-credit), each in a thread: generate a builtin interview
(as many questions as answers), subscribe to its channel (EventSource through nginx/nchan), and answer
each interviewer turn as soon as it is done.  Per answer: the time from sending the POST to the first
turn.delta of the reply arriving on the channel (the whole path: nginx, zhimai-fcgi, the task queue
and its wake-up, a zhimai-worker runner, nchan), and the POST's own round trip.  Beside it, in the
same run, GET /healthz one after another (the floor: what any request costs on this machine now).
The FastCGI busy time per turn is zhimai-fcgi's own request time of POST .../chat/stream
(zhimai_http_request_duration_seconds in /metrics, the run's delta / its count): what a turn holds a
FastCGI worker for -- the model's (or the builtin's) work never runs there.

Also the CPU time per turn of each process (zhimai-fcgi, zhimai-worker, nginx, MariaDB, this client):
steadier than latencies on a shared machine.

Measured (Release build, 2 cores shared with other helpers' builds, load average 6-12; 50 sessions x
4 answers, all sessions answering at the same instant; eight runs): first token p50 162-261 ms, p95
209-442 ms (the 200 ms target missed by 5-120 % under that load; it follows the load), /healthz p50
1.7-7.6 ms in the same runs; 199-381 turns/s; the POST's own round trip p50 9-49 ms; FastCGI busy
time per turn 2.9-6.9 ms; CPU per turn zhimai-fcgi 0.2-0.55 ms, zhimai-worker 0.7-1.1 ms, nginx
0.7-1.3 ms, MariaDB 1.65-2.3 ms, this client 1.1-1.65 ms: about 4 ms of the server's CPU a turn, so a
burst of 50 answers is about 100 ms of both cores' work -- the queue wait behind it is the p95.  One
session alone: first token 6.5 ms.
Quiet machine (every helper done, load < 3; Release, fcgi.workers 2, 3 runs): first token p50 136-137 ms,
p95 161-204 ms, p99 173-218 ms; FastCGI busy time per turn 2.8-3.6 ms; CPU per turn fcgi 0.3, worker 0.85,
nginx 0.8, MariaDB 1.7 ms.  With fcgi.workers 8: p95 183-203 ms (no better: the burst is CPU work).
"""
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
import zmtest  # noqa: E402
from zmtest import data_of, new_user, request  # noqa: E402

zmtest.IP_RANGES.setdefault("interview_bench.py", "127.36.")
U = urllib.parse.urlsplit(zmtest.URL)
TAG = uuid.uuid4().hex[:6]
ANSWER = "当时接口太慢，我的任务是优化。我先加了缓存，然后改了索引，最终把延迟从 200ms 降到 50ms，提升了 4 倍。"


def member():
    u = new_user("ivb")
    p = subprocess.run([os.path.join(zmtest.ENV["ZM_BUILD"], "zhimai-admin"), "-c", zmtest.ENV["ZM_CONF"],
                        "recharge-credit", "--user", str(u["id"]), "--order", "ivb-%s-%s" % (TAG, uuid.uuid4().hex[:8]),
                        "--fen", "1000"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return u


class Stream:
    """A session's EventSource in a thread: each event with its arrival time (perf_counter)."""

    def __init__(self, user, sid):
        self.events, self.cond = [], threading.Condition()
        self.path = "/api/v1/events/interviews/%d?%s" % (sid, urllib.parse.urlencode({"access_token": user["access"]}))
        self.ready = threading.Event()
        self.conn = None
        threading.Thread(target=self.run, daemon=True).start()
        self.ready.wait(30)

    def run(self):
        try:
            self.conn = http.client.HTTPConnection(U.hostname, U.port, timeout=120)
            self.conn.request("GET", self.path, headers={"Accept": "text/event-stream"})
            r = self.conn.getresponse()
            self.ready.set()
            data = None
            while True:
                line = r.fp.readline()
                if not line:
                    break
                line = line.decode().rstrip("\r\n")
                if line == "" and data is not None:
                    with self.cond:
                        self.events.append((time.perf_counter(), json.loads(data)))
                        self.cond.notify_all()
                    data = None
                elif line.startswith("data:"):
                    data = line[5:].lstrip(" ") if data is None else data + "\n" + line[5:].lstrip(" ")
        except Exception:
            pass
        finally:
            self.ready.set()

    def wait(self, pred, timeout=60):
        end = time.perf_counter() + timeout
        with self.cond:
            while True:
                for t, e in self.events:
                    if pred(e):
                        return t, e
                left = end - time.perf_counter()
                if left <= 0:
                    raise AssertionError("timed out waiting on %s" % self.path)
                self.cond.wait(left)

    def close(self):
        try:
            self.conn.sock.shutdown(2)
        except Exception:
            pass


def metric(name_route):
    body = request("GET", "/metrics").body.decode()
    out = {}
    for kind in ("sum", "count"):
        m = re.search(r'zhimai_http_request_duration_seconds_%s\{route="%s"\} ([0-9.e+-]+)' % (kind, re.escape(name_route)),
                      body)
        out[kind] = float(m.group(1)) if m else 0.0
    return out


def ticks(master):
    """CPU ticks (user + system) of a master process and its children; the master's reaped children too."""
    t = 0
    for p in [master] + zmtest.children(master):
        try:
            with open("/proc/%d/stat" % p) as f:
                f = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        t += int(f[11]) + int(f[12]) + (int(f[13]) + int(f[14]) if p == master else 0)
    return t


def cpu():
    """{component: CPU ticks} of zhimai-fcgi, zhimai-worker, nginx, MariaDB and this process."""
    out = {}
    for name, pidfile in (("zhimai-fcgi", "zhimai-fcgi.pid"), ("zhimai-worker", "zhimai-worker.pid"),
                          ("nginx", "nginx.pid")):
        try:
            out[name] = ticks(zmtest.pidfile(pidfile))
        except (OSError, ValueError):
            out[name] = 0
    db = [int(d) for d in os.listdir("/proc") if d.isdigit() and _is_mariadb(int(d))]
    out["MariaDB"] = sum(ticks(p) for p in db)
    t = os.times()
    out["bench client"] = int((t.user + t.system) * os.sysconf("SC_CLK_TCK"))
    return out


def _is_mariadb(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmd = f.read().split(b"\0")
        return cmd[0].endswith((b"mariadbd", b"mysqld")) and any(zmtest.VAR.encode() in c for c in cmd)
    except OSError:
        return False


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


def main():
    sessions = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    answers = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    users = [None] * sessions
    ts = [threading.Thread(target=lambda i=i: users.__setitem__(i, member())) for i in range(sessions)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    first_token, post_rtt, errors = [], [], []
    lock = threading.Lock()
    start = threading.Barrier(sessions + 1)
    stop = threading.Event()

    def session(u):
        try:
            s = data_of(request("POST", "/api/v1/mock-interview/generate",
                                {"role": "后端开发工程师", "type": "technical", "questions": answers},
                                token=u["access"]), 201, "generate")
            st = Stream(u, s["session_id"])
            st.wait(lambda e: e.get("type") == "turn.done" and e.get("seq") == 1)
            start.wait(120)
            seq = 1
            for k in range(answers):
                t0 = time.perf_counter()
                r = request("POST", "/api/v1/mock-interview/chat/stream",
                            {"session_id": s["session_id"], "text": ANSWER, "client_key": "b%d" % k},
                            token=u["access"])
                t1 = time.perf_counter()
                d = data_of(r, 202, "answer")
                seq = d["reply_seq"]
                tf, _ = st.wait(lambda e: e.get("type") == "turn.delta" and e.get("seq") == seq)
                _, done = st.wait(lambda e: e.get("type") in ("turn.done", "turn.failed") and e.get("seq") == seq)
                assert done["type"] == "turn.done", done
                with lock:
                    first_token.append((tf - t0) * 1000)
                    post_rtt.append((t1 - t0) * 1000)
                if done["kind"] == "closing":
                    break
            st.close()
        except Exception as e:
            with lock:
                errors.append(repr(e))
            try:
                start.abort()
            except Exception:
                pass

    healthz = []

    def floor():
        while not stop.is_set():
            t0 = time.perf_counter()
            request("GET", "/healthz")
            healthz.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.01)

    threads = [threading.Thread(target=session, args=(u,)) for u in users]
    [t.start() for t in threads]
    start.wait(180)
    before = metric("POST /api/v1/mock-interview/chat/stream")
    cpu0 = cpu()
    fl = threading.Thread(target=floor)
    fl.start()
    t0 = time.perf_counter()
    [t.join() for t in threads]
    wall = time.perf_counter() - t0
    stop.set()
    fl.join()
    after = metric("POST /api/v1/mock-interview/chat/stream")
    cpu1 = cpu()
    if errors:
        print("interview bench: %d sessions failed: %s" % (len(errors), errors[:3]))
        sys.exit(1)
    n = after["count"] - before["count"]
    busy_ms = (after["sum"] - before["sum"]) * 1000 / n if n else float("nan")
    p95 = pct(first_token, 0.95)
    print("mock interview, %d concurrent builtin sessions, %d turns in %.1f s (%.0f turns/s):"
          % (sessions, len(first_token), wall, len(first_token) / wall))
    print("  answer -> first streamed token: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms (target p95 <= 200)"
          % (statistics.median(first_token), p95, pct(first_token, 0.99), max(first_token)))
    print("  POST chat/stream round trip:     p50 %.1f ms, p95 %.1f ms" % (statistics.median(post_rtt),
                                                                           pct(post_rtt, 0.95)))
    print("  GET /healthz (same run, serial): p50 %.1f ms, p95 %.1f ms; first token p95 / healthz p95 = %.1fx"
          % (statistics.median(healthz), pct(healthz, 0.95), p95 / max(pct(healthz, 0.95), 0.001)))
    print("  FastCGI busy time per turn (zhimai-fcgi's time in POST chat/stream): %.2f ms over %d requests"
          % (busy_ms, n))
    hz = os.sysconf("SC_CLK_TCK")
    print("  CPU per turn (ms; the /healthz floor's requests included): " + ", ".join(
        "%s %.2f" % (k, (cpu1[k] - cpu0[k]) * 1000.0 / hz / len(first_token)) for k in cpu0))
    with open("/proc/loadavg") as f:
        print("  load average %s" % " ".join(f.read().split()[:3]))
    if p95 > 200:
        print("interview bench: first-token p95 %.1f ms over the 200 ms target" % p95)
        sys.exit(1)


if __name__ == "__main__":
    main()
