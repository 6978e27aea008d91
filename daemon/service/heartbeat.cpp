#include "service/heartbeat.hpp"

#include "core/time.hpp"

#include <systemd/sd-daemon.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <fstream>

namespace onair::service {

namespace {

using namespace std::chrono_literals;

constexpr auto beat_every = 1s;
// How often the loop's lateness is sampled: often enough for a p99 over a minute.
constexpr auto probe_every = 50ms;
// A loop late by this much has held every channel's cues: logged.
constexpr auto held_warning = std::chrono::milliseconds(500);
// How often freed heap goes back to the system. Each prepared 720p clip takes some 40 MB of
// decoded pictures from many streaming threads' malloc arenas, and glibc keeps what they free:
// without this a tv channel's resident memory settles near its worst break, not its working
// set (bench_memory: 202 MB after six clips were taken off, 73 MB after a trim).
constexpr int trim_every_beats = 60;

} // namespace

heartbeat::heartbeat(boost::asio::io_context& io, std::filesystem::path file, const clock& wall,
                     core::logger& log, hooks h)
    : file_(std::move(file)), wall_(wall), log_(log), hooks_(std::move(h)), beat_timer_(io),
      probe_timer_(io) {}

core::instant heartbeat::last_alive(const std::filesystem::path& file, core::instant fallback) {
    std::error_code ec;
    const auto t = std::filesystem::last_write_time(file, ec);
    if (ec) {
        return fallback;
    }
    const auto sys = std::chrono::file_clock::to_sys(t);
    return std::chrono::time_point_cast<core::milliseconds>(sys);
}

void heartbeat::start() {
    running_ = true;
    sd_notify(0, "READY=1");
    beat();
    probe_due_ = std::chrono::steady_clock::now();
    probe_loop();
}

void heartbeat::stop() {
    sd_notify(0, "STOPPING=1");
    running_ = false;
    beat_timer_.cancel();
    probe_timer_.cancel();
    beat_file();
}

void heartbeat::beat_file() {
    std::ofstream out(file_, std::ios::trunc);
    out << core::format_iso(wall_.now(), *date::locate_zone("UTC")) << '\n';
    out.flush();
    if (!out && !file_error_logged_) {
        file_error_logged_ = true; // once: a full disk would say it every second
        log_.warning("the heartbeat file cannot be written", "file", file_.string());
    } else if (out) {
        file_error_logged_ = false;
    }
}

void heartbeat::beat() {
    try {
        beat_file();
        sd_notify(0, "WATCHDOG=1");
#if defined(__GLIBC__)
        if (++beats_ % trim_every_beats == 0) {
            ::malloc_trim(0);
        }
#endif
        if (hooks_.each_beat) {
            hooks_.each_beat();
        }
    } catch (const std::exception& e) {
        log_.error("internal error in the heartbeat", "reason", e.what());
    }
    beat_timer_.expires_after(beat_every);
    beat_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec && running_) {
            beat();
        }
    });
}

void heartbeat::probe_loop() {
    probe_due_ += probe_every;
    probe_timer_.expires_at(probe_due_);
    probe_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || !running_) {
            return;
        }
        const auto now = std::chrono::steady_clock::now();
        const auto late = std::chrono::duration_cast<std::chrono::microseconds>(now - probe_due_);
        if (hooks_.loop_late) {
            hooks_.loop_late(late);
        }
        if (late >= held_warning) {
            // every channel's cues wait while the loop is held: worth a line of its own
            log_.warning("the loop was held; cues and the API waited", "held_s",
                         core::seconds_text(std::chrono::duration_cast<core::milliseconds>(late)));
        }
        if (now - probe_due_ > probe_every) {
            probe_due_ = now; // do not make up for a long stall with a burst of samples
        }
        probe_loop();
    });
}

} // namespace onair::service
