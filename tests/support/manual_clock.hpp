#pragma once

// A clock that stands still until a test moves it: wall and steady time move together, unless a
// test steps the wall clock alone (NTP stepping it).

#include "service/clock.hpp"

namespace onair::testing {

class manual_clock final : public service::clock {
public:
    explicit manual_clock(core::instant wall) : wall_(wall) {}
    core::instant now() const override { return wall_; }
    std::chrono::steady_clock::time_point steady() const override { return steady_; }

    void advance(std::chrono::milliseconds d) {
        wall_ += d;
        steady_ += d;
    }
    void step_wall(std::chrono::milliseconds d) { wall_ += d; }

private:
    core::instant wall_;
    std::chrono::steady_clock::time_point steady_{std::chrono::hours(1000)};
};

} // namespace onair::testing
