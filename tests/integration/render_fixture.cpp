#include "render_fixture.hpp"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <unistd.h>

namespace onair::playout::testing {
namespace {

void run(const std::string& pipeline, const std::filesystem::path& out) {
    const auto tmp = out.string() + ".part";
    std::string cmd = "gst-launch-1.0 -q " + pipeline + " > /dev/null 2>&1";
    const auto at = cmd.find("@OUT@");
    cmd.replace(at, 5, "location=\"" + tmp + "\"");
    if (std::system(cmd.c_str()) != 0) {
        throw std::runtime_error("failed: " + cmd);
    }
    std::filesystem::rename(tmp, out);
}

std::string aac() {
    return gst_element_factory_find("avenc_aac") != nullptr ? "avenc_aac" : "voaacenc";
}

std::mutex made_mutex;

} // namespace

core::logger& test_log() {
    static core::logger log(std::cerr, core::level::info);
    return log;
}

const std::filesystem::path& scratch_dir() {
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() /
                 ("onair-render-tests-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                            ("onair-render-tests-" + std::to_string(::getpid())),
                                        ec);
        });
        return d;
    }();
    return dir;
}

std::filesystem::path tv_clip(const std::string& name, unsigned colour, int freq, double seconds) {
    std::lock_guard lock(made_mutex);
    gst_init(nullptr, nullptr);
    const auto out = scratch_dir() / name;
    if (std::filesystem::exists(out)) {
        return out;
    }
    const int frames = static_cast<int>(std::lround(seconds * 25));
    const int blocks = static_cast<int>(std::lround(seconds * 100)); // 10 ms buffers
    const std::string ext = out.extension().string();
    const std::string mux = ext == ".mp4" ? "mp4mux" : ext == ".ts" ? "mpegtsmux" : "matroskamux";
    char fg[16];
    std::snprintf(fg, sizeof fg, "0xff%06x", colour);
    run("videotestsrc pattern=solid-color foreground-color=" + std::string(fg) +
            " num-buffers=" + std::to_string(frames) +
            " ! video/x-raw,width=320,height=240,framerate=25/1 ! x264enc speed-preset=ultrafast "
            "! h264parse ! " +
            mux +
            " name=mux ! filesink @OUT@ "
            "audiotestsrc freq=" +
            std::to_string(freq) +
            " volume=0.5 samplesperbuffer=480 "
            "num-buffers=" +
            std::to_string(blocks) + " ! audio/x-raw,rate=48000,channels=2 ! audioconvert ! " +
            aac() + " ! aacparse ! mux.",
        out);
    return out;
}

std::filesystem::path tv_sequence(const std::string& name, const std::vector<segment>& parts) {
    std::lock_guard lock(made_mutex);
    gst_init(nullptr, nullptr);
    const auto out = scratch_dir() / name;
    if (std::filesystem::exists(out)) {
        return out;
    }
    // concat joins the parts with continuous timestamps; a key frame every second, so a seek
    // into it has to decode from the key frame before (what an accurate join must handle)
    std::string video = "concat name=vc ! x264enc speed-preset=ultrafast key-int-max=25 ! "
                        "h264parse ! mp4mux name=mux ! filesink @OUT@ ";
    std::string audio = "concat name=ac ! audioconvert ! " + aac() + " ! aacparse ! mux. ";
    for (const auto& p : parts) {
        char fg[16];
        std::snprintf(fg, sizeof fg, "0xff%06x", p.colour);
        video += "videotestsrc pattern=solid-color foreground-color=" + std::string(fg) +
                 " num-buffers=" + std::to_string(std::lround(p.seconds * 25)) +
                 " ! video/x-raw,width=320,height=240,framerate=25/1 ! vc. ";
        audio += "audiotestsrc freq=" + std::to_string(p.freq) +
                 " volume=0.5 samplesperbuffer=480 num-buffers=" +
                 std::to_string(std::lround(p.seconds * 100)) +
                 " ! audio/x-raw,rate=48000,channels=2 ! ac. ";
    }
    run(video + audio, out);
    return out;
}

