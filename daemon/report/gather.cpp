#include "report/gather.hpp"

#include "asrun/store.hpp"
#include "asrun/verify.hpp"
#include "asrun/zone_cache.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>

namespace onair::report {
namespace {

using namespace std::chrono_literals;

int local_hour(asrun::zone_cache& zone, core::instant t) {
    const auto local = t + zone.offset(t);
    const auto since_midnight = local - date::floor<date::days>(local);
    return static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(since_midnight).count());
}

asrun::campaign_info info_of(const schedule::campaign& c) {
    return {c.id, c.title, c.from, c.until, c.spots, c.weight, c.dayparts};
}

const schedule::campaign* find_campaign(const schedule::schedule& s, const std::string& id) {
    for (const auto& c : s.campaigns) {
        if (c.id == id) {
            return &c;
        }
    }
    return nullptr;
}

// One channel of the report: its place in the config and the instants its window spans.
struct scoped_channel {
    std::size_t index = 0;
    core::instant from{};
    core::instant to{};
};

// Spots of one day mostly repeat a few (campaign, hour, media): counted in runs, added once each.
void add_planned_day(const std::string& channel, const planner::day_plan& day,
                     asrun::zone_cache& zone, asrun::evidence_builder& builder) {
    const planner::item* run = nullptr;
    int run_hour = -1;
    std::int64_t run_n = 0;
    auto flush = [&] {
        if (run != nullptr) {
            builder.add_planned(channel, run->campaign, day.day, run_hour, run->media, run_n);
        }
    };
    for (const auto& item : day.plan.items) {
        if (item.kind != planner::item_kind::spot || item.campaign.empty()) {
            continue; // make-goods are not planned: they stand in for spots that were
        }
        const int hour = local_hour(zone, item.start);
        if (run != nullptr && hour == run_hour && item.media == run->media &&
            item.campaign == run->campaign) {
            ++run_n;
            continue;
        }
        flush();
        run = &item;
        run_hour = hour;
        run_n = 1;
    }
    flush();
}

// Plans each channel of the scope over its window (a campaign's flight up to today, or the
// last seven days, unless the request says) into `builder`; fills the document's windows.
std::optional<gather_error> add_plans(const schedule::config& cfg,
                                      const std::vector<planner::channel_input>& inputs,
                                      const request& req, core::instant now,
                                      std::vector<scoped_channel>& scope, document& doc,
                                      asrun::evidence_builder& builder) {
    for (auto& sc : scope) {
        const auto& ch = cfg.channels[sc.index];
        const auto& in = inputs[sc.index];
        doc.channels.push_back({ch.id, ch.name, ch.zone->name(), ch.audience});
        asrun::zone_cache zone(*ch.zone);
        const auto today = zone.day_of(now);
        const schedule::campaign* flight =
            req.campaign && in.sched ? find_campaign(*in.sched, *req.campaign) : nullptr;
        auto last = req.to ? *req.to : flight ? std::min(today, flight->until) : today;
        auto first = req.from ? *req.from : flight && !req.to ? flight->from : last - date::days{6};
        if (last < first) {
            if (req.from) {
                return gather_error{2, "--from " + core::format_date(first) + " is after today (" +
                                           core::format_date(last) + ") in " + ch.zone->name() +
                                           "; give --to"};
            }
            last = first; // a campaign whose flight starts after today: report its first day
        }
        doc.windows.push_back({ch.id, ch.zone->name(), first, last});
        sc.from = core::resolve_local(*ch.zone, core::local_ms{first});
        sc.to = core::resolve_local(*ch.zone, core::local_ms{last + date::days{1}});
        if (!in.sched) {
            continue; // no schedule on air (a broken one, in the daemon): nothing planned
        }
        for (const auto& c : in.sched->campaigns) {
            builder.declare(ch.id, info_of(c));
        }
        planner::planner p(in);
        for (const auto& day : p.plan_days(first, last)) {
            add_planned_day(ch.id, day, zone, builder);
        }
    }
    return std::nullopt;
}

// What the as-run says of each channel's window: the summary by hour, the rows that did not
// air whole, the rows on air now; then the chain.
void add_asrun(const schedule::config& cfg, const std::filesystem::path& store_file,
               const request& req, const std::vector<scoped_channel>& scope, document& doc,
               asrun::evidence_builder& builder) {
    std::error_code ec;
    if (!std::filesystem::exists(store_file, ec)) {
        doc.chain.head = std::string(64, '0');
        doc.chain.done = req.verify;
        doc.chain.ok = true;
        return;
    }
    asrun::store s(store_file, asrun::open_mode::read_only);
    for (std::size_t k = 0; k < scope.size(); ++k) {
        const auto& ch = cfg.channels[scope[k].index];
        asrun::summary_filter f;
        f.channel = ch.id;
        f.campaign = req.campaign;
        f.from = doc.windows[k].from;
        f.to = doc.windows[k].to;
        s.summary(f, [&](const asrun::summary_row& r) {
            if (!r.campaign.empty()) {
                builder.add_aired(r.channel, r.campaign, r.day, r.hour, r.media, r.kind, r.status,
                                  r.count, r.airtime);
            }
        });
        asrun::zone_cache zone(*ch.zone);
        asrun::filter rows;
        rows.channel = ch.id;
        rows.from = scope[k].from;
        rows.to = scope[k].to;
        auto add = [&](const asrun::airing& a) {
            if (!a.campaign || (req.campaign && *a.campaign != *req.campaign) || !a.status) {
                return;
            }
            builder.add_missed({*a.campaign, a.channel, a.media, a.title, a.scheduled_start,
                                zone.iso(a.scheduled_start), *a.status, a.detail.value_or("")});
        };
        if (req.campaign) {
            // one campaign: its misses alone, the first ones listed, all of them counted
            s.campaign_missed(rows, *req.campaign, missed_listed, add);
            s.campaign_missed_reasons(rows, *req.campaign, [&](const asrun::missed_reason& r) {
                doc.missed_reasons.push_back(r);
            });
        } else {
            s.missed(rows, add);
        }
    }
    // rows on air now are not in the summary yet
    s.unchained([&](const asrun::airing& a) {
        if (!a.open() || !a.campaign) {
            return;
        }
        for (const auto& sc : scope) {
            const auto& ch = cfg.channels[sc.index];
            if (ch.id == a.channel && !(a.scheduled_start < sc.from) && a.scheduled_start < sc.to) {
                asrun::zone_cache zone(*ch.zone);
                builder.add_aired(a.channel, *a.campaign, zone.day_of(a.scheduled_start),
                                  local_hour(zone, a.scheduled_start), a.media, a.kind,
                                  std::nullopt, 1, 0ms);
            }
        }
    });
    doc.chain.head = s.chain_head().value_or(std::string(64, '0'));
    if (req.verify) {
        auto v = asrun::verify_chain(s, std::nullopt, 5);
        doc.chain.done = true;
        doc.chain.ok = v.ok();
        doc.chain.rows = v.rows;
        doc.chain.faults = v.fault_count;
        doc.chain.head = v.head;
        for (const auto& f : v.faults) {
            doc.chain.first_faults.push_back("row " + std::to_string(f.id) + " (" + f.channel +
                                             "): " + f.what);
        }
    }
}

} // namespace

