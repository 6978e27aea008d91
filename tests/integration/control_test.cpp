// The HTTP API over real sockets on 127.0.0.1 (ephemeral ports), against a fake backend: every
// route, every error, the limits (size, time, connections), chunked streaming with
// back-pressure, the token, and `onair status` against it. The server runs on its own
// io_context thread, as in the daemon; the test thread is the client, with plain sockets.
#include "control/api.hpp"
#include "control/backend.hpp"
#include "control/metrics.hpp"
#include "control/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

namespace onair::control {
namespace {

namespace http = boost::beast::http;
namespace net = boost::asio;
using namespace std::chrono_literals;

const date::time_zone* vientiane() {
    return core::find_zone("Asia/Vientiane");
}

core::instant at(const char* local) {
    auto ts = core::parse_timestamp(local);
    return core::to_instant(*ts, *vientiane());
}

// ---- a fake backend: canned answers, recorded calls ----

class vector_cursor : public asrun_cursor {
public:
    vector_cursor(std::vector<std::string> pieces, std::atomic<int>* pulls, int throw_at = -1)
        : pieces_(std::move(pieces)), pulls_(pulls), throw_at_(throw_at) {}
    bool next(std::string& out) override {
        const int n = pulls_ ? ++*pulls_ : 0;
        if (throw_at_ >= 0 && n > throw_at_) {
            throw std::runtime_error("disk on fire");
        }
        if (i_ == pieces_.size()) {
            return false;
        }
        out += pieces_[i_++];
        return true;
    }

private:
    std::vector<std::string> pieces_;
    std::size_t i_ = 0;
    std::atomic<int>* pulls_;
    int throw_at_;
};

class fake_backend : public backend {
public:
    std::vector<channel_info> channels() override {
        std::lock_guard lock(m_);
        if (throw_in_channels) {
            throw std::runtime_error("boom");
        }
        return chans;
    }
    outcome<std::string> plan_json(const std::string& channel, core::local_days day) override {
        std::lock_guard lock(m_);
        calls.push_back("plan " + channel + " " + core::format_date(day));
        if (channel != "police-tv") {
            return failure{404, "no channel '" + channel + "'"};
        }
        return std::string("{\"channel\": \"police-tv\", \"items\": []}\n");
    }
    outcome<std::unique_ptr<asrun_cursor>> asrun(const asrun_query& q) override {
        std::lock_guard lock(m_);
        calls.push_back("asrun " + q.channel + "|" + q.from + "|" + q.to + "|" +
                        (q.format == asrun_format::csv ? "csv" : "json"));
        if (q.from == "yesterday") {
            return failure{400, "parameter 'from': expected YYYY-MM-DD or ISO 8601"};
        }
        return std::unique_ptr<asrun_cursor>(
            std::make_unique<vector_cursor>(asrun_pieces, &pulls, throw_at));
    }
    reload_result reload() override {
        std::lock_guard lock(m_);
        calls.push_back("reload");
        return reload_answer;
    }
    outcome<insert_result> insert(const std::string& channel, const std::string& media) override {
        std::lock_guard lock(m_);
        calls.push_back("insert " + channel + " " + media);
        if (channel != "police-tv") {
            return failure{404, "no channel '" + channel + "'"};
        }
        if (media != "tip-lo-30") {
            return failure{422, "no media '" + media + "' in the schedule of police-tv"};
        }
        insert_result r;
        r.channel = channel;
        r.media = media;
        r.title = "Stop trafficking";
        r.duration = 30s;
        r.start = at("2026-12-01T06:58:30");
        r.zone = vientiane();
        return r;
    }
    outcome<skip_result> skip(const std::string& channel) override {
        std::lock_guard lock(m_);
        calls.push_back("skip " + channel);
        if (channel != "police-tv") {
            return failure{404, "no channel '" + channel + "'"};
        }
        return skip_result{channel, "tip-lo-30", "Stop trafficking"};
    }
    void refresh_metrics() override {
        std::lock_guard lock(m_);
        calls.push_back("refresh_metrics");
    }

    std::vector<std::string> take_calls() {
        std::lock_guard lock(m_);
        return std::exchange(calls, {});
    }

