#pragma once

// Internal to daemon/playout: the convert chain, written once for every decoder the engine
// builds (a clip, a loop file, the live feed). This file owns the chain that brings a decoded
// stream to the channel's fixed format: queue, convert, scale (letterboxed, never stretched) and
// rate for video; convert and resample for sound; a capsfilter with the channel's caps.

#include "playout/detail.hpp"

#include <chrono>
#include <utility>

namespace onair::playout::detail {

struct chain_options {
    std::chrono::nanoseconds video_queue{0}; // the queue's max-size-time, per stream
    std::chrono::nanoseconds audio_queue{0};
    bool leaky = false;         // the queue drops its oldest data rather than block (a feed)
    bool skip_to_first = false; // videorate does not fill the time before the first frame
};

// Adds the chain to `bin` and links it; returns its first and last element. Throws
// std::runtime_error naming `what` when it cannot be linked, or a missing element.
std::pair<gst::element_ptr, gst::element_ptr> make_convert_chain(GstElement* bin, bool video,
                                                                 const format& f,
                                                                 const chain_options& options,
                                                                 const char* what);

} // namespace onair::playout::detail
