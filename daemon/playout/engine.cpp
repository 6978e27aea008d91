// The channel engine (see engine.hpp). This file owns the channel's pipeline (filler, mixers,
// fixed caps, tees, their probes: the render hold, the sound under clips silenced, one timeline
// per mixer, the output position) and the life cycle of each clip on it: scheduled, its bin
// (clip_bin.cpp) added and linked to the mixers, started, announced on air, ended, failed,
// cancelled, and its mixer pads released. The outputs are outputs.cpp's, the filler filler.cpp's.

#include "playout/engine.hpp"

#include "playout/clip_bin.hpp"
#include "playout/decodable.hpp"
#include "playout/detail.hpp"
#include "playout/filler.hpp"
#include "playout/monitor.hpp"
#include "playout/outputs.hpp"

#include <gst/audio/audio.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <list>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace onair::playout {

const char* to_string(event_kind k) {
    switch (k) {
    case event_kind::started:
        return "started";
    case event_kind::ended:
        return "ended";
    case event_kind::failed:
        return "failed";
    }
    return "?";
}

namespace {

using detail::clip_message;
using detail::clip_note;
using detail::clip_shared;
using detail::post_note;
using shared_ptr = std::shared_ptr<clip_shared>;

constexpr std::int64_t no_time = std::numeric_limits<std::int64_t>::max();
using detail::audio_index;
using detail::video_index;
// A clip whose decoder has produced nothing this long after its bin was added has failed:
// decodebin can swallow a demuxer's error (see media/probe.cpp), and in render the mixers would
// wait for it for ever.
constexpr auto start_timeout = std::chrono::seconds(10);
// audiomixer's output-buffer-duration (its default)
constexpr std::chrono::nanoseconds audio_block = std::chrono::milliseconds(10);

// Filler and output shared with streaming threads: the render hold and the end of the output.
struct gate {
    std::mutex mutex;
    std::condition_variable moved;
    std::int64_t hold = no_time;
    std::int64_t end = no_time;
    bool stopping = false;
    // [start, end) running times where a clip airs: the filler's sound (a loop, a live feed)
    // is silenced there, sample for sample, so a spot never airs over it. Keyed by serial.
    std::map<std::uint64_t, std::pair<std::int64_t, std::int64_t>> quiet;
};

// Zeroes the samples of an audio buffer that fall inside a clip's slot.
void silence_under_clips(GstPad* pad, GstPadProbeInfo* info, std::int64_t rt,
                         const std::vector<std::pair<std::int64_t, std::int64_t>>& quiet) {
    GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
    if (quiet.empty() || !GST_BUFFER_DURATION_IS_VALID(buf) ||
        GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_GAP)) {
        return;
    }
    const std::int64_t end = rt + static_cast<std::int64_t>(GST_BUFFER_DURATION(buf));
    gst::caps_ptr caps(gst_pad_get_current_caps(pad)); // transfer full
    GstAudioInfo ai;
    if (!caps || !gst_audio_info_from_caps(&ai, caps.get())) {
        return;
    }
    for (const auto& [from, to] : quiet) {
        if (to <= rt || from >= end) {
            continue;
        }
        buf = gst_buffer_make_writable(buf);
        GST_PAD_PROBE_INFO_DATA(info) = buf;
        const gsize frames = gst_buffer_get_size(buf) / GST_AUDIO_INFO_BPF(&ai);
        auto frame_at = [&](std::int64_t t) {
            return std::min<gsize>(frames,
                                   static_cast<gsize>(gst_util_uint64_scale_round(
                                       static_cast<guint64>(std::max<std::int64_t>(t - rt, 0)),
                                       GST_AUDIO_INFO_RATE(&ai), GST_SECOND)));
        };
        const gsize a = frame_at(from);
        const gsize b = frame_at(to);
        if (b > a) {
            gst_buffer_memset(buf, a * GST_AUDIO_INFO_BPF(&ai), 0,
                              (b - a) * GST_AUDIO_INFO_BPF(&ai));
        }
    }
}

struct filler_pad {
    gate* g = nullptr;
    bool audio = false;
    bool has_sound = false; // a loop or a live feed; black and slate are silent
    std::atomic<bool> eos_sent{false};
};

