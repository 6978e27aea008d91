#!/usr/bin/python3
"""Browser test of an operator's day in the console (web/): the controls, the sign-in, the
rundown and the as-run pages, against a running daemon whose API needs a token.

    operator_day.py --onair PATH_TO_ONAIR --out DIR

Makes a station in a temporary directory (a tv channel whose breaks air a 3 s spot every 8 s,
a 2 s clip to insert, a break too short for any spot), with `control.token_file` (mode 0600),
runs `onair run` and drives headless Chromium through Selenium against http://127.0.0.1:PORT/:
  a. the page reads the station without the token; the first POST (an insert) asks for it; the
     sign-in keeps it in sessionStorage (not localStorage, not the URL) and retries;
  b. the insert picked from the channel's media is answered "airs at HH:MM:SS", and its as-run
     row (kind insert) is `aired` within its length and a few seconds;
  c. a spot on air is skipped through the confirm dialog, which names it; its row is `skipped`;
  d. a schedule broken on disk: Reload shows the daemon's diagnostics as file:line:col lines and
     the card still says on air; fixed, the reload goes through;
  e. the rundown of today (the channel's day: the browser's zone is on another date) shows the
     aired spots `Aired` with their start error, the skipped one, the insert and the dropped
     break with its reason; the next spot turns `Aired` without a reload (the stream's item
     events fetch the as-run again); "Jump to now" reaches a row;
  f. the as-run page filtered by status shows only those rows, and its CSV download (made in the
     browser, with the token) starts with the header of SPEC section 5;
  g. the chain check says OK with a 64-hex head;
  and the pages in Lao and at 375 px, without sideways scrolling or console errors.
Screenshots insert-dialog.png, reload-refused.png, rundown-en.png, rundown-lo.png, asrun-en.png,
rundown-phone.png and asrun-phone.png go to DIR; `page weight:` lines tell what the rundown and
the as-run pages cost to load.

Exit 0 passed, 1 failed (the reason on stderr), 77 skipped (no chromium, chromedriver,
selenium or GStreamer).
"""
import csv
import datetime
import io
import json
import os
import re
import sys
import time
import urllib.parse

from console_support import (Failure, browser, check_served, console_errors, free_port, http,
                             local_now, make_clips, no_sideways_scroll, page_weight,
                             quit_all, run_main, start_daemon, stop_daemon, viewport,
                             station_config, wait_healthy, write_token)

CHANNEL = "console-tv"
TOKEN = "operator-day-7f3a9c"
LEAD_S = 10  # from writing the schedule to the first break: daemon and browser start-up
SPACING_S = 8  # a break every 8 s: a 3 s spot, then filler (room for a 2 s insert)
BREAKS = 12
POLL_S = 0.1
INSERT_MEDIA = "helmet"
INSERT_TITLE = "ໃສ່ໝວກກັນກະທົບ — Wear a helmet"
TITLE_LO = "ຢຸດຕິການຄ້າມະນຸດ"
TITLE_EN = "Know the signs of trafficking"
CSV_HEADER = ("channel,kind,media,campaign,break,title,file,scheduled_start,scheduled_end,"
              "actual_start,actual_end,status,detail")


def browser_zone():
    """A zone for the browser whose date differs from the channel's (UTC+7) now, so that a page
    that took "today" from the browser's clock would open the wrong day."""
    return "Etc/GMT+12" if local_now().hour < 19 else "Etc/GMT-14"  # UTC-12, UTC+14


def say(msg):
    print("operator_day: " + msg, flush=True)


# ---- the station -------------------------------------------------------------------------


