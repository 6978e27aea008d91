#pragma once

// One HTTP question to the running daemon, for the commands that operate it (status, reload):
// its address and token come from the config's `control:` section.

#include "control/client.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>
#include <variant>

namespace onair::cli {

// `call.token` is filled from the config's token file when `with_token` (or when the config
// requires the token for GET routes). Returns the reply, or the exit status after printing
// "onair COMMAND: ..." (the config broken, the token unreadable, the daemon not answering).
struct daemon_reply {
    control::http_reply reply;
    std::string where; // HOST:PORT, for messages
};
// `listen` (HOST:PORT, already checked) names the daemon instead of the config's
// control.listen: a unit of one channel (onair@.service) answers on an address of its own.
std::variant<daemon_reply, int> call_daemon(const std::string& command, const std::string& config,
                                            control::http_call call, bool with_token,
                                            std::chrono::milliseconds timeout,
                                            const std::string& listen = {});

// Says on stderr that the daemon did not do what was asked: "onair COMMAND: onair at HOST:PORT
// answered HTTP N: ERROR" (the answer's `error`, secrets redacted). Returns input_error.
int answered_no(const std::string& command, const daemon_reply& got);

// The check of a --listen option: HOST:PORT as control.listen takes it, or empty (the
// config's address: a unit passes --listen=${VAR} whether its env file sets VAR or not).
CLI::Validator listen_check();

// Seconds, as the --timeout options take them.
std::chrono::milliseconds timeout_of(double seconds);

} // namespace onair::cli
