#include "asrun/export.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <ostream>

namespace onair::asrun {
namespace {

const date::time_zone& utc() {
    static const date::time_zone* zone = core::find_zone("UTC");
    return *zone;
}

// Rows come grouped by time, and usually share one or two zones: keep the last one (with its
// offset) rather than search the database of zones for every row.
zone_cache& zone_of(const airing& row, std::string& cached_name,
                    std::unique_ptr<zone_cache>& cached) {
    if (!cached || cached_name != row.timezone) {
        cached_name = row.timezone;
        const auto* zone = core::find_zone(row.timezone);
        cached = std::make_unique<zone_cache>(zone != nullptr ? *zone : utc());
    }
    return *cached;
}

std::string iso(const std::optional<core::instant>& t, zone_cache& zone) {
    return t ? zone.iso(*t) : std::string{};
}

nlohmann::ordered_json json_text(const std::optional<std::string>& v) {
    return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json json_time(const std::optional<core::instant>& t, zone_cache& zone) {
    return t ? nlohmann::ordered_json(zone.iso(*t)) : nlohmann::ordered_json(nullptr);
}

} // namespace

const char* const csv_header = "channel,kind,media,campaign,break,title,file,scheduled_start,"
                               "scheduled_end,actual_start,actual_end,status,detail,media_sha256,"
                               "chain\n";

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) {
        return text;
    }
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"') {
            quoted += '"';
        }
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

csv_writer::~csv_writer() = default;
json_writer::~json_writer() = default;

csv_writer::csv_writer(std::ostream& out) : out_(out) {
    out_ << csv_header;
}

void csv_writer::write(const airing& row) {
    auto& zone = zone_of(row, zone_name_, zone_);
    // media_sha256 and chain go after detail: the spec lets more columns follow.
    out_ << csv_field(row.channel) << ',' << to_string(row.kind) << ',' << csv_field(row.media)
         << ',' << csv_field(row.campaign.value_or("")) << ','
         << csv_field(row.break_id.value_or("")) << ',' << csv_field(row.title) << ','
         << csv_field(row.file) << ',' << zone.iso(row.scheduled_start) << ','
         << zone.iso(row.scheduled_end) << ',' << iso(row.actual_start, zone) << ','
         << iso(row.actual_end, zone) << ',' << (row.status ? to_string(*row.status) : "") << ','
         << csv_field(row.detail.value_or("")) << ',' << csv_field(row.media_sha256.value_or(""))
         << ',' << row.chain.value_or("") << '\n';
}

json_writer::json_writer(std::ostream& out) : out_(out) {}

void json_writer::write(const airing& row) {
    auto& zone = zone_of(row, zone_name_, zone_);
    nlohmann::ordered_json o;
    o["channel"] = row.channel;
    o["kind"] = to_string(row.kind);
    o["media"] = row.media;
    o["campaign"] = json_text(row.campaign);
    o["break"] = json_text(row.break_id);
    o["title"] = row.title;
    o["file"] = row.file;
    o["scheduled_start"] = zone.iso(row.scheduled_start);
    o["scheduled_end"] = zone.iso(row.scheduled_end);
    o["actual_start"] = json_time(row.actual_start, zone);
    o["actual_end"] = json_time(row.actual_end, zone);
    o["status"] = row.status ? nlohmann::ordered_json(to_string(*row.status))
                             : nlohmann::ordered_json(nullptr);
    o["detail"] = json_text(row.detail);
    o["media_sha256"] = json_text(row.media_sha256);
    o["chain"] = json_text(row.chain);
    out_ << (rows_++ == 0 ? "[\n  " : ",\n  ")
         << o.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void json_writer::finish() {
    out_ << (rows_ == 0 ? "[]\n" : "\n]\n");
}

std::size_t export_airings(const store& s, const filter& f, export_format format,
                           std::ostream& out) {
    std::size_t n = 0;
    if (format == export_format::csv) {
        csv_writer w(out);
        s.airings(f, [&](const airing& row) {
            w.write(row);
            ++n;
        });
    } else {
        json_writer w(out);
        s.airings(f, [&](const airing& row) {
            w.write(row);
            ++n;
        });
        w.finish();
    }
    return n;
}

void export_nothing(export_format format, std::ostream& out) {
    if (format == export_format::csv) {
        out << csv_header;
    } else {
        json_writer(out).finish();
    }
}

} // namespace onair::asrun