GstPadProbeReturn filler_probe(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
    auto& fp = *static_cast<filler_pad*>(data);
    GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
    const std::int64_t rt = detail::buffer_running_time(pad, buf);
    if (rt < 0) {
        return GST_PAD_PROBE_OK;
    }
    std::int64_t end;
    std::vector<std::pair<std::int64_t, std::int64_t>> quiet;
    {
        std::unique_lock lock(fp.g->mutex);
        fp.g->moved.wait(lock, [&] { return fp.g->stopping || rt < fp.g->hold; });
        end = fp.g->end;
        if (fp.audio && fp.has_sound) {
            for (const auto& [serial, slot] : fp.g->quiet) {
                quiet.push_back(slot);
            }
        }
    }
    if (fp.audio && fp.has_sound) {
        silence_under_clips(pad, info, rt, quiet);
        buf = GST_PAD_PROBE_INFO_BUFFER(info);
    }
    if (rt >= end) {
        if (!fp.eos_sent.exchange(true)) {
            gst_pad_push_event(pad, gst_event_new_eos());
        }
        return GST_PAD_PROBE_DROP;
    }
    if (fp.audio && GST_BUFFER_DURATION_IS_VALID(buf) &&
        rt + static_cast<std::int64_t>(GST_BUFFER_DURATION(buf)) > end) {
        detail::truncate_audio(pad, info, end - rt);
    }
    return GST_PAD_PROBE_OK;
}

// Keeps a mixer's output on one timeline. GstAggregator (1.22) with start-time-selection=zero
// sets its output position to MIN(0, position) when the first buffer reaches any of its sink
// pads. Live, the mixer may already have timed out and mixed up to "now" before the filler's
// first buffer comes (the running time starts at the fraction of the wall second): the next
// buffer then goes out stamped 0 with a duration up to where the mixer really is, one buffer
// once per start. A codec that keeps perfect timestamps (vorbisenc, on .ogg and icecast ogg)
// takes that for a jump back in time and fails ("Could not encode stream"); the others only
// resynchronise. So a buffer that starts before the one before it ended starts where that one
// ended (its end, which is right, stays), and one that ends by then is dropped.
struct continuity {
    std::int64_t end = -1; // where the last buffer ended (streaming thread only)
};

GstPadProbeReturn continuity_probe(GstPad*, GstPadProbeInfo* info, gpointer data) {
    auto& c = *static_cast<continuity*>(data);
    GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
    if (!GST_BUFFER_PTS_IS_VALID(buf) || !GST_BUFFER_DURATION_IS_VALID(buf)) {
        return GST_PAD_PROBE_OK;
    }
    const auto pts = static_cast<std::int64_t>(GST_BUFFER_PTS(buf));
    const std::int64_t end = pts + static_cast<std::int64_t>(GST_BUFFER_DURATION(buf));
    if (c.end >= 0 && pts < c.end) {
        if (end <= c.end) {
            return GST_PAD_PROBE_DROP;
        }
        buf = gst_buffer_make_writable(buf);
        GST_BUFFER_PTS(buf) = static_cast<GstClockTime>(c.end);
        GST_BUFFER_DURATION(buf) = static_cast<GstClockTime>(end - c.end);
        GST_PAD_PROBE_INFO_DATA(info) = buf;
    }
    c.end = end;
    return GST_PAD_PROBE_OK;
}

GstPadProbeReturn position_probe(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
    GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
    const std::int64_t rt = detail::buffer_running_time(pad, buf);
    if (rt >= 0) {
        const auto dur = GST_BUFFER_DURATION_IS_VALID(buf)
                             ? static_cast<std::int64_t>(GST_BUFFER_DURATION(buf))
                             : 0;
        static_cast<std::atomic<std::int64_t>*>(data)->store(rt + dur);
    }
    return GST_PAD_PROBE_OK;
}

} // namespace

struct channel_engine::impl {
    explicit impl(core::logger& l) : log(l) {}

    struct active_clip {
        clip c;
        shared_ptr shared;
        gst::element_ptr bin;
        std::array<gst::pad_ptr, 2> mixer_pad; // requested on the mixers
        std::array<bool, 2> eos{};
        bool started = false;      // its first buffer reached the mixer
        bool announced = false;    // the started event went out (the output got there)
        std::int64_t first_rt = 0; // running time of its first buffer
        std::int64_t arrival = 0;  // the output position when that buffer came
        std::chrono::steady_clock::time_point added;
    };

    core::logger& log;
    detail::format fmt;
    mode m;
    gst::element_ptr pipeline;
    gst::element_ptr vmix, amix, vtee, atee;
    std::unique_ptr<detail::mix_monitor> monitor; // live only
    gst::bus_ptr bus;
    gst::clock_ptr clock;       // live: the pipeline's clock
    GstClockTime base_time = 0; // live: chosen once at start
    gate g;
    std::array<filler_pad, 2> filler_pads;
    std::array<continuity, 2> continuities;               // per mixer
    std::array<std::atomic<std::int64_t>, 2> positions{}; // output reached, per mixer
    std::list<active_clip> clips;
    std::function<void(const event&)> callback;
    std::uint64_t next_serial = 1;
    bool running = false;
    bool done = false;
    std::string error;
    std::unique_ptr<detail::output_manager> outputs;
    std::unique_ptr<detail::filler_layer> fill_layer;

