// `onair report` end to end: a real config and schedule, a store filled through the library,
// the binary's output checked byte for byte.

#include "asrun/report.hpp"
#include "asrun/store.hpp"
#include "asrun_fixture.hpp"
#include "process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace onair::asrun {
namespace {

using test::temp_dir;
using test::utc;
using namespace std::chrono_literals;

// `onair ARGS`: its exit status and stdout
constexpr auto run = &test_support::run_onair;

class report_cli : public ::testing::Test {
protected:
    void SetUp() override {
        config_ = (dir_.path() / "onair.yaml").string();
        std::ofstream(config_) << R"(station: Test
state_dir: state
control:
  listen: 127.0.0.1:8750
  token_file: null
channels:
  - id: tv
    name: TV
    kind: tv
    timezone: Asia/Vientiane
    video: {width: 1280, height: 720, framerate: 25}
    audio: {rate: 48000, channels: 2}
    loudness: -23
    schedule: tv.yaml
    filler: {type: black}
    outputs:
      - {type: null}
)";
        // Two breaks a day of two 30 s spots each (a, b, a, b) and a daily programme: per day
        // 2 x spot-a, 2 x spot-b, 1 x prog.
        std::ofstream(dir_.path() / "tv.yaml") << R"(media:
  spot-a: {file: a.mp4, title: A, duration: 30s}
  spot-b: {file: b.mp4, title: B, duration: 30s}
  prog: {file: p.mp4, title: P, duration: 10m}
campaigns:
  c1:
    title: C1
    from: 2026-12-01
    until: 2026-12-31
    spots: [spot-a, spot-b]
    rotation: sequential
    weight: 1
    max_per_day: 100
    min_gap: 1m
breaks:
  - id: b
    at: ["07:00", "12:00"]
    length: 60s
programmes:
  - id: mag
    media: prog
    at: "20:00"
)";
    }

    // Local Vientiane time (UTC+7) of 2026-12-01 .. 03.
    static core::instant local(unsigned day, int h, int m, int s = 0) {
        return utc(2026, 12, day, 0, 0) - 7h + std::chrono::hours{h} + std::chrono::minutes{m} +
               std::chrono::seconds{s};
    }

    void fill() {
        store s(dir_.path() / "state" / "asrun.sqlite");
        auto row = [](const std::string& ch, airing_kind k, const std::string& media,
                      std::optional<std::string> campaign, core::instant start,
                      core::milliseconds len) {
            airing a;
            a.channel = ch;
            a.kind = k;
            a.media = media;
            a.campaign = std::move(campaign);
            a.title = media;
            a.file = "/m/" + media;
            a.scheduled_start = start;
            a.scheduled_end = start + len;
            a.actual_start = start;
            a.timezone = "Asia/Vientiane";
            return a;
        };
        auto air = [&](airing a, core::milliseconds len, airing_status st) {
            auto id = s.open_airing(a);
            s.close_airing(id, *a.actual_start + len, st);
        };
        using k = airing_kind;
        air(row("tv", k::spot, "spot-a", "c1", local(1, 7, 0), 30s), 30s, airing_status::aired);
        air(row("tv", k::spot, "spot-b", "c1", local(1, 7, 0, 30), 30s), 30s, airing_status::aired);
        air(row("tv", k::spot, "spot-a", "c1", local(1, 12, 0), 30s), 10s,
            airing_status::truncated);
        auto failed = row("tv", k::spot, "spot-b", "c1", local(1, 12, 0, 30), 30s);
        failed.actual_start.reset();
        failed.status = airing_status::failed;
        failed.detail = "file missing";
        s.record(failed);
        air(row("tv", k::programme, "prog", std::nullopt, local(1, 20, 0), 10min), 10min,
            airing_status::aired);
        air(row("tv", k::insert, "flood", std::nullopt, local(1, 21, 0), 60s), 60s,
            airing_status::aired);
        // outside the window, and a channel the config no longer has: not counted
        air(row("tv", k::spot, "spot-a", "c1", local(3, 7, 0), 30s), 30s, airing_status::aired);
        air(row("gone", k::spot, "spot-a", "c1", local(1, 7, 0), 30s), 30s, airing_status::aired);
    }

    std::string cmd(const std::string& rest) const { return "report --config " + config_ + rest; }

    temp_dir dir_;
    std::string config_;
};

