// Make-goods (docs/planning.md, "Make-goods"): exact placements for each part of the rule, then
// a year of random failures checked against every part of it at once.

#include "planner_test_util.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace onair::planner::test {
namespace {

using namespace std::chrono_literals;
using strings = std::vector<std::string>;
const std::string vte = "Asia/Vientiane";

// Three breaks a day with room left: the campaign's max_per_day paces it to one spot a break,
// sequential a (30 s), b (20 s).
std::string schedule(const std::string& campaign_extra, const std::string& max = "3") {
    return R"(
media:
  a: {file: a.mp4, duration: 30s}
  b: {file: b.mp4, duration: 20s}
campaigns:
  c:
    from: 2026-12-01
    until: 2026-12-31
    spots: [a, b]
    max_per_day: )" +
           max + "\n" + campaign_extra + R"(
breaks:
  - id: brk
    at: ["07:00", "12:00", "18:00"]
    length: 90s
)";
}

planner with_missed(const std::string& yaml, std::vector<missed_spot> missed) {
    channel_input in = make_planner(yaml).input();
    in.missed = std::move(missed);
    return planner(in);
}

missed_spot miss(const std::string& wall, const std::string& media) {
    return {local(vte, wall), "c", media};
}

TEST(make_good, a_missed_spot_airs_again_in_the_next_break_with_room) {
    const auto yaml = schedule("    make_good: {within: 24h}\n");
    // without misses: a, b, a (one a break, as max_per_day paces it)
    EXPECT_EQ(lines(make_planner(yaml).plan_day(day("2026-12-01")).plan, vte),
              (strings{"07:00:00.000 a", "12:00:00.000 b", "18:00:00.000 a"}));
    auto p = with_missed(yaml, {miss("2026-12-01T07:00:00", "a")});
    const auto d = p.plan_day(day("2026-12-01"));
    // the regular plan is unchanged; the make-good follows the 12:00 break's spot
    EXPECT_EQ(lines(d.plan, vte),
              (strings{"07:00:00.000 a", "12:00:00.000 b", "12:00:20.000 a", "18:00:00.000 a"}));
    const auto& good = d.plan.items[2];
    EXPECT_EQ(good.kind, item_kind::make_good);
    EXPECT_EQ(good.make_good_of, local(vte, "2026-12-01T07:00:00"));
    EXPECT_EQ(good.campaign, "c");
    EXPECT_EQ(good.break_id, "brk");
    EXPECT_EQ(good.duration, 30s);
    EXPECT_EQ(good.end, local(vte, "2026-12-01T12:00:50"));
    EXPECT_EQ(std::string(to_string(good.kind)), "make-good");
    // made good once: not again the next day
    for (const auto& it : p.plan_day(day("2026-12-02")).plan.items) {
        EXPECT_EQ(it.kind, item_kind::spot);
    }
}

TEST(make_good, max_per_day_counts_what_aired_not_the_missed_airings) {
    // two misses: each leaves room under max_per_day for its own make-good
    auto p = with_missed(schedule("    make_good: {within: 24h}\n"),
                         {miss("2026-12-01T12:00:00", "b"), miss("2026-12-01T07:00:00", "a")});
    EXPECT_EQ(lines(p.plan_day(day("2026-12-01")).plan, vte),
              (strings{"07:00:00.000 a", "12:00:00.000 b", "12:00:20.000 a", "18:00:00.000 a",
                       "18:00:30.000 b"}));
    // a day already at max_per_day with no miss has nothing owed and no room under the cap
    auto full = with_missed(schedule("    make_good: {within: 24h}\n"),
                            {miss("2026-11-30T23:00:00", "a")}); // before the flight
    EXPECT_EQ(lines(full.plan_day(day("2026-12-01")).plan, vte),
              (strings{"07:00:00.000 a", "12:00:00.000 b", "18:00:00.000 a"}));
}

TEST(make_good, min_gap_holds_against_what_airs_before_and_after) {
    // a's min_gap 7 h: 12:00 is 6 h before the 18:00 a; 18:00:30 is 30 s after it; the next
    // day's 07:00 room is 5 h before its 12:00 a. Nowhere in 24 h.
    auto p = with_missed(schedule("    make_good: {within: 24h}\n    min_gap: 7h\n"),
                         {miss("2026-12-01T07:00:00", "a")});
    for (const auto& d : p.plan_days(day("2026-12-01"), day("2026-12-02"))) {
        for (const auto& it : d.plan.items) {
            EXPECT_NE(it.kind, item_kind::make_good) << core::format_iso(it.start, *p.input().zone);
        }
    }
    // 5 h is short enough for 12:00 (6 h before 18:00; 5 h after the 07:00 that did not air
    // does not count)
    auto q = with_missed(schedule("    make_good: {within: 24h}\n    min_gap: 5h\n"),
                         {miss("2026-12-01T07:00:00", "a")});
    EXPECT_EQ(lines(q.plan_day(day("2026-12-01")).plan, vte),
              (strings{"07:00:00.000 a", "12:00:00.000 b", "12:00:20.000 a", "18:00:00.000 a"}));
}

