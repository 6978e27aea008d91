#pragma once

// A station whose campaign report has known numbers, for the campaign report's tests (the
// binary's output, and the HTML and PDF opened in a browser by tests/report/document.py
// through report_scenario).
//
// Campaign `tip` (title in Lao and English) airs on two channels:
// - `tv` (Asia/Vientiane, UTC+7): breaks at 07:00 and 18:00, dayparts 06:00-09:00 and
//   17:00-22:00, two 30 s spots (spot-a, spot-b) per break. Audience: 06:00-09:00 on saturdays
//   and sundays 50,000; 17:00-22:00 every day 120,000.
// - `radio` (Europe/Berlin; the clocks go back on 2026-10-25): one break at 12:00, no
//   dayparts ("all day").
// Both plan 2 spots per break, sequential: a, b.
//
// As-run over 2026-10-24 (sat) .. 2026-10-26 (mon):
//   tv    10-24 07:00 a aired, 07:00:30 b aired, 18:00 a aired, 18:00:30 b failed (file missing)
//   tv    10-25 07:00 a skipped (an operator insert took its slot), 07:00:30 b aired,
//               07:01 b aired as the make-good of the 24th's 18:00:30 b,
//               18:00 a interrupted, 18:00:30 b aired
//   radio 10-25 12:00 a aired, 12:00:30 b truncated after 10 s
//   nothing on 10-26 (planned only)
// Then, for the outcomes: 2026-10-01 .. 10-20 on tv, k(d) = 1 + (d * 7 mod 5) extra spot-a rows
// aired at 18:10 (outside every break, so unplanned), and outcomes.csv with
// calls(d + 2) = 100 + 7 * (airings of d), visits a series with no relation (constant + day).

#include "asrun/store.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace onair::test {

inline void write_campaign_scenario(const std::filesystem::path& dir) {
    using namespace std::chrono_literals;
    std::filesystem::create_directories(dir / "state");
    std::ofstream(dir / "onair.yaml") << R"(station: Test
state_dir: state
control:
  listen: 127.0.0.1:8750
  token_file: null
channels:
  - id: tv
    name: "ໂທລະທັດ ປກສ — Police TV"
    kind: tv
    timezone: Asia/Vientiane
    video: {width: 1280, height: 720, framerate: 25}
    audio: {rate: 48000, channels: 2}
    schedule: tv.yaml
    filler: {type: black}
    outputs:
      - {type: null}
    audience:
      - {window: "06:00-09:00", days: [sat, sun], persons: 50000, source: "2026 viewer survey"}
      - {window: "17:00-22:00", persons: 120000, source: "2026 viewer survey"}
  - id: radio
    name: Police Radio
    kind: radio
    timezone: Europe/Berlin
    audio: {rate: 48000, channels: 2}
    schedule: radio.yaml
    filler: {type: black}
    outputs:
      - {type: null}
)";
    const std::string media = R"(media:
  spot-a: {file: a.mp4, title: "ຢຸດຕິການຄ້າມະນຸດ — Stop trafficking", duration: 30s}
  spot-b: {file: b.mp4, title: "Know the signs", duration: 30s}
)";
    std::ofstream(dir / "tv.yaml") << media << R"(campaigns:
  tip:
    title: "ຢຸດຕິການຄ້າມະນຸດ — TIP prevention 2026"
    from: 2026-10-01
    until: 2026-12-31
    spots: [spot-a, spot-b]
    rotation: sequential
    weight: 1
    dayparts: ["06:00-09:00", "17:00-22:00"]
breaks:
  - id: b
    at: ["07:00", "18:00"]
    length: 60s
)";
    std::ofstream(dir / "radio.yaml") << media << R"(campaigns:
  tip:
    title: "ຢຸດຕິການຄ້າມະນຸດ — TIP prevention 2026"
    from: 2026-10-01
    until: 2026-12-31
    spots: [spot-a, spot-b]
    rotation: sequential
