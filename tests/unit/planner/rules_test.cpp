// One test (or a few) per planning rule of the spec, with exact times.

#include "planner_test_util.hpp"

#include <filesystem>
#include <set>

namespace onair::planner::test {
namespace {

using namespace std::chrono_literals;
using strings = std::vector<std::string>;
const std::string vte = "Asia/Vientiane";

const std::string one_spot_media = R"(
media:
  a: {file: a.mp4, duration: 30s}
)";

std::string campaign(const std::string& extra = "", const std::string& spots = "[a]") {
    return "campaigns:\n  c:\n    from: 2026-12-01\n    until: 2026-12-31\n    spots: " + spots +
           "\n" + extra;
}

TEST(planner_rules, every_offset_between_and_back_to_back) {
    auto p = make_planner(one_spot_media + campaign() + R"(
breaks:
  - id: hourly
    every: 1h
    offset: 58m
    between: "06:00-09:00"
    length: 90s
)");
    auto d = p.plan_day(day("2026-12-01"));
    EXPECT_EQ(lines(d.plan, vte), (strings{"06:58:00.000 a", "06:58:30.000 a", "06:59:00.000 a",
                                           "07:58:00.000 a", "07:58:30.000 a", "07:59:00.000 a",
                                           "08:58:00.000 a", "08:58:30.000 a", "08:59:00.000 a"}));
    const auto& first = d.plan.items.front();
    EXPECT_EQ(first.start, local(vte, "2026-12-01T06:58:00"));
    EXPECT_EQ(first.end, local(vte, "2026-12-01T06:58:30"));
    EXPECT_EQ(first.duration, 30s);
    EXPECT_EQ(first.kind, item_kind::spot);
    EXPECT_EQ(first.campaign, "c");
    EXPECT_EQ(first.break_id, "hourly");
    EXPECT_EQ(std::filesystem::path(first.file).filename(), "a.mp4");
    EXPECT_TRUE(std::filesystem::path(first.file).is_absolute());
    EXPECT_TRUE(d.plan.dropped.empty());
    for (std::size_t i = 1; i < d.plan.items.size(); ++i) {
        if (d.plan.items[i].break_id == d.plan.items[i - 1].break_id &&
            d.plan.items[i].start - d.plan.items[i - 1].start < 90s) {
            EXPECT_EQ(d.plan.items[i].start, d.plan.items[i - 1].end) << "spots touch";
        }
    }
}

TEST(planner_rules, break_without_between_runs_all_day_and_offset_defaults_to_zero) {
    auto p = make_planner(one_spot_media + campaign() + R"(
breaks:
  - {id: b, every: 6h, length: 30s}
)");
    EXPECT_EQ(lines(p.plan_day(day("2026-12-05")).plan, vte),
              (strings{"00:00:00.000 a", "06:00:00.000 a", "12:00:00.000 a", "18:00:00.000 a"}));
}

TEST(planner_rules, at_times_on_their_days_only) {
    auto p = make_planner(one_spot_media + campaign() + R"(
breaks:
  - {id: b, at: ["12:00", "07:00:30"], days: [wed], length: 30s}
)");
    EXPECT_TRUE(p.plan_day(day("2026-12-01")).plan.items.empty()); // a tuesday
    EXPECT_EQ(lines(p.plan_day(day("2026-12-02")).plan, vte),
              (strings{"07:00:30.000 a", "12:00:00.000 a"}));
}

TEST(planner_rules, break_never_runs_beyond_its_length) {
    auto p = make_planner(R"(
media:
  a: {file: a.mp4, duration: 30s}
  b: {file: b.mp4, duration: 20s}
)" + campaign("", "[a, b]") +
                          R"(
breaks:
  - {id: b, at: ["10:00"], length: 75s}
)");
    // a (30) b (20) then 25 s left: a does not fit, b fits
    EXPECT_EQ(lines(p.plan_day(day("2026-12-01")).plan, vte),
              (strings{"10:00:00.000 a", "10:00:30.000 b", "10:00:50.000 b"}));
}

