// The convert chain (see convert_chain.hpp).

#include "playout/convert_chain.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace onair::playout::detail {

std::pair<gst::element_ptr, gst::element_ptr> make_convert_chain(GstElement* bin, bool video,
                                                                 const format& f,
                                                                 const chain_options& options,
                                                                 const char* what) {
    std::vector<gst::element_ptr> elements;
    auto queue = gst::make("queue");
    const auto max_time = video ? options.video_queue : options.audio_queue;
    g_object_set(queue.get(), "max-size-time", static_cast<guint64>(max_time.count()),
                 "max-size-bytes", 0u, "max-size-buffers", 0u, nullptr);
    if (options.leaky) {
        // a network feed must never block its receiver
        make_leaky(queue.get());
    }
    elements.push_back(std::move(queue));
    if (video) {
        elements.push_back(gst::make("videoconvert"));
        auto scale = gst::make("videoscale");
        // letterbox, never stretch
        g_object_set(scale.get(), "add-borders", TRUE, nullptr);
        elements.push_back(std::move(scale));
        auto rate = gst::make("videorate");
        if (options.skip_to_first) {
            // a re-stamped feed starts far from 0: do not fill the time before its first frame
            g_object_set(rate.get(), "skip-to-first", TRUE, nullptr);
        }
        elements.push_back(std::move(rate));
    } else {
        elements.push_back(gst::make("audioconvert"));
        elements.push_back(gst::make("audioresample"));
    }
    auto filter = gst::make("capsfilter");
    gst::caps_ptr caps(gst_caps_from_string((video ? video_caps(f) : audio_caps(f)).c_str()));
    g_object_set(filter.get(), "caps", caps.get(), nullptr);
    elements.push_back(std::move(filter));
    for (std::size_t k = 0; k < elements.size(); ++k) {
        gst::add(bin, {elements[k].get()});
        if (k > 0 && !gst_element_link(elements[k - 1].get(), elements[k].get())) {
            throw std::runtime_error(std::string("cannot link ") + what);
        }
    }
    return {gst::ref(elements.front().get()), gst::ref(elements.back().get())};
}

} // namespace onair::playout::detail
