#include "control/api.hpp"
#include "control/web_assets.hpp"

#include "core/ids.hpp"
#include "core/redact.hpp"

#include <boost/asio/ip/address.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>

namespace onair::control {
namespace http = boost::beast::http;
using json = nlohmann::ordered_json;

namespace {

constexpr const char* api_prefix = "/api/v1/";

reply json_reply(unsigned status, const json& body) {
    reply r;
    r.status = status;
    // Replacement characters instead of an exception: a title with broken UTF-8 must not
    // take down the whole listing.
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace) + '\n';
    return r;
}

json null_if_empty(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

std::string iso(core::instant t, const date::time_zone* zone) {
    static const date::time_zone* utc = core::find_zone("UTC");
    const date::time_zone* z = zone != nullptr ? zone : utc;
    return z != nullptr ? core::format_iso(t, *z) : date::format("%FT%TZ", t);
}

json item_json(const item_info& item, const date::time_zone* zone,
               std::optional<core::instant> now) {
    json j;
    j["start"] = iso(item.start, zone);
    j["end"] = iso(item.end, zone);
    j["kind"] = item.kind;
    j["media"] = null_if_empty(item.media);
    j["title"] = item.title;
    j["campaign"] = null_if_empty(item.campaign);
    j["break"] = null_if_empty(item.break_id);
    if (now) {
        j["elapsed_ms"] = std::max<std::int64_t>(0, (*now - item.start).count());
        j["remaining_ms"] = std::max<std::int64_t>(0, (item.end - *now).count());
    }
    return j;
}

json channel_json(const channel_info& c, std::optional<core::instant> now) {
    json j;
    j["id"] = c.id;
    j["name"] = c.name;
    j["kind"] = c.kind;
    j["airing"] = c.airing;
    j["now"] = c.now ? item_json(*c.now, c.zone, now) : json(nullptr);
    j["next"] = c.next ? item_json(*c.next, c.zone, std::nullopt) : json(nullptr);
    json outputs = json::array();
    for (const auto& o : c.outputs) {
        json oj;
        oj["name"] = core::redact(o.name);
        oj["type"] = o.type;
        oj["state"] = o.state;
        oj["reconnects"] = o.reconnects;
        oj["last_error"] = null_if_empty(core::redact(o.last_error));
        outputs.push_back(std::move(oj));
    }
    j["outputs"] = std::move(outputs);
    j["down_reason"] = null_if_empty(core::redact(c.down_reason));
    // the channel's zone, so that a page can take "today" in it even while filler airs
    j["timezone"] = c.zone != nullptr ? c.zone->name() : std::string("UTC");
    if (now && c.zone != nullptr) {
        const auto info = c.zone->get_info(date::floor<std::chrono::seconds>(*now));
        j["utc_offset_minutes"] =
            std::chrono::duration_cast<std::chrono::minutes>(info.offset).count();
    } else {
        j["utc_offset_minutes"] = now ? json(0) : json(nullptr);
    }
    return j;
}

bool healthy(const health_info& h) {
    return h.ok && h.not_airing.empty() && h.degraded.empty();
}

json health_json(const health_info& h) {
    json j;
    if (healthy(h)) {
        j["status"] = "ok";
        return j;
    }
    j["status"] = "degraded";
    j["not_airing"] = h.not_airing;
    json reasons = json::array();
    for (const auto& d : h.degraded) {
        reasons.push_back(core::redact(d));
    }
    j["degraded"] = std::move(reasons);
    return j;
}

json diagnostics_json(const std::vector<core::diagnostic>& list) {
    core::diagnostics all;
    for (const auto& d : list) {
        all.add(d);
    }
    json out = json::array();
    for (const auto& d : all.sorted()) {
        json j;
        j["file"] = d.where.file;
        j["line"] = d.where.line;
        j["column"] = d.where.column;
        j["severity"] = core::to_string(d.level);
        j["message"] = core::redact(d.message);
        out.push_back(std::move(j));
    }
    return out;
}

reply from_failure(const failure& f) {
    const unsigned status = f.status >= 400 && f.status <= 599 ? f.status : 500;
    return error_reply(status, f.message.empty() ? "request failed" : f.message);
}

// The reply to a backend's outcome: its failure as an error reply, else what `ok` makes of it.
template <typename T, typename Ok> reply answer(outcome<T>& out, Ok ok) {
    if (auto* f = std::get_if<failure>(&out)) {
        return from_failure(*f);
    }
    return ok(std::get<T>(out));
}

reply reload_reply(const reload_result& result) {
    const bool errors =
        std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                    [](const core::diagnostic& d) { return d.level == core::severity::error; });
    json j;
    if (errors) {
        j["error"] = "the new configuration has errors; the old one stays on air";
        j["diagnostics"] = diagnostics_json(result.diagnostics);
        return json_reply(422, j);
    }
    j["status"] = "reloaded";
    j["channels"] = result.channels;
    j["diagnostics"] = diagnostics_json(result.diagnostics);
    return json_reply(200, j);
}

// The query string as a map; nullopt when an escape is broken or a name repeats.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view q) {
    std::map<std::string, std::string> out;
    while (!q.empty()) {
        auto amp = q.find('&');
        auto part = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        if (part.empty()) {
            continue;
        }
        auto eq = part.find('=');
        auto name = percent_decode(part.substr(0, eq));
        auto value =
            percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
        if (!name || !value || !out.emplace(*name, *value).second) {
            return std::nullopt;
        }
    }
    return out;
}

