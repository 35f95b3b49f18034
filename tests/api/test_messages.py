#!/usr/bin/python3
"""The message center (issue 17, item 1), black-box: messages to one user, a role, everyone.

POST /api/v1/admin/messages (消息发布) and the domains' msg_send() write them; a user reads their own,
their role's and everyone's (sent since they joined) at GET /api/v1/messages, counts the unread at
GET /api/v1/messages/unread-count, marks one read or all read.  A broadcast is one row; read-all is a
watermark, not a row per message.  New messages reach the user's open pages on the multiplexed live
channel /api/v1/events/users/{id}/{role} (user_<id>, role_<role>, broadcast).

Needs a running stack (./dev up with ZM_VAR):

    ZM_VAR=/tmp/msgtest /usr/bin/python3 tests/api/test_messages.py [test_name ...]
"""
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmtest  # noqa: E402
from zmtest import (data_of, expect_error, expect_field, fresh_ip, made_user, new_user, request,  # noqa: E402
                    shared_user, sql)
from test_live import Channel  # noqa: E402

TAG = uuid.uuid4().hex[:6]


def admin():
    return shared_user("admin")


def call(method, path, user, body=None):
    return zmtest.call(method, path, user, body, ip=fresh_ip())


def post(body, who=None):
    return call("POST", "/api/v1/admin/messages", who or admin(), body)


def send(title, audience, body="正文", **kw):
    d = dict(title=title, body=body, audience=audience, **kw)
    return data_of(post(d), 201, "post %r" % d)["id"]


def listing(user, unread=False, size=100):
    return data_of(call("GET", "/api/v1/messages?page_size=%d%s" % (size, "&unread=1" if unread else ""), user),
                   200, "list")


def titles(user, unread=False):
    return [m["title"] for m in listing(user, unread)["items"] if TAG in m["title"]]


def unread(user):
    return data_of(call("GET", "/api/v1/messages/unread-count", user), 200, "unread count")["unread"]


# ---- tests ---------------------------------------------------------------------------------


def test_to_a_user_a_role_and_everyone():
    a, b, hr = new_user("ma"), new_user("mb"), made_user("hr")
    to_a = send("给A" + TAG, "user", user_id=a["id"], body="**你好**")
    to_hr = send("给HR" + TAG, "role", role="hr")
    to_all = send("全体" + TAG, "all", body="# 公告\n\n- 一\n- 二")
    assert titles(a) == ["全体" + TAG, "给A" + TAG], titles(a)
    assert titles(b) == ["全体" + TAG], titles(b)
    assert titles(hr) == ["全体" + TAG, "给HR" + TAG], titles(hr)
    items = {m["id"]: m for m in listing(a)["items"]}
    m = items[to_a]
    assert m["body"] == "**你好**" and m["kind"] == "admin.post" and m["audience"] == "user", m
    assert m["read"] is False and m["data"] == {} and zmtest.ISO_RE.match(m["created_at"]), m
    # nothing names the sender or other users
    assert set(m) == {"id", "kind", "title", "body", "data", "audience", "created_at", "read"}, m
    assert items[to_all]["audience"] == "all" and to_hr not in items
    # a broadcast is one row, with no read state until someone reads it
    assert sql("SELECT COUNT(*), MIN(audience), MIN(user_id IS NULL) FROM messages_message WHERE id = %d"
               % to_all) == [["1", "all", "1"]]
    assert sql("SELECT COUNT(*) FROM messages_read WHERE message_id = %d" % to_all) == [["0"]]
    assert sql("SELECT sender_id = %d FROM messages_message WHERE id = %d" % (admin()["id"], to_hr)) == [["1"]]


def test_a_broadcast_reaches_those_who_had_joined():
    send("早于注册" + TAG, "all")
    late = new_user("late")
    assert "早于注册" + TAG not in titles(late)
    send("晚于注册" + TAG, "all")
    assert "晚于注册" + TAG in titles(late)


def test_others_messages_are_not_found():
    a, b, hr = new_user("oa"), new_user("ob"), made_user("hr")
    mid = send("私信" + TAG, "user", user_id=a["id"])
    hr_mid = send("HR专属" + TAG, "role", role="hr")
    for who, i in ((b, mid), (a, hr_mid), (b, 99999999999), (hr, mid)):
        expect_error(call("POST", "/api/v1/messages/%d/read" % i, who), 404, "not_found")
    for bad in ("abc", "0", "-1", "1.5"):
        expect_error(call("POST", "/api/v1/messages/%s/read" % bad, b), 404)
    assert sql("SELECT COUNT(*) FROM messages_read WHERE message_id IN (%d, %d)" % (mid, hr_mid)) == [["0"]]
    assert "私信" + TAG not in titles(b)
    # the owner may
    d = data_of(call("POST", "/api/v1/messages/%d/read" % mid, a), 200, "read own")
    assert d == {"id": mid, "read": True}, d
    # no token: 401
    expect_error(request("GET", "/api/v1/messages"), 401)


