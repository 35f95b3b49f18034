#!/bin/sh
# Run the browser journey against a running stack.
#   ZM_VAR=var tests/browser/run.sh        (reads $ZM_VAR/stack.env for ZM_URL)
#   ZM_VAR=var tests/browser/run.sh payment.test.mjs   (the WeChat Pay flow with the local fake)
# Installs playwright-core into tests/browser/node_modules exactly as
# package-lock.json pins it, only when the lock changed (a stamp holds its
# SHA-256).  Needs node >= 18, npm and Chromium (apt-get install chromium;
# ZM_CHROMIUM overrides /usr/bin/chromium).
set -eu
cd "$(dirname "$0")"

if ! command -v npm >/dev/null 2>&1; then
    echo "tests/browser/run.sh: npm not found (apt-get install nodejs npm)" >&2
    exit 1
fi
if [ ! -x "${ZM_CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "tests/browser/run.sh: ${ZM_CHROMIUM:-/usr/bin/chromium} not found (apt-get install chromium)" >&2
    exit 1
fi
stamp=node_modules/.zm-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -f node_modules/playwright-core/package.json ]; then
    npm ci --no-audit --no-fund
    echo "$want" >"$stamp"
fi
# the journey by default; a *.test.mjs first argument runs that file instead (payment.test.mjs)
file=journey.test.mjs
case "${1:-}" in *.test.mjs) file=$1; shift ;; esac
exec node --test --test-reporter=spec "$file" "$@"