// Splits "/api/v1/channels/ID/plan" into {"channels", "ID", "plan"}.
std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    while (!path.empty()) {
        auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) {
            break;
        }
        path = path.substr(slash + 1);
        if (path.empty()) {
            out.emplace_back(); // a trailing slash is an empty last segment: no such route
        }
    }
    return out;
}

reply method_not_allowed(const request& req, std::string_view path, const char* allowed) {
    auto r = error_reply(405, "method " + std::string(req.method_string()) + " is not allowed on " +
                                  std::string(path) + "; use " + allowed);
    r.headers.emplace_back("Allow", allowed);
    return r;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string_view trimmed(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
        v.remove_prefix(1);
    }
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
        v.remove_suffix(1);
    }
    return v;
}

std::optional<std::string_view> header(const request& req, http::field f) {
    auto it = req.find(f);
    if (it == req.end()) {
        return std::nullopt;
    }
    return std::string_view(it->value().data(), it->value().size());
}

std::optional<std::string_view> header(const request& req, std::string_view name) {
    auto it = req.find(boost::beast::string_view(name.data(), name.size()));
    if (it == req.end()) {
        return std::nullopt;
    }
    return std::string_view(it->value().data(), it->value().size());
}

// "Host: name:port" -> {"name", port}; "[::1]:8750" -> {"::1", 8750}; no port: 80. Nullopt
// when it cannot be read.
std::optional<std::pair<std::string, unsigned>> split_host(std::string_view v) {
    std::string_view name = v, port;
    if (!v.empty() && v.front() == '[') {
        const auto close = v.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        name = v.substr(1, close - 1);
        auto rest = v.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                return std::nullopt;
            }
            port = rest.substr(1);
        }
    } else if (const auto colon = v.rfind(':'); colon != std::string_view::npos) {
        name = v.substr(0, colon);
        port = v.substr(colon + 1);
    }
    unsigned n = 80;
    if (!port.empty() || v.find(':') != std::string_view::npos) {
        if (port.empty() || port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return std::nullopt;
        }
        n = static_cast<unsigned>(std::stoul(std::string(port)));
    }
    if (name.empty()) {
        return std::nullopt;
    }
    return std::make_pair(lower(name), n);
}

bool is_wildcard(const std::string& host) {
    return host == "0.0.0.0" || host == "::" || host.empty();
}

