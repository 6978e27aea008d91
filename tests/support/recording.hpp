#pragma once

// What a recording shows, for the tests that compile the playout fixture
// (tests/integration/render_fixture.cpp, which decodes a file): runs of equal colours.

#include "render_fixture.hpp"

#include <string>
#include <utility>
#include <vector>

namespace onair::test_support {

// Runs of equal colours in the order they aired: (colour, frames).
inline std::vector<std::pair<std::string, int>> runs(const playout::testing::decoded& d) {
    std::vector<std::pair<std::string, int>> r;
    for (const auto& f : d.frames) {
        const auto c = playout::testing::classify(f);
        if (r.empty() || r.back().first != c) {
            r.emplace_back(c, 0);
        }
        ++r.back().second;
    }
    return r;
}

} // namespace onair::test_support