TEST_F(report_cli, counts_a_real_plan_against_a_filled_store) {
    fill();
    auto csv = run(cmd(" --from 2026-12-01 --to 2026-12-02 --format csv"));
    EXPECT_EQ(csv.code, 0);
    EXPECT_EQ(csv.out, std::string(report_csv_header) +
                           "item,tv,2026-12-01,spot,c1,spot-a,2,1,1,0,0,0,0,50.0,40.000\n"
                           "item,tv,2026-12-01,spot,c1,spot-b,2,1,0,1,0,0,0,50.0,30.000\n"
                           "item,tv,2026-12-01,programme,,prog,1,1,0,0,0,0,0,100.0,600.000\n"
                           "item,tv,2026-12-01,insert,,flood,0,1,0,0,0,0,0,,60.000\n"
                           "item,tv,2026-12-02,spot,c1,spot-a,2,0,0,0,0,0,0,0.0,0.000\n"
                           "item,tv,2026-12-02,spot,c1,spot-b,2,0,0,0,0,0,0,0.0,0.000\n"
                           "item,tv,2026-12-02,programme,,prog,1,0,0,0,0,0,0,0.0,0.000\n"
                           "campaign,tv,,,,,2,2,0,0,0,0,0,100.0,660.000\n"
                           "campaign,tv,,,c1,,8,2,1,1,0,0,0,25.0,70.000\n"
                           "total,,,,,,10,4,1,1,0,0,0,40.0,730.000\n");

    auto json = run(cmd(" --from 2026-12-01 --to 2026-12-02 --format json"));
    EXPECT_EQ(json.code, 0);
    auto j = nlohmann::json::parse(json.out);
    EXPECT_EQ(j["windows"][0]["from"], "2026-12-01");
    EXPECT_EQ(j["windows"][0]["to"], "2026-12-02");
    EXPECT_EQ(j["rows"].size(), 10u);
    EXPECT_EQ(j["rows"][9]["airtime_ms"], 730000);

    auto text = run(cmd(" --from 2026-12-01 --to 2026-12-01"));
    EXPECT_EQ(text.code, 0);
    EXPECT_EQ(text.out,
              "tv (Asia/Vientiane): 2026-12-01 to 2026-12-01\n"
              "\n"
              "channel  day         kind       campaign  media   planned  aired  trunc  failed  "
              "skipped  interr  on-air  deliv%  airtime s\n"
              "tv       2026-12-01  spot       c1        spot-a        2      1      1       0  "
              "      0       0       0    50.0     40.000\n"
              "tv       2026-12-01  spot       c1        spot-b        2      1      0       1  "
              "      0       0       0    50.0     30.000\n"
              "tv       2026-12-01  programme  -         prog          1      1      0       0  "
              "      0       0       0   100.0    600.000\n"
              "tv       2026-12-01  insert     -         flood         0      1      0       0  "
              "      0       0       0       -     60.000\n"
              "tv       total                  -         all           1      2      0       0  "
              "      0       0       0   200.0    660.000\n"
              "tv       total                  c1        all           4      2      1       1  "
              "      0       0       0    50.0     70.000\n"
              "all      total                  all       all           5      4      1       1  "
              "      0       0       0    80.0    730.000\n");
}

TEST_F(report_cli, defaults_to_the_week_ending_today_and_needs_no_store) {
    const auto* zone = core::find_zone("Asia/Vientiane");
    auto today = [&] {
        auto now = date::floor<core::milliseconds>(std::chrono::system_clock::now());
        return core::format_date(date::floor<date::days>(zone->to_local(now)));
    };
    const auto before = today();
    auto r = run(cmd(" --format json"));
    const auto after = today();
    ASSERT_EQ(r.code, 0);
    auto j = nlohmann::json::parse(r.out);
    const std::string to = j["windows"][0]["to"];
    EXPECT_TRUE(to == before || to == after) << to;
    auto to_day = core::parse_date(to);
    ASSERT_TRUE(to_day);
    EXPECT_EQ(j["windows"][0]["from"], core::format_date(*to_day - date::days{6}));
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "state" / "asrun.sqlite"));
}

TEST_F(report_cli, exit_codes) {
    EXPECT_EQ(run(cmd(" --from 2026-12-32 2>/dev/null")).code, 2);
    EXPECT_EQ(run(cmd(" --to yesterday 2>/dev/null")).code, 2);
    EXPECT_EQ(run(cmd(" --from 2026-12-02 --to 2026-12-01 2>/dev/null")).code, 2);
    EXPECT_EQ(run(cmd(" --format xml 2>/dev/null")).code, 2);
    EXPECT_EQ(
        run("report --config " + (dir_.path() / "missing.yaml").string() + " 2>/dev/null").code, 1);
    std::ofstream(dir_.path() / "tv.yaml") << "media: [\n";
    EXPECT_EQ(run(cmd(" --from 2026-12-01 --to 2026-12-01 2>/dev/null")).code, 1);
}

} // namespace
} // namespace onair::asrun