    // Set before the server thread starts (or between requests, under the lock).
    std::vector<channel_info> chans;
    std::vector<std::string> asrun_pieces;
    int throw_at = -1;
    bool throw_in_channels = false;
    reload_result reload_answer;
    std::atomic<int> pulls{0};
    std::vector<std::string> calls;
    std::mutex m_;
};

std::vector<channel_info> two_channels() {
    channel_info tv;
    tv.id = "police-tv";
    tv.name = "ໂທລະພາບ ປກສ — Police TV";
    tv.kind = "tv";
    tv.zone = vientiane();
    tv.airing = true;
    tv.now = item_info{at("2026-12-01T06:58:00"),
                       at("2026-12-01T06:58:30"),
                       "spot",
                       "tip-lo-30",
                       "Stop trafficking",
                       "tip-2026",
                       "hourly"};
    tv.next = item_info{at("2026-12-01T06:58:30"),
                        at("2026-12-01T06:58:50"),
                        "spot",
                        "som-lo-20",
                        "Safe migration",
                        "tip-2026",
                        "hourly"};
    channel_info radio;
    radio.id = "police-radio";
    radio.name = "Police Radio";
    radio.kind = "radio";
    radio.zone = vientiane();
    radio.airing = true;
    radio.now = item_info{at("2026-12-01T06:00:00"),
                          at("2026-12-01T07:00:00"),
                          "programme",
                          "talk-ep1",
                          "Morning talk",
                          "",
                          ""};
    return {tv, radio};
}

// ---- the server on its own thread ----

struct harness {
    explicit harness(server_options o = {}, std::vector<channel_info> chans = two_channels()) {
        fake.chans = std::move(chans);
        fake.asrun_pieces = {"channel,kind\n", "police-tv,spot\n", "police-tv,programme\n"};
        metrics::gauge_family& g =
            reg.add_gauge("onair_channel_on_air", "1 while airing", {"channel"});
        g.with({"police-tv"}).set(1);
        o.host = "127.0.0.1";
        o.port = 0;
        if (!o.now) {
            o.now = [] { return at("2026-12-01T06:58:05"); };
        }
        srv = std::make_unique<server>(io, fake, reg, std::move(o));
        srv->start();
        port = srv->local_endpoint().port();
        thread = std::thread([this] { io.run(); });
    }
    ~harness() {
        net::post(io, [this] { srv->stop(); });
        thread.join();
    }
    // Runs `f` on the server's thread and waits for its result.
    template <class F> auto on_loop(F f) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto fut = task.get_future();
        net::post(io, [&task] { task(); });
        return fut.get();
    }
    std::size_t connections() {
        return on_loop([this] { return srv->connections(); });
    }