    std::int64_t frame() const {
        if (fmt.video) {
            return static_cast<std::int64_t>(gst_util_uint64_scale(
                GST_SECOND, static_cast<guint64>(fmt.fps_den), static_cast<guint64>(fmt.fps_num)));
        }
        return static_cast<std::int64_t>(GST_SECOND / 100);
    }

    // The start on the channel's frame grid (tv: whole frames; radio: whole samples).
    std::int64_t on_grid(std::int64_t t) const {
        if (fmt.video) {
            const auto n = gst_util_uint64_scale_round(
                static_cast<guint64>(std::max<std::int64_t>(t, 0)),
                static_cast<guint64>(fmt.fps_num), GST_SECOND * static_cast<guint64>(fmt.fps_den));
            return static_cast<std::int64_t>(
                gst_util_uint64_scale(n, GST_SECOND * static_cast<guint64>(fmt.fps_den),
                                      static_cast<guint64>(fmt.fps_num)));
        }
        const auto n =
            gst_util_uint64_scale_round(static_cast<guint64>(std::max<std::int64_t>(t, 0)),
                                        static_cast<guint64>(fmt.rate), GST_SECOND);
        return static_cast<std::int64_t>(
            gst_util_uint64_scale(n, GST_SECOND, static_cast<guint64>(fmt.rate)));
    }

    void emit(event_kind k, const active_clip& a, std::int64_t rt, std::string reason = {}) {
        if (callback) {
            event e;
            e.kind = k;
            e.serial = a.shared->serial;
            e.clip_id = a.c.id;
            e.running_time = nanoseconds(rt);
            e.reason = std::move(reason);
            callback(e);
        }
    }

    void build(const schedule::channel& ch) {
        pipeline = gst::sink(gst_pipeline_new(ch.id.c_str()));
        bus.reset(gst_pipeline_get_bus(GST_PIPELINE(pipeline.get()))); // transfer full
        schedule::filler fill = ch.fill;
        if (!fmt.live && fill.type == schedule::filler_type::loop) {
            fill.media = detail::decodable_only(fill.media, log); // see decodable.hpp
        }
        fill_layer =
            std::make_unique<detail::filler_layer>(GST_BIN(pipeline.get()), fill, fmt, log);
        auto filler = gst::ref(fill_layer->element());
        gst::add(pipeline.get(), {filler.get()});

        auto link_mixer = [&](const char* mixer, const std::string& caps, const char* ghost,
                              gst::element_ptr& mix, gst::element_ptr& tee, int index) {
            mix = gst::make(mixer);
            auto filter = gst::make("capsfilter");
            gst::caps_ptr c(gst_caps_from_string(caps.c_str()));
            g_object_set(filter.get(), "caps", c.get(), nullptr);
            tee = gst::make("tee");
            g_object_set(tee.get(), "allow-not-linked", TRUE, nullptr);
            gst::add(pipeline.get(), {mix.get(), filter.get(), tee.get()});
            if (!gst_element_link_many(mix.get(), filter.get(), tee.get(), nullptr)) {
                throw std::runtime_error(std::string("cannot link ") + mixer);
            }
            // the filler is the bottom layer: pad 0 (zorder 0)
            gst::pad_ptr fpad(gst_element_get_static_pad(filler.get(), ghost));
            gst::pad_ptr mpad(gst_element_request_pad_simple(mix.get(), "sink_%u"));
            if (gst_pad_link(fpad.get(), mpad.get()) != GST_PAD_LINK_OK) {
                throw std::runtime_error(std::string("cannot link the filler to ") + mixer);
            }
            filler_pads[index].g = &g;
            filler_pads[index].audio = index == audio_index;
            filler_pads[index].has_sound = ch.fill.type == schedule::filler_type::loop ||
                                           ch.fill.type == schedule::filler_type::live;
            gst_pad_add_probe(fpad.get(), GST_PAD_PROBE_TYPE_BUFFER, filler_probe,
                              &filler_pads[index], nullptr);
            gst::pad_ptr mixed(gst_element_get_static_pad(mix.get(), "src"));
            gst_pad_add_probe(mixed.get(), GST_PAD_PROBE_TYPE_BUFFER, continuity_probe,
                              &continuities[index], nullptr);
            gst::pad_ptr out(gst_element_get_static_pad(filter.get(), "src"));
            gst_pad_add_probe(out.get(), GST_PAD_PROBE_TYPE_BUFFER, position_probe,
                              &positions[index], nullptr);
        };
        if (fmt.video) {
            link_mixer("compositor", detail::video_caps(fmt), "video", vmix, vtee, video_index);
            g_object_set(vmix.get(), "background", 1 /* black */, nullptr);
        }
        link_mixer("audiomixer", detail::audio_caps(fmt), "audio", amix, atee, audio_index);
        if (fmt.live) {
            // the console's preview and meters: without them the channel still airs
            try {
                monitor = std::make_unique<detail::mix_monitor>(pipeline.get(), vtee.get(),
                                                                atee.get(), fmt);
            } catch (const std::exception& e) {
                log.warning("no preview or level meters for this channel", "reason", e.what());
            }
        }
    }

