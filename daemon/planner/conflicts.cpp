#include "planner/detail.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace onair::planner {
namespace {

std::string list_dates(const std::vector<local_days>& days) {
    std::string out;
    const std::size_t shown = std::min<std::size_t>(days.size(), 5);
    for (std::size_t i = 0; i < shown; ++i) {
        out += (i ? ", " : "") + core::format_date(days[i]);
    }
    if (days.size() > shown) {
        out += " and " + std::to_string(days.size() - shown) + " more days";
    }
    return out;
}

// Programmes that cannot be planned: a day or longer, or of unknown length (only without
// probing).
void check_programme_lengths(const detail::compiled& c, core::diagnostics& diags) {
    for (const auto& prog : c.programmes) {
        if (prog.duration >= core::one_day) {
            diags.error(prog.src->where, "programme '" + prog.src->id + "': media '" +
                                             prog.src->media + "' lasts " +
                                             core::format_duration(prog.duration) +
                                             "; a programme must be shorter than a day");
        }
        if (prog.duration <= milliseconds{0} && prog.media >= 0) {
            diags.warning(prog.src->where,
                          "programme '" + prog.src->id + "' is not planned: the length of media '" +
                              prog.src->media + "' is unknown (declare a duration or probe it)");
        }
    }
}

// Programmes that overlap: one diagnostic per pair, naming both and the dates.
void check_overlaps(const channel_input& in, const detail::compiled& c, local_days first,
                    local_days last, core::diagnostics& diags) {
    std::map<std::pair<int, int>, std::vector<local_days>> overlaps;
    for (const auto& a : detail::programme_airings(in, c, first, last)) {
        if (!a.kept) {
            overlaps[std::pair{a.overlaps, a.programme}].push_back(a.day);
        }
    }
    for (const auto& [pair, days] : overlaps) {
        const auto& earlier = *c.programmes[static_cast<std::size_t>(pair.first)].src;
        const auto& later = *c.programmes[static_cast<std::size_t>(pair.second)].src;
        const auto& earlier_len = c.programmes[static_cast<std::size_t>(pair.first)].duration;
        diags.error(later.where, "programme '" + later.id + "' at " +
                                     core::format_time_of_day(later.at) + " overlaps programme '" +
                                     earlier.id + "' (" + core::format_time_of_day(earlier.at) +
                                     ", " + core::format_duration(earlier_len) + " long) on " +
                                     list_dates(days) + "; '" + later.id + "' would not air");
    }
}

// How a break rule fared over the days checked.
struct rule_stats {
    int times = 0, by_programme = 0, by_exception = 0, aired = 0;
    milliseconds capacity{0}, filled{0};
};

void tally_breaks(const day_plan& plan, const detail::day_detail& det,
                  const std::map<std::string, std::size_t>& rule_index,
                  std::vector<rule_stats>& rules) {
    for (const auto& dr : plan.plan.dropped) {
        auto& st = rules[rule_index.at(dr.break_id)];
        ++st.times;
        if (dr.reason == "exception") {
            ++st.by_exception;
        } else if (dr.reason != "empty") {
            ++st.by_programme;
        }
    }
    for (const auto& f : det.fills) {
        auto& st = rules[rule_index.at(f.break_id)];
        if (f.filled > milliseconds{0}) {
            ++st.times;
            ++st.aired;
        }
        st.capacity += f.capacity;
        st.filled += f.filled;
    }
}

// Why a campaign in flight got no airing on a day.
std::string why_silent(const detail::compiled& c, const detail::c_campaign& camp,
                       int eligible_breaks, milliseconds longest_break) {
    milliseconds shortest{0};
    bool known = false;
    for (int m : camp.spots) {
        auto dur = c.media[static_cast<std::size_t>(m)].duration;
        if (dur > milliseconds{0}) {
            shortest = known ? std::min(shortest, dur) : dur;
            known = true;
        }
    }
    if (!known) {
        return "the length of its spots is unknown (declare a duration or probe them)";
    }
    if (eligible_breaks == 0) {
        return camp.src->dayparts.empty() ? "no break airs that day"
                                          : "no break falls inside its dayparts";
    }
    if (shortest > longest_break) {
        return "its shortest spot (" + core::format_duration(shortest) +
               ") is longer than any break (" + core::format_duration(longest_break) + ")";
    }
    return "its breaks are taken by other campaigns or its spots are held back by min_gap";
}

void report_breaks(const schedule::schedule& s, const std::vector<rule_stats>& rules, int days,
                   core::diagnostics& diags) {
    const std::string span = "in the next " + std::to_string(days) + " days";
    for (std::size_t r = 0; r < s.breaks.size(); ++r) {
        const auto& rule = s.breaks[r];
        const auto& st = rules[r];
        if (st.times == 0) {
            diags.warning(rule.where, "break '" + rule.id + "' has no times " + span +
                                          " (check 'every', 'offset', 'between' and 'days')");
        } else if (st.by_programme > 0 && st.by_programme == st.times - st.by_exception &&
                   st.aired == 0) {
            diags.warning(rule.where, "break '" + rule.id + "' never airs " + span +
                                          ": a programme covers every one of its times");
        } else if (st.capacity > milliseconds{0} && st.filled * 2 < st.capacity) {
            const auto pct = st.filled.count() * 100 / st.capacity.count();
            diags.warning(rule.where, "break '" + rule.id + "' is mostly empty " + span + ": " +
                                          std::to_string(pct) + "% of its time is filled (" +
                                          core::format_duration(st.filled) + " of " +
                                          core::format_duration(st.capacity) + ")");
        }
    }
}

} // namespace

void check_plan(planner& p, local_days first, local_days last, core::diagnostics& diags) {
    auto& im = *p.impl_;
    const auto& in = im.input;
    const auto& c = im.compiled;
    const schedule::schedule& s = *in.sched;
    check_programme_lengths(c, diags);
    check_overlaps(in, c, first, last, diags);

    // Plan the days and collect what the other checks need.
    detail::carry state = im.carry_for(first);
    std::vector<rule_stats> rules(s.breaks.size());
    std::map<std::string, std::size_t> rule_index;
    for (std::size_t r = 0; r < s.breaks.size(); ++r) {
        rule_index[s.breaks[r].id] = r;
    }
    std::map<std::pair<std::size_t, std::string>, std::vector<local_days>> silent;
    for (local_days d = first; d <= last; d += date::days{1}) {
        im.remember(d, state);
        detail::day_detail det;
        const auto plan = detail::plan_one_day(in, c, d, state, &det);
        tally_breaks(plan, det, rule_index, rules);
        const auto* ex = detail::exception_on(s, d);
        if (ex && ex->skip_breaks) {
            continue; // no spots that day is what the operator asked for
        }
        milliseconds longest_break{0};
        for (const auto& f : det.fills) {
            longest_break = std::max(longest_break, f.capacity);
        }
        for (std::size_t ci = 0; ci < c.campaigns.size(); ++ci) {
            const auto& camp = c.campaigns[ci];
            if (camp.src->in_flight(d) && det.airings[ci] == 0) {
                silent[{ci, why_silent(c, camp, det.eligible_breaks[ci], longest_break)}].push_back(
                    d);
            }
        }
    }
    report_breaks(s, rules, static_cast<int>((last - first).count()) + 1, diags);
    for (const auto& [key, dates] : silent) {
        const auto& camp = *c.campaigns[key.first].src;
        diags.warning(camp.where, "campaign '" + camp.id + "' is in flight but gets no airing on " +
                                      list_dates(dates) + ": " + key.second);
    }
}

} // namespace onair::planner
