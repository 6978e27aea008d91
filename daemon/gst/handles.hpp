#pragma once

// Owning handles for GStreamer and GLib objects, shared by the media and playout modules. Each
// handle holds exactly one reference, and where one is made the call site says how it got it:
//   a transfer-full return (gst_element_get_bus, gst_bin_get_by_name, ...) is adopted by
//   constructing the handle from it;
//   a floating reference (gst_element_factory_make, gst_bin_new) goes through sink();
//   a borrowed pointer goes through ref().
// Only the implementation files of media and playout include this: no public header of theirs
// shows GStreamer.

#include <gst/gst.h>

#include <memory>

namespace onair::gst {

struct object_unref {
    void operator()(gpointer p) const noexcept { gst_object_unref(p); }
};
struct caps_unref {
    void operator()(GstCaps* p) const noexcept { gst_caps_unref(p); }
};
struct message_unref {
    void operator()(GstMessage* p) const noexcept { gst_message_unref(p); }
};
struct event_unref {
    void operator()(GstEvent* p) const noexcept { gst_event_unref(p); }
};
struct sample_unref {
    void operator()(GstSample* p) const noexcept { gst_sample_unref(p); }
};
struct error_free {
    void operator()(GError* p) const noexcept { g_error_free(p); }
};
struct g_free_deleter {
    void operator()(gpointer p) const noexcept { g_free(p); }
};
struct iterator_free {
    void operator()(GstIterator* p) const noexcept { gst_iterator_free(p); }
};

using element_ptr = std::unique_ptr<GstElement, object_unref>;
using bus_ptr = std::unique_ptr<GstBus, object_unref>;
using clock_ptr = std::unique_ptr<GstClock, object_unref>;
using pad_ptr = std::unique_ptr<GstPad, object_unref>;
using caps_ptr = std::unique_ptr<GstCaps, caps_unref>;
using message_ptr = std::unique_ptr<GstMessage, message_unref>;
using event_ptr = std::unique_ptr<GstEvent, event_unref>;
using sample_ptr = std::unique_ptr<GstSample, sample_unref>;
using error_ptr = std::unique_ptr<GError, error_free>;
using string_ptr = std::unique_ptr<gchar, g_free_deleter>;
using iterator_ptr = std::unique_ptr<GstIterator, iterator_free>;

template <class T> std::unique_ptr<T, object_unref> sink(T* floating) {
    if (floating != nullptr) {
        gst_object_ref_sink(floating);
    }
    return std::unique_ptr<T, object_unref>(floating);
}

template <class T> std::unique_ptr<T, object_unref> ref(T* borrowed) {
    if (borrowed != nullptr) {
        gst_object_ref(borrowed);
    }
    return std::unique_ptr<T, object_unref>(borrowed);
}

// Makes GStreamer (and its pbutils) usable; safe from any thread, any number of times.
void ensure_init();

} // namespace onair::gst
