#include "asrun/evidence.hpp"

#include <algorithm>
#include <cstdio>

namespace onair::asrun {
namespace {

using namespace std::chrono_literals;

// Whether a daily window overlaps the local hour [h:00, h+1:00).
bool overlaps_hour(const core::day_window& w, int hour) {
    const core::milliseconds from = std::chrono::hours(hour);
    const core::milliseconds to = from + 1h;
    auto overlap = [&](core::milliseconds a, core::milliseconds b) { return a < to && from < b; };
    if (!w.crosses_midnight()) {
        return overlap(w.start, w.end);
    }
    return overlap(w.start, core::one_day) || overlap(0ms, w.end);
}

} // namespace

const char* to_string(evidence_row_type t) {
    switch (t) {
    case evidence_row_type::item:
        return "item";
    case evidence_row_type::channel_total:
        return "channel";
    case evidence_row_type::total:
        return "total";
    }
    return "?";
}

std::vector<std::string> daypart_labels(const std::vector<core::day_window>& dayparts) {
    std::vector<std::string> out;
    for (const auto& w : dayparts) {
        out.push_back(core::format_window(w));
    }
    if (out.empty()) {
        out.emplace_back(all_day);
    }
    return out;
}

evidence_builder::evidence_builder(std::optional<std::string> only) : only_(std::move(only)) {}

bool evidence_builder::wanted(const std::string& campaign) const {
    return !campaign.empty() && (!only_ || *only_ == campaign);
}

void evidence_builder::declare(const std::string& channel, const campaign_info& info) {
    if (!wanted(info.id)) {
        return;
    }
    declared_[{channel, info.id}] = info;
    first_info_.try_emplace(info.id, info);
}

std::string evidence_builder::daypart_of(const std::string& channel, const std::string& campaign,
                                         int hour) const {
    auto it = declared_.find({channel, campaign});
    if (it == declared_.end() || it->second.dayparts.empty()) {
        return all_day;
    }
    for (const auto& w : it->second.dayparts) {
        if (overlaps_hour(w, hour)) {
            return core::format_window(w);
        }
    }
    // aired outside every daypart: an insert of the campaign's spot, or dayparts changed since
    return "outside dayparts";
}

report_counts& evidence_builder::cell(const std::string& channel, const std::string& campaign,
                                      core::local_days day, int hour, const std::string& media) {
    return cells_[evidence_key{campaign, channel, day, daypart_of(channel, campaign, hour), media}];
}

void evidence_builder::add_planned(const std::string& channel, const std::string& campaign,
                                   core::local_days day, int hour, const std::string& media,
                                   std::int64_t count) {
    if (!wanted(campaign)) {
        return;
    }
    cell(channel, campaign, day, hour, media).planned += count;
}

void evidence_builder::add_aired(const std::string& channel, const std::string& campaign,
                                 core::local_days day, int hour, const std::string& media,
                                 airing_kind kind, std::optional<airing_status> status,
                                 std::int64_t count, core::milliseconds airtime) {
    if (!wanted(campaign)) {
        return;
    }
    if (kind == airing_kind::make_good) {
        if (status == airing_status::aired) {
            auto& c = cell(channel, campaign, day, hour, media);
            c.made_good += count;
            c.airtime += airtime;
        }
        return;
    }
    cell(channel, campaign, day, hour, media).add_status(status, count, airtime);
    if (status == airing_status::aired && hour >= 0 && hour < 24) {
        heat_[{campaign, channel}][core::weekday_index(day)][static_cast<std::size_t>(hour)] +=
            count;
    }
}

void evidence_builder::add_missed(missed_airing m) {
    if (!wanted(m.campaign)) {
        return;
    }
    missed_.push_back(std::move(m));
}

std::vector<evidence_row> evidence_builder::rows() const {
    std::vector<evidence_row> out;
    auto it = cells_.begin();
    while (it != cells_.end()) {
        const std::string& campaign = it->first.campaign;
        std::map<std::string, report_counts> per_channel;
        report_counts total;
        for (; it != cells_.end() && it->first.campaign == campaign; ++it) {
            const auto& [k, c] = *it;
            out.push_back(
                {evidence_row_type::item, k.campaign, k.channel, k.day, k.daypart, k.media, c});
            per_channel[k.channel].add(c);
            total.add(c);
        }
        for (const auto& [channel, c] : per_channel) {
            out.push_back(
                {evidence_row_type::channel_total, campaign, channel, std::nullopt, "", "", c});
        }
        out.push_back({evidence_row_type::total, campaign, "", std::nullopt, "", "", total});
    }
    return out;
}

std::vector<campaign_figures> evidence_builder::figures() const {
    std::map<std::string, campaign_figures> by_id;
    for (const auto& [id, info] : first_info_) {
        by_id[id].info = info;
    }
    for (const auto& [k, c] : cells_) {
        auto& f = by_id[k.campaign];
        if (f.info.id.empty()) {
            f.info.id = k.campaign; // aired, but no schedule declares it now
        }
        if (std::find(f.channels.begin(), f.channels.end(), k.channel) == f.channels.end()) {
            f.channels.push_back(k.channel);
        }
        f.by_channel_day[{k.channel, k.day}].add(c);
        f.by_day[k.day].add(c);
        f.by_media[k.media].add(c);
        f.by_daypart[k.daypart].add(c);
        f.total.add(c);
    }
    std::vector<campaign_figures> out;
    for (const auto& [key, h] : heat_) {
        auto& f = by_id[key.first];
        f.heat_by_channel[key.second] = h;
        for (std::size_t d = 0; d < 7; ++d) {
            for (std::size_t hr = 0; hr < 24; ++hr) {
                f.heat[d][hr] += h[d][hr];
            }
        }
    }
    for (auto& [id, f] : by_id) {
        std::sort(f.channels.begin(), f.channels.end());
        out.push_back(std::move(f));
    }
    return out;
}

const char* const evidence_csv_header =
    "row,campaign,channel,day,daypart,media,planned,aired,made_good,truncated,failed,skipped,"
    "interrupted,on_air,delivery_pct,airtime_s\n";

namespace {

std::array<std::string, 16> cells_of(const evidence_row& r) {
    const auto& c = r.counts;
    auto pct = c.delivery_pct();
    return {to_string(r.type),
            r.campaign,
            r.channel,
            r.day ? core::format_date(*r.day) : std::string(),
            r.daypart,
            r.media,
            std::to_string(c.planned),
            std::to_string(c.aired),
            std::to_string(c.made_good),
            std::to_string(c.truncated),
            std::to_string(c.failed),
            std::to_string(c.skipped),
            std::to_string(c.interrupted),
            std::to_string(c.on_air),
            pct ? decimal(*pct, 1) : std::string(),
            decimal(static_cast<double>(c.airtime.count()) / 1000.0, 3)};
}

// A CSV cell: daypart labels ("all day", "06:00-09:00") need no quoting, but be safe.
std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) {
        return s;
    }
    std::string q = "\"";
    for (char ch : s) {
        q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    }
    return q + "\"";
}

} // namespace