    void add_clip(active_clip& a) {
        auto& s = *a.shared;
        a.bin = detail::make_clip_bin(a.c.file, a.shared, fmt);
        a.added = std::chrono::steady_clock::now();
        gst::add(pipeline.get(), {a.bin.get()});
        // linked once the bin is in the pipeline: a pad links only to a pad of a sibling
        for (int i : {video_index, audio_index}) {
            if (s.ghost[i] == nullptr) {
                continue;
            }
            const bool video = i == video_index;
            a.mixer_pad[i].reset(
                gst_element_request_pad_simple(video ? vmix.get() : amix.get(), "sink_%u"));
            if (video) {
                g_object_set(a.mixer_pad[i].get(), "zorder", 1u, nullptr);
                if (fmt.live) {
                    // live, the compositor would repeat a clip's last frame until its pad is
                    // released; the filler must show from the frame after the clip's end
                    g_object_set(a.mixer_pad[i].get(), "max-last-buffer-repeat", guint64(0),
                                 nullptr);
                }
            } else {
                g_object_set(a.mixer_pad[i].get(), "volume", std::pow(10.0, a.c.gain_db / 20.0),
                             nullptr);
            }
            if (gst_pad_link(s.ghost[i], a.mixer_pad[i].get()) != GST_PAD_LINK_OK) {
                throw std::runtime_error("cannot link the clip to the mixer");
            }
        }
        if (running) {
            start_clip(a);
        } else {
            // started by start(), one by one, so a missing file fails its clip only
            gst_element_set_locked_state(a.bin.get(), TRUE);
        }
    }

    void start_clip(active_clip& a) {
        gst_element_set_locked_state(a.bin.get(), FALSE);
        if (!gst_element_sync_state_with_parent(a.bin.get())) {
            // the ERROR that says why is already on the bus, ahead of this note
            post_note(pipeline.get(), a.shared->serial, clip_note::start_failed, 0);
        }
    }

    // Mixer pads of clips that failed, released once the output has passed their clip.
    struct retired_pad {
        GstElement* mixer = nullptr; // borrowed: lives as long as the pipeline
        gst::pad_ptr pad;
        int index = 0;
        std::int64_t after = 0;
    };
    std::vector<retired_pad> retired;

    // Takes a clip's bin off the pipeline (owner thread). A failed clip's mixer pads get EOS
    // and are released only once the output is past the clip's slot: releasing a pad that
    // never had data while a render's compositor waits on it stalled the compositor (1.22,
    // measured), whereas an EOS pad is simply skipped.
    void remove(active_clip& a, bool failed = false) {
        set_gate([&](gate& gt) { gt.quiet.erase(a.shared->serial); });
        for (int i : {video_index, audio_index}) {
            if (a.mixer_pad[i]) {
                if (a.shared->ghost[i] != nullptr) {
                    gst_pad_unlink(a.shared->ghost[i], a.mixer_pad[i].get());
                }
                GstElement* mixer = i == video_index ? vmix.get() : amix.get();
                // Live, the mixers never wait for a pad, and releasing it at once wakes a
                // streaming thread blocked in the mixer with a buffer not yet due (a clip taken
                // off before its start): only then can its bin go to NULL without waiting for
                // that buffer's time.
                if (failed && !fmt.live) {
                    detail::end_unstarted_stream(a.mixer_pad[i].get(), "onair-failed");
                    retired.push_back({mixer, std::move(a.mixer_pad[i]), i,
                                       a.shared->start + a.shared->cut + frame()});
                } else {
                    gst_element_release_request_pad(mixer, a.mixer_pad[i].get());
                }
                a.mixer_pad[i].reset();
            }
        }
        if (a.bin) {
            gst_element_set_locked_state(a.bin.get(), TRUE);
            gst_element_set_state(a.bin.get(), GST_STATE_NULL);
            gst_bin_remove(GST_BIN(pipeline.get()), a.bin.get());
            a.bin.reset();
        }
    }

