// onair run: the daemon. Airs every channel of the config (or the ones named) until SIGTERM or
// SIGINT; SIGHUP reloads.

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/daemon_call.hpp"
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
    auto state_dir = std::make_shared<std::string>();
    auto listen = std::make_shared<std::string>();
    sub->add_option("--state-dir", *state_dir,
                    "Keep the as-run, caches and lock here instead of the config's state_dir")
        ->type_name("DIR");
    sub->add_option("--listen", *listen,
                    "Answer the HTTP API on HOST:PORT instead of the config's control.listen")
        ->type_name("HOST:PORT")
        ->expected(0, 1) // --listen= (a unit's unset variable): the config's address
        ->check(listen_check());
    return [o, config, state_dir, listen] {
        o->config = *config;
        if (!state_dir->empty()) {
            o->state_dir = *state_dir;
        }
        if (!listen->empty()) {
            o->listen = *listen;
        }
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
