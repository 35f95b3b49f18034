#!/usr/bin/python3
"""The edge: what nginx lets through to the app, and what it answers itself.

- The client address is nginx's $remote_addr (after real_ip for a configured load balancer), never
  a header a client wrote: forged X-Real-IP / X-Forwarded-For from loopback escape no rate limit.
- Hostile paths answer a JSON 4xx (never a 5xx, never an HTML page under /api/).
- No access token in any log, whatever shape the URL has.
- The TLS deployment (nginx.tls_*): HSTS on every answer, plain HTTP redirected to HTTPS except the
  loopback probes, nginx's own JSON error pages with the app's security headers, a trusted load
  balancer's X-Forwarded-For believed and nobody else's, events.allow_origins.  That part runs a
  second nginx, rendered by ./dev from its own configuration with a self-signed certificate made
  here by openssl, on loopback ports, in front of the stack's zhimai-fcgi.

Needs a running stack (./dev up with ZM_TEST_STACK=1 and ZM_VAR):

    ZM_VAR=/tmp/edgetest /usr/bin/python3 tests/api/test_edge.py [test_name ...]
"""
import atexit
import json
import os
import random
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import time
import urllib.parse
import uuid

import zmtest
from zmtest import PASSWORD, burst, expect_error, fresh_ip, new_email, new_user, request, sql, sql_str

U = urllib.parse.urlsplit(zmtest.URL)
BUILD = zmtest.ENV["ZM_BUILD"]
CONF = zmtest.ENV["ZM_CONF"]
SECURITY_HEADERS = ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy",
                    "Permissions-Policy")


def conf_get(key, conf=CONF):
    return subprocess.run([os.path.join(BUILD, "zhimai-fcgi"), "-c", conf, "--get", key], check=True,
                          capture_output=True, text=True).stdout.strip()


def forged():
    """An address nobody uses, to put in a forged header (TEST-NET-2 plus a random tail)."""
    return "198.51.%d.%d" % (random.randrange(0, 256), random.randrange(1, 255))


def bucket_hits(bucket):
    """Every hit a rate-limit bucket has had, over all its windows."""
    rows = sql("SELECT COALESCE(SUM(hits), 0) FROM zm_rate_limit WHERE bucket = %s" % sql_str(bucket))
    return int(rows[0][0])


def clear_buckets(ip):
    sql("DELETE FROM zm_rate_limit WHERE bucket LIKE %s" % sql_str("%:ip:" + ip))


def window_s():
    return int(conf_get("ratelimit.window_s"))


def limited_burst(make, n, bucket, ok_status):
    """n concurrent calls of make() that each count against one rate-limit bucket; their sorted
    statuses, checked against the bucket's own count: every call was counted in this bucket, and
    exactly the calls beyond ratelimit.per_ip in a window were refused.  The limits count in fixed
    windows (multiples of ratelimit.window_s): a burst is started with most of a window left and,
    should a slow machine still make it straddle two windows, run once more."""
    per_ip = int(conf_get("ratelimit.per_ip"))
    w = window_s()
    for attempt in range(2):
        sql("DELETE FROM zm_rate_limit WHERE bucket = %s" % sql_str(bucket))
        left = w - time.time() % w
        if left < w * 0.75:
            time.sleep(left + 0.5)
        res = burst([make for _ in range(n)])
        st = sorted(getattr(r, "status", r) for r in res)
        hits = [int(h) for (h,) in sql("SELECT hits FROM zm_rate_limit WHERE bucket = %s" % sql_str(bucket))]
        assert sum(hits) == n, "%s counted %r for %d requests: %r" % (bucket, hits, n, st)
        refused = sum(max(0, h - per_ip) for h in hits)
        assert st == [ok_status] * (n - refused) + [429] * refused, \
            "%d requests (limit %d, counted %r in %s): %r" % (n, per_ip, hits, bucket, st)
        for r in res:
            if r.status == 429:
                expect_error(r, 429, "rate_limited")
        if len(hits) == 1:
            return st
    raise AssertionError("two bursts straddled a rate-limit window each")