    std::list<active_clip>::iterator find(std::uint64_t serial) {
        return std::find_if(clips.begin(), clips.end(),
                            [&](const active_clip& a) { return a.shared->serial == serial; });
    }

    void fail(std::list<active_clip>::iterator it, const std::string& reason) {
        active_clip a = std::move(*it);
        clips.erase(it);
        remove(a, true);
        emit(event_kind::failed, a, a.shared->start, reason);
    }

    void handle_note(const GstStructure* s) {
        guint64 serial = 0;
        gint64 rt = 0;
        gint index = -1;
        gst_structure_get_uint64(s, "serial", &serial);
        gst_structure_get_int64(s, "rt", &rt);
        gst_structure_get_int(s, "index", &index);
        gint note = -1;
        gst_structure_get_int(s, "what", &note);
        const auto what = static_cast<clip_note>(note);
        auto it = find(serial);
        if (it == clips.end()) {
            return; // already dropped
        }
        if (what == clip_note::started) {
            gint64 arrival = -1;
            gst_structure_get_int64(s, "arrival", &arrival);
            it->started = true;
            it->first_rt = rt;
            it->arrival = arrival;
            announce_if_on_air(*it);
        } else if (what == clip_note::seek) {
            seek(*it);
        } else if (what == clip_note::start_failed) {
            fail(it, "cannot open " + it->c.file.string());
        } else if (what == clip_note::eos && index >= 0 && index < 2) {
            it->eos[index] = true;
            finish_if_done(it, rt);
        }
    }

