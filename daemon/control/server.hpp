#pragma once

// The HTTP API server (Boost.Beast) on the daemon's io_context: it runs no thread of its own
// and calls the backend on that thread only. Loopback unless the config says otherwise.
//
// Hardened for a station network: a request's header is at most 8 KiB (431) and its body
// 64 KiB (413); a client has `read_timeout` to send a whole request (slow senders are dropped);
// at most `max_connections` are open at once (the next gets a 503 and is closed); malformed
// bytes get a 400 and a closed connection. Keep-alive is supported.

#include "control/api.hpp"
#include "control/backend.hpp"
#include "control/metrics.hpp"
#include "schedule/model.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace onair::control {

struct server_limits {
    std::size_t max_header_bytes = 8 * 1024;
    std::size_t max_body_bytes = 64 * 1024;
    std::size_t max_connections = 64;
    // The whole request (header and body), and the idle time between keep-alive requests.
    std::chrono::milliseconds read_timeout{10'000};
    // Each write of a response or of one piece of a streamed one.
    std::chrono::milliseconds write_timeout{30'000};
};

struct server_options {
    std::string host = "127.0.0.1";
    unsigned short port = 8750; // 0: an ephemeral port (tests), see local_endpoint()
    std::optional<std::string> token;
    server_limits limits;
    std::function<core::instant()> now; // empty: the system clock
};

// The token of a token file: its content with surrounding whitespace trimmed. Throws
// std::runtime_error naming the file when it cannot be read or holds no token.
std::string read_token_file(const std::filesystem::path& file);

// Options from the config's `control:` section (reads the token file; throws as above).
server_options options_from(const schedule::control& c);

class server {
public:
    // `b` and `metrics` must outlive the server. No socket is opened before start().
    server(boost::asio::io_context& io, backend& b, const metrics::registry& metrics,
           server_options options);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds and listens. Throws std::system_error saying which address failed.
    void start();
    // Closes the listener and every connection; the backend is not called afterwards.
    void stop();

    boost::asio::ip::tcp::endpoint local_endpoint() const;
    // Connections open right now.
    std::size_t connections() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

} // namespace onair::control
