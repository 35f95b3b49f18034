"""What the Python benches share: SQL scripts run on the stack's database, serial request latencies,
and a query's cost inside the database.  Import after zmtest (the benches put tests/api on sys.path)."""
import os
import statistics
import subprocess
import time

import zmtest


def mysql(script):
    """Run an SQL script on the stack's database (its client.cnf), quietly; raises on an error."""
    subprocess.run(["mariadb", "--defaults-file=" + os.path.join(zmtest.VAR, "client.cnf"), "-N", "-B"],
                   input=script, check=True, text=True, capture_output=True)


def serial_latency(path, token, requests=300, warmup=10):
    """GET path `requests` times one after another (the first `warmup` not counted), each must answer
    200: (p50, p99, max) in milliseconds."""
    lat = []
    for i in range(requests):
        t0 = time.perf_counter()
        r = zmtest.request("GET", path, token=token)
        dt = (time.perf_counter() - t0) * 1000
        assert r.status == 200, (path, r)
        if i >= warmup:
            lat.append(dt)
    lat.sort()
    return statistics.median(lat), lat[int(len(lat) * 0.99) - 1], lat[-1]


def db_query_ms(query, n):
    """One query's mean time inside the database in milliseconds: n of them in one script, minus n
    SELECT 1 (the client's start and the round trips)."""
    t0 = time.perf_counter()
    mysql((query.rstrip().rstrip(";") + ";\n") * n)
    t1 = time.perf_counter()
    mysql("SELECT 1;\n" * n)
    t2 = time.perf_counter()
    return ((t1 - t0) - (t2 - t1)) * 1000 / n
