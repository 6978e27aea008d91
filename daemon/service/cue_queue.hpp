#pragma once

// Which planned items go to the engine when, and which are not aired at all: the part of the
// runner that decides, kept free of GStreamer and of the clock so it is tested on its own.
//
// Items are offered from fresh plans (the rolling window, a reload) and taken once each, a lead
// ahead of their start. An item already under way when it is taken (the daemon just started,
// or the wall clock jumped) is a programme to join where it should be by now, or a spot that
// is never joined mid-way: skipped, and filler covers the rest of its slot (SPEC 7).

#include "core/time.hpp"
#include "planner/planner.hpp"
#include "playout/engine.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace onair::service {

// An item handed to the engine: it airs from `air_at` for `duration`, from `in_point` into its
// file (zero unless a programme is joined under way).
struct cue {
    planner::item item;
    core::instant air_at{};
    core::milliseconds in_point{0};
    core::milliseconds duration{0};
};

// A planned item that will not air, and why.
struct skip {
    planner::item item;
    std::string reason;
};

struct due {
    std::vector<cue> cues;   // in order of air time
    std::vector<skip> skips; // in order of planned start
};

class cue_queue {
public:
    // `lead`: how long before its start an item is taken (its clip is prepared). `join_lead`:
    // how far ahead of now a programme under way is joined (time to open and seek the file);
    // the join point is rounded up to a whole second so it falls on every frame grid.
    // `shortest_join`: a programme with less than this left is not joined. `whole_seconds`:
    // the join point is rounded up to a whole second (live: it must fall on every frame grid;
    // a render joins exactly at its --from instead).
    cue_queue(core::milliseconds lead, core::milliseconds join_lead,
              core::milliseconds shortest_join, bool whole_seconds = true);

    // Replaces every item not yet taken with the items of a new plan that start after the
    // last item taken (or all of them, before the first take).
    void offer(const std::vector<planner::item>& items);

    // Takes every item that starts before now + lead.
    due take(core::instant now);

    // Forgets what was taken: after a clock step, the items of the new plan from now on are
    // taken afresh (those under way then are joined or skipped as at a start).
    void rewind(core::instant to);

    // Takes out the items not yet taken that would air (even partly) in [from, to): an
    // insert has their slot.
    std::vector<planner::item> drop_overlapping(core::instant from, core::instant to);

    std::size_t pending() const { return pending_.size(); }
    // The next item not yet taken, if any.
    const planner::item* peek() const {
        return pending_.empty() ? nullptr : &pending_.begin()->second;
    }

private:
    core::milliseconds lead_, join_lead_, shortest_join_;
    bool whole_seconds_;
    std::map<core::instant, planner::item> pending_;
    std::optional<core::instant> taken_until_; // the start of the last item taken
    std::set<core::instant> dropped_;          // starts of items an insert took the slot of
};

// The clip that airs a cue, at the running time `start` its driver maps `air_at` to, with the
// loudness correction of its file: one mapping for `onair run` and `onair render`.
playout::clip clip_for(const cue& c, playout::nanoseconds start, double gain_db);

} // namespace onair::service
