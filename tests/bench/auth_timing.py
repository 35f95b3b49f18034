#!/usr/bin/python3
"""Does answering tell a registered address from an unknown one by time?

For POST /api/v1/auth/password/reset and /api/v1/auth/resend-verification:
N requests for registered addresses and N for unknown ones, interleaved, each
from its own client address (a loopback address it connects from, on a test
stack) and for its own email, so no rate limit is reached.  Prints the median
and mean of either kind and their difference with a rough 95 % interval (a
bootstrap of the median difference).  The answers are also compared byte for
byte.  Not a test (timing on a shared machine is noise); the outside audit
measured 1.5 ms over 200 samples before both paths did the same work.

Against a running test stack (ZM_TEST_STACK=1 ./dev up, or ./dev test's
build-test/teststack while it runs; ZM_VAR names it):

    ZM_VAR=/tmp/authtest /usr/bin/python3 tests/bench/auth_timing.py [N]     (default 200)

Registering the N known addresses first takes a while (one password hash each).
"""
import os
import random
import statistics
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))

from zmtest import PASSWORD, fresh_ip, request  # noqa: E402  (zmtest finds the stack from ZM_VAR)

IP_PREFIX = "127.60."  # a loopback range no test file uses: each request connects from its own address
RUN = uuid.uuid4().hex[:8]


def email(kind, i):
    return "tm%s-%s-%05d@example.com" % (kind, RUN, i)  # the same length for both kinds


def timed(path, addr):
    t0 = time.perf_counter()
    r = request("POST", "/api/v1/auth/" + path, {"email": addr}, ip=fresh_ip(IP_PREFIX))
    return (time.perf_counter() - t0) * 1000.0, r


def boot_interval(a, b, rounds=2000):
    diffs = []
    for _ in range(rounds):
        sa = [random.choice(a) for _ in a]
        sb = [random.choice(b) for _ in b]
        diffs.append(statistics.median(sa) - statistics.median(sb))
    diffs.sort()
    return diffs[int(0.025 * rounds)], diffs[int(0.975 * rounds) - 1]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    print("registering %d addresses ..." % n, flush=True)
    for i in range(n):
        r = request("POST", "/api/v1/auth/register", {"email": email("k", i), "password": PASSWORD},
                    ip=fresh_ip(IP_PREFIX))
        if r.status != 201:
            sys.exit("register: %r" % r)
    for path in ("password/reset", "resend-verification"):
        known, unknown, bodies = [], [], set()
        order = [("k", i) for i in range(n)] + [("u", i) for i in range(n)]
        random.shuffle(order)
        for kind, i in order:
            ms, r = timed(path, email(kind, i))
            if r.status != 200:
                sys.exit("%s: %r" % (path, r))
            bodies.add(r.body)
            (known if kind == "k" else unknown).append(ms)
        lo, hi = boot_interval(known, unknown)
        print("%-20s known: median %.2f ms, mean %.2f ms | unknown: median %.2f ms, mean %.2f ms | "
              "median difference %+.2f ms (95%% %+.2f .. %+.2f) | %s" % (
                  path, statistics.median(known), statistics.mean(known), statistics.median(unknown),
                  statistics.mean(unknown), statistics.median(known) - statistics.median(unknown), lo, hi,
                  "one answer" if len(bodies) == 1 else "%d different answers!" % len(bodies)))


if __name__ == "__main__":
    main()
