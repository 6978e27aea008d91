// `onair now`: a one-screen live view of the running daemon, like top: each channel's now and
// next with a moving bar, its outputs, and what health names as wrong; refreshed every second.
// q or Ctrl-C quits. Not on a terminal (or with --once) it prints one screen and exits.

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/daemon_call.hpp"
#include "cli/now_screen.hpp"

#include <nlohmann/json.hpp>

#include <csignal>
#include <iostream>
#include <memory>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace onair::cli {
namespace {

using json = nlohmann::json;

struct now_options {
    std::string config;
    bool once = false;
    double interval_s = 1;
    double timeout_s = 2;
};

volatile std::sig_atomic_t quit_signal = 0;

extern "C" void on_quit_signal(int) {
    quit_signal = 1;
}

// The terminal as `now` wants it while it runs (keys without Enter, no echo, the alternate
// screen, no cursor), and as it was once it ends, whatever ends it.
class terminal_session {
public:
    terminal_session() {
        if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
            termios raw = saved_;
            raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
            raw.c_cc[VMIN] = 0;
            raw.c_cc[VTIME] = 0;
            keys_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
        }
        struct sigaction sa {};
        sa.sa_handler = on_quit_signal; // no SA_RESTART: poll() returns at once
        sigemptyset(&sa.sa_mask);
        for (int s : {SIGINT, SIGTERM, SIGHUP}) {
            ::sigaction(s, &sa, nullptr);
        }
        std::cout << "\x1b[?1049h\x1b[?25l" << std::flush;
    }
    ~terminal_session() {
        std::cout << "\x1b[?25h\x1b[?1049l" << std::flush;
        if (keys_) {
            ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
        }
    }
    terminal_session(const terminal_session&) = delete;
    terminal_session& operator=(const terminal_session&) = delete;

    // Waits up to `ms` for a key; true when the user asked to quit (q, Q or a signal).
    bool wait_for_quit(int ms) const {
        pollfd fd{STDIN_FILENO, POLLIN, 0};
        if (quit_signal) {
            return true;
        }
        if (::poll(&fd, keys_ ? 1 : 0, ms) > 0) {
            char c = 0;
            while (::read(STDIN_FILENO, &c, 1) == 1) {
                if (c == 'q' || c == 'Q') {
                    return true;
                }
            }
        }
        return quit_signal != 0;
    }

private:
    termios saved_{};
    bool keys_ = false;
};

int width_of_terminal() {
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) {
        return ws.ws_col;
    }
    return 80;
}

// One look at the daemon: the screen, and whether the daemon answered.
std::string look(const now_options& o, int width, bool& answered) {
    control::http_call call;
    call.user_agent = "onair now";
    call.target = "/api/v1/channels";
    json channels, health;
    std::string where = "?", problem;
    answered = false;
    // call_daemon says on stderr why it failed: on the alternate screen that line is lost, so
    // the screen says it too.
    auto got = call_daemon("now", o.config, call, false, timeout_of(o.timeout_s));
    if (auto* reply = std::get_if<daemon_reply>(&got)) {
        where = reply->where;
        answered = reply->reply.status == 200;
        channels = json::parse(reply->reply.body, nullptr, false);
        if (!answered) {
            problem = "GET /api/v1/channels answered HTTP " + std::to_string(reply->reply.status);
        }
        call.target = "/api/v1/health";
        auto h = call_daemon("now", o.config, call, false, timeout_of(o.timeout_s));
        if (auto* hr = std::get_if<daemon_reply>(&h)) {
            health = json::parse(hr->reply.body, nullptr, false);
        }
    } else {
        problem = "the daemon does not answer (is it running?)";
    }
    return now_screen(channels, health, where, problem, width);
}

int run_now(const now_options& o) {
    if (o.once || !::isatty(STDOUT_FILENO)) {
        bool answered = false;
        const auto screen = look(o, width_of_terminal(), answered);
        std::cout << screen;
        return answered ? ok : input_error;
    }
    terminal_session term;
    const int wait_ms = static_cast<int>(o.interval_s * 1000);
    do {
        bool answered = false;
        const auto screen = look(o, width_of_terminal(), answered);
        std::cout << "\x1b[H\x1b[2J" << screen << std::flush;
    } while (!term.wait_for_quit(wait_ms));
    return ok;
}

} // namespace

command add_now(CLI::App& app) {
    auto o = std::make_shared<now_options>();
    auto* sub = app.add_subcommand(
        "now", "A live view of the running daemon, like top: now and next, outputs, alarms");
    add_config_option(sub, o->config, "The config file (its control section)");
    sub->add_flag("--once", o->once, "Print one screen and exit (also when not on a terminal)");
    sub->add_option("--interval", o->interval_s, "Seconds between refreshes (default 1)")
        ->check(CLI::Range(0.2, 3600.0));
    return [o] { return run_now(*o); };
}

} // namespace onair::cli
