#!/usr/bin/python3
"""Practice partners (MockPal, seed 004) through nginx: profiles with exact enums and field errors,
the five tiers, the two browsing rounds, four actions a New York day (enforced by the database,
also under 50 concurrent clicks), the like/dislike/cancel/accept/reject state machine with one row
per pair (also under concurrent mutual likes), and contacts only inside an accepted pair.

The seed's test checklist (测试清单), one test each (or more):
  weights:  test_tier1_invited_overlap_first, test_overlap_before_experience,
            test_experience_before_job, test_job_before_others
  rounds:   test_round1_each_user_once, test_round2_rejected_return_accepted_never
  limit:    test_limit_after_four, test_reset_at_new_york_midnight, test_answering_invitation_counts
  states:   test_pending_created_and_shown, test_accepted_merges_into_one_row,
            test_rejected_two_way_views

The clock: zhimai-fcgi is restarted once with ZM_PARTNERS_TEST_CLOCK=1, so an X-Zm-Test-Now header
(Unix seconds) stands for the time; test_clock_header_ignored_by_default runs first, on the stack's
own configuration, and checks that the header does nothing there.  The file owns the partners_*
tables of the test stack: each test empties them, so "total users" is what the test made.
Users that only need to be seen are made with SQL (auth_user + partners_profile rows); users that
act are registered and logged in through the API.

    ZM_VAR=/tmp/stack /usr/bin/python3 tests/api/test_partners.py [test_name ...]
"""
import calendar
import os
import subprocess
import time

import zmtest
from zmtest import RUN, burst, data_of, expect_error, expect_field, new_user, request, sql, sql_str

ROOT = zmtest.ROOT
BUILD = zmtest.ENV["ZM_BUILD"]
LIMIT_MSG = "今日浏览次数已达上限，明天再来吧！"
P = "/api/v1/partners"


def utc(y, mo, d, h=0, mi=0, s=0):
    return calendar.timegm((y, mo, d, h, mi, s))


# noon in New York (EST) on a Tuesday in 2030
T0 = utc(2030, 1, 15, 17, 0)
DAY = 86400


def call(method, path, user, body=None, now=T0):
    hdrs = {"X-Zm-Test-Now": str(now)} if now else {}
    return request(method, P + path, body, headers=hdrs, token=user["access"])


def recs(user, now=T0):
    return data_of(call("GET", "/recommendations", user, now=now), 200, "recommendations")


def act(user, other_id, what, now=T0, status=200):
    r = call("POST", "/%s/%s" % (other_id, what), user, now=now)
    if status == 200:
        return data_of(r, 200, "%s %s" % (what, other_id))
    assert r.status == status, "%s %s: expected %d, got %r" % (what, other_id, status, r)
    return r


def reset():
    sql("DELETE FROM partners_userdailyview; DELETE FROM partners_match; DELETE FROM partners_profile")


PROFILE = {
    "experience_level": "3-5年",
    "job_type": "DS",
    "practice": ["technical", "case"],
    "contacts": {"email": "me@example.com", "wechat": "wxid_me_123", "linkedin": "https://www.linkedin.com/in/me"},
    "target_companies": ["字节跳动", "Google"],
    "industry": "互联网",
    "school": "北京大学",
    "intro": "每周可练两次",
}


def actor(tag="a", **profile):
    """A user registered through the API, with a profile saved through the API (unless profile=None)."""
    u = new_user("pt" + tag)
    if profile.get("profile", 1) is not None:
        body = dict(PROFILE, **{k: v for k, v in profile.items() if k != "profile"})
        body["contacts"] = dict(body["contacts"], wechat="wxid_%s%s" % (tag, u["id"]))
        u["profile"] = data_of(call("PUT", "/profile", u, body), 200, "save profile")
        u["wechat"] = body["contacts"]["wechat"]
    return u


_seq = [0]