TEST(make_good, only_inside_the_window_the_flight_and_the_dayparts) {
    // within 4 h: 12:00 is 5 h after 07:00
    auto narrow =
        with_missed(schedule("    make_good: {within: 4h}\n"), {miss("2026-12-01T07:00:00", "a")});
    EXPECT_EQ(narrow.plan_day(day("2026-12-01")).plan.items.size(), 3u);
    // dayparts without the noon break: the make-good waits for 18:00
    auto parts = with_missed(
        schedule("    make_good: {within: 24h}\n    dayparts: [\"06:00-09:00\", \"17:00-22:00\"]\n",
                 "2"),
        {miss("2026-12-01T07:00:00", "a")});
    EXPECT_EQ(lines(parts.plan_day(day("2026-12-01")).plan, vte),
              (strings{"07:00:00.000 a", "18:00:00.000 b", "18:00:20.000 a"}));
    // the flight's last day: nothing after it
    auto last =
        with_missed(schedule("    make_good: {within: 24h}\n"), {miss("2026-12-31T18:00:00", "b")});
    for (const auto& it : last.plan_day(day("2027-01-01")).plan.items) {
        EXPECT_NE(it.kind, item_kind::make_good);
    }
    // a campaign without make_good: never
    auto off = with_missed(schedule(""), {miss("2026-12-01T07:00:00", "a")});
    EXPECT_EQ(off.plan_day(day("2026-12-01")).plan.items.size(), 3u);
}

TEST(make_good, the_plan_of_a_day_is_the_same_however_it_is_asked_for) {
    const auto yaml = schedule("    make_good: {within: 24h}\n");
    const std::vector<missed_spot> missed{miss("2026-12-01T18:00:00", "a"),
                                          miss("2026-12-02T07:00:00", "b")};
    auto whole = with_missed(yaml, missed);
    const auto days = whole.plan_days(day("2026-12-01"), day("2026-12-03"));
    auto reversed = missed;
    std::reverse(reversed.begin(), reversed.end());
    auto alone = with_missed(yaml, reversed);
    EXPECT_EQ(alone.plan_day(day("2026-12-02")).plan.items, days[1].plan.items);
    // the 18:00 a of the 1st is made good at 07:00 on the 2nd; the 07:00 b of the 2nd is not
    // made good that day: with that make-good, 3 airings aired (max_per_day)
    EXPECT_EQ(lines(days[1].plan, vte),
              (strings{"07:00:00.000 b", "07:00:20.000 a", "12:00:00.000 a", "18:00:00.000 b"}));
    // nor on the 3rd at 07:00 (24 h later, still inside the window): that day is at its
    // max_per_day with its own three
    EXPECT_EQ(lines(days[2].plan, vte),
              (strings{"07:00:00.000 a", "12:00:00.000 b", "18:00:00.000 a"}));
}

// ---- a year of random failures ---------------------------------------------------------------

const std::string year_schedule = R"(
media:
  s15: {file: s15.mp4, duration: 15s}
  s20: {file: s20.mp4, duration: 20s}
  s30: {file: s30.mp4, duration: 30s}
  t30: {file: t30.mp4, duration: 30s}
campaigns:
  tip:
    from: 2026-01-01
    until: 2026-12-31
    spots: [s15, s20, s30]
    rotation: shuffle
    max_per_day: 30
    min_gap: 2h
    make_good: {within: 24h}
  safe:
    from: 2026-03-01
    until: 2026-10-31
    spots: [t30]
    weight: 2
    max_per_day: 8
    min_gap: 90m
    dayparts: ["06:00-09:00", "17:00-22:00"]
    make_good: {within: 12h}
breaks:
  - id: hourly
    every: 1h
    offset: 30m
    between: "05:00-23:30"
    length: 75s
programmes:
  - id: news
    media: t30
    at: "19:30"
)";

