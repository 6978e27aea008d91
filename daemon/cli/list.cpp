// `onair list channels|media`: the ids a config defines, one per line with a tab and the
// channel's name or the media's title. What shell completion reads; quick (nothing is probed).

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/output.hpp"

#include "schedule/load.hpp"

#include <iostream>
#include <map>
#include <memory>

namespace onair::cli {
namespace {

struct list_options {
    std::string config;
    std::string what;
    std::string channel;
};

int run_list(const list_options& o) {
    core::diagnostics diags;
    std::vector<schedule::schedule_report> reports; // a broken schedule only hides its media
    auto st = schedule::load_station(o.config, diags, reports);
    if (!st) {
        print_diagnostics(std::cerr, diags);
        return input_error;
    }
    const auto& channels = st->cfg.channels;
    if (!o.channel.empty() && st->cfg.find_channel(o.channel) == nullptr) {
        std::cerr << "onair list: no channel '" << o.channel << "' in " << o.config << '\n';
        return usage_error;
    }
    if (o.what == "channels") {
        for (const auto& ch : channels) {
            std::cout << ch.id << '\t' << ch.name << '\n';
        }
        return ok;
    }
    std::map<std::string, std::string> media; // id -> title, sorted, each id once
    for (std::size_t i = 0; i < channels.size(); ++i) {
        if ((!o.channel.empty() && channels[i].id != o.channel) || !st->schedules[i]) {
            continue;
        }
        for (const auto& [id, m] : st->schedules[i]->media) {
            media.emplace(id, m.title);
        }
    }
    for (const auto& [id, title] : media) {
        std::cout << id << '\t' << title << '\n';
    }
    return ok;
}

} // namespace

command add_list(CLI::App& app) {
    auto o = std::make_shared<list_options>();
    auto* sub = app.add_subcommand(
        "list", "List the channel ids or media ids of the config (id, a tab, name or title)");
    add_config_option(sub, o->config);
    sub->add_option("what", o->what, "channels or media")
        ->required()
        ->check(CLI::IsMember({"channels", "media"}));
    sub->add_option("--channel", o->channel, "media: only this channel's");
    return [o] { return run_list(*o); };
}

} // namespace onair::cli
