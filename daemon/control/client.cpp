#include "control/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <cctype>
#include <optional>

namespace onair::control {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// A whole station's channel list is a few KiB; this only bounds a confused server.
constexpr std::uint64_t max_reply_bytes = 16 << 20;

std::string reason(const beast::error_code& ec) {
    if (ec == beast::error::timeout) {
        return "timed out";
    }
    std::string text = ec.message();
    if (!text.empty()) {
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    }
    return text;
}

} // namespace

std::string host_port(const std::string& host, unsigned short port) {
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
}

std::string connect_host(const std::string& listen) {
    if (listen == "0.0.0.0") {
        return "127.0.0.1";
    }
    if (listen == "::") {
        return "::1";
    }
    return listen;
}

std::variant<http_reply, std::string> http_get(const std::string& host, unsigned short port,
                                               const std::string& target,
                                               std::chrono::milliseconds timeout) {
    http_call call;
    call.target = target;
    call.user_agent = "onair status";
    return http_request(host, port, call, timeout);
}

std::variant<http_reply, std::string> http_request(const std::string& host, unsigned short port,
                                                   const http_call& call,
                                                   std::chrono::milliseconds timeout) {
    net::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    beast::flat_buffer buffer;
    const bool post = call.method == "POST";
    http::request<http::string_body> req(post ? http::verb::post : http::verb::get, call.target,
                                         11);
    // The server checks that Host names its listen address (DNS rebinding): host and port.
    req.set(http::field::host, host_port(host, port));
    req.set(http::field::user_agent, call.user_agent);
    req.set(http::field::accept, "application/json");
    if (call.token) {
        req.set(http::field::authorization, "Bearer " + *call.token);
    }
    if (post) {
        req.set(http::field::content_type, "application/json");
        req.body() = call.body;
    }
    req.keep_alive(false);
    req.prepare_payload();
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_reply_bytes);
    beast::error_code failed;

    // Async with a deadline on the stream: the blocking calls would wait forever on a daemon
    // that accepts but never answers.
    stream.expires_after(timeout);
    resolver.async_resolve(
        host, std::to_string(port),
        [&](beast::error_code ec, const tcp::resolver::results_type& results) {
            if (ec) {
                failed = ec;
                return;
            }
            stream.async_connect(results, [&](beast::error_code ec2, const tcp::endpoint&) {
                if (ec2) {
                    failed = ec2;
                    return;
                }
                http::async_write(stream, req, [&](beast::error_code ec3, std::size_t) {
                    if (ec3) {
                        failed = ec3;
                        return;
                    }
                    http::async_read(stream, buffer, parser,
                                     [&](beast::error_code ec4, std::size_t) { failed = ec4; });
                });
            });
        });
    io.run();
    if (failed) {
        return reason(failed);
    }
    http_reply out;
    out.status = parser.get().result_int();
    out.body = std::move(parser.get().body());
    return out;
}

} // namespace onair::control
