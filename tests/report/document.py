#!/usr/bin/env python3
"""The campaign report as a document: HTML opened in headless Chromium, PDF turned into pages.

Writes the scenario of tests/cli/campaign_scenario.hpp (two channels, every status, a DST day,
an audience, outcomes with a two-day lag) with `report_scenario`, then:
  - `onair report --campaign tip --format html` is one file that Chromium shows with no request
    beyond itself (every resource inline), the numbers of the scenario in its tables, five SVG
    charts (delivery by day, heat map, two outcome charts, and the spots' bars), the Lao title
    drawn with the embedded Lao font and shaped (a vowel below a consonant takes no room of its
    own), "association, not evidence" beside the outcomes, and the chain check;
  - `--format pdf` is an A4 PDF of several pages, each turned into a PNG (pdftoppm) in --out for
    a person to look at, with a screenshot of the HTML;
  - `onair run` on the same config answers GET /api/v1/report with the same CSV byte for byte,
    the same HTML summary, and a PDF.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "console"))
import console_support as cs  # noqa: E402

NAME = "report.document"
PERIOD = ["--campaign", "tip", "--from", "2026-10-01", "--to", "2026-10-26"]


def say(msg):
    print(f"{NAME}: {msg}", flush=True)


def onair(args, binary, cwd):
    p = subprocess.run([binary] + args, cwd=cwd, capture_output=True, timeout=180)
    if p.returncode != 0:
        raise cs.Failure(f"onair {' '.join(args)} exited {p.returncode}: "
                         f"{p.stderr.decode(errors='replace')}")
    return p.stdout


def summary_of(html):
    m = re.search(r"<h2>Summary</h2>.*?</table>", html, re.S)
    if not m:
        raise cs.Failure("the document has no summary table")
    return m.group(0)


def check_html(driver, path, out):
    driver.get("file://" + path)
    cs.viewport(driver, 1000, 1400)
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    outside = [r for r in resources if not r.startswith("data:")]
    if outside:
        raise cs.Failure(f"the document fetched beyond itself: {outside}")
    text = driver.find_element("tag name", "body").text
    # the scenario's numbers (campaign_scenario.hpp): 156 planned, 66 aired and one made good
    # over both channels
    for expected in ("42.9 % delivered", "66 of 156 planned airings aired whole and 1 was made good",
                     "file missing", "an operator insert took its slot", "cut by the next programme",
                     "The as-run chain holds", "2026 viewer survey", "7,590,000",
                     "association, not evidence that the airings caused",
                     "The strongest association is at a lag of 2 days (r = 1.00 over 20 days)",
                     "No clear association"):
        if expected.replace("\u202f", " ") not in text.replace("\u202f", " "):
            raise cs.Failure(f"the page does not say {expected!r}")
    charts = driver.execute_script("return document.querySelectorAll('svg.chart').length")
    if charts != 4:
        raise cs.Failure(f"{charts} charts in the page, expected 4 (days, heat map, 2 outcomes)")
    cells = driver.execute_script(
        "return document.querySelectorAll('svg[aria-label=\"airings by weekday and hour\"] rect')"
        ".length")
    if cells != 7 * 24:
        raise cs.Failure(f"the heat map has {cells} cells, not 168")
    # the Lao title: drawn with the embedded font, and shaped (U+0EB8 below U+0EA2 adds no width)
    shaping = driver.execute_script("""
const probe = (t) => { const s = document.createElement('span'); s.className = 'lao';
  s.style.fontSize = '40px'; s.textContent = t; document.body.appendChild(s);
  const w = s.getBoundingClientRect().width; s.remove(); return w; };
return {loaded: document.fonts.check('40px "Lao report"', '\u0ea2'),
        base: probe('\u0ea2'), marked: probe('\u0ea2\u0eb8')};
