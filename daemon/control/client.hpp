#pragma once

// A one-shot HTTP request to the daemon's API, for `onair status` and `onair reload`: its own
// small io_context, one deadline for connect, send and receive.

#include <chrono>
#include <optional>
#include <string>
#include <variant>

namespace onair::control {

struct http_reply {
    unsigned status = 0;
    std::string body;
};

struct http_call {
    std::string method = "GET";       // GET or POST
    std::string target;               // "/api/v1/channels"
    std::string body;                 // a POST's JSON body (sent as application/json)
    std::optional<std::string> token; // sent as "Authorization: Bearer TOKEN"
    std::string user_agent = "onair";
};

// The request to http://HOST:PORT (Host names both, as the server wants). On failure, the
// reason in lower case, such as "connection refused" or "timed out".
std::variant<http_reply, std::string> http_request(const std::string& host, unsigned short port,
                                                   const http_call& call,
                                                   std::chrono::milliseconds timeout);

// GET http://HOST:PORT/TARGET, as above.
std::variant<http_reply, std::string> http_get(const std::string& host, unsigned short port,
                                               const std::string& target,
                                               std::chrono::milliseconds timeout);

// The address to connect to for a listen address: a wildcard listener is reached on loopback.
std::string connect_host(const std::string& listen);

// "127.0.0.1:8750", "[::1]:8750".
std::string host_port(const std::string& host, unsigned short port);

} // namespace onair::control
