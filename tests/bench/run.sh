#!/usr/bin/env bash
# Benchmark: wrk through nginx against /healthz (with its database ping),
# against nginx answering by itself, against a bare libfcgi hello-world
# with the same number of processes on the same kind of socket, and
# GET /api/resumes against the seeds' own stack (tests/bench/django: Django 3.2,
# DRF, simplejwt under gunicorn with 5 sync workers) on the same database with
# the same token -- all in one run, behind one nginx, so the ratios compare like
# with like.
#
#   tests/bench/run.sh [seconds] [connections]      (defaults: 10 s, 64)
#
# Then, on the same stack: points (tests/bench/points_bench.py), payments (tests/bench/payments_bench.py:
# WeChat Pay notifications and orders against the local fake; ZM_BENCH_PAYMENTS orders, 0 skips it),
# the mock interview (tests/bench/interview_bench.py; ZM_BENCH_INTERVIEW sessions, 0 skips it),
# matching, and the jobs benchmark (tests/bench/jobs_bench.py: search, sync lag, full resync);
# ZM_BENCH_JOBS sets how many jobs it generates (default 100000; 0 skips it).
#
# It starts its own Release stack in build/benchstack and stops it after.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECS=${1:-10}
CONNS=${2:-64}
BUILD=${ZM_BUILD:-$ROOT/build}
export ZM_VAR=$BUILD/benchstack ZM_BUILD=$BUILD ZM_PORT=auto
command -v wrk >/dev/null || "$ROOT/dev" install

"$ROOT/dev" up >/dev/null
trap 'kill $HELLO_PID $DJANGO_PID 2>/dev/null; nginx -p "$ZM_VAR/bench" -c "$ZM_VAR/bench/nginx.conf" -s quit 2>/dev/null; "$ROOT/dev" down >/dev/null' EXIT

WORKERS=$("$BUILD/zhimai-fcgi" -c "$ZM_VAR/zhimai.conf" --get fcgi.workers)
[ "$WORKERS" = 0 ] && WORKERS=$(nproc)
FCGI_SOCK=$("$BUILD/zhimai-fcgi" -c "$ZM_VAR/zhimai.conf" --get fcgi.listen)
FCGI_PIDFILE=$("$BUILD/zhimai-fcgi" -c "$ZM_VAR/zhimai.conf" --get fcgi.pid_file)
DBSOCK=$(. "$ZM_VAR/stack.env"; echo "$ZM_DB_SOCKET")

mkdir -p "$ZM_VAR/bench"
cc -O2 -o "$ZM_VAR/bench/hello_fcgi" "$ROOT/tests/bench/hello_fcgi.c" -lfcgi
"$ZM_VAR/bench/hello_fcgi" "$ZM_VAR/bench/hello.sock" "$WORKERS" </dev/null >/dev/null 2>&1 &
HELLO_PID=$!

# the seeds' stack: gunicorn with 5 sync workers on a unix socket, as seed 001 deploys it
# (Debian's python3, which has Django 3.2, DRF, simplejwt and mysqlclient)
conf() { "$BUILD/zhimai-fcgi" -c "$ZM_VAR/zhimai.conf" --get "$1"; }
rm -f "$ZM_VAR/bench/django.sock"
ZM_DJANGO_JWT_KEY=$(conf auth.jwt_secret) ZM_DJANGO_DB_NAME=$(conf db.name) ZM_DJANGO_DB_USER=$(conf db.user) \
    ZM_DJANGO_DB_PASSWORD=$(conf db.password) ZM_DJANGO_DB_SOCKET=$(conf db.socket) \
    /usr/bin/python3 /usr/bin/gunicorn --workers 5 --worker-class sync --bind "unix:$ZM_VAR/bench/django.sock" \
    --chdir "$ROOT/tests/bench/django" --error-logfile "$ZM_VAR/bench/gunicorn.log" --log-level warning \
    benchsite.wsgi:application </dev/null >/dev/null 2>&1 &
