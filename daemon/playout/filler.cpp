// The filler layer (see filler.hpp and docs/playout.md, "Filler"). This file owns its three
// layers: the still (black or a slate), the loop of files and the live feed, and how they are
// stacked (inner mixers in live mode). Their convert chains are convert_chain.cpp's.
//
// black / slate: live (or, in a render, non-live) test sources or a frozen still.
// loop: one bin per file (uridecodebin and a convert chain), two at a time: the one airing and
//   the next, decoded ahead and blocked at its ghost pads. When both streams of the airing file
//   have ended, the next one is given the running time where they ended (on the frame grid) as
//   its pad offset and let go, from the streaming thread that saw the end, so no owner-thread
//   delay can open a gap. A funnel per stream joins the files. Video and audio of each file
//   start together, so they cannot drift apart over hours of looping.
// live: the feed's own timeline is mapped onto the pipeline's running time (first buffer = now
//   + feed_margin) and drawn over its fallback in an inner compositor/audiomixer; a watchdog
//   takes it off when it stops and puts it back when it returns.
// In live mode a loop also sits over a live black base in inner mixers, so the filler as a
// whole is live and paced by the clock (a non-live branch alone would let a live pipeline's
// mixers run as fast as the decoder).

#include "playout/filler.hpp"

#include "core/redact.hpp"

#include "playout/convert_chain.hpp"

#include <gst/audio/audio.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

