#include "planner/detail.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <tuple>

namespace onair::planner::detail {
namespace {

// A campaign's rotation on one day. Sequential rotation walks the spots in order, carried across
// days; shuffle walks a fresh permutation for every pass through the spots, seeded by channel,
// campaign, date and pass, so it is the same on every machine.
class rotation_view {
public:
    rotation_view(const c_campaign& c, local_days d) : c_(&c), day_(d) {}

    // The media at place `pos` of the rotation.
    int at(std::int64_t pos) {
        const auto n = static_cast<std::int64_t>(c_->spots.size());
        if (c_->src->order == schedule::rotation::sequential || n == 1) {
            return c_->spots[static_cast<std::size_t>(pos % n)];
        }
        if (pos / n != pass_) {
            shuffle(pos / n);
        }
        return perm_[static_cast<std::size_t>(pos % n)];
    }

private:
    void shuffle(std::int64_t pass) {
        pass_ = pass;
        std::uint64_t state =
            c_->seed ^
            (static_cast<std::uint64_t>(day_.time_since_epoch().count()) * 0x9E3779B97F4A7C15ULL) ^
            static_cast<std::uint64_t>(pass) * 0xD1B54A32D192ED03ULL;
        perm_ = c_->spots;
        for (std::size_t i = perm_.size() - 1; i > 0; --i) {
            // unbiased bounded random number by rejection
            const std::uint64_t range = i + 1;
            const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
            std::uint64_t r;
            do {
                r = splitmix64(state);
            } while (r >= limit);
            std::swap(perm_[i], perm_[static_cast<std::size_t>(r % range)]);
        }
    }

    const c_campaign* c_;
    local_days day_;
    std::int64_t pass_ = -1;
    std::vector<int> perm_;
};

struct candidate {
    std::int64_t pos = -1;
    int media = -1;
    milliseconds duration{0};
};

// The next spot of a campaign's rotation that fits the time left and keeps min_gap; spots that
// do not are passed over.
candidate next_spot(const compiled& c, int ci, rotation_view& order, const carry& state, instant at,
                    milliseconds left) {
    const c_campaign& camp = c.campaigns[static_cast<std::size_t>(ci)];
    const auto n = static_cast<std::int64_t>(camp.spots.size());
    const std::int64_t from = state.rotation_pos[static_cast<std::size_t>(ci)];
    for (std::int64_t i = 0; i < n; ++i) {
        const int m = order.at(from + i);
        const milliseconds dur = c.media[static_cast<std::size_t>(m)].duration;
        if (dur <= milliseconds{0} || dur > left) {
            continue;
        }
        const auto& last = state.last_start[static_cast<std::size_t>(m)];
        if (camp.min_gap > milliseconds{0} && last && at - *last < camp.min_gap) {
            continue;
        }
        return {from + i, m, dur};
    }
    return {};
}

bool in_dayparts(const schedule::campaign& c, milliseconds time_of_day) {
    if (c.dayparts.empty()) {
        return true;
    }
    return std::any_of(c.dayparts.begin(), c.dayparts.end(),
                       [&](const auto& w) { return w.contains(time_of_day); });
}

const programme_airing* covering(const std::vector<programme_airing>& airings, instant t) {
    for (const auto& a : airings) {
        if (a.kept && a.start <= t && t < a.end) {
            return &a;
        }
    }
    return nullptr;
}

// The programmes that start on day `d` (those kept), as items in time order.
std::vector<item> programme_items(const compiled& c, const std::vector<programme_airing>& airings,
                                  local_days d) {
    std::vector<item> out;
    for (const auto& a : airings) {
        if (a.day != d || !a.kept) {
            continue;
        }
        const auto& p = c.programmes[static_cast<std::size_t>(a.programme)];
        const auto& cm = c.media[static_cast<std::size_t>(p.media)];
        item it;
        it.start = a.start;
        it.end = a.end;
        it.duration = p.duration;
        it.kind = item_kind::programme;
        it.media = cm.src->id;
        it.programme = p.src->id;
        it.title = cm.src->title;
        it.file = cm.file;
        out.push_back(std::move(it));
    }
    return out;
}

// How one day's break time is shared among the campaigns (planning rule 4).
//
// Weighted sharing: start-time fair queuing over the day. Each campaign has a virtual finish tag
// that grows by airtime / weight; the eligible campaign with the smallest start tag airs next. A
// campaign absent from a break earns no credit for it, so within any stretch of breaks that the
// same campaigns share, airtime follows the weights. Capped campaigns are spread over the day:
// by the k-th of its n eligible breaks a campaign may have aired at most ceil(cap * k / n) times.
// Rotation and min_gap choose the spot within the campaign (next_spot).
class break_sharing {
public:
    break_sharing(const compiled& c, local_days d, carry& state,
                  const std::vector<break_instance>& breaks,
                  const std::vector<programme_airing>& airings, bool skip_breaks)
        : c_(c), day_(d), state_(state), nc_(c.campaigns.size()), eligible_total_(nc_, 0),
          finish_(nc_, 0.0), airings_today_(nc_, 0), eligible_seen_(nc_, 0), quota_(nc_, 0),
          in_break_(nc_, 0) {
        for (const auto& b : breaks) {
            if (skip_breaks || covering(airings, b.at)) {
                continue;
            }
            for (std::size_t ci = 0; ci < nc_; ++ci) {
                eligible_total_[ci] += eligible(ci, b) ? 1 : 0;
            }
        }
        orders_.reserve(nc_);
        for (std::size_t ci = 0; ci < nc_; ++ci) {
            orders_.emplace_back(c.campaigns[ci], d);
            // shuffle starts a fresh sequence each day (it is seeded by the date)
            if (c.campaigns[ci].src->order == schedule::rotation::shuffle) {
                state.rotation_pos[ci] = 0;
            }
        }
        ranked_.reserve(nc_);
    }

