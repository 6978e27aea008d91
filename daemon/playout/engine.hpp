#pragma once

// The playout engine of one channel: a GStreamer pipeline in which a filler layer (black, slate)
// runs under the clips, each clip a bin of its own put on the mixers at its running time, and the
// mixed picture and sound go through a tee to the outputs. See docs/playout.md.
//
// Times are pipeline running times: nanoseconds from the start of the output. The engine knows
// nothing of wall time or of the plan; its driver (`onair render`, or the runner of `onair run`)
// turns planned instants into running times and feeds clips ahead of their start.
//
// Threads: every member is called from one owner thread. GStreamer's streaming threads only post
// messages to the pipeline's bus, which the owner drains through dispatch(); events reach the
// callback on the owner thread, from dispatch().

#include "core/log.hpp"
#include "schedule/model.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace onair::playout {

using nanoseconds = std::chrono::nanoseconds;

enum class mode {
    live,   // sources run at the clock's pace; the output never stops (`onair run`)
    render, // as fast as possible, sinks unsynchronised; ends at set_end()
};

// One file to air. `start` is put on the frame grid (tv) by the engine.
struct clip {
    std::string id; // for reports (e.g. the media id); need not be unique
    std::filesystem::path file;
    nanoseconds start{0};    // running time of its first frame
    nanoseconds duration{0}; // airs at most this long; cut there
    double gain_db = 0;      // loudness correction, applied on the mixer pad
    // Where in the file it starts: a programme joined under way (after a restart, or a render
    // starting inside it) is sought there, frame-accurately, before anything of it airs.
    nanoseconds in_point{0};
};

enum class event_kind {
    started, // the output reached its first frame (radio: sample); running_time is where it
             // aired (later than planned only when its data came late)
    ended,   // it is off air (cut at its duration, or its file ended) and its bin is gone
    failed,  // it could not air (missing, corrupt, undecodable); the filler covers its slot
};
const char* to_string(event_kind k);

struct event {
    event_kind kind = event_kind::started;
    std::uint64_t serial = 0; // the value schedule_clip returned
    std::string clip_id;
    nanoseconds running_time{0};
    std::string reason; // failed: why
};

// A file output: the container follows the extension (.ts, .mkv; radio also .mp3, .ogg, .wav).
// Shorthand for a schedule::output of type file.
struct file_output {
    std::filesystem::path file;
    std::optional<int> video_bitrate_kbps;
    std::optional<int> audio_bitrate_kbps;
};

// Decodes the slate images of a channel's filler (its live feed's fallback too) that have not
// been looked at yet, so that building its live pipeline on the loop only reads the result: a
// slate that cannot air is then replaced by black at once. For the station's load, off the loop.
void check_slates(const schedule::channel& channel);

// Whether `file`'s extension is a container this kind of channel can write; the reason if not.
std::optional<std::string> check_file_output(schedule::channel_kind kind,
                                             const std::filesystem::path& file);

// How an output is doing (see docs/outputs.md).
struct output_status {
    std::string name;       // "udp 127.0.0.1:5000", "file out/a.ts", "icecast host:8000/live"
    std::string type;       // file, udp, srt, rtmp, hls, icecast, null
    std::string state;      // "up", "retrying" (off, back at its retry time), "failed" (for good)
    int reconnects = 0;     // times it came back after a failure
    std::string last_error; // why it last went down
};

// The sound of the mix, per audio channel, in dBFS (floor -120): the last 200 ms.
struct audio_levels {
    std::vector<double> peak_db;
    std::vector<double> rms_db;
};

class channel_engine {
public:
    // Builds the composition (filler, mixers, fixed output caps, tee). Throws std::runtime_error
    // when an element is missing or the slate cannot be read. `log` (borrowed: it outlives the
    // engine) gets what a station engineer should see: an output down or back, a skipped loop
    // file, a lost feed. Streaming threads never log; the owner thread does.
    channel_engine(const schedule::channel& channel, mode m, core::logger& log);
    ~channel_engine();
    channel_engine(const channel_engine&) = delete;
    channel_engine& operator=(const channel_engine&) = delete;