namespace onair::playout::detail {
namespace {

using clock_type = std::chrono::steady_clock;
constexpr const char* note_name = "onair-filler";
// A feed's first buffer airs this far after it arrived: room for the jitter of a network feed's
// decoding before the inner mixers' deadline.
constexpr std::chrono::nanoseconds feed_margin = std::chrono::milliseconds(100);
// Latency the layered filler adds on top of its inner mixers', so the channel's mixers never
// time out on it while the inner ones finish a buffer (both would otherwise wait for the same
// deadline).
constexpr std::chrono::nanoseconds mix_margin = std::chrono::milliseconds(40);
// How long a compositor repeats a feed's last frame before the fallback shows through, should
// the watchdog be late.
constexpr std::chrono::nanoseconds feed_repeat = std::chrono::milliseconds(200);
constexpr auto feed_silence = std::chrono::milliseconds(500);
constexpr auto feed_connect_timeout = std::chrono::seconds(5);
constexpr auto feed_retry_first = std::chrono::seconds(1);
constexpr auto feed_retry_max = std::chrono::seconds(2);

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

void post_note(GstElement* pipeline, filler_note what, std::uint64_t serial) {
    GstStructure* s = gst_structure_new(note_name, "what", G_TYPE_INT, static_cast<int>(what),
                                        "serial", G_TYPE_UINT64, serial, nullptr);
    gst_element_post_message(pipeline, gst_message_new_application(GST_OBJECT(pipeline), s));
}

// The note a bus message carries, if it is one of the filler's.
std::optional<filler_note> note_of(GstMessage* msg, std::uint64_t& serial) {
    const GstStructure* st = gst_message_get_structure(msg);
    if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_APPLICATION || st == nullptr ||
        !gst_structure_has_name(st, note_name)) {
        return std::nullopt;
    }
    gint what = -1;
    guint64 s = 0;
    gst_structure_get_int(st, "what", &what);
    gst_structure_get_uint64(st, "serial", &s);
    serial = s;
    return static_cast<filler_note>(what);
}

bool inside(GstObject* src, GstElement* bin) {
    return bin != nullptr &&
           (src == GST_OBJECT(bin) || gst_object_has_as_ancestor(src, GST_OBJECT(bin)));
}

void link_or_throw(GstPad* src, GstPad* sink, const char* what) {
    if (gst_pad_link(src, sink) != GST_PAD_LINK_OK) {
        throw std::runtime_error(std::string("cannot link ") + what);
    }
}

// Notes the base layer's first buffer (`data`: an std::atomic<bool> of the filler layer).
// Only a note: the mixer's property is set later from the owner's thread (service()), since
// setting it here, inside the streaming thread, stalled the start now and then.
GstPadProbeReturn note_first_buffer(GstPad*, GstPadProbeInfo*, gpointer data) {
    static_cast<std::atomic<bool>*>(data)->store(true);
    return GST_PAD_PROBE_REMOVE;
}

// black or a slate: what make_filler built before the loop and live kinds existed.
gst::element_ptr make_still(const schedule::filler& fill, const format& f) {
    const std::string live = f.live ? "true" : "false";
    std::string desc;
    // 10 ms audio buffers: the radio frame grid, and fine enough for the render hold
    desc += "audiotestsrc wave=silence is-live=" + live +
            " samplesperbuffer=" + std::to_string(std::max(1, f.rate / 100)) +
            " ! capsfilter name=acaps caps=\"" + audio_caps(f) + "\" ";
    bool slate = false;
    if (f.video) {
        if (fill.type == schedule::filler_type::slate && !fill.image.empty()) {
            std::error_code ec;
            if (!std::filesystem::is_regular_file(fill.image, ec)) {
                throw std::runtime_error("slate image '" + fill.image.string() +
                                         "' is not a readable file");
            }
            slate = true;
            // decode and scale the still once; imagefreeze repeats the converted picture
            desc += "filesrc name=slate ! decodebin ! videoconvert ! "
                    "videoscale add-borders=true ! capsfilter caps=\"video/x-raw,format=I420,"
                    "width=" +
                    std::to_string(f.width) + ",height=" + std::to_string(f.height) +
                    ",pixel-aspect-ratio=1/1\" ! imagefreeze is-live=" + live +
                    " ! capsfilter name=vcaps caps=\"" + video_caps(f) + "\"";
        } else {
            desc += "videotestsrc pattern=black is-live=" + live +
                    " ! capsfilter name=vcaps caps=\"" + video_caps(f) + "\"";
        }
    }
    auto bin = gst::parse_bin(desc);
    if (slate) {
        auto src = gst::child(bin.get(), "slate");
        g_object_set(src.get(), "location", fill.image.c_str(), nullptr);
    }
    if (f.video) {
        gst::add_ghost(bin.get(), "video", gst::child(bin.get(), "vcaps").get(), "src");
    }
    gst::add_ghost(bin.get(), "audio", gst::child(bin.get(), "acaps").get(), "src");
    return bin;
}

// A filler's convert chain (a loop file's, or the feed's: `leaky`).
std::pair<gst::element_ptr, gst::element_ptr> make_chain(GstElement* bin, bool video,
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

void link_decoder_pad(decoder_links& d, GstPad* pad) {
    const int i = detail::stream_index(pad);
    if (i < 0 || !d.chain_sink[i] || d.linked[i].exchange(true)) {
        return;
    }
    gst_pad_link(pad, d.chain_sink[i].get());
}

template <class T> T& held(gpointer p) {
    return glib_shared<T>::of(p);
}

// ---------------------------------------------------------------------------------------------
// loop

struct loop_shared;

// One file of the loop (or the black that replaces an unplayable list).
struct loop_source {
    std::uint64_t serial = 0;
    std::size_t index = 0;          // in the media list; npos for black
    GstElement* pipeline = nullptr; // borrowed
    loop_shared* loop = nullptr;    // borrowed: outlives every source's pads
    gst::element_ptr bin;
    std::array<GstPad*, 2> ghost{}; // borrowed from the bin
    std::array<gst::pad_ptr, 2> funnel_pad;
    std::array<gulong, 2> block{};
    std::shared_ptr<decoder_links> links = std::make_shared<decoder_links>();
    std::array<std::atomic<bool>, 2> ended{};
    std::array<std::atomic<std::int64_t>, 2> end{}; // running time reached (offset included)
    std::atomic<std::int64_t> start{0};
    std::atomic<bool> got_data{false};
    bool released = false; // guarded by loop_shared::mutex
};

using source_ptr = std::shared_ptr<loop_source>;

// The hand-over between the airing file and the next one, shared with streaming threads.
struct loop_shared {
    std::mutex mutex;
    source_ptr current, next;
    std::int64_t pending = -1; // where the next file starts, if the airing one ended first
    format fmt;
    std::array<GstElement*, 2> funnel{}; // borrowed: they live as long as the loop's bin

    // The running time where the next file starts: the later end of the two streams, on the
    // frame grid (tv) or the sample grid (radio).
    std::int64_t boundary(const loop_source& s) const {
        std::int64_t t = s.start.load();
        for (int i : {video_index, audio_index}) {
            if (s.ghost[i] != nullptr) {
                t = std::max(t, s.end[i].load());
            }
        }
        const auto ut = static_cast<guint64>(t);
        if (fmt.video) {
            const guint64 n =
                gst_util_uint64_scale_ceil(ut, static_cast<guint64>(fmt.fps_num),
                                           GST_SECOND * static_cast<guint64>(fmt.fps_den));
            return static_cast<std::int64_t>(
                gst_util_uint64_scale(n, GST_SECOND * static_cast<guint64>(fmt.fps_den),
                                      static_cast<guint64>(fmt.fps_num)));
        }
        const guint64 n =
            gst_util_uint64_scale_ceil(ut, static_cast<guint64>(fmt.rate), GST_SECOND);
        return static_cast<std::int64_t>(
            gst_util_uint64_scale(n, GST_SECOND, static_cast<guint64>(fmt.rate)));
    }

    // Lets a blocked source flow from running time `t` (mutex held). Only now does it get a
    // funnel pad: taking down a waiting source that had one (a corrupt file failing while the
    // one before it aired) made the channel's compositor renegotiate, and its allocation query
    // then waited on a full output queue for ever (a render, 1.22, measured).
    void release(loop_source& s, std::int64_t t) {
        s.start.store(t);
        for (int i : {video_index, audio_index}) {
            s.end[i].store(t);
            if (s.ghost[i] != nullptr) {
                s.funnel_pad[i].reset(gst_element_request_pad_simple(funnel[i], "sink_%u"));
                gst_pad_link(s.ghost[i], s.funnel_pad[i].get());
                gst_pad_set_offset(s.ghost[i], t);
                if (s.block[i] != 0) {
                    gst_pad_remove_probe(s.ghost[i], s.block[i]);
                    s.block[i] = 0;
                }
            }
        }
        s.released = true;
    }

    // The airing source is done (both streams ended, or it failed): the next one takes over.
    void ended(loop_source& s, filler_note why) {
        {
            std::lock_guard lock(mutex);
            if (current.get() != &s) {
                return;
            }
            const std::int64_t t = boundary(s);
            current.reset();
            if (next) {
                release(*next, t);
                current = std::move(next);
                next.reset();
            } else {
                pending = t;
            }
        }
        post_note(s.pipeline, why, s.serial);
    }
};

GstPadProbeReturn loop_block_probe(GstPad*, GstPadProbeInfo*, gpointer) {
    return GST_PAD_PROBE_OK; // stays blocked until the hand-over removes it
}

GstPadProbeReturn loop_data_probe(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
    auto& s = held<loop_source>(data);
    const int i = pad == s.ghost[video_index] ? video_index : audio_index;
    if ((GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER) != 0) {
        GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
        const std::int64_t rt = buffer_running_time(pad, buf);
        if (rt >= 0) {
            const auto dur = GST_BUFFER_DURATION_IS_VALID(buf)
                                 ? static_cast<std::int64_t>(GST_BUFFER_DURATION(buf))
                                 : 0;
            s.end[i].store(s.start.load() + rt + dur);
            if (!s.got_data.exchange(true)) {
                post_note(s.pipeline, filler_note::loop_started, s.serial);
            }
        }
        return GST_PAD_PROBE_OK;
    }
    if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_EOS) {
        return GST_PAD_PROBE_OK;
    }
    // a file's end is not the filler's: the funnel never sees it
    s.ended[i].store(true);
    const int other = 1 - i;
    if (s.ghost[other] == nullptr || s.ended[other].load()) {
        s.loop->ended(s, filler_note::loop_ended);
    }
    return GST_PAD_PROBE_DROP;
}

void loop_pad_added(GstElement*, GstPad* pad, gpointer data) {
    link_decoder_pad(*held<loop_source>(data).links, pad);
}

// A file without one of the channel's stream types: that stream of it ends at once.
void loop_no_more_pads(GstElement*, gpointer data) {
    auto& d = *held<loop_source>(data).links;
    for (int i : {video_index, audio_index}) {
        if (d.chain_sink[i] && !d.linked[i].exchange(true)) {
            end_unstarted_stream(d.chain_sink[i].get(), "onair-none");
        }
    }
}

class loop_layer {
public:
    loop_layer(GstElement* pipeline, std::vector<std::filesystem::path> media, const format& f,
               core::logger& log)
        : pipeline_(pipeline), media_(std::move(media)), fmt_(f), log_(log) {
        shared_ = std::make_shared<loop_shared>();
        shared_->fmt = f;
        bin_ = gst::sink(gst_bin_new(nullptr));
        for (int i : {video_index, audio_index}) {
            if (i == video_index && !f.video) {
                continue;
            }
            funnel_[i] = gst::make("funnel");
            shared_->funnel[i] = funnel_[i].get();
            gst::add(bin_.get(), {funnel_[i].get()});
            gst::add_ghost(bin_.get(), i == video_index ? "video" : "audio", funnel_[i].get(),
                           "src");
        }
        // the first file airs from 0, the next is made ready behind it
        prepare(0, true);
        prepare_following();
    }