""")
    if not shaping["loaded"]:
        raise cs.Failure("the embedded Lao font is not in use")
    if abs(shaping["marked"] - shaping["base"]) > 0.5:
        raise cs.Failure(f"Lao is not shaped: a consonant is {shaping['base']:.1f} px wide, with "
                         f"a vowel below it {shaping['marked']:.1f} px")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    cs.viewport(driver, 1000, min(height, 6000))
    driver.save_screenshot(os.path.join(out, "report-html.png"))


def check_pdf(pdf, out, what):
    with open(pdf, "rb") as f:
        head = f.read(5)
    if head != b"%PDF-":
        raise cs.Failure(f"{what} is not a PDF")
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    if "A4" not in info or pages < 3:
        raise cs.Failure(f"{what}: expected A4 pages, several of them:\n{info}")
    stem = os.path.join(out, "report-pdf-page")
    subprocess.run(["pdftoppm", "-r", "60", "-png", pdf, stem], check=True)
    return pages


def get(url, timeout=120):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read()


def check_api(args, tmp, cli_csv, cli_html):
    port = cs.free_port()
    cfg = os.path.join(tmp, "onair.yaml")
    with open(cfg) as f:
        text = f.read()
    with open(cfg, "w") as f:
        f.write(text.replace("127.0.0.1:8750", f"127.0.0.1:{port}"))
    log = os.path.join(tmp, "onair.log")
    daemon = cs.start_daemon(args.onair, cfg, tmp, log)
    base = f"http://127.0.0.1:{port}"
    try:
        # the scenario's media do not exist: the channels air filler, which is all this needs
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, _ = get(base + "/api/v1/health", timeout=1)
                break
            except Exception:  # noqa: BLE001 - not listening yet (or 503: degraded is fine)
                if daemon.poll() is not None or time.monotonic() > deadline:
                    raise cs.Failure("onair run did not answer:\n" + cs.log_tail(log))
                time.sleep(0.2)
        q = "campaign=tip&from=2026-10-01&to=2026-10-26"
        status, ctype, body = get(f"{base}/api/v1/report?{q}&format=csv")
        if status != 200 or not ctype.startswith("text/csv") or body != cli_csv:
            raise cs.Failure(f"the API's CSV ({status}, {ctype}) differs from the command's:\n"
                             f"{body.decode(errors='replace')}")
        status, ctype, body = get(f"{base}/api/v1/report?{q}&format=html")
        if status != 200 or "text/html" not in ctype:
            raise cs.Failure(f"the API's HTML answered {status} {ctype}")
        if summary_of(body.decode()) != summary_of(cli_html):
            raise cs.Failure("the API's HTML summary differs from the command's")
        began = time.monotonic()
        status, ctype, body = get(f"{base}/api/v1/report?{q}&format=pdf")
        took = time.monotonic() - began
        if status != 200 or ctype != "application/pdf" or not body.startswith(b"%PDF-"):
            raise cs.Failure(f"the API's PDF answered {status} {ctype}")
        say(f"the API's PDF: {len(body)} bytes in {took:.1f} s")
        try:
            get(f"{base}/api/v1/report?campaign=nope")
            raise cs.Failure("an unknown campaign was not refused")
        except urllib.error.HTTPError as e:
            if e.code != 400:
                raise cs.Failure(f"an unknown campaign answered {e.code}, not 400") from e
    finally:
        cs.stop_daemon(daemon, log)


def run(args, tmp):
    subprocess.run([args.scenario, tmp], check=True)
    outcomes = os.path.join(tmp, "outcomes.csv")
    html_path = os.path.join(tmp, "tip.html")
    pdf_path = os.path.join(tmp, "tip.pdf")
    cfg = ["--config", os.path.join(tmp, "onair.yaml")]
    began = time.monotonic()
    onair(["report"] + cfg + PERIOD + ["--outcomes", outcomes, "--format", "html", "-o",
                                       html_path], args.onair, tmp)
    say(f"HTML in {time.monotonic() - began:.2f} s, {os.path.getsize(html_path)} bytes")
    began = time.monotonic()
    onair(["report"] + cfg + PERIOD + ["--outcomes", outcomes, "--format", "pdf", "-o",
                                       pdf_path], args.onair, tmp)
    say(f"PDF in {time.monotonic() - began:.2f} s, {os.path.getsize(pdf_path)} bytes")
    shutil.copy(html_path, os.path.join(args.out, "report.html"))
    shutil.copy(pdf_path, os.path.join(args.out, "report.pdf"))
    pages = check_pdf(pdf_path, args.out, "onair report --format pdf")
    driver = cs.browser("en", "en")
    try:
        check_html(driver, html_path, args.out)
    finally:
        cs.quit_all([driver])
    cli_csv = onair(["report"] + cfg + PERIOD + ["--format", "csv"], args.onair, tmp)
    with open(html_path) as f:
        cli_html = f.read()
    check_api(args, tmp, cli_csv, cli_html)
    say(f"{pages} PDF pages in {args.out}")


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--onair", required=True)
    ap.add_argument("--scenario", required=True, help="the report_scenario test tool")
    ap.add_argument("--out", required=True, help="where the document, its pages and "
                                                  "screenshot go")
    args = ap.parse_args()
    args.onair = os.path.abspath(args.onair)
    import importlib.util
    if importlib.util.find_spec("selenium") is None or not os.access(cs.CHROMIUM, os.X_OK) \
            or shutil.which("pdftoppm") is None:
        say("SKIP: needs python3-selenium, chromium, chromium-driver and poppler-utils")
        return cs.SKIP
    os.makedirs(args.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="onair-report-")
    try:
        run(args, tmp)
    except cs.Failure as e:
        print(f"{NAME}: FAILED: {e}", file=sys.stderr, flush=True)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
