// `onair reload --config FILE`: asks the running daemon to reload through its API (the unit's
// ExecReload), and says whether it worked: systemd then reports a refused reload as failed
// instead of a SIGHUP that always "succeeds".
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/daemon_call.hpp"
#include "cli/output.hpp"

#include "control/client.hpp"
#include "control/server.hpp"
#include "core/redact.hpp"
#include "schedule/load.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace onair::cli {
namespace {

using json = nlohmann::json;

struct reload_options {
    std::string config;
    // Reloading plans every channel again and probes new files: it may take a while.
    double timeout_s = 60;
    std::string listen; // empty: the config's control.listen
};

// The diagnostics of a reload answer as `onair check` prints them.
void print_answer_diagnostics(std::ostream& out, const json& body) {
    if (!body.is_object() || !body.contains("diagnostics") || !body["diagnostics"].is_array()) {
        return;
    }
    for (const auto& d : body["diagnostics"]) {
        if (!d.is_object()) {
            continue;
        }
        core::diagnostic diag;
        diag.where.file = d.value("file", "");
        diag.where.line = d.value("line", 0);
        diag.where.column = d.value("column", 0);
        diag.level = d.value("severity", "error") == "warning" ? core::severity::warning
                                                               : core::severity::error;
        diag.message = core::redact(d.value("message", ""));
        out << core::format(diag) << '\n';
    }
}

int run_reload(const reload_options& o) {
    control::http_call call;
    call.method = "POST";
    call.target = "/api/v1/reload";
    call.user_agent = "onair reload";
    const auto timeout = timeout_of(o.timeout_s);
    auto got = call_daemon("reload", o.config, call, true, timeout, o.listen);
    if (const int* status = std::get_if<int>(&got)) {
        return *status;
    }
    const auto& reply = std::get<daemon_reply>(got).reply;
    const auto body = json::parse(reply.body, nullptr, false);
    if (reply.status == 200) {
        print_answer_diagnostics(std::cerr, body); // warnings
        std::string channels;
        if (body.is_object() && body.contains("channels") && body["channels"].is_array()) {
            for (const auto& c : body["channels"]) {
                if (c.is_string()) {
                    channels += (channels.empty() ? "" : ", ") + c.get<std::string>();
                }
            }
        }
        std::cout << "reloaded: " << channels << '\n';
        return ok;
    }
    if (reply.status == 422) {
        print_answer_diagnostics(std::cerr, body);
        std::cerr << "onair reload: the daemon refused the new configuration; the old one stays "
                     "on air\n";
        return input_error;
    }
    return answered_no("reload", std::get<daemon_reply>(got));
}

} // namespace

command add_reload(CLI::App& app) {
    auto o = std::make_shared<reload_options>();
    auto* sub = app.add_subcommand(
        "reload", "Ask the running daemon to reload its configuration, and say whether it did");
    add_config_option(sub, o->config, "The config file (its control section)");
    sub->add_option("--timeout", o->timeout_s, "Seconds to wait for the daemon (default 60)")
        ->check(CLI::PositiveNumber);
    sub->add_option("--listen", o->listen,
                    "Ask the daemon that answers on HOST:PORT (onair run --listen) instead of "
                    "the config's control.listen")
        ->type_name("HOST:PORT")
        ->expected(0, 1) // --listen= (a unit's unset variable): the config's address
        ->check(listen_check());
    return [o] { return run_reload(*o); };
}

} // namespace onair::cli
