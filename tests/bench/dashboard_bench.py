#!/usr/bin/python3
"""The dashboard page's API calls for one load (issue 17: count them, and their total time).

Against a running stack (tests/bench/run.sh runs it on its own stack):

    ZM_VAR=build/benchstack /usr/bin/python3 tests/bench/dashboard_bench.py [loads]   (default 5)

A user with records to show (7 diagnoses, 3 interview predictions, 4 coming events, membership for
职场动态).  Chromium opens /dashboard signed in (dashboard_page.mjs, playwright-core from
tests/browser) `loads` times: every request to /api/ the page makes is counted (no endpoint may be
asked twice in one load) with its time.  Beside it, in the same run, serially timed: GET
/api/v1/dashboard (the one call) and the five endpoints a page assembling the same sections would call
(monthly-stats, the two histories, the news list, the events list), summed: the baseline.

Measured (ASan test build, 2 shared cores, load average 10-14 from other helpers' builds): one load
makes 3 API calls, each endpoint once: GET /api/v1/auth/me (the session's), GET
/api/v1/messages/unread-count (the header's badge) and GET /api/v1/dashboard; their total 48-268 ms
as the browser times them (the machine's noise), the page with every section 0.7-1.0 s.  Serially:
/healthz p50 0.77 ms; GET /api/v1/dashboard p50 3.7 ms, p99 19 ms; the five separate calls summed p50
6.6 ms, p99 182 ms (one call / five: 0.56x at p50).
"""
import collections
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
import zmtest  # noqa: E402
from zmtest import data_of, new_user, request  # noqa: E402
from benchlib import serial_latency  # noqa: E402

zmtest.IP_RANGES.setdefault("dashboard_bench.py", "127.38.")
HERE = os.path.dirname(os.path.abspath(__file__))
REQUESTS = 200
SEPARATE = ["/api/v1/monthly-stats", "/api/v1/resume-diagnosis/history?page_size=5",
            "/api/v1/interview-prep/history?page_size=5", "/api/v1/workplace-news/latest/list?page_size=5",
            "/api/v1/calendar/events?page_size=10&from=2026-01-01T00:00:00Z"]


def user_with_data():
    u = new_user("dbench")
    rows = []
    for i in range(10):
        kind = "diagnosis" if i < 7 else "interview"
        rows.append("(REPLACE(UUID(), '-', ''), %d, '%s', '%s', '%s', '岗位 %d', '描述', 10, 'done', %d, '{}', "
                    "UTC_TIMESTAMP(6) - INTERVAL %d MINUTE, UTC_TIMESTAMP(6))"
                    % (u["id"], kind, "0" * 32, "0" * 32, i, 60 + i, 100 - i))
    zmtest.sql("INSERT INTO zm_analysis (id, user_id, kind, resume_id, version_id, target_role, job_description, "
               "question_count, state, score, result, created_at, finished_at) VALUES " + ", ".join(rows))
    for i in range(4):
        data_of(request("POST", "/api/v1/calendar/events", {"title": "面试 %d" % i, "kind": "interview",
                                                            "starts_at": "2031-0%d-01T02:00:00Z" % (i + 1)},
                        token=u["access"]), 201, "event")
    p = subprocess.run([os.path.join(zmtest.ENV["ZM_BUILD"], "zhimai-admin"), "-c", zmtest.ENV["ZM_CONF"],
                        "recharge-credit", "--user", str(u["id"]), "--order", "db-%d" % u["id"], "--fen", "1000"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return u


def one_load(u):
    p = subprocess.run(["node", os.path.join(HERE, "dashboard_page.mjs"), zmtest.URL, u["access"], u.get("refresh", u["access"])],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    loads = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    u = user_with_data()
    d = data_of(request("GET", "/api/v1/dashboard", token=u["access"]), 200, "dashboard")
    assert len(d["diagnoses"]) == 5 and len(d["predictions"]) == 3 and len(d["events"]) == 4, d
    assert d["news"]["locked"] is False, d["news"]
    counts, totals, loadms = [], [], []
    for i in range(loads):
        r = one_load(u)
        per = collections.Counter(c["method"] + " " + c["path"].split("?")[0] for c in r["calls"])
        twice = [k for k, n in per.items() if n > 1]
        assert not twice, ("asked twice in one load", twice)
        assert all(c["status"] == 200 for c in r["calls"]), r["calls"]
        counts.append(len(r["calls"]))
        totals.append(sum(c["ms"] for c in r["calls"]))
        loadms.append(r["load_ms"])
        if i == 0:
            print("one dashboard load's API calls: %s" % ", ".join(
                "%s (%.1f ms)" % (c["method"] + " " + c["path"], c["ms"]) for c in r["calls"]))
    print("dashboard page, %d loads: %s API calls per load, their total time %s ms (median %.1f), "
          "page to every section %s ms" % (loads, sorted(set(counts)), ["%.1f" % t for t in totals],
                                           sorted(totals)[len(totals) // 2], loadms))
    floor, fp99, _ = serial_latency("/healthz", u["access"], REQUESTS)
    p50, p99, _ = serial_latency("/api/v1/dashboard", u["access"], REQUESTS)
    print("%-60s p50 %6.2f ms  p99 %6.2f ms" % ("/healthz (the floor)", floor, fp99))
    print("%-60s p50 %6.2f ms  p99 %6.2f ms  (%.1fx /healthz p50)" % ("GET /api/v1/dashboard (one call)", p50, p99,
                                                                      p50 / floor))
    s50 = s99 = 0.0
    for path in SEPARATE:
        a, b, _ = serial_latency(path, u["access"], REQUESTS)
        s50 += a
        s99 += b
        print("  %-58s p50 %6.2f ms  p99 %6.2f ms" % (path, a, b))
    print("%-60s p50 %6.2f ms  p99 %6.2f ms  one call / five: %.2fx (p50)" % (
        "the same sections as five calls (baseline), summed", s50, s99, p50 / s50))


if __name__ == "__main__":
    main()
