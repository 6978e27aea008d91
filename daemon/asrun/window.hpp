#pragma once

// The bounds of an export window as `onair asrun --from/--to` take them.

#include "core/result.hpp"
#include "core/time.hpp"

#include <string_view>

namespace onair::asrun {

// A timestamp ("2026-12-01T06:00:00", local in `zone`, or with an offset: "...+07:00", "...Z")
// or a date ("2026-12-01": that local day's midnight in `zone`).
core::result<core::instant> parse_bound(std::string_view text, const date::time_zone& zone);

} // namespace onair::asrun
