#pragma once

// `onair asrun --compare OTHER`: this station's as-run against another one, read from a file
// (an asrun.sqlite, or the state dir that holds it) or from a daemon's API (http://HOST:PORT).

#include "asrun/store.hpp"
#include "schedule/model.hpp"

#include <string>

namespace onair::cli {

struct compare_request {
    asrun::filter window;          // --channel, --from, --to
    const date::time_zone* zone{}; // the one the window was read in, to print it
    std::string other;             // OTHER as given
    std::string format;            // "" (text), text, csv or json
};

// Prints the differences and returns the exit status: 0 when the logs agree, 1 when they differ
// or one cannot be read (the reason on stderr), 2 when OTHER or the format is not understood.
int run_compare(const schedule::config& cfg, const compare_request& request);

} // namespace onair::cli
