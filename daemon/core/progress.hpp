#pragma once

// Progress of a long command (`check` probing a library, `render`) on stderr. On a terminal: a
// bar redrawn in place at most five times a second. Otherwise: a plain line once the work has
// taken a few seconds, then every ten, so that a quick run (and a script reading stderr) sees
// nothing. Off with --quiet. The clock is a parameter, for tests.

#include <chrono>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>

namespace onair::core {

// How often a progress is drawn.
struct progress_pacing {
    std::chrono::milliseconds bar_every{200};
    std::chrono::milliseconds lines_after{5000};
    std::chrono::milliseconds lines_every{10000};
};

class progress {
public:
    enum class style { off, bar, lines };
    using clock_fn = std::function<std::chrono::steady_clock::time_point()>;
    // What the work has done: "12/40 files, 0:42 left". `elapsed_s` is since the start.
    using describe_fn = std::function<std::string(double done, double total, double elapsed_s)>;

    progress(std::ostream& out, style s, describe_fn describe,
             clock_fn clock = std::chrono::steady_clock::now, progress_pacing p = {});
    ~progress();
    progress(const progress&) = delete;
    progress& operator=(const progress&) = delete;

    // Thread-safe: decoders on several threads may report.
    void update(double done, double total);
    // A line of its own (a warning met on the way), above the bar, which is drawn again at the
    // next update.
    void say(const std::string& line);
    // Clears the bar (the command's own summary line follows). Idempotent.
    void finish();

    // bar on a terminal, lines elsewhere, off when quiet.
    static style style_for_stderr(bool quiet);

private:
    std::ostream& out_;
    style style_;
    describe_fn describe_;
    clock_fn clock_;
    progress_pacing pacing_;
    std::mutex mutex_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_{};
    bool drawn_ = false;
    bool finished_ = false;
};

// "0:42", "6:49", "1:05:03": a duration to go, for ETAs.
std::string clock_text(double seconds);
// "[#####-----]" with `cells` cells, `done` of `total` filled.
std::string bar_text(double done, double total, int cells);
// Seconds left at the pace so far; negative when it cannot be told yet.
double eta_seconds(double done, double total, double elapsed_s);

} // namespace onair::core
