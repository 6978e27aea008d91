#!/usr/bin/env bash
# Chaos: a demo-like station (Police TV with a spot break every minute to UDP and HLS, Police
# Radio with a break every minute at half past to a local Icecast and an MP3 file) aired by
# `onair run` under random faults for SECONDS, then a summary:
#   breaks planned / aired / missed, rows in the store / spilled / lost, RSS (max), loop tick p99.
#
#   bench/chaos.sh SECONDS         (run from the top of the source tree after `make build`)
#
# The faults, one at a time at random intervals of 5-20 s (those that hold something, in the
# background, at most one of each kind at once):
#   lock      an sqlite3 shell holds BEGIN IMMEDIATE on the as-run store for 5-25 s
#   sighup    5-20 SIGHUPs within 2 s
#   burst     1,000 API requests a second for 5-15 s (health, channels, metrics, plan, as-run)
#   badapi    plans for far dates, cross-origin and text/plain POSTs
#   media     a spot's file moved away for 20-70 s, then put back
#   receiver  icecast2 killed, started again 2-6 s later
#   disk      the state dir's tmpfs filled for 5-20 s, then freed (only when a tmpfs can be
#             mounted there: run as root)
# Media are generated here (320x240 TV clips and Ogg tones, a few seconds of CPU). Everything
# lives in a temp dir, removed at the end (CHAOS_KEEP=1 keeps it); ONAIR overrides the binary;
# CHAOS_FAULTS="lock sighup ..." limits the faults to those kinds. A daemon that does not stop
# within 30 s of SIGTERM is killed, and the summary says so.
set -euo pipefail

seconds=${1:-}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 60 ]; then
    echo "usage: bench/chaos.sh SECONDS   (at least 60)" >&2
    exit 2
fi
onair=$(realpath "${ONAIR:-build/onair}")
for tool in gst-launch-1.0 sqlite3 python3 icecast2; do
    command -v "$tool" >/dev/null || { echo "chaos: $tool not found (scripts/install-deps)" >&2; exit 1; }