    ~loop_layer() {
        for (auto& s : sources_) {
            take_down(*s);
        }
    }

    GstElement* element() { return bin_.get(); }

    bool handle(GstMessage* msg) {
        if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR ||
            GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
            for (auto it = sources_.begin(); it != sources_.end(); ++it) {
                if (!inside(GST_MESSAGE_SRC(msg), (*it)->bin.get())) {
                    continue;
                }
                source_ptr s = *it;
                const std::string why = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR
                                            ? error_text(msg)
                                            : std::string("end of stream");
                log_.warning("loop filler: skipped", "file", name_of(*s), "reason", why);
                fail(s);
                return true;
            }
            return inside(GST_MESSAGE_SRC(msg), bin_.get());
        }
        std::uint64_t serial = 0;
        const auto what = note_of(msg, serial);
        if (!what) {
            return false;
        }
        auto it = std::find_if(sources_.begin(), sources_.end(),
                               [&](const source_ptr& s) { return s->serial == serial; });
        if (*what == filler_note::loop_started) {
            ++started_;
            failures_ = 0;
            return true;
        }
        if (*what != filler_note::loop_ended && *what != filler_note::loop_failed) {
            return false;
        }
        if (it == sources_.end()) {
            return true;
        }
        source_ptr s = *it;
        if (!s->got_data.load() && s->index != npos) {
            log_.warning("loop filler: skipped", "file", name_of(*s), "reason",
                         "no picture or sound");
            ++failures_;
        }
        sources_.erase(it);
        take_down(*s);
        prepare_following();
        return true;
    }

