#include "service/console_feed.hpp"

#include "control/api.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

namespace onair::service {

console_feed::console_feed(boost::asio::io_context& io, control::event_hub& hub,
                           std::function<std::vector<control::channel_info>()> channels,
                           std::function<core::instant()> now,
                           std::function<control::health_info()> health,
                           std::chrono::milliseconds every)
    : timer_(io), hub_(hub), channels_(std::move(channels)), now_(std::move(now)),
      health_(std::move(health)), every_(every) {}

console_feed::~console_feed() {
    stop();
}

void console_feed::start() {
    running_ = true;
    arm();
}

void console_feed::stop() {
    running_ = false;
    timer_.cancel();
}

void console_feed::arm() {
    timer_.expires_after(every_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !running_) {
            return;
        }
        poll();
        arm();
    });
}

namespace {

// {"tv":{"peak_db":[-12.5,-12.4],"rms_db":[-20.1,-20]}}, to a tenth of a dB; "" when none.
std::string levels_text(const std::vector<control::channel_info>& channels) {
    nlohmann::json all = nlohmann::json::object();
    auto tenths = [](const std::vector<double>& v) {
        std::vector<double> out;
        for (double d : v) {
            out.push_back(std::round(d * 10) / 10);
        }
        return out;
    };
    for (const auto& c : channels) {
        if (c.levels) {
            all[c.id] = {{"peak_db", tenths(c.levels->peak_db)},
                         {"rms_db", tenths(c.levels->rms_db)}};
        }
    }
    return all.empty() ? std::string() : all.dump();
}

} // namespace

void console_feed::poll() {
    if (hub_.subscribers() == 0) {
        return; // nobody watches: no work on the loop (a new client reads the state itself)
    }
    const auto now = now_();
    const auto channels = channels_();
    // the meters: at most five times a second, when they moved
    if (++polls_ % 2 == 0) {
        auto levels = levels_text(channels);
        if (!levels.empty() && levels != levels_seen_) {
            hub_.publish("levels", levels);
            levels_seen_ = std::move(levels);
        }
    }
    for (const auto& c : channels) {
        auto& last = seen_[c.id];
        auto text = control::channel_json_text(c, std::nullopt);
        if (text == last.channel) {
            continue;
        }
        const auto item = c.now ? control::item_json_text(*c.now, c.zone) : std::string();
        if (item != last.now) {
            const std::string id = "{\"channel\":\"" + c.id + "\",\"event\":\"";
            if (!last.now.empty()) {
                hub_.publish("item", id + "ended\",\"item\":" + last.now + "}");
            }
            if (c.now) {
                hub_.publish("item", id + "started\",\"item\":" + item + "}");
            }
        }
        hub_.publish("channel", control::channel_json_text(c, now));
        last = seen{std::move(text), item};
    }
    if (health_) {
        auto text = control::health_json_text(health_());
        if (text != health_seen_) {
            hub_.publish("health", text);
            health_seen_ = std::move(text);
        }
    }
}

} // namespace onair::service
