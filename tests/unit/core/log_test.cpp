#include "core/log.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace onair::core {
namespace {

TEST(log, plain_values_are_bare_and_others_quoted) {
    EXPECT_EQ(log_value("police-tv"), "police-tv");
    EXPECT_EQ(log_value(""), "\"\"");
    EXPECT_EQ(log_value("a b"), "\"a b\"");
    EXPECT_EQ(log_value("k=v"), "\"k=v\"");
    EXPECT_EQ(log_value("say \"hi\""), "\"say \\\"hi\\\"\"");
    EXPECT_EQ(log_value("C:\\x"), "\"C:\\\\x\"");
}

TEST(log, control_characters_never_break_the_line) {
    EXPECT_EQ(log_value("one\ntwo"), "\"one\\ntwo\"");
    EXPECT_EQ(log_value("a\r\tb"), "\"a\\r\\tb\"");
    EXPECT_EQ(log_value(std::string("x\x01y")), "\"x\\x01y\"");
    EXPECT_EQ(log_value("ລາວ"), "ລາວ"); // UTF-8 passes as it is
}

TEST(log, one_event_is_one_line_with_its_journald_priority) {
    std::ostringstream out;
    logger log(out, level::info, true);
    log.debug("hidden");
    log.info("on air", "channel", "tv");
    log.warning("two\nlines", "reason", "bad\nvalue");
    log.error("failed", "n", 3);
    EXPECT_EQ(out.str(), "<6>on air channel=tv\n"
                         "<4>warning: two lines reason=\"bad\\nvalue\"\n"
                         "<3>error: failed n=3\n");
}

} // namespace
} // namespace onair::core
