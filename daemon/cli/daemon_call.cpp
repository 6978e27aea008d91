#include "cli/daemon_call.hpp"

#include "cli/cli.hpp"
#include "cli/output.hpp"
#include "control/server.hpp"
#include "core/redact.hpp"
#include "schedule/address.hpp"
#include "schedule/load.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace onair::cli {

std::variant<daemon_reply, int> call_daemon(const std::string& command, const std::string& config,
                                            control::http_call call, bool with_token,
                                            std::chrono::milliseconds timeout,
                                            const std::string& listen) {
    core::diagnostics diags;
    auto cfg = schedule::load_config(config, diags);
    // Only the control section matters; the daemon checks everything else itself.
    if (!cfg || diags.has_errors()) {
        print_diagnostics(std::cerr, diags);
        return input_error;
    }
    if (with_token || cfg->api.read_token) {
        try {
            if (auto file = control::token_file_of(cfg->api, control::credentials_directory())) {
                call.token = control::read_token_file(*file);
            }
        } catch (const std::exception& e) {
            std::cerr << "onair " << command << ": " << e.what() << '\n';
            return input_error;
        }
    }
    auto host = control::connect_host(cfg->api.listen_host);
    auto port = static_cast<unsigned short>(cfg->api.listen_port);
    if (auto at = schedule::parse_host_port(listen); !listen.empty() && at) {
        host = control::connect_host(at->host);
        port = static_cast<unsigned short>(at->port);
    }
    auto got = control::http_request(host, port, call, timeout);
    if (auto* why = std::get_if<std::string>(&got)) {
        std::cerr << "onair " << command << ": cannot reach onair at "
                  << control::host_port(host, port) << ": " << *why
                  << " (is the daemon running?)\n";
        return input_error;
    }
    return daemon_reply{std::get<control::http_reply>(std::move(got)),
                        control::host_port(host, port)};
}

int answered_no(const std::string& command, const daemon_reply& got) {
    std::cerr << "onair " << command << ": onair at " << got.where << " answered HTTP "
              << got.reply.status;
    const auto body = nlohmann::json::parse(got.reply.body, nullptr, false);
    if (body.is_object() && body.contains("error") && body["error"].is_string()) {
        std::cerr << ": " << core::redact(body["error"].get<std::string>());
    }
    std::cerr << '\n';
    return input_error;
}

CLI::Validator listen_check() {
    return CLI::Validator(
        [](const std::string& text) -> std::string {
            if (text.empty()) {
                return {};
            }
            auto at = schedule::parse_host_port(text);
            return at ? std::string{}
                      : "expected HOST:PORT such as 127.0.0.1:8751 (" + at.error() + ")";
        },
        "");
}

std::chrono::milliseconds timeout_of(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

} // namespace onair::cli
