#!/usr/bin/python3
"""Integration test of the task queue: fcgi/tasks/ and zhimai-worker.

Runs against a live MariaDB (migrated) and starts ITS OWN zhimai-worker
master (2 runners, test handlers on, 2 s leases, 1 s backoff) with its own
pid file, wake-up port and log under a temporary directory, so it can kill
runners and stop the master.  Tasks are enqueued with the worker's enqueue
command (task_enqueue + task_wake) and with plain INSERTs, and read back with
its get command (task_get) and SQL.

Environment:
    ZM_WORKER_BIN   path to zhimai-worker
    ZM_WORKER_CONF  a configuration whose db.* reach the database
    ZM_DB_CLI       shell command prefix for the mariadb client on that
                    database, e.g. "mariadb --socket=/tmp/tq/mysqld.sock -uroot zhimai"
or, for a ./dev stack (what ctest's stack fixture passes), instead of those three:
    ZM_VAR          the stack's state directory: $ZM_VAR/stack.env names the
                    configuration, the client uses $ZM_VAR/client.cnf
    ZM_BUILD        the build directory holding zhimai-worker
Without them the test exits 77 (ctest: skipped).

The test's runners must be the only consumers of the queue: if the
configuration's own zhimai-worker (its tasks.pid_file) is running, it is
stopped for the test and started again afterwards.

    ZM_WORKER_BIN=build/zhimai-worker ZM_WORKER_CONF=/tmp/tq/zhimai.conf \\
    ZM_DB_CLI="mariadb --socket=/tmp/tq/mysqld.sock -uroot zhimai" /usr/bin/python3 tests/api/test_tasks.py
"""

import calendar
import json
import os
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

SKIP = 77


def load_env():
    """(worker binary, config path, db client prefix) or exit 77."""
    bin_ = os.environ.get("ZM_WORKER_BIN")
    conf = os.environ.get("ZM_WORKER_CONF")
    cli = os.environ.get("ZM_DB_CLI")
    var = os.environ.get("ZM_VAR")
    if var:
        # a ./dev stack: its stack.env names the configuration; client.cnf reaches its database
        vals = {}
        try:
            with open(os.path.join(var, "stack.env")) as f:
                for line in f:
                    if "=" in line:
                        k, v = line.rstrip("\n").split("=", 1)
                        vals[k] = v
        except OSError:
            pass
        conf = conf or vals.get("ZM_CONF") or os.path.join(var, "zhimai.conf")
        cli = cli or "mariadb --defaults-file=%s" % shlex.quote(os.path.join(var, "client.cnf"))
        build = os.environ.get("ZM_BUILD") or vals.get("ZM_BUILD")
        if not bin_ and build:
            bin_ = os.path.join(build, "zhimai-worker")
    missing = [n for n, v in (("ZM_WORKER_BIN", bin_), ("ZM_WORKER_CONF", conf), ("ZM_DB_CLI", cli)) if not v]
    if missing:
        print("skipped: set %s (or ZM_VAR and ZM_BUILD); see the docstring" % ", ".join(missing))
        sys.exit(SKIP)
    if not os.access(bin_, os.X_OK) or not os.path.isfile(conf):
        print("skipped: no %s" % (conf if os.access(bin_, os.X_OK) else bin_))
        sys.exit(SKIP)
    return os.path.abspath(bin_), os.path.abspath(conf), cli


BIN, CONF, DB_CLI = load_env()
TMP = tempfile.mkdtemp(prefix="zm_test_tasks_")
LOG = os.path.join(TMP, "worker.log")
PIDFILE = os.path.join(TMP, "worker.pid")
HOST = socket.gethostname()[:63]
POLL_MS = 2000  # long, so pickups well under it prove the wake-up works


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# The test's worker: everything that matters to the test is set here, over the file.
WORKER_ENV = dict(
    os.environ,
    ZM_TASKS_PID_FILE=PIDFILE,
    ZM_TASKS_WAKE_ADDR="127.0.0.1:%d" % free_udp_port(),
    ZM_TASKS_PROCESSES="2",
    ZM_TASKS_TEST_HANDLERS="1",
    ZM_TASKS_LEASE_S="2",
    ZM_TASKS_POLL_MS=str(POLL_MS),
    ZM_TASKS_BACKOFF_S="1",
    ZM_TASKS_BACKOFF_MAX_S="600",
    ZM_TASKS_MAX_ATTEMPTS="5",
    ZM_TASKS_PURGE_AFTER_DAYS="14",
    ZM_FCGI_GRACEFUL_TIMEOUT="30",
    ZM_LOG_FILE=LOG,
    ZM_LOG_LEVEL="info",
)
WORKER_ENV.setdefault("ASAN_OPTIONS", "detect_leaks=0")

