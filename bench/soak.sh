#!/bin/sh
# Soak: airs the example station (config/onair.yaml's channels, with a schedule that breaks
# every minute) for a while and records the daemon's resident memory and open file
# descriptors at each interval; flat is the target.
#   bench/soak.sh [SECONDS] [INTERVAL]      (default: one hour, every minute)
# Run from the top of the source tree after `make build media`.
set -eu
seconds=${1:-3600}
interval=${2:-60}
onair=${ONAIR:-build/onair}
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT INT TERM
sed -e "s#^state_dir: .*#state_dir: $dir/state#" \
    -e "s#listen: .*#listen: 127.0.0.1:18751#" \
    -e "s#../playlists/#$(pwd)/playlists/#" -e "s#../media/#$(pwd)/media/#" \
    -e "s#{type: udp, host: 127.0.0.1, port: 5000}#{type: null}#" \
    -e "s#{type: hls, dir: ../var/demo/hls, segment: 2s}#{type: file, path: $dir/tv.ts}#" \
    -e "s#{type: icecast.*}#{type: null}#" \
    -e "s#path: ../var/demo/police-radio.mp3#path: $dir/radio.mp3#" \
    config/demo.yaml > "$dir/onair.yaml"
"$onair" run --config "$dir/onair.yaml" 2> "$dir/log.txt" &
pid=$!
sleep 5
echo "soak: ${seconds} s, sampling every ${interval} s (pid $pid)"
printf '%8s %12s %6s\n' elapsed_s rss_kib fds
start=$(date +%s)
while :; do
  now=$(date +%s)
  el=$((now - start))
  rss=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)
  fds=$(ls /proc/$pid/fd | wc -l)
  printf '%8d %12d %6d\n' "$el" "$rss" "$fds"
  [ "$el" -ge "$seconds" ] && break
  sleep "$interval"
done
kill -TERM $pid
wait $pid || true
"$onair" asrun --config "$dir/onair.yaml" > "$dir/asrun.csv"
rows=$(tail -n +2 "$dir/asrun.csv" | wc -l)
echo "soak: done, $rows as-run rows, daemon log $(wc -l < "$dir/log.txt") lines"
python3 - "$dir/asrun.csv" <<'PY' || true
import collections, csv, sys
n = collections.Counter((r["channel"], r["status"]) for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")))
for (channel, status), count in sorted(n.items()):
    print(f"soak: {channel:14} {status:12} {count}")
PY
"$onair" asrun --config "$dir/onair.yaml" --verify && echo "soak: as-run chain intact"
echo "soak: daemon log lines starting 'error:': $(grep -c '^error: ' "$dir/log.txt" || true)"
