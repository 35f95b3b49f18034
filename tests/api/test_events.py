#!/usr/bin/python3
"""Live task events through nginx's nchan, black-box (stdlib only).

The browser side: GET /api/v1/events/tasks/{id}?access_token=<JWT> is an
EventSource (text/event-stream) held by nginx, not by a FastCGI worker;
nchan_authorize_request asks zhimai-fcgi (GET /api/v1/events/auth/{id},
internal) whether the token's user owns the task.  The worker side:
zhimai-worker POSTs each progress change and the final outcome to the
loopback-only publisher /_events/pub/task_{id} (events.publish_url).

Needs a running stack (./dev up with ZM_TEST_STACK=1 and ZM_VAR):

    ZM_VAR=/tmp/evtest /usr/bin/python3 tests/api/test_events.py [test_name ...]
"""
import http.client
import json
import os
import subprocess
import threading
import time
import urllib.parse

import zmtest
from zmtest import data_of, new_user, ready_resume, request

U = urllib.parse.urlsplit(zmtest.URL)


# ---- an EventSource client ------------------------------------------------------------------


class Subscription:
    """GET an event stream in a thread; .events gets (received_at, event dict) until a final event,
    close() or the timeout.  .status is the HTTP status once the response head came."""

    def __init__(self, task_id, token=None, header_token=None, query=None, timeout=10.0, path=None, headers=None):
        self.path = path or "/api/v1/events/tasks/%s" % task_id
        q = dict(query or {})
        if token is not None:
            q["access_token"] = token
        if q:
            self.path += "?" + urllib.parse.urlencode(q)
        self.headers = {"Accept": "text/event-stream"}
        self.headers.update(headers or {})
        if header_token:
            self.headers["Authorization"] = "Bearer " + header_token
        self.timeout = timeout
        self.status = None
        self.resp_headers = None
        self.body = b""
        self.events = []  # (monotonic time received, parsed data)
        self.raw = []  # every dispatched SSE event as a dict of its fields
        self.error = None
        self.ready = threading.Event()
        self.finished = threading.Event()
        self._conn = None
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        try:
            c = http.client.HTTPConnection(U.hostname, U.port, timeout=self.timeout)
            self._conn = c
            c.request("GET", self.path, headers=self.headers)
            r = c.getresponse()
            self.status = r.status
            self.resp_headers = r.headers
            self.ready.set()
            if r.status != 200:
                self.body = r.read()
                return
            deadline = time.monotonic() + self.timeout
            fields = {}
            while time.monotonic() < deadline:
                line = r.fp.readline()
                if not line:
                    break
                line = line.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if "data" in fields:
                        self.raw.append(dict(fields))
                        ev = json.loads(fields["data"])
                        self.events.append((time.monotonic(), ev))
                        if ev.get("final"):
                            return
                    fields = {}
                    continue
                if line.startswith(":"):
                    continue  # a comment (nchan's ": hi", keep-alive pings)
                k, _, v = line.partition(":")
                v = v[1:] if v.startswith(" ") else v
                fields[k] = fields[k] + "\n" + v if k == "data" and k in fields else v
        except Exception as e:  # a timeout or a closed socket ends the stream
            self.error = e
        finally:
            self.ready.set()
            self.finished.set()
            try:
                self._conn.close()
            except Exception:
                pass

    def wait(self, timeout=None):
        self.finished.wait(self.timeout + 2 if timeout is None else timeout)
        return self

    def close(self):
        try:
            if self._conn and self._conn.sock:
                self._conn.sock.shutdown(2)
        except OSError:
            pass

    @property
    def final(self):
        fin = [e for _, e in self.events if e.get("final")]
        return fin[-1] if fin else None


def diagnose(user, rid):
    r = request("POST", "/api/v1/resume-diagnosis/full-with-skills", {"resume_id": rid}, token=user["access"])
    return data_of(r, 202, "POST diagnosis")


def task(user, tid):
    return data_of(request("GET", "/api/v1/tasks/%d" % tid, token=user["access"]), 200, "GET task %d" % tid)


def worker_enqueue(type_, payload, user_id, *extra):
    out = subprocess.run([os.path.join(zmtest.ENV["ZM_BUILD"], "zhimai-worker"), "-c", zmtest.ENV["ZM_CONF"],
                          "enqueue", type_, json.dumps(payload), "--user", str(user_id)] + list(extra),
                         check=True, capture_output=True, text=True).stdout
    return int(out.strip())


def publish(channel, body, headers=None):
    c = http.client.HTTPConnection(U.hostname, U.port, timeout=5)
    try:
        c.request("POST", "/_events/pub/" + channel, body=body, headers=dict(headers or {}))
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


