#!/usr/bin/python3
"""GET /api/v1/partners/recommendations at 10k and 100k profiles: p50/p99 through nginx, and the ratio.

Against a running stack it may wipe (it empties the partners_* tables and adds users named
pb-<run>-*):

    ZM_VAR=build/benchstack ./dev up
    ZM_VAR=build/benchstack /usr/bin/python3 tests/bench/partners_bench.py [sizes...]   (default 10000 100000)

Each size: that many profiles (random experience, job type, practice mask, last activity over 90
days, 95% active), a history like a few months of use -- every profile 12 views of random others
on past dates, one pair row per view (60% rejected, 25% pending, 15% accepted) -- and 20 measured
users, registered through the API, with 120 views of their own (30 days of four), some accepted,
some rejected, and 3 invitations to them.  Each measured user asks 50 times (the answer does not
change: reading writes nothing); the first 5 of each are warm-up.  The query plans of the tier
queries are printed with EXPLAIN for one measured user.

The issue's target: p99 <= 10 ms at 100k, and p99(100k) / p99(10k) <= 2.

What the cost rests on (MariaDB 10.11 EXPLAIN at 100k; the plans are the same at 10k):
  - tier 1 starts from partners_match_user2_status (ref on user2_id, status: the caller's few
    invitations), then each inviter's profile by primary key;
  - tiers 2-5 walk partners_profile_active_recent backwards (is_active = 1, last_active_at DESC,
    user_id DESC: the tier's order) and stop at LIMIT; the estimate EXPLAIN shows is the size of the
    range, not what is read.  The exclusions are materialized once per query from the caller's own
    rows: today's views (partners_userdailyview_slot_uniq: user, date), every view
    (partners_userdailyview_user_viewed), the invitations (partners_match_user2_status);
  - the round check reads at most viewed + 2 index entries (a LIMIT inside the count);
  - the caller's profile, today's count and the distinct viewed count are one query by keys.
Nothing reads all profiles, so the latency does not follow the number of users: on 2 shared cores
(load average ~8) one run gave p50 4.02 ms / p99 39.8 ms at 10k and p50 4.04 ms / p99 28.1 ms at
100k (ratio 0.71), with GET /healthz at p50 1.6-2.1 ms / p99 19-34 ms in between: the p99 there is
the machine's, not the query's.  Measure the 10 ms p99 target on a quiet machine.
"""
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
import zmtest  # noqa: E402
from zmtest import RUN, new_user, request  # noqa: E402
from benchlib import mysql  # noqa: E402

zmtest.IP_RANGES.setdefault("partners_bench.py", "127.23.")
EXPS = ["应届", "1-3年", "3-5年", "5年以上"]
JOBS = ["DA", "DS", "DE", "BA"]
NOW = int(time.time())
MEASURED = 20
REQUESTS = 50



def rows(query):
    return zmtest.sql(query)


def ny_date(t):
    return time.strftime("%Y-%m-%d", time.gmtime(t - 5 * 3600))


def chunks(seq, n):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def profile_row(uid, rnd):
    mask = rnd.randrange(1, 16)
    return "(%d,'%s','%s',%d,%d,%d,%d,'p%d@example.com','','','[]','','','',%d,FROM_UNIXTIME(%d),NOW(6),NOW(6))" % (
        uid, rnd.choice(EXPS), rnd.choice(JOBS), mask & 1, (mask >> 1) & 1, (mask >> 2) & 1, (mask >> 3) & 1, uid,
        int(rnd.random() < 0.95), NOW - rnd.randrange(90 * 86400))


PROFILE_COLS = ("user_id, experience_level, job_type, technical_interview, behavioral_interview, case_analysis, "
                "stats_questions, contact_email, contact_wechat, contact_linkedin, target_companies, industry, school, "
                "intro, is_active, last_active_at, created_at, updated_at")