def write_station(tmp, port):
    """Config, token and schedule; returns the config path."""
    first = (local_now() + datetime.timedelta(seconds=LEAD_S)).replace(microsecond=0)
    breaks = [first + datetime.timedelta(seconds=SPACING_S * i) for i in range(BREAKS)]
    today = local_now().date()
    token = os.path.join(tmp, "token")
    write_token(token, TOKEN)
    config = station_config(port, "Operator day test", CHANNEL, "ໂທລະພາບທົດລອງ — Console TV",
                            token_file=True)
    at = ", ".join(f'"{b:%H:%M:%S}"' for b in breaks)
    tiny = breaks[-1] + datetime.timedelta(seconds=SPACING_S // 2)
    schedule = f"""media:
  lo-spot: {{file: lo-spot.mp4, duration: 3s, title: "{TITLE_LO}"}}
  en-spot: {{file: en-spot.mp4, duration: 3s, title: "{TITLE_EN}"}}
  {INSERT_MEDIA}: {{file: {INSERT_MEDIA}.mp4, duration: 2s, title: "{INSERT_TITLE}"}}
campaigns:
  console:
    title: Console test
    from: {today}
    until: {today + datetime.timedelta(days=1)}
    spots: [lo-spot, en-spot]
breaks:
  - {{id: quick, at: [{at}], length: 3s}}
  - {{id: tiny, at: ["{tiny:%H:%M:%S}"], length: 1s}}
"""
    cfg = os.path.join(tmp, "onair.yaml")
    with open(cfg, "w", encoding="utf-8") as f:
        f.write(config)
    with open(os.path.join(tmp, "schedule.yaml"), "w", encoding="utf-8") as f:
        f.write(schedule)
    return cfg


def asrun_rows(base, **params):
    """The as-run rows (JSON) of the channel, read with the token like any client."""
    q = urllib.parse.urlencode(dict(params, channel=CHANNEL, format="json"))
    status, _, body = http(f"{base}/api/v1/asrun?{q}", token=TOKEN, timeout=10)
    if status != 200:
        raise Failure(f"GET /api/v1/asrun answered {status}: {body[:300]!r}")
    return json.loads(body)


def wait_row(base, what, test, timeout):
    deadline = time.monotonic() + timeout
    rows = []
    while time.monotonic() < deadline:
        rows = asrun_rows(base)
        found = [r for r in rows if test(r)]
        if found:
            return found[-1]
        time.sleep(0.25)
    tail = json.dumps(rows[-4:], ensure_ascii=False, indent=1)
    raise Failure(f"{what}: no such as-run row within {timeout:.0f} s; the last rows:\n{tail}")


# ---- the browser --------------------------------------------------------------------------


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def wait_js(driver, what, script, timeout, *args):
    """Polls a script until it returns something truthy; returns that."""
    deadline = time.monotonic() + timeout
    seen = None
    while True:
        seen = js(driver, script, *args)
        if seen:
            return seen
        if time.monotonic() > deadline:
            raise Failure(f"{what}: not seen within {timeout:.1f} s")
        time.sleep(POLL_S)


def click(driver, css):
    driver.find_element("css selector", css).click()


def text(driver, css):
    return js(driver, "const e = document.querySelector(arguments[0]); "
                      "return e ? e.textContent.trim() : null;", css)


CARD_NOW_JS = """
const e = window.onair && window.onair.st.channels.get(arguments[0]);
const now = e && e.data.now;
const c = document.querySelector('.card[data-channel="' + arguments[0] + '"]');
if (!c) { return null; }
return {kind: c.querySelector('.now').dataset.kind,
        title: c.querySelector('.now .title').textContent.trim(),
        state: c.querySelector('.state-text').textContent.trim(),
        start: now ? now.start : null, media: now ? now.media : null,
        elapsed: c.querySelector('.now .bar').value};
"""


def card_now(driver):
    return js(driver, CARD_NOW_JS, CHANNEL)


def wait_spot_start(driver, what, timeout, after=None):
    """Waits for a spot of the breaks to have just started on the card (less than 1.2 s ago);
    returns the card's state."""
    deadline = time.monotonic() + timeout
    while True:
        c = card_now(driver)
        if c and c["kind"] == "spot" and c["media"] in ("lo-spot", "en-spot") and \
                c["elapsed"] < 1200 and c["start"] != after:
            return c
        if time.monotonic() > deadline:
            raise Failure(f"{what}: no spot started on the card within {timeout:.0f} s "
                          f"(the card shows {c})")
        time.sleep(POLL_S)


def fresh_load(driver, url):
    """A new page load (not a hash change), so that the performance entries are its own."""
    driver.get("about:blank")
    driver.get(url)


def weight_line(driver, name):
    w = page_weight(driver)
    static = sum(n for p, n in w["each"] if not p.startswith("/api/"))
    print(f"page weight: {name}: {w['bytes']} bytes in {w['requests']} requests "
          f"({static} bytes of page files, the rest station data)", flush=True)
    say(f"{name} requests: " + ", ".join(f"{p} {n}" for p, n in w["each"]))


# ---- the steps -----------------------------------------------------------------------------


def sign_in_on_first_post(driver, en):
    """(a, b) Insert from the picker; the POST asks for the token; the answer names the time."""
    if js(driver, "return document.querySelector('#login-dialog').open"):
        raise Failure("the sign-in dialog opened before any POST (GETs need no token here)")
    click(driver, f'.card[data-channel="{CHANNEL}"] .act-insert')
    wait_js(driver, "the insert picker's media",
            "return document.querySelectorAll('#insert-list input[name=media]').length >= 3", 5)
    picked = js(driver, """
const i = document.querySelector('#insert-list input[value="' + arguments[0] + '"]');
return i ? [i.disabled, i.closest('label').textContent] : null;""", INSERT_MEDIA)
    if not picked or picked[0]:
        raise Failure(f"the picker has no enabled entry for {INSERT_MEDIA}: {picked}")
    if "0:02" not in picked[1] or INSERT_TITLE not in picked[1]:
        raise Failure(f"the picker entry does not show the title and length 0:02: {picked[1]!r}")
    click(driver, f'#insert-list input[value="{INSERT_MEDIA}"]')
    click(driver, "#insert-go")
    wait_js(driver, "the sign-in dialog after the first POST (401)",
            "return document.querySelector('#login-dialog').open", 5)
    if text(driver, "#login-why") != en["login.needed"]:
        raise Failure(f"the sign-in dialog says {text(driver, '#login-why')!r}")
    driver.find_element("css selector", "#login-token").send_keys(TOKEN)
    click(driver, '#login-form button[type="submit"]')
    result = wait_js(driver, "the insert's answer",
                     "const r = document.querySelector('#insert-result'); "
                     "return !r.hidden && r.dataset.state !== 'busy' ? r.textContent : null;", 5)
    m = re.search(r"airs at (\d{2}:\d{2}:\d{2})", result)
    if not m or "Queued" not in result:
        raise Failure(f"the insert was answered {result!r}, not 'Queued: ... airs at HH:MM:SS'")
    stored = js(driver, "return [sessionStorage.getItem('onair.token'), "
                        "JSON.stringify(Object.assign({}, localStorage)), location.href]")
    if stored[0] != TOKEN:
        raise Failure(f"sessionStorage holds {stored[0]!r}, not the token")
    if TOKEN in stored[1] or TOKEN in stored[2]:
        raise Failure("the token is in localStorage or in the URL")
    return m.group(1), result


def run(args, tmp):
    make_clips(tmp, [("lo-spot", "0xffd02020", 440, 3), ("en-spot", "0xff2040d0", 550, 3),
                     (INSERT_MEDIA, "0xff20a040", 660, 2)])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cfg = write_station(tmp, port)
    log = os.path.join(tmp, "onair.log")
    downloads = os.path.join(tmp, "downloads")
    os.makedirs(downloads)
    daemon = start_daemon(args.onair, cfg, tmp, log)
    drivers = []
    try:
        wait_healthy(base, daemon, log)
        cat = check_served(base)
        en, lo = cat["en"], cat["lo"]
        status, headers, _ = http(base + "/api/v1/reload", method="POST")
        if status != 401 or "Bearer" not in headers.get("WWW-Authenticate", ""):
            raise Failure(f"POST /api/v1/reload without the token answered {status}, not 401")

        driver = browser("en-US", "en-US,en", downloads=downloads, tz=browser_zone())
        drivers.append(driver)
        driver.get(base + "/")
        wait_js(driver, "the channel's card on air",
                f"""const c = document.querySelector('.card[data-channel="{CHANNEL}"]');
                    return c && c.dataset.state === 'on-air';""", 10)

        # (a, b) the first spot on air: insert the clip after it
        spot1 = wait_spot_start(driver, "the first break", LEAD_S + 10)
        airs_at, answer = sign_in_on_first_post(driver, en)
        driver.save_screenshot(os.path.join(args.out, "insert-dialog.png"))
        click(driver, "#insert-dialog .dlg-cancel")
        if text(driver, f'.card[data-channel="{CHANNEL}"] .card-msg') != answer:
            raise Failure("the card does not repeat the insert's answer")
        if js(driver, "return document.querySelector('#link').dataset.state") != "live":
            raise Failure("the event stream is not live after signing in (fetch with the token)")
        start = datetime.datetime.strptime(airs_at, "%H:%M:%S").time()
        lateness = (datetime.datetime.combine(local_now().date(), start) - local_now())
        insert_row = wait_row(base, "the insert's row, kind insert, aired",
                              lambda r: r["kind"] == "insert" and r["media"] == INSERT_MEDIA and
                              r["status"] == "aired" and r["scheduled_start"][11:19] == airs_at,
                              max(0, lateness.total_seconds()) + 2 + 5)
        say(f"insert queued for {airs_at}, aired {insert_row['actual_start'][11:23]}")

        # (c) the next spot: skip it, confirmed in the dialog that names it
        spot2 = wait_spot_start(driver, "the break after the insert", SPACING_S + 5,
                                after=spot1["start"])
        click(driver, f'.card[data-channel="{CHANNEL}"] .act-skip')
        wait_js(driver, "the skip dialog", "return document.querySelector('#skip-dialog').open", 3)
        what = text(driver, "#skip-what")
        if spot2["title"] not in what:
            raise Failure(f"the skip dialog names {what!r}, not the spot on air {spot2['title']!r}")
        click(driver, "#skip-go")
        wait_js(driver, "the skip's answer on the card", f"""
            const m = document.querySelector('.card[data-channel="{CHANNEL}"] .card-msg');
            return !document.querySelector('#skip-dialog').open &&
                   m.textContent.startsWith('Skipped');""", 5)
        skipped = wait_row(base, "the skipped spot's row",
                           lambda r: r["scheduled_start"] == spot2["start"] and
                           r["media"] == spot2["media"] and r["status"] == "skipped", 5)
        say(f"skipped {skipped['media']} of {skipped['scheduled_start'][11:19]}: "
            f"{skipped['detail']}")

        # (d) a broken schedule: the reload is refused with the diagnostics, air goes on
        sched = os.path.join(tmp, "schedule.yaml")
        with open(sched, encoding="utf-8") as f:
            good = f.read()
        with open(sched, "a", encoding="utf-8") as f:
            f.write('programmes:\n  - {id: broken, at: ["20:00"\n')
        click(driver, "#reload")
        wait_js(driver, "the refused reload's dialog",
                "const d = document.querySelector('#reload-dialog'); "
                "return d.open && d.dataset.state === 'refused';", 15)
        diags = js(driver, "return [...document.querySelectorAll('#reload-diags .diag')]"
                           ".map((e) => e.textContent)")
        if not any(re.match(r"\S*schedule\.yaml:\d+:\d+: \S", d) for d in diags):
            raise Failure(f"the refused reload shows no file:line:col: message line: {diags}")
        if en["reload.refused_what"] not in text(driver, "#reload-what"):
            raise Failure("the refused reload does not say the old schedule stays on air")
        driver.save_screenshot(os.path.join(args.out, "reload-refused.png"))
        if card_now(driver)["state"] != en["state.on_air"]:
            raise Failure(f"after the refused reload the card says {card_now(driver)['state']!r}")
        status, _, body = http(base + "/api/v1/health")
        if status != 200:
            raise Failure(f"after the refused reload the health is {status} {body!r}")
        click(driver, "#reload-dialog .dlg-cancel")
        with open(sched, "w", encoding="utf-8") as f:
            f.write(good)
        click(driver, "#reload")
        wait_js(driver, "the reload of the fixed schedule",
                "const n = document.querySelector('#notice');"
                "const b = document.querySelector('#reload');"
                "return !b.disabled && !n.hidden && (n.textContent.startsWith(arguments[0]) || "
                "n.textContent.startsWith(arguments[1]));", 15,
                en["reload.done"].split("{")[0], en["notice.reloaded"].split("{")[0])
        if js(driver, "const d = document.querySelector('#reload-dialog'); "
                      "return d.open && d.dataset.state === 'refused';"):
            raise Failure("the reload of the fixed schedule was refused")
        js(driver, "const d = document.querySelector('#reload-dialog'); if (d.open) d.close();")
        say(f"reload refused with {diags[0]!r}; fixed and reloaded")

        # (e) the rundown of today
        click(driver, '.views a[data-view="rundown"]')
        wait_js(driver, "the rundown's rows",
                "return document.querySelectorAll('#rd-rows tr').length > 0 && "
                "!document.querySelector('#rd-table').hidden", 10)
        day = js(driver, "return document.querySelector('#rd-day').value")
        today = local_now().date().isoformat()
        if day != today:
            raise Failure(f"the rundown opened on {day}, not today in the channel's zone {today}")
        if not js(driver, "return location.hash").startswith(f"#/rundown/{CHANNEL}/{today}"):
            raise Failure(f"the rundown's route is {js(driver, 'return location.hash')!r}")
        spot_day = spot1["start"][:10]
        if spot_day != day:  # the test ran over midnight: the spots are on the other day
            driver.get(f"{base}/#/rundown/{CHANNEL}/{spot_day}")
        ROWS_JS = """return [...document.querySelectorAll('#rd-rows tr')].map((tr) => ({
            status: tr.dataset.status, time: tr.querySelector('.c-time').textContent,
            kind: tr.querySelector('.c-kind').textContent,
            title: tr.querySelector('.c-title').textContent,
            asrun: tr.querySelector('.c-asrun').textContent,
            badge: (tr.querySelector('.badge') || {}).textContent}));"""
        rows = wait_js(driver, "the aired spots in the rundown",
                       "const r = (function () {" + ROWS_JS + "})(); "
                       "return r.filter((x) => x.status === 'aired').length >= 2 ? r : null;", 10)
        aired = [r for r in rows if r["status"] == "aired" and r["kind"] == en["item.spot"]]
        first = next((r for r in aired if r["time"].startswith(spot1["start"][11:19])), None)
        if first is None:
            raise Failure(f"the first spot ({spot1['start'][11:19]}) is not marked aired: "
                          f"{rows[:6]}")
        for r in aired:
            if r["badge"] != en["status.aired"] or \
                    not re.search(r"start [+−±]\d+ ms", r["asrun"]):
                raise Failure(f"an aired row without its word or start error: {r}")
        skipped_rows = [r for r in rows if r["status"] == "skipped"]
        if not any(r["time"].startswith(spot2["start"][11:19]) and "operator skip" in r["asrun"]
                   and r["badge"] == en["status.skipped"] for r in skipped_rows):
            raise Failure(f"the skipped spot is not marked skipped with its detail: {skipped_rows}")
        if not any(r["kind"] == en["item.insert"] and r["status"] == "aired" and
                   INSERT_TITLE in r["title"] for r in rows):
            raise Failure("the insert is not in the rundown as an aired insert")
        dropped = [r for r in rows if r["status"] == "dropped"]
        if not dropped or en["dropped.empty"] not in dropped[0]["asrun"]:
            raise Failure(f"the dropped break is not shown with its reason: {dropped}")
        # the next spot turns aired on the page by itself (the item events fetch the as-run)
        upcoming = js(driver, """
            const tr = [...document.querySelectorAll('#rd-rows tr[data-status="planned"]')]
              .find((r) => r.querySelector('.c-time').textContent.slice(0, 8) > arguments[0]);
            return tr ? [tr.dataset.key, tr.querySelector('.c-time').textContent] : null;""",
                      (local_now() + datetime.timedelta(seconds=1)).strftime("%H:%M:%S"))
        if upcoming is None:
            raise Failure("no planned spot left in the rundown to see turn aired")
        wait_js(driver, f"the spot of {upcoming[1]} turning aired in the open rundown",
                "const tr = document.querySelector("
                "  '#rd-rows tr[data-key=\"' + arguments[0] + '\"]');"
                "return tr && tr.dataset.status === 'aired';", SPACING_S + 3 + 5, upcoming[0])
        click(driver, "#rd-now")
        wait_js(driver, "Jump to now reaching a row",
                "const a = document.activeElement;"
                "return a && a.closest && a.closest('#rd-rows');", 3)
        driver.save_screenshot(os.path.join(args.out, "rundown-en.png"))
        say(f"rundown of {day}: {len(aired)} spots aired, e.g. {first['asrun']!r}; "
            f"{len(skipped_rows)} skipped, {len(dropped)} break dropped")

        # (f) the as-run page, filtered by status, and its CSV
        click(driver, '.views a[data-view="asrun"]')
        wait_js(driver, "the as-run rows",
                "return document.querySelectorAll('#ar-rows tr').length > 0", 10)
        driver.find_element("css selector", '#ar-status option[value="aired"]').click()
        badges = wait_js(driver, "only aired rows after filtering",
                         "const b = [...document.querySelectorAll('#ar-rows .badge')]"
                         "  .map((e) => e.textContent);"
                         "return b.length && b.every((x) => x === arguments[0]) ? b : null;", 5,
                         en["status.aired"])
        if "status=aired" not in js(driver, "return location.hash"):
            raise Failure("the status filter is not in the page's route")
        click(driver, "#ar-csv")
        deadline = time.monotonic() + 10
        while True:
            got = [f for f in os.listdir(downloads) if f.endswith(".csv")]
            if got:
                break
            if time.monotonic() > deadline:
                raise Failure(f"the CSV download did not arrive in 10 s ({os.listdir(downloads)})")
            time.sleep(POLL_S)
        with open(os.path.join(downloads, got[0]), encoding="utf-8", newline="") as f:
            data = f.read()
        if not data.startswith(CSV_HEADER):
            raise Failure(f"the downloaded CSV does not start with the header of SPEC section 5: "
                          f"{data.splitlines()[0] if data else data!r}")
        table = list(csv.DictReader(io.StringIO(data)))
        if not table or any(r["status"] != "aired" for r in table):
            raise Failure("the CSV filtered by status holds other rows: "
                          f"{[r['status'] for r in table]}")
        if not any(r["kind"] == "insert" for r in table):
            raise Failure("the downloaded CSV lacks the aired insert")
        say(f"as-run filtered to {len(badges)} aired rows shown; {got[0]}: {len(table)} rows")

        # (g) the chain check
        verify = wait_js(driver, "the chain check's result",
                         "const v = document.querySelector('#ar-verify');"
                         "return v.dataset.state !== 'unknown' ? [v.dataset.state, "
                         "document.querySelector('#ar-verify-text').textContent, "
                         "document.querySelector('#ar-head').textContent] : null;", 10)
        if verify[0] != "ok" or not verify[1].startswith(en["verify.ok"].split(":")[0]) or \
                not re.fullmatch(r"[0-9a-f]{64}", verify[2]):
            raise Failure(f"the chain check does not say OK with a head: {verify}")
        driver.save_screenshot(os.path.join(args.out, "asrun-en.png"))
        say(f"chain check: {verify[1]!r}, head {verify[2][:12]}...")

        # the pages in Lao, then at phone width
        click(driver, '.lang button[data-lang="lo"]')
        click(driver, '.views a[data-view="rundown"]')
        wait_js(driver, "the rundown in Lao",
                "return document.documentElement.lang === 'lo' && "
                "[...document.querySelectorAll('#rd-rows .badge')]"
                "  .some((b) => b.textContent === arguments[0]);",
                5, lo["status.aired"])
        if text(driver, '.views a[data-view="rundown"]') != lo["nav.rundown"]:
            raise Failure("the navigation is not in Lao")
        driver.save_screenshot(os.path.join(args.out, "rundown-lo.png"))
        viewport(driver, 375, 812)
        time.sleep(0.3)
        no_sideways_scroll(driver, "the rundown at 375 px")
        js(driver, "document.querySelector('#rd-summary').scrollIntoView()")
        driver.save_screenshot(os.path.join(args.out, "rundown-phone.png"))
        click(driver, '.views a[data-view="asrun"]')
        wait_js(driver, "the as-run rows at 375 px",
                "return document.querySelectorAll('#ar-rows tr').length > 0", 5)
        no_sideways_scroll(driver, "the as-run page at 375 px")
        driver.save_screenshot(os.path.join(args.out, "asrun-phone.png"))
        viewport(driver, 1280, 720)

        # signing out forgets the token; the stream goes back to EventSource
        click(driver, "#auth")
        wait_js(driver, "signed out", "return sessionStorage.getItem('onair.token') === null && "
                "document.querySelector('#auth').dataset.state === 'out';", 3)
        bad = console_errors(driver, expected=(401, 422))
        if bad:
            raise Failure("console errors:\n  " + "\n  ".join(bad))

        # what the two pages cost to load (English, signed in again)
        click(driver, '.lang button[data-lang="en"]')
        js(driver, "sessionStorage.setItem('onair.token', arguments[0])", TOKEN)
        fresh_load(driver, f"{base}/#/rundown/{CHANNEL}/{spot_day}")
        wait_js(driver, "the rundown loaded afresh",
                "return document.querySelectorAll("
                "  '#rd-rows .badge[data-status=aired]').length > 0", 10)
        weight_line(driver, "rundown")
        fresh_load(driver, f"{base}/#/asrun?channel={CHANNEL}&from={spot_day}&to={spot_day}")
        wait_js(driver, "the as-run page loaded afresh",
                "return document.querySelectorAll('#ar-rows tr').length > 0 && "
                "document.querySelector('#ar-verify').dataset.state === 'ok'", 10)
        weight_line(driver, "as-run")
        bad = console_errors(driver, expected=(401, 422))
        if bad:
            raise Failure("console errors:\n  " + "\n  ".join(bad))
    finally:
        quit_all(drivers)
        stop_daemon(daemon, log)


def main():
    return run_main("operator_day", __doc__, run, say, "onair-operator.")


if __name__ == "__main__":
    sys.exit(main())
