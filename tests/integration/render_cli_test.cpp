// `onair render` end to end: a config and a schedule on tiny clips, rendered and decoded.

#include "render_fixture.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace onair::playout {
namespace {

struct run_result {
    int status = -1;
    std::string out;
};

run_result run(const std::string& args) {
    run_result r;
    const std::string cmd = std::string(ONAIR_BINARY) + " " + args + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), p) != nullptr) {
        r.out += buf.data();
    }
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

std::filesystem::path write_station() {
    const auto dir = testing::scratch_dir() / "station";
    std::filesystem::create_directories(dir);
    const auto red = testing::tv_clip("red.mp4", 0xff0000, 440, 2);
    const auto blue = testing::tv_clip("blue.mkv", 0x0000ff, 880, 2);
    std::ofstream(dir / "schedule.yaml") << "media:\n"
                                            "  red:\n    file: "
                                         << red.string()
                                         << "\n"
                                            "  blue:\n    file: "
                                         << blue.string()
                                         << "\n"
                                            "campaigns:\n"
                                            "  test:\n"
                                            "    title: Test\n"
                                            "    from: 2026-12-01\n"
                                            "    until: 2026-12-31\n"
                                            "    spots: [red, blue]\n"
                                            "breaks:\n"
                                            "  - id: morning\n"
                                            "    at: [\"06:00:02\"]\n"
                                            "    length: 4s\n";
    std::ofstream(dir / "onair.yaml") << "station: Test\n"
                                         "state_dir: state\n"
                                         "channels:\n"
                                         "  - id: test-tv\n"
                                         "    name: Test TV\n"
                                         "    kind: tv\n"
                                         "    timezone: UTC\n"
                                         "    video: {width: 320, height: 240, framerate: 25}\n"
                                         "    audio: {rate: 48000, channels: 2}\n"
                                         "    loudness: null\n"
                                         "    schedule: schedule.yaml\n"
                                         "    filler: {type: black}\n"
                                         "    outputs:\n"
                                         "      - {type: null}\n";
    return dir / "onair.yaml";
}

TEST(render_cli, renders_the_window_to_the_frame) {
    const auto config = write_station();
    const auto out = testing::scratch_dir() / "cli.ts";
    const auto r = run("render --config " + config.string() +
                       " --channel test-tv --from 2026-12-01T06:00:00 --to 2026-12-01T06:00:10"
                       " --output " +
                       out.string());
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("rendered test-tv"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("0 failed"), std::string::npos) << r.out;
    const auto d = testing::decode(out, true);
    ASSERT_EQ(d.frames.size(), 250u) << "10 s at 25 fps, ending exactly at --to";
    // the break starts at 06:00:02: frame 50 is the first non-filler frame
    EXPECT_EQ(testing::classify(d.frames[49]), "black");
    EXPECT_NE(testing::classify(d.frames[50]), "black");
    EXPECT_EQ(testing::classify(d.frames[249]), "black");
}

TEST(render_cli, joins_a_programme_under_way_at_from_to_the_frame) {
    const auto dir = testing::scratch_dir() / "join";
    std::filesystem::create_directories(dir);
    const auto prog = testing::tv_sequence(
        "join-prog.mp4",
        {{0xff0000, 440, 4}, {0x00ff00, 660, 4}, {0x0000ff, 880, 4}, {0xffff00, 1100, 4}});
    std::ofstream(dir / "schedule.yaml") << "media:\n"
                                            "  prog: {file: "
                                         << prog.string()
                                         << ", title: P}\n"
                                            "programmes:\n"
                                            "  - {id: p, media: prog, at: \"06:00:00\"}\n";
    std::ofstream(dir / "onair.yaml") << "station: Test\n"
                                         "state_dir: state\n"
                                         "channels:\n"
                                         "  - id: test-tv\n"
                                         "    name: Test TV\n"
                                         "    kind: tv\n"
                                         "    timezone: UTC\n"
                                         "    video: {width: 320, height: 240, framerate: 25}\n"
                                         "    audio: {rate: 48000, channels: 2}\n"
                                         "    loudness: null\n"
                                         "    schedule: schedule.yaml\n"
                                         "    filler: {type: black}\n"
                                         "    outputs:\n"
                                         "      - {type: null}\n";
    const auto out = dir / "join.mkv";
    const auto r = run("render --config " + (dir / "onair.yaml").string() +
                       " --channel test-tv --from 2026-12-01T06:00:05.480 --to 2026-12-01T06:00:18"
                       " --output " +
                       out.string());
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("1 aired, 0 failed, 0 skipped"), std::string::npos) << r.out;
    const auto d = testing::decode(out, true);
    ASSERT_EQ(d.frames.size(), 313u) << "12.52 s";
    // 5.48 s into the programme: green until 8 s (63 frames), blue 4 s, yellow 4 s, filler
    std::vector<std::pair<std::string, int>> runs;
    for (const auto& f : d.frames) {
        const auto c = testing::classify(f);
        if (runs.empty() || runs.back().first != c) {
            runs.emplace_back(c, 0);
        }
        ++runs.back().second;
    }
    const std::vector<std::pair<std::string, int>> expected{
        {"green", 63}, {"blue", 100}, {"yellow", 100}, {"black", 50}};
    EXPECT_EQ(runs, expected);
}

TEST(render_cli, refuses_a_container_the_channel_cannot_write) {
    const auto config = write_station();
    const auto r = run("render --config " + config.string() +
                       " --channel test-tv --from 2026-12-01T06:00:00 --to 2026-12-01T06:00:10"
                       " --output " +
                       (testing::scratch_dir() / "x.mp3").string());
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find(".ts or .mkv"), std::string::npos) << r.out;
}

} // namespace
} // namespace onair::playout
