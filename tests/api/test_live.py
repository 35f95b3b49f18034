#!/usr/bin/python3
"""A user's live channel through nginx's nchan, black-box (stdlib only).

GET /api/v1/events/users/{id}?access_token=<JWT> is an EventSource held by nginx (channel
user_<id>); nchan_authorize_request asks zhimai-fcgi (GET /api/v1/events/auth/users/{id}, through
the internal /_events/auth/users/) and only the token's own user is let in.  Domains publish hints
there after their commit (fcgi/tasks/live.h); here the jobs domain's application.status: an HR
status change, a withdrawal, a job closed or deleted; and application.new for the job's owner.

Needs a running stack (./dev up with ZM_TEST_STACK=1 and ZM_VAR):

    ZM_VAR=/tmp/livetest /usr/bin/python3 tests/api/test_live.py [test_name ...]
"""
import http.client
import json
import threading
import time
import urllib.parse
import uuid

import zmtest
from zmtest import call, data_of, expect_error, made_user, new_user, request, upload, wait_for

U = urllib.parse.urlsplit(zmtest.URL)
TAG = uuid.uuid4().hex[:6]


class Channel:
    """GET a user's event stream in a thread, collecting each event's data (parsed JSON) until
    close() or the timeout.  .status is the HTTP status once the response head came."""

    def __init__(self, user_id, token=None, header_token=None, headers=None, timeout=15.0, path=None):
        self.path = path or "/api/v1/events/users/%s" % user_id
        if token is not None:
            self.path += "?" + urllib.parse.urlencode({"access_token": token})
        self.headers = {"Accept": "text/event-stream"}
        self.headers.update(headers or {})
        if header_token:
            self.headers["Authorization"] = "Bearer " + header_token
        self.timeout = timeout
        self.status = None
        self.resp_headers = None
        self.body = b""
        self.events = []
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.finished = threading.Event()
        self._conn = None
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait(timeout)

    def _run(self):
        try:
            c = http.client.HTTPConnection(U.hostname, U.port, timeout=self.timeout)
            self._conn = c
            c.request("GET", self.path, headers=self.headers)
            r = c.getresponse()
            self.status, self.resp_headers = r.status, r.headers
            self.ready.set()
            if r.status != 200:
                self.body = r.read()
                return
            deadline = time.monotonic() + self.timeout
            data = None
            while time.monotonic() < deadline:
                line = r.fp.readline()
                if not line:
                    break
                line = line.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if data is not None:
                        with self.lock:
                            self.events.append(json.loads(data))
                    data = None
                elif line.startswith("data:"):
                    v = line[5:].lstrip(" ")
                    data = v if data is None else data + "\n" + v
        except Exception:  # a timeout or the socket closed by close()
            pass
        finally:
            self.ready.set()
            self.finished.set()

    def wait_event(self, pred, what, timeout=5.0):
        def seen():
            with self.lock:
                for e in self.events:
                    if pred(e):
                        return e
            return None
        return wait_for(seen, timeout=timeout, step=0.02, what="%s on %s (got %r)" % (what, self.path, self.events))

    def close(self):
        try:
            if self._conn and self._conn.sock:
                self._conn.sock.shutdown(2)
        except OSError:
            pass
        self.finished.wait(2)


def open_job(hr, name):
    j = data_of(call("POST", "/api/v1/hr/jobs", hr, {"name": name, "company": "测试公司", "city": "上海",
                                                     "salary": "20k-30k", "status": "open"}), 201, "create a job")
    return j["id"]


def seeker_with_resume(tag):
    s = new_user(tag)
    r = upload(s["access"], "李四 C语言 后端 三年经验".encode("utf-8"), "cv.txt")
    s["resume"] = data_of(r, 201, "upload a resume")["id"]
    return s


def apply(s, job_id):
    # the job reaches the seekers' read model through the sync task: retry until it is there
    def once():
        r = call("POST", "/api/v1/applications", s, {"job_id": job_id, "resume_id": s["resume"]})
        return r.json["data"] if r.status == 201 else None
    return wait_for(once, timeout=5, step=0.05, what="applying to job %d" % job_id)


# ---- tests ---------------------------------------------------------------------------------


