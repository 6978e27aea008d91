#include "http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>

namespace onair::test_support {

namespace {

sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

} // namespace

http_reply http(int port, const http_request& request) {
    using clock = std::chrono::steady_clock;
    http_reply r;
    const auto start = clock::now();
    const auto until = start + request.deadline;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto a = loopback(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return r;
    }
    std::string req = request.method + " " + request.path +
                      " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                      "\r\nConnection: close\r\n";
    for (const auto& h : request.headers) {
        req += h + "\r\n";
    }
    if (request.method == "POST" || !request.body.empty()) {
        if (!request.content_type.empty()) {
            req += "Content-Type: " + request.content_type + "\r\n";
        }
        req += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
    }
    req += "\r\n" + request.body;
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    std::string raw;
    std::array<char, 8192> buf{};
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now()).count();
        pollfd p{fd, POLLIN, 0};
        if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) != 1) {
            ::close(fd);
            return r; // no (complete) answer before the deadline
        }
        const auto n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) {
            break;
        }
        raw.append(buf.data(), static_cast<std::size_t>(n));
    }
    ::close(fd);
    r.took = clock::now() - start;
    if (raw.size() > 12 && raw.rfind("HTTP/1.", 0) == 0) {
        r.status = std::atoi(raw.c_str() + 9);
        const auto at = raw.find("\r\n\r\n");
        r.headers = raw.substr(0, at);
        r.body = at == std::string::npos ? "" : raw.substr(at + 4);
    }
    return r;
}

http_reply http(int port, const std::string& method, const std::string& path,
                const std::string& body) {
    http_request req;
    req.method = method;
    req.path = path;
    req.body = body;
    return http(port, req);
}

int free_port(int type) {
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    auto a = loopback(0);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

} // namespace onair::test_support
