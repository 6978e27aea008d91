// The console's view of a live mix (playout/monitor): the preview picture follows what airs
// and the level meters hear the difference between filler silence and a spot's tone. A real
// live pipeline for a few seconds of wall time.

#include "render_fixture.hpp"

#include "playout/engine.hpp"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <optional>

namespace onair::playout {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// The colour at the centre of a JPEG, decoded by GStreamer's jpegdec.
std::string colour_of(const std::string& jpeg, const std::string& name) {
    const auto file = testing::scratch_dir() / name;
    std::ofstream(file, std::ios::binary) << jpeg;
    GError* err = nullptr;
    GstElement* p = gst_parse_launch(("filesrc location=" + file.string() +
                                      " ! jpegdec ! videoconvert ! video/x-raw,format=RGB ! "
                                      "appsink name=out sync=false")
                                         .c_str(),
                                     &err);
    if (p == nullptr) {
        g_clear_error(&err);
        return "no decoder";
    }
    GstElement* sink = gst_bin_get_by_name(GST_BIN(p), "out");
    gst_element_set_state(p, GST_STATE_PLAYING);
    GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 5 * GST_SECOND);
    std::string colour = "none";
    if (sample != nullptr) {
        GstVideoInfo info;
        gst_video_info_from_caps(&info, gst_sample_get_caps(sample));
        GstMapInfo map;
        GstBuffer* buf = gst_sample_get_buffer(sample);
        if (gst_buffer_map(buf, &map, GST_MAP_READ)) {
            const auto* px = map.data + (info.height / 2) * info.stride[0] + (info.width / 2) * 3;
            colour = testing::classify(testing::rgb{px[0], px[1], px[2]});
            gst_buffer_unmap(buf, &map);
        }
        gst_sample_unref(sample);
    }
    gst_element_set_state(p, GST_STATE_NULL);
    gst_object_unref(sink);
    gst_object_unref(p);
    return colour;
}

// Runs the engine until its output reaches `at` (running time), then looks.
struct look {
    std::shared_ptr<const std::string> jpeg;
    std::optional<audio_levels> levels;
};
look run_until(channel_engine& e, nanoseconds at) {
    const auto give_up = clock_type::now() + 10s;
    while (e.running_time_now() < at && clock_type::now() < give_up) {
        EXPECT_TRUE(e.dispatch(10ms)) << e.fatal_error();
        e.service(clock_type::now());
    }
    return {e.preview(), e.levels()};
}

TEST(monitor, the_preview_follows_the_picture_and_the_meters_the_sound) {
    schedule::channel ch;
    ch.id = "monitor-tv";
    ch.kind = schedule::channel_kind::tv;
    ch.video = schedule::video_format{160, 120, 25, 1};
    ch.audio = schedule::audio_format{48000, 2};
    channel_engine engine(ch, mode::live, testing::test_log()); // black filler, silence
    schedule::output out;
    out.type = schedule::output_type::null;
    engine.add_output(out);

    clip red;
    red.id = "red";
    red.file = testing::tv_clip("monitor-red.mp4", 0xff0000, 440, 3);
    red.start = 1500ms;
    red.duration = 2500ms;
    engine.schedule_clip(red);
    engine.start();
    engine.service(clock_type::now());

    const auto before = run_until(engine, 1200ms);
    ASSERT_TRUE(before.jpeg) << "a picture within the first second";
    EXPECT_EQ(colour_of(*before.jpeg, "monitor-before.jpg"), "black");
    ASSERT_TRUE(before.levels);
    ASSERT_EQ(before.levels->peak_db.size(), 2u);
    EXPECT_LE(before.levels->peak_db[0], -90) << "the filler is silent";

    const auto during = run_until(engine, 3300ms);
    ASSERT_TRUE(during.jpeg);
    EXPECT_EQ(colour_of(*during.jpeg, "monitor-during.jpg"), "red");
    ASSERT_TRUE(during.levels);
    EXPECT_GT(during.levels->peak_db[0], -30) << "the spot's tone";
    EXPECT_LT(during.levels->rms_db[0], during.levels->peak_db[0] + 0.01);
    // the monitor never holds back the end of the outputs (an unpulled preview did: 5 s of
    // waiting at every stop, and files not finalised)
    const auto asked = clock_type::now();
    EXPECT_TRUE(engine.finish_outputs(3s));
    EXPECT_LT(clock_type::now() - asked, 1s);
    engine.stop();
}

TEST(monitor, a_render_has_no_monitor) {
    schedule::channel ch;
    ch.id = "monitor-render";
    ch.kind = schedule::channel_kind::radio;
    ch.audio = schedule::audio_format{48000, 2};
    channel_engine engine(ch, mode::render, testing::test_log());
    EXPECT_EQ(engine.preview(), nullptr);
    EXPECT_FALSE(engine.levels());
}

} // namespace
} // namespace onair::playout
