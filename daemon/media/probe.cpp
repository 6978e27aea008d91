#include "media/probe.hpp"

#include "gst/handles.hpp"
#include "media/loudness.hpp"
#include "media/probe_detail.hpp"

#include <gst/app/gstappsink.h>
#include <gst/audio/audio.h>
#include <gst/pbutils/pbutils.h>
#include <gst/video/video.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string_view>

namespace onair::media {

std::string format_seconds(core::milliseconds d) {
    return core::seconds_text(d) + "s";
}

namespace {

using namespace std::chrono_literals;

// A local file shows its streams within milliseconds; with nothing at all after this long in
// pull mode, decodebin has probably swallowed the error (see decode_file).
constexpr auto header_timeout = 3s;
// Decoding gives up when nothing new decodes for this long (a stuck demuxer or decoder) ...
constexpr auto stall_timeout = 30s;
// ... or after this long in all, unless the file claims to be longer than that: decoding is
// always much faster than real time, so real time is a generous bound.
constexpr auto min_total_timeout = 120s;
// Truncation is only called when the shortfall exceeds both, so rounding in containers and
// codec priming never trip it.
constexpr auto truncation_slack = 500ms;
constexpr double truncation_share = 0.02;

core::milliseconds to_ms(GstClockTime ns) {
    return core::milliseconds{static_cast<std::int64_t>((ns + GST_MSECOND / 2) / GST_MSECOND)};
}

std::string seconds_text(std::chrono::seconds s) {
    return std::to_string(s.count()) + "s";
}

std::string trim_message(std::string_view s) {
    while (!s.empty() && (s.back() == '.' || s.back() == ' ' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

std::string describe_caps(const GstCaps* caps) {
    if (caps == nullptr || gst_caps_is_empty(caps) || gst_caps_is_any(caps)) {
        return "unknown";
    }
    gst::string_ptr desc{gst_pb_utils_get_codec_description(caps)}; // transfer full
    return desc ? desc.get() : "unknown";
}

// Why a GStreamer error means the file cannot air, as a sentence for operators.
std::string explain(const GError* e) {
    std::string msg = trim_message(e->message ? e->message : "");
    if (e->domain == GST_STREAM_ERROR) {
        switch (e->code) {
        case GST_STREAM_ERROR_TYPE_NOT_FOUND:
        case GST_STREAM_ERROR_WRONG_TYPE:
            return "not a media file";
        case GST_STREAM_ERROR_CODEC_NOT_FOUND:
            return "no decoder for its streams: " + msg;
        default:
            return "truncated or corrupt: " + msg;
        }
    }
    if (e->domain == GST_RESOURCE_ERROR) {
        if (e->code == GST_RESOURCE_ERROR_NOT_FOUND) {
            return "no such file";
        }
        return "not readable: " + msg;
    }
    if (e->domain == GST_CORE_ERROR && e->code == GST_CORE_ERROR_MISSING_PLUGIN) {
        return "no decoder for its streams: " + msg;
    }
    return msg.empty() ? "cannot be decoded" : msg;
}

enum class stream_kind { video, audio, other };

struct decode_state;

// One decoded stream. Written only by that stream's streaming thread while the pipeline runs,
// and read by the prober once the pipeline is back in NULL (which joins those threads).
struct branch {
    stream_kind kind = stream_kind::other;
    decode_state* owner = nullptr;
    std::string codec;                        // what the stream is before decoding
    GstClockTime first = GST_CLOCK_TIME_NONE; // running time of the first buffer
    GstClockTime end = GST_CLOCK_TIME_NONE;   // running time where the last buffer ends
    std::int64_t buffers = 0;
    gst::caps_ptr caps; // the last caps seen, and what they say
    int width = 0, height = 0, fps_num = 0, fps_den = 1;
    int rate = 0, channels = 0;
    loudness_meter meter;
    bool meter_ok = false;
};

// Shared between the prober's thread (the bus loop) and GStreamer's streaming threads.
struct decode_state {
    GstElement* pipeline = nullptr; // borrowed: owned by run_decode
    std::mutex mutex;               // guards everything below but `progress`
    std::vector<std::unique_ptr<branch>> branches;
    std::string setup_error;
    std::string container; // what typefind saw
    bool image = false;
    std::vector<gst::element_ptr> demuxers; // autoplugged by decodebin, watched for lost errors
    std::atomic<std::uint64_t> progress{0}; // buffers decoded so far, watched for stalls
};

speaker to_speaker(GstAudioChannelPosition p) {
    switch (p) {
    case GST_AUDIO_CHANNEL_POSITION_MONO:
        return speaker::dual_mono;
    case GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT:
        return speaker::left;
    case GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT:
        return speaker::right;
    case GST_AUDIO_CHANNEL_POSITION_FRONT_CENTER:
        return speaker::centre;
    case GST_AUDIO_CHANNEL_POSITION_REAR_LEFT:
    case GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT:
        return speaker::left_surround;
    case GST_AUDIO_CHANNEL_POSITION_REAR_RIGHT:
    case GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT:
        return speaker::right_surround;
    default:
        return speaker::unused; // LFE and heights do not count in BS.1770's basic layout
    }
}

void update_format(branch& b, GstCaps* caps) {
    if (b.caps && (b.caps.get() == caps || gst_caps_is_equal(b.caps.get(), caps))) {
        return;
    }
    b.caps.reset(gst_caps_ref(caps)); // borrowed from the sample: take our own reference
    if (b.kind == stream_kind::video) {
        GstVideoInfo info;
        if (gst_video_info_from_caps(&info, caps)) {
            b.width = GST_VIDEO_INFO_WIDTH(&info);
            b.height = GST_VIDEO_INFO_HEIGHT(&info);
            b.fps_num = GST_VIDEO_INFO_FPS_N(&info);
            b.fps_den = std::max(1, GST_VIDEO_INFO_FPS_D(&info));
        }
    } else if (b.kind == stream_kind::audio) {
        GstAudioInfo info;
        if (!gst_audio_info_from_caps(&info, caps)) {
            b.meter_ok = false;
            return;
        }
        b.rate = GST_AUDIO_INFO_RATE(&info);
        b.channels = GST_AUDIO_INFO_CHANNELS(&info);
        std::vector<speaker> layout;
        if (GST_AUDIO_INFO_IS_UNPOSITIONED(&info)) {
            layout = default_layout(static_cast<unsigned>(b.channels));
        } else {
            for (int i = 0; i < b.channels; ++i) {
                layout.push_back(to_speaker(info.position[i]));
            }
        }
        b.meter_ok = b.meter.configure(layout, static_cast<unsigned long>(b.rate));
    }
}

GstFlowReturn on_new_sample(GstAppSink* sink, gpointer data) {
    auto& b = *static_cast<branch*>(data);
    gst::sample_ptr sample{gst_app_sink_pull_sample(sink)}; // transfer full
    if (!sample) {
        return GST_FLOW_EOS;
    }
    GstBuffer* buf = gst_sample_get_buffer(sample.get()); // borrowed
    GstCaps* caps = gst_sample_get_caps(sample.get());    // borrowed
    const GstSegment* seg = gst_sample_get_segment(sample.get());
    if (buf == nullptr) {
        return GST_FLOW_OK;
    }
    if (caps != nullptr) {
        update_format(b, caps);
    }
    GstClockTime duration = 0;
    if (b.kind == stream_kind::audio) {
        // Sample counts are exact where buffer durations may be rounded.
        GstMapInfo map;
        if (b.channels > 0 && b.rate > 0 && gst_buffer_map(buf, &map, GST_MAP_READ)) {
            std::size_t frames = map.size / (sizeof(float) * static_cast<std::size_t>(b.channels));
            if (b.meter_ok) {
                b.meter.add(reinterpret_cast<const float*>(map.data), frames);
            }
            gst_buffer_unmap(buf, &map);
            duration = gst_util_uint64_scale(frames, GST_SECOND, static_cast<guint64>(b.rate));
        }
    } else if (GST_BUFFER_DURATION_IS_VALID(buf)) {
        duration = GST_BUFFER_DURATION(buf);
    } else if (b.fps_num > 0) {
        duration = gst_util_uint64_scale(GST_SECOND, static_cast<guint64>(b.fps_den),
                                         static_cast<guint64>(b.fps_num));
    }
    GstClockTime pts = GST_BUFFER_PTS(buf);
    if (GST_CLOCK_TIME_IS_VALID(pts)) {
        // Running time, so edit lists, MPEG-TS clock offsets and chained segments all count
        // from where playback really starts.
        GstClockTime rt = (seg != nullptr && seg->format == GST_FORMAT_TIME)
                              ? gst_segment_to_running_time(seg, GST_FORMAT_TIME, pts)
                              : pts;
        if (GST_CLOCK_TIME_IS_VALID(rt)) {
            b.first = GST_CLOCK_TIME_IS_VALID(b.first) ? std::min(b.first, rt) : rt;
            GstClockTime end = rt + duration;
            b.end = GST_CLOCK_TIME_IS_VALID(b.end) ? std::max(b.end, end) : end;
        }
    }
    ++b.buffers;
    b.owner->progress.fetch_add(1, std::memory_order_relaxed);
    return GST_FLOW_OK;
}

gst::element_ptr make_element(const char* factory) {
    return gst::sink(gst_element_factory_make(factory, nullptr)); // floating -> owned
}

void fail_setup(decode_state& st, std::string why) {
    std::lock_guard lock(st.mutex);
    if (st.setup_error.empty()) {
        st.setup_error = std::move(why);
    }
}

bool has_klass(GstElement* e, const char* word) {
    const gchar* klass =
        gst_element_class_get_metadata(GST_ELEMENT_GET_CLASS(e), GST_ELEMENT_METADATA_KLASS);
    return klass != nullptr && std::strstr(klass, word) != nullptr;
}

// The caps of a stream before it was decoded ("video/x-h264, profile=high"), found by walking
// upstream from decodebin's output pad to the decoder's input; for raw streams (WAV) the caps
// where the demuxer let them out.
gst::caps_ptr encoded_caps(GstPad* decoded) {
    gst::pad_ptr pad;
    if (GST_IS_GHOST_PAD(decoded)) {
        pad.reset(gst_ghost_pad_get_target(GST_GHOST_PAD(decoded))); // transfer full
    } else {
        pad.reset(GST_PAD(gst_object_ref(decoded)));
    }
    gst::caps_ptr last{pad ? gst_pad_get_current_caps(pad.get()) : nullptr}; // transfer full
    for (int hops = 0; pad && hops < 16; ++hops) {
        gst::element_ptr element{gst_pad_get_parent_element(pad.get())}; // transfer full
        if (!element) {
            break;
        }
        if (has_klass(element.get(), "Decoder")) {
            gst::pad_ptr sink{gst_element_get_static_pad(element.get(), "sink")};
            if (sink) {
                if (gst::caps_ptr c{gst_pad_get_current_caps(sink.get())}) {
                    return c;
                }
            }
            break;
        }
        if (has_klass(element.get(), "Demux")) {
            break; // the demuxer's output is the stream as stored
        }
        // Through a queue, parser or capsfilter: the internally linked sink pad, then its peer.
        gst::iterator_ptr links{gst_pad_iterate_internal_links(pad.get())}; // transfer full
        gst::pad_ptr inner;
        GValue item = G_VALUE_INIT;
        if (links && gst_iterator_next(links.get(), &item) == GST_ITERATOR_OK) {
            inner.reset(GST_PAD(g_value_dup_object(&item))); // our own reference
        }
        g_value_unset(&item);
        if (!inner) {
            break;
        }
        pad.reset(gst_pad_get_peer(inner.get())); // transfer full
        if (pad) {
            if (gst::caps_ptr c{gst_pad_get_current_caps(pad.get())}) {
                last = std::move(c);
            }
        }
    }
    return last;
}

// typefind's have-type, on a streaming thread: what the file is as a whole.
void on_have_type(GstElement* /*typefind*/, guint /*probability*/, GstCaps* caps, gpointer data) {
    auto& st = *static_cast<decode_state*>(data);
    std::string what = describe_caps(caps); // caps are borrowed for the call
    std::string_view name =
        gst_caps_get_size(caps) > 0 ? gst_structure_get_name(gst_caps_get_structure(caps, 0)) : "";
    std::lock_guard lock(st.mutex);
    st.container = what;
    st.image = name.starts_with("image/");
}

// decodebin's pad-added, on a streaming thread: give the new stream its own sink. Every pad is
// linked (unknown ones to a fakesink) so no stream returns not-linked and stops the others.
// Long: one decoder pad's branch (video or audio) built in one place, as GStreamer hands it over.
void on_pad_added(GstElement* /*decodebin*/, GstPad* pad, gpointer data) {
    auto& st = *static_cast<decode_state*>(data);
    gst::caps_ptr caps{gst_pad_get_current_caps(pad)}; // transfer full, may be null
    if (!caps) {
        caps.reset(gst_pad_query_caps(pad, nullptr)); // transfer full
    }
    std::string_view name;
    if (caps && !gst_caps_is_empty(caps.get()) && !gst_caps_is_any(caps.get())) {
        name = gst_structure_get_name(gst_caps_get_structure(caps.get(), 0));
    }
    auto b = std::make_unique<branch>();
    b->owner = &st;
    // decodebin also exposes streams it has no decoder for, still encoded: those are not
    // pictures or sound this machine can air.
    b->kind = name == "video/x-raw"   ? stream_kind::video
              : name == "audio/x-raw" ? stream_kind::audio
                                      : stream_kind::other;
    if (b->kind != stream_kind::other) {
        gst::caps_ptr encoded = encoded_caps(pad);
        b->codec = describe_caps(encoded.get());
    }

    std::vector<gst::element_ptr> chain;
    if (b->kind == stream_kind::audio) {
        // The queue gives measuring its own thread: true-peak metering costs several times what
        // decoding does, and this way the two overlap.
        chain.push_back(make_element("queue"));
        chain.push_back(make_element("audioconvert"));
        chain.push_back(make_element("capsfilter"));
        chain.push_back(make_element("appsink"));
        if (chain[2]) {
            gst::caps_ptr f32{gst_caps_from_string("audio/x-raw,format=F32LE,layout=interleaved")};
            g_object_set(chain[2].get(), "caps", f32.get(), nullptr); // the element refs it
        }
    } else if (b->kind == stream_kind::video) {
        chain.push_back(make_element("appsink"));
    } else {
        chain.push_back(make_element("fakesink"));
    }
    for (const auto& e : chain) {
        if (!e) {
            fail_setup(st, "GStreamer is missing a core element (queue, audioconvert, appsink or "
                           "fakesink)");
            return;
        }
    }
    // The branch lives as long as the decode state, which outlives the pipeline: the appsink
    // callbacks may use it from now on.
    branch* br = b.get();
    {
        std::lock_guard lock(st.mutex);
        st.branches.push_back(std::move(b));
    }
    GstElement* sink = chain.back().get();
    // Not live and not waiting for each other: sync=false runs as fast as the machine goes;
    // async=false means a stream that never delivers (so never prerolls) cannot hold the rest.
    g_object_set(sink, "sync", FALSE, "async", FALSE, nullptr);
    if (br->kind != stream_kind::other) {
        g_object_set(sink, "enable-last-sample", FALSE, nullptr);
        GstAppSinkCallbacks callbacks{};
        callbacks.new_sample = on_new_sample;
        gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, br, nullptr);
    }
    for (const auto& e : chain) {
        gst_bin_add(GST_BIN(st.pipeline), e.get()); // the bin takes its own reference
    }
    for (std::size_t i = 1; i < chain.size(); ++i) {
        if (!gst_element_link(chain[i - 1].get(), chain[i].get())) {
            fail_setup(st, "cannot convert its audio to 32-bit float for measuring");
            return;
        }
    }
    // Downstream first, so nothing flows into an element that is not ready yet.
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        gst_element_sync_state_with_parent(it->get());
    }
    gst::pad_ptr sink_pad{gst_element_get_static_pad(chain.front().get(), "sink")}; // full
    if (!sink_pad || GST_PAD_LINK_FAILED(gst_pad_link(pad, sink_pad.get()))) {
        fail_setup(st, "cannot link a decoded stream");
    }
}

// The pipeline's deep-element-added, on whichever thread decodebin plugs in: remember the
// demuxers, whose sink pad task tells whether they gave up.
void on_deep_element_added(GstBin* /*pipeline*/, GstBin* /*sub_bin*/, GstElement* element,
                           gpointer data) {
    if (!has_klass(element, "Demux")) {
        return;
    }
    auto& st = *static_cast<decode_state*>(data);
    std::lock_guard lock(st.mutex);
    st.demuxers.emplace_back(GST_ELEMENT(gst_object_ref(element))); // borrowed: take our own
}

// In pull mode a demuxer runs its own task on its sink pad, and pauses it when it stops for
// good. Paused without ever having made a stream means it failed (a demuxer that reached the
// end has output pads; this one found nothing to output).
bool demuxer_gave_up(decode_state& st) {
    std::vector<gst::element_ptr> demuxers; // copied, so no GStreamer lock is taken under ours
    {
        std::lock_guard lock(st.mutex);
        for (const auto& d : st.demuxers) {
            demuxers.emplace_back(GST_ELEMENT(gst_object_ref(d.get())));
        }
    }
    for (const auto& d : demuxers) {
        GST_OBJECT_LOCK(d.get());
        bool has_streams = d->numsrcpads > 0;
        GST_OBJECT_UNLOCK(d.get());
        gst::pad_ptr sink{gst_element_get_static_pad(d.get(), "sink")}; // transfer full
        if (has_streams || !sink) {
            continue;
        }
        GST_OBJECT_LOCK(sink.get());
        GstTask* task = GST_PAD_TASK(sink.get());
        bool paused = task != nullptr && gst_task_get_state(task) == GST_TASK_PAUSED;
        GST_OBJECT_UNLOCK(sink.get());
        if (paused) {
            return true;
        }
    }
    return false;
}

// decodebin's no-more-pads, on a streaming thread: wake the bus loop, which decides whether
// anything decodable was found.
void on_no_more_pads(GstElement* decodebin, gpointer /*data*/) {
    GstStructure* s = gst_structure_new_empty("onair-no-more-pads"); // owned by the message
    gst_element_post_message(decodebin, gst_message_new_application(GST_OBJECT(decodebin), s));
}

// How the demuxer reads the file. Pull mode is what playout's uridecodebin uses, and the only
// mode in which Ogg/Vorbis ends are trimmed to the sample; push mode is the fallback below.
enum class read_mode { pull, push };

struct decode_run {
    std::string error;
    bool cacheable = true;
    bool errored = false;    // an ERROR message stopped the decode
    bool error_lost = false; // decodebin swallowed one: decode again in push mode
    std::optional<core::milliseconds> container_duration;
    std::vector<std::string> missing; // decoders GStreamer looked for and did not have
};

std::optional<core::milliseconds> query_duration(GstElement* pipeline) {
    gint64 ns = -1;
    if (gst_element_query_duration(pipeline, GST_FORMAT_TIME, &ns) && ns > 0) {
        return to_ms(static_cast<GstClockTime>(ns));
    }
    return std::nullopt;
}

// Long: the decode's bus loop with its timeouts; its cases share the pipeline's state.
decode_run run_decode(const std::filesystem::path& file, decode_state& st, read_mode mode) {
    decode_run out;
    auto pipeline = gst::sink(gst_pipeline_new("onair-probe")); // floating -> owned
    auto src = make_element("filesrc");
    // A queue before decodebin puts the demuxer in push mode (see decode_file).
    auto queue = mode == read_mode::push ? make_element("queue") : gst::element_ptr{};
    auto dec = make_element("decodebin");
    if (!pipeline || !src || !dec || (mode == read_mode::push && !queue)) {
        out.error = "GStreamer is missing a core element (filesrc, queue or decodebin)";
        out.cacheable = false;
        return out;
    }
    st.pipeline = pipeline.get();
    g_object_set(src.get(), "location", file.c_str(), nullptr);
    g_signal_connect(dec.get(), "pad-added", G_CALLBACK(on_pad_added), &st);
    g_signal_connect(dec.get(), "no-more-pads", G_CALLBACK(on_no_more_pads), &st);
    g_signal_connect(pipeline.get(), "deep-element-added", G_CALLBACK(on_deep_element_added), &st);
    if (gst::element_ptr typefind{gst_bin_get_by_name(GST_BIN(dec.get()), "typefind")}) {
        g_signal_connect(typefind.get(), "have-type", G_CALLBACK(on_have_type), &st);
    }
    gst_bin_add_many(GST_BIN(pipeline.get()), src.get(), dec.get(), nullptr); // bin refs both
    if (queue) {
        gst_bin_add(GST_BIN(pipeline.get()), queue.get());
        gst_element_link_many(src.get(), queue.get(), dec.get(), nullptr);
    } else {
        gst_element_link(src.get(), dec.get());
    }

    gst::bus_ptr bus{gst_element_get_bus(pipeline.get())}; // transfer full
    gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);

    auto started = std::chrono::steady_clock::now();
    bool streams_known = false; // no-more-pads seen
    auto last_progress_at = started;
    std::uint64_t last_progress = 0;
    auto total_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(min_total_timeout);
    const auto mask = static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS |
                                                  GST_MESSAGE_APPLICATION | GST_MESSAGE_ELEMENT);
    for (bool done = false; !done;) {
        gst::message_ptr msg{gst_bus_timed_pop_filtered(bus.get(), 250 * GST_MSECOND, mask)};
        auto now = std::chrono::steady_clock::now();
        if (auto p = st.progress.load(std::memory_order_relaxed); p != last_progress) {
            last_progress = p;
            last_progress_at = now;
        }
        if (msg) {
            switch (GST_MESSAGE_TYPE(msg.get())) {
            case GST_MESSAGE_EOS:
                if (!out.container_duration) {
                    out.container_duration = query_duration(pipeline.get());
                }
                done = true;
                break;
            case GST_MESSAGE_ERROR: {
                GError* raw = nullptr;
                gchar* debug = nullptr;
                gst_message_parse_error(msg.get(), &raw, &debug); // both transfer full
                gst::error_ptr error{raw};
                gst::string_ptr debug_text{debug};
                out.error = explain(error.get());
                out.errored = true;
                done = true;
                break;
            }
            case GST_MESSAGE_ELEMENT:
                if (gst_is_missing_plugin_message(msg.get())) {
                    gst::string_ptr what{gst_missing_plugin_message_get_description(msg.get())};
                    out.missing.emplace_back(what ? what.get() : "a plugin");
                }
                break;
            case GST_MESSAGE_APPLICATION: {
                const GstStructure* s = gst_message_get_structure(msg.get());
                if (s == nullptr || !gst_structure_has_name(s, "onair-no-more-pads")) {
                    break;
                }
                // Every stream is known now, so is the container's idea of the length.
                streams_known = true;
                out.container_duration = query_duration(pipeline.get());
                if (out.container_duration && *out.container_duration > total_timeout) {
                    total_timeout = *out.container_duration;
                }
                std::lock_guard lock(st.mutex);
                bool any = std::any_of(st.branches.begin(), st.branches.end(),
                                       [](const auto& b) { return b->kind != stream_kind::other; });
                if (!any) {
                    out.error = out.missing.empty() ? "no audio or video stream" : "";
                    done = out.missing.empty(); // else decodebin's own error follows
                }
                break;
            }
            default:
                break;
            }
        }
        {
            std::lock_guard lock(st.mutex);
            if (!done && !st.setup_error.empty()) {
                out.error = st.setup_error;
                out.cacheable = false;
                done = true;
            }
        }
        if (!done && mode == read_mode::pull && !streams_known && last_progress == 0 &&
            (demuxer_gave_up(st) || now - started > header_timeout)) {
            out.error_lost = true;
            done = true;
        } else if (!done && now - last_progress_at > stall_timeout) {
            out.error = "timed out: nothing decoded for " + seconds_text(stall_timeout);
            out.cacheable = false;
            done = true;
        } else if (!done && now - started > total_timeout) {
            out.error =
                "timed out: decoding took longer than " +
                seconds_text(std::chrono::duration_cast<std::chrono::seconds>(total_timeout));
            out.cacheable = false;
            done = true;
        }
    }
    // Joins the streaming threads: after this the branches are ours alone.
    gst_element_set_state(pipeline.get(), GST_STATE_NULL);
    st.pipeline = nullptr;
    return out;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) {
        if (out.find(s) == std::string::npos) {
            out += (out.empty() ? "" : ", ") + s;
        }
    }
    return out;
}

} // namespace

