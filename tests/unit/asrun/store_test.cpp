#include "asrun/sqlite_handle.hpp"
#include "asrun/store.hpp"
#include "asrun_fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <vector>

namespace onair::asrun {
namespace {

using test::on_air_spot;
using test::temp_dir;
using test::utc;
using namespace std::chrono_literals;

std::vector<airing> all_rows(const store& s, const filter& f = {}) {
    std::vector<airing> rows;
    s.airings(f, [&](const airing& a) { rows.push_back(a); });
    return rows;
}

TEST(store, creates_its_folder_and_file) {
    temp_dir dir;
    auto file = dir.path() / "state" / "nested" / "asrun.sqlite";
    store s(file);
    EXPECT_TRUE(std::filesystem::exists(file));
    EXPECT_EQ(s.path(), file);
    EXPECT_TRUE(all_rows(s).empty());
}

TEST(store, runs_with_wal_synchronous_full_and_a_schema_version) {
    temp_dir dir;
    auto file = dir.path() / "asrun.sqlite";
    store s(file);
    auto settings = s.settings();
    EXPECT_EQ(settings.journal_mode, "wal");
    EXPECT_EQ(settings.synchronous, 2); // FULL
    EXPECT_GT(settings.busy_timeout_ms, 0);
    EXPECT_EQ(settings.schema_version, store::schema_version);

    // WAL and the version live in the file: another connection sees them too.
    auto db = sqlite::open(file.string(), SQLITE_OPEN_READONLY);
    EXPECT_EQ(sqlite::query_text(db.get(), "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(sqlite::query_int(db.get(), "PRAGMA user_version"), store::schema_version);
    // The indexes the exports use are there.
    EXPECT_EQ(sqlite::query_int(db.get(), "SELECT count(*) FROM sqlite_master WHERE type = "
                                          "'index' AND name IN ('airings_by_channel', "
                                          "'airings_by_start')"),
              2);
}

TEST(store, reopening_keeps_rows_and_does_not_migrate_again) {
    temp_dir dir;
    auto file = dir.path() / "asrun.sqlite";
    std::int64_t id = 0;
    {
        store s(file);
        id = s.open_airing(on_air_spot("police-tv", utc(2026, 12, 1, 0, 0)));
    }
    store s(file);
    EXPECT_TRUE(s.find(id).has_value());
    EXPECT_EQ(s.settings().schema_version, store::schema_version);
}

TEST(store, refuses_a_store_from_a_newer_onair) {
    temp_dir dir;
    auto file = dir.path() / "asrun.sqlite";
    { store s(file); }
    {
        auto db = sqlite::open(file.string(), SQLITE_OPEN_READWRITE);
        sqlite::exec(db.get(), "PRAGMA user_version = 99");
    }
    EXPECT_THROW(store{file}, store_error);
    EXPECT_THROW(store(file, open_mode::read_only), store_error);
}

TEST(store, an_open_then_closed_airing_reads_back_exactly) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    airing a;
    a.channel = "police-tv";
    a.kind = airing_kind::spot;
    a.media = "spot-helmet";
    a.campaign = "road-safety";
    a.break_id = "b0700";
    a.title = "ໃສ່ໝວກກັນກະທົບ, \"ທຸກຄັ້ງ\"";
    a.file = "/srv/media/helmet.mp4";
    a.scheduled_start = utc(2026, 11, 30, 23, 58);
    a.scheduled_end = utc(2026, 11, 30, 23, 58, 30);
    a.actual_start = utc(2026, 11, 30, 23, 58, 0, 12);
    a.timezone = "Asia/Vientiane";

    auto id = s.open_airing(a);
    EXPECT_GT(id, 0);
    auto open = s.find(id);
    ASSERT_TRUE(open);
    a.id = id;
    EXPECT_EQ(*open, a);
    EXPECT_TRUE(open->open());

    ASSERT_TRUE(s.close_airing(id, utc(2026, 11, 30, 23, 58, 20, 500), airing_status::truncated,
                               "operator skip"));
    a.actual_end = utc(2026, 11, 30, 23, 58, 20, 500);
    a.status = airing_status::truncated;
    a.detail = "operator skip";
    // completed: now first in the chain
    a.seq = 1;
    a.chain = s.find(id)->chain;
    ASSERT_TRUE(a.chain);
    EXPECT_EQ(a.chain->size(), 64u);
    EXPECT_EQ(*s.find(id), a);
    auto rows = all_rows(s);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0], a);
}

TEST(store, a_recorded_airing_keeps_its_nulls) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    airing a;
    a.channel = "lao-radio";
    a.kind = airing_kind::programme;
    a.media = "news";
    a.title = "";
    a.file = "/srv/media/news.mp3";
    a.scheduled_start = utc(2026, 12, 1, 5, 0);
    a.scheduled_end = utc(2026, 12, 1, 5, 30);
    a.status = airing_status::skipped;
    a.timezone = "Europe/Berlin";
    a.id = s.record(a);
    auto back = s.find(a.id);
    ASSERT_TRUE(back);
    a.seq = 1;
    a.chain = back->chain;
    EXPECT_EQ(*back, a);
    EXPECT_FALSE(back->campaign);
    EXPECT_FALSE(back->break_id);
    EXPECT_FALSE(back->actual_start);
    EXPECT_FALSE(back->actual_end);
    EXPECT_FALSE(back->detail);

