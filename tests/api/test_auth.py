#!/usr/bin/python3
"""Accounts through nginx, black-box, from the HTTP contract: registration and its
validation, the verification and reset mails (.eml files under $ZM_VAR/mail),
login, simplejwt-compatible tokens (and tampered ones), refresh rotation, logout,
password change and reset, Django password hashes, the admin API and CLI, and the
abuse limits across FastCGI workers.

Needs a running stack (./dev up with ZM_TEST_STACK=1 and ZM_VAR):

    ZM_VAR=/tmp/authtest /usr/bin/python3 tests/api/test_auth.py [test_name ...]

Every test makes its own users (unique emails) and poses as its own client IPs
(connecting from 127.9.x.y: the TCP peer is the client address), so tests do not use up
each other's rate limits, and the file can be run again within the same minute.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import time
import urllib.parse
import uuid
from urllib.parse import quote
from email import message_from_bytes
from email import policy as email_policy

import zmtest
from zmtest import (ISO_RE, PASSWORD, RUN, burst, data_of, expect_error, expect_field, fresh_ip, get, new_email,
                    request, sql, sql_str)

BUILD = zmtest.ENV["ZM_BUILD"]
CONF = zmtest.ENV["ZM_CONF"]
MAIL_DIR = os.path.join(zmtest.VAR, "mail")
USER_KEYS = {
    "id": int, "email": str, "username": str, "first_name": str, "last_name": str, "role": str,
    "company": str, "invite_code": str, "invited_by": (int, type(None)), "email_verified": bool,
    "is_active": bool, "date_joined": str, "last_login": (str, type(None)),
}
DJANGO_ARGON2_RE = re.compile(r"^argon2\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$")
VECTORS = [
    ("correct horse battery",
     "pbkdf2_sha256$260000$zhimaiSaltVector01$bmgp3uHTLXUBij7ywQPKqh/K6g+bgA4XsW5UzoMAcXU="),
    ("密码测试abc123",
     "pbkdf2_sha256$260000$zhimaiSaltVector02$BgaQTrSpPR0O35/0pvuJwrcxcLjsGcCjRjbWocwRfiA="),
    ("correct horse battery",
     "argon2$argon2id$v=19$m=102400,t=2,p=8$aXNvOTVzZzFud01OajJsTmR2bm1tMA$vtmV7tAtPH3IT8Oq28dAmQ"),
]

# ---- helpers -------------------------------------------------------------------------

def api(method, path, body=None, ip=None, headers=None, **kw):
    """A request to /api/v1/<path> posing as client ip (a fresh one by default)."""
    return request(method, "/api/v1/" + path, body, headers=headers, ip=ip or fresh_ip(), **kw)


def auth(path, body=None, **kw):
    return api("POST", "auth/" + path, body, **kw)


def check_user(u, email=None, what="user"):
    assert isinstance(u, dict), "%s: user is not an object: %r" % (what, u)
    for k, t in USER_KEYS.items():
        assert k in u, "%s: user object lacks %r: %r" % (what, k, u)
        assert isinstance(u[k], t) and not (t is int and isinstance(u[k], bool)), \
            "%s: user.%s has the wrong type: %r" % (what, k, u)
    for k in u:
        assert "password" not in k and "hash" not in k, "%s: user object leaks %r: %r" % (what, k, u)
    assert u["role"] in ("seeker", "hr", "admin"), "%s: bad role %r" % (what, u)
    assert ISO_RE.match(u["date_joined"]), "%s: date_joined not ISO 8601: %r" % (what, u["date_joined"])
    if u["last_login"] is not None:
        assert ISO_RE.match(u["last_login"]), "%s: last_login not ISO 8601: %r" % (what, u["last_login"])
    if email is not None:
        assert u["email"].lower() == email.lower(), "%s: email %r, expected %r" % (what, u["email"], email)
    return u


REGISTER_KEYS = {"email", "detail"}


def register(email=None, password=PASSWORD, ip=None, **extra):
    """Register email; the user as the admin API shows it (the answer itself says nothing of the account)."""
    email = email or new_email()
    body = {"email": email, "password": password}
    body.update(extra)
    d = data_of(auth("register", body, ip=ip), 201, "register %s" % email)
    assert set(d) == REGISTER_KEYS, "register answers %r, expected only %r" % (d, REGISTER_KEYS)
    return check_user(user_by_email(email), email, "the registered user")


def user_by_email(email):
    """The user object (acc_user_json) of email, through the admin list."""
    d = data_of(get("/api/v1/admin/users?page_size=100&search=" + quote(email.strip().lower()),
                    token=admin_token()), 200, "admin search for %s" % email)
    found = [u for u in d["items"] if u["email"] == email.strip().lower()]
    assert len(found) == 1, "one user with email %s expected, the admin list has %r" % (email, d["items"])
    return found[0]


def login(email, password=PASSWORD, ip=None):
    d = data_of(auth("login", {"email": email, "password": password}, ip=ip), 200, "login %s" % email)
    assert isinstance(d.get("access"), str) and isinstance(d.get("refresh"), str), "login data: %r" % d
    check_user(d.get("user"), email, "login response")
    return d


def new_user(**extra):
    """Register and log in: {"email","user","access","refresh"}."""
    email = new_email(extra.pop("tag", "u"))
    register(email, **extra)
    d = login(email, extra.get("password", PASSWORD))
    return {"email": email, "user": d["user"], "access": d["access"], "refresh": d["refresh"]}


def me(token=None, headers=None):
    return request("GET", "/api/v1/auth/me", headers=headers, token=token)


def refresh(tok):
    return request("POST", "/api/v1/auth/refresh", {"refresh": tok})


def expect_401(r, code=None, what="request"):
    assert r.status == 401, "%s: expected 401 %s, got %r" % (what, code or "", r)
    return expect_error(r, 401, code)


def db_user(uid):
    """auth_user row of uid as a dict of strings (None when there is none)."""
    rows = sql("SELECT password, is_staff, is_superuser, is_active, email, username, first_name, last_name, "
               "IFNULL(last_login, 'NULL') FROM auth_user WHERE id = %d" % uid)
    if not rows:
        return None
    keys = ["password", "is_staff", "is_superuser", "is_active", "email", "username", "first_name", "last_name",
            "last_login"]
    return dict(zip(keys, rows[0]))


def db_profile(uid):
    rows = sql("SELECT role, company, invite_code, IFNULL(invited_by_id, 'NULL'), email_verified "
               "FROM zm_user_profile WHERE user_id = %d" % uid)
    if not rows:
        return None
    return dict(zip(["role", "company", "invite_code", "invited_by_id", "email_verified"], rows[0]))


# ---- JWT, by hand ----------------------------------------------------------------

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jwt_parts(tok):
    h, p, s = tok.split(".")
    return json.loads(b64u_dec(h)), json.loads(b64u_dec(p)), s


_secret = []


def jwt_secret():
    if not _secret:
        out = subprocess.run([os.path.join(BUILD, "zhimai-fcgi"), "-c", CONF, "--get", "auth.jwt_secret"],
                             capture_output=True, text=True)
        key = out.stdout.rstrip("\n")
        assert out.returncode == 0 and key, "zhimai-fcgi --get auth.jwt_secret: rc %d, %r %r" % (
            out.returncode, out.stdout, out.stderr)
        _secret.append(key.encode("utf-8"))
    return _secret[0]


def enc(obj):
    return b64u(json.dumps(obj, separators=(",", ":")).encode())


def make_jwt(claims, alg="HS256", key=None, header=None):
    """A token as PyJWT writes it: sorted header, compact JSON, base64url without padding."""
    if header is None:
        header = {"alg": alg, "typ": "JWT"}
    signing = enc(header) + "." + enc(claims)
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512,
              "RS256": hashlib.sha256}.get(alg)
    sig = "" if digest is None else b64u(hmac.new(key or jwt_secret(), signing.encode(), digest).digest())
    return signing + "." + sig


def claims(uid, typ="access", exp_in=300, iat=None):
    now = int(time.time())
    return {"token_type": typ, "exp": now + exp_in, "iat": now if iat is None else iat,
            "jti": uuid.uuid4().hex, "user_id": uid}


# ---- mail ------------------------------------------------------------------------

def mails_to(addr):
    """(path, raw bytes, parsed message) of every .eml under $ZM_VAR/mail addressed to addr."""
    found = []
    needle = addr.lower().encode()
    for d, _, files in os.walk(MAIL_DIR):
        for name in files:
            if name.startswith(".") or not name.endswith(".eml"):
                continue  # a message still being written (.name.eml.tmp) is not one yet
            path = os.path.join(d, name)
            try:
                with open(path, "rb") as f:
                    raw = f.read()
                mtime = os.stat(path).st_mtime_ns
            except OSError:
                continue
            if needle not in raw.lower():
                continue
            msg = message_from_bytes(raw, policy=email_policy.default)
            try:
                tos = [a.addr_spec.lower() for a in msg["To"].addresses] if msg["To"] else []
            except Exception:
                continue
            if addr.lower() in tos:
                found.append((mtime, path, raw, msg))
    found.sort(key=lambda m: (m[0], m[1]))
    return [m[1:] for m in found]


def wait_mails(addr, n=1, timeout=10.0):
    zmtest.wait_for(lambda: len(mails_to(addr)) >= n, timeout=timeout, step=0.1,
                    what="%d mail(s) to %s under %s" % (n, addr, MAIL_DIR))
    time.sleep(0.05)  # a file being written when first seen: read it again
    return mails_to(addr)


def body_of(msg):
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None, "no text/plain part in %r" % msg
    return part.get_content()


def has_cjk(s):
    return any("\u4e00" <= c <= "\u9fff" for c in s)


def check_mail(raw, msg, addr, kind):
    """A proper Chinese plain-text MIME mail to addr; the token of its link (kind = verify-email|reset-password)."""
    assert re.search(rb"^Subject:[ \t]*=\?utf-8\?[bq]\?", raw, re.I | re.M), \
        "Subject is not RFC 2047-encoded UTF-8 in the raw file: %r" % raw[:600]
    assert re.search(rb"^MIME-Version:[ \t]*1\.0", raw, re.I | re.M), "no MIME-Version: %r" % raw[:600]
    for h in ("From", "Date", "Message-ID"):
        assert msg[h], "mail lacks %s: %r" % (h, raw[:600])
    assert has_cjk(str(msg["Subject"])), "Subject is not Chinese: %r" % str(msg["Subject"])
    assert msg.get_content_type() == "text/plain", "not a plain-text mail: %s" % msg.get_content_type()
    assert (msg.get_content_charset() or "").lower() == "utf-8", "charset %r" % msg.get_content_charset()
    text = body_of(msg)
    assert has_cjk(text), "body is not Chinese: %r" % text
    m = re.search(re.escape(kind) + r"\?token=([A-Za-z0-9_\-.~%]+)", text)
    assert m, "no …/%s?token=… link in the body: %r" % (kind, text)
    return m.group(1)


def mails_of_kind(addr, kind):
    out = []
    for path, raw, msg in mails_to(addr):
        try:
            text = body_of(msg)
        except Exception:
            continue
        if kind + "?token=" in text:
            out.append((path, raw, msg))
    return out


def mail_token(addr, kind, n=1, timeout=10.0):
    """The token of the n-th mail to addr with a …/kind?token= link (waiting for it), checked as a proper mail."""
    zmtest.wait_for(lambda: len(mails_of_kind(addr, kind)) >= n, timeout=timeout, step=0.1,
                    what="%d mail(s) with a %s link to %s under %s (all mails to it: %d)" % (
                        n, kind, addr, MAIL_DIR, len(mails_to(addr))))
    time.sleep(0.05)
    path, raw, msg = mails_of_kind(addr, kind)[n - 1]
    return check_mail(raw, msg, addr, kind)


# ---- admin -----------------------------------------------------------------------

def admin_cli(*args, stdin=None):
    return subprocess.run([os.path.join(BUILD, "zhimai-admin"), "-c", CONF] + list(args), input=stdin,
                          capture_output=True, text=True, timeout=60)


_admin = {}


def admin_token():
    """An admin's access token: made with the CLI, or (if that is broken) promoted with SQL."""
    if "access" not in _admin:
        email = new_email("admin")
        out = admin_cli("createsuperuser", "--email", email, "--password-stdin", stdin=PASSWORD + "\n")
        if out.returncode != 0:
            data_of(auth("register", {"email": email, "password": PASSWORD}), 201, "register the admin")
            uid = int(sql("SELECT id FROM auth_user WHERE email = %s" % sql_str(email))[0][0])
            sql("UPDATE zm_user_profile SET role = 'admin' WHERE user_id = %d" % uid)
            sql("UPDATE auth_user SET is_staff = 1, is_superuser = 1 WHERE id = %d" % uid)
        d = login(email)
        _admin.update(email=email, access=d["access"], id=d["user"]["id"])
    return _admin["access"]


