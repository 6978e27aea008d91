#!/usr/bin/python3
"""Browser test of the operator console's station page (web/), served by a running daemon.

    station_page.py --onair PATH_TO_ONAIR --out DIR

Makes a station in a temporary directory (two 3 s clips, a tv channel whose breaks air a
Lao-titled and an English-titled spot every few seconds), runs `onair run`, and drives headless
Chromium through Selenium against http://127.0.0.1:PORT/:
  - each spot's title shows on the channel's card within 2 s of its planned start (from
    `onair plan`), with its start time in the channel's zone, and the card says filler between
    breaks; the progress bar moves on its own;
  - the language switch turns the labels into Lao (from /static/i18n/lo.json) and sets
    <html lang="lo">; a reload keeps the choice; a browser that asks for Lao starts in Lao;
  - no console errors (CSP violations, script errors); no sideways scrolling at phone width.
Screenshots station-en.png, station-lo.png and station-phone.png go to DIR, and a line
`page weight: N bytes in M requests` tells what the first load cost.

Exit 0 passed, 1 failed (the reason on stderr), 77 skipped (no chromium, chromedriver,
selenium or GStreamer).
"""
import datetime
import json
import os
import subprocess
import sys
import time

from console_support import (ZONE_OFFSET, Failure, browser, check_served, console_errors,
                             free_port, make_clips, no_sideways_scroll, page_weight,
                             quit_all, run_main, sleep_until, start_daemon, stop_daemon,
                             utc_now, viewport, station_config, wait_healthy)

CHANNEL = "console-tv"
LEAD_S = 12  # from writing the schedule to the first break: daemon and browser start-up
SPACING_S = 5  # a break every 5 s: a 3 s spot, then 2 s of filler
BREAKS = 8
SHOW_WITHIN_S = 2.0
POLL_S = 0.1

TITLE_LO = "ຢຸດຕິການຄ້າມະນຸດ"
TITLE_EN = "Know the signs of trafficking"


def say(msg):
    print("station_page: " + msg, flush=True)


# ---- the station -------------------------------------------------------------------------


def write_station(tmp, port):
    """Config and schedule; returns (config path, the break times as local datetimes)."""
    local_now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + ZONE_OFFSET
    first = (local_now + datetime.timedelta(seconds=LEAD_S)).replace(microsecond=0)
    breaks = [first + datetime.timedelta(seconds=SPACING_S * i) for i in range(BREAKS)]
    today = local_now.date()
    config = station_config(port, "Console test", CHANNEL, "ໂທລະພາບທົດລອງ — Console TV")
    at = ", ".join(f'"{b:%H:%M:%S}"' for b in breaks)
    schedule = f"""media:
  lo-spot: {{file: lo-spot.mp4, duration: 3s, title: "{TITLE_LO}"}}
  en-spot: {{file: en-spot.mp4, duration: 3s, title: "{TITLE_EN}"}}
campaigns:
  console:
    title: Console test
    from: {today}
    until: {today + datetime.timedelta(days=1)}
    spots: [lo-spot, en-spot]
breaks:
  - {{id: quick, at: [{at}], length: 3s}}
"""
    cfg = os.path.join(tmp, "onair.yaml")
    with open(cfg, "w", encoding="utf-8") as f:
        f.write(config)
    with open(os.path.join(tmp, "schedule.yaml"), "w", encoding="utf-8") as f:
        f.write(schedule)
    return cfg, breaks


def planned_items(onair, cfg, breaks):
    """The spots `onair plan` says air in the test's window, as (start, end, title) in UTC."""
    def ts(t):
        return t.strftime("%Y-%m-%dT%H:%M:%S") + "+07:00"
    start = breaks[0] - datetime.timedelta(seconds=1)
    end = breaks[-1] + datetime.timedelta(seconds=SPACING_S)
    r = subprocess.run([onair, "plan", "--config", cfg, "--channel", CHANNEL, "--from", ts(start),
                        "--to", ts(end), "--format", "json"], capture_output=True, text=True,
                       timeout=60)
    if r.returncode != 0:
        raise Failure(f"onair plan failed ({r.returncode}): {r.stderr.strip()}")
    items = []
    for it in json.loads(r.stdout)["items"]:
        items.append({"start": datetime.datetime.fromisoformat(it["start"]),
                      "end": datetime.datetime.fromisoformat(it["end"]),
                      "title": it["title"], "clock": it["start"][11:19]})
    if len(items) != BREAKS:
        raise Failure(f"onair plan gives {len(items)} items for {BREAKS} breaks: {r.stdout}")
    if {i["title"] for i in items} != {TITLE_LO, TITLE_EN}:
        raise Failure(f"the plan does not alternate the two spots: {r.stdout}")
    return items


# ---- the browser --------------------------------------------------------------------------


CARD_JS = """
const c = document.querySelector('.card[data-channel="' + arguments[0] + '"]');
if (!c) { return null; }
const q = (s) => c.querySelector(s);
return {lang: document.documentElement.lang, title: q('.now .title').textContent.trim(),
        kind: q('.now').dataset.kind, start: q('.now .start').textContent.trim(),
        state: q('.state-text').textContent.trim(), next_label: q('.next .label').textContent.trim(),
        now_label: q('.now .label').textContent.trim(), bar: q('.now .bar').value,
        pressed: document.querySelector('.lang button[aria-pressed="true"]').dataset.lang};
"""


def card(driver):
    return driver.execute_script(CARD_JS, CHANNEL)