    // Seeks a clip joined under way to its in-point, from the first chain that has data (the
    // demuxer moves every stream). Accurate: decoding starts at the key frame before and the
    // frames before the in-point are clipped, so the first frame airs exactly.
    void seek(active_clip& a) {
        auto& s = *a.shared;
        for (int i : {video_index, audio_index}) {
            if (!s.chain_sink[i] || !s.linked[i].load()) {
                continue;
            }
            GstEvent* ev = gst_event_new_seek(
                1.0, GST_FORMAT_TIME,
                static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE),
                GST_SEEK_TYPE_SET, static_cast<gint64>(s.in_point), GST_SEEK_TYPE_NONE, -1);
            s.seek_seqnum.store(gst_event_get_seqnum(ev));
            // pushed upstream from the chain's input to the decoder (takes the event)
            if (!gst_pad_push_event(s.chain_sink[i].get(), ev)) {
                fail(find(s.serial), "cannot seek to " + std::to_string(s.in_point / 1'000'000) +
                                         " ms in " + a.c.file.string());
            }
            return;
        }
    }

    // The output position of the channel: its picture (tv) or its sound (radio).
    std::int64_t output_position() const {
        return positions[fmt.video ? video_index : audio_index].load();
    }

    // A clip is on air once the output reaches its first buffer; a buffer that came after the
    // output had passed its time (live, a slow decoder) airs from the next frame on.
    void announce_if_on_air(active_clip& a) {
        if (!a.started || a.announced) {
            return;
        }
        const std::int64_t aired = std::max(a.first_rt, a.arrival);
        if (output_position() < aired) {
            return;
        }
        a.announced = true;
        emit(event_kind::started, a, aired);
    }

    // A clip is over once its sound has ended and the output has passed its last picture; its
    // video pad (which gets no EOS, see cut_probe) is released only then.
    void finish_if_done(std::list<active_clip>::iterator it, std::int64_t) {
        {
            const bool video_done =
                !fmt.video || (it->eos[video_index] && positions[video_index].load() >=
                                                           it->shared->end[video_index].load());
            // the audio mixer makes 10 ms blocks and waits for data to fill one: a clip whose
            // sound ends inside a block is released once the mixer has come to that block
            const bool audio_done =
                it->eos[audio_index] && positions[audio_index].load() + audio_block.count() >
                                            it->shared->end[audio_index].load();
            const bool all = video_done && audio_done;
            if (all) {
                active_clip a = std::move(*it);
                clips.erase(it);
                remove(a);
                if (a.started && !a.announced) {
                    a.announced = true;
                    emit(event_kind::started, a, a.first_rt);
                }
                if (!a.started) {
                    emit(event_kind::failed, a, a.shared->start,
                         "no picture or sound in " + a.c.file.string());
                } else {
                    emit(event_kind::ended, a,
                         std::max(a.shared->end[0].load(), a.shared->end[1].load()));
                }
            }
        }
    }

    void handle(GstMessage* msg) {
        if (fill_layer && fill_layer->handle(msg)) {
            return; // the filler's own (a skipped loop file, a lost feed): never fatal
        }
        if (monitor && monitor->handle(msg)) {
            return;
        }
        switch (GST_MESSAGE_TYPE(msg)) {
        case GST_MESSAGE_ERROR: {
            GstObject* src = GST_MESSAGE_SRC(msg);
            for (auto it = clips.begin(); it != clips.end(); ++it) {
                if (it->bin && (src == GST_OBJECT(it->bin.get()) ||
                                gst_object_has_as_ancestor(src, GST_OBJECT(it->bin.get())))) {
                    fail(it, detail::error_text(msg));
                    return;
                }
            }
            if (outputs && outputs->handle_error(msg, std::chrono::steady_clock::now())) {
                return; // one output's failure: it is retried, the channel goes on
            }
            // from a bin already taken off (its elements no longer under the pipeline): stale
            if (src != GST_OBJECT(pipeline.get()) &&
                !gst_object_has_as_ancestor(src, GST_OBJECT(pipeline.get()))) {
                return;
            }
            error = detail::error_text(msg);
            done = true;
            break;
        }
        case GST_MESSAGE_EOS:
            done = true;
            break;
        case GST_MESSAGE_APPLICATION: {
            const GstStructure* s = gst_message_get_structure(msg);
            if (s != nullptr && gst_structure_has_name(s, clip_message)) {
                handle_note(s);
            }
            break;
        }
        default:
            break;
        }
    }

    void check_stalled() {
        for (auto it = retired.begin(); it != retired.end();) {
            if (positions[it->index].load() >= it->after) {
                gst_element_release_request_pad(it->mixer, it->pad.get());
                it = retired.erase(it);
            } else {
                ++it;
            }
        }
        const auto now = std::chrono::steady_clock::now();
        for (auto it = clips.begin(); it != clips.end();) {
            auto next = std::next(it);
            if (!it->started && !it->shared->started.load() && now - it->added > start_timeout) {
                fail(it, "no data from " + it->c.file.string() + " (undecodable?)");
            } else {
                announce_if_on_air(*it);
                if (it->eos[video_index] || it->eos[audio_index]) {
                    finish_if_done(it, 0);
                }
            }
            it = next;
        }
    }

    void set_gate(const std::function<void(gate&)>& change) {
        {
            std::lock_guard lock(g.mutex);
            change(g);
        }
        g.moved.notify_all();
    }

    void stop() {
        set_gate([](gate& gt) { gt.stopping = true; });
        if (pipeline) {
            gst_element_set_state(pipeline.get(), GST_STATE_NULL);
        }
        clips.clear();
        retired.clear();
        running = false;
    }
};

channel_engine::channel_engine(const schedule::channel& channel, mode m, core::logger& log)
    : impl_(std::make_unique<impl>(log)) {
    gst::ensure_init();
    impl_->fmt = detail::format_of(channel, m);
    impl_->m = m;
    impl_->build(channel);
}

channel_engine::~channel_engine() {
    stop();
}

void channel_engine::add_output(const schedule::output& out) {
    if (impl_->running) {
        throw std::runtime_error("outputs are added before start");
    }
    if (!impl_->outputs) {
        gst::string_ptr name(gst_object_get_name(GST_OBJECT(impl_->pipeline.get())));
        impl_->outputs = std::make_unique<detail::output_manager>(
            impl_->pipeline.get(), impl_->vtee.get(), impl_->atee.get(), impl_->fmt,
            name ? name.get() : "", impl_->log);
    }
    impl_->outputs->add(out);
}

void channel_engine::add_output(const file_output& out) {
    schedule::output o;
    o.type = schedule::output_type::file;
    o.file = out.file;
    o.video_bitrate = out.video_bitrate_kbps;
    o.audio_bitrate = out.audio_bitrate_kbps;
    add_output(o);
}

void channel_engine::service(std::chrono::steady_clock::time_point now) {
    if (impl_->outputs) {
        impl_->outputs->service(now, impl_->running && !impl_->done);
    }
}

std::vector<output_status> channel_engine::outputs() const {
    return impl_->outputs ? impl_->outputs->status() : std::vector<output_status>{};
}

void channel_engine::set_stream_title(const std::string& title) {
    if (impl_->outputs) {
        impl_->outputs->set_title(title);
    }
}

void channel_engine::on_event(std::function<void(const event&)> callback) {
    impl_->callback = std::move(callback);
}

