#pragma once

// A one-shot HTTP GET to the daemon's API, for `onair status`: its own small io_context, one
// deadline for connect, send and receive.

#include <chrono>
#include <string>
#include <variant>

namespace onair::control {

struct http_reply {
    unsigned status = 0;
    std::string body;
};

// GET http://HOST:PORT/TARGET. On failure, the reason in lower case, such as
// "connection refused" or "timed out".
std::variant<http_reply, std::string> http_get(const std::string& host, unsigned short port,
                                               const std::string& target,
                                               std::chrono::milliseconds timeout);

} // namespace onair::control