# ---- tests ---------------------------------------------------------------------------------


def test_diagnosis_progress_and_final_event():
    u = new_user("ev")
    rid = ready_resume(u, "zh_backend_strong.txt")
    t0 = time.monotonic()
    d = diagnose(u, rid)
    s = Subscription(d["task_id"], token=u["access"], timeout=10)
    s.wait()
    assert s.status == 200, "subscribe: %r %r" % (s.status, s.body)
    ct = s.resp_headers.get("Content-Type", "")
    assert ct.startswith("text/event-stream"), ct
    states = [(e["state"], e["progress"]) for _, e in s.events]
    print("     events: %r" % states)
    fin = s.final
    assert fin is not None, "no final event within 10 s: %r (error %r)" % (states, s.error)
    assert fin["state"] == "done" and fin["progress"] == 100, fin
    assert fin["task_id"] == d["task_id"] and fin["type"] == "analysis.run", fin
    running = [e for _, e in s.events if e["state"] == "running"]
    assert running, "no progress event before the final one: %r" % states
    assert all(0 <= e["progress"] <= 100 and e["task_id"] == d["task_id"] for e in running), running
    progs = [e["progress"] for e in running]
    assert progs == sorted(progs), "progress goes backwards: %r" % progs
    assert s.events[-1][1] is fin, "events after the final one: %r" % states
    assert isinstance(fin.get("result"), dict), fin
    ids = [ev.get("id") for ev in s.raw]
    assert all(ids) and len(set(ids)) == len(ids), "SSE ids %r" % ids
    print("     POST -> final event: %.0f ms" % ((s.events[-1][0] - t0) * 1000))

    # GET /api/v1/tasks/{id} agrees with the final event
    t = task(u, d["task_id"])
    assert t["state"] == fin["state"] and t["progress"] == fin["progress"], (t, fin)
    assert t["result"] == fin["result"], "task result %r != event result %r" % (t["result"], fin["result"])
    assert t["type"] == fin["type"] and t["id"] == fin["task_id"], (t, fin)


def test_subscribe_after_the_task_finished_replays_the_events():
    u = new_user("ev2")
    rid = ready_resume(u, "zh_backend_medium.txt")
    d = diagnose(u, rid)
    zmtest.wait_for(lambda: task(u, d["task_id"])["state"] == "done", timeout=30, what="task done")
    time.sleep(0.2)
    s = Subscription(d["task_id"], token=u["access"], timeout=5).wait()
    assert s.status == 200, (s.status, s.body)
    fin = s.final
    assert fin and fin["state"] == "done" and fin["progress"] == 100, [e for _, e in s.events]
    assert any(e["state"] == "running" for _, e in s.events), "buffered progress events missing: %r" % s.events
    # twice: the buffer is not consumed by a subscriber
    s2 = Subscription(d["task_id"], token=u["access"], timeout=5).wait()
    assert s2.final == fin, (s2.final, fin)


def test_authorization_header_works_too():
    """Non-browser clients may send the token as a header instead of ?access_token."""
    u = new_user("ev3")
    rid = ready_resume(u)
    d = diagnose(u, rid)
    s = Subscription(d["task_id"], header_token=u["access"], timeout=10).wait()
    assert s.status == 200, (s.status, s.body)
    assert s.final and s.final["state"] == "done", s.events


def test_other_users_and_bad_tokens_are_refused():
    u, other = new_user("ev4"), new_user("ev5")
    rid = ready_resume(u)
    d = diagnose(u, rid)
    tid = d["task_id"]
    zmtest.wait_for(lambda: task(u, tid)["state"] == "done", timeout=30, what="task done")
    cases = [
        ("a garbage token", dict(token="garbage")),
        ("a forged JWT", dict(token=u["access"][:-4] + ("AAAA" if not u["access"].endswith("AAAA") else "BBBB"))),
        ("no token", dict()),
        ("an empty token", dict(token="")),
    ]
    for what, kw in cases:
        s = Subscription(tid, timeout=5, **kw).wait()
        assert s.status == 401, "%s: expected 401, got %r %r" % (what, s.status, s.body)
        assert not s.events, "%s: got events %r" % (what, s.events)
    # somebody else's task answers 404 like one that does not exist (and like GET /api/v1/tasks/{id}
    # for either): existence does not leak
    for what, t, kw in (("another user's token", tid, dict(token=other["access"])),
                        ("another user's token as a header", tid, dict(header_token=other["access"])),
                        ("an unknown task", tid + 10 ** 9, dict(token=u["access"])),
                        ("an unknown task", 999999999999, dict(token=u["access"]))):
        s = Subscription(t, timeout=5, **kw).wait()
        assert s.status == 404, "%s (task %d): expected 404, got %r %r" % (what, t, s.status, s.body)
        assert json.loads(s.body)["error"]["code"] == "not_found", "%s: %r" % (what, s.body)
        assert not s.events, "%s: got events %r" % (what, s.events)
    zmtest.expect_404(request("GET", "/api/v1/tasks/%d" % tid, token=other["access"]), "GET another user's task")
    # not a task id at all: no such location (the channel namespace is task_<digits> only)
    for p in ("/api/v1/events/tasks/abc", "/api/v1/events/tasks/-1", "/api/v1/events/tasks/1/x"):
        s = Subscription(None, token=u["access"], timeout=5, path=p).wait()
        assert s.status == 404 and not s.events, "%s: %r" % (p, s.status)
    # the owner, for contrast
    s = Subscription(tid, token=u["access"], timeout=5).wait()
    assert s.status == 200 and s.final and s.final["state"] == "done", (s.status, s.events)


