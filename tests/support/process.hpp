#pragma once

// The daemon and the CLI as child processes, for the tests that run the real `onair` binary:
// `run_capture` for a command's output, `daemon_process` for `onair run` in the background,
// `notify_socket` standing in for systemd's notification socket.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace onair::test_support {

// The `onair` binary under test (the build's).
const char* onair_binary();

// `onair ARGS` through the shell, stdout and stderr together, read to the end.
std::string run_capture(const std::string& args);

struct run_result {
    int code = -1; // the exit status; -1 when it did not exit (a signal) or could not start
    std::string out;
};
// `onair ARGS` (already shell-quoted) through the shell: its exit status and its stdout;
// stderr goes to the test's own.
run_result run_onair(const std::string& args);

// `onair run --config CONFIG` as a child process, its stdout and stderr appended to `log`;
// killed (SIGKILL) and reaped when it goes out of scope while still running.
struct daemon_process {
    pid_t pid = -1;

    // `env`: NAME=VALUE set for the daemon only; `args`: more arguments of `onair run`.
    daemon_process(const std::filesystem::path& config, const std::filesystem::path& log,
                   const std::vector<std::string>& env = {},
                   const std::vector<std::string>& args = {});
    daemon_process(const daemon_process&) = delete;
    daemon_process& operator=(const daemon_process&) = delete;
    ~daemon_process();

    // Sends `sig` and waits; the exit status (or 128 + signal).
    int stop(int sig);
    // Whether the process is still running (reaps it if it has ended).
    bool running();

private:
    int status_ = -1;
};

// The systemd notification socket, as systemd would hold it for the service (abstract
// namespace: NOTIFY_SOCKET=@name); each datagram received with the time it came.
struct notify_socket {
    int fd = -1;
    std::string name;
    struct message {
        std::chrono::steady_clock::time_point at;
        std::string text;
    };
    std::vector<message> received;

    notify_socket();
    notify_socket(const notify_socket&) = delete;
    notify_socket& operator=(const notify_socket&) = delete;
    ~notify_socket();
    std::string env() const { return "NOTIFY_SOCKET=@" + name; }

    // Receives until `until`.
    void collect(std::chrono::steady_clock::time_point until);
    // Arrival times of the messages that contain `text`.
    std::vector<std::chrono::steady_clock::time_point> times_of(const std::string& text) const;
};

// A whole file as text ("" when it cannot be read).
std::string slurp(const std::filesystem::path& p);

// Occurrences of `needle` in `hay`.
int count_of(const std::string& hay, const std::string& needle);

} // namespace onair::test_support
