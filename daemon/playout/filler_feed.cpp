// The filler's live feed (see filler_parts.hpp): its bin (uridecodebin and a leaky convert chain
// per stream) and the probes that map its own timeline onto the pipeline's running time (first
// buffer = now + feed_margin). The layer (filler.cpp) draws it over its fallback and takes it off
// when it stops.

#include "playout/filler_parts.hpp"

namespace onair::playout::detail {
namespace {

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

void feed_pad_added(GstElement*, GstPad* pad, gpointer data) {
    link_decoder_pad(*held<feed_shared>(data).links, pad);
}

} // namespace

void build_feed(feed_source& fs, const std::string& uri, const format& fmt) {
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
        fs.ghost[i] =
            gst::add_ghost(fs.bin.get(), i == video_index ? "video" : "audio", last.get(), "src");
        gst_pad_add_probe(fs.ghost[i], GST_PAD_PROBE_TYPE_QUERY_UPSTREAM, feed_latency_probe,
                          nullptr, nullptr);
    }
    glib_shared<feed_shared>::connect(dec.get(), "pad-added", G_CALLBACK(feed_pad_added),
                                      fs.shared);
}

} // namespace onair::playout::detail
