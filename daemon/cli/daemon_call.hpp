#pragma once

// One HTTP question to the running daemon, for the commands that operate it (status, reload):
// its address and token come from the config's `control:` section.

#include "control/client.hpp"

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
std::variant<daemon_reply, int> call_daemon(const std::string& command, const std::string& config,
                                            control::http_call call, bool with_token,
                                            std::chrono::milliseconds timeout);

// Says on stderr that the daemon did not do what was asked: "onair COMMAND: onair at HOST:PORT
// answered HTTP N: ERROR" (the answer's `error`, secrets redacted). Returns input_error.
int answered_no(const std::string& command, const daemon_reply& got);

// Seconds, as the --timeout options take them.
std::chrono::milliseconds timeout_of(double seconds);

} // namespace onair::cli
