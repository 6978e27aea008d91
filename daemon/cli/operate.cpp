// `onair insert CHANNEL MEDIA` and `onair skip CHANNEL`: what an operator does to the air,
// through the running daemon's API, with the address and token from the config's `control:`.

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/daemon_call.hpp"
#include "cli/now_screen.hpp"

#include "core/ids.hpp"
#include "core/redact.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace onair::cli {
namespace {

using json = nlohmann::json;

struct operate_options {
    std::string config;
    std::string channel;
    std::string media;
    double timeout_s = 10;
};

// POSTs to the channel's route; the answer's body when the daemon did it, else the exit status.
std::variant<json, int> post(const std::string& command, const operate_options& o,
                             const std::string& route, const std::string& body, unsigned expected) {
    // The id goes into the route's path: nothing but an id may.
    if (!core::is_valid_id(o.channel)) {
        std::cerr << "onair " << command << ": CHANNEL '" << o.channel
                  << "': expected an id of a-z, 0-9 and -\n";
        return usage_error;
    }
    control::http_call call;
    call.method = "POST";
    call.target = "/api/v1/channels/" + o.channel + "/" + route;
    call.body = body;
    call.user_agent = "onair " + command;
    auto got = call_daemon(command, o.config, call, true, timeout_of(o.timeout_s));
    if (const int* status = std::get_if<int>(&got)) {
        return *status;
    }
    const auto& reply = std::get<daemon_reply>(got);
    if (reply.reply.status != expected) {
        return answered_no(command, reply);
    }
    return json::parse(reply.reply.body, nullptr, false);
}

int run_insert(const operate_options& o) {
    json body;
    body["media"] = o.media;
    auto got = post("insert", o, "insert", body.dump(), 202);
    if (const int* status = std::get_if<int>(&got)) {
        return *status;
    }
    const auto& answer = std::get<json>(got);
    const auto start = text_of(answer, "start", "");
    std::cout << "inserted: " << o.media << " airs on " << o.channel << " at "
              << (start.empty() ? std::string("the end of the queued inserts") : start);
    if (const auto title = text_of(answer, "title", ""); !title.empty()) {
        std::cout << " (" << core::redact(title) << ")";
    }
    std::cout << '\n';
    return ok;
}

int run_skip(const operate_options& o) {
    auto got = post("skip", o, "skip", "", 200);
    if (const int* status = std::get_if<int>(&got)) {
        return *status;
    }
    const auto& answer = std::get<json>(got);
    const auto media = text_of(answer, "media", "");
    const auto title = text_of(answer, "title", "");
    std::cout << "skipped on " << o.channel << ": "
              << (media.empty() ? std::string("filler") : media);
    if (!title.empty()) {
        std::cout << " (" << core::redact(title) << ")";
    }
    std::cout << '\n';
    return ok;
}

CLI::App* add_operate(CLI::App& app, const char* name, const char* help, operate_options& o) {
    auto* sub = app.add_subcommand(name, help);
    add_config_option(sub, o.config, "The config file (its control section)");
    sub->add_option("--timeout", o.timeout_s, "Seconds to wait for the daemon (default 10)")
        ->check(CLI::PositiveNumber);
    sub->add_option("channel", o.channel, "The channel id")->required();
    return sub;
}

} // namespace

command add_insert(CLI::App& app) {
    auto o = std::make_shared<operate_options>();
    auto* sub = add_operate(
        app, "insert", "Air a media item right after the current one (logged as an insert)", *o);
    sub->add_option("media", o->media, "The media id, from the channel's schedule")->required();
    return [o] { return run_insert(*o); };
}

command add_skip(CLI::App& app) {
    auto o = std::make_shared<operate_options>();
    add_operate(app, "skip", "End what airs now on a channel; the plan goes on", *o);
    return [o] { return run_skip(*o); };
}

} // namespace onair::cli
