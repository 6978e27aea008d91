// A main and a backup: two `onair run` daemons on this machine air one schedule, each with its
// own state dir, API port and recording, started 1.37 s apart (never on the same frame). The
// plan is a function of the schedule and the wall clock alone, and each daemon puts its frame
// grid on whole wall seconds, so both must air every spot on the same frame. Checked three
// ways: the as-runs row by row, the recordings decoded and laid on the wall clock frame by
// frame, and `onair asrun --compare` (through the backup's API, then its file, then the file
// tampered with).

#include "asrun_rows.hpp"
#include "http.hpp"
#include "process.hpp"
#include "recording.hpp"
#include "render_fixture.hpp"
#include "run_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace onair::playout {
namespace {

using namespace std::chrono_literals;
using namespace onair::test_support;
namespace fs = std::filesystem;

constexpr std::int64_t frame_ms = 40;

// Four spots of 2 s: their own colour for the first second, white for the second, so that a
// spot joined or cut a frame off shows at both of its edges and in its middle.
const std::vector<std::pair<std::string, unsigned>> spot_colours{
    {"red", 0xff0000}, {"green", 0x00ff00}, {"blue", 0x0000ff}, {"yellow", 0xffff00}};

// Three breaks of three spots, 8 s apart from t0, with 2 s of filler between them.
std::string pair_schedule(wall::time_point t0) {
    std::string yaml = "media:\n";
    for (const auto& [name, colour] : spot_colours) {
        const auto clip = testing::tv_sequence("pair-" + name + ".mp4",
                                               {{colour, 440, 1.0}, {0xffffff, 880, 1.0}});
        yaml += "  " + name + ": {file: " + clip.string() + ", title: " + name + "}\n";
    }
    yaml += "campaigns:\n  pair: {title: Pair, from: " + date_of(t0) +
            ", until: " + date_of(t0 + 24h) + ", spots: [red, green, blue, yellow]}\nbreaks:\n";
    yaml += "  - {id: b, at: [\"" + time_of_day(t0) + "\", \"" + time_of_day(t0 + 8s) + "\", \"" +
            time_of_day(t0 + 16s) + "\"], length: 6s}\n";
    return yaml;
}

// One daemon's station: DIR/NAME/onair.yaml airing DIR/schedule.yaml to DIR/NAME/out/tv.mkv.
fs::path pair_config(const fs::path& dir, const std::string& name, int port) {
    tv_station s;
    s.schedule_file = "../schedule.yaml";
    s.port = port;
    fs::create_directories(dir / name);
    std::ofstream(dir / name / "onair.yaml") << station_yaml(s);
    return dir / name / "onair.yaml";
}

// What should be on air at wall time `t` (ms) by the as-run of the spots: a spot's colour for
// its first second, white for its second, black (filler) outside spots.
std::string expected_at(std::int64_t t, const nlohmann::json& rows) {
    for (const auto& r : rows) {
        const auto start = ms_of(r["scheduled_start"].get<std::string>());
        if (t >= start && t < start + 1000) {
            return r["media"].get<std::string>();
        }
        if (t >= start + 1000 && t < start + 2000) {
            return "white";
        }
    }
    return "black";
}

// A recording laid on the wall clock: each frame's time is its timestamp plus an offset taken
// from the as-run (the first spot's actual_start against the frame where its colour begins).
struct on_the_clock {
    testing::decoded d;
    std::int64_t offset_ms = 0;
    std::map<std::int64_t, std::size_t> frame_at; // wall ms -> frame index

