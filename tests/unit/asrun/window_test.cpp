#include "asrun/window.hpp"
#include "asrun_fixture.hpp"

#include <gtest/gtest.h>

namespace onair::asrun {
namespace {

using test::utc;

TEST(parse_bound, reads_dates_local_and_offset_timestamps) {
    const auto& vientiane = *core::find_zone("Asia/Vientiane");
    const auto& berlin = *core::find_zone("Europe/Berlin");

    auto day = parse_bound("2026-12-01", vientiane);
    ASSERT_TRUE(day) << day.error();
    EXPECT_EQ(*day, utc(2026, 11, 30, 17, 0));
    EXPECT_EQ(*parse_bound("2026-12-01", berlin), utc(2026, 11, 30, 23, 0));
    // the summer-time offset applies in summer
    EXPECT_EQ(*parse_bound("2026-07-01", berlin), utc(2026, 6, 30, 22, 0));

    EXPECT_EQ(*parse_bound("2026-12-01T06:00:00", vientiane), utc(2026, 11, 30, 23, 0));
    EXPECT_EQ(*parse_bound("2026-12-01T06:00:00.250", vientiane), utc(2026, 11, 30, 23, 0, 0, 250));
    // an offset overrides the zone
    EXPECT_EQ(*parse_bound("2026-12-01T06:00:00+01:00", vientiane), utc(2026, 12, 1, 5, 0));
    EXPECT_EQ(*parse_bound("2026-12-01T06:00:00Z", vientiane), utc(2026, 12, 1, 6, 0));
}

TEST(parse_bound, refuses_what_is_neither) {
    const auto& zone = *core::find_zone("Asia/Vientiane");
    for (const char* bad :
         {"", "2026-13-01", "2026-02-30", "yesterday", "2026-12-01T06:00", "2026-12-01T25:00:00"}) {
        auto r = parse_bound(bad, zone);
        EXPECT_FALSE(r) << bad;
        if (!r) {
            EXPECT_FALSE(r.error().empty()) << bad;
        }
    }
}

} // namespace
} // namespace onair::asrun
