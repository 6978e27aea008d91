#pragma once

// The addresses of the control API as a station writes them: a listen address "HOST:PORT"
// (control.listen, `onair run --listen`) and a daemon's control URL "http://HOST:PORT"
// (control.peers, `onair asrun --compare`). One reading for all of them, so the config and the
// command line refuse the same things with the same words.

#include "core/result.hpp"

#include <string>
#include <string_view>

namespace onair::schedule {

struct host_port {
    std::string host; // a name, an IPv4 address, or an IPv6 address without its brackets
    int port = 0;     // 1-65535
    bool operator==(const host_port&) const = default;
};

// "127.0.0.1:8750", "[::1]:8750", "studio-b:8750". On failure, why, in words that follow
// "expected HOST:PORT such as 127.0.0.1:8750 (...)": "the port is missing", ...
core::result<host_port> parse_host_port(std::string_view text);

// Loopback addresses: 127.0.0.0/8, ::1, and the name localhost.
bool is_loopback(const std::string& host);

// "http://HOST:PORT", with an optional "/" after it: the root of another daemon's API. No
// path, query, user info or other scheme (the API speaks plain HTTP). On failure, why
// ("only http:// URLs are served", "the port is missing", ...).
core::result<host_port> parse_control_url(std::string_view text);

// "http://127.0.0.1:8750", "http://[::1]:8750": how a control URL is shown.
std::string control_url(const host_port& at);

} // namespace onair::schedule