def raw_http(path, method="GET", host="127.0.0.1", port=None, headers=None, ip=None, tls=None, body=b"",
             head_only=False):
    """One request with the request line exactly as given (bytes or str, unvalidated), on its own
    connection; (status, headers as a lower-cased dict, body).  head_only: stop reading after the
    head (an event stream does not end)."""
    port = port or U.port
    s = socket.create_connection((host, port), timeout=15, source_address=(ip, 0) if ip else None)
    if tls is not None:
        s = tls.wrap_socket(s, server_hostname="localhost")
    try:
        p = path if isinstance(path, bytes) else path.encode("latin-1")
        h = {"Host": "%s:%d" % ("localhost" if tls else host, port), "Connection": "close"}
        h.update(headers or {})
        if body:
            h["Content-Length"] = str(len(body))
        req = method.encode() + b" " + p + b" HTTP/1.1\r\n"
        req += b"".join(("%s: %s\r\n" % kv).encode("latin-1") for kv in h.items()) + b"\r\n" + body
        s.sendall(req)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, ssl.SSLError):
                break
            if not chunk:
                break
            data += chunk
            if head_only and b"\r\n\r\n" in data:
                break
    finally:
        s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1."), "%r: no HTTP answer: %r" % (path, data[:200])
    status = int(lines[0].split()[1])
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if hdrs.get("transfer-encoding") == "chunked":
        out, buf = b"", rest
        while buf:
            size, _, buf = buf.partition(b"\r\n")
            n = int(size.split(b";")[0], 16)
            if n == 0:
                break
            out, buf = out + buf[:n], buf[n + 2:]
        rest = out
    return status, hdrs, rest


# ---- the client address -------------------------------------------------------------------


def failed_login(ip=None, forge=False):
    """A failed login (an unknown email, so no per-email limit) from ip (default 127.0.0.1),
    forging another X-Real-IP and X-Forwarded-For if asked."""
    h = {"X-Real-IP": forged(), "X-Forwarded-For": forged() + ", " + forged()} if forge else {}
    return request("POST", "/api/v1/auth/login", {"email": new_email("edgl"), "password": "wrong-password-1"},
                   headers=h, ip=ip, spoof=True)


def test_forged_address_headers_do_not_escape_the_login_limit():
    """From loopback (nginx's own address, which the app used to trust), rotating X-Real-IP and
    X-Forwarded-For: the per-IP login limit hits at the same count as without them."""
    per_ip = int(conf_get("ratelimit.per_ip"))
    n = per_ip + 5
    try:
        st = limited_burst(lambda: failed_login(forge=True), n, "login:ip:127.0.0.1", 401)
        assert st == [401] * per_ip + [429] * 5, st
        # the same without forged headers, from an address of its own
        ip = fresh_ip()
        plain = limited_burst(lambda: failed_login(ip=ip), n, "login:ip:" + ip, 401)
        assert plain == st, "without forged headers: %r, with: %r" % (plain, st)
    finally:
        clear_buckets("127.0.0.1")  # later files' requests from loopback start afresh


def test_forged_address_headers_do_not_escape_the_register_limit():
    per_ip = int(conf_get("ratelimit.per_ip"))

    def register():
        h = {"X-Real-IP": forged(), "X-Forwarded-For": forged()}
        return request("POST", "/api/v1/auth/register", {"email": new_email("edgr"), "password": PASSWORD},
                       headers=h, spoof=True)
    try:
        st = limited_burst(register, per_ip + 5, "register:ip:127.0.0.1", 201)
        assert st == [201] * per_ip + [429] * 5, st
    finally:
        clear_buckets("127.0.0.1")