def passive(n, exp="应届", job="BA", practice=("behavioral",), active=None, is_active=1):
    """n users made with SQL, each with a profile; ids in creation order.  active: last_active_at of
    each (seconds), default one second apart, the later ones more recent."""
    names = []
    for _ in range(n):
        _seq[0] += 1
        names.append("pt-%s-%d" % (RUN, _seq[0]))
    sql("INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, "
        "date_joined) VALUES " + ", ".join("('!', 0, %s, '', '', %s, 0, 1, NOW(6))" % (sql_str(u), sql_str(u + "@x.test"))
                                           for u in names))
    ids = [int(r[0]) for r in sql("SELECT id FROM auth_user WHERE username IN (%s) ORDER BY id"
                                  % ", ".join(sql_str(u) for u in names))]
    bits = [int(k in practice) for k in ("technical", "behavioral", "case", "statistics")]
    rows = []
    for i, uid in enumerate(ids):
        t = active[i] if active else T0 - 100000 + _seq[0] - n + 1 + i  # later users more recently active
        rows.append("(%d, %s, %s, %d, %d, %d, %d, %s, %s, '', '[]', '', '', '', %d, FROM_UNIXTIME(%d), NOW(6), NOW(6))"
                    % (uid, sql_str(exp), sql_str(job), bits[0], bits[1], bits[2], bits[3],
                       sql_str("p%d@example.com" % uid), sql_str("wxsecret%d" % uid), is_active, t))
    sql("SET time_zone = '+00:00'; INSERT INTO partners_profile (user_id, experience_level, job_type, "
        "technical_interview, behavioral_interview, case_analysis, stats_questions, contact_email, contact_wechat, "
        "contact_linkedin, target_companies, industry, school, intro, is_active, last_active_at, created_at, "
        "updated_at) VALUES " + ", ".join(rows))
    return ids


def invite(from_id, to_id):
    """A pending like from_id -> to_id as the like would leave it: the row and the initiator's view."""
    sql("INSERT INTO partners_match (user1_id, user2_id, action_type, status, created_at, updated_at) "
        "VALUES (%d, %d, 'like', 'pending', NOW(6), NOW(6))" % (from_id, to_id))


def views(uid):
    return [tuple(r) for r in sql("SELECT viewed_user_id, date, slot FROM partners_userdailyview WHERE user_id = %d "
                                  "ORDER BY id" % uid)]


def pair_rows(a, b):
    return sql("SELECT user1_id, user2_id, status FROM partners_match WHERE user_low = %d AND user_high = %d"
               % (min(a, b), max(a, b)))


def ids_of(d):
    return [c["user_id"] for c in d["items"]]


# ---- the clock -------------------------------------------------------------------------------


def test_clock_header_ignored_by_default():
    """Runs on the stack's own configuration (partners.test_clock off): the header changes nothing."""
    reset()
    u = actor("clk")
    d = recs(u, now=utc(2001, 1, 1, 12))
    want = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 5 * 3600))  # New York, give or take DST
    alt = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 4 * 3600))
    assert d["date"] in (want, alt), d


def enable_test_clock(on):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZM_PARTNERS_")}
    if on:
        env["ZM_PARTNERS_TEST_CLOCK"] = "1"
    env["ZM_VAR"] = zmtest.VAR
    env["ZM_BUILD"] = BUILD
    for cmd in ("fcgi-stop", "fcgi-start"):
        p = subprocess.run([os.path.join(ROOT, "dev"), cmd], env=env, capture_output=True, text=True)
        assert p.returncode == 0, "./dev %s failed: %s %s" % (cmd, p.stdout, p.stderr)
    zmtest.wait_for(lambda: request("GET", "/healthz").status == 200, timeout=30, what="/healthz after a restart")


def test_enable_test_clock():
    enable_test_clock(True)
    reset()
    u = actor("clk2")
    assert recs(u, now=utc(2030, 1, 15, 4, 59))["date"] == "2030-01-14"
    assert recs(u, now=utc(2030, 1, 15, 5, 0))["date"] == "2030-01-15"


# ---- profiles --------------------------------------------------------------------------------