const std::string programme_schedule = R"(
media:
  a: {file: a.mp4, duration: 30s}
  show: {file: show.mp4, duration: 20m, title: "ລາຍການ — The show"}
)";

TEST(planner_rules, programme_starts_hard_and_drops_the_breaks_it_covers) {
    auto p = make_planner(programme_schedule + campaign() + R"(
breaks:
  - {id: hourly, every: 1h, offset: 58m, between: "06:00-09:00", length: 90s}
  - {id: before, at: ["07:49"], length: 90s}
  - {id: after, at: ["08:10"], length: 30s}
programmes:
  - {id: magazine, media: show, at: "07:50"}
)");
    auto d = p.plan_day(day("2026-12-01"));
    EXPECT_EQ(lines(d.plan, vte),
              (strings{"06:58:00.000 a", "06:58:30.000 a", "06:59:00.000 a",
                       // 'before' stops short of the programme: a third spot would run into it
                       "07:49:00.000 a", "07:49:30.000 a", "07:50:00.000 show",
                       // a break at the programme's end airs
                       "08:10:00.000 a", "08:58:00.000 a", "08:58:30.000 a", "08:59:00.000 a"}));
    const auto& show = d.plan.items[5];
    EXPECT_EQ(show.kind, item_kind::programme);
    EXPECT_EQ(show.programme, "magazine");
    EXPECT_EQ(show.title, "ລາຍການ — The show");
    EXPECT_EQ(show.end, local(vte, "2026-12-01T08:10:00"));
    EXPECT_TRUE(show.campaign.empty());
    EXPECT_TRUE(show.break_id.empty());
    ASSERT_EQ(d.plan.dropped.size(), 1u);
    EXPECT_EQ(d.plan.dropped[0].break_id, "hourly");
    EXPECT_EQ(d.plan.dropped[0].at, local(vte, "2026-12-01T07:58:00"));
    EXPECT_EQ(d.plan.dropped[0].reason, "programme magazine");
}

TEST(planner_rules, programme_days_and_dates) {
    auto p = make_planner(programme_schedule + R"(
programmes:
  - {id: magazine, media: show, at: "20:00", days: [wed], from: 2026-12-09, until: 2026-12-23}
)");
    std::vector<std::string> aired;
    for (auto& d : p.plan_days(day("2026-12-01"), day("2026-12-31"))) {
        for (auto& it : d.plan.items) {
            aired.push_back(core::format_iso(it.start, *date::locate_zone(vte)));
        }
    }
    EXPECT_EQ(aired, (strings{"2026-12-09T20:00:00.000+07:00", "2026-12-16T20:00:00.000+07:00",
                              "2026-12-23T20:00:00.000+07:00"}));
}

TEST(planner_rules, programme_over_midnight_covers_the_next_days_breaks) {
    auto p = make_planner(R"(
media:
  a: {file: a.mp4, duration: 30s}
  film: {file: film.mp4, duration: 1h}
)" + campaign() + R"(
breaks:
  - {id: b, at: ["00:15", "00:30", "23:00"], length: 30s}
programmes:
  - {id: late, media: film, at: "23:30", days: [tue]}
)");
    auto wed = p.plan_day(day("2026-12-02"));
    EXPECT_EQ(lines(wed.plan, vte), (strings{"00:30:00.000 a", "23:00:00.000 a"}));
    ASSERT_EQ(wed.plan.dropped.size(), 1u);
    EXPECT_EQ(wed.plan.dropped[0].reason, "programme late");
    EXPECT_EQ(wed.plan.dropped[0].at, local(vte, "2026-12-02T00:15:00"));
}

