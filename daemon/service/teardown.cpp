#include "service/teardown.hpp"

#include <chrono>
#include <exception>
#include <utility>

namespace onair::service {

// Long enough for an encoder to drain and a file to be finalised; a receiver that never
// answers is not waited for longer.
constexpr auto finish_wait = std::chrono::seconds(5);

void finish_and_stop(engine& e, bool finish, const std::string& channel, core::logger& log) {
    try {
        if (finish && !e.finish_outputs(finish_wait)) {
            log.warning("the outputs did not finish in time", "channel", channel);
        }
        e.stop();
    } catch (const std::exception& x) {
        log.warning("the pipeline did not stop cleanly", "channel", channel, "reason", x.what());
    }
}

threaded_teardown::threaded_teardown(core::logger& log) : log_(log) {}

threaded_teardown::~threaded_teardown() {
    wait();
}

void threaded_teardown::retire(const std::string& channel, std::unique_ptr<engine> e, bool finish) {
    reap(false);
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::thread t([this, channel, finish, done, e = std::move(e)]() mutable {
        finish_and_stop(*e, finish, channel, log_);
        e.reset();
        done->store(true);
    });
    std::lock_guard lock(mutex_);
    jobs_.push_back(job{channel, std::move(done), std::move(t)});
}

bool threaded_teardown::busy(const std::string& channel) const {
    std::lock_guard lock(mutex_);
    for (const auto& j : jobs_) {
        if (j.channel == channel && !j.done->load()) {
            return true;
        }
    }
    return false;
}

void threaded_teardown::wait() {
    reap(true);
}

// Joins the finished threads (every thread when `all`); never holds the lock while joining.
void threaded_teardown::reap(bool all) {
    std::list<job> finished;
    {
        std::lock_guard lock(mutex_);
        for (auto it = jobs_.begin(); it != jobs_.end();) {
            if (all || it->done->load()) {
                auto next = std::next(it);
                finished.splice(finished.end(), jobs_, it);
                it = next;
            } else {
                ++it;
            }
        }
    }
    for (auto& j : finished) {
        j.thread.join();
    }
}

} // namespace onair::service
