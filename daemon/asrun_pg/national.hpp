#pragma once

// What is read back from the shared database: every station's chain verified as at home, and
// the national campaign report (per station, channel, campaign and local day).

#include "asrun/verify.hpp"
#include "asrun_pg/connection.hpp"
#include "core/time.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace onair::asrun_pg {

// One store's copy in the database, and what walking its chain found.
struct source_check {
    std::string station;
    std::string source; // the chain value of the store's first row
    asrun::verify_result result;
};

// Walks the chain of every (station, source) in the database (of one station, with `station`),
// in seq order, with asrun::chain_walk: a row altered in the database, removed from it, or
// copied from another store is a fault, named by its local id, channel and scheduled start.
std::vector<source_check> verify_database(connection& c, const std::optional<std::string>& station,
                                          std::size_t max_faults = 20);

struct national_filter {
    std::optional<std::string> station;
    std::optional<std::string> channel;
    std::optional<std::string> campaign;
    std::optional<core::local_days> from; // local days of each row's own zone, inclusive
    std::optional<core::local_days> to;
};

// One cell of the national report: a campaign's spots on one station's channel on one local
// day. `planned` counts the slots the station logged (every spot it reached, whatever became of
// it); a make-good counts as made_good in the cell of the airing it stands in for.
struct national_row {
    std::string station;
    std::string channel;
    std::string campaign;
    std::string day; // YYYY-MM-DD, local to the channel
    std::int64_t planned = 0, aired = 0, made_good = 0, truncated = 0, failed = 0, skipped = 0,
                 interrupted = 0;
    std::int64_t airtime_ms = 0; // aired and truncated spots and make-goods
    bool operator==(const national_row&) const = default;
};

// Ordered by campaign, station, channel and day.
std::vector<national_row> national_report(connection& c, const national_filter& f);

// The same as text (a table, then a total per campaign and station), CSV (one line per row)
// and JSON ({"rows": [...], "totals": [...]}).
std::string national_text(const std::vector<national_row>& rows);
std::string national_csv(const std::vector<national_row>& rows);
nlohmann::json national_json(const std::vector<national_row>& rows);

} // namespace onair::asrun_pg