def test_profile_missing_then_saved():
    reset()
    u = new_user("ptprof")
    r = call("GET", "/profile", u)
    expect_error(r, 404, "profile_not_found")
    p = data_of(call("PUT", "/profile", u, PROFILE), 200, "save")
    for k in ("experience_level", "job_type", "target_companies", "industry", "school", "intro"):
        assert p[k] == PROFILE[k], (k, p)
    assert p["practice"] == ["technical", "case"], p
    assert p["contacts"] == PROFILE["contacts"], p
    assert p["is_active"] is True and p["user_id"] == u["id"], p
    assert data_of(call("GET", "/profile", u)) == p
    # replace: contacts may drop to one; optional fields reset when left out
    body = dict(PROFILE, practice=["statistics"], contacts={"wechat": "wxid_only1"}, is_active=False)
    del body["industry"]
    p2 = data_of(call("PUT", "/profile", u, body))
    assert p2["practice"] == ["statistics"] and p2["industry"] == "" and p2["is_active"] is False, p2
    assert p2["contacts"] == {"email": None, "wechat": "wxid_only1", "linkedin": None}, p2
    assert len(sql("SELECT 1 FROM partners_profile WHERE user_id = %d" % u["id"])) == 1


def test_profile_field_errors_write_nothing():
    reset()
    u = new_user("ptbad")
    cases = [
        ({"experience_level": "3-5"}, "experience_level"),
        ({"experience_level": "5年"}, "experience_level"),
        ({"experience_level": None}, "experience_level"),
        ({"job_type": "ds"}, "job_type"),
        ({"job_type": "PM"}, "job_type"),
        ({"practice": []}, "practice"),
        ({"practice": ["coding"]}, "practice"),
        ({"practice": "case"}, "practice"),
        ({"practice": ["case", 1]}, "practice"),
        ({"contacts": {}}, "contacts"),
        ({"contacts": {"email": "", "wechat": None}}, "contacts"),
        ({"contacts": "me@example.com"}, "contacts"),
        ({"contacts": {"email": "not-an-email"}}, "contacts.email"),
        ({"contacts": {"wechat": "12345678"}}, "contacts.wechat"),
        ({"contacts": {"wechat": "ab"}}, "contacts.wechat"),
        ({"contacts": {"linkedin": "https://evil.example/in/x"}}, "contacts.linkedin"),
        ({"contacts": {"email": 5}}, "contacts.email"),
        ({"target_companies": "Google"}, "target_companies"),
        ({"target_companies": ["x"] * 11}, "target_companies"),
        ({"target_companies": [""]}, "target_companies"),
        ({"intro": "长" * 501}, "intro"),
        ({"school": 3}, "school"),
        ({"is_active": "yes"}, "is_active"),
    ]
    for patch, field in cases:
        body = dict(PROFILE, **patch)
        expect_field(call("PUT", "/profile", u, body), field, what="PUT %r" % patch)
    # several at once: every field's error in one answer
    j = expect_field(call("PUT", "/profile", u, {"experience_level": "x", "job_type": "y", "practice": [],
                                                 "contacts": {}}), "job_type")
    assert set(j["error"]["fields"]) >= {"experience_level", "job_type", "practice", "contacts"}, j
    expect_error(request("PUT", P + "/profile", b"{nope", headers={"Content-Type": "application/json"},
                         token=u["access"]), 400)
    assert sql("SELECT COUNT(*) FROM partners_profile WHERE user_id = %d" % u["id"]) == [["0"]]


# ---- weights (the seed's checklist, 权重系统测试) -----------------------------------------


def weighted_world():
    """me (3-5年, DS, technical+case) and one user of each tier; the lower the tier, the more recently
    active, so recency alone would give the reverse order."""
    reset()
    me = actor("w")
    t = T0 - 1000
    inv = passive(1, exp="应届", job="BA", practice=("case",), active=[t])[0]  # tier 1 once it invites
    ovl = passive(1, exp="应届", job="BA", practice=("technical", "behavioral"), active=[t + 1])[0]  # tier 2
    exp = passive(1, exp="3-5年", job="BA", practice=("behavioral",), active=[t + 2])[0]  # tier 3
    job = passive(1, exp="应届", job="DS", practice=("statistics",), active=[t + 3])[0]  # tier 4
    oth = passive(1, exp="1-3年", job="DE", practice=("behavioral",), active=[t + 4])[0]  # tier 5
    invite(inv, me["id"])
    return me, inv, ovl, exp, job, oth