TEST(planner_rules, exceptions_skip_breaks_programmes_or_all) {
    const std::string base = programme_schedule + campaign() + R"(
breaks:
  - {id: b, at: ["07:00", "21:00"], length: 30s}
programmes:
  - {id: magazine, media: show, at: "20:00"}
)";
    {
        auto p = make_planner(base + "exceptions:\n  - {date: 2026-12-02, skip: [breaks]}\n");
        auto d = p.plan_day(day("2026-12-02"));
        EXPECT_EQ(lines(d.plan, vte), (strings{"20:00:00.000 show"}));
        ASSERT_EQ(d.plan.dropped.size(), 2u);
        EXPECT_EQ(d.plan.dropped[0].reason, "exception");
        EXPECT_EQ(d.plan.dropped[1].reason, "exception");
        // the days around are untouched
        EXPECT_EQ(lines(p.plan_day(day("2026-12-03")).plan, vte),
                  (strings{"07:00:00.000 a", "20:00:00.000 show", "21:00:00.000 a"}));
    }
    {
        auto p = make_planner(base + "exceptions:\n  - {date: 2026-12-02, skip: [programmes]}\n");
        EXPECT_EQ(lines(p.plan_day(day("2026-12-02")).plan, vte),
                  (strings{"07:00:00.000 a", "21:00:00.000 a"}));
    }
    {
        auto p = make_planner(base + "exceptions:\n  - {date: 2026-12-02, skip: [all]}\n");
        auto d = p.plan_day(day("2026-12-02"));
        EXPECT_TRUE(d.plan.items.empty());
        EXPECT_EQ(d.plan.dropped.size(), 2u);
    }
}

TEST(planner_rules, a_break_nothing_fits_is_dropped_as_empty) {
    auto p = make_planner(one_spot_media + campaign() + R"(
breaks:
  - {id: short, at: ["10:00"], length: 20s}
  - {id: fine, at: ["11:00"], length: 30s}
)");
    auto d = p.plan_day(day("2026-12-01"));
    EXPECT_EQ(lines(d.plan, vte), (strings{"11:00:00.000 a"}));
    ASSERT_EQ(d.plan.dropped.size(), 1u);
    EXPECT_EQ(d.plan.dropped[0].break_id, "short");
    EXPECT_EQ(d.plan.dropped[0].reason, "empty");
}

TEST(planner_rules, flight_dates_are_inclusive_local_days) {
    auto p = make_planner(one_spot_media + R"(
campaigns:
  c: {from: 2026-12-01, until: 2026-12-02, spots: [a]}
breaks:
  - {id: b, at: ["00:00", "23:59:30"], length: 30s}
)");
    EXPECT_TRUE(p.plan_day(day("2026-11-30")).plan.items.empty());
    EXPECT_EQ(p.plan_day(day("2026-12-01")).plan.items.size(), 2u);
    EXPECT_EQ(p.plan_day(day("2026-12-02")).plan.items.size(), 2u);
    auto after = p.plan_day(day("2026-12-03"));
    EXPECT_TRUE(after.plan.items.empty());
    EXPECT_EQ(after.plan.dropped.size(), 2u);
    EXPECT_EQ(after.plan.dropped[0].reason, "empty");
}

TEST(planner_rules, dayparts_including_one_across_midnight) {
    auto p = make_planner(R"(
media:
  a: {file: a.mp4, duration: 30s}
  n: {file: n.mp4, duration: 30s}
campaigns:
  day: {from: 2026-12-01, until: 2026-12-31, spots: [a], dayparts: ["07:00-08:00"]}
  night: {from: 2026-12-01, until: 2026-12-31, spots: [n], dayparts: ["22:00-02:00"]}
breaks:
  - {id: b, every: 1h, offset: 30m, length: 30s}
)");
    EXPECT_EQ(lines(p.plan_day(day("2026-12-02")).plan, vte),
              (strings{"00:30:00.000 n", "01:30:00.000 n", "07:30:00.000 a", "22:30:00.000 n",
                       "23:30:00.000 n"}));
}

TEST(planner_rules, max_per_day_is_spread_over_the_day) {
    auto p = make_planner(one_spot_media + campaign("    max_per_day: 4\n") + R"(
breaks:
  - {id: hourly, every: 1h, offset: 58m, between: "06:00-23:00", length: 30s}
)");
    auto d = p.plan_day(day("2026-12-01"));
    // 17 breaks (06:58..22:58); by the k-th break at most ceil(4k/17) airings
    EXPECT_EQ(lines(d.plan, vte),
              (strings{"06:58:00.000 a", "10:58:00.000 a", "14:58:00.000 a", "18:58:00.000 a"}));
    EXPECT_EQ(d.plan.dropped.size(), 13u);
}

