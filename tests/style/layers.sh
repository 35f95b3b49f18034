#!/usr/bin/env bash
# style.layers: no file includes a header of a layer above its own.
#
# The build already refuses most wrong-way includes (each layer is a CMake
# library that sees only the include directories of what it links); this
# walks the sources for what a build cannot catch: a folder listed twice,
# a header reached through a relative path, json-c or MariaDB in core.
#
# Layers, lowest first; a file may include its own folder's headers and
# those of any lower layer.  Domains sit on one level and may use each
# other's public header (<domain>.h), never another domain's other files;
# an api.c may also call another domain's handlers (<domain>_api.h), as an
# endpoint that takes the same upload does.
set -euo pipefail
cd "$(dirname "$0")/../.."

rank() {
    case $1 in
    core) echo 0 ;;
    db) echo 1 ;;
    http) echo 2 ;;
    services) echo 3 ;;
    tasks) echo 4 ;;
    bin) echo 9 ;;
    *) echo 5 ;; # a domain
    esac
}

# header name -> folder under fcgi/
declare -A home
while IFS= read -r h; do
    name=${h##*/}
    dir=${h#fcgi/}
    dir=${dir%%/*}
    if [ -n "${home[$name]:-}" ] && [ "${home[$name]}" != "$dir" ]; then
        echo "layers: $name exists in both fcgi/${home[$name]} and fcgi/$dir"
        exit 1
    fi
    home[$name]=$dir
done < <(git ls-files 'fcgi/*.h')

bad=0
while IFS= read -r f; do
    dir=${f#fcgi/}
    dir=${dir%%/*}
    r=$(rank "$dir")
    while IFS= read -r line; do
        inc=${line#*\"}
        inc=${inc%%\"*}
        case $inc in */*)
            echo "layers: $f includes \"$inc\" by path; include by name, through the build's include directories"
            bad=$((bad + 1))
            continue
            ;;
        esac
        to=${home[$inc]:-}
        [ -z "$to" ] && continue # a test or generated header
        [ "$to" = "$dir" ] && continue
        tr=$(rank "$to")
        if [ "$tr" -gt "$r" ]; then
            echo "layers: $f (fcgi/$dir) includes $inc from fcgi/$to, a layer above it"
            bad=$((bad + 1))
        elif [ "$tr" = 5 ] && [ "$r" = 5 ] && [ "$inc" != "$to.h" ] &&
            ! { [ "${f##*/}" = api.c ] && [ "$inc" = "${to}_api.h" ]; }; then
            echo "layers: $f (fcgi/$dir) includes $inc, an internal header of fcgi/$to (only $to.h is public)"
            bad=$((bad + 1))
        fi
    done < <(grep -E '^#include "' "$f" || true)
    # in a domain, only the handlers (api.c, <domain>_api.h) and the descriptor speak HTTP
    if [ "$r" = 5 ] && grep -nE '^#include "(http|multipart|server)\.h"' "$f" >/dev/null; then
        case ${f##*/} in
        api.c | module.c | "${dir}_api.h") ;;
        *)
            echo "layers: $f: only api.c, ${dir}_api.h and module.c of fcgi/$dir include the HTTP layer"
            bad=$((bad + 1))
            ;;
        esac
    fi
    if [ "$dir" = core ] && grep -nE '^#include <(json-c/|mysql|mariadb)' "$f" >/dev/null; then
        echo "layers: $f: core includes neither json-c nor the database client"
        bad=$((bad + 1))
    fi
done < <(git ls-files 'fcgi/*.[ch]')
[ "$bad" = 0 ] || { echo "layers: $bad wrong-way include(s)"; exit 1; }
echo "layers: every include points down"
