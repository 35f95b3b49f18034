#!/usr/bin/python3
"""WeChat Pay: notification handling at 32 concurrent (issue 15: p99 <= 20 ms including signature
verification and decryption) and order creation against the local fake, through nginx, each beside
/healthz measured by the same client in the same run.

Against a running stack (tests/bench/run.sh runs it on its own stack; its zhimai-fcgi and
zhimai-worker are restarted pointing at a fake this script starts in-process, and restarted without
it at the end):

    ZM_VAR=build/benchstack ./dev up
    ZM_VAR=build/benchstack /usr/bin/python3 tests/bench/payments_bench.py [orders]   (default 640)

The client is one asyncio loop holding keep-alive connections to nginx (no thread per request, so the
load generator takes little of the machine).  Phases:

  /healthz                 2000 requests, 32 concurrent: the floor (a FastCGI round trip and a db ping)
  POST /payment/orders     `orders` orders of 10 yuan over USERS users, 8 concurrent: a row under the
                           user's account lock, a signed native order at the fake (its RSA signature
                           in Python is most of the time), the code_url stored
  notify, first            each order's signed, encrypted TRANSACTION.SUCCESS (made by the fake's own
                           code, the orders marked paid there without notifying), 32 concurrent: RSA
                           verify, AES-GCM decrypt, the order row FOR UPDATE, two ledger rows, the
                           account row and the notification's log row in one transaction
  notify, duplicate        the same notifications again, 32 concurrent: verify, decrypt, one indexed
                           read, the log row
  (and each notify phase on a quarter of them one at a time: the service time)

ZM_BENCH_PERF=DIR records each phase with perf (call graphs of the FastCGI workers and MariaDB) into
DIR/<phase>.data.  For each: req/s, p50/p99/max and the CPU milliseconds per request of zhimai-fcgi, nginx and MariaDB
(from /proc, steadier than latency on a machine others share), and the ratios to /healthz.  Every
notification must answer 200 and every order end paid with exactly one credit.

Measured (Release, fcgi.workers = nproc = 2, 2 cores shared with other helpers' builds and tests: load
average 10-35 during these runs, /healthz's own p99 at 32 concurrent 15-140 ms):
  before (a2e999d): credits at 32 conc. p99 201-535 ms (8.4-17.9x /healthz's p99 in the same run),
    1.6-2.9 ms CPU a notification (app+nginx+db), 14-15 SQL statements; duplicates p99 54-72 ms
    (2.2-2.7x), 0.38-0.52 ms CPU, 4 statements (BEGIN, the order FOR UPDATE, COMMIT, the log row).
  after: credits p99 255-318 ms (9-13x), 1.5-2.0 ms CPU, 11-12 statements (a plain read, BEGIN, the
    move to paid, the account and the key in one locking read, two ledger rows, the expired-lots
    read, the account row, the log row, COMMIT; INSERT IGNORE of the account); duplicates p99 39-214
    ms (1.5-3.9x), 0.39-0.59 ms CPU, 2 statements (a plain indexed read and the log row, no lock).
  With more FastCGI workers than cores (ZM_FCGI_WORKERS=6, the only run where the machine was quiet
    enough): credits p99 83 ms at 650 req/s, 1 at a time p50 1.6 ms; duplicates p99 32 ms (/healthz
    p99 43 ms in that run); order creation 408 req/s: a notification waits on MariaDB and nchan, an
    order on WeChat, so two workers leave the cores idle.  (Before the fix in points/ledger.c, six
    workers made credits deadlock: INSERT IGNORE left a shared lock on the user's account row and two
    transactions upgrading it deadlocked, 5 retries later a 500 for WeChat to retry.)
  Order creation (8 conc.): 120-190 req/s, p99 80-170 ms, 2.0-2.7 ms CPU here and 7 statements (the
    pending-order cap's account lock and count), most of the wall time the fake's RSA signing in Python.
Quiet machine, after the ledger's transactions went READ COMMITTED (4dc8e00; without it, at 32 concurrent and
  no query cache, two credits of neighbouring order numbers deadlocked on the key's gap five times over: a
  500): credits at 32 conc. 444-489 req/s, p99 85-100 ms (6.6x /healthz's p99), 2.8-3.0 ms CPU, 17.1
  statements (the receipt message and the statistics came since); 1 at a time p50 3.5-4.8 ms; duplicates
  p99 14.7-19.2 ms (target met; 1.3x /healthz), 0.55-0.67 ms CPU, 2 statements.  Query cache off: credits
  p99 85 ms, the same CPU within noise.
The issue's 20 ms p99 at 32 concurrent is out of reach on this machine whatever the code does: with
~1.5-2 ms of CPU a credit on 2 cores, 32 in flight queue for >= 32 x 1.7 / 2 = 27 ms even when the
machine is ours alone, and /healthz alone misses 20 ms here.  The statements per notification (the
`sql` column) do not depend on the load: they are the figure to compare.
"""
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))
sys.path.insert(0, os.path.join(HERE, "..", "fakes", "wechatpay"))
import zmtest  # noqa: E402
from fake_wechatpay import merchant_env, merchant_fake  # noqa: E402
from zmtest import new_user, request, sql  # noqa: E402