def test_status_changes_reach_both_sides_live():
    hr, s = made_user("hr"), seeker_with_resume("live")
    job = open_job(hr, "直播推送工程师" + TAG)
    hr_ch = Channel(hr["id"], token=hr["access"])
    seeker_ch = Channel(s["id"], token=s["access"])
    assert hr_ch.status == 200 and seeker_ch.status == 200, (hr_ch.status, hr_ch.body, seeker_ch.status)
    assert seeker_ch.resp_headers.get("Content-Type", "").startswith("text/event-stream"), seeker_ch.resp_headers
    try:
        app = apply(s, job)
        ev = hr_ch.wait_event(lambda e: e.get("type") == "application.new" and e["application_id"] == app["id"],
                              "the owner learns of the applicant")
        assert ev["job_id"] == job and ev["status"] == "submitted", ev

        t0 = time.monotonic()
        data_of(call("PATCH", "/api/v1/hr/applications/%d" % app["id"], hr, {"status": "interviewing"}), 200,
                "HR moves it")
        ev = seeker_ch.wait_event(lambda e: e.get("status") == "interviewing", "the seeker's new status")
        print("     PATCH -> the seeker's message: %.0f ms" % ((time.monotonic() - t0) * 1000))
        assert ev["type"] == "application.status" and ev["application_id"] == app["id"], ev
        assert ev["job_id"] == job and ev["from"] == "submitted" and ev["status_text"] == "面试中", ev
        assert ev["job_name"] == "直播推送工程师" + TAG and isinstance(ev["at"], str), ev
        # the hint agrees with the truth: the row says the same
        r = data_of(call("GET", "/api/v1/hr/jobs/%d/applications" % job, hr), 200, "applicants")
        assert [x["status"] for x in r["items"] if x["id"] == app["id"]] == ["interviewing"], r

        # a refused move publishes nothing
        expect_error(call("PATCH", "/api/v1/hr/applications/%d" % app["id"], hr, {"status": "viewed"}), 409)

        # a page that subscribes now gets no replay of older messages (it reads the list when it
        # opens), only what comes next
        late = Channel(s["id"], token=s["access"])
        assert late.status == 200, late.status
        # the seeker withdraws: the owner's page hears it (and the seeker's other tabs)
        data_of(call("POST", "/api/v1/applications/%d/withdraw" % app["id"], s), 200, "withdraw")
        late.wait_event(lambda e: e.get("status") == "withdrawn", "the withdrawal on a later subscription")
        with late.lock:
            assert [e["status"] for e in late.events if e["type"] != "message.new"] == ["withdrawn"], late.events
        late.close()
        ev = hr_ch.wait_event(lambda e: e.get("status") == "withdrawn", "the owner hears the withdrawal")
        assert ev["application_id"] == app["id"] and ev["from"] == "interviewing", ev
        seeker_ch.wait_event(lambda e: e.get("status") == "withdrawn", "the seeker's own withdrawal")
        with seeker_ch.lock:
            # (the message center's message.new for the same change shares the channel)
            statuses = [e["status"] for e in seeker_ch.events if e["type"] != "message.new"]
        assert statuses == ["interviewing", "withdrawn"], "one message per committed change: %r" % statuses
    finally:
        hr_ch.close()
        seeker_ch.close()


def test_closing_and_deleting_a_job_reach_the_applicants():
    hr = made_user("hr")
    a, b = seeker_with_resume("la"), seeker_with_resume("lb")
    closing, deleting = open_job(hr, "关闭推送" + TAG), open_job(hr, "删除推送" + TAG)
    app_a = apply(a, closing)
    app_b = apply(b, deleting)
    ch_a, ch_b = Channel(a["id"], token=a["access"]), Channel(b["id"], header_token=b["access"])
    assert ch_a.status == 200 and ch_b.status == 200, (ch_a.status, ch_b.status)
    try:
        data_of(call("PATCH", "/api/v1/hr/jobs/%d" % closing, hr, {"status": "closed"}), 200, "close the job")
        ev = ch_a.wait_event(lambda e: e.get("application_id") == app_a["id"], "closed by the job's close")
        assert ev["status"] == "closed" and ev["close_reason"] == "职位已关闭" and ev["job_id"] == closing, ev
        assert call("DELETE", "/api/v1/hr/jobs/%d" % deleting, hr).status == 204
        ev = ch_b.wait_event(lambda e: e.get("application_id") == app_b["id"], "closed by the job's deletion")
        assert ev["status"] == "closed" and ev["close_reason"] == "职位已删除", ev
        # each applicant hears only of their own application
        time.sleep(0.3)
        with ch_a.lock, ch_b.lock:
            assert all(e["application_id"] == app_a["id"] for e in ch_a.events if e["type"] != "message.new"), ch_a.events
            assert all(e["application_id"] == app_b["id"] for e in ch_b.events if e["type"] != "message.new"), ch_b.events
    finally:
        ch_a.close()
        ch_b.close()


