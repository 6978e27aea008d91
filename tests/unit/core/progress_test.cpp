#include "core/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace onair::core {
namespace {

using namespace std::chrono_literals;
using tp = std::chrono::steady_clock::time_point;

struct fake_clock {
    tp now{};
    progress::clock_fn fn() {
        return [this] { return now; };
    }
};

progress::describe_fn files() {
    return [](double done, double total, double elapsed) {
        return std::to_string(static_cast<int>(done)) + "/" +
               std::to_string(static_cast<int>(total)) + " files, " +
               (eta_seconds(done, total, elapsed) < 0
                    ? std::string("?")
                    : clock_text(eta_seconds(done, total, elapsed))) +
               " left";
    };
}

TEST(progress, a_bar_redraws_in_place_at_most_every_200_ms_and_is_cleared_at_the_end) {
    std::ostringstream out;
    fake_clock c;
    {
        progress p(out, progress::style::bar, files(), c.fn());
        p.update(0, 4);
        c.now += 100ms;
        p.update(1, 4); // too soon: not drawn
        c.now += 100ms;
        p.update(1, 4); // 200 ms after the last drawing
        c.now += 10ms;
        p.update(4, 4); // the end is always drawn
        p.finish();
        p.update(4, 4); // after finish: nothing
    }
    EXPECT_EQ(out.str(), "\r[------------------------] 0/4 files, ? left\x1b[K"
                         "\r[######------------------] 1/4 files, 0:01 left\x1b[K"
                         "\r[########################] 4/4 files, 0:00 left\x1b[K"
                         "\r\x1b[K");
}

TEST(progress, lines_start_after_5_s_then_come_every_10_s) {
    std::ostringstream out;
    fake_clock c;
    progress p(out, progress::style::lines, files(), c.fn());
    p.update(1, 100);
    c.now += 4900ms;
    p.update(10, 100); // a quick run prints nothing
    EXPECT_EQ(out.str(), "");
    c.now += 100ms;
    p.update(10, 100); // 5 s: 10 done in 5 s, 90 to go at that pace = 45 s
    c.now += 9s;
    p.update(20, 100);
    c.now += 1s;
    p.update(25, 100); // 15 s in, 75 to go: 45 s
    p.finish();
    EXPECT_EQ(out.str(), "10/100 files, 0:45 left\n25/100 files, 0:45 left\n");
}

TEST(progress, off_prints_nothing) {
    std::ostringstream out;
    fake_clock c;
    progress p(out, progress::style::off, files(), c.fn());
    c.now += 1h;
    p.update(1, 2);
    p.finish();
    EXPECT_EQ(out.str(), "");
}

TEST(progress, clock_text_and_eta) {
    EXPECT_EQ(clock_text(0), "0:00");
    EXPECT_EQ(clock_text(42.4), "0:42");
    EXPECT_EQ(clock_text(409), "6:49");
    EXPECT_EQ(clock_text(3903), "1:05:03");
    EXPECT_EQ(clock_text(-5), "0:00");
    EXPECT_DOUBLE_EQ(eta_seconds(0, 10, 3), -1);
    EXPECT_DOUBLE_EQ(eta_seconds(5, 10, 3), 3);
    EXPECT_EQ(bar_text(1, 3, 6), "[##----]");
    EXPECT_EQ(bar_text(5, 0, 4), "[----]");
}

} // namespace
} // namespace onair::core
