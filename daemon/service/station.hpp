#pragma once

// Loading a station for the daemon: the config and schedules read and checked, media lengths
// and facts found through the probe cache, a planner per channel. Used at start-up, on reload
// and by background probing, always off the loop thread except at start-up (cache only there).

#include "asrun/store.hpp"
#include "core/diagnostics.hpp"
#include "core/log.hpp"
#include "planner/planner.hpp"
#include "schedule/load.hpp"
#include "service/channel_runner.hpp"

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace onair::service {

struct run_options {
    std::filesystem::path config;
    std::vector<std::string> channels; // empty: all
    std::string version;               // onair's, for what the daemon writes (reports)
    // `onair run --state-dir` and `--listen`: what the config's state_dir and control.listen
    // say, overridden for this daemon (one unit per channel shares one config file).
    std::optional<std::filesystem::path> state_dir;
    std::optional<std::string> listen; // HOST:PORT
};

// A load that failed, with every diagnostic.
struct load_error : std::runtime_error {
    core::diagnostics diags;
    load_error(const std::string& text, core::diagnostics d)
        : std::runtime_error(text), diags(std::move(d)) {}
};

// Everything a channel needs to air, built aside before it is swapped in.
struct channel_setup {
    schedule::channel channel;
    std::shared_ptr<planner::planner> plan;   // null: the schedule is broken, filler only
    std::map<std::string, media_facts> facts; // by file
    std::size_t unprobed = 0; // media files the probe cache did not know (cache-only load)
};

struct station_setup {
    schedule::config cfg;
    std::vector<channel_setup> channels; // those to air, in config order
    // What it was built from, to build it again with more media facts (background probing)
    // without reading the files again.
    std::shared_ptr<const schedule::station> source;
    core::diagnostics diags;
    std::size_t unprobed() const;
};

enum class probing {
    cache_only, // start-up: what the cache does not know is probed later, in the background
    decode,     // reload, background probing: every file the cache does not know is decoded
};

// Puts the overrides of `o` into a loaded config. Throws load_error when --listen is not
// HOST:PORT, or leaves loopback without a token file (the rule of control.listen).
void apply_overrides(schedule::config& cfg, const run_options& o);

// Reads the config and schedules and builds each channel's planner. Throws load_error with
// every diagnostic when the config itself is broken (or, when `strict`, anything is: a reload
// keeps the old schedule on air then); std::invalid_argument for a --channel the config does not
// have. Without `strict`, a channel whose schedule is broken airs filler (logged).
station_setup load_station(const run_options& o, core::logger& log, bool strict, probing p);
// The same station built again from what `s` was read from, probing as `p` says.
station_setup rebuild_station(const station_setup& s, const run_options& o, core::logger& log,
                              probing p);

// How far back the as-run is read for spots owed a make-good: the longest make_good window.
constexpr core::milliseconds make_good_lookback = std::chrono::hours(24 * 7);

// The spots of `channel` that did not air (failed, skipped, interrupted before half their
// length) with a scheduled start in [from, to): the planner's make-good input.
std::vector<planner::missed_spot> missed_spots(const asrun::store& s, const std::string& channel,
                                               core::instant from, core::instant to);

// Gives each channel whose campaigns make good the spots it missed in the last week (from the
// as-run file, when there is one), so that its plan places their make-goods. A log that cannot
// be read is logged and planned without.
void attach_missed(station_setup& s, const std::filesystem::path& asrun_file, core::instant now,
                   core::logger& log);

// Asks each channel's new plan for the window its runner will ask for first (`ahead` from
// `now`), so the planner holds those days, and the rotation carried into them, before the loop
// asks. For the pool: a campaign that started years ago costs seconds at a plan's first
// question, which the loop (every channel's cues) cannot wait for.
void warm_plans(const station_setup& s, core::instant now, core::milliseconds ahead);

// Decodes every media file of the station the probe cache does not know yet, one at a time,
// saving the cache as it fills. Returns how many were decoded. For a background thread; it
// stops early once `cancel` is set (the daemon is stopping).
std::size_t probe_station_media(const station_setup& s, core::logger& log,
                                const std::atomic<bool>& cancel);

// Diagnostics as `FILE:LINE:COL: LEVEL: MESSAGE` lines.
std::string diagnostics_text(const core::diagnostics& diags);

// A reload must rebuild the channel's pipeline (not only swap its plan).
inline bool same_air(const schedule::channel& a, const schedule::channel& b) {
    return schedule::air_fields(a) == schedule::air_fields(b);
}

} // namespace onair::service
