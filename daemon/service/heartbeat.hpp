#pragma once

// The daemon's pulse, on the loop: every second it rewrites STATE_DIR/onair.alive (the last
// moment the daemon is known alive: where a crash's open airings are closed) and feeds systemd's
// watchdog (WATCHDOG=1: the loop turns; channels that are down show in health and metrics, they
// do not get the whole station restarted). A second timer measures how late the loop runs its
// handlers (the loop's tick latency), which is what a cue waiting on a busy loop would suffer.

#include "core/log.hpp"
#include "service/clock.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <filesystem>
#include <functional>

namespace onair::service {

class heartbeat {
public:
    struct hooks {
        std::function<void()> each_beat;                               // after the file and ping
        std::function<void(std::chrono::microseconds late)> loop_late; // each latency sample
    };

    heartbeat(boost::asio::io_context& io, std::filesystem::path file, const clock& wall,
              core::logger& log, hooks h);

    // Sends READY=1 (once) and starts beating.
    void start();
    // Sends STOPPING=1, writes the file a last time and stops the timers.
    void stop();
    // Writes the file now (start-up, before anything airs).
    void beat_file();

    // The last moment an earlier daemon was known alive: the file's time, or `fallback`.
    static core::instant last_alive(const std::filesystem::path& file, core::instant fallback);

private:
    void beat();
    void probe_loop();

    std::filesystem::path file_;
    const clock& wall_;
    core::logger& log_;
    hooks hooks_;
    boost::asio::steady_timer beat_timer_;
    boost::asio::steady_timer probe_timer_;
    std::chrono::steady_clock::time_point probe_due_{};
    int beats_ = 0;
    bool file_error_logged_ = false;
    bool running_ = false;
};

} // namespace onair::service
