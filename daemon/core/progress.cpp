#include "core/progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace onair::core {

progress::progress(std::ostream& out, style s, describe_fn describe, clock_fn clock,
                   progress_pacing p)
    : out_(out), style_(s), describe_(std::move(describe)), clock_(std::move(clock)), pacing_(p),
      start_(clock_()) {}

progress::~progress() {
    finish();
}

progress::style progress::style_for_stderr(bool quiet) {
    if (quiet) {
        return style::off;
    }
    return ::isatty(STDERR_FILENO) ? style::bar : style::lines;
}

void progress::update(double done, double total) {
    if (style_ == style::off) {
        return;
    }
    std::lock_guard lock(mutex_);
    if (finished_) {
        return;
    }
    const auto now = clock_();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    if (style_ == style::bar) {
        if (drawn_ && now - last_ < pacing_.bar_every && done < total) {
            return;
        }
        out_ << '\r' << bar_text(done, total, 24) << ' ' << describe_(done, total, elapsed)
             << "\x1b[K" << std::flush;
    } else {
        if (now - start_ < pacing_.lines_after || (drawn_ && now - last_ < pacing_.lines_every)) {
            return;
        }
        out_ << describe_(done, total, elapsed) << '\n' << std::flush;
    }
    drawn_ = true;
    last_ = now;
}

void progress::say(const std::string& line) {
    std::lock_guard lock(mutex_);
    if (style_ == style::bar && drawn_ && !finished_) {
        out_ << "\r\x1b[K";
        drawn_ = false;
    }
    out_ << line << '\n' << std::flush;
}

void progress::finish() {
    std::lock_guard lock(mutex_);
    if (finished_) {
        return;
    }
    finished_ = true;
    if (style_ == style::bar && drawn_) {
        out_ << "\r\x1b[K" << std::flush;
    }
}

std::string clock_text(double seconds) {
    const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
    char text[32];
    if (s >= 3600) {
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    } else {
        std::snprintf(text, sizeof text, "%lld:%02lld", s / 60, s % 60);
    }
    return text;
}

std::string bar_text(double done, double total, int cells) {
    const double share = total > 0 ? std::clamp(done / total, 0.0, 1.0) : 0.0;
    const int filled = static_cast<int>(share * cells);
    return "[" + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(cells - filled), '-') + "]";
}

double eta_seconds(double done, double total, double elapsed_s) {
    if (done <= 0 || total <= 0 || elapsed_s <= 0) {
        return -1;
    }
    return elapsed_s * std::max(0.0, total - done) / done;
}

} // namespace onair::core