std::uint64_t channel_engine::schedule_clip(const clip& c) {
    impl::active_clip a;
    a.c = c;
    a.shared = std::make_shared<clip_shared>();
    a.shared->serial = impl_->next_serial++;
    a.shared->pipeline = impl_->pipeline.get();
    a.shared->start = impl_->on_grid(c.start.count());
    std::int64_t cut = c.duration.count();
    {
        std::lock_guard lock(impl_->g.mutex);
        if (impl_->g.end != no_time) {
            cut = std::min(cut, impl_->g.end - a.shared->start);
        }
    }
    a.shared->cut = std::max<std::int64_t>(cut, 0);
    a.shared->in_point = std::max<std::int64_t>(c.in_point.count(), 0);
    const std::uint64_t serial = a.shared->serial;
    {
        // a missing file never reaches the pipeline: cheaper, and a failure while the
        // pipeline prerolls can stall it (see docs/playout.md)
        std::error_code ec;
        if (!std::filesystem::is_regular_file(c.file, ec)) {
            impl_->emit(event_kind::failed, a, a.shared->start, "no such file: " + c.file.string());
            return serial;
        }
    }
    impl_->set_gate([&](gate& gt) {
        gt.quiet[serial] = {a.shared->start, a.shared->start + a.shared->cut};
    });
    a.shared->output_position = &impl_->positions[impl_->fmt.video ? video_index : audio_index];
    impl_->clips.push_back(std::move(a));
    try {
        impl_->add_clip(impl_->clips.back());
    } catch (const std::exception& e) {
        impl_->fail(std::prev(impl_->clips.end()), e.what());
    }
    return serial;
}

bool channel_engine::cancel_clip(std::uint64_t serial) {
    auto it = impl_->find(serial);
    if (it == impl_->clips.end()) {
        return false;
    }
    impl::active_clip a = std::move(*it);
    impl_->clips.erase(it);
    // as a failed clip: its mixer pads get EOS (so the mixers stop waiting for them) and are
    // released once the output is past its slot
    impl_->remove(a, true);
    return true;
}

void channel_engine::set_end(nanoseconds end) {
    impl_->set_gate([&](gate& gt) { gt.end = end.count(); });
}

void channel_engine::hold_at(std::optional<nanoseconds> t) {
    impl_->set_gate([&](gate& gt) { gt.hold = t ? t->count() : no_time; });
}