std::filesystem::path radio_clip(const std::string& name, int freq, double seconds) {
    std::lock_guard lock(made_mutex);
    const auto out = scratch_dir() / name;
    if (std::filesystem::exists(out)) {
        return out;
    }
    const int blocks = static_cast<int>(std::lround(seconds * 100));
    const std::string enc = out.extension() == ".ogg" ? "vorbisenc ! oggmux" : "wavenc";
    run("audiotestsrc freq=" + std::to_string(freq) +
            " volume=0.5 samplesperbuffer=480 "
            "num-buffers=" +
            std::to_string(blocks) +
            " ! audio/x-raw,format=S16LE,rate=48000,channels=2 ! audioconvert ! " + enc +
            " ! filesink @OUT@",
        out);
    return out;
}

std::filesystem::path still(const std::string& name, unsigned colour, int width, int height) {
    std::lock_guard lock(made_mutex);
    const auto out = scratch_dir() / name;
    if (std::filesystem::exists(out)) {
        return out;
    }
    char fg[16];
    std::snprintf(fg, sizeof fg, "0xff%06x", colour);
    run("videotestsrc pattern=solid-color foreground-color=" + std::string(fg) +
            " num-buffers=1 ! video/x-raw,width=" + std::to_string(width) +
            ",height=" + std::to_string(height) + " ! pngenc ! filesink @OUT@",
        out);
    return out;
}

std::filesystem::path garbage(const std::string& name) {
    const auto out = scratch_dir() / name;
    std::mt19937 rng(42);
    std::ofstream f(out, std::ios::binary);
    for (int i = 0; i < 200000; ++i) {
        f.put(static_cast<char>(rng() & 0xff));
    }
    return out;
}

namespace {

struct collector {
    std::mutex mutex;
    decoded d;
    bool audio_started = false;
};

std::int64_t running_time(GstSample* s) {
    GstBuffer* b = gst_sample_get_buffer(s);
    const GstSegment* seg = gst_sample_get_segment(s);
    return static_cast<std::int64_t>(
        gst_segment_to_running_time(seg, GST_FORMAT_TIME, GST_BUFFER_PTS(b)));
}

GstFlowReturn on_video(GstAppSink* sink, gpointer data) {
    auto& c = *static_cast<collector*>(data);
    GstSample* s = gst_app_sink_pull_sample(sink);
    GstVideoInfo vi;
    gst_video_info_from_caps(&vi, gst_sample_get_caps(s));
    GstVideoFrame f;
    if (gst_video_frame_map(&f, &vi, gst_sample_get_buffer(s), GST_MAP_READ)) {
        auto* p = static_cast<const guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&f, 0));
        const int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&f, 0);
        const int x = GST_VIDEO_INFO_WIDTH(&vi) / 2, y = GST_VIDEO_INFO_HEIGHT(&vi) / 2;
        const guint8* px = p + y * stride + x * 3;
        std::lock_guard lock(c.mutex);
        c.d.frames.push_back({px[0], px[1], px[2]});
        c.d.corners.push_back({p[0], p[1], p[2]});
        c.d.frame_pts.push_back(running_time(s));
        gst_video_frame_unmap(&f);
    }
    gst_sample_unref(s);
    return GST_FLOW_OK;
}

GstFlowReturn on_audio(GstAppSink* sink, gpointer data) {
    auto& c = *static_cast<collector*>(data);
    GstSample* s = gst_app_sink_pull_sample(sink);
    GstMapInfo m;
    GstBuffer* b = gst_sample_get_buffer(s);
    if (gst_buffer_map(b, &m, GST_MAP_READ)) {
        std::lock_guard lock(c.mutex);
        if (!c.audio_started) {
            c.audio_started = true;
            c.d.audio_start = running_time(s);
        }
        auto* x = reinterpret_cast<const std::int16_t*>(m.data);
        c.d.samples.insert(c.d.samples.end(), x, x + m.size / 2);
        gst_buffer_unmap(b, &m);
    }
    gst_sample_unref(s);
    return GST_FLOW_OK;
}

} // namespace