def test_unread_count_read_and_read_all():
    u = new_user("rc")
    base = unread(u)  # broadcasts from other tests running alongside count too
    ids = [send("未读%d%s" % (i, TAG), "user", user_id=u["id"]) for i in range(3)]
    b = send("广播未读" + TAG, "role", role="seeker")
    assert unread(u) >= base + 4
    n0 = unread(u)
    data_of(call("POST", "/api/v1/messages/%d/read" % ids[0], u), 200, "read one")
    assert unread(u) == n0 - 1
    data_of(call("POST", "/api/v1/messages/%d/read" % ids[0], u), 200, "read it again")
    assert unread(u) == n0 - 1
    data_of(call("POST", "/api/v1/messages/%d/read" % b, u), 200, "read the broadcast")
    assert unread(u) == n0 - 2
    assert sql("SELECT COUNT(*) FROM messages_read WHERE message_id = %d" % b) == [["1"]]
    got = {m["id"]: m["read"] for m in listing(u)["items"]}
    assert got[ids[0]] is True and got[b] is True and got[ids[1]] is False, got
    un = [m["id"] for m in listing(u, unread=True)["items"]]
    assert ids[0] not in un and b not in un and ids[1] in un and ids[2] in un, un
    assert listing(u, unread=True)["total"] == n0 - 2

    d = data_of(call("POST", "/api/v1/messages/read-all", u), 200, "read all")
    assert d["marked"] == n0 - 2, d
    assert unread(u) == 0 and listing(u, unread=True)["items"] == []
    assert all(m["read"] for m in listing(u)["items"])
    # one watermark row, the single read rows under it gone
    assert sql("SELECT COUNT(*) FROM messages_watermark WHERE user_id = %d" % u["id"]) == [["1"]]
    assert sql("SELECT COUNT(*) FROM messages_read WHERE user_id = %d" % u["id"]) == [["0"]]
    assert data_of(call("POST", "/api/v1/messages/read-all", u), 200, "again")["marked"] == 0
    # what comes next is unread again
    nxt = send("之后" + TAG, "user", user_id=u["id"])
    assert unread(u) >= 1 and nxt in [m["id"] for m in listing(u, unread=True)["items"]]
    # reading under the watermark writes nothing
    data_of(call("POST", "/api/v1/messages/%d/read" % ids[1], u), 200, "read an old one")
    assert sql("SELECT COUNT(*) FROM messages_read WHERE user_id = %d" % u["id"]) == [["0"]]


def test_paging_newest_first():
    u = new_user("pg")
    ids = [send("分页%d%s" % (i, TAG), "user", user_id=u["id"]) for i in range(5)]
    p1 = data_of(call("GET", "/api/v1/messages?page_size=2&unread=1", u), 200, "page 1")
    p2 = data_of(call("GET", "/api/v1/messages?page=2&page_size=2&unread=1", u), 200, "page 2")
    mine = [m["id"] for m in p1["items"] + p2["items"] if m["id"] in ids]
    assert mine == sorted(mine, reverse=True), mine
    assert p1["page_size"] == 2 and p1["total"] >= 5, p1
    for q in ("page=0", "page_size=1000", "unread=2", "unread=yes"):
        expect_error(call("GET", "/api/v1/messages?" + q, u), 400)


