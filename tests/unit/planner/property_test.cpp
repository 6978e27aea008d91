// Property tests: many random schedules planned over a whole year, checked against every rule.

#include "planner/detail.hpp"
#include "planner_test_util.hpp"

#include <map>
#include <random>
#include <sstream>

namespace onair::planner::test {
namespace {

using namespace std::chrono_literals;

struct random_schedule {
    std::string yaml;
};

std::string two(int v) {
    return (v < 10 ? "0" : "") + std::to_string(v);
}
std::string hhmm(int minutes) {
    return two(minutes / 60) + ":" + two(minutes % 60);
}

random_schedule make_random(std::uint32_t seed) {
    std::mt19937 rng(seed); // the generator, not the plan: fixed per seed on this machine
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    const char* days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    auto random_days = [&] {
        std::string out = "[";
        bool any = false;
        for (int i = 0; i < 7; ++i) {
            if (pick(0, 3) > 0) {
                out += std::string(any ? ", " : "") + days[i];
                any = true;
            }
        }
        if (!any) {
            out += days[pick(0, 6)];
        }
        return out + "]";
    };
    auto random_date = [&](int from_doy, int to_doy) {
        auto d = date::year_month_day{date::sys_days{date::year{2026} / 1 / 1} +
                                      date::days{pick(from_doy, to_doy)}};
        return date::format("%F", d);
    };
    std::ostringstream y;
    int spots = pick(2, 8);
    y << "media:\n";
    for (int i = 0; i < spots; ++i) {
        y << "  s" << i << ": {file: s" << i << ".mp4, duration: " << pick(2, 12) * 5 << "s}\n";
    }
    int programmes = pick(0, 2);
    for (int i = 0; i < programmes; ++i) {
        y << "  p" << i << ": {file: p" << i << ".mp4, duration: " << pick(5, 120) << "m}\n";
    }
    int campaigns = pick(1, 5);
    y << "campaigns:\n";
    for (int i = 0; i < campaigns; ++i) {
        int from = pick(0, 300);
        y << "  c" << i << ":\n    from: " << random_date(from, from)
          << "\n    until: " << random_date(from, 364) << "\n    spots: [";
        int n = pick(1, std::min(4, spots));
        for (int k = 0; k < n; ++k) {
            y << (k ? ", " : "") << "s" << pick(0, spots - 1);
        }
        y << "]\n    weight: " << pick(1, 5) << "\n";
        y << "    rotation: " << (pick(0, 1) ? "shuffle" : "sequential") << "\n";
        if (pick(0, 1)) {
            y << "    max_per_day: " << pick(1, 30) << "\n";
        }
        if (pick(0, 1)) {
            y << "    min_gap: " << pick(1, 240) << "m\n";
        }
        if (pick(0, 2) == 0) {
            int a = pick(0, 23 * 60), b = pick(0, 24 * 60);
            if (a == b) {
                b = (a + 60) % (24 * 60);
            }
            y << "    dayparts: [\"" << hhmm(a) << "-" << (b == 0 ? "24:00" : hhmm(b)) << "\"]\n";
        }
    }
    y << "breaks:\n";
    int breaks = pick(1, 4);
    const int everies[] = {15, 20, 30, 60, 90, 120, 180};
    for (int i = 0; i < breaks; ++i) {
        y << "  - id: b" << i << "\n";
        if (pick(0, 2)) {
            int every = everies[pick(0, 6)];
            y << "    every: " << every << "m\n    offset: " << pick(0, every - 1) << "m\n";
            if (pick(0, 1)) {
                int a = pick(0, 23 * 60), b = pick(0, 23 * 60);
                if (a == b) {
                    b = (a + 120) % (24 * 60);
                }
                y << "    between: \"" << hhmm(a) << "-" << hhmm(b) << "\"\n";
            }
            y << "    length: " << pick(3, std::min(every * 60 / 10, 36)) * 10 << "s\n";
        } else {
            std::set<int> times;
            int n = pick(1, 6);
            while (static_cast<int>(times.size()) < n) {
                times.insert(pick(0, 24 * 60 - 1));
            }
            y << "    at: [";
            bool first = true;
            for (int t : times) {
                y << (first ? "" : ", ") << "\"" << hhmm(t) << "\"";
                first = false;
            }
            y << "]\n    length: " << pick(3, 18) * 10 << "s\n";
        }
        if (pick(0, 1)) {
            y << "    days: " << random_days() << "\n";
        }
    }
    if (programmes) {
        y << "programmes:\n";
        for (int i = 0; i < programmes + pick(0, 1); ++i) {
            y << "  - {id: prog" << i << ", media: p" << pick(0, programmes - 1) << ", at: \""
              << hhmm(pick(0, 24 * 60 - 1)) << "\", days: " << random_days() << "}\n";
        }
    }
    int exceptions = pick(0, 3);
    if (exceptions) {
        y << "exceptions:\n";
        std::set<std::string> dates;
        const char* skips[] = {"[breaks]", "[programmes]", "[all]"};
        for (int i = 0; i < exceptions; ++i) {
            auto d = random_date(0, 364);
            if (dates.insert(d).second) {
                y << "  - {date: " << d << ", skip: " << skips[pick(0, 2)] << "}\n";
            }
        }
    }
    return {y.str()};
}

void check_year(const std::string& yaml, const std::string& zone_name, std::uint32_t seed) {
    SCOPED_TRACE("seed " + std::to_string(seed) + "\n" + yaml);
    auto p = make_planner(yaml, zone_name);
    const auto& in = p.input();
    const auto& s = *in.sched;
    const auto& zone = *in.zone;
    const local_days first = day("2026-01-01"), last = day("2026-12-31");
    auto year = p.plan_days(first, last);

    std::map<std::string, const schedule::campaign*> campaigns;
    for (const auto& c : s.campaigns) {
        campaigns[c.id] = &c;
    }
    std::map<std::string, const schedule::break_rule*> rules;
    for (const auto& b : s.breaks) {
        rules[b.id] = &b;
    }
    std::map<std::string, instant> last_airing; // media -> start
    const item* previous = nullptr;
    std::size_t spots = 0;
    for (const auto& dp : year) {
        std::map<std::string, int> per_campaign;
        auto instances = detail::break_instances(in, dp.day);
        std::vector<std::pair<instant, instant>> programmes;
        for (const auto& it : dp.plan.items) {
            if (it.kind == item_kind::programme) {
                programmes.emplace_back(it.start, it.end);
            }
        }
        for (const auto& it : dp.plan.items) {
            ASSERT_EQ(it.end - it.start, it.duration);
            ASSERT_GT(it.duration, 0ms);
            if (previous) {
                ASSERT_GE(it.start, previous->end)
                    << "items overlap at " << core::format_iso(it.start, zone);
            }
            previous = &it;
            if (it.kind != item_kind::spot) {
                continue;
            }
            ++spots;
            // inside one of its break's instances: [at, at + length]
            const auto* rule = rules.at(it.break_id);
            const detail::break_instance* home = nullptr;
            for (const auto& bi : instances) {
                if (s.breaks[static_cast<std::size_t>(bi.rule)].id == it.break_id &&
                    bi.at <= it.start && it.end <= bi.at + rule->length) {
                    home = &bi;
                }
            }
            ASSERT_NE(home, nullptr)
                << "spot outside its break at " << core::format_iso(it.start, zone);
            // flight dates and dayparts at the break's time
            const auto* c = campaigns.at(it.campaign);
            ASSERT_TRUE(c->in_flight(dp.day)) << it.campaign << " out of flight";
            if (!c->dayparts.empty()) {
                bool inside = false;
                for (const auto& w : c->dayparts) {
                    inside = inside || w.contains(home->time_of_day);
                }
                ASSERT_TRUE(inside) << it.campaign << " outside its dayparts";
            }
            // never into a programme
            for (const auto& [ps, pe] : programmes) {
                ASSERT_TRUE(it.end <= ps || it.start >= pe) << "spot inside a programme";
            }
            // caps and gaps
            ++per_campaign[it.campaign];
            if (c->max_per_day) {
                ASSERT_LE(per_campaign[it.campaign], *c->max_per_day);
            }
            if (c->min_gap) {
                if (auto l = last_airing.find(it.media); l != last_airing.end()) {
                    ASSERT_GE(it.start - l->second, *c->min_gap)
                        << "min_gap broken for " << it.media << " at "
                        << core::format_iso(it.start, zone);
                }
            }
            last_airing[it.media] = it.start;
        }
        for (const auto& d : dp.plan.dropped) {
            ASSERT_TRUE(d.reason == "empty" || d.reason == "exception" ||
                        d.reason.rfind("programme ", 0) == 0)
                << d.reason;
        }
    }
    (void)spots;

    // determinism: a fresh planner gives the same year
    auto again = make_planner(yaml, zone_name);
    auto year2 = again.plan_days(first, last);
    for (std::size_t i = 0; i < year.size(); ++i) {
        ASSERT_EQ(year[i].plan.items, year2[i].plan.items) << "day " << i;
        ASSERT_EQ(year[i].plan.dropped, year2[i].plan.dropped) << "day " << i;
    }

    // windows: the matching part of the year, whatever the window
    std::vector<item> all;
    std::vector<dropped_break> all_dropped;
    for (auto& dp : year) {
        all.insert(all.end(), dp.plan.items.begin(), dp.plan.items.end());
        all_dropped.insert(all_dropped.end(), dp.plan.dropped.begin(), dp.plan.dropped.end());
    }
    std::mt19937 rng(seed * 7 + 1);
    for (int w = 0; w < 6; ++w) {
        auto fresh = make_planner(yaml, zone_name);
        const auto start_ms = std::uniform_int_distribution<long long>(
            fresh.day_start(day("2026-01-02")).time_since_epoch().count(),
            fresh.day_start(day("2026-12-20")).time_since_epoch().count())(rng);
        const instant from{milliseconds{start_ms}};
        const instant to =
            from +
            milliseconds{std::uniform_int_distribution<long long>(1, 10LL * 24 * 3600 * 1000)(rng)};
        auto r = fresh.plan_window(from, to);
        std::vector<item> expected;
        for (const auto& it : all) {
            if (it.end > from && it.start < to) {
                expected.push_back(it);
            }
        }
        std::vector<dropped_break> expected_dropped;
        for (const auto& d : all_dropped) {
            if (d.at >= from && d.at < to) {
                expected_dropped.push_back(d);
            }
        }
        ASSERT_EQ(r.items, expected) << "window " << core::format_iso(from, zone);
        ASSERT_EQ(r.dropped, expected_dropped);
    }
}

TEST(planner_properties, random_schedules_over_a_year_in_vientiane) {
    for (std::uint32_t seed = 1; seed <= 40; ++seed) {
        check_year(make_random(seed).yaml, "Asia/Vientiane", seed);
        if (HasFatalFailure()) {
            return;
        }
    }
}

TEST(planner_properties, random_schedules_over_a_year_with_dst) {
    for (std::uint32_t seed = 100; seed <= 115; ++seed) {
        check_year(make_random(seed).yaml, "Europe/Berlin", seed);
        if (HasFatalFailure()) {
            return;
        }
    }
}

} // namespace
} // namespace onair::planner::test