def wait_for(driver, what, test, timeout):
    deadline = time.monotonic() + timeout
    seen = None
    while True:
        seen = card(driver)
        if seen is not None and test(seen):
            return seen
        if time.monotonic() > deadline:
            raise Failure(f"{what}: not seen within {timeout:.1f} s; the card shows {seen}")
        time.sleep(POLL_S)


def check_labels(driver, cat, lang, what):
    seen = wait_for(driver, f"{what}: the page in {lang}", lambda c: c["lang"] == lang, 5)
    want = {"state": cat["state.on_air"], "next_label": cat["label.next"],
            "now_label": cat["label.now"], "pressed": lang}
    wrong = {k: (seen[k], v) for k, v in want.items() if seen[k] != v}
    if wrong:
        raise Failure(f"{what}: labels not in {lang} (shown, wanted): {wrong}")


def check_item(driver, item, progress=False):
    """The item's title shows within SHOW_WITHIN_S of its start; returns the lateness in s."""
    sleep_until(item["start"] - datetime.timedelta(seconds=0.2))
    limit = (item["start"] - utc_now()).total_seconds() + SHOW_WITHIN_S
    seen = wait_for(driver, f"'{item['title']}' planned at {item['clock']}",
                    lambda c: c["title"] == item["title"] and c["kind"] == "spot", limit)
    late = (utc_now() - item["start"]).total_seconds()
    if seen["start"] != item["clock"]:
        raise Failure(f"'{item['title']}' shows start {seen['start']!r}, planned "
                      f"{item['clock']} (the channel's zone, +07:00)")
    if progress:
        first = seen["bar"]
        time.sleep(0.5)
        second = card(driver)["bar"]
        if not second > first:
            raise Failure(f"the progress bar did not move: {first} then {second} 0.5 s later")
    return late


def check_filler(driver, item, following, cat):
    """Between the item's end and the next break the card says filler."""
    sleep_until(item["end"])
    limit = (following["start"] - utc_now()).total_seconds() - 0.1
    wait_for(driver, f"filler after '{item['title']}' ended at {item['end']:%H:%M:%S}",
             lambda c: c["kind"] == "filler" and c["title"] == cat["now.filler"], max(limit, 0.1))


# ---- the test ------------------------------------------------------------------------------


def run(args, tmp):
    make_clips(tmp, [("lo-spot", "0xffd02020", 440, 3), ("en-spot", "0xff2040d0", 550, 3)])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cfg, breaks = write_station(tmp, port)
    log = os.path.join(tmp, "onair.log")
    daemon = start_daemon(args.onair, cfg, tmp, log)
    drivers = []
    try:
        items = planned_items(args.onair, cfg, breaks)
        wait_healthy(base, daemon, log)
        cat = check_served(base)
        en, lo = cat["en"], cat["lo"]

        # an English browser: the page starts in English and follows the stream
        driver = browser("en-US", "en-US,en")
        drivers.append(driver)
        driver.get(base + "/")
        check_labels(driver, en, "en", "first load")
        weight = page_weight(driver)
        if utc_now() > items[0]["start"] - datetime.timedelta(seconds=1):
            raise Failure(f"start-up took too long: the first break at {items[0]['clock']} "
                          "came before the page was ready (raise LEAD_S)")
        wait_for(driver, "filler before the first break",
                 lambda c: c["kind"] == "filler" and c["title"] == en["now.filler"], 2)
        lateness = []
        lateness.append(check_item(driver, items[0], progress=True))
        driver.save_screenshot(os.path.join(args.out, "station-en.png"))
        check_filler(driver, items[0], items[1], en)
        for i in (1, 2):
            lateness.append(check_item(driver, items[i], progress=(i == 2)))
            check_filler(driver, items[i], items[i + 1], en)

        # the language switch, kept over a reload
        driver.find_element("css selector", '.lang button[data-lang="lo"]').click()
        check_labels(driver, lo, "lo", "after choosing ລາວ")
        driver.refresh()
        check_labels(driver, lo, "lo", "after a reload")

        # the next spot in Lao, at 1280x720 and at phone width
        later = [i for i in items if i["start"] > utc_now() + datetime.timedelta(seconds=0.3)]
        if len(later) < 2:
            raise Failure("no break left for the Lao checks (the language switch was slow)")
        lateness.append(check_item(driver, later[0]))
        driver.save_screenshot(os.path.join(args.out, "station-lo.png"))
        viewport(driver, 375, 812)
        lateness.append(check_item(driver, later[1]))
        driver.save_screenshot(os.path.join(args.out, "station-phone.png"))
        no_sideways_scroll(driver, "at 375 px")
        bad = console_errors(driver)
        if bad:
            raise Failure("console errors in the English browser:\n  " + "\n  ".join(bad))

        # a browser that asks for Lao starts in Lao
        driver_lo = browser("lo", "lo,en")
        drivers.append(driver_lo)
        driver_lo.get(base + "/")
        check_labels(driver_lo, lo, "lo", "a browser asking for Lao")
        bad = console_errors(driver_lo)
        if bad:
            raise Failure("console errors in the Lao browser:\n  " + "\n  ".join(bad))

        say("titles shown " + ", ".join(f"{s:+.2f} s" for s in lateness) +
            " after their planned starts")
        say("requests: " + ", ".join(f"{p} {n}" for p, n in weight["each"]))
        print(f"page weight: {weight['bytes']} bytes in {weight['requests']} requests", flush=True)
    finally:
        quit_all(drivers)
        stop_daemon(daemon, log)


def main():
    return run_main("station_page", __doc__, run, say, "onair-console.")


if __name__ == "__main__":
    sys.exit(main())