def test_tier1_invited_overlap_first():
    me, inv, ovl, exp, job, oth = weighted_world()
    d = recs(me)
    assert ids_of(d) == [inv, ovl, exp, job], d
    assert [c["tier"] for c in d["items"]] == [1, 2, 3, 4], d
    c = d["items"][0]
    assert c["invited"] is True and c["overlap"] == ["case"], c
    assert c["reason"] == "TA 邀请了你，你们都选了案例分析", c
    assert d["items"][1]["reason"] == "你们都选了技术面" and d["items"][1]["invited"] is False, d
    assert d["round"] == 1 and d["today_count"] == 0 and d["limit"] == 4 and d["limit_reached"] is False, d
    # an invitation without overlap is not tier 1: it sorts by experience / job / other as anyone else
    reset()
    me = actor("w2")
    a = passive(1, exp="3-5年", job="BA", practice=("behavioral",))[0]
    b = passive(1, exp="应届", job="BA", practice=("case",))[0]
    invite(a, me["id"])
    d = recs(me)
    assert ids_of(d) == [b, a] and [c["tier"] for c in d["items"]] == [2, 3], d
    assert d["items"][1]["invited"] is True, d


def test_overlap_before_experience():
    me, inv, ovl, exp, job, oth = weighted_world()
    sql("DELETE FROM partners_match")  # no invitation: inv is plain overlap now
    d = recs(me)
    assert ids_of(d) == [ovl, inv, exp, job], d  # within tier 2, the more recently active first
    assert [c["tier"] for c in d["items"]] == [2, 2, 3, 4], d
    assert d["items"][2]["reason"] == "你们的经验水平相同（3-5年）", d


def test_experience_before_job():
    me, inv, ovl, exp, job, oth = weighted_world()
    sql("DELETE FROM partners_profile WHERE user_id IN (%d, %d)" % (inv, ovl))
    d = recs(me)
    assert ids_of(d) == [exp, job, oth], d
    assert [c["tier"] for c in d["items"]] == [3, 4, 5], d
    assert d["items"][1]["reason"] == "你们的岗位类型相同（DS）", d


def test_job_before_others():
    me, inv, ovl, exp, job, oth = weighted_world()
    sql("DELETE FROM partners_profile WHERE user_id IN (%d, %d, %d)" % (inv, ovl, exp))
    more = passive(3, exp="5年以上", job="BA", practice=("behavioral",))  # tier 5 as well
    d = recs(me)
    assert ids_of(d)[0] == job and [c["tier"] for c in d["items"]] == [4, 5, 5, 5], d
    assert set(ids_of(d)[1:]) <= set(more + [oth]), d


def test_order_within_tier_and_at_most_four():
    reset()
    me = actor("ord")
    t = T0 - 5000
    # same last_active_at for three: the higher id first; a more recent one before them
    same = passive(3, exp="应届", job="BA", practice=("case",), active=[t, t, t])
    newer = passive(1, exp="应届", job="BA", practice=("case",), active=[t + 10])
    older = passive(2, exp="应届", job="BA", practice=("case",), active=[t - 10, t - 20])
    d = recs(me)
    assert ids_of(d) == newer + sorted(same, reverse=True), d
    assert len(d["items"]) == 4
    assert older[0] not in ids_of(d)
    # inactive profiles never show
    reset()
    me = actor("ina")
    hidden = passive(2, practice=("case",), is_active=0)
    shown = passive(1, practice=("behavioral",))
    assert ids_of(recs(me)) == shown, hidden


# ---- rounds (浏览轮次测试) ---------------------------------------------------------------


def test_round1_each_user_once():
    reset()
    me = actor("r1")
    others = passive(10, practice=("case",))
    seen = []
    for day in range(3):
        now = T0 + day * DAY
        d = recs(me, now=now)
        assert d["round"] == 1, d
        assert d["today_count"] == 0, d
        batch = ids_of(d)
        assert len(batch) == (4 if day < 2 else 2), (day, d)
        assert not set(batch) & set(seen), "seen again in round 1: %r" % (set(batch) & set(seen))
        for i, uid in enumerate(batch):
            act(me, uid, "like" if i % 2 else "dislike", now=now)
        seen += batch
    assert sorted(seen) == sorted(others)


