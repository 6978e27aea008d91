#pragma once

#include "core/diagnostics.hpp"
#include "planner/planner.hpp"
#include "schedule/load.hpp"

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace onair::cli {

// Diagnostics, sorted, one per line as FILE:LINE:COL: error: MESSAGE.
void print_diagnostics(std::ostream& out, const core::diagnostics& diags);
nlohmann::ordered_json diagnostics_json(const core::diagnostics& diags);

// The planner's input for one channel of a loaded station.
planner::channel_input channel_input_for(const schedule::station& st, std::size_t channel,
                                         planner::durations media_durations);

// The probe cache of a station: STATE_DIR/probe-cache.json.
std::filesystem::path probe_cache_path(const schedule::config& cfg);

// What the one-channel commands (plan, render) start from: the station, the channel and the
// planner's input with its media durations.
struct channel_setup {
    schedule::station st;
    std::size_t index = 0;
    planner::channel_input input;

    const schedule::channel& channel() const { return st.cfg.channels[index]; }
};

// Loads the station for one channel. The config must be free of errors, and so must this
// channel's schedule; errors in other channels' schedules only add a note. Probes the media
// whose length is not declared (through the cache). On failure prints why on stderr, prefixed
// with `command`, and sets `exit_code` (1 for bad input, 2 for an unknown channel).
std::optional<channel_setup> load_channel(const std::string& command, const std::string& config,
                                          const std::string& channel_id, int& exit_code);

} // namespace onair::cli
