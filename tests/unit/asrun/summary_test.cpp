// The summary table (airing_summary, schema 3): kept by every path that completes a row, on the
// local day and hour of the row's own zone (across DST changes), filled by the migration from a
// schema 2 file, rebuilt by reindex_summary, checked by check_summary against rows and entries
// edited by hand, and read through the primary key; missed() through airings_missed.

#include "asrun/sqlite_handle.hpp"
#include "asrun/store.hpp"
#include "asrun/verify.hpp"
#include "asrun/writer.hpp"
#include "asrun_fixture.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>
#include <tuple>
#include <vector>

namespace onair::asrun {
namespace {

using test::on_air_spot;
using test::temp_dir;
using test::utc;
using namespace std::chrono_literals;

std::vector<summary_row> entries(const store& s, const summary_filter& f = {}) {
    std::vector<summary_row> out;
    s.summary(f, [&](const summary_row& r) { out.push_back(r); });
    return out;
}

core::local_days day(int y, unsigned m, unsigned d) {
    return core::local_days{date::year{y} / date::month{m} / date::day{d}};
}

summary_row entry(std::string channel, core::local_days d, int hour, airing_kind kind,
                  std::string campaign, std::string media, airing_status status, std::int64_t count,
                  core::milliseconds airtime) {
    return {std::move(channel), d,      hour,  kind,   std::move(campaign),
            std::move(media),   status, count, airtime};
}

std::string describe(const std::vector<summary_row>& rows) {
    std::ostringstream out;
    for (const auto& r : rows) {
        out << r.channel << ' ' << core::format_date(r.day) << ' ' << r.hour << ' '
            << to_string(r.kind) << " '" << r.campaign << "' " << r.media << ' '
            << to_string(r.status) << ' ' << r.count << ' ' << r.airtime.count() << '\n';
    }
    return out.str();
}

// The table as stored, every column, in key order.
std::vector<std::string> table(const std::filesystem::path& file) {
    auto db = sqlite::open(file.string(), SQLITE_OPEN_READONLY);
    auto s = sqlite::prepare(db.get(), "SELECT channel || '|' || day || '|' || hour || '|' || "
                                       "kind || '|' || campaign || '|' || media || '|' || status "
                                       "|| '|' || count || '|' || airtime_ms FROM airing_summary "
                                       "ORDER BY channel, day, hour, kind, campaign, media, "
                                       "status");
    std::vector<std::string> rows;
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
        rows.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0)));
    }
    return rows;
}

void exec(const std::filesystem::path& file, const std::string& sql) {
    auto db = sqlite::open(file.string(), SQLITE_OPEN_READWRITE);
    sqlite::exec(db.get(), sql);
}

