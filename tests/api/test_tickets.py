#!/usr/bin/python3
"""Feedback (意见收集) and work orders (工单), issue 17 items 2 and 3, black-box.

Feedback: POST/GET /api/v1/feedback, admin GET /api/v1/admin/feedback, POST .../{id}/adopt and
.../{id}/decline (adopting credits points.feedback_reward once, even on concurrent clicks).
Tickets: POST/GET /api/v1/tickets, GET /api/v1/tickets/{id}, POST /api/v1/tickets/{id}/replies,
staff GET /api/v1/admin/tickets and PATCH /api/v1/admin/tickets/{id}.  Every review, reply and state
change reaches the other side as a message (GET /api/v1/messages).  Files: POST /api/v1/feedback as
multipart with a `screenshot` (PNG/JPEG/WebP by content), POST /api/v1/tickets and .../replies with up
to 3 `attachments`; GET /api/v1/feedback/{id}/screenshot and /api/v1/tickets/{id}/attachments/{aid}
for the owner and staff only.

Needs a running stack (./dev up with ZM_VAR):

    ZM_VAR=/tmp/tk /usr/bin/python3 tests/api/test_tickets.py [test_name ...]
"""
import os
import struct
import sys
import uuid
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmtest  # noqa: E402
from zmtest import data_of, expect_error, expect_field, fresh_ip, new_user, request, shared_user, sql  # noqa: E402

TAG = uuid.uuid4().hex[:6]


def admin():
    return shared_user("admin")


def call(method, path, user, body=None):
    return zmtest.call(method, path, user, body, ip=fresh_ip())


def messages(user, kind=None, key=None, value=None):
    items = data_of(call("GET", "/api/v1/messages?page_size=100", user), 200, "messages")["items"]
    return [m for m in items if (kind is None or m["kind"] == kind) and (key is None or m["data"].get(key) == value)]


def balance(user):
    rows = sql("SELECT COALESCE(SUM(delta), 0) FROM points_ledger WHERE user_id = %d" % user["id"])
    return int(rows[0][0])


# ---- feedback ---------------------------------------------------------------------------


def submit(user, text="建议增加深色模式 " + TAG, category="suggestion"):
    return data_of(call("POST", "/api/v1/feedback", user, {"category": category, "body": text}), 201, "feedback")


def test_feedback_submit_list_and_refusals():
    admin()  # role messages reach admins who joined before them
    u, other = new_user("fb"), new_user("fb2")
    f = submit(u)
    assert f["status"] == "pending" and f["category"] == "suggestion" and f["reply"] == "", f
    assert "user_id" not in f and "user_email" not in f, f
    mine = data_of(call("GET", "/api/v1/feedback", u), 200, "mine")
    assert [x["id"] for x in mine["items"]] == [f["id"]] and mine["total"] == 1, mine
    assert data_of(call("GET", "/api/v1/feedback", other), 200, "other's")["total"] == 0
    # bad input: nothing written
    expect_field(call("POST", "/api/v1/feedback", u, {"category": "rant", "body": "x"}), "category")
    expect_field(call("POST", "/api/v1/feedback", u, {"category": "bug"}), "body")
    expect_field(call("POST", "/api/v1/feedback", u, {"category": "bug", "body": "长" * 10001}), "body")
    expect_error(call("POST", "/api/v1/feedback", None, {"category": "bug", "body": "x"}), 401)
    assert data_of(call("GET", "/api/v1/feedback", u), 200, "mine")["total"] == 1
    # staff only
    expect_error(call("GET", "/api/v1/admin/feedback", u), 403)
    expect_error(call("POST", "/api/v1/admin/feedback/%d/adopt" % f["id"], u), 403)
    expect_error(call("POST", "/api/v1/admin/feedback/%d/decline" % f["id"], u), 403)
    # admins see it, with who sent it, and were told about it
    staff = data_of(call("GET", "/api/v1/admin/feedback?status=pending&page_size=100", admin()), 200, "queue")
    row = [x for x in staff["items"] if x["id"] == f["id"]]
    assert row and row[0]["user_id"] == u["id"] and row[0]["user_email"] == u["email"], row
    assert messages(admin(), "feedback.new", "feedback_id", f["id"]), "admins told of new feedback"
    expect_field(call("GET", "/api/v1/admin/feedback?status=nope", admin()), "status")
    expect_error(call("POST", "/api/v1/admin/feedback/999999999/adopt", admin()), 404)


