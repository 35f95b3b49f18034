#!/usr/bin/python3
"""zhimai-inspect on a day of N paid orders and an N-row trade bill (issue 16: 100k orders and a 100k-row
bill reconciled in <= 5 s, memory flat in the number of rows).

Against a running stack (its database; zhimai-fcgi and zhimai-worker are left alone):

    ZM_VAR=build/benchstack ./dev up
    ZM_VAR=build/benchstack /usr/bin/python3 tests/bench/inspect_bench.py [N ...]    (default 10000 100000)

For each N, a day of its own: N/2 users (written straight into auth_user) with two paid, credited orders of
10 yuan each (payments_order, both ledgers, points_account, all consistent), and the local fake (started
in-process) holding the same N payments, so its bill for the day has N rows (~25 MB at 100k).  Then
`zhimai-inspect --date DAY` runs once (read orders + ledgers, download and SHA1 the bill into a temporary
file, stream-parse it, check every account): its wall time and peak RSS (its own VmHWM, from its JSON
report: wait4's maxrss would count this Python process it is forked from) are reported, and the
run must be clean.  The baseline, measured in the same run: sha1sum over the same bill bytes (the one pass
over the bill no reconciliation can avoid).
"""
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
sys.path.insert(0, os.path.join(HERE, "..", "fakes", "wechatpay"))
import zmtest  # noqa: E402
from benchlib import mysql  # noqa: E402
from fake_wechatpay import merchant_env, merchant_fake  # noqa: E402

TZ = datetime.timezone(datetime.timedelta(hours=8))
FEN, POINTS = 1000, 20  # an order of 10 yuan, 2 points a yuan



def seed(fake, n, day, noon):
    """n orders on day (two per user), the ledgers and accounts consistent, the fake holding the payments."""
    tag = uuid.uuid4().hex[:8]
    users = n // 2
    first = int(zmtest.sql("SELECT COALESCE(MAX(id), 0) FROM auth_user")[0][0]) + 1000
    out = ["SET autocommit = 0;"]
    for lo in range(0, users, 2000):
        ids = range(first + lo, first + min(users, lo + 2000))
        out.append("INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, "
                   "is_staff, is_active, date_joined) VALUES " +
                   ",".join("(%d, '!', 0, 'ib-%s-%d', '', '', 'ib-%s-%d@bench.test', 0, 1, UTC_TIMESTAMP(6))"
                            % (u, tag, u, tag, u) for u in ids) + ";")
        out.append("INSERT INTO points_account (user_id, points, recharge_fen, recharge_level, entries, created_at, "
                   "updated_at) VALUES " +
                   ",".join("(%d, %d, %d, 1, 2, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))" % (u, 2 * POINTS, 2 * FEN)
                            for u in ids) + ";")
    orders = []
    for i in range(n):
        u = first + i // 2
        no = "IB%s%022d" % (tag, i)
        txid = "42%026d" % random.randrange(10 ** 26)
        paid = noon - 6 * 3600 + (i * 17) % 40000
        orders.append((no, u, i % 2, txid, paid))
        fake.orders[no] = {"out_trade_no": no, "created": paid - 30, "code_url": "", "trade_state": "SUCCESS",
                           "paid": paid, "transaction_id": txid,
                           "params": {"description": "职麦充值 10.00 元", "total": FEN, "notify_url": "", "attach": None}}
    for lo in range(0, n, 2000):
        chunk = orders[lo:lo + 2000]
        out.append("INSERT INTO payments_order (out_trade_no, user_id, kind, amount_fen, status, code_url, "
                   "transaction_id, expires_at, paid_at, created_at, updated_at) VALUES " +
                   ",".join("('%s', %d, 'recharge', %d, 'paid', '', '%s', FROM_UNIXTIME(%d), FROM_UNIXTIME(%d), "
                            "FROM_UNIXTIME(%d), FROM_UNIXTIME(%d))" % (no, u, FEN, tx, p + 870, p + 1, p - 30, p + 1)
                            for no, u, k, tx, p in chunk) + ";")
        out.append("INSERT INTO points_recharge_ledger (user_id, idem_key, reason, delta_fen, balance_after_fen, "
                   "ref_kind, ref_id, created_at) VALUES " +
                   ",".join("(%d, 'order:%s:credit', 'recharge', %d, %d, 'order', '%s', FROM_UNIXTIME(%d))"
                            % (u, no, FEN, FEN * (k + 1), no, p + 1) for no, u, k, tx, p in chunk) + ";")
        out.append("INSERT INTO points_ledger (user_id, idem_key, reason, delta, balance_after, ref_kind, ref_id, "
                   "created_at) VALUES " +
                   ",".join("(%d, 'order:%s:credit', 'recharge', %d, %d, 'order', '%s', FROM_UNIXTIME(%d))"
                            % (u, no, POINTS, POINTS * (k + 1), no, p + 1) for no, u, k, tx, p in chunk) + ";")
    out.append("COMMIT;")
    mysql("\n".join(out))


