// `onair asrun` end to end: a store filled through the library, exported by the binary.

#include "asrun/chain.hpp"
#include "asrun/export.hpp"
#include "asrun/sqlite_handle.hpp"
#include "asrun/store.hpp"
#include "asrun_fixture.hpp"
#include "process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>

namespace onair::asrun {
namespace {

using test::temp_dir;
using test::utc;
using namespace std::chrono_literals;

// `onair ARGS`: its exit status and stdout
constexpr auto run = &test_support::run_onair;

class asrun_cli : public ::testing::Test {
protected:
    void SetUp() override {
        config_ = (dir_.path() / "onair.yaml").string();
        std::ofstream(config_) << R"(station: Test
state_dir: state
control:
  listen: 127.0.0.1:8750
  token_file: null
channels:
  - id: police-tv
    name: TV
    kind: tv
    timezone: Asia/Vientiane
    video: {width: 1280, height: 720, framerate: 25}
    audio: {rate: 48000, channels: 2}
    loudness: -23
    schedule: police-tv.yaml
    filler: {type: black}
    outputs:
      - {type: null}
  - id: radio-de
    name: Radio
    kind: radio
    timezone: Europe/Berlin
    audio: {rate: 48000, channels: 2}
    loudness: null
    schedule: radio-de.yaml
    filler: {type: black}
    outputs:
      - {type: null}
)";
    }

    // One closed spot per channel per hour from 2026-11-30T17:00Z (local midnight in
    // Vientiane) for `hours` hours.
    void fill(int hours) {
        store s(dir_.path() / "state" / "asrun.sqlite");
        for (int h = 0; h < hours; ++h) {
            for (const char* ch : {"police-tv", "radio-de"}) {
                auto a = test::on_air_spot(ch, utc(2026, 11, 30, 17, 0) + std::chrono::hours{h});
                a.timezone = std::string(ch) == "radio-de" ? "Europe/Berlin" : "Asia/Vientiane";
                auto id = s.open_airing(a);
                s.close_airing(id, a.scheduled_end, airing_status::aired);
            }
        }
    }

    std::string cmd(const std::string& rest) const { return "asrun --config " + config_ + rest; }

    temp_dir dir_;
    std::string config_;
};

std::size_t lines(const std::string& s) {
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST_F(asrun_cli, a_missing_store_exports_an_empty_log) {
    auto csv = run(cmd(""));
    EXPECT_EQ(csv.code, 0);
    EXPECT_EQ(csv.out, csv_header);
    auto json = run(cmd(" --format json"));
    EXPECT_EQ(json.code, 0);
    EXPECT_EQ(json.out, "[]\n");
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "state" / "asrun.sqlite"));
}

TEST_F(asrun_cli, exports_all_rows_or_a_channel) {
    fill(3);
    auto all = run(cmd(""));
    EXPECT_EQ(all.code, 0);
    EXPECT_EQ(lines(all.out), 7u);
    EXPECT_EQ(all.out.substr(0, std::string(csv_header).size()), csv_header);
    auto radio = run(cmd(" --channel radio-de --format json"));
    EXPECT_EQ(radio.code, 0);
    auto j = nlohmann::json::parse(radio.out);
    ASSERT_EQ(j.size(), 3u);
    EXPECT_EQ(j[0]["channel"], "radio-de");
    EXPECT_EQ(j[0]["scheduled_start"], "2026-11-30T18:00:00.000+01:00");
}

TEST_F(asrun_cli, reads_bounds_in_the_channels_zone_from_included_to_excluded) {
    fill(30);
    // Vientiane: the local day 2026-12-01 is 2026-11-30T17:00Z .. 2026-12-01T17:00Z
    auto day = run(cmd(" --channel police-tv --from 2026-12-01 --to 2026-12-02"));
    EXPECT_EQ(day.code, 0);
    EXPECT_EQ(lines(day.out), 1u + 24u);
    // Berlin: the local day 2026-12-01 starts at 2026-11-30T23:00Z, the 7th hour filled
    auto berlin = run(cmd(" --channel radio-de --from 2026-12-01 --to 2026-12-02"));
    EXPECT_EQ(lines(berlin.out), 1u + 30u - 6u);
    // no channel: the first channel's zone; an offset overrides it
    auto window = run(cmd(" --from 2026-12-01T01:00:00 --to 2026-12-01T03:00:00"));
    EXPECT_EQ(lines(window.out), 1u + 2u * 2u);
    auto offset = run(cmd(" --from 2026-11-30T18:00:00Z --to 2026-11-30T19:00:00.001Z"));
    EXPECT_EQ(lines(offset.out), 1u + 2u * 2u);
}

