#pragma once

// Internal to daemon/playout: the outputs of a channel (SPEC 2) and their encoders.
//
// The raw tees of the composition feed one encoder per codec and settings (x264 per video
// bitrate, AAC / LAME / Vorbis per audio bitrate); each encoder feeds a tee of its own, and each
// output is a bin (muxer + sink) hanging off those tees. So two outputs of the same bitrate cost
// one encoder, not two.
//
// Faults stay inside their output: an output bin's input pads swallow flow errors (a tee would
// pass them up and stop the encoder for every output), the first element of the bin is a
// bounded leaky queue (a sink that blocks, e.g. a server that does not answer, never holds the
// tee), and an ERROR from inside the bin takes that bin off the pipeline and schedules a retry
// with exponential backoff. Everything here runs on the engine's owner thread.

#include "playout/detail.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace onair::playout::detail {

using steady_time = std::chrono::steady_clock::time_point;

// Retry delays after an output fails: 1 s, 2 s, 4 s ... never more than this.
constexpr std::chrono::seconds max_retry_delay{30};

class output_manager {
public:
    // `vtee` (null on radio) and `atee` carry the channel's fixed raw format. Borrowed: they,
    // `pipeline` and `log` outlive the manager.
    output_manager(GstElement* pipeline, GstElement* vtee, GstElement* atee, const format& f,
                   std::string channel_name, core::logger& log);
    ~output_manager();
    output_manager(const output_manager&) = delete;
    output_manager& operator=(const output_manager&) = delete;

    // Checks and records an output and builds the encoders it needs. Throws std::runtime_error
    // on an output this channel cannot have (container, icecast on tv, unreadable password
    // file, missing GStreamer element). Render: the output goes on the pipeline at once and
    // starts with it. Live: it goes on air at the first service() after the pipeline runs.
    void add(const schedule::output& out);

    // Live: puts outputs that are due (new, or whose retry time has come) on the pipeline and
    // gives up on bins that failed to start.
    void service(steady_time now, bool pipeline_running);

    // An ERROR message: if its source lies inside one of the output bins, that output is taken
    // off and retried later, and true is returned. Render mode never takes this path (a render
    // whose file cannot be written has failed).
    bool handle_error(GstMessage* msg, steady_time now);

    // The title of what airs, for the outputs that carry one (icecast mp3); kept and sent again
    // to an output that comes back.
    void set_title(const std::string& title);

    std::vector<output_status> status() const;

private:
    struct encoded;
    struct slot;
    encoded& encoder(const std::string& key);
    void build_encoder(encoded& e);
    gst::element_ptr build_bin(slot& s);
    void bring_up(slot& s, steady_time now);
    void take_down(slot& s, const std::string& why, steady_time now);
    void send_title(slot& s);

    GstElement* pipeline_;
    GstElement* vtee_;
    GstElement* atee_;
    format fmt_;
    std::string channel_name_;
    core::logger& log_;
    std::string title_;
    std::vector<std::unique_ptr<encoded>> encoders_;
    std::vector<std::unique_ptr<slot>> slots_;
};

// The name an output goes by in status and logs: "udp 127.0.0.1:5000", "file out/a.ts", ...
std::string output_name(const schedule::output& out);

} // namespace onair::playout::detail
