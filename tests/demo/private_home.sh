#!/bin/bash
# `make demo` from a clone in a private folder (mode 0700, as /root is), as a new user runs it:
# the demo's Icecast (which drops to nobody as root) must start, and police-radio must reach
# it. Skips (77) when not root. Usage: private_home.sh SOURCE_DIR ONAIR_BINARY
set -euo pipefail
src=$1
onair=$2
[ "$(id -u)" = 0 ] || { echo "skipped: needs root (Icecast drops to nobody only as root)"; exit 77; }
if (exec 3<>/dev/tcp/127.0.0.1/8000) 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/8750) 2>/dev/null; then
    echo "skipped: port 8000 or 8750 is taken (a demo running?)"
    exit 77
fi
home=$(mktemp -d /tmp/onair-private-home.XXXXXX)
chmod 0700 "$home"
demo=""
cleanup() {
    # Ctrl-C as a terminal sends it: to the demo's whole process group
    [ -n "$demo" ] && kill -INT -- "-$demo" 2>/dev/null && wait "$demo" 2>/dev/null
    rm -rf "$home"
}
trap cleanup EXIT
# the working tree as it is (a test of this change, not of the last commit)
mkdir "$home/onair"
(cd "$src" && tar --exclude=./build --exclude=./build-sanitize --exclude=./var -cf - .) |
    (cd "$home/onair" && tar -xf -)
cd "$home/onair"
ONAIR=$onair setsid scripts/demo >"$home/demo.txt" 2>&1 &
demo=$!
for _ in $(seq 1 200); do
    if status=$(exec 3<>/dev/tcp/127.0.0.1/8000 &&
        printf 'GET /status-json.xsl HTTP/1.0\r\n\r\n' >&3 && timeout 2 cat <&3) 2>/dev/null &&
        grep -q '"listenurl":"http://127.0.0.1:8000/police-radio.mp3"' <<<"$status"; then
        echo "ok: police-radio is on the demo's Icecast"
        exit 0
    fi
    kill -0 "$demo" 2>/dev/null || break
    sleep 0.1
done
echo "FAILED: police-radio never reached the demo's Icecast; the demo said:"
tail -n 30 "$home/demo.txt"
exit 1
