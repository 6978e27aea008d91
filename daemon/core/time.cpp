#include "core/time.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>

namespace onair::core {
namespace {

using namespace std::chrono_literals;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads exactly n digits at pos.
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t n) {
    if (pos + n > s.size()) {
        return std::nullopt;
    }
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (!is_digit(s[i])) {
            return std::nullopt;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

std::string two(long v) {
    char buf[24]; // any long fits; two digits is only the minimum width
    std::snprintf(buf, sizeof buf, "%02ld", v);
    return buf;
}

// The longest duration any input may give: a leap year (8784h). Nothing on air lasts longer,
// and the bound keeps every product and sum below far from overflowing, however many digits
// are written.
constexpr milliseconds max_duration{8784LL * 60 * 60 * 1000};

} // namespace

result<milliseconds> parse_duration(std::string_view text) {
    const std::string shown(text);
    auto bad = [&](const std::string& why) {
        return result<milliseconds>::failure("expected a duration such as 500ms, 30s, 45m, 1h or "
                                             "1h30m" +
                                             (why.empty() ? "" : " (" + why + ")") + ", found '" +
                                             shown + "'");
    };
    if (text.empty()) {
        return bad("");
    }
    struct unit {
        std::string_view name;
        milliseconds size;
    };
    static constexpr std::array<unit, 4> units{
        {{"h", 3600000ms}, {"m", 60000ms}, {"s", 1000ms}, {"ms", 1ms}}};
    if (text.front() == '-') {
        return bad("it cannot be negative");
    }
    milliseconds total{0};
    bool too_long = false;
    std::size_t pos = 0;
    std::size_t next_unit = 0; // units must appear in falling order
    while (pos < text.size()) {
        if (!is_digit(text[pos])) {
            return bad("");
        }
        long long amount = 0;
        while (pos < text.size() && is_digit(text[pos])) {
            // Any amount above max_duration in ms is too long in every unit: stop counting there
            // (the rest of the digits are still read, so a typo after them is still named), and
            // no product or sum below can overflow.
            if (amount <= max_duration.count()) {
                amount = amount * 10 + (text[pos] - '0');
            }
            too_long = too_long || amount > max_duration.count();
            ++pos;
        }
        std::size_t ustart = pos;
        while (pos < text.size() && !is_digit(text[pos])) {
            ++pos;
        }
        std::string_view name = text.substr(ustart, pos - ustart);
        if (name.empty()) {
            return bad("a unit is missing: h, m, s or ms");
        }
        // The two mistakes people actually make get their own words.
        if (name.front() == '.' || name.front() == ',') {
            return bad("whole numbers only: write 1h30m, not 1.5h");
        }
        if (name.find_first_of(" \t") != std::string_view::npos) {
            return bad("no spaces between the number and its unit");
        }
        std::size_t found = units.size();
        for (std::size_t i = 0; i < units.size(); ++i) {
            if (units[i].name == name) {
                found = i;
            }
        }
        if (found == units.size()) {
            return bad("unknown unit '" + std::string(name) + "'");
        }
        if (found < next_unit) {
            return bad("units must go from large to small, each once");
        }
        next_unit = found + 1;
        total += std::min<long long>(amount, max_duration.count() + 1) * units[found].size;
    }
    if (too_long || total > max_duration) {
        return result<milliseconds>::failure("expected a duration of at most " +
                                             format_duration(max_duration) + " (a year), found '" +
                                             shown + "'");
    }
    return total;
}

std::string format_duration(milliseconds d) {
    if (d == 0ms) {
        return "0s";
    }
    std::string out;
    if (d < 0ms) {
        out = "-";
        d = -d;
    }
    auto h = d / 3600000ms;
    d -= h * 3600000ms;
    auto m = d / 60000ms;
    d -= m * 60000ms;
    auto s = d / 1000ms;
    d -= s * 1000ms;
    if (h) {
        out += std::to_string(h) + "h";
    }
    if (m) {
        out += std::to_string(m) + "m";
    }
    if (s) {
        out += std::to_string(s) + "s";
    }
    if (d.count()) {
        out += std::to_string(d.count()) + "ms";
    }
    return out;
}

result<milliseconds> parse_time_of_day(std::string_view text, bool allow_end) {
    auto bad = [&](const std::string& why) {
        return result<milliseconds>::failure("expected a time of day HH:MM or HH:MM:SS" +
                                             (why.empty() ? "" : " (" + why + ")") + ", found '" +
                                             std::string(text) + "'");
    };
    if (text.size() != 5 && text.size() != 8) {
        return bad("");
    }
    auto h = digits(text, 0, 2);
    auto m = digits(text, 3, 2);
    if (!h || !m || text[2] != ':') {
        return bad("");
    }
    int sec = 0;
    if (text.size() == 8) {
        auto s = digits(text, 6, 2);
        if (!s || text[5] != ':') {
            return bad("");
        }
        sec = *s;
    }
    if (*m > 59) {
        return bad("minute " + std::to_string(*m) + " is out of range 00-59");
    }
    if (sec > 59) {
        return bad("second " + std::to_string(sec) + " is out of range 00-59");
    }
    if (*h == 24 && *m == 0 && sec == 0) {
        if (allow_end) {
            return one_day;
        }
        return bad("24:00 is only allowed as the end of a window");
    }
    if (*h > 23) {
        return bad("hour " + std::to_string(*h) + " is out of range 00-23");
    }
    return milliseconds{((*h * 60 + *m) * 60 + sec) * 1000LL};
}

std::string format_time_of_day(milliseconds t) {
    auto total_s = t.count() / 1000;
    auto h = total_s / 3600, m = (total_s / 60) % 60, s = total_s % 60;
    std::string out = two(h) + ":" + two(m);
    if (s || t.count() % 1000) {
        out += ":" + two(s);
    }
    return out;
}

bool day_window::contains(milliseconds t) const {
    if (crosses_midnight()) {
        return t >= start || t < end;
    }
    return t >= start && t < end;
}

result<day_window> parse_window(std::string_view text) {
    auto bad = [&](const std::string& why) {
        return result<day_window>::failure("expected a window \"HH:MM-HH:MM\"" +
                                           (why.empty() ? "" : " (" + why + ")") + ", found '" +
                                           std::string(text) + "'");
    };
    auto dash = text.find('-');
    if (dash == std::string_view::npos) {
        return bad("");
    }
    auto s = parse_time_of_day(text.substr(0, dash));
    if (!s) {
        return bad("start: " + s.error());
    }
    auto e = parse_time_of_day(text.substr(dash + 1), true);
    if (!e) {
        return bad("end: " + e.error());
    }
    if (*s == *e) {
        return bad("start and end are the same; for all day leave it out or write 00:00-24:00");
    }
    return day_window{*s, *e};
}

std::string format_window(const day_window& w) {
    return format_time_of_day(w.start) + "-" + format_time_of_day(w.end);
}

result<local_days> parse_date(std::string_view text) {
    auto bad = [&](const std::string& why) {
        return result<local_days>::failure("expected a date YYYY-MM-DD" +
                                           (why.empty() ? "" : " (" + why + ")") + ", found '" +
                                           std::string(text) + "'");
    };
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
        return bad("");
    }
    auto y = digits(text, 0, 4);
    auto m = digits(text, 5, 2);
    auto d = digits(text, 8, 2);
    if (!y || !m || !d) {
        return bad("");
    }
    if (*m < 1 || *m > 12) {
        return bad("month " + std::to_string(*m) + " is out of range 01-12");
    }
    date::year_month_day ymd{date::year{*y}, date::month{static_cast<unsigned>(*m)},
                             date::day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) {
        return bad("day " + std::to_string(*d) + " does not exist in that month");
    }
    return local_days{ymd};
}

std::string format_date(local_days d) {
    return date::format("%F", d);
}

result<unsigned> parse_weekday(std::string_view text) {
    static constexpr std::array<std::string_view, 7> names{"mon", "tue", "wed", "thu",
                                                           "fri", "sat", "sun"};
    for (unsigned i = 0; i < names.size(); ++i) {
        if (names[i] == text) {
            return i;
        }
    }
    return result<unsigned>::failure("expected a weekday mon, tue, wed, thu, fri, sat or sun, "
                                     "found '" +
                                     std::string(text) + "'");
}

unsigned weekday_index(local_days d) {
    return date::weekday{d}.iso_encoding() - 1;
}

result<timestamp> parse_timestamp(std::string_view text) {
    auto bad = [&]() {
        return result<timestamp>::failure(
            "expected an ISO 8601 timestamp such as 2026-12-01T06:00:00 or "
            "2026-12-01T06:00:00+07:00, found '" +
            std::string(text) + "'");
    };
    if (text.size() < 19 || (text[10] != 'T' && text[10] != ' ')) {
        return bad();
    }
    auto day = parse_date(text.substr(0, 10));
    auto tod = parse_time_of_day(text.substr(11, 8));
    if (!day || !tod) {
        return bad();
    }
    std::size_t pos = 19;
    milliseconds frac{0};
    if (pos < text.size() && text[pos] == '.') {
        auto ms = digits(text, pos + 1, 3);
        if (!ms) {
            return bad();
        }
        frac = milliseconds{*ms};
        pos += 4;
    }
    timestamp ts{local_ms{*day} + *tod + frac, std::nullopt};
    std::string_view rest = text.substr(pos);
    if (rest.empty()) {
        return ts;
    }
    if (rest == "Z") {
        ts.utc_offset = std::chrono::minutes{0};
        return ts;
    }
    if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
        auto h = digits(rest, 1, 2);
        auto m = digits(rest, 4, 2);
        if (!h || !m || *h > 14 || *m > 59) {
            return bad();
        }
        std::chrono::minutes off{*h * 60 + *m};
        ts.utc_offset = rest[0] == '-' ? -off : off;
        return ts;
    }
    return bad();
}

