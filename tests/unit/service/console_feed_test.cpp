// What the console's feed publishes: each channel once at the first look, then only what
// changed (never the mere passing of time), with the item ended and started around a change
// of what airs. Fake channels, a fixed clock, a hub on an io_context the test runs.

#include "service/console_feed.hpp"

#include "memory_log.hpp"
#include "service/asrun_log.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <optional>

namespace onair::service {
namespace {

using core::instant;
using core::milliseconds;

const instant t0 = instant{} + milliseconds(1'796'299'200'000); // 2026-12-03T12:00:00Z

control::item_info spot(const std::string& media, int start_s, int length_s) {
    control::item_info i;
    i.start = t0 + milliseconds(start_s * 1000);
    i.end = i.start + milliseconds(length_s * 1000);
    i.kind = "spot";
    i.media = media;
    i.title = "Spot " + media;
    i.campaign = "c";
    i.break_id = "b";
    return i;
}

struct feed_fixture {
    boost::asio::io_context io;
    control::event_hub hub{io};
    std::vector<control::channel_info> chans;
    instant now = t0;
    console_feed feed{io, hub, [this] { return chans; }, [this] { return now; }};
    std::unique_ptr<control::asrun_cursor> stream = hub.subscribe();

    feed_fixture() {
        control::channel_info tv;
        tv.id = "tv";
        tv.name = "TV";
        tv.kind = "tv";
        tv.airing = true;
        tv.outputs = {{"udp 127.0.0.1:5000", "udp", "up", 0, ""}};
        chans.push_back(tv);
        EXPECT_EQ(read(), "retry: 2000\n\nevent: hello\ndata: {}\n\n");
    }
    // What the stream has for the client now ("" when nothing).
    std::string read() {
        std::optional<control::asrun_piece> got;
        stream->next([&](control::asrun_piece p) { got = std::move(p); });
        io.restart();
        io.poll();
        if (!got) {
            // leave nothing parked: a later publish would go to this callback
            stream = hub.subscribe();
            std::optional<control::asrun_piece> hello;
            stream->next([&](control::asrun_piece p) { hello = std::move(p); });
            io.restart();
            io.poll();
            return "";
        }
        return got->text;
    }
};

TEST(console_feed, publishes_each_channel_once_then_only_what_changed) {
    feed_fixture f;
    f.feed.poll();
    EXPECT_EQ(f.read(), "event: channel\ndata: {\"id\":\"tv\",\"name\":\"TV\",\"kind\":\"tv\","
                        "\"airing\":true,\"now\":null,\"next\":null,\"outputs\":[{\"name\":"
                        "\"udp 127.0.0.1:5000\",\"type\":\"udp\",\"state\":\"up\",\"reconnects\":"
                        "0,\"last_error\":null}],\"down_reason\":null,\"timezone\":\"UTC\","
                        "\"utc_offset_minutes\":0}\n\n");
    f.now = t0 + milliseconds(500);
    f.feed.poll();
    EXPECT_EQ(f.read(), "") << "time passing is not a change";

    // a spot goes on air: started, then the channel with its elapsed and remaining
    f.chans[0].now = spot("a", 1, 2);
    f.chans[0].next = spot("b", 3, 2);
    f.now = t0 + milliseconds(1'040);
    f.feed.poll();
    const std::string a =
        "{\"start\":\"2026-12-03T12:00:01.000+00:00\",\"end\":\"2026-12-03T12:00:03.000+00:00\","
        "\"kind\":\"spot\",\"media\":\"a\",\"title\":\"Spot a\",\"campaign\":\"c\","
        "\"break\":\"b\"";
    const std::string b =
        "{\"start\":\"2026-12-03T12:00:03.000+00:00\",\"end\":\"2026-12-03T12:00:05.000+00:00\","
        "\"kind\":\"spot\",\"media\":\"b\",\"title\":\"Spot b\",\"campaign\":\"c\","
        "\"break\":\"b\"";
    auto text = f.read();
    EXPECT_EQ(text.substr(0, text.find("event: channel")),
              "event: item\ndata: {\"channel\":\"tv\",\"event\":\"started\",\"item\":" + a +
                  "}}\n\n");
    EXPECT_NE(text.find("\"now\":" + a + ",\"elapsed_ms\":40,\"remaining_ms\":1960}"),
              std::string::npos)
        << text;

    // the next spot follows: the first ended, the second started
    f.chans[0].now = spot("b", 3, 2);
    f.chans[0].next.reset();
    f.now = t0 + milliseconds(3'000);
    f.feed.poll();
    text = f.read();
    EXPECT_EQ(text.substr(0, text.find("event: channel")),
              "event: item\ndata: {\"channel\":\"tv\",\"event\":\"ended\",\"item\":" + a +
                  "}}\n\n"
                  "event: item\ndata: {\"channel\":\"tv\",\"event\":\"started\",\"item\":" +
                  b + "}}\n\n");

    // an output going down is a change of the channel alone
    f.chans[0].outputs[0].state = "retrying";
    f.chans[0].outputs[0].last_error = "connection refused";
    f.feed.poll();
    text = f.read();
    EXPECT_EQ(text.rfind("event: channel\n", 0), 0u) << text;
    EXPECT_NE(text.find("\"state\":\"retrying\""), std::string::npos) << text;

    // back to filler: the spot ended, nothing started
    f.chans[0].now.reset();
    f.feed.poll();
    text = f.read();
    EXPECT_EQ(text.substr(0, text.find("event: channel")),
              "event: item\ndata: {\"channel\":\"tv\",\"event\":\"ended\",\"item\":" + b +
                  "}}\n\n");
}

// The console's `asrun` event: every row the log completes, whole, and only then.
TEST(announcing_log, tells_of_each_completed_row_after_the_log_has_it) {
    auto inner = std::make_unique<testing::memory_log>();
    auto* rows = inner.get();
    std::vector<asrun::airing> told;
    announcing_log log(std::move(inner), [&](const asrun::airing& r) {
        EXPECT_FALSE(rows->rows.empty()) << "the store's log has it first";
        told.push_back(r);
    });
    asrun::airing a;
    a.channel = "tv";
    a.media = "a";
    a.scheduled_start = t0;
    a.actual_start = t0;
    const auto t = log.open(a);
    EXPECT_TRUE(told.empty()) << "on air is not complete";
    log.close(t, t0 + milliseconds(2000), asrun::airing_status::aired, std::nullopt);
    asrun::airing b = a;
    b.media = "b";
    b.actual_start.reset();
    b.status = asrun::airing_status::skipped;
    b.detail = "an operator insert took its slot";
    log.record(b);
    log.close(t, t0, asrun::airing_status::failed, "twice"); // a second close tells nothing
    ASSERT_EQ(told.size(), 2u);
    EXPECT_EQ(told[0].media, "a");
    EXPECT_EQ(told[0].status, asrun::airing_status::aired);
    EXPECT_EQ(told[0].actual_end, t0 + milliseconds(2000));
    EXPECT_EQ(told[1].media, "b");
    EXPECT_EQ(told[1].status, asrun::airing_status::skipped);
    EXPECT_EQ(rows->rows.size(), 2u);
}

} // namespace
} // namespace onair::service