std::string evidence_csv(const std::vector<evidence_row>& rows) {
    std::string out = evidence_csv_header;
    for (const auto& r : rows) {
        auto cs = cells_of(r);
        for (std::size_t i = 0; i < cs.size(); ++i) {
            out += csv_cell(cs[i]);
            out += i + 1 < cs.size() ? ',' : '\n';
        }
    }
    return out;
}

std::string evidence_text(const std::vector<report_window>& windows,
                          const std::vector<evidence_row>& rows,
                          const std::vector<missed_airing>& missed) {
    std::string out;
    for (const auto& w : windows) {
        out += w.channel + " (" + w.timezone + "): " + core::format_date(w.from) + " to " +
               core::format_date(w.to) + "\n";
    }
    out += "\n";
    constexpr std::size_t n = 14;
    std::vector<std::array<std::string, n>> table{
        {"campaign", "channel", "day", "daypart", "media", "planned", "aired", "made good", "trunc",
         "failed", "skipped", "interr", "deliv%", "airtime s"}};
    for (const auto& r : rows) {
        auto cs = cells_of(r);
        std::array<std::string, n> t{cs[1], cs[2], cs[3],  cs[4],  cs[5],  cs[6],  cs[7],
                                     cs[8], cs[9], cs[10], cs[11], cs[12], cs[14], cs[15]};
        if (r.type != evidence_row_type::item) {
            t[2] = "total";
            t[3] = "all";
            t[4] = "all";
            if (r.type == evidence_row_type::total) {
                t[1] = "all";
            }
        }
        if (t[12].empty()) {
            t[12] = "-";
        }
        table.push_back(t);
    }
    std::array<std::size_t, n> width{};
    for (const auto& t : table) {
        for (std::size_t i = 0; i < n; ++i) {
            width[i] = std::max(width[i], t[i].size());
        }
    }
    for (const auto& t : table) {
        std::string line;
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t pad = width[i] - t[i].size();
            line += i < 5 ? t[i] + std::string(pad, ' ') : std::string(pad, ' ') + t[i];
            if (i + 1 < n) {
                line += "  ";
            }
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        out += line + "\n";
    }
    if (!missed.empty()) {
        out += "\nnot aired whole:\n";
        for (const auto& m : missed) {
            out += "  " + m.local_start + "  " + m.channel + "  " + m.media + "  " +
                   to_string(m.status) + (m.detail.empty() ? "" : ": " + m.detail) + "\n";
        }
    }
    return out;
}

} // namespace onair::asrun