def test_authorizer_answers_owners_only():
    """GET /api/v1/events/auth/{id}, which nginx asks (through /_events/auth/, internal): 204 for the
    owner; 404 for anyone else and for a task that does not exist, as GET /api/v1/tasks/{id} answers
    (no oracle beyond what that tells); 401 without a valid token."""
    u, other = new_user("ev6"), new_user("ev6b")
    rid = ready_resume(u)
    d = diagnose(u, rid)
    tid = d["task_id"]
    r = request("GET", "/api/v1/events/auth/%d" % tid, token=u["access"])
    assert r.status == 204, r
    for what, path, tok in (("other user", "/api/v1/events/auth/%d" % tid, other["access"]),
                            ("unknown task", "/api/v1/events/auth/%d" % (tid + 10 ** 9), u["access"]),
                            ("huge id", "/api/v1/events/auth/99999999999999999999999", u["access"]),
                            ("not a number", "/api/v1/events/auth/abc", u["access"]),
                            ("zero", "/api/v1/events/auth/0", u["access"])):
        r = request("GET", path, token=tok)
        zmtest.expect_error(r, 404, "not_found")
    r = request("GET", "/api/v1/events/auth/%d" % tid)
    assert r.status == 401, r
    r = request("GET", "/api/v1/events/auth/%d" % tid, token="garbage")
    assert r.status == 401, r
    # the internal hop itself is not reachable from outside
    r = request("GET", "/_events/auth/%d?access_token=%s" % (tid, u["access"]))
    assert r.status == 404, r


def test_cors_same_origin_unless_configured():
    """A page on another origin must not read a subscriber's stream: nchan by default echoes any
    Origin with Access-Control-Allow-Credentials: true.  Without events.allow_origins (the test
    stack's default), only this site's own origin (or no Origin: same-origin EventSource sends
    none) is served, and credentials are never allowed (the token is not a cookie)."""
    u = new_user("ev10")
    rid = ready_resume(u)
    tid = diagnose(u, rid)["task_id"]
    zmtest.wait_for(lambda: task(u, tid)["state"] == "done", timeout=30, what="task done")
    for origin in ("https://evil.example", "null", "http://127.0.0.1.evil.example", zmtest.URL + ".evil.example"):
        s = Subscription(tid, token=u["access"], timeout=5, headers={"Origin": origin}).wait()
        assert s.status == 403, "Origin %s: expected 403, got %r" % (origin, s.status)
        assert not s.events, "Origin %s: got events %r" % (origin, s.events)
        assert "Access-Control-Allow-Origin" not in s.resp_headers, "Origin %s: %r" % (origin, s.resp_headers)
        assert "Access-Control-Allow-Credentials" not in s.resp_headers, "Origin %s: %r" % (origin, s.resp_headers)
    # the site itself, with and without an Origin header
    for hdrs in ({}, {"Origin": zmtest.URL}):
        s = Subscription(tid, token=u["access"], timeout=5, headers=hdrs).wait()
        assert s.status == 200 and s.final and s.final["state"] == "done", (hdrs, s.status, s.events)
        assert "Access-Control-Allow-Credentials" not in s.resp_headers, (hdrs, s.resp_headers)
        assert s.resp_headers.get("Access-Control-Allow-Origin") in (None, zmtest.URL), (hdrs, s.resp_headers)


