// Each channel its own daemon, as onair@.service runs them: one config, two `onair run
// --channel ID --state-dir DIR --listen HOST:PORT` on loopback. Each airs its channel alone and
// keeps its as-run in its own state dir; `onair status` lists the channels of both (the
// config's control.listen and its control.peers) and marks a peer nobody answers on;
// `onair reload --listen` reaches the one it names.

#include "asrun/store.hpp"
#include "asrun_rows.hpp"
#include "http.hpp"
#include "process.hpp"
#include "render_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace onair::playout {
namespace {

using namespace std::chrono_literals;
using namespace onair::test_support;
namespace fs = std::filesystem;

// The station: test-tv and test-radio, a spot each at t0; the API of the config on `port`, its
// peers on `peers`.
void write_station(const fs::path& dir, wall::time_point t0, int port,
                   const std::vector<int>& peers) {
    fs::create_directories(dir);
    const auto red = testing::tv_clip("units-red.mp4", 0xff0000, 440, 2);
    const auto tone = testing::radio_clip("units-tone.ogg", 440, 2);
    auto schedule = [&](const std::string& media, const fs::path& file) {
        return "media:\n  " + media + ": {file: " + file.string() + ", title: " + media +
               "}\ncampaigns:\n  c: {title: C, from: " + date_of(t0) +
               ", until: " + date_of(t0 + 24h) + ", spots: [" + media +
               "]}\nbreaks:\n  - {id: b, at: [\"" + time_of_day(t0) + "\"], length: 2s}\n";
    };
    std::ofstream(dir / "tv.yaml") << schedule("red", red);
    std::ofstream(dir / "radio.yaml") << schedule("tone", tone);
    std::string peer_list;
    for (int p : peers) {
        peer_list +=
            (peer_list.empty() ? "" : ", ") + std::string("http://127.0.0.1:") + std::to_string(p);
    }
    std::ofstream(dir / "onair.yaml")
        << "station: Test\nstate_dir: state\n"
           "control: {listen: 127.0.0.1:"
        << port << ", peers: [" << peer_list
        << "]}\n"
           "channels:\n"
           "  - {id: test-tv, kind: tv, timezone: UTC, schedule: tv.yaml, loudness: null,\n"
           "     video: {width: 320, height: 240, framerate: 25}, outputs: [{type: null}]}\n"
           "  - {id: test-radio, kind: radio, timezone: UTC, schedule: radio.yaml,\n"
           "     loudness: null, outputs: [{type: null}]}\n";
}

// Waits until the API on `port` answers /api/v1/health (at most 10 s).
bool answers(int port) {
    for (int i = 0; i < 100; ++i) {
        if (http(port, "GET", "/api/v1/health").status != 0) {
            return true;
        }
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

// The rows of an as-run file: (channel, status) of each.
std::vector<std::pair<std::string, std::string>> rows_of(const fs::path& file) {
    std::vector<std::pair<std::string, std::string>> out;
    asrun::store s(file, asrun::open_mode::read_only);
    s.airings({}, [&](const asrun::airing& a) {
        out.emplace_back(a.channel, a.status ? asrun::to_string(*a.status) : "open");
    });
    return out;
}

// The lines of `text` that start with `head`.
std::vector<std::string> lines_starting(const std::string& text, const std::string& head) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(head, 0) == 0) {
            out.push_back(line);
        }
    }
    return out;
}

TEST(channel_units, the_command_line_overrides_are_checked_before_anything_airs) {
    const auto dir = testing::scratch_dir() / "units-options";
    write_station(dir, wall::now() + 1h, free_port(SOCK_STREAM), {});
    const auto config = (dir / "onair.yaml").string();
    auto r = run_onair("run --config " + config + " --listen 127.0.0.1 2>&1");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.out.find("expected HOST:PORT such as 127.0.0.1:8751 (the port is missing)"),
              std::string::npos)
        << r.out;
    // off loopback without a token: the rule of control.listen
    r = run_onair("run --config " + config + " --listen 0.0.0.0:8751 2>&1");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("onair run: --listen: listening on '0.0.0.0' (not loopback) needs a "
                         "token: set control.token_file in "),
              std::string::npos)
        << r.out;
    EXPECT_EQ(run_onair("reload --config " + config + " --listen x:y 2>&1").code, 2);
}

