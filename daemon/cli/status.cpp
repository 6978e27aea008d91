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
#include <future>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <vector>

namespace onair::cli {
namespace {

using json = nlohmann::json;

struct status_options {
    std::string config;
    double timeout_s = 5;
};

// What one daemon said: its channel list, or why there is none.
struct daemon_answer {
    std::string where; // HOST:PORT
    json channels;     // an array; null when the daemon did not give one
    std::string problem;
};

// One fixed-width table; the widths come from every row before the first is printed.
void print_table(std::ostream& out, const std::vector<daemon_answer>& daemons, bool with_daemon) {
    std::size_t daemon_w = std::string("DAEMON").size();
    std::size_t id_w = std::string("CHANNEL").size(), media_w = std::string("MEDIA").size();
    for (const auto& d : daemons) {
        daemon_w = std::max(daemon_w, d.where.size());
        for (const auto& c : d.channels.is_array() ? d.channels : json::array()) {
            id_w = std::max(id_w, text_of(c, "id").size());
            for (const char* which : {"now", "next"}) {
                if (c.contains(which)) {
                    media_w = std::max(media_w, text_of(c[which], "media").size());
                }
            }
        }
    }
    const int state_w = with_daemon ? 13 : 8; // "UNREACHABLE" only beside a DAEMON column
    std::string daemon;                       // the DAEMON column of the rows that follow
    auto row = [&](const std::string& id, const std::string& state, const std::string& kind,
                   const std::string& media, const std::string& from, const std::string& until,
                   const std::string& left, const std::string& title) {
        std::ostringstream line;
        line << std::left;
        if (with_daemon) {
            line << std::setw(static_cast<int>(daemon_w) + 2) << daemon;
        }
        line << std::setw(static_cast<int>(id_w) + 2) << id << std::setw(state_w) << state
             << std::setw(11) << kind << std::setw(static_cast<int>(media_w) + 2) << media
             << std::setw(10) << from << std::setw(10) << until << std::setw(10) << left << title;
        auto text = line.str();
        text.erase(text.find_last_not_of(' ') + 1);
        out << text << '\n';
    };
    daemon = "DAEMON";
    row("CHANNEL", "STATE", "KIND", "MEDIA", "FROM", "UNTIL", "LEFT", "TITLE");
    for (const auto& d : daemons) {
        daemon = d.where;
        if (!d.channels.is_array()) {
            row("-", "UNREACHABLE", "", "", "", "", "", d.problem);
            continue;
        }
        for (const auto& c : d.channels) {
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
            daemon.clear();
            if (!next.empty()) {
                row("", "next", text_of(next, "kind"), text_of(next, "media"),
                    clock_of(next, "start"), clock_of(next, "end"), "", text_of(next, "title", ""));
            }
        }
    }
}

bool is_channel_list(const json& body) {
    return body.is_object() && body.contains("channels") && body["channels"].is_array();
}

// The config's own daemon alone: its answer, or the reason on stderr and exit 1.
int status_of_one(const status_options& o) {
    control::http_call call;
    call.target = "/api/v1/channels";
    call.user_agent = "onair status";
    auto got = call_daemon("status", o.config, call, false, timeout_of(o.timeout_s));
    if (const int* status = std::get_if<int>(&got)) {
        return *status;
    }
    const auto& reply = std::get<daemon_reply>(got).reply;
    const auto& where = std::get<daemon_reply>(got).where;
    auto body = json::parse(reply.body, nullptr, false);
    if (reply.status != 200) {
        return answered_no("status", std::get<daemon_reply>(got));
    }
    if (!is_channel_list(body)) {
        std::cerr << "onair status: onair at " << where
                  << " answered something that is not a channel list\n";
        return input_error;
    }
    // What a channel airs may be named by a URI (a live feed): no secret reaches the screen.
    std::ostringstream table;
    print_table(table, {{where, body["channels"], {}}}, false);
    std::cout << core::redact(table.str());
    return ok;
}

daemon_answer ask(const std::string& host, unsigned short port,
                  const std::optional<std::string>& token, std::chrono::milliseconds timeout) {
    daemon_answer a;
    a.where = control::host_port(host, port);
    control::http_call call;
    call.target = "/api/v1/channels";
    call.user_agent = "onair status";
    call.token = token;
    auto got = control::http_request(host, port, call, timeout);
    if (auto* why = std::get_if<std::string>(&got)) {
        a.problem = *why;
        return a;
    }
    const auto& reply = std::get<control::http_reply>(got);
    auto body = json::parse(reply.body, nullptr, false);
    if (reply.status != 200) {
        a.problem = "answered HTTP " + std::to_string(reply.status);
        if (body.is_object() && body.contains("error") && body["error"].is_string()) {
            a.problem += ": " + body["error"].get<std::string>();
        }
    } else if (!is_channel_list(body)) {
        a.problem = "answered something that is not a channel list";
    } else {
        a.channels = body["channels"];
    }
    return a;
}

// The config's daemon and its control.peers, asked at once: a table of every channel, a row
// for each daemon that did not answer. Exit 0 when at least one answered.
int status_of_station(const status_options& o, const schedule::config& cfg) {
    std::optional<std::string> token;
    if (cfg.api.read_token) {
        try {
            if (auto file = control::token_file_of(cfg.api, control::credentials_directory())) {
                token = control::read_token_file(*file);
            }
        } catch (const std::exception& e) {
            std::cerr << "onair status: " << e.what() << '\n';
            return input_error;
        }
    }
    std::vector<std::pair<std::string, unsigned short>> targets{
        {control::connect_host(cfg.api.listen_host),
         static_cast<unsigned short>(cfg.api.listen_port)}};
    for (const auto& p : cfg.api.peers) {
        const std::pair<std::string, unsigned short> t{control::connect_host(p.host),
                                                       static_cast<unsigned short>(p.port)};
        if (std::find(targets.begin(), targets.end(), t) == targets.end()) {
            targets.push_back(t);
        }
    }
    const auto timeout = timeout_of(o.timeout_s);
    std::vector<std::future<daemon_answer>> asked;
    for (const auto& [host, port] : targets) {
        asked.push_back(std::async(std::launch::async, ask, host, port, token, timeout));
    }
    std::vector<daemon_answer> answers;
    bool any = false;
    for (auto& f : asked) {
        answers.push_back(f.get());
        any = any || answers.back().channels.is_array();
    }
    std::ostringstream table;
    print_table(table, answers, true);
    std::cout << core::redact(table.str());
    if (!any) {
        std::cerr << "onair status: no daemon of the station answered\n";
        return input_error;
    }
    return ok;
}

int run_status(const status_options& o) {
    core::diagnostics diags;
    auto cfg = schedule::load_config(o.config, diags);
    if (!cfg || diags.has_errors()) {
        print_diagnostics(std::cerr, diags);
        return input_error;
    }
    return cfg->api.peers.empty() ? status_of_one(o) : status_of_station(o, *cfg);
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
