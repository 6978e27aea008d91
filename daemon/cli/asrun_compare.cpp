#include "cli/asrun_compare.hpp"

#include "cli/cli.hpp"

#include "asrun/compare.hpp"
#include "control/client.hpp"
#include "control/server.hpp"
#include "core/redact.hpp"
#include "schedule/address.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>

namespace onair::cli {
namespace {

namespace fs = std::filesystem;

// Both logs are read a day of scheduled starts at a time: memory stays that of a day however
// long the window, and one answer of another daemon stays far below what its client accepts.
constexpr core::milliseconds piece = core::one_day;
// One answer of the other daemon: a day of a station's as-run takes well under a second.
constexpr std::chrono::seconds api_timeout{30};

// Where a piece of the as-run comes from. Throws std::runtime_error with a message for the
// user when the log cannot be read.
class source {
public:
    virtual ~source() = default;
    // The rows of `f`, in store order, with what a comparison does not read dropped.
    virtual std::vector<asrun::airing> rows(const asrun::filter& f) = 0;
    // The earliest scheduled start of the rows of `channel` (all when empty); nothing when the
    // log is empty or cannot say (another daemon: see knows_earliest).
    virtual std::optional<core::instant> earliest(const std::optional<std::string>& channel) = 0;
    virtual bool knows_earliest() const { return true; }
};

// Drops what no comparison reads (long texts, the chain) from a row kept for a day.
asrun::airing slim(asrun::airing a) {
    a.title.clear();
    a.file.clear();
    a.chain.reset();
    return a;
}

// An as-run file, read-only; a file that does not exist is a log with nothing in it.
class file_source final : public source {
public:
    explicit file_source(const fs::path& file) {
        std::error_code ec;
        if (fs::exists(file, ec)) {
            store_ = std::make_unique<asrun::store>(file, asrun::open_mode::read_only);
        }
    }
    std::vector<asrun::airing> rows(const asrun::filter& f) override {
        std::vector<asrun::airing> out;
        if (store_) {
            store_->airings(f, [&](const asrun::airing& a) { out.push_back(slim(a)); });
        }
        return out;
    }
    std::optional<core::instant> earliest(const std::optional<std::string>& channel) override {
        std::optional<core::instant> first;
        if (store_) {
            asrun::filter f;
            f.channel = channel;
            store_->airings_page(f, std::nullopt, 1,
                                 [&](const asrun::airing& a) { first = a.scheduled_start; });
        }
        return first;
    }

private:
    std::unique_ptr<asrun::store> store_;
};

// Another daemon's GET /api/v1/asrun, one request per piece.
class api_source final : public source {
public:
    api_source(const schedule::config& cfg, schedule::host_port at,
               std::optional<std::string> token)
        : cfg_(cfg), at_(std::move(at)), token_(std::move(token)) {}

    std::vector<asrun::airing> rows(const asrun::filter& f) override {
        control::http_call call;
        call.target = "/api/v1/asrun?format=json";
        if (f.channel) {
            call.target += "&channel=" + *f.channel; // ids are [a-z0-9-]: nothing to escape
        }
        if (f.from) {
            call.target += "&from=" + utc(*f.from);
        }
        if (f.to) {
            call.target += "&to=" + utc(*f.to);
        }
        call.token = token_;
        call.user_agent = "onair asrun";
        const auto url = schedule::control_url(at_);
        auto got = control::http_request(at_.host, static_cast<unsigned short>(at_.port), call,
                                         api_timeout);
        if (auto* why = std::get_if<std::string>(&got)) {
            throw std::runtime_error("cannot reach onair at " + url + ": " + *why);
        }
        const auto& reply = std::get<control::http_reply>(got);
        if (reply.status != 200) {
            throw std::runtime_error("onair at " + url + " answered HTTP " +
                                     std::to_string(reply.status) + error_of(reply.body));
        }
        auto parsed = asrun::airings_from_json(reply.body);
        if (!parsed) {
            throw std::runtime_error("onair at " + url +
                                     " answered an as-run that cannot be read: " + parsed.error());
        }
        std::vector<asrun::airing> out;
        out.reserve(parsed->size());
        for (const auto& a : *parsed) {
            out.push_back(slim(a));
            // the export carries offsets, not the zone: print its rows in the channel's
            if (const auto* ch = cfg_.find_channel(a.channel)) {
                out.back().timezone = ch->timezone;
            }
        }
        return out;
    }
    std::optional<core::instant> earliest(const std::optional<std::string>&) override {
        return std::nullopt;
    }
    bool knows_earliest() const override { return false; }

private:
    // "2026-12-01T06:00:00.000Z": an instant the daemon reads whatever its zones
    static std::string utc(core::instant t) { return date::format("%FT%TZ", t); }
    static std::string error_of(const std::string& body) {
        const auto j = nlohmann::json::parse(body, nullptr, false);
        if (j.is_object() && j.contains("error") && j["error"].is_string()) {
            return ": " + core::redact(j["error"].get<std::string>());
        }
        return {};
    }