def test_round2_rejected_return_accepted_never():
    reset()
    me = actor("r2")
    others = passive(5, practice=("case",))
    acc = others[0]
    invite(acc, me["id"])
    now = T0
    d = recs(me, now=now)
    assert ids_of(d)[0] == acc and d["items"][0]["tier"] == 1, d
    assert act(me, acc, "like", now=now)["status"] == "accepted"
    disliked = [u for u in ids_of(d)[1:]]
    for uid in disliked:
        assert act(me, uid, "dislike", now=now)["status"] == "rejected"
    # day 2: the last one, still round 1 (4 of 5 viewed; total 6 profiles: 6 - 1 = 5)
    d = recs(me, now=now + DAY)
    assert d["round"] == 1 and len(d["items"]) == 1, d
    last = ids_of(d)[0]
    act(me, last, "dislike", now=now + DAY)
    # day 3: all 5 viewed -> round 2: the rejected come back, the accepted never
    d = recs(me, now=now + 2 * DAY)
    assert d["round"] == 2, d
    assert acc not in ids_of(d), d
    assert set(ids_of(d)) == set(disliked + [last]), d
    # a second chance: a like on a rejected pair makes it pending again, from me
    uid = ids_of(d)[0]
    assert act(me, uid, "like", now=now + 2 * DAY)["status"] == "pending"
    assert pair_rows(me["id"], uid) == [[str(me["id"]), str(uid), "pending"]]
    # today's views stay out even in round 2; the accepted partner is never back, any day
    d = recs(me, now=now + 2 * DAY)
    assert uid not in ids_of(d) and acc not in ids_of(d), d
    for k in range(3, 6):
        assert acc not in ids_of(recs(me, now=now + k * DAY))


# ---- the daily limit (每日限制测试) ------------------------------------------------------


def test_limit_after_four():
    reset()
    me = actor("lim")
    others = passive(6, practice=("case",))
    for i, uid in enumerate(others[:4]):
        assert act(me, uid, "like")["today_count"] == i + 1
    d = recs(me)
    assert d["items"] == [] and d["limit_reached"] is True and d["today_count"] == 4, d
    assert d["message"] == LIMIT_MSG, d
    before = (views(me["id"]), sql("SELECT COUNT(*) FROM partners_match"))
    for what in ("like", "dislike"):
        r = act(me, others[4], what, status=429)
        j = expect_error(r, 429, "daily_limit_reached")
        assert j["error"]["message"] == LIMIT_MSG, j
        assert j["error"]["reset_at"] == "2030-01-16T05:00:00Z", j  # New York midnight, in UTC
        assert r.headers.get("Retry-After") == str(12 * 3600), r.headers
    assert (views(me["id"]), sql("SELECT COUNT(*) FROM partners_match")) == before
    assert [v[2] for v in views(me["id"])] == ["1", "2", "3", "4"]


def test_reset_at_new_york_midnight():
    reset()
    me = actor("mid")
    others = passive(12, practice=("case",))
    # winter: 23:59:30 EST is 04:59:30 UTC the next day
    before = utc(2030, 1, 16, 4, 59, 30)
    for uid in others[:4]:
        act(me, uid, "like", now=before)
    r = act(me, others[4], "like", now=before, status=429)
    assert r.headers.get("Retry-After") == "30" and r.json["error"]["reset_at"] == "2030-01-16T05:00:00Z", r
    # UTC midnight was hours ago and changed nothing; New York midnight does
    assert recs(me, now=utc(2030, 1, 16, 4, 59, 59))["limit_reached"] is True
    d = recs(me, now=utc(2030, 1, 16, 5, 0, 0))
    assert d["limit_reached"] is False and d["today_count"] == 0 and d["date"] == "2030-01-16", d
    assert act(me, others[4], "like", now=utc(2030, 1, 16, 5, 0, 0))["today_count"] == 1
    # summer (EDT): midnight is 04:00 UTC
    summer = utc(2030, 7, 10, 3, 59, 0)
    for uid in others[5:9]:
        act(me, uid, "dislike", now=summer)
    act(me, others[9], "like", now=summer, status=429)
    assert recs(me, now=utc(2030, 7, 10, 4, 0))["today_count"] == 0
    # a UTC date change inside one New York day does not reset: 15:00 EST, then 20:00 EST (01:00 UTC)
    reset()
    me = actor("mid2")
    others = passive(5, practice=("case",))
    for uid in others[:4]:
        act(me, uid, "like", now=utc(2030, 2, 1, 20, 0))
    act(me, others[4], "like", now=utc(2030, 2, 2, 1, 0), status=429)


