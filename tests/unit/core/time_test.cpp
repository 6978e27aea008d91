#include "core/time.hpp"

#include <gtest/gtest.h>

#include <string>

namespace onair::core {
namespace {

using namespace std::chrono_literals;
using date::local_days;
using date::sys_days;
using date::year_month_day;

// The message a parser gives, or a marker when it unexpectedly succeeded.
template <class T> std::string error_of(const result<T>& r) {
    return r ? std::string("<accepted>") : r.error();
}

local_days day(int y, unsigned m, unsigned d) {
    return local_days{year_month_day{date::year{y}, date::month{m}, date::day{d}}};
}

instant utc(int y, unsigned m, unsigned d, std::chrono::milliseconds since_midnight) {
    return instant{sys_days{year_month_day{date::year{y}, date::month{m}, date::day{d}}}} +
           since_midnight;
}

const date::time_zone& zone(const char* name) {
    const auto* z = find_zone(name);
    if (!z) {
        throw std::runtime_error(std::string("no zone ") + name);
    }
    return *z;
}

// ---- durations ----

TEST(parse_duration, reads_each_unit_and_combinations) {
    EXPECT_EQ(*parse_duration("500ms"), 500ms);
    EXPECT_EQ(*parse_duration("30s"), 30s);
    EXPECT_EQ(*parse_duration("45m"), 45min);
    EXPECT_EQ(*parse_duration("1h"), 1h);
    EXPECT_EQ(*parse_duration("1h30m"), 90min);
    EXPECT_EQ(*parse_duration("1h30m15s500ms"), 1h + 30min + 15s + 500ms);
    EXPECT_EQ(*parse_duration("1h500ms"), 1h + 500ms); // units may be skipped
    EXPECT_EQ(*parse_duration("90s"), 90s);            // and need not be normalised
    EXPECT_EQ(*parse_duration("048h"), 48h);
}

TEST(parse_duration, zero_is_a_value_callers_range_check) {
    EXPECT_EQ(*parse_duration("0s"), 0ms);
    EXPECT_EQ(*parse_duration("0ms"), 0ms);
}

TEST(parse_duration, refuses_what_is_not_a_duration) {
    const std::string head = "expected a duration such as 500ms, 30s, 45m, 1h or 1h30m";
    EXPECT_EQ(error_of(parse_duration("")), head + ", found ''");
    EXPECT_EQ(error_of(parse_duration("30")),
              head + " (a unit is missing: h, m, s or ms), found '30'");
    EXPECT_EQ(error_of(parse_duration("1.5h")),
              head + " (whole numbers only: write 1h30m, not 1.5h), found '1.5h'");
    EXPECT_EQ(error_of(parse_duration("-5s")), head + " (it cannot be negative), found '-5s'");
    EXPECT_EQ(error_of(parse_duration("30 s")),
              head + " (no spaces between the number and its unit), found '30 s'");
    EXPECT_EQ(error_of(parse_duration("1m1h")),
              head + " (units must go from large to small, each once), found '1m1h'");
    EXPECT_EQ(error_of(parse_duration("1h1h")),
              head + " (units must go from large to small, each once), found '1h1h'");
    EXPECT_EQ(error_of(parse_duration("5x")), head + " (unknown unit 'x'), found '5x'");
    EXPECT_EQ(error_of(parse_duration("5sec")), head + " (unknown unit 'sec'), found '5sec'");
    EXPECT_EQ(error_of(parse_duration("h")), head + ", found 'h'");
    EXPECT_EQ(error_of(parse_duration("1H")), head + " (unknown unit 'H'), found '1H'");
    // A typo after a huge number is still a typo, not "too long".
    EXPECT_EQ(error_of(parse_duration("99999999999999999999x")),
              head + " (unknown unit 'x'), found '99999999999999999999x'");
}

TEST(parse_duration, refuses_more_than_a_year_without_overflowing) {
    EXPECT_EQ(*parse_duration("8784h"), 8784h);
    EXPECT_EQ(*parse_duration("527040m"), 8784h);
    EXPECT_EQ(*parse_duration("31622400000ms"), 8784h);
    const std::string head = "expected a duration of at most 8784h (a year), found '";
    for (const char* text : {"8784h1ms", "8785h", "31622400001ms", "1000000000h", "99999999999h",
                             "99999999999999999999h", "99999999999999999999ms", "8784h59m59s999ms",
                             "3000000000h3000000000m3000000000s3000000000ms",
                             "1000000000000000000000000000000000000000s"}) {
        EXPECT_EQ(error_of(parse_duration(text)), head + text + "'") << text;
    }
}

TEST(format_duration, prints_the_shortest_form_that_reads_back) {
    EXPECT_EQ(format_duration(0ms), "0s");
    EXPECT_EQ(format_duration(500ms), "500ms");
    EXPECT_EQ(format_duration(90s), "1m30s");
    EXPECT_EQ(format_duration(90min), "1h30m");
    EXPECT_EQ(format_duration(1h + 30min + 15s + 500ms), "1h30m15s500ms");
    EXPECT_EQ(format_duration(48h), "48h");
    for (milliseconds d : {1ms, 999ms, 1000ms, 1000ms * 61, 1000ms * 3601, 1000ms * 86400}) {
        EXPECT_EQ(*parse_duration(format_duration(d)), d) << format_duration(d);
    }
}

// ---- times of day ----

TEST(parse_time_of_day, reads_hours_minutes_and_seconds) {
    EXPECT_EQ(*parse_time_of_day("00:00"), 0ms);
    EXPECT_EQ(*parse_time_of_day("07:30"), 7h + 30min);
    EXPECT_EQ(*parse_time_of_day("23:59"), 23h + 59min);
    EXPECT_EQ(*parse_time_of_day("23:59:59"), 23h + 59min + 59s);
    EXPECT_EQ(*parse_time_of_day("12:00:01"), 12h + 1s);
}

TEST(parse_time_of_day, takes_24_00_only_as_an_end) {
    EXPECT_EQ(*parse_time_of_day("24:00", true), 24h);
    EXPECT_EQ(*parse_time_of_day("24:00:00", true), 24h);
    EXPECT_EQ(error_of(parse_time_of_day("24:00")),
              "expected a time of day HH:MM or HH:MM:SS (24:00 is only allowed as the end of a "
              "window), found '24:00'");
    EXPECT_EQ(error_of(parse_time_of_day("24:01", true)),
              "expected a time of day HH:MM or HH:MM:SS (hour 24 is out of range 00-23), found "
              "'24:01'");
}

TEST(parse_time_of_day, refuses_out_of_range_and_malformed_times) {
    const std::string head = "expected a time of day HH:MM or HH:MM:SS";
    EXPECT_EQ(error_of(parse_time_of_day("25:00")),
              head + " (hour 25 is out of range 00-23), found '25:00'");
    EXPECT_EQ(error_of(parse_time_of_day("12:60")),
              head + " (minute 60 is out of range 00-59), found '12:60'");
    EXPECT_EQ(error_of(parse_time_of_day("12:30:60")),
              head + " (second 60 is out of range 00-59), found '12:30:60'");
    EXPECT_EQ(error_of(parse_time_of_day("7:30")), head + ", found '7:30'");
    EXPECT_EQ(error_of(parse_time_of_day("07.30")), head + ", found '07.30'");
    EXPECT_EQ(error_of(parse_time_of_day("0730")), head + ", found '0730'");
    EXPECT_EQ(error_of(parse_time_of_day("")), head + ", found ''");
    EXPECT_EQ(error_of(parse_time_of_day("07:30:0")), head + ", found '07:30:0'");
}

TEST(format_time_of_day, prints_seconds_only_when_needed) {
    EXPECT_EQ(format_time_of_day(0ms), "00:00");
    EXPECT_EQ(format_time_of_day(7h + 30min), "07:30");
    EXPECT_EQ(format_time_of_day(23h + 59min + 59s), "23:59:59");
    EXPECT_EQ(format_time_of_day(24h), "24:00");
}

// ---- windows ----

TEST(parse_window, reads_a_daytime_window) {
    auto w = parse_window("06:00-23:00");
    ASSERT_TRUE(w) << w.error();
    EXPECT_EQ(w->start, 6h);
    EXPECT_EQ(w->end, 23h);
    EXPECT_FALSE(w->crosses_midnight());
    EXPECT_FALSE(w->contains(6h - 1ms));
    EXPECT_TRUE(w->contains(6h)); // start included
    EXPECT_TRUE(w->contains(23h - 1ms));
    EXPECT_FALSE(w->contains(23h)); // end excluded
    EXPECT_FALSE(w->contains(0ms));
    EXPECT_EQ(format_window(*w), "06:00-23:00");
}

TEST(parse_window, a_window_ending_before_it_starts_crosses_midnight) {
    auto w = parse_window("22:00-02:00");
    ASSERT_TRUE(w) << w.error();
    EXPECT_EQ(w->start, 22h);
    EXPECT_EQ(w->end, 2h);
    EXPECT_TRUE(w->crosses_midnight());
    EXPECT_FALSE(w->contains(22h - 1ms));
    EXPECT_TRUE(w->contains(22h));
    EXPECT_TRUE(w->contains(24h - 1ms));
    EXPECT_TRUE(w->contains(0ms));
    EXPECT_TRUE(w->contains(2h - 1ms));
    EXPECT_FALSE(w->contains(2h));
    EXPECT_FALSE(w->contains(12h));
    EXPECT_EQ(format_window(*w), "22:00-02:00");
}

TEST(parse_window, the_whole_day) {
    auto w = parse_window("00:00-24:00");
    ASSERT_TRUE(w) << w.error();
    EXPECT_EQ(*w, day_window{}); // the default window is the whole day
    EXPECT_FALSE(w->crosses_midnight());
    EXPECT_TRUE(w->contains(0ms));
    EXPECT_TRUE(w->contains(24h - 1ms));
    EXPECT_EQ(format_window(*w), "00:00-24:00");
}

TEST(parse_window, ends_at_midnight) {
    auto late = parse_window("22:00-24:00");
    ASSERT_TRUE(late);
    EXPECT_FALSE(late->crosses_midnight());
    EXPECT_TRUE(late->contains(24h - 1ms));
    EXPECT_FALSE(late->contains(0ms));
    auto zero = parse_window("22:00-00:00"); // the same hours, written as crossing midnight
    ASSERT_TRUE(zero);
    EXPECT_TRUE(zero->crosses_midnight());
    EXPECT_TRUE(zero->contains(24h - 1ms));
    EXPECT_FALSE(zero->contains(0ms));
}

TEST(parse_window, with_seconds) {
    auto w = parse_window("06:00:30-06:01:00");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->start, 6h + 30s);
    EXPECT_EQ(format_window(*w), "06:00:30-06:01");
}

TEST(parse_window, refuses_empty_and_malformed_windows) {
    const std::string head = "expected a window \"HH:MM-HH:MM\"";
    EXPECT_EQ(error_of(parse_window("06:00-06:00")),
              head + " (start and end are the same; for all day leave it out or write "
                     "00:00-24:00), found '06:00-06:00'");
    EXPECT_EQ(error_of(parse_window("06:00")), head + ", found '06:00'");
    EXPECT_EQ(error_of(parse_window("6:00-7:00")),
              head + " (start: expected a time of day HH:MM or HH:MM:SS, found '6:00'), found "
                     "'6:00-7:00'");
    EXPECT_EQ(error_of(parse_window("06:00-25:00")),
              head + " (end: expected a time of day HH:MM or HH:MM:SS (hour 25 is out of range "
                     "00-23), found '25:00'), found '06:00-25:00'");
    EXPECT_EQ(error_of(parse_window("24:00-06:00")),
              head + " (start: expected a time of day HH:MM or HH:MM:SS (24:00 is only allowed "
                     "as the end of a window), found '24:00'), found '24:00-06:00'");
    EXPECT_FALSE(parse_window("06:00 - 07:00"));
    EXPECT_FALSE(parse_window(""));
}

// ---- dates and weekdays ----

TEST(parse_date, reads_real_calendar_dates) {
    EXPECT_EQ(*parse_date("2026-12-01"), day(2026, 12, 1));
    EXPECT_EQ(*parse_date("2028-02-29"), day(2028, 2, 29)); // leap year
    EXPECT_EQ(*parse_date("2027-12-31"), day(2027, 12, 31));
    EXPECT_EQ(format_date(day(2026, 3, 5)), "2026-03-05");
}

TEST(parse_date, refuses_dates_that_do_not_exist) {
    const std::string head = "expected a date YYYY-MM-DD";
    EXPECT_EQ(error_of(parse_date("2026-02-29")),
              head + " (day 29 does not exist in that month), found '2026-02-29'");
    EXPECT_EQ(error_of(parse_date("2026-04-31")),
              head + " (day 31 does not exist in that month), found '2026-04-31'");
    EXPECT_EQ(error_of(parse_date("2026-13-01")),
              head + " (month 13 is out of range 01-12), found '2026-13-01'");
    EXPECT_EQ(error_of(parse_date("2026-00-10")),
              head + " (month 0 is out of range 01-12), found '2026-00-10'");
    EXPECT_EQ(error_of(parse_date("2026-01-00")),
              head + " (day 0 does not exist in that month), found '2026-01-00'");
    EXPECT_EQ(error_of(parse_date("2026-1-01")), head + ", found '2026-1-01'");
    EXPECT_EQ(error_of(parse_date("2026/01/01")), head + ", found '2026/01/01'");
    EXPECT_EQ(error_of(parse_date("01-01-2026")), head + ", found '01-01-2026'");
}

TEST(parse_weekday, reads_three_letter_lower_case_names) {
    const char* names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (unsigned i = 0; i < 7; ++i) {
        EXPECT_EQ(*parse_weekday(names[i]), i);
    }
    const std::string msg = "expected a weekday mon, tue, wed, thu, fri, sat or sun, found '";
    EXPECT_EQ(error_of(parse_weekday("Mon")), msg + "Mon'");
    EXPECT_EQ(error_of(parse_weekday("monday")), msg + "monday'");
    EXPECT_EQ(error_of(parse_weekday("")), msg + "'");
}

TEST(weekday_index, monday_is_zero) {
    EXPECT_EQ(weekday_index(day(2026, 11, 30)), 0u); // a Monday
    EXPECT_EQ(weekday_index(day(2026, 12, 1)), 1u);
    EXPECT_EQ(weekday_index(day(2026, 12, 6)), 6u); // a Sunday
}

// ---- timestamps ----

TEST(parse_timestamp, local_time_has_no_offset) {
    auto ts = parse_timestamp("2026-12-01T06:00:00");
    ASSERT_TRUE(ts) << ts.error();
    EXPECT_EQ(ts->local, local_ms{day(2026, 12, 1)} + 6h);
    EXPECT_FALSE(ts->utc_offset);
}

TEST(parse_timestamp, reads_offsets_zulu_and_milliseconds) {
    auto plus = parse_timestamp("2026-12-01T06:00:00+07:00");
    ASSERT_TRUE(plus);
    EXPECT_EQ(plus->local, local_ms{day(2026, 12, 1)} + 6h);
    EXPECT_EQ(plus->utc_offset, std::chrono::minutes{7 * 60});

    auto minus = parse_timestamp("2026-12-01T06:00:00-03:30");
    ASSERT_TRUE(minus);
    EXPECT_EQ(minus->utc_offset, std::chrono::minutes{-210});

    auto zulu = parse_timestamp("2026-12-01T06:00:00Z");
    ASSERT_TRUE(zulu);
    EXPECT_EQ(zulu->utc_offset, std::chrono::minutes{0});

    auto ms = parse_timestamp("2026-12-01T06:00:00.123");
    ASSERT_TRUE(ms);
    EXPECT_EQ(ms->local, local_ms{day(2026, 12, 1)} + 6h + 123ms);
    EXPECT_FALSE(ms->utc_offset);

    auto both = parse_timestamp("2026-12-01T06:00:00.123+07:00");
    ASSERT_TRUE(both);
    EXPECT_EQ(both->local, local_ms{day(2026, 12, 1)} + 6h + 123ms);
    EXPECT_EQ(both->utc_offset, std::chrono::minutes{420});
}

TEST(parse_timestamp, refuses_partial_and_malformed_timestamps) {
    const std::string head = "expected an ISO 8601 timestamp such as 2026-12-01T06:00:00 or "
                             "2026-12-01T06:00:00+07:00, found '";
    for (const char* bad :
         {"2026-12-01", "2026-12-01T06:00", "2026-12-01T06:00:00+0700", "2026-12-01T25:00:00",
          "2026-12-01T06:00:00.12", "2026-12-01T06:00:00 +07:00", "2026-02-29T06:00:00",
          "2026-12-01T06:00:00+15:00", "2026-12-01T06:00:00z", "2026-12-01X06:00:00",
          "2026-12-01T24:00:00", ""}) {
        EXPECT_EQ(error_of(parse_timestamp(bad)), head + bad + "'");
    }
}

TEST(to_instant, an_offset_wins_over_the_zone) {
    const auto& vte = zone("Asia/Vientiane");
    EXPECT_EQ(to_instant(*parse_timestamp("2026-12-01T06:00:00+07:00"), vte),
              utc(2026, 11, 30, 23h));
    EXPECT_EQ(to_instant(*parse_timestamp("2026-12-01T06:00:00Z"), vte), utc(2026, 12, 1, 6h));
    EXPECT_EQ(to_instant(*parse_timestamp("2026-12-01T06:00:00-03:30"), vte),
              utc(2026, 12, 1, 9h + 30min));
    // without an offset the zone decides
    EXPECT_EQ(to_instant(*parse_timestamp("2026-12-01T06:00:00.250"), vte),
              utc(2026, 11, 30, 23h + 250ms));
}

// ---- local time in a zone ----

TEST(resolve_local, a_zone_without_daylight_saving) {
    const auto& vte = zone("Asia/Vientiane");
    EXPECT_EQ(resolve_local(vte, local_ms{day(2026, 12, 1)} + 6h), utc(2026, 11, 30, 23h));
    EXPECT_EQ(resolve_local(vte, local_ms{day(2026, 12, 1)}), utc(2026, 11, 30, 17h));
    EXPECT_EQ(resolve_local(vte, local_ms{day(2026, 6, 1)} + 12h + 500ms),
              utc(2026, 6, 1, 5h + 500ms));
}

TEST(resolve_local, a_time_in_the_spring_gap_airs_when_the_gap_ends) {
    const auto& berlin = zone("Europe/Berlin");
    const auto spring = local_ms{day(2026, 3, 29)};
    // 02:00-03:00 does not exist on 2026-03-29: 02:30 airs at 03:00 CEST = 01:00Z
    EXPECT_EQ(resolve_local(berlin, spring + 2h + 30min), utc(2026, 3, 29, 1h));
    EXPECT_EQ(resolve_local(berlin, spring + 2h), utc(2026, 3, 29, 1h));
    EXPECT_EQ(resolve_local(berlin, spring + 3h), utc(2026, 3, 29, 1h));
    EXPECT_EQ(resolve_local(berlin, spring + 2h - 1ms), utc(2026, 3, 29, 1h - 1ms));
    EXPECT_EQ(resolve_local(berlin, spring + 4h), utc(2026, 3, 29, 2h));
}

TEST(resolve_local, a_time_that_occurs_twice_airs_at_its_first_occurrence) {
    const auto& berlin = zone("Europe/Berlin");
    const auto autumn = local_ms{day(2026, 10, 25)};
    // 02:00-03:00 happens twice on 2026-10-25: first in CEST (+02:00)
    EXPECT_EQ(resolve_local(berlin, autumn + 2h + 30min), utc(2026, 10, 25, 30min));
    EXPECT_EQ(resolve_local(berlin, autumn + 2h), utc(2026, 10, 25, 0h));
    EXPECT_EQ(resolve_local(berlin, autumn + 3h), utc(2026, 10, 25, 2h)); // CET again
    EXPECT_EQ(resolve_local(berlin, autumn + 1h + 59min), utc(2026, 10, 24, 23h + 59min));
}

TEST(format_iso, prints_milliseconds_and_the_zone_offset) {
    const auto& vte = zone("Asia/Vientiane");
    const auto& berlin = zone("Europe/Berlin");
    const auto& ny = zone("America/New_York");
    const auto& ktm = zone("Asia/Kathmandu");
    EXPECT_EQ(format_iso(utc(2026, 11, 30, 23h + 58min), vte), "2026-12-01T06:58:00.000+07:00");
    EXPECT_EQ(format_iso(utc(2026, 12, 1, 123ms), vte), "2026-12-01T07:00:00.123+07:00");
    EXPECT_EQ(format_iso(utc(2026, 1, 15, 12h), berlin), "2026-01-15T13:00:00.000+01:00");
    EXPECT_EQ(format_iso(utc(2026, 7, 15, 12h), berlin), "2026-07-15T14:00:00.000+02:00");
    EXPECT_EQ(format_iso(utc(2026, 1, 15, 12h + 999ms), ny), "2026-01-15T07:00:00.999-05:00");
    EXPECT_EQ(format_iso(utc(2026, 1, 15, 12h), ktm), "2026-01-15T17:45:00.000+05:45");
    EXPECT_EQ(format_iso_seconds(utc(2026, 11, 30, 23h), vte), "2026-12-01T06:00:00+07:00");
    EXPECT_EQ(format_iso_seconds(utc(2026, 1, 15, 12h), ny), "2026-01-15T07:00:00-05:00");
}

TEST(format_iso, reads_back_through_parse_timestamp) {
    const auto& berlin = zone("Europe/Berlin");
    for (auto t : {utc(2026, 3, 29, 1h), utc(2026, 10, 25, 30min), utc(2026, 10, 25, 1h + 30min),
                   utc(2027, 2, 28, 23h + 59min + 59s + 999ms)}) {
        auto ts = parse_timestamp(format_iso(t, berlin));
        ASSERT_TRUE(ts) << format_iso(t, berlin);
        EXPECT_EQ(to_instant(*ts, berlin), t) << format_iso(t, berlin);
    }
}

TEST(find_zone, knows_iana_names_only) {
    EXPECT_NE(find_zone("Asia/Vientiane"), nullptr);
    EXPECT_NE(find_zone("UTC"), nullptr);
    EXPECT_EQ(find_zone("Asia/Vientian"), nullptr);
    EXPECT_EQ(find_zone("Mars/Olympus_Mons"), nullptr);
    EXPECT_EQ(find_zone(""), nullptr);
}

} // namespace
} // namespace onair::core

namespace onair::core {
namespace {

TEST(seconds_text, shows_seconds_with_their_milliseconds) {
    EXPECT_EQ(seconds_text(milliseconds(0)), "0.000");
    EXPECT_EQ(seconds_text(milliseconds(1500)), "1.500");
    EXPECT_EQ(seconds_text(milliseconds(40)), "0.040");
    EXPECT_EQ(seconds_text(milliseconds(-40)), "-0.040");
    EXPECT_EQ(seconds_text(milliseconds(86'400'007)), "86400.007");
}

} // namespace
} // namespace onair::core
