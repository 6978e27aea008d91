// The filler layer (see filler.hpp and docs/playout.md, "Filler"). This file owns how its three
// parts are stacked (inner mixers in live mode) and which of them airs: the still (black or a
// slate, filler_still.cpp), the loop of files (filler_loop.cpp) and the live feed
// (filler_feed.cpp), with what they share in filler_parts.hpp; and the bus message that carries
// their notes. Their convert chains are convert_chain.cpp's.
//
// live: the feed, mapped onto the pipeline's running time, is drawn over its fallback in an inner
//   compositor/audiomixer; a watchdog takes it off when it stops and puts it back when it returns.
// In live mode a loop also sits over a live black base in inner mixers, so the filler as a
// whole is live and paced by the clock (a non-live branch alone would let a live pipeline's
// mixers run as fast as the decoder).

#include "playout/filler.hpp"

#include "core/redact.hpp"

#include "playout/decodable.hpp"
#include "playout/filler_parts.hpp"

#include <gst/audio/audio.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <optional>
#include <stdexcept>

namespace onair::playout::detail {
namespace {

constexpr const char* note_name = "onair-filler";

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

} // namespace

void post_note(GstElement* pipeline, filler_note what, std::uint64_t serial) {
    GstStructure* s = gst_structure_new(note_name, "what", G_TYPE_INT, static_cast<int>(what),
                                        "serial", G_TYPE_UINT64, serial, nullptr);
    gst_element_post_message(pipeline, gst_message_new_application(GST_OBJECT(pipeline), s));
}

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
        // A slate that is not there, or not a picture, must not keep the channel off air: black
        // until it is fixed (the next reload or rebuild takes it up). `onair check` reports it
        // at its line.
        if (base.type == schedule::filler_type::slate && fmt.video) {
            // live: built on the loop, which must not wait on a decoder (see slate_problem)
            if (auto why = detail::slate_problem(base.image, !fmt.live)) {
                log.warning("the slate cannot air; airing black instead", "image",
                            base.image.string(), "reason", *why);
                base = schedule::filler{};
            }
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
            build_feed(fs, uri, fmt);
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
