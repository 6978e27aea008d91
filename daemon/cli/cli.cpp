#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/version.hpp"

#include <gst/gst.h>

#include <iostream>
#include <map>
#include <memory>
#include <string>

namespace onair::cli {

int main(int argc, char** argv) {
    CLI::App app{"onair: broadcast scheduling and playout"};
    app.require_subcommand(1);
    app.set_version_flag("--version", [] {
        return std::string("onair ") + version + ", " +
               std::unique_ptr<gchar, decltype(&g_free)>(gst_version_string(), &g_free).get();
    });
    std::map<CLI::App*, command> commands;
    auto add = [&](command (*make)(CLI::App&)) {
        // each maker adds exactly one subcommand
        auto before = app.get_subcommands({}).size();
        command run = make(app);
        auto subs = app.get_subcommands({});
        if (subs.size() > before) {
            commands[subs.back()] = std::move(run);
        }
    };
    add(add_run);
    add(add_check);
    add(add_plan);
    add(add_probe);
    add(add_render);
    add(add_asrun);
    add(add_status);
    add(add_reload);
    add(add_report);
    add(add_insert);
    add(add_skip);
    add(add_now);
    add(add_list);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? ok : usage_error;
    }
    for (auto& [sub, run] : commands) {
        if (sub->parsed()) {
            if (!default_config(*sub)) {
                return usage_error;
            }
            try {
                return run();
            } catch (const std::exception& e) {
                std::cerr << "onair: error: " << e.what() << '\n';
                return input_error;
            }
        }
    }
    return usage_error;
}

} // namespace onair::cli