    std::size_t started() const { return started_; }

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    std::string name_of(const loop_source& s) const {
        return s.index == npos ? std::string("(black)") : media_[s.index].string();
    }

    // A source failed: if it was airing, the next one takes over where it got to; if it was
    // waiting, another is prepared in its place.
    void fail(const source_ptr& s) {
        ++failures_;
        // airing: the next one takes over where it got to (the note then finds it gone)
        s->loop->ended(*s, filler_note::loop_failed);
        {
            std::lock_guard lock(shared_->mutex);
            if (shared_->next == s) {
                shared_->next.reset();
            }
        }
        sources_.remove(s);
        take_down(*s);
        prepare_following();
    }

    // Keeps exactly one source waiting behind the airing one: the file after the last prepared.
    void prepare_following() {
        if (black_logged_) {
            return; // black airs for ever
        }
        {
            std::lock_guard lock(shared_->mutex);
            if (shared_->next) {
                return;
            }
        }
        const std::size_t n = media_.size();
        prepare(last_index_ == npos || n == 0 ? 0 : (last_index_ + 1) % n, false);
    }

    // Builds the source of media_[index] (or the next playable one); airs it at once when
    // `first`, else leaves it blocked as the next one.
    void prepare(std::size_t index, bool first) {
        source_ptr s;
        while (!s) {
            if (media_.empty() || failures_ >= media_.size()) {
                if (!black_logged_) {
                    log_.warning("loop filler: no playable file, airing black");
                    black_logged_ = true;
                }
                s = make_black();
                break;
            }
            const auto& file = media_[index % media_.size()];
            std::error_code ec;
            if (!std::filesystem::is_regular_file(file, ec)) {
                log_.warning("loop filler: skipped", "file", file.string(), "reason",
                             "no such file");
                ++failures_;
                index = (index + 1) % media_.size();
                continue;
            }
            try {
                s = make_file(index % media_.size());
                last_index_ = index % media_.size();
            } catch (const std::exception& e) {
                log_.warning("loop filler: skipped", "file", file.string(), "reason", e.what());
                ++failures_;
                index = (index + 1) % media_.size();
            }
        }
        sources_.push_back(s);
        gst::add(bin_.get(), {s->bin.get()});
        {
            std::lock_guard lock(shared_->mutex);
            if (first) {
                shared_->release(*s, 0);
                shared_->current = s;
            } else if (!shared_->current && shared_->pending >= 0) {
                shared_->release(*s, shared_->pending);
                shared_->pending = -1;
                shared_->current = s;
            } else {
                shared_->next = s;
            }
        }
        gst_element_sync_state_with_parent(s->bin.get());
    }

    source_ptr new_source(std::size_t index) {
        auto s = std::make_shared<loop_source>();
        s->serial = next_serial_++;
        s->index = index;
        s->pipeline = pipeline_;
        s->loop = shared_.get();
        s->bin = gst::sink(gst_bin_new(nullptr));
        // a file's preroll stays inside its bin
        g_object_set(s->bin.get(), "async-handling", TRUE, nullptr);
        return s;
    }

    void add_probes(const source_ptr& s, int i, GstPad* ghost) {
        s->ghost[i] = ghost;
        // blocked until the hand-over gives it its start (released at once when first)
        s->block[i] = gst_pad_add_probe(ghost, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM,
                                        loop_block_probe, nullptr, nullptr);
        glib_shared<loop_source>::add_probe(
            ghost,
            static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER |
                                         GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
            loop_data_probe, s);
    }

    source_ptr make_file(std::size_t index) {
        auto s = new_source(index);
        auto dec = gst::make("uridecodebin");
        GError* raw = nullptr;
        gst::string_ptr uri(gst_filename_to_uri(media_[index].c_str(), &raw));
        gst::error_ptr err(raw);
        if (!uri) {
            throw std::runtime_error(err ? err->message : "bad file name");
        }
        g_object_set(dec.get(), "uri", uri.get(), nullptr);
        gst::add(s->bin.get(), {dec.get()});
        for (int i : {video_index, audio_index}) {
            if (i == video_index && !fmt_.video) {
                continue;
            }
            auto [first, last] = make_chain(s->bin.get(), i == video_index, fmt_, false);
            s->links->chain_sink[i].reset(gst_element_get_static_pad(first.get(), "sink"));
            add_probes(s, i,
                       gst::add_ghost(s->bin.get(), i == video_index ? "video" : "audio",
                                      last.get(), "src"));
        }
        glib_shared<loop_source>::connect(dec.get(), "pad-added", G_CALLBACK(loop_pad_added), s);
        glib_shared<loop_source>::connect(dec.get(), "no-more-pads", G_CALLBACK(loop_no_more_pads),
                                          s);
        return s;
    }

    // Black and silence without end, for a list with nothing playable.
    source_ptr make_black() {
        auto s = new_source(npos);
        schedule::filler black;
        format f = fmt_;
        f.live = false; // timed by the pad offset like the files
        auto still = make_still(black, f);
        gst::add(s->bin.get(), {still.get()});
        for (int i : {video_index, audio_index}) {
            if (i == video_index && !fmt_.video) {
                continue;
            }
            const char* name = i == video_index ? "video" : "audio";
            gst::pad_ptr inner(gst_element_get_static_pad(still.get(), name));
            GstPad* ghost = gst_ghost_pad_new(name, inner.get());
            gst_pad_set_active(ghost, TRUE);
            gst_element_add_pad(s->bin.get(), ghost);
            add_probes(s, i, ghost);
        }
        return s;
    }

