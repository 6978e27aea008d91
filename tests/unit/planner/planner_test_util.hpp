#pragma once

#include "planner/planner.hpp"
#include "schedule/load.hpp"

#include <gtest/gtest.h>

#include <string>

namespace onair::planner::test {

// A schedule written as YAML (media files need not exist: the planner never opens them).
std::shared_ptr<const schedule::schedule> load_yaml(const std::string& yaml);

// A planner for a schedule in a zone; every media of the schedule lasts as declared, or as
// given in `lengths`.
planner make_planner(const std::string& yaml, const std::string& zone = "Asia/Vientiane",
                     durations lengths = {}, std::string channel = "test-tv");

// A local wall time in a zone, "2026-12-01T06:58:00" (resolved by the planner's DST rules).
instant local(const std::string& zone, const std::string& wall);
local_days day(const std::string& ymd);

// "06:58:00.000 tip-lo-30" lines for compact exact comparisons.
std::vector<std::string> lines(const rundown& r, const std::string& zone);
std::vector<std::string> lines(const std::vector<item>& items, const std::string& zone);

} // namespace onair::planner::test