    net::io_context io;
    metrics::registry reg;
    fake_backend fake;
    std::unique_ptr<server> srv;
    unsigned short port = 0;
    std::thread thread;
};

// ---- a plain blocking client ----

class conn {
public:
    explicit conn(unsigned short port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval tv{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            throw std::runtime_error("connect failed");
        }
    }
    ~conn() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    conn(const conn&) = delete;
    bool send(const std::string& bytes) {
        std::size_t off = 0;
        while (off < bytes.size()) {
            auto n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            off += static_cast<std::size_t>(n);
        }
        return true;
    }
    // Everything until the peer closes (or 5 s pass). `closed` says whether it closed.
    std::string read_all(bool* closed = nullptr) {
        std::string out;
        std::array<char, 65536> buf;
        for (;;) {
            auto n = ::recv(fd_, buf.data(), buf.size(), 0);
            if (n > 0) {
                out.append(buf.data(), static_cast<std::size_t>(n));
                continue;
            }
            if (closed) {
                *closed = n == 0 || (n < 0 && errno == ECONNRESET);
            }
            return out;
        }
    }
    // Reads exactly one complete response (keep-alive: the connection stays open); bytes of
    // the next one are kept for the next call.
    std::string read_response() {
        std::array<char, 4096> buf;
        for (;;) {
            http::response_parser<http::string_body> p;
            p.eager(true);
            boost::beast::error_code ec;
            std::size_t used = 0;
            while (used < pending_.size() && !p.is_done()) {
                auto n = p.put(net::buffer(pending_.data() + used, pending_.size() - used), ec);
                used += n;
                if (ec || n == 0) {
                    break;
                }
            }
            if (p.is_done()) {
                auto one = pending_.substr(0, used);
                pending_.erase(0, used);
                return one;
            }
            auto n = ::recv(fd_, buf.data(), buf.size(), 0);
            if (n <= 0) {
                return std::exchange(pending_, {});
            }
            pending_.append(buf.data(), static_cast<std::size_t>(n));
        }
    }
    int fd() const { return fd_; }

private:
    int fd_ = -1;
    std::string pending_;
};

struct response {
    unsigned status = 0;
    std::string body;
    std::string content_type;
    std::string allow;
    std::string www_authenticate;
    std::string transfer_encoding;
    std::string connection;
    bool complete = false;
    std::string raw;
};

response parse(const std::string& raw) {
    response r;
    r.raw = raw;
    http::response_parser<http::string_body> p;
    p.eager(true);
    p.body_limit(1ull << 30);
    boost::beast::error_code ec;
    std::size_t used = 0;
    while (used < raw.size() && !p.is_done()) {
        used += p.put(net::buffer(raw.data() + used, raw.size() - used), ec);
        if (ec) {
            break;
        }
    }
    r.complete = p.is_done();
    if (!p.is_header_done()) {
        return r;
    }
    const auto& m = p.get();
    auto field = [&](http::field f) { return std::string(m[f]); };
    r.status = m.result_int();
    r.body = m.body();
    r.content_type = field(http::field::content_type);
    r.allow = field(http::field::allow);
    r.www_authenticate = field(http::field::www_authenticate);
    r.transfer_encoding = field(http::field::transfer_encoding);
    r.connection = field(http::field::connection);
    return r;
}

response exchange(unsigned short port, const std::string& method, const std::string& target,
                  const std::string& body = {}, const std::string& extra_headers = {}) {
    conn c(port);
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers +
                      "Connection: close\r\n";
    if (method == "POST" || !body.empty()) {
        req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    req += "\r\n" + body;
    c.send(req);
    return parse(c.read_all());
}

// ---- routes ----

TEST(control_api, health_is_ok_when_every_channel_airs) {
    harness h;
    auto r = exchange(h.port, "GET", "/api/v1/health");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.body, "{\"status\":\"ok\"}\n");
}

TEST(control_api, health_is_503_naming_the_channel_not_airing) {
    auto chans = two_channels();
    chans[1].airing = false;
    harness h({}, chans);
    auto r = exchange(h.port, "GET", "/api/v1/health");
    EXPECT_EQ(r.status, 503u);
    EXPECT_EQ(r.body, "{\"status\":\"degraded\",\"not_airing\":[\"police-radio\"]}\n");
}

TEST(control_api, channels_list_now_and_next_with_elapsed_and_remaining) {
    harness h;
    auto r = exchange(h.port, "GET", "/api/v1/channels");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body,
              "{\"channels\":["
              "{\"id\":\"police-tv\",\"name\":\"ໂທລະພາບ ປກສ — Police TV\",\"kind\":\"tv\","
              "\"airing\":true,"
              "\"now\":{\"start\":\"2026-12-01T06:58:00.000+07:00\","
              "\"end\":\"2026-12-01T06:58:30.000+07:00\",\"kind\":\"spot\","
              "\"media\":\"tip-lo-30\",\"title\":\"Stop trafficking\",\"campaign\":\"tip-2026\","
              "\"break\":\"hourly\",\"elapsed_ms\":5000,\"remaining_ms\":25000},"
              "\"next\":{\"start\":\"2026-12-01T06:58:30.000+07:00\","
              "\"end\":\"2026-12-01T06:58:50.000+07:00\",\"kind\":\"spot\","
              "\"media\":\"som-lo-20\",\"title\":\"Safe migration\",\"campaign\":\"tip-2026\","
              "\"break\":\"hourly\"}},"
              "{\"id\":\"police-radio\",\"name\":\"Police Radio\",\"kind\":\"radio\","
              "\"airing\":true,"
              "\"now\":{\"start\":\"2026-12-01T06:00:00.000+07:00\","
              "\"end\":\"2026-12-01T07:00:00.000+07:00\",\"kind\":\"programme\","
              "\"media\":\"talk-ep1\",\"title\":\"Morning talk\",\"campaign\":null,"
              "\"break\":null,\"elapsed_ms\":3485000,\"remaining_ms\":115000},"
              "\"next\":null}]}\n");
}