    // Outputs are added before start(); outputs of the same codec and bitrate share one
    // encoder. Throws std::runtime_error on an output this channel cannot have (container,
    // icecast on tv, unreadable password file, missing GStreamer plugin). Render: the output
    // starts with the pipeline and its failure is fatal. Live: it goes on air at the first
    // service() after start(); a failing output is taken off alone and retried.
    void add_output(const schedule::output& out);
    void add_output(const file_output& out);

    // Live: the owner calls this every few hundred ms (and once right after start()): it puts
    // new outputs on air and brings failed ones back when their retry time has come (1 s, 2 s,
    // 4 s ... 30 s after the failure).
    void service(std::chrono::steady_clock::time_point now);
    std::vector<output_status> outputs() const;
    // The title of what airs now (UTF-8), for outputs that carry one: icecast mp3, whose stream
    // title becomes "CHANNEL-ID - TITLE".
    void set_stream_title(const std::string& title);

    void on_event(std::function<void(const event&)> callback);

    // Puts a clip on the pipeline ahead of its start (before or after start()). Returns its
    // serial, which the events carry. Failures arrive as a `failed` event, never as exceptions.
    std::uint64_t schedule_clip(const clip& c);

    // Takes a clip off now (operator skip, a slot given to an insert): its bin is removed and
    // the filler shows from the next frame. No event follows. False when it is not on the
    // pipeline (already ended or failed).
    bool cancel_clip(std::uint64_t serial);

    // Render: the output ends (EOS) at this running time; clips are cut there too.
    void set_end(nanoseconds end);
    // Render: the filler, and so the output, waits at this running time until it is moved on
    // (nullopt: no hold). The driver holds at the start of the next clip it has not scheduled
    // yet, so a mixer running many times faster than real time cannot overtake a clip.
    void hold_at(std::optional<nanoseconds> t);

    // Sets the pipeline PLAYING. Live: the pipeline runs on the monotonic system clock and its
    // running time is `running_time` now (the runner passes the fraction of the current wall
    // second, so the frame grid falls on whole wall seconds). Throws std::runtime_error if it
    // cannot start.
    void start(nanoseconds running_time = nanoseconds{0});

    // Live: the running time of the pipeline clock now (where the output is due to be), for
    // mapping wall instants to running times. Render: the output position.
    nanoseconds clock_running_time() const;

    // The bus's poll fd, for an event loop to wait on (never read it: dispatch_pending() drains
    // the bus and resets it).
    int bus_fd() const;
    // Handles every message waiting on the bus and the engine's periodic checks (clip ends,
    // start timeouts); call it when bus_fd() is readable and on a short timer. Returns false once
    // the engine has finished.
    bool dispatch_pending();

    // Live: ends the outputs cleanly (EOS after the mixers: files are finalised) and waits up
    // to `wait` for them. True when every output finished, or had not begun (nothing to end).
    bool finish_outputs(std::chrono::milliseconds wait);

    // Waits up to `wait` for one bus message and handles it (events are delivered from here).
    // Returns false once the engine has finished: EOS reached or a fatal error.
    bool dispatch(std::chrono::milliseconds wait);

    bool finished() const;
    // Why the engine stopped, when it was a fatal error (not a clip's).
    const std::string& fatal_error() const;

    // The running time the output has reached (the end of the last mixed buffer).
    nanoseconds running_time_now() const;
    // The frame grid of the channel: one video frame (tv), 10 ms (radio).
    nanoseconds frame_duration() const;
    // Clips on the pipeline (scheduled, not yet ended or failed).
    std::size_t active_clips() const;

    // Live only (null/empty in a render, or before the first): the newest picture of the mix as
    // a small JPEG (tv, once a second) and the sound's levels (five times a second).
    std::shared_ptr<const std::string> preview();
    std::optional<audio_levels> levels() const;

    // Takes the pipeline down (idempotent; the destructor calls it).
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace onair::playout
