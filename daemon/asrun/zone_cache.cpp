#include "asrun/zone_cache.hpp"

#include <cstdio>
#include <cstdlib>

namespace onair::asrun {

std::chrono::seconds zone_cache::offset(core::instant t) {
    if (!valid_ || t < begin_ || !(t < end_)) {
        auto info = zone_->get_info(t);
        begin_ = info.begin;
        end_ = info.end;
        offset_ = info.offset;
        valid_ = true;
    }
    return offset_;
}

core::local_days zone_cache::day_of(core::instant t) {
    auto local = t.time_since_epoch() + offset(t);
    return core::local_days{date::floor<date::days>(local)};
}

std::string zone_cache::iso(core::instant t) {
    const auto off = offset(t);
    const auto local = t.time_since_epoch() + off;
    const auto days = date::floor<date::days>(local);
    const date::year_month_day ymd{date::sys_days{days}};
    const auto ms = (local - days).count();
    const auto off_min = std::chrono::duration_cast<std::chrono::minutes>(off).count();
    char buf[64]; // 30 bytes in any real year; room to spare for the compiler's worst case
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lld%c%02lld:%02lld",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60), static_cast<long long>(ms / 1000 % 60),
                  static_cast<long long>(ms % 1000), off_min < 0 ? '-' : '+',
                  static_cast<long long>(std::llabs(off_min) / 60),
                  static_cast<long long>(std::llabs(off_min) % 60));
    return buf;
}

} // namespace onair::asrun
