// The daemon with an asrun_sink: its database is stopped 3 s into a break of six spots and
// started again after the break. The air does not notice, and every row reaches the database
// once, in order, with the chain the station holds.

#include "asrun_rows.hpp"
#include "postgres.hpp"
#include "process.hpp"
#include "render_fixture.hpp"
#include "run_fixture.hpp"

#include <gtest/gtest.h>

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
        << "media:\n  red: {file: " << red.string() << ", title: Red}\n  blue: {file: "
        << blue.string() << ", title: Blue}\n"
        << "campaigns:\n  tip: {title: Tip, from: " << date_of(t0 - 24h) << ", until: "
        << date_of(t0 + 24h) << ", spots: [red, blue]}\n"
        << "breaks:\n  - {id: b, at: [\"" << time_of_day(t0) << "\"], length: 12s}\n";
    std::ofstream(dir / "onair.yaml")
        << station_yaml("schedule.yaml")
        << "asrun_sink: {type: postgresql, dsn: \"" << pg.dsn() << "\", station: vte-police}\n";

    daemon_process d(dir / "onair.yaml", dir / "log.txt");
    std::this_thread::sleep_until(t0 + 3s);
    ASSERT_TRUE(pg.stop());
    std::this_thread::sleep_until(t0 + 14s);
    ASSERT_TRUE(pg.start());
    // the sink retries at most every 10 s: the rows are there within that, whole
    std::string shipped;
    const auto until = std::chrono::steady_clock::now() + 25s;
    while (std::chrono::steady_clock::now() < until) {
        shipped = pg.sql("SELECT count(*) || ',' || count(DISTINCT seq) || ',' || max(seq) FROM "
                         "asrun");
        if (shipped == "6,6,6\n") {
            break;
        }
        std::this_thread::sleep_for(200ms);
    }
    EXPECT_EQ(d.stop(SIGTERM), 0);
    const auto log = slurp(dir / "log.txt");
    EXPECT_EQ(shipped, "6,6,6\n") << log;

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