TEST(control_api, plan_passes_the_rundown_through_and_checks_the_date) {
    harness h;
    auto r = exchange(h.port, "GET", "/api/v1/channels/police-tv/plan?date=2026-12-01");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.body, "{\"channel\": \"police-tv\", \"items\": []}\n");
    EXPECT_EQ(h.fake.take_calls(), std::vector<std::string>{"plan police-tv 2026-12-01"});

    r = exchange(h.port, "GET", "/api/v1/channels/nope/plan?date=2026-12-01");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(r.body, "{\"error\":\"no channel 'nope'\"}\n");

    r = exchange(h.port, "GET", "/api/v1/channels/police-tv/plan");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.body, "{\"error\":\"parameter 'date' (YYYY-MM-DD) is required\"}\n");

    r = exchange(h.port, "GET", "/api/v1/channels/police-tv/plan?date=2026-02-30");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.body.rfind("{\"error\":\"parameter 'date': ", 0), 0u) << r.body;

    r = exchange(h.port, "GET", "/api/v1/channels/police-tv/plan?date=2026-12-01&x=1");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.body, "{\"error\":\"unknown parameter 'x'\"}\n");

    r = exchange(h.port, "GET", "/api/v1/channels/police-tv/plan?date=%zz");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.body, "{\"error\":\"malformed query string\"}\n");

    // An id outside [a-z0-9-] never reaches the backend.
    r = exchange(h.port, "GET", "/api/v1/channels/Police%20TV/plan?date=2026-12-01");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(h.fake.take_calls(), std::vector<std::string>{"plan nope 2026-12-01"});
}

TEST(control_api, asrun_csv_is_streamed_in_chunks) {
    harness h;
    auto r = exchange(h.port, "GET",
                      "/api/v1/asrun?channel=police-tv&from=2026-12-01&to=2026-12-01T12%3A00%3A00"
                      "%2B07%3A00&format=csv");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
    EXPECT_EQ(r.transfer_encoding, "chunked");
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.body, "channel,kind\npolice-tv,spot\npolice-tv,programme\n");
    // One chunk per piece, then the last chunk.
    EXPECT_NE(r.raw.find("\r\n\r\nd\r\nchannel,kind\n\r\nf\r\npolice-tv,spot\n\r\n"
                         "14\r\npolice-tv,programme\n\r\n0\r\n\r\n"),
              std::string::npos)
        << r.raw;
    EXPECT_EQ(h.fake.take_calls(),
              std::vector<std::string>{"asrun police-tv|2026-12-01|2026-12-01T12:00:00+07:00|csv"});
}

TEST(control_api, asrun_defaults_to_json_and_checks_parameters) {
    harness h;
    auto r = exchange(h.port, "GET", "/api/v1/asrun");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(h.fake.take_calls(), std::vector<std::string>{"asrun |||json"});

    r = exchange(h.port, "GET", "/api/v1/asrun?format=xml");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.body, "{\"error\":\"parameter 'format': expected json or csv, found 'xml'\"}\n");

    r = exchange(h.port, "GET", "/api/v1/asrun?from=yesterday");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.body, "{\"error\":\"parameter 'from': expected YYYY-MM-DD or ISO 8601\"}\n");
}

TEST(control_api, asrun_stream_follows_the_reader_not_the_log) {
    harness h;
    // 64 MiB in 1024 pieces: far more than the socket buffers hold.
    const std::string piece(64 * 1024, 'x');
    h.fake.asrun_pieces.assign(1024, piece);
    conn c(h.port);
    c.send("GET /api/v1/asrun?format=csv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    // Not reading: the server must stop pulling rows once the socket is full.
    int last = -1;
    for (int i = 0; i < 100 && h.fake.pulls.load() != last; ++i) {
        last = h.fake.pulls.load();
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_LT(h.fake.pulls.load(), 512) << "the whole export was pulled with nobody reading";
    auto r = parse(c.read_all());
    EXPECT_EQ(r.status, 200u);
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.body.size(), 1024u * piece.size());
    EXPECT_EQ(h.fake.pulls.load(), 1025);
}

TEST(control_api, asrun_read_error_breaks_the_stream_instead_of_ending_it) {
    harness h;
    {
        std::lock_guard lock(h.fake.m_);
        h.fake.throw_at = 2; // two pieces, then the store fails
    }
    conn c(h.port);
    c.send("GET /api/v1/asrun?format=csv HTTP/1.1\r\nHost: x\r\n\r\n");
    bool closed = false;
    auto r = parse(c.read_all(&closed));
    EXPECT_TRUE(closed);
    EXPECT_EQ(r.status, 200u);
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.raw.find("\r\n0\r\n\r\n"), std::string::npos);
}

