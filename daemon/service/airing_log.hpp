#pragma once

// Where a runner writes its airings. The daemon plugs in the as-run writer (its own thread, a
// spill journal when SQLite is away: asrun/writer.hpp); the runner's unit tests plug in a list
// they read back. Every call returns at once: a runner never waits for a disk.

#include "asrun/airing.hpp"
#include "core/time.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace onair::service {

class airing_log {
public:
    using ticket = std::uint64_t; // names an airing on air until it is closed

    virtual ~airing_log() = default;
    // An item went to air: `row` has actual_start, no end or status.
    virtual ticket open(const asrun::airing& row) = 0;
    // It left the air.
    virtual void close(ticket t, core::instant actual_end, asrun::airing_status status,
                       std::optional<std::string> detail) = 0;
    // An item that never went to air (failed before its start, skipped), with its status.
    virtual void record(const asrun::airing& row) = 0;
};

} // namespace onair::service
