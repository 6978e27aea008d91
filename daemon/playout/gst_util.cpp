#include "playout/detail.hpp"
#include "playout/gst_handles.hpp"

#include <gst/audio/audio.h>

#include <stdexcept>

namespace onair::playout {

namespace gst {

void add(GstElement* bin, std::initializer_list<GstElement*> elements) {
    for (GstElement* e : elements) {
        if (!gst_bin_add(GST_BIN(bin), e)) {
            throw std::runtime_error("cannot add an element to its bin (already in one?)");
        }
    }
}

element_ptr make(const char* factory, const char* name) {
    auto e = sink(gst_element_factory_make(factory, name));
    if (!e) {
        throw std::runtime_error(std::string("GStreamer element '") + factory +
                                 "' is missing (install its plugin)");
    }
    return e;
}

element_ptr parse_bin(const std::string& description) {
    GError* raw = nullptr;
    // transfer floating: sink it
    auto bin = sink(gst_parse_bin_from_description(description.c_str(), FALSE, &raw));
    error_ptr err(raw);
    if (!bin || err) {
        throw std::runtime_error("cannot build '" + description +
                                 "': " + (err ? err->message : "unknown error"));
    }
    return bin;
}

element_ptr child(GstElement* bin, const char* name) {
    element_ptr e(gst_bin_get_by_name(GST_BIN(bin), name)); // transfer full
    if (!e) {
        throw std::runtime_error(std::string("no element '") + name + "' in bin");
    }
    return e;
}

GstPad* add_ghost(GstElement* bin, const char* name, GstElement* inner, const char* pad_name) {
    pad_ptr target(gst_element_get_static_pad(inner, pad_name)); // transfer full
    GstPad* ghost = gst_ghost_pad_new(name, target.get());       // floating ...
    gst_pad_set_active(ghost, TRUE);
    gst_element_add_pad(bin, ghost); // ... sunk by the element, which owns it
    return ghost;
}

} // namespace gst

namespace detail {

int stream_index(GstPad* pad) {
    gst::caps_ptr caps(gst_pad_get_current_caps(pad)); // transfer full
    if (!caps) {
        caps.reset(gst_pad_query_caps(pad, nullptr));
    }
    if (!caps || gst_caps_is_empty(caps.get())) {
        return -1;
    }
    const char* name = gst_structure_get_name(gst_caps_get_structure(caps.get(), 0));
    return g_str_has_prefix(name, "video/")   ? video_index
           : g_str_has_prefix(name, "audio/") ? audio_index
                                              : -1;
}

std::int64_t buffer_running_time(GstPad* pad, GstBuffer* buf) {
    gst::event_ptr ev(gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0)); // transfer full
    if (!ev || !GST_BUFFER_PTS_IS_VALID(buf)) {
        return -1;
    }
    const GstSegment* seg = nullptr;
    gst_event_parse_segment(ev.get(), &seg);
    guint64 rt = gst_segment_to_running_time(seg, GST_FORMAT_TIME, GST_BUFFER_PTS(buf));
    return rt == GST_CLOCK_TIME_NONE ? -1 : static_cast<std::int64_t>(rt);
}

void truncate_audio(GstPad* pad, GstPadProbeInfo* info, std::int64_t keep) {
    gst::caps_ptr caps(gst_pad_get_current_caps(pad)); // transfer full
    GstAudioInfo ai;
    if (!caps || !gst_audio_info_from_caps(&ai, caps.get())) {
        return;
    }
    GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
    const gsize frames = gst_buffer_get_size(buf) / GST_AUDIO_INFO_BPF(&ai);
    auto keep_frames = static_cast<gsize>(gst_util_uint64_scale_round(
        static_cast<guint64>(keep), GST_AUDIO_INFO_RATE(&ai), GST_SECOND));
    if (keep_frames >= frames) {
        return;
    }
    // gst_audio_buffer_truncate takes the buffer (transfer full) and returns the cut one
    buf = gst_audio_buffer_truncate(buf, GST_AUDIO_INFO_BPF(&ai), 0, keep_frames);
    GST_PAD_PROBE_INFO_DATA(info) = buf;
}

std::string error_text(GstMessage* msg) {
    GError* raw = nullptr;
    gchar* debug = nullptr;
    gst_message_parse_error(msg, &raw, &debug); // both transfer full
    gst::error_ptr err(raw);
    gst::string_ptr dbg(debug);
    gst::string_ptr src(gst_object_get_name(GST_MESSAGE_SRC(msg)));
    return std::string(err ? err->message : "unknown error") + " (" + (src ? src.get() : "?") + ")";
}

void end_unstarted_stream(GstPad* pad, const char* stream_id) {
    gst_pad_send_event(pad, gst_event_new_stream_start(stream_id));
    GstSegment seg;
    gst_segment_init(&seg, GST_FORMAT_TIME);
    gst_pad_send_event(pad, gst_event_new_segment(&seg));
    gst_pad_send_event(pad, gst_event_new_eos());
}

namespace {

GstPadProbeReturn refuse_serialized_query(GstPad*, GstPadProbeInfo* info, gpointer) {
    GstQuery* query = GST_PAD_PROBE_INFO_QUERY(info);
    return query != nullptr && GST_QUERY_IS_SERIALIZED(query) ? GST_PAD_PROBE_DROP
                                                              : GST_PAD_PROBE_OK;
}

} // namespace

void make_leaky(GstElement* queue) {
    gst_util_set_object_arg(G_OBJECT(queue), "leaky", "downstream");
    gst::pad_ptr sink(gst_element_get_static_pad(queue, "sink"));
    gst_pad_add_probe(sink.get(), GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM, refuse_serialized_query,
                      nullptr, nullptr);
}

} // namespace detail
} // namespace onair::playout
