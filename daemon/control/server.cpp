#include "control/server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace onair::control {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class session;

// After an error reply the client may still be sending (a body we refused): read and discard
// for a moment before closing, so that the reply is not lost to a TCP reset.
constexpr std::chrono::milliseconds linger_time{1000};
constexpr std::size_t linger_bytes = 1 << 20;
// A failing accept (out of descriptors) is retried after a pause instead of spinning.
constexpr std::chrono::milliseconds accept_retry{100};

const std::string& busy_response() {
    static const std::string body = "{\"error\":\"too many connections\"}\n";
    static const std::string text = "HTTP/1.1 503 Service Unavailable\r\nServer: onair\r\n"
                                    "Content-Type: application/json\r\nContent-Length: " +
                                    std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
                                    body;
    return text;
}

std::string endpoint_text(const std::string& host, unsigned short port) {
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
}

} // namespace

struct server::impl : std::enable_shared_from_this<server::impl> {
    impl(net::io_context& io, backend& b, const metrics::registry& m, server_options o,
         core::logger& l, metrics::station_metrics* station)
        : routes(b, m, station, settings_of(o)), opts(std::move(o)), log(l), acceptor(io),
          retry(io), bind_timer(io), bind_delay(opts.bind_retry_first) {}

    static api_settings settings_of(const server_options& o) {
        api_settings s;
        s.token = o.token;
        s.read_token = o.read_token;
        s.plan_days = o.plan_days;
        s.listen_host = o.host;
        s.listen_port = o.port;
        s.now = o.now;
        s.station = o.station;
        s.national = o.national;
        return s;
    }

    void accept();
    void reject(tcp::socket socket);
    void try_bind();
    void close_listener();

    api routes;
    server_options opts;
    core::logger& log;
    tcp::acceptor acceptor;
    net::steady_timer retry;
    net::steady_timer bind_timer;
    std::chrono::milliseconds bind_delay;
    bool stopped = true;
    bool bound = false;
    // Bumped when the listener is closed: handlers of an older listener do nothing.
    std::uint64_t generation = 0;
    std::uint64_t next_id = 0;
    std::map<std::uint64_t, std::weak_ptr<session>> sessions;
};

namespace {

class session : public std::enable_shared_from_this<session> {
public:
    session(tcp::socket socket, std::shared_ptr<server::impl> owner, std::uint64_t id)
        : stream_(std::move(socket)), owner_(std::move(owner)), id_(id),
          buffer_(owner_->opts.limits.max_header_bytes + owner_->opts.limits.max_body_bytes) {}

    ~session() { owner_->sessions.erase(id_); }

    void start() { read_request(); }

    // From server::stop(): no more backend calls, and the backend's cursor goes now.
    void close() {
        closed_ = true;
        cursor_.reset();
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.socket().close(ec);
    }

private:
    const server_limits& limits() const { return owner_->opts.limits; }

    void read_request() {
        if (owner_->stopped) {
            return;
        }
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(limits().max_header_bytes));
        parser_->body_limit(limits().max_body_bytes);
        // One deadline for the whole request: a client that trickles bytes (slowloris) is
        // dropped as surely as one that sends nothing.
        stream_.expires_after(limits().read_timeout);
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (owner_->stopped || ec == net::error::operation_aborted) {
            return;
        }
        if (ec == http::error::end_of_stream || ec == beast::error::timeout) {
            drop();
            return;
        }
        if (ec == http::error::header_limit ||
            (ec == http::error::buffer_overflow && !parser_->is_header_done())) {
            send(error_reply(431, "request header larger than " +
                                      std::to_string(limits().max_header_bytes) + " bytes"),
                 false);
            return;
        }
        if (ec == http::error::body_limit || ec == http::error::buffer_overflow) {
            send(error_reply(413, "request body larger than " +
                                      std::to_string(limits().max_body_bytes) + " bytes"),
                 false);
            return;
        }
        if (ec && ec.category() == http::make_error_code(http::error::bad_target).category()) {
            send(error_reply(400, "malformed HTTP request"), false);
            return;
        }
        if (ec) {
            drop(); // the network failed (reset, ...): nobody to answer
            return;
        }
        request req = parser_->release();
        version_ = req.version();
        const bool keep = req.keep_alive();
        // The reply may come later (a backend completion): the handler keeps the session
        // alive until then, and send() finds out whether the connection is still wanted.
        owner_->routes.handle(
            req, [self = shared_from_this(), keep](reply r) { self->send(std::move(r), keep); });
    }