def test_a_forged_address_fills_nobody_elses_bucket():
    """Each request counts for its TCP peer; the address a header names gets nothing (so a client
    cannot lock somebody else out either)."""
    victim = forged()
    before = bucket_hits("login:ip:127.0.0.1")
    try:
        for h in ({"X-Real-IP": victim}, {"X-Forwarded-For": victim}, {"X-Forwarded-For": "1.2.3.4, " + victim},
                  {"Forwarded": "for=" + victim}):
            r = request("POST", "/api/v1/auth/login", {"email": new_email("edgv"), "password": "wrong-password-1"},
                        headers=h, spoof=True)
            assert r.status == 401, (h, r)
        assert bucket_hits("login:ip:" + victim) == 0, "the forged address %s was counted" % victim
        assert bucket_hits("login:ip:127.0.0.1") == before + 4, (before, bucket_hits("login:ip:127.0.0.1"))
    finally:
        clear_buckets("127.0.0.1")


def fcgi_record(rtype, content=b""):
    return struct.pack(">BBHHBx", 1, rtype, 1, len(content), 0) + content


def fcgi_nv(k, v):
    def ln(n):
        return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    k, v = k.encode(), v.encode()
    return ln(len(k)) + ln(len(v)) + k + v


def test_app_reads_no_address_header():
    """Straight to zhimai-fcgi, as nginx on this host would call it (REMOTE_ADDR 127.0.0.1) but with
    an X-Real-IP the app used to believe from there: the hit is 127.0.0.1's."""
    victim = forged()
    before = bucket_hits("login:ip:127.0.0.1")
    body = json.dumps({"email": new_email("edgf"), "password": "wrong-password-1"}).encode()
    params = b"".join(fcgi_nv(k, v) for k, v in (
        ("REQUEST_METHOD", "POST"), ("DOCUMENT_URI", "/api/v1/auth/login"), ("REQUEST_URI", "/api/v1/auth/login"),
        ("QUERY_STRING", ""), ("CONTENT_TYPE", "application/json"), ("CONTENT_LENGTH", str(len(body))),
        ("REMOTE_ADDR", "127.0.0.1"), ("HTTP_X_REAL_IP", victim), ("HTTP_X_FORWARDED_FOR", victim)))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    try:
        s.connect(conf_get("fcgi.listen"))
        s.sendall(fcgi_record(1, struct.pack(">HB5x", 1, 0)) + fcgi_record(4, params) + fcgi_record(4) +
                  fcgi_record(5, body) + fcgi_record(5))
        got = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    finally:
        s.close()
    assert b"Status: 401" in got, got[:200]
    assert bucket_hits("login:ip:" + victim) == 0, "the app counted X-Real-IP %s" % victim
    assert bucket_hits("login:ip:127.0.0.1") == before + 1


# ---- hostile paths ---------------------------------------------------------------------------

HOSTILE = [
    "%00", "a%00b", "x%2500", "%2e%2e/%2e%2e/etc/passwd", "%2E%2E%2Fetc%2Fpasswd", "..%2f..%2fetc%2fpasswd",
    "../../etc/passwd", "./x", "%2e/x", ".%2e/x", "v1/..", "v1/%2e", "%c0%af", "%c0%ae%c0%ae/x", "%e0%80%af",
    "%ed%a0%80", "%f8%88%80%80%af", "%ff%fe", "%", "%zz", "%2", "/x", "//", "//etc/passwd", "v1//auth//me",
    "\\", "..\\..\\etc\\passwd", "v1\\auth\\me", "%5c..%5c..%5cetc", "..%5c..%5c", "%0d%0aSet-Cookie:%20x=1",
    "%0a", "%09", "%20", "\x80\xff", "\xc0\xaf", "v1/tasks/1%00", "v1/events/tasks/1%00", "v1/events/tasks/1/..",
    "v1/events/tasks/1%2f..%2f..%2fx", "v1/auth/me;.css", "v1/auth/me%3b", "v1/auth/me?%00", "*", "~root",
    "x" * 20000,
]


