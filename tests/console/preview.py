#!/usr/bin/python3
"""Browser test of the console's live preview, level meters and campaigns page (web/), served
by a running daemon.

    preview.py --onair PATH_TO_ONAIR --out DIR

Makes a station in a temporary directory (a tv channel with black, silent filler whose breaks
air a red and a blue 6 s spot with a tone, 6 s of filler between them, all of one campaign;
`control.token_file` set, GETs open), runs `onair run` and drives headless Chromium through
Selenium against http://127.0.0.1:PORT/:
  a. the card's picture follows what airs: its centre pixel (drawn to a canvas in the page) is
     black on filler and the spot's colour during the spot; the <img> src is the preview
     route with a counter;
  b. the meters move: the left meter's RMS is at the bottom of the scale on filler and high
     during the spot's tone, with the value in words (aria-valuetext);
  c. signed in (a token in sessionStorage), the picture is fetched with the token and shown
     through a data: URL, and still follows the air;
  d. the last spot is skipped (POST /skip); the campaigns page, once the breaks are over, shows
     per day and channel the same planned and aired counts as GET /api/v1/asrun, and the
     skipped spot in the missed airings with its reason, in English and in Lao.
Screenshots station-preview.png, campaigns-en.png and campaigns-lo.png go to DIR, and a line
`page weight: campaigns: ...` tells what the campaigns page cost to load.

Exit 0 passed, 1 failed (the reason on stderr), 77 skipped (no chromium, chromedriver,
selenium or GStreamer).
"""
import collections
import datetime
import json
import os
import sys
import time
import urllib.parse

from console_support import (Failure, browser, check_served, console_errors, free_port, http,
                             local_now, make_clips, no_sideways_scroll, page_weight, quit_all,
                             run_main, start_daemon, stop_daemon, utc_now, viewport,
                             station_config, wait_healthy, write_token, ZONE_OFFSET)

CHANNEL = "console-tv"
TOKEN = "preview-test-5b1e"
LEAD_S = 14  # from writing the schedule to the first break: daemon and browser start-up
SPOT_S = 6
SPACING_S = 12  # a 6 s spot, then 6 s of black filler
BREAKS = 3
POLL_S = 0.2
RED = (208, 32, 32)
BLUE = (32, 64, 208)
BLACK = (0, 0, 0)


def say(msg):
    print("preview: " + msg, flush=True)


def write_station(tmp, port):
    """Config, token and schedule; returns (config path, the break times in UTC)."""
    first = (local_now() + datetime.timedelta(seconds=LEAD_S)).replace(microsecond=0)
    breaks = [first + datetime.timedelta(seconds=SPACING_S * i) for i in range(BREAKS)]
    today = local_now().date()
    write_token(os.path.join(tmp, "token"), TOKEN)
    config = station_config(port, "Preview test", CHANNEL, "Console TV", token_file=True)
    at = ", ".join(f'"{b:%H:%M:%S}"' for b in breaks)
    schedule = f"""media:
  red-spot: {{file: red-spot.mp4, duration: {SPOT_S}s, title: "Red spot"}}
  blue-spot: {{file: blue-spot.mp4, duration: {SPOT_S}s, title: "Blue spot"}}
campaigns:
  safety:
    title: Road safety
    from: {today}
    until: {today + datetime.timedelta(days=1)}
    spots: [red-spot, blue-spot]
breaks:
  - {{id: quick, at: [{at}], length: {SPOT_S}s}}
"""
    cfg = os.path.join(tmp, "onair.yaml")
    with open(cfg, "w", encoding="utf-8") as f:
        f.write(config)
    with open(os.path.join(tmp, "schedule.yaml"), "w", encoding="utf-8") as f:
        f.write(schedule)
    return cfg, [(b - ZONE_OFFSET).replace(tzinfo=datetime.timezone.utc) for b in breaks]


# ---- the browser --------------------------------------------------------------------------


LIVE_JS = """
const c = document.querySelector('.card[data-channel="' + arguments[0] + '"]');
if (!c) { return null; }
const img = c.querySelector('.preview-img');
const e = window.onair.st.channels.get(arguments[0]);
const track = c.querySelector('.meter-track');
let px = null;
if (img && img.complete && img.naturalWidth && !c.querySelector('.preview').hidden) {
  const cv = document.createElement('canvas');
  cv.width = img.naturalWidth; cv.height = img.naturalHeight;
  const g = cv.getContext('2d');
  g.drawImage(img, 0, 0);
  px = Array.from(g.getImageData(cv.width >> 1, cv.height >> 1, 1, 1).data.slice(0, 3));
}
return {px, src: img ? img.src : null, width: img ? img.naturalWidth : 0,
        media: e && e.data.now ? e.data.now.media : null,
        rms: track.dataset.rms === undefined ? null : track.dataset.rms,
        valuenow: track.getAttribute('aria-valuenow'),
        valuetext: track.getAttribute('aria-valuetext'), alt: img ? img.alt : null};
"""


def live(driver):
    return driver.execute_script(LIVE_JS, CHANNEL)