TEST(control_api, reload_reports_success_or_the_diagnostics) {
    harness h;
    {
        std::lock_guard lock(h.fake.m_);
        h.fake.reload_answer.channels = {"police-tv", "police-radio"};
    }
    auto r = exchange(h.port, "POST", "/api/v1/reload");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, "{\"status\":\"reloaded\",\"channels\":[\"police-tv\",\"police-radio\"],"
                      "\"diagnostics\":[]}\n");

    {
        std::lock_guard lock(h.fake.m_);
        h.fake.reload_answer.channels.clear();
        h.fake.reload_answer.diagnostics = {
            {{"playlists/tv.yaml", 12, 5}, core::severity::error, "unknown media 'x'"},
            {{"playlists/tv.yaml", 3, 1}, core::severity::warning, "campaign never airs"},
        };
    }
    r = exchange(h.port, "POST", "/api/v1/reload");
    EXPECT_EQ(r.status, 422u);
    EXPECT_EQ(r.body,
              "{\"error\":\"the new configuration has errors; the old one stays on air\","
              "\"diagnostics\":["
              "{\"file\":\"playlists/tv.yaml\",\"line\":3,\"column\":1,\"severity\":\"warning\","
              "\"message\":\"campaign never airs\"},"
              "{\"file\":\"playlists/tv.yaml\",\"line\":12,\"column\":5,\"severity\":\"error\","
              "\"message\":\"unknown media 'x'\"}]}\n");
}

TEST(control_api, insert_queues_or_says_why_not) {
    harness h;
    auto r = exchange(h.port, "POST", "/api/v1/channels/police-tv/insert",
                      "{\"media\": \"tip-lo-30\"}", "Content-Type: application/json\r\n");
    EXPECT_EQ(r.status, 202u);
    EXPECT_EQ(r.body, "{\"status\":\"queued\",\"channel\":\"police-tv\",\"media\":\"tip-lo-30\","
                      "\"title\":\"Stop trafficking\",\"duration_ms\":30000,"
                      "\"start\":\"2026-12-01T06:58:30.000+07:00\"}\n");

    r = exchange(h.port, "POST", "/api/v1/channels/police-tv/insert", "{\"media\": \"nope\"}");
    EXPECT_EQ(r.status, 422u);
    EXPECT_EQ(r.body, "{\"error\":\"no media 'nope' in the schedule of police-tv\"}\n");

    r = exchange(h.port, "POST", "/api/v1/channels/other/insert", "{\"media\": \"tip-lo-30\"}");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(r.body, "{\"error\":\"no channel 'other'\"}\n");

    r = exchange(h.port, "POST", "/api/v1/channels/police-tv/insert", "{\"media\": ");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.body, "{\"error\":\"the body is not valid JSON\"}\n");

    for (const char* bad : {"{}", "[\"tip-lo-30\"]", "{\"media\": 7}", "{\"media\": \"\"}"}) {
        r = exchange(h.port, "POST", "/api/v1/channels/police-tv/insert", bad);
        EXPECT_EQ(r.status, 400u) << bad;
        EXPECT_EQ(r.body, "{\"error\":\"the body needs a field 'media' with a media id\"}\n");
    }
    r = exchange(h.port, "POST", "/api/v1/channels/police-tv/insert",
                 "{\"media\": \"tip-lo-30\", \"at\": \"now\"}");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.body, "{\"error\":\"unknown field 'at'\"}\n");

    // No Content-Length and not chunked: the body cannot be told from the next request.
    conn c(h.port);
    c.send("POST /api/v1/channels/police-tv/insert HTTP/1.1\r\nHost: x\r\nConnection: close"
           "\r\n\r\n");
    r = parse(c.read_all());
    EXPECT_EQ(r.status, 411u);
    EXPECT_EQ(h.fake.take_calls(),
              (std::vector<std::string>{"insert police-tv tip-lo-30", "insert police-tv nope",
                                        "insert other tip-lo-30"}));
}

TEST(control_api, skip_ends_the_current_item) {
    harness h;
    auto r = exchange(h.port, "POST", "/api/v1/channels/police-tv/skip");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, "{\"status\":\"skipped\",\"channel\":\"police-tv\",\"media\":\"tip-lo-30\","
                      "\"title\":\"Stop trafficking\"}\n");
    r = exchange(h.port, "POST", "/api/v1/channels/police-radio/skip");
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(r.body, "{\"error\":\"no channel 'police-radio'\"}\n");
}

