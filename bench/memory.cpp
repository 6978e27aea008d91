// Resident memory of a live tv channel (1280x720, 25 fps) as clips are prepared ahead of their
// start, as the daemon prepares each item 5 s ahead: what one waiting clip costs, and whether it
// all comes back once they are taken off. Prints figures; asserts nothing.
//
//   bench_memory [--clips N]     (default 6)
//
// The clip is made with GStreamer at start (10 s, H.264 4:2:0 + AAC in MP4, 1280x720).

#include "playout/engine.hpp"

#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using onair::playout::channel_engine;
namespace schedule = onair::schedule;

long rss_kib() {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::atol(line.c_str() + 6);
        }
    }
    return 0;
}

void pump(channel_engine& e, std::chrono::milliseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < until) {
        e.dispatch(20ms);
    }
}

} // namespace

int main(int argc, char** argv) {
    int clips = 6;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--clips") == 0) {
            clips = std::atoi(argv[i + 1]);
        }
    }
    const auto dir = std::filesystem::temp_directory_path() /
                     ("onair-bench-memory-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "clip.mp4";
    const std::string make =
        "gst-launch-1.0 -q videotestsrc num-buffers=250 pattern=ball ! "
        "video/x-raw,format=I420,width=1280,height=720,framerate=25/1 ! x264enc "
        "speed-preset=ultrafast "
        "key-int-max=50 ! h264parse ! mp4mux name=m ! filesink location=" +
        file.string() +
        " audiotestsrc num-buffers=469 samplesperbuffer=1024 ! "
        "audio/x-raw,rate=48000,channels=2 ! avenc_aac ! aacparse ! m. > /dev/null 2>&1";
    if (std::system(make.c_str()) != 0) {
        std::fprintf(stderr, "bench_memory: cannot make the test clip with gst-launch-1.0\n");
        return 1;
    }

    schedule::channel ch;
    ch.id = "bench-tv";
    ch.kind = schedule::channel_kind::tv;
    ch.video = schedule::video_format{1280, 720, 25, 1};
    ch.audio = schedule::audio_format{48000, 2};
    schedule::output null_out;
    null_out.type = schedule::output_type::null;
    onair::core::logger log(std::cerr, onair::core::level::warning);
    {
        channel_engine engine(ch, onair::playout::mode::live, log);
        engine.add_output(null_out);
        engine.start();
        engine.service(std::chrono::steady_clock::now());
        pump(engine, 3s);
        const long base = rss_kib();
        std::printf("tv 1280x720 live, null output: %ld MiB on air with filler only\n",
                    base / 1024);
        std::printf("%14s %10s %14s\n", "clips_waiting", "rss_mib", "per_clip_mib");
        std::vector<std::uint64_t> serials;
        for (int k = 1; k <= clips; ++k) {
            onair::playout::clip c;
            c.id = "clip-" + std::to_string(k);
            c.file = file;
            c.start = engine.clock_running_time() + std::chrono::minutes(10);
            c.duration = 10s;
            serials.push_back(engine.schedule_clip(c));
            pump(engine, 2s);
            const long now = rss_kib();
            std::printf("%14d %10.1f %14.1f\n", k, now / 1024.0, (now - base) / 1024.0 / k);
        }
        for (auto s : serials) {
            engine.cancel_clip(s);
        }
        pump(engine, 3s);
        std::printf("all taken off: %.1f MiB\n", rss_kib() / 1024.0);
        const auto t0 = std::chrono::steady_clock::now();
        ::malloc_trim(0);
        const auto took =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
        std::printf("after malloc_trim(0): %.1f MiB (the trim took %.1f ms)\n", rss_kib() / 1024.0,
                    took.count());
        engine.stop();
    }
    std::filesystem::remove_all(dir);
    return 0;
}
