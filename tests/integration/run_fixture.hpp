#pragma once

// The station the `onair run` tests air (run_test.cpp, backup_pair_test.cpp): one tv channel,
// 320x240 at 25 fps like the generated clips, recorded to a file; and where a restart moves an
// earlier recording.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace onair::test_support {

// The API port of this test process (the run tests run one at a time, RUN_SERIAL).
inline int api_port() {
    return 20000 + ::getpid() % 20000;
}

// What a test station's config varies in.
struct tv_station {
    std::string schedule_file = "schedule.yaml";
    std::string state_dir = "state";
    int port = api_port();
    std::string output = "out/tv.mkv";
    std::string more_channels; // YAML list items after test-tv
};

// The config of the tests: the station, and test-tv airing the schedule to the output.
inline std::string station_yaml(const tv_station& s) {
    return "station: Test\n"
           "state_dir: " +
           s.state_dir +
           "\n"
           "control: {listen: 127.0.0.1:" +
           std::to_string(s.port) +
           "}\n"
           "channels:\n"
           "  - id: test-tv\n"
           "    name: Test TV\n"
           "    kind: tv\n"
           "    timezone: UTC\n"
           "    video: {width: 320, height: 240, framerate: 25}\n"
           "    audio: {rate: 48000, channels: 2}\n"
           "    loudness: null\n"
           "    schedule: " +
           s.schedule_file +
           "\n"
           "    filler: {type: black}\n"
           "    outputs:\n"
           "      - {type: file, path: " +
           s.output + "}\n" + s.more_channels;
}

// The same with the defaults: test-tv airing `schedule_file` to out/tv.mkv, state in state/.
inline std::string station_yaml(const std::string& schedule_file,
                                const std::string& more_channels = {}) {
    tv_station s;
    s.schedule_file = schedule_file;
    s.more_channels = more_channels;
    return station_yaml(s);
}

// DIR/schedule.yaml holding `schedule` and DIR/onair.yaml airing it.
inline void write_config(const std::filesystem::path& dir, const std::string& schedule) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "schedule.yaml") << schedule;
    std::ofstream(dir / "onair.yaml") << station_yaml("schedule.yaml");
}

// Recordings a restart moved aside in `dir`: STEM.YYYYMMDDTHHMMSSZ[-N].EXT.
inline std::vector<std::filesystem::path>
set_aside(const std::filesystem::path& dir, const std::string& stem, const std::string& ext) {
    const std::regex name(stem + R"(\.\d{8}T\d{6}Z(-\d+)?\)" + ext);
    std::vector<std::filesystem::path> found;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (std::regex_match(e.path().filename().string(), name)) {
            found.push_back(e.path());
        }
    }
    return found;
}

} // namespace onair::test_support