def test_hostile_paths_answer_json_4xx():
    """Under /api/: a JSON error envelope with a 4xx for each.  Elsewhere: never a 5xx, a 4xx is
    JSON too, and a 200 is the SPA's index.html (never a file from outside the web root)."""
    index = raw_http("/")[2]
    assert b"<!doctype html>" in index.lower(), index[:100]
    bad = []
    ip = fresh_ip()
    for tail in HOSTILE:
        for prefix in ("/api/", "/", "/assets/", "/_events/pub/", "/healthz/"):
            path = prefix + tail
            # from an address of the test's own: not this host, to which the publisher answers
            st, h, body = raw_http(path, ip=ip)
            ct = h.get("content-type", "")
            what = "%r -> %d %s %r" % (path[:80], st, ct, body[:80])
            if st >= 500:
                bad.append("5xx: " + what)
            elif st >= 400:
                try:
                    j = json.loads(body)
                    ok = ct.startswith("application/json") and j["success"] is False and j["error"]["code"]
                except (ValueError, KeyError, TypeError):
                    ok = False
                if not ok:
                    bad.append("not JSON: " + what)
            elif prefix == "/api/":
                bad.append("not an error under /api/: " + what)
            elif not (st == 200 and body == index):
                bad.append("neither an error nor the SPA: " + what)
            if b"root:" in body:
                bad.append("a file from outside the root: " + what)
    assert not bad, "%d hostile paths answered wrongly:\n  %s" % (len(bad), "\n  ".join(bad))


def test_nginx_refusals_are_json_with_the_apps_headers():
    """nginx's own answers (a missing asset, a bad path, a body too large, a wrong method on a
    static file) carry the headers the app's answers do; a missing asset is not cached."""
    app = request("GET", "/api/v1/auth/me")
    assert app.status == 401, app
    want = {k: app.headers[k] for k in SECURITY_HEADERS + ("Cache-Control",)}
    limit = int(conf_get("http.max_body"))
    for what, args in (("missing asset", dict(path="/assets/no-such-file-%s.js" % uuid.uuid4().hex)),
                       ("bad path", dict(path="/api/%00")),
                       ("too large", dict(path="/api/v1/auth/login", method="POST",
                                          headers={"Content-Type": "application/json",
                                                   "Content-Length": str(limit + 1)})),
                       ("wrong method", dict(path="/index.html", method="POST", body=b"x")),
                       ("no such publisher", dict(path="/_events/nothing"))):
        st, h, body = raw_http(**args)
        assert 400 <= st < 500, "%s: %d %r" % (what, st, body[:100])
        assert h.get("content-type", "").startswith("application/json"), "%s: %r" % (what, h)
        assert json.loads(body)["success"] is False, body
        for k, v in want.items():
            assert h.get(k.lower()) == v, "%s: %s is %r, the app sends %r" % (what, k, h.get(k.lower()), v)
        assert len(h.get("x-request-id", "")) == 32, "%s: %r" % (what, h)
        assert "immutable" not in h.get("cache-control", ""), "%s: %r" % (what, h)


# ---- no token in a log -----------------------------------------------------------------------


