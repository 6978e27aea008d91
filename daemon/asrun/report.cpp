#include "asrun/report.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <map>
#include <tuple>
#include <unordered_map>

namespace onair::asrun {
namespace {

struct item_key {
    std::string channel;
    int day = 0; // days since 1970-01-01, local
    airing_kind kind = airing_kind::spot;
    std::string campaign;
    std::string media;

    bool operator==(const item_key&) const = default;
    auto tie() const { return std::tie(channel, day, kind, campaign, media); }
};

struct item_key_hash {
    std::size_t operator()(const item_key& k) const {
        std::size_t h = std::hash<std::string>{}(k.channel);
        auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
        mix(static_cast<std::size_t>(k.day));
        mix(static_cast<std::size_t>(k.kind));
        mix(std::hash<std::string>{}(k.campaign));
        mix(std::hash<std::string>{}(k.media));
        return h;
    }
};

std::string seconds(core::milliseconds d) {
    return decimal(static_cast<double>(d.count()) / 1000.0, 3);
}

std::string delivery(const report_counts& c) {
    auto p = c.delivery_pct();
    return p ? decimal(*p, 1) : std::string();
}

} // namespace

aired_entry summarize(const airing& row, const date::time_zone& zone) {
    zone_cache z(zone);
    return summarize(row, z);
}

aired_entry summarize(const airing& row, zone_cache& zone) {
    aired_entry e;
    e.channel = row.channel;
    e.day = zone.day_of(row.scheduled_start);
    e.kind = row.kind;
    e.campaign = row.campaign.value_or("");
    e.media = row.media;
    e.status = row.status;
    if (row.status &&
        (*row.status == airing_status::aired || *row.status == airing_status::truncated) &&
        row.actual_start && row.actual_end && *row.actual_start < *row.actual_end) {
        e.airtime = *row.actual_end - *row.actual_start;
    }
    return e;
}

void report_counts::add(const report_counts& o) {
    planned += o.planned;
    aired += o.aired;
    truncated += o.truncated;
    failed += o.failed;
    skipped += o.skipped;
    interrupted += o.interrupted;
    on_air += o.on_air;
    airtime += o.airtime;
    made_good += o.made_good;
}

void report_counts::add_status(std::optional<airing_status> status, std::int64_t n,
                               core::milliseconds time) {
    if (!status) {
        on_air += n;
        return;
    }
    switch (*status) {
    case airing_status::aired:
        aired += n;
        break;
    case airing_status::truncated:
        truncated += n;
        break;
    case airing_status::failed:
        failed += n;
        break;
    case airing_status::skipped:
        skipped += n;
        break;
    case airing_status::interrupted:
        interrupted += n;
        break;
    }
    if (*status == airing_status::aired || *status == airing_status::truncated) {
        airtime += time;
    }
}

std::string decimal(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::optional<double> report_counts::delivery_pct() const {
    if (planned == 0) {
        return std::nullopt;
    }
    return 100.0 * static_cast<double>(aired + made_good) / static_cast<double>(planned);
}

const char* to_string(report_row_type t) {
    switch (t) {
    case report_row_type::item:
        return "item";
    case report_row_type::campaign_total:
        return "campaign";
    case report_row_type::total:
        return "total";
    }
    return "?";
}

struct report_builder::impl {
    std::unordered_map<item_key, report_counts, item_key_hash> items;
    // Rows of one channel and day tend to repeat the same few keys: remember the last one to
    // skip hashing three strings for most rows.
    item_key last_key;
    report_counts* last = nullptr;

    report_counts& at(const std::string& channel, core::local_days day, airing_kind kind,
                      const std::string& campaign, const std::string& media) {
        const int d = day.time_since_epoch().count();
        if (last != nullptr && last_key.day == d && last_key.kind == kind &&
            last_key.media == media && last_key.campaign == campaign &&
            last_key.channel == channel) {
            return *last;
        }
        last_key = item_key{channel, d, kind, campaign, media};
        // pointers into an unordered_map stay valid across rehashing
        last = &items[last_key];
        return *last;
    }
};

report_builder::report_builder() : impl_(std::make_unique<impl>()) {}
report_builder::~report_builder() = default;
report_builder::report_builder(report_builder&&) noexcept = default;
report_builder& report_builder::operator=(report_builder&&) noexcept = default;

void report_builder::add(const planned_entry& e, std::int64_t count) {
    impl_->at(e.channel, e.day, e.kind, e.campaign, e.media).planned += count;
}

void report_builder::add(const aired_entry& e, std::int64_t count) {
    impl_->at(e.channel, e.day, e.kind, e.campaign, e.media).add_status(e.status, count, e.airtime);
}

std::vector<report_row> report_builder::rows() const {
    std::vector<std::pair<const item_key*, const report_counts*>> sorted;
    sorted.reserve(impl_->items.size());
    for (const auto& [k, c] : impl_->items) {
        sorted.emplace_back(&k, &c);
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.first->tie() < b.first->tie(); });

    std::vector<report_row> out;
    out.reserve(sorted.size() + 16);
    report_counts total;
    std::size_t i = 0;
    while (i < sorted.size()) {
        const std::string& channel = sorted[i].first->channel;
        std::map<std::string, report_counts> campaigns;
        for (; i < sorted.size() && sorted[i].first->channel == channel; ++i) {
            const auto& [k, c] = sorted[i];
            report_row r;
            r.type = report_row_type::item;
            r.channel = k->channel;
            r.day = core::local_days{date::days{k->day}};
            r.kind = k->kind;
            r.campaign = k->campaign;
            r.media = k->media;
            r.counts = *c;
            out.push_back(std::move(r));
            campaigns[k->campaign].add(*c);
            total.add(*c);
        }
        for (const auto& [campaign, c] : campaigns) {
            report_row r;
            r.type = report_row_type::campaign_total;
            r.channel = channel;
            r.campaign = campaign;
            r.counts = c;
            out.push_back(std::move(r));
        }
    }
    report_row t;
    t.type = report_row_type::total;
    t.counts = total;
    out.push_back(std::move(t));
    return out;
}

std::vector<report_row> build_report(const std::vector<planned_entry>& planned,
                                     const std::vector<aired_entry>& aired) {
    report_builder b;
    for (const auto& e : planned) {
        b.add(e);
    }
    for (const auto& e : aired) {
        b.add(e);
    }
    return b.rows();
}

const char* const report_csv_header =
    "row,channel,day,kind,campaign,media,planned,aired,truncated,failed,skipped,interrupted,"
    "on_air,delivery_pct,airtime_s\n";

namespace {

// The cells of a row as the CSV and the text table show them (ids need no quoting: they are
// [a-z0-9-]+).
std::array<std::string, 15> cells(const report_row& r) {
    const auto& c = r.counts;
    return {to_string(r.type),
            r.channel,
            r.day ? core::format_date(*r.day) : std::string(),
            r.kind ? to_string(*r.kind) : "",
            r.campaign,
            r.media,
            std::to_string(c.planned),
            std::to_string(c.aired),
            std::to_string(c.truncated),
            std::to_string(c.failed),
            std::to_string(c.skipped),
            std::to_string(c.interrupted),
            std::to_string(c.on_air),
            delivery(c),
            seconds(c.airtime)};
}

} // namespace

std::string report_csv(const std::vector<report_row>& rows) {
    std::string out = report_csv_header;
    for (const auto& r : rows) {
        auto cs = cells(r);
        for (std::size_t i = 0; i < cs.size(); ++i) {
            out += cs[i];
            out += i + 1 < cs.size() ? ',' : '\n';
        }
    }
    return out;
}

std::string report_text(const std::vector<report_window>& windows,
                        const std::vector<report_row>& rows) {
    std::string out;
    for (const auto& w : windows) {
        out += w.channel + " (" + w.timezone + "): " + core::format_date(w.from) + " to " +
               core::format_date(w.to) + "\n";
    }
    out += "\n";
    const std::array<std::string, 14> head{"channel", "day",    "kind",   "campaign", "media",
                                           "planned", "aired",  "trunc",  "failed",   "skipped",
                                           "interr",  "on-air", "deliv%", "airtime s"};
    std::vector<std::array<std::string, 14>> table{head};
    for (const auto& r : rows) {
        auto cs = cells(r);
        std::array<std::string, 14> t;
        for (std::size_t i = 0; i < 14; ++i) {
            t[i] = cs[i + 1];
        }
        if (r.type != report_row_type::item) {
            t[1] = "total";
            t[4] = "all";
            if (r.type == report_row_type::total) {
                t[0] = "all";
                t[3] = "all";
            }
        }
        if (t[3].empty()) {
            t[3] = "-";
        }
        if (t[12].empty()) {
            t[12] = "-";
        }
        table.push_back(t);
    }
    std::array<std::size_t, 14> width{};
    for (const auto& t : table) {
        for (std::size_t i = 0; i < 14; ++i) {
            width[i] = std::max(width[i], t[i].size());
        }
    }
    for (const auto& t : table) {
        std::string line;
        for (std::size_t i = 0; i < 14; ++i) {
            // text left, numbers right
            const std::size_t pad = width[i] - t[i].size();
            if (i < 5) {
                line += t[i] + std::string(pad, ' ');
            } else {
                line += std::string(pad, ' ') + t[i];
            }
            if (i + 1 < 14) {
                line += "  ";
            }
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        out += line + "\n";
    }
    return out;
}

nlohmann::ordered_json report_json(const std::vector<report_window>& windows,
                                   const std::vector<report_row>& rows) {
    using json = nlohmann::ordered_json;
    json ws = json::array();
    for (const auto& w : windows) {
        ws.push_back({{"channel", w.channel},
                      {"timezone", w.timezone},
                      {"from", core::format_date(w.from)},
                      {"to", core::format_date(w.to)}});
    }
    json rs = json::array();
    auto text_or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    for (const auto& r : rows) {
        const auto& c = r.counts;
        auto pct = c.delivery_pct();
        rs.push_back({{"row", to_string(r.type)},
                      {"channel", text_or_null(r.channel)},
                      {"day", r.day ? json(core::format_date(*r.day)) : json(nullptr)},
                      {"kind", r.kind ? json(to_string(*r.kind)) : json(nullptr)},
                      {"campaign", text_or_null(r.campaign)},
                      {"media", text_or_null(r.media)},
                      {"planned", c.planned},
                      {"aired", c.aired},
                      {"truncated", c.truncated},
                      {"failed", c.failed},
                      {"skipped", c.skipped},
                      {"interrupted", c.interrupted},
                      {"on_air", c.on_air},
                      // to a tenth, as the CSV prints it
                      {"delivery_pct", pct ? json(std::stod(decimal(*pct, 1))) : json(nullptr)},
                      {"airtime_s", static_cast<double>(c.airtime.count()) / 1000.0},
                      {"airtime_ms", c.airtime.count()}});
    }
    return json{{"windows", ws}, {"rows", rs}};
}

} // namespace onair::asrun