    void take_down(loop_source& s) {
        for (int i : {video_index, audio_index}) {
            if (s.funnel_pad[i]) {
                if (s.ghost[i] != nullptr && gst_pad_is_linked(s.ghost[i])) {
                    gst_pad_unlink(s.ghost[i], s.funnel_pad[i].get());
                }
                gst_element_release_request_pad(funnel_[i].get(), s.funnel_pad[i].get());
                s.funnel_pad[i].reset();
            }
            if (s.ghost[i] != nullptr && s.block[i] != 0) {
                // unblock so the streaming thread can stop
                gst_pad_remove_probe(s.ghost[i], s.block[i]);
                s.block[i] = 0;
            }
        }
        if (s.bin) {
            gst_element_set_locked_state(s.bin.get(), TRUE);
            gst_element_set_state(s.bin.get(), GST_STATE_NULL);
            if (GST_OBJECT_PARENT(s.bin.get()) == GST_OBJECT(bin_.get())) {
                gst_bin_remove(GST_BIN(bin_.get()), s.bin.get());
            }
            s.bin.reset();
        }
    }

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
// live feed

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

int feed_index(feed_shared& f, GstPad* pad) {
    return pad == f.links->chain_sink[video_index].get() ? video_index : audio_index;
}

// Maps the feed's timeline onto the pipeline's running time: its first buffer airs feed_margin
// after it arrived, the rest keep their distance from it (lip sync is the feed's). A jump of the
// feed's clock (a restarted sender behind the same address) is a lost feed: reconnecting maps
// it afresh.
GstPadProbeReturn feed_probe(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
    auto& f = held<feed_shared>(data);
    const int i = feed_index(f, pad);
    if ((GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) != 0) {
        GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
        switch (GST_EVENT_TYPE(ev)) {
        case GST_EVENT_SEGMENT: {
            const GstSegment* seg = nullptr;
            gst_event_parse_segment(ev, &seg);
            {
                std::lock_guard lock(f.mutex);
                gst_segment_copy_into(seg, &f.segment[i]);
                f.has_segment[i] = seg->format == GST_FORMAT_TIME;
            }
            GstSegment ours;
            gst_segment_init(&ours, GST_FORMAT_TIME);
            gst_event_unref(ev);
            GST_PAD_PROBE_INFO_DATA(info) = gst_event_new_segment(&ours);
            return GST_PAD_PROBE_OK;
        }
        case GST_EVENT_EOS:
            if (!f.broken.exchange(true)) {
                post_note(f.pipeline, filler_note::feed_eos, f.serial);
            }
            return GST_PAD_PROBE_DROP;
        case GST_EVENT_FLUSH_START:
        case GST_EVENT_FLUSH_STOP:
            // the chain's segment is ours; a source's flush must not reset the mixer pad
            return GST_PAD_PROBE_DROP;
        default:
            return GST_PAD_PROBE_OK;
        }
    }
    GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
    if (f.broken.load() || !GST_BUFFER_PTS_IS_VALID(buf)) {
        return GST_PAD_PROBE_DROP;
    }
    const GstClockTime now = gst_element_get_current_running_time(f.pipeline);
    if (now == GST_CLOCK_TIME_NONE) {
        return GST_PAD_PROBE_DROP;
    }
    std::int64_t out = 0;
    {
        std::lock_guard lock(f.mutex);
        if (!f.has_segment[i]) {
            return GST_PAD_PROBE_DROP;
        }
        const guint64 rt =
            gst_segment_to_running_time(&f.segment[i], GST_FORMAT_TIME, GST_BUFFER_PTS(buf));
        if (rt == GST_CLOCK_TIME_NONE) {
            return GST_PAD_PROBE_DROP;
        }
        if (!f.have_delta) {
            f.delta = static_cast<std::int64_t>(now) + feed_margin.count() -
                      static_cast<std::int64_t>(rt);
            f.have_delta = true;
        }
        out = static_cast<std::int64_t>(rt) + f.delta;
    }
    const auto n = static_cast<std::int64_t>(now);
    if (out < n - static_cast<std::int64_t>(GST_SECOND) ||
        out > n + 3 * static_cast<std::int64_t>(GST_SECOND)) {
        if (!f.broken.exchange(true)) {
            post_note(f.pipeline, filler_note::feed_jump, f.serial);
        }
        return GST_PAD_PROBE_DROP;
    }
    buf = gst_buffer_make_writable(buf);
    GST_BUFFER_PTS(buf) = static_cast<GstClockTime>(out);
    GST_BUFFER_DTS(buf) = GST_CLOCK_TIME_NONE;
    GST_PAD_PROBE_INFO_DATA(info) = buf;
    f.last_buffer.store(clock_type::now().time_since_epoch().count());
    if (!f.got_data.exchange(true)) {
        post_note(f.pipeline, filler_note::feed_data, f.serial);
    }
    return GST_PAD_PROBE_OK;
}

// The feed is re-stamped: its own latency (demuxer, decoder) must not delay the channel.
GstPadProbeReturn feed_latency_probe(GstPad*, GstPadProbeInfo* info, gpointer) {
    GstQuery* q = GST_PAD_PROBE_INFO_QUERY(info);
    if (GST_QUERY_TYPE(q) != GST_QUERY_LATENCY) {
        return GST_PAD_PROBE_OK;
    }
    gst_query_set_latency(q, TRUE, 0, GST_CLOCK_TIME_NONE);
    return GST_PAD_PROBE_HANDLED;
}

// See mix_margin.
GstPadProbeReturn margin_latency_probe(GstPad*, GstPadProbeInfo* info, gpointer) {
    GstQuery* q = GST_PAD_PROBE_INFO_QUERY(info);
    if (GST_QUERY_TYPE(q) != GST_QUERY_LATENCY) {
        return GST_PAD_PROBE_OK;
    }
    gboolean live = FALSE;
    GstClockTime min = 0, max = GST_CLOCK_TIME_NONE;
    gst_query_parse_latency(q, &live, &min, &max);
    if (live) {
        const auto margin = static_cast<GstClockTime>(mix_margin.count());
        gst_query_set_latency(q, live, min + margin,
                              max == GST_CLOCK_TIME_NONE ? max : max + margin);
    }
    return GST_PAD_PROBE_OK;
}

void feed_pad_added(GstElement*, GstPad* pad, gpointer data) {
    link_decoder_pad(*held<feed_shared>(data).links, pad);
}

struct feed_source {
    std::shared_ptr<feed_shared> shared;
    gst::element_ptr bin;
    std::array<GstPad*, 2> ghost{};
    std::array<gst::pad_ptr, 2> mixer_pad;
    clock_type::time_point added;
    bool gained = false;
};

} // namespace