def test_answering_invitation_counts():
    reset()
    me = actor("ans")
    inviters = passive(5, practice=("case",))
    for uid in inviters:
        invite(uid, me["id"])
    assert act(me, inviters[0], "accept")["today_count"] == 1
    assert act(me, inviters[1], "reject")["today_count"] == 2
    assert act(me, inviters[2], "like")["today_count"] == 3  # a like on an invitation accepts it
    assert act(me, inviters[3], "dislike")["today_count"] == 4
    r = act(me, inviters[4], "accept", status=429)
    expect_error(r, 429, "daily_limit_reached")
    assert pair_rows(inviters[4], me["id"])[0][2] == "pending"
    # viewing matches and saving the profile do not count
    data_of(call("GET", "/matches", me))
    data_of(call("PUT", "/profile", me, dict(PROFILE, contacts={"wechat": "wxid_again1"})))
    assert len(views(me["id"])) == 4


# ---- states (Match状态测试) -------------------------------------------------------------


def test_pending_created_and_shown():
    reset()
    a, b = actor("pa", practice=["case"]), actor("pb", practice=["case", "statistics"])
    d = act(a, b["id"], "like")
    assert d["status"] == "pending" and d["today_count"] == 1, d
    assert pair_rows(a["id"], b["id"]) == [[str(a["id"]), str(b["id"]), "pending"]]
    assert [v[0] for v in views(a["id"])] == [str(b["id"])] and views(b["id"]) == []
    ma, mb = data_of(call("GET", "/matches", a)), data_of(call("GET", "/matches", b))
    assert [x["user_id"] for x in ma["sent"]] == [b["id"]] and ma["received"] == [] and ma["accepted"] == [], ma
    assert [x["user_id"] for x in mb["received"]] == [a["id"]] and mb["sent"] == [], mb
    assert "contacts" not in ma["sent"][0] and "contacts" not in mb["received"][0], (ma, mb)
    d = recs(b)
    assert ids_of(d) == [a["id"]] and d["items"][0]["tier"] == 1 and d["items"][0]["invited"] is True, d
    # a pending like is not shown back to its sender (they have a view of it)
    assert b["id"] not in ids_of(recs(a))
    # the initiator may cancel (no count) but never reject
    act(a, b["id"], "reject", status=404)
    act(a, b["id"], "accept", status=404)
    act(a, b["id"], "like", status=409)
    act(a, b["id"], "dislike", status=409)
    d = act(a, b["id"], "cancel")
    assert d["status"] == "cancelled" and d["today_count"] == 1, d
    assert pair_rows(a["id"], b["id"]) == [] and len(views(a["id"])) == 1
    act(a, b["id"], "cancel", status=404)
    act(b, a["id"], "cancel", status=404)


def test_accepted_merges_into_one_row():
    reset()
    a, b = actor("ma", practice=["case"]), actor("mb", practice=["case"])
    act(a, b["id"], "like")
    d = act(b, a["id"], "like")
    assert d["status"] == "accepted", d
    # one row, the earlier one (a's) kept; a view each way
    assert pair_rows(a["id"], b["id"]) == [[str(a["id"]), str(b["id"]), "accepted"]]
    assert [v[0] for v in views(a["id"])] == [str(b["id"])] and [v[0] for v in views(b["id"])] == [str(a["id"])]
    for u, other in ((a, b), (b, a)):
        m = data_of(call("GET", "/matches", u))
        assert [x["user_id"] for x in m["accepted"]] == [other["id"]], m
        assert m["accepted"][0]["contacts"]["wechat"] == other["wechat"], m
        assert m["accepted"][0]["contacts"]["email"] == PROFILE["contacts"]["email"], m
        # accepted: no more actions on the pair, and never recommended again
        act(u, other["id"], "like", status=409)
        act(u, other["id"], "dislike", status=409)
        act(u, other["id"], "reject", status=404)
        act(u, other["id"], "cancel", status=404)
        for k in range(1, 4):
            assert other["id"] not in ids_of(recs(u, now=T0 + k * DAY))
    # accept through the accept endpoint too
    c = actor("mc", practice=["case"])
    act(c, a["id"], "like")
    assert act(a, c["id"], "accept")["status"] == "accepted"
    assert pair_rows(a["id"], c["id"]) == [[str(c["id"]), str(a["id"]), "accepted"]]
    # the message center: each invitation reached its addressee, each acceptance its inviter, once
    assert kinds_of(b) == [("partner.invite", a["id"])], kinds_of(b)
    assert kinds_of(a) == [("partner.invite", c["id"]), ("partner.accepted", b["id"])], kinds_of(a)
    assert kinds_of(c) == [("partner.accepted", a["id"])], kinds_of(c)