def history(uid, ids, nviews, rnd, days_back, pairs):
    """nviews views by uid of random others on past dates (4 a day), one pair row per new pair."""
    views, matches = [], []
    others = rnd.sample(ids, min(nviews, len(ids) - 1) + 1)
    others = [o for o in others if o != uid][:nviews]
    for k, o in enumerate(others):
        day = NOW - (days_back - k // 4) * 86400
        views.append("(%d,%d,'%s',%d,FROM_UNIXTIME(%d))" % (uid, o, ny_date(day), k % 4 + 1, day))
        key = (min(uid, o), max(uid, o))
        if key in pairs:
            continue
        pairs.add(key)
        x = rnd.random()
        status = "rejected" if x < 0.6 else "pending" if x < 0.85 else "accepted"
        matches.append("(%d,%d,'like','%s',FROM_UNIXTIME(%d),FROM_UNIXTIME(%d))" % (uid, o, status, day, day))
    return views, matches


def populate(n):
    rnd = random.Random(n)
    mysql("DELETE FROM partners_userdailyview; DELETE FROM partners_match; DELETE FROM partners_profile;")
    tag = "pb-%s-%d" % (RUN, n)
    t0 = time.time()
    for part in chunks(range(n), 5000):
        mysql("INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
              "is_active, date_joined) VALUES " +
              ",".join("('!',0,'%s-%d','','','',0,1,NOW(6))" % (tag, i) for i in part) + ";")
    ids = [int(r[0]) for r in rows("SELECT id FROM auth_user WHERE username LIKE '%s-%%' ORDER BY id" % tag)]
    script = ["SET time_zone = '+00:00';"]
    for part in chunks(ids, 5000):
        script.append("INSERT INTO partners_profile (%s) VALUES %s;" % (PROFILE_COLS,
                                                                       ",".join(profile_row(u, rnd) for u in part)))
    mysql("\n".join(script))
    pairs = set()
    views, matches = [], []
    for uid in ids:
        v, m = history(uid, ids, 12, rnd, 120, pairs)
        views += v
        matches += m
    measured = []
    for i in range(MEASURED):
        u = new_user("pbench")
        measured.append(u)
        mysql("SET time_zone = '+00:00'; INSERT INTO partners_profile (%s) VALUES %s;"
              % (PROFILE_COLS, profile_row(u["id"], rnd)))
        v, m = history(u["id"], ids, 120, rnd, 30, pairs)
        views += v
        matches += m
        for o in rnd.sample(ids, 3):
            key = (min(u["id"], o), max(u["id"], o))
            if key not in pairs:
                pairs.add(key)
                matches.append("(%d,%d,'like','pending',NOW(6),NOW(6))" % (o, u["id"]))
    script = ["SET time_zone = '+00:00';"]
    for part in chunks(views, 5000):
        script.append("INSERT INTO partners_userdailyview (user_id, viewed_user_id, date, slot, created_at) "
                      "VALUES %s;" % ",".join(part))
    for part in chunks(matches, 5000):
        script.append("INSERT INTO partners_match (user1_id, user2_id, action_type, status, created_at, updated_at) "
                      "VALUES %s;" % ",".join(part))
    script.append("ANALYZE TABLE partners_profile, partners_match, partners_userdailyview;")
    mysql("\n".join(script))
    print("%d profiles, %d views, %d pairs, generated in %.1fs" % (n + MEASURED, len(views), len(matches),
                                                                     time.time() - t0), flush=True)
    return measured


def measure(users, path="/api/v1/partners/recommendations"):
    """Latencies of path for each user, interleaved with GET /healthz (nginx, FastCGI and a database ping:
    the floor on this machine at this moment, so a loaded machine shows as such)."""
    lat, base = [], []
    tiers = {}
    for u in users:
        for k in range(REQUESTS):
            t = time.perf_counter()
            r = request("GET", path, token=u["access"])
            dt = (time.perf_counter() - t) * 1000
            assert r.status == 200, r
            t = time.perf_counter()
            request("GET", "/healthz")
            hz = (time.perf_counter() - t) * 1000
            if k >= 5:
                lat.append(dt)
                base.append(hz)
        for c in r.json["data"]["items"]:
            tiers[c["tier"]] = tiers.get(c["tier"], 0) + 1
    lat.sort()
    base.sort()
    return {"n": len(lat), "p50": statistics.median(lat), "p99": lat[int(len(lat) * 0.99) - 1], "max": lat[-1],
            "tiers": tiers, "base_p50": statistics.median(base), "base_p99": base[int(len(base) * 0.99) - 1]}


def explain(u):
    me = u["id"]
    date = ny_date(NOW)
    mask = int(rows("SELECT technical_interview + 2 * behavioral_interview + 4 * case_analysis + 8 * stats_questions "
                    "FROM partners_profile WHERE user_id = %d" % me)[0][0])
    invited = ("EXISTS (SELECT 1 FROM partners_match i WHERE i.user1_id = p.user_id AND i.user2_id = %d AND "
               "i.status = 'pending')" % me)
    common = ("p.is_active = 1 AND p.user_id <> %d AND NOT EXISTS (SELECT 1 FROM partners_userdailyview t WHERE "
              "t.user_id = %d AND t.date = '%s' AND t.viewed_user_id = p.user_id) AND (NOT EXISTS (SELECT 1 FROM "
              "partners_userdailyview v WHERE v.user_id = %d AND v.viewed_user_id = p.user_id) OR %s) "
              % (me, me, date, me, invited))
    m = "(p.technical_interview + 2 * p.behavioral_interview + 4 * p.case_analysis + 8 * p.stats_questions)"
    order = " ORDER BY p.last_active_at DESC, p.user_id DESC LIMIT 4"
    queries = {
        "tier 1 (round 1)": "SELECT p.user_id FROM partners_match i JOIN partners_profile p ON p.user_id = i.user1_id "
                            "WHERE i.user2_id = %d AND i.status = 'pending' AND %s AND (%s & %d) <> 0" % (
                                me, common, m, mask) + order,
        "tier 2 (round 1)": "SELECT p.user_id FROM partners_profile p WHERE %s AND (%s & %d) <> 0 AND NOT %s" % (
            common, m, mask, invited) + order,
        "tier 5 (round 1)": "SELECT p.user_id FROM partners_profile p WHERE %s AND (%s & %d) = 0 AND "
                            "p.experience_level <> '3-5年' AND p.job_type <> 'DS'" % (common, m, mask) + order,
        "round check": "SELECT COUNT(*) FROM (SELECT 1 FROM partners_profile WHERE is_active = 1 OR user_id = %d "
                       "LIMIT 122) t" % me,
    }
    for name, q in queries.items():
        print("EXPLAIN %s:" % name)
        for r in rows("EXPLAIN " + q):
            print("   ", "\t".join(r))


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [10000, 100000]
    results = {}
    for n in sizes:
        users = populate(n)
        res = measure(users)
        results[n] = res
        print("%7d profiles: p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d requests; cards by tier %r; "
              "/healthz meanwhile: p50 %.2f ms, p99 %.2f ms"
              % (n, res["p50"], res["p99"], res["max"], res["n"], res["tiers"], res["base_p50"], res["base_p99"]),
              flush=True)
        explain(users[0])
    if len(sizes) >= 2:
        a, b = results[sizes[0]], results[sizes[-1]]
        print("p99 ratio %d/%d: %.2f (target <= 2); p99 at %d: %.2f ms (target <= 10)"
              % (sizes[-1], sizes[0], b["p99"] / a["p99"], sizes[-1], b["p99"]))
    mysql("DELETE FROM partners_userdailyview; DELETE FROM partners_match; DELETE FROM partners_profile;")


if __name__ == "__main__":
    main()