// on_air_spot is 30 s from its start, on air from 40 ms after it.
constexpr core::milliseconds whole{29'960};

TEST(summary, every_path_that_completes_a_row_counts_it_with_its_airtime) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    // Vientiane is UTC+7 all year: 2026-12-01T00:00Z is 07:00 local.
    const auto t0 = utc(2026, 12, 1, 0, 0);

    // close_airing: two whole, one truncated at 10 s, in the same hour
    for (int i = 0; i < 2; ++i) {
        auto a = on_air_spot("police-tv", t0 + i * 1min);
        ASSERT_TRUE(s.close_airing(s.open_airing(a), a.scheduled_end, airing_status::aired));
    }
    auto cut = on_air_spot("police-tv", t0 + 2min);
    ASSERT_TRUE(s.close_airing(s.open_airing(cut), cut.scheduled_start + 10s,
                               airing_status::truncated, "operator skip"));
    // record: failed (went to air for nothing: no airtime), skipped (never on air)
    auto failed = on_air_spot("police-tv", t0 + 3min);
    failed.actual_end = failed.actual_start;
    failed.status = airing_status::failed;
    failed.detail = "file missing";
    s.record(failed);
    auto programme = on_air_spot("police-tv", t0 + 1h);
    programme.kind = airing_kind::programme;
    programme.campaign.reset();
    programme.break_id.reset();
    programme.media = "news";
    programme.actual_start.reset();
    programme.status = airing_status::skipped;
    s.record(programme);
    // close_interrupted: ends at the last sign of life, 12 s in
    auto on_air = on_air_spot("lao-radio", t0 + 5min);
    s.open_airing(on_air);
    // still open: not in the summary
    EXPECT_EQ(entries(s).size(), 4u);
    EXPECT_EQ(s.close_interrupted(*on_air.actual_start + 12s), 1u);
    // a close that changes nothing adds nothing
    EXPECT_FALSE(s.close_airing(1, t0 + 1h, airing_status::failed));

    const auto d = day(2026, 12, 1);
    const std::vector<summary_row> want{
        entry("lao-radio", d, 7, airing_kind::spot, "road-safety", "spot-helmet",
              airing_status::interrupted, 1, 0ms),
        entry("police-tv", d, 7, airing_kind::spot, "road-safety", "spot-helmet",
              airing_status::aired, 2, 2 * whole),
        entry("police-tv", d, 7, airing_kind::spot, "road-safety", "spot-helmet",
              airing_status::failed, 1, 0ms),
        entry("police-tv", d, 7, airing_kind::spot, "road-safety", "spot-helmet",
              airing_status::truncated, 1, 9'960ms),
        entry("police-tv", d, 8, airing_kind::programme, "", "news", airing_status::skipped, 1,
              0ms),
    };
    EXPECT_EQ(entries(s), want) << describe(entries(s));
    EXPECT_TRUE(s.check_summary(10).empty());
}

TEST(summary, a_batch_rolled_back_takes_its_summary_entries_with_it) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    auto a = on_air_spot("police-tv", utc(2026, 12, 1, 0, 0));
    {
        store::batch b(s);
        s.close_airing(s.open_airing(a), a.scheduled_end, airing_status::aired);
    }
    EXPECT_TRUE(entries(s).empty());
    {
        store::batch b(s);
        s.close_airing(s.open_airing(a), a.scheduled_end, airing_status::aired);
        b.commit();
    }
    ASSERT_EQ(entries(s).size(), 1u);
    EXPECT_EQ(entries(s)[0].count, 1);
}

