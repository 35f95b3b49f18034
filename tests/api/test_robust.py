"""Robustness against bad input and a bad database: JSON bodies that are not valid Unicode are a 400
(never a 500, never stored), and a frozen MariaDB (SIGSTOP) makes requests answer 503 within the
configured timeouts instead of hanging, with everything recovering by itself after SIGCONT."""
import json
import os
import signal
import subprocess

import zmtest
from zmtest import data_of, expect_error, get, request

BUILD = zmtest.ENV["ZM_BUILD"]
CONF = zmtest.ENV["ZM_CONF"]
LOG = os.path.join(zmtest.VAR, "log", "zhimai.log")

# one for each form of bad Unicode in a JSON string: raw bytes json-c lets through, and escapes it
# would turn into U+FFFD
BAD_BYTES = {
    "overlong C0 AF": b"\xc0\xaf",
    "overlong E0 80 AF": b"\xe0\x80\xaf",
    "overlong F0 8F BF BF": b"\xf0\x8f\xbf\xbf",
    "above U+10FFFF": b"\xf4\x90\x80\x80",
    "F5 lead byte": b"\xf5\x80\x80\x80",
    "FF byte": b"\xff",
    "surrogate ED A0 80": b"\xed\xa0\x80",
}
BAD_ESCAPES = {
    "lone high \\ud800": b"\\ud800",
    "lone low \\udc00": b"\\udc00",
    "high then a letter": b"\\ud800x",
    "two highs": b"\\ud800\\ud800",
    "pair reversed": b"\\ude00\\ud83d",
}


def log_size():
    return os.path.getsize(LOG) if os.path.exists(LOG) else 0


def log_since(offset):
    with open(LOG, "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace").splitlines()


def send(method, path, body, token=None):
    """body (bytes, sent as they are) as application/json, from an address of this file's range."""
    return request(method, path, body, headers={"Content-Type": "application/json"}, ip=zmtest.fresh_ip(),
                   token=token)


def strict_json(r):
    """The body as JSON, refusing what a strict client refuses: bytes that are not UTF-8."""
    return json.loads(r.body.decode("utf-8", "strict"))


def test_bad_unicode_in_login_is_400():
    start = log_size()
    for what, bad in list(BAD_BYTES.items()) + list(BAD_ESCAPES.items()):
        body = b'{"email":"a' + bad + b'@example.com","password":"Tr0ub4dor&3-zm"}'
        r = send("POST", "/api/v1/auth/login", body)
        code = "invalid_json" if bad.startswith(b"\\") else "invalid_utf8"
        assert r.status == 400, "login with %s: expected 400 %s, got %r" % (what, code, r)
        expect_error(r, 400, code)
    # nothing reached the database: no error logged for any of them
    errors = [l for l in log_since(start) if "[error]" in l]
    assert not errors, errors


def test_bad_unicode_in_register_is_400():
    for what, bad in BAD_BYTES.items():
        body = b'{"email":"%s@example.com","password":"Tr0ub4dor&3-zm","username":"u' % \
            zmtest.new_email("bad").split("@")[0].encode() + bad + b'"}'
        r = send("POST", "/api/v1/auth/register", body)
        assert r.status == 400, "register with %s: expected 400, got %r" % (what, r)
        expect_error(r, 400, "invalid_utf8")


def test_surrogates_are_not_stored():
    user = zmtest.new_user("robust")
    before = strict_json(get("/api/v1/auth/me", token=user["access"]))["data"]
    for what, bad in list(BAD_BYTES.items()) + list(BAD_ESCAPES.items()):
        r = send("PATCH", "/api/v1/auth/me", b'{"first_name":"x' + bad + b'"}', token=user["access"])
        assert r.status == 400, "PATCH me with %s: expected 400, got %r" % (what, r)
        me = get("/api/v1/auth/me", token=user["access"])
        assert me.status == 200, me
        # what goes out is valid UTF-8 and unchanged
        assert strict_json(me)["data"]["first_name"] == before["first_name"], (what, me)
    # a surrogate pair, escaped, is one character and kept as such
    r = send("PATCH", "/api/v1/auth/me", b'{"first_name":"x\\ud83d\\ude00"}', token=user["access"])
    data_of(r, 200, "PATCH me with an escaped surrogate pair")
    assert strict_json(get("/api/v1/auth/me", token=user["access"]))["data"]["first_name"] == "x\U0001F600"


