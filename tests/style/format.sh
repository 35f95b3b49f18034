#!/usr/bin/env bash
# style.format: every C file of the project is as clang-format (the repo's
# .clang-format) would write it.  Fix with:  clang-format -i FILE
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v clang-format >/dev/null || { echo "format: clang-format is not installed (./dev install)"; exit 1; }
bad=0
while IFS= read -r f; do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "format: $f differs from clang-format's output (clang-format -i $f)"
        bad=$((bad + 1))
    fi
done < <(git ls-files 'fcgi/*.[ch]' 'tests/*.[ch]')
[ "$bad" = 0 ] || { echo "format: $bad file(s) not formatted"; exit 1; }
echo "format: every C file formatted"
