#pragma once

// `onair run`: one io_context thread airs every channel of the config (or the ones named) until
// SIGTERM or SIGINT; SIGHUP reloads. See docs/service.md and docs/design.md.

#include "core/log.hpp"
#include "service/clock.hpp"
#include "service/station.hpp"

namespace onair::service {

// Runs until a stop signal. Returns the exit status: 0 after a clean stop, 1 when the config
// cannot be loaded or another daemon holds the state dir, 2 for an unknown channel id.
int run(const run_options& options, const clock& wall, core::logger& log);

} // namespace onair::service