DJANGO_PID=$!
for _ in $(seq 1 100); do [ -S "$ZM_VAR/bench/django.sock" ] && break; sleep 0.1; done
[ -S "$ZM_VAR/bench/django.sock" ] || { echo "bench: gunicorn did not start; see $ZM_VAR/bench/gunicorn.log" >&2; exit 1; }

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
USER_LINE=""
[ "$(id -u)" = 0 ] && USER_LINE="user www-data;"
cat >"$ZM_VAR/bench/nginx.conf" <<NGINX
$USER_LINE
worker_processes 1;
pid $ZM_VAR/bench/nginx.pid;
error_log $ZM_VAR/bench/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $ZM_VAR/bench/tmp;
    fastcgi_temp_path $ZM_VAR/bench/tmp;
    server {
        listen 127.0.0.1:$PORT;
        location = /static { default_type application/json; return 200 '{"success":true,"data":{"status":"ok"}}'; }
        location = /hello { fastcgi_pass unix:$ZM_VAR/bench/hello.sock; include /etc/nginx/fastcgi_params; }
        location = /healthz { fastcgi_pass unix:$FCGI_SOCK; include /etc/nginx/fastcgi_params;
                              fastcgi_param REQUEST_ID \$request_id; }
        location /api/ { fastcgi_pass unix:$FCGI_SOCK; include /etc/nginx/fastcgi_params;
                         fastcgi_param REQUEST_ID \$request_id; client_max_body_size 11m; }
        location /django/ { proxy_pass http://unix:$ZM_VAR/bench/django.sock:/; proxy_set_header Host \$host; }
    }
}
NGINX
nginx -p "$ZM_VAR/bench" -c "$ZM_VAR/bench/nginx.conf"
sleep 0.5

