#pragma once

// A time zone's offset remembered across calls: exports and reports convert millions of
// instants that mostly fall in one stretch between two transitions, and asking the tz database
// every time (a lookup behind a lock) dominated their cost.

#include "core/time.hpp"

#include <string>

namespace onair::asrun {

class zone_cache {
public:
    explicit zone_cache(const date::time_zone& zone) : zone_(&zone) {}

    // UTC offset in force at `t`.
    std::chrono::seconds offset(core::instant t);
    // The local calendar day `t` falls on.
    core::local_days day_of(core::instant t);
    // The same bytes as core::format_iso(t, zone): "2026-12-01T06:58:00.000+07:00".
    std::string iso(core::instant t);

    const date::time_zone& zone() const { return *zone_; }

private:
    const date::time_zone* zone_;
    date::sys_seconds begin_{};
    date::sys_seconds end_{};
    std::chrono::seconds offset_{0};
    bool valid_ = false;
};

} // namespace onair::asrun
