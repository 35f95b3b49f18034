#!/usr/bin/python3
"""Every route zhimai-fcgi serves, walked from its own table (zhimai-fcgi --routes): a route that
needs a user answers 401 without a token, a method a path does not take answers 405 with an
Allow header naming exactly the methods it does take, and a route marked as taking JSON answers 415
to any other body -- through nginx, as a client sees it."""
import json
import os
import re
import subprocess

import zmtest
from zmtest import ENV, PASSWORD, VAR, data_of, fresh_ip, new_user, request, sql

BUILD = ENV["ZM_BUILD"]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def routes():
    out = subprocess.run([os.path.join(BUILD, "zhimai-fcgi"), "-c", os.path.join(VAR, "zhimai.conf"), "--routes"],
                         check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines() if line.strip()]
    # METHOD PATTERN AUTH BODY: BODY "json" for a route that takes only JSON, else "-"
    assert len(rows) >= 30 and all(len(r) == 4 and r[3] in ("json", "-") for r in rows), \
        "zhimai-fcgi --routes: %r" % out[:300]
    return rows


def concrete(pattern):
    """The pattern with each {param} filled: a number, which every id reader takes as a well-formed id."""
    return re.sub(r"\{[^}]+\}", "1", pattern)


def envelope(r, status, code, what):
    assert r.status == status, "%s: expected %d, got %r" % (what, status, r)
    body = json.loads(r.body)
    assert body["success"] is False and body["error"]["code"] == code, "%s: %r" % (what, body)


def test_authenticated_routes_refuse_without_token():
    seen = 0
    for method, pattern, auth, _ in routes():
        if auth not in ("user", "hr", "admin"):
            continue
        # nginx hands the event authorizer to nchan only; a client reaching it directly is not served at all
        if pattern.startswith("/api/v1/events/auth/"):
            continue
        r = request(method, concrete(pattern), {} if method in ("POST", "PATCH", "PUT") else None)
        assert r.status == 401, "%s %s without a token: %r" % (method, pattern, r)
        assert json.loads(r.body)["success"] is False, "%s %s: the JSON envelope: %r" % (method, pattern, r)
        seen += 1
    assert seen >= 25, "walked %d authenticated routes" % seen


def matches(pattern, path):
    """The router's rule: literal segments, {name} for one non-empty segment, a trailing slash not significant."""
    ps, xs = pattern.strip("/").split("/"), path.strip("/").split("/")
    return len(ps) == len(xs) and all(p == x or (p.startswith("{") and x) for p, x in zip(ps, xs))


def test_wrong_method_is_405_with_allow():
    table = [(m, p) for m, p, auth, _ in routes() if not p.startswith("/api/v1/events/auth/") and auth != "loopback"]
    walked = 0
    for pattern in sorted({p for _, p in table}):
        path = concrete(pattern)
        # every method some route takes for this very path ("/x/{id}" also matches "/x/history")
        allowed = {m for m, p in table if matches(p, path)}
        wrong = [m for m in METHODS if m not in allowed]
        if not wrong:
            continue
        r = request(wrong[0], path, {} if wrong[0] in ("POST", "PATCH", "PUT") else None)
        envelope(r, 405, "method_not_allowed", "%s %s" % (wrong[0], path))
        allow = {m.strip() for m in r.headers.get("Allow", "").split(",") if m.strip()}
        assert allow == allowed, "%s %s: Allow %r, the routes say %r" % (wrong[0], path, allow, allowed)
        walked += 1
    assert walked >= 20, "walked %d paths" % walked


def tokens():
    """An access token for each kind of caller a JSON route may want: a user's, an HR user's, an admin's."""
    user = new_user("routes")
    out = {"none": None, "user": user["access"]}
    for role in ("hr", "admin"):
        u = new_user("routes-" + role)
        sql("UPDATE zm_user_profile SET role = '%s' WHERE user_id = %d" % (role, u["id"]))
        if role == "admin":
            sql("UPDATE auth_user SET is_staff = 1, is_superuser = 1 WHERE id = %d" % u["id"])
        # the role is read at login: log in again for a token that carries it
        d = data_of(request("POST", "/api/v1/auth/login", {"email": u["email"], "password": PASSWORD},
                            ip=fresh_ip()), 200, "log the %s in again" % role)
        out[role] = d["access"]
    return out


def test_json_routes_refuse_other_bodies():
    table = routes()
    json_routes = [(m, p, auth) for m, p, auth, body in table if body == "json"]
    # the routes that read JSON bodies, so that a new one is not left unmarked; upload-resume takes
    # multipart too, and so is not one of them
    assert len(json_routes) >= 16, json_routes
    assert ("POST", "/api/v1/interview-prep/upload-resume") not in {(m, p) for m, p, _ in json_routes}
    assert all(m in ("POST", "PATCH", "PUT") for m, _, _ in json_routes), json_routes
    tok = tokens()
    for method, pattern, auth in json_routes:
        assert auth in tok and (auth == "none" or tok[auth]), "%s %s: no token for %s" % (method, pattern, auth)
        # a well-formed JSON body, declared as something else: refused before the handler reads it
        r = request(method, concrete(pattern), b'{"email": "a@example.com"}', headers={"Content-Type": "text/plain"},
                    token=tok[auth], ip=fresh_ip())
        envelope(r, 415, "unsupported_media_type", "%s %s as text/plain" % (method, pattern))
        # and as JSON it gets past the check (an empty object: at most a validation error, no change)
        r = request(method, concrete(pattern), {}, token=tok[auth], ip=fresh_ip())
        assert r.status != 415, "%s %s as JSON: %r" % (method, pattern, r)


if __name__ == "__main__":
    zmtest.main(globals())
