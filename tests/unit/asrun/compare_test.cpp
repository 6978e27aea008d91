// `onair asrun --compare`'s logic: slots matched by channel, scheduled start, kind and media;
// a row missing on one side, a different status, starts more than a frame apart (exactly at
// the frame: still one), different media hashes; a slot logged twice; the JSON export read
// back; and the three printed forms, byte for byte.

#include "asrun/compare.hpp"
#include "asrun/export.hpp"

#include "asrun_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace onair::asrun {
namespace {

using namespace std::chrono_literals;
using test::utc;

frame_length tv25(const std::string&) {
    return video_frame(25, 1);
}

// A spot of `channel` that aired whole at its scheduled start + `late`.
airing aired(const std::string& channel, const std::string& media, core::instant at,
             core::milliseconds late = 0ms) {
    airing a;
    a.channel = channel;
    a.kind = airing_kind::spot;
    a.media = media;
    a.title = media;
    a.scheduled_start = at;
    a.scheduled_end = at + 2s;
    a.actual_start = at + late;
    a.actual_end = at + late + 2s;
    a.status = airing_status::aired;
    a.timezone = "UTC";
    a.media_sha256 = std::string(64, 'a');
    return a;
}

const core::instant t0 = utc(2026, 12, 1, 6, 58);

std::vector<airing> break_of(core::milliseconds late = 0ms) {
    return {aired("tv", "red", t0, late), aired("tv", "green", t0 + 2s, late),
            aired("tv", "blue", t0 + 4s, late)};
}

TEST(compare, identical_logs_agree) {
    auto c = compare_airings(break_of(), break_of(), tv25);
    EXPECT_EQ(c.slots, 3u);
    EXPECT_TRUE(c.agree());
}

TEST(compare, order_of_the_rows_does_not_matter) {
    auto other = break_of();
    std::swap(other[0], other[2]);
    auto c = compare_airings(break_of(), other, tv25);
    EXPECT_EQ(c.slots, 3u);
    EXPECT_TRUE(c.agree());
}

TEST(compare, a_row_missing_on_either_side_is_one_slot_each) {
    auto local = break_of();
    auto other = break_of();
    local.erase(local.begin() + 1); // green only there
    other.erase(other.begin() + 2); // blue only here
    auto c = compare_airings(local, other, tv25);
    EXPECT_EQ(c.slots, 3u);
    ASSERT_EQ(c.differences.size(), 2u);
    EXPECT_EQ(c.differences[0].row().media, "green");
    EXPECT_EQ(c.differences[0].what, std::vector{difference::only_other});
    EXPECT_FALSE(c.differences[0].local);
    EXPECT_EQ(c.differences[1].row().media, "blue");
    EXPECT_EQ(c.differences[1].what, std::vector{difference::only_local});
    EXPECT_FALSE(c.differences[1].other);
}

TEST(compare, the_slot_is_channel_start_kind_and_media) {
    auto other = break_of();
    other[0].channel = "radio"; // another channel: two slots, one on each side
    other[1].media = "yellow";  // another media at the same time: the same
    other[2].kind = airing_kind::insert;
    auto c = compare_airings(break_of(), other, tv25);
    EXPECT_EQ(c.slots, 6u);
    EXPECT_EQ(c.differences.size(), 6u);
}

TEST(compare, one_frame_apart_agrees_and_a_millisecond_more_differs) {
    auto c = compare_airings(break_of(), break_of(40ms), tv25);
    EXPECT_TRUE(c.agree());
    c = compare_airings(break_of(), break_of(-40ms), tv25);
    EXPECT_TRUE(c.agree());
    c = compare_airings(break_of(), break_of(41ms), tv25);
    ASSERT_EQ(c.differences.size(), 3u);
    EXPECT_EQ(c.differences[0].what, std::vector{difference::actual_start});
    EXPECT_EQ(c.differences[0].apart, 41ms);
    EXPECT_EQ(c.differences[0].frame, (frame_length{40, 1}));
}

TEST(compare, the_frame_is_each_channels_own) {
    // 29.97 fps: a frame is 33.367 ms; radio: 10 ms
    const auto ntsc = video_frame(30000, 1001);
    EXPECT_EQ(ntsc, (frame_length{1001, 30}));
    auto frame = [&](const std::string& ch) { return ch == "tv" ? ntsc : radio_frame; };
    auto local = std::vector{aired("tv", "red", t0), aired("radio", "tone", t0)};
    auto other = std::vector{aired("tv", "red", t0, 33ms), aired("radio", "tone", t0, 10ms)};
    EXPECT_TRUE(compare_airings(local, other, frame).agree());
    other = {aired("tv", "red", t0, 34ms), aired("radio", "tone", t0, 11ms)};
    auto c = compare_airings(local, other, frame);
    ASSERT_EQ(c.differences.size(), 2u);
    EXPECT_EQ(c.differences[0].row().channel, "radio");
    EXPECT_EQ(c.differences[1].row().channel, "tv");
}

TEST(compare, status_start_known_on_one_side_and_hash_differ) {
    auto other = break_of();
    other[0].status = airing_status::failed;
    other[0].detail = "cannot decode";
    other[0].actual_start.reset();
    other[0].actual_end.reset();
    other[1].media_sha256 = std::string(64, 'b');
    other[2].media_sha256.reset(); // unknown on one side: nothing to compare
    auto c = compare_airings(break_of(), other, tv25);
    ASSERT_EQ(c.differences.size(), 2u);
    EXPECT_EQ(c.differences[0].what, (std::vector{difference::status, difference::actual_start}));
    EXPECT_FALSE(c.differences[0].apart);
    EXPECT_EQ(c.differences[1].what, std::vector{difference::media_sha256});
}

TEST(compare, a_row_on_air_is_not_compared_by_status) {
    auto local = break_of();
    local[2].status.reset(); // on air here, completed there
    local[2].actual_end.reset();
    EXPECT_TRUE(compare_airings(local, break_of(), tv25).agree());
}

TEST(compare, a_slot_logged_twice_pairs_in_order) {
    // a programme cut by a crash and joined again: interrupted, then truncated
    auto prog = aired("tv", "prog", t0);
    prog.kind = airing_kind::programme;
    prog.status = airing_status::interrupted;
    auto joined = prog;
    joined.status = airing_status::truncated;
    joined.actual_start = t0 + 5s;
    auto c = compare_airings({prog, joined}, {prog, joined}, tv25);
    EXPECT_EQ(c.slots, 1u);
    EXPECT_TRUE(c.agree());
    // only the first part on the other side: the join is missing there
    c = compare_airings({prog, joined}, {prog}, tv25);
    ASSERT_EQ(c.differences.size(), 1u);
    EXPECT_EQ(c.differences[0].what, std::vector{difference::only_local});
    EXPECT_EQ(c.differences[0].local->status, airing_status::truncated);
}

TEST(compare, the_json_export_reads_back_as_the_rows) {
    auto rows = break_of();
    rows[1].status = airing_status::failed;
    rows[1].detail = "no such file";
    rows[1].actual_start.reset();
    rows[1].actual_end.reset();
    rows[2].status.reset(); // on air
    rows[2].actual_end.reset();
    rows[2].media_sha256.reset();
    rows[0].timezone = rows[1].timezone = rows[2].timezone = "Asia/Vientiane";
    std::ostringstream out;
    json_writer w(out);
    for (const auto& r : rows) {
        w.write(r);
    }
    w.finish();
    auto back = airings_from_json(out.str(), "Asia/Vientiane");
    ASSERT_TRUE(back) << back.error();
    ASSERT_EQ(back->size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        SCOPED_TRACE(i);
        auto want = rows[i];
        want.file.clear(); // not read back
        auto got = (*back)[i];
        got.file.clear();
        EXPECT_EQ(got, want);
    }
}

TEST(compare, a_json_that_is_not_an_export_is_refused_naming_the_row_and_field) {
    EXPECT_EQ(airings_from_json("{}").error(),
              "not an as-run export: expected a JSON array of rows");
    EXPECT_EQ(airings_from_json("[1]").error(), "row 1: expected an object, found number");
    const std::string row = R"({"channel":"tv","kind":"spot","media":"red",)"
                            R"("scheduled_start":"2026-12-01T06:58:00.000+07:00"})";
    EXPECT_TRUE(airings_from_json("[" + row + "]"));
    EXPECT_EQ(airings_from_json("[" + row +
                                R"(,{"channel":"tv","kind":"ad","media":"x",)"
                                R"("scheduled_start":"2026-12-01T06:58:00Z"}])")
                  .error(),
              "row 2: field 'kind': expected spot, programme, insert or make-good, found 'ad'");
    EXPECT_EQ(airings_from_json(R"([{"channel":"tv","kind":"spot","media":"x",)"
                                R"("scheduled_start":"2026-12-01T06:58:00"}])")
                  .error(),
              "row 1: field 'scheduled_start': expected an ISO 8601 timestamp with its offset "
              "('2026-12-01T06:58:00' has no UTC offset)");
    EXPECT_EQ(airings_from_json(R"([{"kind":"spot","media":"x",)"
                                R"("scheduled_start":"2026-12-01T06:58:00Z"}])")
                  .error(),
              "row 1: field 'channel': expected a string, found none");
}

comparison sample() {
    auto other = break_of();
    other.erase(other.begin()); // red only here
    other[0].status = airing_status::failed;
    other[0].detail = "no such file";
    other[0].actual_start.reset();
    other[1].actual_start = *other[1].actual_start + 80ms;
    return compare_airings(break_of(), other, tv25);
}

TEST(compare, text_is_a_line_per_differing_slot_and_a_count) {
    std::ostringstream out;
    print_comparison(sample(), compare_format::text, {"a.sqlite", "b.sqlite", {}, {}}, out);
    EXPECT_EQ(out.str(),
              "tv 2026-12-01T06:58:00.000+00:00 spot red: only here (aired)\n"
              "tv 2026-12-01T06:58:02.000+00:00 spot green: status aired here, failed (no such "
              "file) there; actual_start 2026-12-01T06:58:02.000+00:00 here, none there\n"
              "tv 2026-12-01T06:58:04.000+00:00 spot blue: actual_start "
              "2026-12-01T06:58:04.000+00:00 here, 2026-12-01T06:58:04.080+00:00 there (+80 ms; "
              "a frame is 40 ms)\n"
              "3 slots compared, 3 differ\n");
    out.str("");
    print_comparison(compare_airings(break_of(), break_of(), tv25), compare_format::text, {}, out);
    EXPECT_EQ(out.str(), "3 slots compared, 0 differ\n");
}

TEST(compare, csv_is_a_row_per_differing_slot) {
    std::ostringstream out;
    print_comparison(sample(), compare_format::csv, {}, out);
    const std::string a(64, 'a');
    EXPECT_EQ(out.str(),
              "channel,scheduled_start,kind,media,differences,local_status,other_status,"
              "local_actual_start,other_actual_start,apart_ms,frame_ms,local_media_sha256,"
              "other_media_sha256\n"
              "tv,2026-12-01T06:58:00.000+00:00,spot,red,only_local,aired,,"
              "2026-12-01T06:58:00.000+00:00,,,40," +
                  a +
                  ",\n"
                  "tv,2026-12-01T06:58:02.000+00:00,spot,green,status;actual_start,aired,failed,"
                  "2026-12-01T06:58:02.000+00:00,,,40," +
                  a + "," + a +
                  "\n"
                  "tv,2026-12-01T06:58:04.000+00:00,spot,blue,actual_start,aired,aired,"
                  "2026-12-01T06:58:04.000+00:00,2026-12-01T06:58:04.080+00:00,80,40," +
                  a + "," + a + "\n");
}

TEST(compare, json_has_the_counts_and_both_sides) {
    std::ostringstream out;
    print_comparison(sample(), compare_format::json,
                     {"a.sqlite", "http://127.0.0.1:8751", "2026-12-01T00:00:00.000+00:00", {}},
                     out);
    const auto doc = nlohmann::json::parse(out.str());
    EXPECT_EQ(doc["local"], "a.sqlite");
    EXPECT_EQ(doc["other"], "http://127.0.0.1:8751");
    EXPECT_EQ(doc["from"], "2026-12-01T00:00:00.000+00:00");
    EXPECT_TRUE(doc["to"].is_null());
    EXPECT_EQ(doc["slots"], 3);
    EXPECT_EQ(doc["differ"], 3);
    ASSERT_EQ(doc["differences"].size(), 3u);
    const auto& first = doc["differences"][0];
    EXPECT_EQ(first["media"], "red");
    EXPECT_EQ(first["differences"], nlohmann::json::array({"only_local"}));
    EXPECT_EQ(first["local"]["status"], "aired");
    EXPECT_TRUE(first["other"].is_null());
    const auto& last = doc["differences"][2];
    EXPECT_EQ(last["apart_ms"], 80);
    EXPECT_EQ(last["frame_ms"], 40.0);
    EXPECT_EQ(last["other"]["actual_start"], "2026-12-01T06:58:04.080+00:00");
}

} // namespace
} // namespace onair::asrun
