#pragma once

// The planner: a pure function from (schedule, media durations, window) to the rundown of what
// airs when. No clock, no I/O: the same inputs give the same plan on any machine, and the plan
// of a window is exactly the matching part of the plan of any larger window.
//
// How: every local day is planned whole, in order, from a fixed anchor (the first flight day of
// the schedule's campaigns). What one day hands the next (each spot's last airing, for min_gap
// across midnight; each campaign's place in its sequential rotation) is a small state, so the
// plan of any day is the same however it was asked for.

#include "core/diagnostics.hpp"
#include "core/time.hpp"
#include "schedule/model.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace onair::planner {

using core::instant;
using core::local_days;
using core::milliseconds;

// make_good: a campaign's spot placed again for one of its airings that did not air (see
// channel_input::missed and docs/planning.md).
enum class item_kind { spot, programme, make_good };
const char* to_string(item_kind k);

struct item {
    instant start;
    instant end;
    milliseconds duration{0};
    item_kind kind = item_kind::spot;
    std::string media;
    std::string campaign;  // spots
    std::string break_id;  // spots
    std::string programme; // programmes
    std::string title;
    std::string file; // absolute path
    // make_good items: the scheduled start of the airing it makes good
    std::optional<instant> make_good_of;

    bool operator==(const item&) const = default;
};

// A spot of this channel's as-run that did not air: failed, skipped, or interrupted before half
// its length. The planner places a make-good for it when its campaign asks for them.
struct missed_spot {
    instant scheduled_start;
    std::string campaign;
    std::string media;

    bool operator==(const missed_spot&) const = default;
};

struct dropped_break {
    std::string break_id;
    instant at;
    std::string reason; // "programme ID", "exception" or "empty"

    bool operator==(const dropped_break&) const = default;
};

struct rundown {
    std::vector<item> items;            // by start
    std::vector<dropped_break> dropped; // by time
};

// Media id -> how long it airs.
using durations = std::map<std::string, milliseconds>;

struct channel_input {
    std::string channel_id;                // seeds shuffle
    const date::time_zone* zone = nullptr; // the channel's time zone
    std::shared_ptr<const schedule::schedule> sched;
    durations media_durations; // media without one are never planned
    // TV channels: item lengths are whole frames of this duration (num/den seconds).
    std::optional<std::pair<int, int>> frame_duration;
    // The channel's missed spots (from its own as-run), any order: make-goods are a pure
    // function of them too. Empty: a plan of the schedule alone.
    std::vector<missed_spot> missed;
};

// A planned break instance, for checks and reports.
struct break_fill {
    std::string break_id;
    instant at;
    milliseconds capacity{0}; // the time the break could hold
    milliseconds filled{0};
};

struct day_plan {
    local_days day;
    rundown plan;                   // items starting on this local day
    std::vector<break_fill> breaks; // breaks that aired (not dropped)
};

class planner {
public:
    explicit planner(channel_input input);
    ~planner();
    planner(planner&&) noexcept;
    planner& operator=(planner&&) noexcept;

    // Whole local days, first..last inclusive.
    std::vector<day_plan> plan_days(local_days first, local_days last);
    day_plan plan_day(local_days d) { return plan_days(d, d).front(); }

    // Every item that airs (even partly) in [from, to), and the breaks dropped in it.
    rundown plan_window(instant from, instant to);

    // The local day an instant falls on in the channel's zone.
    local_days local_day_of(instant t) const;
    // Local midnight of a day as an instant.
    instant day_start(local_days d) const;

    const channel_input& input() const;

private:
    friend void check_plan(planner& p, local_days first, local_days last, core::diagnostics& diags);
    struct impl;
    std::unique_ptr<impl> impl_;
};

// Problems `onair check` reports about a channel's plan over days first..last: programmes that
// overlap (errors, naming both and the date), breaks that never air, campaigns in flight that
// get no airing on some day and why, breaks that are mostly empty, media that cannot be planned
// because its length is unknown.
void check_plan(planner& p, local_days first, local_days last, core::diagnostics& diags);

} // namespace onair::planner
