#pragma once

// The planner's inner model: the schedule compiled to indices, so that planning a year of many
// channels is a matter of milliseconds, and the state one day hands to the next.

#include "planner/planner.hpp"

#include <cstdint>
#include <limits>
#include <map>
#include <set>

namespace onair::planner::detail {

constexpr int no_cap = std::numeric_limits<int>::max();

struct c_media {
    const schedule::media_item* src = nullptr;
    milliseconds duration{0}; // 0: unknown, never planned
    std::string file;         // as items carry it
};

struct c_campaign {
    const schedule::campaign* src = nullptr;
    std::vector<int> spots; // media indices, in rotation order
    int weight = 1;
    int max_per_day = no_cap;
    milliseconds min_gap{0};
    std::uint64_t seed = 0; // from channel and campaign ids
};

struct c_programme {
    const schedule::programme* src = nullptr;
    int media = -1;
    milliseconds duration{0};
};

struct compiled {
    std::vector<c_media> media;
    std::map<std::string, int> media_index;
    std::vector<c_campaign> campaigns;
    std::vector<c_programme> programmes;
    local_days anchor; // first flight day of any campaign
    bool has_campaigns = false;
    milliseconds longest_gap{0}; // the longest min_gap: how far back last airings matter
};

compiled compile(const channel_input& in);

// What one day hands the next.
struct carry {
    std::vector<std::optional<instant>> last_start; // per media: last spot airing
    std::vector<std::int64_t> rotation_pos;         // per campaign: next place in its rotation
    instant busy_until{};                           // end of the last spot placed
    // Make-goods: per media, the last start that aired or is planned to (a missed airing is
    // not one); the missed airings made good so far, by their scheduled start.
    std::vector<std::optional<instant>> last_real_start;
    std::set<instant> made_good;
};

carry initial_carry(const compiled& c);

// The exception for a day, if any.
const schedule::exception_rule* exception_on(const schedule::schedule& s, local_days d);

// One programme airing.
struct programme_airing {
    int programme = -1;
    instant start;
    instant end;
    bool kept = true;  // false: starts inside an earlier programme (a conflict for check)
    int overlaps = -1; // the programme it starts inside
    local_days day;
};

// The programme airings that start on days first..last, each marked kept or not.
std::vector<programme_airing> programme_airings(const channel_input& in, const compiled& c,
                                                local_days first, local_days last);

// A break time on a day, before it is filled.
struct break_instance {
    int rule = -1; // index into schedule.breaks
    instant at;
    milliseconds time_of_day{0};
};

std::vector<break_instance> break_instances(const channel_input& in, local_days d);

// Per-day details that check_plan reads.
struct day_detail {
    std::vector<int> airings;         // per campaign
    std::vector<int> eligible_breaks; // per campaign: breaks in flight and daypart
    std::vector<break_fill> fills;
};

// Plans one whole local day from the state the previous day left.
day_plan plan_one_day(const channel_input& in, const compiled& c, local_days d, carry& state,
                      day_detail* detail = nullptr);

// Deterministic, platform-independent hashing and random numbers (std distributions are not
// specified bit for bit, so they cannot seed a plan that two servers must agree on).
std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ULL);
std::uint64_t splitmix64(std::uint64_t& state);

} // namespace onair::planner::detail

namespace onair::planner {

struct planner::impl {
    channel_input input;
    detail::compiled compiled;
    // The state at the start of each day planned so far, so that asking again for a later day
    // replays only the days in between.
    std::map<local_days, detail::carry> carry_at;

    explicit impl(channel_input in) : input(std::move(in)), compiled(detail::compile(input)) {}

    // The state at the start of day d, replaying from the anchor (or the nearest known day).
    detail::carry carry_for(local_days d) {
        if (!compiled.has_campaigns || d <= compiled.anchor) {
            return detail::initial_carry(compiled);
        }
        auto it = carry_at.upper_bound(d);
        local_days day = compiled.anchor;
        detail::carry state = detail::initial_carry(compiled);
        if (it != carry_at.begin()) {
            --it;
            if (it->first >= compiled.anchor) {
                day = it->first;
                state = it->second;
            }
        }
        for (; day < d; day += date::days{1}) {
            remember(day, state);
            detail::plan_one_day(input, compiled, day, state);
        }
        return state;
    }

    void remember(local_days d, const detail::carry& state) {
        if (compiled.has_campaigns && d >= compiled.anchor) {
            carry_at.emplace(d, state);
        }
    }
};

} // namespace onair::planner
