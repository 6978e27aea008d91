#pragma once

// `onair run`: one io_context thread airs every channel of the config (or the ones named) until
// SIGTERM or SIGINT; SIGHUP reloads. See docs/service.md.

#include "service/clock.hpp"
#include "core/log.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace onair::service {

struct run_options {
    std::filesystem::path config;
    std::vector<std::string> channels; // empty: all
};

// Runs until a stop signal. Returns the exit status: 0 after a clean stop, 1 when the config
// cannot be loaded or no channel could go on air, 2 for an unknown channel id.
int run(const run_options& options, const clock& wall, core::logger& log);

} // namespace onair::service
