"""Helpers for integration tests against a running stack (./dev up with ZM_VAR).

Each test file defines test_* functions and ends with `zmtest.main(globals())`,
which runs them in order and prints 'N passed, M failed'.
"""
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid

VAR = os.environ.get("ZM_VAR") or os.path.join(os.path.dirname(__file__), "..", "..", "var")
ENV = {}
with open(os.path.join(VAR, "stack.env")) as f:
    for line in f:
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            ENV[k] = v
URL = ENV["ZM_URL"]
ROOT = ENV["ZM_ROOT"]

RUN = uuid.uuid4().hex[:8]  # tags every email of this run
PASSWORD = "Tr0ub4dor&3-zm"
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "analysis")  # sample resumes, JDs
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")

# Client addresses the test files pose as: one range of 127.0.0.0/8 per file, so that files sharing
# a stack do not use up each other's per-IP rate limits.  A test connects *from* such an address
# (request(..., ip=...)): nginx and the app believe the TCP peer, never a header, so an X-Real-IP
# header would only be ignored.  127.0.0.1 itself is left to requests without ip= (and the browser
# journey).  Elsewhere: test_core.py uses 127.77.0.x.
IP_RANGES = {
    "test_auth.py": "127.9.",
    "test_resumes.py": "127.12.",
    "test_analysis_api.py": "127.13.",
    "test_events.py": "127.14.",
    "test_llm_remote.py": "127.15.",
    "test_edge.py": "127.16.",
    "test_robust.py": "127.21.",
    "test_routes.py": "127.22.",
    "test_partners.py": "127.23.",
    "test_jobs.py": "127.24.",
    "test_live.py": "127.25.",
    "test_points.py": "127.27.",
    "test_matching.py": "127.26.",
    "test_payments.py": "127.28.",
    "test_inspect.py": "127.29.",
    "test_matching_rerank.py": "127.34.",
    "test_content.py": "127.32.",
    "test_messages.py": "127.31.",
    "test_stats.py": "127.33.",
    "test_tickets.py": "127.35.",
    "test_interview.py": "127.36.",
    "test_speech.py": "127.37.",
}
# headers a test might believe pose as a client; nginx overwrites them (see request())
_SPOOF_HEADERS = ("x-real-ip", "x-forwarded-for")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


class _SourceHandler(urllib.request.HTTPHandler):
    """Connects from a given local address (a 127.x.y.z client address)."""

    def __init__(self, ip):
        super().__init__()
        self.ip = ip

    def http_open(self, req):
        return self.do_open(http.client.HTTPConnection, req, source_address=(self.ip, 0))


def _check_spoof(hdrs, spoof):
    if not spoof:
        bad = [k for k in hdrs if k.lower() in _SPOOF_HEADERS]
        assert not bad, ("%s: nginx and the app ignore it; pose as a client with ip=fresh_ip() (or pass "
                         "spoof=True to test that it is ignored)" % bad)


def request(method, path, body=None, headers=None, token=None, timeout=30, ip=None, spoof=False):
    """One HTTP request through nginx; body may be a dict (sent as JSON) or bytes.  ip: the local
    address to connect from (the client address nginx and the app see); default 127.0.0.1."""
    hdrs = dict(headers or {})
    _check_spoof(hdrs, spoof)
    data = None
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    elif body is not None:
        data = body if isinstance(body, bytes) else body.encode()
    if token:
        hdrs["Authorization"] = "Bearer " + token
    req = urllib.request.Request(URL + path, data=data, method=method, headers=hdrs)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _SourceHandler(ip)) if ip else None
    try:
        with (opener.open if opener else urllib.request.urlopen)(req, timeout=timeout) as r:
            return Response(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, e.headers, e.read())


def get(path, **kw):
    return request("GET", path, **kw)


def post(path, body=None, **kw):
    return request("POST", path, body, **kw)