# ---- a frozen database ------------------------------------------------------------------------


def conf_int(key, default):
    """A key of the stack's configuration (the default when this build does not know the key)."""
    out = subprocess.run([os.path.join(BUILD, "zhimai-fcgi"), "-c", CONF, "--get", key], capture_output=True,
                         text=True)
    return int(out.stdout) if out.returncode == 0 and out.stdout.strip() else default


def proc_state(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def answered(what, fn, bound):
    """fn() within bound + 5 s: a client timeout generous enough that only a hang trips it."""
    try:
        return fn(bound + 5)
    except OSError as e:  # urllib's timeout and the like
        raise AssertionError("%s: no answer within %d s (the timeouts allow %d s): %r" % (what, bound + 5, bound, e))


def expect_503(r, what):
    assert r.status == 503, "%s: expected 503, got %r" % (what, r)
    expect_error(r, 503, "service_unavailable")
    assert r.headers.get("Retry-After"), "%s: no Retry-After: %r" % (what, dict(r.headers))


def worker(*args, timeout=None):
    return subprocess.run([os.path.join(BUILD, "zhimai-worker"), "-c", CONF] + list(args), capture_output=True,
                          text=True, timeout=timeout)


def test_frozen_database_answers_503_and_recovers():
    # a call waits at most one connect timeout or one read or write timeout for a server that does not
    # answer; their sum is a generous bound for a request (the defaults where the build has no such key)
    bound = conf_int("db.connect_timeout", 2) + conf_int("db.read_timeout", 5) + conf_int("db.write_timeout", 5)
    user = zmtest.new_user("robust")
    data_of(get("/api/resumes", token=user["access"]), 200, "GET /api/resumes")
    runners = zmtest.children(zmtest.pidfile("zhimai-worker.pid"))
    assert runners, "no zhimai-worker runners"
    mysqld = zmtest.pidfile(os.path.join("db", "mysqld.pid"))
    start = log_size()
    os.kill(mysqld, signal.SIGSTOP)
    try:
        zmtest.wait_for(lambda: proc_state(mysqld) == "T", timeout=5, what="mysqld stopped")
        expect_503(answered("/healthz", lambda t: get("/healthz", timeout=t), bound), "/healthz")
        expect_503(answered("GET /api/resumes", lambda t: get("/api/resumes", token=user["access"], timeout=t),
                            bound), "GET /api/resumes")
        # zhimai-worker's runners poll the queue: they give up on the frozen server too, and say so
        tags = tuple("%d: db: connection lost" % p for p in runners) + tuple("%d: claiming a task" % p for p in runners)
        zmtest.wait_for(lambda: any(t in l for l in log_since(start) for t in tags), timeout=bound + 5,
                        what="zhimai-worker's runners to give up on the frozen database")
        # and its operator commands end with an error instead of hanging
        out = answered("zhimai-worker get", lambda t: worker("get", "1", timeout=t), bound)
        assert out.returncode == 1 and "zhimai-worker:" in out.stderr, out
    finally:
        os.kill(mysqld, signal.SIGCONT)

    # everything comes back by itself: connections are made anew, nothing is restarted
    zmtest.wait_for(lambda: get("/healthz").status == 200, timeout=30, what="/healthz 200 after SIGCONT")
    zmtest.wait_for(lambda: get("/api/resumes", token=user["access"]).status == 200, timeout=30,
                    what="GET /api/resumes 200 after SIGCONT")
    data_of(get("/api/resumes", token=user["access"]), 200, "GET /api/resumes after SIGCONT")
    tid = int(worker("enqueue", "test.echo", '{"robust":1}', timeout=30).stdout.strip())

    def done():
        out = worker("get", str(tid), timeout=30)
        return out.returncode == 0 and json.loads(out.stdout)["state"] == "done"
    zmtest.wait_for(done, timeout=60, step=0.2, what="a task run by zhimai-worker after SIGCONT")
    assert zmtest.children(zmtest.pidfile("zhimai-worker.pid")) == runners, "zhimai-worker's runners were replaced"


if __name__ == "__main__":
    zmtest.main(globals())
