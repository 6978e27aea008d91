#include "playout/monitor.hpp"

#include <gst/app/gstappsink.h>

#include <algorithm>
#include <stdexcept>

namespace onair::playout::detail {

namespace {

// A branch described as gst-launch text, added to the pipeline and fed from a new pad of `tee`.
gst::element_ptr hang_off(GstElement* pipeline, GstElement* tee, const std::string& desc,
                          const char* first) {
    auto bin = gst::parse_bin(desc);
    make_leaky(gst::child(bin.get(), first).get());
    gst::add_ghost(bin.get(), "sink", gst::child(bin.get(), first).get(), "sink");
    gst::add(pipeline, {bin.get()});
    gst::pad_ptr from(gst_element_request_pad_simple(tee, "src_%u"));
    gst::pad_ptr to(gst_element_get_static_pad(bin.get(), "sink"));
    if (gst_pad_link(from.get(), to.get()) != GST_PAD_LINK_OK) {
        throw std::runtime_error("cannot link the monitor to the mix");
    }
    return bin;
}

// The doubles of a level message field (a GValueArray, one value per audio channel).
std::vector<double> doubles_of(const GstStructure* s, const char* field) {
    std::vector<double> out;
    const GValue* v = gst_structure_get_value(s, field);
    // the level element still posts GValueArray (deprecated in GLib, not in GStreamer 1.22)
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS
    if (v == nullptr || G_VALUE_TYPE(v) != g_value_array_get_type()) {
        return out;
    }
    const auto* arr = static_cast<const GValueArray*>(g_value_get_boxed(v));
    for (guint i = 0; arr != nullptr && i < arr->n_values; ++i) {
        // silence is -inf, or -700 and below: the console shows it as the floor
        out.push_back(std::max(-120.0, g_value_get_double(&arr->values[i])));
    }
    G_GNUC_END_IGNORE_DEPRECATIONS
    return out;
}

} // namespace

mix_monitor::mix_monitor(GstElement* pipeline, GstElement* vtee, GstElement* atee,
                         const format& f) {
    // sync=false: never waits for the clock; async=false: state changes never wait for it;
    // wait-on-eos=false: the end of the outputs (a stop drains them) never waits for a pull
    const std::string leaky =
        "queue name=first max-size-buffers=2 max-size-bytes=0 max-size-time=0 ! ";
    if (vtee != nullptr && f.width > 0) {
        const int height = std::max(2, preview_width * f.height / f.width / 2 * 2);
        auto bin = hang_off(
            pipeline, vtee,
            leaky +
                "videorate drop-only=true ! video/x-raw,framerate=1/1 ! "
                "videoscale ! video/x-raw,width=" +
                std::to_string(preview_width) + ",height=" + std::to_string(height) +
                ",pixel-aspect-ratio=1/1 ! jpegenc quality=70 ! "
                "appsink name=preview drop=true max-buffers=1 wait-on-eos=false sync=false "
                "async=false emit-signals=false enable-last-sample=false",
            "first");
        preview_sink_ = gst::child(bin.get(), "preview");
    }
    auto bin = hang_off(pipeline, atee,
                        leaky + "level name=level interval=200000000 post-messages=true ! "
                                "fakesink sync=false async=false",
                        "first");
    level_ = gst::child(bin.get(), "level");
}

bool mix_monitor::handle(GstMessage* msg) {
    if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ELEMENT ||
        GST_MESSAGE_SRC(msg) != GST_OBJECT(level_.get())) {
        return false;
    }
    const GstStructure* s = gst_message_get_structure(msg);
    if (s != nullptr && gst_structure_has_name(s, "level")) {
        audio_levels l;
        l.peak_db = doubles_of(s, "peak");
        l.rms_db = doubles_of(s, "rms");
        levels_ = std::move(l);
    }
    return true;
}

std::shared_ptr<const std::string> mix_monitor::preview() {
    if (!preview_sink_) {
        return nullptr;
    }
    GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(preview_sink_.get()), 0);
    if (sample != nullptr) {
        GstBuffer* buf = gst_sample_get_buffer(sample);
        GstMapInfo map;
        if (buf != nullptr && gst_buffer_map(buf, &map, GST_MAP_READ)) {
            jpeg_ = std::make_shared<const std::string>(reinterpret_cast<const char*>(map.data),
                                                        map.size);
            gst_buffer_unmap(buf, &map);
        }
        gst_sample_unref(sample);
    }
    return jpeg_;
}

} // namespace onair::playout::detail
