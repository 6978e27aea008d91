// The HTTP API over real sockets on 127.0.0.1 (ephemeral ports), against a fake backend: every
// route, every error, the limits (size, time, connections), chunked streaming with
// back-pressure, the token, and `onair status` against it. The server runs on its own
// io_context thread, as in the daemon; the test thread is the client, with plain sockets.
#include "control/api.hpp"
#include "control/backend.hpp"
#include "control/event_hub.hpp"
#include "control/metrics.hpp"
#include "control/server.hpp"

#include <boost/asio/executor_work_guard.hpp>
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
#include <sstream>
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
    void next(std::function<void(asrun_piece)> done) override {
        const int n = pulls_ ? ++*pulls_ : 0;
        if (throw_at_ >= 0 && n > throw_at_) {
            throw std::runtime_error("disk on fire");
        }
        asrun_piece p;
        if (i_ < pieces_.size()) {
            p.text = pieces_[i_++];
            p.more = true;
        }
        done(std::move(p));
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
    health_info health() override {
        std::lock_guard lock(m_);
        if (health_answer) {
            return *health_answer;
        }
        health_info h;
        for (const auto& c : chans) {
            if (!c.airing) {
                h.not_airing.push_back(c.id);
            }
        }
        h.ok = h.not_airing.empty();
        return h;
    }
    outcome<std::string> plan_now(const std::string& channel, core::local_days day) {
        std::lock_guard lock(m_);
        calls.push_back("plan " + channel + " " + core::format_date(day));
        if (channel != "police-tv") {
            return failure{404, "no channel '" + channel + "'"};
        }
        return std::string("{\"channel\": \"police-tv\", \"items\": []}\n");
    }
    void plan_json(const std::string& channel, core::local_days day,
                   completion<outcome<std::string>> done) override {
        auto out = plan_now(channel, day);
        std::lock_guard lock(m_);
        if (hold_completions) {
            held.push_back(
                [done = std::move(done), out = std::move(out)]() mutable { done(std::move(out)); });
            return;
        }
        done(std::move(out));
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
    void reload(completion<outcome<reload_result>> done) override {
        std::unique_lock lock(m_);
        calls.push_back("reload");
        if (throw_in_reload) {
            throw std::runtime_error("reload exploded");
        }
        outcome<reload_result> out = reload_answer;
        if (hold_completions) {
            held.push_back(
                [done = std::move(done), out = std::move(out)]() mutable { done(std::move(out)); });
            return;
        }
        lock.unlock();
        done(std::move(out));
    }
    // Runs the completions held back, as the service posts them: on the loop thread.
    std::size_t release_held() {
        std::vector<std::function<void()>> now;
        {
            std::lock_guard lock(m_);
            now = std::exchange(held, {});
        }
        for (auto& f : now) {
            f();
        }
        return now.size();
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
    outcome<std::shared_ptr<const std::string>> preview(const std::string& channel) override {
        if (channel == "police-tv") {
            return std::make_shared<const std::string>("\xff\xd8 a jpeg");
        }
        if (channel == "police-radio") {
            return std::shared_ptr<const std::string>();
        }
        return failure{404, "no channel '" + channel + "'"};
    }
    void verify(completion<outcome<std::string>> done) override {
        done(std::string("{\"ok\":true,\"rows\":3,\"head\":\"abc\"}\n"));
    }
    void report(const report_query& q, completion<outcome<report_answer>> done) override {
        calls.push_back("report " + q.campaign.value_or("") + "|" + q.channel.value_or("") + "|" +
                        (q.from ? core::format_date(*q.from) : "") + "|" +
                        (q.to ? core::format_date(*q.to) : "") + "|" + q.format + "|" +
                        (q.verify ? "verify" : "no-verify"));
        if (q.campaign == std::optional<std::string>("nope")) {
            return done(failure{400, "no schedule has campaign 'nope'"});
        }
        done(report_answer{"text/html; charset=utf-8", "<!DOCTYPE html>", "onair-report.html"});
    }
    outcome<std::vector<media_info>> media(const std::string& channel) override {
        if (channel != "police-tv") {
            return failure{404, "no channel '" + channel + "'"};
        }
        return std::vector<media_info>{{"som-lo-20", "Safe migration", 20s},
                                       {"tip-lo-30", "ຢຸດຕິການຄ້າມະນຸດ", 30s},
                                       {"unprobed", "Not probed yet", std::nullopt}};
    }
    outcome<std::unique_ptr<asrun_cursor>> events() override {
        if (!hub) {
            return failure{503, "the event stream is not available"};
        }
        return hub->subscribe();
    }
    event_hub* hub = nullptr; // set on the loop

    std::vector<std::string> take_calls() {
        std::lock_guard lock(m_);
        return std::exchange(calls, {});
    }

    // Set before the server thread starts (or between requests, under the lock).
    std::vector<channel_info> chans;
    std::vector<std::string> asrun_pieces;
    int throw_at = -1;
    bool throw_in_channels = false;
    bool throw_in_reload = false;
    bool hold_completions = false;
    std::vector<std::function<void()>> held;
    std::optional<health_info> health_answer;
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
    tv.outputs = {{"udp 127.0.0.1:5000", "udp", "up", 0, ""},
                  {"rtmp rtmp://live:key@127.0.0.1/app", "rtmp", "retrying", 2,
                   "connection refused by rtmp://live:key@127.0.0.1/app"}};
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
    explicit harness(server_options o = {}, std::vector<channel_info> chans = two_channels())
        : station(station_reg) {
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
        srv = std::make_unique<server>(io, fake, reg, std::move(o), log, &station);
        srv->start();
        port = srv->local_endpoint().port();
        thread = std::thread([this] { io.run(); });
    }
    ~harness() {
        net::post(io, [this] { srv->stop(); });
        work.reset();
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
    std::string logged() {
        return on_loop([this] { return log_text.str(); });
    }
    std::string station_metrics_text() {
        return on_loop([this] { return station_reg.render(); });
    }

    net::io_context io;
    // The loop runs until the harness goes, even with nothing to do (a test that stops the
    // server still asks the loop for things afterwards).
    net::executor_work_guard<net::io_context::executor_type> work{io.get_executor()};
    metrics::registry reg;
    std::ostringstream log_text;
    core::logger log{log_text};
    metrics::registry station_reg; // apart from `reg`, whose /metrics body tests pin
    metrics::station_metrics station;
    fake_backend fake;
    std::unique_ptr<server> srv;
    unsigned short port = 0;
    std::thread thread;
};

// A port that was free a moment ago and has nobody listening now.
unsigned short closed_port() {
    harness h;
    return h.port;
}

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
    std::string req = method + " " + target + " HTTP/1.1\r\n";
    if (extra_headers.find("Host:") == std::string::npos) {
        req += "Host: localhost:" + std::to_string(port) + "\r\n";
    }
    req += extra_headers + "Connection: close\r\n";
    if (method == "POST" && extra_headers.find("Content-Type:") == std::string::npos) {
        req += "Content-Type: application/json\r\n";
    }
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
    EXPECT_EQ(r.body, "{\"status\":\"degraded\",\"not_airing\":[\"police-radio\"],"
                      "\"degraded\":[]}\n");
}

TEST(control_api, channels_list_now_and_next_with_elapsed_and_remaining) {
    harness h;
    auto r = exchange(h.port, "GET", "/api/v1/channels");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body,
              "{\"station\":\"\",\"national\":false,\"channels\":["
              "{\"id\":\"police-tv\",\"name\":\"ໂທລະພາບ ປກສ — Police TV\",\"kind\":\"tv\","
              "\"airing\":true,"
              "\"now\":{\"start\":\"2026-12-01T06:58:00.000+07:00\","
              "\"end\":\"2026-12-01T06:58:30.000+07:00\",\"kind\":\"spot\","
              "\"media\":\"tip-lo-30\",\"title\":\"Stop trafficking\",\"campaign\":\"tip-2026\","
              "\"break\":\"hourly\",\"elapsed_ms\":5000,\"remaining_ms\":25000},"
              "\"next\":{\"start\":\"2026-12-01T06:58:30.000+07:00\","
              "\"end\":\"2026-12-01T06:58:50.000+07:00\",\"kind\":\"spot\","
              "\"media\":\"som-lo-20\",\"title\":\"Safe migration\",\"campaign\":\"tip-2026\","
              "\"break\":\"hourly\"},"
              "\"outputs\":[{\"name\":\"udp 127.0.0.1:5000\",\"type\":\"udp\",\"state\":\"up\","
              "\"reconnects\":0,\"last_error\":null},"
              "{\"name\":\"rtmp rtmp://***@127.0.0.1/***\",\"type\":\"rtmp\","
              "\"state\":\"retrying\",\"reconnects\":2,"
              "\"last_error\":\"connection refused by rtmp://***@127.0.0.1/***\"}],"
              "\"down_reason\":null,\"timezone\":\"Asia/Vientiane\",\"utc_offset_minutes\":420},"
              "{\"id\":\"police-radio\",\"name\":\"Police Radio\",\"kind\":\"radio\","
              "\"airing\":true,"
              "\"now\":{\"start\":\"2026-12-01T06:00:00.000+07:00\","
              "\"end\":\"2026-12-01T07:00:00.000+07:00\",\"kind\":\"programme\","
              "\"media\":\"talk-ep1\",\"title\":\"Morning talk\",\"campaign\":null,"
              "\"break\":null,\"elapsed_ms\":3485000,\"remaining_ms\":115000},"
              "\"next\":null,\"outputs\":[],\"down_reason\":null,"
              "\"timezone\":\"Asia/Vientiane\",\"utc_offset_minutes\":420}]}\n");
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
    c.send("GET /api/v1/asrun?format=csv HTTP/1.1\r\nHost: localhost:" + std::to_string(h.port) +
           "\r\nConnection: close\r\n\r\n");
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
    c.send("GET /api/v1/asrun?format=csv HTTP/1.1\r\nHost: localhost:" + std::to_string(h.port) +
           "\r\n\r\n");
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
    c.send("POST /api/v1/channels/police-tv/insert HTTP/1.1\r\nHost: localhost:" +
           std::to_string(h.port) +
           "\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
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
    // (/ and /static/ are the console's)
    for (const char* target : {"/index.html", "/api/v1", "/api/v1/", "/api/v1/channels/",
                               "/api/v2/health", "/api/v1/channels/police-tv",
                               "/api/v1/channels/police-tv/x", "/api/v1/health/x", "/metricsx"}) {
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
    c.send("GET /api/v1/health HTTP/1.1\r\nHost: localhost:" + std::to_string(h.port) +
           "\r\n\r\n"
           "POST /api/v1/channels/police-tv/insert HTTP/1.1\r\nHost: localhost:" +
           std::to_string(h.port) +
           "\r\nContent-Length: 21\r\n"
           "Content-Type: application/json\r\n"
           "\r\n{\"media\":\"tip-lo-30\"}");
    auto r1 = parse(c.read_response());
    EXPECT_EQ(r1.status, 200u);
    EXPECT_TRUE(r1.complete);
    auto r2 = parse(c.read_response());
    EXPECT_EQ(r2.status, 202u);
    EXPECT_TRUE(r2.complete);
    c.send("GET /api/v1/channels/police-tv/plan?date=2026-12-02 HTTP/1.1\r\nHost: localhost:" +
           std::to_string(h.port) +
           "\r\n"
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

// ---- binding ----

// A listening socket on 127.0.0.1 holding a port; 0 picks a free one.
class port_holder {
public:
    explicit port_holder(unsigned short port = 0) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 4) != 0) {
            throw std::runtime_error("cannot hold the port");
        }
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
    }
    ~port_holder() { release(); }
    void release() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    unsigned short port() const { return port_; }

private:
    int fd_ = -1;
    unsigned short port_ = 0;
};

// Polls `f` on the test thread for up to 5 s.
template <class F> bool eventually(F f) {
    for (int i = 0; i < 500; ++i) {
        if (f()) {
            return true;
        }
        std::this_thread::sleep_for(10ms);
    }
    return f();
}

TEST(control_api, a_taken_port_is_retried_until_it_is_free) {
    port_holder taken;
    net::io_context io;
    metrics::registry reg;
    fake_backend fb;
    fb.chans = two_channels();
    std::ostringstream log_text;
    core::logger log{log_text};
    server_options o;
    o.port = taken.port();
    o.bind_retry_first = 20ms;
    o.bind_retry_max = 40ms;
    server srv(io, fb, reg, o, log);
    srv.start(); // does not throw
    EXPECT_FALSE(srv.listening());
    EXPECT_EQ(srv.local_endpoint().port(), 0);
    // Three attempts (20, 40, 40 ms apart) while the port is held.
    io.run_for(120ms);
    EXPECT_FALSE(srv.listening());
    const auto where = "listen=127.0.0.1:" + std::to_string(taken.port());
    const std::string first = log_text.str();
    EXPECT_NE(first.find("warning: api cannot listen, retrying " + where +
                         " step=bind error=\"Address already in use\" retry_in_ms=20\n"),
              std::string::npos)
        << first;
    EXPECT_NE(first.find("retry_in_ms=40\n"), std::string::npos) << first;
    taken.release();
    for (int i = 0; i < 100 && !srv.listening(); ++i) {
        io.run_for(10ms);
    }
    ASSERT_TRUE(srv.listening());
    EXPECT_EQ(srv.local_endpoint().port(), o.port);
    EXPECT_NE(log_text.str().find("api listening " + where + "\n"), std::string::npos);
    std::thread t([&] { io.run_for(2s); });
    auto r = exchange(o.port, "GET", "/api/v1/health");
    EXPECT_EQ(r.status, 200u);
    net::post(io, [&] { srv.stop(); });
    t.join();
}

TEST(control_api, reconfigure_moves_the_listener_and_changes_the_token_at_once) {
    server_options o;
    o.token = "old-token";
    harness h(o);
    const auto old_port = h.port;
    auto posted = [&](unsigned short port, const std::string& token) {
        return exchange(port, "POST", "/api/v1/channels/police-tv/skip", "",
                        "Authorization: Bearer " + token + "\r\n")
            .status;
    };
    EXPECT_EQ(posted(old_port, "old-token"), 200u);
    // The token alone: same listener, and a keep-alive connection sees the change.
    conn c(old_port);
    c.send("GET /api/v1/health HTTP/1.1\r\nHost: localhost:" + std::to_string(old_port) +
           "\r\n\r\n");
    EXPECT_EQ(parse(c.read_response()).status, 200u);
    server_options changed;
    changed.host = "127.0.0.1";
    changed.port = 0;
    changed.token = "new-token";
    changed.read_token = true;
    h.on_loop([&] {
        h.srv->reconfigure(changed);
        return 0;
    });
    EXPECT_EQ(h.on_loop([&] { return h.srv->local_endpoint().port(); }), old_port);
    c.send("GET /api/v1/channels HTTP/1.1\r\nHost: localhost:" + std::to_string(old_port) +
           "\r\n\r\n");
    EXPECT_EQ(parse(c.read_response()).status, 401u); // read_token now
    EXPECT_EQ(posted(old_port, "old-token"), 401u);
    EXPECT_EQ(posted(old_port, "new-token"), 200u);

    // A new port: the old one is closed, the new one serves; the open connection finishes.
    unsigned short fresh = 0;
    {
        port_holder probe;
        fresh = probe.port();
    }
    changed.port = fresh;
    h.on_loop([&] {
        h.srv->reconfigure(changed);
        return 0;
    });
    EXPECT_TRUE(h.on_loop([&] { return h.srv->listening(); }));
    EXPECT_EQ(posted(fresh, "new-token"), 200u);
    EXPECT_THROW(conn{old_port}, std::runtime_error);
    // (Requests on it are judged by the new settings: the Host must name the new port.)
    c.send("GET /api/v1/health HTTP/1.1\r\nHost: localhost:" + std::to_string(fresh) +
           "\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(parse(c.read_all()).status, 200u);
    // The Host check follows the new port.
    EXPECT_EQ(exchange(fresh, "GET", "/api/v1/health", "",
                       "Host: localhost:" + std::to_string(old_port) + "\r\n")
                  .status,
              421u);
}

// ---- safe on a station PC ----

TEST(control_api, host_must_name_the_listen_address) {
    harness h;
    const auto p = std::to_string(h.port);
    for (const std::string& good : std::vector<std::string>{"localhost:" + p, "127.0.0.1:" + p,
                                                            "[::1]:" + p, "LOCALHOST:" + p}) {
        EXPECT_EQ(exchange(h.port, "GET", "/api/v1/health", "", "Host: " + good + "\r\n").status,
                  200u)
            << good;
    }
    for (const std::string& bad :
         std::vector<std::string>{"evil.example:" + p, "evil.example", "localhost", "localhost:1",
                                  "127.0.0.2:" + p, "[::1]", "localhost:" + p + "x", "[::1:" + p}) {
        auto r = exchange(h.port, "POST", "/api/v1/reload", "", "Host: " + bad + "\r\n");
        EXPECT_EQ(r.status, 421u) << bad;
        EXPECT_EQ(r.body, "{\"error\":\"the Host header '" + bad +
                              "' does not name this server; use 127.0.0.1:" + p + "\"}\n");
    }
    // No Host at all is not a browser: served.
    conn c(h.port);
    c.send("GET /api/v1/health HTTP/1.0\r\n\r\n");
    EXPECT_EQ(parse(c.read_all()).status, 200u);
    EXPECT_TRUE(h.fake.take_calls().empty());
}

TEST(control_api, a_wildcard_listener_takes_any_host_only_with_a_token) {
    server_options o;
    harness open_one(o);
    // The harness listens on 127.0.0.1: reconfigure to 0.0.0.0 on a fresh port.
    unsigned short fresh = 0;
    {
        port_holder probe;
        fresh = probe.port();
    }
    server_options wild;
    wild.host = "0.0.0.0";
    wild.port = fresh;
    open_one.on_loop([&] {
        open_one.srv->reconfigure(wild);
        return 0;
    });
    ASSERT_TRUE(open_one.on_loop([&] { return open_one.srv->listening(); }));
    const auto p = std::to_string(fresh);
    EXPECT_EQ(exchange(fresh, "GET", "/api/v1/health", "", "Host: localhost:" + p + "\r\n").status,
              200u);
    EXPECT_EQ(
        exchange(fresh, "GET", "/api/v1/health", "", "Host: station.lan:" + p + "\r\n").status,
        421u);
    wild.token = "t0k";
    open_one.on_loop([&] {
        open_one.srv->reconfigure(wild);
        return 0;
    });
    EXPECT_EQ(
        exchange(fresh, "GET", "/api/v1/health", "", "Host: station.lan:" + p + "\r\n").status,
        200u);
    EXPECT_EQ(exchange(fresh, "GET", "/api/v1/health", "", "Host: station.lan:1\r\n").status, 421u);
}

TEST(control_api, posts_refuse_a_foreign_origin_and_need_json) {
    harness h;
    const auto p = std::to_string(h.port);
    // The attack of the issue: a page elsewhere posts text/plain.
    auto r =
        exchange(h.port, "POST", "/api/v1/channels/police-tv/insert", "{\"media\":\"tip-lo-30\"}",
                 "Origin: https://evil.example\r\nContent-Type: text/plain\r\n");
    EXPECT_EQ(r.status, 403u);
    EXPECT_EQ(r.body,
              "{\"error\":\"cross-origin request refused (Origin: https://evil.example)\"}\n");
    for (const std::string& origin : std::vector<std::string>{
             "null", "http://localhost:1", "https://localhost:" + p, "http://evil.example"}) {
        r = exchange(h.port, "POST", "/api/v1/reload", "", "Origin: " + origin + "\r\n");
        EXPECT_EQ(r.status, 403u) << origin;
    }
    // Same origin (a page served from the API's own address) is fine.
    r = exchange(h.port, "POST", "/api/v1/channels/police-tv/skip", "",
                 "Origin: http://localhost:" + p + "\r\n");
    EXPECT_EQ(r.status, 200u);
    // GETs are not refused for an Origin (the browser will not let the page read the answer).
    r = exchange(h.port, "GET", "/api/v1/channels", "", "Origin: https://evil.example\r\n");
    EXPECT_EQ(r.status, 200u);

    for (const std::string& type :
         std::vector<std::string>{"text/plain", "application/x-www-form-urlencoded",
                                  "multipart/form-data; boundary=x", "application/jsonx"}) {
        r = exchange(h.port, "POST", "/api/v1/channels/police-tv/insert",
                     "{\"media\":\"tip-lo-30\"}", "Content-Type: " + type + "\r\n");
        EXPECT_EQ(r.status, 415u) << type;
        EXPECT_EQ(r.body, "{\"error\":\"a POST needs the header Content-Type: application/json, "
                          "found '" +
                              type + "'\"}\n");
    }
    conn c(h.port);
    c.send("POST /api/v1/reload HTTP/1.1\r\nHost: localhost:" + p +
           "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    r = parse(c.read_all());
    EXPECT_EQ(r.status, 415u);
    EXPECT_EQ(r.body, "{\"error\":\"a POST needs the header Content-Type: application/json\"}\n");
    r = exchange(h.port, "POST", "/api/v1/channels/police-tv/insert", "{\"media\":\"tip-lo-30\"}",
                 "Content-Type: Application/JSON; charset=utf-8\r\n");
    EXPECT_EQ(r.status, 202u);
    EXPECT_EQ(h.fake.take_calls(),
              (std::vector<std::string>{"skip police-tv", "insert police-tv tip-lo-30"}));
}

TEST(control_api, read_token_guards_every_get_but_health) {
    server_options o;
    o.token = "s3cret";
    o.read_token = true;
    harness h(o);
    for (const char* target :
         {"/api/v1/channels", "/api/v1/channels/police-tv/plan?date=2026-12-01", "/api/v1/asrun",
          "/metrics"}) {
        auto r = exchange(h.port, "GET", target);
        EXPECT_EQ(r.status, 401u) << target;
        EXPECT_EQ(r.www_authenticate, "Bearer realm=\"onair\"");
        EXPECT_EQ(exchange(h.port, "GET", target, "", "Authorization: Bearer s3cret\r\n").status,
                  200u)
            << target;
    }
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/health").status, 200u);
}

// ---- idempotency ----

TEST(control_api, a_repeated_idempotency_key_gets_the_first_reply_without_a_second_call) {
    std::atomic<long long> now_ms{at("2026-12-01T06:58:05").time_since_epoch().count()};
    server_options o;
    o.now = [&] { return core::instant(std::chrono::milliseconds(now_ms.load())); };
    harness h(o);
    const std::string key = "Idempotency-Key: 6f1c-01\r\n";
    auto first = exchange(h.port, "POST", "/api/v1/channels/police-tv/insert",
                          "{\"media\":\"tip-lo-30\"}", key);
    EXPECT_EQ(first.status, 202u);
    auto again = exchange(h.port, "POST", "/api/v1/channels/police-tv/insert",
                          "{\"media\":\"tip-lo-30\"}", key);
    EXPECT_EQ(again.status, 202u);
    EXPECT_EQ(again.body, first.body);
    EXPECT_NE(again.raw.find("Idempotent-Replayed: true\r\n"), std::string::npos);
    EXPECT_EQ(h.fake.take_calls(), std::vector<std::string>{"insert police-tv tip-lo-30"});

    // The same key with another body: refused, nothing called.
    auto other = exchange(h.port, "POST", "/api/v1/channels/police-tv/insert",
                          "{\"media\":\"som-lo-20\"}", key);
    EXPECT_EQ(other.status, 422u);
    EXPECT_EQ(other.body, "{\"error\":\"Idempotency-Key '6f1c-01' was used with another body; "
                          "use a new key\"}\n");
    // The same key on another route is another request.
    EXPECT_EQ(exchange(h.port, "POST", "/api/v1/channels/police-tv/skip", "", key).status, 200u);
    // An error reply is kept too: the retry of a refused insert is refused the same way.
    const std::string key2 = "Idempotency-Key: 6f1c-02\r\n";
    EXPECT_EQ(
        exchange(h.port, "POST", "/api/v1/channels/police-tv/insert", "{\"media\":\"nope\"}", key2)
            .status,
        422u);
    EXPECT_EQ(
        exchange(h.port, "POST", "/api/v1/channels/police-tv/insert", "{\"media\":\"nope\"}", key2)
            .status,
        422u);
    EXPECT_EQ(h.fake.take_calls(),
              (std::vector<std::string>{"skip police-tv", "insert police-tv nope"}));

    // Ten minutes on, the key is forgotten: the backend is called again.
    now_ms += std::chrono::milliseconds(idempotency_window).count() - 1;
    EXPECT_EQ(exchange(h.port, "POST", "/api/v1/channels/police-tv/insert",
                       "{\"media\":\"tip-lo-30\"}", key)
                  .status,
              202u);
    EXPECT_TRUE(h.fake.take_calls().empty());
    now_ms += 1;
    EXPECT_EQ(exchange(h.port, "POST", "/api/v1/channels/police-tv/insert",
                       "{\"media\":\"tip-lo-30\"}", key)
                  .status,
              202u);
    EXPECT_EQ(h.fake.take_calls(), std::vector<std::string>{"insert police-tv tip-lo-30"});

    for (const std::string& bad :
         std::vector<std::string>{std::string(256, 'k'), std::string("a b")}) {
        EXPECT_EQ(exchange(h.port, "POST", "/api/v1/channels/police-tv/skip", "",
                           "Idempotency-Key: " + bad + "\r\n")
                      .status,
                  400u);
    }
}

TEST(control_api, at_most_a_thousand_idempotency_keys_are_kept) {
    harness h;
    conn c(h.port);
    const auto p = std::to_string(h.port);
    // Pipelined on one connection: 1001 skips with distinct keys.
    std::string reqs;
    for (int i = 0; i <= 1000; ++i) {
        reqs += "POST /api/v1/channels/police-tv/skip HTTP/1.1\r\nHost: localhost:" + p +
                "\r\nContent-Type: application/json\r\nContent-Length: 0\r\nIdempotency-Key: k" +
                std::to_string(i) + "\r\n\r\n";
    }
    c.send(reqs);
    for (int i = 0; i <= 1000; ++i) {
        ASSERT_EQ(parse(c.read_response()).status, 200u) << i;
    }
    EXPECT_EQ(h.fake.take_calls().size(), 1001u);
    // k1000 .. k1 are remembered; k0, the oldest, is forgotten.
    EXPECT_EQ(
        exchange(h.port, "POST", "/api/v1/channels/police-tv/skip", "", "Idempotency-Key: k1\r\n")
            .status,
        200u);
    EXPECT_TRUE(h.fake.take_calls().empty());
    EXPECT_EQ(
        exchange(h.port, "POST", "/api/v1/channels/police-tv/skip", "", "Idempotency-Key: k0\r\n")
            .status,
        200u);
    EXPECT_EQ(h.fake.take_calls(), std::vector<std::string>{"skip police-tv"});
}

TEST(control_api, a_key_still_running_gets_409_then_the_reply) {
    harness h;
    {
        std::lock_guard lock(h.fake.m_);
        h.fake.hold_completions = true;
        h.fake.reload_answer.channels = {"police-tv"};
    }
    const std::string key = "Idempotency-Key: r-1\r\n";
    conn first(h.port);
    first.send("POST /api/v1/reload HTTP/1.1\r\nHost: localhost:" + std::to_string(h.port) +
               "\r\nContent-Type: application/json\r\nContent-Length: 0\r\n" + key +
               "Connection: close\r\n\r\n");
    ASSERT_TRUE(eventually([&] { return h.fake.take_calls().size() == 1; }));
    auto r = exchange(h.port, "POST", "/api/v1/reload", "", key);
    EXPECT_EQ(r.status, 409u);
    EXPECT_EQ(r.body, "{\"error\":\"the request with Idempotency-Key 'r-1' is still running\"}\n");
    EXPECT_EQ(h.on_loop([&] { return h.fake.release_held(); }), 1u);
    auto done = parse(first.read_all());
    EXPECT_EQ(done.status, 200u);
    r = exchange(h.port, "POST", "/api/v1/reload", "", key);
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, done.body);
    EXPECT_TRUE(h.fake.take_calls().empty());
}

// ---- the plan horizon and asynchronous completions ----

TEST(control_api, plan_dates_beyond_the_horizon_are_refused_at_once) {
    harness h; // now: 2026-12-01T06:58:05+07:00, so today (UTC) is 2026-11-30
    for (const char* date :
         {"9999-12-31", "2100-01-01", "2027-12-02", "2025-11-28", "0001-01-01"}) {
        auto r =
            exchange(h.port, "GET", std::string("/api/v1/channels/police-tv/plan?date=") + date);
        EXPECT_EQ(r.status, 400u) << date;
        EXPECT_EQ(r.body, std::string("{\"error\":\"parameter 'date': ") + date +
                              " is outside the plan horizon, 2025-11-29 to 2027-12-01 "
                              "(control.plan_days: 366)\"}\n");
    }
    EXPECT_TRUE(h.fake.take_calls().empty());
    for (const char* date : {"2027-12-01", "2025-11-29"}) {
        EXPECT_EQ(
            exchange(h.port, "GET", std::string("/api/v1/channels/police-tv/plan?date=") + date)
                .status,
            200u);
    }
    EXPECT_EQ(h.fake.take_calls(),
              (std::vector<std::string>{"plan police-tv 2027-12-01", "plan police-tv 2025-11-29"}));
    for (const char* bad : {"2026-13-01", "tomorrow", "2026-1-1", "99999-01-01"}) {
        EXPECT_EQ(
            exchange(h.port, "GET", std::string("/api/v1/channels/police-tv/plan?date=") + bad)
                .status,
            400u)
            << bad;
    }
    server_options narrow;
    narrow.plan_days = 1;
    harness n(narrow);
    EXPECT_EQ(exchange(n.port, "GET", "/api/v1/channels/police-tv/plan?date=2026-12-01").status,
              200u);
    EXPECT_EQ(exchange(n.port, "GET", "/api/v1/channels/police-tv/plan?date=2026-12-02").status,
              400u);
}

TEST(control_api, a_completion_after_the_client_left_or_the_server_stopped_touches_nothing) {
    harness h;
    {
        std::lock_guard lock(h.fake.m_);
        h.fake.hold_completions = true;
    }
    {
        conn gone(h.port);
        gone.send("GET /api/v1/channels/police-tv/plan?date=2026-12-01 HTTP/1.1\r\nHost: "
                  "localhost:" +
                  std::to_string(h.port) + "\r\n\r\n");
        ASSERT_TRUE(eventually([&] { return h.fake.take_calls().size() == 1; }));
    } // the client closes before the answer
    EXPECT_EQ(h.on_loop([&] { return h.fake.release_held(); }), 1u);
    EXPECT_TRUE(eventually([&] { return h.connections() == 0; }));

    // A client still waiting gets its answer when the completion comes; meanwhile others are
    // served.
    conn waiting(h.port);
    waiting.send("GET /api/v1/channels/police-tv/plan?date=2026-12-01 HTTP/1.1\r\nHost: "
                 "localhost:" +
                 std::to_string(h.port) + "\r\n\r\n");
    ASSERT_TRUE(eventually([&] { return h.fake.take_calls().size() == 1; }));
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/health").status, 200u);
    EXPECT_EQ(h.on_loop([&] { return h.fake.release_held(); }), 1u);
    auto r = parse(waiting.read_response());
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, "{\"channel\": \"police-tv\", \"items\": []}\n");

    // The server stops while a completion is pending: the completion is dropped quietly.
    waiting.send("POST /api/v1/reload HTTP/1.1\r\nHost: localhost:" + std::to_string(h.port) +
                 "\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n");
    ASSERT_TRUE(eventually([&] { return h.fake.take_calls().size() == 1; }));
    h.on_loop([&] {
        h.srv->stop();
        return 0;
    });
    EXPECT_EQ(h.on_loop([&] { return h.fake.release_held(); }), 1u);
    bool closed = false;
    EXPECT_EQ(waiting.read_all(&closed), "");
    EXPECT_TRUE(closed);
    EXPECT_TRUE(h.fake.take_calls().empty());
}

TEST(control_api, a_backend_exception_is_500_and_counted) {
    harness h;
    {
        std::lock_guard lock(h.fake.m_);
        h.fake.throw_in_reload = true;
    }
    auto r = exchange(h.port, "POST", "/api/v1/reload");
    EXPECT_EQ(r.status, 500u);
    EXPECT_EQ(r.body, "{\"error\":\"internal error: reload exploded\"}\n");
    {
        std::lock_guard lock(h.fake.m_);
        h.fake.throw_in_channels = true;
    }
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/channels").status, 500u);
    EXPECT_NE(h.station_metrics_text().find("onair_internal_errors_total{where=\"api\"} 2\n"),
              std::string::npos)
        << h.station_metrics_text();
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/health").status, 200u);
}

TEST(control_api, health_names_the_reasons_it_is_degraded) {
    harness h;
    {
        std::lock_guard lock(h.fake.m_);
        h.fake.health_answer =
            health_info{false,
                        {"police-radio"},
                        {"as-run store: database is locked; 12 rows in the spill journal",
                         "output srt srt://u:pw@relay:9000?passphrase=SECRET is down"}};
    }
    auto r = exchange(h.port, "GET", "/api/v1/health");
    EXPECT_EQ(r.status, 503u);
    EXPECT_EQ(r.body, "{\"status\":\"degraded\",\"not_airing\":[\"police-radio\"],\"degraded\":["
                      "\"as-run store: database is locked; 12 rows in the spill journal\","
                      "\"output srt srt://***@relay:9000?passphrase=*** is down\"]}\n");
}

TEST(control_api, secrets_in_errors_and_diagnostics_are_redacted) {
    harness h;
    {
        std::lock_guard lock(h.fake.m_);
        h.fake.reload_answer.diagnostics = {
            {{"onair.yaml", 9, 14},
             core::severity::error,
             "field 'uri': expected srt://HOST:PORT, found 'srtt://u:pw@h?passphrase=SECRET'"}};
    }
    auto r = exchange(h.port, "POST", "/api/v1/reload");
    EXPECT_EQ(r.status, 422u);
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("found 'srtt://***@h?passphrase=***'"), std::string::npos) << r.body;
}

// ---- the token file ----

TEST(control_api, token_file_is_trimmed_private_and_may_come_from_credentials) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("onair-control-token-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "creds");
    auto write = [&](const std::filesystem::path& p, const std::string& text) {
        std::ofstream(p) << text;
        std::filesystem::permissions(p, std::filesystem::perms::owner_read |
                                            std::filesystem::perms::owner_write);
    };
    write(dir / "token", "  abc123\n\n");
    write(dir / "empty", " \n");
    write(dir / "creds/onair-token", "from-systemd\n");
    EXPECT_EQ(read_token_file(dir / "token"), "abc123");
    EXPECT_THROW(read_token_file(dir / "empty"), std::runtime_error);
    EXPECT_THROW(read_token_file(dir / "missing"), std::runtime_error);
    std::ofstream(dir / "open") << "abc\n";
    std::filesystem::permissions(dir / "open", std::filesystem::perms(0644));
    try {
        read_token_file(dir / "open");
        FAIL() << "a token file readable by others was read";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "the token file " + (dir / "open").string() +
                                             " can be read by others (mode 0644): chmod 600 " +
                                             (dir / "open").string());
    }
    std::filesystem::permissions(dir / "open", std::filesystem::perms(0640));
    EXPECT_THROW(read_token_file(dir / "open"), std::runtime_error);

    schedule::control c;
    c.listen_host = "::1";
    c.listen_port = 9000;
    c.token_file = dir / "token";
    c.read_token = true;
    c.plan_days = 30;
    auto o = options_from(c, std::nullopt);
    EXPECT_EQ(o.host, "::1");
    EXPECT_EQ(o.port, 9000);
    EXPECT_EQ(o.token, std::optional<std::string>("abc123"));
    EXPECT_TRUE(o.read_token);
    EXPECT_EQ(o.plan_days, 30);
    // LoadCredential=: a relative token_file names the credential when it exists.
    c.token_credential = "onair-token";
    EXPECT_EQ(options_from(c, dir / "creds").token, std::optional<std::string>("from-systemd"));
    EXPECT_EQ(options_from(c, std::nullopt).token, std::optional<std::string>("abc123"));
    c.token_credential = "token"; // not among the credentials: the file itself
    EXPECT_EQ(options_from(c, dir / "creds").token, std::optional<std::string>("abc123"));
    c.token_credential.clear(); // written absolute: never a credential
    EXPECT_EQ(token_file_of(c, dir / "creds"), std::optional<std::filesystem::path>(dir / "token"));
    c.token_file.reset();
    EXPECT_FALSE(options_from(c, dir / "creds").token);
    std::filesystem::remove_all(dir);
    EXPECT_TRUE(same_secret("abc", "abc"));
    EXPECT_FALSE(same_secret("abc", "abd"));
    EXPECT_FALSE(same_secret("abc", "abcd"));
    EXPECT_FALSE(same_secret("", "a"));
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

std::filesystem::path write_config(const temp_dir& d, unsigned short port,
                                   const std::string& more_control = {}) {
    const auto file = d.path / "onair.yaml";
    std::ofstream(file) << "station: Test\nstate_dir: .\ncontrol:\n  listen: 127.0.0.1:" << port
                        << "\n"
                        << more_control
                        << "channels:\n"
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
    const unsigned short port = closed_port();
    temp_dir d;
    const auto cfg = write_config(d, port);
    std::string out, err;
    EXPECT_EQ(run_onair("status --config " + cfg.string(), out, err, d), 1);
    EXPECT_EQ(out, "");
    EXPECT_EQ(err, "onair status: cannot reach onair at 127.0.0.1:" + std::to_string(port) +
                       ": connection refused (is the daemon running?)\n");
}

} // namespace
} // namespace onair::control

