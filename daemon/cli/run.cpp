// onair run: the daemon. Airs every channel of the config (or the ones named) until SIGTERM or
// SIGINT; SIGHUP reloads.

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/version.hpp"

#include "gst/log.hpp"
#include "service/daemon.hpp"

#include <csignal>
#include <cstdlib>
#include <memory>

namespace onair::cli {

command add_run(CLI::App& app) {
    auto o = std::make_shared<service::run_options>();
    auto config = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("run", "Air every channel of the config until SIGTERM/SIGINT; "
                                          "SIGHUP reloads");
    add_config_option(sub, *config, "The config file");
    sub->add_option("--channel", o->channels, "Air only this channel (repeatable)");
    return [o, config] {
        o->config = *config;
        o->version = version;
        // the signals are taken by the daemon's io_context; block them before any thread
        // (GStreamer's) starts, so none of those threads gets one
        sigset_t set;
        sigemptyset(&set);
        for (int s : {SIGINT, SIGTERM, SIGHUP}) {
            sigaddset(&set, s);
        }
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
        // A peer that goes away (Icecast killed, an HTTP client gone) must cost one output or
        // one connection, never the process: libraries that write to sockets without
        // MSG_NOSIGNAL (libshout) would otherwise end the daemon with SIGPIPE.
        std::signal(SIGPIPE, SIG_IGN);
        service::system_clock wall;
        core::logger log(std::cerr, core::level::info, std::getenv("JOURNAL_STREAM") != nullptr);
        // GStreamer's own warnings and errors go to the same log (one route per process)
        const gst::debug_log_route route(log);
        pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
        return service::run(*o, wall, log);
    };
}

} // namespace onair::cli
