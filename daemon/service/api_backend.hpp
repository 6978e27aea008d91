#pragma once

// The HTTP API's backend (control::backend) over the daemon's runners: translates routes into
// runner calls and runner state into the API's plain structs. It owns no channel state; it
// reads the runners the daemon hands it, on the loop thread, and sends long work (plans,
// exports) to the worker pool.

#include "control/backend.hpp"
#include "service/channel_runner.hpp"

#include <boost/asio/thread_pool.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace onair::service {

// What the backend may ask of the daemon.
struct station_view {
    std::function<std::vector<channel_runner*>()> runners;
    std::function<const schedule::config&()> config;
    std::function<std::filesystem::path()> asrun_file;
    std::function<control::reload_result()> reload;
    std::function<void()> refresh_metrics;
    std::chrono::milliseconds stall_after{10'000};
};

class api_backend final : public control::backend {
public:
    api_backend(station_view view, boost::asio::thread_pool& pool, const clock& wall);

    std::vector<control::channel_info> channels() override;
    control::outcome<std::string> plan_json(const std::string& channel,
                                            core::local_days day) override;
    control::outcome<std::unique_ptr<control::asrun_cursor>>
    asrun(const control::asrun_query& q) override;
    control::reload_result reload() override;
    control::outcome<control::insert_result> insert(const std::string& channel,
                                                    const std::string& media) override;
    control::outcome<control::skip_result> skip(const std::string& channel) override;
    void refresh_metrics() override;

private:
    channel_runner* find(const std::string& id);

    // Planners for API requests, one per channel and plan version, used on the pool only (a
    // planner remembers the days it has planned, so it is not shared with the runner's).
    class plan_cache {
    public:
        std::string day_json(const channel_runner& r, core::local_days day);

    private:
        struct entry {
            std::shared_ptr<planner::planner> source;
            std::unique_ptr<planner::planner> copy;
            std::unique_ptr<std::mutex> busy = std::make_unique<std::mutex>();
        };
        std::mutex mutex_;
        std::map<std::string, entry> by_channel_;
    };

    station_view view_;
    boost::asio::thread_pool& pool_;
    const clock& wall_;
    plan_cache plans_;
};

} // namespace onair::service
