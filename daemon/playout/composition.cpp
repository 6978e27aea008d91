// The fixed parts of a channel's pipeline: its output format and the outputs (the filler layer
// is filler.cpp).

#include "playout/detail.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace onair::playout {

std::optional<std::string> check_file_output(schedule::channel_kind kind,
                                             const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".ts" || ext == ".mkv") {
        return std::nullopt;
    }
    if (kind == schedule::channel_kind::radio &&
        (ext == ".mp3" || ext == ".ogg" || ext == ".wav")) {
        return std::nullopt;
    }
    return std::string("cannot write '") + file.string() + "': the container follows the " +
           "extension, which must be .ts or .mkv" +
           (kind == schedule::channel_kind::radio ? ", .mp3, .ogg or .wav" : "") + " for a " +
           schedule::to_string(kind) + " channel";
}

namespace detail {
namespace {

std::string lower_extension(const std::filesystem::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

const char* aac_encoder() {
    // avenc_aac (libav) is the better encoder; voaacenc is the fallback some systems have
    static const char* name = [] {
        gst::ensure_init();
        gst::object_unref unref;
        if (GstElementFactory* f = gst_element_factory_find("avenc_aac")) {
            unref(f);
            return "avenc_aac";
        }
        return "voaacenc";
    }();
    return name;
}

constexpr const char* big_queue =
    "queue max-size-bytes=0 max-size-buffers=0 max-size-time=3000000000";

} // namespace

format format_of(const schedule::channel& ch, mode m) {
    format f;
    f.video = ch.kind == schedule::channel_kind::tv;
    if (f.video) {
        const schedule::video_format v = ch.video.value_or(schedule::video_format{});
        f.width = v.width;
        f.height = v.height;
        f.fps_num = v.framerate_num;
        f.fps_den = v.framerate_den;
    }
    f.rate = ch.audio.rate;
    f.channels = ch.audio.channels;
    f.live = m == mode::live;
    return f;
}

std::string video_caps(const format& f) {
    return "video/x-raw,format=I420,width=" + std::to_string(f.width) +
           ",height=" + std::to_string(f.height) + ",framerate=" + std::to_string(f.fps_num) +
           "/" + std::to_string(f.fps_den) + ",pixel-aspect-ratio=1/1,interlace-mode=progressive";
}

std::string audio_caps(const format& f) {
    return "audio/x-raw,format=S16LE,layout=interleaved,rate=" + std::to_string(f.rate) +
           ",channels=" + std::to_string(f.channels);
}

gst::element_ptr make_file_output(const format& f, const file_output& out) {
    const std::string ext = lower_extension(out.file);
    const int abr = out.audio_bitrate_kbps.value_or(128);
    std::string audio = std::string(big_queue) + " name=aq ! audioconvert ! ";
    std::string mux;
    if (ext == ".ts" || ext == ".mkv") {
        audio += std::string(aac_encoder()) + " name=aenc ! aacparse ! mux. ";
        mux = (ext == ".ts" ? "mpegtsmux" : "matroskamux");
        mux += " name=mux ! filesink name=sink";
    } else if (!f.video && ext == ".mp3") {
        audio += "lamemp3enc name=aenc target=bitrate cbr=true bitrate=" + std::to_string(abr) +
                 " ! filesink name=sink";
    } else if (!f.video && ext == ".ogg") {
        audio += "vorbisenc name=aenc ! oggmux ! filesink name=sink";
    } else if (!f.video && ext == ".wav") {
        audio += "wavenc ! filesink name=sink";
    } else {
        throw std::runtime_error(*check_file_output(
            f.video ? schedule::channel_kind::tv : schedule::channel_kind::radio, out.file));
    }
    std::string desc = audio + " " + mux;
    if (f.video) {
        const int gop = std::max(1, 2 * f.fps_num / std::max(1, f.fps_den));
        desc += std::string(" ") + big_queue + " name=vq ! x264enc name=venc speed-preset=ultrafast" +
                " key-int-max=" + std::to_string(gop) + " ! h264parse ! mux.";
    }
    auto bin = gst::parse_bin(desc);
    auto sink = gst::child(bin.get(), "sink");
    g_object_set(sink.get(), "location", out.file.c_str(), "sync", FALSE, nullptr);
    if (ext == ".ts" || ext == ".mkv") {
        auto aenc = gst::child(bin.get(), "aenc");
        g_object_set(aenc.get(), "bitrate", abr * 1000, nullptr);
    }
    if (ext == ".ogg" && out.audio_bitrate_kbps) {
        g_object_set(gst::child(bin.get(), "aenc").get(), "bitrate", abr * 1000, nullptr);
    }
    if (f.video) {
        auto venc = gst::child(bin.get(), "venc");
        if (out.video_bitrate_kbps) {
            g_object_set(venc.get(), "bitrate", static_cast<guint>(*out.video_bitrate_kbps),
                         nullptr);
        }
        if (f.live) {
            // no lookahead or B-frames: live output must not lag the clock
            gst_util_set_object_arg(G_OBJECT(venc.get()), "tune", "zerolatency");
        }
        gst::add_ghost(bin.get(), "video", gst::child(bin.get(), "vq").get(), "sink");
    }
    gst::add_ghost(bin.get(), "audio", gst::child(bin.get(), "aq").get(), "sink");
    return bin;
}

} // namespace detail
} // namespace onair::playout
