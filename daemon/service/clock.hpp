#pragma once

// The wall clock, as a parameter: the runner asks it what time it is, and tests pass one they
// move by hand.

#include "core/time.hpp"

#include <chrono>

namespace onair::service {

class clock {
public:
    virtual ~clock() = default;
    // Now, UTC, in milliseconds.
    virtual core::instant now() const = 0;
};

class system_clock final : public clock {
public:
    core::instant now() const override {
        return std::chrono::time_point_cast<core::milliseconds>(std::chrono::system_clock::now());
    }
};

// A clock that stands still until moved (tests).
class manual_clock final : public clock {
public:
    explicit manual_clock(core::instant t) : now_(t) {}
    core::instant now() const override { return now_; }
    void set(core::instant t) { now_ = t; }
    void advance(core::milliseconds d) { now_ += d; }

private:
    core::instant now_;
};

} // namespace onair::service