def kinds_of(u):
    """The practice-partner messages of u, newest first: [(kind, partner id)]."""
    items = data_of(request("GET", "/api/v1/messages?page_size=100", token=u["access"]), 200)["items"]
    return [(m["kind"], m["data"]["partner_id"]) for m in items if m["kind"].startswith("partner.")]


def test_rejected_two_way_views():
    reset()
    a, b = actor("ja", practice=["case"]), actor("jb", practice=["case"])
    # the receiver rejects: both have a view
    act(a, b["id"], "like")
    assert act(b, a["id"], "reject")["status"] == "rejected"
    assert pair_rows(a["id"], b["id"]) == [[str(a["id"]), str(b["id"]), "rejected"]]
    assert [v[0] for v in views(a["id"])] == [str(b["id"])] and [v[0] for v in views(b["id"])] == [str(a["id"])]
    # the initiator's own dislike: only the initiator has a view
    c = actor("jc", practice=["case"])
    assert act(a, c["id"], "dislike")["status"] == "rejected"
    assert pair_rows(a["id"], c["id"]) == [[str(a["id"]), str(c["id"]), "rejected"]]
    assert views(c["id"]) == []
    # whoever saw whom stays out (a: today's views; b: round 1); c has not seen a, so a is new to c
    assert b["id"] not in ids_of(recs(a)) and c["id"] not in ids_of(recs(a))
    assert a["id"] not in ids_of(recs(b))
    assert a["id"] in ids_of(recs(c))
    # a dislike by the receiver of a pending like is a rejection too
    d = actor("jd", practice=["case"])
    act(d, c["id"], "like")
    assert act(c, d["id"], "dislike")["status"] == "rejected"
    assert pair_rows(c["id"], d["id"]) == [[str(d["id"]), str(c["id"]), "rejected"]]


# ---- bad input and security --------------------------------------------------------------


def test_bad_targets_use_no_count():
    reset()
    me, other = actor("bad"), actor("bad2")
    noprof = new_user("ptnoprof")
    for target, status in ((me["id"], 400), (99999999, 404), (noprof["id"], 404), ("abc", 404), ("-1", 404),
                           ("0", 404), ("1e3", 404), ("99999999999", 404)):
        for what in ("like", "dislike", "accept", "reject", "cancel"):
            r = call("POST", "/%s/%s" % (target, what), me)
            assert r.status == status, (target, what, r)
            expect_error(r, status)
    # accepting something not addressed to me
    act(me, other["id"], "accept", status=404)
    act(me, other["id"], "reject", status=404)
    # a second like: 409, no count
    act(me, other["id"], "like")
    r = act(me, other["id"], "like", status=409)
    expect_error(r, 409, "conflict")
    assert len(views(me["id"])) == 1
    # acting without a profile of one's own
    r = call("POST", "/%d/like" % other["id"], noprof)
    expect_error(r, 400, "profile_required")
    expect_error(call("GET", "/recommendations", noprof), 400, "profile_required")
    assert views(noprof["id"]) == []
    # no token: 401
    assert request("GET", P + "/recommendations").status == 401


def test_contacts_never_leak():
    reset()
    me = actor("leak", practice=["case"])
    others = [actor("lk%d" % i, practice=["case"]) for i in range(3)]
    act(others[0], me["id"], "like")  # pending to me
    act(me, others[1]["id"], "like")  # pending from me
    secrets = [o["wechat"] for o in others] + ["wxsecret"]
    passive(3, practice=("case",))
    bodies = [call("GET", "/recommendations", u).body for u in [me] + others]
    bodies += [call("GET", "/matches", u).body for u in [me] + others]
    bodies += [call("POST", "/%d/like" % others[2]["id"], me).body]
    for body in bodies:
        text = body.decode()
        for s in secrets:
            assert s not in text, "contact %r leaked: %s" % (s, text)
        assert "contacts" not in text and "example.com" not in text, text


