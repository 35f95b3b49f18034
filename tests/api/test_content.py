"""Content (issue 17 items 4, 5, 7), black-box through nginx: the classic question bank (经典题库), workplace
news (职场动态) with its feed import, and calendar events (添加事件) with gold members' e-mail reminders.

Membership comes through zhimai-admin recharge-credit (the payment callback's own function).  The scheduled
tasks are run by hand with `zhimai-worker enqueue` (their schedules run them every minute anyway); the
reminder task takes {"now": T} on test stacks (tasks.test_handlers = 1), so the tests drive its clock and use
events in 2031, which the real clock's runs never reach."""
import calendar
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from email import message_from_bytes
from email import policy as email_policy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmtest  # noqa: E402
from zmtest import data_of, expect_error, new_user, raw, request, shared_user, sql  # noqa: E402

BUILD = zmtest.ENV["ZM_BUILD"]
CONF = zmtest.ENV["ZM_CONF"]
MAIL_DIR = os.path.join(zmtest.VAR, "mail")
TAG = uuid.uuid4().hex[:8]
STATE = {}


def worker(*args):
    p = subprocess.run([os.path.join(BUILD, "zhimai-worker"), "-c", CONF] + list(args), capture_output=True,
                       text=True, timeout=60, env=dict(os.environ, ZM_VAR=zmtest.VAR))
    assert p.returncode == 0, "zhimai-worker %s: %s %s" % (args, p.stdout, p.stderr)
    return p.stdout


def run_task(type_, payload, state="done"):
    """Enqueue a task and wait for its end: its result (or, for a failure, the task)."""
    tid = int(worker("enqueue", type_, json.dumps(payload), "--max-attempts", "1").strip())

    def done():
        t = json.loads(worker("get", str(tid)))
        return t if t["state"] in ("done", "failed") else None
    t = zmtest.wait_for(done, timeout=60, step=0.1, what="task %s %d" % (type_, tid))
    assert t["state"] == state, t
    return t.get("result") if state == "done" else t


