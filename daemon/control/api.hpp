#pragma once

// The routes of the HTTP API (SPEC section 6), apart from the transport: a parsed request in,
// a reply out (at once, or later for the routes the backend answers asynchronously). The
// server owns sockets, limits and timeouts; this owns paths, methods, the safety checks (Host,
// Origin, Content-Type, token), idempotency keys, parameters and JSON. Nothing here throws:
// every failure becomes a 4xx/5xx reply.

#include "control/backend.hpp"
#include "control/metrics.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace onair::control {

using request = boost::beast::http::request<boost::beast::http::string_body>;

struct reply {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; // Allow, WWW-Authenticate
    // When set, the body is this cursor's output, sent with chunked transfer encoding.
    std::unique_ptr<asrun_cursor> stream;
};

// {"error": message} with that status; the message is redacted (core::redact).
reply error_reply(unsigned status, const std::string& message);

// What the routes need to know; changed at once by api::configure (a reload).
struct api_settings {
    // When set, every POST needs "Authorization: Bearer <token>" (and every GET but
    // /api/v1/health too when read_token is set).
    std::optional<std::string> token;
    bool read_token = false;
    // GET .../plan answers for dates within today (UTC) +- this many days only.
    int plan_days = 366;
    // The listen address, for the Host check (DNS rebinding): the port is the bound one.
    std::string listen_host = "127.0.0.1";
    unsigned short listen_port = 8750;
    // Served at /static/fonts/lao.ttf when the file is there (Debian fonts-lao): the console's
    // Lao text renders on a browser PC that has no Lao font of its own.
    std::string lao_font = "/usr/share/fonts/truetype/lao/Phetsarath_OT.ttf";
    // The config's `station:` name (GET /channels says it, for the console's header).
    std::string station;
    // control.national_db is set: GET /channels says so, and the console asks for the
    // national report (GET /report?national=1) only then.
    bool national = false;
    // The clock for elapsed_ms/remaining_ms, the plan horizon and idempotency keys.
    std::function<core::instant()> now;
};

// Idempotency keys: a POST that repeats a key (same method and path) within this time gets the
// first reply again; at most this many keys are kept (the oldest go first).
constexpr std::chrono::minutes idempotency_window{10};
constexpr std::size_t idempotency_max_keys = 1000;

class api {
public:
    using responder = std::function<void(reply)>;

    // `station`, when set, counts exceptions caught here as
    // onair_internal_errors_total{where="api"}.
    api(backend& b, const metrics::registry& metrics, metrics::station_metrics* station,
        api_settings settings);

    // Calls `respond` exactly once: before returning for most routes, later (from the
    // backend's completion, on the io_context thread) for plan and reload.
    void handle(const request& req, responder respond);

    // New settings, effective for the next request (kept idempotency keys stay).
    void configure(api_settings settings);
    // The port actually bound (listen_port 0 asks for an ephemeral one).
    void set_bound_port(unsigned short port) { settings_.listen_port = port; }
    const api_settings& settings() const { return settings_; }

private:
    struct remembered {
        std::string route; // "POST /api/v1/..."
        std::size_t body_hash = 0;
        core::instant at;
        bool done = false;
        unsigned status = 0;
        std::string content_type;
        std::string body;
        std::vector<std::pair<std::string, std::string>> headers;
    };

    enum class route_id {
        health,
        channels,
        plan,
        asrun,
        reload,
        insert,
        skip,
        metrics,
        events,
        console,
        media,
        verify,
        preview,
        report
    };
    void route(const request& req, const responder& respond);
    void serve(const request& req, route_id which, const std::string& channel,
               std::string_view query, const responder& respond);
    bool authorized(const request& req) const;
    std::optional<reply> host_refused(const request& req) const;
    void internal_error();
    // Runs `body`; an exception out of it is an internal error, answered 500 via `respond`.
    template <class Body> void catching(const responder& respond, Body&& body);
    void forget_expired(core::instant now);

    backend& backend_;
    const metrics::registry& metrics_;
    metrics::station_metrics* station_;
    api_settings settings_;
    std::map<std::string, remembered> keys_;                      // by Idempotency-Key
    std::deque<std::pair<core::instant, std::string>> key_order_; // oldest first
    std::shared_ptr<const std::string> lao_font_; // read at the first request for it
};

// One channel as GET /api/v1/channels lists it (one line of JSON); without `now`, no
// elapsed_ms/remaining_ms (what the console feed compares to see a change).
std::string channel_json_text(const channel_info& c, std::optional<core::instant> now);
// An item as the channel list shows it, without elapsed and remaining.
std::string item_json_text(const item_info& item, const date::time_zone* zone);

// GET /api/v1/health's body: {"status":"ok"} or {"status":"degraded","not_airing":[...],
// "degraded":[...]}.
std::string health_json_text(const health_info& h);
// A reload's outcome for the console feed: {"status": "reloaded"|"refused", "channels": [...],
// "diagnostics": [...]}.
std::string reload_json_text(const reload_result& result);

// Constant-time comparison, so that the time a wrong token takes to reject says nothing about
// how much of it was right.
bool same_secret(std::string_view a, std::string_view b);

// "%41+b" -> "A b"; nullopt for a broken escape.
std::optional<std::string> percent_decode(std::string_view s);

// Whether a listen host is a loopback address (127.0.0.0/8, ::1) or the name localhost.
bool is_loopback_host(const std::string& host);

} // namespace onair::control
