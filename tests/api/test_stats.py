"""Statistics (issue 17 items 4 and 6), black-box: the admin's overview and trends, a user's monthly
numbers, the heartbeat, and the rollups against a brute-force recomputation.

The brute force reads the source tables' raw rows (times, not SQL date arithmetic) and counts in
Python, by local day (UTC + stats.utc_offset_min, 480 by default).  Generated data (users, searches,
analyses, paid orders, practice matches, active days) lands on past days by SQL; stats.rebuild
recomputes the rollups; every trend and the overview then equal the brute force, and what this file's
API calls counted live (a user's month: searches, an effective search, a diagnosis) equals the recount."""
import datetime
import os
import random
import sys
import uuid
from collections import Counter, defaultdict
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmtest  # noqa: E402
from zmtest import (PASSWORD, call, data_of, expect_error, fresh_ip, made_user, new_email, new_user,  # noqa: E402
                    poll_task, request, shared_user, sql, wait_for)

OFF = datetime.timedelta(minutes=480)
TAG = uuid.uuid4().hex[:8]
USAGE = ["search", "search_effective", "diagnosis", "interview", "mock_interview", "application"]
MONTHLY = {"search": "job_searches", "search_effective": "effective_searches", "diagnosis": "diagnoses",
           "interview": "interview_predictions", "mock_interview": "mock_interviews", "application": "applications"}
_live = []  # (user, this month as counted live), for the rebuild to recount


def admin():
    return shared_user("admin")


def trend(metric, days):
    return data_of(call("GET", "/api/v1/admin/stats/trends?" + urlencode({"metric": metric, "days": days}), admin()),
                   200, "trend %s" % metric)


def parse(ts):
    ts = ts.split(".")[0]
    return datetime.datetime.strptime(ts, "%Y-%m-%d %H:%M:%S")


def lday(ts):
    return (parse(ts) + OFF).date()


def today():
    return (datetime.datetime.utcnow() + OFF).date()


def rebuild():
    d = data_of(call("POST", "/api/v1/admin/stats/rebuild", admin()), 202, "rebuild")
    t = poll_task(admin(), d["task_id"], timeout=120)
    assert t["state"] == "done", t
    return t["result"]


# ---- the brute force -------------------------------------------------------------------------

def brute():
    """Every daily metric by local day, and the usage metrics by (user, month), from raw rows."""
    daily = defaultdict(Counter)
    monthly = defaultdict(Counter)

    def month(d):
        return "%04d-%02d" % (d.year, d.month)
    joined = {}
    for uid, dj, inv in sql("SELECT u.id, u.date_joined, p.invited_by_id FROM auth_user u "
                            "LEFT JOIN zm_user_profile p ON p.user_id = u.id"):
        d = lday(dj)
        joined[uid] = d
        daily["new_users"][d] += 1
        if inv != "NULL":
            daily["invited_users"][d] += 1
    for uid, ca, eff in sql("SELECT user_id, created_at, effective FROM jobs_searchsession"):
        d = lday(ca)
        daily["search"][d] += 1
        monthly[(uid, month(d))]["search"] += 1
        if eff == "1":
            daily["search_effective"][d] += 1
            monthly[(uid, month(d))]["search_effective"] += 1
    for uid, kind, fa in sql("SELECT user_id, kind, finished_at FROM zm_analysis WHERE state = 'done'"):
        d = lday(fa)
        daily[kind][d] += 1
        monthly[(uid, month(d))][kind] += 1
    for uid, ca in sql("SELECT user_id, created_at FROM jobs_application"):
        d = lday(ca)
        daily["application"][d] += 1
        monthly[(uid, month(d))]["application"] += 1
    for u1, u2, ua in sql("SELECT user1_id, user2_id, updated_at FROM partners_match WHERE status = 'accepted'"):
        d = lday(ua)
        for u in (u1, u2):
            daily["mock_interview"][d] += 1
            monthly[(u, month(d))]["mock_interview"] += 1
    for uid, ea in sql("SELECT user_id, ended_at FROM interview_session WHERE kind = 'mock_interview' "
                       "AND report IS NOT NULL"):
        d = lday(ea)
        daily["mock_interview"][d] += 1
        monthly[(uid, month(d))]["mock_interview"] += 1
    first = {}
    for uid, fen, pa in sql("SELECT user_id, amount_fen, paid_at FROM payments_order WHERE status = 'paid'"):
        d = lday(pa)
        daily["revenue_fen"][d] += int(fen)
        daily["payments"][d] += 1
        first[uid] = min(first.get(uid, d), d)
    for d in first.values():
        daily["paying_users"][d] += 1
    for day, uid, minutes in sql("SELECT day, user_id, minutes FROM stats_active"):
        d = datetime.date.fromisoformat(day)
        daily["active_users"][d] += 1
        daily["active_minutes"][d] += int(minutes)
        if uid in joined and (d - joined[uid]).days in (1, 7, 30):
            daily["retained_d%d" % (d - joined[uid]).days][joined[uid]] += 1
    return daily, monthly