def test_feedback_adopt_credits_once_under_concurrency():
    u = new_user("fbad")
    f = submit(u)
    before = balance(u)
    rs = zmtest.burst([lambda: call("POST", "/api/v1/admin/feedback/%d/adopt" % f["id"], admin(),
                                    {"reply": "已采纳 " + TAG}) for _ in range(6)])
    codes = sorted(r.status for r in rs)
    assert codes == [200] + [409] * 5, rs
    assert balance(u) == before + 10, (before, balance(u))
    rows = sql("SELECT COUNT(*) FROM points_ledger WHERE idem_key = 'feedback:%d:adopt'" % f["id"])
    assert rows[0][0] == "1", rows
    mine = data_of(call("GET", "/api/v1/feedback", u), 200, "mine")["items"][0]
    assert mine["status"] == "adopted" and mine["points_awarded"] == 10 and mine["reply"] == "已采纳 " + TAG, mine
    ms = messages(u, "feedback.adopted", "feedback_id", f["id"])
    assert len(ms) == 1 and "已采纳 " + TAG in ms[0]["body"], ms
    # decided: neither adopt nor decline again
    expect_error(call("POST", "/api/v1/admin/feedback/%d/decline" % f["id"], admin()), 409, "already_reviewed")
    assert balance(u) == before + 10


def test_feedback_decline():
    u = new_user("fbde")
    f = submit(u, category="bug")
    d = data_of(call("POST", "/api/v1/admin/feedback/%d/decline" % f["id"], admin(), {"reply": "暂不考虑"}), 200, "decline")
    assert d["status"] == "declined" and d["points_awarded"] == 0, d
    assert messages(u, "feedback.declined", "feedback_id", f["id"]), "the user told"
    expect_error(call("POST", "/api/v1/admin/feedback/%d/adopt" % f["id"], admin()), 409)
    expect_field(call("POST", "/api/v1/admin/feedback/%d/decline" % submit(u)["id"], admin(),
                      {"reply": "长" * 10001}), "reply")


# ---- tickets ----------------------------------------------------------------------------


def open_ticket(user, subject="无法上传简历 " + TAG, **kw):
    body = dict(category="technical", subject=subject, description="上传时报错", **kw)
    return data_of(call("POST", "/api/v1/tickets", user, body), 201, "open ticket")


def patch(tid, body, who=None):
    return call("PATCH", "/api/v1/admin/tickets/%d" % tid, who or admin(), body)


