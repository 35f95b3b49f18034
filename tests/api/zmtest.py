"""Helpers for integration tests against a running stack (./dev up with ZM_VAR).

Each test file defines test_* functions and ends with `zmtest.main(globals())`,
which runs them in order and prints 'N passed, M failed'.
"""
import json
import os
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request

VAR = os.environ.get("ZM_VAR") or os.path.join(os.path.dirname(__file__), "..", "..", "var")
ENV = {}
with open(os.path.join(VAR, "stack.env")) as f:
    for line in f:
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            ENV[k] = v
URL = ENV["ZM_URL"]
ROOT = ENV["ZM_ROOT"]


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


def request(method, path, body=None, headers=None, token=None, timeout=30):
    """One HTTP request through nginx; body may be a dict (sent as JSON) or bytes."""
    hdrs = dict(headers or {})
    data = None
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    elif body is not None:
        data = body if isinstance(body, bytes) else body.encode()
    if token:
        hdrs["Authorization"] = "Bearer " + token
    req = urllib.request.Request(URL + path, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
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
