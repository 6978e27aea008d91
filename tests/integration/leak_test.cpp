// Nothing the engine builds outlives its use: every clip's bin, the loop filler's files, the
// outputs and the pipeline itself are finalised once they are off air. Counted with GStreamer's
// leaks tracer (GST_TRACERS=leaks, set before GStreamer starts): after a render of many clips,
// a failed one among them, over a looping filler, no element and no pad created during the
// render may still be alive. A clip bin added with one reference too many once kept every
// aired clip's decoder, queues and pads alive for the life of the daemon.

#include "render_fixture.hpp"

#include "playout/engine.hpp"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <utility>

namespace onair::playout {
namespace {

using namespace std::chrono_literals;

GstTracer* leaks_tracer() {
    GstTracer* found = nullptr;
    GList* all = gst_tracing_get_active_tracers(); // transfer full
    for (GList* i = all; i != nullptr; i = i->next) {
        if (std::strcmp(G_OBJECT_TYPE_NAME(i->data), "GstLeaksTracer") == 0) {
            found = GST_TRACER(gst_object_ref(i->data));
        }
    }
    g_list_free_full(all, gst_object_unref);
    return found;
}

// (type, address) -> entries in one list of a leaks tracer checkpoint.
std::map<std::pair<std::string, std::string>, int> entries(const GstStructure* checkpoint,
                                                           const char* field) {
    std::map<std::pair<std::string, std::string>, int> out;
    const GValue* list = gst_structure_get_value(checkpoint, field);
    if (list == nullptr) {
        ADD_FAILURE() << "the checkpoint has no " << field;
        return out;
    }
    for (guint i = 0; i < gst_value_list_get_size(list); ++i) {
        const GstStructure* s = gst_value_get_structure(gst_value_list_get_value(list, i));
        ++out[{gst_structure_get_string(s, "type-name"), gst_structure_get_string(s, "address")}];
    }
    return out;
}

// Elements and pads created since tracking started and still alive, by type.
std::map<std::string, int> alive_elements_and_pads(GstTracer* tracer) {
    GstStructure* cp = nullptr;
    g_signal_emit_by_name(tracer, "activity-get-checkpoint", &cp);
    std::map<std::string, int> alive;
    if (cp == nullptr) {
        ADD_FAILURE() << "no checkpoint from the leaks tracer";
        return alive;
    }
    const auto created = entries(cp, "objects-created-list");
    const auto removed = entries(cp, "objects-removed-list");
    gst_structure_free(cp);
    for (const auto& [key, n] : created) {
        const auto r = removed.find(key);
        const int left = n - (r == removed.end() ? 0 : r->second);
        const GType type = g_type_from_name(key.first.c_str());
        if (left > 0 && type != 0 &&
            (g_type_is_a(type, GST_TYPE_ELEMENT) || g_type_is_a(type, GST_TYPE_PAD))) {
            alive[key.first] += left;
        }
    }
    return alive;
}

schedule::channel looping_tv(const std::filesystem::path& a, const std::filesystem::path& b) {
    schedule::channel ch;
    ch.id = "leak-tv";
    ch.kind = schedule::channel_kind::tv;
    ch.video = schedule::video_format{320, 240, 25, 1};
    ch.audio = schedule::audio_format{48000, 2};
    ch.fill.type = schedule::filler_type::loop;
    ch.fill.media = {a, b};
    return ch;
}

// Renders `count` clips of 0.4 s every 0.8 s (the loop filler between them), the fourth one a
// missing file; returns how many clips started.
int render_many(const schedule::channel& ch, int count, const std::filesystem::path& out) {
    const auto red = testing::tv_clip("leak-red.mp4", 0xff0000, 440, 0.4);
    const auto blue = testing::tv_clip("leak-blue.mkv", 0x0000ff, 880, 0.4);
    int started = 0;
    {
        channel_engine engine(ch, mode::render, testing::test_log());
        engine.add_output(file_output{out, std::nullopt, std::nullopt});
        engine.on_event([&](const event& e) { started += e.kind == event_kind::started ? 1 : 0; });
        const nanoseconds end = 800ms * count + 400ms;
        engine.set_end(end);
        for (int i = 0; i < count; ++i) {
            clip c;
            c.id = "clip-" + std::to_string(i);
            c.file = i == 3 ? testing::scratch_dir() / "leak-missing.mp4" : (i % 2 ? blue : red);
            c.start = 800ms * i + 400ms;
            c.duration = 400ms;
            engine.schedule_clip(c);
        }
        engine.start();
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (engine.dispatch(20ms) && std::chrono::steady_clock::now() < deadline) {
        }
        EXPECT_TRUE(engine.finished()) << engine.fatal_error();
    }
    return started;
}

TEST(leaks, a_render_of_many_clips_leaves_no_element_or_pad_alive) {
    gst_init(nullptr, nullptr);
    GstTracer* tracer = leaks_tracer();
    ASSERT_NE(tracer, nullptr) << "GST_TRACERS=leaks was not in effect";
    const auto ch = looping_tv(testing::tv_clip("leak-loop-a.mp4", 0x00ff00, 660, 0.6),
                               testing::tv_clip("leak-loop-b.mp4", 0xffff00, 1100, 0.6));
    // once untracked: plugins, classes and their pad templates are made on first use and kept
    EXPECT_EQ(render_many(ch, 3, testing::scratch_dir() / "leak-warm.mkv"), 3);

    g_signal_emit_by_name(tracer, "activity-start-tracking");
    EXPECT_EQ(render_many(ch, 12, testing::scratch_dir() / "leak.mkv"), 11) << "one is missing";
    const auto alive = alive_elements_and_pads(tracer);
    g_signal_emit_by_name(tracer, "activity-stop-tracking");
    gst_object_unref(tracer);
    std::string list;
    for (const auto& [type, n] : alive) {
        list += " " + type + " x" + std::to_string(n);
    }
    EXPECT_TRUE(alive.empty()) << "still alive after the engine went:" << list;
}

} // namespace
} // namespace onair::playout

int main(int argc, char** argv) {
    // the tracer is read when GStreamer initialises, so before anything touches it
    ::setenv("GST_TRACERS", "leaks", 1);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