def expect_error(resp, status, code=None):
    """The response is the JSON error envelope with this status (and code)."""
    assert resp.status == status, "expected %d, got %r" % (status, resp)
    assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers
    j = resp.json
    assert j["success"] is False, j
    assert isinstance(j["error"]["message"], str) and j["error"]["message"], j
    if code:
        assert j["error"]["code"] == code, j
    return j


# ---- JSON envelopes ----------------------------------------------------------------------


def data_of(r, status=200, what="request"):
    """The data of a JSON success envelope with this status."""
    assert r.status == status, "%s: expected %d, got %r" % (what, status, r)
    ct = r.headers.get("Content-Type", "")
    assert ct.startswith("application/json"), "%s: Content-Type %r, body %r" % (what, ct, r)
    j = r.json
    assert j.get("success") is True and "data" in j, "%s: not a success envelope: %r" % (what, j)
    return j["data"]


def expect_field(r, field, status=400, code="validation_error", what="request"):
    """The error envelope with fields[field] = a non-empty list of messages."""
    assert r.status == status, "%s: expected %d %s on fields.%s, got %r" % (what, status, code, field, r)
    j = expect_error(r, status)
    assert j["error"]["code"] == code, "%s: expected %d %s on fields.%s, got %r" % (what, status, code, field, r)
    msgs = (j["error"].get("fields") or {}).get(field)
    assert isinstance(msgs, list) and msgs and all(isinstance(m, str) and m for m in msgs), \
        "%s: expected fields.%s as a list of messages, got error %r" % (what, field, j["error"])
    return j


def expect_404(r, what):
    assert r.status == 404, "%s: expected 404 not_found, got %r" % (what, r)
    j = expect_error(r, 404)
    assert j["error"]["code"] == "not_found", "%s: expected 404 not_found, got %r" % (what, r)


# ---- users -------------------------------------------------------------------------------

_ip_lock = threading.Lock()
_ip_next = [random.randrange(0, 50000)]