def test_publisher_is_loopback_only():
    """nginx allows the publisher to 127.0.0.1 and ::1 only.  The stack listens on 127.0.0.1, so this
    test is itself a loopback peer: it can show that a request relayed by a proxy (X-Real-IP or
    X-Forwarded-For naming a client) is refused, that nothing under /api/ publishes, and that the
    worker's plain loopback POST is accepted."""
    u = new_user("ev7")
    rid = ready_resume(u)
    d = diagnose(u, rid)
    tid = d["task_id"]
    zmtest.wait_for(lambda: task(u, tid)["state"] == "done", timeout=30, what="task done")
    forged = json.dumps({"task_id": tid, "type": "analysis.run", "state": "failed", "progress": 0, "final": True})
    for h in ({"X-Real-IP": "8.8.8.8"}, {"X-Forwarded-For": "8.8.8.8"}, {"X-Real-IP": "127.0.0.1"}):
        st, body = publish("task_%d" % tid, forged, h)
        assert st == 403, "publish with %r: %r %r" % (h, st, body)
    # the subscriber location and the rest of /api/ do not publish
    for m, p in (("POST", "/api/v1/events/tasks/%d" % tid), ("PUT", "/api/v1/events/tasks/%d" % tid),
                 ("DELETE", "/api/v1/events/tasks/%d" % tid), ("POST", "/api/_events/pub/task_%d" % tid),
                 ("POST", "/api/v1/events/pub/task_%d" % tid)):
        r = request(m, p, forged.encode(), headers={"Content-Type": "application/json"}, token=u["access"])
        assert r.status >= 400, "%s %s: %r" % (m, p, r)
    # bad channel names are no publisher location
    st, _ = publish("task_1%20x", "{}")
    assert st == 404, st
    st, _ = publish("", "{}")
    assert st == 404, st
    # nothing forged reached the channel: the replay ends with the worker's "done"
    s = Subscription(tid, token=u["access"], timeout=5).wait()
    assert s.status == 200 and s.final and s.final["state"] == "done", s.events
    assert all(e["state"] != "failed" for _, e in s.events), s.events
    # the worker's way (a loopback peer, no proxy headers) is accepted
    st, body = publish("test_%d" % tid, '{"ping":1}', {"Content-Type": "application/json"})
    assert st in (201, 202), (st, body)


def test_failed_and_retried_tasks_publish_their_error():
    u = new_user("ev8")
    tid = worker_enqueue("test.fail", {"permanent": True}, u["id"], "--max-attempts", "1")
    s = Subscription(tid, token=u["access"], timeout=10).wait()
    assert s.status == 200, (s.status, s.body)
    fin = s.final
    assert fin and fin["state"] == "failed", s.events
    assert fin["error"]["reason"] == "failing for good, as asked", fin
    t = task(u, tid)
    assert t["state"] == "failed" and t["error"] == fin["error"], (t, fin)

    # one retry (backoff 1 s in the test stack): "queued" with the error, then "done"
    tid = worker_enqueue("test.fail", {"times": 1}, u["id"], "--max-attempts", "3")
    s = Subscription(tid, token=u["access"], timeout=15).wait()
    states = [e["state"] for _, e in s.events]
    assert states[0] == "queued" and states[-1] == "done", states
    assert s.events[0][1]["error"]["attempts"] == 1 and s.events[0][1]["final"] is False, s.events[0]
    assert s.final["result"] == {"attempts": 2}, s.final


def test_progress_events_stream_live():
    """A longer task: progress events arrive while it runs, not all at the end."""
    u = new_user("ev9")
    tid = worker_enqueue("test.sleep", {"ms": 600}, u["id"])
    s = Subscription(tid, token=u["access"], timeout=10).wait()
    assert s.status == 200 and s.final and s.final["state"] == "done", s.events
    running = [(t, e) for t, e in s.events if e["state"] == "running"]
    assert len(running) >= 3, [e for _, e in s.events]
    spread = running[-1][0] - running[0][0]
    assert spread > 0.2, "progress events came in a burst (%.0f ms): not live" % (spread * 1000)
    assert s.final["result"] == {"slept_ms": 600}, s.final


def test_tasks_without_owner_publish_nothing():
    out = subprocess.run([os.path.join(zmtest.ENV["ZM_BUILD"], "zhimai-worker"), "-c", zmtest.ENV["ZM_CONF"],
                          "enqueue", "test.echo", '{"x":1}'], check=True, capture_output=True, text=True).stdout
    tid = int(out.strip())
    time.sleep(0.5)
    c = http.client.HTTPConnection(U.hostname, U.port, timeout=5)
    c.request("GET", "/_events/pub/task_%d" % tid, headers={"Accept": "application/json"})
    r = c.getresponse()
    r.read()
    c.close()
    assert r.status == 404, "channel task_%d exists (%d): an ownerless task published" % (tid, r.status)


if __name__ == "__main__":
    zmtest.main(globals())