    void send(reply r, bool keep_alive) {
        if (owner_->stopped || closed_) {
            drop();
            return;
        }
        if (r.stream) {
            send_stream(std::move(r), keep_alive);
            return;
        }
        res_ = {};
        res_.version(version_);
        res_.result(r.status);
        res_.set(http::field::server, "onair");
        res_.set(http::field::content_type, r.content_type);
        for (const auto& [name, value] : r.headers) {
            res_.set(name, value);
        }
        res_.body() = std::move(r.body);
        res_.keep_alive(keep_alive);
        res_.prepare_payload();
        stream_.expires_after(limits().write_timeout);
        http::async_write(
            stream_, res_,
            [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                self->after_response(ec, keep_alive);
            });
    }

    void send_stream(reply r, bool keep_alive) {
        cursor_ = std::shared_ptr<asrun_cursor>(std::move(r.stream));
        head_.emplace(static_cast<http::status>(r.status), version_);
        head_->set(http::field::server, "onair");
        head_->set(http::field::content_type, r.content_type);
        for (const auto& [name, value] : r.headers) {
            head_->set(name, value);
        }
        head_->keep_alive(keep_alive);
        head_->chunked(true);
        serializer_.emplace(*head_);
        stream_.expires_after(limits().write_timeout);
        http::async_write_header(
            stream_, *serializer_,
            [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                if (ec) {
                    self->drop();
                    return;
                }
                self->next_piece(keep_alive);
            });
    }

    // One piece of the cursor per write: memory stays at one piece, and the loop gets back
    // control between pieces. The cursor reads off the loop and calls back on it; the
    // completion holds the cursor, so that it lives until then even if the session closes.
    void next_piece(bool keep_alive) {
        if (owner_->stopped || closed_ || !cursor_) {
            drop();
            return;
        }
        auto cursor = cursor_;
        try {
            cursor->next([self = shared_from_this(), cursor, keep_alive](asrun_piece p) {
                self->on_piece(std::move(p), keep_alive);
            });
        } catch (...) {
            // No final chunk: the client must see that the export is incomplete.
            drop();
        }
    }

    void on_piece(asrun_piece p, bool keep_alive) {
        if (owner_->stopped || closed_ || !cursor_ || p.failed) {
            drop();
            return;
        }
        if (p.more && p.text.empty()) {
            next_piece(keep_alive);
            return;
        }
        piece_ = std::move(p.text);
        stream_.expires_after(limits().write_timeout);
        auto self = shared_from_this();
        if (!p.more) {
            cursor_.reset();
            if (piece_.empty()) {
                net::async_write(stream_, http::make_chunk_last(),
                                 [self, keep_alive](beast::error_code ec, std::size_t) {
                                     self->after_response(ec, keep_alive);
                                 });
            } else {
                net::async_write(stream_, http::make_chunk(net::buffer(piece_)),
                                 [self, keep_alive](beast::error_code ec, std::size_t) {
                                     if (ec) {
                                         self->drop();
                                         return;
                                     }
                                     self->piece_.clear();
                                     self->stream_.expires_after(self->limits().write_timeout);
                                     net::async_write(
                                         self->stream_, http::make_chunk_last(),
                                         [self, keep_alive](beast::error_code ec2, std::size_t) {
                                             self->after_response(ec2, keep_alive);
                                         });
                                 });
            }
            return;
        }
        net::async_write(stream_, http::make_chunk(net::buffer(piece_)),
                         [self, keep_alive](beast::error_code ec, std::size_t) {
                             if (ec) {
                                 self->drop();
                                 return;
                             }
                             self->next_piece(keep_alive);
                         });
    }