def near(px, colour, tol=60):
    return px is not None and all(abs(a - b) <= tol for a, b in zip(px, colour))


def wait_live(driver, what, test, until):
    """Polls the card until test(state) holds; fails at `until` (UTC)."""
    seen = None
    while True:
        seen = live(driver)
        if seen and test(seen):
            return seen
        if utc_now() > until:
            raise Failure(f"{what}: not seen by {until:%H:%M:%S} UTC; the card shows "
                          f"{json.dumps(seen)[:400]}")
        time.sleep(POLL_S)


def spot_and_filler(driver, start, colour, name):
    """During the spot the picture turns its colour and the meter rises; after it, black and
    the meter falls. Returns (state in the spot, state after)."""
    end = start + datetime.timedelta(seconds=SPOT_S)
    during = wait_live(driver, f"the {name} picture during the spot of {start:%H:%M:%S}",
                       lambda s: near(s["px"], colour) and s["rms"] not in (None, "") and
                       float(s["rms"]) > -30, end)
    after = wait_live(driver, f"black and silence after the spot of {start:%H:%M:%S}",
                      lambda s: near(s["px"], BLACK, 30) and s["rms"] not in (None, "") and
                      float(s["rms"]) < -60, end + datetime.timedelta(seconds=SPACING_S - SPOT_S))
    return during, after


def asrun_rows(base):
    q = urllib.parse.urlencode({"channel": CHANNEL, "format": "json"})
    status, _, body = http(f"{base}/api/v1/asrun?{q}", token=TOKEN, timeout=10)
    if status != 200:
        raise Failure(f"GET /api/v1/asrun answered {status}: {body[:300]!r}")
    return json.loads(body)


CAMPAIGN_JS = """
const b = document.querySelector('.campaign-block[data-campaign="' + arguments[0] + '"]');
if (!b) { return null; }
return {rows: [...b.querySelectorAll('table.counts tbody tr')].map((tr) => ({
          day: tr.dataset.day, channel: tr.dataset.channel,
          planned: tr.querySelector('.c-planned').textContent,
          aired: tr.querySelector('.c-aired').textContent})),
        bars: b.querySelectorAll('svg.chart rect').length,
        legend: b.querySelectorAll('.legend li').length,
        missed_rows: [...b.querySelectorAll('table.missed tbody tr')].map((tr) => ({
          status: tr.dataset.status, time: tr.querySelector('.c-time').textContent,
          detail: (tr.querySelector('.note') || {}).textContent || ''})),
        heading: document.querySelector('#campaigns-heading').textContent};
"""


def campaign_page(driver, wait_s=10):
    deadline = time.monotonic() + wait_s
    while True:
        seen = driver.execute_script(CAMPAIGN_JS, "safety")
        if seen and seen["rows"]:
            return seen
        if time.monotonic() > deadline:
            status = driver.execute_script(
                "return document.querySelector('#cp-status').textContent")
            raise Failure(f"the campaigns page shows no block for 'safety' in {wait_s} s: "
                          f"{status!r}")
        time.sleep(POLL_S)


# ---- the test ------------------------------------------------------------------------------