def credit(user, fen):
    p = subprocess.run([os.path.join(BUILD, "zhimai-admin"), "-c", CONF, "recharge-credit", "--user", str(user["id"]),
                        "--order", "ct-%s-%s" % (TAG, uuid.uuid4().hex[:8]), "--fen", str(fen)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, "recharge-credit: %s %s" % (p.stdout, p.stderr)


def admin():
    return shared_user("admin", tag="ctadmin")


def call(method, path, user, body=None, status=200):
    r = request(method, path, body, token=user["access"] if user else None)
    if status == 204:
        assert r.status == 204, r
        return None
    return data_of(r, status, "%s %s" % (method, path))


def err(method, path, user, body=None, status=400, code=None):
    r = request(method, path, body, token=user["access"] if user else None)
    return expect_error(r, status, code)


# ---- 经典题库 ---------------------------------------------------------------------------------------


def test_question_bank_loaded_once():
    run_task("content.load_questions", {})
    n = int(sql("SELECT COUNT(*) FROM content_question WHERE bank_key IS NOT NULL")[0][0])
    assert n >= 150, n  # the analyzer's questions.tsv, every line
    again = run_task("content.load_questions", {})
    assert again == {"inserted": 0}, again
    assert int(sql("SELECT COUNT(*) FROM content_question WHERE bank_key IS NOT NULL")[0][0]) == n
    # placeholders read as words
    assert sql("SELECT COUNT(*) FROM content_question WHERE question LIKE '%{skill}%' OR "
               "question LIKE '%{project}%' OR outline LIKE '%{role}%'")[0][0] == "0"


def test_questions_browse_filter_search_page():
    u = new_user("cq")
    d = call("GET", "/api/v1/classic-questions?page_size=5", u)
    assert d["total"] >= 150 and len(d["items"]) == 5 and d["page"] == 1 and d["page_size"] == 5, d
    q = d["items"][0]
    assert set(q) >= {"id", "category", "category_label", "tag", "question", "why", "outline", "source"}, q
    assert isinstance(q["outline"], list) and q["outline"] and all(isinstance(x, str) for x in q["outline"]), q
    p2 = call("GET", "/api/v1/classic-questions?page_size=5&page=2", u)
    assert not {x["id"] for x in p2["items"]} & {x["id"] for x in d["items"]}
    hr = call("GET", "/api/v1/classic-questions?category=hr&page_size=100", u)
    assert hr["total"] > 0 and all(x["category"] == "hr" and x["category_label"] == "HR 题" for x in hr["items"])
    py = call("GET", "/api/v1/classic-questions?tag=Python", u)
    assert py["total"] > 0 and all(x["tag"] == "Python" for x in py["items"]), py
    s = call("GET", "/api/v1/classic-questions?q=GIL", u)
    assert s["total"] >= 1 and all("GIL" in x["question"] + x["why"] for x in s["items"]), s
    # LIKE's own characters are searched as themselves
    assert call("GET", "/api/v1/classic-questions?q=%25%25%25", u)["total"] == 0
    assert call("GET", "/api/v1/classic-questions?q=__", u)["total"] == 0
    assert call("GET", "/api/v1/classic-questions?q=!%25", u)["total"] == 0
    assert call("GET", "/api/v1/classic-questions?q=%5C", u)["total"] == 0
    facets = call("GET", "/api/v1/classic-questions/facets", u)
    assert [c["code"] for c in facets["categories"]] == ["technical", "project", "behavioral", "hr"], facets
    assert sum(c["count"] for c in facets["categories"]) == d["total"]
    assert any(t["tag"] == "Python" for t in facets["tags"]), facets["tags"][:5]
    one = call("GET", "/api/v1/classic-questions/%d" % q["id"], u)
    assert one == q
    err("GET", "/api/v1/classic-questions/999999999", u, status=404, code="not_found")
    err("GET", "/api/v1/classic-questions?category=nope", u, status=400)
    err("GET", "/api/v1/classic-questions?page_size=1000", u, status=400)
    err("GET", "/api/v1/classic-questions", None, status=401)


def test_seed_path_through_nginx():
    u = new_user("cqs")
    a = call("GET", "/classic-questions?category=behavioral&page_size=3", u)
    b = call("GET", "/api/v1/classic-questions?category=behavioral&page_size=3", u)
    assert a == b and a["items"], a
    assert call("GET", "/classic-questions/?category=behavioral&page_size=3", u) == a
    err("GET", "/classic-questions", None, status=401)


def test_admin_adds_and_edits_questions():
    ad, u = admin(), new_user("cqa")
    body = {"category": "technical", "tag": "Rust-%s" % TAG, "question": "Rust 的所有权如何避免数据竞争？",
            "why": "考察内存安全", "outline": ["所有权与借用", "Send 与 Sync"]}
    q = call("POST", "/api/v1/admin/classic-questions", ad, body, 201)
    assert q["source"] == "admin" and q["outline"] == body["outline"] and q["tag"] == body["tag"], q
    got = call("GET", "/api/v1/classic-questions?tag=Rust-%s" % TAG, u)
    assert [x["id"] for x in got["items"]] == [q["id"]]
    e = call("PATCH", "/api/v1/admin/classic-questions/%d" % q["id"], ad, {"outline": ["一", "二", "三"]})
    assert e["outline"] == ["一", "二", "三"] and e["question"] == body["question"], e
    # a bank question edited by an admin keeps the edit when the loader runs again
    bank = sql("SELECT id FROM content_question WHERE bank_key IS NOT NULL ORDER BY id LIMIT 1")[0][0]
    call("PATCH", "/api/v1/admin/classic-questions/%s" % bank, ad, {"why": "管理员改写 %s" % TAG})
    run_task("content.load_questions", {})
    assert call("GET", "/api/v1/classic-questions/%s" % bank, u)["why"] == "管理员改写 %s" % TAG
    # refusals: users 403, bad fields 400 with nothing stored, unknown 404
    err("POST", "/api/v1/admin/classic-questions", u, body, status=403)
    err("PATCH", "/api/v1/admin/classic-questions/%d" % q["id"], u, {"why": "x"}, status=403)
    before = sql("SELECT COUNT(*) FROM content_question")[0][0]
    for bad in ({**body, "category": "x"}, {**body, "question": ""}, {**body, "outline": []},
                {**body, "outline": "一"}, {**body, "outline": [1]}, {k: v for k, v in body.items() if k != "question"},
                {**body, "question": "a\u0007b"}, {**body, "question": "x" * 1001}):
        err("POST", "/api/v1/admin/classic-questions", ad, bad, status=400, code="validation_error")
    assert sql("SELECT COUNT(*) FROM content_question")[0][0] == before
    err("PATCH", "/api/v1/admin/classic-questions/999999999", ad, {"why": "x"}, status=404)
    err("PATCH", "/api/v1/admin/classic-questions/%d" % q["id"], ad, {"question": ""}, status=400)


# ---- 职场动态 ---------------------------------------------------------------------------------------


def news_item(n, **kw):
    d = {"title": "职场动态 %s %d" % (TAG, n), "url": "https://news.example.com/%s/%d" % (TAG, n),
         "source": "测试来源", "summary": "摘要 %d" % n, "tags": ["求职", "校招"],
         "published_at": "2030-01-%02dT08:00:00+08:00" % (n % 28 + 1)}
    d.update(kw)
    return d


def test_news_gated_by_membership():
    ad = admin()
    call("POST", "/api/v1/admin/workplace-news", ad, news_item(900), 201)
    normal = new_user("cnn")
    e = err("GET", "/api/v1/workplace-news/latest/list", normal, status=403, code="membership_required")["error"]
    assert e["required_level"]["code"] == "bronze" and e["benefit"] == "news", e
    bronze = new_user("cnb")
    credit(bronze, 1000)  # 10 yuan: 青铜会员
    d = call("GET", "/api/v1/workplace-news/latest/list?page_size=50", bronze)
    assert d["total"] >= 1 and any(x["url"] == news_item(900)["url"] for x in d["items"]), d
    x = [x for x in d["items"] if x["url"] == news_item(900)["url"]][0]
    assert x["published_at"] == "2030-01-05T00:00:00Z" and x["tags"] == ["求职", "校招"], x
    assert set(x) == {"id", "title", "source", "url", "summary", "tags", "published_at"}, x
    err("GET", "/api/v1/workplace-news/latest/list", None, status=401)


def test_news_admin_crud_and_refusals():
    ad, u = admin(), new_user("cnc")
    n = call("POST", "/api/v1/admin/workplace-news", ad, news_item(1), 201)
    err("POST", "/api/v1/admin/workplace-news", ad, news_item(1, title="another"), status=409, code="duplicate_url")
    p = call("PATCH", "/api/v1/admin/workplace-news/%d" % n["id"], ad, {"title": "改过的标题", "tags": ["新"]})
    assert p["title"] == "改过的标题" and p["tags"] == ["新"] and p["url"] == n["url"], p
    other = call("POST", "/api/v1/admin/workplace-news", ad, news_item(2), 201)
    err("PATCH", "/api/v1/admin/workplace-news/%d" % other["id"], ad, {"url": n["url"]}, status=409)
    lst = call("GET", "/api/v1/admin/workplace-news?page_size=100", ad)
    assert {n["id"], other["id"]} <= {x["id"] for x in lst["items"]}
    for bad in ({**news_item(3), "url": "javascript:alert(1)"}, {**news_item(3), "url": "ftp://x/y"},
                {**news_item(3), "title": ""}, {**news_item(3), "published_at": "yesterday"},
                {**news_item(3), "tags": ["a,b"]}, {**news_item(3), "tags": ["x"] * 11}):
        err("POST", "/api/v1/admin/workplace-news", ad, bad, status=400, code="validation_error")
    err("POST", "/api/v1/admin/workplace-news", u, news_item(4), status=403)
    err("DELETE", "/api/v1/admin/workplace-news/%d" % n["id"], u, status=403)
    call("DELETE", "/api/v1/admin/workplace-news/%d" % n["id"], ad, status=204)
    err("DELETE", "/api/v1/admin/workplace-news/%d" % n["id"], ad, status=404)
    err("PATCH", "/api/v1/admin/workplace-news/%d" % n["id"], ad, {"title": "x"}, status=404)


def import_body(path, body, user):
    r = raw("POST", path, json.dumps(body).encode(), headers={"Content-Type": "application/json"},
            token=user["access"])
    return r


def test_news_import_dedup_by_url():
    ad = admin()
    tag = uuid.uuid4().hex[:6]
    items = [news_item(10 + i, url="https://feed.example.com/%s/%d" % (tag, i)) for i in range(5)]
    items += [{"title": "no url"}, {"title": "bad", "url": "file:///etc/passwd"}, "not an object",
              {"title": "x", "url": "https://feed.example.com/%s/bad-time" % tag, "published_at": "soon"}]
    r = import_body("/api/v1/admin/workplace-news/import", {"items": items}, ad)
    assert data_of(r) == {"inserted": 5, "duplicates": 0, "invalid": 4}, r
    r = import_body("/api/v1/admin/workplace-news/import", items[:5] + [news_item(99, url="https://feed.example.com/%s/new" % tag)], ad)
    assert data_of(r) == {"inserted": 1, "duplicates": 5, "invalid": 0}, r
    n = sql("SELECT COUNT(*) FROM content_news WHERE url LIKE 'https://feed.example.com/%s/%%'" % tag)[0][0]
    assert n == "6", n
    # two imports of one new feed at once: each URL once
    fresh = [news_item(30 + i, url="https://feed.example.com/%s/race/%d" % (tag, i)) for i in range(20)]
    rs = zmtest.burst([lambda: import_body("/api/v1/admin/workplace-news/import", fresh, ad) for _ in range(3)])
    got = [data_of(x) for x in rs]
    assert sum(g["inserted"] for g in got) == 20 and sum(g["duplicates"] for g in got) == 40, got
    # not a feed: 400, nothing stored; a user: 403; not JSON: 415
    before = sql("SELECT COUNT(*) FROM content_news")[0][0]
    for body in (b"{", b'{"items": 5}', b"42", b'"x"', b'[1, 2'):
        r = raw("POST", "/api/v1/admin/workplace-news/import", body, headers={"Content-Type": "application/json"},
                token=ad["access"])
        assert r.status == 400, (body, r)
    assert sql("SELECT COUNT(*) FROM content_news")[0][0] == before
    expect_error(import_body("/api/v1/admin/workplace-news/import", fresh, new_user("cni")), 403)
    r = raw("POST", "/api/v1/admin/workplace-news/import", b"[]", headers={"Content-Type": "text/plain"},
            token=ad["access"])
    assert r.status == 415, r


def test_news_feed_task_from_file():
    tag = uuid.uuid4().hex[:6]
    feed = [news_item(40 + i, url="https://file.example.com/%s/%d" % (tag, i), tags="职场, 薪资") for i in range(3)]
    feed[0]["published_at"] = 1893456000  # Unix seconds: 2030-01-01T00:00:00Z
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, dir=zmtest.VAR) as f:
        json.dump({"items": feed}, f, ensure_ascii=False)
    try:
        os.chmod(f.name, 0o644)
        res = run_task("content.news_import", {"force": True, "feed": f.name})
        assert res == {"inserted": 3, "duplicates": 0, "invalid": 0}, res
        res = run_task("content.news_import", {"force": True, "feed": f.name})
        assert res == {"inserted": 0, "duplicates": 3, "invalid": 0}, res
        # not forced: the interval (content.news_interval, an hour) has not passed since
        res = run_task("content.news_import", {"feed": f.name})
        assert res == {"skipped": "not due"}, res
    finally:
        os.unlink(f.name)
    rows = sql("SELECT tags, DATE_FORMAT(published_at, '%%Y-%%m-%%d %%H:%%i:%%s'), origin FROM content_news "
               "WHERE url = 'https://file.example.com/%s/0'" % tag)
    assert rows == [['["职场","薪资"]', "2030-01-01 00:00:00", "feed"]], rows
    assert "inserted 0, duplicates 3" in sql("SELECT last_result FROM content_feed_state")[0][0]


def test_news_feed_task_from_url():
    """The feed over HTTP (libcurl, through services/fetch.c); a refused URL fails the run, stores nothing."""
    tag = uuid.uuid4().hex[:6]
    body = json.dumps([news_item(60 + i, url="https://url.example.com/%s/%d" % (tag, i)) for i in range(2)]).encode()

    class Feed(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/feed.json":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        base = "http://127.0.0.1:%d" % srv.server_address[1]
        res = run_task("content.news_import", {"force": True, "feed": base + "/feed.json"})
        assert res == {"inserted": 2, "duplicates": 0, "invalid": 0}, res
        t = run_task("content.news_import", {"force": True, "feed": base + "/missing.json"}, state="failed")
        assert "HTTP 404" in json.dumps(t), t
    finally:
        srv.shutdown()
    t = run_task("content.news_import", {"force": True, "feed": "/nonexistent/feed.json"}, state="failed")
    assert "cannot open" in json.dumps(t), t
    assert sql("SELECT COUNT(*) FROM content_news WHERE url LIKE 'https://url.example.com/%s/%%'" % tag)[0][0] == "2"


# ---- 日历事件 ---------------------------------------------------------------------------------------


EV = {"title": "字节跳动二面", "kind": "interview", "starts_at": "2031-03-10T14:00:00+08:00",
      "notes": "带上作品集\n提前十分钟", "remind_before_minutes": 60}


def test_events_crud_and_others_404():
    u, other = new_user("cev"), new_user("cev2")
    e = call("POST", "/api/v1/calendar/events", u, EV, 201)
    assert e["starts_at"] == "2031-03-10T06:00:00Z" and e["kind"] == "interview" and e["notes"] == EV["notes"], e
    assert e["remind_before_minutes"] == 60, e
    assert e["reminder"] == {"at": "2031-03-10T05:00:00Z", "state": "pending", "done_at": None}, e
    d = call("POST", "/api/v1/calendar/events", u, {"title": "网申截止", "kind": "deadline",
                                                     "starts_at": "2031-03-01T23:59:00Z"}, 201)
    assert d["remind_before_minutes"] is None and d["reminder"] is None, d
    lst = call("GET", "/api/v1/calendar/events", u)
    assert [x["id"] for x in lst["items"]] == [d["id"], e["id"]] and lst["total"] == 2, lst
    win = call("GET", "/api/v1/calendar/events?from=2031-03-05T00:00:00Z&to=2031-04-01T00:00:00Z", u)
    assert [x["id"] for x in win["items"]] == [e["id"]], win
    assert call("GET", "/api/v1/calendar/events", other)["total"] == 0
    p = call("PATCH", "/api/v1/calendar/events/%d" % e["id"], u, {"title": "字节三面", "remind_before_minutes": None})
    assert p["title"] == "字节三面" and p["reminder"] is None and p["starts_at"] == e["starts_at"], p
    p = call("PATCH", "/api/v1/calendar/events/%d" % e["id"], u, {"remind_before_minutes": 1440})
    assert p["reminder"]["at"] == "2031-03-09T06:00:00Z", p
    # another user's event: 404, unchanged
    err("PATCH", "/api/v1/calendar/events/%d" % e["id"], other, {"title": "mine"}, status=404, code="not_found")
    err("DELETE", "/api/v1/calendar/events/%d" % e["id"], other, status=404)
    assert call("GET", "/api/v1/calendar/events", u)["items"][1]["title"] == "字节三面"
    # bad input: 400, nothing stored
    for bad in ({**EV, "kind": "party"}, {**EV, "title": ""}, {**EV, "starts_at": "2031-03-10 14:00"},
                {**EV, "starts_at": "2031-02-30T10:00:00Z"}, {**EV, "remind_before_minutes": -5},
                {**EV, "remind_before_minutes": 999999}, {**EV, "remind_before_minutes": "60"},
                {k: v for k, v in EV.items() if k != "starts_at"}, {**EV, "title": "x" * 201}):
        err("POST", "/api/v1/calendar/events", u, bad, status=400, code="validation_error")
    err("GET", "/api/v1/calendar/events?from=tomorrow", u, status=400)
    assert call("GET", "/api/v1/calendar/events", u)["total"] == 2
    call("DELETE", "/api/v1/calendar/events/%d" % d["id"], u, status=204)
    err("DELETE", "/api/v1/calendar/events/%d" % d["id"], u, status=404)
    err("PATCH", "/api/v1/calendar/events/abc", u, {"title": "x"}, status=404)
    err("GET", "/api/v1/calendar/events", None, status=401)


def mails_to(addr):
    """The calendar reminders sent to addr (not the verification mail registration sends)."""
    out = []
    for d, _, files in os.walk(MAIL_DIR):
        for name in files:
            if name.startswith(".") or not name.endswith(".eml"):
                continue
            with open(os.path.join(d, name), "rb") as f:
                raw_ = f.read()
            if addr.lower().encode() not in raw_.lower():
                continue
            msg = message_from_bytes(raw_, policy=email_policy.default)
            if msg["To"] and addr.lower() in [a.addr_spec.lower() for a in msg["To"].addresses] and \
                    "日历提醒" in msg["Subject"]:
                out.append(msg)
    return out


def ts(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def queued(event_id):
    """mail.send tasks queued for the event's reminders (dedupe key content.remind:<id>:<remind_at>)."""
    return int(sql("SELECT COUNT(*) FROM zm_task WHERE type = 'mail.send' AND dedupe_key LIKE 'content.remind:%d:%%'"
                   % event_id)[0][0])


def remind(now):
    return run_task("content.remind", {"now": now})


def test_reminder_once_for_gold_at_the_lead_time():
    gold, normal = new_user("crg"), new_user("crn")
    credit(gold, 20000)  # 200 yuan: 黄金会员
    start = "2031-05-20T09:30:00Z"
    e = call("POST", "/api/v1/calendar/events", gold, {**EV, "starts_at": start, "remind_before_minutes": 30}, 201)
    n = call("POST", "/api/v1/calendar/events", normal, {**EV, "starts_at": start, "remind_before_minutes": 30}, 201)
    t = ts(start)
    remind(t - 31 * 60)  # a minute early: nothing
    assert call("GET", "/api/v1/calendar/events", gold)["items"][0]["reminder"]["state"] == "pending"
    # at the lead time, three runs at once: one claim, one mail
    tids = [int(worker("enqueue", "content.remind", json.dumps({"now": t - 30 * 60})).strip()) for _ in range(3)]
    zmtest.wait_for(lambda: all(json.loads(worker("get", str(i)))["state"] == "done" for i in tids), timeout=60,
                    step=0.1, what="three reminder runs")
    remind(t - 29 * 60)
    # the mail is queued in the claim's transaction: one mail.send task per arming, whatever ran
    assert queued(e["id"]) == 1
    mails = zmtest.wait_for(lambda: mails_to(gold["email"]), timeout=30, step=0.1, what="the reminder mail")
    assert len(mails) == 1, mails
    assert "日历提醒" in mails[0]["Subject"] and "字节跳动二面" in mails[0]["Subject"], mails[0]["Subject"]
    g = call("GET", "/api/v1/calendar/events", gold)["items"][0]
    assert g["reminder"]["state"] == "sent" and g["reminder"]["done_at"], g
    # 普通会员: no mail, marked
    m = call("GET", "/api/v1/calendar/events", normal)["items"][0]
    assert m["id"] == n["id"] and m["reminder"]["state"] == "not_member", m
    assert queued(n["id"]) == 0
    # a new time re-arms it: one more mail at the new lead time, not before
    p = call("PATCH", "/api/v1/calendar/events/%d" % e["id"], gold, {"starts_at": "2031-05-21T09:30:00Z"})
    assert p["reminder"] == {"at": "2031-05-21T09:00:00Z", "state": "pending", "done_at": None}, p
    remind(t - 29 * 60 + 60)
    assert call("GET", "/api/v1/calendar/events", gold)["items"][0]["reminder"]["state"] == "pending"
    assert queued(e["id"]) == 1
    remind(ts("2031-05-21T09:00:00Z"))
    remind(ts("2031-05-21T09:10:00Z"))
    assert queued(e["id"]) == 2
    zmtest.wait_for(lambda: len(mails_to(gold["email"])) == 2, timeout=30, step=0.1, what="the second mail")
    # moved away and back to a time already reminded: armed again, one more
    call("PATCH", "/api/v1/calendar/events/%d" % e["id"], gold, {"starts_at": "2031-05-22T09:30:00Z"})
    call("PATCH", "/api/v1/calendar/events/%d" % e["id"], gold, {"starts_at": "2031-05-21T09:30:00Z"})
    remind(ts("2031-05-21T09:05:00Z"))
    assert queued(e["id"]) == 3
    # a run that comes after the lead time but before the start still sends; one after the start does not
    late = call("POST", "/api/v1/calendar/events", gold,
                {**EV, "starts_at": "2031-06-01T00:00:00Z", "remind_before_minutes": 10}, 201)
    remind(ts("2031-05-31T23:55:00Z"))
    lst = call("GET", "/api/v1/calendar/events", gold)["items"]
    assert [x["reminder"]["state"] for x in lst if x["id"] == late["id"]] == ["sent"], lst
    late2 = call("POST", "/api/v1/calendar/events", gold,
                 {**EV, "starts_at": "2031-06-02T00:00:00Z", "remind_before_minutes": 10}, 201)
    remind(ts("2031-06-02T00:01:00Z"))
    lst = call("GET", "/api/v1/calendar/events", gold)["items"]
    assert [x["reminder"]["state"] for x in lst if x["id"] == late2["id"]] == ["late"], lst
    assert queued(late["id"]) == 1 and queued(late2["id"]) == 0



# ---- 仪表盘: GET /api/v1/dashboard ------------------------------------------------------------------


def analysis_row(user, kind, n, role, score):
    """A finished record of kind for user, n seconds ago (the row the analysis task writes)."""
    rid = uuid.uuid4().hex
    sql("INSERT INTO zm_analysis (id, user_id, kind, resume_id, version_id, target_role, job_description, "
        "question_count, state, score, result, created_at, finished_at) VALUES ('%s', %d, '%s', '%s', '%s', '%s', "
        "'很长的岗位描述', 12, 'done', %d, '{}', UTC_TIMESTAMP(6) - INTERVAL %d SECOND, UTC_TIMESTAMP(6))"
        % (rid, user["id"], kind, "0" * 32, "0" * 32, role, score, n))
    return str(uuid.UUID(rid))


def test_dashboard_in_one_answer():
    u, other = new_user("cdash"), new_user("cdash2")
    diag = [analysis_row(u, "diagnosis", 100 - i, "后端工程师 %d" % i, 60 + i) for i in range(7)]
    pred = analysis_row(u, "interview", 50, "数据分析师", 70)
    past = call("POST", "/api/v1/calendar/events", u, {"title": "已过", "kind": "other",
                                                       "starts_at": "2020-01-01T00:00:00Z"}, 201)
    soon = call("POST", "/api/v1/calendar/events", u, {"title": "一面", "kind": "interview",
                                                       "starts_at": "2031-05-01T02:00:00Z"}, 201)
    later = call("POST", "/api/v1/calendar/events", u, {"title": "网申截止", "kind": "deadline",
                                                        "starts_at": "2032-01-01T00:00:00Z"}, 201)
    d = call("GET", "/api/v1/dashboard", u)
    assert set(d) == {"monthly", "diagnoses", "predictions", "news", "events", "events_total"}, d.keys()
    # the month as GET /api/v1/monthly-stats says it
    assert d["monthly"] == call("GET", "/api/v1/monthly-stats", u), d["monthly"]
    # the 5 newest diagnoses, newest first, in the short shape
    assert [x["id"] for x in d["diagnoses"]] == diag[::-1][:5], d["diagnoses"]
    x = d["diagnoses"][0]
    assert x["target_role"] == "后端工程师 6" and x["score"] == 66 and x["state"] == "done", x
    assert set(x) == {"id", "kind", "state", "score", "target_role", "created_at", "finished_at"}, x
    assert [(p["id"], p["count"]) for p in d["predictions"]] == [(pred, 12)], d["predictions"]
    # the coming events only, soonest first
    assert [e["id"] for e in d["events"]] == [soon["id"], later["id"]] and d["events_total"] == 2, d["events"]
    assert past["id"] not in [e["id"] for e in d["events"]]
    # news behind membership, as /api/v1/workplace-news/latest/list
    assert d["news"] == {"locked": True, "required_level": {"code": "bronze", "label": d["news"]["required_level"]["label"]}}
    call("POST", "/api/v1/admin/workplace-news", admin(), news_item(901), 201)
    credit(u, 1000)
    n = call("GET", "/api/v1/dashboard", u)["news"]
    assert n["locked"] is False and 1 <= len(n["items"]) <= 5 and n["total"] >= 1, n
    assert n["items"] == call("GET", "/api/v1/workplace-news/latest/list?page_size=5", u)["items"]
    # another user's dashboard has none of it
    o = call("GET", "/api/v1/dashboard", other)
    assert o["diagnoses"] == [] and o["predictions"] == [] and o["events"] == [] and o["events_total"] == 0, o
    err("GET", "/api/v1/dashboard", None, status=401)


if __name__ == "__main__":
    zmtest.main(globals())