// FNV-1a: tells a different body from the first one under the same idempotency key.
std::size_t body_hash(std::string_view body) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : body) {
        h = (h ^ c) * 1099511628211ull;
    }
    return static_cast<std::size_t>(h);
}

bool valid_idempotency_key(std::string_view k) {
    return !k.empty() && k.size() <= 255 &&
           std::all_of(k.begin(), k.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

} // namespace

reply error_reply(unsigned status, const std::string& message) {
    json j;
    j["error"] = core::redact(message);
    return json_reply(status, j);
}

bool is_loopback_host(const std::string& host) {
    if (host == "localhost") {
        return true;
    }
    boost::system::error_code ec;
    const auto a = boost::asio::ip::make_address(host, ec);
    return !ec && a.is_loopback();
}

bool same_secret(std::string_view a, std::string_view b) {
    volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
    const std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff = diff | static_cast<unsigned char>(x ^ y);
    }
    return diff == 0;
}

std::optional<std::string> percent_decode(std::string_view s) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= s.size()) {
                return std::nullopt;
            }
            const int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

api::api(backend& b, const metrics::registry& metrics, metrics::station_metrics* station,
         api_settings settings)
    : backend_(b), metrics_(metrics), station_(station) {
    configure(std::move(settings));
}

void api::configure(api_settings settings) {
    if (!settings.now) {
        settings.now = [] {
            return date::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
        };
    }
    settings_ = std::move(settings);
}

bool api::authorized(const request& req) const {
    if (!settings_.token) {
        return true;
    }
    auto value = header(req, http::field::authorization);
    if (!value) {
        return false;
    }
    std::string_view v = *value;
    constexpr std::string_view scheme = "bearer ";
    if (v.size() < scheme.size() ||
        !std::equal(scheme.begin(), scheme.end(), v.begin(), [](char a, char b) {
            return a == std::tolower(static_cast<unsigned char>(b));
        })) {
        return false;
    }
    v.remove_prefix(scheme.size());
    return same_secret(trimmed(v), *settings_.token);
}

// DNS rebinding: a web page whose name the attacker points at 127.0.0.1 reaches the API from
// the browser with its own name in Host. Only the names of the listen address are served.
std::optional<reply> api::host_refused(const request& req) const {
    const auto value = header(req, http::field::host);
    if (!value) {
        return std::nullopt; // not a browser (HTTP/1.0 tools send none)
    }
    const auto& s = settings_;
    const auto refuse = [&] {
        return error_reply(
            421, "the Host header '" + std::string(*value) + "' does not name this server; use " +
                     (s.listen_host.find(':') != std::string::npos ? "[" + s.listen_host + "]"
                                                                   : s.listen_host) +
                     ":" + std::to_string(s.listen_port));
    };
    const auto host = split_host(trimmed(*value));
    if (!host || host->second != s.listen_port) {
        return refuse();
    }
    const auto& name = host->first;
    const std::string listen = lower(s.listen_host);
    if (is_wildcard(listen) && s.token) {
        return std::nullopt; // every name of the machine; the token guards the routes
    }
    if (name == listen) {
        return std::nullopt;
    }
    if (is_wildcard(listen) || is_loopback_host(listen)) {
        if (name == "localhost" || name == "127.0.0.1" || name == "::1") {
            return std::nullopt;
        }
    }
    return refuse();
}

void api::internal_error() {
    if (station_ != nullptr) {
        try {
            station_->count_internal_error("api");
        } catch (...) {
        }
    }
}

void api::forget_expired(core::instant now) {
    while (!key_order_.empty() && (key_order_.size() > idempotency_max_keys ||
                                   now - key_order_.front().first >= idempotency_window)) {
        auto it = keys_.find(key_order_.front().second);
        if (it != keys_.end() && it->second.at == key_order_.front().first) {
            keys_.erase(it);
        }
        key_order_.pop_front();
    }
}

