#pragma once

// What a channel runner needs of its playout: the seam between the runner's rules (when to
// cue, how to log, when to rebuild) and GStreamer. The daemon plugs in playout_engine (a real
// pipeline); the runner's unit tests plug in a fake that they drive by hand.

#include "core/log.hpp"
#include "playout/engine.hpp"
#include "schedule/model.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace onair::service {

class engine {
public:
    virtual ~engine() = default;

    // Sets the pipeline PLAYING with its running time at `running_time` now. Throws
    // std::runtime_error when it cannot.
    virtual void start(playout::nanoseconds running_time) = 0;
    // A poll fd that is readable when events wait, or -1 (the runner then polls on its tick).
    virtual int bus_fd() const = 0;
    // Delivers waiting events to the callback the factory was given. False once the engine
    // has finished (a fatal error, or the pipeline ended): the runner rebuilds it.
    virtual bool dispatch_pending() = 0;
    virtual std::string fatal_error() const = 0;

    // The running time the pipeline clock is at now, and where the output has got to.
    virtual playout::nanoseconds clock_running_time() const = 0;
    virtual playout::nanoseconds running_time_now() const = 0;
    // One video frame (tv), 10 ms (radio).
    virtual playout::nanoseconds frame_duration() const = 0;

    // See playout::channel_engine: clips go on ahead of their start; failures come as events.
    virtual std::uint64_t schedule_clip(const playout::clip& c) = 0;
    virtual bool cancel_clip(std::uint64_t serial) = 0;
    virtual void set_stream_title(const std::string& title) = 0;
    virtual std::vector<playout::output_status> outputs() const = 0;
    // The console's view of the mix (see playout::channel_engine); none by default.
    virtual std::shared_ptr<const std::string> preview() { return nullptr; }
    virtual std::optional<playout::audio_levels> levels() const { return std::nullopt; }

    // Ends the outputs cleanly (files finalised), waiting up to `wait`. True when all did.
    virtual bool finish_outputs(std::chrono::milliseconds wait) = 0;
    virtual void stop() = 0;
};

// Builds a channel's engine with its outputs, its events going to `on_event` (called from
// dispatch_pending, on the runner's thread). Throws std::runtime_error when the pipeline cannot
// be built.
using engine_factory = std::function<std::unique_ptr<engine>(
    const schedule::channel& channel, std::function<void(const playout::event&)> on_event)>;

// Where a runner hands the engine it is done with (a stop, a rebuild): finishing the outputs
// and stopping a pipeline can take seconds (a Matroska index to write, a receiver that does
// not answer), which the loop that cues every channel cannot wait for.
class engine_teardown {
public:
    virtual ~engine_teardown() = default;
    // Finishes the engine's outputs (when `finish`), stops it and frees it, off the caller's
    // thread. The engine's events are no longer the runner's: it has detached them.
    virtual void retire(const std::string& channel, std::unique_ptr<engine> e, bool finish) = 0;
    // True while an engine of `channel` is still being retired: its file, port and mount are
    // still in use, so the channel's next engine is not built until it is done.
    virtual bool busy(const std::string& channel) const = 0;
};

// The work of a retirement, on the calling thread: what engine_teardown implementations run.
void finish_and_stop(engine& e, bool finish, const std::string& channel, core::logger& log);

} // namespace onair::service
