#!/bin/sh
# Build the SPA into www/dist.  Installs node_modules exactly as
# package-lock.json pins them (npm ci), but only when the lock changed since
# the last install (a stamp holds the lock's SHA-256).  Needs node >= 18 and npm.
set -eu
cd "$(dirname "$0")"

if ! command -v npm >/dev/null 2>&1; then
    echo "www/build.sh: npm not found (apt-get install nodejs npm)" >&2
    exit 1
fi
stamp=node_modules/.zm-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -f node_modules/vite/package.json ]; then
    # npm ci refuses a lock that lacks rollup's optional per-platform packages,
    # which is the lock a registry mirror serving only this platform's yields;
    # then install from the same lock, without rewriting it (the versions
    # installed are still exactly the lock's).  npm's chatter goes to a log,
    # shown only when the install really fails.
    log=$(mktemp "${TMPDIR:-/tmp}/zm-npm.XXXXXX")
    if ! npm ci --no-audit --no-fund >"$log" 2>&1; then
        echo "www/build.sh: npm ci refused package-lock.json; installing from it with npm install" >&2
        if ! npm install --no-audit --no-fund --no-save >>"$log" 2>&1; then
            cat "$log" >&2
            echo "www/build.sh: npm install failed (log: $log)" >&2
            exit 1
        fi
    fi
    rm -f "$log"
    echo "$want" >"$stamp"
fi
npm run build --silent