def test_no_access_token_in_any_log():
    secret = "SECRET" + uuid.uuid4().hex
    shapes = [
        "/api/v1/events/tasks/1?access_token=%s",
        "/api/v1/events/tasks/1/?access_token=%s",
        "/api/v1/events/tasks/99999999999999999999999?access_token=%s",
        "/api/v1/events/tasks/abc?access_token=%s",
        "/api/v1/events/tasks/1?x=1&access_token=%s&y=2",
        "/api/v1/events/tasks/1?ACCESS_TOKEN=%s",
        "/api/v1/events/tasks/1?access_token=%s&access_token=%s2",
        "/api/v1/events/tasks/1%%3Faccess_token=%s",
        "/api/v1/events/tasks/1%%3faccess_token%%3D%s",
        "//api/v1/events/tasks/1?access_token=%s",
        "/api/v1/events/tasks/1%%00?access_token=%s",
        "/api/v1/events/tasks/%%2e%%2e/1?access_token=%s",
        "/api/v1/tasks/1?access_token=%s",
        "/api/v1/events/auth/1?access_token=%s",
        "/_events/auth/1?access_token=%s",
        "/_events/pub/edge_log_test?access_token=%s",
        "/?access_token=%s",
        "/resumes?access_token=%s",
        "/assets/x.js?access_token=%s",
        "/healthz?access_token=%s",
        "/metrics?access_token=%s",
    ]
    ip = fresh_ip()  # not this host: nothing is published, /metrics refuses
    for shape in shapes:
        path = shape.replace("%s", secret).replace("%%", "%")
        for method in ("GET", "POST", "HEAD"):
            try:
                raw_http(path, method=method, ip=ip)
            except AssertionError:
                pass  # no answer at all (nchan may just close) still leaves a log line
    marker = "/api/v1/edge-log-marker-" + uuid.uuid4().hex
    raw_http(marker)
    logs = [os.path.join(zmtest.VAR, "log", n) for n in ("nginx-access.log", "access.log")]

    def flushed():
        # nginx flushes its buffer within a second, workers their access lines within one too
        return all(marker in open(p, errors="replace").read() for p in logs)
    zmtest.wait_for(flushed, timeout=10, what="the marker in both access logs")
    nginx_log = open(logs[0], errors="replace").read()
    assert "/api/v1/events/tasks/1/ " in nginx_log, "the trailing-slash request was not logged at all"
    for name in os.listdir(os.path.join(zmtest.VAR, "log")):
        with open(os.path.join(zmtest.VAR, "log", name), errors="replace") as f:
            leaked = [line for line in f if secret in line]
        assert not leaked, "%s logs the token:\n%s" % (name, "".join(leaked[:5]))


# ---- the TLS deployment: a second nginx --------------------------------------------------------

_edge = {}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def _dev(var, *args):
    env = dict(os.environ, ZM_VAR=var, ZM_BUILD=BUILD)
    env.pop("ZM_PORT", None)
    return subprocess.run([os.path.join(zmtest.ROOT, "dev")] + list(args), env=env, capture_output=True, text=True)