TEST(planner_rules, min_gap_start_to_start_and_across_midnight) {
    auto p = make_planner(one_spot_media + campaign("    min_gap: 5h\n") + R"(
breaks:
  - {id: hourly, every: 1h, offset: 58m, length: 30s}
)");
    EXPECT_EQ(lines(p.plan_day(day("2026-12-01")).plan, vte),
              (strings{"00:58:00.000 a", "05:58:00.000 a", "10:58:00.000 a", "15:58:00.000 a",
                       "20:58:00.000 a"}));
    // 00:58 is only 4 h after 20:58 the day before
    auto next = p.plan_day(day("2026-12-02"));
    EXPECT_EQ(lines(next.plan, vte).front(), "01:58:00.000 a");
    // asked alone, the day is the same
    auto alone = make_planner(one_spot_media + campaign("    min_gap: 5h\n") + R"(
breaks:
  - {id: hourly, every: 1h, offset: 58m, length: 30s}
)");
    EXPECT_EQ(alone.plan_day(day("2026-12-02")).plan.items, next.plan.items);
}

TEST(planner_rules, min_gap_passes_a_spot_over_for_the_next) {
    auto p = make_planner(R"(
media:
  a: {file: a.mp4, duration: 30s}
  b: {file: b.mp4, duration: 30s}
)" + campaign("    min_gap: 90m\n", "[a, b]") +
                          R"(
breaks:
  - {id: hourly, every: 1h, between: "06:00-10:00", length: 60s}
)");
    // each break wants two spots; a spot comes back no sooner than 90 minutes later
    EXPECT_EQ(lines(p.plan_day(day("2026-12-01")).plan, vte),
              (strings{"06:00:00.000 a", "06:00:30.000 b", "08:00:00.000 a", "08:00:30.000 b"}));
}

TEST(planner_rules, sequential_rotation_carries_across_breaks_and_days) {
    auto p = make_planner(R"(
media:
  a: {file: a.mp4, duration: 30s}
  b: {file: b.mp4, duration: 30s}
  c: {file: c.mp4, duration: 30s}
)" + campaign("", "[a, b, c]") +
                          R"(
breaks:
  - {id: b, at: ["08:00", "20:00"], length: 60s}
)");
    EXPECT_EQ(lines(p.plan_day(day("2026-12-01")).plan, vte),
              (strings{"08:00:00.000 a", "08:00:30.000 b", "20:00:00.000 c", "20:00:30.000 a"}));
    EXPECT_EQ(lines(p.plan_day(day("2026-12-02")).plan, vte),
              (strings{"08:00:00.000 b", "08:00:30.000 c", "20:00:00.000 a", "20:00:30.000 b"}));
}

TEST(planner_rules, weights_share_break_time) {
    auto p = make_planner(R"(
media:
  a: {file: a.mp4, duration: 30s}
  b: {file: b.mp4, duration: 30s}
campaigns:
  heavy: {from: 2026-12-01, until: 2026-12-31, spots: [a], weight: 2}
  light: {from: 2026-12-01, until: 2026-12-31, spots: [b], weight: 1}
breaks:
  - {id: hourly, every: 1h, offset: 58m, between: "06:00-23:00", length: 90s}
)");
    auto d = p.plan_day(day("2026-12-01"));
    auto l = lines(d.plan, vte);
    ASSERT_EQ(l.size(), 51u);
    // every break: heavy, light, heavy
    for (std::size_t i = 0; i < l.size(); i += 3) {
        EXPECT_EQ(l[i].substr(13), "a");
        EXPECT_EQ(l[i + 1].substr(13), "b");
        EXPECT_EQ(l[i + 2].substr(13), "a");
    }
}