# CPU time (clock ticks) a server has used: its master, the children it reaped, the running ones.
# Per request it is a steadier figure than req/s on a machine others share.
ticks() { # master-pid
    local t=0 p f
    for p in "$1" $(pgrep -P "$1"); do
        read -ra f <<<"$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null)" || continue
        [ ${#f[@]} -gt 14 ] || continue
        t=$((t + f[11] + f[12]))                    # utime, stime
        [ "$p" = "$1" ] && t=$((t + f[13] + f[14])) # cutime, cstime
    done
    echo "$t"
}
cpu_all() { # -> ticks of the app servers (zhimai-fcgi, gunicorn), nginx, MariaDB
    echo "$(($(ticks "$(cat "$FCGI_PIDFILE")") + $(ticks "$DJANGO_PID"))) $(ticks "$(cat "$ZM_VAR/bench/nginx.pid")")" \
        "$(ticks "$(cat "$(dirname "$DBSOCK")/mysqld.pid")")"
}

run() { # path [header] -> "rps p50_ms p99_ms app_us nginx_us db_us" (CPU microseconds per request)
    local out hdr=() before after
    [ -n "${2:-}" ] && hdr=(-H "$2")
    curl -sf -o /dev/null "${hdr[@]}" "http://127.0.0.1:$PORT$1" || { echo "bench: $1 does not answer 200" >&2; exit 1; }
    wrk -t2 -c"$CONNS" -d2s "${hdr[@]}" "http://127.0.0.1:$PORT$1" >/dev/null # warm up
    before=$(cpu_all)
    out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "${hdr[@]}" "http://127.0.0.1:$PORT$1")
    after=$(cpu_all)
    if echo "$out" | grep -q "Non-2xx"; then echo "bench: $1 answered non-2xx under load" >&2; echo "$out" >&2; exit 1; fi
    python3 - "$out" "$before" "$after" "$(getconf CLK_TCK)" <<'PY'
import re, sys
out, before, after, hz = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), int(sys.argv[4])
def ms(label):
    m = re.search(r"^\s+%s\s+([\d.]+)(us|ms|s)\s*$" % label, out, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
n = int(re.search(r"(\d+) requests in", out).group(1))
us = ["%.0f" % ((int(a) - int(b)) * 1e6 / hz / n) for a, b in zip(after, before)]
print("%.0f %.3f %.3f %s" % (rps, ms("50%"), ms("99%"), " ".join(us)))
PY
}

# a seeker with 10 resumes, for GET /api/resumes (JWT check + one indexed query + JSON)
EMAIL="bench-$(date +%s%N)@zhimai.test"
api() { curl -sf -X "$1" "http://127.0.0.1:$PORT$2" "${@:3}"; }
api POST /api/v1/auth/register -H 'Content-Type: application/json' \
    -d "{\"email\":\"$EMAIL\",\"password\":\"bench-password-1\"}" >/dev/null
TOKEN=$(api POST /api/v1/auth/login -H 'Content-Type: application/json' \
    -d "{\"email\":\"$EMAIL\",\"password\":\"bench-password-1\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["access"])')
printf '张三\n高级后端工程师\n技能：C, MySQL, Linux\n' >"$ZM_VAR/bench/resume.txt"
for i in $(seq 1 10); do
    api POST /api/resumes -H "Authorization: Bearer $TOKEN" -F "file=@$ZM_VAR/bench/resume.txt" -F "name=简历 $i" >/dev/null
done

# both stacks must answer this user the same list before either is timed
AUTH="Authorization: Bearer $TOKEN"
for s in zhimai django; do
    prefix=""
    [ $s = django ] && prefix=/django
    curl -s -o "$ZM_VAR/bench/$s.json" -w '%{http_code}' -H "$AUTH" "http://127.0.0.1:$PORT$prefix/api/resumes" \
        >"$ZM_VAR/bench/$s.status"
done
python3 "$ROOT/tests/bench/same_list.py" "$ZM_VAR/bench"

read -r S_RPS S_P50 S_P99 _ < <(run /static)
read -r H_RPS H_P50 H_P99 _ < <(run /hello)
read -r Z_RPS Z_P50 Z_P99 _ < <(run /healthz)
read -r R_RPS R_P50 R_P99 R_APP R_NGX R_DB < <(run /api/resumes "$AUTH")
read -r D_RPS D_P50 D_P99 D_APP D_NGX D_DB < <(run /django/api/resumes "$AUTH")
# the same lists with MariaDB's query cache switched off (as on MySQL 8, which has none)
mariadb --no-defaults -S "$DBSOCK" -u"$(id -un)" -e "SET GLOBAL query_cache_size = 0"
read -r N_RPS N_P50 N_P99 N_APP N_NGX N_DB < <(run /api/resumes "$AUTH")
read -r M_RPS M_P50 M_P99 M_APP M_NGX M_DB < <(run /django/api/resumes "$AUTH")

printf '\nwrk -t2 -c%s -d%ss through nginx (%s FastCGI processes each; Django: gunicorn, 5 sync workers)\n' \
    "$CONNS" "$SECS" "$WORKERS"
row() { printf '%-34s %9s %8s %8s %8s %8s %8s\n' "$@"; }
row target req/s p50_ms p99_ms app_us nginx_us db_us
row "nginx static return" "$S_RPS" "$S_P50" "$S_P99"
row "bare libfcgi hello-world" "$H_RPS" "$H_P50" "$H_P99"
row "zhimai /healthz (db ping)" "$Z_RPS" "$Z_P50" "$Z_P99"
row "zhimai GET /api/resumes (10)" "$R_RPS" "$R_P50" "$R_P99" "$R_APP" "$R_NGX" "$R_DB"
row "Django+DRF GET /api/resumes (10)" "$D_RPS" "$D_P50" "$D_P99" "$D_APP" "$D_NGX" "$D_DB"
row "zhimai, no query cache" "$N_RPS" "$N_P50" "$N_P99" "$N_APP" "$N_NGX" "$N_DB"
row "Django+DRF, no query cache" "$M_RPS" "$M_P50" "$M_P99" "$M_APP" "$M_NGX" "$M_DB"
printf '(*_us: CPU microseconds per request of the app server, nginx and MariaDB)\n'
python3 - "$S_RPS" "$H_RPS" "$Z_RPS" "$Z_P99" "$R_RPS" "$R_P99" "$D_RPS" "$N_RPS" "$N_P99" "$M_RPS" \
    "$((R_APP + R_NGX + R_DB))" "$((D_APP + D_NGX + D_DB))" <<'PY'
import sys
s, h, z, p99, r, rp99, d, n, np99, m, rcpu, dcpu = map(float, sys.argv[1:])
print("\n/healthz vs hello-world: %.0f%%   (target >= 60%%)" % (100 * z / h))
print("/healthz vs nginx static: %.0f%%" % (100 * z / s))
print("/healthz p99: %.2f ms   (target < 10 ms)" % p99)
print("GET /api/resumes vs /healthz: %.0f%%   (target >= 50%%)" % (100 * r / z))
print("GET /api/resumes zhimai / Django: %.1fx   (target >= 15x)" % (r / d))
print("GET /api/resumes CPU per request, Django / zhimai: %.1fx (%.0f us / %.0f us)" % (dcpu / rcpu, dcpu, rcpu))
print("GET /api/resumes p99: %.2f ms   (target <= 10 ms)" % rp99)
print("without the query cache: zhimai / Django %.1fx, zhimai p99 %.2f ms, vs /healthz %.0f%%"
      % (n / m, np99, 100 * n / z))
PY

# points: balance and history reads at 1M ledger rows of one user (issue 15); generated once per benchstack
printf '\n'
python3 "$ROOT/tests/bench/points_bench.py" 1000000
# the message center (issue 17): a broadcast to 100k users is one row; unread count, lists, read-all
printf '\n'
python3 "$ROOT/tests/bench/messages_bench.py" 100000 1000 2000 || echo "bench: messages failed" >&2
# the mock interview (issue 18): 50 concurrent builtin sessions answering at once, answer -> first
# streamed token (p95 target <= 200 ms) beside /healthz, FastCGI busy time per turn.
# ZM_BENCH_INTERVIEW sets the sessions (0 skips it).
if [ "${ZM_BENCH_INTERVIEW:-50}" != 0 ]; then
    printf '\n== mock interview (tests/bench/interview_bench.py %s)\n' "${ZM_BENCH_INTERVIEW:-50}"
    /usr/bin/python3 "$ROOT/tests/bench/interview_bench.py" "${ZM_BENCH_INTERVIEW:-50}" ||
        echo "bench: interview missed a target" >&2
fi
# payments (issue 15): one notification's verification + decryption in C (per call), then through nginx
# against the local WeChat Pay fake: order creation, notification handling (first and duplicate) at 32
# concurrent, beside /healthz in the same run.  ZM_BENCH_PAYMENTS sets the orders (0 skips it).
if [ "${ZM_BENCH_PAYMENTS:-640}" != 0 ]; then
    printf '\n== payments (tests/bench/payments_bench.py %s)\n' "${ZM_BENCH_PAYMENTS:-640}"
    [ -x "$BUILD/wechatpay_bench" ] && "$BUILD/wechatpay_bench" "$ROOT" 2 || true
    /usr/bin/python3 "$ROOT/tests/bench/payments_bench.py" "${ZM_BENCH_PAYMENTS:-640}" ||
        echo "bench: payments failed" >&2
fi
# job <-> resume matching (issue 13) on the same stack: its scorer per core, the one-by-one builtin
# baseline, POST /match/start -> matched for 100k and 1M synthetic candidates, result page p99.
# ZM_BENCH_MATCHING sets the sizes ("" skips it).
MATCH_SIZES=${ZM_BENCH_MATCHING-100000 1000000}
if [ -n "$MATCH_SIZES" ]; then
    printf '\n== matching (tests/bench/matching_bench.py %s)\n' "$MATCH_SIZES"
    # shellcheck disable=SC2086
    python3 "$ROOT/tests/bench/matching_bench.py" $MATCH_SIZES || echo "bench: matching missed a target" >&2
fi
# admin statistics (issue 17) at 1M users and 10M usage events: generated once per benchstack, the
# rollups rebuilt, each admin path's p99 beside /healthz's; the heartbeat's cost on /api/resumes.
# ZM_BENCH_STATS sets "users events" ("" skips it).
STATS_SIZES=${ZM_BENCH_STATS-1000000 10000000}
if [ -n "$STATS_SIZES" ]; then
    printf '\n== statistics (tests/bench/stats_bench.py %s)\n' "$STATS_SIZES"
    # shellcheck disable=SC2086
    /usr/bin/python3 "$ROOT/tests/bench/stats_bench.py" $STATS_SIZES || echo "bench: statistics failed" >&2
fi
if [ "${ZM_BENCH_JOBS:-100000}" != 0 ]; then
    # the query cache back on, as ./dev up runs MariaDB
    mariadb --no-defaults -S "$DBSOCK" -u"$(id -un)" -e "SET GLOBAL query_cache_size = 33554432"
    printf '\njobs (issue 12), %s jobs:\n' "${ZM_BENCH_JOBS:-100000}"
    /usr/bin/python3 "$ROOT/tests/bench/jobs_bench.py" "${ZM_BENCH_JOBS:-100000}" "$SECS" || true
fi
# speech (issue 18 item 3): espeak-ng's real-time factor (tests/bench/tts_rtf_bench.c) and POST /api/v1/tts/stream
# cold vs cached beside /healthz.  ZM_BENCH_TTS sets the requests per series (default 50; "" or 0 skips it).
TTS_N=${ZM_BENCH_TTS-50}
if [ -n "$TTS_N" ] && [ "$TTS_N" != 0 ]; then
    printf '\n== speech (tests/bench/tts_bench.py %s)\n' "$TTS_N"
    /usr/bin/python3 "$ROOT/tests/bench/tts_bench.py" "$TTS_N" || echo "bench: tts failed" >&2
fi
# the reconciliation inspector (issue 16): the streaming bill parser alone (time, max RSS at 10k/100k/400k
# rows: flat), then zhimai-inspect on a day of N orders and an N-row bill. ZM_BENCH_INSPECT sets the sizes
# (default "10000 100000"; "" skips it).
INSPECT_SIZES=${ZM_BENCH_INSPECT-10000 100000}
if [ -n "$INSPECT_SIZES" ]; then
    printf '\n== inspect (tests/bench/bill_stream_bench.c, tests/bench/inspect_bench.py %s)\n' "$INSPECT_SIZES"
    "$BUILD/bill_stream_bench" || echo "bench: bill_stream_bench failed" >&2
    # shellcheck disable=SC2086
    /usr/bin/python3 "$ROOT/tests/bench/inspect_bench.py" $INSPECT_SIZES || echo "bench: inspect missed a target" >&2
fi
