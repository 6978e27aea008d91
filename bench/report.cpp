// bench_report: a year of as-run rows for 10 channels (3000 a day each by default: 10.95
// million rows), then the three things that read all of it: the report's aggregation, the chain
// verification and a full CSV export; then the summary table (schema 3): its rebuild from the
// rows, the year's report read from it, the missed rows, and what keeping it costs each
// completed row. Prints figures; asserts nothing.
//
//   bench_report [ROWS_PER_DAY] [DIR [reports]]
//
// With DIR the store is kept there; `reports` then times the reports alone on that store (its
// schema brought up to date first).
//
// The store is filled with raw SQL in large transactions (the daemon's one-commit-per-row path
// would take hours of fsyncs), with the chain values the store itself would write; the summary
// is then built from those rows by reindex_summary(), as the upgrade to schema 3 builds it.

#include "asrun/report.hpp"
#include "asrun/chain.hpp"
#include "asrun/evidence.hpp"
#include "asrun/export.hpp"
#include "asrun/store.hpp"
#include "asrun/verify.hpp"
#include "asrun/zone_cache.hpp"
#include "report/html.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
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

// One airing of `channel` on air at `start`, as the runner writes it.
asrun::airing on_air(int channel, int n, core::instant start) {
    asrun::airing a;
    a.channel = channel_id(channel);
    a.kind = asrun::airing_kind::spot;
    a.media = "spot-" + std::to_string(n % 20);
    a.campaign = "campaign-" + std::to_string(n % 5);
    a.break_id = "b";
    a.title = "Spot";
    a.file = "/srv/media/spot.mp4";
    a.scheduled_start = start;
    a.scheduled_end = start + core::milliseconds{20'000};
    a.actual_start = start;
    a.timezone = "Asia/Vientiane";
    a.media_sha256 = std::string(64, 'a');
    return a;
}

// What keeping the summary costs a completed row. The store always keeps it, so: the daemon's
// path (open_airing + close_airing, which chains and summarizes) timed whole, then the
// summary's share alone, the very statement each completion runs (with its zone lookup),
// against a copy of the same table.
void completion_cost(const std::filesystem::path& dir) {
    const auto file = dir / "completions.sqlite";
    constexpr int rows = 20'000;
    constexpr int per_batch = 500; // the writer's batches: one commit (one fsync) per batch
    const auto t_first = core::instant{std::chrono::hours{24 * 20'454}}; // 2026-01-01
    double with_s = 0;
    {
        asrun::store s(file);
        auto t0 = clock_type::now();
        for (int i = 0; i < rows; i += per_batch) {
            asrun::store::batch b(s);
            for (int j = i; j < i + per_batch; ++j) {
                auto a =
                    on_air(j % channels, j, t_first + std::chrono::seconds{29 * (j / channels)});
                auto id = s.open_airing(a);
                s.close_airing(id, *a.actual_start + core::milliseconds{20'000},
                               asrun::airing_status::aired);
            }
            b.commit();
        }
        with_s = seconds_since(t0);
    }
    // One completion per transaction, as a daemon airing one item at a time writes it.
    double single_s = 0;
    constexpr int singles = 200;
    {
        asrun::store s(file);
        auto t0 = clock_type::now();
        for (int j = rows; j < rows + singles; ++j) {
            auto a = on_air(j % channels, j, t_first + std::chrono::seconds{29 * (j / channels)});
            auto id = s.open_airing(a);
            s.close_airing(id, *a.actual_start + core::milliseconds{20'000},
                           asrun::airing_status::aired);
        }
        single_s = seconds_since(t0);
    }
    // The summary's share: the same upserts, alone, in the same batches.
    double upsert_s = 0;
    {
        sqlite3* db = nullptr;
        check(db, sqlite3_open(file.c_str(), &db), "open");
        check(db,
              sqlite3_exec(db,
                           "PRAGMA synchronous = FULL; CREATE TABLE copy AS SELECT * FROM "
                           "airing_summary WHERE 0; DROP TABLE airing_summary; CREATE TABLE "
                           "airing_summary (channel TEXT NOT NULL, day INTEGER NOT NULL, "
                           "hour INTEGER NOT NULL, kind TEXT NOT NULL, campaign TEXT NOT "
                           "NULL, media TEXT NOT NULL, status TEXT NOT NULL, count INTEGER "
                           "NOT NULL, airtime_ms INTEGER NOT NULL, PRIMARY KEY (channel, "
                           "day, hour, kind, campaign, media, status)) WITHOUT ROWID",
                           nullptr, nullptr, nullptr),
              "empty summary");
        sqlite3_stmt* up = nullptr;
        const auto sql = asrun::store::summary_upsert_sql();
        check(db, sqlite3_prepare_v2(db, sql.c_str(), -1, &up, nullptr), "prepare");
        const auto* zone = core::find_zone("Asia/Vientiane");
        asrun::zone_cache z(*zone);
        auto t0 = clock_type::now();
        for (int i = 0; i < rows; i += per_batch) {
            check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), "begin");
            for (int j = i; j < i + per_batch; ++j) {
                auto a =
                    on_air(j % channels, j, t_first + std::chrono::seconds{29 * (j / channels)});
                const auto local =
                    a.scheduled_start.time_since_epoch() + z.offset(a.scheduled_start);
                const auto d = date::floor<date::days>(local);
                const auto h = date::floor<std::chrono::hours>(local - d).count();
                const std::string kind = asrun::to_string(a.kind);
                sqlite3_bind_text(up, 1, a.channel.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(up, 2, d.count());
                sqlite3_bind_int64(up, 3, h);
                sqlite3_bind_text(up, 4, kind.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(up, 5, a.campaign->c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(up, 6, a.media.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(up, 7, "aired", -1, SQLITE_STATIC);
                sqlite3_bind_int64(up, 8, 20'000);
                check(db, sqlite3_step(up), "upsert");
                sqlite3_reset(up);
            }
            check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
        }
        upsert_s = seconds_since(t0);
        sqlite3_finalize(up);
        sqlite3_close(db);
    }
    std::printf("  completing %d rows through the store, %d per batch (with summary) %8.2f s  "
                "(%.1f us a row)\n",
                rows, per_batch, with_s, with_s * 1e6 / rows);
    std::printf("    of which the summary upsert alone (same batches)               %8.2f s  "
                "(%.1f us a row)\n",
                upsert_s, upsert_s * 1e6 / rows);
    std::printf(
        "  completing %d rows one at a time (open + close: two commits, two fsyncs) %6.2f s  "
        "(%.2f ms a row)\n",
        singles, single_s, single_s * 1e3 / singles);
}

} // namespace

// The planned side as `onair report` counts it: a day's items counted per (kind, campaign,
// media) first, then added once each (the items made here: the planner is bench_plan's).
void add_planned_days(asrun::report_builder& b, core::local_days first, int rows_per_day) {
    for (int day = 0; day < days; ++day) {
        for (int c = 0; c < channels; ++c) {
            std::map<std::pair<bool, int>, std::int64_t> counts;
            for (int n = 0; n < rows_per_day; ++n) {
                ++counts[{n % 50 == 0, (n * 7 + day) % 20}];
            }
            for (const auto& [key, count] : counts) {
                const auto [programme, spot] = key;
                b.add(asrun::planned_entry{channel_id(c), first + date::days{day},
                                           programme ? asrun::airing_kind::programme
                                                     : asrun::airing_kind::spot,
                                           programme ? "" : "campaign-" + std::to_string(spot % 5),
                                           "spot-" + std::to_string(spot)},
                      count);
            }
        }
    }
}

// What `onair report` does for a year now: the as-run from the summary by day, the plan counted
// per day; and a campaign's HTML document from the summary by hour (report::gather's steps,
// without the planner and the chain walk, which bench_plan and --verify measure).
void year_report_from_summaries(const asrun::store& s, core::local_days first,
                                core::local_days last, int rows_per_day,
                                const date::time_zone* zone) {
    auto t0 = clock_type::now();
    asrun::report_builder b;
    std::int64_t entries = 0;
    s.daily_summary({std::nullopt, std::nullopt, first, last}, [&](const asrun::summary_row& r) {
        b.add(
            asrun::aired_entry{r.channel, r.day, r.kind, r.campaign, r.media, r.status, r.airtime},
            r.count);
        ++entries;
    });
    const double read_s = seconds_since(t0);
    auto t1 = clock_type::now();
    add_planned_days(b, first, rows_per_day);
    const double planned_s = seconds_since(t1);
    const auto rows = b.rows();
    std::printf("  report over the year, as onair report makes it now: %8.2f s  (summary by day "
                "%.2f s, %lld entries; plan counted by day %.2f s; %zu report rows)\n",
                seconds_since(t0), read_s, static_cast<long long>(entries), planned_s, rows.size());

    t0 = clock_type::now();
    const std::string campaign = "campaign-2";
    asrun::evidence_builder ev(campaign);
    for (int c = 0; c < channels; ++c) {
        ev.declare(channel_id(c), {campaign, "Campaign two", first, last, {}, 1, {}});
    }
    for (int day = 0; day < days; ++day) {
        for (int c = 0; c < channels; ++c) {
            std::map<std::pair<int, int>, std::int64_t> counts; // (hour, spot)
            for (int n = 0; n < rows_per_day; ++n) {
                const int spot = (n * 7 + day) % 20;
                if (n % 50 != 0 && spot % 5 == 2) {
                    ++counts[{static_cast<int>(static_cast<std::int64_t>(n) * 24 / rows_per_day),
                              spot}];
                }
            }
            for (const auto& [key, count] : counts) {
                ev.add_planned(channel_id(c), campaign, first + date::days{day}, key.first,
                               "spot-" + std::to_string(key.second), count);
            }
        }
    }
    s.summary({std::nullopt, campaign, first, last}, [&](const asrun::summary_row& r) {
        ev.add_aired(r.channel, r.campaign, r.day, r.hour, r.media, r.kind, r.status, r.count,
                     r.airtime);
    });
    asrun::zone_cache z(*zone);
    report::document doc;
    for (int c = 0; c < channels; ++c) {
        // as report::gather reads them: the first ones listed, all of them counted
        const asrun::filter f{channel_id(c), core::resolve_local(*zone, core::local_ms{first}),
                              core::resolve_local(*zone, core::local_ms{last + date::days{1}})};
        s.campaign_missed(f, campaign, report::missed_listed, [&](const asrun::airing& a) {
            ev.add_missed({campaign, a.channel, a.media, a.title, a.scheduled_start,
                           z.iso(a.scheduled_start), *a.status, a.detail.value_or("")});
        });
        s.campaign_missed_reasons(
            f, campaign, [&](const asrun::missed_reason& r) { doc.missed_reasons.push_back(r); });
    }
    doc.campaign = campaign;
    for (int c = 0; c < channels; ++c) {
        doc.channels.push_back({channel_id(c), channel_id(c), zone->name(), {}});
        doc.windows.push_back({channel_id(c), zone->name(), first, last});
    }
    doc.rows = ev.rows();
    doc.figures = ev.figures();
    doc.missed = ev.missed();
    doc.chain.head = s.chain_head().value_or("");
    const auto html = report::to_html(doc);
    std::int64_t missed = 0;
    for (const auto& r : doc.missed_reasons) {
        missed += r.count;
    }
    std::printf("  a campaign's HTML report over the year (no chain walk)   %8.2f s  (%zu rows, "
                "%lld missed airings counted, %zu listed, %.1f MB)\n",
                seconds_since(t0), doc.rows.size(), static_cast<long long>(missed),
                doc.missed.size(), static_cast<double>(html.size()) / 1e6);
}

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

    if (argc > 3 && std::string(argv[3]) == "reports") {
        // the reports alone, on a store an earlier run kept in DIR
        asrun::store kept(file);
        year_report_from_summaries(kept, core::local_days{date::year{2026} / 1 / 1},
                                   core::local_days{date::year{2026} / 1 / 1} +
                                       date::days{days - 1},
                                   rows_per_day, core::find_zone("Asia/Vientiane"));
        return 0;
    }
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

    // The summary table. The raw fill wrote rows only: build it as the upgrade to schema 3
    // does (one INSERT ... SELECT ... GROUP BY over every completed row).
    const auto size_before = std::filesystem::file_size(file);
    t0 = clock_type::now();
    std::int64_t entries = 0;
    {
        asrun::store rw(file);
        entries = rw.reindex_summary();
    }
    std::printf(
        "  summary: rebuilt from the rows (reindex; the migration is the same) %8.2f s  "
        "(%lld entries, +%.0f MB)\n",
        seconds_since(t0), static_cast<long long>(entries),
        (static_cast<double>(std::filesystem::file_size(file)) - static_cast<double>(size_before)) /
            1e6);

    // Report over the year from the summary table: every entry of every channel, day by day.
    auto stream_summary = [&](const asrun::summary_filter& f, const char* what) {
        const auto start = clock_type::now();
        std::int64_t seen = 0, counted = 0, airtime_ms = 0;
        s.summary(f, [&](const asrun::summary_row& e) {
            ++seen;
            counted += e.count;
            airtime_ms += e.airtime.count();
        });
        std::printf("  %-52s %8.3f s  (%lld entries, %lld airings, %.0f h airtime)\n", what,
                    seconds_since(start), static_cast<long long>(seen),
                    static_cast<long long>(counted), static_cast<double>(airtime_ms) / 3.6e6);
    };
    stream_summary({std::nullopt, std::nullopt, first, last},
                   "report over the year from the summary table");
    stream_summary({channel_id(3), std::nullopt, first, last}, "summary: one channel, the year");
    stream_summary({std::nullopt, std::nullopt, last - date::days{6}, last},
                   "summary: every channel, the last 7 days");
    stream_summary({std::nullopt, std::string("campaign-2"), first, last},
                   "summary: one campaign, the year");
    // Without a channel, the store seeks each channel's range of the key; against it, one scan
    // of the whole table filtered by day (what an index-less read would do).
    {
        const auto start = clock_type::now();
        sqlite3* db = nullptr;
        check(db, sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), "open");
        sqlite3_stmt* q = nullptr;
        check(db,
              sqlite3_prepare_v2(db,
                                 "SELECT count(*), sum(count) FROM airing_summary WHERE day >= "
                                 "?1 AND day <= ?2",
                                 -1, &q, nullptr),
              "prepare");
        sqlite3_bind_int64(q, 1, (last - date::days{6}).time_since_epoch().count());
        sqlite3_bind_int64(q, 2, last.time_since_epoch().count());
        check(db, sqlite3_step(q), "scan");
        std::printf("  %-52s %8.3f s  (%lld entries)\n",
                    "  (for comparison: one scan filtered by day, 7 days)", seconds_since(start),
                    static_cast<long long>(sqlite3_column_int64(q, 0)));
        sqlite3_finalize(q);
        sqlite3_close(db);
    }

    year_report_from_summaries(s, first, last, rows_per_day, zone);

    t0 = clock_type::now();
    std::int64_t missed = 0;
    s.missed({std::nullopt, core::resolve_local(*zone, core::local_ms{first}),
              core::resolve_local(*zone, core::local_ms{last + date::days{1}})},
             [&](const asrun::airing&) { ++missed; });
    std::printf("  missed rows over the year (airings_missed) %17.2f s  (%lld rows)\n",
                seconds_since(t0), static_cast<long long>(missed));
    t0 = clock_type::now();
    missed = 0;
    s.missed({channel_id(3), core::resolve_local(*zone, core::local_ms{last - date::days{6}}),
              core::resolve_local(*zone, core::local_ms{last + date::days{1}})},
             [&](const asrun::airing&) { ++missed; });
    std::printf("  missed rows of one channel, the last 7 days %16.3f s  (%lld rows)\n",
                seconds_since(t0), static_cast<long long>(missed));

    t0 = clock_type::now();
    auto differences = s.check_summary(20);
    std::printf("  summary checked against the rows (--verify's part) %9.2f s  (%zu differences)\n",
                seconds_since(t0), differences.size());

    completion_cost(dir);

    if (argc <= 2) {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    return v.ok() ? 0 : 1;
}
