// The runner's rules (docs/run.md), one by one, with a fake engine and a manual clock: what goes
// to the engine when and at which running time, what each airing's row says, and what happens
// when the pipeline, a clip or the clock misbehaves. No GStreamer, no sleeping.

#include "service/channel_runner.hpp"

#include "fake_engine.hpp"
#include "manual_clock.hpp"
#include "memory_log.hpp"
#include "schedule/load.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace onair::service {
namespace {

using namespace std::chrono_literals;
using asrun::airing_status;
using core::instant;
using core::milliseconds;

// 2026-12-03T12:00:00Z
const instant noon = instant{} + milliseconds(1'796'299'200'000);

const char* const schedule_yaml = R"(media:
  a: {file: a.mp4, title: Spot A, duration: 2s}
  b: {file: b.mp4, title: Spot B, duration: 3s}
  p: {file: p.mp4, title: Programme, duration: 20s}
campaigns:
  c:
    from: 2026-12-01
    until: 2026-12-31
    spots: [a, b]
breaks:
  - {id: brk, at: ["12:00:10", "12:01:10"], length: 5s}
programmes:
  - {id: prog, media: p, at: "12:00:30"}
)";

std::shared_ptr<planner::planner> make_plan() {
    // ctest runs each rule as its own process, two at a time: each gets its own file.
    const auto dir = std::filesystem::temp_directory_path() /
                     ("onair-runner-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / "schedule.yaml";
    {
        std::ofstream out(file);
        out << schedule_yaml;
    }
    core::diagnostics diags;
    auto s = schedule::load_schedule(file, {}, diags);
    std::filesystem::remove_all(dir);
    if (!s || diags.has_errors()) {
        std::ostringstream out;
        for (const auto& d : diags.all()) {
            out << d.where.line << ": " << d.message << "\n";
        }
        throw std::runtime_error("test schedule: " + out.str());
    }
    planner::channel_input in;
    in.channel_id = "tv";
    in.zone = date::locate_zone("UTC");
    in.sched = std::make_shared<const schedule::schedule>(*s);
    in.media_durations = {{"a", 2s}, {"b", 3s}, {"p", 20s}};
    in.frame_duration = std::pair{1, 25};
    return std::make_shared<planner::planner>(std::move(in));
}

schedule::channel tv() {
    schedule::channel ch;
    ch.id = "tv";
    ch.name = "Test TV";
    ch.kind = schedule::channel_kind::tv;
    ch.timezone = "UTC";
    ch.zone = date::locate_zone("UTC");
    ch.video = schedule::video_format{};
    return ch;
}

std::string file_of(const std::string& media) {
    return make_plan()->input().sched->find_media(media)->file.string();
}

struct runner_rules : ::testing::Test {
    boost::asio::io_context io;
    testing::manual_clock clock{noon};
    testing::fake_pipeline pipe;
    testing::memory_log rows;
    std::ostringstream log_text;
    core::logger log{log_text};
    testing::held_teardown teardown{log}; // used by the rules that say so
    std::unique_ptr<channel_runner> runner;

    void make(runner_options o = {}) {
        pipe.clock = &clock;
        std::map<std::string, media_facts> facts;
        facts[file_of("a")] = media_facts{-3.5, std::string("aa")};
        runner = std::make_unique<channel_runner>(io, tv(), make_plan(), facts, rows,
                                                  testing::fake_engines(pipe), clock, log, o);
    }
    // On air with `teardown` holding what the runner retires; "a" started at 12:00:10.
    void air_a_with_held_teardown() {
        runner_options o;
        o.teardown = &teardown;
        make(o);
        runner->start();
        run_to(noon + 10s);
        pipe.start("a");
    }
    // Moves the clock to `t` in tick-sized steps, turning the runner at each.
    void run_to(instant t) {
        while (clock.now() + 40ms <= t) {
            clock.advance(40ms);
            runner->tick();
        }
        if (clock.now() < t) {
            clock.advance(t - clock.now());
            runner->tick();
        }
    }
    const testing::fake_clip& clip(const std::string& media) {
        auto* c = pipe.find(media);
        if (c == nullptr) {
            throw std::logic_error("not scheduled: " + media);
        }
        return *c;
    }
};

TEST_F(runner_rules, hands_a_break_to_the_engine_a_lead_ahead_on_the_running_time_of_its_instants) {
    make();
    runner->start();
    EXPECT_EQ(pipe.builds, 1);
    EXPECT_TRUE(pipe.clips.empty());
    run_to(noon + 4960ms);
    EXPECT_TRUE(pipe.clips.empty()) << "nothing before start - lead";
    run_to(noon + 5040ms);
    ASSERT_EQ(pipe.clips.size(), 1u) << "a (10-12) is 5 s ahead";
    run_to(noon + 6960ms);
    ASSERT_EQ(pipe.clips.size(), 1u);
    run_to(noon + 7040ms);
    ASSERT_EQ(pipe.clips.size(), 2u) << "b (12-15) is 5 s ahead";
    // running time 0 = the whole second the channel went on air (12:00:00)
    EXPECT_EQ(clip("a").clip.start, 10s);
    EXPECT_EQ(clip("a").clip.duration, 2s);
    EXPECT_EQ(clip("a").clip.gain_db, -3.5);
    EXPECT_EQ(clip("b").clip.start, 12s);
    EXPECT_EQ(clip("b").clip.duration, 3s);
    EXPECT_EQ(clip("b").clip.in_point, 0ms);
}

TEST_F(runner_rules, logs_each_airing_with_the_time_its_first_frame_left_the_pipeline) {
    make();
    runner->start();
    run_to(noon + 10s);
    pipe.start("a");
    ASSERT_EQ(rows.rows.size(), 1u);
    EXPECT_EQ(rows.rows[0].actual_start, noon + 10s);
    EXPECT_FALSE(rows.rows[0].status) << "open while on air";
    EXPECT_EQ(rows.rows[0].media_sha256, "aa");
    EXPECT_EQ(runner->state().now->media, "a");
    run_to(noon + 12s);
    pipe.end("a");
    pipe.start("b", 40ms);
    run_to(noon + 15040ms);
    pipe.end("b");
    ASSERT_EQ(rows.rows.size(), 2u);
    EXPECT_EQ(rows.rows[0].status, airing_status::aired);
    EXPECT_EQ(rows.rows[0].actual_end, noon + 12s);
    EXPECT_EQ(rows.rows[0].kind, asrun::airing_kind::spot);
    EXPECT_EQ(rows.rows[0].campaign, "c");
    EXPECT_EQ(rows.rows[0].break_id, "brk");
    EXPECT_EQ(rows.rows[1].actual_start, noon + 12040ms);
    EXPECT_EQ(rows.rows[1].status, airing_status::aired) << "ran to its planned end";
    EXPECT_EQ(runner->take_start_errors(), (std::vector<milliseconds>{0ms, 40ms}));
    EXPECT_FALSE(runner->state().now);
    EXPECT_EQ(pipe.titles, (std::vector<std::string>{"Spot A", "Test TV", "Spot B", "Test TV"}));
}

TEST_F(runner_rules, a_file_that_ends_early_is_truncated_with_how_much_was_missing) {
    make();
    runner->start();
    run_to(noon + 10s);
    pipe.start("a");
    pipe.end("a", 11500ms);
    EXPECT_EQ(rows.rows[0].status, airing_status::truncated);
    EXPECT_EQ(rows.rows[0].detail, "the file ended 0.500 s before its planned end");
}

TEST_F(runner_rules, a_spot_under_way_at_start_is_skipped_and_the_next_airs_whole) {
    clock.advance(11s); // 12:00:11, spot a (10-12) is under way
    make();
    runner->start();
    ASSERT_EQ(rows.rows.size(), 1u);
    EXPECT_EQ(rows.rows[0].media, "a");
    EXPECT_EQ(rows.rows[0].status, airing_status::skipped);
    EXPECT_EQ(rows.rows[0].detail, "under way when reached: a spot is never joined mid-way");
    ASSERT_EQ(pipe.clips.size(), 1u);
    EXPECT_EQ(clip("b").clip.start, 1s) << "12:00:12 on a pipeline that started at 12:00:11";
}

TEST_F(runner_rules, a_programme_under_way_is_joined_on_a_whole_second_ahead_and_logged_truncated) {
    clock.advance(35s + 300ms); // the programme (30-50) is 5.3 s in
    make();
    runner->start();
    ASSERT_EQ(pipe.clips.size(), 1u);
    // joined at ceil(12:00:35.3 + 3 s) = 12:00:39: 9 s in, 11 s left; running time 0 = 12:00:35
    EXPECT_EQ(clip("p").clip.start, 4s);
    EXPECT_EQ(clip("p").clip.in_point, 9s);
    EXPECT_EQ(clip("p").clip.duration, 11s);
    run_to(noon + 39s);
    pipe.start("p");
    run_to(noon + 50s);
    pipe.end("p");
    ASSERT_EQ(rows.rows.size(), 1u);
    EXPECT_EQ(rows.rows[0].actual_start, noon + 39s);
    EXPECT_EQ(rows.rows[0].status, airing_status::truncated);
    EXPECT_EQ(rows.rows[0].detail,
              "joined 9.000 s in: it was under way when the channel went on air");
}

TEST_F(runner_rules, skip_ends_the_item_on_air_and_only_it) {
    make();
    runner->start();
    run_to(noon + 10s);
    pipe.start("a");
    run_to(noon + 11s);
    const auto skipped = runner->skip();
    ASSERT_TRUE(skipped);
    EXPECT_EQ(skipped->media, "a");
    EXPECT_TRUE(pipe.clips[0].cancelled);
    EXPECT_FALSE(pipe.clips[1].cancelled) << "the next spot still airs";
    EXPECT_EQ(rows.rows[0].status, airing_status::skipped);
    EXPECT_EQ(rows.rows[0].detail, "operator skip");
    EXPECT_EQ(rows.rows[0].actual_end, noon + 11s);
    EXPECT_FALSE(runner->skip()) << "filler on air: nothing to skip, a retry changes nothing";
    EXPECT_EQ(rows.rows.size(), 1u);
}

TEST_F(runner_rules, at_a_seam_skip_takes_off_the_item_that_started_last) {
    make();
    runner->start();
    run_to(noon + 10s);
    pipe.start("a");
    run_to(noon + 12s);
    pipe.start("b"); // a's end not reported yet
    const auto skipped = runner->skip();
    ASSERT_TRUE(skipped);
    EXPECT_EQ(skipped->media, "b");
}

TEST_F(runner_rules, inserts_queue_in_order_and_none_takes_the_slot_of_another) {
    clock.advance(16s); // after the break
    make();
    runner->start();
    run_to(noon + 20s);
    auto first = runner->insert("b");
    ASSERT_TRUE(std::holds_alternative<planner::item>(first));
    EXPECT_EQ(std::get<planner::item>(first).start, noon + 23s) << "whole second, 3 s ahead";
    run_to(noon + 21s);
    auto second = runner->insert("a");
    ASSERT_TRUE(std::holds_alternative<planner::item>(second));
    EXPECT_EQ(std::get<planner::item>(second).start, noon + 26s) << "after the first";
    EXPECT_TRUE(rows.rows.empty()) << "no insert logged skipped";
    ASSERT_EQ(pipe.clips.size(), 2u);
    EXPECT_FALSE(pipe.clips[0].cancelled);
    EXPECT_EQ(pipe.clips[0].clip.start, 7s) << "12:00:23 on a pipeline that started at 12:00:16";
    EXPECT_EQ(pipe.clips[1].clip.start, 10s);
    run_to(noon + 23s);
    pipe.start("b");
    run_to(noon + 26s);
    pipe.end("b");
    pipe.start("a");
    run_to(noon + 28s);
    pipe.end("a");
    ASSERT_EQ(rows.rows.size(), 2u);
    for (const auto& r : rows.rows) {
        EXPECT_EQ(r.kind, asrun::airing_kind::insert);
        EXPECT_EQ(r.status, airing_status::aired);
    }
}

TEST_F(runner_rules, an_insert_takes_the_slot_of_planned_items_which_are_logged_skipped) {
    make();
    runner->start();
    run_to(noon + 6s); // a (10-12) and b (12-15) are on the engine
    auto in = runner->insert("p");
    ASSERT_TRUE(std::holds_alternative<planner::item>(in));
    EXPECT_EQ(std::get<planner::item>(in).start, noon + 9s);
    EXPECT_TRUE(pipe.clips[0].cancelled) << "a was on the engine: taken off";
    ASSERT_EQ(rows.rows.size(), 2u) << "b was still in the queue: taken out";
    EXPECT_EQ(rows.rows[0].media, "a");
    EXPECT_EQ(rows.rows[1].media, "b");
    for (const auto& r : rows.rows) {
        EXPECT_EQ(r.status, airing_status::skipped);
        EXPECT_EQ(r.detail, "an operator insert took its slot");
    }
    // the insert airs 9-29; the programme at 30 s is outside its slot
    run_to(noon + 26s);
    EXPECT_EQ(pipe.find("p")->clip.start, 30s) << "the planned programme still airs";
}

TEST_F(runner_rules, an_insert_of_unknown_media_is_refused_with_the_reason) {
    make();
    runner->start();
    auto r = runner->insert("zz");
    ASSERT_TRUE(std::holds_alternative<std::string>(r));
    EXPECT_EQ(std::get<std::string>(r), "no media 'zz' in the channel's schedule");
}

TEST_F(runner_rules, a_file_missing_when_prepared_is_logged_failed_when_its_slot_comes) {
    make();
    runner->start();
    pipe.fail_on_schedule[testing::fake_engine::serial_base_ + 1] = "no such file";
    run_to(noon + 5040ms);
    EXPECT_TRUE(rows.rows.empty()) << "not before its slot";
    run_to(noon + 10s);
    ASSERT_EQ(rows.rows.size(), 1u);
    EXPECT_EQ(rows.rows[0].media, "a");
    EXPECT_EQ(rows.rows[0].status, airing_status::failed);
    EXPECT_EQ(rows.rows[0].detail, "no such file");
}

TEST_F(runner_rules, a_hung_clip_is_cut_at_its_planned_end_and_logged_failed) {
    make();
    runner->start();
    run_to(noon + 10s);
    pipe.start("a");
    run_to(noon + 12s + 460ms);
    EXPECT_FALSE(pipe.clips[0].cancelled) << "within the grace";
    run_to(noon + 12s + 500ms);
    EXPECT_TRUE(pipe.clips[0].cancelled);
    EXPECT_EQ(rows.rows[0].status, airing_status::failed);
    EXPECT_EQ(rows.rows[0].actual_end, noon + 12s);
    EXPECT_EQ(rows.rows[0].detail, "its data stopped arriving; cut at its planned end");
    EXPECT_FALSE(runner->state().now);
}

TEST_F(runner_rules, a_clip_that_never_starts_is_logged_failed_after_its_slot) {
    make();
    runner->start();
    run_to(noon + 15s + 500ms);
    ASSERT_EQ(rows.rows.size(), 2u);
    EXPECT_EQ(rows.rows[0].media, "a");
    EXPECT_EQ(rows.rows[0].status, airing_status::failed);
    EXPECT_EQ(rows.rows[0].detail, "no data arrived from the file by its planned end");
    EXPECT_EQ(rows.rows[1].media, "b");
}

TEST_F(runner_rules, a_pipeline_that_cannot_be_built_is_retried_with_backoff_and_nothing_crashes) {
    pipe.fail_next_builds = 3;
    make();
    runner->start();
    EXPECT_EQ(pipe.builds, 1);
    EXPECT_FALSE(runner->state().on_air);
    EXPECT_EQ(runner->state().down_reason, "no element 'x264enc'");
    auto refused = runner->insert("a");
    ASSERT_TRUE(std::holds_alternative<std::string>(refused));
    EXPECT_TRUE(runner->skip() == std::nullopt);
    run_to(noon + 40ms);
    EXPECT_EQ(pipe.builds, 2) << "the first failure is retried at once";
    run_to(noon + 1000ms);
    EXPECT_EQ(pipe.builds, 2);
    run_to(noon + 1040ms);
    EXPECT_EQ(pipe.builds, 3) << "then after 1 s";
    run_to(noon + 3000ms);
    EXPECT_EQ(pipe.builds, 3);
    run_to(noon + 3040ms);
    EXPECT_EQ(pipe.builds, 4) << "then after 2 s, and it builds";
    EXPECT_TRUE(runner->state().on_air);
    EXPECT_TRUE(runner->state().down_reason.empty());
    run_to(noon + 7040ms);
    EXPECT_EQ(pipe.clips.size(), 2u) << "the break is cued as usual";
}

TEST_F(runner_rules, a_pipeline_that_dies_is_rebuilt_and_its_items_on_air_interrupted) {
    make();
    runner->start();
    run_to(noon + 10s);
    pipe.start("a");
    pipe.dead = true;
    pipe.fatal = "Could not encode stream.";
    run_to(noon + 10040ms);
    EXPECT_EQ(pipe.builds, 2);
    EXPECT_EQ(pipe.stops, 1);
    EXPECT_EQ(runner->state().restarts, 1u);
    ASSERT_GE(rows.rows.size(), 1u);
    EXPECT_EQ(rows.rows[0].status, airing_status::interrupted);
    EXPECT_EQ(rows.rows[0].detail, "the pipeline stopped: Could not encode stream.");
    EXPECT_EQ(rows.rows[0].actual_end, noon + 10040ms);
    // the rest of the break is taken up again: b (12-15) is cued on the new pipeline
    EXPECT_NE(pipe.find("b"), nullptr);
    EXPECT_EQ(pipe.find("b")->clip.start, 2s) << "new running time 0 = 12:00:10";
}

// The old pipeline is drained and stopped off the loop; its outputs (a file, a mount) are
// still its own until then, so the new one is built only once it is done.
TEST_F(runner_rules, a_dead_pipeline_is_torn_down_off_the_loop_and_rebuilt_once_it_is_done) {
    air_a_with_held_teardown();
    const auto old_events = pipe.emit;
    pipe.dead = true;
    run_to(noon + 10040ms);
    ASSERT_EQ(teardown.held.size(), 1u);
    EXPECT_FALSE(teardown.held[0].finish) << "a dead pipeline has nothing left to drain";
    EXPECT_EQ(pipe.stops, 0) << "the runner never stops it on its own thread";
    ASSERT_EQ(rows.rows.size(), 1u);
    EXPECT_EQ(rows.rows[0].status, airing_status::interrupted);
    EXPECT_EQ(rows.rows[0].actual_end, noon + 10040ms);

    run_to(noon + 12s); // still draining: no second pipeline beside it
    EXPECT_EQ(pipe.builds, 1);
    EXPECT_FALSE(runner->state().on_air);
    EXPECT_EQ(runner->state().restarts, 1u);
    // what the old pipeline says while it drains is no longer the runner's
    playout::event late;
    late.kind = playout::event_kind::ended;
    late.serial = clip("a").serial;
    late.clip_id = "a";
    late.running_time = 2s;
    old_events(late);
    EXPECT_EQ(rows.rows.size(), 1u);

    teardown.release();
    EXPECT_EQ(pipe.stops, 1);
    run_to(noon + 12040ms);
    EXPECT_EQ(pipe.builds, 2);
    EXPECT_TRUE(runner->state().on_air);
    // b (12:00:12-15) is under way: skipped; the next break's a is cued on the new pipeline
    EXPECT_NE(pipe.find("a"), nullptr);
}

TEST_F(runner_rules, stop_hands_the_engine_over_to_finish_its_outputs_and_returns_at_once) {
    air_a_with_held_teardown();
    run_to(noon + 11s);
    runner->stop("reload changed the channel's format or outputs");
    ASSERT_EQ(rows.rows.size(), 1u);
    EXPECT_EQ(rows.rows[0].status, airing_status::interrupted);
    EXPECT_EQ(rows.rows[0].actual_end, noon + 11s);
    ASSERT_EQ(teardown.held.size(), 1u);
    EXPECT_TRUE(teardown.held[0].finish);
    EXPECT_EQ(pipe.finishes, 0);
    EXPECT_EQ(pipe.stops, 0);
    teardown.release();
    EXPECT_EQ(pipe.finishes, 1);
    EXPECT_EQ(pipe.stops, 1);
}

TEST_F(runner_rules, a_stalled_output_is_rebuilt_after_five_seconds) {
    make();
    runner->start();
    run_to(noon + 1s);
    pipe.moving = false;
    run_to(noon + 5960ms);
    EXPECT_EQ(pipe.builds, 1);
    EXPECT_FALSE(runner->airing(10s) == false) << "still airing within the stall limit";
    run_to(noon + 6040ms);
    EXPECT_EQ(pipe.builds, 2);
    EXPECT_EQ(runner->state().restarts, 1u);
    EXPECT_NE(log_text.str().find("the output has not moved for 5.0"), std::string::npos);
}

TEST_F(runner_rules, a_wall_clock_step_replans_from_where_the_clock_now_says) {
    make();
    runner->start();
    run_to(noon + 1s);
    clock.step_wall(8s + 500ms); // wall 12:00:09.5, pipeline 1 s in
    runner->tick();
    // spot a (10-12) is now 0.5 s ahead: cued at the new anchor's running time
    ASSERT_NE(pipe.find("a"), nullptr);
    // new anchor: wall 12:00:09.5 = running time 1 s, so 12:00:10 is at 1.5 s
    EXPECT_EQ(pipe.find("a")->clip.start, 1500ms);
    EXPECT_NE(log_text.str().find("the wall clock stepped"), std::string::npos);
}

TEST_F(runner_rules, a_small_drift_moves_the_anchor_without_replanning) {
    make();
    runner->start();
    run_to(noon + 1s);
    clock.step_wall(30ms); // NTP slewed 30 ms ahead
    runner->tick();
    run_to(noon + 5070ms);
    ASSERT_NE(pipe.find("a"), nullptr);
    // 12:00:10 is 30 ms sooner on the pipeline than before the drift
    EXPECT_EQ(pipe.find("a")->clip.start, 9970ms);
    EXPECT_EQ(log_text.str().find("the wall clock stepped"), std::string::npos);
}

TEST_F(runner_rules, stop_closes_items_on_air_interrupted_and_leaves_no_row_for_the_rest) {
    make();
    runner->start();
    run_to(noon + 10s);
    pipe.start("a");
    run_to(noon + 11s);
    runner->stop("the daemon stopped (SIGTERM)");
    ASSERT_EQ(rows.rows.size(), 1u);
    EXPECT_EQ(rows.rows[0].status, airing_status::interrupted);
    EXPECT_EQ(rows.rows[0].detail, "the daemon stopped (SIGTERM)");
    EXPECT_EQ(rows.rows[0].actual_end, noon + 11s);
    EXPECT_EQ(pipe.stops, 1);
    EXPECT_FALSE(runner->state().on_air);
}

TEST_F(runner_rules, a_new_plan_takes_over_for_items_not_yet_prepared) {
    make();
    runner->start();
    run_to(noon + 20s);
    runner->replace_plan(nullptr, {});
    run_to(noon + 26s);
    EXPECT_EQ(pipe.find("p"), nullptr) << "no plan: filler only";
}

TEST_F(runner_rules, an_exception_in_a_turn_is_counted_and_the_next_turn_runs) {
    make();
    runner->start();
    pipe.throw_in_dispatch = 1;
    run_to(noon + 40ms);
    EXPECT_EQ(runner->state().internal_errors, 1u);
    EXPECT_NE(log_text.str().find("internal error; the channel airs on"), std::string::npos);
    run_to(noon + 7040ms);
    EXPECT_EQ(pipe.clips.size(), 2u) << "the next turns cue the break as usual";
    EXPECT_EQ(pipe.builds, 1);
}

} // namespace
} // namespace onair::service
