// GStreamer's own debug log reaches core::logger: a warning from an element provoked here (a
// filesrc on a file that does not exist) arrives as one line at warning level, and a message
// with a newline stays one escaped line.

#include "core/log.hpp"
#include "gst/log.hpp"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace onair::gst {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

TEST(gst_log, an_element_warning_arrives_through_the_logger_as_one_line) {
    std::ostringstream out;
    core::logger log(out, core::level::info);
    {
        const debug_log_route route(log);
        GstElement* pipeline = gst_parse_launch(
            "filesrc name=src location=/nonexistent/onair-none ! fakesink", nullptr);
        ASSERT_NE(pipeline, nullptr);
        EXPECT_EQ(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
        gst_element_set_state(pipeline, GST_STATE_NULL);
        gst_object_unref(pipeline);

        GstDebugCategory* cat = nullptr;
        GST_DEBUG_CATEGORY_INIT(cat, "onair-test", 0, "the gst_log test");
        GST_CAT_WARNING(cat, "first line\nsecond line");
        GST_CAT_INFO(cat, "below the route's level");
    }
    const auto lines = lines_of(out.str());
    int from_filesrc = 0;
    for (const auto& l : lines) {
        EXPECT_EQ(l.rfind("warning: gstreamer ", 0), 0u) << l;
        if (l.find("object=src") != std::string::npos &&
            l.find("onair-none") != std::string::npos) {
            ++from_filesrc;
        }
    }
    EXPECT_GE(from_filesrc, 1) << out.str();
    int escaped = 0;
    for (const auto& l : lines) {
        if (l.find("category=onair-test") != std::string::npos) {
            ++escaped;
            EXPECT_NE(l.find(R"(message="first line\nsecond line")"), std::string::npos) << l;
        }
    }
    EXPECT_EQ(escaped, 1) << out.str();
    EXPECT_EQ(out.str().find("below the route"), std::string::npos);

    // the route is gone with its guard: nothing more reaches this logger
    const auto before = out.str().size();
    GstElement* again =
        gst_parse_launch("filesrc location=/nonexistent/onair-none ! fakesink", nullptr);
    gst_element_set_state(again, GST_STATE_PAUSED);
    gst_element_set_state(again, GST_STATE_NULL);
    gst_object_unref(again);
    EXPECT_EQ(out.str().size(), before);
}

} // namespace
} // namespace onair::gst