    const testing::rgb* at(std::int64_t wall_ms) const {
        auto it = frame_at.find(wall_ms);
        return it == frame_at.end() ? nullptr : &d.frames[it->second];
    }
};

on_the_clock lay_on_clock(const fs::path& file, const nlohmann::json& rows) {
    on_the_clock c;
    c.d = testing::decode(file, true);
    const auto first = rows[0]["media"].get<std::string>();
    std::size_t k = 0;
    while (k < c.d.frames.size() && testing::classify(c.d.frames[k]) != first) {
        ++k;
    }
    EXPECT_LT(k, c.d.frames.size()) << "no " << first << " in " << file;
    if (k == c.d.frames.size()) {
        return c;
    }
    c.offset_ms = ms_of(rows[0]["actual_start"].get<std::string>()) - c.d.frame_pts[k] / 1000000;
    for (std::size_t i = 0; i < c.d.frames.size(); ++i) {
        c.frame_at[c.d.frame_pts[i] / 1000000 + c.offset_ms] = i;
    }
    return c;
}

// The as-runs of main and backup: the same nine spots, aired whole, each on its planned frame,
// and on the very same millisecond in both.
void expect_same_rows(const nlohmann::json& main_rows, const nlohmann::json& backup_rows,
                      wall::time_point t0) {
    ASSERT_EQ(main_rows.size(), 9u) << main_rows.dump(1);
    ASSERT_EQ(backup_rows.size(), 9u) << backup_rows.dump(1);
    for (std::size_t i = 0; i < 9; ++i) {
        SCOPED_TRACE("spot " + std::to_string(i));
        const auto& m = main_rows[i];
        const auto& b = backup_rows[i];
        EXPECT_EQ(m["media"], b["media"]);
        EXPECT_EQ(m["scheduled_start"], b["scheduled_start"]);
        EXPECT_EQ(m["status"], "aired");
        EXPECT_EQ(b["status"], "aired");
        EXPECT_EQ(m["media_sha256"], b["media_sha256"]);
        const auto planned = ms_of(t0) + 8000 * static_cast<std::int64_t>(i / 3) +
                             2000 * static_cast<std::int64_t>(i % 3);
        EXPECT_EQ(ms_of(m["scheduled_start"].get<std::string>()), planned);
        // the grid of each daemon is on whole wall seconds: exactly the planned frame
        EXPECT_EQ(ms_of(m["actual_start"].get<std::string>()), planned);
        EXPECT_EQ(m["actual_start"], b["actual_start"]);
        EXPECT_EQ(m["actual_end"], b["actual_end"]);
    }
}

// Both recordings over the breaks, frame by frame on the wall clock: every frame where the
// plan puts it (to the frame, in both), and the same picture in both. Returns the largest
// difference of a colour channel between main and backup at one wall frame.
int expect_same_frames(const on_the_clock& a, const on_the_clock& b, const nlohmann::json& rows,
                       wall::time_point t0) {
    // from a second before the first break to 10 frames after the last (the main is stopped
    // first, from t0 + 22.5 s)
    const auto from = ms_of(t0) - 1000, to = ms_of(t0) + 22400;
    int worst = 0, compared = 0;
    std::string misplaced;
    for (std::int64_t t = from; t < to; t += frame_ms) {
        const auto* fa = a.at(t);
        const auto* fb = b.at(t);
        if (fa == nullptr || fb == nullptr) {
            misplaced += " no frame at t0" + std::to_string(t - ms_of(t0)) + " ms in " +
                         (fa == nullptr ? "main" : "backup") + ";";
            continue;
        }
        const auto want = expected_at(t, rows);
        for (const auto& [f, who] : {std::pair{fa, "main"}, std::pair{fb, "backup"}}) {
            if (testing::classify(*f) != want) {
                misplaced += " " + std::string(who) + " at t0" + std::to_string(t - ms_of(t0)) +
                             " ms shows " + testing::classify(*f) + ", not " + want + ";";
            }
        }
        worst = std::max(
            {worst, std::abs(fa->r - fb->r), std::abs(fa->g - fb->g), std::abs(fa->b - fb->b)});
        ++compared;
    }
    EXPECT_TRUE(misplaced.empty()) << misplaced;
    EXPECT_EQ(compared, 585);
    return worst;
}

// `onair asrun --compare OTHER` from the main's config: exit status and stdout.
run_result compare(const fs::path& main_config, const std::string& other) {
    return run_onair("asrun --config " + main_config.string() + " --compare " + other);
}

// The backup's log tampered with as a hand with sqlite3 would: a row deleted, a status changed.
void tamper(const fs::path& file, std::int64_t deleted_ms, std::int64_t failed_ms) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    const std::string sql =
        "DELETE FROM airings WHERE scheduled_start_ms = " + std::to_string(deleted_ms) +
        "; UPDATE airings SET status = 'failed', detail = 'tampered' WHERE scheduled_start_ms = " +
        std::to_string(failed_ms) + ";";
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
}

