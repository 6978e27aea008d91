// The daemon with an asrun_sink: its database is stopped 3 s into a break of six spots and
// started again after the break. The air does not notice, and every row reaches the database
// once, in order, with the chain the station holds.

#include "asrun_rows.hpp"
#include "http.hpp"
#include "postgres.hpp"
#include "process.hpp"
#include "render_fixture.hpp"
#include "run_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <fstream>
#include <thread>

namespace onair::playout {
namespace {

using namespace std::chrono_literals;
using namespace onair::test_support;

TEST(daemon_sink, the_database_stopped_mid_break_loses_and_repeats_nothing) {
    postgres_server pg;
    ASSERT_TRUE(pg.available() && pg.start());
    const auto dir = testing::scratch_dir() / "daemon-sink";
    std::filesystem::create_directories(dir);
    const auto red = testing::tv_clip("sink-red.mp4", 0xff0000, 440, 2);
    const auto blue = testing::tv_clip("sink-blue.mp4", 0x0000ff, 880, 2);
    const auto t0 = std::chrono::ceil<std::chrono::seconds>(wall::now()) + 6s;
    std::ofstream(dir / "schedule.yaml")
        << "media:\n  red: {file: " << red.string()
        << ", title: Red}\n  blue: {file: " << blue.string() << ", title: Blue}\n"
        << "campaigns:\n  tip: {title: Tip, from: " << date_of(t0 - 24h)
        << ", until: " << date_of(t0 + 24h) << ", spots: [red, blue]}\n"
        << "breaks:\n  - {id: b, at: [\"" << time_of_day(t0) << "\"], length: 12s}\n";
    // the same database is the console's national view (control.national_db)
    auto yaml = station_yaml("schedule.yaml");
    const std::string control = "control: {listen: 127.0.0.1:" + std::to_string(api_port());
    yaml.replace(yaml.find(control), control.size(),
                 control + ", national_db: \"" + pg.dsn() + "\"");
    std::ofstream(dir / "onair.yaml") << yaml << "asrun_sink: {type: postgresql, dsn: \""
                                      << pg.dsn() << "\", station: vte-police}\n";

    daemon_process d(dir / "onair.yaml", dir / "log.txt");
    std::this_thread::sleep_until(t0 + 3s);
    ASSERT_TRUE(pg.stop());
    std::this_thread::sleep_until(t0 + 14s);
    ASSERT_TRUE(pg.start());
    // the sink retries at most every 5 s: the rows are there soon after, whole
    std::string shipped;
    const auto until = std::chrono::steady_clock::now() + 40s;
    while (std::chrono::steady_clock::now() < until) {
        shipped = pg.sql("SELECT count(*) || ',' || count(DISTINCT seq) || ',' || max(seq) FROM "
                         "asrun");
        if (shipped == "6,6,6\n") {
            break;
        }
        std::this_thread::sleep_for(200ms);
    }
    // the console's national view of it, through the API
    const auto national =
        http(api_port(), "GET",
             "/api/v1/report?national=1&campaign=tip&from=" + date_of(t0) + "&to=" + date_of(t0));
    const auto csv = http(api_port(), "GET", "/api/v1/report?national=1&format=csv&station=nobody");
    const auto bad = http(api_port(), "GET", "/api/v1/report?national=1&format=pdf");
    EXPECT_EQ(d.stop(SIGTERM), 0);
    const auto log = slurp(dir / "log.txt");
    EXPECT_EQ(shipped, "6,6,6\n") << log;
    ASSERT_EQ(national.status, 200) << national.body;
    const auto j = nlohmann::json::parse(national.body);
    ASSERT_EQ(j["rows"].size(), 1u) << national.body;
    EXPECT_EQ(j["rows"][0]["station"], "vte-police");
    EXPECT_EQ(j["rows"][0]["channel"], "test-tv");
    EXPECT_EQ(j["rows"][0]["day"], date_of(t0));
    EXPECT_EQ(j["rows"][0]["planned"], 6);
    EXPECT_EQ(j["rows"][0]["aired"], 6);
    EXPECT_EQ(j["rows"][0]["airtime_ms"], 12000);
    EXPECT_EQ(csv.status, 200);
    EXPECT_EQ(csv.body.find('\n'), csv.body.size() - 1) << csv.body; // the header alone
    EXPECT_EQ(bad.status, 400) << bad.body;

    // the air did not notice: six spots, each on its frame
    const auto rows = asrun(dir / "onair.yaml");
    ASSERT_EQ(rows.size(), 6u) << log;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i]["status"], "aired");
        EXPECT_LE(std::abs(ms_of(rows[i]["actual_start"].get<std::string>()) -
                           (ms_of(t0) + 2000 * static_cast<std::int64_t>(i))),
                  40)
            << i;
    }
    // the database holds the station's chain as it is at home
    const auto local = verify(dir / "onair.yaml");
    ASSERT_EQ(local.rfind("ok: 6 rows verified, chain head ", 0), 0u) << local;
    const auto head = local.substr(local.find("chain head ") + 11, 64);
    const auto remote = run_capture("asrun --verify --db '" + pg.dsn() + "'");
    EXPECT_NE(remote.find("ok: station vte-police (store "), std::string::npos) << remote;
    EXPECT_NE(remote.find(": 6 rows verified, chain head " + head), std::string::npos) << remote;
    EXPECT_EQ(pg.sql("SELECT string_agg(media, ',' ORDER BY seq) FROM asrun"),
              "red,blue,red,blue,red,blue\n");
    EXPECT_EQ(count_of(log, "as-run sink: cannot ship to PostgreSQL"), 1) << log;
    EXPECT_NE(log.find("as-run sink: caught up"), std::string::npos) << log;
}

} // namespace
} // namespace onair::playout