def edge():
    """A second nginx with the TLS block on, a trusted load balancer (127.0.0.2) and one allowed
    events origin, in front of the stack's zhimai-fcgi; started once, stopped at exit."""
    if _edge:
        return _edge
    var = tempfile.mkdtemp(prefix="zm-edge-")
    os.chmod(var, 0o755)  # nginx's workers (www-data under root) reach their temp directories
    for d in ("run", "log", "nginx"):
        os.makedirs(os.path.join(var, d))
    cert, key = os.path.join(var, "cert.pem"), os.path.join(var, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    plain, tls = free_port(), free_port()
    with open(os.path.join(var, "zhimai.conf"), "w") as f:
        f.write("state_dir = %s\nfcgi.listen = %s\nnginx.listen = 127.0.0.1:%d\nnginx.tls_listen = 127.0.0.1:%d\n"
                "nginx.tls_cert = %s\nnginx.tls_key = %s\nnginx.server_name = localhost\n"
                "nginx.real_ip_from = 127.0.0.2\nevents.allow_origins = https://app.example.com\n"
                % (var, conf_get("fcgi.listen"), plain, tls, cert, key))
    ctx = ssl.create_default_context(cafile=cert)
    _edge.update(var=var, plain=plain, tls=tls, ctx=ctx)
    out = _dev(var, "nginx-start")
    assert out.returncode == 0, "second nginx: %s %s" % (out.stdout, out.stderr)

    def stop():
        _dev(var, "nginx-stop")
        shutil.rmtree(var, ignore_errors=True)
    atexit.register(stop)
    return _edge


def tls(path, **kw):
    e = edge()
    return raw_http(path, port=e["tls"], tls=e["ctx"], **kw)


def plain(path, **kw):
    return raw_http(path, port=edge()["plain"], **kw)


def test_tls_every_answer_has_hsts_and_the_security_headers():
    e = edge()
    u = new_user("edgt")
    asset = sorted(n for n in os.listdir(os.path.join(zmtest.ROOT, "www", "dist", "assets")))[0]
    cases = [
        ("the SPA", "/", {}, 200),
        ("index.html", "/index.html", {}, 200),
        ("an SPA route", "/resumes", {}, 200),
        ("an asset", "/assets/" + asset, {}, 200),
        ("healthz", "/healthz", {}, 200),
        ("an API answer", "/api/v1/auth/me", {"Authorization": "Bearer " + u["access"]}, 200),
        ("an API error", "/api/v1/auth/me", {}, 401),
        ("an API 404", "/api/v1/nothing", {}, 404),
        ("a missing asset", "/assets/missing-%s.js" % uuid.uuid4().hex, {}, 404),
        ("a bad path", "/api/%2e%2e/x", {}, 400),
        ("a NUL", "/a%00", {}, 400),
        ("no such publisher", "/_events/x", {}, 404),
        ("an event subscription without token", "/api/v1/events/tasks/1", {"Accept": "text/event-stream"}, 401),
        ("a foreign origin's subscription", "/api/v1/events/tasks/1",
         {"Accept": "text/event-stream", "Origin": "https://evil.example"}, 403),
    ]
    for what, path, h, want in cases:
        st, hdrs, body = tls(path, headers=h)
        assert st == want, "%s over TLS: %d (want %d) %r" % (what, st, want, body[:100])
        assert hdrs.get("strict-transport-security") == "max-age=63072000", "%s: no HSTS: %r" % (what, hdrs)
        for k in SECURITY_HEADERS:
            assert k.lower() in hdrs, "%s: no %s: %r" % (what, k, hdrs)
        if path.startswith("/assets/"):
            immutable = "immutable" in hdrs.get("cache-control", "")
            assert immutable == (st == 200), "%s: Cache-Control %r" % (what, hdrs.get("cache-control"))
    # plain HTTP never claims HSTS
    st, hdrs, _ = plain("/healthz")
    assert st == 200 and "strict-transport-security" not in hdrs, (st, hdrs)
    assert e["tls"]


def test_plain_http_redirects_to_https_except_local_probes():
    e = edge()
    for path in ("/", "/resumes?tab=1", "/api/v1/auth/me", "/assets/x.js", "/api/v1/events/tasks/1?access_token=x"):
        for method in ("GET", "POST"):
            st, h, _ = plain(path, method=method, body=b"{}" if method == "POST" else b"")
            assert st == 301, "%s %s over plain HTTP: %d" % (method, path, st)
            assert h["location"] == "https://localhost:%d%s" % (e["tls"], path), (path, h["location"])
    # a forged Host does not choose the redirect's target
    st, h, _ = plain("/", headers={"Host": "evil.example"})
    assert st == 301 and h["location"].startswith("https://localhost:%d/" % e["tls"]), h
    # this host's probes stay plain; from any other address they are redirected too
    for path in ("/healthz", "/metrics"):
        st, _, _ = plain(path)
        assert st == 200, "%s from 127.0.0.1: %d" % (path, st)
        st, _, _ = plain(path, ip="127.0.0.2")
        assert st == 301, "%s from 127.0.0.2: %d" % (path, st)
    # so do the event publisher (the worker) and the subscription authorizer's hop (below)
    st, _, body = plain("/_events/pub/edge_%s" % uuid.uuid4().hex, method="POST", body=b'{"ping":1}',
                        headers={"Content-Type": "application/json"})
    assert st in (201, 202), (st, body)


def test_events_over_tls_and_allowed_origins():
    """A subscription over HTTPS is authorized through the plain loopback hop; events.allow_origins
    lets its origin in (no credentials), others get a JSON 403; another user's task is a 404."""
    u, other = new_user("edge1"), new_user("edge2")
    out = subprocess.run([os.path.join(BUILD, "zhimai-worker"), "-c", CONF, "enqueue", "test.echo", '{"x":1}',
                          "--user", str(u["id"])], check=True, capture_output=True, text=True).stdout
    tid = int(out.strip())
    path = "/api/v1/events/tasks/%d" % tid
    e = edge()
    for origin, want in ((None, 200), ("https://app.example.com", 200), ("https://localhost:%d" % e["tls"], 200),
                         ("https://evil.example", 403), ("http://app.example.com", 403), ("null", 403)):
        h = {"Authorization": "Bearer " + u["access"], "Accept": "text/event-stream"}
        if origin:
            h["Origin"] = origin
        st, hdrs, body = tls(path, headers=h, head_only=want == 200)
        assert st == want, "Origin %r: %d %r" % (origin, st, body[:200])
        assert "access-control-allow-credentials" not in hdrs, (origin, hdrs)
        if want == 200:
            assert hdrs.get("content-type", "").startswith("text/event-stream"), hdrs
            assert hdrs.get("access-control-allow-origin") in (None, origin), (origin, hdrs)
        else:
            assert json.loads(body)["error"]["code"] == "forbidden", body
            assert "access-control-allow-origin" not in hdrs, (origin, hdrs)
    st, _, body = tls(path, headers={"Authorization": "Bearer " + other["access"], "Accept": "text/event-stream"})
    assert st == 404 and json.loads(body)["error"]["code"] == "not_found", (st, body)


def test_trusted_load_balancer_names_the_client():
    """nginx.real_ip_from = 127.0.0.2: its X-Forwarded-For names the client (the rightmost address
    it does not own); anybody else's is ignored."""
    e = edge()
    client, spoofed = forged(), forged()

    def login(ip, xff):
        st, _, body = raw_http("/api/v1/auth/login", method="POST", port=e["tls"], tls=e["ctx"], ip=ip,
                               headers={"Content-Type": "application/json", "X-Forwarded-For": xff},
                               body=json.dumps({"email": new_email("edgb"), "password": "wrong-1x"}).encode())
        assert st == 401, (st, body)
    login("127.0.0.2", spoofed + ", " + client)
    assert bucket_hits("login:ip:" + client) == 1, "the balancer's client was not counted"
    assert bucket_hits("login:ip:" + spoofed) == 0, "an address the client wrote was counted"
    ip = fresh_ip()
    before = bucket_hits("login:ip:" + ip)
    login(ip, spoofed)
    assert bucket_hits("login:ip:" + spoofed) == 0, "an untrusted peer's X-Forwarded-For was believed"
    assert bucket_hits("login:ip:" + ip) == before + 1
    # a client behind the balancer naming this host gets none of the loopback-only locations
    for path in ("/metrics", "/_events/pub/edge_lb"):
        st, _, _ = raw_http(path, port=e["tls"], tls=e["ctx"], ip="127.0.0.2",
                            headers={"X-Forwarded-For": "127.0.0.1"})
        assert st == 403, "%s through the balancer as 127.0.0.1: %d" % (path, st)


def test_nginx_502_page_has_the_security_headers():
    """zhimai-fcgi gone: nginx's own JSON 502, with the app's security headers (and HSTS over TLS)."""
    edge()  # up before zhimai-fcgi goes

    def check(what, st, h, body):
        assert st == 502, "%s: %d %r" % (what, st, body[:100])
        assert json.loads(body)["error"]["code"] == "bad_gateway", body
        assert h.get("retry-after") == "5", h
        for k in SECURITY_HEADERS:
            assert k.lower() in h, "%s 502: no %s: %r" % (what, k, h)
        assert h.get("cache-control") == "no-store" and len(h.get("x-request-id", "")) == 32, h
        assert ("strict-transport-security" in h) == (what == "TLS"), (what, h)
    zmtest.dev("fcgi-stop")
    try:
        check("plain", *raw_http("/api/v1/auth/me"))
        check("TLS", *tls("/api/v1/auth/me"))
    finally:
        zmtest.dev("fcgi-start")
    zmtest.wait_for(lambda: zmtest.get("/healthz").status == 200, timeout=15, what="healthz after restart")


if __name__ == "__main__":
    zmtest.main(globals())
