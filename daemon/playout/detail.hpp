#pragma once

// Internal to daemon/playout: the pieces the engine assembles.

#include "playout/engine.hpp"
#include "playout/gst_handles.hpp"

#include <memory>
#include <string>

namespace onair::playout::detail {

// The fixed format of a channel's output, which every layer is converted to.
struct format {
    bool video = false; // tv
    int width = 0, height = 0, fps_num = 25, fps_den = 1;
    int rate = 48000, channels = 2;
    bool live = false;
};

format format_of(const schedule::channel& ch, mode m);
std::string video_caps(const format& f);
std::string audio_caps(const format& f);

// The one way a shared_ptr is handed to GLib as user data (pad probes, signal handlers): a
// heap copy of it, which GLib deletes with the probe or the handler, so what a callback uses
// lives as long as the callback can run.
template <class T> class glib_shared {
public:
    static T& of(gpointer data) { return **static_cast<std::shared_ptr<T>*>(data); }

    static gulong add_probe(GstPad* pad, GstPadProbeType type, GstPadProbeCallback callback,
                            const std::shared_ptr<T>& shared) {
        return gst_pad_add_probe(pad, type, callback, new std::shared_ptr<T>(shared), destroy);
    }
    static gulong connect(GstElement* element, const char* signal, GCallback callback,
                          const std::shared_ptr<T>& shared) {
        return g_signal_connect_data(element, signal, callback, new std::shared_ptr<T>(shared),
                                     destroy_closure, GConnectFlags(0));
    }

private:
    static void destroy(gpointer data) { delete static_cast<std::shared_ptr<T>*>(data); }
    static void destroy_closure(gpointer data, GClosure*) { destroy(data); }
};

// The two kinds of stream a channel airs, as indexes into per-stream arrays.
constexpr int video_index = 0;
constexpr int audio_index = 1;

// What a decoder's new pad carries: video_index, audio_index, or -1 (other, or no caps yet).
int stream_index(GstPad* pad);

// Running time of a buffer against the sticky segment of `pad`; -1 when it has none.
std::int64_t buffer_running_time(GstPad* pad, GstBuffer* buf);

// Cuts the audio buffer of a probe to its first `keep` nanoseconds (in place of the old one).
void truncate_audio(GstPad* pad, GstPadProbeInfo* info, std::int64_t keep);

// An ERROR message as text: its message and the element that posted it, "... (name)".
std::string error_text(GstMessage* msg);

// Ends a stream that never started, on the sink pad `pad` (a chain whose file has no such
// stream, a failed clip's mixer pad): stream-start `stream_id`, a time segment, EOS, so what is
// downstream does not wait for it.
void end_unstarted_stream(GstPad* pad, const char* stream_id);

// Makes `queue` drop its oldest data when full (leaky=downstream) and answers, at its sink
// pad, the serialized queries (allocation, drain) that would otherwise wait in it: GStreamer
// 1.22's queue leaks a waiting query like a buffer, which leaves the thread that asked blocked
// (the mixer's, so the air stops) and can free the query under the queue (an abort at stop).
// Upstream then decides without that branch, which needs nothing from it.
void make_leaky(GstElement* queue);

} // namespace onair::playout::detail
