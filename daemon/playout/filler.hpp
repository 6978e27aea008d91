#pragma once

// Internal to daemon/playout: the filler layer, what airs under the clips when the schedule has
// nothing (SPEC 2): black, a slate, a loop of files, or the station's live feed with a fallback.
// See docs/playout.md, "Filler".
//
// Threads: every member is called from the engine's owner thread. Probes on the filler's inner
// pads (streaming threads) only touch atomics and a small mutex-guarded hand-over, and post
// application messages named "onair-filler" to the pipeline's bus, which the engine passes to
// handle().

#include "playout/detail.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace onair::playout::detail {

class filler_layer {
public:
    // Builds the filler for `pipeline` (borrowed; it must outlive the layer). The element is not
    // added to the pipeline: the engine adds and links it. Throws std::runtime_error when it
    // cannot be built (a missing element, an unreadable slate). `log` (borrowed, outlives the
    // layer) receives one line per event worth a station engineer's attention (a skipped file,
    // a lost feed), from the owner thread.
    filler_layer(GstBin* pipeline, const schedule::filler& fill, const format& f,
                 core::logger& log);
    ~filler_layer();
    filler_layer(const filler_layer&) = delete;
    filler_layer& operator=(const filler_layer&) = delete;

    // The bin with ghost src pads "video" (tv) and "audio" (borrowed).
    GstElement* element();

    // Handles a bus message if it is the filler's (an ERROR or EOS from an element inside it, or
    // one of its notes); returns false for anything else. An ERROR inside the filler never stops
    // the pipeline: a broken loop file is skipped, a failing feed falls back.
    bool handle(GstMessage* msg);

    // Periodic work (call every 100 ms or more often): the feed watchdog and its retries.
    void service(std::chrono::steady_clock::time_point now);

    // What airs now: "black", "slate", "loop", "feed", "fallback".
    std::string state() const;

    // Tests and metrics: how many loop files have started airing, and how often the feed was
    // (re)gained and lost.
    std::size_t loop_files_started() const;
    std::size_t feed_gained() const;
    std::size_t feed_lost() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace onair::playout::detail
