// The loader's count of break times (what limits::items_per_day bounds) is the planner's: for
// random breaks, break_times_on gives, day by day, exactly as many times as the planner lays
// out. In a zone without clock changes, so that none is merged.

#include "planner/detail.hpp"
#include "planner/planner.hpp"
#include "schedule/load.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <random>

namespace onair::schedule {
namespace {

using namespace std::chrono_literals;

TEST(limits_planner, break_times_on_counts_what_the_planner_lays_out) {
    std::mt19937 rng(20261203);
    auto pick = [&](long long lo, long long hi) {
        return std::uniform_int_distribution<long long>(lo, hi)(rng);
    };
    // 1s only inside narrow windows: the planner resolves every time through the zone.
    const std::vector<milliseconds> everies{1s, 7s, 18s, 59s, 1min, 7min, 15min, 1h, 7h, 24h};
    auto s = std::make_shared<schedule>();
    for (int i = 0; i < 120; ++i) {
        break_rule b;
        b.id = "b" + std::to_string(i);
        b.length = 1s;
        b.days = weekday_set(pick(1, 127));
        if (pick(0, 4) == 0) {
            for (long long n = pick(1, 6); n > 0; --n) {
                b.at.push_back(milliseconds(pick(0, 86399) * 1000));
            }
            std::sort(b.at.begin(), b.at.end());
            b.at.erase(std::unique(b.at.begin(), b.at.end()), b.at.end());
        } else {
            b.every = everies[std::size_t(pick(0, long(everies.size()) - 1))];
            b.offset = milliseconds(pick(0, b.every->count() - 1));
            const bool narrow = *b.every < 18s;
            if (narrow || pick(0, 2) != 0) {
                core::day_window w;
                w.start = milliseconds(pick(0, 1439) * 60000);
                const long long span = narrow ? pick(1, 20) : pick(1, 1439);
                w.end = milliseconds(((w.start.count() / 60000 + span) % 1440) * 60000);
                if (w.end == 0ms && pick(0, 1) == 0) {
                    w.end = core::one_day; // "24:00"
                }
                b.between = w;
            }
        }
        s->breaks.push_back(b);
    }
    planner::channel_input in;
    in.channel_id = "tv";
    in.zone = core::find_zone("Asia/Vientiane");
    ASSERT_TRUE(in.zone);
    in.sched = s;
    const core::local_days monday{date::year{2026} / date::December / 7};
    std::size_t total = 0;
    for (int k = 0; k < 7; ++k) {
        const auto day = monday + date::days{k};
        std::vector<std::size_t> planned(s->breaks.size(), 0);
        for (const auto& bi : planner::detail::break_instances(in, day)) {
            ++planned[std::size_t(bi.rule)];
            ++total;
        }
        for (std::size_t r = 0; r < s->breaks.size(); ++r) {
            EXPECT_EQ(break_times_on(s->breaks[r], core::weekday_index(day)), planned[r])
                << "break " << r << " on day " << k;
        }
    }
    EXPECT_GT(total, 10000u); // the comparison is about something
}

} // namespace
} // namespace onair::schedule
