// The fixed parts of a channel's pipeline: its output format (the filler layer is in
// filler.cpp, the outputs in outputs.cpp).

#include "playout/detail.hpp"
#include "schedule/container.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace onair::playout {

std::optional<std::string> check_file_output(schedule::channel_kind kind,
                                             const std::filesystem::path& file) {
    if (schedule::container_for(kind, file)) {
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
           ",height=" + std::to_string(f.height) + ",framerate=" + std::to_string(f.fps_num) + "/" +
           std::to_string(f.fps_den) + ",pixel-aspect-ratio=1/1,interlace-mode=progressive";
}

std::string audio_caps(const format& f) {
    return "audio/x-raw,format=S16LE,layout=interleaved,rate=" + std::to_string(f.rate) +
           ",channels=" + std::to_string(f.channels);
}

} // namespace detail
} // namespace onair::playout
