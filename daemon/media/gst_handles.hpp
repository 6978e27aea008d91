#pragma once

// Owning handles for the GStreamer and GLib objects the media module touches. Every handle holds
// exactly one reference, and where one is made the call site says how it got it:
//   a transfer-full return (gst_element_get_bus, gst_pad_get_current_caps, ...) is adopted by
//   constructing the handle from it;
//   a floating reference (gst_element_factory_make, gst_pipeline_new) goes through sink();
//   a borrowed pointer is never put in a handle without gst_object_ref / gst_caps_ref first.
// Internal to the module: nothing outside daemon/media includes a GStreamer header.

#include <gst/gst.h>

#include <memory>

namespace onair::media::gst {

struct object_unref {
    void operator()(gpointer p) const noexcept { gst_object_unref(p); }
};
struct caps_unref {
    void operator()(GstCaps* p) const noexcept { gst_caps_unref(p); }
};
struct message_unref {
    void operator()(GstMessage* p) const noexcept { gst_message_unref(p); }
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
using pad_ptr = std::unique_ptr<GstPad, object_unref>;
using caps_ptr = std::unique_ptr<GstCaps, caps_unref>;
using message_ptr = std::unique_ptr<GstMessage, message_unref>;
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

// Makes GStreamer usable; safe to call from any thread, any number of times.
void ensure_init();

} // namespace onair::media::gst
