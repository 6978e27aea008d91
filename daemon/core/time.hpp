#pragma once

#include "core/result.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace onair::core {

using std::chrono::milliseconds;

// Instants are UTC in milliseconds; local time exists only at the edges (parsing, printing).
using instant = date::sys_time<milliseconds>;
using local_ms = date::local_time<milliseconds>;
using local_days = date::local_days;

constexpr milliseconds one_day{24 * 60 * 60 * 1000};

// "500ms", "30s", "45m", "1h", "1h30m", "1h30m15s500ms": integer amounts, units in falling
// order, each at most once. Zero is accepted here; callers decide whether it is in range.
result<milliseconds> parse_duration(std::string_view text);
// The shortest form parse_duration reads back to the same value ("1h30m", "500ms", "0s").
std::string format_duration(milliseconds d);

// "HH:MM" or "HH:MM:SS", 00:00 to 23:59:59; with allow_end also exactly "24:00".
result<milliseconds> parse_time_of_day(std::string_view text, bool allow_end = false);
// "HH:MM" when whole minutes, else "HH:MM:SS".
std::string format_time_of_day(milliseconds since_midnight);

// A daily window "HH:MM-HH:MM": start included, end excluded; an end at or before the start
// crosses midnight. Times are offsets from local midnight.
struct day_window {
    milliseconds start{0};
    milliseconds end{one_day};

    bool crosses_midnight() const { return end <= start; }
    bool contains(milliseconds time_of_day) const;
    bool operator==(const day_window&) const = default;
};
result<day_window> parse_window(std::string_view text);
std::string format_window(const day_window& w);

// "YYYY-MM-DD", a real calendar date.
result<local_days> parse_date(std::string_view text);
std::string format_date(local_days d);

// "mon".."sun" -> 0 (mon) .. 6 (sun).
result<unsigned> parse_weekday(std::string_view text);
// ISO weekday index of a local day, 0 = monday.
unsigned weekday_index(local_days d);

// An ISO 8601 timestamp as the command line takes it: local "2026-12-01T06:00:00" (optional
// ".mmm"), or with an offset "+07:00" / "Z".
struct timestamp {
    local_ms local;
    std::optional<std::chrono::minutes> utc_offset;
};
result<timestamp> parse_timestamp(std::string_view text);
// Resolves a command-line timestamp in a zone (local ones by the rules of resolve_local).
instant to_instant(const timestamp& ts, const date::time_zone& zone);

// Local wall time to an instant: a time inside a spring-forward gap maps to the first instant
// after the gap; a time that occurs twice maps to its first occurrence.
instant resolve_local(const date::time_zone& zone, local_ms local);

// "2026-12-01T06:58:00.000+07:00"
std::string format_iso(instant t, const date::time_zone& zone);
// "2026-12-01T06:58:00+07:00" (whole seconds, for window bounds).
std::string format_iso_seconds(instant t, const date::time_zone& zone);

// Looks up an IANA zone; nullptr when the name is unknown.
const date::time_zone* find_zone(const std::string& name);

} // namespace onair::core
