"""What the console's browser tests share: test clips, a daemon, HTTP with or without the
token, headless Chromium through Selenium, and the checks every page gets (no console errors,
the page weight).

Imported by station_page.py, operator_day.py and preview.py, which sit beside it.
"""
import argparse
import datetime
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SKIP = 77
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ZONE_OFFSET = datetime.timedelta(hours=7)  # Asia/Vientiane has no daylight saving time
# The browser's own zone differs from the channel's, so a page that showed times in the
# browser's zone would be caught.
BROWSER_TZ = "America/New_York"


class Failure(Exception):
    pass


def skip_unless_tools(say):
    """Exits 77 when selenium, chromium, chromedriver or the GStreamer elements are missing."""
    def skip(why):
        say("SKIP: " + why)
        sys.exit(SKIP)

    if importlib.util.find_spec("selenium") is None:
        skip("python3-selenium is not installed")
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not os.access(tool, os.X_OK):
            skip(f"{tool} is not installed (apt-get install chromium chromium-driver)")
    if shutil.which("gst-launch-1.0") is None or not all(
            has_element(e) for e in ("x264enc", "mp4mux")) or not (
            has_element("avenc_aac") or has_element("voaacenc")):
        skip("gst-launch-1.0 with x264enc, mp4mux and an AAC encoder is needed for the clips")


# ---- the station -------------------------------------------------------------------------


def station_config(port, station, channel, name, token_file=False):
    """The config of a test station: one tv channel airing schedule.yaml, null output."""
    token = "  token_file: token\n" if token_file else ""
    return f"""station: {station}
state_dir: var
control:
  listen: 127.0.0.1:{port}
{token}channels:
  - id: {channel}
    name: "{name}"
    kind: tv
    timezone: Asia/Vientiane
    video: {{width: 320, height: 240, framerate: 25}}
    schedule: schedule.yaml
    filler: {{type: black}}
    outputs: [{{type: "null"}}]
"""


def write_token(path, token):
    """A token file as the daemon wants it: mode 0600 (it refuses one others can read)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def has_element(name):
    return subprocess.run(["gst-inspect-1.0", "--exists", name]).returncode == 0


def make_clips(tmp, clips):
    """Clips at 320x240, 25 fps with a tone, made side by side: `clips` is a list of
    (name, ARGB colour, tone Hz, seconds); each is written to tmp/NAME.mp4."""
    aac = "avenc_aac" if has_element("avenc_aac") else "voaacenc"
    jobs = []
    for name, colour, freq, seconds in clips:
        path = os.path.join(tmp, name + ".mp4")
        pipeline = (
            f"videotestsrc pattern=solid-color foreground-color={colour} "
            f"num-buffers={25 * seconds} "
            f"! video/x-raw,width=320,height=240,framerate=25/1 "
            f"! x264enc speed-preset=ultrafast key-int-max=25 ! h264parse ! mp4mux name=mux "
            f"! filesink location={path} "
            f"audiotestsrc freq={freq} volume=0.3 samplesperbuffer=480 "
            f"num-buffers={100 * seconds} "
            f"! audio/x-raw,rate=48000,channels=2 ! audioconvert ! {aac} ! aacparse ! mux."
        )
        jobs.append((path, subprocess.Popen(["gst-launch-1.0", "-q"] + pipeline.split(),
                                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
    for path, job in jobs:
        _, err = job.communicate(timeout=120)
        if job.returncode != 0 or not os.path.getsize(path):
            raise Failure(f"gst-launch-1.0 could not make {path}: {err.decode(errors='replace')}")


def local_now():
    """Now in the test channels' zone (UTC+7), as a naive datetime."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + ZONE_OFFSET


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def sleep_until(t):
    d = (t - utc_now()).total_seconds()
    if d > 0:
        time.sleep(d)


def http(url, method="GET", token=None, body=None, timeout=5):
    """(status, headers, body bytes); a POST is sent as the API wants it (JSON type)."""
    headers = {}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None
    if method == "POST":
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode() if body is not None else b""
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def http_get(url, timeout=2, token=None):
    return http(url, token=token, timeout=timeout)


def log_tail(path, lines=30):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def start_daemon(onair, cfg, cwd, log):
    with open(log, "wb") as logf:
        return subprocess.Popen([onair, "run", "--config", cfg], stdout=logf, stderr=logf,
                                cwd=cwd)


def stop_daemon(daemon, log):
    """SIGTERM; a daemon that does not stop in 20 s, or stops with a failure, fails the test."""
    if daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=20)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
            raise Failure("onair run did not stop within 20 s of SIGTERM")
    if daemon.returncode != 0:
        raise Failure(f"onair run exited with {daemon.returncode} on SIGTERM:\n{log_tail(log)}")