    a.status = airing_status::failed;
    a.detail = "file missing: /srv/media/news.mp3";
    a.actual_start = a.scheduled_start;
    a.actual_end = a.scheduled_start;
    a.media_sha256 = std::string(64, 'a');
    a.id = s.record(a);
    a.seq = 2;
    a.chain = s.find(a.id)->chain;
    EXPECT_NE(a.chain, back->chain);
    EXPECT_EQ(*s.find(a.id), a);
}

TEST(store, misuse_is_refused) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    auto a = on_air_spot("police-tv", utc(2026, 12, 1, 0, 0));

    auto no_start = a;
    no_start.actual_start.reset();
    EXPECT_THROW(s.open_airing(no_start), std::invalid_argument);
    auto closed = a;
    closed.status = airing_status::aired;
    EXPECT_THROW(s.open_airing(closed), std::invalid_argument);
    EXPECT_THROW(s.record(a), std::invalid_argument); // no status

    auto id = s.open_airing(a);
    EXPECT_TRUE(s.close_airing(id, utc(2026, 12, 1, 0, 0, 30), airing_status::aired));
    EXPECT_FALSE(s.close_airing(id, utc(2026, 12, 1, 0, 1), airing_status::failed, "again"));
    EXPECT_EQ(s.find(id)->status, airing_status::aired);
    EXPECT_FALSE(s.close_airing(id + 100, utc(2026, 12, 1, 0, 1), airing_status::aired));
    EXPECT_FALSE(s.find(id + 100));
}

TEST(store, close_interrupted_closes_exactly_the_open_rows) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    const auto alive = utc(2026, 12, 1, 1, 0);

    auto open_before = s.open_airing(on_air_spot("police-tv", utc(2026, 12, 1, 0, 59)));
    // Started after the last sign of life (clocks disagree): it ends where it started.
    auto open_after = s.open_airing(on_air_spot("lao-radio", utc(2026, 12, 1, 1, 5)));
    auto closed = s.open_airing(on_air_spot("police-tv", utc(2026, 12, 1, 0, 58)));
    ASSERT_TRUE(s.close_airing(closed, utc(2026, 12, 1, 0, 58, 30), airing_status::aired));
    auto skipped_row = on_air_spot("police-tv", utc(2026, 12, 1, 0, 57));
    skipped_row.actual_start.reset();
    skipped_row.status = airing_status::skipped;
    auto skipped = s.record(skipped_row);

    const auto closed_before = *s.find(closed);
    const auto skipped_before = *s.find(skipped);
    auto first_before = *s.find(open_before);
    auto second_before = *s.find(open_after);

    EXPECT_EQ(s.close_interrupted(alive), 2u);

    // chained after the two rows completed before, in id order
    first_before.actual_end = alive;
    first_before.status = airing_status::interrupted;
    first_before.seq = 3;
    first_before.chain = s.find(open_before)->chain;
    EXPECT_EQ(*s.find(open_before), first_before);
    second_before.actual_end = second_before.actual_start;
    second_before.status = airing_status::interrupted;
    second_before.seq = 4;
    second_before.chain = s.find(open_after)->chain;
    EXPECT_EQ(*s.find(open_after), second_before);
    EXPECT_EQ(*s.find(closed), closed_before);
    EXPECT_EQ(*s.find(skipped), skipped_before);

    EXPECT_EQ(s.close_interrupted(alive + 1h), 0u);
    EXPECT_EQ(s.find(open_before)->actual_end, alive);
}

TEST(store, read_only_reads_and_never_writes) {
    temp_dir dir;
    auto file = dir.path() / "asrun.sqlite";
    EXPECT_THROW(store(file, open_mode::read_only), store_error); // missing
    EXPECT_FALSE(std::filesystem::exists(file));

    store writer(file);
    auto id = writer.open_airing(on_air_spot("police-tv", utc(2026, 12, 1, 0, 0)));
    store reader(file, open_mode::read_only);
    ASSERT_EQ(all_rows(reader).size(), 1u);
    EXPECT_THROW(reader.open_airing(on_air_spot("police-tv", utc(2026, 12, 1, 0, 1))), store_error);
    EXPECT_THROW(reader.close_airing(id, utc(2026, 12, 1, 0, 1), airing_status::aired),
                 store_error);
    EXPECT_THROW(reader.close_interrupted(utc(2026, 12, 1, 0, 1)), store_error);

    // The writer goes on while the reader is open, and the reader sees its commits.
    ASSERT_TRUE(writer.close_airing(id, utc(2026, 12, 1, 0, 0, 30), airing_status::aired));
    EXPECT_EQ(reader.find(id)->status, airing_status::aired);
}

