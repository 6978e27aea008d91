// `onair asrun --compare` end to end: two stores written through the library (a main's and a
// backup's), compared by the binary over a window of several days (read a day at a time),
// with every way OTHER can be given or be wrong.

#include "asrun/store.hpp"
#include "asrun_fixture.hpp"
#include "http.hpp"
#include "process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>

#include <algorithm>
#include <fstream>
#include <functional>

namespace onair::asrun {
namespace {

using test::temp_dir;
using test::utc;
using namespace std::chrono_literals;

constexpr auto run = &test_support::run_onair;

class compare_cli : public ::testing::Test {
protected:
    void SetUp() override {
        config_ = (dir_.path() / "onair.yaml").string();
        std::ofstream(config_) << R"(station: Test
state_dir: main
channels:
  - id: tv
    kind: tv
    timezone: Asia/Vientiane
    video: {width: 1280, height: 720, framerate: 25}
    schedule: tv.yaml
    outputs: [{type: null}]
  - id: radio
    kind: radio
    timezone: Asia/Vientiane
    schedule: tv.yaml
    outputs: [{type: null}]
)";
    }

    // A spot per channel per hour from 2026-11-30T17:00Z (local midnight) for 50 hours: three
    // UTC days. `change` may alter a row before it is written, or drop it (false).
    void fill(
        const std::string& state,
        const std::function<bool(airing&)>& change = [](airing&) { return true; }) {
        store s(dir_.path() / state / "asrun.sqlite");
        for (int h = 0; h < 50; ++h) {
            for (const char* ch : {"tv", "radio"}) {
                auto a = test::on_air_spot(ch, utc(2026, 11, 30, 17, 0) + std::chrono::hours{h});
                a.media_sha256 = std::string(64, 'c');
                if (!change(a)) {
                    continue;
                }
                const auto status = a.status.value_or(airing_status::aired);
                a.status.reset();
                auto id = s.open_airing(a);
                s.close_airing(id, a.scheduled_end, status, a.detail);
            }
        }
    }

    std::string compare(const std::string& other, const std::string& rest = "") const {
        return "asrun --config " + config_ + " --compare " + other + rest;
    }
    std::string backup() const { return (dir_.path() / "backup" / "asrun.sqlite").string(); }

    temp_dir dir_;
    std::string config_;
};

TEST_F(compare_cli, the_same_airings_agree_over_days) {
    fill("main");
    fill("backup");
    auto r = run(compare(backup()));
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, "100 slots compared, 0 differ\n");
    // the state dir that holds it does as well
    r = run(compare((dir_.path() / "backup").string()));
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, "100 slots compared, 0 differ\n");
}

TEST_F(compare_cli, lists_each_differing_slot_exactly) {
    fill("main");
    const auto cut = utc(2026, 12, 1, 20, 0); // day 2 (UTC), 03:00 local on 2 December
    fill("backup", [&](airing& a) {
        const auto at = a.scheduled_start;
        if (a.channel == "tv" && at == cut) {
            return false; // missing there
        }
        if (a.channel == "radio" && at == cut) {
            a.status = airing_status::failed;
            a.detail = "cannot decode";
        }
        if (at == cut + 1h) {
            // a frame late on tv (agrees), 11 ms late on radio (differs)
            *a.actual_start += a.channel == "tv" ? 40ms : 11ms;
        }
        if (a.channel == "tv" && at == cut + 2h) {
            *a.actual_start += 41ms;
        }
        if (a.channel == "tv" && at == cut + 3h) {
            a.media_sha256 = std::string(64, 'd');
        }
        return true;
    });
    auto r = run(compare(backup()));
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out,
              "radio 2026-12-02T03:00:00.000+07:00 spot spot-helmet: status aired here, failed "
              "(cannot decode) there\n"
              "tv 2026-12-02T03:00:00.000+07:00 spot spot-helmet: only here (aired)\n"
              "radio 2026-12-02T04:00:00.000+07:00 spot spot-helmet: actual_start "
              "2026-12-02T04:00:00.040+07:00 here, 2026-12-02T04:00:00.051+07:00 there (+11 ms; "
              "a frame is 10 ms)\n"
              "tv 2026-12-02T05:00:00.000+07:00 spot spot-helmet: actual_start "
              "2026-12-02T05:00:00.040+07:00 here, 2026-12-02T05:00:00.081+07:00 there (+41 ms; "
              "a frame is 40 ms)\n"
              "tv 2026-12-02T06:00:00.000+07:00 spot spot-helmet: media_sha256 cccccccccccc... "
              "here, dddddddddddd... there\n"
              "100 slots compared, 5 differ\n");
    // one channel, and a window: only what falls in it
    r = run(compare(backup(), " --channel tv --from 2026-12-02T04:00:00 --to 2026-12-02T06:00:00"));
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out,
              "tv 2026-12-02T05:00:00.000+07:00 spot spot-helmet: actual_start "
              "2026-12-02T05:00:00.040+07:00 here, 2026-12-02T05:00:00.081+07:00 there (+41 ms; "
              "a frame is 40 ms)\n"
              "2 slots compared, 1 differ\n");
    r = run(compare(backup(), " --from 2026-12-02T07:00:00"));
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, "38 slots compared, 0 differ\n");
    r = run("asrun --config " + config_ + " --channel tv --to 2026-12-02T04:00:00 --compare " +
            (dir_.path() / "main").string() + " --format csv");
    EXPECT_EQ(r.code, 0) << "main against itself";
}

