#pragma once

// The HTTP API's backend (control::backend) over the daemon's runners: translates routes into
// runner calls and runner state into the API's plain structs. It owns no channel state; it
// reads the runners the daemon hands it, on the loop thread, and sends long work (plans,
// exports) to the worker pool.

#include "control/backend.hpp"
#include "service/channel_runner.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>

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
    // Reloads (on the pool, swapped in on the loop) and calls back on the loop.
    std::function<void(control::completion<control::reload_result>)> reload;
    // Why the station is degraded apart from its channels (the as-run store, ...).
    std::function<std::vector<std::string>()> degraded;
    std::function<void()> refresh_metrics;
    // A new stream of the console's events (control::event_hub).
    std::function<std::unique_ptr<control::asrun_cursor>()> subscribe;
    // The wall clock ("today" of a report) and onair's version (its footer).
    std::function<core::instant()> now;
    std::string version;
    std::chrono::milliseconds stall_after{10'000};
};

class api_backend final : public control::backend {
public:
    api_backend(station_view view, boost::asio::io_context& io, boost::asio::thread_pool& pool);

    std::vector<control::channel_info> channels() override;
    control::health_info health() override;
    void plan_json(const std::string& channel, core::local_days day,
                   control::completion<control::outcome<std::string>> done) override;
    control::outcome<std::unique_ptr<control::asrun_cursor>>
    asrun(const control::asrun_query& q) override;
    void reload(control::completion<control::outcome<control::reload_result>> done) override;
    control::outcome<control::insert_result> insert(const std::string& channel,
                                                    const std::string& media) override;
    control::outcome<control::skip_result> skip(const std::string& channel) override;
    control::outcome<std::vector<control::media_info>> media(const std::string& channel) override;
    void verify(control::completion<control::outcome<std::string>> done) override;
    void report(const control::report_query& q,
                control::completion<control::outcome<control::report_answer>> done) override;
    control::outcome<std::shared_ptr<const std::string>>
    preview(const std::string& channel) override;
    void refresh_metrics() override;
    control::outcome<std::unique_ptr<control::asrun_cursor>> events() override;

private:
    channel_runner* find(const std::string& id);

    // Planners for API requests, one per channel and plan version, used on the pool only (a
    // planner remembers the days it has planned, so it is not shared with the runner's).
    class plan_cache {
    public:
        std::string day_json(const schedule::channel& ch,
                             const std::shared_ptr<planner::planner>& plan, core::local_days day);

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
    boost::asio::io_context& io_;
    boost::asio::thread_pool& pool_;
    // Plans being computed for the API: bounded, so a flood of requests is refused at once
    // (503) instead of queueing work without end.
    std::shared_ptr<std::atomic<int>> plans_running_ = std::make_shared<std::atomic<int>>(0);
    std::shared_ptr<plan_cache> plans_ = std::make_shared<plan_cache>();
    // Reports being made (each plans its period and reads the as-run; a PDF starts a browser):
    // at most two at once, the rest refused with 503.
    std::shared_ptr<std::atomic<int>> reports_running_ = std::make_shared<std::atomic<int>>(0);
};

} // namespace onair::service
