#include "service/cue_queue.hpp"

namespace onair::service {

namespace {

core::instant ceil_to_second(core::instant t) {
    const auto s = std::chrono::ceil<std::chrono::seconds>(t);
    return std::chrono::time_point_cast<core::milliseconds>(s);
}

} // namespace

cue_queue::cue_queue(core::milliseconds lead, core::milliseconds join_lead,
                     core::milliseconds shortest_join, bool whole_seconds)
    : lead_(lead), join_lead_(join_lead), shortest_join_(shortest_join),
      whole_seconds_(whole_seconds) {}

playout::clip clip_for(const cue& c, playout::nanoseconds start, double gain_db) {
    playout::clip clip;
    clip.id = c.item.media;
    clip.file = c.item.file;
    clip.start = start;
    clip.duration = c.duration;
    clip.in_point = c.in_point;
    clip.gain_db = gain_db;
    return clip;
}

void cue_queue::offer(const std::vector<planner::item>& items) {
    pending_.clear();
    for (const auto& it : items) {
        if ((!taken_until_ || it.start > *taken_until_) && dropped_.count(it.start) == 0) {
            pending_.insert_or_assign(it.start, it);
        }
    }
}

due cue_queue::take(core::instant now) {
    due out;
    while (!pending_.empty() && pending_.begin()->first < now + lead_) {
        planner::item it = std::move(pending_.begin()->second);
        pending_.erase(pending_.begin());
        taken_until_ = it.start;
        // what an insert took is behind us now
        dropped_.erase(dropped_.begin(), dropped_.upper_bound(it.start));
        if (it.start >= now) {
            out.cues.push_back(cue{it, it.start, core::milliseconds{0}, it.end - it.start});
            continue;
        }
        // under way
        if (it.kind != planner::item_kind::programme) {
            out.skips.push_back(skip{std::move(it), "under way when reached: a spot is never "
                                                    "joined mid-way"});
            continue;
        }
        const core::instant join =
            whole_seconds_ ? ceil_to_second(now + join_lead_) : now + join_lead_;
        if (it.end - join < shortest_join_) {
            out.skips.push_back(skip{std::move(it), "under way when reached, too near its end "
                                                    "to join"});
            continue;
        }
        const auto in_point = join - it.start;
        const auto duration = it.end - join;
        out.cues.push_back(cue{std::move(it), join, in_point, duration});
    }
    return out;
}

std::vector<planner::item> cue_queue::drop_overlapping(core::instant from, core::instant to) {
    std::vector<planner::item> out;
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.start < to && it->second.end > from) {
            out.push_back(std::move(it->second));
            dropped_.insert(it->first);
            it = pending_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

void cue_queue::rewind(core::instant to) {
    if (taken_until_ && *taken_until_ >= to) {
        taken_until_ = to - core::milliseconds{1};
    }
}

} // namespace onair::service