def pct(part, whole):
    return None if whole == 0 else (part * 1000 + whole // 2) // whole / 10.0


def expected_series(daily, metric, dates):
    """What GET trends?metric= should draw, from the brute force."""
    def s(m):
        return [daily[m][d] for d in dates]
    t = today()
    if metric == "new_users":
        return {"new_users": s("new_users"), "invited_users": s("invited_users")}
    if metric == "revenue":
        return {"revenue_fen": s("revenue_fen"), "payments": s("payments")}
    if metric == "paying_users":
        base = sum(v for d, v in daily["paying_users"].items() if d < dates[0])
        cum = []
        for v in s("paying_users"):
            base += v
            cum.append(base)
        return {"paying_users": s("paying_users"), "paying_users_total": cum}
    if metric == "usage":
        return {m: s(m) for m in USAGE}
    if metric == "active":
        au, am = s("active_users"), s("active_minutes")
        return {"active_users": au,
                "avg_active_minutes": [None if u == 0 else (m * 10 + u // 2) // u / 10.0 for u, m in zip(au, am)]}
    if metric == "retention":
        out = {"cohort_size": s("new_users")}
        for k in (1, 7, 30):
            out["d%d" % k] = [pct(daily["retained_d%d" % k][d], daily["new_users"][d])
                              if d + datetime.timedelta(days=k) <= t else None for d in dates]
        return out
    if metric == "conversion":
        reg = sum(v for d, v in daily["new_users"].items() if d < dates[0])
        pay = sum(v for d, v in daily["paying_users"].items() if d < dates[0])
        regs, pays, pcts = [], [], []
        for d in dates:
            reg += daily["new_users"][d]
            pay += daily["paying_users"][d]
            regs.append(reg)
            pays.append(pay)
            pcts.append(pct(pay, reg))
        return {"registered_total": regs, "paying_total": pays, "conversion_pct": pcts}
    raise AssertionError(metric)


# ---- generated data --------------------------------------------------------------------------

def gen_time(rng, days_back_max=45):
    """A UTC time on a past local day (never today's local day)."""
    while True:
        t = datetime.datetime.utcnow() - datetime.timedelta(seconds=rng.randint(86400, days_back_max * 86400))
        if (t + OFF).date() < today():
            return t.strftime("%Y-%m-%d %H:%M:%S")


def insert_many(table, cols, rows):
    def lit(v):
        return "NULL" if v is None else zmtest.sql_str(v) if isinstance(v, str) else str(v)
    for i in range(0, len(rows), 500):
        values = ",".join("(" + ",".join(lit(v) for v in r) + ")" for r in rows[i:i + 500])
        sql("INSERT INTO %s (%s) VALUES %s" % (table, ",".join(cols), values))


def generate(me):
    """Users joined on past days (some invited), their searches, analyses, paid orders, accepted practice
    matches and active days; plus past searches and analyses of `me` in earlier months."""
    rng = random.Random(TAG)
    users = []
    for i in range(120):
        users.append(("!", 0, "st-%s-%d" % (TAG, i), "", "", "st-%s-%d@example.com" % (TAG, i), 0, 1, gen_time(rng)))
    insert_many("auth_user", ["password", "is_superuser", "username", "first_name", "last_name", "email",
                              "is_staff", "is_active", "date_joined"], users)
    rows = sql("SELECT id, date_joined FROM auth_user WHERE username LIKE 'st-%s-%%' ORDER BY id" % TAG)
    ids = [int(r[0]) for r in rows]
    prof = []
    for n, uid in enumerate(ids):
        inviter = ids[0] if n % 3 == 1 else None
        prof.append((uid, "seeker", "", "S%s%03d" % (TAG[:6].upper(), n), inviter, 1,
                     "st-%s-%d@example.com" % (TAG, n), rows[n][1], rows[n][1]))
    insert_many("zm_user_profile", ["user_id", "role", "company", "invite_code", "invited_by_id", "email_verified",
                                    "email_key", "created_at", "updated_at"], prof)
    searches, analyses, orders, matches, active = [], [], [], [], set()
    for uid in ids + [me["id"]] * 5:
        for _ in range(rng.randint(0, 6)):
            searches.append((uid, "q", "{}", rng.randint(0, 9), rng.randint(0, 1), gen_time(rng, 200)))
        for _ in range(rng.randint(0, 2)):
            t = gen_time(rng, 200)
            analyses.append((uuid.uuid4().hex, uid, rng.choice(["diagnosis", "interview"]), "0" * 32, "0" * 32,
                             rng.choice(["done", "done", "failed"]), t, t))
    for n, uid in enumerate(ids):
        if n % 4 == 0:
            for _ in range(rng.randint(1, 3)):
                t = gen_time(rng)
                orders.append(("st%s%d%s" % (TAG, n, uuid.uuid4().hex[:8]), uid, "recharge", rng.choice([1000, 6000, 200]),
                               rng.choice(["paid", "paid", "closed"]), t, t, t, t))
        joined = lday(rows[n][1])
        for k in (0, 1, 2, 7, 30, 31):
            if rng.random() < 0.5:
                d = joined + datetime.timedelta(days=k)
                if d < today():
                    active.add((d.isoformat(), uid, rng.randint(1, 90)))
    for n in range(0, len(ids) - 1, 5):
        t = gen_time(rng)
        matches.append((ids[n], ids[n + 1], "like", rng.choice(["accepted", "pending"]), t, t))
    insert_many("jobs_searchsession", ["user_id", "query", "filters", "results", "effective", "created_at"], searches)
    insert_many("zm_analysis", ["id", "user_id", "kind", "resume_id", "version_id", "state", "created_at",
                                "finished_at"], analyses)
    insert_many("payments_order", ["out_trade_no", "user_id", "kind", "amount_fen", "status", "expires_at", "paid_at",
                                   "created_at", "updated_at"],
                [o if o[4] == "paid" else o[:6] + (None,) + o[7:] for o in orders])
    insert_many("partners_match", ["user1_id", "user2_id", "action_type", "status", "created_at", "updated_at"], matches)
    insert_many("stats_active", ["day", "user_id", "minutes"], sorted(active))
    return ids


# ---- tests -----------------------------------------------------------------------------------

def test_refusals():
    s = new_user("st")
    for path in ("/api/v1/admin/stats/overview", "/api/v1/admin/stats/trends?metric=new_users"):
        expect_error(request("GET", path), 401)
        expect_error(call("GET", path, s), 403)
    expect_error(call("POST", "/api/v1/admin/stats/rebuild", s), 403)
    expect_error(request("GET", "/api/v1/monthly-stats"), 401)
    for q in ({}, {"metric": "nope"}, {"metric": ""}, {"metric": "new_users", "days": 0},
              {"metric": "new_users", "days": 366}, {"metric": "usage", "days": "x"},
              {"metric": "usage", "days": "-5"}, {"metric": "revenue", "days": "1.5"}):
        expect_error(call("GET", "/api/v1/admin/stats/trends?" + urlencode(q), admin()), 400)
    d = trend("new_users", 365)
    assert len(d["dates"]) == 365 and d["to"] == today().isoformat() and d["days"] == 365, d
    assert len(d["series"]["new_users"]) == 365


def test_live_counts_and_monthly():
    a = new_user("st")
    code = data_of(call("GET", "/api/v1/invite-code/", a), 200, "invite code")["invite_code"]
    before = data_of(call("GET", "/api/v1/admin/stats/overview", admin()), 200, "overview")
    r = request("POST", "/api/v1/auth/register", {"email": new_email("stinv"), "password": PASSWORD,
                                                  "invite_code": code}, ip=fresh_ip())
    data_of(r, 201, "register with an invite code")
    b = new_user("st")
    after = data_of(call("GET", "/api/v1/admin/stats/overview", admin()), 200, "overview")
    assert after["registered_total"] == before["registered_total"] + 2, (before, after)
    assert after["registered_invited"] == before["registered_invited"] + 1, (before, after)
    assert after["today"]["new_users"] == before["today"]["new_users"] + 2
    # searches: two through the search, one recorded by the SPA's session call
    m0 = data_of(call("GET", "/api/v1/monthly-stats", b), 200, "monthly")
    assert len(m0["months"]) == 7 and m0["months"][-1]["month"] == m0["month"] == today().strftime("%Y-%m"), m0
    assert m0["this_month"] == m0["months"][-1] and all(v == 0 for k, v in m0["this_month"].items() if k != "month")
    for q in ("量子%s" % TAG, "Python"):
        data_of(call("GET", "/api/v1/search/jobs?" + urlencode({"q": q}), b), 200, "search")
    data_of(call("POST", "/api/v1/search/sessions", b, {"query": "Java", "results": 2}), 201, "session")
    m1 = data_of(call("GET", "/api/v1/monthly-stats", b), 200, "monthly")["this_month"]
    assert m1["job_searches"] == 3 and m1["effective_searches"] == 0, m1
    # a job view right after a search makes it effective
    hr = made_user("hr")
    j = data_of(call("POST", "/api/v1/hr/jobs", hr, {
        "name": "统计工程师" + TAG, "company": "职麦", "city": "上海", "salary": "10k-20k", "education": "本科",
        "years_of_working": "1-3年", "language": "中文", "responsibilities": ["写报表"], "requirements": ["SQL"],
        "description": "数据", "status": "open"}), 201, "job")
    wait_for(lambda: call("GET", "/jobs/api/job/%s/" % j["id"], b).status == 200, timeout=10, step=0.05,
             what="the job in the seekers' read model")
    m2 = data_of(call("GET", "/api/v1/monthly-stats", b), 200, "monthly")["this_month"]
    assert m2["effective_searches"] == 1 and m2["job_searches"] == 3, m2
    # the brute force agrees for b
    rows = sql("SELECT COUNT(*), COALESCE(SUM(effective), 0) FROM jobs_searchsession WHERE user_id = %d" % b["id"])
    assert [int(x) for x in rows[0]] == [3, 1], rows
    # a finished diagnosis counts in its transaction
    rid = zmtest.ready_resume(b, "zh_backend_strong.txt")
    d = data_of(call("POST", "/api/v1/resume-diagnosis/full-with-skills", b, {"resume_id": rid}), 202, "diagnose")
    assert poll_task(b, d["task_id"])["state"] == "done"
    m3 = data_of(call("GET", "/api/v1/monthly-stats", b), 200, "monthly")["this_month"]
    assert m3["diagnoses"] == 1 and m3["interview_predictions"] == 0 and m3["job_searches"] == 3, m3
    _live.append((b, m3))
    # another user's numbers are their own
    assert data_of(call("GET", "/api/v1/monthly-stats", a), 200, "monthly")["this_month"]["job_searches"] == 0


def test_heartbeat_online_and_active():
    u = new_user("st")
    data_of(call("GET", "/api/v1/monthly-stats", u), 200, "a request")
    rows = sql("SELECT COUNT(*) FROM stats_online WHERE user_id = %d AND last_seen >= UTC_TIMESTAMP() - "
               "INTERVAL 5 MINUTE" % u["id"])
    assert rows == [["1"]], rows
    assert sql("SELECT minutes FROM stats_active WHERE user_id = %d" % u["id"]) == [["1"]]
    # more requests in the same minute write nothing more
    for _ in range(5):
        data_of(call("GET", "/api/v1/monthly-stats", u), 200, "a request")
    assert sql("SELECT minutes FROM stats_active WHERE user_id = %d" % u["id"]) == [["1"]]
    o = data_of(call("GET", "/api/v1/admin/stats/overview", admin()), 200, "overview")
    n = int(sql("SELECT COUNT(*) FROM stats_online WHERE last_seen >= UTC_TIMESTAMP() - INTERVAL 300 SECOND")[0][0])
    assert o["online_now"] == n and n >= 2, (o, n)
    assert o["today"]["active_users"] >= 2, o


def test_rebuild_equals_brute_force_and_live_counts():
    me = new_user("st")
    generate(me)
    res = rebuild()
    assert res["stats_daily"] > 0 and res["stats_user_monthly"] > 0, res
    daily, monthly = brute()
    # what the API calls of this file counted live equals the recount (the whole database's today
    # cannot be compared: other test files write source rows by SQL, as a Django project would)
    assert _live, "test_live_counts_and_monthly ran first"
    for u, m in _live:
        assert data_of(call("GET", "/api/v1/monthly-stats", u), 200, "monthly")["this_month"] == m
    # every trend over the year equals the brute force
    for m in ("new_users", "revenue", "paying_users", "usage", "active", "retention", "conversion"):
        for days in (1, 45, 365):
            d = trend(m, days)
            dates = [datetime.date.fromisoformat(x) for x in d["dates"]]
            assert dates[-1] == today() and len(dates) == days
            want = expected_series(daily, m, dates)
            assert set(d["series"]) == set(want), (m, list(d["series"]))
            for name in want:
                got, exp = d["series"][name], want[name]
                if m == "active":
                    got, exp = got[:-1], exp[:-1]  # today moves with this file's own requests
                assert got == exp, "%s/%s over %d days:\n got %r\nwant %r" % (m, name, days, got, exp)
    # the overview's totals
    o = data_of(call("GET", "/api/v1/admin/stats/overview", admin()), 200, "overview")
    assert o["registered_total"] == sum(daily["new_users"].values()) == int(sql("SELECT COUNT(*) FROM auth_user")[0][0])
    assert o["registered_invited"] == sum(daily["invited_users"].values())
    assert o["paying_users"] == sum(daily["paying_users"].values())
    assert o["revenue_fen"] == sum(daily["revenue_fen"].values()) > 0
    for k in USAGE:
        assert o["today"]["usage"][k] == daily[k][today()], (k, o["today"])
    # the user's months equal the brute force
    got = data_of(call("GET", "/api/v1/monthly-stats", me), 200, "monthly")
    assert sum(sum(v for k, v in mo.items() if k != "month") for mo in got["months"]) > 0, got
    for mo in got["months"]:
        want = monthly[(str(me["id"]), mo["month"])]
        for metric, name in MONTHLY.items():
            assert mo[name] == want[metric], (mo, dict(want))
    # a second rebuild changes nothing
    before = {m: trend(m, 365)["series"] for m in ("new_users", "revenue", "usage", "retention")}
    rebuild()
    assert before == {m: trend(m, 365)["series"] for m in ("new_users", "revenue", "usage", "retention")}


if __name__ == "__main__":
    zmtest.main(globals())