def test_ticket_open_list_get_and_refusals():
    admin()
    u, other = new_user("tk"), new_user("tk2")
    t = open_ticket(u, priority="high")
    assert t["status"] == "open" and t["priority"] == "high" and t["replies"] == [], t
    for hidden in ("user_id", "assignee_id", "first_response_due", "user_email"):
        assert hidden not in t, t
    assert messages(admin(), "ticket.new", "ticket_id", t["id"]), "staff told of the new ticket"
    mine = data_of(call("GET", "/api/v1/tickets", u), 200, "mine")
    assert [x["id"] for x in mine["items"]] == [t["id"]], mine
    assert data_of(call("GET", "/api/v1/tickets", other), 200, "other")["total"] == 0
    expect_error(call("GET", "/api/v1/tickets/%d" % t["id"], other), 404, "not_found")
    expect_error(call("POST", "/api/v1/tickets/%d/replies" % t["id"], other, {"body": "hi"}), 404, "not_found")
    expect_error(call("GET", "/api/v1/tickets/999999999", u), 404)
    # bad input
    expect_field(call("POST", "/api/v1/tickets", u, {"category": "x", "subject": "s", "description": "d"}), "category")
    expect_field(call("POST", "/api/v1/tickets", u, {"category": "other", "subject": "", "description": "d"}), "subject")
    expect_field(call("POST", "/api/v1/tickets", u, {"category": "other", "subject": "s", "description": "长" * 10001}),
                 "description")
    expect_field(call("POST", "/api/v1/tickets", u, {"category": "other", "subject": "s", "description": "d",
                                                     "priority": "now"}), "priority")
    expect_field(call("POST", "/api/v1/tickets/%d/replies" % t["id"], u, {"body": "长" * 10001}), "body")
    expect_error(request("POST", "/api/v1/tickets", b"subject=x", token=u["access"], ip=fresh_ip(),
                         headers={"Content-Type": "application/x-www-form-urlencoded"}), 415)
    assert data_of(call("GET", "/api/v1/tickets", u), 200, "mine")["total"] == 1
    # staff only
    expect_error(call("GET", "/api/v1/admin/tickets", u), 403)
    expect_error(patch(t["id"], {"status": "resolved"}, u), 403)
    # the staff's view: the SLA clock and the owner
    s = data_of(call("GET", "/api/v1/tickets/%d" % t["id"], admin()), 200, "staff view")
    assert s["user_id"] == u["id"] and s["first_response_due"] and s["sla_breached"] is False, s
    due = sql("SELECT TIMESTAMPDIFF(HOUR, created_at, first_response_due) FROM tickets_ticket WHERE id = %d" % t["id"])
    assert due[0][0] == "8", due  # high: 8 hours by default


def test_ticket_thread_states_and_messages():
    u = new_user("tkf")
    a = admin()
    t = open_ticket(u)
    tid = t["id"]
    # staff assign and reply: first response, open -> in_progress, the owner told
    d = data_of(patch(tid, {"assignee_id": a["id"], "priority": "urgent"}), 200, "assign")
    assert d["assignee_id"] == a["id"] and d["priority"] == "urgent", d
    d = data_of(call("POST", "/api/v1/tickets/%d/replies" % tid, a, {"body": "请提供截图"}), 201, "staff reply")
    assert d["status"] == "in_progress" and d["first_response_at"], d
    ms = messages(u, "ticket.reply", "ticket_id", tid)
    assert len(ms) == 1, ms
    first = d["first_response_at"]
    # waiting_user: the owner told; the owner's reply moves it back to in_progress and tells the assignee
    d = data_of(patch(tid, {"status": "waiting_user"}), 200, "waiting")
    assert d["status"] == "waiting_user", d
    assert [m for m in messages(u, "ticket.status", "ticket_id", tid) if m["data"]["status"] == "waiting_user"]
    d = data_of(call("POST", "/api/v1/tickets/%d/replies" % tid, u, {"body": "截图在此"}), 201, "owner reply")
    assert d["status"] == "in_progress" and [r["from"] for r in d["replies"]] == ["staff", "user"], d
    assert "author_id" not in d["replies"][0] and "author_email" not in d["replies"][0], d
    assert messages(a, "ticket.reply", "ticket_id", tid), "the assignee told of the owner's reply"
    # a second staff reply keeps the first response time
    d = data_of(call("POST", "/api/v1/tickets/%d/replies" % tid, a, {"body": "已修复"}), 201, "staff reply 2")
    assert d["first_response_at"] == first, d
    # bad transitions: 409, nothing changed
    expect_error(patch(tid, {"status": "open"}), 409, "bad_state")
    expect_field(patch(tid, {"status": "done"}), "status")
    expect_field(patch(tid, {"assignee_id": u["id"]}), "assignee_id")
    expect_error(patch(999999999, {"status": "closed"}), 404)
    # resolved: the owner told; staff may not reply until it is reopened
    d = data_of(patch(tid, {"status": "resolved"}), 200, "resolve")
    assert d["status"] == "resolved" and d["reopen_until"], d
    assert [m for m in messages(u, "ticket.status", "ticket_id", tid) if m["data"]["status"] == "resolved"]
    expect_error(call("POST", "/api/v1/tickets/%d/replies" % tid, a, {"body": "x"}), 409, "bad_state")
    d = data_of(patch(tid, {"status": "closed"}), 200, "close")
    assert d["status"] == "closed", d
    expect_error(patch(tid, {"status": "waiting_user"}), 409)
    # the owner reopens by replying within 7 days: staff told
    d = data_of(call("POST", "/api/v1/tickets/%d/replies" % tid, u, {"body": "又坏了"}), 201, "reopen")
    assert d["status"] == "in_progress", d
    assert messages(a, "ticket.reopen", "ticket_id", tid), "staff told of the reopening"


