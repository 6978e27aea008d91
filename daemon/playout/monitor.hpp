#pragma once

// What the console shows of a live channel's mix: a small JPEG of the picture once a second
// (tv) and the sound's peak and RMS level per audio channel five times a second. Two branches
// off the output tees, each behind a leaky queue and ending in a sink that never waits for the
// clock or for preroll: a monitor that falls behind loses its own buffers, never the air's.

#include "playout/detail.hpp"

#include <memory>
#include <optional>
#include <string>

namespace onair::playout::detail {

class mix_monitor {
public:
    // `vtee` is null for radio. Throws std::runtime_error when an element is missing.
    mix_monitor(GstElement* pipeline, GstElement* vtee, GstElement* atee, const format& f);

    // The level element's messages; true when `msg` was one (the owner thread).
    bool handle(GstMessage* msg);
    // The newest picture, as JPEG bytes (null before the first); cheap when nothing is new.
    std::shared_ptr<const std::string> preview();
    std::optional<audio_levels> levels() const { return levels_; }

private:
    gst::element_ptr level_, preview_sink_;
    std::shared_ptr<const std::string> jpeg_;
    std::optional<audio_levels> levels_;
};

// The width of the preview picture; its height keeps the channel's aspect (even).
constexpr int preview_width = 320;

} // namespace onair::playout::detail