def fresh_ip(prefix=None):
    """A client address nobody else in this run has used (for ip=: a loopback address to connect
    from), in the range of IP_RANGES for the file being run unless prefix ("127.12.") is given."""
    if prefix is None:
        name = os.path.basename(sys.argv[0])
        assert name in IP_RANGES, "%s has no address range: add it to zmtest.IP_RANGES" % name
        prefix = IP_RANGES[name]
    with _ip_lock:
        n = _ip_next[0] % 65536
        _ip_next[0] += 1
    return "%s%d.%d" % (prefix, n // 256, n % 256)


def new_email(tag="u"):
    return "%s-%s-%s@example.com" % (tag, RUN, uuid.uuid4().hex[:10])


def new_user(tag="u"):
    """Register and log in through the API, each from a fresh address: {"email", "id", "access"}."""
    email = new_email(tag)
    r = request("POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD}, ip=fresh_ip())
    data_of(r, 201, "register %s" % email)
    d = data_of(request("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}, ip=fresh_ip()),
                200, "login %s" % email)
    return {"email": email, "id": d["user"]["id"], "access": d["access"]}


def made_user(role, tag=None):
    """A user of role (seeker, hr, admin) made with the zhimai-admin CLI, as an operator does, and
    logged in through the API: {"email", "id", "access"}."""
    email = new_email(tag or role)
    out = subprocess.run([os.path.join(ENV["ZM_BUILD"], "zhimai-admin"), "-c", ENV["ZM_CONF"], "create-user",
                          "--email", email, "--role", role, "--password-stdin"], input=PASSWORD + "\n",
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, "zhimai-admin create-user: %s %s" % (out.stdout, out.stderr)
    d = data_of(request("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}, ip=fresh_ip()),
                200, "login %s" % email)
    assert d["user"]["role"] == role, d["user"]
    return {"email": email, "id": d["user"]["id"], "access": d["access"]}


_shared_users = {}


def shared_user(role, name="a", tag=None):
    """made_user(role, tag), made once per (role, name) for the whole file: the HR "a", the admin."""
    if (role, name) not in _shared_users:
        _shared_users[(role, name)] = made_user(role, tag)
    return _shared_users[(role, name)]


def call(method, path, user, body=None, ip=None):
    """request() as user (a dict with "access", or None for no token)."""
    return request(method, path, body, token=user["access"] if user else None, ip=ip)


# ---- uploads and resumes -----------------------------------------------------------------


def multipart(parts, boundary=None):
    """(body, content type) of multipart/form-data; parts: (field, data, filename or None, content type or None).

    Field data and file names may be str (sent as UTF-8, as browsers do) or bytes (sent as is)."""
    boundary = boundary or "----zmtestBoundary" + uuid.uuid4().hex
    b = boundary.encode()
    out = []
    for field, data, filename, ctype in parts:
        if isinstance(data, str):
            data = data.encode("utf-8")
        disp = b'Content-Disposition: form-data; name="' + field.encode() + b'"'
        if filename is not None:
            fn = filename.encode("utf-8") if isinstance(filename, str) else filename
            disp += b'; filename="' + fn + b'"'
        out.append(b"--" + b + b"\r\n" + disp + b"\r\n")
        if ctype:
            out.append(b"Content-Type: " + ctype.encode() + b"\r\n")
        out.append(b"\r\n" + data + b"\r\n")
    out.append(b"--" + b + b"--\r\n")
    return b"".join(out), "multipart/form-data; boundary=" + boundary


def raw(method, path, body=b"", headers=None, token=None, timeout=60, ip=None, spoof=False):
    """A request with http.client (no proxy from the environment): big bodies sent in chunks; a server
    that answers early and resets the connection while we still send is read anyway.  ip, spoof: as
    for request()."""
    u = urllib.parse.urlsplit(URL)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout, source_address=(ip, 0) if ip else None)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        hdrs = dict(headers or {})
        _check_spoof(hdrs, spoof)
        if token:
            hdrs["Authorization"] = "Bearer " + token
        for k, v in hdrs.items():
            c.putheader(k, v)
        c.putheader("Content-Length", str(len(body)))
        c.endheaders()
        err = None
        view = memoryview(body)
        try:
            for i in range(0, len(body), 1 << 16):
                c.send(view[i:i + (1 << 16)])
        except (BrokenPipeError, ConnectionResetError) as e:
            err = e
        try:
            r = c.getresponse()
            return Response(r.status, r.headers, r.read())
        except (ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError) as e:
            raise AssertionError("%s %s: no response (send error %r, then %r)" % (method, path, err, e))
    finally:
        c.close()


def upload(token, data, filename="resume.txt", name=None, comment=None, ctype="application/octet-stream",
           path="/api/resumes", extra=()):
    """POST a file (and optional name, comment, extra parts) as multipart/form-data."""
    parts = [("file", data, filename, ctype)]
    if name is not None:
        parts.append(("name", name, None, None))
    if comment is not None:
        parts.append(("comment", comment, None, None))
    parts.extend(extra)
    body, ct = multipart(parts)
    return raw("POST", path, body, {"Content-Type": ct}, token=token)


def sample(name):
    """The bytes of a sample file under tests/data/analysis."""
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


_jd = []


def jd():
    """The sample job description (Chinese, Python backend)."""
    if not _jd:
        _jd.append(sample("jd_zh_python_backend.txt").decode("utf-8"))
    return _jd[0]


def wait_status(user, rid, want=("done", "failed"), timeout=30.0):
    """GET /api/resumes/{rid} until versions[0].text_status is one of want; the resume."""
    last = [None]

    def check():
        d = data_of(request("GET", "/api/resumes/" + rid, token=user["access"]), 200, "GET /api/resumes/" + rid)
        last[0] = d
        return d if d["versions"][0]["text_status"] in want else None
    try:
        return wait_for(check, timeout=timeout, step=0.05, what="text extraction")
    except AssertionError:
        raise AssertionError("resume %s: text_status not in %r within %.0f s; last %r" % (rid, want, timeout, last[0]))


def ready_resume(user, name="zh_backend_strong.txt"):
    """An uploaded sample resume (tests/data/analysis) whose text extraction is done; its id."""
    res = data_of(upload(user["access"], sample(name), name), 201, "upload %s to /api/resumes" % name)
    assert UUID_RE.match(res["id"]), res
    d = wait_status(user, res["id"])
    assert d["versions"][0]["text_status"] == "done", "extraction of %s: %r" % (name, d["versions"][0])
    return res["id"]


def poll_task(user, task_id, timeout=60.0, step=0.02):
    """GET /api/v1/tasks/{id} until the task is done or failed; the task."""
    last = [None]

    def check():
        d = data_of(request("GET", "/api/v1/tasks/%d" % task_id, token=user["access"]), 200,
                    "GET /api/v1/tasks/%d" % task_id)
        last[0] = d
        return d if d["state"] in ("done", "failed") else None
    try:
        return wait_for(check, timeout=timeout, step=step, what="task")
    except AssertionError:
        raise AssertionError("task %d not finished within %.0f s; last %r" % (task_id, timeout, last[0]))


# ---- database, processes, time -----------------------------------------------------------


def sql_str(s):
    """s as a quoted SQL string literal."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sql(query):
    """Rows of a query as lists of strings (via the mariadb client)."""
    out = subprocess.run(
        ["mariadb", "--defaults-file=" + os.path.join(VAR, "client.cnf"), "-N", "-B", "-e", query],
        check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def dev(*args):
    env = dict(os.environ, ZM_VAR=VAR, ZM_BUILD=ENV["ZM_BUILD"])
    return subprocess.run([os.path.join(ROOT, "dev")] + list(args), check=True, env=env,
                          capture_output=True, text=True).stdout


def restart_daemons(prefixes, overrides=None):
    """Stop and start zhimai-fcgi and zhimai-worker with the environment's variables that start with
    prefixes (a tuple, e.g. ("ZM_LLM_",)) replaced by overrides (None or {}: none, the stack's own
    configuration), then wait for /healthz.  With overrides, *_proxy variables are dropped too: libcurl
    honours them, and nothing may come between the daemons and a fake on loopback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    if overrides:
        env = {k: v for k, v in env.items() if "proxy" not in k.lower()}
        env.update(overrides)
    env["ZM_VAR"] = VAR
    env["ZM_BUILD"] = ENV["ZM_BUILD"]
    for cmd in ("worker-stop", "fcgi-stop", "fcgi-start", "worker-start"):
        p = subprocess.run([os.path.join(ROOT, "dev"), cmd], env=env, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("./dev %s failed (%d): %s %s" % (cmd, p.returncode, p.stdout, p.stderr))
    wait_for(lambda: request("GET", "/healthz").status == 200, timeout=30, what="/healthz after a restart")


def pidfile(name):
    with open(os.path.join(VAR, "run", name)) as f:
        return int(f.read().strip())


def children(pid):
    """Child pids of pid, from /proc."""
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                kids.append(int(d))
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return sorted(kids)


def wait_for(cond, timeout=10.0, step=0.05, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out waiting for " + what)


def burst(calls):
    """Run the callables at once (one thread each, released together); their results in order."""
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i):
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as e:  # a refused connection is a result too
            results[i] = repr(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main(ns):
    tests = [(n, f) for n, f in ns.items() if n.startswith("test_") and callable(f)]
    only = sys.argv[1:]
    passed = failed = 0
    for name, fn in tests:
        if only and name not in only:
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print("ok   %s (%.2fs)" % (name, time.time() - t0), flush=True)
        except Exception:
            failed += 1
            print("FAIL %s" % name, flush=True)
            traceback.print_exc()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