def admin_patch(uid, body, token=None):
    return request("PATCH", "/api/v1/admin/users/%s" % uid, body, token=token or admin_token())


# ---- concurrency -----------------------------------------------------------------

def clear_of_window_edge(need=10):
    """Fixed one-minute windows: do not start a burst in the last `need` seconds of one."""
    s = time.time() % 60
    if s > 60 - need:
        time.sleep(60 - s + 0.3)


def statuses(results):
    return sorted((r.status if hasattr(r, "status") else r for r in results), key=lambda x: (isinstance(x, str), str(x)))


def check_429(results, what):
    for r in results:
        if getattr(r, "status", None) == 429:
            expect_error(r, 429, "rate_limited")
            ra = r.headers.get("Retry-After")
            assert ra is not None and ra.isdigit() and 1 <= int(ra) <= 60, \
                "%s: Retry-After should be whole seconds 1..60, got %r" % (what, ra)


# ---- registration ------------------------------------------------------------------------

def test_register_returns_user_and_django_rows():
    email = new_email("reg")
    u = register(email, username="reg_" + uuid.uuid4().hex[:10])
    assert u["role"] == "seeker", "a new user is a seeker: %r" % u
    assert u["email_verified"] is False and u["is_active"] is True, u
    assert u["invited_by"] is None and u["last_login"] is None, u
    assert u["username"].startswith("reg_"), "the username given is kept: %r" % u
    assert 1 <= len(u["invite_code"]) <= 16, "invite code: %r" % u
    row = db_user(u["id"])
    assert row, "no auth_user row for id %d" % u["id"]
    assert DJANGO_ARGON2_RE.match(row["password"]), "stored hash is not Django's argon2id form: %r" % row["password"]
    assert PASSWORD not in row["password"]
    assert (row["is_staff"], row["is_superuser"], row["is_active"]) == ("0", "0", "1"), row
    assert row["email"].lower() == email, row
    prof = db_profile(u["id"])
    assert prof and prof["role"] == "seeker" and prof["invite_code"] == u["invite_code"], prof
    assert prof["email_verified"] == "0", prof
    # username is optional: one is derived, and two users with the same local part both get one
    local = "same" + uuid.uuid4().hex[:8]
    a = register("%s@a-%s.example.com" % (local, RUN))
    b = register("%s@b-%s.example.com" % (local, RUN))
    assert a["username"] and b["username"] and a["username"] != b["username"], \
        "derived usernames must exist and differ: %r %r" % (a["username"], b["username"])
    assert a["invite_code"] != b["invite_code"], "invite codes must be unique"


def test_register_sends_chinese_verification_mail():
    email = new_email("mail")
    u = register(email)
    token = mail_token(email, "verify-email")
    assert len(token) >= 20, "verification token too short to be random: %r" % token
    rows = sql("SELECT token_hash, TIMESTAMPDIFF(SECOND, created_at, expires_at) FROM zm_user_token "
               "WHERE user_id = %d" % u["id"])
    assert rows, "no zm_user_token row for the verification"
    for h, life in rows:
        assert token not in h, "the token is stored in plain: %r" % rows
        assert abs(int(life) - 86400) <= 5, "verification tokens live 24 h, this one %s s" % life


def test_verify_email_is_single_use():
    email = new_email("ver")
    u = register(email)
    token = mail_token(email, "verify-email")
    v = data_of(auth("verify-email", {"token": token}), 200, "verify-email")
    check_user(v, email, "verify-email response")
    assert v["email_verified"] is True and v["id"] == u["id"], v
    assert db_profile(u["id"])["email_verified"] == "1"
    expect_error(auth("verify-email", {"token": token}), 400, "invalid_token")
    expect_error(auth("verify-email", {"token": "x" * 43}), 400, "invalid_token")
    expect_error(auth("verify-email", {"token": ""}), 400)
    r = auth("verify-email", {})
    assert r.status == 400, "verify-email without a token: %r" % r
    d = login(email)
    assert d["user"]["email_verified"] is True, d["user"]


def test_verify_email_expired_token():
    email = new_email("verexp")
    u = register(email)
    token = mail_token(email, "verify-email")
    sql("UPDATE zm_user_token SET expires_at = '2000-01-01 00:00:00' WHERE user_id = %d" % u["id"])
    expect_error(auth("verify-email", {"token": token}), 400, "invalid_token")
    assert db_profile(u["id"])["email_verified"] == "0", "an expired token verified the email"


def test_resend_verification():
    email = new_email("resend")
    register(email)
    first = mail_token(email, "verify-email")
    r_known = auth("resend-verification", {"email": email})
    data_of(r_known, 200, "resend-verification (known)")
    second = mail_token(email, "verify-email", n=2)
    assert second != first, "the resent mail carries the same token"
    r_unknown = auth("resend-verification", {"email": new_email("nobody")})
    data_of(r_unknown, 200, "resend-verification (unknown email)")
    assert r_unknown.json == r_known.json, "resend answers differ for known/unknown emails: %r vs %r" % (
        r_known.json, r_unknown.json)
    v = data_of(auth("verify-email", {"token": second}), 200, "verify with the resent token")
    assert v["email_verified"] is True


def test_register_validation_errors():
    bad_emails = ["", "plainaddress", "a@", "@example.com", "a b@example.com", "a@b@example.com",
                  "a@exa mple.com", "a" * 65 + "@example.com",
                  "a" * 60 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + ".com"]
    for e in bad_emails:
        r = auth("register", {"email": e, "password": PASSWORD})
        expect_field(r, "email", what="register email=%r" % e[:40])
    for pw, why in [("short1!", "7 characters"), ("1234567890", "only digits"), ("密码密码密码a", "7 characters (19 bytes)")]:
        e = new_email("pw")
        expect_field(auth("register", {"email": e, "password": pw}), "password", what="register password %s" % why)
        assert not sql("SELECT id FROM auth_user WHERE email = %s" % sql_str(e)), "a user was created for " + why
    e = new_email("pwemail")
    expect_field(auth("register", {"email": e, "password": e}), "password", what="register password = email")
    # the boundary: 8 characters are enough, counted as characters not bytes
    register(new_email("pw8"), password="abcdefg1")
    register(new_email("pw8cjk"), password="密码密码密码密码")
    # missing fields and wrong JSON types (a fresh email each: register allows 5 a minute per email)
    expect_field(auth("register", {"password": PASSWORD}), "email", what="register without email")
    expect_field(auth("register", {"email": new_email("miss")}), "password", what="register without password")
    expect_field(auth("register", {"email": 123, "password": PASSWORD}), "email", what="register email=123")
    expect_field(auth("register", {"email": None, "password": PASSWORD}), "email", what="register email=null")
    made = []
    for extra, field, what in (({"password": 12345678}, "password", "password=12345678"),
                               ({"username": 7}, "username", "username=7"),
                               ({"username": "u" * 151}, "username", "username of 151 characters"),
                               ({"invite_code": 5}, "invite_code", "invite_code=5"),
                               ({"invite_code": "NOSUCHCODE99"}, "invite_code", "an unknown invite code")):
        e = new_email("bad")
        made.append(e)
        body = {"email": e, "password": PASSWORD}
        body.update(extra)
        expect_field(auth("register", body), field, what="register with " + what)
    rows = sql("SELECT email FROM auth_user WHERE email IN (%s)" % ",".join(sql_str(e) for e in made))
    assert not rows, "failed registrations left users: %r" % rows