    void after_response(beast::error_code ec, bool keep_alive) {
        if (ec) {
            drop();
            return;
        }
        if (keep_alive) {
            read_request();
            return;
        }
        linger();
    }

    void linger() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.expires_after(linger_time);
        drain();
    }

    void drain() {
        stream_.async_read_some(net::buffer(drain_),
                                [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                    self->drained_ += n;
                                    if (ec || self->drained_ > linger_bytes) {
                                        self->drop();
                                        return;
                                    }
                                    self->drain();
                                });
    }

    void drop() {
        closed_ = true;
        cursor_.reset();
        beast::error_code ec;
        stream_.socket().close(ec);
    }

    beast::tcp_stream stream_;
    std::shared_ptr<server::impl> owner_;
    std::uint64_t id_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    unsigned version_ = 11;
    http::response<http::string_body> res_;
    std::shared_ptr<asrun_cursor> cursor_;
    bool closed_ = false;
    std::optional<http::response<http::empty_body>> head_;
    std::optional<http::response_serializer<http::empty_body>> serializer_;
    std::string piece_;
    std::array<char, 4096> drain_{};
    std::size_t drained_ = 0;
};

} // namespace

void server::impl::accept() {
    acceptor.async_accept(
        [self = shared_from_this(), gen = generation](beast::error_code ec, tcp::socket socket) {
            if (self->stopped || gen != self->generation || ec == net::error::operation_aborted) {
                return;
            }
            if (ec) {
                self->retry.expires_after(accept_retry);
                self->retry.async_wait([self, gen](beast::error_code wait_ec) {
                    if (!wait_ec && !self->stopped && gen == self->generation) {
                        self->accept();
                    }
                });
                return;
            }
            if (self->sessions.size() >= self->opts.limits.max_connections) {
                self->reject(std::move(socket));
            } else {
                const auto id = self->next_id++;
                auto s = std::make_shared<session>(std::move(socket), self, id);
                self->sessions.emplace(id, s);
                s->start();
            }
            self->accept();
        });
}

void server::impl::close_listener() {
    ++generation;
    bound = false;
    beast::error_code ec;
    acceptor.close(ec);
    retry.cancel();
    bind_timer.cancel();
}

// One attempt; on failure, the next one is scheduled. Never throws: the API is not a reason
// for the station to go off air.
void server::impl::try_bind() {
    const auto where = endpoint_text(opts.host, opts.port);
    beast::error_code ec;
    std::string what;
    tcp::endpoint endpoint;
    auto address = net::ip::make_address(opts.host, ec);
    if (!ec) {
        endpoint = tcp::endpoint(address, opts.port);
    } else {
        // A host name ("localhost"): its first address.
        tcp::resolver resolver(acceptor.get_executor());
        auto results = resolver.resolve(opts.host, std::to_string(opts.port), ec);
        if (ec || results.empty()) {
            what = "resolve";
            if (!ec) {
                ec = net::error::host_not_found;
            }
        } else {
            endpoint = results.begin()->endpoint();
        }
    }
    auto step = [&](const char* name, auto&& f) {
        if (!ec) {
            f();
            if (ec) {
                what = name;
            }
        }
    };
    step("socket", [&] { acceptor.open(endpoint.protocol(), ec); });
    step("SO_REUSEADDR", [&] { acceptor.set_option(net::socket_base::reuse_address(true), ec); });
    step("bind", [&] { acceptor.bind(endpoint, ec); });
    step("listen", [&] { acceptor.listen(net::socket_base::max_listen_connections, ec); });
    if (!ec) {
        bound = true;
        bind_delay = opts.bind_retry_first;
        beast::error_code ep_ec;
        routes.set_bound_port(acceptor.local_endpoint(ep_ec).port());
        log.info("api listening", "listen",
                 endpoint_text(opts.host, acceptor.local_endpoint(ep_ec).port()));
        accept();
        return;
    }
    beast::error_code ignored;
    acceptor.close(ignored);
    log.warning("api cannot listen, retrying", "listen", where, "step", what, "error", ec.message(),
                "retry_in_ms", bind_delay.count());
    bind_timer.expires_after(bind_delay);
    bind_delay = std::min(bind_delay * 2, opts.bind_retry_max);
    bind_timer.async_wait([self = shared_from_this(), gen = generation](beast::error_code wait_ec) {
        if (!wait_ec && !self->stopped && gen == self->generation) {
            self->try_bind();
        }
    });
}

