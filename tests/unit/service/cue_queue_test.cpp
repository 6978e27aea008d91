// The runner's decisions on a simulated clock: what is handed to the engine when, what is
// joined and what is skipped.

#include "service/cue_queue.hpp"

#include <gtest/gtest.h>

namespace onair::service {
namespace {

using namespace std::chrono_literals;
using core::instant;
using core::milliseconds;

// 2026-12-01T06:00:00Z
const instant six = instant{} + milliseconds(1'796'104'800'000);

planner::item spot(const std::string& media, instant start, milliseconds length) {
    planner::item it;
    it.kind = planner::item_kind::spot;
    it.media = media;
    it.start = start;
    it.end = start + length;
    it.duration = length;
    return it;
}

planner::item programme(const std::string& media, instant start, milliseconds length) {
    auto it = spot(media, start, length);
    it.kind = planner::item_kind::programme;
    return it;
}

cue_queue make() {
    return cue_queue(5s, 3s, 2s);
}

TEST(cue_queue, hands_each_item_a_lead_ahead_of_its_start_and_only_once) {
    auto q = make();
    q.offer({spot("a", six + 10s, 30s), spot("b", six + 40s, 20s)});
    EXPECT_TRUE(q.take(six).cues.empty());
    EXPECT_TRUE(q.take(six + 4999ms).cues.empty());
    auto d = q.take(six + 5001ms);
    ASSERT_EQ(d.cues.size(), 1u);
    EXPECT_EQ(d.cues[0].item.media, "a");
    EXPECT_EQ(d.cues[0].air_at, six + 10s);
    EXPECT_EQ(d.cues[0].duration, 30s);
    EXPECT_EQ(d.cues[0].in_point, 0ms);
    EXPECT_TRUE(d.skips.empty());
    // a fresh plan offering the same items again does not hand "a" twice
    q.offer({spot("a", six + 10s, 30s), spot("b", six + 40s, 20s)});
    EXPECT_TRUE(q.take(six + 6s).cues.empty());
    d = q.take(six + 36s);
    ASSERT_EQ(d.cues.size(), 1u);
    EXPECT_EQ(d.cues[0].item.media, "b");
    EXPECT_EQ(q.pending(), 0u);
}

TEST(cue_queue, a_spot_under_way_is_skipped_never_joined) {
    auto q = make();
    q.offer({spot("a", six, 30s), spot("b", six + 30s, 20s)});
    auto d = q.take(six + 12s);
    ASSERT_EQ(d.skips.size(), 1u);
    EXPECT_EQ(d.skips[0].item.media, "a");
    EXPECT_NE(d.skips[0].reason.find("never joined"), std::string::npos);
    EXPECT_TRUE(d.cues.empty()); // "b" is 18 s away
}

TEST(cue_queue, a_programme_under_way_is_joined_on_a_whole_second_ahead) {
    auto q = make();
    q.offer({programme("p", six, 10min)});
    // 06:04:07.300 + 3 s = 06:04:10.300, rounded up to 06:04:11
    auto d = q.take(six + 4min + 7300ms);
    ASSERT_EQ(d.cues.size(), 1u);
    EXPECT_EQ(d.cues[0].air_at, six + 4min + 11s);
    EXPECT_EQ(d.cues[0].in_point, 4min + 11s);
    EXPECT_EQ(d.cues[0].duration, 10min - (4min + 11s));
    EXPECT_EQ(d.cues[0].air_at + d.cues[0].duration, six + 10min);
}

TEST(cue_queue, a_programme_too_near_its_end_is_skipped) {
    auto q = make();
    q.offer({programme("p", six, 10s)});
    // joining at 06:00:09 would leave 1 s, less than the shortest join
    auto d = q.take(six + 5500ms);
    EXPECT_TRUE(d.cues.empty());
    ASSERT_EQ(d.skips.size(), 1u);
    EXPECT_NE(d.skips[0].reason.find("too near its end"), std::string::npos);
}

TEST(cue_queue, a_new_plan_replaces_what_was_not_taken) {
    auto q = make();
    q.offer({spot("a", six + 10s, 30s), spot("b", six + 40s, 20s)});
    ASSERT_EQ(q.take(six + 6s).cues.size(), 1u);
    // reload: "b" is gone, "c" comes in, and "a" (taken) is not handed again
    q.offer({spot("a", six + 10s, 30s), spot("c", six + 45s, 20s)});
    EXPECT_EQ(q.pending(), 1u);
    auto d = q.take(six + 41s);
    ASSERT_EQ(d.cues.size(), 1u);
    EXPECT_EQ(d.cues[0].item.media, "c");
}

TEST(cue_queue, after_a_clock_step_back_the_plan_is_taken_again_from_now) {
    auto q = make();
    q.offer({spot("a", six + 10s, 30s), spot("b", six + 1h, 20s)});
    ASSERT_EQ(q.take(six + 6s).cues.size(), 1u);
    // the clock went back ten minutes: from 05:50 on, "a" airs again when its time comes
    q.rewind(six - 10min);
    q.offer({spot("a", six + 10s, 30s), spot("b", six + 1h, 20s)});
    auto d = q.take(six + 6s);
    ASSERT_EQ(d.cues.size(), 1u);
    EXPECT_EQ(d.cues[0].item.media, "a");
}

TEST(cue_queue, items_are_handed_in_order_across_midnight) {
    auto q = make();
    const instant midnight = six + 18h;
    q.offer({spot("late", midnight - 2s, 4s), spot("early", midnight + 2s, 3s)});
    auto d = q.take(midnight - 2500ms);
    ASSERT_EQ(d.cues.size(), 2u);
    EXPECT_EQ(d.cues[0].item.media, "late");
    EXPECT_EQ(d.cues[1].item.media, "early");
}

} // namespace
} // namespace onair::service

namespace onair::service {
namespace {

using namespace std::chrono_literals;

// `onair render` takes its whole window at --from, joining a programme exactly there.
TEST(cue_queue, a_render_joins_a_programme_exactly_at_its_from) {
    const core::instant from = core::instant{} + core::milliseconds(1'796'104'800'250);
    cue_queue q(1h, 0ms, 0ms, false);
    planner::item p;
    p.kind = planner::item_kind::programme;
    p.media = "p";
    p.start = from - 10s;
    p.end = from + 20s;
    planner::item s = p;
    s.kind = planner::item_kind::spot;
    s.media = "s";
    s.start = from - 1s;
    s.end = from + 1s;
    q.offer({p, s});
    const auto due = q.take(from);
    ASSERT_EQ(due.cues.size(), 1u);
    EXPECT_EQ(due.cues[0].air_at, from);
    EXPECT_EQ(due.cues[0].in_point, 10s);
    EXPECT_EQ(due.cues[0].duration, 20s);
    ASSERT_EQ(due.skips.size(), 1u);
    EXPECT_EQ(due.skips[0].item.media, "s");
    const auto clip = clip_for(due.cues[0], 0ms, -2.5);
    EXPECT_EQ(clip.start, 0ms);
    EXPECT_EQ(clip.in_point, 10s);
    EXPECT_EQ(clip.duration, 20s);
    EXPECT_EQ(clip.gain_db, -2.5);
}

} // namespace
} // namespace onair::service