TEST(control_api, metrics_render_the_registry_after_a_refresh) {
    harness h;
    auto r = exchange(h.port, "GET", "/metrics");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(r.body, "# HELP onair_channel_on_air 1 while airing\n"
                      "# TYPE onair_channel_on_air gauge\n"
                      "onair_channel_on_air{channel=\"police-tv\"} 1\n");
    EXPECT_EQ(h.fake.take_calls(), std::vector<std::string>{"refresh_metrics"});
}

TEST(control_api, unknown_routes_are_404_and_wrong_methods_405_with_allow) {
    harness h;
    for (const char* target : {"/", "/api/v1", "/api/v1/", "/api/v1/channels/", "/api/v2/health",
                               "/api/v1/channels/police-tv", "/api/v1/channels/police-tv/x",
                               "/api/v1/health/x", "/metricsx"}) {
        auto r = exchange(h.port, "GET", target);
        EXPECT_EQ(r.status, 404u) << target;
        EXPECT_EQ(r.body.rfind("{\"error\":\"no such route: ", 0), 0u) << r.body;
    }
    auto r = exchange(h.port, "GET", "/api/v1/reload");
    EXPECT_EQ(r.status, 405u);
    EXPECT_EQ(r.allow, "POST");
    EXPECT_EQ(r.body, "{\"error\":\"method GET is not allowed on /api/v1/reload; use POST\"}\n");
    r = exchange(h.port, "POST", "/api/v1/health");
    EXPECT_EQ(r.status, 405u);
    EXPECT_EQ(r.allow, "GET");
    r = exchange(h.port, "DELETE", "/metrics");
    EXPECT_EQ(r.status, 405u);
    EXPECT_EQ(r.allow, "GET");
    EXPECT_TRUE(h.fake.take_calls().empty());
}

TEST(control_api, a_throwing_backend_gives_500_not_a_crash) {
    harness h;
    {
        std::lock_guard lock(h.fake.m_);
        h.fake.throw_in_channels = true;
    }
    auto r = exchange(h.port, "GET", "/api/v1/channels");
    EXPECT_EQ(r.status, 500u);
    EXPECT_EQ(r.body, "{\"error\":\"internal error: boom\"}\n");
    {
        std::lock_guard lock(h.fake.m_);
        h.fake.throw_in_channels = false;
    }
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/health").status, 200u);
}

// ---- the token ----

TEST(control_api, posts_need_the_bearer_token_gets_do_not) {
    server_options o;
    o.token = "s3cret-token";
    harness h(o);
    auto r = exchange(h.port, "POST", "/api/v1/reload");
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(r.www_authenticate, "Bearer realm=\"onair\"");
    EXPECT_EQ(r.body, "{\"error\":\"this route needs the header: Authorization: Bearer "
                      "<token>\"}\n");
    for (const char* wrong : {"Bearer s3cret-toke", "Bearer s3cret-token2", "Basic s3cret-token",
                              "s3cret-token", "Bearer "}) {
        r = exchange(h.port, "POST", "/api/v1/channels/police-tv/skip", "",
                     std::string("Authorization: ") + wrong + "\r\n");
        EXPECT_EQ(r.status, 401u) << wrong;
    }
    EXPECT_TRUE(h.fake.take_calls().empty());
    r = exchange(h.port, "POST", "/api/v1/channels/police-tv/skip", "",
                 "Authorization: Bearer s3cret-token\r\n");
    EXPECT_EQ(r.status, 200u);
    r = exchange(h.port, "POST", "/api/v1/reload", "", "Authorization: bearer  s3cret-token \r\n");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/health").status, 200u);
    EXPECT_EQ(h.fake.take_calls(), (std::vector<std::string>{"skip police-tv", "reload"}));
}

TEST(control_api, token_file_is_trimmed_and_must_hold_a_token) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("onair-control-token-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "token") << "  abc123\n\n";
    std::ofstream(dir / "empty") << " \n";
    EXPECT_EQ(read_token_file(dir / "token"), "abc123");
    EXPECT_THROW(read_token_file(dir / "empty"), std::runtime_error);
    EXPECT_THROW(read_token_file(dir / "missing"), std::runtime_error);
    schedule::control c;
    c.listen_host = "::1";
    c.listen_port = 9000;
    c.token_file = dir / "token";
    auto o = options_from(c);
    EXPECT_EQ(o.host, "::1");
    EXPECT_EQ(o.port, 9000);
    EXPECT_EQ(o.token, std::optional<std::string>("abc123"));
    std::filesystem::remove_all(dir);
    EXPECT_TRUE(same_secret("abc", "abc"));
    EXPECT_FALSE(same_secret("abc", "abd"));
    EXPECT_FALSE(same_secret("abc", "abcd"));
    EXPECT_FALSE(same_secret("", "a"));
}