template <class Body> void api::catching(const responder& respond, Body&& body) {
    try {
        body();
    } catch (const std::exception& e) {
        internal_error();
        respond(error_reply(500, std::string("internal error: ") + e.what()));
    } catch (...) {
        internal_error();
        respond(error_reply(500, "internal error"));
    }
}

void api::handle(const request& req, responder respond) {
    // Exactly once, whatever throws where: a reply sent from a completion and then an
    // exception must not answer twice.
    auto answered = std::make_shared<bool>(false);
    responder once = [answered, respond = std::move(respond)](reply r) {
        if (!*answered) {
            *answered = true;
            respond(std::move(r));
        }
    };
    catching(once, [&] { route(req, once); });
}

// Long: the route table, one short case per route, read side by side.
void api::route(const request& req, const responder& respond_now) {
    const std::string_view target(req.target().data(), req.target().size());
    const auto qmark = target.find('?');
    const std::string_view path = target.substr(0, qmark);
    const std::string_view query =
        qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
    const bool get = req.method() == http::verb::get;
    const bool post = req.method() == http::verb::post;

    if (auto refused = host_refused(req)) {
        return respond_now(std::move(*refused));
    }

    auto not_found = [&] { return error_reply(404, "no such route: " + std::string(path)); };

    // Which method the route takes, found before anything else so that a 404 or a 405 never
    // depends on the token or the parameters.
    std::optional<route_id> which;
    std::string channel;
    const auto prefix_len = std::char_traits<char>::length(api_prefix);
    if (path == "/metrics") {
        which = route_id::metrics;
    } else if (path == "/" || path.substr(0, 8) == "/static/") {
        which = route_id::console;
    } else if (path.substr(0, prefix_len) == api_prefix) {
        const auto seg = segments(path.substr(prefix_len));
        if (seg.size() == 1 && seg[0] == "health") {
            which = route_id::health;
        } else if (seg.size() == 1 && seg[0] == "channels") {
            which = route_id::channels;
        } else if (seg.size() == 1 && seg[0] == "asrun") {
            which = route_id::asrun;
        } else if (seg.size() == 1 && seg[0] == "reload") {
            which = route_id::reload;
        } else if (seg.size() == 1 && seg[0] == "events") {
            which = route_id::events;
        } else if (seg.size() == 1 && seg[0] == "report") {
            which = route_id::report;
        } else if (seg.size() == 2 && seg[0] == "asrun" && seg[1] == "verify") {
            which = route_id::verify;
        } else if (seg.size() == 3 && seg[0] == "channels") {
            channel = std::string(seg[1]);
            if (seg[2] == "plan") {
                which = route_id::plan;
            } else if (seg[2] == "insert") {
                which = route_id::insert;
            } else if (seg[2] == "skip") {
                which = route_id::skip;
            } else if (seg[2] == "media") {
                which = route_id::media;
            } else if (seg[2] == "preview.jpg") {
                which = route_id::preview;
            }
        }
    }
    if (!which) {
        return respond_now(not_found());
    }
    const bool wants_post =
        *which == route_id::reload || *which == route_id::insert || *which == route_id::skip;
    if (wants_post && !post) {
        return respond_now(method_not_allowed(req, path, "POST"));
    }
    if (!wants_post && !get) {
        return respond_now(method_not_allowed(req, path, "GET"));
    }
    if (!channel.empty() && !core::is_valid_id(channel)) {
        return respond_now(error_reply(404, "no channel '" + channel + "'"));
    }
    if (wants_post) {
        // A page in a browser on the station PC may post here; the browser names the page's
        // origin. Tools (curl, onair reload) send no Origin.
        if (auto origin = header(req, http::field::origin)) {
            const auto host = header(req, http::field::host);
            if (!host || lower(trimmed(*origin)) != "http://" + lower(trimmed(*host))) {
                return respond_now(error_reply(
                    403, "cross-origin request refused (Origin: " + std::string(*origin) + ")"));
            }
        }
    }
    // The console's files hold no station data: the page must load to ask for the token.
    const bool needs_token = wants_post || (settings_.read_token && *which != route_id::health &&
                                            *which != route_id::console);
    if (needs_token && !authorized(req)) {
        auto r = error_reply(401, "this route needs the header: Authorization: Bearer <token>");
        r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"onair\"");
        return respond_now(std::move(r));
    }
    if (wants_post) {
        // A form or a "simple" cross-origin fetch cannot send this type without a preflight.
        const auto type = header(req, http::field::content_type);
        const auto media = type ? lower(trimmed(type->substr(0, type->find(';')))) : "";
        if (media != "application/json") {
            return respond_now(error_reply(
                415, "a POST needs the header Content-Type: application/json" +
                         (type ? ", found '" + std::string(*type) + "'" : std::string())));
        }
    }

    // Idempotency: the reply to a repeated POST is the first one, the backend is not called
    // again.
    responder respond = respond_now;
    if (wants_post) {
        if (auto key = header(req, "Idempotency-Key")) {
            const auto k = trimmed(*key);
            if (!valid_idempotency_key(k)) {
                return respond_now(error_reply(
                    400, "header Idempotency-Key: expected 1 to 255 visible ASCII characters"));
            }
            const auto now = settings_.now();
            forget_expired(now);
            const std::string route_name = "POST " + std::string(path);
            const std::string id = std::string(k) + '\n' + route_name;
            const auto hash = body_hash(req.body());
            if (auto it = keys_.find(id); it != keys_.end()) {
                const auto& seen = it->second;
                if (seen.body_hash != hash) {
                    return respond_now(
                        error_reply(422, "Idempotency-Key '" + std::string(k) +
                                             "' was used with another body; use a new key"));
                }
                if (!seen.done) {
                    return respond_now(error_reply(409, "the request with Idempotency-Key '" +
                                                            std::string(k) + "' is still running"));
                }
                reply r;
                r.status = seen.status;
                r.content_type = seen.content_type;
                r.body = seen.body;
                r.headers = seen.headers;
                r.headers.emplace_back("Idempotent-Replayed", "true");
                return respond_now(std::move(r));
            }
            remembered fresh;
            fresh.route = route_name;
            fresh.body_hash = hash;
            fresh.at = now;
            keys_.emplace(id, std::move(fresh));
            key_order_.emplace_back(now, id);
            forget_expired(now);
            respond = [this, id, at = now, respond_now](reply r) {
                auto it = keys_.find(id);
                if (it != keys_.end() && it->second.at == at) {
                    if (r.status == 503) {
                        keys_.erase(it); // not served at all: a retry may try again
                    } else {
                        it->second.done = true;
                        it->second.status = r.status;
                        it->second.content_type = r.content_type;
                        it->second.body = r.body;
                        it->second.headers = r.headers;
                    }
                }
                respond_now(std::move(r));
            };
        }
    }

    // From here on, an exception is answered through `respond`, so that an idempotency key
    // gets its reply recorded instead of staying "still running".
    catching(respond, [&] { serve(req, *which, channel, query, respond); });
}

