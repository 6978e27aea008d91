#pragma once

// Owning handles for the GStreamer objects of the playout engine. Each handle holds exactly one
// reference, and where one is made the call site says how it got it:
//   a transfer-full return (gst_bin_get_by_name, gst_element_request_pad_simple, ...) is adopted
//   by constructing the handle from it;
//   a floating reference (gst_element_factory_make, gst_bin_new) goes through sink();
//   a borrowed pointer goes through ref().
// The media module has its own copy: playout must not depend on it.

#include <gst/gst.h>

#include <memory>
#include <string>

namespace onair::playout::gst {

struct object_unref {
    void operator()(gpointer p) const noexcept { gst_object_unref(p); }
};
struct message_unref {
    void operator()(GstMessage* p) const noexcept { gst_message_unref(p); }
};
struct caps_unref {
    void operator()(GstCaps* p) const noexcept { gst_caps_unref(p); }
};
struct event_unref {
    void operator()(GstEvent* p) const noexcept { gst_event_unref(p); }
};
struct error_free {
    void operator()(GError* p) const noexcept { g_error_free(p); }
};
struct g_free_deleter {
    void operator()(gpointer p) const noexcept { g_free(p); }
};

using element_ptr = std::unique_ptr<GstElement, object_unref>;
using bus_ptr = std::unique_ptr<GstBus, object_unref>;
using pad_ptr = std::unique_ptr<GstPad, object_unref>;
using message_ptr = std::unique_ptr<GstMessage, message_unref>;
using caps_ptr = std::unique_ptr<GstCaps, caps_unref>;
using event_ptr = std::unique_ptr<GstEvent, event_unref>;
using error_ptr = std::unique_ptr<GError, error_free>;
using string_ptr = std::unique_ptr<gchar, g_free_deleter>;

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

// gst_element_factory_make that throws std::runtime_error naming the missing plugin.
element_ptr make(const char* factory, const char* name = nullptr);

// A bin from a gst-launch description (no ghost pads); throws with the parser's message.
element_ptr parse_bin(const std::string& description);

// The named child of a bin (adopted); throws when there is none.
element_ptr child(GstElement* bin, const char* name);

// Adds a ghost pad named `name` on `bin` for the static pad `pad_name` of `inner`.
GstPad* add_ghost(GstElement* bin, const char* name, GstElement* inner, const char* pad_name);

// Makes GStreamer usable; safe from any thread, any number of times.
void ensure_init();

} // namespace onair::playout::gst