def measure(fake, n):
    d = datetime.date(2016, 1, 1) + datetime.timedelta(days=random.randrange(0, 3000))
    day = d.isoformat()
    noon = int(datetime.datetime(d.year, d.month, d.day, 12, 0, tzinfo=TZ).timestamp())
    t0 = time.monotonic()
    seed(fake, n, day, noon)
    print("  %d orders seeded in %.1f s" % (n, time.monotonic() - t0), flush=True)
    data, rows = fake.bill_csv(day)
    fake.fixed_bills[day] = (data, rows)  # made once: the run times zhimai-inspect, not the fake's Python
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        t0 = time.monotonic()
        subprocess.run(["sha1sum", f.name], check=True, capture_output=True)
        base = time.monotonic() - t0
    rc, wall, out, rss = run_time(fake, day)
    assert rc == 0, "zhimai-inspect %s exited %d (0: clean): %s" % (day, rc, out[-3000:])
    rep = json.loads(out)
    rss = rep["phase_max_rss_kb"]["accounts"]  # its own VmHWM: wait4's maxrss keeps the forking Python's
    # the database's part alone, in the same run: the day's orders with their two ledger lookups each
    w0, w1 = rep["window_start"], rep["window_end"]
    t0 = time.monotonic()
    zmtest.sql("SELECT COUNT(*), SUM((SELECT COUNT(*) FROM points_recharge_ledger l WHERE l.ref_kind = 'order' "
               "AND l.ref_id = o.out_trade_no)), SUM((SELECT COUNT(*) FROM points_ledger p WHERE p.ref_kind = "
               "'order' AND p.ref_id = o.out_trade_no)) FROM payments_order o WHERE o.created_at >= '%s' AND "
               "o.created_at < '%s'" % (w0.replace("T", " ").rstrip("Z"), w1.replace("T", " ").rstrip("Z")))
    db = time.monotonic() - t0
    print("  the same lookups in SQL alone: %.2f s (inspect / SQL x%.1f); load average %.1f"
          % (db, wall / db if db else 0, os.getloadavg()[0]), flush=True)
    print("  phases (elapsed ms at the end of each): %s; max RSS KB: %s; %d orders checked, %d bill rows, %d queries"
          % (rep["phase_ms"], rep["phase_max_rss_kb"], rep["orders_checked"], rep["bill_rows"], rep["queries"]),
          flush=True)
    return rows, len(data), wall, base, rss


def run_time(fake, day):
    """Run zhimai-inspect with wait4 to read its own maximum RSS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZM_WECHATPAY_")}
    env.update(merchant_env(fake, "https://example.com/notify"), ZM_VAR=zmtest.VAR, ZM_WECHATPAY_TIMEOUT_MS="60000")
    r, w = os.pipe()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.dup2(w, 1)
        os.dup2(w, 2)
        os.execve(os.environ.get("ZM_INSPECT_BIN") or os.path.join(zmtest.ENV["ZM_BUILD"], "zhimai-inspect"),
                  ["zhimai-inspect", "-c", zmtest.ENV["ZM_CONF"], "--date", day, "--no-notify", "--format",
                   "json"], env)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    text = b"".join(chunks).decode("utf-8", "replace")
    return os.waitstatus_to_exitcode(status), wall, text, ru.ru_maxrss


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [10000, 100000]
    tmp = tempfile.TemporaryDirectory()
    fake = merchant_fake(os.path.join(tmp.name, "fake")).start()
    results = []
    try:
        for n in sizes:
            rows, size, wall, base, rss = measure(fake, n)
            results.append((n, rows, size, wall, base, rss))
            print("inspect %7d orders, %7d-row bill (%5.1f MB): %.2f s, max RSS %.1f MB; sha1sum of the bill "
                  "%.3f s (x%.0f)" % (n, rows, size / 1e6, wall, rss / 1024, base, wall / base if base else 0),
                  flush=True)
    finally:
        fake.stop()
        tmp.cleanup()
    if len(results) >= 2:
        a, b = results[0], results[-1]
        print("max RSS %d -> %d rows: %.1f MB -> %.1f MB (x%.2f for x%.0f rows)"
              % (a[1], b[1], a[5] / 1024, b[5] / 1024, b[5] / a[5], b[1] / a[1]))
    big = [r for r in results if r[0] >= 100000]
    if big:
        ok = big[-1][3] <= 5.0
        print("100k orders + 100k-row bill: %.2f s (target <= 5 s): %s" % (big[-1][3], "ok" if ok else "MISSED"))
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
