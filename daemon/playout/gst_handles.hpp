#pragma once

// The playout engine's GStreamer helpers, on top of the shared handles of gst/handles.hpp.

#include "gst/handles.hpp"

#include <initializer_list>
#include <string>

namespace onair::playout::gst {

using namespace onair::gst;

// gst_element_factory_make that throws std::runtime_error naming the missing plugin.
element_ptr make(const char* factory, const char* name = nullptr);

// A bin from a gst-launch description (no ghost pads); throws with the parser's message.
element_ptr parse_bin(const std::string& description);

// The named child of a bin (adopted); throws when there is none.
element_ptr child(GstElement* bin, const char* name);

// Puts elements held by handles (not floating) into `bin`. The bin takes its own reference:
// gst_bin_add sinks a floating reference, or else adds one, so an extra gst_object_ref here
// would keep every element alive after the bin lets it go (each clip's bin leaked that way).
void add(GstElement* bin, std::initializer_list<GstElement*> elements);

// Adds a ghost pad named `name` on `bin` for the static pad `pad_name` of `inner`.
GstPad* add_ghost(GstElement* bin, const char* name, GstElement* inner, const char* pad_name);

} // namespace onair::playout::gst