// ---------------------------------------------------------------------------------------------

struct filler_layer::impl {
    explicit impl(core::logger& l) : log(l) {}

    GstElement* pipeline = nullptr; // borrowed
    format fmt;
    core::logger& log;
    schedule::filler_type type = schedule::filler_type::black;
    std::string base_state = "black";
    gst::element_ptr bin;
    std::unique_ptr<loop_layer> loop;
    // layered (live mode, loop or live): inner mixers under the filler's ghost pads
    std::array<gst::element_ptr, 2> mixer;
    std::array<gst::pad_ptr, 2>
        loop_pad; // the loop's pads on the inner mixers (muted under a feed)
    std::array<std::atomic<bool>, 2> base_delivered{}; // the base layer's first buffer passed
    std::array<bool, 2> armed{};                       // ignore-inactive-pads set
    // live
    std::string uri;
    std::optional<feed_source> feed;
    std::uint64_t next_feed_serial = 1;
    clock_type::time_point retry_at{};
    clock_type::duration backoff = feed_retry_first;
    bool on_feed = false;
    std::size_t gained = 0, lost = 0;

    void build(const schedule::filler& fill) {
        type = fill.type;
        const bool live_kind = fill.type == schedule::filler_type::live;
        // what airs when the feed does not (live) or under the loop (live mode)
        schedule::filler base;
        if (live_kind) {
            uri = fill.uri;
            if (fill.fallback) {
                base = *fill.fallback;
            }
            if (base.type == schedule::filler_type::live) {
                log.warning("live filler: a fallback cannot be live itself, airing black");
                base = schedule::filler{};
            }
        } else {
            base = fill;
        }
        const bool looping = base.type == schedule::filler_type::loop;
        base_state = looping                                     ? "loop"
                     : base.type == schedule::filler_type::slate ? "slate"
                                                                 : "black";
        const bool layered = fmt.live && (looping || live_kind);
        if (!layered) {
            // render, or black/slate: one layer straight onto the channel's mixers (a live feed
            // cannot be rendered ahead of time: a render shows its fallback)
            if (looping) {
                loop = std::make_unique<loop_layer>(pipeline, base.media, fmt, log);
                bin = gst::ref(loop->element());
            } else {
                bin = make_still(base, fmt);
            }
            return;
        }
        bin = gst::sink(gst_bin_new(nullptr));
        schedule::filler bottom = looping ? schedule::filler{} : base;
        auto still = make_still(bottom, fmt);
        gst::add(bin.get(), {still.get()});
        if (looping) {
            loop = std::make_unique<loop_layer>(pipeline, base.media, fmt, log);
            gst::add(bin.get(), {loop->element()});
        }
        for (int i : {video_index, audio_index}) {
            if (i == video_index && !fmt.video) {
                continue;
            }
            layer(i, still.get(), looping);
        }
    }