    // A break begins: which campaigns take part, and how many airings each may have by its end.
    void open(const break_instance& b) {
        for (std::size_t ci = 0; ci < nc_; ++ci) {
            in_break_[ci] = 0;
            if (!eligible(ci, b)) {
                continue;
            }
            in_break_[ci] = 1;
            const int cap = c_.campaigns[ci].max_per_day;
            const int k = ++eligible_seen_[ci];
            quota_[ci] =
                cap == no_cap
                    ? no_cap
                    : static_cast<int>((static_cast<long long>(cap) * k + eligible_total_[ci] - 1) /
                                       eligible_total_[ci]);
        }
    }

    // The spot that airs at `t` in a break that may run to `limit`, if any fits; it is counted.
    std::optional<item> place(instant t, instant limit, const std::string& break_id) {
        // campaigns in the order they are owed airtime (smallest start tag, then the heavier,
        // then the first in the file); the first that has a spot that fits airs it
        ranked_.clear();
        for (std::size_t ci = 0; ci < nc_; ++ci) {
            if (in_break_[ci] && airings_today_[ci] < c_.campaigns[ci].max_per_day &&
                airings_today_[ci] < quota_[ci]) {
                ranked_.push_back({std::max(virtual_time_, finish_[ci]), ci});
            }
        }
        auto owed_before = [&](const auto& x, const auto& y) {
            if (x.first != y.first) {
                return x.first < y.first;
            }
            const int wx = c_.campaigns[x.second].weight, wy = c_.campaigns[y.second].weight;
            return wx != wy ? wx > wy : x.second < y.second;
        };
        // usually the first campaign asked has a spot: pick minima one at a time rather than
        // sorting them all
        for (auto left = ranked_.begin(); left != ranked_.end(); ++left) {
            std::iter_swap(left, std::min_element(left, ranked_.end(), owed_before));
            const auto [tag, ci] = *left;
            const candidate cand =
                next_spot(c_, static_cast<int>(ci), orders_[ci], state_, t, limit - t);
            if (cand.media >= 0) {
                return take(ci, tag, cand, t, break_id);
            }
        }
        return std::nullopt;
    }

    const std::vector<int>& airings_today() const { return airings_today_; }
    const std::vector<int>& eligible_total() const { return eligible_total_; }

private:
    // A campaign is eligible in a break when in flight and inside its dayparts.
    bool eligible(std::size_t ci, const break_instance& b) const {
        const auto& camp = *c_.campaigns[ci].src;
        return camp.in_flight(day_) && in_dayparts(camp, b.time_of_day);
    }

    item take(std::size_t ci, double tag, const candidate& spot, instant t,
              const std::string& break_id) {
        const auto& camp = c_.campaigns[ci];
        const auto& cm = c_.media[static_cast<std::size_t>(spot.media)];
        item it;
        it.start = t;
        it.end = t + spot.duration;
        it.duration = spot.duration;
        it.kind = item_kind::spot;
        it.media = cm.src->id;
        it.campaign = camp.src->id;
        it.break_id = break_id;
        it.title = cm.src->title;
        it.file = cm.file;
        state_.last_start[static_cast<std::size_t>(spot.media)] = t;
        state_.rotation_pos[ci] = spot.pos + 1;
        ++airings_today_[ci];
        virtual_time_ = tag;
        finish_[ci] = tag + static_cast<double>(spot.duration.count()) / camp.weight;
        return it;
    }