done
[ -x "$onair" ] || { echo "chaos: $onair not built" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/onair-chaos.XXXXXX")
state=$dir/state
mkdir -p "$state" "$dir/media" "$dir/hls" "$dir/icecast" "$dir/away"
pid=""
ice=""
tmpfs=0
jobs_bg=()
cleanup() {
    set +e
    for j in "${jobs_bg[@]}"; do kill "$j" 2>/dev/null; done
    [ -n "$pid" ] && stop_daemon
    [ -n "$ice" ] && kill -KILL "$ice" 2>/dev/null && wait "$ice" 2>/dev/null
    [ "$tmpfs" = 1 ] && umount -l "$state" 2>/dev/null
    if [ "${CHAOS_KEEP:-0}" = 1 ]; then echo "chaos: kept $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_daemon() { # SIGTERM, then SIGKILL after 30 s; the exit status in $daemon_status
    local i
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 300; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "chaos: the daemon did not stop within 30 s of SIGTERM: killed" >&2
        kill -KILL "$pid"
    fi
    daemon_status=0
    wait "$pid" 2>/dev/null || daemon_status=$?
    pid=""
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api=$(free_port)
iceport=$(free_port)
udp=$(free_port)
rand() { echo $(($1 + RANDOM % ($2 - $1 + 1))); } # rand MIN MAX
say() { printf 'chaos: %5ds %s\n' $(($(date +%s) - started)) "$*"; }

# ---- media --------------------------------------------------------------------------------
launch() { gst-launch-1.0 -q "$@" >/dev/null; }
tv_clip() { # tv_clip NAME ARGB SECONDS FREQ
    launch videotestsrc pattern=solid-color "foreground-color=$2" num-buffers=$(($3 * 25)) \
        ! video/x-raw,width=320,height=240,framerate=25/1 ! videoconvert \
        ! x264enc speed-preset=ultrafast key-int-max=25 ! h264parse ! queue ! mux. \
        audiotestsrc "freq=$4" "num-buffers=$(($3 * 48000 / 1024))" samplesperbuffer=1024 \
        ! audio/x-raw,rate=48000,channels=2 ! audioconvert ! avenc_aac ! aacparse ! queue ! mux. \
        mp4mux name=mux ! filesink "location=$dir/media/$1.mp4"
}
radio_clip() { # radio_clip NAME SECONDS FREQ
    launch audiotestsrc "freq=$3" "num-buffers=$(($2 * 48000 / 1024))" samplesperbuffer=1024 \
        ! audio/x-raw,rate=48000,channels=2 ! audioconvert ! vorbisenc ! oggmux \
        ! filesink "location=$dir/media/$1.ogg"
}
tv_clip tip-lo-30 0xffff0000 30 440
tv_clip tip-en-30 0xff0000ff 30 550
tv_clip som-lo-20 0xff00ff00 20 660
tv_clip som-en-20 0xffffff00 20 770
radio_clip r-tip-lo-30 30 440
radio_clip r-tip-en-30 30 550
radio_clip r-som-lo-20 20 660
radio_clip bed 60 220
launch videotestsrc pattern=solid-color foreground-color=0xff203040 num-buffers=1 \
    ! video/x-raw,width=320,height=240 ! videoconvert ! pngenc ! filesink "location=$dir/media/slate.png"

# ---- config (the demo's shape) --------------------------------------------------------------
cat > "$dir/tv.yaml" <<YAML
media:
  tip-lo-30: {file: media/tip-lo-30.mp4, title: tip-lo-30}
  tip-en-30: {file: media/tip-en-30.mp4, title: tip-en-30}
  som-lo-20: {file: media/som-lo-20.mp4, title: som-lo-20}
  som-en-20: {file: media/som-en-20.mp4, title: som-en-20}
campaigns:
  tip: {title: TIP, from: 2020-01-01, until: 2099-12-31, spots: [tip-lo-30, tip-en-30], weight: 3}
  som: {title: SOM, from: 2020-01-01, until: 2099-12-31, spots: [som-lo-20, som-en-20], weight: 2}
breaks:
  - {id: every-minute, every: 1m, length: 50s}
YAML
cat > "$dir/radio.yaml" <<YAML
media:
  tip-lo-30: {file: media/r-tip-lo-30.ogg, title: tip-lo-30}
  tip-en-30: {file: media/r-tip-en-30.ogg, title: tip-en-30}
  som-lo-20: {file: media/r-som-lo-20.ogg, title: som-lo-20}
campaigns:
  tip: {title: TIP, from: 2020-01-01, until: 2099-12-31, spots: [tip-lo-30, tip-en-30]}
  som: {title: SOM, from: 2020-01-01, until: 2099-12-31, spots: [som-lo-20]}
breaks:
  - {id: every-minute, every: 1m, offset: 30s, length: 50s}
YAML
cat > "$dir/onair.yaml" <<YAML
station: Chaos
state_dir: state
control: {listen: 127.0.0.1:$api}
channels:
  - id: police-tv
    name: Police TV
    kind: tv
    timezone: UTC
    video: {width: 320, height: 240, framerate: 25}
    audio: {rate: 48000, channels: 2}
    loudness: -23
    schedule: tv.yaml
    filler: {type: slate, image: media/slate.png}
    outputs:
      - {type: udp, host: 127.0.0.1, port: $udp}
      - {type: hls, dir: hls, segment: 2s}
  - id: police-radio
    name: Police Radio
    kind: radio
    timezone: UTC
    audio: {rate: 48000, channels: 2}
    loudness: -23
    schedule: radio.yaml
    filler: {type: loop, media: [media/bed.ogg]}
    outputs:
      - {type: icecast, host: 127.0.0.1, port: $iceport, mount: /police-radio.mp3, password: chaos-source, format: mp3}
      - {type: file, path: police-radio.mp3}
YAML

# ---- receivers and the state disk ------------------------------------------------------------
chmod 0777 "$dir/icecast"
owner=""
[ "$(id -u)" = 0 ] && owner="<changeowner><user>nobody</user><group>nogroup</group></changeowner>"
cat > "$dir/icecast/icecast.xml" <<XML
<icecast><limits><sources>4</sources><source-timeout>10</source-timeout></limits>
<authentication><source-password>chaos-source</source-password><admin-user>admin</admin-user>
<admin-password>chaos-admin</admin-password></authentication><hostname>127.0.0.1</hostname>
<listen-socket><port>$iceport</port><bind-address>127.0.0.1</bind-address></listen-socket>
<fileserve>1</fileserve><paths><basedir>$dir/icecast</basedir><logdir>$dir/icecast</logdir>
<webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
<logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>1</loglevel></logging>
<security><chroot>0</chroot>$owner</security></icecast>
XML
start_icecast() { icecast2 -c "$dir/icecast/icecast.xml" >/dev/null 2>&1 & ice=$!; }
start_icecast
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=16m tmpfs "$state" 2>/dev/null; then
    tmpfs=1
fi

# ---- HTTP without curl: bash's /dev/tcp ---------------------------------------------------------
http_get() { # http_get PATH: the body
    local reply
    { exec 3<>"/dev/tcp/127.0.0.1/$api"; } 2>/dev/null || return 0
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$1" "$api" >&3
    reply=$(timeout 5 cat <&3 || true)
    exec 3<&- 3>&-
    printf '%s\n' "${reply#*$'\r\n\r\n'}"
}
http_status() { # http_status METHOD PATH CONTENT_TYPE ORIGIN BODY: the status code
    local reply
    { exec 3<>"/dev/tcp/127.0.0.1/$api"; } 2>/dev/null || { echo 0; return; }
    printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n%s%sContent-Length: %s\r\n\r\n%s' \
        "$1" "$2" "$api" "${3:+Content-Type: $3$'\r\n'}" "${4:+Origin: $4$'\r\n'}" "${#5}" "$5" >&3
    reply=$(timeout 5 head -c 12 <&3 || true)
    exec 3<&- 3>&-
    echo "${reply:9:3}"
}
metric() { # metric NAME: the value of its first series (or empty)
    # read whole first: awk leaving early would end http_get with SIGPIPE (and pipefail the script)
    local text
    text=$(http_get /metrics) || true
    awk -v n="$1" '$1 == n || index($1, n "{") == 1 { print $2; exit }' <<<"$text"
}

# ---- the faults -------------------------------------------------------------------------------
declare -A busy_until=()
free() { [ "$(date +%s)" -ge "${busy_until[$1]:-0}" ]; }
hold() { busy_until[$1]=$(($(date +%s) + $2 + 1)); }
declare -A count=()

fault_lock() {
    local n
    n=$(rand 5 25)
    say "lock: sqlite3 holds BEGIN IMMEDIATE on the store for ${n}s"
    { printf 'BEGIN IMMEDIATE;\n'; sleep "$n"; printf 'COMMIT;\n'; } | sqlite3 "$state/asrun.sqlite" >/dev/null 2>&1 &
    jobs_bg+=($!)
    hold lock "$n"
}
fault_sighup() {
    local n i
    n=$(rand 5 20)
    say "sighup: $n SIGHUPs in 2 s"
    for ((i = 0; i < n; i++)); do kill -HUP "$pid"; sleep "$(python3 -c "print(2/$n)")"; done
}
fault_burst() {
    local n
    n=$(rand 5 15)
    say "burst: 1000 requests/s for ${n}s"
    python3 - "$api" "$n" "$(date -u +%F)" >>"$dir/burst.txt" 2>&1 <<'PY' &
import socket, sys, threading, time
port, seconds, today = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
paths = ["/api/v1/health", "/api/v1/channels", "/metrics",
         f"/api/v1/channels/police-tv/plan?date={today}", "/api/v1/asrun?channel=police-tv"]
clients, done, bad = 16, [0], [0]
lock = threading.Lock()
def client(c):
    start = time.monotonic() + c / 1000
    i = c
    while time.monotonic() - start < seconds:
        time.sleep(max(0, start + (i // clients) * clients / 1000 - time.monotonic()))
        ok = False
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            s.sendall(f"GET {paths[i % len(paths)]} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            head = s.recv(16)
            while s.recv(65536):
                pass
            s.close()
            ok = head.startswith(b"HTTP/1.1 200")
        except OSError:
            pass
        with lock:
            done[0] += 1
            bad[0] += not ok
        i += clients
threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
print(f"burst {seconds:.0f}s: {done[0]} requests, {done[0] / seconds:.0f}/s, {bad[0]} not 200")
PY
    jobs_bg+=($!)
    hold burst "$n"
}
fault_badapi() {
    say "badapi: far-date plans, cross-origin and text/plain POSTs"
    local d s
    for d in 9999-12-31 2100-01-01 0001-01-01; do
        s=$(http_status GET "/api/v1/channels/police-tv/plan?date=$d" "" "" "")
        [ "$s" = 400 ] || say "badapi: plan?date=$d answered $s (want 400)"
    done
    s=$(http_status POST /api/v1/channels/police-tv/insert text/plain https://evil.example '{"media":"tip-lo-30"}')
    case "$s" in 403 | 415) ;; *) say "badapi: cross-origin insert answered $s (want 403/415)" ;; esac
    s=$(http_status POST /api/v1/channels/police-tv/skip application/json https://evil.example '{}')
    [ "$s" = 403 ] || say "badapi: cross-origin skip answered $s (want 403)"
}
fault_media() {
    local n f
    n=$(rand 20 70)
    f=$(cd "$dir/media" && ls tip-* som-* r-* | shuf -n 1)
    say "media: $f moved away for ${n}s"
    mv "$dir/media/$f" "$dir/away/$f"
    { sleep "$n"; mv "$dir/away/$f" "$dir/media/$f"; } &
    jobs_bg+=($!)
    hold media "$n"
}
fault_receiver() {
    local n
    n=$(rand 2 6)
    say "receiver: icecast2 killed for ${n}s"
    kill -KILL "$ice" 2>/dev/null || true
    wait "$ice" 2>/dev/null || true
    sleep "$n"
    start_icecast
}
fault_disk() {
    local n
    n=$(rand 5 20)
    say "disk: the state dir's tmpfs full for ${n}s"
    # dd ends with ENOSPC, which set -e (inherited by the group) would take for the end
    { dd if=/dev/zero of="$state/dummy" bs=64k 2>/dev/null || true; sleep "$n"; rm -f "$state/dummy"; } &
    jobs_bg+=($!)
    hold disk "$n"
}
kinds=(lock sighup burst badapi media receiver)
[ "$tmpfs" = 1 ] && kinds+=(disk)
if [ -n "${CHAOS_FAULTS:-}" ]; then
    read -r -a kinds <<<"$CHAOS_FAULTS"
fi

# ---- the run ---------------------------------------------------------------------------------------
started=$(date +%s)
"$onair" run --config "$dir/onair.yaml" 2>"$dir/log.txt" &
pid=$!
say "on air (pid $pid), ${seconds}s of faults from: ${kinds[*]}"
rss_max=0
waiting_max=0
journal_max=0
next_fault=$((started + 15))
until_s=$((started + seconds))
last_sample=0
while [ "$(date +%s)" -lt "$until_s" ]; do
    kill -0 "$pid" 2>/dev/null || { say "the daemon ended"; break; }
    now=$(date +%s)
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$rss_max" ] && rss_max=$rss
    if [ $((now - last_sample)) -ge 5 ]; then
        last_sample=$now
        w=$(metric onair_asrun_waiting_rows)
        w=${w%.*}
        [ -n "$w" ] && [ "$w" -gt "$waiting_max" ] && waiting_max=$w
        j=$(grep -c . "$state/asrun.spill" 2>/dev/null || true)
        [ "${j:-0}" -gt "$journal_max" ] && journal_max=$j
    fi
    # the last 70 s are left quiet, so everything held is given back before the stop
    if [ "$now" -ge "$next_fault" ] && [ "$now" -lt $((until_s - 70)) ]; then
        k=${kinds[$((RANDOM % ${#kinds[@]}))]}
        if free "$k"; then
            "fault_$k"
            count[$k]=$((${count[$k]:-0} + 1))
        fi
        next_fault=$((now + $(rand 5 20)))
    fi
    sleep 1
done
for j in "${jobs_bg[@]}"; do wait "$j" 2>/dev/null || true; done
jobs_bg=()
metrics=$(http_get /metrics)
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
ended=$(date -u +%s)
stop_daemon
status=$daemon_status
spilled_left=0
[ -f "$state/asrun.spill" ] && spilled_left=$(grep -c . "$state/asrun.spill" || true)

# ---- the summary -------------------------------------------------------------------------------------
"$onair" asrun --config "$dir/onair.yaml" --format json >"$dir/asrun.json"
for ch in police-tv police-radio; do
    for d in $(python3 -c "import datetime as d,sys; a,b=int(sys.argv[1]),int(sys.argv[2]); print(' '.join(sorted({d.datetime.utcfromtimestamp(t).strftime('%Y-%m-%d') for t in (a,b)})))" "$started" "$ended"); do
        "$onair" plan --config "$dir/onair.yaml" --channel "$ch" --date "$d" --format json >"$dir/plan-$ch-$d.json"
    done
done
verify=$("$onair" asrun --config "$dir/onair.yaml" --verify 2>&1 || true)
faults=""
for k in "${!count[@]}"; do faults+="$k=${count[$k]} "; done
echo
echo "chaos: ${seconds}s, faults: ${faults:-none}; daemon exit status $status"
[ -f "$dir/burst.txt" ] && sed 's/^/chaos:   /' "$dir/burst.txt"
printf '%s\n' "$metrics" >"$dir/metrics.txt"
python3 - "$dir" "$started" "$ended" "$rss_max" "$hwm" "$waiting_max" "$spilled_left" "$verify" "$journal_max" <<'PY'
import datetime, glob, json, math, sys
d, started, ended = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rss_max, hwm, waiting_max, spilled_left, verify = int(sys.argv[4]), int(sys.argv[5] or 0), int(sys.argv[6]), int(sys.argv[7]), sys.argv[8]
journal_max = int(sys.argv[9])
def ms(iso):
    return int(datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)
# planned: every spot of a break that started 15 s after the daemon did (the first may be under
# way) and ended before the stop
window = ((started + 15) * 1000, ended * 1000)
planned, breaks = {}, {}
for f in glob.glob(f"{d}/plan-*.json"):
    plan = json.load(open(f))
    last = None
    for it in plan["items"]:
        if it["kind"] == "filler":
            continue
        s, e = ms(it["start"]), ms(it["end"])
        if last is None or s != last[1]:  # a gap: the next break
            key = (plan["channel"], s)
        last = (s, e)
        breaks.setdefault(key, []).append(((plan["channel"], s), e))
        if s >= window[0] and e <= window[1]:
            planned[(plan["channel"], s)] = (it["media"], key)
# whole breaks inside the window
breaks = {k: [slot for slot, _ in v] for k, v in breaks.items()
          if k[1] >= window[0] and v[-1][1] <= window[1]}
rows = json.load(open(f"{d}/asrun.json"))
by_slot = {}
for r in rows:
    by_slot.setdefault((r["channel"], ms(r["scheduled_start"])), []).append(r)
lost = [k for k in planned if k not in by_slot]
dupes = [k for k in planned if len(by_slot.get(k, [])) > 1]
statuses = {}
for k in planned:
    for r in by_slot.get(k, []):
        status = r["status"] or "open (no end)"
        statuses[status] = statuses.get(status, 0) + 1
aired = sum(1 for v in breaks.values() if all(r["status"] == "aired" for s in v for r in by_slot.get(s, [{"status": "lost"}])))
print(f"chaos: breaks planned {len(breaks)}, aired whole {aired}, missed (a spot not aired) {len(breaks) - aired}")
print(f"chaos: spots planned {len(planned)}: " + ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())))
print(f"chaos: rows in the store {len(rows)}; spilled: most waiting at once {waiting_max} "
      f"(metric), most lines in asrun.spill {journal_max}, left there at the end {spilled_left}; "
      f"planned at the end but no row {len(lost)}; duplicated {len(dupes)}")
# What the daemon put on air, by its own log: each must have its row. A slot planned at the end
# with no row and no 'on air' line was not in the plan in force then (a reload while a file
# was away plans without it), which a plan made afterwards cannot know.
import re
keys = {(r["channel"], ms(r["scheduled_start"]), r["media"]) for r in rows}
on_air = [(m[1], ms(m[3]), m[2]) for m in
          (re.match(r"on air channel=(\S+) kind=\S+ media=(\S+) scheduled=(\S+)", l) for l in open(f"{d}/log.txt"))
          if m]
unlogged = [k for k in on_air if k not in keys]
print(f"chaos: items put on air ('on air' lines) {len(on_air)}, without a row {len(unlogged)}")
logged_on_air = {(c, t) for c, t, _ in on_air}
for k in lost[:10]:
    why = "put on air" if k in logged_on_air else "never put on air: not in the plan in force then"
    print(f"chaos:   planned at the end, no row: {k[0]} {datetime.datetime.utcfromtimestamp(k[1] / 1000).isoformat()}Z {planned[k][0]} ({why})")
print(f"chaos: RSS max {rss_max / 1024:.1f} MiB (sampled each second), peak (VmHWM) {hwm / 1024:.1f} MiB")
buckets = {}
for line in open(f"{d}/metrics.txt"):
    if line.startswith("onair_loop_tick_seconds_bucket{"):
        le = line.split('le="')[1].split('"')[0]
        b = math.inf if le == "+Inf" else float(le)
        buckets[b] = buckets.get(b, 0) + float(line.rsplit(" ", 1)[1])
if buckets:
    total = buckets[max(buckets)]
    p99 = next(b for b in sorted(buckets) if buckets[b] >= 0.99 * total)
    print(f"chaos: loop tick p99 <= {p99 * 1000:g} ms ({total:.0f} ticks)")
else:
    print("chaos: loop tick p99: n/a (no onair_loop_tick_seconds in /metrics)")
print(f"chaos: chain: {verify.strip()}")
PY
echo "chaos: daemon log: $(grep -c . "$dir/log.txt") lines, $(grep -c 'internal error' "$dir/log.txt" || true) internal errors, $(grep -c '^error' "$dir/log.txt" || true) lines starting 'error'"