def test_register_bad_bodies():
    js = {"Content-Type": "application/json"}
    expect_error(auth("register", b'{"email": "a@example.com", ', headers=js), 400, "invalid_json")
    expect_error(auth("register", b'{"email":"\xff\xfe@example.com","password":"Tr0ub4dor&3"}', headers=js), 400,
                 "invalid_utf8")
    r = auth("register", json.dumps({"email": new_email(), "password": PASSWORD}).encode(),
             headers={"Content-Type": "text/plain"})
    expect_error(r, 415)
    for body in (b"[]", b'"x"', b"", b"null"):
        r = auth("register", body, headers=js)
        assert r.status == 400, "register with body %r: expected 400, got %r" % (body, r)
        expect_error(r, 400)
    # raw UTF-8 (not \\u escapes) in a body is fine
    e = new_email("utf8")
    r = auth("register", json.dumps({"email": e, "password": "口令-" + PASSWORD}, ensure_ascii=False).encode(),
             headers=js)
    data_of(r, 201, "register with raw UTF-8 in the body")
    login(e, "口令-" + PASSWORD)


def test_register_duplicate_email_and_username():
    email = new_email("dup")
    name = "dup_" + uuid.uuid4().hex[:10]
    register(email, username=name)
    local, dom = email.split("@")
    for variant in (email, email.upper(), local + "@" + dom.upper()):
        r = auth("register", {"email": variant, "password": PASSWORD})
        d = data_of(r, 201, "register an existing address again (%s)" % variant)
        assert d["email"] == email, "the answer names the address in its normal form: %r" % d
    expect_error(auth("register", {"email": new_email("dup2"), "password": PASSWORD, "username": name}), 409,
                 "username_taken")
    # the column's collation is case-insensitive: a case variant must be a clean 409, not a 500
    r = auth("register", {"email": new_email("dup3"), "password": PASSWORD, "username": name.upper()})
    expect_error(r, 409, "username_taken")
    n = sql("SELECT COUNT(*) FROM auth_user WHERE LOWER(email) = %s" % sql_str(email))[0][0]
    assert n == "1", "%s users with the same email" % n


def mails_with(addr, needle):
    out = []
    for path, raw, msg in mails_to(addr):
        try:
            if needle in body_of(msg):
                out.append(msg)
        except Exception:
            continue
    return out


def test_register_does_not_reveal_existing_email():
    """Issue 10.5: a new and a registered address get the same answer, byte for byte; the owner is told."""
    known = new_email("known")
    register(known)
    fresh = new_email("fresh")
    ip = fresh_ip()
    r_new = auth("register", {"email": fresh, "password": PASSWORD}, ip=ip)
    r_old = auth("register", {"email": known, "password": PASSWORD}, ip=ip)
    assert (r_new.status, r_old.status) == (201, 201), "register answers: new %r, existing %r" % (r_new, r_old)
    # the bodies differ only in the address echoed back: swap it to compare the rest byte for byte
    assert r_old.body == r_new.body.replace(fresh.encode(), known.encode()), \
        "register answers differ for a new and an existing address:\n%r\n%r" % (r_new.body, r_old.body)
    for h in ("Content-Type", "Content-Length", "Cache-Control", "Set-Cookie", "Location"):
        a, b = r_new.headers.get(h), r_old.headers.get(h)
        assert a == b, "header %s differs: %r vs %r" % (h, a, b)
    n = sql("SELECT COUNT(*) FROM auth_user WHERE email = %s" % sql_str(known))[0][0]
    assert n == "1", "%s users with the address after registering it twice" % n
    # the new address got its verification link, the owner of the existing one a notice
    mail_token(fresh, "verify-email")
    zmtest.wait_for(lambda: mails_with(known, "/forgot-password"), timeout=10, step=0.1,
                    what="the 'someone tried to register your address' mail to %s" % known)
    notice = mails_with(known, "/forgot-password")[0]
    assert has_cjk(str(notice["Subject"])) and "verify-email?token=" not in body_of(notice), body_of(notice)
    # a username that is an address would ask the same question: refused alike, whether it has an account
    probes = []
    for addr in (known, new_email("nobody")):
        r = auth("register", {"email": new_email("probe"), "password": PASSWORD, "username": addr})
        expect_field(r, "username", what="register with username = an address")
        probes.append(r.body)
    assert probes[0] == probes[1], "a username probe tells accounts apart: %r" % probes
    # the registering address itself as username is the default, and says nothing either
    mine = new_email("mine")
    register(mine, username=mine.upper())
    r = auth("register", {"email": mine, "password": PASSWORD, "username": mine})
    data_of(r, 201, "register an existing address with itself as username")
    # PATCH /me: a username may not become an address either; the current one may be sent back
    s = new_user(tag="pat")
    expect_field(request("PATCH", "/api/v1/auth/me", {"username": known}, token=s["access"]), "username",
                 what="PATCH /me username = somebody's address")
    p = data_of(request("PATCH", "/api/v1/auth/me", {"username": s["user"]["username"], "first_name": "甲"},
                        token=s["access"]), 200, "PATCH /me with the derived username unchanged")
    assert p["username"] == s["user"]["username"] and p["first_name"] == "甲", p


def test_register_with_invite_code_records_inviter():
    inviter = register(new_email("inviter"))
    invitee = register(new_email("invitee"), invite_code=inviter["invite_code"])
    assert invitee["invited_by"] == inviter["id"], "invited_by %r, expected the inviter %d" % (
        invitee["invited_by"], inviter["id"])
    assert invitee["invite_code"] and invitee["invite_code"] != inviter["invite_code"], invitee
    assert db_profile(invitee["id"])["invited_by_id"] == str(inviter["id"]), db_profile(invitee["id"])
    assert db_profile(inviter["id"])["invited_by_id"] == "NULL"


def test_email_normalised_everywhere():
    """Issue 10.6: trimmed, NFKC, lower case before storing and comparing; look-alikes are one address."""
    tag = uuid.uuid4().hex[:8]
    plain = "sam.%s-%s@example.com" % (tag, RUN)
    # full-width letters, U+3000 and a trailing space: stored as the plain address
    fancy = "\u3000ＳＡＭ.%s-%s@Example.ＣＯＭ " % (tag, RUN)
    d = data_of(auth("register", {"email": fancy, "password": PASSWORD}), 201, "register %r" % fancy)
    assert d["email"] == plain, "the answer names %r, expected %r" % (d["email"], plain)
    u = user_by_email(plain)
    assert sql("SELECT email FROM auth_user WHERE id = %d" % u["id"]) == [[plain]]
    assert sql("SELECT email_key FROM zm_user_profile WHERE user_id = %d" % u["id"]) == [[plain]]
    # every spelling logs in to that one account
    for spelling in (plain, plain.upper(), " " + plain + "  ", "ſam.%s-%s@example.com" % (tag, RUN),
                     "ｓａｍ.%s-%s@ｅｘａｍｐｌｅ.ｃｏｍ" % (tag, RUN)):
        d = data_of(auth("login", {"email": spelling, "password": PASSWORD}), 200, "login as %r" % spelling)
        assert d["user"]["id"] == u["id"], "login as %r reached user %r" % (spelling, d["user"]["id"])
    # registering a look-alike makes no second account
    r = auth("register", {"email": "ſam.%s-%s@example.com" % (tag, RUN), "password": PASSWORD})
    assert data_of(r, 201, "register a look-alike")["email"] == plain
    n = sql("SELECT COUNT(*) FROM auth_user WHERE email LIKE %s" % sql_str("%%am.%s-%%" % tag))[0][0]
    assert n == "1", "%s accounts for one address" % n
    # an address that is not plain after normalisation is refused
    for bad in ("ı%s@example.com" % tag, "straße-%s@example.com" % tag, "a\u200b%s@example.com" % tag):
        expect_field(auth("register", {"email": bad, "password": PASSWORD}), "email", what="register %r" % bad)
    # reset by a look-alike mails the account's own address
    data_of(auth("password/reset", {"email": "ＳＡＭ.%s-%s@example.com" % (tag, RUN)}), 200, "reset by look-alike")
    mail_token(plain, "reset-password")