zmtest.IP_RANGES.setdefault("payments_bench.py", "127.28.")
USERS, CONC, ORDER_CONC, HEALTHZ = 32, 32, 8, 2000
HZ = os.sysconf("SC_CLK_TCK")


def restart(env_over):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZM_WECHATPAY_", "ZM_PAYMENTS_"))}
    env.update(env_over, ZM_VAR=zmtest.VAR, ZM_BUILD=zmtest.ENV["ZM_BUILD"])
    for cmd in ("worker-stop", "fcgi-stop", "fcgi-start", "worker-start"):
        p = subprocess.run([os.path.join(zmtest.ROOT, "dev"), cmd], env=env, capture_output=True, text=True)
        assert p.returncode == 0, "./dev %s: %s %s" % (cmd, p.stdout, p.stderr)
    zmtest.wait_for(lambda: request("GET", "/healthz").status == 200, timeout=30, what="/healthz")


# ---- CPU of the servers ---------------------------------------------------------------------------------


def _ticks(pid, with_reaped):
    try:
        with open("/proc/%d/stat" % pid) as f:
            x = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    t = int(x[11]) + int(x[12])  # utime, stime
    return t + (int(x[13]) + int(x[14]) if with_reaped else 0)  # cutime, cstime (recycled workers)


def _tree(pid):
    return _ticks(pid, True) + sum(_ticks(k, False) for k in zmtest.children(pid))


def _pid(path):
    with open(path) as f:
        return int(f.read().strip())


def server_pids():
    conf = zmtest.ENV["ZM_CONF"]
    build = zmtest.ENV["ZM_BUILD"]
    get = lambda k: subprocess.run([os.path.join(build, "zhimai-fcgi"), "-c", conf, "--get", k],  # noqa: E731
                                   capture_output=True, text=True, check=True).stdout.strip()
    fcgi = _pid(get("fcgi.pid_file"))
    nginx = _pid(os.path.join(zmtest.VAR, "run", "nginx.pid"))
    mysqld = _pid(os.path.join(zmtest.VAR, "run", "db", "mysqld.pid"))
    return {"app": fcgi, "nginx": nginx, "db": mysqld}


def cpu(pids):
    return {k: _tree(p) for k, p in pids.items()}


# ---- the client: keep-alive HTTP/1.1 on asyncio ---------------------------------------------------------


async def _one(reader, writer, host, req):
    method, path, headers, body = req
    head = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % host, "Content-Length: %d" % len(body)]
    head += ["%s: %s" % kv for kv in headers.items()]
    t0 = time.perf_counter()
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    line = await reader.readline()
    status = int(line.split()[1])
    clen, chunked = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.decode("latin-1").partition(":")
        k = k.strip().lower()
        if k == "content-length":
            clen = int(v)
        elif k == "transfer-encoding" and "chunked" in v.lower():
            chunked = True
    if chunked:
        while True:
            n = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(n + 2)
            if n == 0:
                break
    else:
        await reader.readexactly(clen)
    return status, (time.perf_counter() - t0) * 1000


async def _run(reqs, conc):
    u = urllib.parse.urlsplit(zmtest.URL)
    host, port = u.hostname, u.port or 80
    it = iter(enumerate(reqs))
    out = [None] * len(reqs)

    async def worker():
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for i, req in it:
                out[i] = await _one(reader, writer, u.netloc, req)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(min(conc, len(reqs)))))
    return out