def test_ticket_reopen_window():
    u = new_user("tkw")
    tid = open_ticket(u)["id"]
    data_of(patch(tid, {"status": "resolved"}), 200, "resolve")
    # 6 days ago: still open to a reopen
    sql("UPDATE tickets_ticket SET done_at = UTC_TIMESTAMP(6) - INTERVAL 6 DAY WHERE id = %d" % tid)
    data_of(call("POST", "/api/v1/tickets/%d/replies" % tid, u, {"body": "还在"}), 201, "reopen in time")
    data_of(patch(tid, {"status": "closed"}), 200, "close")
    sql("UPDATE tickets_ticket SET done_at = UTC_TIMESTAMP(6) - INTERVAL 8 DAY WHERE id = %d" % tid)
    n = len(data_of(call("GET", "/api/v1/tickets/%d" % tid, u), 200, "get")["replies"])
    expect_error(call("POST", "/api/v1/tickets/%d/replies" % tid, u, {"body": "晚了"}), 409, "reopen_expired")
    d = data_of(call("GET", "/api/v1/tickets/%d" % tid, u), 200, "get")
    assert d["status"] == "closed" and len(d["replies"]) == n, d


def test_ticket_queue_filters_and_sla():
    u = new_user("tkq")
    a = admin()
    low = open_ticket(u, subject="低 " + TAG, priority="low")["id"]
    urgent = open_ticket(u, subject="急 " + TAG, priority="urgent")["id"]
    data_of(patch(urgent, {"assignee_id": a["id"]}), 200, "assign")
    sql("UPDATE tickets_ticket SET first_response_due = UTC_TIMESTAMP(6) - INTERVAL 1 HOUR WHERE id = %d" % urgent)

    def ids(q):
        items = data_of(call("GET", "/api/v1/admin/tickets?page_size=100&" + q, a), 200, q)["items"]
        return {x["id"]: x for x in items}

    got = ids("priority=urgent&status=open")
    assert urgent in got and low not in got and got[urgent]["sla_breached"] is True, got.get(urgent)
    assert urgent in ids("assignee_id=me") and low not in ids("assignee_id=me")
    assert low in ids("assignee_id=none") and urgent not in ids("assignee_id=none")
    assert urgent in ids("assignee_id=%d" % a["id"])
    expect_field(call("GET", "/api/v1/admin/tickets?status=bogus", a), "status")
    expect_field(call("GET", "/api/v1/admin/tickets?priority=bogus", a), "priority")
    # a priority change recomputes the due time while no one has answered
    data_of(patch(low, {"priority": "high"}), 200, "reprioritize")
    due = sql("SELECT TIMESTAMPDIFF(HOUR, created_at, first_response_due) FROM tickets_ticket WHERE id = %d" % low)
    assert due[0][0] == "8", due
    # unassign
    d = data_of(patch(urgent, {"assignee_id": None}), 200, "unassign")
    assert d["assignee_id"] is None and d["assigned"] is False, d



