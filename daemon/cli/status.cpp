#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/daemon_call.hpp"
#include "cli/now_screen.hpp"
#include "cli/output.hpp"

#include "control/client.hpp"
#include "control/server.hpp"
#include "core/redact.hpp"
#include "schedule/load.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace onair::cli {
namespace {

using json = nlohmann::json;

struct status_options {
    std::string config;
    double timeout_s = 5;
};

void print_table(std::ostream& out, const json& channels) {
    std::size_t id_w = std::string("CHANNEL").size(), media_w = std::string("MEDIA").size();
    for (const auto& c : channels) {
        id_w = std::max(id_w, text_of(c, "id").size());
        for (const char* which : {"now", "next"}) {
            if (c.contains(which)) {
                media_w = std::max(media_w, text_of(c[which], "media").size());
            }
        }
    }
    auto row = [&](const std::string& id, const std::string& state, const std::string& kind,
                   const std::string& media, const std::string& from, const std::string& until,
                   const std::string& left, const std::string& title) {
        std::ostringstream line;
        line << std::left << std::setw(static_cast<int>(id_w) + 2) << id << std::setw(8) << state
             << std::setw(11) << kind << std::setw(static_cast<int>(media_w) + 2) << media
             << std::setw(10) << from << std::setw(10) << until << std::setw(10) << left << title;
        auto text = line.str();
        text.erase(text.find_last_not_of(' ') + 1);
        out << text << '\n';
    };
    row("CHANNEL", "STATE", "KIND", "MEDIA", "FROM", "UNTIL", "LEFT", "TITLE");
    for (const auto& c : channels) {
        const bool airing = c.value("airing", false);
        const json none = json::object();
        const json& now = c.contains("now") && c["now"].is_object() ? c["now"] : none;
        const json& next = c.contains("next") && c["next"].is_object() ? c["next"] : none;
        const std::string state = airing ? "on air" : "DOWN";
        if (now.empty()) {
            row(text_of(c, "id"), state, "-", "-", "-", "-", "-", "");
        } else {
            const auto left = now.contains("remaining_ms") && now["remaining_ms"].is_number()
                                  ? hh_mm_ss(now["remaining_ms"].get<std::int64_t>())
                                  : "-";
            row(text_of(c, "id"), state, text_of(now, "kind"), text_of(now, "media"),
                clock_of(now, "start"), clock_of(now, "end"), left, text_of(now, "title", ""));
        }
        if (!next.empty()) {
            row("", "next", text_of(next, "kind"), text_of(next, "media"), clock_of(next, "start"),
                clock_of(next, "end"), "", text_of(next, "title", ""));
        }
    }
}

int run_status(const status_options& o) {
    const auto timeout = timeout_of(o.timeout_s);
    control::http_call call;
    call.target = "/api/v1/channels";
    call.user_agent = "onair status";
    auto got = call_daemon("status", o.config, call, false, timeout);
    if (const int* status = std::get_if<int>(&got)) {
        return *status;
    }
    const auto& reply = std::get<daemon_reply>(got).reply;
    const auto& where = std::get<daemon_reply>(got).where;
    auto body = json::parse(reply.body, nullptr, false);
    if (reply.status != 200) {
        return answered_no("status", std::get<daemon_reply>(got));
    }
    if (!body.is_object() || !body.contains("channels") || !body["channels"].is_array()) {
        std::cerr << "onair status: onair at " << where
                  << " answered something that is not a channel list\n";
        return input_error;
    }
    // What a channel airs may be named by a URI (a live feed): no secret reaches the screen.
    std::ostringstream table;
    print_table(table, body["channels"]);
    std::cout << core::redact(table.str());
    return ok;
}

} // namespace

command add_status(CLI::App& app) {
    auto o = std::make_shared<status_options>();
    auto* sub = app.add_subcommand("status", "Ask the running daemon what is on air now and next");
    add_config_option(sub, o->config, "The config file (its control.listen address)");
    sub->add_option("--timeout", o->timeout_s, "Seconds to wait for the daemon (default 5)")
        ->check(CLI::PositiveNumber);
    return [o] { return run_status(*o); };
}

} // namespace onair::cli
