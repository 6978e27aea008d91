// GStreamer's debug log into core::logger (see log.hpp).

#include "gst/log.hpp"

#include "gst/handles.hpp"

#include <cstdlib>
#include <string>

namespace onair::gst {
namespace {

// Called on whichever thread logs (streaming threads included): the logger is thread-safe.
// The object's name is read without its lock, as GStreamer's own handler does: an element may
// log while it holds its object lock.
void to_logger(GstDebugCategory* category, GstDebugLevel level, const gchar* file,
               const gchar* /*function*/, gint line, GObject* object, GstDebugMessage* message,
               gpointer data) {
    if (level > GST_LEVEL_WARNING || level == GST_LEVEL_NONE) {
        return;
    }
    auto& log = *static_cast<core::logger*>(data);
    const char* text = gst_debug_message_get(message);
    std::string name;
    if (object != nullptr && GST_IS_OBJECT(object) && GST_OBJECT_NAME(object) != nullptr) {
        name = GST_OBJECT_NAME(object);
    }
    const std::string where =
        std::string(file != nullptr ? file : "?") + ":" + std::to_string(line);
    log.log(level == GST_LEVEL_ERROR ? core::level::error : core::level::warning, "gstreamer",
            "category", gst_debug_category_get_name(category), "object", name, "message",
            text != nullptr ? text : "", "at", where);
}

} // namespace

debug_log_route::debug_log_route(core::logger& log) : log_(log) {
    ensure_init();
    threshold_ = gst_debug_get_default_threshold();
    if (threshold_ < GST_LEVEL_WARNING) {
        gst_debug_set_default_threshold(GST_LEVEL_WARNING);
    }
    gst_debug_add_log_function(to_logger, &log_, nullptr);
    if (std::getenv("GST_DEBUG") == nullptr) {
        removed_default_ = gst_debug_remove_log_function(gst_debug_log_default) > 0;
    }
}

debug_log_route::~debug_log_route() {
    gst_debug_remove_log_function_by_data(&log_);
    gst_debug_set_default_threshold(static_cast<GstDebugLevel>(threshold_));
    if (removed_default_) {
        gst_debug_add_log_function(gst_debug_log_default, nullptr, nullptr);
    }
}

} // namespace onair::gst