    // One stream of the layered filler: its inner mixer over the still base (and the loop),
    // behind a fixed capsfilter and the filler's ghost pad.
    void layer(int i, GstElement* still, bool looping) {
        const bool video = i == video_index;
        const char* name = video ? "video" : "audio";
        mixer[i] = gst::make(video ? "compositor" : "audiomixer");
        // A feed pad that has never had data (still connecting) is not waited for
        // (ignore-inactive-pads), but only once the base layer has delivered: with every
        // pad still inactive, 1.22's aggregator calls aggregate at once and the audio one
        // takes "no active pad" for "all pads ended" and goes EOS, which ended the
        // channel's output at start-up about one time in six (measured, radio with a loop).
        // service() sets it once the base layer's first buffer has passed.
        if (video) {
            g_object_set(mixer[i].get(), "background", 1 /* black */, nullptr);
        }
        auto filter = gst::make("capsfilter");
        // one colorimetry whatever the layers bring (a PNG slate, a feed): a change of it
        // mid-stream renegotiates the encoders, which mpegtsmux refuses (measured)
        gst::caps_ptr caps(gst_caps_from_string(
            (video ? video_caps(fmt) + ",colorimetry=bt601" : audio_caps(fmt)).c_str()));
        g_object_set(filter.get(), "caps", caps.get(), nullptr);
        gst::add(bin.get(), {mixer[i].get()});
        gst::add(bin.get(), {filter.get()});
        if (!gst_element_link(mixer[i].get(), filter.get())) {
            throw std::runtime_error("cannot link the filler's mixer");
        }
        GstPad* ghost = gst::add_ghost(bin.get(), name, filter.get(), "src");
        gst_pad_add_probe(ghost,
                          static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_QUERY_UPSTREAM |
                                                       GST_PAD_PROBE_TYPE_PULL),
                          margin_latency_probe, nullptr, nullptr);
        gst::pad_ptr base_src(gst_element_get_static_pad(still, name));
        gst::pad_ptr base_sink(gst_element_request_pad_simple(mixer[i].get(), "sink_%u"));
        link_or_throw(base_src.get(), base_sink.get(), "the filler's base layer");
        gst_pad_add_probe(base_src.get(), GST_PAD_PROBE_TYPE_BUFFER, note_first_buffer,
                          &base_delivered[i], nullptr);
        if (looping) {
            gst::pad_ptr src(gst_element_get_static_pad(loop->element(), name));
            loop_pad[i].reset(gst_element_request_pad_simple(mixer[i].get(), "sink_%u"));
            if (video) {
                g_object_set(loop_pad[i].get(), "zorder", 1u, nullptr);
            }
            link_or_throw(src.get(), loop_pad[i].get(), "the loop layer");
        }
    }

    std::string state() const {
        if (type == schedule::filler_type::live) {
            return on_feed ? "feed" : "fallback";
        }
        return base_state;
    }

    // Puts the feed on the inner mixers, above everything (owner thread).
    void connect_feed(clock_type::time_point now) {
        feed_source fs;
        fs.shared = std::make_shared<feed_shared>();
        fs.shared->serial = next_feed_serial++;
        fs.shared->pipeline = pipeline;
        fs.added = now;
        try {
            fs.bin = gst::sink(gst_bin_new(nullptr));
            g_object_set(fs.bin.get(), "async-handling", TRUE, nullptr);
            auto dec = gst::make("uridecodebin");
            g_object_set(dec.get(), "uri", uri.c_str(), nullptr);
            gst::add(fs.bin.get(), {dec.get()});
            for (int i : {video_index, audio_index}) {
                if (i == video_index && !fmt.video) {
                    continue;
                }
                auto [first, last] = make_chain(fs.bin.get(), i == video_index, fmt, true);
                auto& sink = fs.shared->links->chain_sink[i];
                sink.reset(gst_element_get_static_pad(first.get(), "sink"));
                glib_shared<feed_shared>::add_probe(
                    sink.get(),
                    static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER |
                                                 GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM |
                                                 GST_PAD_PROBE_TYPE_EVENT_FLUSH),
                    feed_probe, fs.shared);
                fs.ghost[i] = gst::add_ghost(fs.bin.get(), i == video_index ? "video" : "audio",
                                             last.get(), "src");
                gst_pad_add_probe(fs.ghost[i], GST_PAD_PROBE_TYPE_QUERY_UPSTREAM,
                                  feed_latency_probe, nullptr, nullptr);
            }
            glib_shared<feed_shared>::connect(dec.get(), "pad-added", G_CALLBACK(feed_pad_added),
                                              fs.shared);
            gst::add(bin.get(), {fs.bin.get()});
            for (int i : {video_index, audio_index}) {
                if (fs.ghost[i] == nullptr) {
                    continue;
                }
                fs.mixer_pad[i].reset(gst_element_request_pad_simple(mixer[i].get(), "sink_%u"));
                if (i == video_index) {
                    g_object_set(fs.mixer_pad[i].get(), "zorder", 2u, "max-last-buffer-repeat",
                                 static_cast<guint64>(feed_repeat.count()), nullptr);
                }
                link_or_throw(fs.ghost[i], fs.mixer_pad[i].get(), "the feed");
            }
            feed = std::move(fs);
            gst_element_sync_state_with_parent(feed->bin.get());
        } catch (const std::exception& e) {
            if (fs.bin || feed) {
                feed = std::move(fs);
                drop_feed(now, e.what());
            }
        }
    }

    void drop_feed(clock_type::time_point now, const std::string& why) {
        if (!feed) {
            return;
        }
        if (feed->gained) {
            ++lost;
            log.warning("live filler: feed lost, airing fallback", "uri", core::redact(uri),
                        "reason", why);
        }
        for (int i : {video_index, audio_index}) {
            if (feed->mixer_pad[i]) {
                gst_pad_unlink(feed->ghost[i], feed->mixer_pad[i].get());
                gst_element_release_request_pad(mixer[i].get(), feed->mixer_pad[i].get());
            }
        }
        gst_element_set_locked_state(feed->bin.get(), TRUE);
        gst_element_set_state(feed->bin.get(), GST_STATE_NULL);
        if (GST_OBJECT_PARENT(feed->bin.get()) == GST_OBJECT(bin.get())) {
            gst_bin_remove(GST_BIN(bin.get()), feed->bin.get());
        }
        feed.reset();
        set_fallback_mute(false);
        on_feed = false;
        retry_at = now + backoff;
        backoff = std::min<clock_type::duration>(backoff * 2, feed_retry_max);
    }

    void set_fallback_mute(bool mute) {
        if (loop_pad[audio_index]) {
            g_object_set(loop_pad[audio_index].get(), "mute", mute ? TRUE : FALSE, nullptr);
        }
    }

    bool handle_feed(GstMessage* msg) {
        if (!feed) {
            return false;
        }
        if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR ||
            GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
            if (!inside(GST_MESSAGE_SRC(msg), feed->bin.get())) {
                return false;
            }
            drop_feed(clock_type::now(), GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR
                                             ? error_text(msg)
                                             : std::string("end of stream"));
            return true;
        }
        std::uint64_t serial = 0;
        const auto what = note_of(msg, serial);
        if (!what || (*what != filler_note::feed_data && *what != filler_note::feed_eos &&
                      *what != filler_note::feed_jump)) {
            return false;
        }
        if (serial != feed->shared->serial) {
            return true; // from a feed already dropped
        }
        if (*what == filler_note::feed_data) {
            feed->gained = true;
            on_feed = true;
            ++gained;
            backoff = feed_retry_first;
            set_fallback_mute(true);
            log.info("live filler: feed up", "uri", core::redact(uri));
        } else if (*what == filler_note::feed_eos) {
            drop_feed(clock_type::now(), "end of stream");
        } else if (*what == filler_note::feed_jump) {
            drop_feed(clock_type::now(), "the feed's timestamps jumped");
        }
        return true;
    }

    void service(clock_type::time_point now) {
        for (int i : {video_index, audio_index}) {
            if (mixer[i] && !armed[i] && base_delivered[i].load()) {
                g_object_set(mixer[i].get(), "ignore-inactive-pads", TRUE, nullptr);
                armed[i] = true;
            }
        }
        if (type != schedule::filler_type::live || !mixer[audio_index]) {
            return;
        }
        if (feed) {
            const auto last =
                clock_type::time_point(clock_type::duration(feed->shared->last_buffer.load()));
            if (feed->shared->got_data.load() && now - last > feed_silence) {
                drop_feed(now, "no data for 500 ms");
            } else if (!feed->shared->got_data.load() && now - feed->added > feed_connect_timeout) {
                // no error, no data (a silent UDP port, a stalled connection): start afresh
                drop_feed(now, "no data");
            }
        } else if (now >= retry_at) {
            connect_feed(now);
        }
    }
};

