#pragma once

// One row of the as-run log: what was scheduled, and what really left the pipeline.

#include "core/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onair::asrun {

// make_good: a spot placed again for one of its campaign's airings that did not air
// (make_good_of is that airing's scheduled start).
enum class airing_kind { spot, programme, insert, make_good };

enum class airing_status {
    aired,       // whole
    truncated,   // cut short; detail says why
    failed,      // could not play; detail says why
    skipped,     // operator skip, or not reached (a spot is never joined mid-way)
    interrupted, // the daemon stopped mid-item; set at the next start
};

const char* to_string(airing_kind k);
const char* to_string(airing_status s);
std::optional<airing_kind> parse_kind(std::string_view text);
std::optional<airing_status> parse_status(std::string_view text);

struct airing {
    std::int64_t id = 0; // assigned by the store; ignored when writing
    std::string channel;
    airing_kind kind = airing_kind::spot;
    std::string media;                   // media id in the schedule
    std::optional<std::string> campaign; // spots only
    std::optional<std::string> break_id; // spots in a break only
    std::string title;
    std::string file;
    core::instant scheduled_start{};
    core::instant scheduled_end{};
    std::optional<core::instant> actual_start; // first frame (radio: sample) toward the outputs
    std::optional<core::instant> actual_end;   // empty while the row is open
    std::optional<airing_status> status;       // empty while the row is open
    std::optional<std::string> detail;
    // The channel's IANA zone when the row was written, so an export prints the offsets the
    // station saw even after the config changes.
    std::string timezone;
    // Hex SHA-256 of the media file as it was probed (the runner passes it in); empty when
    // unknown (the file could not be read).
    std::optional<std::string> media_sha256;
    // make-good rows: the scheduled start of the airing it makes good (same channel)
    std::optional<core::instant> make_good_of;
    // Read back only (the store sets them when the row is completed; ignored when writing): the
    // row's place in the completion order and its chain value (see chain.hpp). Empty while open.
    std::optional<std::int64_t> seq;
    std::optional<std::string> chain;

    bool open() const { return !status.has_value(); }
    bool operator==(const airing&) const = default;
};

} // namespace onair::asrun
