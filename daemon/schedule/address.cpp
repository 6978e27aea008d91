#include "schedule/address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>

namespace onair::schedule {

core::result<host_port> parse_host_port(std::string_view text) {
    using failed = core::result<host_port>;
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return failed::failure(colon == 0 ? "the host is missing" : "the port is missing");
    }
    std::string host(text.substr(0, colon));
    if (host.front() == '[' && host.back() == ']' && host.size() > 2) {
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
        return failed::failure("write an IPv6 address in brackets, such as [::1]:8750");
    }
    const std::string_view port = text.substr(colon + 1);
    long long n = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (port.empty() || ec != std::errc() || p != port.data() + port.size()) {
        return failed::failure("the port must be a number");
    }
    if (n < 1 || n > 65535) {
        return failed::failure("port " + std::string(port) + " is out of range 1-65535");
    }
    return host_port{std::move(host), static_cast<int>(n)};
}

bool is_loopback(const std::string& host) {
    if (host == "localhost") {
        return true;
    }
    in_addr v4{};
    if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
        return (ntohl(v4.s_addr) >> 24) == 127;
    }
    in6_addr v6{};
    return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

core::result<host_port> parse_control_url(std::string_view text) {
    using failed = core::result<host_port>;
    constexpr std::string_view scheme = "http://";
    if (text.substr(0, scheme.size()) != scheme) {
        return failed::failure(text.substr(0, 8) == "https://"
                                   ? "only http:// URLs are served: the API speaks plain HTTP"
                                   : "it does not start with http://");
    }
    std::string_view rest = text.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/') {
        rest.remove_suffix(1);
    }
    // What a browser would take as more than an address: a path, a query, a fragment, a user.
    if (rest.find_first_of("/?#@") != std::string_view::npos) {
        return failed::failure("give the daemon's address alone, without a path, query or user");
    }
    if (rest.empty()) {
        return failed::failure("the host is missing");
    }
    return parse_host_port(rest);
}

std::string control_url(const host_port& at) {
    const bool v6 = at.host.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + at.host + "]" : at.host) + ":" + std::to_string(at.port);
}

} // namespace onair::schedule