filler_layer::filler_layer(GstBin* pipeline, const schedule::filler& fill, const format& f,
                           core::logger& log)
    : impl_(std::make_unique<impl>(log)) {
    impl_->pipeline = GST_ELEMENT(pipeline);
    impl_->fmt = f;
    impl_->build(fill);
}

filler_layer::~filler_layer() {
    if (impl_->feed) {
        impl_->drop_feed(clock_type::now(), "shutting down");
    }
}

GstElement* filler_layer::element() {
    return impl_->bin.get();
}

bool filler_layer::handle(GstMessage* msg) {
    if (impl_->handle_feed(msg)) {
        return true;
    }
    if (impl_->loop && impl_->loop->handle(msg)) {
        return true;
    }
    // anything else from inside the filler (a live feed's leftovers) is not the engine's either
    if ((GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR || GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) &&
        impl_->type == schedule::filler_type::live &&
        inside(GST_MESSAGE_SRC(msg), impl_->bin.get())) {
        return true;
    }
    return false;
}

void filler_layer::service(std::chrono::steady_clock::time_point now) {
    impl_->service(now);
}

std::string filler_layer::state() const {
    return impl_->state();
}

std::size_t filler_layer::loop_files_started() const {
    return impl_->loop ? impl_->loop->started() : 0;
}
std::size_t filler_layer::feed_gained() const {
    return impl_->gained;
}
std::size_t filler_layer::feed_lost() const {
    return impl_->lost;
}

} // namespace onair::playout::detail
