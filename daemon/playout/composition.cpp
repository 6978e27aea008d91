// The fixed parts of a channel's pipeline: its output format and the filler layer (the outputs
// are in outputs.cpp).

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

gst::element_ptr make_filler(const schedule::filler& fill, const format& f) {
    const std::string live = f.live ? "true" : "false";
    std::string desc;
    // 10 ms audio buffers: the radio frame grid, and fine enough for the render hold
    desc += "audiotestsrc wave=silence is-live=" + live +
            " samplesperbuffer=" + std::to_string(std::max(1, f.rate / 100)) +
            " ! capsfilter name=acaps caps=\"" + audio_caps(f) + "\" ";
    bool slate = false;
    if (f.video) {
        // TODO(loop filler): a loop of media files needs its own clip-like sources whose sound
        // is ducked under the clips; until then a loop filler airs as black.
        if (fill.type == schedule::filler_type::slate && !fill.image.empty()) {
            std::error_code ec;
            if (!std::filesystem::is_regular_file(fill.image, ec)) {
                throw std::runtime_error("slate image '" + fill.image.string() +
                                         "' is not a readable file");
            }
            slate = true;
            // decode and scale the still once; imagefreeze repeats the converted picture
            format still = f;
            desc += "filesrc name=slate ! decodebin ! videoconvert ! "
                    "videoscale add-borders=true ! capsfilter caps=\"video/x-raw,format=I420,"
                    "width=" + std::to_string(f.width) + ",height=" + std::to_string(f.height) +
                    ",pixel-aspect-ratio=1/1\" ! imagefreeze is-live=" + live +
                    " ! capsfilter name=vcaps caps=\"" + video_caps(still) + "\"";
        } else {
            desc += "videotestsrc pattern=black is-live=" + live +
                    " ! capsfilter name=vcaps caps=\"" + video_caps(f) + "\"";
        }
    }
    auto bin = gst::parse_bin(desc);
    if (slate) {
        auto src = gst::child(bin.get(), "slate");
        g_object_set(src.get(), "location", fill.image.c_str(), nullptr);
    }
    if (f.video) {
        gst::add_ghost(bin.get(), "video", gst::child(bin.get(), "vcaps").get(), "src");
    }
    gst::add_ghost(bin.get(), "audio", gst::child(bin.get(), "acaps").get(), "src");
    return bin;
}

} // namespace detail
} // namespace onair::playout
