// CPU of live channels through the playout engine, against plain ffmpeg doing the same
// encoding. Prints figures; asserts nothing.
//
//   bench_cpu [--seconds N]     (default 60; 10 gives a quick look)
//
// Content: the engine's black filler with silence, and ffmpeg's color=black + anullsrc, so both
// sides encode the same pictures and sound: what differs is the pipeline around the encoders.
// One tv channel at 1280x720 25 fps with one output (udp), then with four (file + udp + hls +
// srt) that share one x264 and one AAC encoder, so the ratio shows whether an encoder runs
// twice; one radio channel with an mp3 file (LAME 128 kbit/s).

#include "playout/engine.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using onair::playout::channel_engine;
namespace schedule = onair::schedule;

double seconds_of(const timeval& t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
}

double cpu_self() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return seconds_of(u.ru_utime) + seconds_of(u.ru_stime);
}

// A loopback UDP socket nobody reads: the kernel drops what overflows its buffer.
struct udp_hole {
    int fd = -1;
    int port = 0;
    udp_hole() {
        fd = socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
    }
    ~udp_hole() { close(fd); }
};

schedule::channel tv() {
    schedule::channel ch;
    ch.id = "bench-tv";
    ch.kind = schedule::channel_kind::tv;
    ch.video = schedule::video_format{1280, 720, 25, 1};
    ch.audio = schedule::audio_format{48000, 2};
    return ch;
}

schedule::channel radio() {
    schedule::channel ch;
    ch.id = "bench-radio";
    ch.kind = schedule::channel_kind::radio;
    ch.audio = schedule::audio_format{48000, 2};
    return ch;
}

// Runs a live channel for `seconds` of real time; returns CPU seconds per second of output.
double run_engine(const schedule::channel& ch, const std::vector<schedule::output>& outputs,
                  int seconds) {
    onair::core::logger log(std::cerr, onair::core::level::warning);
    channel_engine engine(ch, onair::playout::mode::live, log);
    for (const auto& o : outputs) {
        engine.add_output(o);
    }
    engine.start();
    engine.service(std::chrono::steady_clock::now());
    // the first second (start-up, encoder warm-up) is not measured
    const auto warm = std::chrono::steady_clock::now() + 1s;
    while (std::chrono::steady_clock::now() < warm) {
        engine.dispatch(20ms);
        engine.service(std::chrono::steady_clock::now());
    }
    const double c0 = cpu_self();
    const auto t0 = std::chrono::steady_clock::now();
    const auto end = t0 + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < end) {
        if (!engine.dispatch(20ms)) {
            std::cerr << "engine stopped: " << engine.fatal_error() << '\n';
            break;
        }
        engine.service(std::chrono::steady_clock::now());
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_self() - c0;
    for (const auto& s : engine.outputs()) {
        if (s.state != "up") {
            std::cerr << "  output " << s.name << " is " << s.state << ": " << s.last_error << '\n';
        }
    }
    engine.stop();
    return cpu / wall;
}

// Runs ffmpeg with `args` (real time, -re) for `seconds`; returns its CPU seconds per second.
double run_ffmpeg(const std::vector<std::string>& args, int seconds) {
    std::vector<std::string> all{"ffmpeg", "-nostdin", "-loglevel", "error", "-y"};
    all.insert(all.end(), args.begin(), args.end());
    // the same 1 s warm-up margin as the engine: measured over seconds + 1, minus nothing
    // (ffmpeg's start-up is cheap and short)
    std::vector<char*> argv;
    for (auto& a : all) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        execvp("ffmpeg", argv.data());
        _exit(127);
    }
    int status = 0;
    rusage u{};
    wait4(pid, &status, 0, &u);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::cerr << "ffmpeg failed (is it installed? scripts/install-deps)\n";
        return 0;
    }
    (void)seconds;
    return (seconds_of(u.ru_utime) + seconds_of(u.ru_stime)) / wall;
}

} // namespace

int main(int argc, char** argv) {
    int seconds = 60;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = std::max(1, std::atoi(argv[++i]));
        } else {
            std::cerr << "usage: bench_cpu [--seconds N]\n";
            return 2;
        }
    }
    const auto dir =
        std::filesystem::temp_directory_path() / ("onair-bench-cpu-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    udp_hole hole;

    schedule::output udp;
    udp.type = schedule::output_type::udp;
    udp.host = "127.0.0.1";
    udp.port = hole.port;
    schedule::output file;
    file.type = schedule::output_type::file;
    file.file = dir / "tv.ts";
    schedule::output hls;
    hls.type = schedule::output_type::hls;
    hls.dir = dir / "hls";
    hls.segment = 6s;
    schedule::output srt;
    srt.type = schedule::output_type::srt;
    srt.uri = "srt://127.0.0.1:" + std::to_string(hole.port + 1) + "?mode=listener";
    schedule::output mp3;
    mp3.type = schedule::output_type::file;
    mp3.file = dir / "radio.mp3";

    std::printf("live channels, %d s each (CPU time / wall time; 1.00 = one core)\n", seconds);
    const double tv_one = run_engine(tv(), {udp}, seconds);
    std::printf("  tv 720p25, 1 output (udp)                    %.2f cores\n", tv_one);
    const double tv_four = run_engine(tv(), {file, udp, hls, srt}, seconds);
    std::printf("  tv 720p25, 4 outputs (file, udp, hls, srt)   %.2f cores  (%.2fx one output)\n",
                tv_four, tv_four / tv_one);
    const double radio_one = run_engine(radio(), {mp3}, seconds);
    std::printf("  radio 48 kHz stereo, mp3 file (LAME 128k)    %.3f cores\n", radio_one);

    const std::string t = std::to_string(seconds);
    const double ff_tv = run_ffmpeg(
        {"-re",      "-f",      "lavfi",     "-i",      "color=black:size=1280x720:rate=25",
         "-re",      "-f",      "lavfi",     "-i",      "anullsrc=r=48000:cl=stereo",
         "-t",       t,         "-pix_fmt",  "yuv420p", "-c:v",
         "libx264",  "-preset", "ultrafast", "-tune",   "zerolatency",
         "-b:v",     "2500k",   "-g",        "50",      "-c:a",
         "aac",      "-b:a",    "128k",      "-f",      "mpegts",
         "/dev/null"},
        seconds);
    std::printf("  ffmpeg tv 720p25 x264 ultrafast + aac, ts    %.2f cores  (engine, 1 output: "
                "%.2fx)\n",
                ff_tv, ff_tv > 0 ? tv_one / ff_tv : 0.0);
    const double ff_radio =
        run_ffmpeg({"-re", "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", t, "-c:a",
                    "libmp3lame", "-b:a", "128k", "-f", "mp3", "/dev/null"},
                   seconds);
    std::printf("  ffmpeg radio mp3 (LAME 128k)                 %.3f cores  (engine: %.2fx)\n",
                ff_radio, ff_radio > 0 ? radio_one / ff_radio : 0.0);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return 0;
}