instant to_instant(const timestamp& ts, const date::time_zone& zone) {
    if (ts.utc_offset) {
        return instant{ts.local.time_since_epoch() - *ts.utc_offset};
    }
    return resolve_local(zone, ts.local);
}

instant resolve_local(const date::time_zone& zone, local_ms local) {
    auto info = zone.get_info(date::floor<std::chrono::seconds>(local));
    switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous: // first occurrence: the earlier offset
        return instant{local.time_since_epoch() - info.first.offset};
    case date::local_info::nonexistent:
    default:
        return std::chrono::time_point_cast<milliseconds>(info.second.begin);
    }
}

std::string format_iso(instant t, const date::time_zone& zone) {
    auto info = zone.get_info(t);
    auto local = t + info.offset;
    auto off = std::chrono::duration_cast<std::chrono::minutes>(info.offset).count();
    char sign = off < 0 ? '-' : '+';
    off = off < 0 ? -off : off;
    return date::format("%FT%T", local) + sign + two(off / 60) + ":" + two(off % 60);
}

std::string format_iso_seconds(instant t, const date::time_zone& zone) {
    std::string full = format_iso(t, zone);
    // drop ".mmm" (always present: instant has millisecond precision)
    return full.substr(0, 19) + full.substr(23);
}

const date::time_zone* find_zone(const std::string& name) {
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        return nullptr;
    }
}

std::string seconds_text(milliseconds d) {
    auto ms = d.count();
    std::string out = ms < 0 ? "-" : "";
    ms = ms < 0 ? -ms : ms;
    const auto frac = std::to_string(ms % 1000);
    out += std::to_string(ms / 1000) + "." + std::string(3 - frac.size(), '0') + frac;
    return out;
}

} // namespace onair::core
