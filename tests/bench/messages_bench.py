#!/usr/bin/python3
"""The message center at scale (issue 17: unread count p99 <= 5 ms; a broadcast to 100k users is one write).

Against a running stack (tests/bench/run.sh runs it on its own stack):

    ZM_VAR=build/benchstack ./dev up
    ZM_VAR=build/benchstack /usr/bin/python3 tests/bench/messages_bench.py [users] [broadcasts] [own]
    (defaults 100000, 1000, 2000; MB_BACKLOG=5000)

SQL generates `users` users (auth_user rows only: they never log in), `broadcasts` earlier broadcasts
(to everyone and to each role, spread over the last day) and `own` messages to the bench user.  Then:
one broadcast to everyone through POST /api/v1/admin/messages, counting the rows it wrote; the unread
count of the bench user and of a fresh user checked against a brute-force count over the tables; and
GET /api/v1/messages/unread-count, GET /api/v1/messages (page 1, and ?unread=1) timed REQUESTS times
each (the first 10 warm-up) beside GET /healthz, the floor, in the same run: p50/p99 and the ratio of
p50s.  Then read-all (one watermark row) and the count again.  And a user with MB_BACKLOG (5,000) unread
messages of their own: the count is capped at 100 ("capped": true, the badge's 99+), so its cost stays
that of 100 index entries; timed beside /healthz, and in the database against the uncapped query.

What the cost rests on: the unread count walks three index ranges above the reader's watermark
(messages_message (user_id, id) and (audience, role, id)), each entry checked against messages_read by
primary key: the reader's unread messages, never the users (messages_message_audience covers the
broadcast ranges, created_at included, so no row is read for them).

Measured (ASan test build, 2 shared cores, load average 14-16 from other helpers' builds; 100k users,
1000 earlier broadcasts, 2000 own messages): the broadcast wrote 1 messages_message row and nothing else
(7-30 ms); the counts matched the brute force; /healthz p50 1.0-3.3 ms; unread-count p50 1.1-2.8 ms
(0.5-1.8x /healthz; MariaDB's query cache answers the repeats), p99 12-18 ms, the machine's tail
(/healthz's own is of the same order); list pages p50 1.2-3.9 ms.  Without the query cache, in the
database: the count's query 1.6-2.5 ms with nothing unread, ~15 ms with 4013 unread (it is linear in
the unread: each is an index entry and a messages_read probe).  read-all of 3345-4013 unread: 2-5 ms,
one watermark row.
With the count capped at 100 (same machine, load average ~14; 20k users, 300 broadcasts, 2000 own
messages, and a user with 5,000 unread): the 5,000-unread user's count answers {unread: 100, capped:
true}; /healthz p50 2.0 ms p99 12.5 ms, unread-count p50 3.7 ms p99 18.2 ms (p99 - /healthz p99:
5.7 ms); in the database minus a SELECT 1 round trip: the capped count 5.2 ms against the uncapped
(former) query's 16.3 ms on the same user; one LIMIT-100 range alone 0.13-0.57 ms.  The tail here is
the shared machine's (its /healthz p99 alone is above the 5 ms target).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
import zmtest  # noqa: E402
from zmtest import data_of, made_user, new_user, request  # noqa: E402
from benchlib import db_query_ms, mysql, serial_latency  # noqa: E402

zmtest.IP_RANGES.setdefault("messages_bench.py", "127.31.")
REQUESTS = 300



def one(q):
    return int(zmtest.sql(q)[0][0])


def admin():
    return made_user("admin", "mbadmin")["access"]

def numbers(n):
    """SQL for a derived table g(n) of 0..n-1 from a cross join of digits (mb_digits must exist)."""
    k = len(str(max(n - 1, 1)))
    joins = ", ".join("mb_digits d%d" % i for i in range(k))
    num = " + ".join("d%d.d * %d" % (i, 10 ** i) for i in range(k))
    return "(SELECT %s AS n FROM %s) g WHERE n < %d" % (num, joins, n)


def generate(users, broadcasts, own, uid):
    t0 = time.time()
    have = one("SELECT COUNT(*) FROM auth_user WHERE email LIKE 'mb-%@bench.invalid'")
    mysql("DROP TABLE IF EXISTS mb_digits; CREATE TABLE mb_digits (d INT PRIMARY KEY);"
          "INSERT INTO mb_digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);\n"
          "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
          "is_active, date_joined) SELECT '!', 0, CONCAT('mb-', n), '', '', CONCAT('mb-', n, '@bench.invalid'), 0, 1, "
          "UTC_TIMESTAMP(6) - INTERVAL 2 DAY FROM " + numbers(users) + " AND n >= %d ORDER BY n;\n" % have +
          # the bench user joined before the history it is to see
          "UPDATE auth_user SET date_joined = UTC_TIMESTAMP(6) - INTERVAL 2 DAY WHERE id = %d;\n" % uid +
          "INSERT INTO messages_message (audience, user_id, role, kind, title, body, data, created_at) "
          "SELECT CASE n %% 3 WHEN 0 THEN 'all' ELSE 'role' END, NULL, "
          "CASE n %% 3 WHEN 0 THEN '' WHEN 1 THEN 'seeker' ELSE 'hr' END, 'admin.post', CONCAT('公告 ', n), "
          "'正文', '{}', UTC_TIMESTAMP(6) - INTERVAL (%d - n) SECOND FROM " % broadcasts + numbers(broadcasts) +
          " ORDER BY n;\n"
          "INSERT INTO messages_message (audience, user_id, role, kind, title, body, data, created_at) "
          "SELECT 'user', %d, '', 'application.status', CONCAT('申请状态更新 ', n), '正文', '{}', " % uid +
          "UTC_TIMESTAMP(6) - INTERVAL (%d - n) SECOND FROM " % own + numbers(own) + " ORDER BY n;\n"
          "DROP TABLE mb_digits; ANALYZE TABLE auth_user, messages_message;")
    print("generated %d users, %d broadcasts, %d own messages in %.1f s"
          % (max(users - have, 0), broadcasts, own, time.time() - t0))


def brute(uid, role):
    """The unread count by definition, over the whole tables."""
    return one("SELECT COUNT(*) FROM messages_message m JOIN auth_user u ON u.id = %d "
               "WHERE (m.user_id = u.id OR (m.audience = 'role' AND m.role = '%s' AND m.created_at >= u.date_joined) "
               "OR (m.audience = 'all' AND m.created_at >= u.date_joined)) "
               "AND m.id > COALESCE((SELECT read_upto FROM messages_watermark w WHERE w.user_id = u.id), 0) "
               "AND NOT EXISTS (SELECT 1 FROM messages_read r WHERE r.user_id = u.id AND r.message_id = m.id)"
               % (uid, role))


def in_db(uid, role, n=200):
    """The unread count's own query (messages.c) inside the database without MariaDB's query cache (which
    answers the repeated HTTP reads; MySQL 8 has none): ms a query, minus SELECT 1's."""
    row = zmtest.sql("SELECT DATE_FORMAT(u.date_joined, '%%Y-%%m-%%d %%H:%%i:%%s.%%f'), "
                     "COALESCE(w.read_upto, 0) FROM auth_user u "
                     "LEFT JOIN messages_watermark w ON w.user_id = u.id WHERE u.id = %d" % uid)[0]
    joined, lo = row[0], int(row[1])
    q = ("SELECT SQL_NO_CACHE COUNT(*) FROM (SELECT id FROM messages_message WHERE user_id = {u} AND id > {lo} "
         "UNION ALL SELECT id FROM messages_message WHERE audience = 'role' AND role = '{r}' AND id > {lo} "
         "AND created_at >= '{j}' UNION ALL SELECT id FROM messages_message WHERE audience = 'all' AND role = '' "
         "AND id > {lo} AND created_at >= '{j}') v LEFT JOIN messages_read r ON r.user_id = {u} "
         "AND r.message_id = v.id WHERE r.message_id IS NULL;\n").format(u=uid, lo=lo, r=role, j=joined)
    return db_query_ms(q, n)



