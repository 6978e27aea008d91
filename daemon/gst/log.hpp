#pragma once

// GStreamer's own debug log (its warnings and errors: an element that cannot open a file, a
// muxer that refuses a stream) into the station's logger, one escaped line each, in place of
// GStreamer's default handler on stderr.
//
// Process-wide by GStreamer's design: its log functions and thresholds belong to the process,
// not to a pipeline. So whoever initialises GStreamer for the process (the `onair` command's
// main, for `run` and `render`) makes one route, with the logger that outlives every pipeline,
// and keeps it until GStreamer is no longer used; one route at a time.

#include "core/log.hpp"

namespace onair::gst {

class debug_log_route {
public:
    // Initialises GStreamer, raises its default threshold to WARNING (when lower) and adds a
    // log function that passes WARNING and ERROR to `log` (borrowed: it outlives the route).
    // GStreamer's default handler (stderr) is removed, unless GST_DEBUG is set in the
    // environment: whoever set it asked for GStreamer's own output as well.
    explicit debug_log_route(core::logger& log);
    // Takes the log function off and gives GStreamer its default handler and threshold back.
    ~debug_log_route();
    debug_log_route(const debug_log_route&) = delete;
    debug_log_route& operator=(const debug_log_route&) = delete;

private:
    core::logger& log_;
    bool removed_default_ = false;
    int threshold_ = 0; // GStreamer's default threshold before the route
};

} // namespace onair::gst
