#pragma once

// Internal to onair::schedule: what load_station needs from load_config beyond its public result.

#include "core/diagnostics.hpp"
#include "schedule/model.hpp"

#include <filesystem>
#include <optional>
#include <vector>

namespace onair::schedule::detail {

// The schedule named by a channel that was dropped for other errors. It is not part of the
// config, but load_station still loads it so that its own errors come out in the same run
// instead of after the channel is fixed.
struct unchecked_schedule {
    std::filesystem::path file;
    core::location named_at;
};

std::optional<config> load_config(const std::filesystem::path& file, core::diagnostics& diags,
                                  std::vector<unchecked_schedule>* unchecked);

class reader;
struct field;

// control.peers: a list of control URLs (load_peers.cpp).
void read_peers(reader& r, const field& f, control& out);

} // namespace onair::schedule::detail