namespace onair::control {
namespace {

// ---- onair reload against the server ----

// A token file the way the daemon wants it: mode 0600.
void write_token(const temp_dir& d, const std::string& token) {
    const auto file = d.path / "token";
    std::ofstream(file) << token << "\n";
    std::filesystem::permissions(file, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
}

TEST(onair_reload, says_what_reloaded_and_exits_0) {
    server_options o;
    o.token = "reload-token";
    harness h(o);
    {
        std::lock_guard lock(h.fake.m_);
        h.fake.reload_answer.channels = {"police-tv", "police-radio"};
        h.fake.reload_answer.diagnostics = {
            {{"playlists/tv.yaml", 3, 1}, core::severity::warning, "campaign never airs"}};
    }
    temp_dir d;
    write_token(d, "reload-token");
    const auto cfg = write_config(d, h.port, "  token_file: token\n");
    std::string out, err;
    EXPECT_EQ(run_onair("reload --config " + cfg.string(), out, err, d), 0) << err;
    EXPECT_EQ(out, "reloaded: police-tv, police-radio\n");
    EXPECT_EQ(err, "playlists/tv.yaml:3:1: warning: campaign never airs\n");
    EXPECT_EQ(h.fake.take_calls(), std::vector<std::string>{"reload"});
}

TEST(onair_reload, a_refused_reload_prints_the_diagnostics_and_exits_1) {
    harness h;
    {
        std::lock_guard lock(h.fake.m_);
        h.fake.reload_answer.diagnostics = {
            {{"playlists/tv.yaml", 12, 5}, core::severity::error, "unknown media 'x'"},
            {{"playlists/tv.yaml", 3, 1}, core::severity::warning, "campaign never airs"},
        };
    }
    temp_dir d;
    const auto cfg = write_config(d, h.port);
    std::string out, err;
    EXPECT_EQ(run_onair("reload --config " + cfg.string(), out, err, d), 1);
    EXPECT_EQ(out, "");
    EXPECT_EQ(err, "playlists/tv.yaml:3:1: warning: campaign never airs\n"
                   "playlists/tv.yaml:12:5: error: unknown media 'x'\n"
                   "onair reload: the daemon refused the new configuration; the old one stays "
                   "on air\n");
}

TEST(onair_reload, says_when_the_daemon_does_not_answer_or_refuses_the_token) {
    const unsigned short port = closed_port();
    temp_dir d;
    auto cfg = write_config(d, port);
    std::string out, err;
    EXPECT_EQ(run_onair("reload --config " + cfg.string(), out, err, d), 1);
    EXPECT_EQ(out, "");
    EXPECT_EQ(err, "onair reload: cannot reach onair at 127.0.0.1:" + std::to_string(port) +
                       ": connection refused (is the daemon running?)\n");

    server_options o;
    o.token = "right";
    harness h(o);
    write_token(d, "wrong");
    cfg = write_config(d, h.port, "  token_file: token\n");
    EXPECT_EQ(run_onair("reload --config " + cfg.string(), out, err, d), 1);
    EXPECT_EQ(err, "onair reload: onair at 127.0.0.1:" + std::to_string(h.port) +
                       " answered HTTP 401: this route needs the header: Authorization: Bearer "
                       "<token>\n");
    // A token file others can read is refused before anything is sent.
    std::filesystem::permissions(d.path / "token", std::filesystem::perms(0644));
    EXPECT_EQ(run_onair("reload --config " + cfg.string(), out, err, d), 1);
    EXPECT_EQ(err, "onair reload: the token file " + (d.path / "token").string() +
                       " can be read by others (mode 0644): chmod 600 " +
                       (d.path / "token").string() + "\n");
    EXPECT_TRUE(h.fake.take_calls().empty());
}

TEST(onair_status, shows_no_secret) {
    auto chans = two_channels();
    chans[1].now->kind = "filler";
    chans[1].now->media = "";
    chans[1].now->title = "live srt://feed:pw@10.0.0.5:9000?passphrase=SECRET";
    harness h({}, chans);
    temp_dir d;
    const auto cfg = write_config(d, h.port);
    std::string out, err;
    EXPECT_EQ(run_onair("status --config " + cfg.string(), out, err, d), 0) << err;
    EXPECT_EQ(out.find("SECRET"), std::string::npos) << out;
    EXPECT_EQ(out.find("pw@"), std::string::npos) << out;
    EXPECT_NE(out.find("live srt://***@10.0.0.5:9000?passphrase=***\n"), std::string::npos) << out;
}

TEST(onair_status, sends_the_token_when_gets_need_it) {
    server_options o;
    o.token = "t";
    o.read_token = true;
    harness h(o);
    temp_dir d;
    write_token(d, "t");
    const auto cfg = write_config(d, h.port, "  token_file: token\n  read_token: true\n");
    std::string out, err;
    EXPECT_EQ(run_onair("status --config " + cfg.string(), out, err, d), 0) << err;
    EXPECT_EQ(out.rfind("CHANNEL ", 0), 0u) << out;
}

} // namespace
} // namespace onair::control

namespace onair::control {
namespace {

// ---- onair insert, skip and now against the server ----

TEST(onair_insert, says_when_the_item_airs_and_sends_the_token) {
    server_options o;
    o.token = "op-token";
    harness h(o);
    temp_dir d;
    write_token(d, "op-token");
    const auto cfg = write_config(d, h.port, "  token_file: token\n");
    std::string out, err;
    EXPECT_EQ(run_onair("insert --config " + cfg.string() + " police-tv tip-lo-30", out, err, d), 0)
        << err;
    EXPECT_EQ(out, "inserted: tip-lo-30 airs on police-tv at 2026-12-01T06:58:30.000+07:00 (Stop "
                   "trafficking)\n");
    EXPECT_EQ(err, "");
    EXPECT_EQ(h.fake.take_calls(), std::vector<std::string>{"insert police-tv tip-lo-30"});
}

TEST(onair_insert, a_refused_insert_says_why_and_exits_1) {
    harness h;
    temp_dir d;
    const auto cfg = write_config(d, h.port);
    std::string out, err;
    EXPECT_EQ(run_onair("insert --config " + cfg.string() + " police-tv nothing", out, err, d), 1);
    EXPECT_EQ(out, "");
    EXPECT_EQ(err, "onair insert: onair at 127.0.0.1:" + std::to_string(h.port) +
                       " answered HTTP 422: no media 'nothing' in the schedule of police-tv\n");
    EXPECT_EQ(run_onair("insert --config " + cfg.string() + " police-tv", out, err, d), 2);
    EXPECT_EQ(run_onair("insert --config " + cfg.string() + " '../x?y' tip-lo-30", out, err, d), 2);
    EXPECT_EQ(err, "onair insert: CHANNEL '../x?y': expected an id of a-z, 0-9 and -\n");
    EXPECT_EQ(h.fake.take_calls(), std::vector<std::string>{"insert police-tv nothing"});
}

TEST(onair_skip, says_what_it_skipped) {
    harness h;
    temp_dir d;
    const auto cfg = write_config(d, h.port);
    std::string out, err;
    EXPECT_EQ(run_onair("skip --config " + cfg.string() + " police-tv", out, err, d), 0) << err;
    EXPECT_EQ(out, "skipped on police-tv: tip-lo-30 (Stop trafficking)\n");
    EXPECT_EQ(run_onair("skip --config " + cfg.string() + " police-radio", out, err, d), 1);
    EXPECT_EQ(err, "onair skip: onair at 127.0.0.1:" + std::to_string(h.port) +
                       " answered HTTP 404: no channel 'police-radio'\n");
    EXPECT_EQ(h.fake.take_calls(),
              (std::vector<std::string>{"skip police-tv", "skip police-radio"}));
}

TEST(onair_now, prints_one_screen_when_not_on_a_terminal) {
    auto chans = two_channels();
    chans[1].airing = false;
    chans[1].down_reason = "the pipeline failed: no such element";
    harness h({}, chans);
    temp_dir d;
    const auto cfg = write_config(d, h.port);
    std::string out, err;
    EXPECT_EQ(run_onair("now --config " + cfg.string(), out, err, d), 0) << err;
    EXPECT_EQ(err, "");
    EXPECT_EQ(out, "onair now  127.0.0.1:" + std::to_string(h.port) +
                       "  health: degraded  (q quits)\n"
                       "\n"
                       "police-tv  ໂທລະພາບ ປກສ — Police TV  ON AIR\n"
                       "  now   06:58:00  spot  tip-lo-30  Stop trafficking\n"
                       "        [#####---------------------------] 00:00:05 / 00:00:30  00:00:25 "
                       "left\n"
                       "  next  06:58:30  spot  som-lo-20  Safe migration\n"
                       "  out   udp 127.0.0.1:5000  up\n"
                       // cut at 80 columns
                       "  out   rtmp rtmp://***@127.0.0.1/***  retrying: connection refused by "
                       "rtmp://*…\n"
                       "\n"
                       "police-radio  Police Radio  DOWN: the pipeline failed: no such element\n"
                       "  now   06:00:00  programme  talk-ep1  Morning talk\n"
                       "        [##############################--] 00:58:05 / 01:00:00  00:01:55 "
                       "left\n");
}

TEST(onair_now, says_when_the_daemon_is_away_and_exits_1) {
    const unsigned short port = closed_port();
    temp_dir d;
    const auto cfg = write_config(d, port);
    std::string out, err;
    EXPECT_EQ(run_onair("now --once --config " + cfg.string(), out, err, d), 1);
    EXPECT_EQ(out, "onair now  ?  health: unknown  (q quits)\n"
                   "! the daemon does not answer (is it running?)\n");
    EXPECT_EQ(err, "onair now: cannot reach onair at 127.0.0.1:" + std::to_string(port) +
                       ": connection refused (is the daemon running?)\n");
}

} // namespace
} // namespace onair::control

namespace onair::control {
namespace {

// ---- the console: its files and its event stream ----

// Reads from `c` until `text` has arrived (or 5 s pass); returns everything read.
std::string read_until(conn& c, const std::string& text, std::string& got) {
    std::array<char, 4096> buf;
    while (got.find(text) == std::string::npos) {
        auto n = ::recv(c.fd(), buf.data(), buf.size(), 0);
        if (n <= 0) {
            break;
        }
        got.append(buf.data(), static_cast<std::size_t>(n));
    }
    return got;
}

TEST(console, the_page_and_its_files_are_served_with_a_strict_policy_even_without_the_token) {
    server_options o;
    o.token = "secret";
    o.read_token = true;
    harness h(o);
    auto page = exchange(h.port, "GET", "/");
    EXPECT_EQ(page.status, 200u);
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_NE(page.raw.find("Content-Security-Policy: default-src 'self'; img-src 'self' data:; "
                            "style-src 'self'; frame-ancestors 'none'\r\n"),
              std::string::npos)
        << page.raw;
    EXPECT_NE(page.raw.find("X-Content-Type-Options: nosniff\r\n"), std::string::npos);
    // every file the page names is served (no broken reference)
    std::size_t refs = 0;
    for (const char* attr : {"src=\"", "href=\""}) {
        for (auto at = page.body.find(attr); at != std::string::npos;
             at = page.body.find(attr, at + 1)) {
            const auto start = at + std::string(attr).size();
            const auto url = page.body.substr(start, page.body.find('"', start) - start);
            if (url.rfind("/static/", 0) != 0) {
                continue;
            }
            ++refs;
            auto r = exchange(h.port, "GET", url);
            EXPECT_EQ(r.status, 200u) << url;
            EXPECT_FALSE(r.body.empty()) << url;
        }
    }
    EXPECT_GE(refs, 2u) << "the page names its script and its style sheet";
    for (const char* file : {"/static/i18n/en.json", "/static/i18n/lo.json"}) {
        auto r = exchange(h.port, "GET", file);
        EXPECT_EQ(r.status, 200u) << file;
        EXPECT_EQ(r.content_type, "application/json") << file;
    }
    EXPECT_EQ(exchange(h.port, "GET", "/static/nothing.js").status, 404u);
    EXPECT_EQ(exchange(h.port, "GET", "/static/../CMakeLists.txt").status, 404u);
    EXPECT_EQ(exchange(h.port, "POST", "/").status, 405u);
    // the data still needs the token
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/channels").status, 401u);
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/events").status, 401u);
}

TEST(console, events_stream_as_server_sent_events_until_the_station_closes_them) {
    harness h;
    auto hub = std::make_unique<event_hub>(h.io);
    h.on_loop([&] {
        h.fake.hub = hub.get();
        return 0;
    });
    conn c(h.port);
    c.send("GET /api/v1/events HTTP/1.1\r\nHost: localhost:" + std::to_string(h.port) +
           "\r\nAccept: text/event-stream\r\n\r\n");
    std::string got;
    read_until(c, "event: hello\ndata: {}\n\n", got);
    EXPECT_NE(got.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << got;
    EXPECT_NE(got.find("Content-Type: text/event-stream; charset=utf-8\r\n"), std::string::npos)
        << got;
    EXPECT_NE(got.find("Cache-Control: no-cache\r\n"), std::string::npos) << got;
    EXPECT_NE(got.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << got;
    EXPECT_NE(got.find("retry: 2000\n\nevent: hello\ndata: {}\n\n"), std::string::npos) << got;
    EXPECT_EQ(h.on_loop([&] { return hub->subscribers(); }), 1u);

    h.on_loop([&] {
        hub->publish("channel", R"({"id":"police-tv"})");
        return 0;
    });
    read_until(c, "event: channel\ndata: {\"id\":\"police-tv\"}\n\n", got);
    EXPECT_NE(got.find("event: channel\ndata: {\"id\":\"police-tv\"}\n\n"), std::string::npos)
        << got;

    // the daemon stops: the stream ends as a whole chunked response
    h.on_loop([&] {
        hub->close_all();
        return 0;
    });
    read_until(c, "0\r\n\r\n", got);
    EXPECT_EQ(got.substr(got.size() - 5), "0\r\n\r\n");
    h.on_loop([&] {
        h.fake.hub = nullptr;
        hub.reset();
        return 0;
    });
}

TEST(console, a_client_that_goes_away_leaves_no_stream_behind) {
    harness h;
    auto hub = std::make_unique<event_hub>(h.io);
    h.on_loop([&] {
        h.fake.hub = hub.get();
        return 0;
    });
    {
        conn c(h.port);
        c.send("GET /api/v1/events HTTP/1.1\r\nHost: localhost:" + std::to_string(h.port) +
               "\r\n\r\n");
        std::string got;
        read_until(c, "event: hello", got);
    }
    // the next event finds the socket closed; the session and its stream go
    for (int i = 0; i < 50 && h.connections() > 0; ++i) {
        h.on_loop([&] {
            hub->publish("channel", "{}");
            return 0;
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(h.connections(), 0u);
    EXPECT_EQ(h.on_loop([&] { return hub->subscribers(); }), 0u);
    h.on_loop([&] {
        h.fake.hub = nullptr;
        hub.reset();
        return 0;
    });
}

} // namespace
} // namespace onair::control

namespace onair::control {
namespace {

TEST(console, media_lists_what_a_channel_can_air_for_the_insert_picker) {
    harness h;
    auto r = exchange(h.port, "GET", "/api/v1/channels/police-tv/media");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body,
              "{\"channel\":\"police-tv\",\"media\":["
              "{\"id\":\"som-lo-20\",\"title\":\"Safe migration\",\"duration_ms\":20000},"
              "{\"id\":\"tip-lo-30\",\"title\":\"ຢຸດຕິການຄ້າມະນຸດ\",\"duration_ms\":30000},"
              "{\"id\":\"unprobed\",\"title\":\"Not probed yet\",\"duration_ms\":null}]}\n");
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/channels/nope/media").status, 404u);
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/channels/police-tv/media?x=1").status, 400u);
    EXPECT_EQ(exchange(h.port, "POST", "/api/v1/channels/police-tv/media").status, 405u);
    auto jpeg = exchange(h.port, "GET", "/api/v1/channels/police-tv/preview.jpg");
    EXPECT_EQ(jpeg.status, 200u);
    EXPECT_EQ(jpeg.content_type, "image/jpeg");
    EXPECT_EQ(jpeg.body, "\xff\xd8 a jpeg");
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/channels/police-radio/preview.jpg").status, 404u);
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/channels/nope/preview.jpg").status, 404u);
    auto v = exchange(h.port, "GET", "/api/v1/asrun/verify");
    EXPECT_EQ(v.status, 200u);
    EXPECT_EQ(v.body, "{\"ok\":true,\"rows\":3,\"head\":\"abc\"}\n");
}

TEST(control_api, report_passes_its_query_through_and_checks_every_parameter) {
    harness h;
    auto r = exchange(h.port, "GET",
                      "/api/v1/report?campaign=tip-2026&channel=police-tv&from=2026-11-01&"
                      "to=2026-11-30&format=html&verify=0");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(r.body, "<!DOCTYPE html>");
    EXPECT_NE(r.raw.find("Content-Disposition: inline; filename=\"onair-report.html\""),
              std::string::npos)
        << r.raw;
    EXPECT_EQ(h.fake.take_calls(),
              std::vector<std::string>{"report tip-2026|police-tv|2026-11-01|2026-11-30|html|"
                                       "no-verify"});
    // defaults: every campaign and channel, json, the chain walked
    EXPECT_EQ(exchange(h.port, "GET", "/api/v1/report").status, 200u);
    EXPECT_EQ(h.fake.take_calls(), std::vector<std::string>{"report ||||json|verify"});

    auto bad = [&](const std::string& query, const std::string& error) {
        auto b = exchange(h.port, "GET", "/api/v1/report?" + query);
        EXPECT_EQ(b.status, 400u) << query;
        EXPECT_EQ(b.body, "{\"error\":\"" + error + "\"}\n") << query;
    };
    bad("format=docx", "parameter 'format': expected json, csv, html or pdf, found 'docx'");
    bad("from=2026-13-01", "parameter 'from': expected a date YYYY-MM-DD (month 13 is out of range "
                           "01-12), found "
                           "'2026-13-01'");
    bad("from=2026-11-02&to=2026-11-01", "parameter 'to' must not be before 'from'");
    bad("campaign=Bad%20Id", "parameter 'campaign': expected an id [a-z0-9-]+, found 'Bad Id'");
    bad("verify=yes", "parameter 'verify': expected 0 or 1, found 'yes'");
    bad("week=1", "unknown parameter 'week'");
    EXPECT_TRUE(h.fake.take_calls().empty());
    // what the report itself refuses comes back as it says
    auto refused = exchange(h.port, "GET", "/api/v1/report?campaign=nope");
    EXPECT_EQ(refused.status, 400u);
    EXPECT_EQ(refused.body, "{\"error\":\"no schedule has campaign 'nope'\"}\n");
    EXPECT_EQ(exchange(h.port, "POST", "/api/v1/report").status, 405u);
}

} // namespace
} // namespace onair::control