def test_bad_input_and_refusals():
    u, hr = new_user("bi"), made_user("hr")
    ok = {"title": "标题" + TAG, "body": "正文", "audience": "all"}
    expect_error(post(ok, u), 403)
    expect_error(post(ok, hr), 403)
    before = sql("SELECT COUNT(*) FROM messages_message")
    expect_field(post(dict(ok, title="")), "title")
    expect_field(post(dict(ok, title="长" * 201)), "title")
    expect_field(post(dict(ok, title="换\n行")), "title")
    expect_field(post(dict(ok, body=None)), "body")
    expect_field(post(dict(ok, body="长" * 20001)), "body")
    expect_field(post(dict(ok, audience="everyone")), "audience")
    expect_field(post(dict(ok, audience="role")), "role")
    expect_field(post(dict(ok, audience="role", role="boss")), "role")
    expect_field(post(dict(ok, audience="user")), "user_id")
    expect_field(post(dict(ok, audience="user", user_id=2**40)), "user_id")
    expect_field(post(dict(ok, audience="user", user_id="1")), "user_id")
    expect_error(call("POST", "/api/v1/admin/messages", admin(), b"title=x"), 415)
    r = request("POST", "/api/v1/admin/messages", b"{", headers={"Content-Type": "application/json"},
                token=admin()["access"], ip=fresh_ip())
    expect_error(r, 400)
    assert sql("SELECT COUNT(*) FROM messages_message") == before, "nothing written"
    # exactly the caps is fine; hostile Markdown is stored as sent (the SPA renders it without raw HTML)
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3))" + "长" * 19000
    mid = send("长" * 199 + "尾", "user", body=hostile, user_id=u["id"])
    m = [m for m in listing(u)["items"] if m["id"] == mid][0]
    assert m["body"] == hostile and len(m["title"]) == 200, m["title"]


def test_live_push_on_the_users_channel():
    u, hr = new_user("lv"), made_user("hr")
    ch = Channel(u["id"], token=u["access"], path="/api/v1/events/users/%d/seeker" % u["id"])
    hr_ch = Channel(hr["id"], token=hr["access"], path="/api/v1/events/users/%d/hr" % hr["id"])
    assert ch.status == 200 and hr_ch.status == 200, (ch.status, ch.body, hr_ch.status, hr_ch.body)
    try:
        mid = send("实时" + TAG, "user", user_id=u["id"])
        ev = ch.wait_event(lambda e: e.get("type") == "message.new" and e.get("id") == mid, "the user's message")
        assert ev["title"] == "实时" + TAG and ev["audience"] == "user" and ev["kind"] == "admin.post", ev
        rid = send("求职者们" + TAG, "role", role="seeker")
        ch.wait_event(lambda e: e.get("id") == rid, "the role's message")
        aid = send("大家" + TAG, "all")
        ch.wait_event(lambda e: e.get("id") == aid, "everyone's message")
        hr_ch.wait_event(lambda e: e.get("id") == aid, "everyone's message on HR's channel")
        hid = send("HR们" + TAG, "role", role="hr")
        hr_ch.wait_event(lambda e: e.get("id") == hid, "HR's role message")
        # the seeker heard none of HR's or of another user's
        send("别人的" + TAG, "user", user_id=hr["id"])
        hr_ch.wait_event(lambda e: e.get("title") == "别人的" + TAG, "HR's own message")
        with ch.lock:
            seen = [e.get("id") for e in ch.events if e.get("type") == "message.new"]
        assert hid not in seen and all(e in (mid, rid, aid) for e in seen), seen
    finally:
        ch.close()
        hr_ch.close()


def test_live_channel_is_the_users_own_role():
    u, other = new_user("la"), new_user("lb")
    for path, tok, status in (("/api/v1/events/users/%d/hr" % u["id"], u["access"], 403),
                              ("/api/v1/events/users/%d/admin" % u["id"], u["access"], 403),
                              ("/api/v1/events/users/%d/seeker" % other["id"], u["access"], 403),
                              ("/api/v1/events/users/%d/seeker" % u["id"], None, 401)):
        ch = Channel(u["id"], token=tok, path=path, timeout=5)
        assert ch.status == status, (path, ch.status, ch.body)
        ch.close()
    # an unknown role is no channel
    assert request("GET", "/api/v1/events/users/%d/boss?access_token=%s" % (u["id"], u["access"])).status == 404


def test_application_status_comes_through_the_message_center():
    from test_live import apply, open_job, seeker_with_resume
    hr, s = made_user("hr"), seeker_with_resume("ap")
    job = open_job(hr, "消息中心工程师" + TAG)
    ch = Channel(s["id"], token=s["access"], path="/api/v1/events/users/%d/seeker" % s["id"])
    try:
        app = apply(s, job)
        # the application reaches HR's side through the sync task: retry until HR can move it
        zmtest.wait_for(lambda: call("PATCH", "/api/v1/hr/applications/%d" % app["id"], hr,
                                     {"status": "interviewing"}).status == 200, timeout=10, what="HR moves it")
        msgs = [m for m in listing(s)["items"] if m["data"].get("application_id") == app["id"]]
        assert len(msgs) == 1, msgs
        m = msgs[0]
        assert m["kind"] == "application.status" and m["title"] == "申请状态更新" and not m["read"], m
        assert "消息中心工程师" + TAG in m["body"] and "面试中" in m["body"], m
        assert m["data"] == {"application_id": app["id"], "job_id": job, "status": "interviewing"}, m
        ch.wait_event(lambda e: e.get("type") == "message.new" and e.get("id") == m["id"], "the message's hint")
        ch.wait_event(lambda e: e.get("type") == "application.status", "jobs' own hint, unchanged")
        # a refused move writes no message
        expect_error(call("PATCH", "/api/v1/hr/applications/%d" % app["id"], hr, {"status": "viewed"}), 409)
        assert len([m for m in listing(s)["items"] if m["data"].get("application_id") == app["id"]]) == 1
    finally:
        ch.close()


