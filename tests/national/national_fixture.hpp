#pragma once

// Stores of two stations with known rows, for the sink and the national tools.

#include "asrun/store.hpp"
#include "asrun_fixture.hpp"

#include <string>
#include <vector>

namespace onair::national_test {

using asrun::airing;
using asrun::airing_kind;
using asrun::airing_status;
using asrun::test::utc;

// A completed spot of `campaign`, 30 s scheduled from `at`, aired for `aired_ms`.
inline airing spot(const std::string& channel, const std::string& zone,
                   const std::optional<std::string>& campaign, core::instant at,
                   airing_status status, std::int64_t aired_ms = 30'000,
                   std::optional<std::string> detail = std::nullopt) {
    airing a;
    a.channel = channel;
    a.kind = airing_kind::spot;
    a.media = "tip-hotline";
    a.campaign = campaign;
    a.break_id = "b";
    a.title = "Hotline 1300";
    a.file = "/srv/media/tip.mp4";
    a.scheduled_start = at;
    a.scheduled_end = at + std::chrono::seconds(30);
    if (status != airing_status::failed && status != airing_status::skipped) {
        a.actual_start = at;
        a.actual_end = at + std::chrono::milliseconds(aired_ms);
    }
    a.status = status;
    a.detail = std::move(detail);
    a.timezone = zone;
    a.media_sha256 = std::string(64, 'a');
    return a;
}

// Writes `rows` into the store at `file` in order (each completed and chained as it comes).
inline void record_all(const std::filesystem::path& file, const std::vector<airing>& rows) {
    asrun::store s(file);
    for (const auto& r : rows) {
        s.record(r);
    }
}

// Vientiane police TV (UTC+7): a spot at 23:30Z counts on the next local day.
inline std::vector<airing> vte_rows() {
    const std::string ch = "police-tv", tz = "Asia/Vientiane";
    auto make_good = spot(ch, tz, "tip", utc(2026, 10, 24, 12, 0), airing_status::aired);
    make_good.kind = airing_kind::make_good;
    make_good.make_good_of = utc(2026, 10, 24, 10, 0);
    auto programme = spot(ch, tz, std::nullopt, utc(2026, 10, 24, 13, 0), airing_status::aired);
    programme.kind = airing_kind::programme;
    programme.break_id.reset();
    return {
        spot(ch, tz, "tip", utc(2026, 10, 24, 23, 30), airing_status::aired),
        spot(ch, tz, "tip", utc(2026, 10, 24, 10, 0), airing_status::failed, 0,
             "cannot open \"tip.mp4\": {missing}, \\ gone"),
        make_good,
        spot(ch, tz, "tip", utc(2026, 10, 24, 11, 0), airing_status::truncated, 20'000,
             "cut by a programme"),
        spot(ch, tz, "helmet", utc(2026, 10, 24, 10, 30), airing_status::aired),
        programme,
    };
}

// Luang Prabang police radio (UTC).
inline std::vector<airing> lpb_rows() {
    const std::string ch = "radio", tz = "UTC";
    return {
        spot(ch, tz, "tip", utc(2026, 10, 24, 10, 0), airing_status::aired),
        spot(ch, tz, "tip", utc(2026, 10, 24, 11, 0), airing_status::skipped, 0,
             "an operator skip"),
        spot(ch, tz, "tip", utc(2026, 10, 25, 10, 0), airing_status::interrupted, 12'000),
    };
}

} // namespace onair::national_test
