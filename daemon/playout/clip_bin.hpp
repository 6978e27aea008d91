#pragma once

// Internal to daemon/playout: a clip's bin and what its streaming threads share with the
// engine's owner thread. This file owns the bin of one clip (uridecodebin, a convert chain per
// stream, ghost pads "video"/"audio" offset to the clip's start), its probes (the cut at its
// planned length, the drop of everything before the seek to its in-point, EOS kept from the
// mixers) and the notes those probes post on the bus. The clip's life on the pipeline (added,
// linked to the mixers, started, ended, failed, released) is the engine's (engine.cpp).

#include "playout/detail.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>

namespace onair::playout::detail {

// The name of the bus messages that carry clip notes.
constexpr const char* clip_message = "onair-clip";

// What a clip's streaming threads tell the owner thread.
enum class clip_note {
    started,      // its first buffer reached the mixer ("rt", "index", "arrival")
    seek,         // its file is open: the owner can seek it to its in-point
    eos,          // one of its streams ended ("rt": where, "index": which)
    start_failed, // its bin could not be set to the pipeline's state
};

// Posts a note from a streaming thread to the owner thread, through the bus.
void post_note(GstElement* pipeline, std::uint64_t serial, clip_note what, std::int64_t rt,
               int index = -1, std::int64_t arrival = -1);

// What a clip's probes and signal handlers share with the owner thread. Streaming threads
// read the plain fields (set before the bin runs) and touch only the atomics.
struct clip_shared {
    std::uint64_t serial = 0;
    GstElement* pipeline = nullptr; // borrowed: outlives every clip bin
    // the output's position (the channel's main mixer), borrowed from the engine
    const std::atomic<std::int64_t>* output_position = nullptr;
    std::int64_t start = 0;                 // running time of its first frame
    std::int64_t cut = 0;                   // clip-relative running time where it is cut
    std::array<gst::pad_ptr, 2> chain_sink; // the convert chains' inputs
    std::array<GstPad*, 2> ghost{};         // borrowed from the bin
    std::array<std::atomic<bool>, 2> linked{};
    std::array<std::atomic<bool>, 2> eos_sent{};
    std::atomic<bool> started{false};
    // Joined under way: every buffer is dropped until the seek to `in_point` has come through
    // (the new segment, per pad); the seek's flush never reaches the mixers.
    std::int64_t in_point = 0;
    std::array<std::atomic<bool>, 2> awaiting_seek{};
    std::atomic<bool> seek_requested{false};
    std::atomic<guint32> seek_seqnum{GST_SEQNUM_INVALID};
    // output running time each pad has delivered up to
    std::array<std::atomic<std::int64_t>, 2> end{};

    int index_of(GstPad* pad) const {
        return pad == ghost[video_index] ? video_index : audio_index;
    }
};

// The bin of `file` for the channel's format `f`: decoder, convert chains, ghost pads offset to
// `shared->start`, the probes and the decoder's signal handlers (which keep `shared` alive).
// Throws std::runtime_error when an element is missing or a chain cannot be linked.
gst::element_ptr make_clip_bin(const std::filesystem::path& file,
                               const std::shared_ptr<clip_shared>& shared, const format& f);

} // namespace onair::playout::detail
