// A channel started and stopped many times, the way the runner does it (start at a fraction of
// the wall second, service, dispatch, finish the outputs, stop), once per encoder the outputs
// use: every start must reach its outputs without a fatal error or an output failure. The
// running time each start begins at walks through the second in 20 ms steps, so every phase of
// the start (the one that made Vorbis fail 1 start in 10) is covered on every run.

#include "render_fixture.hpp"

#include "playout/engine.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>

namespace onair::playout {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr int starts = 50;

schedule::channel channel_of(schedule::channel_kind kind, const std::string& id) {
    schedule::channel ch;
    ch.id = id;
    ch.kind = kind;
    if (kind == schedule::channel_kind::tv) {
        ch.video = schedule::video_format{160, 120, 25, 1};
    }
    ch.audio = schedule::audio_format{48000, 2};
    return ch; // black filler, no media
}

struct start_case {
    const char* name;
    schedule::channel_kind kind;
    const char* extension;
};

class start_loop : public ::testing::TestWithParam<start_case> {};

// Returns what went wrong in one start, empty when nothing did.
std::string start_once(const start_case& c, int n) {
    const auto file = testing::scratch_dir() / "starts" / (std::string(c.name) + c.extension);
    std::filesystem::create_directories(file.parent_path());
    std::filesystem::remove(file);
    channel_engine engine(channel_of(c.kind, std::string("start-") + c.name), mode::live);
    schedule::output out;
    out.type = schedule::output_type::file;
    out.file = file;
    engine.add_output(out);
    engine.start(std::chrono::milliseconds(n * 20 % 1000));
    engine.service(clock_type::now());
    const auto end = clock_type::now() + 450ms;
    while (clock_type::now() < end) {
        if (!engine.dispatch(10ms)) {
            return "fatal: " + engine.fatal_error();
        }
        engine.service(clock_type::now());
    }
    for (const auto& s : engine.outputs()) {
        if (s.state != "up") {
            return "output " + s.name + " " + s.state + ": " + s.last_error;
        }
    }
    if (!engine.finish_outputs(3s)) {
        return "the outputs did not finish" +
               (engine.fatal_error().empty() ? std::string() : ": " + engine.fatal_error());
    }
    engine.stop();
    if (std::filesystem::file_size(file) == 0) {
        return "nothing written";
    }
    return {};
}

TEST_P(start_loop, starts_fifty_times_without_a_failure) {
    const start_case& c = GetParam();
    int failures = 0;
    std::string first;
    for (int n = 0; n < starts; ++n) {
        const std::string why = start_once(c, n);
        if (!why.empty()) {
            ++failures;
            if (first.empty()) {
                first = "start " + std::to_string(n) + ": " + why;
            }
        }
    }
    EXPECT_EQ(failures, 0) << first;
}

INSTANTIATE_TEST_SUITE_P(
    encoders, start_loop,
    ::testing::Values(start_case{"tv_x264_aac", schedule::channel_kind::tv, ".ts"},
                      start_case{"radio_aac", schedule::channel_kind::radio, ".ts"},
                      start_case{"radio_lame", schedule::channel_kind::radio, ".mp3"},
                      start_case{"radio_vorbis", schedule::channel_kind::radio, ".ogg"},
                      start_case{"radio_wav", schedule::channel_kind::radio, ".wav"}),
    [](const ::testing::TestParamInfo<start_case>& i) { return std::string(i.param.name); });

} // namespace
} // namespace onair::playout