std::variant<document, gather_error> gather(const schedule::config& cfg,
                                            const std::filesystem::path& config_file,
                                            const std::vector<planner::channel_input>& inputs,
                                            const std::filesystem::path& store_file, request req,
                                            core::instant now) {
    document doc;
    std::error_code abs_ec;
    const auto absolute = std::filesystem::absolute(config_file, abs_ec);
    doc.config_file = (abs_ec ? config_file : absolute).lexically_normal().string();
    doc.generated = date::format("%FT%TZ", date::floor<std::chrono::seconds>(now));
    doc.campaign = req.campaign;
    doc.outcomes = std::move(req.outcomes);
    if (req.from && req.to && *req.to < *req.from) {
        return gather_error{2, "--to must not be before --from"};
    }
    // the channels asked for, and whether any of them declares the campaign
    std::vector<scoped_channel> scope;
    bool declared = !req.campaign;
    for (std::size_t i = 0; i < cfg.channels.size(); ++i) {
        if (!req.channel || cfg.channels[i].id == *req.channel) {
            scope.push_back({i, {}, {}});
            declared = declared || (inputs[i].sched &&
                                    find_campaign(*inputs[i].sched, *req.campaign) != nullptr);
        }
    }
    if (scope.empty()) {
        return gather_error{2, "no channel '" + req.channel.value_or("") + "' in the config"};
    }
    asrun::evidence_builder builder(req.campaign);
    if (auto err = add_plans(cfg, inputs, req, now, scope, doc, builder)) {
        return *err;
    }
    add_asrun(cfg, store_file, req, scope, doc, builder);
    doc.rows = builder.rows();
    doc.figures = builder.figures();
    doc.missed = builder.missed();
    std::sort(doc.missed.begin(), doc.missed.end(), [](const auto& a, const auto& b) {
        return std::tie(a.scheduled_start, a.channel) < std::tie(b.scheduled_start, b.channel);
    });
    if (!req.campaign) {
        // every campaign: each listed, counted here
        std::map<std::tuple<std::string, std::string, asrun::airing_status, std::string>,
                 std::int64_t>
            counts;
        for (const auto& m : doc.missed) {
            ++counts[{m.campaign, m.channel, m.status, m.detail}];
        }
        for (const auto& [key, n] : counts) {
            const auto& [campaign, channel, status, detail] = key;
            doc.missed_reasons.push_back({campaign, channel, status, detail, n});
        }
    }
    if (!declared && doc.figures.empty()) {
        return gather_error{2, "no schedule" + std::string(req.channel ? " of that channel" : "") +
                                   " has campaign '" + *req.campaign +
                                   "', and the as-run has no airing of it in the period"};
    }
    return doc;
}