// Another process's write lock, as in writer_test.cpp: the writer spills to its journal.
class lock_holder {
public:
    explicit lock_holder(const std::filesystem::path& file)
        : db_(sqlite::open(file.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) {
        sqlite3_busy_timeout(db_.get(), 10'000);
        sqlite::exec(db_.get(), "BEGIN IMMEDIATE");
    }
    void release() { sqlite::exec(db_.get(), "COMMIT"); }

private:
    sqlite::db_ptr db_;
};

TEST(summary, rows_replayed_from_the_spill_journal_are_counted_once) {
    temp_dir dir;
    std::ostringstream log_text;
    core::logger log(log_text);
    writer_options fast;
    fast.retry_min = 5ms;
    fast.retry_max = 40ms;
    fast.busy_timeout = 20ms;
    const auto t0 = utc(2026, 12, 1, 0, 0);
    {
        writer w(dir.path(), log, fast);
        auto first = on_air_spot("police-tv", t0);
        auto t = w.open_airing(first);
        ASSERT_TRUE(w.wait_stored(10s));
        std::optional<lock_holder> lock(store_file(dir.path()));
        // from here the events go to the journal
        w.close_airing(t, first.scheduled_end, airing_status::aired);
        for (int i = 1; i < 4; ++i) {
            auto a = on_air_spot("police-tv", t0 + i * 1min);
            w.close_airing(w.open_airing(a), a.scheduled_start + 10s, airing_status::truncated,
                           "cut");
        }
        auto skipped = on_air_spot("police-tv", t0 + 5min);
        skipped.actual_start.reset();
        skipped.status = airing_status::skipped;
        w.record(skipped);
        ASSERT_TRUE(w.flush(10s));
        EXPECT_GT(w.status().spilled_total, 0u);
        lock->release();
        ASSERT_TRUE(w.wait_stored(10s));
    }
    EXPECT_FALSE(std::filesystem::exists(spill_file(dir.path())));
    store s(store_file(dir.path()), open_mode::read_only);
    const auto d = day(2026, 12, 1);
    const std::vector<summary_row> want{
        entry("police-tv", d, 7, airing_kind::spot, "road-safety", "spot-helmet",
              airing_status::aired, 1, whole),
        entry("police-tv", d, 7, airing_kind::spot, "road-safety", "spot-helmet",
              airing_status::skipped, 1, 0ms),
        entry("police-tv", d, 7, airing_kind::spot, "road-safety", "spot-helmet",
              airing_status::truncated, 3, 3 * 9'960ms),
    };
    EXPECT_EQ(entries(s), want) << describe(entries(s));
    EXPECT_TRUE(s.check_summary(10).empty());
    EXPECT_TRUE(verify_chain(s).ok());
}

// A skipped row (no airtime) of `channel` scheduled at `t`, written with zone `zone`.
airing skipped_at(const std::string& channel, core::instant t, const std::string& zone) {
    auto a = on_air_spot(channel, t);
    a.actual_start.reset();
    a.status = airing_status::skipped;
    a.timezone = zone;
    return a;
}

TEST(summary, days_and_hours_are_local_to_each_rows_zone_across_dst_changes) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    // Berlin, 2026-10-25: 03:00 CEST (UTC+2) goes back to 02:00 CET (UTC+1) at 01:00Z, so the
    // local hour 02 happens twice and the day has 25 hours.
    for (auto t : {utc(2026, 10, 24, 21, 30),   // 23:30 CEST, the 24th
                   utc(2026, 10, 24, 22, 30),   // 00:30 CEST, the 25th
                   utc(2026, 10, 25, 0, 30),    // 02:30 CEST
                   utc(2026, 10, 25, 1, 30),    // 02:30 CET: the same local hour again
                   utc(2026, 10, 25, 2, 30),    // 03:30 CET
                   utc(2026, 10, 25, 22, 59),   // 23:59 CET
                   utc(2026, 10, 25, 23, 0)}) { // 00:00 CET, the 26th
        s.record(skipped_at("radio-de", t, "Europe/Berlin"));
    }
    // New York, 2026-03-08: 02:00 EST (UTC-5) springs to 03:00 EDT (UTC-4) at 07:00Z.
    for (auto t : {utc(2026, 3, 8, 6, 59),   // 01:59 EST
                   utc(2026, 3, 8, 7, 0),    // 03:00 EDT
                   utc(2026, 3, 9, 3, 59),   // 23:59 EDT, still the 8th
                   utc(2026, 3, 9, 4, 0)}) { // 00:00 EDT, the 9th
        s.record(skipped_at("wnyc", t, "America/New_York"));
    }
    // A zone this system does not know, and none: UTC.
    s.record(skipped_at("mars", utc(2026, 6, 1, 23, 30), "Mars/Olympus_Mons"));
    s.record(skipped_at("mars", utc(2026, 6, 1, 22, 30), ""));

    std::vector<std::tuple<std::string, std::string, int, std::int64_t>> got;
    for (const auto& e : entries(s)) {
        got.emplace_back(e.channel, core::format_date(e.day), e.hour, e.count);
    }
    const std::vector<std::tuple<std::string, std::string, int, std::int64_t>> want{
        {"mars", "2026-06-01", 22, 1},     {"mars", "2026-06-01", 23, 1},
        {"radio-de", "2026-10-24", 23, 1}, {"radio-de", "2026-10-25", 0, 1},
        {"radio-de", "2026-10-25", 2, 2},  {"radio-de", "2026-10-25", 3, 1},
        {"radio-de", "2026-10-25", 23, 1}, {"radio-de", "2026-10-26", 0, 1},
        {"wnyc", "2026-03-08", 1, 1},      {"wnyc", "2026-03-08", 3, 1},
        {"wnyc", "2026-03-08", 23, 1},     {"wnyc", "2026-03-09", 0, 1},
    };
    EXPECT_EQ(got, want);
    // The day filter is in those local days: Berlin's 25th holds its 25 hours' rows.
    std::int64_t on_the_25th = 0;
    s.summary({"radio-de", {}, day(2026, 10, 25), day(2026, 10, 25)},
              [&](const summary_row& e) { on_the_25th += e.count; });
    EXPECT_EQ(on_the_25th, 5);
    EXPECT_TRUE(s.check_summary(10).empty());
}

// The local day and hour as the date library computes them from the zone, independently of
// the store.
std::pair<core::local_days, int> local_slot(core::instant t, const std::string& zone) {
    const auto* z = core::find_zone(zone);
    const auto local =
        date::make_zoned(z != nullptr ? z : core::find_zone("UTC"), t).get_local_time();
    const auto d = date::floor<date::days>(local);
    return {d, static_cast<int>(date::floor<std::chrono::hours>(local - d).count())};
}

using key = std::tuple<std::string, int, int, std::string, std::string, std::string, std::string>;

// Random rows over a year in zones with DST (whole and half hour) and odd offsets, written
// through every completion path: the summary equals what a plain loop over the rows counts.
TEST(summary, equals_a_plain_count_of_random_rows) {
    temp_dir dir;
    const auto file = dir.path() / "asrun.sqlite";
    store s(file);
    std::mt19937 rng(7);
    const std::vector<std::string> zones{"Asia/Vientiane",   "Europe/Berlin",
                                         "America/New_York", "Australia/Lord_Howe",
                                         "Asia/Kathmandu",   "Nowhere/None"};
    const std::vector<std::string> channels{"tv", "radio", "fm"};
    const auto start = utc(2026, 1, 1, 0, 0);
    std::map<key, std::pair<std::int64_t, std::int64_t>> want;
    {
        store::batch b(s); // one fsync for the lot
        for (int i = 0; i < 600; ++i) {
            auto a = on_air_spot(channels[rng() % channels.size()],
                                 start + std::chrono::minutes{rng() % (365 * 24 * 60)});
            a.timezone = zones[rng() % zones.size()];
            a.media = "m" + std::to_string(rng() % 3);
            if (rng() % 4 == 0) {
                a.campaign.reset();
                a.kind = airing_kind::programme;
            } else {
                a.campaign = "c" + std::to_string(rng() % 2);
            }
            const auto st = static_cast<airing_status>(rng() % 5);
            const auto end = *a.actual_start + std::chrono::milliseconds{rng() % 40'000};
            if (st == airing_status::interrupted) {
                s.open_airing(a);
                continue; // closed below, all at once
            }
            if (rng() % 2 == 0) {
                s.close_airing(s.open_airing(a), end, st);
            } else {
                a.actual_end = end;
                a.status = st;
                s.record(a);
            }
        }
        s.close_interrupted(start + std::chrono::hours{365 * 24});
        b.commit();
    }
    std::size_t rows = 0;
    s.airings({}, [&](const airing& a) {
        ++rows;
        const auto [d, h] = local_slot(a.scheduled_start, a.timezone);
        auto& counts = want[{a.channel, d.time_since_epoch().count(), h, to_string(a.kind),
                             a.campaign.value_or(""), a.media, to_string(*a.status)}];
        ++counts.first;
        if ((*a.status == airing_status::aired || *a.status == airing_status::truncated) &&
            *a.actual_end > *a.actual_start) {
            counts.second += (*a.actual_end - *a.actual_start).count();
        }
    });
    ASSERT_EQ(rows, 600u);
    std::map<key, std::pair<std::int64_t, std::int64_t>> got;
    for (const auto& e : entries(s)) {
        got[{e.channel, e.day.time_since_epoch().count(), e.hour, to_string(e.kind), e.campaign,
             e.media, to_string(e.status)}] = {e.count, e.airtime.count()};
    }
    EXPECT_EQ(got, want);
    EXPECT_TRUE(s.check_summary(10).empty());

    // Filters: each the subset of the whole, in the same order.
    const auto all = entries(s);
    for (const summary_filter& f :
         {summary_filter{"tv", {}, {}, {}}, summary_filter{{}, "c1", {}, {}},
          summary_filter{{}, "", {}, {}}, summary_filter{{}, {}, day(2026, 3, 1), {}},
          summary_filter{{}, {}, {}, day(2026, 3, 1)},
          summary_filter{{}, {}, day(2026, 3, 29), day(2026, 10, 25)},
          summary_filter{"radio", "c0", day(2026, 3, 29), day(2026, 10, 25)},
          summary_filter{"nobody", {}, day(2026, 3, 29), day(2026, 10, 25)}}) {
        std::vector<summary_row> subset;
        for (const auto& e : all) {
            if ((!f.channel || e.channel == *f.channel) &&
                (!f.campaign || e.campaign == *f.campaign) && (!f.from || e.day >= *f.from) &&
                (!f.to || e.day <= *f.to)) {
                subset.push_back(e);
            }
        }
        EXPECT_EQ(entries(s, f), subset)
            << f.channel.value_or("*") << ' ' << f.campaign.value_or("*");
    }

    // reindex gives the identical table
    const auto before = table(file);
    EXPECT_EQ(s.reindex_summary(), static_cast<std::int64_t>(before.size()));
    EXPECT_EQ(table(file), before);
}

TEST(summary, check_summary_names_an_edited_entry_and_a_removed_airing) {
    temp_dir dir;
    const auto file = dir.path() / "asrun.sqlite";
    store s(file);
    const auto t0 = utc(2026, 12, 1, 0, 0);
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 3; ++i) {
        auto a = on_air_spot(i == 2 ? "lao-radio" : "police-tv", t0 + i * 1min);
        ids.push_back(s.open_airing(a));
        s.close_airing(ids.back(), a.scheduled_end, airing_status::aired);
    }
    ASSERT_TRUE(s.check_summary(10).empty());

    exec(file, "UPDATE airing_summary SET airtime_ms = airtime_ms + 1 WHERE channel = "
               "'lao-radio'");
    EXPECT_EQ(s.check_summary(10),
              (std::vector<std::string>{
                  "summary entry (channel lao-radio, 2026-12-01 hour 07, spot, campaign "
                  "road-safety, media spot-helmet, aired): count 1, airtime 29.961 s; the rows "
                  "say count 1, airtime 29.960 s"}));
    exec(file, "DELETE FROM airings WHERE id = " + std::to_string(ids[0]));
    const auto both = s.check_summary(10);
    EXPECT_EQ(both,
              (std::vector<std::string>{
                  "summary entry (channel lao-radio, 2026-12-01 hour 07, spot, campaign "
                  "road-safety, media spot-helmet, aired): count 1, airtime 29.961 s; the rows "
                  "say count 1, airtime 29.960 s",
                  "summary entry (channel police-tv, 2026-12-01 hour 07, spot, campaign "
                  "road-safety, media spot-helmet, aired): count 2, airtime 59.920 s; the rows "
                  "say count 1, airtime 29.960 s",
                  // the summary by day is checked against the rows too
                  "summary entry (channel police-tv, 2026-12-01 (by day), spot, campaign "
                  "road-safety, media spot-helmet, aired): count 2, airtime 59.920 s; the rows "
                  "say count 1, airtime 29.960 s"}));
    EXPECT_EQ(s.check_summary(1).size(), 1u);
    EXPECT_EQ(s.check_summary(10, std::string("police-tv")),
              (std::vector<std::string>{both[1], both[2]}));
    EXPECT_TRUE(s.check_summary(10, std::string("nobody")).empty());

    // an entry with no rows at all, and an entry missing: both named
    exec(file, "DELETE FROM airing_summary WHERE channel = 'police-tv'; INSERT INTO "
               "airing_summary VALUES ('police-tv', 20000, 25, 'bogus', '', 'x', 'gone', 1, 0)");
    EXPECT_EQ(s.check_summary(10, std::string("police-tv")),
              (std::vector<std::string>{
                  "summary entry (channel police-tv, 2024-10-04 hour 25, bogus, campaign -, "
                  "media x, gone): count 1, airtime 0.000 s; no such rows",
                  "summary entry (channel police-tv, 2026-12-01 hour 07, spot, campaign "
                  "road-safety, media spot-helmet, aired): missing; the rows say count 1, "
                  "airtime 29.960 s",
                  "summary entry (channel police-tv, 2026-12-01 (by day), spot, campaign "
                  "road-safety, media spot-helmet, aired): count 2, airtime 59.920 s; the rows "
                  "say count 1, airtime 29.960 s"}));
    // reading such an entry is an error that says what to do
    try {
        entries(s);
        FAIL() << "read a summary entry of kind 'bogus'";
    } catch (const store_error& e) {
        EXPECT_NE(std::string(e.what()).find("--reindex"), std::string::npos) << e.what();
    }
    EXPECT_EQ(s.reindex_summary(), 2);
    EXPECT_TRUE(s.check_summary(10).empty());
}

// A schema 2 file, as the previous onair left it: the current schema less what version 3 added.
void make_schema_2(const std::filesystem::path& file) {
    exec(file, "DROP INDEX airings_missed; DROP TABLE airing_summary; DROP TABLE "
               "airing_summary_day; ALTER TABLE airings DROP COLUMN make_good_of_ms; "
               "PRAGMA user_version = 2");
}

TEST(summary, a_schema_2_file_is_read_from_its_rows_then_migrated_with_its_summary_filled) {
    temp_dir dir;
    const auto file = dir.path() / "asrun.sqlite";
    const auto t0 = utc(2026, 10, 24, 20, 0);
    std::int64_t open_id = 0;
    {
        store s(file);
        for (int i = 0; i < 40; ++i) {
            auto a = on_air_spot(i % 3 == 0 ? "radio-de" : "police-tv", t0 + i * 17min);
            a.timezone = i % 3 == 0 ? "Europe/Berlin" : "Asia/Vientiane";
            a.media = "m" + std::to_string(i % 4);
            const auto st = static_cast<airing_status>(i % 4);
            if (st == airing_status::skipped) {
                a.actual_start.reset();
                a.status = st;
                s.record(a);
            } else {
                s.close_airing(s.open_airing(a), a.scheduled_start + std::chrono::seconds{i}, st);
            }
        }
        open_id = s.open_airing(on_air_spot("police-tv", t0 + 12h));
    }
    std::vector<std::string> built = table(file); // what the store kept, row by row
    make_schema_2(file);
    const std::vector<summary_filter> filters{{},
                                              {"radio-de", {}, {}, {}},
                                              {{}, {}, day(2026, 10, 25), day(2026, 10, 25)},
                                              {"police-tv", "road-safety", day(2026, 10, 25), {}}};
    std::vector<std::vector<summary_row>> from_rows;
    std::vector<airing> missed_v2;
    {
        // read-only beside an older daemon: computed from the rows, the same answers
        store old(file, open_mode::read_only);
        ASSERT_EQ(old.settings().schema_version, 2);
        for (const auto& f : filters) {
            from_rows.push_back(entries(old, f));
        }
        EXPECT_FALSE(from_rows[0].empty());
        EXPECT_TRUE(old.check_summary(10).empty()); // no summary to disagree
        old.missed({}, [&](const airing& a) { missed_v2.push_back(a); });
    }
    store s(file);
    EXPECT_EQ(s.settings().schema_version, store::schema_version);
    EXPECT_EQ(table(file), built); // the migration fills what the completions had kept
    for (std::size_t i = 0; i < filters.size(); ++i) {
        EXPECT_EQ(entries(s, filters[i]), from_rows[i]) << i;
    }
    EXPECT_TRUE(s.check_summary(10).empty());
    std::vector<airing> missed_v3;
    s.missed({}, [&](const airing& a) { missed_v3.push_back(a); });
    EXPECT_EQ(missed_v3, missed_v2);
    EXPECT_EQ(missed_v3.size(), 30u);
    // the row left open under version 2 is counted when it is closed
    const auto before = entries(s).size();
    EXPECT_EQ(s.close_interrupted(t0 + 13h), 1u);
    EXPECT_EQ(s.find(open_id)->status, airing_status::interrupted);
    EXPECT_EQ(entries(s).size(), before + 1);
    EXPECT_TRUE(s.check_summary(10).empty());
}

TEST(summary, missed_streams_the_rows_that_did_not_air_whole_in_scheduled_order) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    const auto t0 = utc(2026, 12, 1, 0, 0);
    std::vector<std::int64_t> want_all, want_tv_window;
    // written out of order: the read orders by scheduled start, then id
    for (int i : {5, 0, 3, 1, 4, 2, 6, 7}) {
        auto a = on_air_spot(i % 2 == 0 ? "police-tv" : "lao-radio", t0 + i * 1min);
        const auto st = static_cast<airing_status>(i % 5); // aired for 0 and 5
        const auto id = s.open_airing(a);
        s.close_airing(id, a.scheduled_start + 5s, st, "why " + std::to_string(i));
    }
    s.open_airing(on_air_spot("police-tv", t0 + 8min)); // on air: not completed, not missed
    std::vector<std::pair<int, std::string>> got;
    s.missed({}, [&](const airing& a) {
        got.emplace_back(static_cast<int>((a.scheduled_start - t0) / 1min), *a.detail);
        EXPECT_NE(*a.status, airing_status::aired);
        EXPECT_TRUE(a.chain);
    });
    EXPECT_EQ(
        got,
        (std::vector<std::pair<int, std::string>>{
            {1, "why 1"}, {2, "why 2"}, {3, "why 3"}, {4, "why 4"}, {6, "why 6"}, {7, "why 7"}}));
    std::vector<int> tv;
    s.missed({"police-tv", t0 + 2min, t0 + 6min}, [&](const airing& a) {
        tv.push_back(static_cast<int>((a.scheduled_start - t0) / 1min));
    });
    EXPECT_EQ(tv, (std::vector<int>{2, 4}));
    std::vector<int> from;
    s.missed({{}, t0 + 4min, {}}, [&](const airing& a) {
        from.push_back(static_cast<int>((a.scheduled_start - t0) / 1min));
    });
    EXPECT_EQ(from, (std::vector<int>{4, 6, 7}));
}

// What SQLite's planner says it does for `sql`: the detail column of EXPLAIN QUERY PLAN.
std::string query_plan(sqlite3* db, const std::string& sql) {
    auto s = sqlite::prepare(db, "EXPLAIN QUERY PLAN " + sql);
    std::string plan;
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
        plan += reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 3));
        plan += '\n';
    }
    return plan;
}