// ---- limits and hostile clients ----

TEST(control_api, oversized_body_is_413) {
    harness h;
    const std::string body(64 * 1024 + 1, 'a');
    auto r = exchange(h.port, "POST", "/api/v1/channels/police-tv/insert", body);
    EXPECT_EQ(r.status, 413u);
    EXPECT_EQ(r.body, "{\"error\":\"request body larger than 65536 bytes\"}\n");
    EXPECT_EQ(r.connection, "close");
    // Exactly at the limit is read (and then judged as JSON).
    r = exchange(h.port, "POST", "/api/v1/channels/police-tv/insert", std::string(64 * 1024, ' '));
    EXPECT_EQ(r.status, 400u);
    EXPECT_TRUE(h.fake.take_calls().empty());
}

TEST(control_api, oversized_header_is_431) {
    harness h;
    auto r =
        exchange(h.port, "GET", "/api/v1/health", "", "X-Junk: " + std::string(9000, 'j') + "\r\n");
    EXPECT_EQ(r.status, 431u);
    EXPECT_EQ(r.body, "{\"error\":\"request header larger than 8192 bytes\"}\n");
}

TEST(control_api, garbage_gets_400_and_a_closed_connection) {
    harness h;
    for (std::string junk :
         {std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),
          std::string("GET /api/v1/health HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
          std::string("\r\n\r\n\r\n"), std::string("hello\0world\r\n\r\n", 16)}) {
        conn c(h.port);
        c.send(junk);
        bool closed = false;
        auto r = parse(c.read_all(&closed));
        EXPECT_TRUE(closed);
        EXPECT_EQ(r.status, 400u) << junk;
        EXPECT_EQ(r.body, "{\"error\":\"malformed HTTP request\"}\n");
    }
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/health").status, 200u);
}

TEST(control_api, slow_clients_are_dropped_at_the_read_timeout) {
    server_options o;
    o.limits.read_timeout = 300ms;
    harness h(o);
    conn c(h.port);
    const auto began = std::chrono::steady_clock::now();
    // A header that never ends, one byte every 50 ms: each byte alone would reset a
    // per-read timer, a whole-request deadline still fires.
    c.send("GET /api/v1/health HTTP/1.1\r\nX-Slow: ");
    bool open = true;
    for (int i = 0; i < 100 && open; ++i) {
        std::this_thread::sleep_for(50ms);
        open = c.send("a");
    }
    bool closed = false;
    const auto rest = c.read_all(&closed);
    EXPECT_TRUE(closed);
    EXPECT_EQ(rest, "");
    EXPECT_LT(std::chrono::steady_clock::now() - began, 4s);
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/health").status, 200u);
}

TEST(control_api, connections_beyond_the_limit_get_503_and_are_closed) {
    server_options o;
    o.limits.max_connections = 3;
    harness h(o);
    std::vector<std::unique_ptr<conn>> idle;
    for (int i = 0; i < 3; ++i) {
        idle.push_back(std::make_unique<conn>(h.port));
    }
    for (int i = 0; i < 100 && h.connections() < 3; ++i) {
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_EQ(h.connections(), 3u);
    {
        conn extra(h.port);
        bool closed = false;
        auto r = parse(extra.read_all(&closed));
        EXPECT_TRUE(closed);
        EXPECT_EQ(r.status, 503u);
        EXPECT_EQ(r.body, "{\"error\":\"too many connections\"}\n");
    }
    idle.pop_back();
    for (int i = 0; i < 100 && h.connections() > 2; ++i) {
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/health").status, 200u);
}

TEST(control_api, keep_alive_serves_several_requests_on_one_connection) {
    harness h;
    conn c(h.port);
    // Two pipelined, then a third after the answers.
    c.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
           "POST /api/v1/channels/police-tv/insert HTTP/1.1\r\nHost: x\r\nContent-Length: 21\r\n"
           "\r\n{\"media\":\"tip-lo-30\"}");
    auto r1 = parse(c.read_response());
    EXPECT_EQ(r1.status, 200u);
    EXPECT_TRUE(r1.complete);
    auto r2 = parse(c.read_response());
    EXPECT_EQ(r2.status, 202u);
    EXPECT_TRUE(r2.complete);
    c.send("GET /api/v1/channels/police-tv/plan?date=2026-12-02 HTTP/1.1\r\nHost: x\r\n"
           "Connection: close\r\n\r\n");
    bool closed = false;
    auto r3 = parse(c.read_all(&closed));
    EXPECT_EQ(r3.status, 200u);
    EXPECT_TRUE(closed);
    EXPECT_EQ(h.fake.take_calls(), (std::vector<std::string>{"insert police-tv tip-lo-30",
                                                             "plan police-tv 2026-12-02"}));
}

TEST(control_api, stop_closes_open_connections) {
    harness h;
    conn c(h.port);
    for (int i = 0; i < 100 && h.connections() < 1; ++i) {
        std::this_thread::sleep_for(10ms);
    }
    h.on_loop([&] {
        h.srv->stop();
        return 0;
    });
    bool closed = false;
    c.read_all(&closed);
    EXPECT_TRUE(closed);
}

TEST(control_api, listening_on_a_taken_port_throws_naming_it) {
    harness h;
    net::io_context io;
    metrics::registry reg;
    fake_backend fb;
    server_options o;
    o.port = h.port;
    server second(io, fb, reg, o);
    try {
        second.start();
        FAIL() << "bound twice";
    } catch (const std::system_error& e) {
        EXPECT_NE(
            std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(h.port)),
            std::string::npos)
            << e.what();
    }
}

