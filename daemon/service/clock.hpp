#pragma once

// The clocks, as a parameter: the runner asks the wall clock what time it is (to find its place
// in the plan) and the steady clock how long things take (stall and hung-clip timers, retry
// backoff). Tests pass a manual clock that moves both by hand (tests/support/manual_clock.hpp).

#include "core/time.hpp"

#include <chrono>

namespace onair::service {

class clock {
public:
    virtual ~clock() = default;
    // Now, UTC, in milliseconds: may be stepped or slewed by NTP.
    virtual core::instant now() const = 0;
    // Monotonic time: never steps.
    virtual std::chrono::steady_clock::time_point steady() const = 0;
};

class system_clock final : public clock {
public:
    core::instant now() const override {
        return std::chrono::time_point_cast<core::milliseconds>(std::chrono::system_clock::now());
    }
    std::chrono::steady_clock::time_point steady() const override {
        return std::chrono::steady_clock::now();
    }
};

} // namespace onair::service