// One real-time scenario (two daemons, three breaks) and its three checks, in order.
TEST(backup_pair, main_and_backup_air_the_same_frames) {
    const auto dir = testing::scratch_dir() / "backup-pair";
    fs::create_directories(dir);
    const int main_port = free_port(SOCK_STREAM);
    const int backup_port = free_port(SOCK_STREAM);
    ASSERT_NE(main_port, backup_port);
    // clips first (made once), then t0 far enough ahead for two daemons to load on two cores
    pair_schedule(wall::now());
    const auto t0 = std::chrono::ceil<std::chrono::seconds>(wall::now()) + 8s;
    std::ofstream(dir / "schedule.yaml") << pair_schedule(t0);
    const auto main_config = pair_config(dir, "main", main_port);
    const auto backup_config = pair_config(dir, "backup", backup_port);
    {
        daemon_process main(main_config, dir / "main.log");
        std::this_thread::sleep_for(1370ms);
        daemon_process backup(backup_config, dir / "backup.log");
        std::this_thread::sleep_until(t0 + 22500ms);
        // while both air: the main's log against the backup's API
        const auto live = compare(main_config, "http://127.0.0.1:" + std::to_string(backup_port));
        EXPECT_EQ(live.code, 0) << live.out;
        EXPECT_EQ(live.out, "9 slots compared, 0 differ\n");
        EXPECT_EQ(main.stop(SIGTERM), 0) << slurp(dir / "main.log");
        EXPECT_EQ(backup.stop(SIGTERM), 0) << slurp(dir / "backup.log");
    }
    const auto main_rows = asrun(main_config);
    const auto backup_rows = asrun(backup_config);
    expect_same_rows(main_rows, backup_rows, t0);
    if (HasFatalFailure()) {
        return;
    }

    const auto a = lay_on_clock(dir / "main/out/tv.mkv", main_rows);
    const auto b = lay_on_clock(dir / "backup/out/tv.mkv", backup_rows);
    // Each recording's timestamps are its pipeline's running time, whose zero the daemon put
    // on a whole wall second: the as-run's offset says so independently of the frames.
    EXPECT_EQ(a.offset_ms % 1000, 0);
    EXPECT_EQ(b.offset_ms % 1000, 0);
    // each recording's own timestamps against its as-run: the same offset for every spot
    for (const auto& [rec, rows] : {std::pair{&a, &main_rows}, std::pair{&b, &backup_rows}}) {
        for (const auto& r : *rows) {
            const auto* f = rec->at(ms_of(r["actual_start"].get<std::string>()));
            ASSERT_NE(f, nullptr);
            EXPECT_EQ(testing::classify(*f), r["media"]) << r.dump();
        }
    }
    const int worst = expect_same_frames(a, b, main_rows, t0);
    RecordProperty("main_offset_ms", std::to_string(a.offset_ms));
    RecordProperty("backup_offset_ms", std::to_string(b.offset_ms));
    RecordProperty("max_colour_difference", std::to_string(worst));
    std::cout << "frames on the clock: main offset " << a.offset_ms << " ms, backup offset "
              << b.offset_ms << " ms; largest colour difference at one frame " << worst << "\n";
    // Two x264 encoders started apart (other key frames, other rate-control history): close,
    // and so far the same to the bit (0), which only the encoder could change.
    EXPECT_LE(worst, 8);

    // the files: the same, then the backup's with one row deleted and one status changed
    auto same = compare(main_config, (dir / "backup/state").string());
    EXPECT_EQ(same.code, 0);
    EXPECT_EQ(same.out, "9 slots compared, 0 differ\n");
    const auto& gone = main_rows[3];
    const auto& failed = main_rows[7];
    tamper(dir / "backup/state/asrun.sqlite", ms_of(gone["scheduled_start"].get<std::string>()),
           ms_of(failed["scheduled_start"].get<std::string>()));
    auto differ = compare(main_config, (dir / "backup/state/asrun.sqlite").string());
    EXPECT_EQ(differ.code, 1);
    EXPECT_EQ(differ.out, "test-tv " + gone["scheduled_start"].get<std::string>() + " spot " +
                              gone["media"].get<std::string>() +
                              ": only here (aired)\n"
                              "test-tv " +
                              failed["scheduled_start"].get<std::string>() + " spot " +
                              failed["media"].get<std::string>() +
                              ": status aired here, failed (tampered) there\n"
                              "9 slots compared, 2 differ\n");
}

} // namespace
} // namespace onair::playout