def test_login_rate_limit_per_email_holds_across_spellings():
    """Issue 10.6: each spelling used to count in a bucket of its own, so the per-email limit did not hold."""
    email = new_email("rlsp")
    register(email)
    local, dom = email.split("@")
    spellings = [email + " ", email.upper(), " " + email, email + "  ",
                 "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in local) + "@" + dom]
    clear_of_window_edge()
    for sp in spellings:
        r = auth("login", {"email": sp, "password": "wrong-" + PASSWORD})
        expect_error(r, 401, "invalid_credentials")
    # the 5 wrong attempts all counted for the one address: the limit (5 a minute) is reached
    expect_error(auth("login", {"email": email, "password": PASSWORD}), 429, "rate_limited")


def test_normalize_emails_migration():
    """Issue 10.6: zhimai-migrate rewrites existing rows (it runs before 0005; normalize-emails runs it again)."""
    tag = uuid.uuid4().hex[:8]
    h = VECTORS[0][1]

    def insert(email, name):
        sql("INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email, "
            "is_staff, is_active, date_joined) VALUES (%s, NULL, 0, %s, '', '', %s, 0, 1, NOW(6))"
            % (sql_str(h), sql_str(name + tag), sql_str(email)))
        return int(sql("SELECT id FROM auth_user WHERE username = %s" % sql_str(name + tag))[0][0])

    a = insert("  Mixed.Case-%s@Example.COM " % tag, "mig_a_")
    b = insert("ｆｕｌｌ-%s@example.com" % tag, "mig_b_")
    sql("INSERT INTO zm_user_profile (user_id, role, company, invite_code, email_verified, email_key, created_at, "
        "updated_at) VALUES (%d, 'seeker', '', %s, 0, %s, NOW(6), NOW(6))"
        % (b, sql_str(tag.upper()[:8]), sql_str("ｆｕｌｌ-%s@example.com" % tag)))
    c = insert("dup-%s@example.com" % tag, "mig_c_")
    d = insert("\u3000DUP-%s@example.com" % tag, "mig_d_")  # the same address as c's
    out = subprocess.run([os.path.join(BUILD, "zhimai-migrate"), "-c", CONF, "normalize-emails"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, "normalize-emails: rc %d\n%s\n%s" % (out.returncode, out.stdout, out.stderr)
    email = lambda uid: sql("SELECT email FROM auth_user WHERE id = %d" % uid)[0][0]
    assert email(a) == "mixed.case-%s@example.com" % tag, email(a)
    assert email(b) == "full-%s@example.com" % tag, email(b)
    assert sql("SELECT email_key FROM zm_user_profile WHERE user_id = %d" % b) == [["full-%s@example.com" % tag]]
    assert email(c) == "dup-%s@example.com" % tag and email(d) == "\u3000DUP-%s@example.com" % tag, \
        "two users of one address: the one with it exactly keeps it, the other is left for an operator"
    assert str(d) in out.stderr, "the clash is reported: %r" % out.stderr
    # idempotent: nothing left to rewrite (the clash is reported again)
    again = subprocess.run([os.path.join(BUILD, "zhimai-migrate"), "-c", CONF, "normalize-emails"],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and " 0 rewritten" in again.stdout, again.stdout + again.stderr
    # the rewritten users log in with their address; the clash reaches the exact one
    assert login("mixed.case-%s@example.com" % tag, VECTORS[0][0])["user"]["id"] == a
    assert login("FULL-%s@example.com" % tag, VECTORS[0][0])["user"]["id"] == b
    assert login("dup-%s@example.com" % tag, VECTORS[0][0])["user"]["id"] == c


# ---- login and tokens ---------------------------------------------------------------------

def test_login_issues_simplejwt_tokens():
    email = new_email("login")
    u = register(email)
    t0 = int(time.time())
    d = login(email)
    assert d["user"]["id"] == u["id"], d["user"]
    key = jwt_secret()
    for tok, typ, life in ((d["access"], "access", 3600), (d["refresh"], "refresh", 86400)):
        assert "=" not in tok and tok.count(".") == 2, "%s token is not compact base64url: %r" % (typ, tok)
        h, c, s = jwt_parts(tok)
        assert h == {"alg": "HS256", "typ": "JWT"}, "%s header %r" % (typ, h)
        # simplejwt's claims, and "gen" (the user's token generation), which simplejwt ignores
        assert set(c) == {"token_type", "exp", "iat", "jti", "user_id", "gen"}, "%s claims %r" % (typ, c)
        assert type(c["gen"]) is int and c["gen"] >= 0, c
        assert c["token_type"] == typ, c
        assert c["user_id"] == u["id"] and type(c["user_id"]) is int, "user_id must be the integer id: %r" % c
        assert type(c["exp"]) is int and type(c["iat"]) is int, c
        assert c["exp"] - c["iat"] == life, "%s lifetime %d s, expected %d" % (typ, c["exp"] - c["iat"], life)
        assert abs(c["iat"] - t0) <= 60, "iat %d far from now %d" % (c["iat"], t0)
        assert re.match(r"^[0-9a-f]{32}$", c["jti"]), "jti %r" % c["jti"]
        signing = tok.rsplit(".", 1)[0]
        assert hmac.compare_digest(s, b64u(hmac.new(key, signing.encode(), hashlib.sha256).digest())), \
            "%s token is not HS256-signed with auth.jwt_secret" % typ
    _, a, _ = jwt_parts(d["access"])
    _, rf, _ = jwt_parts(d["refresh"])
    assert a["jti"] != rf["jti"]
    rows = sql("SELECT IFNULL(user_id, 'NULL') FROM token_blacklist_outstandingtoken WHERE jti = '%s'" % rf["jti"])
    assert rows == [[str(u["id"])]], "refresh token not recorded as outstanding for the user: %r" % rows
    m = check_user(data_of(me(d["access"]), 200, "GET /me"), email)
    assert m["id"] == u["id"] and m["last_login"] is not None, "last_login after a login: %r" % m
    assert db_user(u["id"])["last_login"] != "NULL"


def test_login_failures_are_indistinguishable():
    email = new_email("fail")
    u = register(email)
    wrong = auth("login", {"email": email, "password": PASSWORD + "x"})
    unknown = auth("login", {"email": new_email("ghost"), "password": PASSWORD})
    sql("UPDATE auth_user SET is_active = 0 WHERE id = %d" % u["id"])
    inactive = auth("login", {"email": email, "password": PASSWORD})
    msgs = []
    for what, r in (("wrong password", wrong), ("unknown email", unknown), ("inactive user", inactive)):
        assert r.status == 401, "login with %s: expected 401, got %r" % (what, r)
        j = expect_error(r, 401, "invalid_credentials")
        msgs.append(j["error"]["message"])
    assert len(set(msgs)) == 1, "login failure messages differ, revealing which emails exist: %r" % msgs
    for body, field in (({"password": PASSWORD}, "email"), ({"email": email}, "password")):
        r = auth("login", body)
        assert r.status == 400, "login without %s: expected 400, got %r" % (field, r)
        expect_error(r, 400)


def test_me_get_and_patch():
    s = new_user(tag="me")
    other = register(new_email("other"), username="oth_" + uuid.uuid4().hex[:10])
    m = check_user(data_of(me(s["access"]), 200, "GET /me"), s["email"])
    assert m["id"] == s["user"]["id"]
    name = "me_" + uuid.uuid4().hex[:10]
    body = {"username": name, "first_name": "小明", "last_name": "王", "company": "职麦科技有限公司"}
    p = data_of(request("PATCH", "/api/v1/auth/me", body, token=s["access"]), 200, "PATCH /me")
    for k, v in body.items():
        assert p[k] == v, "PATCH /me did not set %s: %r" % (k, p)
    m = data_of(me(s["access"]), 200, "GET /me after PATCH")
    assert all(m[k] == v for k, v in body.items()), m
    row = db_user(m["id"])
    assert (row["username"], row["first_name"], row["last_name"]) == (name, "小明", "王"), row
    assert db_profile(m["id"])["company"] == "职麦科技有限公司"
    # a partial PATCH keeps the rest
    p = data_of(request("PATCH", "/api/v1/auth/me", {"last_name": "李"}, token=s["access"]), 200, "PATCH last_name")
    assert p["last_name"] == "李" and p["first_name"] == "小明" and p["username"] == name, p
    # a user cannot make themselves admin or change other fields through /me
    r = request("PATCH", "/api/v1/auth/me", {"role": "admin", "is_active": False, "email_verified": True},
                token=s["access"])
    assert r.status in (200, 400), "PATCH /me with forbidden fields: %r" % r
    m = data_of(me(s["access"]), 200, "GET /me after forbidden PATCH")
    assert m["role"] == "seeker" and m["is_active"] is True and m["email_verified"] is False, \
        "PATCH /me changed a field it must not: %r" % m
    expect_error(request("PATCH", "/api/v1/auth/me", {"username": other["username"]}, token=s["access"]), 409,
                 "username_taken")
    expect_field(request("PATCH", "/api/v1/auth/me", {"first_name": 123}, token=s["access"]), "first_name",
                 what="PATCH first_name=123")
    expect_field(request("PATCH", "/api/v1/auth/me", {"first_name": "名" * 151}, token=s["access"]), "first_name",
                 what="PATCH first_name of 151 characters")
    expect_401(request("PATCH", "/api/v1/auth/me", {"first_name": "x"}), "not_authenticated", "PATCH /me, no token")
    expect_401(me(), "not_authenticated", "GET /me, no token")
    expect_401(me("not.a.token"), "token_invalid", "GET /me, garbage token")


def test_refresh_rotates_and_old_is_refused():
    s = new_user(tag="rot")
    r0 = s["refresh"]
    d1 = data_of(refresh(r0), 200, "refresh")
    assert set(d1) >= {"access", "refresh"} and d1["refresh"] != r0, "refresh must rotate: %r" % d1
    h, c, _ = jwt_parts(d1["refresh"])
    assert c["token_type"] == "refresh" and c["user_id"] == s["user"]["id"], c
    assert jwt_parts(d1["access"])[1]["token_type"] == "access"
    assert data_of(me(d1["access"]), 200, "GET /me with the refreshed access")["id"] == s["user"]["id"]
    d2 = data_of(refresh(d1["refresh"]), 200, "refresh with the rotated token")
    expect_401(refresh(r0), "token_invalid", "the first refresh token after rotation")
    expect_401(refresh(d1["refresh"]), "token_invalid", "the second refresh token after rotation")
    jti0 = jwt_parts(r0)[1]["jti"]
    rows = sql("SELECT COUNT(*) FROM token_blacklist_blacklistedtoken b JOIN token_blacklist_outstandingtoken o "
               "ON o.id = b.token_id WHERE o.jti = '%s'" % jti0)
    assert rows == [["1"]], "rotated refresh token is not blacklisted: %r" % rows
    expect_401(refresh(s["access"]), "token_invalid", "an access token sent as refresh")
    expect_401(refresh("garbage"), "token_invalid", "a garbage refresh token")
    assert d2["refresh"] != d1["refresh"]


def test_logout_revokes_refresh():
    s = new_user(tag="logout")
    second = login(s["email"])  # another session of the same user
    r = request("POST", "/api/v1/auth/logout", {"refresh": s["refresh"]}, token=s["access"])
    assert r.status == 204 and r.body == b"", "logout: expected an empty 204, got %r" % r
    expect_401(refresh(s["refresh"]), "token_invalid", "refresh after logout")
    jti = jwt_parts(s["refresh"])[1]["jti"]
    rows = sql("SELECT COUNT(*) FROM token_blacklist_blacklistedtoken b JOIN token_blacklist_outstandingtoken o "
               "ON o.id = b.token_id WHERE o.jti = '%s'" % jti)
    assert rows == [["1"]], "logged-out refresh token is not blacklisted: %r" % rows
    # only that session ends
    data_of(refresh(second["refresh"]), 200, "the other session's refresh after logout")
    # nobody can log out somebody else's session
    victim = new_user(tag="victim")
    r = request("POST", "/api/v1/auth/logout", {"refresh": victim["refresh"]}, token=second["access"])
    assert 400 <= r.status < 500, "logout with another user's refresh token: %r" % r
    rotated = data_of(refresh(victim["refresh"]), 200, "the victim's refresh after another user's logout")
    r = request("POST", "/api/v1/auth/logout", {"refresh": rotated["refresh"]})
    expect_401(r, "not_authenticated", "logout without a Bearer token")
    data_of(refresh(rotated["refresh"]), 200, "the refresh token after a logout without a Bearer token")


def test_logout_revokes_access_token():
    """Issue 10.4: logout ends that session's access token as well; the user's other sessions go on."""
    s = new_user(tag="loacc")
    other = login(s["email"])
    data_of(me(s["access"]), 200, "GET /me before logout")  # in the workers' user cache now
    r = request("POST", "/api/v1/auth/logout", {"refresh": s["refresh"]}, token=s["access"])
    assert r.status == 204, "logout: %r" % r
    # through nginx the requests spread over the workers: every one must refuse it
    for i in range(8):
        expect_401(me(s["access"]), "token_invalid", "the logged-out access token (request %d)" % (i + 1))
    expect_401(request("POST", "/api/v1/auth/logout", {"refresh": other["refresh"]}, token=s["access"]),
               "token_invalid", "logout with a logged-out access token")
    for i in range(4):
        data_of(me(other["access"]), 200, "the other session's access token after the logout")
    d = data_of(refresh(other["refresh"]), 200, "the other session's refresh after the logout")
    data_of(me(d["access"]), 200, "a token refreshed after the logout")
    rows = sql("SELECT user_id, expires_at > UTC_TIMESTAMP(6) FROM zm_revoked_access WHERE jti = '%s'"
               % jwt_parts(s["access"])[1]["jti"])
    assert rows == [[str(s["user"]["id"]), "1"]], "the revoked access token is not on record: %r" % rows


def test_many_logouts_still_revoke():
    """More logged-out sessions than the per-worker cache keeps (8): the rest are looked up."""
    s = new_user(tag="lomany")
    uid, g = s["user"]["id"], jwt_parts(s["access"])[1]["gen"]
    # sessions as a service on the same key would issue them (login allows 5 a minute per address)
    sessions = [(make_jwt(dict(claims(uid), gen=g)), make_jwt(dict(claims(uid, typ="refresh"), gen=g)))
                for _ in range(11)]
    for access, ref in sessions:
        data_of(me(access), 200, "a session before its logout")
        r = request("POST", "/api/v1/auth/logout", {"refresh": ref}, token=access)
        assert r.status == 204, "logout: %r" % r
    for i, (access, _) in enumerate(sessions):
        expect_401(me(access), "token_invalid", "logged-out access token %d of %d" % (i + 1, len(sessions)))
    data_of(me(s["access"]), 200, "the session still logged in")


def same_second_start():
    """Wait for the start of a second: what follows within it may share its iat."""
    time.sleep(1.02 - time.time() % 1)


def revocation_second(uid):
    return int(sql("SELECT FLOOR(UNIX_TIMESTAMP(tokens_valid_after)) FROM zm_user_profile WHERE user_id = %d"
                   % uid)[0][0])


def check_same_second_refused(uid, old_gen, what):
    """Tokens as they would have been issued in the revocation's second, before it, are refused.  Made
    here (hashing a password takes longer than a second under the sanitizers, so a real login and the
    change cannot be made to share one): an access and a refresh token with the generation the user had,
    and gen-less ones (a Django project's on the same key)."""
    second = revocation_second(uid)
    ours = dict(claims(uid, iat=second), gen=old_gen)
    expect_401(me(make_jwt(ours)), "token_invalid", "an access token of the second of the %s" % what)
    expect_401(refresh(make_jwt(dict(ours, token_type="refresh"))), "token_invalid",
               "a refresh token of the second of the %s" % what)
    expect_401(me(make_jwt(claims(uid, iat=second))), "token_invalid",
               "a gen-less access token of the second of the %s" % what)
    expect_401(me(make_jwt(claims(uid, iat=second - 5))), "token_invalid",
               "a gen-less access token from before the %s" % what)


def test_revocation_is_per_token_not_per_second():
    """Issue 20.1: a token issued in the same second as a password change is revoked by it too."""
    s = new_user(tag="gen")
    uid = s["user"]["id"]
    old_gen = jwt_parts(s["access"])[1].get("gen", 0)
    r = request("POST", "/api/v1/auth/password/change", {"old_password": PASSWORD, "new_password": "Gen-change-1zm"},
                token=s["access"])
    after = data_of(r, 200, "password change")
    expect_401(me(s["access"]), "token_invalid", "the access token used for the change")
    check_same_second_refused(uid, old_gen, "password change")
    data_of(me(after["access"]), 200, "the token the change issued")
    second = revocation_second(uid)
    data_of(me(make_jwt(claims(uid, iat=second + 1))), 200, "a gen-less token from the second after the change")
    # a generation other than the user's is refused, even freshly signed
    g = jwt_parts(after["access"])[1]["gen"]
    assert g != old_gen, "the change did not move the generation on: %r" % g
    for other in (g - 1, g + 1):
        expect_401(me(make_jwt(dict(claims(uid), gen=other))), "token_invalid", "gen %d (the user's is %d)" % (other, g))
    data_of(me(make_jwt(dict(claims(uid), gen=g))), 200, "a self-signed token with the user's gen")
    # a real pair refreshed from the new one carries the new generation and works
    d = data_of(refresh(after["refresh"]), 200, "refresh after the change")
    assert jwt_parts(d["access"])[1]["gen"] == g
    data_of(me(d["access"]), 200, "the refreshed access token")


def test_password_reset_revokes_every_session():
    """Issue 10.2: a reset ends every session, including one begun in the same second."""
    s = new_user(tag="rsall")
    uid = s["user"]["id"]
    old_gen = jwt_parts(s["access"])[1].get("gen", 0)
    data_of(auth("password/reset", {"email": s["email"]}), 200, "password/reset")
    token = mail_token(s["email"], "reset-password")
    same_second_start()
    fresh = login(s["email"])
    data_of(request("POST", "/api/v1/auth/password/reset/confirm", {"token": token, "new_password": "Reset-all-1zm"}),
            200, "reset confirm")
    for tok, what in ((s["access"], "an earlier"), (fresh["access"], "a just issued")):
        expect_401(me(tok), "token_invalid", "%s access token after a reset" % what)
    for tok, what in ((s["refresh"], "an earlier"), (fresh["refresh"], "a just issued")):
        expect_401(refresh(tok), "token_invalid", "%s refresh token after a reset" % what)
    check_same_second_refused(uid, old_gen, "reset")
    login(s["email"], "Reset-all-1zm")


def test_deactivated_then_reactivated_tokens_stay_revoked():
    """Issue 10.4: reactivating a user does not bring back the tokens deactivation ended."""
    s = new_user(tag="react")
    uid = s["user"]["id"]
    old_gen = jwt_parts(s["access"])[1].get("gen", 0)
    admin_token()
    same_second_start()
    fresh = login(s["email"])
    data_of(admin_patch(uid, {"is_active": False}), 200, "deactivate")
    data_of(admin_patch(uid, {"is_active": True}), 200, "reactivate")
    for tok, what in ((s["access"], "an earlier"), (fresh["access"], "a just issued")):
        expect_401(me(tok), "token_invalid", "%s access token after deactivation and reactivation" % what)
    for tok, what in ((s["refresh"], "an earlier"), (fresh["refresh"], "a just issued")):
        expect_401(refresh(tok), "token_invalid", "%s refresh token after deactivation and reactivation" % what)
    check_same_second_refused(uid, old_gen, "deactivation")
    data_of(me(login(s["email"])["access"]), 200, "a new login after reactivation")


def test_password_change_revokes_tokens():
    s = new_user(tag="chg")
    other = login(s["email"])
    new_pw = "N3w-password-zm"
    path = "/api/v1/auth/password/change"
    expect_401(request("POST", path, {"old_password": PASSWORD, "new_password": new_pw}), "not_authenticated",
               "password change without a token")
    expect_field(request("POST", path, {"old_password": "wrong-" + PASSWORD, "new_password": new_pw},
                         token=s["access"]), "old_password", what="password change, wrong old password")
    for weak in ("12345678901", "short1!", s["email"]):
        expect_field(request("POST", path, {"old_password": PASSWORD, "new_password": weak}, token=s["access"]),
                     "new_password", what="password change to %r" % weak)
    expect_401(request("POST", path, {"old_password": PASSWORD, "new_password": new_pw}, token=s["refresh"]),
               "token_invalid", "password change with a refresh token as Bearer")
    # tokens carry whole seconds: let the old ones be from an earlier second than the change
    time.sleep(1.05 - time.time() % 1)
    d = data_of(request("POST", path, {"old_password": PASSWORD, "new_password": new_pw}, token=s["access"]), 200,
                "password change")
    assert isinstance(d.get("access"), str) and isinstance(d.get("refresh"), str), d
    assert data_of(me(d["access"]), 200, "GET /me with the new access token (same second as the change)")["id"] \
        == s["user"]["id"]
    for tok, what in ((s["refresh"], "this session's"), (other["refresh"], "another session's")):
        expect_401(refresh(tok), "token_invalid", "%s earlier refresh token after a password change" % what)
    expect_401(me(s["access"]), None, "the earlier access token after a password change")
    expect_401(me(other["access"]), None, "another session's access token after a password change")
    data_of(refresh(d["refresh"]), 200, "the new refresh token")
    assert DJANGO_ARGON2_RE.match(db_user(s["user"]["id"])["password"])
    expect_error(auth("login", {"email": s["email"], "password": PASSWORD}), 401, "invalid_credentials")
    login(s["email"], new_pw)


def test_password_reset_flow():
    s = new_user(tag="reset")
    uid = s["user"]["id"]
    r = auth("password/reset", {"email": s["email"]})
    data_of(r, 200, "password/reset")
    token = mail_token(s["email"], "reset-password")
    lives = sql("SELECT TIMESTAMPDIFF(SECOND, created_at, expires_at), token_hash FROM zm_user_token "
                "WHERE user_id = %d ORDER BY id DESC LIMIT 1" % uid)
    assert lives and abs(int(lives[0][0]) - 1800) <= 5, "reset tokens live 30 min: %r" % lives
    assert token not in lives[0][1], "the reset token is stored in plain"
    confirm = "/api/v1/auth/password/reset/confirm"
    new_pw = "Reset-pw-9zm"
    expect_error(request("POST", confirm, {"token": "y" * 43, "new_password": new_pw}), 400, "invalid_token")
    expect_field(request("POST", confirm, {"token": token, "new_password": "1234567890"}), "new_password",
                 what="reset confirm with an all-digit password")
    data_of(request("POST", confirm, {"token": token, "new_password": new_pw}), 200,
            "reset confirm (after a refused weak password, the token must still be usable)")
    expect_error(request("POST", confirm, {"token": token, "new_password": new_pw + "2"}), 400, "invalid_token")
    expect_401(refresh(s["refresh"]), "token_invalid", "a refresh token from before the reset")
    expect_error(auth("login", {"email": s["email"], "password": PASSWORD}), 401, "invalid_credentials")
    login(s["email"], new_pw)
    assert DJANGO_ARGON2_RE.match(db_user(uid)["password"])


def test_reset_links_one_at_a_time():
    """Issue 10.3: a new reset link ends the older ones; using one ends every other."""
    s = new_user(tag="rsone")
    uid = s["user"]["id"]
    confirm = "/api/v1/auth/password/reset/confirm"
    data_of(auth("password/reset", {"email": s["email"]}), 200, "first password/reset")
    first = mail_token(s["email"], "reset-password", n=1)
    data_of(auth("password/reset", {"email": s["email"]}), 200, "second password/reset")
    second = mail_token(s["email"], "reset-password", n=2)
    assert first != second
    expect_error(request("POST", confirm, {"token": first, "new_password": "One-link-1zm"}), 400, "invalid_token")
    login(s["email"])  # the older link changed nothing
    # two live links side by side (as two racing requests could leave): using one ends the other
    spare = "spare-" + uuid.uuid4().hex
    sql("INSERT INTO zm_user_token (user_id, purpose, token_hash, expires_at, created_at) VALUES "
        "(%d, 'reset', '%s', UTC_TIMESTAMP(6) + INTERVAL 600 SECOND, UTC_TIMESTAMP(6))"
        % (uid, hashlib.sha256(spare.encode()).hexdigest()))
    data_of(request("POST", confirm, {"token": second, "new_password": "One-link-2zm"}), 200, "the newest link")
    expect_error(request("POST", confirm, {"token": spare, "new_password": "One-link-3zm"}), 400, "invalid_token")
    live = sql("SELECT COUNT(*) FROM zm_user_token WHERE user_id = %d AND purpose = 'reset' AND used_at IS NULL"
               % uid)[0][0]
    assert live == "0", "%s reset links still live after one was used" % live
    login(s["email"], "One-link-2zm")


def mail_link_tasks(email):
    return sql("SELECT type, JSON_UNQUOTE(JSON_EXTRACT(payload, '$.purpose')) FROM zm_task "
               "WHERE JSON_UNQUOTE(JSON_EXTRACT(payload, '$.email')) = %s ORDER BY id" % sql_str(email))


def test_reset_and_resend_do_the_same_work_for_any_address():
    """Issue 20.10: a known and an unknown address cost the same: the request queues one task either way,
    and the answers are byte-identical (timing is measured by tests/bench/auth_timing.py, not here)."""
    for path, purpose in (("password/reset", "reset"), ("resend-verification", "verify")):
        known, unknown = new_email("sk"), new_email("su")  # same length: same bytes on the wire
        register(known)
        ip = fresh_ip()
        rk = auth(path, {"email": known}, ip=ip)
        ru = auth(path, {"email": unknown}, ip=ip)
        assert (rk.status, rk.body) == (ru.status, ru.body), "%s answers differ: %r vs %r" % (path, rk, ru)
        for h in ("Content-Type", "Content-Length", "Cache-Control"):
            assert rk.headers.get(h) == ru.headers.get(h), "%s header %s differs" % (path, h)
        tk, tu = mail_link_tasks(known), mail_link_tasks(unknown)
        assert [t for t in tk if t[1] == purpose] == [["auth.mail_link", purpose]] and \
            tu == [["auth.mail_link", purpose]], \
            "%s: the same single task for either address expected, got %r and %r" % (path, tk, tu)
    # the known address got its link from the worker, the unknown one nothing
    mail_token(known, "verify-email", n=2)


def test_password_reset_unknown_email_same_answer():
    known = new_email("rk")
    register(known)
    unknown = new_email("ru")
    rk = auth("password/reset", {"email": known})
    ru = auth("password/reset", {"email": unknown})
    data_of(rk, 200, "password/reset for a known email")
    data_of(ru, 200, "password/reset for an unknown email")
    assert rk.json == ru.json, "reset answers differ for known/unknown emails: %r vs %r" % (rk.json, ru.json)
    wait_mails(known, 2)  # verification + reset: the worker has run
    assert not mails_to(unknown), "a mail went to an address with no account"
    r = auth("password/reset", {"email": "not-an-email"})
    assert r.status in (200, 400), "password/reset with a malformed email: %r" % r


def test_password_reset_expired_token():
    email = new_email("rexp")
    u = register(email)
    data_of(auth("password/reset", {"email": email}), 200, "password/reset")
    token = mail_token(email, "reset-password")
    sql("UPDATE zm_user_token SET expires_at = '2000-01-01 00:00:00' WHERE user_id = %d" % u["id"])
    r = request("POST", "/api/v1/auth/password/reset/confirm", {"token": token, "new_password": "Expired-pw-1"})
    expect_error(r, 400, "invalid_token")
    login(email)  # the password is unchanged


# ---- Django hashes --------------------------------------------------------------------

def django_user(encoded):
    """A user as Django's createsuperuser/ORM would make it: auth_user only, no profile."""
    email = new_email("dj")
    name = "dj_" + uuid.uuid4().hex[:12]
    sql("INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email, "
        "is_staff, is_active, date_joined) VALUES (%s, NULL, 0, %s, '', '', %s, 0, 1, NOW(6))"
        % (sql_str(encoded), sql_str(name), sql_str(email)))
    uid = int(sql("SELECT id FROM auth_user WHERE username = %s" % sql_str(name))[0][0])
    return email, uid


def current_params():
    """The m=…,t=…,p=… of a hash made now."""
    u = register(new_email("params"))
    return db_user(u["id"])["password"].split("$")[3]


def check_vector(password, encoded, raw_utf8=False):
    email, uid = django_user(encoded)
    what = "Django hash %s…" % encoded[:30]
    r = auth("login", {"email": email, "password": password + "!"})
    expect_error(r, 401, "invalid_credentials")
    assert db_user(uid)["password"] == encoded, "%s: a failed login changed the stored hash" % what
    if raw_utf8:
        body = json.dumps({"email": email, "password": password}, ensure_ascii=False).encode()
        r = auth("login", body, headers={"Content-Type": "application/json"})
    else:
        r = auth("login", {"email": email, "password": password})
    d = data_of(r, 200, "login with %s" % what)
    check_user(d["user"], email, what)
    assert d["user"]["id"] == uid and d["user"]["role"] == "seeker", "%s: %r" % (what, d["user"])
    m = data_of(me(d["access"]), 200, "GET /me of a user without a profile row")
    assert m["id"] == uid
    stored = db_user(uid)["password"]
    assert stored != encoded and DJANGO_ARGON2_RE.match(stored), "%s not re-hashed to argon2id: %r" % (what, stored)
    login(email, password)
    expect_error(auth("login", {"email": email, "password": "wrong-" + password}), 401, "invalid_credentials")
    return stored


def test_django_pbkdf2_vectors():
    params = current_params()
    for pw, enc_ in VECTORS[:2]:
        stored = check_vector(pw, enc_, raw_utf8=not pw.isascii())
        assert stored.split("$")[3] == params, "re-hashed with %s, current parameters are %s" % (
            stored.split("$")[3], params)


def test_django_argon2_vector():
    params = current_params()
    pw, enc_ = VECTORS[2]
    stored = check_vector(pw, enc_)
    assert stored.split("$")[3] == params, "re-hashed with %s, current parameters are %s" % (
        stored.split("$")[3], params)


# ---- tokens made by hand --------------------------------------------------------------

def test_self_signed_simplejwt_token_is_accepted():
    email = new_email("sj")
    u = register(email)
    tok = make_jwt(claims(u["id"]))
    m = data_of(me(tok), 200, "GET /me with an HS256 token signed here with auth.jwt_secret (as simplejwt would)")
    assert m["id"] == u["id"] and m["email"] == email, m
    # simplejwt writes the claims in its own order; order must not matter
    c = claims(u["id"])
    tok = make_jwt(dict(reversed(list(c.items()))))
    data_of(me(tok), 200, "GET /me with the claims in another order")


def test_a_verified_token_still_expires():
    """Each worker keeps the access tokens it has verified (sessions.c): a kept one is refused as expired
    once its exp has passed, on every worker."""
    u = register(new_email("kept"))
    c = claims(u["id"], exp_in=4)
    tok = make_jwt(c)
    for i in range(8):  # kept by both workers
        data_of(me(tok), 200, "GET /me before the token's exp (request %d)" % (i + 1))
    time.sleep(max(0, c["exp"] - time.time()) + 1.2)
    for i in range(8):
        expect_401(me(tok), "token_expired", "the kept token after its exp (request %d)" % (i + 1))


def test_tampered_tokens_are_refused():
    a = new_user(tag="tamp")
    b = register(new_email("tampb"))
    uid = a["user"]["id"]
    h, c, sig = a["access"].split(".")
    # control: the secret is right
    data_of(me(make_jwt(claims(uid))), 200, "control: a correctly signed token")
    cases = []
    pc = jwt_parts(a["access"])[1]
    cases.append(("user_id changed, old signature", h + "." + enc(dict(pc, user_id=b["id"])) + "." + sig))
    cases.append(("exp extended, old signature", h + "." + enc(dict(pc, exp=pc["exp"] + 86400)) + "." + sig))
    cases.append(("signature of another token", h + "." + c + "." + make_jwt(claims(uid)).split(".")[2]))
    cases.append(("signature dropped", h + "." + c + "."))
    cases.append(("signature bit flipped", h + "." + c + "." + (("A" if sig[0] != "A" else "B") + sig[1:])))
    for alg in ("none", "None", "NONE"):
        cases.append(("alg %s, empty signature" % alg, make_jwt(claims(uid), alg=alg)))
    cases.append(("alg none, original signature", enc({"alg": "none", "typ": "JWT"}) + "." + c + "." + sig))
    cases.append(("alg RS256, HMAC signature", make_jwt(claims(uid), alg="RS256")))
    cases.append(("alg HS512, right key", make_jwt(claims(uid), alg="HS512")))
    cases.append(("alg HS384, right key", make_jwt(claims(uid), alg="HS384")))
    cases.append(("no alg in header (HS256-signed)", make_jwt(claims(uid), header={"typ": "JWT"})))
    cases.append(("HS256, another key", make_jwt(claims(uid), key=b"not-the-secret")))
    cases.append(("expired, another key", make_jwt(claims(uid, exp_in=-10, iat=int(time.time()) - 4000),
                                                   key=b"not-the-secret")))
    cases.append(("four segments", a["access"] + ".x"))
    cases.append(("two segments", h + "." + c))
    for what, tok in cases:
        expect_401(me(tok), "token_invalid", "GET /me with a token: " + what)
    expired = make_jwt(claims(uid, exp_in=-10, iat=int(time.time()) - 3610))
    expect_401(me(expired), "token_expired", "GET /me with an expired, correctly signed token")


def test_token_type_confusion():
    s = new_user(tag="type")
    uid = s["user"]["id"]
    expect_401(me(s["refresh"]), "token_invalid", "a refresh token as Bearer")
    expect_401(refresh(s["access"]), "token_invalid", "an access token as refresh")
    expect_401(me(make_jwt(claims(uid, typ="refresh"))), "token_invalid", "a self-made refresh token as Bearer")
    expect_401(me(make_jwt(claims(uid, typ="id"))), "token_invalid", "token_type 'id'")
    t = claims(uid)
    del t["token_type"]
    expect_401(me(make_jwt(t)), "token_invalid", "no token_type")
    expect_401(refresh(make_jwt(claims(uid, typ="access"))), "token_invalid", "a self-made access token as refresh")


def test_tokens_of_inactive_or_deleted_users():
    c = new_user(tag="inact")
    cid = c["user"]["id"]
    p = data_of(admin_patch(cid, {"is_active": False}), 200, "admin deactivates a user")
    assert p["is_active"] is False and db_user(cid)["is_active"] == "0", p
    expect_401(me(c["access"]), None, "the access token of a deactivated user")
    expect_401(me(make_jwt(claims(cid))), None, "a fresh self-made token of a deactivated user")
    expect_401(refresh(c["refresh"]), None, "the refresh token of a deactivated user")
    expect_error(auth("login", {"email": c["email"], "password": PASSWORD}), 401, "invalid_credentials")
    d = new_user(tag="del")
    did = d["user"]["id"]
    sql("DELETE FROM auth_user WHERE id = %d" % did)
    expect_401(me(d["access"]), None, "the access token of a deleted user")
    expect_401(refresh(d["refresh"]), None, "the refresh token of a deleted user")
    expect_401(me(make_jwt(claims(2147483000))), None, "a token for a user id that never existed")
    expect_401(me(make_jwt(claims(0))), None, "a token for user id 0")
    expect_401(me(make_jwt(claims(-1))), None, "a token for user id -1")


def test_bearer_header_garbage():
    s = new_user(tag="garb")
    tok = s["access"]
    cases = ["Bearer", "Bearer ", "Basic eHg6eHg=", "Basic xx", "Token " + tok, "bearer", "Bearer a.b.c",
             "Bearer ..", "Bearer " + tok + "x", "Bearer " + tok + " extra", "Bearer " + "x" * 6000,
             "Bearer " + ".".join(["A" * 2000] * 3)]
    for h in cases:
        r = me(headers={"Authorization": h})
        assert r.status == 401, "Authorization %r…: expected 401 JSON, got %r" % (h[:40], r)
        expect_error(r, 401)
    big = "Bearer " + "A" * 10240
    r = me(headers={"Authorization": big})
    assert r.status == 401, "a 10 KB Bearer token: expected 401 JSON, got %r" % r
    expect_error(r, 401)
    expect_401(refresh("A" * 10240), "token_invalid", "a 10 KB refresh token in the body")
    r = request("POST", "/api/v1/auth/logout", {"refresh": s["refresh"]}, headers={"Authorization": "Bearer x"})
    expect_401(r, None, "logout with a garbage Bearer")
    data_of(me(tok), 200, "the real token still works")


# ---- CLI and admin -----------------------------------------------------------------------

def test_cli_createsuperuser_and_set_role():
    email = new_email("su")
    pw = "Super-user-pw-1"
    out = admin_cli("createsuperuser", "--email", email, "--password-stdin", stdin=pw + "\n")
    assert out.returncode == 0, "createsuperuser: rc %d\n%s\n%s" % (out.returncode, out.stdout, out.stderr)
    d = login(email, pw)
    assert d["user"]["role"] == "admin", "createsuperuser made role %r" % d["user"]["role"]
    row = db_user(d["user"]["id"])
    assert (row["is_staff"], row["is_superuser"], row["is_active"]) == ("1", "1", "1"), row
    assert DJANGO_ARGON2_RE.match(row["password"]), row["password"]
    data_of(get("/api/v1/admin/users?page=1&page_size=1", token=d["access"]), 200, "admin list as the new superuser")
    out = admin_cli("createsuperuser", "--email", email, "--password-stdin", stdin=pw + "\n")
    assert out.returncode != 0, "createsuperuser of an existing email succeeded: %s %s" % (out.stdout, out.stderr)
    # set-role
    s = new_user(tag="cli")
    out = admin_cli("set-role", s["email"], "hr")
    assert out.returncode == 0, "set-role hr: rc %d\n%s\n%s" % (out.returncode, out.stdout, out.stderr)
    assert db_profile(s["user"]["id"])["role"] == "hr"
    assert data_of(me(s["access"]), 200, "GET /me after set-role")["role"] == "hr"
    out = admin_cli("set-role", s["email"], "admin")
    assert out.returncode == 0, out.stderr
    row = db_user(s["user"]["id"])
    assert (row["is_staff"], row["is_superuser"]) == ("1", "1"), "set-role admin: Django flags %r" % row
    out = admin_cli("set-role", new_email("nobody"), "hr")
    assert out.returncode != 0, "set-role of an unknown email succeeded: %s" % out.stdout
    out = admin_cli("set-role", s["email"], "emperor")
    assert out.returncode != 0, "set-role with an unknown role succeeded: %s" % out.stdout
    assert db_profile(s["user"]["id"])["role"] == "admin"


def test_admin_requires_admin_role():
    s = new_user(tag="noadm")
    uid = s["user"]["id"]
    # nobody may promote anybody without an admin token -- the worst case first
    r = request("PATCH", "/api/v1/admin/users/%d" % uid, {"role": "admin"})
    expect_401(r, "not_authenticated", "admin PATCH without a token")
    assert db_profile(uid)["role"] == "seeker", "an unauthenticated PATCH changed the role to %r" % db_profile(uid)
    r = admin_patch(uid, {"role": "admin"}, token=s["access"])
    assert r.status == 403, "a seeker PATCHing /admin/users/{own id} to admin: expected 403, got %r" % r
    expect_error(r, 403, "forbidden")
    assert db_profile(uid)["role"] == "seeker", "a seeker made themselves %r" % db_profile(uid)["role"]
    expect_401(get("/api/v1/admin/users"), "not_authenticated", "admin list without a token")
    expect_error(get("/api/v1/admin/users", token=s["access"]), 403, "forbidden")
    hr = new_user(tag="hr")
    data_of(admin_patch(hr["user"]["id"], {"role": "hr"}), 200, "admin makes a user hr")
    expect_error(get("/api/v1/admin/users", token=hr["access"]), 403, "forbidden")


def test_admin_list_search_and_pagination():
    tag = "srch" + uuid.uuid4().hex[:8]
    ids = set()
    for i in range(3):
        ids.add(register("%s-%d-%s@example.com" % (tag, i, RUN))["id"])
    named = register(new_email("byname"), username="nm" + tag)
    tok = admin_token()
    p1 = data_of(get("/api/v1/admin/users?search=%s&page=1&page_size=2" % tag, token=tok), 200, "admin list page 1")
    assert set(p1) >= {"items", "total", "page", "page_size"}, p1
    assert (p1["total"], p1["page"], p1["page_size"], len(p1["items"])) == (4, 1, 2, 2), \
        "page 1 of a 4-user search with page_size 2: %r" % {k: p1[k] for k in ("total", "page", "page_size")}
    p2 = data_of(get("/api/v1/admin/users?search=%s&page=2&page_size=2" % tag, token=tok), 200, "admin list page 2")
    assert p2["total"] == 4 and p2["page"] == 2 and len(p2["items"]) == 2, p2
    for u in p1["items"] + p2["items"]:
        check_user(u, what="admin list item")
    got = [u["id"] for u in p1["items"] + p2["items"]]
    assert sorted(got) == sorted(ids | {named["id"]}), "pages overlap or miss users: %r vs %r" % (got, ids)
    p3 = data_of(get("/api/v1/admin/users?search=%s&page=3&page_size=2" % tag, token=tok), 200, "admin list page 3")
    assert p3["items"] == [] and p3["total"] == 4, p3
    byname = data_of(get("/api/v1/admin/users?search=nm" + tag, token=tok), 200, "admin search by username")
    assert [u["id"] for u in byname["items"]] == [named["id"]], byname
    none = data_of(get("/api/v1/admin/users?search=zz" + uuid.uuid4().hex, token=tok), 200, "admin search, no match")
    assert none["items"] == [] and none["total"] == 0, none
    dflt = data_of(get("/api/v1/admin/users", token=tok), 200, "admin list with defaults")
    assert dflt["page"] == 1 and dflt["page_size"] == 20 and 1 <= len(dflt["items"]) <= 20 and dflt["total"] >= 4, \
        {k: dflt[k] for k in ("total", "page", "page_size")}


def test_admin_list_by_name_and_role():
    tag = "nr" + uuid.uuid4().hex[:8]
    tok = admin_token()
    seeker = register("%s-s@example.com" % tag)
    hr_email = "%s-h@example.com" % tag
    hr = register(hr_email)
    d = login(hr_email)
    r = request("PATCH", "/api/v1/auth/me", {"last_name": "欧阳", "first_name": "娜娜" + tag}, token=d["access"])
    data_of(r, 200, "set a Chinese name")
    data_of(admin_patch(hr["id"], {"role": "hr"}), 200, "make the second user hr")

    def ids(query):
        got = data_of(get("/api/v1/admin/users?" + query, token=tok), 200, "admin list " + query)
        assert got["total"] == len(got["items"]), got
        return sorted(u["id"] for u in got["items"])

    assert ids("search=%s" % quote("欧阳娜娜" + tag)) == [hr["id"]], "the whole name, family name first"
    assert ids("search=%s" % quote("娜娜" + tag)) == [hr["id"]], "the given name alone"
    assert ids("search=%s&role=hr" % tag) == [hr["id"]]
    assert ids("search=%s&role=seeker" % tag) == [seeker["id"]]
    assert ids("search=%s&role=admin" % tag) == []
    assert ids("search=%s&role=" % tag) == sorted([seeker["id"], hr["id"]]), "an empty role is any role"
    r = get("/api/v1/admin/users?role=boss", token=tok)
    expect_error(r, 400)
    assert "role" in (r.json["error"].get("fields") or {}), r


def test_admin_search_is_literal():
    tok = admin_token()
    tag = "lit" + uuid.uuid4().hex[:8]
    register("%s-%s@example.com" % (tag, RUN))
    # "contains" is literal: LIKE's % and _ are escaped, quotes and backslashes are data
    for q in (tag + "%", tag + "_", "'\"\\", "%"):
        d = data_of(get("/api/v1/admin/users?search=" + urllib.parse.quote(q), token=tok), 200, "admin search %r" % q)
        assert d["total"] == 0, "admin search %r matched %d users: LIKE wildcards not escaped?" % (q, d["total"])


def test_admin_patch_role_and_active():
    s = new_user(tag="patch")
    uid = s["user"]["id"]
    p = data_of(admin_patch(uid, {"role": "hr"}), 200, "PATCH role hr")
    check_user(p, s["email"], "admin PATCH response")
    assert p["role"] == "hr" and db_profile(uid)["role"] == "hr", p
    row = db_user(uid)
    assert (row["is_staff"], row["is_superuser"]) == ("0", "0"), "hr must not be staff: %r" % row
    p = data_of(admin_patch(uid, {"role": "admin"}), 200, "PATCH role admin")
    assert p["role"] == "admin", p
    row = db_user(uid)
    assert (row["is_staff"], row["is_superuser"]) == ("1", "1"), "admin ⇒ is_staff and is_superuser: %r" % row
    data_of(get("/api/v1/admin/users?page_size=1", token=s["access"]), 200, "the new admin uses the admin API")
    p = data_of(admin_patch(uid, {"role": "seeker"}), 200, "PATCH role seeker")
    row = db_user(uid)
    assert (row["is_staff"], row["is_superuser"]) == ("0", "0"), \
        "demoted to seeker but still Django staff/superuser: %r" % row
    r = admin_patch(uid, {"role": "boss"})
    assert r.status == 400, "PATCH role boss: %r" % r
    expect_error(r, 400)
    r = admin_patch(uid, {"is_active": "no"})
    assert r.status == 400, "PATCH is_active 'no': %r" % r
    expect_error(r, 400)
    assert db_profile(uid)["role"] == "seeker" and db_user(uid)["is_active"] == "1"
    expect_error(admin_patch(2147483000, {"role": "hr"}), 404)
    r = admin_patch("abc", {"role": "hr"})
    assert r.status in (400, 404), "PATCH /admin/users/abc: %r" % r
    expect_error(r, r.status)
    p = data_of(admin_patch(uid, {"is_active": False}), 200, "PATCH is_active false")
    assert p["is_active"] is False, p
    expect_error(auth("login", {"email": s["email"], "password": PASSWORD}), 401, "invalid_credentials")
    p = data_of(admin_patch(uid, {"is_active": True}), 200, "PATCH is_active true")
    assert p["is_active"] is True and db_user(uid)["is_active"] == "1", p
    # deactivating revoked the tokens issued before that second: log in again for the last check
    access = login(s["email"])["access"]
    # a user without a profile row (made by Django) can be managed too
    email, did = django_user(VECTORS[0][1])
    p = data_of(admin_patch(did, {"role": "hr"}), 200, "PATCH role of a user without a profile row")
    assert p["role"] == "hr" and p["id"] == did, p
    # demoted: no admin API any more
    expect_error(get("/api/v1/admin/users", token=access), 403, "forbidden")


# ---- abuse limits --------------------------------------------------------------------------

def test_rate_limit_register_per_ip_across_workers():
    ip = fresh_ip()
    tag = "rlip" + uuid.uuid4().hex[:8]
    emails = ["%s-%02d-%s@example.com" % (tag, i, RUN) for i in range(24)]
    clear_of_window_edge()
    res = burst([lambda e=e: auth("register", {"email": e, "password": PASSWORD}, ip=ip) for e in emails])
    st = statuses(res)
    assert st == [201] * 20 + [429] * 4, "24 concurrent registrations from one IP (limit 20/min): %r" % st
    check_429(res, "register per IP")
    n = int(sql("SELECT COUNT(*) FROM auth_user WHERE email LIKE '%s-%%'" % tag)[0][0])
    assert n == 20, "%d users created, expected 20" % n
    r = auth("register", {"email": new_email(), "password": PASSWORD}, ip=ip)
    expect_error(r, 429, "rate_limited")
    register(new_email())  # another IP is not limited


def test_rate_limit_register_per_email_concurrent():
    email = new_email("rlmail")
    clear_of_window_edge()
    res = burst([lambda: auth("register", {"email": email, "password": PASSWORD}) for _ in range(7)])
    st = statuses(res)
    assert st == [201] * 5 + [429] * 2, \
        "7 concurrent registrations of one email from 7 IPs (limit 5/min per email): %r" % st
    assert len({r.body for r in res if r.status == 201}) == 1, "the 201 answers differ: %r" % res
    check_429(res, "register per email")
    n = sql("SELECT COUNT(*) FROM auth_user WHERE email = %s" % sql_str(email))[0][0]
    assert n == "1", "%s users with one email" % n


def test_rate_limit_login_per_email_across_workers():
    email = new_email("rllogin")  # no such account: the limit must not depend on it
    clear_of_window_edge()
    res = burst([lambda: auth("login", {"email": email, "password": PASSWORD}) for _ in range(9)])
    st = statuses(res)
    assert st == [401] * 5 + [429] * 4, "9 concurrent logins of one email from 9 IPs (limit 5/min): %r" % st
    check_429(res, "login per email")
    expect_error(auth("login", {"email": email, "password": PASSWORD}), 429, "rate_limited")
    expect_error(auth("login", {"email": new_email("rlother"), "password": PASSWORD}), 401, "invalid_credentials")


def test_rate_limit_login_per_ip():
    ip = fresh_ip()
    clear_of_window_edge()
    res = burst([lambda: auth("login", {"email": new_email("rlipl"), "password": PASSWORD}, ip=ip)
                 for _ in range(23)])
    st = statuses(res)
    assert st == [401] * 20 + [429] * 3, "23 concurrent logins from one IP (limit 20/min): %r" % st
    check_429(res, "login per IP")


def test_rate_limit_resend_and_reset():
    for path in ("resend-verification", "password/reset"):
        ip = fresh_ip()
        clear_of_window_edge()
        res = burst([lambda: auth(path, {"email": new_email("rlr")}, ip=ip) for _ in range(25)])
        st = statuses(res)
        assert st == [200] * 20 + [429] * 5, "25 concurrent %s from one IP (limit 20/min): %r" % (path, st)
        check_429(res, path + " per IP")
        data_of(auth(path, {"email": new_email("rlr")}), 200, path + " from another IP")
        email = new_email("rlre")
        res = burst([lambda: auth(path, {"email": email}) for _ in range(8)])
        st = statuses(res)
        assert st == [200] * 5 + [429] * 3, "8 concurrent %s for one email from 8 IPs (limit 5/min): %r" % (path, st)
        check_429(res, path + " per email")


zmtest.main(globals())
