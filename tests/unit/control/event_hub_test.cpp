// The console's event stream: framing, the bounded queue of a slow client, keepalives, close.
// On an io_context run by the test: no socket, no sleep but the keepalive's few milliseconds.

#include "control/event_hub.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <optional>

namespace onair::control {
namespace {

using namespace std::chrono_literals;

// The next piece of a stream, once the loop has delivered it.
std::optional<asrun_piece> next_piece(boost::asio::io_context& io, asrun_cursor& s,
                                      std::chrono::milliseconds wait = 0ms) {
    std::optional<asrun_piece> got;
    s.next([&](asrun_piece p) { got = std::move(p); });
    io.restart();
    if (wait > 0ms) {
        io.run_for(wait);
    } else {
        io.poll();
    }
    return got;
}

TEST(event_hub, a_stream_starts_with_retry_and_hello_then_gets_each_event_framed) {
    boost::asio::io_context io;
    event_hub hub(io);
    auto s = hub.subscribe();
    auto first = next_piece(io, *s);
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->more);
    EXPECT_EQ(first->text, "retry: 2000\n\nevent: hello\ndata: {}\n\n");
    std::optional<asrun_piece> got;
    s->next([&](asrun_piece p) { got = std::move(p); });
    io.restart();
    io.poll();
    EXPECT_FALSE(got) << "nothing published: the stream waits";
    hub.publish("channel", R"({"id":"tv"})");
    hub.publish("item", R"({"channel":"tv","event":"started"})");
    io.restart();
    io.poll();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->text, "event: channel\ndata: {\"id\":\"tv\"}\n\n");
    // what came while the client was writing waits for its next read, in order
    auto later = next_piece(io, *s);
    ASSERT_TRUE(later);
    EXPECT_EQ(later->text, "event: item\ndata: {\"channel\":\"tv\",\"event\":\"started\"}\n\n");
    EXPECT_EQ(hub.subscribers(), 1u);
    s.reset();
    EXPECT_EQ(hub.subscribers(), 0u);
}

TEST(event_hub, a_slow_client_loses_its_backlog_for_a_resync_and_memory_stays_bounded) {
    boost::asio::io_context io;
    event_hub hub(io, {3, 15s});
    auto s = hub.subscribe(); // queued: the hello
    for (int i = 1; i <= 5; ++i) {
        hub.publish("channel", "{\"n\":" + std::to_string(i) + "}");
    }
    // hello, 1 -> 2 queued; 2 -> 3; 3 finds 3: resync, 3; 4 -> 3; 5 finds 3: resync, 5
    auto p = next_piece(io, *s);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->text, "event: resync\ndata: {}\n\nevent: channel\ndata: {\"n\":5}\n\n");
}

TEST(event_hub, a_quiet_stream_gets_a_keepalive_comment) {
    boost::asio::io_context io;
    event_hub hub(io, {256, 20ms});
    auto s = hub.subscribe();
    ASSERT_TRUE(next_piece(io, *s));
    auto p = next_piece(io, *s, 200ms);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->text, ": keepalive\n\n");
    EXPECT_TRUE(p->more);
}

TEST(event_hub, close_all_ends_every_stream) {
    boost::asio::io_context io;
    event_hub hub(io);
    auto a = hub.subscribe();
    auto b = hub.subscribe();
    ASSERT_TRUE(next_piece(io, *a));
    std::optional<asrun_piece> got;
    a->next([&](asrun_piece p) { got = std::move(p); });
    hub.close_all();
    io.restart();
    io.poll();
    ASSERT_TRUE(got);
    EXPECT_FALSE(got->more);
    EXPECT_EQ(got->text, "");
    // b had its hello still queued: it gets it, and the end
    auto last = next_piece(io, *b);
    ASSERT_TRUE(last);
    EXPECT_FALSE(last->more);
    EXPECT_EQ(last->text, "retry: 2000\n\nevent: hello\ndata: {}\n\n");
    EXPECT_EQ(hub.subscribers(), 0u);
}

} // namespace
} // namespace onair::control
