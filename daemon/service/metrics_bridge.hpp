#pragma once

// Turns what the runners report (running totals in channel_state) into the Prometheus metrics:
// counters get the difference since the last look, gauges the value now. Owns only the
// "seen so far" bookkeeping; the registry belongs to the daemon.

#include "control/metrics.hpp"
#include "service/channel_runner.hpp"

#include <chrono>
#include <map>
#include <string>

namespace onair::service {

class metrics_bridge {
public:
    explicit metrics_bridge(control::metrics::station_metrics& m) : metrics_(m) {}

    // Brings the metrics of one runner up to date.
    void update(channel_runner& r, core::instant now, std::chrono::milliseconds stall_after);
    // A runner that goes (reload restarts or removes it): its counts are taken in first, and
    // the next runner of that id counts from zero.
    void retire(channel_runner& r, core::instant now, std::chrono::milliseconds stall_after);

private:
    struct seen_counts {
        std::uint64_t aired = 0, truncated = 0, failed = 0, skipped = 0, interrupted = 0;
        std::uint64_t restarts = 0, internal_errors = 0;
        core::milliseconds filler{0};
        std::map<std::string, int> reconnects;
    };
    control::metrics::station_metrics& metrics_;
    std::map<std::string, seen_counts> seen_;
};

} // namespace onair::service