TEST(planner_rules, weights_hold_over_the_day_when_breaks_hold_one_spot) {
    auto p = make_planner(R"(
media:
  a: {file: a.mp4, duration: 30s}
  b: {file: b.mp4, duration: 30s}
campaigns:
  heavy: {from: 2026-12-01, until: 2026-12-31, spots: [a], weight: 2}
  light: {from: 2026-12-01, until: 2026-12-31, spots: [b], weight: 1}
breaks:
  - {id: b, every: 30m, length: 30s}
)");
    for (auto& d : p.plan_days(day("2026-12-01"), day("2026-12-07"))) {
        int a = 0, b = 0;
        for (auto& it : d.plan.items) {
            (it.media == "a" ? a : b)++;
        }
        EXPECT_EQ(a, 32);
        EXPECT_EQ(b, 16);
    }
}

TEST(planner_rules, a_campaign_alone_in_its_daypart_gets_the_whole_break) {
    // Shares are among the campaigns of the same break: 'morning' is not held back in its
    // daypart because 'allday' aired more earlier.
    auto p = make_planner(R"(
media:
  a: {file: a.mp4, duration: 30s}
  m: {file: m.mp4, duration: 30s}
campaigns:
  allday: {from: 2026-12-01, until: 2026-12-31, spots: [a]}
  morning: {from: 2026-12-01, until: 2026-12-31, spots: [m], dayparts: ["06:00-07:00"]}
breaks:
  - {id: b, every: 1h, length: 60s}
)");
    auto l = lines(p.plan_day(day("2026-12-01")).plan, vte);
    ASSERT_EQ(l.size(), 48u);
    EXPECT_EQ(l[12].substr(0, 12), "06:00:00.000");
    EXPECT_EQ((std::set<std::string>{l[12].substr(13), l[13].substr(13)}),
              (std::set<std::string>{"a", "m"}));
    EXPECT_EQ(l[14], "07:00:00.000 a");
    EXPECT_EQ(l[15], "07:00:30.000 a");
}

TEST(planner_rules, shuffle_is_a_permutation_per_pass_and_deterministic) {
    const std::string yaml = R"(
media:
  a: {file: a.mp4, duration: 30s}
  b: {file: b.mp4, duration: 30s}
  c: {file: c.mp4, duration: 30s}
  d: {file: d.mp4, duration: 30s}
)" + campaign("    rotation: shuffle\n", "[a, b, c, d]") +
                             R"(
breaks:
  - {id: b, at: ["09:00", "18:00"], length: 120s}
)";
    auto p1 = make_planner(yaml);
    auto p2 = make_planner(yaml);
    auto other = make_planner(yaml, vte, {}, "other-channel");
    bool differs_by_day = false, differs_by_channel = false;
    strings first_day;
    for (int i = 0; i < 20; ++i) {
        local_days d = day("2026-12-01") + date::days{i};
        auto l1 = lines(p1.plan_day(d).plan, vte);
        EXPECT_EQ(l1, lines(p2.plan_day(d).plan, vte));
        ASSERT_EQ(l1.size(), 8u);
        for (std::size_t pass = 0; pass < 2; ++pass) {
            std::set<std::string> seen;
            for (std::size_t k = 0; k < 4; ++k) {
                seen.insert(l1[pass * 4 + k].substr(13));
            }
            EXPECT_EQ(seen.size(), 4u) << "each pass airs every spot once";
        }
        if (i == 0) {
            first_day = l1;
        } else if (l1 != first_day) {
            differs_by_day = true;
        }
        if (l1 != lines(other.plan_day(d).plan, vte)) {
            differs_by_channel = true;
        }
    }
    EXPECT_TRUE(differs_by_day);
    EXPECT_TRUE(differs_by_channel);
}