    const schedule::config& cfg_;
    schedule::host_port at_;
    std::optional<std::string> token_;
};

// The token goes only to the daemons the config names (its own address and control.peers),
// and only when they ask for it on GET routes: a URL typed on the command line may be anyone's.
std::optional<std::string> token_for(const schedule::config& cfg, const schedule::host_port& at) {
    if (!cfg.api.read_token) {
        return std::nullopt;
    }
    bool named =
        control::connect_host(cfg.api.listen_host) == at.host && cfg.api.listen_port == at.port;
    for (const auto& p : cfg.api.peers) {
        named = named || (p.host == at.host && p.port == at.port);
    }
    if (!named) {
        return std::nullopt;
    }
    auto file = control::token_file_of(cfg.api, control::credentials_directory());
    return file ? std::optional(control::read_token_file(*file)) : std::nullopt;
}

asrun::frame_length frame_of(const schedule::config& cfg, const std::string& channel) {
    const auto* ch = cfg.find_channel(channel);
    if (ch == nullptr || ch->kind == schedule::channel_kind::radio) {
        // a channel the config no longer has: the strictest bound the spec knows
        return asrun::radio_frame;
    }
    const auto video = ch->video.value_or(schedule::video_format{});
    return asrun::video_frame(video.framerate_num, video.framerate_den);
}

// The pieces of the window: a day each from `first`; the first one reaches down to --from (open
// when there is none), the last one up to --to (open when there is none).
std::vector<asrun::filter> pieces_of(const asrun::filter& window,
                                     std::optional<core::instant> first) {
    if (!first) {
        return {window};
    }
    std::vector<asrun::filter> out;
    const auto now =
        std::chrono::time_point_cast<core::milliseconds>(std::chrono::system_clock::now());
    for (core::instant at = *first;; at += piece) {
        asrun::filter f = window;
        f.from = out.empty() ? window.from : std::optional(at);
        f.to = at + piece;
        // Rows start no later than about now (the other machine's clock may run ahead): the
        // piece past it takes whatever is left.
        if ((window.to && *window.to <= *f.to) || (!window.to && *f.to > now + piece)) {
            f.to = window.to;
            out.push_back(std::move(f));
            return out;
        }
        out.push_back(std::move(f));
    }
}

asrun::comparison compare_pieces(const schedule::config& cfg, const asrun::filter& window,
                                 source& local, source& other) {
    // The days walked start at the earlier log's first row (the first piece also takes what
    // lies before it, which another daemon cannot tell), or at --from when that is later.
    std::optional<core::instant> first = local.earliest(window.channel);
    if (other.knows_earliest()) {
        if (auto o = other.earliest(window.channel); o && (!first || *o < *first)) {
            first = o;
        }
        if (!first) {
            return {}; // neither log has a row
        }
    }
    if (window.from && (!first || *first < *window.from)) {
        first = window.from;
    }
    asrun::comparison all;
    auto frame = [&](const std::string& channel) { return frame_of(cfg, channel); };
    for (const auto& f : pieces_of(window, first)) {
        auto c = asrun::compare_airings(local.rows(f), other.rows(f), frame);
        all.slots += c.slots;
        std::move(c.differences.begin(), c.differences.end(), std::back_inserter(all.differences));
    }
    return all;
}

} // namespace

// OTHER told apart (URL, file, state dir) with a message for each way it can be wrong, then
// both logs read, compared and printed.
int run_compare(const schedule::config& cfg, const compare_request& request) {
    const std::string& other = request.other;
    auto format = asrun::compare_format::text;
    if (request.format == "csv") {
        format = asrun::compare_format::csv;
    } else if (request.format == "json") {
        format = asrun::compare_format::json;
    }
    const fs::path local_file = asrun::store_file(cfg.state_dir);
    asrun::compare_labels labels{local_file.string(), other, {}, {}};
    const auto* zone = request.zone != nullptr ? request.zone : core::find_zone("UTC");
    if (request.window.from) {
        labels.from = core::format_iso(*request.window.from, *zone);
    }
    if (request.window.to) {
        labels.to = core::format_iso(*request.window.to, *zone);
    }
    try {
        std::unique_ptr<source> there;
        if (other.find("://") != std::string::npos) {
            auto at = schedule::parse_control_url(other);
            if (!at) {
                std::cerr << "onair asrun: --compare: expected an as-run file, a state dir or a "
                             "control URL such as http://127.0.0.1:8751 ("
                          << at.error() << "), found '" << other << "'\n";
                return usage_error;
            }
            labels.other_name = schedule::control_url(*at);
            there = std::make_unique<api_source>(cfg, *at, token_for(cfg, *at));
        } else {
            std::error_code ec;
            fs::path file = other;
            if (fs::is_directory(file, ec)) {
                file /= "asrun.sqlite"; // a state dir
            }
            if (!fs::is_regular_file(file, ec)) {
                std::cerr << "onair asrun: --compare: no as-run file at " << file.string() << '\n';
                return input_error;
            }
            labels.other_name = file.string();
            there = std::make_unique<file_source>(file);
        }
        file_source here(local_file);
        const auto c = compare_pieces(cfg, request.window, here, *there);
        asrun::print_comparison(c, format, labels, std::cout);
        std::cout.flush();
        return c.agree() ? ok : input_error;
    } catch (const std::exception& e) {
        std::cerr << "onair asrun: --compare: " << e.what() << '\n';
        return input_error;
    }
}

} // namespace onair::cli