def test_only_the_user_may_listen():
    u, other = new_user("lo"), new_user("lo2")
    # another user's token, as a query parameter or a header: 403, no events
    for kw in (dict(token=other["access"]), dict(header_token=other["access"])):
        ch = Channel(u["id"], timeout=5, **kw)
        ch.finished.wait(5)
        assert ch.status == 403 and not ch.events, (kw.keys(), ch.status, ch.body)
        assert json.loads(ch.body)["error"]["code"] == "forbidden", ch.body
    # no token, an empty or a garbage one: 401
    for kw in (dict(), dict(token=""), dict(token="garbage"),
               dict(token=u["access"][:-4] + ("AAAA" if not u["access"].endswith("AAAA") else "BBBB"))):
        ch = Channel(u["id"], timeout=5, **kw)
        ch.finished.wait(5)
        assert ch.status == 401 and not ch.events, (kw, ch.status, ch.body)
    # not a user id: no such location, or no such channel
    for p in ("/api/v1/events/users/abc", "/api/v1/events/users/-1", "/api/v1/events/users/1/x",
              "/api/v1/events/users/"):
        ch = Channel(None, token=u["access"], timeout=5, path=p)
        ch.finished.wait(5)
        assert ch.status == 404 and not ch.events, (p, ch.status)
    # a page of another origin: 403 before any authorization, and no CORS credentials
    ch = Channel(u["id"], token=u["access"], timeout=5, headers={"Origin": "https://evil.example"})
    ch.finished.wait(5)
    assert ch.status == 403 and not ch.events, ch.status
    assert "Access-Control-Allow-Credentials" not in ch.resp_headers, ch.resp_headers
    # the user, from the site itself: a stream
    for hdrs in ({}, {"Origin": zmtest.URL}):
        ch = Channel(u["id"], token=u["access"], timeout=5, headers=hdrs)
        try:
            assert ch.status == 200, (hdrs, ch.status, ch.body)
            assert "Access-Control-Allow-Credentials" not in ch.resp_headers, ch.resp_headers
        finally:
            ch.close()


def test_authorizer_answers_the_user_only():
    u, other = new_user("la1"), new_user("la2")
    path = "/api/v1/events/auth/users/%d" % u["id"]
    assert call("GET", path, u).status == 204
    expect_error(call("GET", path, other), 403, "forbidden")
    for p in ("/api/v1/events/auth/users/0", "/api/v1/events/auth/users/abc",
              "/api/v1/events/auth/users/99999999999999999999999"):
        expect_error(call("GET", p, u), 404, "not_found")
    assert request("GET", path).status == 401
    assert request("GET", path, token="garbage").status == 401
    # the internal hop is not reachable from outside
    assert request("GET", "/_events/auth/users/%d?access_token=%s" % (u["id"], u["access"])).status == 404


def test_nobody_outside_publishes_to_a_user():
    """The publisher is loopback-only and refuses relayed requests (as for task channels): a
    client cannot forge a status message to a user's page."""
    u = new_user("lp")
    ch = Channel(u["id"], token=u["access"], timeout=5)
    try:
        assert ch.status == 200, ch.status
        forged = json.dumps({"type": "application.status", "application_id": 1, "status": "offered"})
        c = http.client.HTTPConnection(U.hostname, U.port, timeout=5)
        c.request("POST", "/_events/pub/user_%d" % u["id"], body=forged, headers={"X-Forwarded-For": "8.8.8.8"})
        r = c.getresponse()
        r.read()
        c.close()
        assert r.status == 403, r.status
        r = request("POST", "/api/v1/events/users/%d" % u["id"], forged.encode(),
                    headers={"Content-Type": "application/json"}, token=u["access"])
        assert r.status >= 400, r
        time.sleep(0.3)
        assert not ch.events, ch.events
    finally:
        ch.close()


if __name__ == "__main__":
    zmtest.main(globals())