TEST(store, an_empty_file_reads_as_an_empty_log) {
    temp_dir dir;
    auto file = dir.path() / "asrun.sqlite";
    { std::ofstream{file}; }
    store reader(file, open_mode::read_only);
    EXPECT_TRUE(all_rows(reader).empty());
    EXPECT_FALSE(reader.find(1));
}

TEST(store, a_file_that_is_not_a_database_is_an_error_with_sqlites_message) {
    temp_dir dir;
    auto file = dir.path() / "asrun.sqlite";
    {
        std::ofstream out(file);
        out << "this is not a database, but it is long enough to have a header page....\n";
    }
    try {
        store s(file);
        FAIL() << "opened a text file as a store";
    } catch (const store_error& e) {
        EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
    }
}

TEST(store, filters_by_channel_and_window_in_scheduled_order) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    const auto t0 = utc(2026, 12, 1, 0, 0);
    // Written out of order: the read orders by scheduled start, then id.
    auto c = s.open_airing(on_air_spot("police-tv", t0 + 2min));
    auto a = s.open_airing(on_air_spot("police-tv", t0));
    auto r = s.open_airing(on_air_spot("lao-radio", t0 + 1min));
    auto b = s.open_airing(on_air_spot("police-tv", t0 + 1min));
    auto d = s.open_airing(on_air_spot("police-tv", t0 + 3min));

    auto ids = [&](const filter& f) {
        std::vector<std::int64_t> out;
        s.airings(f, [&](const airing& row) { out.push_back(row.id); });
        return out;
    };
    EXPECT_EQ(ids({}), (std::vector<std::int64_t>{a, r, b, c, d}));
    EXPECT_EQ(ids({"police-tv", {}, {}}), (std::vector<std::int64_t>{a, b, c, d}));
    EXPECT_EQ(ids({"lao-radio", {}, {}}), (std::vector<std::int64_t>{r}));
    EXPECT_EQ(ids({"nobody", {}, {}}), (std::vector<std::int64_t>{}));
    // from included, to excluded
    EXPECT_EQ(ids({{}, t0 + 1min, t0 + 3min}), (std::vector<std::int64_t>{r, b, c}));
    EXPECT_EQ(ids({"police-tv", t0 + 1min, t0 + 3min}), (std::vector<std::int64_t>{b, c}));
    EXPECT_EQ(ids({{}, t0 + 3min, {}}), (std::vector<std::int64_t>{d}));
    EXPECT_EQ(ids({{}, {}, t0 + 1min}), (std::vector<std::int64_t>{a}));
    EXPECT_EQ(ids({{}, t0 + 1min, t0 + 1min}), (std::vector<std::int64_t>{}));
    EXPECT_EQ(ids({{}, t0 + 1min + 1ms, {}}), (std::vector<std::int64_t>{c, d}));
}

TEST(store, streams_a_hundred_thousand_rows) {
    temp_dir dir;
    auto file = dir.path() / "asrun.sqlite";
    { store s(file); }
    constexpr int rows = 100'000;
    {
        // The store commits each row on its own (an fsync each); fill it in one transaction.
        auto db = sqlite::open(file.string(), SQLITE_OPEN_READWRITE);
        // test data, not airings: no need to wait for the disk
        sqlite::exec(db.get(), "PRAGMA synchronous = OFF");
        sqlite::exec(db.get(), "PRAGMA cache_size = -65536");
        sqlite::exec(db.get(), "BEGIN");
        auto ins = sqlite::prepare(
            db.get(), "INSERT INTO airings (channel, kind, media, title, file, "
                      "scheduled_start_ms, scheduled_end_ms, actual_start_ms, actual_end_ms, "
                      "status, timezone) VALUES (?1, 'spot', 'm', 't', 'f', ?2, ?2 + 30000, ?2, "
                      "?2 + 30000, 'aired', 'Asia/Vientiane')");
        const auto base = utc(2026, 1, 1, 0, 0).time_since_epoch().count();
        for (int i = 0; i < rows; ++i) {
            sqlite::reset_guard reset(ins.get());
            sqlite::bind_text(db.get(), ins.get(), 1, i % 2 == 0 ? "police-tv" : "lao-radio");
            // descending, so the order must come from the index, not from insertion
            sqlite::bind_int(db.get(), ins.get(), 2, base + (rows - i) * 30'000LL);
            sqlite::check(db.get(), sqlite3_step(ins.get()), "insert", SQLITE_DONE);
        }
        sqlite::exec(db.get(), "COMMIT");
    }
    store s(file, open_mode::read_only);
    std::size_t seen = 0;
    core::instant last{};
    bool ordered = true;
    s.airings({}, [&](const airing& a) {
        ordered = ordered && (seen == 0 || last < a.scheduled_start);
        last = a.scheduled_start;
        ++seen;
    });
    EXPECT_EQ(seen, static_cast<std::size_t>(rows));
    EXPECT_TRUE(ordered);
    seen = 0;
    s.airings({"lao-radio", {}, {}}, [&](const airing&) { ++seen; });
    EXPECT_EQ(seen, static_cast<std::size_t>(rows / 2));
}

} // namespace
} // namespace onair::asrun

