#include "asrun_rows.hpp"

#include "process.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>

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
    std::tm tm{};
    int ms = 0;
    std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<std::int64_t>(::timegm(&tm)) * 1000 + ms;
}

std::int64_t ms_of(wall::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

} // namespace onair::test_support