void channel_engine::start(nanoseconds running_time) {
    if (impl_->fmt.live) {
        // The pipeline runs on the monotonic system clock, so a step of the wall clock never
        // jumps the output; the base time is chosen here, once, in the past (a base time in the
        // future deadlocked EOS on 1.22), so that `running_time` is now.
        GstClock* clock = gst_system_clock_obtain(); // transfer full
        impl_->clock.reset(clock);
        gst_pipeline_use_clock(GST_PIPELINE(impl_->pipeline.get()), clock);
        gst_element_set_start_time(impl_->pipeline.get(), GST_CLOCK_TIME_NONE);
        const GstClockTime now = gst_clock_get_time(clock);
        const auto back =
            static_cast<GstClockTime>(std::max<std::int64_t>(running_time.count(), 0));
        impl_->base_time = now > back ? now - back : 0;
        gst_element_set_base_time(impl_->pipeline.get(), impl_->base_time);
    }
    if (gst_element_set_state(impl_->pipeline.get(), GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE) {
        // the reason is on the bus
        std::string why = "cannot start the pipeline";
        while (gst::message_ptr msg{gst_bus_pop_filtered(impl_->bus.get(), GST_MESSAGE_ERROR)}) {
            why = detail::error_text(msg.get());
        }
        throw std::runtime_error(why);
    }
    impl_->running = true;
    // live outputs go on the pipeline now, before its first buffer (a bad one is retried
    // without having failed the start)
    service(std::chrono::steady_clock::now());
    for (auto& a : impl_->clips) {
        impl_->start_clip(a);
    }
}

nanoseconds channel_engine::clock_running_time() const {
    if (!impl_->clock) {
        return running_time_now();
    }
    return nanoseconds(static_cast<std::int64_t>(gst_clock_get_time(impl_->clock.get())) -
                       static_cast<std::int64_t>(impl_->base_time));
}

int channel_engine::bus_fd() const {
    GPollFD fd{};
    gst_bus_get_pollfd(impl_->bus.get(), &fd);
    return fd.fd;
}

bool channel_engine::dispatch_pending() {
    if (impl_->done) {
        return false;
    }
    // every message is taken off (gst_bus_pop also resets the poll fd); the ones that are not
    // ours (state changes, tags, ...) are ignored by handle()
    while (!impl_->done) {
        gst::message_ptr msg{gst_bus_pop(impl_->bus.get())};
        if (!msg) {
            break;
        }
        impl_->handle(msg.get());
    }
    impl_->check_stalled();
    if (impl_->fill_layer) {
        impl_->fill_layer->service(std::chrono::steady_clock::now());
    }
    service(std::chrono::steady_clock::now());
    return !impl_->done;
}

bool channel_engine::finish_outputs(std::chrono::milliseconds wait) {
    if (!impl_->running || impl_->done) {
        return impl_->done;
    }
    // EOS into the tees, after the mixers: every output drains and finalises its file (a TS is
    // flushed, a Matroska index written) while the sources are left alone. Only into streams
    // that have begun (their segment is there; it stays): an EOS that comes first is undone by
    // the mixer's stream-start, and the outputs' queues then take data in a state GStreamer
    // 1.22 aborts on (a stop in the first 200 ms did). Streams that never began have nothing
    // to finalise: the caller stops the pipeline.
    std::vector<gst::pad_ptr> pads;
    for (GstElement* tee : {impl_->vtee.get(), impl_->atee.get()}) {
        if (tee != nullptr) {
            pads.emplace_back(gst_element_get_static_pad(tee, "sink"));
        }
    }
    const bool begun = std::all_of(pads.begin(), pads.end(), [](const gst::pad_ptr& pad) {
        GstEvent* segment = gst_pad_get_sticky_event(pad.get(), GST_EVENT_SEGMENT, 0);
        if (segment != nullptr) {
            gst_event_unref(segment);
        }
        return segment != nullptr;
    });
    if (!begun) {
        return true;
    }
    for (const auto& pad : pads) {
        gst_pad_send_event(pad.get(), gst_event_new_eos());
    }
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        gst::message_ptr msg{gst_bus_timed_pop_filtered(
            impl_->bus.get(),
            static_cast<GstClockTime>(std::max<std::int64_t>(left.count(), 1)) * GST_MSECOND,
            static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR))};
        if (!msg) {
            break;
        }
        if (GST_MESSAGE_TYPE(msg.get()) == GST_MESSAGE_EOS) {
            impl_->done = true;
            return true;
        }
        impl_->handle(msg.get());
    }
    return false;
}

bool channel_engine::dispatch(std::chrono::milliseconds wait) {
    if (impl_->done) {
        return false;
    }
    const auto types = static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS |
                                                   GST_MESSAGE_APPLICATION | GST_MESSAGE_ELEMENT);
    // a clip waiting for the output to pass its last picture holds a render's mixer: look
    // again soon rather than sleep the whole wait
    const bool waiting =
        std::any_of(impl_->clips.begin(), impl_->clips.end(),
                    [](const impl::active_clip& a) { return a.eos[0] || a.eos[1]; });
    const auto timeout =
        waiting ? std::min<std::chrono::milliseconds>(wait, std::chrono::milliseconds(1)) : wait;
    gst::message_ptr msg{gst_bus_timed_pop_filtered(
        impl_->bus.get(), static_cast<GstClockTime>(timeout.count()) * GST_MSECOND, types)};
    if (msg) {
        impl_->handle(msg.get());
    }
    impl_->check_stalled();
    impl_->fill_layer->service(std::chrono::steady_clock::now());
    service(std::chrono::steady_clock::now());
    return !impl_->done;
}

bool channel_engine::finished() const {
    return impl_->done;
}
const std::string& channel_engine::fatal_error() const {
    return impl_->error;
}

nanoseconds channel_engine::running_time_now() const {
    return nanoseconds(impl_->positions[impl_->fmt.video ? video_index : audio_index].load());
}

nanoseconds channel_engine::frame_duration() const {
    return nanoseconds(impl_->frame());
}

std::size_t channel_engine::active_clips() const {
    return impl_->clips.size();
}

void check_slates(const schedule::channel& channel) {
    for (const schedule::filler* f = &channel.fill; f != nullptr; f = f->fallback.get()) {
        if (f->type == schedule::filler_type::slate && !f->image.empty()) {
            detail::slate_problem(f->image, true);
        }
    }
}

std::shared_ptr<const std::string> channel_engine::preview() {
    return impl_->monitor ? impl_->monitor->preview() : nullptr;
}

std::optional<audio_levels> channel_engine::levels() const {
    return impl_->monitor ? impl_->monitor->levels() : std::nullopt;
}

void channel_engine::stop() {
    if (impl_) {
        impl_->stop();
    }
}

} // namespace onair::playout
