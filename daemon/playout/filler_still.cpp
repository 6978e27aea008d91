// The filler's still (see filler_parts.hpp): black or a slate, live (or, in a render, non-live)
// test sources or a frozen still.

#include "playout/filler_parts.hpp"

#include <algorithm>
#include <stdexcept>

namespace onair::playout::detail {

// black or a slate: what make_filler built before the loop and live kinds existed.
gst::element_ptr make_still(const schedule::filler& fill, const format& f) {
    const std::string live = f.live ? "true" : "false";
    std::string desc;
    // 10 ms audio buffers: the radio frame grid, and fine enough for the render hold
    desc += "audiotestsrc wave=silence is-live=" + live +
            " samplesperbuffer=" + std::to_string(std::max(1, f.rate / 100)) +
            " ! capsfilter name=acaps caps=\"" + audio_caps(f) + "\" ";
    bool slate = false;
    if (f.video) {
        if (fill.type == schedule::filler_type::slate && !fill.image.empty()) {
            std::error_code ec;
            if (!std::filesystem::is_regular_file(fill.image, ec)) {
                throw std::runtime_error("slate image '" + fill.image.string() +
                                         "' is not a readable file");
            }
            slate = true;
            // decode and scale the still once; imagefreeze repeats the converted picture
            desc += "filesrc name=slate ! decodebin ! videoconvert ! "
                    "videoscale add-borders=true ! capsfilter caps=\"video/x-raw,format=I420,"
                    "width=" +
                    std::to_string(f.width) + ",height=" + std::to_string(f.height) +
                    ",pixel-aspect-ratio=1/1\" ! imagefreeze is-live=" + live +
                    " ! capsfilter name=vcaps caps=\"" + video_caps(f) + "\"";
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

} // namespace onair::playout::detail