def in_db_capped(uid, role, n=200):
    """The capped count's query (messages.c, MSG_UNREAD_CAP 100) in the database, as in_db."""
    row = zmtest.sql("SELECT DATE_FORMAT(u.date_joined, '%%Y-%%m-%%d %%H:%%i:%%s.%%f'), "
                     "COALESCE(w.read_upto, 0) FROM auth_user u "
                     "LEFT JOIN messages_watermark w ON w.user_id = u.id WHERE u.id = %d" % uid)[0]
    joined, lo = row[0], int(row[1])
    part = ("(SELECT COUNT(*) FROM (SELECT 1 FROM messages_message m WHERE {where} AND m.id > {lo} AND NOT EXISTS "
            "(SELECT 1 FROM messages_read r WHERE r.user_id = {u} AND r.message_id = m.id) LIMIT 100) c)")
    parts = [part.format(where=w, lo=lo, u=uid) for w in (
        "m.user_id = %d" % uid, "m.audience = 'role' AND m.role = '%s' AND m.created_at >= '%s'" % (role, joined),
        "m.audience = 'all' AND m.role = '' AND m.created_at >= '%s'" % joined)]
    return db_query_ms("SELECT SQL_NO_CACHE LEAST(%s, 100);\n" % " + ".join(parts), n)