    const compiled& c_;
    local_days day_;
    carry& state_;
    std::size_t nc_;
    std::vector<int> eligible_total_;
    std::vector<double> finish_;
    double virtual_time_ = 0.0;
    std::vector<int> airings_today_;
    std::vector<int> eligible_seen_;
    std::vector<int> quota_;
    std::vector<char> in_break_;
    std::vector<rotation_view> orders_;
    std::vector<std::pair<double, std::size_t>> ranked_;
};

// Where a break may run: from its time (or the end of the last break if that ran over) to its
// length, never into a programme.
std::pair<instant, instant> break_room(const break_instance& b, const schedule::break_rule& rule,
                                       const carry& state,
                                       const std::vector<programme_airing>& airings) {
    const instant t = std::max(b.at, state.busy_until);
    instant limit = b.at + rule.length;
    for (const auto& a : airings) {
        if (a.kept && a.start >= t && a.start < limit) {
            limit = a.start;
        }
    }
    return {t, limit};
}

// The room a break left after its regular spots: where make-goods may go.
struct room_left {
    instant at;               // the break's time
    milliseconds time_of_day; // of `at`
    std::string break_id;
    instant start; // where its regular spots began (after an earlier break that ran over)
    instant from;  // after its regular spots
    instant to;    // its length's end, before a programme and the next break's start
};

int index_of_campaign(const compiled& c, const std::string& id) {
    for (std::size_t ci = 0; ci < c.campaigns.size(); ++ci) {
        if (c.campaigns[ci].src->id == id) {
            return static_cast<int>(ci);
        }
    }
    return -1;
}

// Long: the make-good rule of docs/planning.md, in its order (what aired, what is owed, then
// each room in time order taking the oldest owed spot that fits).
// Places make-goods for the day's missed spots and those of the days before still in their
// window, in the room `rooms` left, and records what aired in `state` for the next day.
void place_make_goods(const channel_input& in, const compiled& c, local_days d, carry& state,
                      const std::vector<room_left>& rooms, day_plan& out) {
    const instant day_begin = core::resolve_local(*in.zone, core::local_ms{d});
    const instant day_end = core::resolve_local(*in.zone, core::local_ms{d + date::days{1}});
    std::map<instant, const missed_spot*> missed_at;
    for (const auto& m : in.missed) {
        missed_at.emplace(m.scheduled_start, &m);
    }
    // what airs today: the regular spots less the missed ones, per media (in time order) and
    // per campaign
    std::vector<std::vector<instant>> real(c.media.size());
    std::vector<int> real_today(c.campaigns.size(), 0);
    for (const auto& it : out.plan.items) {
        if (it.kind != item_kind::spot) {
            continue;
        }
        auto m = missed_at.find(it.start);
        if (m != missed_at.end() && m->second->media == it.media) {
            continue;
        }
        real[static_cast<std::size_t>(c.media_index.at(it.media))].push_back(it.start);
        if (const int ci = index_of_campaign(c, it.campaign); ci >= 0) {
            ++real_today[static_cast<std::size_t>(ci)];
        }
    }
    // what is owed: missed spots of campaigns that make good, not made good yet, whose window
    // reaches into today; oldest first
    struct owed {
        const missed_spot* spot;
        std::size_t campaign;
        std::size_t media;
        milliseconds within;
    };
    std::vector<owed> pending;
    for (const auto& m : in.missed) {
        const int ci = index_of_campaign(c, m.campaign);
        auto mi = c.media_index.find(m.media);
        if (ci < 0 || mi == c.media_index.end() || state.made_good.count(m.scheduled_start) != 0) {
            continue;
        }
        const auto& within = c.campaigns[static_cast<std::size_t>(ci)].src->make_good_within;
        if (!within || !(m.scheduled_start < day_end) || m.scheduled_start + *within < day_begin ||
            c.media[static_cast<std::size_t>(mi->second)].duration <= milliseconds{0}) {
            continue;
        }
        pending.push_back(
            {&m, static_cast<std::size_t>(ci), static_cast<std::size_t>(mi->second), *within});
    }
    std::sort(pending.begin(), pending.end(), [](const owed& a, const owed& b) {
        return std::tie(a.spot->scheduled_start, a.spot->media) <
               std::tie(b.spot->scheduled_start, b.spot->media);
    });

    std::vector<item> goods;
    for (const auto& r : rooms) {
        instant t = r.from;
        for (auto& o : pending) {
            if (o.spot == nullptr || !(o.spot->scheduled_start < r.at) ||
                o.spot->scheduled_start + o.within < r.at) {
                continue;
            }
            const auto& camp = c.campaigns[o.campaign];
            const auto& cm = c.media[o.media];
            if (!camp.src->in_flight(d) || !in_dayparts(*camp.src, r.time_of_day) ||
                std::min(r.to, day_end) < t + cm.duration ||
                real_today[o.campaign] >= camp.max_per_day) {
                continue;
            }
            // min_gap against what airs before and after (a spot the next day can start just
            // after midnight: none closer than min_gap to the day's end)
            auto& starts = real[o.media];
            const auto next = std::upper_bound(starts.begin(), starts.end(), t);
            const std::optional<instant> prev = next != starts.begin()
                                                    ? std::optional<instant>(*std::prev(next))
                                                    : state.last_real_start[o.media];
            const milliseconds gap = camp.min_gap;
            if (gap > milliseconds{0} &&
                ((prev && t - *prev < gap) || (next != starts.end() && *next - t < gap) ||
                 (next == starts.end() && day_end < t + gap))) {
                continue;
            }
            item it;
            it.start = t;
            it.end = t + cm.duration;
            it.duration = cm.duration;
            it.kind = item_kind::make_good;
            it.media = cm.src->id;
            it.campaign = camp.src->id;
            it.break_id = r.break_id;
            it.title = cm.src->title;
            it.file = cm.file;
            it.make_good_of = o.spot->scheduled_start;
            starts.insert(next, t);
            ++real_today[o.campaign];
            state.made_good.insert(o.spot->scheduled_start);
            o.spot = nullptr;
            t = it.end;
            goods.push_back(std::move(it));
        }
    }
    for (std::size_t mi = 0; mi < real.size(); ++mi) {
        if (!real[mi].empty()) {
            state.last_real_start[mi] = real[mi].back();
        }
    }
    if (!goods.empty()) {
        auto& items = out.plan.items;
        items.insert(items.end(), std::make_move_iterator(goods.begin()),
                     std::make_move_iterator(goods.end()));
        std::stable_sort(items.begin(), items.end(),
                         [](const item& a, const item& b) { return a.start < b.start; });
    }
}

} // namespace

day_plan plan_one_day(const channel_input& in, const compiled& c, local_days d, carry& state,
                      day_detail* detail) {
    const schedule::schedule& s = *in.sched;
    day_plan out;
    out.day = d;

    // Programmes that start the day before can still be on; those of the next day bound the
    // last breaks of this one.
    const auto airings = programme_airings(in, c, d - date::days{1}, d + date::days{1});
    auto programmes_today = programme_items(c, airings, d);
    const auto* ex = exception_on(s, d);
    const bool skip_breaks = ex && ex->skip_breaks;
    const auto breaks = break_instances(in, d);
    out.plan.items.reserve(breaks.size() * 8); // a typical break holds a few spots
    out.breaks.reserve(breaks.size());
    std::vector<break_fill> all_fills; // aired and empty ones, for check
    all_fills.reserve(breaks.size());
    std::vector<room_left> rooms; // for make-goods
    rooms.reserve(breaks.size());
    break_sharing sharing(c, d, state, breaks, airings, skip_breaks);

    // Spots are placed in time order; programmes join them in order as the breaks pass them.
    std::size_t next_programme = 0;
    auto flush_programmes = [&](instant upto) {
        while (next_programme < programmes_today.size() &&
               programmes_today[next_programme].start <= upto) {
            out.plan.items.push_back(std::move(programmes_today[next_programme++]));
        }
    };

    for (const auto& b : breaks) {
        const auto& rule = s.breaks[static_cast<std::size_t>(b.rule)];
        if (const auto* p = covering(airings, b.at)) {
            out.plan.dropped.push_back(
                {rule.id, b.at,
                 "programme " + c.programmes[static_cast<std::size_t>(p->programme)].src->id});
            continue;
        }
        if (skip_breaks) {
            out.plan.dropped.push_back({rule.id, b.at, "exception"});
            continue;
        }
        auto [t, limit] = break_room(b, rule, state, airings);
        if (!rooms.empty() && t < rooms.back().to) {
            rooms.back().to = std::max(rooms.back().from, t); // a make-good never delays a break
        }
        sharing.open(b);
        const instant break_start = t;
        flush_programmes(t);
        std::size_t placed = 0;
        while (t < limit) {
            auto spot = sharing.place(t, limit, rule.id);
            if (!spot) {
                break;
            }
            t = spot->end;
            out.plan.items.push_back(std::move(*spot));
            ++placed;
        }
        rooms.push_back({b.at, b.time_of_day, rule.id, break_start, t, limit});
        const break_fill fill{rule.id, b.at, std::max(limit - break_start, milliseconds{0}),
                              t - break_start};
        all_fills.push_back(fill);
        if (placed == 0) {
            out.plan.dropped.push_back({rule.id, b.at, "empty"});
            continue;
        }
        state.busy_until = t;
        out.breaks.push_back(fill);
    }

    flush_programmes(instant::max());
    place_make_goods(in, c, d, state, rooms, out);
    if (detail) {
        detail->airings = sharing.airings_today();
        detail->eligible_breaks = sharing.eligible_total();
        detail->fills = std::move(all_fills);
    }
    return out;
}

} // namespace onair::planner::detail
