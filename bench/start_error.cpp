// Live start error: how far from its planned time each item really went to air, over many
// airings of `onair run`, read back from the as-run. Prints p50, p99 and max.
//
//   bench_start_error [--seconds N] [--onair PATH] [--kind tv|radio]
//
// A schedule of 2 s spots, three back to back every 10 s, is aired for N seconds (default 120)
// by the real daemon; the start error of a row is actual_start - scheduled_start.

#include "core/time.hpp"

#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string capture(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), p) != nullptr) {
        out += buf.data();
    }
    ::pclose(p);
    return out;
}

void gst(const std::string& pipeline) {
    if (std::system(("gst-launch-1.0 -q " + pipeline + " >/dev/null 2>&1").c_str()) != 0) {
        throw std::runtime_error("gst-launch failed: " + pipeline);
    }
}

std::int64_t ms_of(const std::string& iso) {
    // core's parser: the offset counts (a reading that dropped it was off by hours in +07:00)
    const auto ts = onair::core::parse_timestamp(iso);
    if (!ts) {
        throw std::invalid_argument("not an ISO 8601 timestamp: '" + iso + "'");
    }
    return onair::core::to_instant(*ts, *date::locate_zone("UTC")).time_since_epoch().count();
}

std::string date_of(std::chrono::system_clock::time_point t, int days) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t) + days * 86400;
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

} // namespace

int main(int argc, char** argv) {
    int seconds = 120;
    std::string onair = "build/onair";
    std::string kind = "tv";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--seconds") {
            seconds = std::atoi(argv[i + 1]);
        } else if (a == "--onair") {
            onair = argv[i + 1];
        } else if (a == "--kind") {
            kind = argv[i + 1];
        }
    }
    const fs::path dir =
        fs::temp_directory_path() / ("onair-bench-start-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const bool tv = kind == "tv";
    const std::array<std::pair<const char*, int>, 3> clips{
        {{"0xffff0000", 440}, {"0xff00ff00", 660}, {"0xff0000ff", 880}}};
    std::string media;
    for (std::size_t i = 0; i < clips.size(); ++i) {
        const auto file = dir / ("spot" + std::to_string(i) + (tv ? ".mp4" : ".ogg"));
        const std::string audio = "audiotestsrc freq=" + std::to_string(clips[i].second) +
                                  " num-buffers=200 samplesperbuffer=480 ! "
                                  "audio/x-raw,rate=48000,channels=2 ! audioconvert ! ";
        if (tv) {
            gst("videotestsrc pattern=solid-color foreground-color=" + std::string(clips[i].first) +
                " num-buffers=50 ! video/x-raw,width=1280,height=720,framerate=25/1 ! x264enc "
                "speed-preset=ultrafast ! h264parse ! mp4mux name=m ! filesink location=" +
                file.string() + " " + audio + "avenc_aac ! aacparse ! m.");
        } else {
            gst(audio + "vorbisenc ! oggmux ! filesink location=" + file.string());
        }
        media += "  s" + std::to_string(i) + ": {file: " + file.string() + ", title: Spot " +
                 std::to_string(i) + "}\n";
    }
    const auto now = std::chrono::system_clock::now();
    std::ofstream(dir / "schedule.yaml")
        << "media:\n"
        << media << "campaigns:\n  c: {title: Bench, from: " << date_of(now, -1)
        << ", until: " << date_of(now, 2) << ", spots: [s0, s1, s2]}\n"
        << "breaks:\n  - {id: b, every: 10s, length: 6s}\n";
    std::ofstream(dir / "onair.yaml")
        << "station: Bench\nstate_dir: state\ncontrol: {listen: 127.0.0.1:"
        << 20000 + ::getpid() % 20000
        << "}\nchannels:\n  - id: bench\n    name: Bench\n    kind: " << kind
        << "\n    timezone: UTC\n"
        << (tv ? "    video: {width: 1280, height: 720, framerate: 25}\n" : "")
        << "    audio: {rate: 48000, channels: 2}\n    loudness: -23\n    schedule: schedule.yaml\n"
        << "    filler: {type: black}\n    outputs:\n      - {type: file, path: out/bench."
        << (tv ? "ts" : "ogg") << "}\n";

    const pid_t pid = ::fork();
    if (pid == 0) {
        const std::string log = (dir / "log.txt").string();
        std::freopen(log.c_str(), "w", stderr);
        ::execl(onair.c_str(), onair.c_str(), "run", "--config", (dir / "onair.yaml").c_str(),
                nullptr);
        std::_Exit(127);
    }
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    ::kill(pid, SIGTERM);
    int st = 0;
    ::waitpid(pid, &st, 0);

    const auto rows = nlohmann::json::parse(
        capture(onair + " asrun --config " + (dir / "onair.yaml").string() + " --format json"));
    std::vector<std::int64_t> errors;
    std::size_t failed = 0;
    for (const auto& r : rows) {
        if (r["status"] == "aired") {
            errors.push_back(std::llabs(ms_of(r["actual_start"].get<std::string>()) -
                                        ms_of(r["scheduled_start"].get<std::string>())));
        } else if (r["status"] == "failed") {
            ++failed;
        }
    }
    std::sort(errors.begin(), errors.end());
    auto pct = [&](double p) {
        if (errors.empty()) {
            return std::int64_t{-1};
        }
        return errors[std::min(errors.size() - 1,
                               static_cast<std::size_t>(std::ceil(p * errors.size())) - 1)];
    };
    std::cout << "live start error (" << kind << ", " << seconds << " s of air, " << errors.size()
              << " airings, " << failed << " failed): p50 " << pct(0.5) << " ms, p99 " << pct(0.99)
              << " ms, max " << (errors.empty() ? -1 : errors.back()) << " ms; daemon exit "
              << (WIFEXITED(st) ? WEXITSTATUS(st) : -1) << "\n";
    std::error_code ec;
    fs::remove_all(dir, ec);
    return 0;
}
