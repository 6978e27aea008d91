#!/usr/bin/env bash
# man.pages_render_without_warnings: each page, as man renders it on an 80-column UTF-8
# terminal, with man's warnings on: nothing may be printed on stderr.
# Usage: man_render.sh PAGE...
set -u
command -v man >/dev/null || { echo "man is not installed"; exit 77; }
status=0
for page in "$@"; do
    if [ ! -s "$page" ]; then
        echo "FAIL: $page: missing or empty"
        status=1
        continue
    fi
    err=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
    if [ -n "$err" ]; then
        echo "FAIL: $page: man printed on stderr:"
        printf '%s\n' "$err"
        status=1
    else
        echo "ok: $page"
    fi
done
exit $status