void server::impl::reject(tcp::socket socket) {
    auto s = std::make_shared<tcp::socket>(std::move(socket));
    net::async_write(*s, net::buffer(busy_response()), [s](beast::error_code, std::size_t) {
        beast::error_code ec;
        s->shutdown(tcp::socket::shutdown_send, ec);
        s->close(ec);
    });
}

std::string read_token_file(const std::filesystem::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        throw std::runtime_error("cannot read the token file " + file.string() + ": " +
                                 std::strerror(errno));
    }
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        throw std::runtime_error("the token file " + file.string() +
                                 " can be read by others (mode " + mode + "): chmod 600 " +
                                 file.string());
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read the token file " + file.string());
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string token = text.str();
    const auto first = token.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        throw std::runtime_error("the token file " + file.string() + " is empty");
    }
    const auto last = token.find_last_not_of(" \t\r\n");
    return token.substr(first, last - first + 1);
}

std::optional<std::filesystem::path> credentials_directory() {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (dir == nullptr || *dir == '\0') {
        return std::nullopt;
    }
    return std::filesystem::path(dir);
}

std::optional<std::filesystem::path>
token_file_of(const schedule::control& c,
              const std::optional<std::filesystem::path>& credentials_dir) {
    if (!c.token_file) {
        return std::nullopt;
    }
    if (credentials_dir && !c.token_credential.empty()) {
        auto credential = *credentials_dir / c.token_credential;
        std::error_code ec;
        if (std::filesystem::is_regular_file(credential, ec)) {
            return credential;
        }
    }
    return c.token_file;
}

server_options options_from(const schedule::control& c,
                            const std::optional<std::filesystem::path>& credentials_dir) {
    server_options o;
    o.host = c.listen_host;
    o.port = static_cast<unsigned short>(c.listen_port);
    if (auto file = token_file_of(c, credentials_dir)) {
        o.token = read_token_file(*file);
    }
    o.read_token = c.read_token;
    o.plan_days = c.plan_days;
    return o;
}

server::server(net::io_context& io, backend& b, const metrics::registry& metrics,
               server_options options, core::logger& log, metrics::station_metrics* station)
    : impl_(std::make_shared<impl>(io, b, metrics, std::move(options), log, station)) {}

server::~server() {
    stop();
}

void server::start() {
    if (!impl_->stopped) {
        return;
    }
    impl_->stopped = false;
    impl_->bind_delay = impl_->opts.bind_retry_first;
    impl_->try_bind();
}

void server::reconfigure(server_options options) {
    auto& i = *impl_;
    const bool moved = options.host != i.opts.host || options.port != i.opts.port;
    auto settings = impl::settings_of(options);
    if (!moved) {
        settings.listen_port = i.routes.settings().listen_port; // the bound one (0: ephemeral)
    }
    i.routes.configure(std::move(settings));
    i.opts = std::move(options);
    if (!moved) {
        return;
    }
    i.log.info("api moves", "listen", endpoint_text(i.opts.host, i.opts.port));
    i.close_listener();
    i.bind_delay = i.opts.bind_retry_first;
    if (!i.stopped) {
        i.try_bind();
    }
}

void server::stop() {
    impl_->stopped = true;
    impl_->close_listener();
    std::vector<std::shared_ptr<session>> open;
    for (auto& [id, weak] : impl_->sessions) {
        if (auto s = weak.lock()) {
            open.push_back(std::move(s));
        }
    }
    for (auto& s : open) {
        s->close();
    }
}

bool server::listening() const {
    return impl_->bound;
}

tcp::endpoint server::local_endpoint() const {
    beast::error_code ec;
    return impl_->acceptor.local_endpoint(ec);
}

std::size_t server::connections() const {
    return impl_->sessions.size();
}

} // namespace onair::control
