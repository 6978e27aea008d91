#pragma once

#include "core/diagnostics.hpp"
#include "schedule/model.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

namespace onair::schedule {

// Bounds on every input (docs/schedule.md, "Limits"). What goes beyond one is refused with a
// diagnostic before it can cost the daemon time, memory or stack.
namespace limits {
// A config or schedule file; checked before the file is read.
inline constexpr std::uintmax_t yaml_file_bytes = 4 * 1024 * 1024;
// Lists and maps inside each other (the top-level map is level 1). Ours need 4.
inline constexpr int yaml_depth = 64;
// Keys, values and list items in one file, an alias counting as everything it repeats.
inline constexpr std::size_t yaml_nodes = 100'000;
// Break times and programme starts a schedule can give on one day (counted without planning).
inline constexpr std::size_t items_per_day = 5'000;
// The shortest `every` and `length` of a break.
inline constexpr milliseconds shortest_break{1000};
} // namespace limits

// Loads the config file. Problems go to `diags`; the result is empty only when the file could
// not be read as YAML at all (a config with errors in it still comes back, for further checks).
std::optional<config> load_config(const std::filesystem::path& file, core::diagnostics& diags);

// Loads a schedule file. `named_at` is the config value that names it, where an unreadable file
// is reported.
std::optional<schedule> load_schedule(const std::filesystem::path& file,
                                      const core::location& named_at, core::diagnostics& diags);

// How many times a break falls on a day with ISO weekday index `weekday` (0 = monday), as the
// planner lays them out before programmes, exceptions and clock changes drop any: what
// limits::items_per_day counts.
std::size_t break_times_on(const break_rule& b, unsigned weekday);

// A config with the schedule of each of its channels (index-aligned with config.channels; two
// channels naming the same file share one schedule).
struct station {
    config cfg;
    std::vector<std::shared_ptr<const schedule>> schedules;
    // Index-aligned with config.channels: the channel's schedule could not be read or has
    // errors. Such a channel must not air its schedule (it airs filler until the file is fixed).
    std::vector<bool> broken_schedule;

    const schedule* schedule_of(const std::string& channel_id) const;
};

// The whole set of inputs, loaded and cross-checked. Empty when the config itself is unreadable.
// When `diags.has_errors()` the station must not go on air.
std::optional<station> load_station(const std::filesystem::path& config_file,
                                    core::diagnostics& diags);

// What loading one schedule file said, kept apart from the config's own problems.
struct schedule_report {
    std::filesystem::path file;
    core::location named_at;           // the first channel's `schedule:` value that names it
    std::vector<std::string> channels; // ids of the channels that air it; none when only
                                       // channels dropped for their own errors name it
    core::diagnostics diags;           // also "cannot open", reported at `named_at`
};

// The same, with each schedule file's diagnostics in `schedules` (one report per file, in the
// order the config names them) and only the config's own in `diags`: the caller decides what
// a broken schedule means (`onair check --config-only`: one channel airs filler, the station
// starts).
std::optional<station> load_station(const std::filesystem::path& config_file,
                                    core::diagnostics& diags,
                                    std::vector<schedule_report>& schedules);

// How a path appears in messages: relative paths stay relative to the working directory.
std::string display_path(const std::filesystem::path& p);

} // namespace onair::schedule
