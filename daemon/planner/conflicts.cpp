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

} // namespace

void check_plan(planner& p, local_days first, local_days last, core::diagnostics& diags) {
    auto& im = *p.impl_;
    const auto& in = im.input;
    const auto& c = im.compiled;
    const schedule::schedule& s = *in.sched;

    // Media whose length is unknown cannot be planned (only without probing).
    for (std::size_t pi = 0; pi < c.programmes.size(); ++pi) {
        const auto& prog = c.programmes[pi];
        if (prog.duration >= core::one_day) {
            diags.error(prog.src->where, "programme '" + prog.src->id + "': media '" +
                                             prog.src->media + "' lasts " +
                                             core::format_duration(prog.duration) +
                                             "; a programme must be shorter than a day");
        }
        if (prog.duration <= milliseconds{0} && prog.media >= 0) {
            diags.warning(prog.src->where, "programme '" + prog.src->id +
                                               "' is not planned: the length of media '" +
                                               prog.src->media +
                                               "' is unknown (declare a duration or probe it)");
        }
    }

    // Programmes that overlap: one diagnostic per pair, naming both and the dates.
    std::map<std::pair<int, int>, std::vector<local_days>> overlaps;
    for (const auto& a : detail::programme_airings(in, c, first, last)) {
        if (!a.kept) {
            auto key = std::pair{a.overlaps, a.programme};
            overlaps[key].push_back(a.day);
        }
    }
    for (const auto& [pair, days] : overlaps) {
        const auto& earlier = *c.programmes[static_cast<std::size_t>(pair.first)].src;
        const auto& later = *c.programmes[static_cast<std::size_t>(pair.second)].src;
        const auto& earlier_len = c.programmes[static_cast<std::size_t>(pair.first)].duration;
        diags.error(later.where,
                    "programme '" + later.id + "' at " + core::format_time_of_day(later.at) +
                        " overlaps programme '" + earlier.id + "' (" +
                        core::format_time_of_day(earlier.at) + ", " +
                        core::format_duration(earlier_len) + " long) on " + list_dates(days) +
                        "; '" + later.id + "' would not air");
    }

    // Plan the days and collect what the other checks need.
    detail::carry state = im.carry_for(first);
    const std::size_t nc = c.campaigns.size();
    struct rule_stats {
        int times = 0, by_programme = 0, by_exception = 0, aired = 0;
        milliseconds capacity{0}, filled{0};
    };
    std::vector<rule_stats> rules(s.breaks.size());
    std::map<std::pair<std::size_t, std::string>, std::vector<local_days>> silent;
    const int days = static_cast<int>((last - first).count()) + 1;

    std::map<std::string, std::size_t> rule_index;
    for (std::size_t r = 0; r < s.breaks.size(); ++r) {
        rule_index[s.breaks[r].id] = r;
    }
    for (local_days d = first; d <= last; d += date::days{1}) {
        im.remember(d, state);
        detail::day_detail det;
        auto plan = detail::plan_one_day(in, c, d, state, &det);
        for (const auto& dr : plan.plan.dropped) {
            auto& st = rules[rule_index[dr.break_id]];
            ++st.times;
            if (dr.reason == "exception") {
                ++st.by_exception;
            } else if (dr.reason != "empty") {
                ++st.by_programme;
            }
        }
        for (const auto& f : det.fills) {
            auto& st = rules[rule_index[f.break_id]];
            if (f.filled > milliseconds{0}) {
                ++st.times;
                ++st.aired;
            }
            st.capacity += f.capacity;
            st.filled += f.filled;
        }
        const auto* ex = detail::exception_on(s, d);
        if (ex && ex->skip_breaks) {
            continue; // no spots that day is what the operator asked for
        }
        milliseconds longest_break{0};
        for (const auto& f : det.fills) {
            longest_break = std::max(longest_break, f.capacity);
        }
        for (std::size_t ci = 0; ci < nc; ++ci) {
            const auto& camp = c.campaigns[ci];
            if (!camp.src->in_flight(d) || det.airings[ci] > 0) {
                continue;
            }
            milliseconds shortest{0};
            bool known = false;
            for (int m : camp.spots) {
                auto dur = c.media[static_cast<std::size_t>(m)].duration;
                if (dur > milliseconds{0}) {
                    shortest = known ? std::min(shortest, dur) : dur;
                    known = true;
                }
            }
            std::string why;
            if (!known) {
                why = "the length of its spots is unknown (declare a duration or probe them)";
            } else if (det.eligible_breaks[ci] == 0) {
                why = camp.src->dayparts.empty() ? "no break airs that day"
                                                 : "no break falls inside its dayparts";
            } else if (shortest > longest_break) {
                why = "its shortest spot (" + core::format_duration(shortest) +
                      ") is longer than any break (" + core::format_duration(longest_break) + ")";
            } else {
                why = "its breaks are taken by other campaigns or its spots are held back by "
                      "min_gap";
            }
            silent[{ci, why}].push_back(d);
        }
    }

    for (std::size_t r = 0; r < s.breaks.size(); ++r) {
        const auto& rule = s.breaks[r];
        const auto& st = rules[r];
        const std::string span = "in the next " + std::to_string(days) + " days";
        if (st.times == 0) {
            diags.warning(rule.where, "break '" + rule.id + "' has no times " + span +
                                          " (check 'every', 'offset', 'between' and 'days')");
        } else if (st.by_programme > 0 && st.by_programme == st.times - st.by_exception &&
                   st.aired == 0) {
            diags.warning(rule.where, "break '" + rule.id + "' never airs " + span +
                                          ": a programme covers every one of its times");
        } else if (st.capacity > milliseconds{0} && st.filled * 2 < st.capacity) {
            const auto pct = st.filled.count() * 100 / st.capacity.count();
            diags.warning(rule.where,
                          "break '" + rule.id + "' is mostly empty " + span + ": " +
                              std::to_string(pct) + "% of its time is filled (" +
                              core::format_duration(st.filled) + " of " +
                              core::format_duration(st.capacity) + ")");
        }
    }
    for (const auto& [key, dates] : silent) {
        const auto& camp = *c.campaigns[key.first].src;
        diags.warning(camp.where, "campaign '" + camp.id + "' is in flight but gets no airing on " +
                                      list_dates(dates) + ": " + key.second);
    }
}

} // namespace onair::planner