def wait_healthy(base, daemon, log):
    deadline = time.monotonic() + 30
    last = "no answer"
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            raise Failure(f"onair run exited with {daemon.returncode}:\n{log_tail(log)}")
        try:
            status, _, body = http_get(base + "/api/v1/health", timeout=1)
            if status == 200:
                return
            last = f"{status} {body.decode(errors='replace').strip()}"
        except (OSError, urllib.error.URLError) as e:
            last = str(e)
        time.sleep(0.1)
    raise Failure(f"GET /api/v1/health did not answer 200 within 30 s (last: {last})")


def check_served(base):
    """The page and its catalogues are there, with the security headers; returns the
    catalogues {"en": {...}, "lo": {...}}."""
    status, headers, body = http_get(base + "/")
    if status != 200:
        raise Failure(f"GET / answered {status}: the daemon does not serve the console")
    h = {k.lower(): v for k, v in headers.items()}
    if "text/html" not in h.get("content-type", ""):
        raise Failure(f"GET / has Content-Type {h.get('content-type')!r}, not text/html")
    if "default-src 'self'" not in h.get("content-security-policy", ""):
        raise Failure(f"GET / has no Content-Security-Policy with default-src 'self': {headers}")
    if h.get("x-content-type-options") != "nosniff":
        raise Failure("GET / has no X-Content-Type-Options: nosniff")
    catalogues = {}
    for lang in ("en", "lo"):
        status, _, body = http_get(f"{base}/static/i18n/{lang}.json")
        if status != 200:
            raise Failure(f"GET /static/i18n/{lang}.json answered {status}")
        catalogues[lang] = json.loads(body)
    only = set(catalogues["en"]) ^ set(catalogues["lo"])
    if only:
        raise Failure(f"en.json and lo.json differ in their keys: {sorted(only)}")
    empty = [k for lang in catalogues for k, v in catalogues[lang].items() if not v.strip()]
    if empty:
        raise Failure(f"empty strings in the catalogues: {sorted(set(empty))}")
    return catalogues


# ---- the browser --------------------------------------------------------------------------


def browser(lang, accept, downloads=None, tz=BROWSER_TZ):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,720", "--lang=" + lang):
        opts.add_argument(arg)
    # headless Chromium on Linux takes navigator.languages from this preference, not --lang
    prefs = {"intl.accept_languages": accept}
    if downloads:
        prefs.update({"download.default_directory": downloads,
                      "download.prompt_for_download": False})
    opts.add_experimental_option("prefs", prefs)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    env = dict(os.environ, TZ=tz)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER, env=env), options=opts)
    driver.set_page_load_timeout(30)
    if downloads:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": downloads})
    viewport(driver, 1280, 720)
    return driver


def viewport(driver, width, height):
    # the window size of headless Chromium includes no browser frame but has a minimum
    # width; the emulated metrics give exactly this viewport
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def quit_all(drivers):
    for d in drivers:
        try:
            d.quit()
        except Exception:  # noqa: BLE001 - a browser that died already: nothing to stop
            pass


def console_errors(driver, expected=()):
    """SEVERE console messages, but for a degraded health (503) and the statuses in
    `expected` (for example 401, which Chromium logs when the page is asked for the token)."""
    bad = []
    for e in driver.get_log("browser"):
        if e.get("level") != "SEVERE":
            continue
        msg = e.get("message", "")
        # a degraded station answers health with 503, which Chromium logs; the page expects it
        if "/api/v1/health" in msg and "503" in msg:
            continue
        if any(f"status of {code}" in msg for code in expected):
            continue
        bad.append(msg)
    return bad


def page_weight(driver):
    return driver.execute_script("""
const nav = performance.getEntriesByType('navigation')[0];
const all = [nav].concat(performance.getEntriesByType('resource'));
const size = (e) => e.transferSize || e.encodedBodySize || 0;
return {bytes: all.reduce((n, e) => n + size(e), 0), requests: all.length,
        each: all.map((e) => [new URL(e.name).pathname, size(e)])};
""")


def no_sideways_scroll(driver, what):
    wide = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    if wide[0] > wide[1]:
        raise Failure(f"{what}: the page scrolls sideways: {wide[0]} px wide in {wide[1]} px")


# ---- the command line ---------------------------------------------------------------------


def run_main(name, doc, run, say, prefix):
    """The tests' main(): `NAME.py --onair PATH --out DIR`; calls run(args, tmp) in a fresh
    temporary directory; returns 0 passed, 1 failed (the reason and the end of the daemon's
    log on stderr); exits 77 when the tools are missing."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--onair", required=True, help="the onair binary")
    ap.add_argument("--out", required=True, help="where the screenshots go")
    args = ap.parse_args()
    args.onair = os.path.abspath(args.onair)
    skip_unless_tools(say)
    os.makedirs(args.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=prefix)
    began = time.monotonic()
    try:
        run(args, tmp)
    except Failure as e:
        print(f"{name}: FAILED: {e}", file=sys.stderr, flush=True)
        log = log_tail(os.path.join(tmp, "onair.log"))
        if log:
            print(f"{name}: the end of the daemon's log:\n" + log, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"passed in {time.monotonic() - began:.0f} s; screenshots in {args.out}")
    return 0