TEST(planner_rules, late_break_spills_past_midnight_and_pushes_the_next) {
    auto p = make_planner(one_spot_media + campaign() + R"(
breaks:
  - {id: late, at: ["23:59"], length: 90s}
  - {id: early, at: ["00:00"], length: 60s}
)");
    auto d1 = p.plan_day(day("2026-12-01"));
    EXPECT_EQ(lines(d1.plan, vte), (strings{"00:00:00.000 a", "00:00:30.000 a", "23:59:00.000 a",
                                            "23:59:30.000 a", "00:00:00.000 a"}));
    EXPECT_EQ(d1.plan.items.back().start, local(vte, "2026-12-02T00:00:00"));
    // the next day's 00:00 break starts where the spill ends and keeps its own end
    auto d2 = p.plan_day(day("2026-12-02"));
    EXPECT_EQ(lines(d2.plan, vte).front(), "00:00:30.000 a");
    EXPECT_EQ(d2.plan.items.front().start, local(vte, "2026-12-02T00:00:30"));
    EXPECT_EQ(d2.plan.items[1].start, local(vte, "2026-12-02T23:59:00"));
}

TEST(planner_rules, overlapping_breaks_chain_without_overlap) {
    auto p = make_planner(one_spot_media + campaign() + R"(
breaks:
  - {id: first, at: ["07:00"], length: 90s}
  - {id: second, at: ["07:01"], length: 90s}
)");
    EXPECT_EQ(lines(p.plan_day(day("2026-12-01")).plan, vte),
              (strings{"07:00:00.000 a", "07:00:30.000 a", "07:01:00.000 a", "07:01:30.000 a",
                       "07:02:00.000 a"}));
}

