// The as-run sink against a real PostgreSQL: rows arrive in order, once, resumably; an outage
// costs nothing.

#include "asrun_pg/connection.hpp"
#include "asrun_pg/national.hpp"
#include "asrun_pg/schema.hpp"
#include "asrun_pg/sink.hpp"
#include "national_fixture.hpp"
#include "postgres.hpp"
#include "process.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <thread>

namespace onair::national_test {
namespace {

using test_support::postgres_server;

std::int64_t count(postgres_server& pg, const std::string& where = "TRUE") {
    return std::stoll(pg.sql("SELECT count(*) FROM asrun WHERE " + where));
}

asrun_pg::sink_options options_for(const postgres_server& pg, const std::string& station,
                                   const std::filesystem::path& file) {
    asrun_pg::sink_options o;
    o.dsn = pg.dsn();
    o.station = station;
    o.store_file = file;
    return o;
}

TEST(sink, ships_every_row_in_order_once_and_resumes_where_the_database_stopped) {
    postgres_server pg;
    ASSERT_TRUE(pg.available() && pg.start());
    asrun::test::temp_dir dir;
    const auto file = dir.path() / "asrun.sqlite";
    record_all(file, vte_rows());

    auto o = options_for(pg, "vte-police", file);
    o.batch = 2;
    {
        asrun_pg::shipper s(o);
        EXPECT_EQ(s.step(), 2u);
        EXPECT_EQ(s.step(), 2u);
        EXPECT_EQ(s.step(), 2u);
        EXPECT_EQ(s.step(), 0u);
        EXPECT_EQ(s.status().shipped_seq, 6);
        EXPECT_EQ(s.status().local_seq, 6);
    }
    asrun::store local(file, asrun::open_mode::read_only);
    std::vector<airing> want;
    local.completed_in_order([&](const airing& a) { want.push_back(a); });
    ASSERT_EQ(want.size(), 6u);
    // every field as the store holds it, read back through the same columns verify reads
    EXPECT_EQ(pg.sql("SELECT string_agg(seq || ':' || local_id, ',' ORDER BY seq) FROM asrun"),
              "1:1,2:2,3:3,4:4,5:5,6:6\n");
    EXPECT_EQ(pg.sql("SELECT detail FROM asrun WHERE seq = 2"),
              "cannot open \"tip.mp4\": {missing}, \\ gone\n");
    EXPECT_EQ(pg.sql("SELECT kind, make_good_of_ms, campaign IS NULL FROM asrun WHERE seq IN (3, "
                     "6) ORDER BY seq"),
              "make-good|" + std::to_string(utc(2026, 10, 24, 10, 0).time_since_epoch().count()) +
                  "|f\nprogramme||t\n");
    EXPECT_EQ(pg.sql("SELECT DISTINCT source FROM asrun"), *want.front().chain + "\n");
    asrun_pg::connection c(pg.dsn());
    const auto checks = asrun_pg::verify_database(c, std::nullopt);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_TRUE(checks[0].result.ok());
    EXPECT_EQ(checks[0].result.rows, 6u);
    EXPECT_EQ(checks[0].result.head, *local.chain_head());

    // a restart (a new shipper) asks the database where it stopped: nothing is sent twice
    asrun_pg::shipper again(o);
    EXPECT_EQ(again.step(), 0u);
    EXPECT_EQ(count(pg), 6);
    record_all(file, lpb_rows()); // three more rows in the same store
    EXPECT_EQ(again.step(), 2u);
    EXPECT_EQ(again.step(), 1u);
    EXPECT_EQ(again.step(), 0u);
    EXPECT_EQ(pg.sql("SELECT string_agg(seq::text, ',' ORDER BY seq) FROM asrun"),
              "1,2,3,4,5,6,7,8,9\n");
    EXPECT_EQ(asrun_pg::version_of(c), asrun_pg::schema_version);
}

TEST(sink, a_database_that_is_away_costs_nothing_and_the_rows_catch_up_once) {
    postgres_server pg;
    ASSERT_TRUE(pg.available() && pg.start());
    asrun::test::temp_dir dir;
    const auto file = dir.path() / "asrun.sqlite";
    auto many = [&](int n, int from) {
        std::vector<airing> out;
        for (int i = 0; i < n; ++i) {
            out.push_back(spot("radio", "UTC", "tip",
                               utc(2026, 11, 1, 0, 0) + std::chrono::minutes(from + i),
                               airing_status::aired));
        }
        return out;
    };
    record_all(file, many(200, 0));
    std::ostringstream logged;
    core::logger log(logged);
    auto o = options_for(pg, "lpb-radio", file);
    o.poll = std::chrono::milliseconds(50);
    o.retry_min = std::chrono::milliseconds(100);
    o.retry_max = std::chrono::milliseconds(400);
    o.batch = 500;
    auto wait_for = [&](asrun_pg::sink& s, auto done) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!done(s.status()) && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return done(s.status());
    };
    {
        asrun_pg::sink s(o, log);
        ASSERT_TRUE(wait_for(s, [](const asrun_pg::sink_status& st) {
            return st.connected && st.shipped_seq == 200;
        }));
        ASSERT_TRUE(pg.stop());
        // the station airs on: 3000 more rows while the database is away
        record_all(file, many(3000, 200));
        ASSERT_TRUE(wait_for(s, [](const asrun_pg::sink_status& st) {
            return !st.connected && st.local_seq == 3200;
        })) << logged.str();
        EXPECT_EQ(s.status().lag(), 3000);
        ASSERT_TRUE(pg.start());
        ASSERT_TRUE(wait_for(s, [](const asrun_pg::sink_status& st) {
            return st.connected && st.lag() == 0;
        })) << logged.str();
        EXPECT_EQ(s.status().shipped_seq, 3200);
    }
    EXPECT_EQ(count(pg), 3200);
    EXPECT_EQ(pg.sql("SELECT min(seq) || ',' || max(seq) || ',' || count(DISTINCT seq) FROM asrun"),
              "1,3200,3200\n");
    asrun_pg::connection c(pg.dsn());
    const auto checks = asrun_pg::verify_database(c, "lpb-radio");
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_TRUE(checks[0].result.ok());
    EXPECT_EQ(checks[0].result.rows, 3200u);
    const auto text = logged.str();
    // one warning for the outage (not one per retry), then the catch-up with its rate: what
    // the database did not hold when it came back (a batch it committed as it went down
    // counts as shipped: the sink asked it where it stood)
    EXPECT_EQ(test_support::count_of(text, "cannot ship to PostgreSQL"), 1) << text;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(
        text, m, std::regex(R"(station=lpb-radio shipped_seq=(\d+) local_seq=3200\n)")))
        << text;
    const auto behind = 3200 - std::stoi(m[1]);
    EXPECT_NE(text.find("as-run sink: caught up rows=" + std::to_string(behind) +
                        " behind=" + std::to_string(behind) + " "),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("password"), std::string::npos);
}

TEST(sink, a_bad_dsn_or_station_is_reported_not_thrown_and_air_is_not_held) {
    asrun::test::temp_dir dir;
    const auto file = dir.path() / "asrun.sqlite";
    record_all(file, lpb_rows());
    std::ostringstream logged;
    core::logger log(logged);
    asrun_pg::sink_options o;
    o.dsn = "postgresql://onair:s3cret@127.0.0.1:1/none"; // nothing listens on port 1
    o.station = "lpb-radio";
    o.store_file = file;
    o.retry_min = std::chrono::milliseconds(50);
    const auto t0 = std::chrono::steady_clock::now();
    {
        asrun_pg::sink s(o, log);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        EXPECT_FALSE(s.status().connected);
        EXPECT_EQ(s.status().local_seq, 3);
        EXPECT_EQ(s.status().lag(), 3);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
    const auto text = logged.str();
    EXPECT_NE(text.find("cannot ship to PostgreSQL"), std::string::npos) << text;
    EXPECT_EQ(text.find("s3cret"), std::string::npos) << text; // the password never shows
}

} // namespace
} // namespace onair::national_test
