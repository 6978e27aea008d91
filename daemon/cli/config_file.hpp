#pragma once

// Where a command finds its config when `--config` is not given: $ONAIR_CONFIG (when set and
// not empty, used as given), then /etc/onair/onair.yaml, then ./config/onair.yaml (the source
// tree's example), each only if it exists. One place, read by every command that takes a config.

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace onair::cli {

inline constexpr const char* config_env = "ONAIR_CONFIG";
inline constexpr const char* installed_config = "/etc/onair/onair.yaml";
inline constexpr const char* source_tree_config = "config/onair.yaml";

struct config_lookup {
    std::optional<std::string> found;
    std::vector<std::string> looked; // the places tried, in order (for the usage error)
};

// `env` is $ONAIR_CONFIG (null when unset); `exists` tells whether a path names a file.
config_lookup find_config(const char* env, const std::function<bool(const std::string&)>& exists);

// Adds `--config FILE` (optional) to a subcommand.
CLI::Option* add_config_option(CLI::App* sub, std::string& config,
                               const std::string& help = "The config file");

// After parsing: gives a subcommand that has `--config` but was not given one the default.
// False (with a usage message on stderr) when none of the places holds a config.
bool default_config(CLI::App& sub);

} // namespace onair::cli
