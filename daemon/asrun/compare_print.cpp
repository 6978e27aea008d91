// The comparison as `onair asrun --compare` prints it: a line per differing slot and a count
// (text), a row per differing slot (CSV), or one document (JSON). "here" is this station's
// as-run, "there" the other one.

#include "asrun/compare.hpp"
#include "asrun/export.hpp"
#include "asrun/report.hpp"

#include <nlohmann/json.hpp>

#include <ostream>

namespace onair::asrun {
namespace {

using json = nlohmann::ordered_json;

const date::time_zone& zone_of(const airing& row) {
    const auto* zone = core::find_zone(row.timezone);
    return zone != nullptr ? *zone : *core::find_zone("UTC");
}

std::string iso(const airing& row, core::instant t) {
    return core::format_iso(t, zone_of(row));
}

// What a frame is, in ms: "40", "33.367".
std::string frame_text(const frame_length& f) {
    if (f.num % f.den == 0) {
        return std::to_string(f.num / f.den);
    }
    return decimal(static_cast<double>(f.num) / static_cast<double>(f.den), 3);
}

std::string status_text(const airing& row) {
    std::string s = row.status ? to_string(*row.status) : "on air";
    if (row.detail && !row.detail->empty()) {
        s += " (" + *row.detail + ")";
    }
    return s;
}

std::string start_text(const airing& row) {
    return row.actual_start ? iso(row, *row.actual_start) : std::string("none");
}

std::string short_hash(const std::optional<std::string>& h) {
    return h ? h->substr(0, 12) : std::string("none");
}

std::string signed_ms(core::milliseconds d) {
    return (d.count() > 0 ? "+" : "") + std::to_string(d.count()) + " ms";
}

// One difference of a slot, in words.
std::string said(const slot_difference& d, difference what) {
    switch (what) {
    case difference::only_local:
        return "only here (" + status_text(*d.local) + ")";
    case difference::only_other:
        return "only there (" + status_text(*d.other) + ")";
    case difference::status:
        return "status " + status_text(*d.local) + " here, " + status_text(*d.other) + " there";
    case difference::actual_start:
        return "actual_start " + start_text(*d.local) + " here, " + start_text(*d.other) +
               " there" +
               (d.apart
                    ? " (" + signed_ms(*d.apart) + "; a frame is " + frame_text(d.frame) + " ms)"
                    : "");
    case difference::media_sha256:
        return "media_sha256 " + short_hash(d.local->media_sha256) + "... here, " +
               short_hash(d.other->media_sha256) + "... there";
    }
    return "?";
}

void print_text(const comparison& c, std::ostream& out) {
    for (const auto& d : c.differences) {
        const auto& row = d.row();
        out << row.channel << ' ' << iso(row, row.scheduled_start) << ' ' << to_string(row.kind)
            << ' ' << row.media << ':';
        for (std::size_t i = 0; i < d.what.size(); ++i) {
            out << (i == 0 ? " " : "; ") << said(d, d.what[i]);
        }
        out << '\n';
    }
    out << c.slots << (c.slots == 1 ? " slot" : " slots") << " compared, " << c.differences.size()
        << " differ\n";
}

std::string joined(const std::vector<difference>& what) {
    std::string s;
    for (auto w : what) {
        s += (s.empty() ? "" : ";") + std::string(to_string(w));
    }
    return s;
}

void print_csv(const comparison& c, std::ostream& out) {
    out << "channel,scheduled_start,kind,media,differences,local_status,other_status,"
           "local_actual_start,other_actual_start,apart_ms,frame_ms,local_media_sha256,"
           "other_media_sha256\n";
    auto side = [](const std::optional<airing>& a, auto field) {
        return a ? csv_field(field(*a)) : std::string{};
    };
    auto status = [](const airing& a) { return a.status ? to_string(*a.status) : ""; };
    auto start = [](const airing& a) {
        return a.actual_start ? iso(a, *a.actual_start) : std::string{};
    };
    auto hash = [](const airing& a) { return a.media_sha256.value_or(""); };
    for (const auto& d : c.differences) {
        const auto& row = d.row();
        out << csv_field(row.channel) << ',' << iso(row, row.scheduled_start) << ','
            << to_string(row.kind) << ',' << csv_field(row.media) << ',' << joined(d.what) << ','
            << side(d.local, status) << ',' << side(d.other, status) << ',' << side(d.local, start)
            << ',' << side(d.other, start) << ','
            << (d.apart ? std::to_string(d.apart->count()) : "") << ',' << frame_text(d.frame)
            << ',' << side(d.local, hash) << ',' << side(d.other, hash) << '\n';
    }
}

json side_json(const std::optional<airing>& a) {
    if (!a) {
        return nullptr;
    }
    json o;
    o["status"] = a->status ? json(to_string(*a->status)) : json(nullptr);
    o["detail"] = a->detail ? json(*a->detail) : json(nullptr);
    o["actual_start"] = a->actual_start ? json(iso(*a, *a->actual_start)) : json(nullptr);
    o["media_sha256"] = a->media_sha256 ? json(*a->media_sha256) : json(nullptr);
    return o;
}

void print_json(const comparison& c, const compare_labels& labels, std::ostream& out) {
    json doc;
    doc["local"] = labels.local_name;
    doc["other"] = labels.other_name;
    doc["from"] = labels.from ? json(*labels.from) : json(nullptr);
    doc["to"] = labels.to ? json(*labels.to) : json(nullptr);
    doc["slots"] = c.slots;
    doc["differ"] = c.differences.size();
    json list = json::array();
    for (const auto& d : c.differences) {
        const auto& row = d.row();
        json o;
        o["channel"] = row.channel;
        o["scheduled_start"] = iso(row, row.scheduled_start);
        o["kind"] = to_string(row.kind);
        o["media"] = row.media;
        json what = json::array();
        for (auto w : d.what) {
            what.push_back(to_string(w));
        }
        o["differences"] = std::move(what);
        o["local"] = side_json(d.local);
        o["other"] = side_json(d.other);
        o["apart_ms"] = d.apart ? json(d.apart->count()) : json(nullptr);
        o["frame_ms"] = static_cast<double>(d.frame.num) / static_cast<double>(d.frame.den);
        list.push_back(std::move(o));
    }
    doc["differences"] = std::move(list);
    out << doc.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

} // namespace

void print_comparison(const comparison& c, compare_format format, const compare_labels& labels,
                      std::ostream& out) {
    switch (format) {
    case compare_format::text:
        print_text(c, out);
        return;
    case compare_format::csv:
        print_csv(c, out);
        return;
    case compare_format::json:
        print_json(c, labels, out);
        return;
    }
}

} // namespace onair::asrun