def run(args, tmp):
    make_clips(tmp, [("red-spot", "0xffd02020", 440, SPOT_S),
                     ("blue-spot", "0xff2040d0", 550, SPOT_S)])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cfg, breaks = write_station(tmp, port)
    log = os.path.join(tmp, "onair.log")
    daemon = start_daemon(args.onair, cfg, tmp, log)
    drivers = []
    try:
        wait_healthy(base, daemon, log)
        cat = check_served(base)
        en, lo = cat["en"], cat["lo"]
        driver = browser("en-US", "en-US,en")
        drivers.append(driver)
        driver.get(base + "/")

        # (a, b) filler before the first break: a black picture from the route, silence
        before = wait_live(driver, "a black picture before the first break",
                           lambda s: near(s["px"], BLACK, 30), breaks[0])
        if "/api/v1/channels/" + CHANNEL + "/preview.jpg?t=" not in (before["src"] or ""):
            raise Failure(f"the picture's src is {before['src']!r}, not the preview route")
        if before["width"] != 320 or before["alt"] != en["preview.alt"].replace(
                "{name}", "Console TV"):
            raise Failure(f"the picture is {before['width']} px wide with alt {before['alt']!r}")
        colours = [RED, BLUE]
        names = ["red", "blue"]
        during, after = spot_and_filler(driver, breaks[0], colours[0], names[0])
        if during["media"] not in ("red-spot", "blue-spot"):
            raise Failure(f"the card does not say a spot airs: {during}")
        if during["media"] == "blue-spot":
            colours.reverse()
            names.reverse()
        if not during["valuetext"] or "dBFS" not in during["valuetext"]:
            raise Failure(f"the meter has no value in words: {during['valuetext']!r}")
        say(f"break 1 ({names[0]}): picture {during['px']}, RMS {during['rms']} dBFS "
            f"({during['valuetext']!r}); after it {after['px']}, RMS {after['rms']}")

        # (c) signed in: the picture comes through a data: URL and follows the air
        driver.execute_script("sessionStorage.setItem('onair.token', arguments[0])", TOKEN)
        driver.refresh()
        blob = wait_live(driver, f"the {names[1]} picture through a data: URL (signed in)",
                         lambda s: (s["src"] or "").startswith("data:image/jpeg") and
                         near(s["px"], colours[1]),
                         breaks[1] + datetime.timedelta(seconds=SPOT_S))
        driver.save_screenshot(os.path.join(args.out, "station-preview.png"))
        wait_live(driver, "black again after the second spot (signed in)",
                  lambda s: (s["src"] or "").startswith("data:image/jpeg") and near(s["px"], BLACK, 30),
                  breaks[1] + datetime.timedelta(seconds=SPACING_S))
        say(f"break 2 ({names[1]}) signed in: {blob['src'][:20]}... picture {blob['px']}")

        # the last spot is skipped: a missed airing for the campaigns page
        while utc_now() < breaks[2] + datetime.timedelta(seconds=1.5):
            time.sleep(0.1)
        status, _, body = http(f"{base}/api/v1/channels/{CHANNEL}/skip", method="POST",
                               token=TOKEN)
        if status != 200:
            raise Failure(f"POST /skip answered {status}: {body[:200]!r}")

        # (d) the campaigns page once the breaks are over (the as-run no longer changes)
        last_end = breaks[-1] + datetime.timedelta(seconds=SPOT_S + 2)
        while utc_now() < last_end:
            time.sleep(0.2)
        driver.get("about:blank")
        driver.get(base + "/#/campaigns")
        seen = campaign_page(driver)
        rows = [r for r in asrun_rows(base) if r["campaign"] == "safety"]
        want = collections.Counter()
        planned = collections.Counter()
        for r in rows:
            key = (r["scheduled_start"][:10], r["channel"])
            planned[key] += 1
            if r["status"] == "aired":
                want[key] += 1
        got = {(r["day"], r["channel"]): int(r["aired"].replace(",", "")) for r in seen["rows"]}
        got_planned = {(r["day"], r["channel"]): int(r["planned"].replace(",", ""))
                       for r in seen["rows"]}
        if got != dict(want) or got_planned != dict(planned):
            raise Failure(f"the campaigns page says aired {got}, planned {got_planned}; "
                          f"GET /api/v1/asrun says aired {dict(want)}, planned {dict(planned)}")
        if sum(want.values()) != BREAKS - 1 or sum(planned.values()) != BREAKS:
            raise Failure(f"{sum(want.values())} of {sum(planned.values())} spots aired, not "
                          f"{BREAKS - 1} of {BREAKS} (the last one skipped): {rows}")
        if len(seen["missed_rows"]) != 1 or seen["missed_rows"][0]["status"] != "skipped" or \
                not seen["missed_rows"][0]["detail"]:
            raise Failure(f"the missed airings are not the skipped spot with its reason: "
                          f"{seen['missed_rows']}")
        if seen["bars"] < 1 or seen["legend"] < 5:
            raise Failure(f"the chart has {seen['bars']} bars and {seen['legend']} legend entries")
        hash_ = driver.execute_script("return location.hash")
        today = local_now().date()
        if f"from={today - datetime.timedelta(days=6)}&to={today}" not in hash_:
            raise Failure(f"the campaigns page's default period is {hash_!r}, not the last 7 "
                          "days of the channel's zone")
        viewport(driver, 1280, 1000)  # the chart, the table and the missed airings in one
        driver.save_screenshot(os.path.join(args.out, "campaigns-en.png"))
        w = page_weight(driver)
        static = sum(n for p, n in w["each"] if not p.startswith("/api/"))
        print(f"page weight: campaigns: {w['bytes']} bytes in {w['requests']} requests "
              f"({static} bytes of page files, the rest station data)", flush=True)
        say("campaigns requests: " + ", ".join(f"{p} {n}" for p, n in w["each"]))
        say(f"campaigns page: aired {dict(want)} as the as-run says; missed "
            f"{seen['missed_rows']}")

        driver.find_element("css selector", '.lang button[data-lang="lo"]').click()
        deadline = time.monotonic() + 5
        while driver.execute_script(CAMPAIGN_JS, "safety")["heading"] != lo["campaigns.heading"]:
            if time.monotonic() > deadline:
                raise Failure("the campaigns page did not turn Lao")
            time.sleep(POLL_S)
        driver.save_screenshot(os.path.join(args.out, "campaigns-lo.png"))
        viewport(driver, 375, 812)
        time.sleep(0.3)
        no_sideways_scroll(driver, "the campaigns page at 375 px")
        viewport(driver, 1280, 720)
        bad = console_errors(driver)
        if bad:
            raise Failure("console errors:\n  " + "\n  ".join(bad))
    finally:
        quit_all(drivers)
        stop_daemon(daemon, log)


def main():
    return run_main("preview", __doc__, run, say, "onair-preview.")


if __name__ == "__main__":
    sys.exit(main())
