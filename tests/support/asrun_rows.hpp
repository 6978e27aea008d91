#pragma once

// Reading what the daemon logged, as a user would: the as-run through `onair asrun` (rows as
// JSON, the chain through `--verify`), timestamps as milliseconds since the epoch, and the
// UTC date and time-of-day text a schedule is written with.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace onair::test_support {

using wall = std::chrono::system_clock;

// Every as-run row of the station of `config` (`onair asrun --format json`); a failed test
// and no rows when the output is not JSON.
nlohmann::json asrun(const std::filesystem::path& config);

// `onair asrun --verify` (and `extra` arguments): its output, "ok: N rows verified ..." when
// the chain holds.
std::string verify(const std::filesystem::path& config, const std::string& extra = {});

// HH:MM:SS of a UTC instant.
std::string time_of_day(wall::time_point t);
// YYYY-MM-DD of a UTC instant.
std::string date_of(wall::time_point t);

// Milliseconds since the epoch of an as-run timestamp (UTC zone: "...T06:00:02.000Z" or
// "+00:00").
std::int64_t ms_of(const std::string& iso);
std::int64_t ms_of(wall::time_point t);

} // namespace onair::test_support
