// ONAIR_TEST_STALL, the fault the watchdog tests inject: read exactly, or refused with the
// reason.

#include "service/channel_runner.hpp"

#include <gtest/gtest.h>

namespace onair::service {
namespace {

using namespace std::chrono_literals;

TEST(stall_fault, unset_or_another_channel_is_no_fault) {
    EXPECT_FALSE(stall_fault_for("police-tv", nullptr));
    EXPECT_FALSE(stall_fault_for("police-tv", ""));
    EXPECT_FALSE(stall_fault_for("police-tv", "police-radio:3"));
    EXPECT_FALSE(stall_fault_for("police-tv", "police-tv-2:3"));
}

TEST(stall_fault, seconds_and_once_are_read) {
    const auto f = stall_fault_for("police-tv", "police-tv:3");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->after, 3000ms);
    EXPECT_FALSE(f->once);
    const auto g = stall_fault_for("police-tv", "police-tv:2.5:once");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->after, 2500ms);
    EXPECT_TRUE(g->once);
    EXPECT_EQ(stall_fault_for("police-tv", "police-tv:0")->after, 0ms);
}

TEST(stall_fault, anything_else_is_refused_with_the_reason) {
    for (const char* bad : {"police-tv", "police-tv:", "police-tv:x", "police-tv:-1",
                            "police-tv:3s", "police-tv:3:twice", "police-tv:nan"}) {
        try {
            stall_fault_for("police-tv", bad);
            ADD_FAILURE() << bad << " was accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("ONAIR_TEST_STALL"), std::string::npos) << bad;
        }
    }
}

} // namespace
} // namespace onair::service