TEST(planner_rules, lengths_are_whole_frames_on_tv) {
    channel_input in;
    in.channel_id = "tv";
    in.zone = date::locate_zone(vte);
    in.sched = load_yaml(R"(
media:
  a: {file: a.mp4}
)" + campaign() + R"(
breaks:
  - {id: b, at: ["10:00"], length: 60s}
)");
    in.media_durations = {{"a", 30'021ms}};
    in.frame_duration = std::pair{1, 25};
    planner p(in);
    auto d = p.plan_day(day("2026-12-01"));
    ASSERT_EQ(d.plan.items.size(), 2u); // 2 x 30.000 s fit in 60 s; 2 x 30.021 s would not
    EXPECT_EQ(d.plan.items[0].duration, 30'000ms);
    EXPECT_EQ(d.plan.items[1].start, local(vte, "2026-12-01T10:00:30"));
}

TEST(planner_rules, media_of_unknown_length_is_not_planned) {
    auto p = make_planner(R"(
media:
  a: {file: a.mp4}
  b: {file: b.mp4, duration: 20s}
)" + campaign("", "[a, b]") +
                          R"(
breaks:
  - {id: b, at: ["10:00"], length: 30s}
)");
    EXPECT_EQ(lines(p.plan_day(day("2026-12-01")).plan, vte), (strings{"10:00:00.000 b"}));
}

TEST(planner_window, window_is_the_matching_part_of_a_larger_plan) {
    auto p = make_planner(programme_schedule + campaign("    min_gap: 50m\n") + R"(
breaks:
  - {id: hourly, every: 1h, offset: 58m, length: 90s}
programmes:
  - {id: magazine, media: show, at: "20:00", days: [wed, sat]}
)");
    auto month =
        p.plan_window(local(vte, "2026-12-01T00:00:00"), local(vte, "2027-01-01T00:00:00"));
    std::vector<item> by_days;
    std::vector<dropped_break> dropped_by_days;
    for (int i = 0; i < 31; ++i) {
        auto q = make_planner(programme_schedule + campaign("    min_gap: 50m\n") + R"(
breaks:
  - {id: hourly, every: 1h, offset: 58m, length: 90s}
programmes:
  - {id: magazine, media: show, at: "20:00", days: [wed, sat]}
)");
        local_days d = day("2026-12-01") + date::days{i};
        auto r = q.plan_window(q.day_start(d), q.day_start(d + date::days{1}));
        by_days.insert(by_days.end(), r.items.begin(), r.items.end());
        dropped_by_days.insert(dropped_by_days.end(), r.dropped.begin(), r.dropped.end());
    }
    EXPECT_EQ(month.items, by_days);
    EXPECT_EQ(month.dropped, dropped_by_days);
    EXPECT_GT(month.items.size(), 500u);
}

TEST(planner_window, items_that_overlap_the_window_edges_are_included) {
    auto p = make_planner(programme_schedule + R"(
programmes:
  - {id: magazine, media: show, at: "20:00"}
)");
    auto r = p.plan_window(local(vte, "2026-12-01T20:10:00"), local(vte, "2026-12-01T20:15:00"));
    ASSERT_EQ(r.items.size(), 1u);
    EXPECT_EQ(r.items[0].start, local(vte, "2026-12-01T20:00:00"));
    auto none = p.plan_window(local(vte, "2026-12-01T20:20:00"), local(vte, "2026-12-01T21:00:00"));
    EXPECT_TRUE(none.items.empty());
}

TEST(planner_conflicts, overlapping_programmes_are_an_error_naming_both_and_the_date) {
    auto p = make_planner(R"(
media:
  show: {file: show.mp4, duration: 1h}
  news: {file: news.mp4, duration: 15m}
programmes:
  - {id: magazine, media: show, at: "20:00", days: [wed]}
  - {id: bulletin, media: news, at: "20:30"}
)");
    auto d = p.plan_day(day("2026-12-02"));
    // the earlier programme airs whole; the one starting inside it does not
    EXPECT_EQ(lines(d.plan, vte), (strings{"20:00:00.000 show"}));
    core::diagnostics diags;
    check_plan(p, day("2026-12-01"), day("2026-12-10"), diags);
    ASSERT_EQ(diags.error_count(), 1u);
    const auto& e = diags.all().front();
    EXPECT_NE(e.message.find("'bulletin'"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("'magazine'"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("2026-12-02, 2026-12-09"), std::string::npos) << e.message;
    EXPECT_EQ(e.where.line, 7); // the bulletin's entry
}

TEST(planner_conflicts, a_dropped_programme_does_not_drop_the_next) {
    auto p = make_planner(R"(
media:
  half: {file: half.mp4, duration: 30m}
  long: {file: long.mp4, duration: 40m}
  news: {file: news.mp4, duration: 10m}
programmes:
  - {id: a, media: half, at: "20:00"}
  - {id: b, media: long, at: "20:20"}
  - {id: c, media: news, at: "20:45"}
)");
    // b starts inside a and does not air; c starts after a ends and airs
    EXPECT_EQ(lines(p.plan_day(day("2026-12-02")).plan, vte),
              (strings{"20:00:00.000 half", "20:45:00.000 news"}));
}

TEST(planner_conflicts, silent_campaigns_never_airing_breaks_and_empty_breaks_are_warned) {
    auto p = make_planner(R"(
media:
  a: {file: a.mp4, duration: 30s}
  long: {file: long.mp4, duration: 2m}
  show: {file: show.mp4, duration: 1h}
campaigns:
  nightly: {from: 2026-12-01, until: 2026-12-31, spots: [a], dayparts: ["02:00-03:00"]}
  toolong: {from: 2026-12-01, until: 2026-12-31, spots: [long]}
breaks:
  - {id: evening, at: ["20:30"], length: 60s}
  - {id: morning, at: ["08:00"], length: 60s}
  - {id: nowhere, every: 1h, offset: 30m, between: "10:00-10:20", length: 30s}
programmes:
  - {id: magazine, media: show, at: "20:00"}
)");
    core::diagnostics diags;
    check_plan(p, day("2026-12-01"), day("2026-12-07"), diags);
    EXPECT_FALSE(diags.has_errors());
    std::string all;
    for (const auto& d : diags.sorted()) {
        all += core::format(d) + "\n";
    }
    EXPECT_NE(all.find("campaign 'nightly' is in flight but gets no airing on 2026-12-01"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("no break falls inside its dayparts"), std::string::npos) << all;
    EXPECT_NE(all.find("campaign 'toolong'"), std::string::npos) << all;
    EXPECT_NE(all.find("is longer than any break"), std::string::npos) << all;
    EXPECT_NE(all.find("break 'evening' never airs in the next 7 days: a programme covers"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("break 'nowhere' has no times in the next 7 days"), std::string::npos)
        << all;
    EXPECT_NE(all.find("break 'morning' is mostly empty"), std::string::npos) << all;
}

} // namespace
} // namespace onair::planner::test
