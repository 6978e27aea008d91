#include "asrun_rows.hpp"

#include "process.hpp"

#include "core/time.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace onair::test_support {

nlohmann::json asrun(const std::filesystem::path& config) {
    const auto out = run_capture("asrun --config " + config.string() + " --format json");
    auto rows = nlohmann::json::parse(out, nullptr, false);
    if (rows.is_discarded()) {
        ADD_FAILURE() << "onair asrun: " << out;
        return nlohmann::json::array();
    }
    return rows;
}

std::string verify(const std::filesystem::path& config, const std::string& extra) {
    return run_capture("asrun --config " + config.string() + " --verify" +
                       (extra.empty() ? "" : " " + extra));
}

namespace {

std::string utc_text(wall::time_point t, const char* format) {
    const std::time_t tt = wall::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

} // namespace

std::string time_of_day(wall::time_point t) {
    return utc_text(t, "%H:%M:%S");
}

std::string date_of(wall::time_point t) {
    return utc_text(t, "%Y-%m-%d");
}

std::int64_t ms_of(const std::string& iso) {
    // core's parser: the offset counts (a reading that dropped it was off by hours in +07:00)
    const auto ts = core::parse_timestamp(iso);
    if (!ts) {
        throw std::invalid_argument("not an ISO 8601 timestamp: '" + iso + "'");
    }
    return core::to_instant(*ts, *date::locate_zone("UTC")).time_since_epoch().count();
}

std::int64_t ms_of(wall::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

} // namespace onair::test_support
