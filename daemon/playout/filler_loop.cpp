// The filler's loop of files (see filler_parts.hpp): one bin per file (uridecodebin and a convert
// chain), two at a time: the one airing and the next, decoded ahead and blocked at its ghost
// pads. When both streams of the airing file have ended, the next one is given the running time
// where they ended (on the frame grid) as its pad offset and let go, from the streaming thread
// that saw the end, so no owner-thread delay can open a gap. A funnel per stream joins the files.
// Video and audio of each file start together, so they cannot drift apart over hours of looping.

#include "playout/filler_parts.hpp"

#include <algorithm>
#include <stdexcept>

namespace onair::playout::detail {

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

namespace {

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

} // namespace

loop_layer::loop_layer(GstElement* pipeline, std::vector<std::filesystem::path> media,
                       const format& f, core::logger& log)
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
        gst::add_ghost(bin_.get(), i == video_index ? "video" : "audio", funnel_[i].get(), "src");
    }
    // the first file airs from 0, the next is made ready behind it
    prepare(0, true);
    prepare_following();
}

loop_layer::~loop_layer() {
    for (auto& s : sources_) {
        take_down(*s);
    }
}

GstElement* loop_layer::element() {
    return bin_.get();
}

bool loop_layer::handle(GstMessage* msg) {
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR || GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
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
        log_.warning("loop filler: skipped", "file", name_of(*s), "reason", "no picture or sound");
        ++failures_;
    }
    sources_.erase(it);
    take_down(*s);
    prepare_following();
    return true;
}

std::size_t loop_layer::started() const {
    return started_;
}

std::string loop_layer::name_of(const loop_source& s) const {
    return s.index == npos ? std::string("(black)") : media_[s.index].string();
}

// A source failed: if it was airing, the next one takes over where it got to; if it was
// waiting, another is prepared in its place.
void loop_layer::fail(const source_ptr& s) {
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
void loop_layer::prepare_following() {
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
void loop_layer::prepare(std::size_t index, bool first) {
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
            log_.warning("loop filler: skipped", "file", file.string(), "reason", "no such file");
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

source_ptr loop_layer::new_source(std::size_t index) {
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

void loop_layer::add_probes(const source_ptr& s, int i, GstPad* ghost) {
    s->ghost[i] = ghost;
    // blocked until the hand-over gives it its start (released at once when first)
    s->block[i] = gst_pad_add_probe(ghost, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM, loop_block_probe,
                                    nullptr, nullptr);
    glib_shared<loop_source>::add_probe(
        ghost,
        static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER |
                                     GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
        loop_data_probe, s);
}

source_ptr loop_layer::make_file(std::size_t index) {
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
        add_probes(
            s, i,
            gst::add_ghost(s->bin.get(), i == video_index ? "video" : "audio", last.get(), "src"));
    }
    glib_shared<loop_source>::connect(dec.get(), "pad-added", G_CALLBACK(loop_pad_added), s);
    glib_shared<loop_source>::connect(dec.get(), "no-more-pads", G_CALLBACK(loop_no_more_pads), s);
    return s;
}

// Black and silence without end, for a list with nothing playable.
source_ptr loop_layer::make_black() {
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

void loop_layer::take_down(loop_source& s) {
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

} // namespace onair::playout::detail
