#pragma once

// Internal to daemon/playout: the parts of the filler layer and what they share. This file owns
// what the layer (filler.cpp) uses of each part: the still (filler_still.cpp), the loop of files
// (filler_loop.cpp) and the live feed (filler_feed.cpp); and what the parts share: the filler's
// timing, the notes their streaming threads post to the owner thread (filler_note; the bus
// message that carries one is filler.cpp's), and a decoder's plumbing (its convert chains, the
// link of its new pads). Which part airs, how the parts are stacked and when the feed is taken
// off are the layer's.

#include "playout/convert_chain.hpp"
#include "playout/detail.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace onair::playout::detail {

using clock_type = std::chrono::steady_clock;
// A feed's first buffer airs this far after it arrived: room for the jitter of a network feed's
// decoding before the inner mixers' deadline.
inline constexpr std::chrono::nanoseconds feed_margin = std::chrono::milliseconds(100);
// Latency the layered filler adds on top of its inner mixers', so the channel's mixers never
// time out on it while the inner ones finish a buffer (both would otherwise wait for the same
// deadline).
inline constexpr std::chrono::nanoseconds mix_margin = std::chrono::milliseconds(40);
// How long a compositor repeats a feed's last frame before the fallback shows through, should
// the watchdog be late.
inline constexpr std::chrono::nanoseconds feed_repeat = std::chrono::milliseconds(200);
inline constexpr auto feed_silence = std::chrono::milliseconds(500);
inline constexpr auto feed_connect_timeout = std::chrono::seconds(5);
inline constexpr auto feed_retry_first = std::chrono::seconds(1);
inline constexpr auto feed_retry_max = std::chrono::seconds(2);

// What the filler's streaming threads tell the owner thread (with the serial of the loop
// source or of the feed they are about).
enum class filler_note {
    loop_started, // a loop file's first buffer passed
    loop_ended,   // the airing loop file ended (the next one has taken over)
    loop_failed,  // the airing loop file failed (likewise)
    feed_data,    // the feed's first buffer was mapped onto the channel's time
    feed_eos,     // the feed ended
    feed_jump,    // the feed's clock jumped
};

// Posts a note from a streaming thread to the owner thread, through the bus.
void post_note(GstElement* pipeline, filler_note what, std::uint64_t serial);

// The note a bus message carries, if it is one of the filler's.
std::optional<filler_note> note_of(GstMessage* msg, std::uint64_t& serial);

// Whether `src` is `bin` or an element inside it.
inline bool inside(GstObject* src, GstElement* bin) {
    return bin != nullptr &&
           (src == GST_OBJECT(bin) || gst_object_has_as_ancestor(src, GST_OBJECT(bin)));
}

// A filler's convert chain (a loop file's, or the feed's: `leaky`).
inline std::pair<gst::element_ptr, gst::element_ptr> make_chain(GstElement* bin, bool video,
                                                                const format& f, bool leaky) {
    const auto queue = leaky ? std::chrono::seconds(1) : std::chrono::seconds(2);
    return make_convert_chain(bin, video, f, chain_options{queue, queue, leaky, true},
                              "a filler convert chain");
}

// Links the first pad of each stream type a decoder offers to the matching chain.
struct decoder_links {
    std::array<gst::pad_ptr, 2> chain_sink;
    std::array<std::atomic<bool>, 2> linked{};
};

inline void link_decoder_pad(decoder_links& d, GstPad* pad) {
    const int i = detail::stream_index(pad);
    if (i < 0 || !d.chain_sink[i] || d.linked[i].exchange(true)) {
        return;
    }
    gst_pad_link(pad, d.chain_sink[i].get());
}

// What a probe's or a signal handler's user data holds (see glib_shared).
template <class T> T& held(gpointer p) {
    return glib_shared<T>::of(p);
}

// ---------------------------------------------------------------------------------------------
// still (filler_still.cpp)

// Black, or a slate when `fill` is one with an image: a bin with ghost src pads "video" (tv) and
// "audio", live when `f.live`. Throws std::runtime_error when the slate's image is not a
// readable file, or when the bin cannot be built.
gst::element_ptr make_still(const schedule::filler& fill, const format& f);

// ---------------------------------------------------------------------------------------------
// loop (filler_loop.cpp)

struct loop_source;
struct loop_shared;
using source_ptr = std::shared_ptr<loop_source>;

// The files of `media`, one after the other and again, on a funnel per stream behind the ghost
// src pads "video" (tv) and "audio" of one bin; black when none of them plays. `pipeline` and
// `log` are borrowed and outlive the layer. Owner thread only.
class loop_layer {
public:
    loop_layer(GstElement* pipeline, std::vector<std::filesystem::path> media, const format& f,
               core::logger& log);
    ~loop_layer();

    GstElement* element();

    // Handles a bus message if it is the loop's (an ERROR or EOS from inside it: the file is
    // skipped; a loop note); returns false for anything else.
    bool handle(GstMessage* msg);

    // How many files have started airing.
    std::size_t started() const;

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    std::string name_of(const loop_source& s) const;
    void fail(const source_ptr& s);
    void prepare_following();
    void prepare(std::size_t index, bool first);
    source_ptr new_source(std::size_t index);
    void add_probes(const source_ptr& s, int i, GstPad* ghost);
    source_ptr make_file(std::size_t index);
    source_ptr make_black();
    void take_down(loop_source& s);

    GstElement* pipeline_;
    std::vector<std::filesystem::path> media_;
    format fmt_;
    core::logger& log_;
    std::shared_ptr<loop_shared> shared_;
    gst::element_ptr bin_;
    std::array<gst::element_ptr, 2> funnel_;
    std::list<source_ptr> sources_;
    std::uint64_t next_serial_ = 1;
    std::size_t failures_ = 0;      // files that failed since one last aired
    std::size_t last_index_ = npos; // the file prepared last
    std::size_t started_ = 0;
    bool black_logged_ = false;
};

// ---------------------------------------------------------------------------------------------
// live feed (filler_feed.cpp)

// What the feed's probes and its decoder's pad-added handler share with the owner thread.
struct feed_shared {
    std::uint64_t serial = 0;
    GstElement* pipeline = nullptr; // borrowed
    std::mutex mutex;
    bool have_delta = false;
    std::int64_t delta = 0;
    std::array<GstSegment, 2> segment{};
    std::array<bool, 2> has_segment{};
    std::atomic<std::int64_t> last_buffer{0}; // steady clock, ns
    std::atomic<bool> got_data{false};
    std::atomic<bool> broken{false};
    std::shared_ptr<decoder_links> links = std::make_shared<decoder_links>();
};

// The feed on the layer's inner mixers (owner thread).
struct feed_source {
    std::shared_ptr<feed_shared> shared;
    gst::element_ptr bin;
    std::array<GstPad*, 2> ghost{};
    std::array<gst::pad_ptr, 2> mixer_pad;
    clock_type::time_point added;
    bool gained = false;
};

// Builds the bin of the feed at `uri` into `fs` (whose `shared` is set): the decoder, a leaky
// convert chain per stream whose probes map the feed onto the pipeline's running time, and
// ghost src pads "video" (tv) and "audio" in `fs.ghost`. Not yet added anywhere. Throws
// std::runtime_error when an element is missing or a chain cannot be linked; `fs.bin` is then
// set already, for the caller to take down.
void build_feed(feed_source& fs, const std::string& uri, const format& fmt);

} // namespace onair::playout::detail
