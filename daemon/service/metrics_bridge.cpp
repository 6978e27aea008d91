#include "service/metrics_bridge.hpp"

namespace onair::service {

void metrics_bridge::update(channel_runner& r, core::instant now,
                            std::chrono::milliseconds stall_after) {
    const auto st = r.state();
    const std::string& id = r.channel().id;
    metrics_.set_on_air(id, r.airing(stall_after));
    auto& seen = seen_[id];
    auto count = [&](const char* status, std::uint64_t total, std::uint64_t& last) {
        for (; last < total; ++last) {
            metrics_.count_airing(id, status);
        }
    };
    count("aired", st.aired, seen.aired);
    count("truncated", st.truncated, seen.truncated);
    count("failed", st.failed, seen.failed);
    count("skipped", st.skipped, seen.skipped);
    count("interrupted", st.interrupted, seen.interrupted);
    for (const auto e : r.take_start_errors()) {
        metrics_.observe_start_error(id, std::chrono::duration_cast<std::chrono::microseconds>(e));
    }
    if (st.filler > seen.filler) {
        metrics_.add_filler(id, st.filler - seen.filler);
        seen.filler = st.filler;
    }
    if (st.plan_horizon) {
        metrics_.set_plan_horizon(id, *st.plan_horizon - now);
    }
    for (; seen.restarts < st.restarts; ++seen.restarts) {
        metrics_.count_pipeline_restart(id);
    }
    for (; seen.internal_errors < st.internal_errors; ++seen.internal_errors) {
        metrics_.count_internal_error("runner");
    }
    metrics_.set_channel_up(id, st.on_air);
    metrics_.set_channel_restart_backoff(id,
                                         st.retry_backoff.value_or(std::chrono::milliseconds{0}));
    for (const auto& o : st.outputs) {
        metrics_.set_output_up(id, o.name, o.state == "up");
        auto& last = seen.reconnects[o.name];
        for (; last < o.reconnects; ++last) {
            metrics_.count_output_reconnect(id, o.name);
        }
    }
}

void metrics_bridge::retire(channel_runner& r, core::instant now,
                            std::chrono::milliseconds stall_after) {
    update(r, now, stall_after);
    seen_.erase(r.channel().id);
}

} // namespace onair::service
