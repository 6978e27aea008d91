#include "control/api.hpp"

#include "core/ids.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
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
        j["message"] = d.message;
        out.push_back(std::move(j));
    }
    return out;
}

reply from_failure(const failure& f) {
    const unsigned status = f.status >= 400 && f.status <= 599 ? f.status : 500;
    return error_reply(status, f.message.empty() ? "request failed" : f.message);
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

} // namespace

reply error_reply(unsigned status, const std::string& message) {
    json j;
    j["error"] = message;
    return json_reply(status, j);
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

api::api(backend& b, const metrics::registry& metrics, std::optional<std::string> token,
         std::function<core::instant()> now)
    : backend_(b), metrics_(metrics), token_(std::move(token)), now_(std::move(now)) {
    if (!now_) {
        now_ = [] {
            return date::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
        };
    }
}

bool api::authorized(const request& req) const {
    if (!token_) {
        return true;
    }
    auto it = req.find(http::field::authorization);
    if (it == req.end()) {
        return false;
    }
    std::string_view v(it->value().data(), it->value().size());
    constexpr std::string_view scheme = "bearer ";
    if (v.size() < scheme.size() ||
        !std::equal(scheme.begin(), scheme.end(), v.begin(), [](char a, char b) {
            return a == std::tolower(static_cast<unsigned char>(b));
        })) {
        return false;
    }
    v.remove_prefix(scheme.size());
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
        v.remove_prefix(1);
    }
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
        v.remove_suffix(1);
    }
    return same_secret(v, *token_);
}

reply api::handle(const request& req) {
    try {
        return route(req);
    } catch (const std::exception& e) {
        return error_reply(500, std::string("internal error: ") + e.what());
    } catch (...) {
        return error_reply(500, "internal error");
    }
}