namespace onair::asrun {
namespace {

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

TEST(store, exports_reports_and_verify_read_through_an_index_without_sorting) {
    temp_dir dir;
    const auto file = dir.path() / "asrun.sqlite";
    { store s(file); }
    auto db = sqlite::open(file.string(), SQLITE_OPEN_READONLY);
    const auto t0 = utc(2026, 12, 1, 0, 0);
    const auto t1 = utc(2026, 12, 8, 0, 0);
    struct expectation {
        std::string sql;
        const char* index;
    };
    const std::vector<expectation> cases{
        // the report: every channel over the union of their windows, in time order
        {store::outcomes_sql({{}, t0, t1}),
         "airings_by_start (scheduled_start_ms>? AND scheduled_start_ms<?)"},
        {store::outcomes_sql({"police-tv", t0, t1}), "airings_by_channel (channel=? AND "
                                                     "scheduled_start_ms>? AND "
                                                     "scheduled_start_ms<?)"},
        // exports
        {store::airings_sql({"police-tv", t0, t1}), "airings_by_channel (channel=? AND "
                                                    "scheduled_start_ms>? AND "
                                                    "scheduled_start_ms<?)"},
        {store::airings_sql({"police-tv", {}, {}}), "airings_by_channel (channel=?)"},
        {store::airings_sql({{}, t0, t1}),
         "airings_by_start (scheduled_start_ms>? AND scheduled_start_ms<?)"},
        {store::airings_sql({}), "airings_by_start"},
        // verify
        {store::chain_walk_sql(), "airings_by_seq (seq>?)"},
    };
    for (const auto& c : cases) {
        auto plan = query_plan(db.get(), c.sql);
        EXPECT_NE(plan.find(std::string("USING INDEX ") + c.index), std::string::npos)
            << c.sql << "\n"
            << plan;
        EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << c.sql << "\n" << plan;
    }
    // pages of an export: seek past the last row sent, never scan from the start
    const std::vector<expectation> pages{
        {store::airings_page_sql({}, false), "airings_by_start"},
        {store::airings_page_sql({}, true), "airings_by_start (scheduled_start_ms>?)"},
        {store::airings_page_sql({"police-tv", t0, t1}, true),
         "airings_by_channel (channel=? AND scheduled_start_ms>? AND scheduled_start_ms<?)"},
    };
    for (const auto& c : pages) {
        auto plan = query_plan(db.get(), c.sql);
        EXPECT_NE(plan.find(std::string("USING INDEX ") + c.index), std::string::npos)
            << c.sql << "\n"
            << plan;
        EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << c.sql << "\n" << plan;
    }
}

} // namespace
} // namespace onair::asrun

namespace onair::asrun {
namespace {

TEST(store, a_batch_is_one_transaction_and_a_write_that_changes_nothing_undoes_only_itself) {
    temp_dir dir;
    store s(dir.path() / "asrun.sqlite");
    const auto t = test::utc(2026, 12, 1, 7, 0);
    {
        store::batch b(s);
        auto id = s.open_airing(test::on_air_spot("police-tv", t));
        EXPECT_FALSE(s.close_airing(id + 100, t + 30s, airing_status::aired)); // not open
        EXPECT_TRUE(s.close_airing(id, t + 30s, airing_status::aired));
        auto skipped = test::on_air_spot("police-tv", t + 30s);
        skipped.actual_start.reset();
        skipped.status = airing_status::skipped;
        s.record(skipped);
        b.commit();
    }
    {
        store::batch b(s); // left without commit: rolled back, chain included
        s.record([&] {
            auto r = test::on_air_spot("police-tv", t + 60s);
            r.status = airing_status::failed;
            return r;
        }());
    }
    std::vector<std::optional<std::int64_t>> seqs;
    s.airings({}, [&](const airing& a) { seqs.push_back(a.seq); });
    EXPECT_EQ(seqs, (std::vector<std::optional<std::int64_t>>{1, 2}));
}

} // namespace
} // namespace onair::asrun