def backlog(n):
    """A user with n unread messages of their own (issue 17: unread count p99 <= 5 ms even with thousands)."""
    u = new_user("mbacklog")
    mysql("DROP TABLE IF EXISTS mb_digits; CREATE TABLE mb_digits (d INT PRIMARY KEY);"
          "INSERT INTO mb_digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);\n"
          "INSERT INTO messages_message (audience, user_id, role, kind, title, body, data, created_at) "
          "SELECT 'user', %d, '', 'application.status', CONCAT('积压 ', n), '正文', '{}', UTC_TIMESTAMP(6) FROM "
          % u["id"] + numbers(n) + " ORDER BY n;\nDROP TABLE mb_digits;")
    d = data_of(request("GET", "/api/v1/messages/unread-count", token=u["access"]), 200, "backlog count")
    assert d["unread"] == 100 and d["capped"], d
    floor, fp99, _ = serial_latency("/healthz", u["access"], REQUESTS)
    p50, p99, _ = serial_latency("/api/v1/messages/unread-count", u["access"], REQUESTS)
    print("%d unread of one user (answer %r):" % (n, d))
    print("  %-38s p50 %6.2f ms  p99 %6.2f ms" % ("/healthz (the floor)", floor, fp99))
    print("  %-38s p50 %6.2f ms  p99 %6.2f ms  p99 - healthz p99: %.2f ms" % (
        "/api/v1/messages/unread-count", p50, p99, p99 - fp99))
    print("  in the database, no query cache, minus a SELECT 1 round trip: capped count %.3f ms, "
          "the uncapped count (the old query) %.3f ms" % (in_db_capped(u["id"], "seeker"), in_db(u["id"], "seeker")))


def unread(token):
    return data_of(request("GET", "/api/v1/messages/unread-count", token=token), 200)["unread"]


def main():
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    broadcasts = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    own = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    me = new_user("mbench")
    generate(users, broadcasts, own, me["id"])
    backlog(int(os.environ.get("MB_BACKLOG", "5000")))
    tok = admin()

    total_users = one("SELECT COUNT(*) FROM auth_user")
    before = [one("SELECT COUNT(*) FROM " + t) for t in ("messages_message", "messages_read", "messages_watermark")]
    t0 = time.perf_counter()
    data_of(request("POST", "/api/v1/admin/messages", {"title": "全体公告", "body": "**维护**", "audience": "all"},
                    token=tok), 201, "broadcast")
    dt = (time.perf_counter() - t0) * 1000
    after = [one("SELECT COUNT(*) FROM " + t) for t in ("messages_message", "messages_read", "messages_watermark")]
    print("broadcast to all %d users: %.1f ms; rows written: messages_message +%d, messages_read +%d, "
          "messages_watermark +%d" % (total_users, dt, after[0] - before[0], after[1] - before[1], after[2] - before[2]))
    assert after[0] - before[0] == 1 and after[1] == before[1] and after[2] == before[2]

    late = new_user("mblate")  # joined after every broadcast: sees none of them
    for who, u in (("bench user", me), ("a user who joined now", late)):
        got, want = unread(u["access"]), brute(u["id"], "seeker")
        print("unread of %s: %d (brute force over the tables: %d; the count stops at 100)" % (who, got, want))
        assert got == min(want, 100), (who, got, want)

    floor, _, _ = serial_latency("/healthz", me["access"], REQUESTS)
    print("%-40s p50 %6.2f ms" % ("/healthz (the floor)", floor))
    for path in ("/api/v1/messages/unread-count", "/api/v1/messages?page_size=20",
                 "/api/v1/messages?unread=1&page_size=20"):
        p50, p99, _ = serial_latency(path, me["access"], REQUESTS)
        print("%-40s p50 %6.2f ms  p99 %6.2f ms  p50 / healthz p50: %.1fx" % (path, p50, p99, p50 / floor))
    n = unread(me["access"])
    print("unread count's query in the database, no query cache, %d unread: %.3f ms" % (n, in_db(me["id"], "seeker")))
    t0 = time.perf_counter()
    d = data_of(request("POST", "/api/v1/messages/read-all", token=me["access"]), 200, "read all")
    dt = (time.perf_counter() - t0) * 1000
    print("read-all of %d unread: %.1f ms, marked %d, watermark rows of the user %d, read rows %d"
          % (n, dt, d["marked"], one("SELECT COUNT(*) FROM messages_watermark WHERE user_id = %d" % me["id"]),
             one("SELECT COUNT(*) FROM messages_read WHERE user_id = %d" % me["id"])))
    assert unread(me["access"]) == 0 == brute(me["id"], "seeker")
    p50, p99, _ = serial_latency("/api/v1/messages/unread-count", me["access"], REQUESTS)
    print("%-40s p50 %6.2f ms  p99 %6.2f ms  (after read-all)" % ("/api/v1/messages/unread-count", p50, p99))
    print("unread count's query in the database, no query cache, after read-all: %.3f ms" % in_db(me["id"], "seeker"))


if __name__ == "__main__":
    main()