reply api::route(const request& req) {
    const std::string_view target(req.target().data(), req.target().size());
    const auto qmark = target.find('?');
    const std::string_view path = target.substr(0, qmark);
    const std::string_view query =
        qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
    const bool get = req.method() == http::verb::get;
    const bool post = req.method() == http::verb::post;

    auto not_found = [&] { return error_reply(404, "no such route: " + std::string(path)); };
    auto params = [&]() { return parse_query(query); };

    if (path == "/metrics") {
        if (!get) {
            return method_not_allowed(req, path, "GET");
        }
        backend_.refresh_metrics();
        reply r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = metrics_.render();
        return r;
    }
    if (path.substr(0, std::char_traits<char>::length(api_prefix)) != api_prefix) {
        return not_found();
    }
    const auto seg = segments(path.substr(std::char_traits<char>::length(api_prefix)));

    // Which method the route takes, found before anything else so that a 404 or a 405 never
    // depends on the token or the parameters.
    enum class route_id { health, channels, plan, asrun, reload, insert, skip };
    std::optional<route_id> which;
    std::string channel;
    if (seg.size() == 1 && seg[0] == "health") {
        which = route_id::health;
    } else if (seg.size() == 1 && seg[0] == "channels") {
        which = route_id::channels;
    } else if (seg.size() == 1 && seg[0] == "asrun") {
        which = route_id::asrun;
    } else if (seg.size() == 1 && seg[0] == "reload") {
        which = route_id::reload;
    } else if (seg.size() == 3 && seg[0] == "channels") {
        channel = std::string(seg[1]);
        if (seg[2] == "plan") {
            which = route_id::plan;
        } else if (seg[2] == "insert") {
            which = route_id::insert;
        } else if (seg[2] == "skip") {
            which = route_id::skip;
        }
    }
    if (!which) {
        return not_found();
    }
    const bool wants_post =
        *which == route_id::reload || *which == route_id::insert || *which == route_id::skip;
    if (wants_post && !post) {
        return method_not_allowed(req, path, "POST");
    }
    if (!wants_post && !get) {
        return method_not_allowed(req, path, "GET");
    }
    if (!channel.empty() && !core::is_valid_id(channel)) {
        return error_reply(404, "no channel '" + channel + "'");
    }
    if (wants_post && !authorized(req)) {
        auto r = error_reply(401, "this route needs the header: Authorization: Bearer <token>");
        r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"onair\"");
        return r;
    }
    auto q = params();
    if (!q) {
        return error_reply(400, "malformed query string");
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

    switch (*which) {
    case route_id::health: {
        json not_airing = json::array();
        for (const auto& c : backend_.channels()) {
            if (!c.airing) {
                not_airing.push_back(c.id);
            }
        }
        json j;
        if (not_airing.empty()) {
            j["status"] = "ok";
            return json_reply(200, j);
        }
        j["status"] = "degraded";
        j["not_airing"] = std::move(not_airing);
        return json_reply(503, j);
    }
    case route_id::channels: {
        const auto now = now_();
        json list = json::array();
        for (const auto& c : backend_.channels()) {
            json j;
            j["id"] = c.id;
            j["name"] = c.name;
            j["kind"] = c.kind;
            j["airing"] = c.airing;
            j["now"] = c.now ? item_json(*c.now, c.zone, now) : json(nullptr);
            j["next"] = c.next ? item_json(*c.next, c.zone, std::nullopt) : json(nullptr);
            list.push_back(std::move(j));
        }
        json j;
        j["channels"] = std::move(list);
        return json_reply(200, j);
    }
    case route_id::plan: {
        if (auto bad = unknown_param({"date"})) {
            return std::move(*bad);
        }
        auto it = q->find("date");
        if (it == q->end()) {
            return error_reply(400, "parameter 'date' (YYYY-MM-DD) is required");
        }
        auto day = core::parse_date(it->second);
        if (!day) {
            return error_reply(400, "parameter 'date': " + day.error());
        }
        auto out = backend_.plan_json(channel, *day);
        if (auto* f = std::get_if<failure>(&out)) {
            return from_failure(*f);
        }
        reply r;
        r.body = std::move(std::get<std::string>(out));
        return r;
    }
    case route_id::asrun: {
        if (auto bad = unknown_param({"channel", "from", "to", "format"})) {
            return std::move(*bad);
        }
        asrun_query aq;
        aq.format = asrun_format::json;
        if (auto it = q->find("format"); it != q->end()) {
            if (it->second == "csv") {
                aq.format = asrun_format::csv;
            } else if (it->second != "json") {
                return error_reply(400, "parameter 'format': expected json or csv, found '" +
                                            it->second + "'");
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
        if (auto* f = std::get_if<failure>(&out)) {
            return from_failure(*f);
        }
        reply r;
        r.content_type =
            aq.format == asrun_format::csv ? "text/csv; charset=utf-8" : "application/json";
        r.stream = std::move(std::get<std::unique_ptr<asrun_cursor>>(out));
        if (!r.stream) {
            return error_reply(500, "the as-run log cannot be read");
        }
        return r;
    }
    case route_id::reload: {
        auto result = backend_.reload();
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
    case route_id::insert: {
        const bool has_length = req.find(http::field::content_length) != req.end() || req.chunked();
        if (!has_length) {
            return error_reply(411, "a JSON body with Content-Length is required");
        }
        auto body = json::parse(req.body(), nullptr, false);
        if (body.is_discarded()) {
            return error_reply(400, "the body is not valid JSON");
        }
        if (!body.is_object() || !body.contains("media") || !body["media"].is_string() ||
            body["media"].get<std::string>().empty()) {
            return error_reply(400, "the body needs a field 'media' with a media id");
        }
        for (const auto& [key, value] : body.items()) {
            if (key != "media") {
                return error_reply(400, "unknown field '" + key + "'");
            }
        }
        auto out = backend_.insert(channel, body["media"].get<std::string>());
        if (auto* f = std::get_if<failure>(&out)) {
            return from_failure(*f);
        }
        const auto& ins = std::get<insert_result>(out);
        json j;
        j["status"] = "queued";
        j["channel"] = ins.channel;
        j["media"] = ins.media;
        j["title"] = ins.title;
        j["duration_ms"] = ins.duration.count();
        j["start"] = ins.start ? json(iso(*ins.start, ins.zone)) : json(nullptr);
        return json_reply(202, j);
    }
    case route_id::skip: {
        auto out = backend_.skip(channel);
        if (auto* f = std::get_if<failure>(&out)) {
            return from_failure(*f);
        }
        const auto& sk = std::get<skip_result>(out);
        json j;
        j["status"] = "skipped";
        j["channel"] = sk.channel;
        j["media"] = null_if_empty(sk.media);
        j["title"] = sk.title;
        return json_reply(200, j);
    }
    }
    return not_found();
}

} // namespace onair::control
