// Tamper evidence: the canonical content and chain value pinned against an independent
// implementation (Python's hashlib over the bytes docs/asrun.md defines), then verify_chain
// against rows altered, removed and unchained with raw SQL, and the upgrade of a version 1 file.

#include "asrun/chain.hpp"
#include "asrun/sqlite_handle.hpp"
#include "asrun/store.hpp"
#include "asrun/verify.hpp"
#include "asrun_fixture.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace onair::asrun {
namespace {

using test::on_air_spot;
using test::temp_dir;
using test::utc;
using namespace std::chrono_literals;

TEST(chain, sha256_is_the_standard_one) {
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(chain, canonical_content_and_chain_value_are_exact) {
    airing a;
    a.id = 7;
    a.channel = "police-tv";
    a.kind = airing_kind::spot;
    a.media = "tip-lo-30";
    a.campaign = "tip-2026";
    a.title = "Stop, ລາວ";
    a.file = "/m/a.mp4";
    a.scheduled_start = utc(2026, 12, 1, 0, 58);
    a.scheduled_end = a.scheduled_start + 30s;
    a.actual_start = a.scheduled_start + 40ms;
    a.actual_end = a.scheduled_start + 30040ms;
    a.status = airing_status::aired;
    a.timezone = "Asia/Vientiane";
    a.media_sha256 = std::string(32 * 2, 'a');
    for (std::size_t i = 1; i < a.media_sha256->size(); i += 2) {
        (*a.media_sha256)[i] = 'b';
    }
    EXPECT_EQ(canonical_content(a, 3),
              "onair-asrun-2,1:7,1:3,9:police-tv,4:spot,9:tip-lo-30,8:tip-2026,-,15:Stop, ລາວ,"
              "8:/m/a.mp4,13:1796086680000,13:1796086710000,13:1796086680040,13:1796086710040,"
              "5:aired,-,14:Asia/Vientiane,"
              "64:abababababababababababababababababababababababababababababababab,");
    EXPECT_EQ(chain_value(genesis_chain, a, 3),
              "6c54aabac59b92b10aa065c0edef925f49875b15a2c16727e03f98d7319bb3a2");
    // lengths keep fields apart: moving a comma from one field to the next changes the bytes
    auto b = a;
    b.title = "Stop";
    b.file = ", ລາວ/m/a.mp4";
    EXPECT_NE(canonical_content(a, 3), canonical_content(b, 3));
    // an empty value is not an absent one
    b = a;
    b.detail = "";
    EXPECT_NE(canonical_content(a, 3), canonical_content(b, 3));
}

// Five completed rows on two channels and one still on air.
struct filled {
    std::vector<std::int64_t> ids; // completed, in completion order
    std::int64_t open = 0;
};

filled fill(store& s) {
    filled f;
    const auto t0 = utc(2026, 12, 1, 0, 0);
    for (int i = 0; i < 4; ++i) {
        auto a = on_air_spot(i % 2 == 0 ? "police-tv" : "lao-radio", t0 + i * 1min);
        a.media_sha256 = sha256_hex("media " + std::to_string(i));
        auto id = s.open_airing(a);
        s.close_airing(id, a.scheduled_end, airing_status::aired);
        f.ids.push_back(id);
    }
    auto skipped = on_air_spot("police-tv", t0 + 10min);
    skipped.actual_start.reset();
    skipped.status = airing_status::skipped;
    skipped.detail = "not reached";
    f.ids.push_back(s.record(skipped));
    f.open = s.open_airing(on_air_spot("police-tv", t0 + 20min));
    return f;
}

void exec(const std::filesystem::path& file, const std::string& sql) {
    auto db = sqlite::open(file.string(), SQLITE_OPEN_READWRITE);
    sqlite::exec(db.get(), sql);
}

TEST(verify, an_untouched_store_verifies_with_its_head) {
    temp_dir dir;
    const auto file = dir.path() / "asrun.sqlite";
    store s(file);
    EXPECT_FALSE(s.chain_head());
    auto empty = verify_chain(s);
    EXPECT_TRUE(empty.ok());
    EXPECT_EQ(empty.rows, 0u);
    EXPECT_EQ(empty.head, genesis_chain);

    auto f = fill(s);
    auto r = verify_chain(s);
    EXPECT_TRUE(r.ok()) << (r.faults.empty() ? "" : r.faults[0].what);
    EXPECT_EQ(r.rows, 5u);
    EXPECT_EQ(r.open, 1u);
    EXPECT_EQ(r.head, s.find(f.ids.back())->chain);
    EXPECT_EQ(r.head, s.chain_head());
    // each link is SHA-256(previous chain || content), in completion order
    std::string previous = genesis_chain;
    for (std::size_t i = 0; i < f.ids.size(); ++i) {
        auto row = *s.find(f.ids[i]);
        EXPECT_EQ(row.seq, static_cast<std::int64_t>(i + 1));
        EXPECT_EQ(row.chain, chain_value(previous, row, *row.seq));
        previous = *row.chain;
    }
    EXPECT_FALSE(s.find(f.open)->chain);
    EXPECT_FALSE(s.find(f.open)->seq);

    auto tv = verify_chain(s, std::string("police-tv"));
    EXPECT_TRUE(tv.ok());
    EXPECT_EQ(tv.rows, 3u);
    EXPECT_EQ(tv.open, 1u);
    EXPECT_EQ(tv.head, r.head);

    // closing the open row extends the chain and moves the head
    ASSERT_TRUE(s.close_airing(f.open, utc(2026, 12, 1, 0, 20, 30), airing_status::aired));
    auto after = verify_chain(s);
    EXPECT_TRUE(after.ok());
    EXPECT_EQ(after.rows, 6u);
    EXPECT_NE(after.head, r.head);
    EXPECT_EQ(s.find(f.open)->seq, 6);
}

TEST(verify, names_a_row_altered_with_raw_sql) {
    for (const std::string& change : std::vector<std::string>{
             "title = 'Other'", "actual_end_ms = actual_end_ms + 1", "status = 'failed'",
             "media_sha256 = NULL", "campaign = NULL", "chain = '" + std::string(64, 'f') + "'"}) {
        temp_dir dir;
        const auto file = dir.path() / "asrun.sqlite";
        store s(file);
        auto f = fill(s);
        exec(file, "UPDATE airings SET " + change + " WHERE id = " + std::to_string(f.ids[2]));
        auto r = verify_chain(s);
        ASSERT_FALSE(r.ok()) << change;
        ASSERT_FALSE(r.faults.empty());
        EXPECT_EQ(r.faults[0].id, f.ids[2]) << change;
        EXPECT_EQ(r.faults[0].channel, "police-tv");
        EXPECT_EQ(r.faults[0].scheduled_start, utc(2026, 12, 1, 0, 2));
        EXPECT_NE(r.faults[0].what.find("altered"), std::string::npos) << r.faults[0].what;
        // an altered field breaks only its own row; an altered chain also the next link
        EXPECT_EQ(r.fault_count, change.starts_with("chain") ? 2u : 1u) << change;
        // the other channel's rows are intact, but for the radio row linked to an altered chain
        EXPECT_EQ(verify_chain(s, std::string("lao-radio")).ok(), !change.starts_with("chain"))
            << change;
        EXPECT_FALSE(verify_chain(s, std::string("police-tv")).ok()) << change;
    }
}

TEST(verify, names_the_row_after_a_removed_one) {
    temp_dir dir;
    const auto file = dir.path() / "asrun.sqlite";
    store s(file);
    auto f = fill(s);
    exec(file, "DELETE FROM airings WHERE id = " + std::to_string(f.ids[1]));
    auto r = verify_chain(s);
    ASSERT_EQ(r.fault_count, 1u);
    EXPECT_EQ(r.faults[0].id, f.ids[2]);
    EXPECT_EQ(r.faults[0].what, "row removed before it: sequence 3 follows 1");
    EXPECT_EQ(r.rows, 4u);
    // the removed row was a radio row, but a gap cannot be placed in a channel: reported always
    EXPECT_FALSE(verify_chain(s, std::string("police-tv")).ok());
}

TEST(verify, names_completed_rows_outside_the_chain) {
    temp_dir dir;
    const auto file = dir.path() / "asrun.sqlite";
    store s(file);
    auto f = fill(s);
    // a row written behind onair's back, completed and never chained
    exec(file, "INSERT INTO airings (channel, kind, media, title, file, scheduled_start_ms, "
               "scheduled_end_ms, status, timezone) VALUES ('police-tv', 'spot', 'm', 't', "
               "'f', 0, 1000, 'aired', 'UTC')");
    auto r = verify_chain(s);
    ASSERT_EQ(r.fault_count, 1u);
    EXPECT_EQ(r.faults[0].id, f.open + 1);
    EXPECT_NE(r.faults[0].what.find("not in the chain"), std::string::npos);
    EXPECT_EQ(r.open, 1u);
}

TEST(verify, a_version_1_store_is_upgraded_and_chained_in_id_order) {
    temp_dir dir;
    const auto file = dir.path() / "asrun.sqlite";
    {
        // the schema onair 0.1 shipped, with three completed rows and one open
        auto db = sqlite::open(file.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        sqlite::exec(db.get(), R"sql(
CREATE TABLE airings (
    id INTEGER PRIMARY KEY, channel TEXT NOT NULL, kind TEXT NOT NULL, media TEXT NOT NULL,
    campaign TEXT, break_id TEXT, title TEXT NOT NULL, file TEXT NOT NULL,
    scheduled_start_ms INTEGER NOT NULL, scheduled_end_ms INTEGER NOT NULL,
    actual_start_ms INTEGER, actual_end_ms INTEGER, status TEXT, detail TEXT,
    timezone TEXT NOT NULL);
CREATE INDEX airings_by_channel ON airings (channel, scheduled_start_ms);
CREATE INDEX airings_by_start ON airings (scheduled_start_ms);
CREATE INDEX airings_open ON airings (id) WHERE status IS NULL;
INSERT INTO airings VALUES (1, 'police-tv', 'spot', 'a', 'c', 'b', 'A', '/a', 3000, 4000, 3000, 4000, 'aired', NULL, 'UTC');
INSERT INTO airings VALUES (2, 'police-tv', 'spot', 'b', 'c', 'b', 'B', '/b', 1000, 2000, 1000, NULL, NULL, NULL, 'UTC');
INSERT INTO airings VALUES (3, 'lao-radio', 'programme', 'n', NULL, NULL, 'N', '/n', 0, 500, NULL, NULL, 'skipped', 'x', 'UTC');
INSERT INTO airings VALUES (4, 'lao-radio', 'insert', 'i', NULL, NULL, 'I', '/i', 5000, 6000, 5000, 5500, 'truncated', 'y', 'UTC');
PRAGMA user_version = 1;
)sql");
    }
    {
        // read-only, an old file reads as it is: no chain yet, and verify says nothing holds
        store old(file, open_mode::read_only);
        EXPECT_EQ(old.settings().schema_version, 1);
        std::size_t rows = 0;
        old.airings({}, [&](const airing& a) {
            ++rows;
            EXPECT_FALSE(a.chain);
        });
        EXPECT_EQ(rows, 4u);
        EXPECT_EQ(verify_chain(old).fault_count, 3u);
    }
    store s(file);
    EXPECT_EQ(s.settings().schema_version, store::schema_version);
    EXPECT_EQ(s.find(1)->seq, 1);
    EXPECT_FALSE(s.find(2)->seq);
    EXPECT_EQ(s.find(3)->seq, 2);
    EXPECT_EQ(s.find(4)->seq, 3);
    EXPECT_EQ(s.find(1)->chain, chain_value(genesis_chain, *s.find(1), 1));
    auto r = verify_chain(s);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.rows, 3u);
    EXPECT_EQ(r.open, 1u);
    // the row left open by the old daemon is chained when it is closed
    EXPECT_EQ(s.close_interrupted(core::instant{5s}), 1u);
    EXPECT_EQ(s.find(2)->seq, 4);
    EXPECT_TRUE(verify_chain(s).ok());
}

} // namespace
} // namespace onair::asrun