TEST_F(compare_cli, json_and_csv_say_the_same) {
    fill("main");
    fill("backup", [](airing& a) { return a.scheduled_start != utc(2026, 11, 30, 17, 0); });
    auto r = run(compare(backup(), " --format json"));
    EXPECT_EQ(r.code, 1);
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["slots"], 100);
    EXPECT_EQ(doc["differ"], 2);
    EXPECT_EQ(doc["other"], backup());
    ASSERT_EQ(doc["differences"].size(), 2u);
    // one start: the slots in channel order
    EXPECT_EQ(doc["differences"][0]["channel"], "radio");
    EXPECT_EQ(doc["differences"][0]["differences"][0], "only_local");
    EXPECT_EQ(doc["differences"][1]["channel"], "tv");
    r = run(compare(backup(), " --format csv"));
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
              "channel,scheduled_start,kind,media,differences,local_status,other_status,"
              "local_actual_start,other_actual_start,apart_ms,frame_ms,local_media_sha256,"
              "other_media_sha256");
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3);
}

TEST_F(compare_cli, no_log_here_is_every_slot_only_there) {
    fill("backup", [](airing& a) { return a.channel == "radio"; });
    auto r = run(compare(backup(), " --to 2026-12-01T02:00:00"));
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "radio 2026-12-01T00:00:00.000+07:00 spot spot-helmet: only there (aired)\n"
                     "radio 2026-12-01T01:00:00.000+07:00 spot spot-helmet: only there (aired)\n"
                     "2 slots compared, 2 differ\n");
}

TEST_F(compare_cli, a_bad_other_is_a_usage_error_and_an_unreadable_one_an_error) {
    fill("main");
    EXPECT_EQ(run(compare("https://127.0.0.1:8751")).code, 2);
    EXPECT_EQ(run(compare("http://127.0.0.1")).code, 2);
    EXPECT_EQ(run(compare("http://127.0.0.1:8751/api")).code, 2);
    const auto said = test_support::run_capture(compare("ftp://x:1"));
    EXPECT_NE(said.find("onair asrun: --compare: expected an as-run file, a state dir or a "
                        "control URL such as http://127.0.0.1:8751 (it does not start with "
                        "http://), found 'ftp://x:1'"),
              std::string::npos)
        << said;
    const auto missing = (dir_.path() / "nowhere").string();
    auto r = run(compare(missing) + " 2>&1");
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "onair asrun: --compare: no as-run file at " + missing + "\n");
    // nobody listens there
    const int port = test_support::free_port(SOCK_STREAM);
    r = run(compare("http://127.0.0.1:" + std::to_string(port)) + " 2>&1");
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "onair asrun: --compare: cannot reach onair at http://127.0.0.1:" +
                         std::to_string(port) + ": connection refused\n");
    EXPECT_EQ(run(compare(backup(), " --verify")).code, 2);
    EXPECT_EQ(run("asrun --config " + config_ + " --format text").code, 2);
}

} // namespace
} // namespace onair::asrun