def perf_start(pids, tag):
    """ZM_BENCH_PERF=DIR: perf record (call graphs) of the FastCGI workers and MariaDB during a phase."""
    out = os.environ.get("ZM_BENCH_PERF")
    if not out:
        return None
    os.makedirs(out, exist_ok=True)
    who = ",".join(str(p) for p in zmtest.children(pids["app"]) + [pids["db"]])
    p = subprocess.Popen(["perf", "record", "-F", "4000", "-g", "-o", os.path.join(out, tag + ".data"), "-p", who],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return p


def perf_stop(p):
    if p:
        p.send_signal(2)
        p.wait(timeout=60)


def questions():
    """MariaDB's count of statements clients sent (prepared executions included), less this query's own."""
    return int(sql("SHOW GLOBAL STATUS LIKE 'Questions'")[0][1])


def phase(name, reqs, conc, pids, ok=(200,)):
    """Send reqs with conc in flight; print and return the figures."""
    prof = perf_start(pids, "".join(c if c.isalnum() else "_" for c in name))
    q0, c0, t0 = questions(), cpu(pids), time.perf_counter()
    res = asyncio.run(_run(reqs, conc))
    secs, c1, q1 = time.perf_counter() - t0, cpu(pids), questions()
    perf_stop(prof)
    bad = [s for s, _ in res if s not in ok]
    assert not bad, "%s: statuses %s" % (name, bad[:10])
    ms = sorted(x for _, x in res)
    n = len(ms)
    r = {"name": name, "n": n, "rps": n / secs, "p50": statistics.median(ms), "p99": ms[min(n - 1, int(n * 0.99))],
         "max": ms[-1]}
    for k in pids:
        r[k] = (c1[k] - c0[k]) * 1000.0 / HZ / n  # CPU ms per request
    r["cpu"] = sum(r[k] for k in pids)
    r["sql"] = (q1 - q0 - 1) / n  # the worker's task polling adds a little
    print("%-34s %5d %8.0f %7.2f %7.2f %7.2f %7.3f %7.3f %7.3f %7.3f %5.1f" % (
        name, n, r["rps"], r["p50"], r["p99"], r["max"], r["app"], r["nginx"], r["db"], r["cpu"], r["sql"]),
        flush=True)
    return r


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 640
    tmp = tempfile.TemporaryDirectory()
    fake = merchant_fake(os.path.join(tmp.name, "fake")).start()
    restart(dict(merchant_env(fake, zmtest.URL + "/api/v1/payment/wechat/notify"), ZM_PAYMENTS_QUERY_AFTER_S="3600",
                 ZM_PAYMENTS_MAX_PENDING_ORDERS="1000"))
    try:
        pids = server_pids()
        users = [new_user("paybench") for _ in range(USERS)]
        print("payments (issue 15), %d orders over %d users, %s FastCGI workers" % (
            n, USERS, len(zmtest.children(pids["app"]))))
        print("%-34s %5s %8s %7s %7s %7s %7s %7s %7s %7s %5s" % (
            "", "n", "req/s", "p50_ms", "p99_ms", "max_ms", "app_ms", "ngx_ms", "db_ms", "cpu_ms", "sql"))
        healthz = [("GET", "/healthz", {}, b"")] * HEALTHZ
        base = phase("/healthz (%d conc.)" % CONC, healthz, CONC, pids)

        def create(i):
            body = b'{"kind":"recharge","amount_fen":1000}'
            return ("POST", "/api/v1/payment/orders",
                    {"Authorization": "Bearer " + users[i % USERS]["access"], "Content-Type": "application/json"},
                    body)

        made_before = {r[0] for r in sql("SELECT out_trade_no FROM payments_order")}
        orders = phase("POST /payment/orders (%d conc.)" % ORDER_CONC, [create(i) for i in range(n)], ORDER_CONC,
                       pids, ok=(201,))
        uids = ",".join(str(int(u["id"])) for u in users)
        nos = [r[0] for r in sql("SELECT out_trade_no FROM payments_order WHERE user_id IN (%s)" % uids)
               if r[0] not in made_before]
        assert len(nos) == n, (len(nos), n)

        def note(no):
            headers, body = fake.notification(fake.pay(no))
            return ("POST", "/api/v1/payment/wechat/notify", headers, body)

        notes = [note(no) for no in nos]  # signed now: their timestamps are fresh for the next minutes
        seq, par = notes[:n // 4], notes[n // 4:]
        phase("notify, first (credits) (1 conc.)", seq, 1, pids)
        first = phase("notify, first (credits) (%d conc.)" % CONC, par, CONC, pids)
        phase("notify, duplicate (1 conc.)", seq, 1, pids)
        dup = phase("notify, duplicate (%d conc.)" % CONC, notes, CONC, pids)
        base2 = phase("/healthz again (%d conc.)" % CONC, healthz, CONC, pids)
        in_list = ",".join("'%s'" % no for no in nos)
        paid = sql("SELECT COUNT(*) FROM payments_order WHERE status = 'paid' AND out_trade_no IN (%s)" % in_list)
        rows = sql("SELECT COUNT(*) FROM points_recharge_ledger WHERE ref_kind = 'order' AND ref_id IN (%s)" % in_list)
        assert int(paid[0][0]) == n and int(rows[0][0]) == n, (paid, rows)
        print("(app/ngx/db/cpu_ms: CPU milliseconds per request of zhimai-fcgi, nginx, MariaDB and their sum;\n"
              " sql: statements per request MariaDB received, transaction control included)")
        print("all %d orders paid, %d credits" % (n, n))
        hz_p99 = max(base["p99"], base2["p99"])
        hz_cpu = (base["cpu"] + base2["cpu"]) / 2
        for r in (first, dup):
            print("%s: p99 %.2f ms (target <= 20 ms; /healthz p99 %.2f ms in the same run, ratio %.1fx), "
                  "CPU %.2f ms per notification (%.1fx /healthz's %.3f ms), %.1f SQL statements" % (
                      r["name"], r["p99"], hz_p99, r["p99"] / hz_p99, r["cpu"], r["cpu"] / hz_cpu, hz_cpu, r["sql"]))
        print("%s: %.0f req/s, p99 %.2f ms, CPU %.2f ms per order here (the fake's signing is not counted)" % (
            orders["name"], orders["rps"], orders["p99"], orders["cpu"]))
    finally:
        restart({})
        fake.stop()
        tmp.cleanup()


if __name__ == "__main__":
    main()
