#pragma once

#include "core/diagnostics.hpp"
#include "planner/planner.hpp"
#include "schedule/load.hpp"

#include <iosfwd>
#include <nlohmann/json.hpp>

namespace onair::cli {

// Diagnostics, sorted, one per line as FILE:LINE:COL: error: MESSAGE.
void print_diagnostics(std::ostream& out, const core::diagnostics& diags);
nlohmann::ordered_json diagnostics_json(const core::diagnostics& diags);

// The planner's input for one channel of a loaded station.
planner::channel_input channel_input_for(const schedule::station& st, std::size_t channel,
                                         planner::durations media_durations);

// The probe cache of a station: STATE_DIR/probe-cache.json.
std::filesystem::path probe_cache_path(const schedule::config& cfg);

} // namespace onair::cli
