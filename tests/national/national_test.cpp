// Two stations in one real PostgreSQL: the national report's exact numbers, from the library
// and from `onair report --db`, and `onair asrun --verify --db` catching a tampered row.

#include "asrun_pg/connection.hpp"
#include "asrun_pg/national.hpp"
#include "asrun_pg/sink.hpp"
#include "national_fixture.hpp"
#include "postgres.hpp"
#include "process.hpp"

#include <gtest/gtest.h>

namespace onair::national_test {
namespace {

using test_support::postgres_server;
using test_support::run_onair;

// Both stations' stores, shipped to `pg`.
class two_stations : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(pg.available() && pg.start());
        for (const auto& [station, rows] : {std::pair{std::string("vte-police"), vte_rows()},
                                            std::pair{std::string("lpb-radio"), lpb_rows()}}) {
            const auto file = dir.path() / (station + ".sqlite");
            record_all(file, rows);
            asrun_pg::sink_options o;
            o.dsn = pg.dsn();
            o.station = station;
            o.store_file = file;
            asrun_pg::shipper s(o);
            while (s.step() > 0) {
            }
        }
    }
    postgres_server pg;
    asrun::test::temp_dir dir;
};

const char* const tip_csv =
    "station,channel,campaign,day,planned,aired,made_good,truncated,failed,skipped,interrupted,"
    "delivery_pct,airtime_s\n"
    "lpb-radio,radio,tip,2026-10-24,2,1,0,0,0,1,0,50.0,30.000\n"
    "lpb-radio,radio,tip,2026-10-25,1,0,0,0,0,0,1,0.0,0.000\n"
    "vte-police,police-tv,tip,2026-10-24,2,0,1,1,1,0,0,50.0,50.000\n"
    "vte-police,police-tv,tip,2026-10-25,1,1,0,0,0,0,0,100.0,30.000\n";

TEST_F(two_stations, the_national_report_counts_each_station_channel_campaign_and_local_day) {
    asrun_pg::connection c(pg.dsn());
    asrun_pg::national_filter f;
    f.campaign = "tip";
    const auto rows = asrun_pg::national_report(c, f);
    // the 23:30Z spot of Vientiane is on its local 25th; the make-good counts on the day of
    // the airing it stands in for; the programme and the helmet campaign are not tip's
    EXPECT_EQ(asrun_pg::national_csv(rows), tip_csv);

    f.campaign.reset();
    f.from = date::local_days{date::year{2026} / 10 / 24};
    f.to = f.from;
    const auto day = asrun_pg::national_report(c, f);
    ASSERT_EQ(day.size(), 3u);
    EXPECT_EQ(day[0].campaign, "helmet");
    EXPECT_EQ(day[0].station, "vte-police");
    EXPECT_EQ(day[0].planned, 1);
    EXPECT_EQ(day[0].aired, 1);
    EXPECT_EQ(day[1].station, "lpb-radio");
    EXPECT_EQ(day[2].station, "vte-police");
    EXPECT_EQ(day[2].day, "2026-10-24");

    const auto totals = asrun_pg::national_json(rows)["totals"];
    ASSERT_EQ(totals.size(), 2u);
    EXPECT_EQ(totals[0]["station"], "lpb-radio");
    EXPECT_EQ(totals[0]["planned"], 3);
    EXPECT_DOUBLE_EQ(totals[0]["delivery_pct"].get<double>(), 33.3);
    EXPECT_EQ(totals[1]["station"], "vte-police");
    EXPECT_EQ(totals[1]["made_good"], 1);
    EXPECT_DOUBLE_EQ(totals[1]["delivery_pct"].get<double>(), 66.7);
}

TEST_F(two_stations, report_db_prints_the_same_numbers_without_a_config) {
    const auto csv = run_onair("report --db '" + pg.dsn() + "' --campaign tip --format csv");
    EXPECT_EQ(csv.code, 0);
    EXPECT_EQ(csv.out, tip_csv);
    const auto one = run_onair("report --db '" + pg.dsn() +
                               "' --campaign tip --station vte-police --from 2026-10-25 "
                               "--to 2026-10-25 --format csv");
    EXPECT_EQ(one.code, 0);
    EXPECT_EQ(one.out, std::string(tip_csv).substr(0, std::string(tip_csv).find('\n') + 1) +
                           "vte-police,police-tv,tip,2026-10-25,1,1,0,0,0,0,0,100.0,30.000\n");
    const auto text = run_onair("report --db '" + pg.dsn() + "' --campaign tip");
    EXPECT_EQ(text.code, 0);
    EXPECT_NE(text.out.find("tip           vte-police      (all)         (total)            3      "
                            "1         1         1      1       0           0      66.7"),
              std::string::npos)
        << text.out;
    const auto pdf = run_onair("report --db '" + pg.dsn() + "' --format pdf -o x.pdf");
    EXPECT_EQ(pdf.code, 2);
    const auto down = run_onair("report --db postgresql://onair@127.0.0.1:1/none");
    EXPECT_EQ(down.code, 1);
}

TEST_F(two_stations, verify_db_checks_every_station_chain_and_names_a_tampered_row) {
    auto v = run_onair("asrun --verify --db '" + pg.dsn() + "'");
    EXPECT_EQ(v.code, 0) << v.out;
    EXPECT_EQ(test_support::count_of(v.out, "ok: station "), 2) << v.out;
    EXPECT_NE(v.out.find("ok: station lpb-radio (store "), std::string::npos) << v.out;
    EXPECT_NE(v.out.find(": 3 rows verified, chain head "), std::string::npos) << v.out;
    EXPECT_NE(v.out.find(": 6 rows verified, chain head "), std::string::npos) << v.out;
    EXPECT_NE(v.out.find("ok: 2 stores, 9 rows, 0 faults"), std::string::npos) << v.out;

    // someone makes a failure look like something else, and removes a truncation
    pg.sql("UPDATE asrun SET detail = 'aired fine' WHERE station = 'vte-police' AND seq = 2");
    pg.sql("DELETE FROM asrun WHERE station = 'vte-police' AND seq = 4");
    const auto bad = test_support::run_capture("asrun --verify --db '" + pg.dsn() + "'");
    EXPECT_NE(bad.find("station vte-police (store "), std::string::npos) << bad;
    EXPECT_NE(
        bad.find("airing 2 (channel police-tv, scheduled_start 2026-10-24T17:00:00.000+07:00): "
                 "content altered"),
        std::string::npos)
        << bad;
    EXPECT_NE(
        bad.find("airing 5 (channel police-tv, scheduled_start 2026-10-24T17:30:00.000+07:00): "
                 "row removed before it: sequence 5 follows 3"),
        std::string::npos)
        << bad;
    EXPECT_NE(bad.find(": 2 faults in 5 rows"), std::string::npos) << bad;
    EXPECT_NE(bad.find("ok: station lpb-radio"), std::string::npos) << bad;
    EXPECT_EQ(run_onair("asrun --verify --db '" + pg.dsn() + "'").code, 1);
    EXPECT_EQ(run_onair("asrun --verify --db '" + pg.dsn() + "' --station lpb-radio").code, 0);
    EXPECT_EQ(run_onair("asrun --db '" + pg.dsn() + "'").code, 2); // --db goes with --verify
}

} // namespace
} // namespace onair::national_test