TEST(make_good, a_year_of_random_failures_keeps_every_rule) {
    const auto first = day("2026-01-01");
    const auto last = day("2026-12-31");
    auto regular = make_planner(year_schedule);
    const auto plain = regular.plan_days(first, last);
    // one spot in ten fails, at random (seeded: the same year every run)
    std::mt19937_64 rng(20261203);
    std::vector<missed_spot> missed;
    for (const auto& d : plain) {
        for (const auto& it : d.plan.items) {
            if (it.kind == item_kind::spot && rng() % 10 == 0) {
                missed.push_back({it.start, it.campaign, it.media});
            }
        }
    }
    channel_input in = regular.input();
    in.missed = missed;
    planner with(in);
    const auto planned = with.plan_days(first, last);
    const auto& zone = *in.zone;
    const auto sched = in.sched;
    auto campaign = [&](const std::string& id) -> const schedule::campaign& {
        for (const auto& c : sched->campaigns) {
            if (c.id == id) {
                return c;
            }
        }
        throw std::runtime_error("no campaign " + id);
    };
    std::map<instant, const missed_spot*> by_start;
    for (const auto& m : missed) {
        by_start[m.scheduled_start] = &m;
    }
    std::set<instant> made_good;
    std::size_t goods = 0;
    // every airing that airs (regular not missed, and make-goods), per media, across the year
    std::map<std::string, std::vector<instant>> aired;
    for (std::size_t k = 0; k < planned.size(); ++k) {
        const auto& d = planned[k];
        // the regular plan is the plan without misses
        std::vector<item> regular_items;
        for (const auto& it : d.plan.items) {
            if (it.kind != item_kind::make_good) {
                regular_items.push_back(it);
            }
        }
        ASSERT_EQ(regular_items, plain[k].plan.items) << core::format_date(d.day);
        std::map<std::string, int> per_campaign;
        for (std::size_t i = 0; i < d.plan.items.size(); ++i) {
            const auto& it = d.plan.items[i];
            if (i > 0) {
                ASSERT_LE(d.plan.items[i - 1].end, it.start)
                    << "overlap at " << core::format_iso(it.start, zone);
            }
            if (it.kind == item_kind::programme) {
                continue;
            }
            const bool was_missed = it.kind == item_kind::spot && by_start.count(it.start) != 0;
            if (!was_missed) {
                aired[it.media].push_back(it.start);
                ++per_campaign[it.campaign];
            }
            if (it.kind != item_kind::make_good) {
                continue;
            }
            ++goods;
            ASSERT_TRUE(it.make_good_of);
            auto m = by_start.find(*it.make_good_of);
            ASSERT_NE(m, by_start.end()) << "a make-good for no missed airing";
            EXPECT_TRUE(made_good.insert(*it.make_good_of).second) << "made good twice";
            const auto& c = campaign(it.campaign);
            EXPECT_EQ(it.campaign, m->second->campaign);
            EXPECT_EQ(it.media, m->second->media);
            EXPECT_LT(*it.make_good_of, it.start);
            // in a break: at most 75 s after an hh:30 break's time, ending inside its length
            const auto local = date::make_zoned(&zone, it.start).get_local_time();
            const auto tod = local - date::floor<date::days>(local);
            const milliseconds into = tod % 1h - 30min;
            EXPECT_GE(into, 0ms) << core::format_iso(it.start, zone);
            EXPECT_LE(into + it.duration, 75s) << core::format_iso(it.start, zone);
            // the break's time is inside the window, the flight and the dayparts
            const instant break_at = it.start - into;
            EXPECT_LE(break_at - *it.make_good_of, *c.make_good_within);
            EXPECT_TRUE(c.in_flight(d.day));
            if (!c.dayparts.empty()) {
                const auto btod = std::chrono::duration_cast<milliseconds>(tod - into);
                EXPECT_TRUE(std::any_of(c.dayparts.begin(), c.dayparts.end(),
                                        [&](const auto& w) { return w.contains(btod); }));
            }
        }
        for (const auto& [id, n] : per_campaign) {
            EXPECT_LE(n, *campaign(id).max_per_day) << id << " on " << core::format_date(d.day);
        }
    }
    // min_gap between everything that airs, across midnight
    for (auto& [media, starts] : aired) {
        std::sort(starts.begin(), starts.end());
        const auto gap = media == "t30" ? 90min : 120min;
        for (std::size_t i = 1; i < starts.size(); ++i) {
            // the 19:30 programme of t30 is not a spot and is not in `aired`
            ASSERT_GE(starts[i] - starts[i - 1], gap)
                << media << " at " << core::format_iso(starts[i], zone);
        }
    }
    // The numbers of this seeded year (std::mt19937_64 is the same everywhere): a change to
    // the rule shows here first. Most misses find no make-good: a campaign paced to its
    // max_per_day has room under the cap only on days with misses, and min_gap keeps each
    // spot 2 h from its own airings.
    EXPECT_EQ(missed.size(), 975u);
    EXPECT_EQ(goods, 293u);
}

} // namespace
} // namespace onair::planner::test