namespace detail {

// Long: one check per way a file can be unairable, in the order the messages are documented
// (docs/media.md).
file_facts inspect_file(const std::filesystem::path& file) {
    file_facts out;
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        out.error = (errno == ENOENT || errno == ENOTDIR) ? "no such file"
                    : errno == EACCES                     ? "not readable: permission denied"
                                      : std::string("cannot stat: ") + std::strerror(errno);
        return out;
    }
    if (S_ISDIR(st.st_mode)) {
        out.error = "is a directory";
        return out;
    }
    if (!S_ISREG(st.st_mode)) {
        // A FIFO or a device would block or never end: not something a schedule can air.
        out.error = "not a regular file";
        return out;
    }
    // access() would say yes to root whatever the mode says; opening is the real question.
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        out.error = errno == EACCES ? "not readable: permission denied"
                                    : std::string("not readable: ") + std::strerror(errno);
        return out;
    }
    ::close(fd);
    out.size = static_cast<std::uintmax_t>(st.st_size);
    out.mtime_ns =
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    if (st.st_size == 0) {
        out.error = "empty file";
    }
    return out;
}

decode_outcome decode_file(const std::filesystem::path& file) {
    gst::ensure_init();
    decode_outcome out;
    probe_result& r = out.result;
    r.file = file;

    // Pull mode first: it is how playout reads files, so its timestamps are what will air.
    // But a demuxer that fails at once (an MP4 cut before its index) can post its ERROR while
    // decodebin is still bringing it to PAUSED, and GStreamer 1.22's decodebin drops errors in
    // that window (measured: 4 runs in 10). When that shows, decode again in push mode, where
    // the demuxer only sees data once decodebin is done with it, so no error is lost.
    auto st = std::make_unique<decode_state>();
    decode_run run = run_decode(file, *st, read_mode::pull);
    if (run.error_lost) {
        st = std::make_unique<decode_state>();
        run = run_decode(file, *st, read_mode::push);
    }

    const branch* first_video = nullptr;
    const branch* first_audio = nullptr;
    GstClockTime first = GST_CLOCK_TIME_NONE, end = GST_CLOCK_TIME_NONE;
    for (const auto& b : st->branches) {
        if (b->kind == stream_kind::other) {
            continue;
        }
        stream_info s;
        s.type = b->kind == stream_kind::video ? "video" : "audio";
        s.codec = b->codec;
        s.width = b->width;
        s.height = b->height;
        s.framerate_num = b->fps_num;
        s.framerate_den = b->fps_den;
        s.rate = b->rate;
        s.channels = b->channels;
        r.streams.push_back(std::move(s));
        if (b->buffers == 0) {
            continue;
        }
        if (b->kind == stream_kind::video && first_video == nullptr) {
            first_video = b.get();
        }
        if (b->kind == stream_kind::audio && first_audio == nullptr) {
            first_audio = b.get();
        }
        if (GST_CLOCK_TIME_IS_VALID(b->first)) {
            first = GST_CLOCK_TIME_IS_VALID(first) ? std::min(first, b->first) : b->first;
            end = GST_CLOCK_TIME_IS_VALID(end) ? std::max(end, b->end) : b->end;
        }
    }
    // Pictures first, as players list them.
    std::stable_partition(r.streams.begin(), r.streams.end(),
                          [](const stream_info& s) { return s.type == "video"; });
    r.container = st->container;
    r.container_duration = run.container_duration;
    r.has_video = first_video != nullptr;
    r.has_audio = first_audio != nullptr;
    r.video_frames = first_video ? first_video->buffers : 0;
    if (GST_CLOCK_TIME_IS_VALID(first) && GST_CLOCK_TIME_IS_VALID(end) && end > first) {
        r.duration = to_ms(end - first);
    }
    // One picture and nothing else: a PNG or JPEG, or a video of a single frame, which airs
    // the same way.
    r.still_image = r.has_video && !r.has_audio && r.video_frames == 1 &&
                    (st->image || r.duration <= core::milliseconds{1000});
    if (r.still_image) {
        r.duration = core::milliseconds{0}; // a picture lasts as long as it is shown
        r.container_duration.reset();
    }
    if (first_audio != nullptr) {
        r.loudness_lufs = first_audio->meter.integrated_lufs();
        r.true_peak_dbtp = first_audio->meter.true_peak_dbtp();
    }

    out.cacheable = run.cacheable;
    if (!run.missing.empty() && !run.errored && run.error.empty()) {
        // Some stream has no decoder here: the file would air without it.
        r.error = "no decoder for " + join(run.missing);
    } else if (run.errored) {
        r.error = (r.has_video || r.has_audio)
                      ? run.error + " (decoding stopped at " + format_seconds(r.duration) + ")"
                      : run.error;
        if (!run.missing.empty() && !r.has_video && !r.has_audio) {
            r.error = "no decoder for " + join(run.missing);
        }
    } else if (!run.error.empty()) {
        r.error = run.error;
    } else if (!r.has_video && !r.has_audio) {
        r.error = "no audio or video decodes";
    } else if (!r.still_image && r.duration <= core::milliseconds{0}) {
        r.error = "zero length: nothing to air";
    } else if (!r.still_image && r.container_duration) {
        auto claimed = *r.container_duration;
        auto shortfall = claimed - r.duration;
        if (shortfall > truncation_slack &&
            static_cast<double>(shortfall.count()) >
                truncation_share * static_cast<double>(claimed.count())) {
            r.error = "truncated: the container says " + format_seconds(claimed) + " but only " +
                      format_seconds(r.duration) + " decodes";
        }
    }
    r.ok = r.error.empty();
    return out;
}

} // namespace detail

probe_result probe_file(const std::filesystem::path& file) {
    auto facts = detail::inspect_file(file);
    if (!facts.error.empty()) {
        probe_result r;
        r.file = file;
        r.error = facts.error;
        return r;
    }
    return detail::decode_file(file).result;
}

} // namespace onair::media
