#pragma once

// What the console's live feed says (GET /api/v1/events): every `every`, each channel as the
// API lists it is compared with what was last published, and what changed goes out to the
// event hub: `channel` (the whole channel, as GET /api/v1/channels has it) and, when the item
// on air changed, `item` ended (the one before) and started (the new one); `health` (as GET
// /api/v1/health says it) when that changed; `levels` (each channel's audio meters) at most
// five times a second. The elapsed time of
// an item is not a change: the page moves its bar itself. Runs on the loop; cheap (a few
// channels' JSON compared as text).

#include "control/backend.hpp"
#include "control/event_hub.hpp"
#include "core/time.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace onair::service {

class console_feed {
public:
    console_feed(boost::asio::io_context& io, control::event_hub& hub,
                 std::function<std::vector<control::channel_info>()> channels,
                 std::function<core::instant()> now,
                 std::function<control::health_info()> health = {},
                 std::chrono::milliseconds every = std::chrono::milliseconds(100));
    ~console_feed();
    console_feed(const console_feed&) = delete;
    console_feed& operator=(const console_feed&) = delete;

    void start();
    void stop();
    // Compares once and publishes what changed (the timer calls it; so may a test).
    void poll();

private:
    struct seen {
        std::string channel; // the channel's JSON without elapsed/remaining
        std::string now;     // the item on air (its JSON), or empty
    };
    void arm();

    boost::asio::steady_timer timer_;
    control::event_hub& hub_;
    std::function<std::vector<control::channel_info>()> channels_;
    std::function<core::instant()> now_;
    std::function<control::health_info()> health_;
    std::chrono::milliseconds every_;
    std::string health_seen_;
    std::string levels_seen_;
    std::uint64_t polls_ = 0;
    std::map<std::string, seen> seen_;
    bool running_ = false;
};

} // namespace onair::service
