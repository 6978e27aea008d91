// Local days in zones with daylight saving: 23- and 25-hour days, times in the gap, times that
// occur twice.

#include "planner_test_util.hpp"

namespace onair::planner::test {
namespace {

using namespace std::chrono_literals;
using strings = std::vector<std::string>;
const std::string berlin = "Europe/Berlin";

const std::string hourly = R"(
media:
  a: {file: a.mp4, duration: 30s}
  show: {file: show.mp4, duration: 10m}
campaigns:
  c: {from: 2026-01-01, until: 2026-12-31, spots: [a]}
breaks:
  - {id: b, every: 30m, length: 30s}
)";

std::vector<std::string> utc_times(const rundown& r) {
    std::vector<std::string> out;
    for (const auto& it : r.items) {
        out.push_back(date::format("%H:%M", date::floor<std::chrono::minutes>(it.start)));
    }
    return out;
}

TEST(planner_dst, spring_forward_day_has_23_hours_and_gap_times_air_once_after_the_gap) {
    auto p = make_planner(hourly, berlin);
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST. 02:00 and 02:30 do not exist.
    auto d = p.plan_day(day("2026-03-29"));
    auto utc = utc_times(d.plan);
    // 00:00, 00:30, 01:00, 01:30 local are 23:00..00:30 UTC; 02:00 and 02:30 both fall in the
    // gap and air once, at 03:00 CEST = 01:00 UTC; then 03:00 local (same instant) is the same
    // time again: one airing.
    EXPECT_EQ(strings(utc.begin(), utc.begin() + 6),
              (strings{"23:00", "23:30", "00:00", "00:30", "01:00", "01:30"}));
    EXPECT_EQ(d.plan.items[4].start, local(berlin, "2026-03-29T03:00:00"));
    // 48 local half hours minus the two in the gap, and 03:00 shares its instant: 46 - 1 + 1
    EXPECT_EQ(d.plan.items.size(), 46u);
    EXPECT_EQ(p.day_start(day("2026-03-30")) - p.day_start(day("2026-03-29")), 23h);
}

TEST(planner_dst, fall_back_day_has_25_hours_and_repeated_times_air_once_first) {
    auto p = make_planner(hourly, berlin);
    // 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:00-03:00 occurs twice.
    auto d = p.plan_day(day("2026-10-25"));
    EXPECT_EQ(d.plan.items.size(), 48u);
    // 02:30 airs at its first occurrence, 00:30 UTC (CEST)
    bool found = false;
    for (const auto& it : d.plan.items) {
        if (it.start == instant{date::sys_days{date::year{2026} / 10 / 25}} + 30min) {
            found = true;
        }
        EXPECT_NE(it.start, instant{date::sys_days{date::year{2026} / 10 / 25}} + 90min)
            << "the second 02:30 must not air";
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(p.day_start(day("2026-10-26")) - p.day_start(day("2026-10-25")), 25h);
}

TEST(planner_dst, programme_in_the_gap_starts_at_the_first_instant_after_it) {
    auto p = make_planner(hourly + R"(
programmes:
  - {id: p, media: show, at: "02:15"}
)",
                          berlin);
    auto d = p.plan_day(day("2026-03-29"));
    bool found = false;
    for (const auto& it : d.plan.items) {
        if (it.kind == item_kind::programme) {
            EXPECT_EQ(it.start, local(berlin, "2026-03-29T03:00:00"));
            EXPECT_EQ(core::format_iso(it.start, *date::locate_zone(berlin)),
                      "2026-03-29T03:00:00.000+02:00");
            found = true;
        }
    }
    EXPECT_TRUE(found);
}

TEST(planner_dst, windows_across_dst_days_are_consistent) {
    auto p = make_planner(hourly, berlin);
    auto whole =
        p.plan_window(local(berlin, "2026-03-28T00:00:00"), local(berlin, "2026-03-31T00:00:00"));
    std::vector<item> parts;
    for (auto d : {day("2026-03-28"), day("2026-03-29"), day("2026-03-30")}) {
        auto q = make_planner(hourly, berlin);
        auto r = q.plan_window(q.day_start(d), q.day_start(d + date::days{1}));
        parts.insert(parts.end(), r.items.begin(), r.items.end());
    }
    EXPECT_EQ(whole.items, parts);
}

TEST(planner_dst, vientiane_has_no_dst_and_every_day_is_24_hours) {
    auto p = make_planner(hourly, "Asia/Vientiane");
    for (int i = 0; i < 365; i += 7) {
        local_days d = day("2026-01-01") + date::days{i};
        EXPECT_EQ(p.day_start(d + date::days{1}) - p.day_start(d), 24h);
    }
    EXPECT_EQ(
        core::format_iso(p.day_start(day("2026-12-01")), *date::locate_zone("Asia/Vientiane")),
        "2026-12-01T00:00:00.000+07:00");
}

} // namespace
} // namespace onair::planner::test
