#pragma once

// The playout engine's GStreamer helpers, on top of the shared handles of gst/handles.hpp.

#include "gst/handles.hpp"

#include <string>

namespace onair::playout::gst {

using namespace onair::gst;

// gst_element_factory_make that throws std::runtime_error naming the missing plugin.
element_ptr make(const char* factory, const char* name = nullptr);

// A bin from a gst-launch description (no ghost pads); throws with the parser's message.
element_ptr parse_bin(const std::string& description);

// The named child of a bin (adopted); throws when there is none.
element_ptr child(GstElement* bin, const char* name);

// Adds a ghost pad named `name` on `bin` for the static pad `pad_name` of `inner`.
GstPad* add_ghost(GstElement* bin, const char* name, GstElement* inner, const char* pad_name);

} // namespace onair::playout::gst