// One real-time scenario (two daemons, a spot each) and what each command says of it.
TEST(channel_units, each_channel_airs_in_its_own_daemon_and_status_lists_them_all) {
    const auto dir = testing::scratch_dir() / "units";
    const int tv_port = free_port(SOCK_STREAM);
    const int radio_port = free_port(SOCK_STREAM);
    const int nobody = free_port(SOCK_STREAM);
    ASSERT_TRUE(tv_port != radio_port && radio_port != nobody && tv_port != nobody);
    const auto t0 = std::chrono::ceil<std::chrono::seconds>(wall::now()) + 5s;
    // the tv unit's own address is the config's; it is listed among the peers too (one list
    // for every unit): asked once
    write_station(dir, t0, tv_port, {tv_port, radio_port, nobody});
    const auto config = (dir / "onair.yaml").string();
    fs::remove_all(fs::current_path() / "units"); // what a failed run left
    daemon_process tv(
        config, dir / "tv.log", {},
        {"--channel", "test-tv", "--state-dir", (dir / "units/test-tv").string(), "--listen="});
    daemon_process radio(config, dir / "radio.log", {},
                         {"--channel", "test-radio", "--state-dir", "units/test-radio", "--listen",
                          "127.0.0.1:" + std::to_string(radio_port)});
    ASSERT_TRUE(answers(tv_port)) << slurp(dir / "tv.log");
    ASSERT_TRUE(answers(radio_port)) << slurp(dir / "radio.log");
    std::this_thread::sleep_until(t0 + 500ms);

    const auto status = run_onair("status --config " + config);
    EXPECT_EQ(status.code, 0) << status.out;
    const auto tv_where = "127.0.0.1:" + std::to_string(tv_port);
    const auto radio_where = "127.0.0.1:" + std::to_string(radio_port);
    const auto nobody_where = "127.0.0.1:" + std::to_string(nobody);
    EXPECT_EQ(lines_starting(status.out, "DAEMON ").size(), 1u) << status.out;
    const auto tv_lines = lines_starting(status.out, tv_where + " ");
    ASSERT_EQ(tv_lines.size(), 1u) << status.out;
    EXPECT_NE(tv_lines[0].find(" test-tv "), std::string::npos) << status.out;
    EXPECT_NE(tv_lines[0].find(" on air "), std::string::npos) << status.out;
    EXPECT_NE(tv_lines[0].find(" red "), std::string::npos) << status.out;
    const auto radio_lines = lines_starting(status.out, radio_where + " ");
    ASSERT_EQ(radio_lines.size(), 1u) << status.out;
    EXPECT_NE(radio_lines[0].find(" test-radio "), std::string::npos) << status.out;
    EXPECT_NE(radio_lines[0].find(" tone "), std::string::npos) << status.out;
    const auto down = lines_starting(status.out, nobody_where + " ");
    ASSERT_EQ(down.size(), 1u) << status.out;
    EXPECT_NE(down[0].find(" -  "), std::string::npos) << down[0];
    EXPECT_NE(down[0].find(" UNREACHABLE "), std::string::npos) << down[0];
    EXPECT_NE(down[0].find("connection refused"), std::string::npos) << down[0];

    // reload: the config's address, or the one named
    auto reload = run_onair("reload --config " + config);
    EXPECT_EQ(reload.code, 0);
    EXPECT_EQ(reload.out, "reloaded: test-tv\n");
    reload = run_onair("reload --config " + config + " --listen " + radio_where);
    EXPECT_EQ(reload.code, 0);
    EXPECT_EQ(reload.out, "reloaded: test-radio\n");

    std::this_thread::sleep_until(t0 + 2500ms);
    EXPECT_EQ(tv.stop(SIGTERM), 0) << slurp(dir / "tv.log");
    EXPECT_EQ(radio.stop(SIGTERM), 0) << slurp(dir / "radio.log");
    // each daemon's as-run in its own state dir (a relative --state-dir is the working
    // directory's, not the config's); the config's state dir is never used
    using row = std::pair<std::string, std::string>;
    EXPECT_EQ(rows_of(dir / "units/test-tv/asrun.sqlite"),
              (std::vector<row>{{"test-tv", "aired"}}));
    EXPECT_EQ(rows_of(fs::current_path() / "units/test-radio/asrun.sqlite"),
              (std::vector<row>{{"test-radio", "aired"}}));
    EXPECT_FALSE(fs::exists(dir / "state/asrun.sqlite"));
    // `onair asrun --state-dir` reads a unit's log through the same config
    const auto tv_rows = run_onair("asrun --config " + config + " --state-dir " +
                                   (dir / "units/test-tv").string() + " --format json");
    EXPECT_EQ(tv_rows.code, 0);
    const auto parsed = nlohmann::json::parse(tv_rows.out, nullptr, false);
    ASSERT_TRUE(parsed.is_array()) << tv_rows.out;
    ASSERT_EQ(parsed.size(), 1u) << tv_rows.out;
    EXPECT_EQ(parsed[0]["channel"], "test-tv");
    EXPECT_EQ(parsed[0]["media"], "red");
    fs::remove_all(fs::current_path() / "units");

    // nobody answers now: every daemon marked, and exit 1
    const auto none = run_onair("status --config " + config + " 2>/dev/null");
    EXPECT_EQ(none.code, 1);
    EXPECT_EQ(lines_starting(none.out, tv_where + " ").size(), 1u) << none.out;
    EXPECT_EQ(count_of(none.out, " UNREACHABLE "), 3) << none.out;
}

} // namespace
} // namespace onair::playout
