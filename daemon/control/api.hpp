#pragma once

// The routes of the HTTP API (SPEC section 6), apart from the transport: a parsed request in,
// a reply out. The server owns sockets, limits and timeouts; this owns paths, methods, the
// token, parameters and JSON. Nothing here throws: every failure becomes a 4xx/5xx reply.

#include "control/backend.hpp"
#include "control/metrics.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
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

// {"error": message} with that status.
reply error_reply(unsigned status, const std::string& message);

class api {
public:
    // `token`: when set, every POST needs "Authorization: Bearer <token>". `now` is the clock
    // used for elapsed_ms/remaining_ms.
    api(backend& b, const metrics::registry& metrics, std::optional<std::string> token,
        std::function<core::instant()> now);

    reply handle(const request& req);

private:
    reply route(const request& req);
    bool authorized(const request& req) const;

    backend& backend_;
    const metrics::registry& metrics_;
    std::optional<std::string> token_;
    std::function<core::instant()> now_;
};

// Constant-time comparison, so that the time a wrong token takes to reject says nothing about
// how much of it was right.
bool same_secret(std::string_view a, std::string_view b);

// "%41+b" -> "A b"; nullopt for a broken escape.
std::optional<std::string> percent_decode(std::string_view s);

} // namespace onair::control