def test_unread_count_is_capped():
    """A backlog is counted up to 100 ("capped"), so the count costs the same at 5,000 unread (the SPA shows 99+)."""
    u = new_user("cap")
    sql("INSERT INTO messages_message (audience, user_id, role, kind, title, body, data, created_at) "
        "SELECT 'user', %d, '', 'test.cap', CONCAT('积压', seq), '', '{}', UTC_TIMESTAMP(6) FROM "
        "(SELECT a.n * 10 + b.n AS seq FROM (SELECT 0 n UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 "
        "UNION SELECT 5 UNION SELECT 6 UNION SELECT 7 UNION SELECT 8 UNION SELECT 9 UNION SELECT 10 UNION SELECT 11 "
        "UNION SELECT 12 UNION SELECT 13 UNION SELECT 14) a, (SELECT 0 n UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 "
        "UNION SELECT 4 UNION SELECT 5 UNION SELECT 6 UNION SELECT 7 UNION SELECT 8 UNION SELECT 9) b) g" % u["id"])
    d = data_of(call("GET", "/api/v1/messages/unread-count", u), 200, "capped count")
    assert d == {"unread": 100, "capped": True}, d
    # the list still knows the whole backlog
    assert listing(u, unread=True, size=10)["total"] >= 150
    first = listing(u, unread=True, size=1)["items"][0]["id"]
    data_of(call("POST", "/api/v1/messages/%d/read" % first, u), 200, "read one")
    assert data_of(call("GET", "/api/v1/messages/unread-count", u), 200, "still capped") == {"unread": 100, "capped": True}
    d = data_of(call("POST", "/api/v1/messages/read-all", u), 200, "read all")
    assert d["marked"] >= 149, d
    assert data_of(call("GET", "/api/v1/messages/unread-count", u), 200, "none") == {"unread": 0, "capped": False}


def test_read_all_leaves_a_message_committed_later_with_a_lower_id_unread():
    """Read-all vs a message whose id was allocated before the newest visible one but whose transaction
    commits after the read-all (a domain's msg_send inside its transaction): it must stay unread."""
    u = new_user("late")
    held = zmtest.HeldTransaction()
    try:
        held.run("BEGIN")
        late = int(held.query(
            "INSERT INTO messages_message (audience, user_id, role, kind, title, body, data, created_at) "
            "VALUES ('user', %d, '', 'test.late', '迟到的消息', '', '{}', UTC_TIMESTAMP(6)); SELECT LAST_INSERT_ID()"
            % u["id"]))
        seen = send("已看到" + TAG, "user", user_id=u["id"])
        assert seen > late, (seen, late)
        assert late not in [m["id"] for m in listing(u)["items"]]
        d = data_of(call("POST", "/api/v1/messages/read-all", u), 200, "read all with one in flight")
        assert d["marked"] >= 1, d
    finally:
        held.commit()
    got = {m["id"]: m["read"] for m in listing(u)["items"]}
    assert got[seen] is True and got[late] is False, got
    assert late in [m["id"] for m in listing(u, unread=True)["items"]]
    assert unread(u) >= 1
    # the one seen above it has its own read row; the watermark stays under the late one
    assert sql("SELECT COUNT(*) FROM messages_read WHERE user_id = %d AND message_id = %d" % (u["id"], seen)) == [["1"]]
    assert int(sql("SELECT COALESCE(MAX(read_upto), 0) FROM messages_watermark WHERE user_id = %d" % u["id"])[0][0]) < late
    # the next read-all takes it, and the watermark passes both
    data_of(call("POST", "/api/v1/messages/read-all", u), 200, "read all again")
    got = {m["id"]: m["read"] for m in listing(u)["items"]}
    assert got[seen] is True and got[late] is True, got
    assert unread(u) == 0


if __name__ == "__main__":
    zmtest.main(globals())
