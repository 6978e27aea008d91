#pragma once

// The daemon's engine_teardown: each retired engine is finished and stopped on a thread of its
// own, so a pipeline slow to drain holds neither the loop nor another channel's teardown.

#include "core/log.hpp"
#include "service/engine.hpp"

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace onair::service {

class threaded_teardown final : public engine_teardown {
public:
    explicit threaded_teardown(core::logger& log);
    // Waits for every retirement under way.
    ~threaded_teardown() override;
    threaded_teardown(const threaded_teardown&) = delete;
    threaded_teardown& operator=(const threaded_teardown&) = delete;

    void retire(const std::string& channel, std::unique_ptr<engine> e, bool finish) override;
    bool busy(const std::string& channel) const override;
    // Blocks until every retirement under way is done (the daemon's stop: files finalised).
    void wait();

private:
    struct job {
        std::string channel;
        std::shared_ptr<std::atomic<bool>> done;
        std::thread thread;
    };
    void reap(bool all);

    core::logger& log_;
    mutable std::mutex mutex_;
    std::list<job> jobs_;
};

} // namespace onair::service