TEST(summary, summary_and_missed_read_through_their_index_without_sorting) {
    temp_dir dir;
    const auto file = dir.path() / "asrun.sqlite";
    { store s(file); }
    auto db = sqlite::open(file.string(), SQLITE_OPEN_READONLY);
    const auto d0 = day(2026, 12, 1);
    const auto d1 = day(2026, 12, 31);
    const auto t0 = utc(2026, 12, 1, 0, 0);
    const auto t1 = utc(2026, 12, 8, 0, 0);
    struct expectation {
        std::string sql;
        std::string uses;
    };
    const std::vector<expectation> cases{
        {store::summary_sql({"police-tv", {}, d0, d1}),
         "SEARCH airing_summary USING PRIMARY KEY (channel=? AND day>? AND day<?)"},
        {store::summary_sql({"police-tv", "road-safety", d0, d1}),
         "SEARCH airing_summary USING PRIMARY KEY (channel=? AND day>? AND day<?)"},
        {store::summary_sql({"police-tv", {}, d0, {}}),
         "SEARCH airing_summary USING PRIMARY KEY (channel=? AND day>?)"},
        {store::summary_sql({"police-tv", {}, {}, {}}),
         "SEARCH airing_summary USING PRIMARY KEY (channel=?)"},
        {store::summary_sql({}), "SCAN airing_summary"},
        {store::missed_sql({}), "SCAN airings USING INDEX airings_missed"},
        {store::missed_sql({{}, t0, t1}),
         "SEARCH airings USING INDEX airings_missed (scheduled_start_ms>? AND "
         "scheduled_start_ms<?)"},
        {store::missed_sql({"police-tv", t0, t1}),
         "SEARCH airings USING INDEX airings_missed (scheduled_start_ms>? AND "
         "scheduled_start_ms<?)"},
    };
    for (const auto& c : cases) {
        auto plan = query_plan(db.get(), c.sql);
        EXPECT_NE(plan.find(c.uses), std::string::npos) << c.sql << "\n" << plan;
        EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << c.sql << "\n" << plan;
    }
    EXPECT_EQ(sqlite::query_int(db.get(), "SELECT count(*) FROM sqlite_master WHERE name IN "
                                          "('airing_summary', 'airings_missed')"),
              2);
}

} // namespace
} // namespace onair::asrun