TEST_F(asrun_cli, verify_says_ok_with_the_head_or_names_the_altered_row) {
    EXPECT_EQ(run(cmd(" --verify")).out, "ok: 0 rows verified, chain head " + genesis_chain + "\n");
    fill(3);
    const auto file = dir_.path() / "state" / "asrun.sqlite";
    std::string head;
    {
        store s(file, open_mode::read_only);
        head = s.chain_head().value_or("");
    }
    ASSERT_EQ(head.size(), 64u);
    auto all = run(cmd(" --verify"));
    EXPECT_EQ(all.code, 0);
    EXPECT_EQ(all.out, "ok: 6 rows verified, chain head " + head + "\n");
    auto radio = run(cmd(" --verify --channel radio-de"));
    EXPECT_EQ(radio.code, 0);
    EXPECT_EQ(radio.out, "ok: 3 rows verified, chain head " + head + "\n");

    {
        auto db = sqlite::open(file.string(), SQLITE_OPEN_READWRITE);
        sqlite::exec(db.get(), "UPDATE airings SET status = 'failed' WHERE id = 3");
    }
    auto bad = run(cmd(" --verify 2>&1"));
    EXPECT_EQ(bad.code, 1);
    // the chain's result, then the summary, which still counts the row as aired
    EXPECT_EQ(bad.out, "onair asrun: error: airing 3 (channel police-tv, scheduled_start "
                       "2026-12-01T01:00:00.000+07:00): content altered: its chain does not "
                       "match its fields\n"
                       "FAILED: 1 fault in 6 rows, chain head " +
                           head +
                           "\n"
                           "onair asrun: error: summary entry (channel police-tv, 2026-12-01 hour "
                           "01, spot, campaign road-safety, media spot-helmet, aired): count 1, "
                           "airtime 29.960 s; no such rows\n"
                           "onair asrun: error: summary entry (channel police-tv, 2026-12-01 hour "
                           "01, spot, campaign road-safety, media spot-helmet, failed): missing; "
                           "the rows say count 1, airtime 0.000 s\n"
                           // the summary by day, checked against the rows too
                           "onair asrun: error: summary entry (channel police-tv, 2026-12-01 (by "
                           "day), spot, campaign road-safety, media spot-helmet, aired): count 3, "
                           "airtime 89.880 s; the rows say count 2, airtime 59.920 s\n"
                           "onair asrun: error: summary entry (channel police-tv, 2026-12-01 (by "
                           "day), spot, campaign road-safety, media spot-helmet, failed): missing; "
                           "the rows say count 1, airtime 0.000 s\n"
                           "FAILED: the summary differs from the rows in 4 entries (onair asrun "
                           "--reindex rebuilds it from the rows)\n");
    // the radio rows are intact
    EXPECT_EQ(run(cmd(" --verify --channel radio-de")).code, 0);
    {
        auto db = sqlite::open(file.string(), SQLITE_OPEN_READWRITE);
        sqlite::exec(db.get(), "DELETE FROM airings WHERE id = 4");
    }
    auto gap = run(cmd(" --verify --channel radio-de 2>&1"));
    EXPECT_EQ(gap.code, 1);
    EXPECT_NE(gap.out.find("airing 5 (channel police-tv, scheduled_start "
                           "2026-12-01T02:00:00.000+07:00): row removed before it: sequence 5 "
                           "follows 3"),
              std::string::npos)
        << gap.out;
    EXPECT_EQ(run(cmd(" --verify --from 2026-12-01 2>/dev/null")).code, 2);
}