// ---- onair status against the server ----

struct temp_dir {
    temp_dir() {
        path = std::filesystem::temp_directory_path() /
               ("onair-status-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path);
    }
    ~temp_dir() { std::filesystem::remove_all(path); }
    std::filesystem::path path;
    static inline int counter = 0;
};

std::filesystem::path write_config(const temp_dir& d, unsigned short port) {
    const auto file = d.path / "onair.yaml";
    std::ofstream(file) << "station: Test\nstate_dir: .\ncontrol:\n  listen: 127.0.0.1:" << port
                        << "\nchannels:\n"
                           "  - id: police-tv\n    name: Police TV\n    kind: tv\n"
                           "    timezone: Asia/Vientiane\n"
                           "    video: {width: 320, height: 240, framerate: 25}\n"
                           "    audio: {rate: 48000, channels: 2}\n"
                           "    schedule: tv.yaml\n    filler: {type: black}\n"
                           "    outputs: [{type: null}]\n";
    return file;
}

// Runs the binary, returns exit status; stdout and stderr into the strings.
int run_onair(const std::string& args, std::string& out, std::string& err, const temp_dir& d) {
    const auto out_file = d.path / "stdout", err_file = d.path / "stderr";
    const std::string cmd = std::string(ONAIR_BINARY) + " " + args + " >" + out_file.string() +
                            " 2>" + err_file.string();
    const int rc = std::system(cmd.c_str());
    auto slurp = [](const std::filesystem::path& p) {
        std::ifstream in(p);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    out = slurp(out_file);
    err = slurp(err_file);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(onair_status, prints_now_and_next_per_channel) {
    auto chans = two_channels();
    chans[0].name = "Police TV";
    chans[1].airing = false;
    harness h({}, chans);
    temp_dir d;
    const auto cfg = write_config(d, h.port);
    std::string out, err;
    EXPECT_EQ(run_onair("status --config " + cfg.string(), out, err, d), 0) << err;
    EXPECT_EQ(err, "");
    EXPECT_EQ(out,
              "CHANNEL       STATE   KIND       MEDIA      FROM      UNTIL     LEFT      TITLE\n"
              "police-tv     on air  spot       tip-lo-30  06:58:00  06:58:30  00:00:25  Stop "
              "trafficking\n"
              "              next    spot       som-lo-20  06:58:30  06:58:50            Safe "
              "migration\n"
              "police-radio  DOWN    programme  talk-ep1   06:00:00  07:00:00  00:01:55  Morning "
              "talk\n");
}

TEST(onair_status, says_when_the_daemon_cannot_be_reached) {
    unsigned short port = 0;
    {
        // A port that was free a moment ago and has nobody listening now.
        harness h;
        port = h.port;
    }
    temp_dir d;
    const auto cfg = write_config(d, port);
    std::string out, err;
    EXPECT_EQ(run_onair("status --config " + cfg.string(), out, err, d), 1);
    EXPECT_EQ(out, "");
    EXPECT_EQ(err, "onair status: cannot reach onair at 127.0.0.1:" + std::to_string(port) +
                       ": connection refused\n");
}

} // namespace
} // namespace onair::control