# ---- database and worker helpers -------------------------------------------------


def unescape_batch(field):
    """mariadb -B escapes \\, tab, newline and NUL in values."""
    if field == "NULL":
        return None
    out, i = [], 0
    while i < len(field):
        c = field[i]
        if c == "\\" and i + 1 < len(field):
            n = field[i + 1]
            out.append({"t": "\t", "n": "\n", "0": "\0", "\\": "\\"}.get(n, n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def sql(query):
    """Rows of query (lists of str or None)."""
    p = subprocess.run(
        "%s --default-character-set=utf8mb4 -N -B -e %s" % (DB_CLI, shlex.quote(query)),
        shell=True, capture_output=True, text=True, timeout=30,
    )
    assert p.returncode == 0, "sql failed: %s\n%s" % (query, p.stderr)
    return [[unescape_batch(f) for f in line.split("\t")] for line in p.stdout.splitlines()]


def sql_one(query):
    rows = sql(query)
    return rows[0][0] if rows else None


def task_row(type_, payload, priority=1, state="queued", run_after="UTC_TIMESTAMP(6)", extra=None):
    """The INSERT of a row the way task_enqueue writes it, followed by a SELECT of its id."""
    cols = {
        "type": "'%s'" % type_,
        "payload": "'%s'" % json.dumps(payload),
        "priority": str(priority),
        "state": "'%s'" % state,
        "attempts": "0",
        "max_attempts": "5",
        "run_after": run_after,
        "created_at": "UTC_TIMESTAMP(6)",
        "updated_at": "UTC_TIMESTAMP(6)",
    }
    cols.update(extra or {})
    return "INSERT INTO zm_task (%s) VALUES (%s); SELECT LAST_INSERT_ID();" % (", ".join(cols), ", ".join(cols.values()))


def insert_task(type_, payload, **kw):
    """INSERT a row the way task_enqueue writes it; returns its id."""
    return int(sql(task_row(type_, payload, **kw))[-1][0])


def insert_tasks(*rows):
    """Several task_row()s in one transaction: runners see all of them at once, or none,
    however slow this machine is between statements.  Returns their ids in order."""
    out = sql("START TRANSACTION; %s COMMIT;" % " ".join(task_row(*r[:2], **(r[2] if len(r) > 2 else {})) for r in rows))
    return [int(r[0]) for r in out]


def worker_cli(*args, check=True):
    p = subprocess.run([BIN, "-c", CONF] + list(args), env=WORKER_ENV, capture_output=True, text=True, timeout=30)
    if check:
        assert p.returncode == 0, "zhimai-worker %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr)
    return p


def enqueue(type_, payload, *opts):
    return int(worker_cli("enqueue", type_, json.dumps(payload), *opts).stdout.strip())


def get(task_id):
    return json.loads(worker_cli("get", str(task_id)).stdout)


def wait_task(task_id, pred, timeout, what, interval=0.02):
    """Poll task_id until pred(task) holds; returns the task."""
    deadline = time.monotonic() + timeout
    while True:
        t = get(task_id)
        if pred(t):
            check_owner(t)
            return t
        assert time.monotonic() < deadline, "task %d: %s not reached in %.0f s; it is %s" % (
            task_id, what, timeout, json.dumps(t, ensure_ascii=False))
        time.sleep(interval)


def wait_done(task_id, timeout=10):
    return wait_task(task_id, lambda t: t["state"] in ("done", "failed"), timeout, "done or failed")


# ---- processes -----------------------------------------------------------------------------------

master = None
known_children = set()
paused_stack_worker = None


def children_of(pid):
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: split after the last ')'
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            kids.append(int(d))
    return kids


def runners():
    kids = children_of(master.pid) if master and master.poll() is None else []
    known_children.update(kids)
    return kids


def check_owner(t):
    """The task was claimed by one of this test's runners, not by a stranger on the same database."""
    owner = t.get("lease_owner")
    if not owner:
        return
    host, _, pid = owner.rpartition(":")
    if host == HOST and pid.isdigit() and int(pid) in known_children:
        return
    runners()
    assert host == HOST and pid.isdigit() and int(pid) in known_children, (
        "task %s was claimed by %s, not by this test's zhimai-worker (children %s): another zhimai-worker "
        "consumes this queue" % (t["id"], owner, sorted(known_children)))


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def wait_until(pred, timeout, what, interval=0.05):
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, "%s not reached in %.0f s" % (what, timeout)
        time.sleep(interval)


def start_master():
    global master
    out = open(os.path.join(TMP, "worker.out"), "ab")
    master = subprocess.Popen([BIN, "-c", CONF], env=WORKER_ENV, stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, start_new_session=True)
    out.close()
    wait_until(lambda: len(runners()) == 2 or master.poll() is not None, 10, "two runners")
    assert master.poll() is None, "zhimai-worker exited with %s; see %s" % (master.returncode, LOG)
    with open(PIDFILE) as f:
        assert int(f.read()) == master.pid, "the pid file names the master"


def stop_master():
    if master is None or master.poll() is not None:
        return
    master.send_signal(signal.SIGTERM)
    try:
        master.wait(timeout=40)
    except subprocess.TimeoutExpired:
        master.kill()
        master.wait()


def pause_stack_worker():
    """Stop the configuration's own zhimai-worker (a dev stack's), to be the queue's only consumer."""
    global paused_stack_worker
    env = {k: v for k, v in os.environ.items()}
    p = subprocess.run([BIN, "-c", CONF, "--get", "tasks.pid_file"], env=env, capture_output=True, text=True)
    path = p.stdout.strip()
    if p.returncode != 0 or not path or not os.path.isfile(path):
        return
    try:
        with open(path) as f:
            pid = int(f.read().strip() or 0)
    except (OSError, ValueError):
        return
    if pid <= 0 or not pid_alive(pid):
        return
    print("pausing the stack's zhimai-worker (pid %d, %s) while the test runs" % (pid, path))
    os.kill(pid, signal.SIGTERM)
    wait_until(lambda: not pid_alive(pid), 40, "the stack's zhimai-worker to stop")
    paused_stack_worker = env


def resume_stack_worker():
    if paused_stack_worker is None:
        return
    env = dict(paused_stack_worker)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")  # as ./dev starts it
    subprocess.Popen([BIN, "-c", CONF], env=env, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    print("restarted the stack's zhimai-worker")


def parse_ts(s):
    """Seconds since the epoch of a task_get timestamp (2026-11-22T10:01:02.345678Z)."""
    return calendar.timegm(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")) + float("0." + s[20:26]) if s else None


# ---- the tests ------------------------------------------------------------------------------------


def test_echo_done_and_fast():
    """test.echo runs with its result, picked up well under a second after enqueue (the wake-up, not polling)."""
    walls, servers = [], []
    for i in range(10):
        payload = {"i": i, "text": "职麦 \"quoted\" \\ back/slash"}
        t0 = time.monotonic()
        tid = enqueue("test.echo", payload)
        t = wait_task(tid, lambda t: t["state"] in ("done", "failed"), 5, "done", interval=0.005)
        walls.append(time.monotonic() - t0)
        assert t["state"] == "done", "echo %d done: %s" % (tid, t)
        assert t["result"] == payload, "result is the payload: %r" % (t["result"],)
        assert t["attempts"] == 1 and t["progress"] == 100 and t["error"] is None, "one clean attempt: %s" % t
        assert t["priority"] == 1 and t["max_attempts"] == 5, "CLI defaults normal priority, 5 attempts: %s" % t
        assert t["finished_at"] and t["started_at"] and t["created_at"] <= t["started_at"] <= t["finished_at"], \
            "timestamps in order: %s" % t
        servers.append(parse_ts(t["finished_at"]) - parse_ts(t["created_at"]))
        time.sleep(0.05)
    print("  pickup latency, enqueue to done: wall clock (includes the enqueue and get CLIs) median %.0f ms, "
          "max %.0f ms; server side created_at to finished_at median %.1f ms, max %.1f ms (poll fallback %d ms)"
          % (statistics.median(walls) * 1000, max(walls) * 1000, statistics.median(servers) * 1000,
             max(servers) * 1000, POLL_MS))
    # polling alone would take POLL_MS / 2 on average: the server-side median says whether the wake-up
    # worked, where the wall clock would also time the CLIs' start-up on a loaded machine
    assert statistics.median(servers) < POLL_MS / 2000.0, \
        "picked up by the wake-up, not the %d ms poll (median %.3f s)" % (POLL_MS, statistics.median(servers))


def test_enqueue_options_and_refusals():
    """The enqueue command's options land in the row; bad input is refused."""
    tid = enqueue("test.echo", {"x": 1}, "--priority", "low", "--max-attempts", "2", "--delay", "3600",
                  "--user", "42")
    row = sql("SELECT priority, max_attempts, user_id, state, "
              "TIMESTAMPDIFF(SECOND, created_at, run_after) FROM zm_task WHERE id = %d" % tid)[0]
    assert row[:4] == ["2", "2", "42", "queued"], "priority, attempts, user stored: %s" % row
    assert 3599 <= int(row[4]) <= 3600, "delay_s pushes run_after: %s" % row
    sql("DELETE FROM zm_task WHERE id = %d" % tid)
    for args in (["test.echo", "[1]"], ["test.echo", "{'a':1}"], ["test.echo", "{\"a\":NaN}"], ["", "{}"],
                 ["bad type", "{}"]):
        p = worker_cli("enqueue", *args, check=False)
        assert p.returncode == 1 and "refused" in p.stderr, "enqueue %r refused: %s %s" % (args, p.returncode,
                                                                                           p.stderr)
    p = worker_cli("enqueue", "test.echo", "{}", "--priority", "urgent", check=False)
    assert p.returncode == 2, "a bad priority is a usage error"
    p = worker_cli("get", "999999999999", check=False)
    assert p.returncode == 1 and "no such task" in p.stderr, "get of a missing task: %s" % p.stderr


def test_dedupe():
    """Two enqueues with one dedupe key give one row and the same id."""
    key = "test:dedupe:%d:%d" % (os.getpid(), time.time_ns())
    a = enqueue("test.echo", {"n": 1}, "--dedupe", key)
    b = enqueue("test.echo", {"n": 2}, "--dedupe", key)
    assert a == b, "the second enqueue returns the first task's id (%d vs %d)" % (a, b)
    assert sql_one("SELECT COUNT(*) FROM zm_task WHERE dedupe_key = '%s'" % key) == "1", "one row for the key"
    t = wait_done(a)
    assert t["state"] == "done" and t["result"] == {"n": 1}, "the first payload ran: %s" % t
    c = enqueue("test.echo", {"n": 3}, "--dedupe", key)
    assert c == a, "still the same task once it is done"


def test_priority_order():
    """With both runners busy, a high task enqueued after a low one runs first; normal in between."""
    slow = enqueue("test.sleep", {"ms": 4000})
    wait_task(slow, lambda t: t["state"] == "running", 5, "running")
    short = enqueue("test.sleep", {"ms": 1200})
    t = wait_task(short, lambda t: t["state"] == "running", 5, "running")
    assert t["lease_owner"] != get(slow)["lease_owner"], "the two sleeps run on different runners"
    # committed together, so a runner coming free claims by priority, not by which row landed first
    low, normal, high = insert_tasks(("test.echo", {"p": "low"}, {"priority": 2}),
                                     ("test.echo", {"p": "normal"}, {"priority": 1}),
                                     ("test.echo", {"p": "high"}, {"priority": 0}))
    done = [wait_done(i, 10) for i in (high, normal, low)]
    assert all(t["state"] == "done" for t in done), "all three done: %s" % done
    starts = [t["started_at"] for t in done]
    assert starts[0] < starts[1] < starts[2], "claimed high, normal, low in that order: %s" % starts
    assert get(slow)["state"] == "running", "while the other runner was still busy"
    wait_done(slow, 10)
    wait_done(short, 10)


def observe_retries(ids, timeout):
    """Poll the tasks until all are finished; returns {id: {attempts: (run_after - updated_at) in us, error}}."""
    seen = {i: {} for i in ids}
    deadline = time.monotonic() + timeout
    while True:
        rows = sql("SELECT id, state, attempts, TIMESTAMPDIFF(MICROSECOND, updated_at, run_after), error "
                   "FROM zm_task WHERE id IN (%s)" % ",".join(map(str, ids)))
        for tid, state, attempts, delay_us, err in rows:
            if state == "queued" and int(attempts) > 0:
                seen[int(tid)][int(attempts)] = (int(delay_us), json.loads(err) if err else None)
        if all(r[1] in ("done", "failed") for r in rows):
            return seen
        assert time.monotonic() < deadline, "retries not finished in %d s: %s" % (timeout, rows)
        time.sleep(0.05)


def test_retries_backoff_and_failures():
    """times=2 is retried to done on attempt 3; permanent and exhausted tasks fail with the error; backoff doubles."""
    t0 = time.monotonic()
    # one transaction, then observe at once: a task is queued for a retry for only 1 s after its
    # first attempt, less than four CLI enqueues take on a loaded machine
    retried, permanent, exhausted, unknown = insert_tasks(
        ("test.fail", {"times": 2}),
        ("test.fail", {"permanent": True}),
        ("test.fail", {"times": 10}, {"extra": {"max_attempts": "3"}}),
        ("test.no_such_type", {}))
    seen = observe_retries([retried, permanent, exhausted, unknown], 30)
    elapsed = time.monotonic() - t0

    t = get(retried)
    assert t["state"] == "done" and t["attempts"] == 3, "retried to done on attempt 3: %s" % t
    assert t["result"] == {"attempts": 3} and t["error"] is None, "result of the third attempt: %s" % t
    for tid in (retried, exhausted):
        s = seen[tid]
        assert set(s) == {1, 2}, "task %d seen queued after attempts 1 and 2: %s" % (tid, s)
        assert s[1][0] == 1000000 and s[2][0] == 2000000, \
            "backoff 1 s then 2 s (run_after - failure time, us): %s" % s
        assert s[1][1] is not None and "attempt 1 of" in s[1][1]["reason"] and s[1][1]["attempts"] == 1, \
            "the error is kept while it waits: %s" % s
    assert elapsed >= 3.0, "two backoffs (1 s + 2 s) were waited out, %.1f s" % elapsed

    t = get(permanent)
    assert t["state"] == "failed" and t["attempts"] == 1, "permanent failure after one attempt: %s" % t
    assert t["error"] == {"reason": "failing for good, as asked", "attempts": 1}, "its error: %s" % t["error"]
    assert t["finished_at"] and t["result"] is None, "finished, no result: %s" % t
    assert seen[permanent] == {}, "never requeued"

    t = get(exhausted)
    assert t["state"] == "failed" and t["attempts"] == 3, "failed after max_attempts=3: %s" % t
    assert t["error"] == {"reason": "failing on purpose: attempt 3 of 10", "attempts": 3}, "error: %s" % t["error"]

    t = get(unknown)
    assert t["state"] == "failed" and t["attempts"] == 1, "an unknown type fails at once: %s" % t
    assert t["error"]["reason"] == "unknown task type 'test.no_such_type'", "clear error: %s" % t["error"]


def test_no_task_runs_twice():
    """40 tasks, two runners competing for them: each runs exactly once."""
    # 25 ms each: a second of work, so both runners are at it whatever the timing (sanitizer builds are slow)
    values = ", ".join(
        "('test.sleep', '{\"ms\": 25, \"n\": %d}', 1, 'queued', 0, 5, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), "
        "UTC_TIMESTAMP(6))" % i for i in range(40))
    rows = sql("INSERT INTO zm_task (type, payload, priority, state, attempts, max_attempts, run_after, created_at,"
               " updated_at) VALUES %s; SELECT LAST_INSERT_ID(), ROW_COUNT();" % values)
    first, count = int(rows[-1][0]), int(rows[-1][1])
    assert count == 40, "40 rows inserted"
    ids = list(range(first, first + 40))
    # INSERTs wake no one: two wake-ups (a busy runner leaves the shared port, so the second reaches the other)
    enqueue("test.echo", {"wake": 1})
    enqueue("test.echo", {"wake": 2})
    id_list = ",".join(map(str, ids))

    def finished():
        return sql_one("SELECT COUNT(*) FROM zm_task WHERE id IN (%s) AND state IN ('done', 'failed')"
                       % id_list) == "40"

    wait_until(finished, 30, "40 tasks finished")
    rows = sql("SELECT id, state, attempts, JSON_EXTRACT(payload, '$.n'), JSON_EXTRACT(result, '$.slept_ms'),"
               " lease_owner FROM zm_task WHERE id IN (%s)" % id_list)
    for tid, state, attempts, n, slept, owner in rows:
        assert state == "done" and attempts == "1", "task %s done in one attempt: %s %s" % (tid, state, attempts)
        assert int(n) == int(tid) - first and slept == "25", "task %s ran its own payload" % tid
        check_owner({"id": tid, "lease_owner": owner})
    with open(LOG) as f:
        log = f.read()
    for tid in ids:
        starts = [line for line in log.splitlines() if ": task %d test.sleep: attempt " % tid in line
                  and line.endswith(" started")]
        assert len(starts) == 1, "task %d logged as started %d times: %s" % (tid, len(starts), starts)
    owners = {}
    for r in rows:
        owners[r[5]] = owners.get(r[5], 0) + 1
    print("  40 tasks ran once each; per runner: %s" % ", ".join(str(n) for n in sorted(owners.values())))
    assert len(owners) == 2, "both runners took part, so they competed: %s" % owners


def test_purge():
    """maintenance.purge deletes tasks finished 30 days ago and keeps a recent one and unfinished ones."""
    old = "UTC_TIMESTAMP(6) - INTERVAL 30 DAY"
    old_done = insert_task("test.echo", {}, state="done", extra={"finished_at": old, "created_at": old})
    old_failed = insert_task("test.echo", {}, state="failed", extra={"finished_at": old, "created_at": old})
    recent = insert_task("test.echo", {}, state="done", extra={"finished_at": "UTC_TIMESTAMP(6) - INTERVAL 1 DAY"})
    waiting = insert_task("test.echo", {}, run_after="UTC_TIMESTAMP(6) + INTERVAL 1 DAY", extra={"created_at": old})
    tid = enqueue("maintenance.purge", {})
    t = wait_done(tid)
    assert t["state"] == "done", "purge done: %s" % t
    assert t["result"]["purged"]["tasks"] >= 2, "it counts what it deleted: %s" % t["result"]
    left = {int(r[0]) for r in sql("SELECT id FROM zm_task WHERE id IN (%d, %d, %d, %d)"
                                   % (old_done, old_failed, recent, waiting))}
    assert left == {recent, waiting}, "old finished tasks gone, recent and unfinished kept: %s" % left
    sql("DELETE FROM zm_task WHERE id = %d" % waiting)
    hourly = sql_one("SELECT COUNT(*) FROM zm_task WHERE dedupe_key = CONCAT('maintenance.purge:', "
                     "DATE_FORMAT(UTC_TIMESTAMP(), '%Y%m%d%H'))")
    assert hourly == "1", "the runners enqueued this hour's purge exactly once"


def test_lease_expiry_after_kill():
    """A runner SIGKILLed mid-task: the task is requeued when its lease expires, and completes."""
    tid = enqueue("test.sleep", {"ms": 3000})
    t = wait_task(tid, lambda t: t["state"] == "running" and t["progress"] > 0, 5, "running with progress")
    owner = t["lease_owner"]
    pid = int(owner.rpartition(":")[2])
    assert pid in runners(), "the lease owner %s is one of our runners %s" % (owner, runners())
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    t = wait_task(tid, lambda t: t["state"] != "running" or t["lease_owner"] != owner, 10, "requeued")
    requeued_after = time.monotonic() - killed
    t = wait_done(tid, 15)
    assert t["state"] == "done" and t["attempts"] == 2, "done on the second attempt: %s" % t
    assert t["result"] == {"slept_ms": 3000}, "with its result: %s" % t
    assert t["lease_owner"] != owner, "by another runner"
    # test.sleep renews its lease with each progress report (every 50 ms), so it ran out ~2 s after the kill
    assert requeued_after > 1.5, "not before the lease expired (%.1f s)" % requeued_after
    print("  killed runner's task picked up again %.1f s after the kill (lease 2 s)" % requeued_after)
    wait_until(lambda: len(runners()) == 2, 10, "the master replacing the killed runner")
    assert pid not in runners(), "the killed runner is gone"


def test_lease_expiry_on_last_attempt_fails():
    """A killed runner's task with no attempts left is failed by the reaper, with the reason."""
    tid = enqueue("test.sleep", {"ms": 3000}, "--max-attempts", "1")
    t = wait_task(tid, lambda t: t["state"] == "running" and t["progress"] > 0, 5, "running with progress")
    owner = t["lease_owner"]
    os.kill(int(owner.rpartition(":")[2]), signal.SIGKILL)
    t = wait_done(tid, 10)
    assert t["state"] == "failed" and t["attempts"] == 1, "failed without another attempt: %s" % t
    assert t["error"] == {"reason": "lease expired", "attempts": 1, "lease_owner": owner}, "error: %s" % t["error"]
    assert t["finished_at"], "finished"
    wait_until(lambda: len(runners()) == 2, 10, "the master replacing the killed runner")


def test_sighup_replaces_runners():
    """SIGHUP: a new generation of runners; a task running at that moment still finishes on the old one."""
    old = set(runners())
    tid = enqueue("test.sleep", {"ms": 1500})
    owner = wait_task(tid, lambda t: t["state"] == "running", 5, "running")["lease_owner"]
    master.send_signal(signal.SIGHUP)
    wait_until(lambda: len(set(runners()) - old) == 2 and not (set(runners()) & old), 10,
               "two new runners and none of the old")
    t = get(tid)
    assert t["state"] == "done" and t["attempts"] == 1 and t["lease_owner"] == owner, \
        "the running task finished on its runner: %s" % t
    tid = enqueue("test.echo", {"after": "reload"})
    t = wait_done(tid, 5)
    assert t["state"] == "done" and int(t["lease_owner"].rpartition(":")[2]) not in old, \
        "the new runners work: %s" % t


def test_sigterm_lets_task_finish():
    """SIGTERM on the master while a task runs: the task finishes, then everything exits."""
    tid = enqueue("test.sleep", {"ms": 2000})
    wait_task(tid, lambda t: t["state"] == "running", 5, "running")
    kids = runners()
    master.send_signal(signal.SIGTERM)
    t0 = time.monotonic()
    time.sleep(0.5)
    assert master.poll() is None, "the master waits for the running task"
    master.wait(timeout=30)
    took = time.monotonic() - t0
    t = get(tid)
    assert t["state"] == "done" and t["attempts"] == 1, "the task finished before the exit: %s" % t
    assert t["result"] == {"slept_ms": 2000}, "with its result"
    assert master.returncode == 0, "clean exit, status %s" % master.returncode
    assert not any(pid_alive(p) for p in kids), "the runners exited too"
    assert not os.path.exists(PIDFILE), "the pid file is removed"
    assert took < 5, "it stopped soon after the task (%.1f s)" % took
    with open(LOG) as f:
        log = f.read()
    assert "zhimai-worker: stopped" in log, "the master logged its stop"


TESTS = [
    test_echo_done_and_fast,
    test_enqueue_options_and_refusals,
    test_dedupe,
    test_priority_order,
    test_retries_backoff_and_failures,
    test_no_task_runs_twice,
    test_purge,
    test_lease_expiry_after_kill,
    test_lease_expiry_on_last_attempt_fails,
    test_sighup_replaces_runners,
    test_sigterm_lets_task_finish,  # last: it stops the worker
]


def main():
    passed = failed = 0
    try:
        # leftovers of an interrupted run would keep our runners busy
        sql("DELETE FROM zm_task WHERE type LIKE 'test.%' AND state IN ('queued', 'running')")
        pause_stack_worker()
        start_master()
        for fn in TESTS:
            t0 = time.monotonic()
            try:
                fn()
                passed += 1
                print("ok    %s (%.1f s)" % (fn.__name__, time.monotonic() - t0))
            except Exception:
                failed += 1
                print("FAIL  %s (%.1f s)" % (fn.__name__, time.monotonic() - t0))
                traceback.print_exc()
                if master.poll() is not None and fn is not TESTS[-1]:
                    print("the worker died; restarting it")
                    start_master()
    except Exception:
        failed += 1
        print("FAIL  setup")
        traceback.print_exc()
    finally:
        stop_master()
        resume_stack_worker()
    if failed and os.path.exists(LOG):
        print("---- worker log (%s) ----" % LOG)
        with open(LOG) as f:
            sys.stdout.write(f.read()[-20000:])
    else:
        shutil.rmtree(TMP, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