TEST_F(asrun_cli, reindex_rebuilds_the_summary_and_verify_names_each_difference) {
    const auto file = dir_.path() / "state" / "asrun.sqlite";
    // no log yet: nothing to rebuild, and no file made
    auto none = run(cmd(" --reindex"));
    EXPECT_EQ(none.code, 0);
    EXPECT_EQ(none.out, "summary rebuilt: 0 rows from 0 airings (no as-run log yet)\n");
    EXPECT_FALSE(std::filesystem::exists(file));

    fill(3); // 6 rows, each its own channel and local hour
    auto rebuilt = run(cmd(" --reindex"));
    EXPECT_EQ(rebuilt.code, 0);
    EXPECT_EQ(rebuilt.out, "summary rebuilt: 6 rows from 6 airings\n");
    EXPECT_EQ(run(cmd(" --verify")).code, 0);

    // the summary edited by hand: a count, and an entry of its own
    {
        auto db = sqlite::open(file.string(), SQLITE_OPEN_READWRITE);
        sqlite::exec(db.get(), "UPDATE airing_summary SET count = 5 WHERE channel = 'radio-de' "
                               "AND hour = 19");
        sqlite::exec(db.get(), "INSERT INTO airing_summary VALUES ('police-tv', 20423, 3, "
                               "'spot', '', 'x', 'aired', 1, 1000)");
    }
    auto bad = run(cmd(" --verify 2>&1"));
    EXPECT_EQ(bad.code, 1);
    const std::string head = store(file, open_mode::read_only).chain_head().value_or("");
    EXPECT_EQ(bad.out, "ok: 6 rows verified, chain head " + head +
                           "\n"
                           "onair asrun: error: summary entry (channel police-tv, 2025-12-01 hour "
                           "03, spot, campaign -, media x, aired): count 1, airtime 1.000 s; no "
                           "such rows\n"
                           "onair asrun: error: summary entry (channel radio-de, 2026-11-30 hour "
                           "19, spot, campaign road-safety, media spot-helmet, aired): count 5, "
                           "airtime 29.960 s; the rows say count 1, airtime 29.960 s\n"
                           "FAILED: the summary differs from the rows in 2 entries (onair asrun "
                           "--reindex rebuilds it from the rows)\n");
    // --channel checks that channel's entries only
    auto tv = run(cmd(" --verify --channel police-tv 2>&1"));
    EXPECT_EQ(tv.code, 1);
    EXPECT_NE(tv.out.find("FAILED: the summary differs from the rows in 1 entry "),
              std::string::npos)
        << tv.out;
    EXPECT_EQ(run(cmd(" --reindex")).out, "summary rebuilt: 6 rows from 6 airings\n");
    EXPECT_EQ(run(cmd(" --verify")).code, 0);

    // more than 20 differences: the first 20, then that there are more
    {
        auto db = sqlite::open(file.string(), SQLITE_OPEN_READWRITE);
        for (int i = 0; i < 25; ++i) {
            sqlite::exec(db.get(), "INSERT INTO airing_summary VALUES ('police-tv', " +
                                       std::to_string(20000 + i) +
                                       ", 0, 'spot', '', 'x', 'aired', 1, 0)");
        }
    }
    auto many = run(cmd(" --verify 2>&1"));
    EXPECT_EQ(many.code, 1);
    EXPECT_EQ(lines(many.out), 1u + 20u + 2u);
    EXPECT_NE(many.out.find("onair asrun: error: and more summary differences\n"
                            "FAILED: the summary differs from the rows in more than 20 entries"),
              std::string::npos)
        << many.out;

    // usage: --reindex takes no window, channel or --verify
    EXPECT_EQ(run(cmd(" --reindex --verify 2>/dev/null")).code, 2);
    EXPECT_EQ(run(cmd(" --reindex --channel police-tv 2>/dev/null")).code, 2);
    EXPECT_EQ(run(cmd(" --reindex --from 2026-12-01 2>/dev/null")).code, 2);
    // a store that cannot be opened: exit 1 with the error
    std::filesystem::remove(file);
    std::ofstream(file) << "this is not a database, but it is long enough to have a header "
                           "page....\n";
    auto broken = run(cmd(" --reindex 2>&1"));
    EXPECT_EQ(broken.code, 1);
    EXPECT_NE(broken.out.find("onair asrun: error: "), std::string::npos) << broken.out;
}

