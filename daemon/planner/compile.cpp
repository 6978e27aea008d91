#include "planner/detail.hpp"

#include <algorithm>

namespace onair::planner::detail {

std::uint64_t fnv1a(std::string_view s, std::uint64_t h) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

namespace {

// Whole frames of the channel's frame duration, rounded down, so that spots placed back to back
// stay on the frame grid.
milliseconds to_frames(milliseconds d, const std::optional<std::pair<int, int>>& frame) {
    if (!frame) {
        return d;
    }
    auto [num, den] = *frame; // one frame lasts num/den seconds
    long long frames = d.count() * den / (1000LL * num);
    return milliseconds{frames * 1000LL * num / den};
}

} // namespace

compiled compile(const channel_input& in) {
    compiled c;
    const schedule::schedule& s = *in.sched;
    for (const auto& [id, m] : s.media) {
        c_media cm;
        cm.src = &m;
        cm.file = m.file.string();
        if (auto it = in.media_durations.find(id); it != in.media_durations.end()) {
            cm.duration = to_frames(it->second, in.frame_duration);
        }
        c.media_index.emplace(id, static_cast<int>(c.media.size()));
        c.media.push_back(cm);
    }
    bool first = true;
    for (const auto& camp : s.campaigns) {
        c_campaign cc;
        cc.src = &camp;
        for (const auto& spot : camp.spots) {
            if (auto it = c.media_index.find(spot); it != c.media_index.end()) {
                cc.spots.push_back(it->second);
            }
        }
        cc.weight = camp.weight;
        cc.max_per_day = camp.max_per_day.value_or(no_cap);
        cc.min_gap = camp.min_gap.value_or(milliseconds{0});
        cc.seed = fnv1a(camp.id, fnv1a(in.channel_id) ^ 0x5bd1e995);
        c.longest_gap = std::max(c.longest_gap, cc.min_gap);
        if (first || camp.from < c.anchor) {
            c.anchor = camp.from;
            first = false;
        }
        c.campaigns.push_back(std::move(cc));
    }
    c.has_campaigns = !c.campaigns.empty();
    for (const auto& p : s.programmes) {
        c_programme cp;
        cp.src = &p;
        if (auto it = c.media_index.find(p.media); it != c.media_index.end()) {
            cp.media = it->second;
            cp.duration = c.media[it->second].duration;
        }
        c.programmes.push_back(cp);
    }
    return c;
}

carry initial_carry(const compiled& c) {
    carry k;
    k.last_start.assign(c.media.size(), std::nullopt);
    k.last_real_start.assign(c.media.size(), std::nullopt);
    k.rotation_pos.assign(c.campaigns.size(), 0);
    k.busy_until = instant{};
    return k;
}

const schedule::exception_rule* exception_on(const schedule::schedule& s, local_days d) {
    for (const auto& e : s.exceptions) {
        if (e.date == d) {
            return &e;
        }
    }
    return nullptr;
}

std::vector<programme_airing> programme_airings(const channel_input& in, const compiled& c,
                                                local_days first, local_days last) {
    std::vector<programme_airing> out;
    // Airings starting a day earlier are looked at too, so that "starts inside an earlier
    // programme" is decided the same way whichever days are asked for.
    for (local_days d = first - date::days{1}; d <= last; d += date::days{1}) {
        const auto* ex = exception_on(*in.sched, d);
        if (ex && ex->skip_programmes) {
            continue;
        }
        for (std::size_t i = 0; i < c.programmes.size(); ++i) {
            const auto& p = c.programmes[i];
            if (p.duration <= milliseconds{0} || !p.src->runs_on(d)) {
                continue;
            }
            programme_airing a;
            a.programme = static_cast<int>(i);
            a.start = core::resolve_local(*in.zone, core::local_ms{d} + p.src->at);
            a.end = a.start + p.duration;
            a.day = d;
            out.push_back(a);
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.start < b.start || (a.start == b.start && a.programme < b.programme);
    });
    // A programme that starts while an earlier-starting aired one is still on is not aired.
    // Looking one day back is enough for this to come out the same whatever days are asked for,
    // as long as no programme lasts a day or more (check refuses those).
    for (std::size_t i = 0; i < out.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (out[j].kept && out[j].end > out[i].start) {
                out[i].kept = false;
                out[i].overlaps = out[j].programme;
                break;
            }
        }
    }
    std::erase_if(out, [&](const auto& a) { return a.day < first; });
    return out;
}

std::vector<break_instance> break_instances(const channel_input& in, local_days d) {
    std::vector<break_instance> out;
    const auto& rules = in.sched->breaks;
    const local_days yesterday = d - date::days{1};
    for (std::size_t r = 0; r < rules.size(); ++r) {
        const auto& b = rules[r];
        std::vector<milliseconds> times;
        if (b.every) {
            for (milliseconds t = b.offset; t < core::one_day; t += *b.every) {
                if (!b.between) {
                    if (schedule::on_day(b.days, d)) {
                        times.push_back(t);
                    }
                    continue;
                }
                const auto& w = *b.between;
                if (!w.contains(t)) {
                    continue;
                }
                // A window that crosses midnight belongs to the day it starts on: its hours
                // after midnight are aired when the day before is one of the break's days.
                bool after_midnight_part = w.crosses_midnight() && t < w.end;
                if (schedule::on_day(b.days, after_midnight_part ? yesterday : d)) {
                    times.push_back(t);
                }
            }
        } else if (schedule::on_day(b.days, d)) {
            times = b.at;
        }
        instant previous{};
        bool any = false;
        for (auto t : times) {
            instant at = core::resolve_local(*in.zone, core::local_ms{d} + t);
            // Times inside a spring-forward gap all map to the end of the gap: air once.
            if (any && at == previous) {
                continue;
            }
            out.push_back({static_cast<int>(r), at, t});
            previous = at;
            any = true;
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.at < b.at || (a.at == b.at && a.rule < b.rule);
    });
    return out;
}

} // namespace onair::planner::detail