// Long: the checks every request passes in order (host, method, origin, token, content type,
// idempotency), each a few lines.
void api::serve(const request& req, route_id which, const std::string& channel,
                std::string_view query, const responder& respond) {
    auto q = parse_query(query);
    if (!q) {
        return respond(error_reply(400, "malformed query string"));
    }
    auto unknown_param =
        [&](std::initializer_list<std::string_view> known) -> std::optional<reply> {
        for (const auto& [name, value] : *q) {
            if (std::find(known.begin(), known.end(), name) == known.end()) {
                return error_reply(400, "unknown parameter '" + name + "'");
            }
        }
        return std::nullopt;
    };
    // A backend completion runs later, outside handle()'s try: it has its own catch.
    auto guarded = [this, respond](auto&& make) { catching(respond, [&] { respond(make()); }); };
    // The completion of a backend that answers with a JSON body (plan, verify).
    auto json_body = [guarded](outcome<std::string> out) {
        guarded([&] {
            return answer(out, [](std::string& body) {
                reply r;
                r.body = std::move(body);
                return r;
            });
        });
    };

    switch (which) {
    case route_id::console: {
        const std::string_view target(req.target().data(), req.target().size());
        const auto path = target.substr(0, target.find('?'));
        reply r;
        if (path == "/static/fonts/lao.ttf") {
            if (!lao_font_) {
                std::ifstream in(settings_.lao_font, std::ios::binary);
                std::string bytes{std::istreambuf_iterator<char>(in), {}};
                if (bytes.empty()) {
                    return respond(error_reply(404, "no Lao font on this host (fonts-lao)"));
                }
                lao_font_ = std::make_shared<const std::string>(std::move(bytes));
            }
            r.content_type = "font/ttf";
            r.body = *lao_font_;
            r.headers.emplace_back("Cache-Control", "max-age=86400");
            return respond(std::move(r));
        }
        const auto* asset = find_web_asset(path);
        if (asset == nullptr) {
            return respond(error_reply(404, "no such file"));
        }
        r.content_type = std::string(asset->content_type);
        r.body = std::string(asset->body);
        // The page runs nothing but its own files: no inline script, nothing from elsewhere.
        r.headers.emplace_back("Content-Security-Policy",
                               "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "frame-ancestors 'none'");
        r.headers.emplace_back("X-Content-Type-Options", "nosniff");
        r.headers.emplace_back("Cache-Control", "no-cache");
        return respond(std::move(r));
    }
    case route_id::events: {
        if (auto bad = unknown_param({})) {
            return respond(std::move(*bad));
        }
        auto out = backend_.events();
        return respond(answer(out, [](std::unique_ptr<asrun_cursor>& stream) {
            if (!stream) {
                return error_reply(503, "no event stream");
            }
            reply r;
            r.content_type = "text/event-stream; charset=utf-8";
            r.headers.emplace_back("Cache-Control", "no-cache");
            r.stream = std::move(stream);
            return r;
        }));
    }
    case route_id::metrics: {
        backend_.refresh_metrics();
        reply r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = metrics_.render();
        return respond(std::move(r));
    }
    case route_id::health: {
        const auto h = backend_.health();
        return respond(json_reply(healthy(h) ? 200 : 503, health_json(h)));
    }
    case route_id::channels: {
        const auto now = settings_.now();
        json list = json::array();
        for (const auto& c : backend_.channels()) {
            list.push_back(channel_json(c, now));
        }
        json j;
        j["station"] = settings_.station;
        j["national"] = settings_.national;
        j["channels"] = std::move(list);
        return respond(json_reply(200, j));
    }
    case route_id::plan: {
        if (auto bad = unknown_param({"date"})) {
            return respond(std::move(*bad));
        }
        auto it = q->find("date");
        if (it == q->end()) {
            return respond(error_reply(400, "parameter 'date' (YYYY-MM-DD) is required"));
        }
        auto day = core::parse_date(it->second);
        if (!day) {
            return respond(error_reply(400, "parameter 'date': " + day.error()));
        }
        // Planning is bounded work: a date years away would hold a worker for seconds and
        // build a huge answer.
        const auto today =
            core::local_days(date::floor<date::days>(settings_.now()).time_since_epoch());
        const date::days span{settings_.plan_days};
        if (*day < today - span || *day > today + span) {
            return respond(error_reply(
                400, "parameter 'date': " + it->second + " is outside the plan horizon, " +
                         core::format_date(today - span) + " to " +
                         core::format_date(today + span) +
                         " (control.plan_days: " + std::to_string(settings_.plan_days) + ")"));
        }
        backend_.plan_json(channel, *day, json_body);
        return;
    }
    case route_id::asrun: {
        if (auto bad = unknown_param({"channel", "from", "to", "format"})) {
            return respond(std::move(*bad));
        }
        asrun_query aq;
        aq.format = asrun_format::json;
        if (auto it = q->find("format"); it != q->end()) {
            if (it->second == "csv") {
                aq.format = asrun_format::csv;
            } else if (it->second != "json") {
                return respond(error_reply(
                    400, "parameter 'format': expected json or csv, found '" + it->second + "'"));
            }
        }
        if (auto it = q->find("channel"); it != q->end()) {
            aq.channel = it->second;
        }
        if (auto it = q->find("from"); it != q->end()) {
            aq.from = it->second;
        }
        if (auto it = q->find("to"); it != q->end()) {
            aq.to = it->second;
        }
        auto out = backend_.asrun(aq);
        return respond(answer(out, [&](std::unique_ptr<asrun_cursor>& cursor) {
            if (!cursor) {
                return error_reply(500, "the as-run log cannot be read");
            }
            reply r;
            r.content_type =
                aq.format == asrun_format::csv ? "text/csv; charset=utf-8" : "application/json";
            r.stream = std::move(cursor);
            return r;
        }));
    }
    case route_id::reload: {
        backend_.reload([guarded](outcome<reload_result> out) {
            guarded([&] { return answer(out, reload_reply); });
        });
        return;
    }
    case route_id::insert: {
        const bool has_length = req.find(http::field::content_length) != req.end() || req.chunked();
        if (!has_length) {
            return respond(error_reply(411, "a JSON body with Content-Length is required"));
        }
        auto body = json::parse(req.body(), nullptr, false);
        if (body.is_discarded()) {
            return respond(error_reply(400, "the body is not valid JSON"));
        }
        if (!body.is_object() || !body.contains("media") || !body["media"].is_string() ||
            body["media"].get<std::string>().empty()) {
            return respond(error_reply(400, "the body needs a field 'media' with a media id"));
        }
        for (const auto& [key, value] : body.items()) {
            if (key != "media") {
                return respond(error_reply(400, "unknown field '" + key + "'"));
            }
        }
        auto out = backend_.insert(channel, body["media"].get<std::string>());
        return respond(answer(out, [](const insert_result& ins) {
            json j;
            j["status"] = "queued";
            j["channel"] = ins.channel;
            j["media"] = ins.media;
            j["title"] = ins.title;
            j["duration_ms"] = ins.duration.count();
            j["start"] = ins.start ? json(iso(*ins.start, ins.zone)) : json(nullptr);
            return json_reply(202, j);
        }));
    }
    case route_id::verify: {
        if (auto bad = unknown_param({})) {
            return respond(std::move(*bad));
        }
        backend_.verify(json_body);
        return;
    }
    case route_id::report: {
        if (auto bad = unknown_param(
                {"campaign", "channel", "from", "to", "format", "verify", "national", "station"})) {
            return respond(std::move(*bad));
        }
        report_query rq;
        if (auto it = q->find("national"); it != q->end()) {
            if (it->second != "0" && it->second != "1") {
                return respond(error_reply(400, "parameter 'national': expected 0 or 1, found '" +
                                                    it->second + "'"));
            }
            rq.national = it->second == "1";
        }
        if (auto it = q->find("station"); it != q->end()) {
            const auto& s = it->second;
            const bool valid = !s.empty() && s.size() <= 64 &&
                               std::all_of(s.begin(), s.end(), [](unsigned char c) {
                                   return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.';
                               });
            if (!valid || !rq.national) {
                return respond(error_reply(
                    400, valid ? "parameter 'station' goes with national=1"
                               : "parameter 'station': expected a station id, found '" + s + "'"));
            }
            rq.station = s;
        }
        for (const char* key : {"campaign", "channel"}) {
            if (auto it = q->find(key); it != q->end()) {
                if (!core::is_valid_id(it->second)) {
                    return respond(error_reply(400, std::string("parameter '") + key +
                                                        "': expected an id [a-z0-9-]+, found '" +
                                                        it->second + "'"));
                }
                (std::string_view(key) == "campaign" ? rq.campaign : rq.channel) = it->second;
            }
        }
        for (const char* key : {"from", "to"}) {
            if (auto it = q->find(key); it != q->end()) {
                auto day = core::parse_date(it->second);
                if (!day) {
                    return respond(
                        error_reply(400, std::string("parameter '") + key + "': " + day.error()));
                }
                (std::string_view(key) == "from" ? rq.from : rq.to) = *day;
            }
        }
        if (rq.from && rq.to && *rq.to < *rq.from) {
            return respond(error_reply(400, "parameter 'to' must not be before 'from'"));
        }
        if (auto it = q->find("format"); it != q->end()) {
            if (it->second != "json" && it->second != "csv" && it->second != "html" &&
                it->second != "pdf") {
                return respond(error_reply(400, "parameter 'format': expected json, csv, html or "
                                                "pdf, found '" +
                                                    it->second + "'"));
            }
            rq.format = it->second;
            if (rq.national && rq.format != "json" && rq.format != "csv") {
                return respond(error_reply(400, "parameter 'format': the national report is json "
                                                "or csv"));
            }
        }
        if (auto it = q->find("verify"); it != q->end()) {
            if (it->second != "0" && it->second != "1") {
                return respond(error_reply(400, "parameter 'verify': expected 0 or 1, found '" +
                                                    it->second + "'"));
            }
            rq.verify = it->second == "1";
        }
        backend_.report(rq, [guarded](outcome<report_answer> out) {
            guarded([&] {
                return answer(out, [](report_answer& a) {
                    reply r;
                    r.content_type = a.content_type;
                    r.body = std::move(a.body);
                    if (!a.filename.empty()) {
                        r.headers.emplace_back("Content-Disposition",
                                               "inline; filename=\"" + a.filename + "\"");
                    }
                    return r;
                });
            });
        });
        return;
    }
    case route_id::preview: {
        auto out = backend_.preview(channel);
        return respond(answer(out, [](std::shared_ptr<const std::string>& jpeg) {
            if (!jpeg) {
                return error_reply(404, "no picture yet (a radio channel has none)");
            }
            reply r;
            r.content_type = "image/jpeg";
            r.body = *jpeg;
            r.headers.emplace_back("Cache-Control", "no-store");
            return r;
        }));
    }
    case route_id::media: {
        if (auto bad = unknown_param({})) {
            return respond(std::move(*bad));
        }
        auto out = backend_.media(channel);
        return respond(answer(out, [&](std::vector<media_info>& list) {
            json items = json::array();
            for (const auto& m : list) {
                json j;
                j["id"] = m.id;
                j["title"] = m.title;
                j["duration_ms"] = m.duration ? json(m.duration->count()) : json(nullptr);
                items.push_back(std::move(j));
            }
            json j;
            j["channel"] = channel;
            j["media"] = std::move(items);
            return json_reply(200, j);
        }));
    }
    case route_id::skip: {
        auto out = backend_.skip(channel);
        return respond(answer(out, [](const skip_result& sk) {
            json j;
            j["status"] = "skipped";
            j["channel"] = sk.channel;
            j["media"] = null_if_empty(sk.media);
            j["title"] = sk.title;
            return json_reply(200, j);
        }));
    }
    }
    respond(error_reply(404, "no such route"));
}

std::string channel_json_text(const channel_info& c, std::optional<core::instant> now) {
    return channel_json(c, now).dump();
}

std::string reload_json_text(const reload_result& result) {
    const bool errors =
        std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                    [](const core::diagnostic& d) { return d.level == core::severity::error; });
    json j;
    j["status"] = errors ? "refused" : "reloaded";
    j["channels"] = result.channels;
    j["diagnostics"] = diagnostics_json(result.diagnostics);
    return j.dump();
}

std::string health_json_text(const health_info& h) {
    return health_json(h).dump();
}

std::string item_json_text(const item_info& item, const date::time_zone* zone) {
    return item_json(item, zone, std::nullopt).dump();
}

} // namespace onair::control
