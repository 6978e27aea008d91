#pragma once

// The commands' `--db` side: what they read from the shared PostgreSQL database that stations
// ship their as-run to (asrun_sink), instead of this host's store.

#include "core/time.hpp"

#include <optional>
#include <string>

namespace onair::cli {

// `onair asrun --verify --db DSN [--station ID]`: every station's chain, as at home. Exit 0
// when every chain holds, 1 naming each fault, 1 also when the database cannot be read.
int run_verify_db(const std::string& dsn, const std::optional<std::string>& station);

struct national_options {
    std::string dsn;
    std::optional<std::string> station, channel, campaign;
    std::optional<core::local_days> from, to;
    std::string format = "text"; // text | csv | json
};

// `onair report --db DSN ...`: the national campaign report; the text is returned for the
// command to write where -o says. Nullopt (the reason on stderr) when the database fails.
std::optional<std::string> national_report_text(const national_options& o);

} // namespace onair::cli