std::vector<reach_line> estimate_reach(const asrun::campaign_figures& f,
                                       const std::vector<channel_meta>& channels) {
    std::vector<reach_line> out;
    for (const auto& ch : channels) {
        auto h = f.heat_by_channel.find(ch.id);
        if (h == f.heat_by_channel.end() || ch.audience.empty()) {
            continue;
        }
        std::vector<reach_line> lines;
        for (const auto& a : ch.audience) {
            lines.push_back({ch.id, core::format_window(a.window), a.source, a.persons, 0, 0});
        }
        reach_line outside{ch.id, "no estimate", "", 0, 0, 0};
        for (unsigned d = 0; d < 7; ++d) {
            for (int hour = 0; hour < 24; ++hour) {
                const auto n = h->second[d][static_cast<std::size_t>(hour)];
                if (n == 0) {
                    continue;
                }
                const core::milliseconds at = std::chrono::hours(hour);
                reach_line* line = &outside;
                for (std::size_t k = 0; k < ch.audience.size(); ++k) {
                    const auto& a = ch.audience[k];
                    if (((a.days >> d) & 1u) && a.window.contains(at)) {
                        line = &lines[k];
                        break;
                    }
                }
                line->airings += n;
                line->impressions += n * line->persons;
            }
        }
        for (auto& l : lines) {
            out.push_back(std::move(l));
        }
        if (outside.airings > 0) {
            out.push_back(outside);
        }
    }
    return out;
}

std::map<core::local_days, double> daily_airings(const asrun::campaign_figures& f,
                                                 core::local_days from, core::local_days to) {
    std::map<core::local_days, double> out;
    for (auto d = from; d <= to; d += date::days{1}) {
        auto it = f.by_day.find(d);
        out[d] = it == f.by_day.end() ? 0.0 : static_cast<double>(it->second.aired);
    }
    return out;
}

} // namespace onair::report
