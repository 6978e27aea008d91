#include "asrun_pg/national.hpp"

#include "asrun/export.hpp"
#include "asrun/report.hpp"

#include <date/date.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <sstream>

namespace onair::asrun_pg {

namespace {

constexpr const char* row_columns =
    "local_id, seq, channel, kind, media, campaign, break_id, title, file, scheduled_start_ms, "
    "scheduled_end_ms, actual_start_ms, actual_end_ms, status, detail, timezone, media_sha256, "
    "make_good_of_ms, chain";

core::instant at_ms(std::int64_t ms) {
    return core::instant(core::milliseconds(ms));
}

std::optional<core::instant> maybe_at(const result& r, int row, int col) {
    auto v = r.maybe_integer(row, col);
    return v ? std::optional<core::instant>(at_ms(*v)) : std::nullopt;
}

// A row of `row_columns` as the store would have read it.
asrun::airing airing_of(const result& r, int i) {
    asrun::airing a;
    a.id = r.integer(i, 0);
    a.seq = r.integer(i, 1);
    a.channel = r.text(i, 2);
    // a kind or status the database holds but onair does not know fails the chain check
    a.kind = asrun::parse_kind(r.text(i, 3)).value_or(asrun::airing_kind::spot);
    a.media = r.text(i, 4);
    a.campaign = r.get(i, 5);
    a.break_id = r.get(i, 6);
    a.title = r.text(i, 7);
    a.file = r.text(i, 8);
    a.scheduled_start = at_ms(r.integer(i, 9));
    a.scheduled_end = at_ms(r.integer(i, 10));
    a.actual_start = maybe_at(r, i, 11);
    a.actual_end = maybe_at(r, i, 12);
    a.status = asrun::parse_status(r.text(i, 13));
    a.detail = r.get(i, 14);
    a.timezone = r.text(i, 15);
    a.media_sha256 = r.get(i, 16);
    a.make_good_of = maybe_at(r, i, 17);
    a.chain = r.get(i, 18);
    return a;
}

std::string day_text(core::local_days d) {
    return date::format("%F", d);
}

} // namespace

std::vector<source_check> verify_database(connection& c, const std::optional<std::string>& station,
                                          std::size_t max_faults) {
    std::vector<source_check> out;
    auto sources = c.exec("SELECT DISTINCT station, source FROM asrun WHERE $1::text IS NULL OR "
                          "station = $1 ORDER BY station, source",
                          {station});
    constexpr int page = 5000;
    for (int s = 0; s < sources.rows(); ++s) {
        source_check check{sources.text(s, 0), sources.text(s, 1), {}};
        asrun::chain_walk walk(std::nullopt, max_faults, std::nullopt);
        std::int64_t after = 0;
        for (;;) {
            auto rows = c.exec(std::string("SELECT ") + row_columns +
                                   " FROM asrun WHERE station = $1 AND source = $2 AND seq > $3 "
                                   "ORDER BY seq LIMIT " +
                                   std::to_string(page),
                               {check.station, check.source, std::to_string(after)});
            for (int i = 0; i < rows.rows(); ++i) {
                auto a = airing_of(rows, i);
                after = *a.seq;
                walk.next(a);
            }
            if (rows.rows() < page) {
                break;
            }
        }
        // the source names the chain of its first row: a copy whose first row is not that one
        // was assembled from elsewhere
        check.result = walk.result();
        out.push_back(std::move(check));
    }
    return out;
}

// Long: one query, its filters and the reading of its columns.
std::vector<national_row> national_report(connection& c, const national_filter& f) {
    // the day a row counts on: its scheduled start (a make-good's: the airing it stands in
    // for) in the row's own zone, as the local report counts it
    const std::string day =
        "(to_timestamp((CASE WHEN kind = 'make-good' AND make_good_of_ms IS NOT NULL THEN "
        "make_good_of_ms ELSE scheduled_start_ms END) / 1000.0) AT TIME ZONE "
        "coalesce(nullif(timezone, ''), 'UTC'))::date";
    std::vector<param> params;
    auto bind = [&](std::string value) {
        params.emplace_back(std::move(value));
        return "$" + std::to_string(params.size());
    };
    auto ms_text = [](core::local_days d) {
        return std::to_string(date::sys_days(d.time_since_epoch()).time_since_epoch() /
                              core::milliseconds(1));
    };
    std::string where = "campaign IS NOT NULL AND kind IN ('spot', 'make-good')";
    if (f.station) {
        where += " AND station = " + bind(*f.station);
    }
    if (f.channel) {
        where += " AND channel = " + bind(*f.channel);
    }
    if (f.campaign) {
        where += " AND campaign = " + bind(*f.campaign);
    }
    // a bound on the scheduled start first (local days are within a day of UTC's, and a
    // make-good within 7 days of its airing), so the index narrows the rows; then the exact day
    if (f.from) {
        where += " AND scheduled_start_ms >= " + bind(ms_text(*f.from - date::days(1))) +
                 "::bigint AND " + day + " >= " + bind(day_text(*f.from)) + "::date";
    }
    if (f.to) {
        where += " AND scheduled_start_ms < " + bind(ms_text(*f.to + date::days(9))) +
                 "::bigint AND " + day + " <= " + bind(day_text(*f.to)) + "::date";
    }
    const std::string sql =
        "SELECT station, channel, campaign, to_char(" + day +
        ", 'YYYY-MM-DD') AS day, "
        "count(*) FILTER (WHERE kind = 'spot'), "
        "count(*) FILTER (WHERE kind = 'spot' AND status = 'aired'), "
        "count(*) FILTER (WHERE kind = 'make-good' AND status = 'aired'), "
        "count(*) FILTER (WHERE kind = 'spot' AND status = 'truncated'), "
        "count(*) FILTER (WHERE kind = 'spot' AND status = 'failed'), "
        "count(*) FILTER (WHERE kind = 'spot' AND status = 'skipped'), "
        "count(*) FILTER (WHERE kind = 'spot' AND status = 'interrupted'), "
        "coalesce(sum(actual_end_ms - actual_start_ms) FILTER (WHERE status IN ('aired', "
        "'truncated')), 0) "
        "FROM asrun WHERE " +
        where + " GROUP BY 1, 2, 3, 4 ORDER BY 3, 1, 2, 4";
    auto r = c.exec(sql, params);
    std::vector<national_row> out;
    for (int i = 0; i < r.rows(); ++i) {
        national_row n;
        n.station = r.text(i, 0);
        n.channel = r.text(i, 1);
        n.campaign = r.text(i, 2);
        n.day = r.text(i, 3);
        n.planned = r.integer(i, 4);
        n.aired = r.integer(i, 5);
        n.made_good = r.integer(i, 6);
        n.truncated = r.integer(i, 7);
        n.failed = r.integer(i, 8);
        n.skipped = r.integer(i, 9);
        n.interrupted = r.integer(i, 10);
        n.airtime_ms = r.integer(i, 11);
        out.push_back(std::move(n));
    }
    return out;
}

namespace {

// (aired + made good) / planned, as the local report computes delivery.
std::string delivery(const national_row& n) {
    if (n.planned == 0) {
        return "-";
    }
    return asrun::decimal(
        100.0 * static_cast<double>(n.aired + n.made_good) / static_cast<double>(n.planned), 1);
}

void add_to(national_row& total, const national_row& n) {
    total.planned += n.planned;
    total.aired += n.aired;
    total.made_good += n.made_good;
    total.truncated += n.truncated;
    total.failed += n.failed;
    total.skipped += n.skipped;
    total.interrupted += n.interrupted;
    total.airtime_ms += n.airtime_ms;
}

// A total per campaign and station, in the rows' order.
std::vector<national_row> totals(const std::vector<national_row>& rows) {
    std::vector<national_row> out;
    for (const auto& n : rows) {
        if (out.empty() || out.back().campaign != n.campaign || out.back().station != n.station) {
            national_row t;
            t.campaign = n.campaign;
            t.station = n.station;
            out.push_back(t);
        }
        add_to(out.back(), n);
    }
    return out;
}

nlohmann::json to_json(const national_row& n) {
    nlohmann::json j{{"station", n.station},         {"campaign", n.campaign},
                     {"planned", n.planned},         {"aired", n.aired},
                     {"made_good", n.made_good},     {"truncated", n.truncated},
                     {"failed", n.failed},           {"skipped", n.skipped},
                     {"interrupted", n.interrupted}, {"airtime_ms", n.airtime_ms}};
    if (!n.channel.empty()) {
        j["channel"] = n.channel;
    }
    if (!n.day.empty()) {
        j["day"] = n.day;
    }
    j["delivery_pct"] =
        n.planned == 0
            ? nlohmann::json(nullptr)
            : nlohmann::json(std::round(1000.0 * static_cast<double>(n.aired + n.made_good) /
                                        static_cast<double>(n.planned)) /
                             10.0);
    return j;
}

} // namespace

std::string national_text(const std::vector<national_row>& rows) {
    std::ostringstream out;
    out << std::left << std::setw(14) << "campaign" << std::setw(16) << "station" << std::setw(14)
        << "channel" << std::setw(12) << "day" << std::right << std::setw(8) << "planned"
        << std::setw(7) << "aired" << std::setw(10) << "made_good" << std::setw(10) << "truncated"
        << std::setw(7) << "failed" << std::setw(8) << "skipped" << std::setw(12) << "interrupted"
        << std::setw(10) << "delivery%" << '\n';
    auto line = [&](const national_row& n, const std::string& channel, const std::string& day) {
        out << std::left << std::setw(14) << n.campaign << std::setw(16) << n.station
            << std::setw(14) << channel << std::setw(12) << day << std::right << std::setw(8)
            << n.planned << std::setw(7) << n.aired << std::setw(10) << n.made_good << std::setw(10)
            << n.truncated << std::setw(7) << n.failed << std::setw(8) << n.skipped << std::setw(12)
            << n.interrupted << std::setw(10) << delivery(n) << '\n';
    };
    for (const auto& n : rows) {
        line(n, n.channel, n.day);
    }
    if (!rows.empty()) {
        out << '\n';
    }
    for (const auto& t : totals(rows)) {
        line(t, "(all)", "(total)");
    }
    if (rows.empty()) {
        out << "(no campaign airings in the database for this selection)\n";
    }
    return out.str();
}

std::string national_csv(const std::vector<national_row>& rows) {
    std::string out = "station,channel,campaign,day,planned,aired,made_good,truncated,failed,"
                      "skipped,interrupted,delivery_pct,airtime_s\n";
    for (const auto& n : rows) {
        out += asrun::csv_field(n.station) + ',' + asrun::csv_field(n.channel) + ',' +
               asrun::csv_field(n.campaign) + ',' + n.day + ',' + std::to_string(n.planned) + ',' +
               std::to_string(n.aired) + ',' + std::to_string(n.made_good) + ',' +
               std::to_string(n.truncated) + ',' + std::to_string(n.failed) + ',' +
               std::to_string(n.skipped) + ',' + std::to_string(n.interrupted) + ',' +
               (n.planned == 0 ? std::string() : delivery(n)) + ',' +
               asrun::decimal(static_cast<double>(n.airtime_ms) / 1000.0, 3) + '\n';
    }
    return out;
}

nlohmann::json national_json(const std::vector<national_row>& rows) {
    nlohmann::json out{{"rows", nlohmann::json::array()}, {"totals", nlohmann::json::array()}};
    for (const auto& n : rows) {
        out["rows"].push_back(to_json(n));
    }
    for (const auto& t : totals(rows)) {
        out["totals"].push_back(to_json(t));
    }
    return out;
}

} // namespace onair::asrun_pg