TEST_F(asrun_cli, verify_with_a_kept_head_detects_rows_removed_from_the_end) {
    const auto file = dir_.path() / "state" / "asrun.sqlite";
    auto head_now = [&] {
        store s(file, open_mode::read_only);
        return s.chain_head().value_or("");
    };
    // The zero head of an empty log is held by every log.
    auto empty = run(cmd(" --verify --head " + genesis_chain));
    EXPECT_EQ(empty.code, 0);
    fill(2);
    const auto kept = head_now();
    auto same = run(cmd(" --verify --head " + kept));
    EXPECT_EQ(same.code, 0);
    EXPECT_EQ(same.out, "ok: 4 rows verified, chain head " + kept +
                            "\nok: the chain holds the kept head " + kept +
                            ", 0 rows completed since\n");
    fill(1); // rows added since: still a continuation
    const auto later = head_now();
    auto grown = run(cmd(" --verify --head " + kept));
    EXPECT_EQ(grown.code, 0);
    EXPECT_EQ(grown.out, "ok: 6 rows verified, chain head " + later +
                             "\nok: the chain holds the kept head " + kept +
                             ", 2 rows completed since\n");
    // Upper case, as some tools print it, is the same head.
    std::string upper = kept;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    EXPECT_EQ(run(cmd(" --verify --head " + upper)).code, 0);

    // The last two rows removed: the chain is consistent. The summaries (by hour and by day)
    // still count them...
    {
        auto db = sqlite::open(file.string(), SQLITE_OPEN_READWRITE);
        sqlite::exec(db.get(), "DELETE FROM airings WHERE seq > 4");
    }
    auto counted = run(cmd(" --verify 2>/dev/null"));
    EXPECT_EQ(counted.code, 1);
    EXPECT_NE(counted.out.find("FAILED: the summary differs from the rows in 4 entries"),
              std::string::npos)
        << counted.out;
    // ... but whoever removed them can rebuild it too: then only the kept head shows it.
    EXPECT_EQ(run(cmd(" --reindex")).out, "summary rebuilt: 4 rows from 4 airings\n");
    EXPECT_EQ(run(cmd(" --verify")).code, 0);
    auto cut = run(cmd(" --verify --head " + later + " 2>&1"));
    EXPECT_EQ(cut.code, 1);
    EXPECT_EQ(cut.out, "onair asrun: error: the chain no longer holds the kept head " + later +
                           ": rows were removed from its end, or the file was replaced\n"
                           "FAILED: 1 fault in 4 rows, chain head " +
                           kept + "\n");
    EXPECT_EQ(run(cmd(" --verify --head " + kept)).code, 0);

    // The file replaced by another log (here: none at all, then a new one).
    std::filesystem::remove(file);
    auto gone = run(cmd(" --verify --head " + kept + " 2>&1"));
    EXPECT_EQ(gone.code, 1);
    EXPECT_NE(gone.out.find("no longer holds the kept head"), std::string::npos) << gone.out;
    {
        store s(file); // a different log: its first row differs, so does every link after
        auto other = test::on_air_spot("police-tv", utc(2026, 11, 30, 16, 0));
        other.status = airing_status::failed;
        s.record(other);
    }
    fill(2);
    EXPECT_EQ(run(cmd(" --verify")).code, 0);
    EXPECT_EQ(run(cmd(" --verify --head " + kept + " 2>/dev/null")).code, 1);

    EXPECT_EQ(run(cmd(" --verify --head abc 2>/dev/null")).code, 2);
    EXPECT_EQ(run(cmd(" --verify --head " + std::string(64, 'g') + " 2>/dev/null")).code, 2);
    EXPECT_EQ(run(cmd(" --head " + kept + " 2>/dev/null")).code, 2);
}

// The API's export pages, glued together, are what `onair asrun` prints for the same rows.
TEST_F(asrun_cli, export_pages_glued_together_are_the_commands_output) {
    const auto file = dir_.path() / "state" / "asrun.sqlite";
    for (int hours : {0, 1, 100, 225}) { // 0, 2, 200, 450 rows in all; 450 rows run to 3 pages
        std::filesystem::remove_all(dir_.path() / "state");
        if (hours > 0) {
            fill(hours);
        }
        std::optional<store> s;
        if (std::filesystem::exists(file)) {
            s.emplace(file, open_mode::read_only);
        }
        for (auto [flag, format] :
             {std::pair{"csv", export_format::csv}, std::pair{"json", export_format::json}}) {
            for (const auto& [args, f] :
                 {std::pair{std::string(), filter{}},
                  std::pair{std::string(" --channel radio-de"), filter{"radio-de", {}, {}}}}) {
                export_pager pager(s ? &*s : nullptr, f, format);
                std::string glued;
                while (pager.next(glued)) {
                }
                auto out = run(cmd(args + " --format " + flag));
                EXPECT_EQ(out.code, 0);
                EXPECT_EQ(glued, out.out) << hours << " hours, " << flag << args;
            }
        }
    }
}

TEST_F(asrun_cli, usage_errors_exit_2) {
    EXPECT_EQ(run(cmd(" --channel nope 2>/dev/null")).code, 2);
    EXPECT_EQ(run(cmd(" --from 2026-12-32 2>/dev/null")).code, 2);
    EXPECT_EQ(run(cmd(" --from 2026-12-01T06:00 2>/dev/null")).code, 2);
    EXPECT_EQ(run(cmd(" --from 2026-12-02 --to 2026-12-01 2>/dev/null")).code, 2);
    EXPECT_EQ(run(cmd(" --format xml 2>/dev/null")).code, 2);
}

TEST_F(asrun_cli, a_broken_store_or_config_exits_1) {
    EXPECT_EQ(
        run("asrun --config " + (dir_.path() / "missing.yaml").string() + " 2>/dev/null").code, 1);
    std::filesystem::create_directories(dir_.path() / "state");
    std::ofstream(dir_.path() / "state" / "asrun.sqlite")
        << "this is not a database, but it is long enough to have a header page....\n";
    EXPECT_EQ(run(cmd(" 2>/dev/null")).code, 1);
}

} // namespace
} // namespace onair::asrun
