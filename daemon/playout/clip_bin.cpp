// A clip's bin and its probes (see clip_bin.hpp).

#include "playout/clip_bin.hpp"

#include "playout/convert_chain.hpp"

#include <algorithm>
#include <stdexcept>

namespace onair::playout::detail {

void post_note(GstElement* pipeline, std::uint64_t serial, clip_note what, std::int64_t rt,
               int index, std::int64_t arrival) {
    GstStructure* s =
        gst_structure_new(clip_message, "serial", G_TYPE_UINT64, serial, "what", G_TYPE_INT,
                          static_cast<int>(what), "rt", G_TYPE_INT64, rt, "index", G_TYPE_INT,
                          index, "arrival", G_TYPE_INT64, arrival, nullptr);
    // the message takes the structure, the element the message
    gst_element_post_message(pipeline, gst_message_new_application(GST_OBJECT(pipeline), s));
}

namespace {

using held = glib_shared<clip_shared>;
clip_shared& of(gpointer p) {
    return held::of(p);
}

// Cuts the clip at its planned length: buffers at or after the cut are dropped and the pad sent
// EOS once, so the mixer moves on and the decoder stops (a push after EOS returns EOS).
GstPadProbeReturn cut_probe(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
    clip_shared& c = of(data);
    const int i = c.index_of(pad);
    if (c.awaiting_seek[i].load()) {
        // data from before the seek: the file is open, so the owner can seek now
        if (!c.seek_requested.exchange(true)) {
            post_note(c.pipeline, c.serial, clip_note::seek, 0, i);
        }
        return GST_PAD_PROBE_DROP;
    }
    GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
    const std::int64_t rt = buffer_running_time(pad, buf);
    if (rt < 0) {
        return GST_PAD_PROBE_OK;
    }
    if (rt >= c.cut) {
        if (!c.eos_sent[i].exchange(true)) {
            // The mixers (1.22) lose a pad's last buffer when EOS follows it closely (measured:
            // the last frame, the last 20 ms), so a clip's pads never send EOS: the owner
            // releases each once the output has passed its end (a render's mixer waits there).
            post_note(c.pipeline, c.serial, clip_note::eos, c.end[i].load(), i);
        }
        // stop the decoder too: upstream sees EOS as the flow return
        GST_PAD_PROBE_INFO_FLOW_RETURN(info) = GST_FLOW_EOS;
        return GST_PAD_PROBE_DROP;
    }
    std::int64_t end = rt + (GST_BUFFER_DURATION_IS_VALID(buf)
                                 ? static_cast<std::int64_t>(GST_BUFFER_DURATION(buf))
                                 : 0);
    if (end > c.cut && i == audio_index) {
        truncate_audio(pad, info, c.cut - rt);
        end = c.cut;
    }
    if (!c.started.exchange(true)) {
        // where the output was when the first buffer came: later than its time means the
        // mixer (live) has already gone past its first frames
        post_note(c.pipeline, c.serial, clip_note::started, c.start + rt, i,
                  c.output_position->load());
    }
    c.end[i].store(c.start + std::min(end, c.cut));
    return GST_PAD_PROBE_OK;
}

GstPadProbeReturn eos_probe(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
    clip_shared& c = of(data);
    const int i = c.index_of(pad);
    GstEvent* ev = GST_PAD_PROBE_INFO_EVENT(info);
    if (c.in_point > 0) {
        switch (GST_EVENT_TYPE(ev)) {
        case GST_EVENT_FLUSH_START:
        case GST_EVENT_FLUSH_STOP:
            // the seek's flush is the clip's own business: the mixer pad has had no data yet
            return GST_PAD_PROBE_DROP;
        case GST_EVENT_SEGMENT:
            if (c.awaiting_seek[i].load()) {
                const GstSegment* seg = nullptr;
                gst_event_parse_segment(ev, &seg);
                const guint32 want = c.seek_seqnum.load();
                // demuxers carry the seek's seqnum into the new segment; a segment that starts
                // near the in-point is the seek's too
                if ((want != GST_SEQNUM_INVALID && gst_event_get_seqnum(ev) == want) ||
                    (seg->start != GST_CLOCK_TIME_NONE &&
                     static_cast<std::int64_t>(seg->start) + GST_SECOND / 2 >= c.in_point)) {
                    c.awaiting_seek[i].store(false);
                }
            }
            return GST_PAD_PROBE_OK;
        default:
            break;
        }
    }
    if (GST_EVENT_TYPE(ev) != GST_EVENT_EOS) {
        return GST_PAD_PROBE_OK;
    }
    if (c.awaiting_seek[i].load()) {
        // the file ended before the seek came through (shorter than the in-point): nothing of
        // this stream airs
        c.awaiting_seek[i].store(false);
    }
    // see cut_probe: EOS never reaches the mixers
    if (!c.eos_sent[i].exchange(true)) {
        post_note(c.pipeline, c.serial, clip_note::eos, c.end[i].load(), i);
    }
    return GST_PAD_PROBE_DROP;
}

void on_pad_added(GstElement*, GstPad* pad, gpointer data) {
    clip_shared& c = of(data);
    const int i = stream_index(pad);
    // only the first stream of each type airs; a radio channel has no video chain
    if (i < 0 || !c.chain_sink[i] || c.linked[i].exchange(true)) {
        return;
    }
    gst_pad_link(pad, c.chain_sink[i].get());
}

// A file without one of the channel's stream types: end that chain at once, so the mixer does
// not wait for it.
void on_no_more_pads(GstElement*, gpointer data) {
    clip_shared& c = of(data);
    for (int i : {video_index, audio_index}) {
        if (c.chain_sink[i] && !c.linked[i].exchange(true)) {
            end_unstarted_stream(c.chain_sink[i].get(), "onair-none");
        }
    }
}

} // namespace

gst::element_ptr make_clip_bin(const std::filesystem::path& file,
                               const std::shared_ptr<clip_shared>& shared, const format& f) {
    auto& s = *shared;
    auto bin = gst::sink(gst_bin_new(nullptr));
    // the clip's preroll stays inside its bin, so adding one never takes the pipeline
    // out of PLAYING
    g_object_set(bin.get(), "async-handling", TRUE, nullptr);
    auto dec = gst::make("uridecodebin");
    GError* raw = nullptr;
    gst::string_ptr uri(gst_filename_to_uri(file.c_str(), &raw));
    gst::error_ptr err(raw);
    g_object_set(dec.get(), "uri", uri ? uri.get() : "file:///nonexistent", nullptr);
    gst::add(bin.get(), {dec.get()});
    // decoded pictures at the file's size: half a second of 720p is ~17 MB per prepared clip
    // (2 s was ~70 MB), and plenty for a decoder far faster than real time
    const chain_options options{std::chrono::milliseconds(500), std::chrono::seconds(2), false,
                                false};
    for (int i : {video_index, audio_index}) {
        if (i == video_index && !f.video) {
            continue;
        }
        const bool video = i == video_index;
        // the chain's elements sit directly in the clip bin: the decoder's pads can only
        // link to pads of the same parent
        auto [first, last] =
            make_convert_chain(bin.get(), video, f, options, "the clip's convert chain");
        s.chain_sink[i].reset(gst_element_get_static_pad(first.get(), "sink"));
        GstPad* ghost = gst::add_ghost(bin.get(), video ? "video" : "audio", last.get(), "src");
        s.ghost[i] = ghost;
        // the key line: the clip's running time 0 airs at its start
        gst_pad_set_offset(ghost, s.start);
        held::add_probe(ghost, GST_PAD_PROBE_TYPE_BUFFER, cut_probe, shared);
        if (s.in_point > 0) {
            s.awaiting_seek[i].store(true);
        }
        held::add_probe(ghost,
                        static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM |
                                                     GST_PAD_PROBE_TYPE_EVENT_FLUSH),
                        eos_probe, shared);
    }
    held::connect(dec.get(), "pad-added", G_CALLBACK(on_pad_added), shared);
    held::connect(dec.get(), "no-more-pads", G_CALLBACK(on_no_more_pads), shared);
    return bin;
}

} // namespace onair::playout::detail
