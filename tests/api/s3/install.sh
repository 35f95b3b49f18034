#!/bin/sh
# Install s3rver, the S3-compatible server tests/api/test_s3.py runs on
# loopback, into tests/api/s3/node_modules exactly as package-lock.json pins
# it.  Idempotent: when node_modules was installed from the same lock file
# (a stamp holds the lock's SHA-256) it does nothing.  Needs node and npm
# (Debian: apt-get install nodejs npm); s3rver 3.7.1 runs on Node 18 and 20.
set -eu
cd "$(dirname "$0")"

if ! command -v npm >/dev/null 2>&1; then
    echo "tests/api/s3/install.sh: npm not found (apt-get install nodejs npm)" >&2
    exit 1
fi
stamp=node_modules/.zm-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f node_modules/s3rver/bin/s3rver.js ]; then
    exit 0
fi
# npm's warnings go to a log, shown only when the install fails
log=$(mktemp "${TMPDIR:-/tmp}/zm-npm.XXXXXX")
if ! npm ci --omit=dev --no-audit --no-fund >"$log" 2>&1; then
    cat "$log" >&2
    echo "tests/api/s3/install.sh: npm ci failed (log: $log)" >&2
    exit 1
fi
rm -f "$log"
echo "$want" >"$stamp"
