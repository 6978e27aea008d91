#include "gst/handles.hpp"

#include <gst/pbutils/pbutils.h>

namespace onair::gst {

void ensure_init() {
    // gst_init is idempotent but not free; a function-local static makes the first caller pay
    // once, and is thread-safe.
    static const bool initialised = [] {
        gst_init(nullptr, nullptr);
        gst_pb_utils_init();
        return true;
    }();
    (void)initialised;
}

} // namespace onair::gst
