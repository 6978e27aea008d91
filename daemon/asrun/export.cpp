#include "asrun/export.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <ostream>

namespace onair::asrun {
namespace {

const date::time_zone& utc() {
    static const date::time_zone* zone = core::find_zone("UTC");
    return *zone;
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

row_formatter::row_formatter() = default;
row_formatter::~row_formatter() = default;
row_formatter::row_formatter(row_formatter&&) noexcept = default;
row_formatter& row_formatter::operator=(row_formatter&&) noexcept = default;

zone_cache& row_formatter::zone_of(const airing& row) {
    if (!zone_ || zone_name_ != row.timezone) {
        zone_name_ = row.timezone;
        const auto* zone = core::find_zone(row.timezone);
        zone_ = std::make_unique<zone_cache>(zone != nullptr ? *zone : utc());
    }
    return *zone_;
}

std::string row_formatter::csv_row(const airing& row) {
    auto& zone = zone_of(row);
    // media_sha256 and chain go after detail: the spec lets more columns follow.
    std::string line;
    line.reserve(256);
    line += csv_field(row.channel);
    line += ',';
    line += to_string(row.kind);
    line += ',';
    line += csv_field(row.media);
    line += ',';
    line += csv_field(row.campaign.value_or(""));
    line += ',';
    line += csv_field(row.break_id.value_or(""));
    line += ',';
    line += csv_field(row.title);
    line += ',';
    line += csv_field(row.file);
    line += ',';
    line += zone.iso(row.scheduled_start);
    line += ',';
    line += zone.iso(row.scheduled_end);
    line += ',';
    line += iso(row.actual_start, zone);
    line += ',';
    line += iso(row.actual_end, zone);
    line += ',';
    line += row.status ? to_string(*row.status) : "";
    line += ',';
    line += csv_field(row.detail.value_or(""));
    line += ',';
    line += csv_field(row.media_sha256.value_or(""));
    line += ',';
    line += row.chain.value_or("");
    line += '\n';
    return line;
}

std::string row_formatter::json_object(const airing& row) {
    auto& zone = zone_of(row);
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
    if (row.make_good_of) {
        o["make_good_of"] = zone.iso(*row.make_good_of); // make-goods only
    }
    return o.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string csv_row(const airing& row) {
    return row_formatter().csv_row(row);
}
std::string json_object(const airing& row) {
    return row_formatter().json_object(row);
}

const char* const json_open = "[";
const char* json_before(std::size_t index) {
    return index == 0 ? "\n  " : ",\n  ";
}
const char* json_close(std::size_t count) {
    return count == 0 ? "]\n" : "\n]\n";
}

csv_writer::csv_writer(std::ostream& out) : out_(out) {
    out_ << csv_header;
}

void csv_writer::write(const airing& row) {
    out_ << format_.csv_row(row);
}

json_writer::json_writer(std::ostream& out) : out_(out) {}

void json_writer::write(const airing& row) {
    if (rows_ == 0) {
        out_ << json_open;
    }
    out_ << json_before(rows_++) << format_.json_object(row);
}

void json_writer::finish() {
    if (rows_ == 0) {
        out_ << json_open;
    }
    out_ << json_close(rows_);
}

export_pager::export_pager(const store* s, filter f, export_format format, std::size_t page_rows)
    : store_(s), filter_(std::move(f)), format_(format),
      page_rows_(std::max<std::size_t>(page_rows, 1)) {}

bool export_pager::next(std::string& out) {
    if (done_) {
        return false;
    }
    if (!begun_) {
        begun_ = true;
        out += format_ == export_format::csv ? csv_header : json_open;
    }
    std::size_t got = 0;
    if (store_ != nullptr) {
        store_->airings_page(filter_, after_, page_rows_, [&](const airing& row) {
            if (format_ == export_format::csv) {
                out += format_rows_.csv_row(row);
            } else {
                out += json_before(rows_);
                out += format_rows_.json_object(row);
            }
            ++rows_;
            ++got;
            after_ = page_key{row.scheduled_start, row.id};
        });
    }
    if (got == page_rows_) {
        return true; // perhaps more: the next call asks
    }
    if (format_ == export_format::json) {
        out += json_close(rows_);
    }
    done_ = true;
    return false;
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
