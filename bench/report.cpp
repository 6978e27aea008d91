// bench_report: a year of as-run rows for 10 channels (3000 a day each by default: 10.95
// million rows), then the three things that read all of it: the report's aggregation, the chain
// verification and a full CSV export. Prints figures; asserts nothing.
//
//   bench_report [ROWS_PER_DAY] [DIR]
//
// The store is filled with raw SQL in large transactions (the daemon's one-commit-per-row path
// would take hours of fsyncs), with the chain values the store itself would write.

#include "asrun/report.hpp"
#include "asrun/chain.hpp"
#include "asrun/export.hpp"
#include "asrun/store.hpp"
#include "asrun/verify.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace {

using namespace onair;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

void check(sqlite3* db, int rc, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
    }
}

constexpr int channels = 10;
constexpr int days = 365;
const char* const statuses[] = {"aired", "aired", "aired",     "aired",  "aired",
                                "aired", "aired", "truncated", "failed", "skipped"};

std::string channel_id(int c) {
    return "channel-" + std::to_string(c);
}

// Row n of a channel's day: a spot every 86400 / rows_per_day seconds from local midnight.
asrun::airing make_row(std::int64_t id, int channel, int day, int n, int rows_per_day,
                       core::instant day_start) {
    asrun::airing a;
    a.id = id;
    a.channel = channel_id(channel);
    a.kind = n % 50 == 0 ? asrun::airing_kind::programme : asrun::airing_kind::spot;
    const int spot = (n * 7 + day) % 20;
    a.media = "spot-" + std::to_string(spot);
    if (a.kind == asrun::airing_kind::spot) {
        a.campaign = "campaign-" + std::to_string(spot % 5);
        a.break_id = "b" + std::to_string(n / 4);
    }
    a.title = "Spot " + std::to_string(spot);
    a.file = "/srv/media/spot-" + std::to_string(spot) + ".mp4";
    const auto step = core::milliseconds{86'400'000LL / rows_per_day};
    a.scheduled_start = day_start + step * n;
    a.scheduled_end = a.scheduled_start + core::milliseconds{20'000};
    auto st = *asrun::parse_status(statuses[(n + day + channel) % 10]);
    a.status = st;
    if (st != asrun::airing_status::skipped) {
        a.actual_start = a.scheduled_start + core::milliseconds{n % 40};
        a.actual_end = *a.actual_start +
                       core::milliseconds{st == asrun::airing_status::truncated ? 9'000 : 20'000};
    }
    if (st == asrun::airing_status::truncated || st == asrun::airing_status::failed) {
        a.detail = "bench";
    }
    a.timezone = "Asia/Vientiane";
    a.media_sha256 = asrun::sha256_hex(a.file);
    return a;
}

void fill(const std::filesystem::path& file, int rows_per_day) {
    { asrun::store created(file); }
    sqlite3* db = nullptr;
    check(db, sqlite3_open(file.c_str(), &db), "open");
    check(db,
          sqlite3_exec(db, "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; BEGIN", nullptr,
                       nullptr, nullptr),
          "pragma");
    sqlite3_stmt* ins = nullptr;
    check(db,
          sqlite3_prepare_v2(
              db,
              "INSERT INTO airings (id, channel, kind, media, campaign, break_id, title, file, "
              "scheduled_start_ms, scheduled_end_ms, actual_start_ms, actual_end_ms, status, "
              "detail, timezone, media_sha256, seq, chain) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
              "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?1, ?17)",
              -1, &ins, nullptr),
          "prepare");
    const auto* zone = core::find_zone("Asia/Vientiane");
    const auto first = core::local_days{date::year{2026} / 1 / 1};
    std::string chain = asrun::genesis_chain;
    std::int64_t id = 0;
    auto text = [&](int i, const std::optional<std::string>& v) {
        v ? sqlite3_bind_text(ins, i, v->c_str(), static_cast<int>(v->size()), SQLITE_TRANSIENT)
          : sqlite3_bind_null(ins, i);
    };
    auto time = [&](int i, const std::optional<core::instant>& v) {
        v ? sqlite3_bind_int64(ins, i, v->time_since_epoch().count()) : sqlite3_bind_null(ins, i);
    };
    // Day by day, all channels interleaved in time, as a station's log grows.
    for (int day = 0; day < days; ++day) {
        const auto start = core::resolve_local(*zone, core::local_ms{first + date::days{day}});
        for (int n = 0; n < rows_per_day; ++n) {
            for (int c = 0; c < channels; ++c) {
                auto a = make_row(++id, c, day, n, rows_per_day, start);
                chain = asrun::chain_value(chain, a, id);
                sqlite3_bind_int64(ins, 1, id);
                text(2, a.channel);
                text(3, std::string(asrun::to_string(a.kind)));
                text(4, a.media);
                text(5, a.campaign);
                text(6, a.break_id);
                text(7, a.title);
                text(8, a.file);
                time(9, a.scheduled_start);
                time(10, a.scheduled_end);
                time(11, a.actual_start);
                time(12, a.actual_end);
                text(13, std::string(asrun::to_string(*a.status)));
                text(14, a.detail);
                text(15, a.timezone);
                text(16, a.media_sha256);
                text(17, chain);
                check(db, sqlite3_step(ins), "insert");
                sqlite3_reset(ins);
            }
        }
        if (day % 30 == 29) {
            check(db, sqlite3_exec(db, "COMMIT; BEGIN", nullptr, nullptr, nullptr), "commit");
        }
    }
    check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
    sqlite3_finalize(ins);
    sqlite3_close(db);
}

} // namespace