# ---- races: the database decides ---------------------------------------------------------


def test_50_concurrent_likes_make_exactly_four():
    reset()
    me = actor("race")
    targets = passive(50, practice=("case",))
    results = burst([lambda uid=uid: call("POST", "/%d/like" % uid, me) for uid in targets])
    statuses = [getattr(r, "status", r) for r in results]
    assert statuses.count(200) == 4, statuses
    assert statuses.count(429) == 46, statuses
    for r in results:
        if r.status == 429:
            assert r.json["error"]["reset_at"] == "2030-01-16T05:00:00Z" and r.headers.get("Retry-After"), r
    v = views(me["id"])
    assert len(v) == 4 and sorted(x[2] for x in v) == ["1", "2", "3", "4"], v
    assert sql("SELECT COUNT(*) FROM partners_match") == [["4"]]
    assert recs(me)["limit_reached"] is True


def test_concurrent_mutual_likes_make_one_accepted_row():
    reset()
    pairs = [(actor("x%d" % i, practice=["case"]), actor("y%d" % i, practice=["case"])) for i in range(6)]
    for a, b in pairs:
        ra, rb = burst([lambda: call("POST", "/%d/like" % b["id"], a), lambda: call("POST", "/%d/like" % a["id"], b)])
        sa, sb = data_of(ra)["status"], data_of(rb)["status"]
        assert sorted([sa, sb]) == ["accepted", "pending"], (sa, sb)
        rows = pair_rows(a["id"], b["id"])
        assert len(rows) == 1 and rows[0][2] == "accepted", rows
        assert len(views(a["id"])) == 1 and len(views(b["id"])) == 1
    assert sql("SELECT COUNT(*) FROM partners_match") == [[str(len(pairs))]]


def test_pairs_are_unique_in_the_schema():
    reset()
    a, b = passive(2)
    invite(a, b)
    p = subprocess.run(["mariadb", "--defaults-file=" + os.path.join(zmtest.VAR, "client.cnf"), "-e",
                        "INSERT INTO partners_match (user1_id, user2_id, action_type, status, created_at, updated_at) "
                        "VALUES (%d, %d, 'like', 'pending', NOW(6), NOW(6))" % (b, a)], capture_output=True, text=True)
    assert p.returncode != 0 and "Duplicate" in p.stderr, p
    p = subprocess.run(["mariadb", "--defaults-file=" + os.path.join(zmtest.VAR, "client.cnf"), "-e",
                        "INSERT INTO partners_userdailyview (user_id, viewed_user_id, date, slot, created_at) VALUES "
                        "(%d, %d, '2030-01-01', 5, NOW(6))" % (a, b)], capture_output=True, text=True)
    assert p.returncode != 0, "a 5th slot must be refused by the schema"


# ---- done when ---------------------------------------------------------------------------


def test_two_case_practisers_find_each_other_first():
    reset()
    passive(6, exp="3-5年", job="DS", practice=("technical",))  # same experience and job, other practice
    a = actor("dwa", practice=["case"], experience_level="应届", job_type="BA")
    b = actor("dwb", practice=["case", "behavioral"], experience_level="5年以上", job_type="DE")
    da = recs(a)
    assert ids_of(da)[0] == b["id"] and da["items"][0]["reason"] == "你们都选了案例分析", da
    act(a, b["id"], "like")
    db = recs(b)
    assert ids_of(db)[0] == a["id"] and db["items"][0]["tier"] == 1, db
    assert act(b, a["id"], "like")["status"] == "accepted"
    ma, mb = data_of(call("GET", "/matches", a)), data_of(call("GET", "/matches", b))
    assert ma["accepted"][0]["contacts"]["wechat"] == b["wechat"], ma
    assert mb["accepted"][0]["contacts"]["wechat"] == a["wechat"], mb


if __name__ == "__main__":
    try:
        zmtest.main(globals())
    finally:
        enable_test_clock(False)
        reset()
