#pragma once

// The HTTP API server (Boost.Beast) on the daemon's io_context: it runs no thread of its own
// and calls the backend on that thread only. Loopback unless the config says otherwise.
//
// Hardened for a station network: a request's header is at most 8 KiB (431) and its body
// 64 KiB (413); a client has `read_timeout` to send a whole request (slow senders are dropped);
// at most `max_connections` are open at once (the next gets a 503 and is closed); malformed
// bytes get a 400 and a closed connection. Keep-alive is supported. The safety checks of the
// routes (Host, Origin, Content-Type, token, idempotency keys) are in control/api.
//
// The API is never a reason for the daemon to stop: a listen address that cannot be bound
// (the port is taken, the address is not up yet) is logged and retried with backoff.

#include "control/api.hpp"
#include "control/backend.hpp"
#include "control/metrics.hpp"
#include "core/log.hpp"
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
    bool read_token = false; // GET routes but /api/v1/health need the token too
    int plan_days = 366;     // the plan route's horizon: today +- this many days
    server_limits limits;
    std::function<core::instant()> now; // empty: the system clock
    std::string station;                // the config's station name, for the console
    bool national = false;              // control.national_db is set (the console's view)
    // A listen address that cannot be bound is tried again after 1 s, 2 s, 4 s ... at most
    // bind_retry_max.
    std::chrono::milliseconds bind_retry_first{1000};
    std::chrono::milliseconds bind_retry_max{30'000};
};

// The token of a token file: its content with surrounding whitespace trimmed. Throws
// std::runtime_error naming the file when it cannot be read, holds no token, or can be read by
// its group or others (mode & 077: "chmod 600 FILE").
std::string read_token_file(const std::filesystem::path& file);

// $CREDENTIALS_DIRECTORY (systemd's LoadCredential=), when set and not empty.
std::optional<std::filesystem::path> credentials_directory();

// The token file the config names: $CREDENTIALS_DIRECTORY/<token_file as written> when
// token_file is relative and that file exists, else token_file itself. Empty when none.
std::optional<std::filesystem::path>
token_file_of(const schedule::control& c,
              const std::optional<std::filesystem::path>& credentials_dir);

// Options from the config's `control:` section (reads the token file; throws as above).
server_options
options_from(const schedule::control& c,
             const std::optional<std::filesystem::path>& credentials_dir = credentials_directory());

class server {
public:
    // `b`, `metrics`, `log` and `station` (when given) must outlive the server. `station`
    // counts exceptions caught in the routes (onair_internal_errors_total{where="api"}). No
    // socket is opened before start().
    server(boost::asio::io_context& io, backend& b, const metrics::registry& metrics,
           server_options options, core::logger& log, metrics::station_metrics* station = nullptr);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds and listens; never throws. When the address cannot be bound, it says so in the log
    // and tries again with backoff, on the io_context, until it binds (or stop()).
    void start();
    // Applies changed options at once: a new token, read_token, plan_days or limits for the
    // next request; a new listen address closes the listener and binds the new one (open
    // connections finish on the old one).
    void reconfigure(server_options options);
    // Closes the listener and every connection; the backend is not called afterwards.
    void stop();

    // Whether the listener is bound right now.
    bool listening() const;
    // The bound address (port 0 when not listening).
    boost::asio::ip::tcp::endpoint local_endpoint() const;
    // Connections open right now.
    std::size_t connections() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

} // namespace onair::control