# ---- attached files ------------------------------------------------------------------------


def png(w=2, h=2):
    """A real, tiny PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw_rows = b"".join(b"\x00" + b"\xff\x00\x00" * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw_rows)) + chunk(b"IEND", b""))


def send_form(path, user, fields, files):
    """POST fields (dict) and files ((field, bytes, name)) as multipart/form-data."""
    parts = [(k, v, None, None) for k, v in fields.items()] + [(f, d, n, "application/octet-stream")
                                                                  for f, d, n in files]
    body, ct = zmtest.multipart(parts)
    return zmtest.raw("POST", path, body, {"Content-Type": ct}, token=user["access"] if user else None,
                      ip=fresh_ip())


def download(path, user):
    return zmtest.raw("GET", path, token=user["access"] if user else None, ip=fresh_ip())


def test_feedback_screenshot_upload_download_and_refusals():
    u, other = new_user("fbshot"), new_user("fbshot2")
    img = png()
    f = data_of(send_form("/api/v1/feedback", u, {"category": "bug", "body": "按钮错位 " + TAG},
                          [("screenshot", img, "../截图.png")]), 201, "feedback with a screenshot")
    assert f["screenshot"] is True and f["body"] == "按钮错位 " + TAG and f["category"] == "bug", f
    r = download("/api/v1/feedback/%d/screenshot" % f["id"], u)
    assert r.status == 200 and r.body == img, r
    assert r.headers["Content-Type"] == "image/png", r.headers
    assert r.headers["Content-Disposition"].startswith("attachment"), r.headers
    assert r.headers["X-Content-Type-Options"] == "nosniff", r.headers
    assert "/" not in r.headers["Content-Disposition"].split("filename", 1)[1], r.headers
    # staff may, another user may not; nor anyone without a token
    assert download("/api/v1/feedback/%d/screenshot" % f["id"], admin()).body == img
    expect_error(download("/api/v1/feedback/%d/screenshot" % f["id"], other), 404)
    expect_error(download("/api/v1/feedback/%d/screenshot" % f["id"], None), 401)
    # a feedback without one: 404; the JSON form still works and says so
    plain = submit(u)
    assert plain["screenshot"] is False, plain
    expect_error(download("/api/v1/feedback/%d/screenshot" % plain["id"], u), 404)
    # the type comes from the content: an HTML page named .png is refused, and so is a GIF or an SVG
    before = data_of(call("GET", "/api/v1/feedback", u), 200, "mine")["total"]
    for bad, name in ((b"<html><script>alert(1)</script></html>", "x.png"), (b"GIF89a" + b"\x00" * 20, "a.gif"),
                      (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.svg")):
        expect_error(send_form("/api/v1/feedback", u, {"category": "bug", "body": "x"}, [("screenshot", bad, name)]),
                     415, "unsupported_file_type")
    # over the cap: 413; two screenshots or a file in another field: 400
    big = img + b"\x00" * (2 * 1024 * 1024)
    expect_error(send_form("/api/v1/feedback", u, {"category": "bug", "body": "x"}, [("screenshot", big, "b.png")]),
                 413, "file_too_large")
    expect_field(send_form("/api/v1/feedback", u, {"category": "bug", "body": "x"},
                           [("screenshot", img, "a.png"), ("screenshot", img, "b.png")]), "screenshot")
    expect_field(send_form("/api/v1/feedback", u, {"category": "bug", "body": "x"}, [("file", img, "a.png")]), "file")
    # the form's fields are checked as the JSON's
    expect_field(send_form("/api/v1/feedback", u, {"category": "rant", "body": "x"}, [("screenshot", img, "a.png")]),
                 "category")
    assert data_of(call("GET", "/api/v1/feedback", u), 200, "mine")["total"] == before, "nothing kept"


def test_ticket_attachments_upload_download_and_refusals():
    u, other = new_user("tkfile"), new_user("tkfile2")
    img, pdf = png(3, 1), b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    t = data_of(send_form("/api/v1/tickets", u, {"category": "technical", "subject": "附件 " + TAG,
                                                 "description": "见附件", "priority": "high"},
                          [("attachments", img, "屏幕.png"), ("attachments", pdf, "log.pdf")]), 201, "ticket")
    assert t["priority"] == "high" and t["subject"] == "附件 " + TAG, t
    got = data_of(call("GET", "/api/v1/tickets/%d" % t["id"], u), 200, "get")
    att = got["attachments"]
    assert [(a["name"], a["content_type"], a["size"], a["reply_id"]) for a in att] == [
        ("屏幕.png", "image/png", len(img), None), ("log.pdf", "application/pdf", len(pdf), None)], att
    for a, data in zip(att, (img, pdf)):
        path = "/api/v1/tickets/%d/attachments/%d" % (t["id"], a["id"])
        r = download(path, u)
        assert r.status == 200 and r.body == data and r.headers["Content-Type"] == a["content_type"], r
        assert r.headers["Content-Disposition"].startswith("attachment"), r.headers
        assert r.headers["X-Content-Type-Options"] == "nosniff", r.headers
        assert download(path, admin()).body == data
        expect_error(download(path, other), 404)
    # an attachment id of another ticket: 404
    t2 = data_of(send_form("/api/v1/tickets", other, {"category": "other", "subject": "别人的", "description": "x"},
                           [("attachments", img, "o.png")]), 201, "other's ticket")
    oid = data_of(call("GET", "/api/v1/tickets/%d" % t2["id"], other), 200, "get")["attachments"][0]["id"]
    expect_error(download("/api/v1/tickets/%d/attachments/%d" % (t["id"], oid), u), 404)
    expect_error(download("/api/v1/tickets/%d/attachments/%d" % (t2["id"], oid), u), 404)
    # staff reply with a file, the owner's with text
    data_of(send_form("/api/v1/tickets/%d/replies" % t["id"], admin(), {"body": "请看这个"},
                      [("attachments", b"step 1\nstep 2\n", "steps.txt")]), 201, "staff reply with a file")
    got = data_of(call("GET", "/api/v1/tickets/%d" % t["id"], u), 200, "get")
    last = got["attachments"][-1]
    assert last["reply_id"] == got["replies"][-1]["id"] and last["content_type"].startswith("text/plain"), got
    r = download("/api/v1/tickets/%d/attachments/%d" % (t["id"], last["id"]), u)
    assert r.status == 200 and r.body == b"step 1\nstep 2\n", r
    # refusals: a type by content, the cap, the count; another's ticket
    expect_error(send_form("/api/v1/tickets/%d/replies" % t["id"], u, {"body": "x"},
                           [("attachments", b"MZ\x90\x00" + b"\x00" * 60, "x.pdf")]), 415, "unsupported_file_type")
    expect_error(send_form("/api/v1/tickets/%d/replies" % t["id"], u, {"body": "x"},
                           [("attachments", pdf + b" " * (2 * 1024 * 1024), "big.pdf")]), 413, "file_too_large")
    expect_field(send_form("/api/v1/tickets", u, {"category": "other", "subject": "多", "description": "x"},
                           [("attachments", img, "%d.png" % i) for i in range(4)]), "attachments")
    expect_error(send_form("/api/v1/tickets/%d/replies" % t["id"], other, {"body": "x"},
                           [("attachments", img, "a.png")]), 404)
    n = sql("SELECT COUNT(*) FROM tickets_file WHERE ticket_id = %d" % t["id"])
    assert n == [["3"]], n
    # the JSON forms are unchanged
    data_of(call("POST", "/api/v1/tickets/%d/replies" % t["id"], u, {"body": "纯文本回复"}), 201, "json reply")


if __name__ == "__main__":
    zmtest.main(globals())
