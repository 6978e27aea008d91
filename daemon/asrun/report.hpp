#pragma once

// Planned against aired (`onair report`): counts per channel, local day, kind, campaign and
// media, with totals per channel and campaign and overall. The aggregation is pure: it takes
// what the plan says and what the as-run log says, already reduced to the entries below, and
// knows nothing of the planner, the store or the clock.

#include "asrun/airing.hpp"
#include "asrun/zone_cache.hpp"
#include "core/time.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace onair::asrun {

// One planned item (a spot or a programme) on a channel's local day.
struct planned_entry {
    std::string channel;
    core::local_days day;
    airing_kind kind = airing_kind::spot;
    std::string campaign; // empty for programmes
    std::string media;
};

// One as-run row as the report counts it.
struct aired_entry {
    std::string channel;
    core::local_days day; // local day of the scheduled start, in the channel's zone
    airing_kind kind = airing_kind::spot;
    std::string campaign; // empty when none
    std::string media;
    std::optional<airing_status> status; // empty: on air now
    core::milliseconds airtime{0};       // actual_end - actual_start of aired and truncated rows
};

// An as-run row reduced to what the report counts, its day taken in `zone` (a zone_cache for
// a stream of rows: far cheaper than asking the tz database each time).
aired_entry summarize(const airing& row, zone_cache& zone);
aired_entry summarize(const airing& row, const date::time_zone& zone);

struct report_counts {
    std::int64_t planned = 0;
    std::int64_t aired = 0;
    std::int64_t truncated = 0;
    std::int64_t failed = 0;
    std::int64_t skipped = 0;
    std::int64_t interrupted = 0;
    std::int64_t on_air = 0; // rows still open (on air while the report ran)
    core::milliseconds airtime{0};
    // Campaign reports: make-goods that aired for airings of this cell that did not (counted in
    // the missed airing's cell, and as delivered). Always 0 in `onair report`'s tables, where
    // make-goods are rows of kind make-good.
    std::int64_t made_good = 0;

    void add(const report_counts& o);
    // `n` rows of one status (empty: on air), `airtime` their summed airtime (counted for aired
    // and truncated rows only).
    void add_status(std::optional<airing_status> status, std::int64_t n,
                    core::milliseconds airtime);
    // (aired + made_good) / planned * 100: whole airings against the plan. Empty when nothing was
    // planned (inserts, or a row the plan no longer has). Can exceed 100 (an item aired twice).
    std::optional<double> delivery_pct() const;
    bool operator==(const report_counts&) const = default;
};

enum class report_row_type {
    item,           // one channel, day, kind, campaign and media
    campaign_total, // one channel and campaign over every day and media
    total,          // everything
};
const char* to_string(report_row_type t);

struct report_row {
    report_row_type type = report_row_type::item;
    std::string channel;                 // empty in the total
    std::optional<core::local_days> day; // items only
    std::optional<airing_kind> kind;     // items only
    std::string campaign;                // empty: programmes, inserts, spots without one
    std::string media;                   // items only
    report_counts counts;
    bool operator==(const report_row&) const = default;
};

// Streams entries in any order and sums them.
class report_builder {
public:
    report_builder();
    ~report_builder();
    report_builder(report_builder&&) noexcept;
    report_builder& operator=(report_builder&&) noexcept;

    // `count` entries alike (a day's plan counted first, or a row of the as-run summary: its
    // airtime is then the sum of theirs).
    void add(const planned_entry& e, std::int64_t count = 1);
    void add(const aired_entry& e, std::int64_t count = 1);

    // Per channel (by id): its item rows by day, kind (spot, programme, insert), campaign and
    // media, then its campaign totals by campaign (the campaign-less group first); the total
    // last. Campaign totals sum their items, and the total sums every item: exactly.
    std::vector<report_row> rows() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// The same in one call.
std::vector<report_row> build_report(const std::vector<planned_entry>& planned,
                                     const std::vector<aired_entry>& aired);

// The window a channel was reported over, for the output's header.
struct report_window {
    std::string channel;
    std::string timezone;
    core::local_days from;
    core::local_days to; // inclusive
};

// `v` with `decimals` places, as every report prints numbers ("50.0", "30.000").
std::string decimal(double v, int decimals);

// The three formats of `onair report` (docs/asrun.md). CSV and text end every line in "\n".
extern const char* const report_csv_header;
std::string report_csv(const std::vector<report_row>& rows);
std::string report_text(const std::vector<report_window>& windows,
                        const std::vector<report_row>& rows);
nlohmann::ordered_json report_json(const std::vector<report_window>& windows,
                                   const std::vector<report_row>& rows);

} // namespace onair::asrun
