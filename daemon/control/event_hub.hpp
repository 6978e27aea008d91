#pragma once

// The Server-Sent Events of GET /api/v1/events (the console's live feed): what the station
// publishes goes to every subscriber as "event: TYPE\ndata: JSON\n\n". Everything runs on the
// io_context thread: publish() and the streams' next() alike.
//
// A subscriber that does not keep up (its queue over `max_queued` events, a browser tab
// asleep on a slow link) loses what is queued and gets `event: resync` instead: the console
// then asks GET /api/v1/channels for the whole state once. Memory stays bounded per subscriber
// however long a client stalls; the station never waits for a client. A comment line every
// `keepalive` keeps proxies and the browser from closing a quiet stream.

#include "control/backend.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace onair::control {

struct event_hub_options {
    std::size_t max_queued = 256;
    std::chrono::milliseconds keepalive{15'000};
};

class event_hub {
public:
    explicit event_hub(boost::asio::io_context& io, event_hub_options o = {});
    ~event_hub();
    event_hub(const event_hub&) = delete;
    event_hub& operator=(const event_hub&) = delete;

    // `data` is one line of JSON (no newline).
    void publish(const std::string& type, const std::string& data);
    // A stream for one client: the server writes its pieces as the chunks of the response.
    std::unique_ptr<asrun_cursor> subscribe();
    // Streams open now.
    std::size_t subscribers() const;
    // Ends every stream (the daemon stops): their clients see the response end.
    void close_all();

    struct subscriber;

private:
    boost::asio::io_context& io_;
    event_hub_options options_;
    std::vector<std::weak_ptr<subscriber>> subscribers_;
};

// "event: TYPE\ndata: DATA\n\n"
std::string sse_event(const std::string& type, const std::string& data);

} // namespace onair::control
