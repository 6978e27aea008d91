#include "planner/format.hpp"

#include <cstdio>
#include <sstream>

namespace onair::planner {
namespace {

nlohmann::ordered_json text_or_null(const std::string& s) {
    return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
}

// "0:30", "1:02:00", "0:20.500"
std::string clock_length(milliseconds d) {
    auto ms = d.count();
    auto h = ms / 3600000, m = (ms / 60000) % 60, s = (ms / 1000) % 60, frac = ms % 1000;
    char buf[32];
    if (h) {
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(h),
                      static_cast<long long>(m), static_cast<long long>(s));
    } else {
        std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(m),
                      static_cast<long long>(s));
    }
    std::string out = buf;
    if (frac) {
        std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(frac));
        out += buf;
    }
    return out;
}

std::string pad(std::string s, std::size_t width) {
    // pad by code points so that Lao titles line up as well as a terminal allows
    std::size_t cps = 0;
    for (unsigned char c : s) {
        cps += (c & 0xC0) != 0x80;
    }
    if (cps < width) {
        s.append(width - cps, ' ');
    }
    return s;
}

} // namespace

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) {
        return s;
    }
    std::string out = "\"";
    for (char c : s) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + "\"";
}

nlohmann::ordered_json to_json(const rundown_header& h, const rundown& r) {
    const auto& zone = *h.zone;
    nlohmann::ordered_json out;
    out["channel"] = h.channel_id;
    out["timezone"] = zone.name();
    out["from"] = core::format_iso_seconds(h.from, zone);
    out["to"] = core::format_iso_seconds(h.to, zone);
    auto items = nlohmann::ordered_json::array();
    for (const auto& it : r.items) {
        nlohmann::ordered_json j;
        j["start"] = core::format_iso(it.start, zone);
        j["end"] = core::format_iso(it.end, zone);
        j["duration_ms"] = it.duration.count();
        j["kind"] = to_string(it.kind);
        j["media"] = it.media;
        j["campaign"] = text_or_null(it.campaign);
        j["break"] = text_or_null(it.break_id);
        if (it.kind == item_kind::programme) {
            j["programme"] = it.programme;
        }
        if (it.make_good_of) {
            j["make_good_of"] = core::format_iso(*it.make_good_of, zone);
        }
        j["title"] = it.title;
        j["file"] = it.file;
        items.push_back(std::move(j));
    }
    out["items"] = std::move(items);
    auto dropped = nlohmann::ordered_json::array();
    for (const auto& d : r.dropped) {
        dropped.push_back(
            {{"break", d.break_id}, {"at", core::format_iso(d.at, zone)}, {"reason", d.reason}});
    }
    out["dropped"] = std::move(dropped);
    return out;
}

std::string to_csv(const rundown& r, const date::time_zone& zone) {
    std::string out = "start,end,duration_ms,kind,media,campaign,break,title,file\n";
    for (const auto& it : r.items) {
        out += core::format_iso(it.start, zone) + ',' + core::format_iso(it.end, zone) + ',' +
               std::to_string(it.duration.count()) + ',' + to_string(it.kind) + ',' +
               csv_field(it.media) + ',' + csv_field(it.campaign) + ',' + csv_field(it.break_id) +
               ',' + csv_field(it.title) + ',' + csv_field(it.file) + '\n';
    }
    return out;
}

std::string to_text(const rundown_header& h, const rundown& r) {
    const auto& zone = *h.zone;
    std::ostringstream out;
    out << h.channel_id;
    if (!h.channel_name.empty() && h.channel_name != h.channel_id) {
        out << "  " << h.channel_name;
    }
    out << "\n"
        << core::format_iso_seconds(h.from, zone) << " to " << core::format_iso_seconds(h.to, zone)
        << "  (" << zone.name() << ")\n\n";
    std::string last_date;
    milliseconds spot_time{0}, programme_time{0};
    int spots = 0, programmes = 0;
    for (const auto& it : r.items) {
        std::string start = core::format_iso(it.start, zone);
        std::string date = start.substr(0, 10);
        if (date != last_date) {
            out << date << ' '
                << date::format("%A", date::floor<date::days>(
                                          date::make_zoned(&zone, it.start).get_local_time()))
                << '\n';
            last_date = date;
        }
        std::string where = it.kind == item_kind::programme ? "programme " + it.programme
                                                            : it.campaign + " / " + it.break_id;
        if (it.make_good_of) {
            where = "for " + core::format_iso(*it.make_good_of, zone).substr(5, 11);
        }
        out << "  " << start.substr(11, 12) << "  " << pad(clock_length(it.duration), 9)
            << pad(to_string(it.kind), 10) << pad(it.media, 18) << pad(where, 28) << it.title
            << '\n';
        if (it.kind != item_kind::programme) {
            ++spots;
            spot_time += it.duration;
        } else {
            ++programmes;
            programme_time += it.duration;
        }
    }
    if (r.items.empty()) {
        out << "  nothing scheduled: filler airs throughout\n";
    }
    if (!r.dropped.empty()) {
        out << "\nDropped breaks:\n";
        for (const auto& d : r.dropped) {
            out << "  " << core::format_iso(d.at, zone).substr(0, 19) << "  " << pad(d.break_id, 18)
                << d.reason << '\n';
        }
    }
    out << '\n'
        << spots << " spots (" << clock_length(spot_time) << "), " << programmes << " programmes ("
        << clock_length(programme_time) << "), " << r.dropped.size() << " breaks dropped\n";
    return out.str();
}

} // namespace onair::planner
