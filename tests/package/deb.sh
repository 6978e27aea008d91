#!/usr/bin/env bash
# The Debian package as a station's IT person uses it: lintian clean, `apt install ./onair_*.deb`,
# then without any flag: onair --version, man onair, completion, onair check of the installed
# example, the unit verified, the daemon started from the installed config, onair now and
# onair reload against it; then `apt purge` leaves no file of the package behind.
#
#   tests/package/deb.sh BUILD_DIR
#
# Needs root and the package built (`make deb`, which `make test` runs first). Exit 77 (skipped)
# when either is missing, or when an onair package is installed here already: the test never
# touches a station's own install.
set -uo pipefail

build=${1:?usage: deb.sh BUILD_DIR}
deb=$(ls -t "$build"/onair_*_*.deb 2>/dev/null | head -n 1)
skip() { echo "deb: skipped: $*"; exit 77; }
fail() { echo "deb: FAILED: $*" >&2; failed=1; }
failed=0

[ "$(id -u)" -eq 0 ] || skip "needs root (apt install)"
[ -n "$deb" ] || skip "no package in $build: run 'make deb'"
if dpkg-query -W -f='${Status}' onair 2>/dev/null | grep -q "installed"; then
  skip "an onair package is installed on this machine; the test leaves it alone"
fi
state_existed=0
[ -e /var/lib/onair ] && state_existed=1
work=$(mktemp -d)
daemon_pid=""

cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  if dpkg-query -W -f='${Status}' onair 2>/dev/null | grep -q "installed"; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq onair >/dev/null 2>&1
  fi
  [ "$state_existed" -eq 0 ] && rm -rf /var/lib/onair
  rm -rf "$work"
}
trap cleanup EXIT

echo "deb: $deb ($(du -k "$deb" | cut -f1) KiB)"

# lintian: no error or warning (the package's overrides say why for the rest)
if command -v lintian >/dev/null; then
  tags=$(lintian --pedantic --suppress-tags description-mentions-planned-features "$deb" 2>&1 |
           grep -v '^running with root' | grep -E '^[EW]:' || true)
  [ -z "$tags" ] || fail "lintian: $tags"
else
  fail "lintian is not installed (scripts/install-deps installs it)"
fi

if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$(readlink -f "$deb")" >"$work/apt.log" 2>&1; then
  cat "$work/apt.log" >&2
  fail "apt install"
  exit 1
fi
dpkg-query -L onair | sort >"$work/files"

cd "$work" || exit 1
version=$(onair --version)
[[ "$version" =~ ^onair\ [0-9]+\.[0-9]+\.[0-9]+.*,\ GStreamer\ 1\. ]] || fail "onair --version: '$version'"
echo "deb: $version"
for page in "1 onair" "5 onair.yaml" "7 onair-api"; do
  set -- $page
  file=$(man -w "$1" "$2" 2>/dev/null) || { fail "man -w $1 $2"; continue; }
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$file" 2>&1 >/dev/null)
  [ -z "$warnings" ] || fail "man --warnings $file: $warnings"
done
for conffile in /etc/onair/onair.yaml /etc/onair/playlists/police-tv.yaml; do
  dpkg-query -W -f='${Conffiles}\n' onair | grep -q " $conffile " || fail "$conffile is not a conffile"
done
[ -e /etc/systemd/system/multi-user.target.wants/onair.service ] || fail "the unit is not enabled"
verify=$(systemd-analyze verify /lib/systemd/system/onair.service 2>&1) || fail "systemd-analyze verify: $verify"

# onair check finds /etc/onair/onair.yaml by itself (as ExecStartPre runs it, and in full)
out=$(onair check --config-only --no-probe --days 1 2>/dev/null) || fail "onair check --config-only: $out"
[[ "$out" == "onair check: /etc/onair/onair.yaml: ok"* ]] || fail "onair check named '$out'"
onair check --no-probe >/dev/null 2>&1 || fail "onair check --no-probe of the installed example"
# the example's media is not installed: a full check says where it looked, at the line
err=$(onair check 2>&1 >/dev/null)
[[ "$err" == *"/etc/onair/playlists/police-tv.yaml:"*": error: media 'tip-lo-30': cannot air '/srv/onair/media/spots/tip-lo-30.mp4': no such file"* ]] ||
  fail "onair check without the media: $err"
[ "$(onair list channels | cut -f1 | tr '\n' ' ')" = "police-tv police-radio " ] || fail "onair list channels"

# bash completion, loaded on demand as an interactive shell does
got=$(bash -c 'source /usr/share/bash-completion/bash_completion
  _completion_loader onair
  COMP_WORDS=(onair ins); COMP_CWORD=1; COMP_LINE="onair ins"; COMP_POINT=9
  _onair onair ins onair; echo "${COMPREPLY[*]}"
  COMP_WORDS=(onair insert ""); COMP_CWORD=2; COMP_LINE="onair insert "; COMP_POINT=13
  _onair onair "" insert; echo "${COMPREPLY[*]}"' 2>&1)
[ "$got" = $'insert\npolice-tv police-radio' ] || fail "completion: '$got'"

# the service's command, from the installed config; onair now and reload with no flag
onair run >"$work/run.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 50); do
  onair now --once >"$work/now.txt" 2>/dev/null && break
  sleep 0.2
done
grep -q "^police-tv " "$work/now.txt" && grep -q "^police-radio " "$work/now.txt" ||
  fail "onair now: $(cat "$work/now.txt"; tail -n 5 "$work/run.log")"
# the slate of the example is not installed either: the tv channel airs black, not nothing
grep -q "^police-tv .* ON AIR" "$work/now.txt" || fail "police-tv is not on air: $(cat "$work/now.txt")"
reload=$(onair reload 2>&1) || fail "onair reload: $reload"
[ "$reload" = "reloaded: police-tv, police-radio" ] || fail "onair reload said '$reload'"
kill "$daemon_pid"
wait "$daemon_pid"
rc=$?
daemon_pid=""
[ "$rc" -eq 0 ] || fail "onair run exited $rc: $(tail -n 5 "$work/run.log")"

# purge: nothing of the package is left
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq onair >"$work/apt.log" 2>&1 || fail "apt purge"
left=""
while IFS= read -r path; do
  [ -d "$path" ] && continue # directories shared with other packages (/usr/share/man/man1...)
  [ -e "$path" ] && left+=" $path"
done <"$work/files"
for path in /etc/onair /usr/share/doc/onair /etc/systemd/system/multi-user.target.wants/onair.service; do
  [ -e "$path" ] && left+=" $path"
done
[ -z "$left" ] || fail "left after purge:$left"

[ "$failed" -eq 0 ] && echo "deb: installed, used and purged cleanly"
exit "$failed"