int main(int argc, char** argv) {
    const int rows_per_day = argc > 1 ? std::atoi(argv[1]) : 3000;
    const std::filesystem::path dir =
        argc > 2 ? std::filesystem::path(argv[2])
                 : std::filesystem::temp_directory_path() /
                       ("onair-bench-report-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "asrun.sqlite";
    const std::int64_t total = static_cast<std::int64_t>(rows_per_day) * channels * days;
    std::printf("bench_report: %d channels x %d days x %d rows = %lld rows\n", channels, days,
                rows_per_day, static_cast<long long>(total));

    auto t0 = clock_type::now();
    fill(file, rows_per_day);
    std::printf("  fill (raw SQL, chained)       %8.2f s  (%.0f MB)\n", seconds_since(t0),
                static_cast<double>(std::filesystem::file_size(file)) / 1e6);

    asrun::store s(file, asrun::open_mode::read_only);
    const auto* zone = core::find_zone("Asia/Vientiane");
    const auto first = core::local_days{date::year{2026} / 1 / 1};
    const auto last = first + date::days{days - 1};

    // Report over the year: the as-run side read from the store and aggregated, the planned
    // side as many entries as rows (made here: the planner is benchmarked by bench_plan).
    t0 = clock_type::now();
    asrun::report_builder b;
    std::int64_t read = 0;
    // One pass in time order over every channel (as onair report does): the table is read
    // about in the order it was written, instead of once per channel.
    {
        asrun::zone_cache z(*zone);
        asrun::filter f{std::nullopt, core::resolve_local(*zone, core::local_ms{first}),
                        core::resolve_local(*zone, core::local_ms{last + date::days{1}})};
        s.outcomes(f, [&](const asrun::airing& row) {
            b.add(asrun::summarize(row, z));
            ++read;
        });
    }
    const double read_s = seconds_since(t0);
    auto t1 = clock_type::now();
    for (int day = 0; day < days; ++day) {
        for (int c = 0; c < channels; ++c) {
            for (int n = 0; n < rows_per_day; ++n) {
                const int spot = (n * 7 + day) % 20;
                const bool programme = n % 50 == 0;
                b.add(asrun::planned_entry{channel_id(c), first + date::days{day},
                                           programme ? asrun::airing_kind::programme
                                                     : asrun::airing_kind::spot,
                                           programme ? "" : "campaign-" + std::to_string(spot % 5),
                                           "spot-" + std::to_string(spot)});
            }
        }
    }
    const double planned_s = seconds_since(t1);
    t1 = clock_type::now();
    auto rows = b.rows();
    const double rows_s = seconds_since(t1);
    std::printf("  report: read + aggregate %lld as-run rows %8.2f s\n",
                static_cast<long long>(read), read_s);
    std::printf("  report: aggregate %lld planned entries   %8.2f s\n",
                static_cast<long long>(total), planned_s);
    std::printf("  report: %zu report rows                  %8.2f s\n", rows.size(), rows_s);
    std::printf("  report total                          %8.2f s  (planned %lld, aired %lld)\n",
                seconds_since(t0), static_cast<long long>(rows.back().counts.planned),
                static_cast<long long>(rows.back().counts.aired));

    t0 = clock_type::now();
    auto v = asrun::verify_chain(s);
    std::printf("  asrun --verify                        %8.2f s  (%s, %zu rows)\n",
                seconds_since(t0), v.ok() ? "ok" : "FAILED", v.rows);

    t0 = clock_type::now();
    std::ofstream devnull("/dev/null");
    auto n = asrun::export_airings(s, {}, asrun::export_format::csv, devnull);
    std::printf("  CSV export of everything              %8.2f s  (%zu rows)\n", seconds_since(t0),
                n);

    if (argc <= 2) {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    return v.ok() ? 0 : 1;
}
