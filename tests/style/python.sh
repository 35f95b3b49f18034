#!/usr/bin/env bash
# style.python: pyflakes over every Python file of the project (tests, fakes, benches): undefined
# names, unused imports and the like, which only show when a rarely run path (a bench) is run.
set -euo pipefail
cd "$(dirname "$0")/../.."
/usr/bin/python3 -m pyflakes --version >/dev/null 2>&1 || { echo "python: pyflakes is not installed (./dev install)"; exit 1; }
mapfile -t files < <(git ls-files '*.py')
/usr/bin/python3 -m pyflakes "${files[@]}"
echo "python: ${#files[@]} files clean"
