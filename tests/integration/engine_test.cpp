// The playout engine rendering short windows: every frame and every 10 ms of sound checked
// against the schedule.

#include "render_fixture.hpp"

#include "playout/engine.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>

namespace onair::playout {
namespace {

using namespace std::chrono_literals;
using testing::classify;
using testing::classify_window;
using testing::decoded;

constexpr std::int64_t frame_ns = 40'000'000; // 25 fps
constexpr int aac_slack_ms = 50;

schedule::channel tv_channel() {
    schedule::channel ch;
    ch.id = "test-tv";
    ch.kind = schedule::channel_kind::tv;
    ch.video = schedule::video_format{320, 240, 25, 1};
    ch.audio = schedule::audio_format{48000, 2};
    return ch;
}

schedule::channel radio_channel() {
    schedule::channel ch;
    ch.id = "test-radio";
    ch.kind = schedule::channel_kind::radio;
    ch.audio = schedule::audio_format{48000, 2};
    return ch;
}

struct expected_clip {
    clip c;
    std::string colour; // tv
    int tone = 0;
};

struct render_result {
    std::vector<event> events;
    std::string fatal;
    double seconds = 0;
};

// What `onair render` does: clips fed 5 s ahead of the output, the output held at the first
// clip not yet fed, EOS at the end.
render_result render(const schedule::channel& ch, std::vector<clip> clips, nanoseconds end,
                     const std::filesystem::path& out) {
    render_result r;
    channel_engine engine(ch, mode::render, testing::test_log());
    engine.add_output(file_output{out, std::nullopt, std::nullopt});
    const bool verbose = std::getenv("ONAIR_TEST_VERBOSE") != nullptr;
    engine.on_event([&](const event& e) {
        if (verbose) {
            std::cerr << to_string(e.kind) << ' ' << e.clip_id << ' '
                      << e.running_time.count() / 1e9 << ' ' << e.reason << '\n';
        }
        r.events.push_back(e);
    });
    engine.set_end(end);
    std::deque<clip> pending(clips.begin(), clips.end());
    auto feed = [&] {
        while (!pending.empty() && pending.front().start < engine.running_time_now() + 5s) {
            engine.schedule_clip(pending.front());
            pending.pop_front();
        }
        engine.hold_at(pending.empty() ? std::nullopt
                                       : std::optional<nanoseconds>(pending.front().start));
    };
    const auto t0 = std::chrono::steady_clock::now();
    feed();
    engine.start();
    const auto deadline = t0 + 60s;
    auto last = t0;
    while (engine.dispatch(20ms) && std::chrono::steady_clock::now() < deadline) {
        feed();
        if (verbose && std::chrono::steady_clock::now() - last > 1s) {
            last = std::chrono::steady_clock::now();
            std::cerr << "position " << engine.running_time_now().count() / 1e9 << " active "
                      << engine.active_clips() << " pending " << pending.size() << '\n';
        }
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_TRUE(engine.finished()) << "render did not finish within 60 s";
    r.fatal = engine.fatal_error();
    return r;
}

clip make_clip(const std::string& id, const std::filesystem::path& file, double start,
               double duration) {
    clip c;
    c.id = id;
    c.file = file;
    c.start = std::chrono::duration_cast<nanoseconds>(std::chrono::duration<double>(start));
    c.duration = std::chrono::duration_cast<nanoseconds>(std::chrono::duration<double>(duration));
    return c;
}

// The colour the schedule puts on frame `i`.
std::string expected_colour(const std::vector<expected_clip>& plan, std::int64_t i,
                            const std::string& filler) {
    const std::int64_t t = i * frame_ns;
    for (const auto& e : plan) {
        if (t >= e.c.start.count() && t < (e.c.start + e.c.duration).count()) {
            return e.colour;
        }
    }
    return filler;
}

int expected_tone(const std::vector<expected_clip>& plan, std::int64_t t) {
    for (const auto& e : plan) {
        if (t >= e.c.start.count() && t < (e.c.start + e.c.duration).count()) {
            return e.tone;
        }
    }
    return 0;
}

// Every frame has the colour the schedule says: clips start on their exact frame, back-to-back
// clips touch, the filler fills the rest.
void expect_frames(const decoded& d, const std::vector<expected_clip>& plan, std::int64_t frames,
                   const std::string& filler) {
    ASSERT_EQ(static_cast<std::int64_t>(d.frames.size()), frames);
    int wrong = 0;
    for (std::int64_t i = 0; i < frames; ++i) {
        const std::string want = expected_colour(plan, i, filler);
        const std::string got = classify(d.frames[static_cast<std::size_t>(i)]);
        if (got != want && ++wrong <= 10) {
            ADD_FAILURE() << "frame " << i << " (" << i * 0.04 << " s): " << got << ", expected "
                          << want;
        }
        EXPECT_EQ(d.frame_pts[static_cast<std::size_t>(i)], i * frame_ns) << "frame " << i;
    }
    EXPECT_EQ(wrong, 0);
}

// Every 10 ms window of sound holds the tone the schedule says, except windows within
// `slack_ms` of a transition (the output's audio encoder smears a boundary).
void expect_sound(const decoded& d, const std::vector<expected_clip>& plan, std::int64_t end_ns,
                  int slack_ms) {
    std::vector<int> tones;
    std::vector<std::int64_t> edges{0, end_ns};
    for (const auto& e : plan) {
        tones.push_back(e.tone);
        edges.push_back(e.c.start.count());
        edges.push_back((e.c.start + e.c.duration).count());
    }
    const int n = 480;
    const auto expected_samples = end_ns / 1'000'000 * 48;
    EXPECT_NEAR(static_cast<double>(d.samples.size()), static_cast<double>(expected_samples),
                slack_ms * 48)
        << "audio length";
    int wrong = 0;
    for (std::size_t w = 0; (w + 1) * n <= d.samples.size(); ++w) {
        const std::int64_t t0 = d.audio_start + static_cast<std::int64_t>(w) * 10'000'000;
        const std::int64_t t1 = t0 + 10'000'000;
        bool near_edge = false;
        for (auto e : edges) {
            if (e > t0 - slack_ms * 1'000'000LL && e < t1 + slack_ms * 1'000'000LL) {
                near_edge = true;
            }
        }
        if (near_edge) {
            continue;
        }
        const int want = expected_tone(plan, t0);
        const int got = classify_window(&d.samples[w * n], n, tones);
        if (got != want && ++wrong <= 10) {
            ADD_FAILURE() << "audio at " << t0 / 1e9 << " s: " << got << " Hz, expected " << want;
        }
    }
    EXPECT_EQ(wrong, 0);
}

// Where a tone first sounds (first sample above a threshold) after `from_ns`, in ns.
std::int64_t onset(const decoded& d, std::int64_t from_ns) {
    auto i = static_cast<std::size_t>(
        std::max<std::int64_t>(0, (from_ns - d.audio_start) * 48 / 1'000'000));
    for (; i < d.samples.size(); ++i) {
        if (std::abs(d.samples[i]) > 1000) {
            return d.audio_start + static_cast<std::int64_t>(i) * 1'000'000 / 48;
        }
    }
    return -1;
}

std::map<std::string, std::vector<event>> by_clip(const std::vector<event>& events) {
    std::map<std::string, std::vector<event>> m;
    for (const auto& e : events) {
        m[e.clip_id].push_back(e);
    }
    return m;
}

std::filesystem::path output(const std::string& name) {
    return testing::scratch_dir() / name;
}

TEST(engine_render, tv_clips_back_to_back_and_gaps_on_their_frames) {
    const std::vector<expected_clip> plan = {
        {make_clip("red", testing::tv_clip("red.mp4", 0xff0000, 440, 2), 2.0, 2.0), "red", 440},
        {make_clip("blue", testing::tv_clip("blue.mkv", 0x0000ff, 880, 2), 4.0, 2.0), "blue", 880},
        {make_clip("green", testing::tv_clip("green.ts", 0x00ff00, 1320, 2), 8.0, 2.0), "green",
         1320},
        // cut at 1 s of a 2 s file
        {make_clip("red-cut", testing::tv_clip("red.mp4", 0xff0000, 440, 2), 12.48, 1.0), "red",
         440},
        {make_clip("yellow", testing::tv_clip("yellow.mp4", 0xffff00, 660, 3), 16.0, 3.0), "yellow",
         660},
        {make_clip("blue-end", testing::tv_clip("blue.mkv", 0x0000ff, 880, 2), 19.0, 2.0), "blue",
         880},
    };
    std::vector<clip> clips;
    for (const auto& e : plan) {
        clips.push_back(e.c);
    }
    const auto out = output("tv.mkv");
    auto r = render(tv_channel(), clips, 20s, out);
    ASSERT_EQ(r.fatal, "");
    std::cout << "rendered 20 s in " << r.seconds << " s (" << 20 / r.seconds << "x)\n";

    auto events = by_clip(r.events);
    for (const auto& e : plan) {
        const auto& ev = events[e.c.id];
        ASSERT_EQ(ev.size(), 2u) << e.c.id;
        EXPECT_EQ(ev[0].kind, event_kind::started) << e.c.id;
        EXPECT_EQ(ev[0].running_time, e.c.start) << e.c.id;
        EXPECT_EQ(ev[1].kind, event_kind::ended) << e.c.id;
    }

    // blue-end is cut by the end of the window
    std::vector<expected_clip> shown = plan;
    shown.back().c.duration = 1s;
    const decoded d = testing::decode(out, true);
    expect_frames(d, shown, 500, "black");
    // AAC: every generation (the clip files, then the output) delays the sound by 1024 samples
    // (21.3 ms) that these muxers do not record, so sound is checked 50 ms clear of each edge
    expect_sound(d, shown, 20'000'000'000, aac_slack_ms);
    // back to back: no silence between red and blue
    for (std::int64_t t = 2'050'000'000; t < 5'950'000'000; t += 10'000'000) {
        if (std::abs(t - 4'000'000'000) < aac_slack_ms * 1'000'000LL) {
            continue;
        }
        const auto w = static_cast<std::size_t>((t - d.audio_start) * 48 / 1'000'000);
        EXPECT_NE(classify_window(&d.samples[w], 480, {440, 880}), 0) << "silence at " << t / 1e9;
    }
    for (const auto& e : {plan[0], plan[2], plan[4]}) {
        const auto at = onset(d, e.c.start.count() - 500'000'000);
        std::cout << e.c.id << ": sound from " << at / 1e9 << " s, planned "
                  << e.c.start.count() / 1e9 << '\n';
        EXPECT_NEAR(static_cast<double>(at), static_cast<double>(e.c.start.count()),
                    aac_slack_ms * 1e6)
            << e.c.id;
    }
}

TEST(engine_render, missing_and_corrupt_files_air_as_filler_and_are_reported) {
    const std::vector<expected_clip> plan = {
        {make_clip("red", testing::tv_clip("red.mp4", 0xff0000, 440, 2), 7.0, 2.0), "red", 440},
        {make_clip("missing", testing::scratch_dir() / "no-such-file.mp4", 9.0, 2.0), "black", 0},
        {make_clip("corrupt", testing::garbage("corrupt.mp4"), 11.0, 2.0), "black", 0},
        {make_clip("green", testing::tv_clip("green.ts", 0x00ff00, 1320, 2), 13.0, 2.0), "green",
         1320},
    };
    std::vector<clip> clips;
    std::vector<expected_clip> shown;
    for (const auto& e : plan) {
        clips.push_back(e.c);
        if (e.tone != 0) {
            shown.push_back(e);
        }
    }
    const auto out = output("failures.mkv");
    auto r = render(tv_channel(), clips, 16s, out);
    ASSERT_EQ(r.fatal, "");
    auto events = by_clip(r.events);
    for (const char* id : {"missing", "corrupt"}) {
        ASSERT_EQ(events[id].size(), 1u) << id;
        EXPECT_EQ(events[id][0].kind, event_kind::failed) << id;
        EXPECT_FALSE(events[id][0].reason.empty()) << id;
        std::cout << id << " failed: " << events[id][0].reason << '\n';
    }
    for (const char* id : {"red", "green"}) {
        ASSERT_EQ(events[id].size(), 2u) << id;
        EXPECT_EQ(events[id][0].kind, event_kind::started) << id;
        EXPECT_EQ(events[id][1].kind, event_kind::ended) << id;
    }
    EXPECT_EQ(events["green"][0].running_time, 13s);
    const decoded d = testing::decode(out, true);
    expect_frames(d, shown, 400, "black");
    expect_sound(d, shown, 16'000'000'000, aac_slack_ms);
}

// A clip that fails while a render's pipeline is still prerolling (a corrupt file among the
// clips of the first seconds): reported failed, its slot black, the render goes on. An earlier
// engine stalled the compositor here in an allocation query; the later handling of failed
// clips' mixer pads (EOS, released once the output has passed their slot) no longer does.
TEST(engine_render, corrupt_file_at_the_start_of_a_render) {
    const std::vector<expected_clip> plan = {
        {make_clip("corrupt", testing::garbage("corrupt.mp4"), 1.0, 2.0), "black", 0},
        {make_clip("red", testing::tv_clip("red.mp4", 0xff0000, 440, 2), 3.0, 2.0), "red", 440},
    };
    const auto out = output("early-failure.mkv");
    auto r = render(tv_channel(), {plan[0].c, plan[1].c}, 6s, out);
    ASSERT_EQ(r.fatal, "");
    auto events = by_clip(r.events);
    ASSERT_EQ(events["corrupt"].size(), 1u);
    EXPECT_EQ(events["corrupt"][0].kind, event_kind::failed);
    const decoded d = testing::decode(out, true);
    expect_frames(d, {plan[1]}, 150, "black");
}

TEST(engine_render, missing_file_at_the_start_is_reported_at_once) {
    const std::vector<expected_clip> plan = {
        {make_clip("missing", testing::scratch_dir() / "nothing-here.mp4", 0.0, 2.0), "black", 0},
        {make_clip("red", testing::tv_clip("red.mp4", 0xff0000, 440, 2), 2.0, 1.0), "red", 440},
    };
    const auto out = output("early-missing.mkv");
    auto r = render(tv_channel(), {plan[0].c, plan[1].c}, 4s, out);
    ASSERT_EQ(r.fatal, "");
    auto events = by_clip(r.events);
    ASSERT_EQ(events["missing"].size(), 1u);
    EXPECT_EQ(events["missing"][0].kind, event_kind::failed);
    EXPECT_NE(events["missing"][0].reason.find("no such file"), std::string::npos);
    const decoded d = testing::decode(out, true);
    expect_frames(d, {plan[1]}, 100, "black");
}

TEST(engine_render, slate_filler_is_letterboxed_under_the_clips) {
    auto ch = tv_channel();
    ch.fill.type = schedule::filler_type::slate;
    // 2:1 picture in a 4:3 frame: bars above and below, never stretched
    ch.fill.image = testing::still("slate.png", 0x808080, 320, 160);
    const std::vector<expected_clip> plan = {
        {make_clip("blue", testing::tv_clip("blue.mkv", 0x0000ff, 880, 2), 1.0, 2.0), "blue", 880},
    };
    const auto out = output("slate.mkv");
    auto r = render(ch, {plan[0].c}, 4s, out);
    ASSERT_EQ(r.fatal, "");
    const decoded d = testing::decode(out, true);
    expect_frames(d, plan, 100, "grey");
    for (std::size_t i = 0; i < d.corners.size(); ++i) {
        const std::string want = (i >= 25 && i < 75) ? "blue" : "black";
        EXPECT_EQ(classify(d.corners[i]), want) << "corner of frame " << i;
    }
}

// A slate that is not there airs black (with a warning), never keeps the channel off air.
TEST(engine_render, a_missing_slate_airs_black_instead) {
    auto ch = tv_channel();
    ch.fill.type = schedule::filler_type::slate;
    ch.fill.image = testing::scratch_dir() / "no-such-slate.png";
    const std::vector<expected_clip> plan = {
        {make_clip("blue", testing::tv_clip("blue.mkv", 0x0000ff, 880, 2), 1.0, 2.0), "blue", 880},
    };
    const auto out = output("missing-slate.mkv");
    auto r = render(ch, {plan[0].c}, 4s, out);
    ASSERT_EQ(r.fatal, "");
    const decoded d = testing::decode(out, true);
    expect_frames(d, plan, 100, "black");
}

// So does a slate that is there but is no picture (a half-copied file, a text saved as .png).
TEST(engine_render, a_slate_that_is_not_a_picture_airs_black_instead) {
    auto ch = tv_channel();
    ch.fill.type = schedule::filler_type::slate;
    ch.fill.image = testing::garbage("not-a-slate.png");
    const std::vector<expected_clip> plan = {
        {make_clip("blue", testing::tv_clip("blue.mkv", 0x0000ff, 880, 2), 1.0, 2.0), "blue", 880},
    };
    const auto out = output("garbage-slate.mkv");
    auto r = render(ch, {plan[0].c}, 4s, out);
    ASSERT_EQ(r.fatal, "");
    expect_frames(testing::decode(out, true), plan, 100, "black");
}

TEST(engine_render, radio_tones_sample_accurate_in_wav) {
    const std::vector<expected_clip> plan = {
        {make_clip("a", testing::radio_clip("a440.wav", 440, 2), 1.0, 1.5), "", 440},
        {make_clip("b", testing::radio_clip("b880.ogg", 880, 2), 2.5, 1.0), "",
         880}, // back to back
        {make_clip("c", testing::radio_clip("c1320.wav", 1320, 2), 5.005, 1.0), "", 1320},
    };
    std::vector<clip> clips;
    for (const auto& e : plan) {
        clips.push_back(e.c);
    }
    const auto out = output("radio.wav");
    auto r = render(radio_channel(), clips, 8s, out);
    ASSERT_EQ(r.fatal, "");
    std::cout << "radio: rendered 8 s in " << r.seconds << " s (" << 8 / r.seconds << "x)\n";
    auto events = by_clip(r.events);
    for (const auto& e : plan) {
        const auto& ev = events[e.c.id];
        ASSERT_EQ(ev.size(), 2u) << e.c.id;
        EXPECT_EQ(ev[0].kind, event_kind::started);
        EXPECT_EQ(ev[1].kind, event_kind::ended);
    }
    const decoded d = testing::decode(out, false);
    EXPECT_EQ(d.audio_start, 0);
    EXPECT_EQ(d.samples.size(), 8u * 48000u) << "the output ends exactly at the window's end";
    expect_sound(d, plan, 8'000'000'000, 10);
    // onsets from silence within 10 ms (SPEC 7: radio)
    for (const auto& e : {plan[0], plan[2]}) {
        const auto at = onset(d, e.c.start.count() - 100'000'000);
        EXPECT_NEAR(static_cast<double>(at), static_cast<double>(e.c.start.count()), 10e6)
            << e.c.id;
    }
    // back to back: the 880 Hz tone takes over at 2.5 s with no silent window between
    for (std::int64_t t = 1'000'000'000; t + 10'000'000 <= 3'500'000'000; t += 10'000'000) {
        const auto w = static_cast<std::size_t>(t * 48 / 1'000'000);
        EXPECT_NE(classify_window(&d.samples[w], 480, {440, 880}), 0) << "silence at " << t / 1e9;
    }
    EXPECT_EQ(classify_window(&d.samples[2'490 * 48], 480, {440, 880}), 440);
    EXPECT_EQ(classify_window(&d.samples[2'500 * 48], 480, {440, 880}), 880);
}

} // namespace
} // namespace onair::playout