breaks:
  - id: noon
    at: ["12:00"]
    length: 60s
)";

    asrun::store s(dir / "state" / "asrun.sqlite");
    // local wall-clock times: Vientiane is UTC+7; Berlin is UTC+2 until 2026-10-25 03:00, then +1
    auto at = [](unsigned month, unsigned day, int h, int m, int sec, std::chrono::hours offset) {
        return core::instant{date::sys_days{date::year{2026} / month / day}} +
               std::chrono::hours{h} + std::chrono::minutes{m} + std::chrono::seconds{sec} - offset;
    };
    auto row = [](const std::string& ch, const std::string& media, core::instant start,
                  const std::string& zone) {
        asrun::airing a;
        a.channel = ch;
        a.kind = asrun::airing_kind::spot;
        a.media = media;
        a.campaign = "tip";
        a.break_id = ch == "tv" ? "b" : "noon";
        a.title = media;
        a.file = "/m/" + media;
        a.scheduled_start = start;
        a.scheduled_end = start + 30s;
        a.actual_start = start;
        a.timezone = zone;
        return a;
    };
    auto air = [&](asrun::airing a, core::milliseconds len, asrun::airing_status st,
                   const std::string& detail = {}) {
        const auto id = s.open_airing(a);
        s.close_airing(id, *a.actual_start + len, st,
                       detail.empty() ? std::nullopt : std::optional<std::string>(detail));
    };
    auto never = [&](asrun::airing a, asrun::airing_status st, const std::string& detail) {
        a.actual_start.reset();
        a.status = st;
        a.detail = detail;
        s.record(a);
    };
    const auto vte = 7h;
    const std::string tvz = "Asia/Vientiane";
    using st = asrun::airing_status;
    air(row("tv", "spot-a", at(10, 24, 7, 0, 0, vte), tvz), 30s, st::aired);
    air(row("tv", "spot-b", at(10, 24, 7, 0, 30, vte), tvz), 30s, st::aired);
    air(row("tv", "spot-a", at(10, 24, 18, 0, 0, vte), tvz), 30s, st::aired);
    never(row("tv", "spot-b", at(10, 24, 18, 0, 30, vte), tvz), st::failed, "file missing");
    never(row("tv", "spot-a", at(10, 25, 7, 0, 0, vte), tvz), st::skipped,
          "an operator insert took its slot");
    air(row("tv", "spot-b", at(10, 25, 7, 0, 30, vte), tvz), 30s, st::aired);
    air(row("tv", "spot-a", at(10, 25, 18, 0, 0, vte), tvz), 12s, st::interrupted,
        "the daemon stopped");
    air(row("tv", "spot-b", at(10, 25, 18, 0, 30, vte), tvz), 30s, st::aired);
    // the failed 18:00:30 b of the 24th, made good on the 25th after the morning break's b
    auto good = row("tv", "spot-b", at(10, 25, 7, 1, 0, vte), tvz);
    good.kind = asrun::airing_kind::make_good;
    good.make_good_of = at(10, 24, 18, 0, 30, vte);
    air(good, 30s, st::aired);
    const std::string bz = "Europe/Berlin";
    air(row("radio", "spot-a", at(10, 25, 12, 0, 0, 1h), bz), 30s, st::aired);
    air(row("radio", "spot-b", at(10, 25, 12, 0, 30, 1h), bz), 10s, st::truncated,
        "cut by the next programme");

    // the outcomes' days: extra airings with a pattern, and the calls two days later
    std::ofstream csv(dir / "outcomes.csv");
    csv << "date,series,value\n";
    for (unsigned d = 1; d <= 20; ++d) {
        const int k = 1 + static_cast<int>(d * 7 % 5);
        for (int i = 0; i < k; ++i) {
            air(row("tv", "spot-a", at(10, d, 18, 10 + i, 0, vte), tvz), 30s, st::aired);
        }
        csv << "2026-10-" << (d + 2 < 10 ? "0" : "") << d + 2 << ",hotline calls," << 100 + 7 * k
            << "\n";
        csv << "2026-10-" << (d < 10 ? "0" : "") << d << ",website visits," << 500 + d << "\n";
    }
}

} // namespace onair::test