decoded decode(const std::filesystem::path& file, bool video) {
    gst_init(nullptr, nullptr);
    std::string desc =
        "filesrc name=src ! decodebin name=d "
        "d. ! queue ! audioconvert ! audioresample ! "
        "audio/x-raw,format=S16LE,channels=1,rate=48000 ! appsink name=a sync=false ";
    if (video) {
        desc += "d. ! queue ! videoconvert ! video/x-raw,format=RGB ! appsink name=v sync=false";
    }
    GError* err = nullptr;
    GstElement* pipe = gst_parse_launch(desc.c_str(), &err);
    if (pipe == nullptr) {
        throw std::runtime_error(err->message);
    }
    collector c;
    GstElement* src = gst_bin_get_by_name(GST_BIN(pipe), "src");
    g_object_set(src, "location", file.c_str(), nullptr);
    gst_object_unref(src);
    GstAppSinkCallbacks acb{}, vcb{};
    acb.new_sample = on_audio;
    vcb.new_sample = on_video;
    GstElement* a = gst_bin_get_by_name(GST_BIN(pipe), "a");
    gst_app_sink_set_callbacks(GST_APP_SINK(a), &acb, &c, nullptr);
    gst_object_unref(a);
    if (video) {
        GstElement* v = gst_bin_get_by_name(GST_BIN(pipe), "v");
        gst_app_sink_set_callbacks(GST_APP_SINK(v), &vcb, &c, nullptr);
        gst_object_unref(v);
    }
    gst_element_set_state(pipe, GST_STATE_PLAYING);
    GstBus* bus = gst_element_get_bus(pipe);
    GstMessage* msg = gst_bus_timed_pop_filtered(
        bus, 60 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    std::string error;
    if (msg == nullptr) {
        error = "decoding timed out";
    } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        GError* e = nullptr;
        gst_message_parse_error(msg, &e, nullptr);
        error = e->message;
        g_error_free(e);
    }
    if (msg != nullptr) {
        gst_message_unref(msg);
    }
    gst_object_unref(bus);
    gst_element_set_state(pipe, GST_STATE_NULL);
    gst_object_unref(pipe);
    if (!error.empty()) {
        throw std::runtime_error("decoding " + file.string() + ": " + error);
    }
    return std::move(c.d);
}

int classify_window(const std::int16_t* x, int n, const std::vector<int>& tones) {
    double e = 0;
    for (int i = 0; i < n; ++i) {
        e += static_cast<double>(x[i]) * x[i];
    }
    if (std::sqrt(e / n) < 300) {
        return 0;
    }
    int best = 0;
    double best_power = -1;
    for (int f : tones) {
        const double k = 2 * std::cos(2 * M_PI * f / 48000.0);
        double s1 = 0, s2 = 0;
        for (int i = 0; i < n; ++i) {
            const double s0 = x[i] + k * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        const double p = s1 * s1 + s2 * s2 - k * s1 * s2;
        if (p > best_power) {
            best_power = p;
            best = f;
        }
    }
    return best;
}

std::string classify(const rgb& c) {
    static const std::map<std::string, rgb> palette = {
        {"black", {0, 0, 0}},       {"red", {255, 0, 0}},      {"green", {0, 255, 0}},
        {"blue", {0, 0, 255}},      {"yellow", {255, 255, 0}}, {"grey", {128, 128, 128}},
        {"magenta", {255, 0, 255}}, {"white", {255, 255, 255}}};
    std::string best;
    int best_d = 1 << 30;
    for (const auto& [name, p] : palette) {
        const int d =
            (c.r - p.r) * (c.r - p.r) + (c.g - p.g) * (c.g - p.g) + (c.b - p.b) * (c.b - p.b);
        if (d < best_d) {
            best_d = d;
            best = name;
        }
    }
    return best;
}

} // namespace onair::playout::testing
