#include "media_fixture.hpp"

#include <gst/gst.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>

namespace onair::media::testing {

namespace {

struct scratch {
    std::filesystem::path dir;
    scratch() {
        std::string templ =
            (std::filesystem::temp_directory_path() / "onair-media-test-XXXXXX").string();
        if (::mkdtemp(templ.data()) == nullptr) {
            throw std::runtime_error("cannot create a temporary directory");
        }
        dir = templ;
    }
    ~scratch() {
        if (std::getenv("ONAIR_KEEP_TEST_MEDIA") != nullptr) {
            return; // to look at what a failing test saw
        }
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
        s.replace(pos, from.size(), to);
    }
}

struct unref {
    void operator()(gpointer p) const { gst_object_unref(p); }
};

void init_gstreamer() {
    static const bool initialised = [] {
        gst_init(nullptr, nullptr);
        return true;
    }();
    (void)initialised;
}

} // namespace

const std::filesystem::path& scratch_dir() {
    static scratch s;
    return s.dir;
}

void run_pipeline(std::string description, const std::filesystem::path& out) {
    init_gstreamer();
    auto tmp = out;
    tmp += ".part";
    replace_all(description, "@OUT@", "\"" + tmp.string() + "\"");
    GError* error = nullptr;
    GstElement* floating = gst_parse_launch(description.c_str(), &error);
    if (floating != nullptr) {
        gst_object_ref_sink(floating); // gst_parse_launch returns a floating reference
    }
    std::unique_ptr<GstElement, unref> pipeline{floating};
    if (error != nullptr || !pipeline) {
        std::string why = error ? error->message : "no pipeline";
        if (error != nullptr) {
            g_error_free(error);
        }
        throw std::runtime_error("bad test pipeline: " + why + ": " + description);
    }
    std::unique_ptr<GstBus, unref> bus{gst_element_get_bus(pipeline.get())};
    gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
    GstMessage* msg = gst_bus_timed_pop_filtered(
        bus.get(), 60 * GST_SECOND,
        static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    std::string failure;
    if (msg == nullptr) {
        failure = "timed out";
    } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        GError* e = nullptr;
        gst_message_parse_error(msg, &e, nullptr);
        failure = e->message;
        g_error_free(e);
    }
    if (msg != nullptr) {
        gst_message_unref(msg);
    }
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    if (!failure.empty()) {
        throw std::runtime_error("test pipeline failed: " + failure + ": " + description);
    }
    std::filesystem::rename(tmp, out);
}

std::string aac_encoder() {
    init_gstreamer();
    for (const char* name : {"avenc_aac", "voaacenc", "fdkaacenc"}) {
        if (auto* f = gst_element_factory_find(name)) {
            gst_object_unref(f);
            return name;
        }
    }
    throw std::runtime_error("no AAC encoder (install gstreamer1.0-libav)");
}

const std::filesystem::path& sample(const std::string& name) {
    static std::map<std::string, std::filesystem::path> made;
    if (auto it = made.find(name); it != made.end()) {
        return it->second;
    }
    auto out = scratch_dir() / name;
    const std::string video = "videotestsrc num-buffers=50 pattern=ball ! "
                              "video/x-raw,width=320,height=240,framerate=25/1 "
                              "! x264enc speed-preset=ultrafast key-int-max=25 ! h264parse ";
    if (name == "video-50.mp4") {
        run_pipeline(video + "! mp4mux ! filesink location=@OUT@", out);
    } else if (name == "av-50.mp4" || name == "faststart.mp4") {
        // 92 AAC frames of 1024 samples (+ the encoder's priming) end before the 2 s of video.
        run_pipeline(video + "! mp4mux name=m " +
                         (name == "faststart.mp4" ? "faststart=true " : "") +
                         "! filesink location=@OUT@ audiotestsrc num-buffers=92 "
                         "samplesperbuffer=1024 ! audio/x-raw,rate=48000,channels=2 ! "
                         "audioconvert ! " +
                         aac_encoder() + " ! aacparse ! m.",
                     out);
    } else if (name == "tone.ogg") {
        run_pipeline("audiotestsrc num-buffers=100 samplesperbuffer=960 freq=440 volume=0.2 ! "
                     "audio/x-raw,rate=48000,channels=2 ! audioconvert ! vorbisenc ! oggmux ! "
                     "filesink location=@OUT@",
                     out);
    } else if (name == "video-50.ts") {
        run_pipeline(video + "! mpegtsmux ! filesink location=@OUT@", out);
    } else if (name == "sine-20.wav") {
        run_pipeline("audiotestsrc num-buffers=250 samplesperbuffer=960 freq=1000 volume=0.1 ! "
                     "audio/x-raw,format=F32LE,rate=48000,channels=2 ! wavenc ! "
                     "filesink location=@OUT@",
                     out);
    } else if (name == "silence.wav") {
        run_pipeline("audiotestsrc num-buffers=100 samplesperbuffer=960 wave=silence ! "
                     "audio/x-raw,format=S16LE,rate=48000,channels=2 ! wavenc ! "
                     "filesink location=@OUT@",
                     out);
    } else if (name == "still.png") {
        run_pipeline("videotestsrc num-buffers=1 pattern=smpte ! video/x-raw,width=320,height=240 "
                     "! videoconvert ! pngenc ! filesink location=@OUT@",
                     out);
    } else if (name == "text.txt") {
        write_file(out, "This is not a media file.\nIt is only text, several lines of it.\n");
    } else {
        throw std::runtime_error("no such sample: " + name);
    }
    return made.emplace(name, out).first->second;
}

std::filesystem::path copy_of(const std::string& name, const std::string& as) {
    auto out = scratch_dir() / as;
    std::filesystem::copy_file(sample(name), out,
                               std::filesystem::copy_options::overwrite_existing);
    return out;
}

void write_file(const std::filesystem::path& p, const std::string& text) {
    if (p.has_parent_path()) {
        std::filesystem::create_directories(p.parent_path());
    }
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
        throw std::runtime_error("cannot write " + p.string());
    }
}

} // namespace onair::media::testing
